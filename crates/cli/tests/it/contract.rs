//! The public contract (shared/CONTRACT.md), line by line: commands,
//! flags, exit codes, JSON shapes. `export` has its own issue.

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::support::{scenario_path, scenario_text, TestEnv, SCENARIO_EVENTS};

const CURFEW: &str =
    r#"{"kind":"curfew","at":"2026-01-09T03:00","areas":["aleppo/ashrafiyeh"],"actor":"sdf","source":"test desk"}"#;

/// A log holding one city with one neighbourhood and one actor.
fn small_log(zone: &str) -> TestEnv {
    let env = TestEnv::with_zone(zone);
    env.import_text(concat!(
        r#"{"kind":"area","area":"aleppo","name":"Aleppo","name_ar":"حلب","source":"gazetteer"}"#,
        "\n",
        r#"{"kind":"area","area":"aleppo/ashrafiyeh","name":"Ashrafiyeh","name_ar":"الأشرفية","aliases":["الأشرفية"],"source":"gazetteer"}"#,
        "\n",
        r#"{"kind":"actor","actor":"sdf","name":"SDF","aliases":["قسد"],"source":"gazetteer"}"#,
        "\n",
    ));
    env
}

fn entry<'a>(log: &'a [Value], id: &str) -> &'a Value {
    log.iter().find(|e| e["id"] == id).unwrap_or_else(|| panic!("{id} is not in the log"))
}

// ── init ────────────────────────────────────────────────────────────────

#[test]
fn init_creates_the_log_once() {
    let env = TestEnv::new();
    let first = env.run(&["init", "--tz", "Asia/Damascus"]);
    first.ok();
    assert!(first.stdout.contains("Asia/Damascus"), "init names the zone: {}", first.stdout);
    assert_eq!(env.head().seq, 0);

    let again = env.run(&["init"]);
    again.code(2);
    assert!(again.stderr.starts_with("error: "), "{}", again.stderr);
    assert!(again.stderr.contains(env.db_str()), "the error names the log: {}", again.stderr);
    // the failed init left the log's zone alone
    env.run(&["init", "--tz", "UTC"]).code(2);
    let log = append_local_curfew(&env);
    assert_eq!(log["at"], "2026-01-09T03:00:00+03:00");
}

/// Registers the gazetteer, appends `CURFEW` (a local time) and returns it as stored.
fn append_local_curfew(env: &TestEnv) -> Value {
    env.import_text(concat!(
        r#"{"kind":"area","area":"aleppo","name":"Aleppo","source":"g"}"#,
        "\n",
        r#"{"kind":"area","area":"aleppo/ashrafiyeh","name":"Ashrafiyeh","source":"g"}"#,
        "\n",
        r#"{"kind":"actor","actor":"sdf","name":"SDF","source":"g"}"#,
    ));
    let id = env.append(CURFEW)["id"].as_str().unwrap().to_string();
    entry(&env.log(&[]), &id).clone()
}

// ── append ──────────────────────────────────────────────────────────────

#[test]
fn append_prints_id_and_seq() {
    let env = small_log("Asia/Damascus");
    let out = env.append(CURFEW);
    assert_eq!(out["seq"], 4);
    assert_eq!(out["duplicate"], false);
    let id = out["id"].as_str().expect("an id");
    assert_eq!(env.log(&["--kind", "curfew"])[0]["id"], id);

    // the sentence for people names both too
    let table = env.run(&["append", "--json", CURFEW]);
    table.ok();
    let id2 = env.log(&["--kind", "curfew"])[1]["id"].as_str().unwrap().to_string();
    assert!(table.stdout.contains(&id2) && table.stdout.contains('5'), "{}", table.stdout);
    assert_eq!(env.head().seq, 5);
}

#[test]
fn append_reads_one_event_from_stdin() {
    let env = small_log("Asia/Damascus");
    let out = env.run_stdin(&["append", "--format", "json"], format!("{CURFEW}\n")).ok().json();
    assert_eq!(out["seq"], 4);
    let log = env.log(&[]);
    let e = entry(&log, out["id"].as_str().unwrap());
    assert_eq!(e["kind"], "curfew");
    assert_eq!(e["seq"], 4);
}

#[test]
fn expect_seq_appends_only_on_the_expected_head() {
    let env = small_log("Asia/Damascus");
    let ok = env.run(&["append", "--expect-seq", "3", "--format", "json", "--json", CURFEW]);
    assert_eq!(ok.ok().json()["seq"], 4);
    let before = env.head();

    let stale = env.run(&["append", "--expect-seq", "3", "--json", CURFEW]);
    stale.fails(3, "error: the log's last position is 4, not the expected 3\n");
    assert_eq!(env.head(), before, "nothing appended");

    let ahead = env.run(&["append", "--expect-seq", "9", "--json", CURFEW]);
    ahead.fails(3, "error: the log's last position is 4, not the expected 9\n");
    let stdin = env.run_stdin(&["append", "--expect-seq", "2"], CURFEW);
    stdin.fails(3, "error: the log's last position is 4, not the expected 2\n");
    assert_eq!(env.head(), before, "nothing appended");
}

/// Regression: `append --expect-seq N` (N > 0) on a missing log used to
/// create an empty log before failing.
#[test]
fn expect_seq_on_a_missing_log_creates_nothing() {
    let env = TestEnv::new();
    let area = r#"{"kind":"area","area":"aleppo","name":"Aleppo","source":"g"}"#;
    env.run(&["append", "--expect-seq", "5", "--json", area])
        .fails(3, "error: the log's last position is 0, not the expected 5\n");
    assert!(!env.db().exists(), "a failed append created {}", env.db().display());
    // a missing log is an empty one: #0 is right
    assert_eq!(env.run(&["append", "--expect-seq", "0", "--format", "json", "--json", area]).ok().json()["seq"], 1);
}

#[test]
fn an_event_without_id_gets_a_uuid_v7() {
    let env = small_log("Asia/Damascus");
    let before = Utc::now();
    let out = env.append(CURFEW);
    let after = Utc::now();
    let id = Uuid::parse_str(out["id"].as_str().unwrap()).expect("a UUID");
    assert_eq!(id.get_version_num(), 7, "{id}");
    let (secs, nanos) = id.get_timestamp().expect("a v7 has a time").to_unix();
    let minted = DateTime::from_timestamp(secs as i64, nanos).unwrap();
    assert!(minted >= before - chrono::Duration::seconds(1) && minted <= after, "{minted} not in [{before}, {after}]");
    // two appends of the same content without id are two events
    let again = env.append(CURFEW);
    assert_ne!(again["id"], out["id"]);
    assert_eq!(again["seq"], 5);
}

#[test]
fn the_same_id_with_the_same_content_is_a_duplicate() {
    let env = small_log("Asia/Damascus");
    let id = "0195aaaa-0000-7000-8000-000000000001";
    let event = format!(
        r#"{{"id":"{id}","kind":"curfew","at":"2026-01-09T03:00+03:00","areas":["aleppo/ashrafiyeh"],"actor":"sdf","source":"desk"}}"#
    );
    assert_eq!(env.append(&event)["seq"], 4);
    let head = env.head();

    // the same event, written differently: keys reordered, alias for slug, source as an object
    let same = [
        event.clone(),
        format!(
            r#"{{"source":{{"name":"desk"}},"actor":"قسد","areas":["الأشرفية"],"at":"2026-01-09T03:00:00+03:00","kind":"curfew","id":"{id}"}}"#
        ),
    ];
    for text in &same {
        let out = env.append(text);
        assert_eq!(out["duplicate"], true, "{text}");
        assert_eq!(out["id"], id);
        assert_eq!(out["seq"], 4, "a duplicate reports where the event already is");
        assert_eq!(env.head(), head, "a duplicate appends nothing");
    }
    let import = env.import_text(&format!("{event}\n"));
    assert_eq!((import["appended"].as_u64(), import["duplicates"].as_u64()), (Some(0), Some(1)));
    assert_eq!(env.head(), head);
}

#[test]
fn the_same_id_with_other_content_is_a_conflict() {
    let env = small_log("Asia/Damascus");
    let id = "0195aaaa-0000-7000-8000-000000000002";
    let event = |note: &str| {
        format!(
            r#"{{"id":"{id}","kind":"curfew","at":"2026-01-09T03:00+03:00","areas":["aleppo/ashrafiyeh"],"actor":"sdf","source":"desk","note":"{note}"}}"#
        )
    };
    env.append(&event("first"));
    let head = env.head();
    let want = format!(
        "error: id {id} is already in the log with different content; give the new event another id, or use \"corrects\" to replace the old one\n"
    );
    env.run(&["append", "--json", &event("second")]).fails(3, &want);
    assert_eq!(env.head(), head, "nothing appended");
    // in an import, a line that only conflicts makes the whole file a conflict
    let import = env.run_stdin(&["import", "-"], format!("{}\n", event("third")));
    import.fails(
        3,
        &format!(
            "line 1: {}\nerror: 1 bad line in standard input; nothing was appended\n",
            &want["error: ".len()..want.len() - 1]
        ),
    );
    assert_eq!(env.head(), head, "nothing appended");
}

// ── import ──────────────────────────────────────────────────────────────

#[test]
fn import_counts_appended_and_duplicates() {
    let env = TestEnv::with_zone("Asia/Damascus");
    let path = scenario_path();
    let path = path.to_str().unwrap();

    let table = env.run(&["import", path]);
    table.ok();
    assert!(table.stdout.contains("50") && table.stdout.contains("0 duplicates"), "{}", table.stdout);
    let head = env.head();
    assert_eq!(head.seq, SCENARIO_EVENTS);

    // the same file again: every line is a duplicate, nothing moves
    let again = env.run(&["import", path, "--format", "json"]).ok().json();
    assert_eq!(again["appended"], 0);
    assert_eq!(again["duplicates"], 50);
    assert_eq!(env.head(), head);

    // and from standard input
    let stdin = env.run_stdin(&["import", "-", "--format", "json"], scenario_text()).ok().json();
    assert_eq!((stdin["appended"].as_u64(), stdin["duplicates"].as_u64()), (Some(0), Some(50)));
    assert_eq!(env.head(), head);
}

#[test]
fn import_from_stdin_appends_in_file_order_and_counts_duplicates() {
    let env = TestEnv::with_zone("Asia/Damascus");
    let text = scenario_text();
    let lines: Vec<&str> = text.lines().collect();
    let first_30 = lines[..30].join("\n");
    let counts = env.run_stdin(&["import", "-", "--format", "json"], first_30).ok().json();
    assert_eq!((counts["appended"].as_u64(), counts["duplicates"].as_u64()), (Some(30), Some(0)));
    let counts = env.run_stdin(&["import", "-", "--format", "json"], text.clone()).ok().json();
    assert_eq!((counts["appended"].as_u64(), counts["duplicates"].as_u64()), (Some(20), Some(30)));
    // position N holds line N
    let seq_of: std::collections::HashMap<String, u64> =
        env.log(&[]).iter().map(|e| (e["id"].as_str().unwrap().to_string(), e["seq"].as_u64().unwrap())).collect();
    assert_eq!(seq_of.len(), 50);
    for (i, line) in lines.iter().enumerate() {
        let id = serde_json::from_str::<Value>(line).unwrap()["id"].as_str().unwrap().to_string();
        assert_eq!(seq_of[&id], i as u64 + 1, "line {} of the file", i + 1);
    }
}

// ── state ───────────────────────────────────────────────────────────────

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap_or_else(|| panic!("an object: {v}")).keys().map(String::as_str).collect()
}

#[track_caller]
fn has_keys(v: &Value, want: &[&str], what: &str) {
    let got = keys(v);
    for k in want {
        assert!(got.contains(k), "{what} lacks {k:?}: {v}");
    }
}

/// Every string that reads as an RFC 3339 time is in UTC with `Z`.
fn all_times_are_utc(v: &Value, path: &str) {
    match v {
        Value::String(s) if DateTime::parse_from_rfc3339(s).is_ok() => {
            assert!(s.ends_with('Z'), "{path} = {s:?} is not UTC with Z");
        }
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| all_times_are_utc(x, &format!("{path}[{i}]"))),
        Value::Object(m) => m.iter().for_each(|(k, x)| all_times_are_utc(x, &format!("{path}.{k}"))),
        _ => {}
    }
}

#[track_caller]
fn is_utc_time(v: &Value, what: &str) {
    let s = v.as_str().unwrap_or_else(|| panic!("{what} is a time: {v}"));
    assert!(DateTime::parse_from_rfc3339(s).is_ok() && s.ends_with('Z'), "{what} = {s:?}");
}

#[test]
fn state_json_has_the_contract_shape() {
    let env = TestEnv::aleppo();
    // the contract's own example moment
    let s = env.state("2026-01-09T00:30:00Z", &[]);
    has_keys(&s, &["at", "known_at", "seq", "areas", "casualties"], "state");
    assert_eq!(s["at"], "2026-01-09T00:30:00Z");
    assert_eq!(s["known_at"], Value::Null);
    assert_eq!(s["seq"], 50);
    let s41 = env.state("2026-01-09T00:30:00Z", &["--known-at", "#41"]);
    assert_eq!(s41["known_at"], "#41");
    assert_eq!(s41["seq"], 41);

    // a moment where every list of Ashrafiyeh is filled, in another zone on the command line
    for extra in [&[][..], &["--tz", "Asia/Tokyo"][..], &["--known-at", "2100-01-01T00:00+03:00"][..]] {
        let s = env.state("2026-01-09T05:00+03:00", extra);
        all_times_are_utc(&s, "state");
        assert_eq!(s["at"], "2026-01-09T02:00:00Z", "{extra:?}");
        for (slug, area) in s["areas"].as_object().unwrap() {
            has_keys(area, &["name", "active", "deadlines", "forces", "control", "incidents"], slug);
            assert!(area["name"].is_string() && area["incidents"].is_u64(), "{slug}: {area}");
            for list in ["active", "deadlines", "forces", "control"] {
                assert!(area[list].is_array(), "{slug}.{list}");
            }
        }
        let a = &s["areas"]["aleppo/ashrafiyeh"];
        assert_eq!(a["name"], "Ashrafiyeh");
        let active = &a["active"][0];
        has_keys(active, &["id", "kind", "actor", "since", "until", "source"], "active");
        assert!(active["source"].is_string() && active["until"].is_null(), "{active}");
        is_utc_time(&active["since"], "active.since");
        let deadline = &a["deadlines"][0];
        has_keys(deadline, &["id", "actor", "target", "deadline", "status"], "deadlines");
        is_utc_time(&deadline["deadline"], "deadline");
        let force = &a["forces"][0];
        has_keys(force, &["actor", "since", "source"], "forces");
        assert!(force["source"].is_string());
        is_utc_time(&force["since"], "forces.since");
        for c in a["control"].as_array().unwrap() {
            has_keys(c, &["actor", "extent", "at", "source"], "control");
            is_utc_time(&c["at"], "control.at");
        }
        let casualties = s["casualties"].as_array().unwrap();
        assert_eq!(casualties.len(), 2);
        for c in casualties {
            has_keys(c, &["source", "killed", "wounded", "civilian", "at", "areas"], "casualties");
            assert!(c["source"].is_string() && c["killed"].is_u64() && c["wounded"].is_u64(), "{c}");
            assert_eq!(c["civilian"], true);
            assert!(c["areas"].is_array());
            is_utc_time(&c["at"], "casualties.at");
        }
    }
    // a time horizon is echoed in UTC
    let s = env.state("2026-01-09T05:00+03:00", &["--known-at", "2100-01-01T03:00+03:00"]);
    assert_eq!(s["known_at"], "2100-01-01T00:00:00Z");
}

#[test]
fn state_defaults_to_now_and_json_when_piped() {
    let env = TestEnv::aleppo();
    let run = env.run_env(&[("SIJIL_NOW", "2026-01-09T05:00:00+03:00")], &["state"]);
    let s = run.ok().json();
    assert_eq!(s["at"], "2026-01-09T02:00:00Z");
    assert_eq!(s["areas"]["aleppo/ashrafiyeh"]["deadlines"][0]["status"], "pending");
    let later = env.run_env(&[("SIJIL_NOW", "2026-01-09T09:00:00+03:00")], &["state", "--format", "json"]).ok().json();
    assert_eq!(later["areas"]["aleppo/ashrafiyeh"]["deadlines"][0]["status"], "expired");
    // `--at now` is the same clock
    let now = env.run_env(&[("SIJIL_NOW", "2026-01-09T05:00:00+03:00")], &["state", "--at", "now"]).ok().json();
    assert_eq!(now["at"], "2026-01-09T02:00:00Z");
}

#[test]
fn area_keeps_the_area_and_the_areas_under_it() {
    let env = TestEnv::aleppo();
    let all = [
        "aleppo",
        "aleppo/al-awarid-crossing",
        "aleppo/ashrafiyeh",
        "aleppo/bani-zaid",
        "aleppo/sheikh-maqsoud",
        "aleppo/zuhour-street-crossing",
    ];
    let cases: &[(&str, &[&str])] = &[
        ("aleppo", &all),
        ("حلب", &all),
        ("aleppo/ashrafiyeh", &["aleppo/ashrafiyeh"]),
        ("الأشرفية", &["aleppo/ashrafiyeh"]),
        ("Achrafieh", &["aleppo/ashrafiyeh"]),
        ("ashrafiyeh", &["aleppo/ashrafiyeh"]),
        ("الشيخ مقصود", &["aleppo/sheikh-maqsoud"]),
    ];
    for (area, want) in cases {
        let s = env.state("2026-01-09T05:00+03:00", &["--area", area]);
        assert_eq!(keys(&s["areas"]), *want, "--area {area}");
    }
    let whole = env.state("2026-01-09T05:00+03:00", &[]);
    assert_eq!(keys(&whole["areas"]), all);
    // a filtered area is the same as in the whole state
    let one = env.state("2026-01-09T05:00+03:00", &["--area", "الأشرفية"]);
    assert_eq!(one["areas"]["aleppo/ashrafiyeh"], whole["areas"]["aleppo/ashrafiyeh"]);
    assert!(one["casualties"].as_array().unwrap().iter().any(|c| c["source"] == "SDF"));
}

#[test]
fn state_table_shows_english_and_arabic_names() {
    let env = TestEnv::aleppo();
    let t = env.run(&["state", "--at", "2026-01-09T05:00+03:00", "--format", "table"]);
    t.ok();
    // single words: the layout may wrap longer names
    for name in ["Ashrafiyeh", "الأشرفية", "Maqsoud", "مقصود", "SDF"] {
        assert!(t.stdout.contains(name), "the table lacks {name:?}:\n{}", t.stdout);
    }
    // a horizon given as a time is shown in the table's zone, as its times are
    let t =
        env.run(&["state", "--at", "2026-01-09T05:00+03:00", "--known-at", "2026-01-01T00:00Z", "--format", "table"]);
    assert!(t.ok().stdout.contains("As known: 2026-01-01 03:00 +03:00 (log position #0)"), "{}", t.stdout);
}

// ── log ─────────────────────────────────────────────────────────────────

/// The first instant of an event's valid time in Damascus, `None` for definitions.
fn start(e: &Value) -> Option<DateTime<Utc>> {
    let at = e["at"].as_str()?;
    Some(match DateTime::parse_from_rfc3339(at) {
        Ok(t) => t.with_timezone(&Utc),
        Err(_) => {
            let day = chrono::NaiveDate::parse_from_str(at, "%Y-%m-%d").expect("a date");
            day.and_hms_opt(0, 0, 0).unwrap().and_local_timezone(chrono_tz::Asia::Damascus).unwrap().with_timezone(&Utc)
        }
    })
}

#[test]
fn log_lists_events_in_valid_time_order_with_seq_and_recorded_at() {
    let env = TestEnv::aleppo();
    let log = env.log(&[]);
    assert_eq!(log.len(), 50);
    let mut seqs: Vec<u64> = log.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    for e in &log {
        is_utc_time(&e["recorded_at"], "recorded_at");
    }
    for pair in log.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let key = |e: &Value| (start(e), e["seq"].as_u64());
        assert!(key(a) < key(b), "out of order: #{} then #{}", a["seq"], b["seq"]);
    }
    // the definitions (no valid time) come first, in log order
    assert_eq!(seqs[..20], (1..=20).collect::<Vec<u64>>()[..]);
    seqs.sort();
    assert_eq!(seqs, (1..=50).collect::<Vec<u64>>());
    // the stored event: slug for the alias it was given, its own time, its source
    let detention = entry(&log, "01943a00-0000-7000-8000-000000000023");
    assert_eq!(detention["areas"], serde_json::json!(["aleppo/ashrafiyeh"]));
    assert_eq!(detention["at"], "2026-01-08T21:00:00+03:00");
    assert_eq!(detention["source"]["name"], "SANA");
    assert_eq!(entry(&log, "01943a00-0000-7000-8000-000000000001")["at"], "2026-01-08");
    assert_eq!(
        entry(&log, "01943a00-0000-7000-8000-000000000019")["corrected_by"],
        "01943a00-0000-7000-8000-000000000031"
    );
}

#[test]
fn log_filters_by_time_kind_area_and_horizon() {
    let env = TestEnv::aleppo();
    let ashrafiyeh = [3, 21, 24, 28, 29, 30, 31, 33, 35, 36, 38, 39, 50, 40, 41, 42, 43, 44, 45, 47, 48, 49];
    let cases: &[(&[&str], &[u64])] = &[
        (&["--kind", "casualty_report"], &[37, 38, 50]),
        (&["--kind", "casualty-report"], &[37, 38, 50]),
        (&["--kind", "ceasefire", "--kind", "ultimatum"], &[48, 49]),
        (&["--kind", "control_claim", "--area", "الأشرفية"], &[30, 43]),
        (&["--since", "2026-01-09T00:00+03:00"], &[48, 49]),
        (&["--since", "2026-01-09T03:00"], &[48, 49]),
        (&["--until", "2026-01-08T08:30+03:00"], &[21, 22, 23, 24]),
        (&["--since", "2026-01-08T08:30+03:00", "--until", "2026-01-08T12:00+03:00"], &[25, 26]),
        (
            &["--since", "2026-01-08T20:00+03:00", "--until", "2026-01-08T20:30+03:00", "--kind", "casualty_report"],
            &[38, 50],
        ),
        (&["--area", "aleppo/ashrafiyeh"], &ashrafiyeh),
        (&["--area", "ashrafiyeh"], &ashrafiyeh),
        (&["--area", "aleppo/bani-zaid", "--since", "2026-01-08"], &[24, 47, 48, 49]),
        (&["--known-at", "#5"], &[1, 2, 3, 4, 5]),
        (&["--known-at", "#49", "--kind", "casualty_report"], &[37, 38]),
        (&["--known-at", "#0"], &[]),
        (&["--known-at", "2000-01-01T00:00Z"], &[]),
    ];
    for (args, want) in cases {
        assert_eq!(env.log_seqs(args), *want, "log {}", args.join(" "));
    }
    let aleppo = env.log_seqs(&["--area", "aleppo"]);
    assert_eq!(aleppo.len(), 50 - 14 - 3, "all but the actors and the three statements without area");
    // before the correction was recorded, #38 was not corrected
    let before = env.log(&["--known-at", "#49", "--kind", "casualty_report"]);
    assert!(before.iter().all(|e| e.get("corrected_by").is_none()), "{before:?}");
    // a time horizon: everything recorded by the import's recording time
    let recorded = env.recorded_at("01943a00-0000-7000-8000-000000000031");
    assert_eq!(env.log(&["--known-at", &recorded]).len(), 50);
}

#[test]
fn log_formats_agree() {
    let env = TestEnv::aleppo();
    let json = env.log(&["--kind", "statement"]);
    let ndjson = env.run(&["log", "--kind", "statement", "--format", "ndjson"]).ok().ndjson();
    let piped = env.run(&["log", "--kind", "statement"]).ok().ndjson();
    assert_eq!(json.len(), 12);
    assert_eq!(ndjson, json);
    assert_eq!(piped, json, "piped, log defaults to NDJSON");
    let table = env.run(&["log", "--kind", "statement", "--format", "table"]);
    table.ok();
    assert!(table.stdout.contains("statement"), "{}", table.stdout);
}

#[test]
fn log_json_is_one_pretty_array_whatever_its_length() {
    // written as it goes, it must still be exactly what pretty-printing the
    // whole list gives: with no event, one, and every event of the story
    let env = TestEnv::aleppo();
    for extra in [&["--kind", "detention", "--since", "2030-01-01"][..], &["--kind", "defection_call"][..], &[][..]] {
        let mut args = vec!["log", "--format", "json"];
        args.extend_from_slice(extra);
        let run = env.run(&args);
        let text = &run.ok().stdout;
        let parsed: serde_json::Value = serde_json::from_str(text).expect("one JSON value");
        assert_eq!(text, &format!("{}\n", serde_json::to_string_pretty(&parsed).unwrap()), "{args:?}");
        let n = parsed.as_array().map(Vec::len);
        assert!(matches!((extra.len(), n), (4, Some(0)) | (2, Some(1..)) | (0, Some(50))), "{args:?}: {n:?}");
    }
}

// ── verify ──────────────────────────────────────────────────────────────

#[test]
fn verify_finds_the_demo_log_sound() {
    let env = TestEnv::aleppo();
    let plain = env.run(&["verify"]);
    plain.ok();
    let v = env.run(&["verify", "--json"]).ok().json();
    assert_eq!(v["ok"], true);
    assert_eq!(v["records"], 50);
    assert_eq!(v["head"]["seq"], 50);
    let hash = v["head"]["hash"].as_str().unwrap();
    assert!(hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit()), "{hash}");
    assert!(plain.stdout.contains(hash), "verify prints the head hash: {}", plain.stdout);
    // the hash moves with the head
    env.append(r#"{"kind":"statement","at":"2026-01-09T11:00+03:00","actor":"sdf","source":"desk"}"#);
    let v2 = env.run(&["verify", "--json"]).ok().json();
    assert_eq!(v2["records"], 51);
    assert_ne!(v2["head"]["hash"], v["head"]["hash"]);
}

// ── demo ────────────────────────────────────────────────────────────────

#[test]
fn demo_shows_three_moments_and_a_sound_log() {
    let env = TestEnv::new();
    let run = env.run(&["demo"]);
    run.ok();
    // the three moments, each on a line with its date
    for (day, time) in [("2026-01-08", "22:00"), ("2026-01-09", "05:00"), ("2026-01-09", "10:00")] {
        assert!(
            run.stdout.lines().any(|l| l.contains(day) && l.contains(time)),
            "demo output lacks {day} {time}:\n{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("the log is sound"), "{}", run.stdout);
    for name in ["Ashrafiyeh", "الأشرفية", "SDF"] {
        assert!(run.stdout.contains(name), "demo output lacks {name:?}");
    }
    // without --db it made a fresh log in the temporary folder, not in $SIJIL_DB
    assert!(!env.db().exists());
    let made: Vec<_> = std::fs::read_dir(env.dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("sijil-demo-"))
        .collect();
    assert_eq!(made.len(), 1, "{made:?}");
    let v = env.run(&["--db", made[0].to_str().unwrap(), "verify", "--json"]).ok().json();
    assert_eq!(v["records"], 50);
    assert!(run.stdout.contains(v["head"]["hash"].as_str().unwrap()));
}

#[test]
fn demo_db_loads_a_fresh_log_and_refuses_a_used_one() {
    let env = TestEnv::new();
    let fresh = env.dir().join("aleppo.sijil");
    let fresh = fresh.to_str().unwrap();
    env.run(&["demo", "--db", fresh]).ok();
    let v = env.run(&["--db", fresh, "verify", "--json"]).ok().json();
    assert_eq!(v["records"], 50);

    let again = env.run(&["demo", "--db", fresh]);
    again.code(2);
    assert!(
        again.stderr.starts_with(&format!("error: the log at {fresh} already holds 50 events")),
        "{}",
        again.stderr
    );
    assert_eq!(env.run(&["--db", fresh, "verify", "--json"]).ok().json(), v, "nothing appended");

    // a log holding other events is refused too
    let other = small_log("UTC");
    let head = other.head();
    other.run(&["demo", "--db", other.db_str()]).code(2);
    assert_eq!(other.head(), head);
    // an initialised, empty log is accepted
    let empty = TestEnv::with_zone("Asia/Damascus");
    empty.run(&["demo", "--db", empty.db_str()]).ok();
    assert_eq!(empty.head().seq, 50);
    // but not in another zone: the scenario's dates would be other days
    let utc = TestEnv::with_zone("UTC");
    let run = utc.run(&["demo", "--db", utc.db_str()]);
    run.code(2);
    assert!(
        run.stderr.starts_with(&format!(
            "error: the log at {} is in UTC; the demo's times and dates are in Asia/Damascus",
            utc.db_str()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(utc.head().seq, 0);
}

// ── where the log is, which zone applies ────────────────────────────────

#[test]
fn db_flag_beats_the_environment() {
    let env = TestEnv::new();
    let flag = env.dir().join("flag.sijil");
    env.run(&["--db", flag.to_str().unwrap(), "init"]).ok();
    assert!(flag.exists());
    assert!(!env.db().exists(), "$SIJIL_DB was used although --db was given");
    // the flag may follow the subcommand too
    let out = env.run(&[
        "append",
        "--db",
        flag.to_str().unwrap(),
        "--format",
        "json",
        "--json",
        r#"{"kind":"area","area":"aleppo","name":"Aleppo","source":"g"}"#,
    ]);
    assert_eq!(out.ok().json()["seq"], 1);
    assert!(!env.db().exists());
    // without the flag, $SIJIL_DB
    env.run(&["init"]).ok();
    assert!(env.db().exists());
    assert_eq!(env.head().seq, 0);
}

#[cfg(target_os = "linux")]
#[test]
fn without_flag_or_variable_the_log_is_in_the_data_directory() {
    let env = TestEnv::new();
    let mut cmd = env.bare_command();
    cmd.arg("init");
    env.run_cmd(cmd, "sijil init (no --db, no $SIJIL_DB)").ok();
    assert!(env.dir().join(".local/share/sijil").is_dir());
    let mut cmd = env.bare_command();
    cmd.env("XDG_DATA_HOME", env.dir().join("xdg")).arg("init");
    env.run_cmd(cmd, "sijil init (XDG_DATA_HOME)").ok();
    assert!(env.dir().join("xdg/sijil").is_dir());
}

/// The stored `at` of a local time appended with these settings.
fn stored_at(env: &TestEnv, vars: &[(&str, &str)], flags: &[&str], at: &str) -> String {
    let event =
        format!(r#"{{"kind":"curfew","at":"{at}","areas":["aleppo/ashrafiyeh"],"actor":"sdf","source":"desk"}}"#);
    let mut args = flags.to_vec();
    args.extend(["append", "--format", "json", "--json", &event]);
    let run = env.run_env(vars, &args);
    run.code(0);
    // another zone than the log's is noted (see below)
    let noted = run.stderr.starts_with("note: times written without an offset are read in ");
    assert!(run.stderr.is_empty() || noted, "{}", run.stderr);
    let out = run.json();
    let log = env.log(&[]);
    entry(&log, out["id"].as_str().unwrap())["at"].as_str().unwrap().to_string()
}

#[test]
fn local_times_are_read_in_the_default_zone() {
    let env = small_log("Asia/Damascus");
    let local = "2026-01-09T03:00";
    // the log's zone
    assert_eq!(stored_at(&env, &[], &[], local), "2026-01-09T03:00:00+03:00");
    // --tz beats it
    let utc = stored_at(&env, &[], &["--tz", "UTC"], local);
    assert!(utc == "2026-01-09T03:00:00+00:00" || utc == "2026-01-09T03:00:00Z", "{utc}");
    // $SIJIL_TZ beats the log's zone, --tz beats $SIJIL_TZ
    assert_eq!(stored_at(&env, &[("SIJIL_TZ", "Asia/Tokyo")], &[], local), "2026-01-09T03:00:00+09:00");
    assert_eq!(
        stored_at(&env, &[("SIJIL_TZ", "Asia/Tokyo")], &["--tz", "Europe/Paris"], local),
        "2026-01-09T03:00:00+01:00"
    );
    // reading input in another zone than the log's is noted, once
    let event =
        r#"{"kind":"curfew","at":"2026-01-09T03:00","areas":["aleppo/ashrafiyeh"],"actor":"sdf","source":"desk"}"#;
    let run = env.run(&["--tz", "Europe/Paris", "append", "--json", event]);
    run.code(0);
    assert_eq!(
        run.stderr,
        "note: times written without an offset are read in Europe/Paris (from --tz or $SIJIL_TZ), not in the log's zone Asia/Damascus\n"
    );
    assert_eq!(env.run(&["--tz", "Asia/Damascus", "append", "--json", event]).code(0).stderr, "");
    // a time with its offset is kept as given, whatever the zone
    assert_eq!(stored_at(&env, &[], &["--tz", "Asia/Tokyo"], "2026-01-09T03:00-05:00"), "2026-01-09T03:00:00-05:00");
    // a date stays a date
    assert_eq!(stored_at(&env, &[], &[], "2026-01-08"), "2026-01-08");
    assert_eq!(stored_at(&env, &[], &["--tz", "UTC"], "2026-01-08"), "2026-01-08");

    // a log created without a zone is in UTC
    let plain = small_log_default_zone();
    let t = stored_at(&plain, &[], &[], local);
    assert!(t == "2026-01-09T03:00:00+00:00" || t == "2026-01-09T03:00:00Z", "{t}");
    // another name for the same offsets reads times the same: no note
    for same in ["Etc/UTC", "UCT", "Zulu"] {
        assert_eq!(plain.run(&["--tz", same, "append", "--json", event]).code(0).stderr, "", "{same}");
    }
    assert!(!plain.run(&["--tz", "Asia/Damascus", "append", "--json", event]).code(0).stderr.is_empty());
    // zones that differ only in the past still differ (Dublin and London in 1941)
    let london = TestEnv::new();
    london.run(&["init", "--tz", "Europe/London"]).ok();
    let first = r#"{"kind":"area","area":"aleppo","name":"Aleppo","source":"g"}"#;
    let run = london.run(&["--tz", "Europe/Dublin", "append", "--json", first]);
    assert!(run.code(0).stderr.contains("read in Europe/Dublin"), "{}", run.stderr);

    // reads take the same zone for --at
    let at = |vars: &[(&str, &str)], flags: &[&str]| {
        let mut args = flags.to_vec();
        args.extend(["state", "--at", local, "--format", "json"]);
        env.run_env(vars, &args).ok().json()["at"].as_str().unwrap().to_string()
    };
    assert_eq!(at(&[], &[]), "2026-01-09T00:00:00Z");
    assert_eq!(at(&[], &["--tz", "UTC"]), "2026-01-09T03:00:00Z");
    assert_eq!(at(&[("SIJIL_TZ", "Asia/Tokyo")], &[]), "2026-01-08T18:00:00Z");
}

fn small_log_default_zone() -> TestEnv {
    let env = TestEnv::new();
    // append creates the log when it is missing
    env.import_text(concat!(
        r#"{"kind":"area","area":"aleppo","name":"Aleppo","source":"g"}"#,
        "\n",
        r#"{"kind":"area","area":"aleppo/ashrafiyeh","name":"Ashrafiyeh","source":"g"}"#,
        "\n",
        r#"{"kind":"actor","actor":"sdf","name":"SDF","source":"g"}"#,
    ));
    env
}

#[test]
fn arabic_text_round_trips_byte_for_byte() {
    let env = small_log("Asia/Damascus");
    // precomposed and decomposed hamza, shadda and tanween, tatweel, RLM and ZWJ, Persian digits, spaces kept
    let note = "  قوات سوريا الديمقراطية «قسد» — الأشرفية / الأشرفية: ١٢ قتيلاً و٦٤ جريحاً، ۱۲ حـــلب \u{200f}\u{200d} ";
    let quote = "يدنا ممدودة للجميع\nوالدولة هي الملاذ";
    // --json, stdin and import
    let adders: [fn(&TestEnv, &str) -> String; 3] = [
        |env: &TestEnv, ev: &str| env.append(ev)["id"].as_str().unwrap().to_string(),
        |env: &TestEnv, ev: &str| {
            env.run_stdin(&["append", "--format", "json"], ev).ok().json()["id"].as_str().unwrap().to_string()
        },
        |env: &TestEnv, ev: &str| {
            env.import_text(&format!("{ev}\n"));
            env.log(&[]).last().unwrap()["id"].as_str().unwrap().to_string()
        },
    ];
    let ids: Vec<String> = adders
        .iter()
        .enumerate()
        .map(|(i, add)| {
            let event = serde_json::json!({
                "kind": "statement", "at": format!("2026-01-09T0{i}:00"), "actor": "قسد",
                "areas": ["الأشرفية"], "source": "وكالة سانا", "note": note, "quote": quote,
            });
            add(&env, &event.to_string())
        })
        .collect();
    let ndjson = env.run(&["log", "--kind", "statement", "--format", "ndjson"]);
    let got = ndjson.ok().ndjson();
    assert_eq!(got.len(), 3);
    for (e, id) in got.iter().zip(&ids) {
        assert_eq!(&e["id"], id);
        assert_eq!(e["note"].as_str().unwrap().as_bytes(), note.as_bytes());
        assert_eq!(e["quote"].as_str().unwrap().as_bytes(), quote.as_bytes());
        assert_eq!(e["source"]["name"], "وكالة سانا");
        assert_eq!(e["actor"], "sdf");
    }
    // unescaped in the output itself
    assert_eq!(ndjson.stdout.matches(note).count(), 3, "the note appears verbatim in the NDJSON");
}

// ── output to a closed pipe ─────────────────────────────────────────────

/// `sijil log | head -1`: when the reader goes away, sijil stops quietly.
#[test]
fn a_broken_pipe_is_quiet() {
    let env = TestEnv::aleppo();
    // enough output (several MB) that it cannot all sit in the pipe's buffer
    let mut many = String::new();
    for i in 0..3000 {
        many.push_str(&format!(
            r#"{{"kind":"shelling","at":"2026-01-10T{:02}:{:02}+03:00","areas":["aleppo/ashrafiyeh"],"source":"desk","note":"{}"}}"#,
            i / 60 % 24,
            i % 60,
            "قصف ".repeat(100)
        ));
        many.push('\n');
    }
    assert_eq!(env.import_text(&many)["appended"], 3000);

    for args in [&["log", "--format", "ndjson"][..], &["log", "--format", "json"][..], &["log"][..]] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sijil"))
            .env_clear()
            .env("HOME", env.dir())
            .env("SIJIL_DB", env.db())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sijil starts");
        let mut first = String::new();
        {
            let mut out = BufReader::new(child.stdout.take().unwrap());
            out.read_line(&mut first).unwrap();
            // dropping the reader closes the pipe, like `head -1` exiting
        }
        assert!(!first.is_empty());
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(stderr, "", "sijil {} | head -1: stderr", args.join(" "));
        assert_eq!(status.code(), Some(0), "sijil {} | head -1 exits quietly", args.join(" "));
    }
}
