//! Bad input, each with its exact message and exit code, and never a
//! change to the log: one sentence on stderr, no panic, no backtrace
//! (every run is checked for those in `support`).

use crate::support::{scenario_text, TestEnv, KNOWN_KINDS};

const CEASEFIRE: &str = "01943a00-0000-7000-8000-000000000029";
const SDF_FIGURE: &str = "01943a00-0000-7000-8000-000000000019";
const SDF_CORRECTION: &str = "01943a00-0000-7000-8000-000000000031";

/// One bad event: the JSON, the global flags it is appended with, the
/// reason (what follows `error: ` for `append`, `line N: ` for `import`)
/// and the exit code.
struct Bad {
    json: &'static str,
    flags: &'static [&'static str],
    reason: String,
    code: i32,
}

fn bad(json: &'static str, reason: impl Into<String>) -> Bad {
    Bad { json, flags: &[], reason: reason.into(), code: 2 }
}

const TIME_FORMS: &str =
    "expected RFC 3339 (2026-01-09T03:00:00+03:00), a local date-time (2026-01-09T03:00) or a date (2026-01-09)";

fn table() -> Vec<Bad> {
    vec![
        // kinds
        bad(
            r#"{"kind":"truce","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":"x"}"#,
            format!("unknown kind \"truce\"; known kinds: {KNOWN_KINDS}"),
        ),
        bad(
            r#"{"kind":"curfw","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":"x"}"#,
            format!("unknown kind \"curfw\" (did you mean \"curfew\"?); known kinds: {KNOWN_KINDS}"),
        ),
        bad(
            r#"{"at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":"x"}"#,
            format!("missing \"kind\"; known kinds: {KNOWN_KINDS}"),
        ),
        bad(r#"{"kind":3,"source":"x"}"#, r#""kind": expected a string, got a number"#),
        // areas and actors, with "did you mean"
        bad(
            r#"{"kind":"curfew","at":"2026-01-09","areas":["aleppo/ashrafiyah"],"actor":"sdf","source":"x"}"#,
            r#"unknown area "aleppo/ashrafiyah" — did you mean "aleppo/ashrafiyeh"?"#,
        ),
        bad(
            r#"{"kind":"curfew","at":"2026-01-09","areas":["الاشرفية"],"actor":"sdf","source":"x"}"#,
            r#"unknown area "الاشرفية" — did you mean "الأشرفية"?"#,
        ),
        bad(
            r#"{"kind":"curfew","at":"2026-01-09","areas":["timbuktu"],"actor":"sdf","source":"x"}"#,
            r#"unknown area "timbuktu" — register it first with an "area" event"#,
        ),
        bad(
            r#"{"kind":"curfew","at":"2026-01-09","areas":["aleppo"],"actor":"internal-securty","source":"x"}"#,
            r#""actor": unknown actor "internal-securty" — did you mean "internal-security"?"#,
        ),
        bad(
            r#"{"kind":"curfew","at":"2026-01-09","areas":7,"actor":"sdf","source":"x"}"#,
            r#""areas": expected a list of strings, got a number"#,
        ),
        bad(
            r#"{"kind":"curfew","at":"2026-01-09","areas":["aleppo",""],"actor":"sdf","source":"x"}"#,
            r#""areas": holds an empty string"#,
        ),
        bad(
            r#"{"kind":"curfew","at":"2026-01-09","areas":[],"actor":"sdf","source":"x"}"#,
            r#"missing "areas": a curfew needs the list of areas where it happened"#,
        ),
        bad(
            r#"{"kind":"curfew","at":"2026-01-09","areas":["aleppo"],"source":"x"}"#,
            r#"missing "actor": a curfew needs the actor who declared it"#,
        ),
        bad(
            r#"{"kind":"defection_call","at":"2026-01-09","actor":"sdf","source":"x"}"#,
            r#"missing "target": a defection_call needs the actor whose members are called on"#,
        ),
        // times
        bad(
            r#"{"kind":"curfew","at":"2026-01-09T10:00+03:00","until":"2026-01-09T09:00+03:00","areas":["aleppo"],"actor":"sdf","source":"x"}"#,
            r#""until" (2026-01-09T09:00+03:00) is before "at" (2026-01-09T10:00+03:00)"#,
        ),
        bad(
            r#"{"kind":"curfew","at":"2026-01-09T10:00+03:00","until":"2026-01-09T07:00Z","areas":["aleppo"],"actor":"sdf","source":"x"}"#,
            r#""until" (2026-01-09T07:00Z) is the same moment as "at" (2026-01-09T10:00+03:00); it must be later"#,
        ),
        bad(
            r#"{"kind":"curfew","at":"2026-01-09","until":"2026-01-08T23:00","areas":["aleppo"],"actor":"sdf","source":"x"}"#,
            r#""until" (2026-01-08T23:00) is before "at" (2026-01-09)"#,
        ),
        bad(
            r#"{"kind":"ultimatum","at":"2026-01-09T10:00","deadline":"2026-01-09T09:00","areas":["aleppo"],"actor":"sdf","source":"x"}"#,
            r#""deadline" (2026-01-09T09:00) is before "at" (2026-01-09T10:00)"#,
        ),
        bad(
            r#"{"kind":"curfew","areas":["aleppo"],"actor":"sdf","source":"x"}"#,
            r#"missing "at": a curfew needs the time it happened or took effect"#,
        ),
        bad(
            r#"{"kind":"curfew","at":5,"areas":["aleppo"],"actor":"sdf","source":"x"}"#,
            r#""at": expected a time as a string, got a number"#,
        ),
        bad(
            r#"{"kind":"curfew","at":"2026-02-30","areas":["aleppo"],"actor":"sdf","source":"x"}"#,
            format!("\"at\": \"2026-02-30\" is not a time; {TIME_FORMS}"),
        ),
        bad(
            r#"{"kind":"curfew","at":"9 January","areas":["aleppo"],"actor":"sdf","source":"x"}"#,
            format!("\"at\": \"9 January\" is not a time; {TIME_FORMS}"),
        ),
        bad(
            r#"{"kind":"shelling","at":"2026-01-09T12:34:60","areas":["aleppo"],"source":"x"}"#,
            r#""at": "2026-01-09T12:34:60" has a 60th second; seconds run from 00 to 59"#,
        ),
        bad(
            r#"{"kind":"curfew","at":"1800-01-09","areas":["aleppo"],"actor":"sdf","source":"x"}"#,
            r#""at": "1800-01-09" is out of range; years 1900 to 2200 are accepted"#,
        ),
        Bad {
            json: r#"{"kind":"curfew","at":"2026-03-29T01:30","areas":["aleppo"],"actor":"sdf","source":"x"}"#,
            flags: &["--tz", "Europe/London"],
            reason: r#""at": "2026-03-29T01:30" does not exist in Europe/London (the clocks skipped it)"#.into(),
            code: 2,
        },
        bad(
            r#"{"kind":"ultimatum","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":"x"}"#,
            r#"missing "deadline": an ultimatum needs the time it expires"#,
        ),
        // sources
        bad(
            r#"{"kind":"curfew","at":"2026-01-09","areas":["aleppo"],"actor":"sdf"}"#,
            r#"missing "source": who reported it, as a name ("SANA") or {"name": …, "url": …, "published_at": …}"#,
        ),
        bad(r#"{"kind":"curfew","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":""}"#, r#""source" is empty"#),
        bad(
            r#"{"kind":"curfew","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":{"url":"https://sana.sy"}}"#,
            r#""source": missing "name""#,
        ),
        bad(
            r#"{"kind":"curfew","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":{"name":"x","author":"y"}}"#,
            r#""source": unknown field "author"; its fields are: name, url, published_at"#,
        ),
        bad(
            r#"{"kind":"curfew","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":["x"]}"#,
            r#""source": expected a name or an object, got a list"#,
        ),
        // JSON itself
        bad(r#"{"kind":"curfew","#, "not valid JSON: EOF while parsing a value at column 17"),
        bad(r#"{"kind":"curfew","kind":"curfew"}"#, r#"not valid JSON: duplicate key "kind" at column 23"#),
        bad(
            r#"{"kind":"curfew","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":{"name":"a","name":"b"}}"#,
            r#"not valid JSON: duplicate key "name" at column 95"#,
        ),
        bad("[1,2]", "expected a JSON object, got a list"),
        bad(r#""curfew""#, "expected a JSON object, got a string"),
        bad(
            r#"{"kind":"curfew","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":"x"} {"x":1}"#,
            "not valid JSON: trailing characters at column 83",
        ),
        // fields and their types
        bad(
            r#"{"kind":"curfew","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":"x","colour":"red"}"#,
            r#"unknown field "colour" for kind "curfew"; its fields are: id, kind, at, source, note, areas, actor, target, corrects, until"#,
        ),
        bad(
            r#"{"kind":"shelling","at":"2026-01-09","areas":["aleppo"],"until":"2026-01-10","source":"x"}"#,
            r#"unknown field "until" for kind "shelling" (a shelling does not last, so it takes no "until"); its fields are: id, kind, at, source, note, areas, actor, target, corrects, killed, wounded"#,
        ),
        bad(
            r#"{"kind":"ultimatum","at":"2026-01-09","deadline":"2026-01-10","until":"2026-01-10","areas":["aleppo"],"actor":"sdf","source":"x"}"#,
            r#"unknown field "until" for kind "ultimatum" (an ultimatum takes "deadline"); its fields are: id, kind, at, source, note, areas, actor, target, corrects, deadline, demand"#,
        ),
        bad(
            r#"{"kind":"casualty_report","at":"2026-01-09","areas":["aleppo"],"kiled":3,"source":"x"}"#,
            r#"unknown field "kiled" for kind "casualty_report" (did you mean "killed"?); its fields are: id, kind, at, source, note, areas, actor, target, corrects, killed, wounded, civilian, cumulative"#,
        ),
        bad(
            r#"{"kind":"casualty_report","at":"2026-01-09","areas":["aleppo"],"killed":-1,"source":"x"}"#,
            r#""killed": expected a whole number from 0 to 1000000, got -1"#,
        ),
        bad(
            r#"{"kind":"casualty_report","at":"2026-01-09","areas":["aleppo"],"killed":1.5,"source":"x"}"#,
            r#""killed": expected a whole number from 0 to 1000000, got 1.5"#,
        ),
        bad(
            r#"{"kind":"casualty_report","at":"2026-01-09","areas":["aleppo"],"killed":1000001,"source":"x"}"#,
            r#""killed": expected a whole number from 0 to 1000000, got 1000001"#,
        ),
        bad(
            r#"{"kind":"casualty_report","at":"2026-01-09","areas":["aleppo"],"killed":"3","source":"x"}"#,
            r#""killed": expected a whole number, got a string"#,
        ),
        bad(
            r#"{"kind":"casualty_report","at":"2026-01-09","areas":["aleppo"],"killed":1,"civilian":"yes","source":"x"}"#,
            r#""civilian": expected true or false, got a string"#,
        ),
        bad(
            r#"{"kind":"casualty_report","at":"2026-01-09","areas":["aleppo"],"source":"x"}"#,
            r#"a casualty_report needs "killed", "wounded" or both"#,
        ),
        bad(
            r#"{"kind":"control_claim","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","extent":"most","source":"x"}"#,
            r#""extent": expected "full", "partial" or a percentage from 0 to 100, got "most""#,
        ),
        bad(
            r#"{"kind":"control_claim","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","extent":150,"source":"x"}"#,
            r#""extent": a percentage must be from 0 to 100, got 150"#,
        ),
        bad(
            r#"{"kind":"control_claim","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":"x"}"#,
            r#"missing "extent": a control_claim needs "full", "partial" or a percentage from 0 to 100"#,
        ),
        bad(
            r#"{"kind":"curfew","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":"x","note":5}"#,
            r#""note": expected a string, got a number"#,
        ),
        bad(
            r#"{"id":"nope","kind":"curfew","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":"x"}"#,
            r#""id": "nope" is not an event id (a UUID like 0194a3b2-7c00-7000-8000-000000000001)"#,
        ),
        // references to other events
        bad(
            r#"{"kind":"ended","at":"2026-01-09","source":"x"}"#,
            r#"missing "ends": an ended event needs the id of the event it ends"#,
        ),
        bad(
            r#"{"kind":"ended","at":"2026-01-09","ends":"01943a00-0000-7000-8000-000000000018","source":"x"}"#,
            r#""ends": 01943a00-0000-7000-8000-000000000018 is a casualty_report event, which does not last; only ceasefire, curfew, ultimatum, deployment and evacuation can be ended"#,
        ),
        bad(
            r#"{"kind":"ended","at":"2026-01-09T02:00+03:00","ends":"01943a00-0000-7000-8000-000000000029","source":"x"}"#,
            r#""at" (2026-01-09T02:00:00+03:00) is before the start of the event it ends (2026-01-09T03:00:00+03:00)"#,
        ),
        bad(
            r#"{"kind":"retraction","at":"2026-01-09","retracts":"01943a00-0000-7000-8000-000000000099","source":"x"}"#,
            r#""retracts": no event with id 01943a00-0000-7000-8000-000000000099 is in the log"#,
        ),
        bad(
            r#"{"kind":"retraction","at":"2026-01-09","retracts":"01943a00-0000-7000-8000-000000000019","source":"x"}"#,
            format!("\"retracts\": {SDF_FIGURE} was corrected by {SDF_CORRECTION}; retract {SDF_CORRECTION} instead"),
        ),
        bad(
            r#"{"kind":"casualty_report","at":"2026-01-08T20:00+03:00","areas":["aleppo"],"killed":1,"corrects":"01943a00-0000-7000-8000-000000000019","source":"SDF"}"#,
            format!("\"corrects\": {SDF_FIGURE} was already corrected by {SDF_CORRECTION}; correct {SDF_CORRECTION} instead"),
        ),
        bad(
            r#"{"kind":"casualty_report","at":"2026-01-09","areas":["aleppo"],"killed":1,"corrects":"01943a00-0000-7000-8000-00000000a001","source":"x"}"#,
            r#""corrects": 01943a00-0000-7000-8000-00000000a001 defines an area; to change it, append a new area event with the same slug"#,
        ),
        // definitions
        bad(
            r#"{"kind":"area","area":"Aleppo City","name":"x","source":"x"}"#,
            r#""area": "Aleppo City" is not a slug; use lowercase letters, digits, "-" and "_", nested with "/" (like "aleppo/sheikh-maqsoud"), and put other spellings in "aliases""#,
        ),
        bad(
            r#"{"kind":"area","area":"homs/old-city","name":"x","source":"x"}"#,
            r#""parent": unknown area "homs"; register "homs" before "homs/old-city""#,
        ),
        bad(
            r#"{"kind":"area","area":"aleppo/jamiliyeh","name":"Jamiliyeh","aliases":["حلب"],"source":"x"}"#,
            r#""aliases": "حلب" already names area "aleppo"; remove it there first"#,
        ),
        bad(
            r#"{"kind":"area","area":"aleppo/jamiliyeh","name":"Jamiliyeh","lat":36.2,"source":"x"}"#,
            r#""lat" and "lon" go together: give both or neither"#,
        ),
        // an id already in the log with other content: a conflict
        Bad {
            json: r#"{"id":"01943a00-0000-7000-8000-000000000029","kind":"ceasefire","at":"2026-01-09T04:00:00+03:00","areas":["aleppo"],"actor":"syrian-mod","source":"x"}"#,
            flags: &[],
            reason: format!(
                "id {CEASEFIRE} is already in the log with different content; give the new event another id, or use \"corrects\" to replace the old one"
            ),
            code: 3,
        },
    ]
}

/// A good event that comes before the bad one in each import: it must
/// not be appended either.
const GOOD: &str = r#"{"id":"0195bbbb-0000-7000-8000-000000000001","kind":"statement","at":"2026-01-09T11:00+03:00","actor":"sdf","source":"desk"}"#;

#[test]
fn every_bad_event_is_refused_with_its_reason() {
    let env = TestEnv::aleppo();
    let head = env.head();
    let cases = table();
    assert!(cases.len() >= 30);
    let mut failures = Vec::new();
    for case in &cases {
        // append --json
        let mut args = case.flags.to_vec();
        args.extend(["append", "--json", case.json]);
        let run = env.run(&args);
        // another input zone than the log's is noted first
        let note = match case.flags.iter().position(|f| *f == "--tz") {
            Some(i) => format!(
                "note: times written without an offset are read in {} (from --tz or $SIJIL_TZ), not in the log's zone Asia/Damascus\n",
                case.flags[i + 1]
            ),
            None => String::new(),
        };
        let want = format!("{note}error: {}\n", case.reason);
        if (run.code, run.stdout.as_str(), run.stderr.as_str()) != (case.code, "", want.as_str()) {
            failures.push(format!(
                "append {}\n   exit {} stderr {:?}\n   want {} stderr {want:?}",
                case.json, run.code, run.stderr, case.code
            ));
        }
        // the same event as the second line of an import
        let mut args = case.flags.to_vec();
        args.extend(["import", "-"]);
        let run = env.run_stdin(&args, format!("{GOOD}\n{}\n", case.json));
        let want =
            format!("{note}line 2: {}\nerror: 1 bad line in standard input; nothing was appended\n", case.reason);
        if (run.code, run.stdout.as_str(), run.stderr.as_str()) != (case.code, "", want.as_str()) {
            failures.push(format!(
                "import {}\n   exit {} stderr {:?}\n   want {} stderr {want:?}",
                case.json, run.code, run.stderr, case.code
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases:\n{}", failures.len(), cases.len() * 2, failures.join("\n"));
    assert_eq!(env.head(), head, "a refused event changed the log");
}

#[test]
fn an_import_reports_every_bad_line_and_appends_nothing() {
    let env = TestEnv::aleppo();
    let head = env.head();
    let lines = [
        r#"{"kind":"area","area":"aleppo/jamiliyeh","name":"Jamiliyeh","source":"g"}"#,
        r#"{"kind":"truce","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":"x"}"#,
        // refers to the area defined on line 1
        r#"{"kind":"curfew","at":"2026-01-09T20:00","areas":["aleppo/jamiliyeh"],"actor":"syrian-government","source":"SANA"}"#,
        "",
        r#"{"kind":"curfew","at":"2026-01-09T20:00","areas":["aleppo/jamiliyeh"],"actor":"sdf","actor":"sdf","source":"SANA"}"#,
        r#"{"kind":"statement","at":"2026-01-09T20:00","actor":"sdf","source":"x"}"#,
        // refers to an area defined only on the next line
        r#"{"kind":"curfew","at":"2026-01-09T21:00","areas":["manbij"],"actor":"syrian-government","source":"SANA"}"#,
        r#"{"kind":"area","area":"manbij","name":"Manbij","source":"g"}"#,
    ];
    let file = env.write("three-bad.ndjson", lines.join("\n") + "\n");
    let path = file.to_str().unwrap();
    env.run(&["import", path]).fails(
        2,
        &format!(
            "line 2: unknown kind \"truce\"; known kinds: {KNOWN_KINDS}\n\
             line 5: not valid JSON: duplicate key \"actor\" at column 91\n\
             line 7: unknown area \"manbij\" — register it first with an \"area\" event\n\
             error: 3 bad lines in {path}; nothing was appended\n"
        ),
    );
    assert_eq!(env.head(), head, "nothing appended");
    // the same from standard input, and with --format json
    let stdin = env.run_stdin(&["import", "-", "--format", "json"], lines.join("\n"));
    stdin.code(2);
    assert!(stdin.stderr.ends_with("error: 3 bad lines in standard input; nothing was appended\n"), "{}", stdin.stderr);
    assert_eq!(env.head(), head, "nothing appended");

    // without the bad lines, the rest goes in, in order
    let good: Vec<&str> = lines.iter().enumerate().filter(|(i, _)| ![1, 4, 6].contains(i)).map(|(_, l)| *l).collect();
    let counts = env.import_text(&good.join("\n"));
    assert_eq!((counts["appended"].as_u64(), counts["duplicates"].as_u64()), (Some(4), Some(0)));
    assert_eq!(env.head().seq, 54);
}

#[test]
fn conflicts_and_invalid_lines_together_are_invalid_input() {
    let env = TestEnv::aleppo();
    let head = env.head();
    let conflict = r#"{"id":"01943a00-0000-7000-8000-000000000029","kind":"ceasefire","at":"2026-01-09T04:00:00+03:00","areas":["aleppo"],"actor":"syrian-mod","source":"x"}"#;
    let invalid = r#"{"kind":"truce"}"#;
    let run = env.run_stdin(&["import", "-"], format!("{conflict}\n{invalid}\n"));
    run.code(2);
    assert!(
        run.stderr.starts_with("line 1: id 01943a00-0000-7000-8000-000000000029 is already in the log"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("\nline 2: unknown kind \"truce\""), "{}", run.stderr);
    assert!(run.stderr.ends_with("error: 2 bad lines in standard input; nothing was appended\n"));
    assert_eq!(env.head(), head);
}

/// An event padded with a note to exactly `len` bytes.
fn event_of_len(id: u32, len: usize) -> String {
    let head = format!(
        r#"{{"id":"0195cccc-0000-7000-8000-{id:012}","kind":"statement","at":"2026-01-09T11:00+03:00","actor":"sdf","source":"desk","note":""#
    );
    let pad = len - head.len() - 2;
    format!("{head}{}\"}}", "n".repeat(pad))
}

#[test]
fn a_line_over_64_kib_is_reported_with_its_length() {
    let env = TestEnv::aleppo();
    let head = env.head();
    let limit = 64 * 1024;
    let text = format!(
        "{}\n{}\n{}\n{}",
        event_of_len(1, limit),
        event_of_len(2, limit + 1),
        event_of_len(3, 70_000),
        // the last line, without a newline
        event_of_len(4, 100_000)
    );
    let path = env.write("long.ndjson", &text);
    let run = env.run(&["import", path.to_str().unwrap()]);
    run.code(2);
    // a line of exactly the limit is read whole, then refused for its stored size
    let stored = "bytes once stored, over the limit of 24576 bytes; shorten its note or quote";
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(lines[0].starts_with("line 1: the event is ") && lines[0].ends_with(stored), "{}", run.stderr);
    assert_eq!(
        lines[1..],
        [
            "line 2: the line is 65537 bytes or more, over the limit of 65536 bytes",
            "line 3: the line is 70000 bytes or more, over the limit of 65536 bytes",
            "line 4: the line is 100000 bytes or more, over the limit of 65536 bytes",
            &format!("error: 4 bad lines in {}; nothing was appended", path.display()),
        ]
    );
    assert_eq!(env.head(), head);
    // CRLF does not count against the limit: that line too is read whole
    let crlf = format!("{}\r\n", event_of_len(5, limit));
    let run = env.run_stdin(&["import", "-"], crlf);
    run.code(2);
    assert!(run.stderr.starts_with("line 1: the event is ") && run.stderr.contains(stored), "{}", run.stderr);
    // a long event under the stored limit goes in, with or without CRLF
    assert_eq!(env.import_text(&format!("{}\r\n", event_of_len(5, 20_000)))["appended"], 1);
    assert_eq!(env.import_text(&event_of_len(1, 24_000))["appended"], 1);
    // and append takes the same line limit
    env.run_stdin(&["append"], event_of_len(6, limit + 1))
        .fails(2, "error: the event is longer than the limit of 65536 bytes\n");
    assert_eq!(env.head().seq, head.seq + 2);
}

/// An over-long line is skipped as it streams by, never held whole: with
/// its address space capped well below the line's size, sijil still reads
/// past it and reports it.
#[cfg(target_os = "linux")]
#[test]
fn a_huge_line_is_not_read_whole() {
    use std::io::Write;
    use std::process::Stdio;

    let env = TestEnv::aleppo();
    let head = env.head();
    let bin = assert_cmd::cargo::cargo_bin("sijil");
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 200000 && exec \"$0\" import -")
        .arg(&bin)
        .env_clear()
        .env("HOME", env.dir())
        .env("SIJIL_DB", env.db())
        // `ulimit -v` counts address space: glibc reserves 64–128 MB of it
        // for each thread's malloc arena (sled's threads, the writer), which
        // is not memory used; one arena keeps the cap about the heap
        .env("MALLOC_ARENA_MAX", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh starts");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'a'; 1 << 20];
        stdin.write_all(GOOD.as_bytes())?;
        stdin.write_all(b"\n{\"note\":\"")?;
        for _ in 0..256 {
            stdin.write_all(&chunk)?;
        }
        stdin.write_all(b"\"}\n")?;
        stdin.write_all(GOOD.as_bytes())
    });
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        format!(
            "line 2: the line is {} bytes or more, over the limit of 65536 bytes\n\
             error: 1 bad line in standard input; nothing was appended\n",
            (256 << 20) + 11
        )
    );
    assert_eq!(out.status.code(), Some(2));
    writer.join().unwrap().expect("sijil read all of its input");
    assert_eq!(env.head(), head);
}

#[test]
fn an_invalid_utf8_line_is_reported() {
    let env = TestEnv::aleppo();
    let head = env.head();
    let mut bytes = format!("{GOOD}\n").into_bytes();
    bytes.extend_from_slice(b"{\"kind\":\"area\",\"area\":\"x\",\"name\":\"\xff\xfe\",\"source\":\"s\"}\n");
    bytes.extend_from_slice(b"{\"kind\":\"area\",\"area\":\"y\",\"name\":\"ok\",\"source\":\"s\"}\n");
    bytes.extend_from_slice("{\"kind\":\"area\",\"area\":\"z\",\"name\":\"حلب".as_bytes());
    bytes.extend_from_slice(b"\xd8\"}\n");
    let path = env.write("latin1.ndjson", bytes);
    env.run(&["import", path.to_str().unwrap()]).fails(
        2,
        &format!(
            "line 2: not valid UTF-8 (at byte 35)\nline 4: not valid UTF-8 (at byte 41)\nerror: 2 bad lines in {}; nothing was appended\n",
            path.display()
        ),
    );
    assert_eq!(env.head(), head);
    env.run_stdin(&["append"], &b"{\"kind\":\"\xff\"}"[..]).fails(2, "error: the event is not valid UTF-8\n");
    assert_eq!(env.head(), head);
}

#[test]
fn crlf_and_a_byte_order_mark_are_accepted() {
    let lf = TestEnv::aleppo();
    let text = scenario_text();
    let variants = [
        ("crlf", text.replace('\n', "\r\n")),
        ("bom", format!("\u{feff}{text}")),
        ("bom+crlf", format!("\u{feff}{}", text.replace('\n', "\r\n"))),
        // as Notepad saves a file that starts with an empty line
        ("bom+blank line", format!("\u{feff}\r\n{}", text.replace('\n', "\r\n"))),
    ];
    let strip = |log: Vec<serde_json::Value>| -> Vec<serde_json::Value> {
        log.into_iter()
            .map(|mut e| {
                e.as_object_mut().unwrap().remove("recorded_at");
                e
            })
            .collect()
    };
    let want = strip(lf.log(&[]));
    for (name, text) in variants {
        let env = TestEnv::with_zone("Asia/Damascus");
        let path = env.write(&format!("{name}.ndjson"), &text);
        let counts = env.run(&["import", path.to_str().unwrap(), "--format", "json"]).ok().json();
        assert_eq!(counts["appended"], 50, "{name}");
        assert_eq!(strip(env.log(&[])), want, "{name}: the same events, no stray \\r or BOM");
        // and the same file again is all duplicates
        let again = env.run(&["import", path.to_str().unwrap(), "--format", "json"]).ok().json();
        assert_eq!(again["duplicates"], 50, "{name}");
    }
    // append takes a BOM and CRLF too
    let env = TestEnv::aleppo();
    let out = env.run_stdin(&["append", "--format", "json"], format!("\u{feff}{GOOD}\r\n")).ok().json();
    assert_eq!(out["seq"], 51);
}

#[test]
fn append_and_import_give_one_line_with_ndjson() {
    let env = TestEnv::aleppo();
    let out = env.run_stdin(&["append", "--format", "ndjson"], GOOD).ok().stdout.clone();
    assert_eq!(out.lines().count(), 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["seq"].as_u64(), v["duplicate"].as_bool()), (Some(51), Some(false)));
    let path = env.write("one.ndjson", format!("{GOOD}\n"));
    let out = env.run(&["import", path.to_str().unwrap(), "--format", "ndjson"]).ok().stdout.clone();
    assert_eq!(out.lines().count(), 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["appended"].as_u64(), v["duplicates"].as_u64()), (Some(0), Some(1)));
}

#[test]
fn blank_lines_are_skipped_but_counted() {
    let env = TestEnv::aleppo();
    let text = format!("\n   \n{GOOD}\r\n\t\n\n{{\"kind\":\"truce\"}}\n\n");
    env.run_stdin(&["import", "-"], text.clone()).fails(
        2,
        &format!(
            "line 6: unknown kind \"truce\"; known kinds: {KNOWN_KINDS}\nerror: 1 bad line in standard input; nothing was appended\n"
        ),
    );
    let counts = env.import_text(&text.replace("{\"kind\":\"truce\"}", ""));
    assert_eq!((counts["appended"].as_u64(), counts["duplicates"].as_u64()), (Some(1), Some(0)));
}

#[test]
fn an_empty_import_is_refused() {
    let env = TestEnv::aleppo();
    let head = env.head();
    for (name, text) in [("empty.ndjson", ""), ("blank.ndjson", "\n  \r\n\t\n")] {
        let path = env.write(name, text);
        env.run(&["import", path.to_str().unwrap()]).fails(2, &format!("error: {} holds no events\n", path.display()));
    }
    env.run_stdin(&["import", "-"], "").fails(2, "error: standard input holds no events\n");
    let missing = env.dir().join("missing.ndjson");
    let run = env.run(&["import", missing.to_str().unwrap()]);
    run.code(2);
    assert!(run.stderr.starts_with(&format!("error: cannot open {}: ", missing.display())), "{}", run.stderr);
    let folder = env.dir().join("events");
    std::fs::create_dir(&folder).unwrap();
    env.run(&["import", folder.to_str().unwrap()]).fails(
        2,
        &format!("error: {} is a folder; import takes a file of events, one JSON object per line\n", folder.display()),
    );
    assert_eq!(env.head(), head);
    // nor does an empty import create a log
    let fresh = TestEnv::new();
    fresh.run_stdin(&["import", "-"], "\n").fails(2, "error: standard input holds no events\n");
    assert!(!fresh.db().exists());
}

#[test]
fn append_refuses_empty_and_several_events() {
    let env = TestEnv::aleppo();
    let head = env.head();
    env.run_stdin(&["append"], "").fails(2, "error: empty event; expected one JSON object\n");
    env.run(&["append", "--json", "  "]).fails(2, "error: empty event; expected one JSON object\n");
    env.run_stdin(&["append"], format!("{GOOD}\n{GOOD}\n")).fails(
        2,
        "error: not valid JSON: trailing characters at column 1\n\
         hint: append takes one event; to append several, one per line, use `sijil import FILE`\n",
    );
    assert_eq!(env.head(), head);
    // a refused append does not create a missing log
    let fresh = TestEnv::new();
    fresh.run(&["append", "--json", r#"{"kind":"truce"}"#]).code(2);
    assert!(!fresh.db().exists());
}

// ── flags ───────────────────────────────────────────────────────────────

#[test]
fn bad_flags_are_usage_errors() {
    let env = TestEnv::aleppo();
    let head = env.head();
    let zone = "error: unknown time zone \"Asia/Damscus\" — did you mean \"Asia/Damascus\"?\n";
    let cases: Vec<(&[&str], String)> = vec![
        (&["--tz", "Asia/Damscus", "state"], zone.to_string()),
        (&["--tz", "Asia/Damscus", "append", "--json", GOOD], zone.to_string()),
        (&["--tz", "Mars/Olympus_Mons", "log"], "error: unknown time zone \"Mars/Olympus_Mons\"; use an IANA name such as Asia/Damascus or UTC\n".to_string()),
        (
            &["state", "--known-at", "40"],
            "error: --known-at: \"40\" is ambiguous\nhint: write #40 for log position 40, or a time such as 2026-01-09T03:00\n".to_string(),
        ),
        (&["log", "--known-at", "40"], "error: --known-at: \"40\" is ambiguous\nhint: write #40 for log position 40, or a time such as 2026-01-09T03:00\n".to_string()),
        (&["state", "--known-at", "#x"], "error: --known-at: \"#x\" is not a log position; write #N, like #40\n".to_string()),
        (&["state", "--known-at", "#-1"], "error: --known-at: \"#-1\" is not a log position; write #N, like #40\n".to_string()),
        (&["state", "--known-at", "yesterday"], format!("error: --known-at: \"yesterday\" is not a time; {TIME_FORMS}\n")),
        (&["state", "--at", "tomorrow"], format!("error: --at: \"tomorrow\" is not a time; {TIME_FORMS}\n")),
        (&["state", "--at", "2026-01-09T25:00"], format!("error: --at: \"2026-01-09T25:00\" is not a time; {TIME_FORMS}\n")),
        (&["log", "--since", "bad"], format!("error: --since: \"bad\" is not a time; {TIME_FORMS}\n")),
        (&["log", "--until", "2026-13-01"], format!("error: --until: \"2026-13-01\" is not a time; {TIME_FORMS}\n")),
        (&["state", "--at", "2016-12-31T23:59:60Z"], "error: --at: \"2016-12-31T23:59:60Z\" has a 60th second; seconds run from 00 to 59\n".to_string()),
        (&["log", "--since", "2026-01-09", "--until", "2026-01-08"], "error: --since must be before --until\n".to_string()),
        (&["log", "--since", "2026-01-09", "--until", "2026-01-09"], "error: --since must be before --until\n".to_string()),
        (&["export", "events", "--since", "2026-01-10", "--until", "2026-01-09"], "error: --since must be before --until\n".to_string()),
        (&["log", "--kind", "truce"], format!("error: --kind: unknown kind \"truce\"; known kinds: {KNOWN_KINDS}\n")),
        (
            &["log", "--kind", "casualty_reprt"],
            format!("error: --kind: unknown kind \"casualty_reprt\" (did you mean \"casualty_report\"?); known kinds: {KNOWN_KINDS}\n"),
        ),
        (&["state", "--area", "ashrafiye"], "error: --area: unknown area \"ashrafiye\" — did you mean \"aleppo/ashrafiyeh\"?\n".to_string()),
        (&["log", "--area", "timbuktu"], "error: --area: unknown area \"timbuktu\" — register it first with an \"area\" event\n".to_string()),
    ];
    for (args, want) in &cases {
        env.run(args).fails(2, want);
    }
    // a horizon past the end is read, with a note (a typo such as #500 for #50)
    let past = env.run(&["state", "--known-at", "#999", "--format", "json"]);
    past.code(0);
    assert_eq!(past.stderr, format!("note: the log ends at #{}; --known-at #999 reads all of it\n", head.seq));
    assert_eq!(past.json()["seq"], head.seq);
    // from the environment too
    env.run_env(&[("SIJIL_TZ", "Asia/Damscus")], &["state"])
        .fails(2, &zone.replacen("error: ", "error: $SIJIL_TZ: ", 1));
    env.run_env(&[("SIJIL_NOW", "soon")], &["state"])
        .fails(2, &format!("error: $SIJIL_NOW: \"soon\" is not a time; {TIME_FORMS}\n"));
    // clap's own errors: exit 2, one `error:` first
    for args in [
        &["frobnicate"][..],
        &["state", "--format", "yaml"],
        &["append", "--expect-seq", "abc", "--json", GOOD],
        &["log", "--colour"],
        &["import"],
    ] {
        let run = env.run(args);
        run.code(2);
        assert!(run.stderr.starts_with("error: "), "{args:?}: {}", run.stderr);
    }
    assert_eq!(env.head(), head);
    // a refused init creates nothing
    let fresh = TestEnv::new();
    fresh.run(&["init", "--tz", "Asia/Damscus"]).fails(2, zone);
    assert!(!fresh.db().exists());
}

#[test]
fn reading_a_missing_log_is_a_runtime_failure() {
    let env = TestEnv::new();
    let want = format!(
        "error: no log at {}\nhint: create it with `sijil init --tz Asia/Damascus`, or name another with --db PATH\n",
        env.db().display()
    );
    for args in [
        &["state"][..],
        &["state", "--at", "2026-01-09", "--format", "json"],
        &["log"],
        &["verify"],
        &["verify", "--json"],
    ] {
        env.run(args).fails(1, &want);
    }
    assert!(!env.db().exists(), "reading created the log");
}

#[test]
fn an_empty_folder_takes_a_new_log_and_a_file_is_not_one() {
    let env = TestEnv::new();
    std::fs::create_dir(env.db()).unwrap();
    let missing = format!(
        "error: no log at {}\nhint: create it with `sijil init --tz Asia/Damascus`, or name another with --db PATH\n",
        env.db().display()
    );
    env.run(&["state"]).fails(1, &missing);
    let area = r#"{"kind":"area","area":"aleppo","name":"Aleppo","source":"x"}"#;
    let first = env.run(&["append", "--json", area, "--format", "json"]).ok().json();
    assert_eq!(first["seq"], 1);
    let empty = TestEnv::new();
    std::fs::create_dir(empty.db()).unwrap();
    empty.import_text(&format!("{area}\n"));
    assert_eq!(empty.head().seq, 1);

    let file = TestEnv::new();
    std::fs::write(file.db(), "notes").unwrap();
    let want = format!("error: {} is a file; a log is a folder\n", file.db().display());
    for args in [&["init"][..], &["state"], &["append", "--json", area], &["verify"]] {
        file.run(args).fails(1, &want);
    }
    assert_eq!(std::fs::read_to_string(file.db()).unwrap(), "notes");
}

#[test]
fn help_and_version_are_not_errors() {
    let env = TestEnv::new();
    for args in [&["--help"][..], &["state", "--help"], &["--version"]] {
        let run = env.run(args);
        run.ok();
        assert!(!run.stdout.is_empty());
    }
}

/// A short line naming many areas by short aliases is stored with their
/// slugs: when that is over the stored limit, the import names the line
/// (alongside every other bad line) instead of failing at the store.
#[test]
fn a_short_line_that_grows_over_the_stored_limit_is_named() {
    let env = TestEnv::new();
    let aliases: Vec<String> =
        (0..250).map(|i| format!("{}{}", (b'A' + (i / 26) as u8) as char, (b'A' + (i % 26) as u8) as char)).collect();
    let mut text = String::new();
    for (i, a) in aliases.iter().enumerate() {
        text.push_str(&format!(
            r#"{{"kind":"area","area":"{}-{i:05}","name":"N{i}","aliases":["{a}"],"source":"G"}}"#,
            "z".repeat(120)
        ));
        text.push('\n');
    }
    let line =
        format!(r#"{{"kind":"shelling","at":"2026-01-09","areas":["{}"],"source":"S"}}"#, aliases.join(r#"",""#));
    assert!(line.len() < 1536, "the line is short: {}", line.len());
    text.push_str(&line);
    text.push_str("\nnot json\n");
    let path = env.write("grows.ndjson", &text);
    let run = env.run(&["import", path.to_str().unwrap()]);
    run.code(2);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(
        lines[0].starts_with("line 251: the event is ") && lines[0].contains("bytes once stored, over the limit"),
        "{}",
        run.stderr
    );
    assert!(lines[1].starts_with("line 252: not valid JSON"), "{}", run.stderr);
    assert!(!env.db().exists(), "nothing was appended");
}

/// A date the log's zone skipped whole (Samoa went from 29 to 31 December
/// 2011) names no time at all: it is refused as an `at`, an `until` or a
/// deadline, as a local time the clocks skipped is; the days either side
/// are taken, and so is that date in a zone that lived it.
#[test]
fn a_day_the_logs_zone_skipped_is_refused() {
    let env = TestEnv::with_zone("Pacific/Apia");
    env.import_text(concat!(
        "{\"kind\":\"area\",\"area\":\"apia\",\"name\":\"Apia\",\"source\":\"g\"}\n",
        "{\"kind\":\"actor\",\"actor\":\"police\",\"name\":\"Police\",\"source\":\"g\"}\n",
    ));
    let skipped =
        r#""2011-12-30" did not happen in Pacific/Apia: its clocks went from the day before straight to the day after"#;
    for (field, line) in [
        ("at", r#"{"kind":"curfew","at":"2011-12-30","areas":["apia"],"actor":"police","source":"s"}"#),
        (
            "until",
            r#"{"kind":"curfew","at":"2011-12-29","until":"2011-12-30","areas":["apia"],"actor":"police","source":"s"}"#,
        ),
        (
            "deadline",
            r#"{"kind":"ultimatum","at":"2011-12-29","deadline":"2011-12-30","areas":["apia"],"actor":"police","source":"s"}"#,
        ),
    ] {
        env.run(&["append", "--json", line]).fails(2, &format!("error: \"{field}\": {skipped}\n"));
    }
    env.append(
        r#"{"kind":"curfew","at":"2011-12-29","until":"2011-12-31","areas":["apia"],"actor":"police","source":"s"}"#,
    );

    let damascus = TestEnv::with_zone("Asia/Damascus");
    damascus.import_text(concat!(
        "{\"kind\":\"area\",\"area\":\"x\",\"name\":\"X\",\"source\":\"g\"}\n",
        "{\"kind\":\"actor\",\"actor\":\"a\",\"name\":\"A\",\"source\":\"g\"}\n",
    ));
    damascus.append(r#"{"kind":"curfew","at":"2011-12-30","areas":["x"],"actor":"a","source":"s"}"#);
}
