//! `sijil export`: golden files for the demo scenario, the NDJSON round
//! trip on both scenarios, real readers (the `csv` crate, `serde_json`,
//! the `geojson` crate), and the flags.
//!
//! The golden files under `golden/` were generated once from the demo and
//! reviewed by hand against the rules in docs/export.md. Recording times
//! come from the real clock, so they are replaced before comparing:
//! `<recorded_at>` in JSON and CSV text, `<timestamp>` for ACLED's Unix
//! time. To regenerate after a deliberate change, run the tests with
//! `SIJIL_BLESS=1` and review the diff line by line.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, SecondsFormat};
use serde_json::Value;
use sijil_core::export::{ACLED_COLUMNS, CLAIM_COLUMNS, HXL_TAGS};

use crate::support::{golden, scenario_text, TestEnv};

/// The demo's one recording time, as JSON shows it and as a Unix time.
fn recorded(env: &TestEnv) -> (String, i64) {
    let log = env.log(&[]);
    let times: BTreeSet<&str> = log.iter().map(|e| e["recorded_at"].as_str().unwrap()).collect();
    assert_eq!(times.len(), 1, "the demo is one import, so one recording time: {times:?}");
    let text = times.into_iter().next().unwrap().to_string();
    let unix = DateTime::parse_from_rfc3339(&text).unwrap().timestamp();
    (text, unix)
}

/// Replaces the recording time where an export shows it.
fn normalise(text: &str, (recorded_at, unix): &(String, i64)) -> String {
    text.replace(recorded_at.as_str(), "<recorded_at>").replace(&format!(",{unix}\n"), ",<timestamp>\n")
}

const LEFT_OUT: &str = "left out 12 statements and 2 casualty reports, which ACLED does not code as events\n";
const GUESSED: &str = "from their names, read internal-security, syrian-army, syrian-government, syrian-mod as state \
forces (change with --state-actor); civil-defence, civilians as civilians (change with --civilian-actor)\n";

#[test]
fn every_projection_of_the_demo_matches_its_golden_file() {
    let env = TestEnv::aleppo();
    let rec = recorded(&env);
    let cases: [(&str, &[&str], &str); 9] = [
        ("events.ndjson", &["events"], ""),
        ("events.json", &["events", "--format", "json"], ""),
        ("state.json", &["state", "--at", "2026-01-09T05:00"], ""),
        ("acled.csv", &["acled"], &format!("{LEFT_OUT}{GUESSED}")),
        ("hxl.csv", &["hxl", "--format", "csv"], &format!("{LEFT_OUT}{GUESSED}")),
        (
            "events.geojson",
            &["geojson"],
            "left out 3 events without coordinates (no area, or no coordinates for it or its ancestors)\n",
        ),
        ("areas.geojson", &["geojson", "--layer", "areas", "--at", "2026-01-09T05:00"], ""),
        ("casualties.csv", &["casualties"], ""),
        ("casualties.json", &["casualties", "--format", "json"], ""),
    ];
    for (name, args, stderr) in cases {
        let mut all = vec!["export"];
        all.extend_from_slice(args);
        let run = env.run(&all);
        run.code(0);
        assert_eq!(run.stderr, stderr, "{name}: stderr");
        golden(name, &normalise(&run.stdout, &rec));
    }
    // `export state` is `state --format json`, byte for byte
    let state = env.run(&["state", "--at", "2026-01-09T05:00", "--format", "json"]);
    let export = env.run(&["export", "state", "--at", "2026-01-09T05:00"]);
    assert_eq!(export.ok().stdout, state.ok().stdout);
}

/// The distinct valid times the log names (starts, ends, deadlines), and a
/// second before each instant, as `--at` arguments.
fn moments(env: &TestEnv) -> Vec<String> {
    let mut out = BTreeSet::new();
    for e in env.log(&[]) {
        for key in ["at", "until", "deadline"] {
            if let Some(t) = e[key].as_str() {
                out.insert(t.to_string());
                if let Ok(i) = DateTime::parse_from_rfc3339(t) {
                    out.insert((i - Duration::seconds(1)).to_rfc3339_opts(SecondsFormat::Secs, false));
                }
            }
        }
    }
    out.into_iter().collect()
}

/// A state without the fields that name the log rather than the world.
fn comparable(mut state: Value) -> Value {
    let m = state.as_object_mut().unwrap();
    m.remove("seq");
    m.remove("known_at");
    state
}

/// Exports `env` as known at `known`, imports it into a fresh log in
/// `zone`, and checks the state at every moment.
fn round_trip(env: &TestEnv, zone: &str, known: Option<&str>, moments: &[String]) {
    let file = env.dir().join("events.ndjson");
    let mut args = vec!["export", "events", "--format", "ndjson", "-o", file.to_str().unwrap()];
    if let Some(k) = known {
        args.extend(["--known-at", k]);
    }
    env.run(&args).ok();
    let fresh = TestEnv::with_zone(zone);
    fresh.run(&["import", file.to_str().unwrap()]).ok();
    for at in moments {
        let mut extra = vec![];
        if let Some(k) = known {
            extra.extend(["--known-at", k]);
        }
        let want = comparable(env.state(at, &extra));
        let got = comparable(fresh.state(at, &[]));
        assert_eq!(got, want, "--at {at}, --known-at {known:?}");
    }
}

#[test]
fn the_demo_round_trips_through_ndjson() {
    let env = TestEnv::aleppo();
    let moments = moments(&env);
    assert!(moments.len() > 40, "{moments:?}");
    round_trip(&env, "Asia/Damascus", None, &moments);
    // before the correction was recorded, the first SDF figure stands, and a
    // re-import keeps it
    let some: Vec<String> = moments.iter().step_by(4).cloned().collect();
    round_trip(&env, "Asia/Damascus", Some("#49"), &some);
}

/// The Khartoum scenario's three batches, as other_scenario.rs defines them.
fn khartoum_batches() -> Vec<String> {
    let source = include_str!("other_scenario.rs");
    let mut batches = Vec::new();
    let mut current: Option<String> = None;
    for line in source.lines() {
        if line.starts_with("const BATCH_") && line.ends_with("r#\"") {
            current = Some(String::new());
        } else if line == "\"#;" {
            batches.extend(current.take());
        } else if let Some(b) = &mut current {
            b.push_str(line);
            b.push('\n');
        }
    }
    assert_eq!(batches.len(), 3, "other_scenario.rs defines BATCH_1 to BATCH_3");
    batches
}

#[test]
fn the_khartoum_scenario_round_trips_at_every_horizon() {
    let env = TestEnv::with_zone("Africa/Khartoum");
    for batch in khartoum_batches() {
        env.import_text(&batch);
    }
    let moments = moments(&env);
    round_trip(&env, "Africa/Khartoum", None, &moments);
    // after the first batch; before and after the retraction, before the correction
    let some: Vec<String> = moments.iter().step_by(3).cloned().collect();
    for known in ["#17", "#22", "#23"] {
        round_trip(&env, "Africa/Khartoum", Some(known), &some);
    }
    // the export holds the correction without `corrects`, and neither the
    // retraction nor what it retracted
    let lines = env.run(&["export", "events"]).ok().ndjson();
    let ids: Vec<&str> = lines.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 24 - 3, "24 events less a retraction, what it retracted and a corrected version");
    let id = |s: &str| format!("01950000-0000-7000-8000-000000000{s}");
    for gone in ["e08", "e09", "e16"] {
        assert!(!ids.contains(&id(gone).as_str()), "{gone} is exported");
    }
    let e17 = lines.iter().find(|e| e["id"] == id("e17")).unwrap();
    assert!(e17.get("corrects").is_none(), "{e17}");
    assert!(e17.get("seq").is_none() && e17.get("replaces").is_none(), "ndjson holds only input fields: {e17}");
    let json = env.run(&["export", "events", "--format", "json"]).ok().json();
    let e17 = json.as_array().unwrap().iter().find(|e| e["id"] == id("e17")).unwrap();
    assert_eq!(e17["replaces"], serde_json::json!([id("e09")]));
    assert_eq!(e17["seq"], 24);
    assert_eq!(e17["recorded_at"].as_str(), Some(env.recorded_at(&id("e17")).as_str()));
}

#[test]
fn an_end_of_a_corrected_event_is_re_aimed_and_follows_it() {
    let env = TestEnv::with_zone("Asia/Damascus");
    env.import_text(&scenario_text());
    // the curfew (#35) ends at 06:00; then the curfew is corrected to start at 20:00
    let curfew = "01943a00-0000-7000-8000-000000000016";
    let ended = env.append(&format!(
        r#"{{"kind":"ended","at":"2026-01-09T06:00","ends":"{curfew}","source":"Syrian authorities"}}"#
    ));
    let fix = env.append(&format!(
        r#"{{"kind":"curfew","at":"2026-01-08T20:00","areas":["aleppo/sheikh-maqsoud","aleppo/ashrafiyeh"],"actor":"syrian-government","corrects":"{curfew}","source":"Syrian authorities"}}"#
    ));
    let lines = env.run(&["export", "events"]).ok().ndjson();
    let pos = |id: &Value| lines.iter().position(|e| &e["id"] == id).unwrap();
    assert_eq!(pos(&ended["id"]), pos(&fix["id"]) + 1, "the end comes right after what it ends");
    assert_eq!(lines[pos(&ended["id"])]["ends"], fix["id"]);
    assert!(lines.iter().all(|e| e["id"] != curfew));
    let mut moments = moments(&env);
    moments
        .retain(|m| m.starts_with("2026-01-08T19") || m.starts_with("2026-01-08T20") || m.starts_with("2026-01-09T0"));
    round_trip(&env, "Asia/Damascus", None, &moments);
}

#[test]
fn exports_read_back_with_real_readers() {
    let env = TestEnv::aleppo();
    let log = env.log(&[]);
    let note_of = |id: &str| log.iter().find(|e| e["id"] == id).unwrap()["note"].as_str().unwrap().to_string();

    // ACLED: the csv crate reads 31 columns in ACLED's order; Arabic, quotes
    // and commas come back byte for byte
    let acled = env.run(&["export", "acled"]).stdout;
    let mut reader = csv::Reader::from_reader(acled.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(headers, ACLED_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 25);
    assert!(rows.iter().all(|r| r.len() == 31));
    let shelling = &rows[0];
    assert_eq!(&shelling[0], "01943a00-0000-7000-8000-000000000001-1");
    assert_eq!(&shelling[25], "Arabic news report, 8 Jan 2026", "a comma inside a field");
    let note = note_of("01943a00-0000-7000-8000-000000000001");
    assert!(note.contains("\"قسد\""), "the note quotes: {note}");
    assert!(shelling[27].ends_with(&format!("note: {note}")), "{}", &shelling[27]);
    let (_, unix) = recorded(&env);
    assert!(rows.iter().all(|r| r[30] == unix.to_string()));

    // HXL: the same rows after a line of hashtags
    let hxl = env.run(&["export", "hxl"]).stdout;
    let mut reader = csv::Reader::from_reader(hxl.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), ACLED_COLUMNS);
    let mut records = reader.records().map(Result::unwrap);
    let tags = records.next().unwrap();
    assert_eq!(tags.iter().collect::<Vec<_>>(), HXL_TAGS);
    assert!(tags.iter().all(|t| t.starts_with('#')));
    assert_eq!(records.collect::<Vec<_>>(), rows);

    // casualties: the csv crate, and serde_json for the JSON form
    let claims = env.run(&["export", "casualties"]).stdout;
    let mut reader = csv::Reader::from_reader(claims.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), CLAIM_COLUMNS);
    let claims: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(claims.len(), 2);
    assert_eq!((&claims[1][2], &claims[1][8], &claims[1][16], &claims[1][17]), ("SDF", "64", "12", "55"));
    assert_eq!((&claims[1][3], &claims[1][5]), ("2026-01-08T17:00:00Z", "2026-01-08"));
    let json = env.run(&["export", "casualties", "--format", "json"]).json();
    assert_eq!(json["moments"][1]["killed_low"], 9);
    assert_eq!(json["moments"][1]["killed_high"], 12);
    // as known before the correction, the SDF said 46 wounded
    let before = env.run(&["export", "casualties", "--format", "json", "--known-at", "#49"]).json();
    assert_eq!(before["claims"][1]["wounded"], 46);

    // GeoJSON: the geojson crate reads a FeatureCollection of points, [lon, lat]
    let text = env.run(&["export", "geojson"]).stdout;
    let fc: geojson::FeatureCollection = text.parse().unwrap();
    assert_eq!(fc.features.len(), 44);
    let ids: BTreeSet<String> = log.iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
    for f in &fc.features {
        let Some(geojson::Value::Point(p)) = f.geometry.as_ref().map(|g| &g.value) else {
            panic!("not a point: {f:?}")
        };
        let (lon, lat) = (p[0], p[1]);
        assert!((37.0..38.0).contains(&lon) && (36.0..37.0).contains(&lat), "[lon, lat] order: {p:?}");
        let Some(geojson::feature::Id::String(id)) = &f.id else { panic!("the id is the event id: {f:?}") };
        assert!(ids.contains(id));
        let time = f.foreign_members.as_ref().and_then(|m| m.get("time")).expect("a JSON-FG time member");
        assert!(time.get("interval").or(time.get("timestamp")).or(time.get("date")).is_some(), "{time}");
        assert!(f.property("time").is_some() && f.property("kind").is_some());
    }
    let areas: geojson::FeatureCollection =
        env.run(&["export", "geojson", "--layer", "areas", "--at", "2026-01-09T05:00"]).stdout.parse().unwrap();
    let ashrafiyeh =
        areas.features.iter().find(|f| f.id == Some(geojson::feature::Id::String("aleppo/ashrafiyeh".into()))).unwrap();
    assert_eq!(ashrafiyeh.property("deadline_status"), Some(&Value::from("pending")));
    assert_eq!(ashrafiyeh.property("ceasefire"), Some(&Value::from(true)));
    // crossings have no coordinates of their own: Aleppo's, said so
    let crossing = areas
        .features
        .iter()
        .find(|f| f.id == Some(geojson::feature::Id::String("aleppo/al-awarid-crossing".into())))
        .unwrap();
    assert_eq!(crossing.property("geo_precision"), Some(&Value::from(2)));
    assert_eq!(crossing.property("geo_from"), Some(&Value::from("aleppo")));

    // events as JSON: serde_json reads one array, in log order
    let events = env.run(&["export", "events", "--format", "json"]).json();
    let seqs: Vec<u64> = events.as_array().unwrap().iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert_eq!(seqs.len(), 49, "50 events less the corrected SDF figure");
}

#[test]
fn selections_narrow_every_projection() {
    let env = TestEnv::aleppo();
    let acled = |extra: &[&str]| -> Vec<csv::StringRecord> {
        let mut args = vec!["export", "acled"];
        args.extend_from_slice(extra);
        let out = env.run(&args).stdout;
        csv::Reader::from_reader(out.as_bytes()).records().map(Result::unwrap).collect()
    };
    let clashes = acled(&["--kind", "armed_clash"]);
    assert_eq!(clashes.len(), 4);
    assert!(clashes.iter().all(|r| &r[6] == "Armed clash"));
    let bani_zaid = acled(&["--area", "بني زيد"]);
    assert!(bani_zaid.iter().all(|r| &r[21] == "Bani Zaid"), "{bani_zaid:?}");
    assert_eq!(bani_zaid.len(), 3, "the evacuation, the ceasefire and the ultimatum");
    let friday = acled(&["--since", "2026-01-09"]);
    assert!(friday.iter().all(|r| &r[1] == "2026-01-09"));
    assert_eq!(friday.len(), 6);
    // the types can be set: with no state forces, the full claim is a non-state one
    let none = acled(&["--state-actor", "civilians", "--kind", "control_claim"]);
    assert_eq!(&none[1][6], "Non-state actor overtakes territory");
    // events keep the definitions, so a filtered export still imports
    let lines = env.run(&["export", "events", "--kind", "curfew"]).ok().ndjson();
    assert_eq!(lines.len(), 20 + 1);
    let file = env.write("curfew.ndjson", env.run(&["export", "events", "--kind", "curfew"]).stdout);
    let fresh = TestEnv::with_zone("Asia/Damascus");
    fresh.run(&["import", file.to_str().unwrap()]).ok();
    assert_eq!(fresh.head().seq, 21);
}

/// An actor named with --state-actor or --civilian-actor has that type,
/// even when its names make the guess say the other: the flag decides.
#[test]
fn actor_type_flags_override_the_other_guess() {
    let env = TestEnv::aleppo();
    let acled = |extra: &[&str]| -> (Vec<csv::StringRecord>, String) {
        let mut args = vec!["export", "acled"];
        args.extend_from_slice(extra);
        let run = env.run(&args);
        run.code(0);
        let rows = csv::Reader::from_reader(run.stdout.as_bytes()).records().map(Result::unwrap).collect();
        (rows, run.stderr.clone())
    };
    // civil-defence is guessed a civilian; named as state forces, it is one
    let (rows, stderr) = acled(&["--kind", "evacuation", "--state-actor", "civil-defence"]);
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| &r[9] == "1" && &r[13] == "10"), "{rows:?}");
    assert!(!stderr.contains("civil-defence"), "the flag, not a guess: {stderr}");
    // internal-security is guessed state forces; named as civilians, its
    // full claim is not "Government regains territory"
    let (rows, stderr) = acled(&["--kind", "control_claim", "--civilian-actor", "internal-security"]);
    let claim = rows.iter().find(|r| r[7].starts_with("Internal Security")).unwrap();
    assert_eq!(&claim[9], "7");
    assert_eq!(&claim[6], "Non-state actor overtakes territory");
    assert!(!stderr.contains("internal-security"), "the flag, not a guess: {stderr}");
}

/// `--area` on a crossing keeps the evacuations through it; their
/// Features lie in their own areas, outside the selection, so the events
/// layer has none, and says nothing of missing coordinates.
#[test]
fn an_event_kept_for_its_crossing_is_not_said_to_lack_coordinates() {
    let env = TestEnv::aleppo();
    let kept = env.run(&["export", "events", "--area", "al-awarid-crossing"]).ok().stdout.clone();
    assert!(kept.contains("\"kind\":\"evacuation\""), "{kept}");
    let run = env.run(&["export", "geojson", "--area", "al-awarid-crossing"]);
    run.code(0);
    assert_eq!(run.stderr, "");
    let fc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(fc["features"].as_array().map(Vec::len), Some(0));
    // ACLED writes no row for it either, and so names no actor type it guessed
    let run = env.run(&["export", "acled", "--area", "al-awarid-crossing"]);
    assert_eq!(run.code(0).stdout.lines().count(), 1, "the header alone: {}", run.stdout);
    assert!(!run.stderr.contains("from their names"), "{}", run.stderr);
}

#[test]
fn bad_combinations_are_usage_errors() {
    let env = TestEnv::aleppo();
    env.run(&["export", "acled", "--format", "json"])
        .fails(2, "error: the acled projection is written only as csv, not json\nhint: use --format csv\n");
    env.run(&["export", "events", "--format", "csv"])
        .fails(2, "error: the events projection is written as ndjson or json, not csv\nhint: use --format ndjson\n");
    env.run(&["export", "state", "--format", "geojson"]).code(2);
    env.run(&["export", "events", "--at", "2026-01-09"]).fails(
        2,
        "error: --at does not apply to the events projection; it takes --known-at, --area, --since, --until, --kind\n\
         hint: --at picks a moment for state and the areas layer; pick events by time with --since and --until\n",
    );
    env.run(&["export", "state", "--layer", "areas"])
        .fails(2, "error: --layer applies to the geojson projection only, not to state\n");
    env.run(&["export", "casualties", "--kind", "shelling"]).code(2);
    env.run(&["export", "acled", "--kind", "truce"]).code(2);
    env.run(&["export", "acled", "--area", "ashrafiye"])
        .fails(2, "error: --area: unknown area \"ashrafiye\" — did you mean \"aleppo/ashrafiyeh\"?\n");
    env.run(&["export", "acled", "--state-actor", "nobody"]).code(2);
    // an alias names the same actor
    env.run(&["export", "hxl", "--state-actor", "sdf", "--civilian-actor", "قسد"])
        .fails(2, "error: sdf is given as both --state-actor and --civilian-actor; an actor has one type\n");
    env.run(&["export", "kml"]).code(2);
    let help = env.run(&["export", "--help"]);
    assert!(help.ok().stdout.contains("Examples:") && help.stdout.contains("sijil export"), "{}", help.stdout);
}

/// `-o` through a symbolic link replaces the file it points at and keeps
/// the link; into a named pipe it writes straight through (a rename would
/// replace the pipe with a file its reader never sees).
#[cfg(unix)]
#[test]
fn output_follows_links_and_writes_into_pipes() {
    let env = TestEnv::aleppo();
    let want = env.run(&["export", "state", "--at", "2026-01-09"]).ok().stdout.clone();
    let real = env.dir().join("real.json");
    std::fs::write(&real, "an older export").unwrap();
    let link = env.dir().join("latest.json");
    std::os::unix::fs::symlink("real.json", &link).unwrap();
    env.run(&["export", "state", "--at", "2026-01-09", "-o", link.to_str().unwrap()]).ok();
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link was replaced");
    assert_eq!(std::fs::read_to_string(&real).unwrap(), want);

    let fifo = env.dir().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    env.run(&["export", "state", "--at", "2026-01-09", "-o", fifo.to_str().unwrap()]).ok();
    // checked before waiting for the reader, which a replaced pipe leaves blocked
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the pipe was replaced");
    assert_eq!(reader.join().unwrap(), want);
}

/// `-o /dev/stdout` is standard output even when that is a pipe (a link to
/// `pipe:[N]`, which no path reaches once followed); `-o` never writes into
/// the log's own folder (it would replace the store's files); a folder and a
/// missing folder are named as such.
#[test]
fn output_to_dev_stdout_a_folder_or_the_log_folder() {
    let env = TestEnv::aleppo();
    // the test captures standard output through a pipe
    let want = env.run(&["export", "events"]).ok().stdout.clone();
    assert_eq!(env.run(&["export", "events", "-o", "/dev/stdout"]).ok().stdout, want);
    let page = env.run(&["report", "--at", "2026-01-09T10:00"]).ok().stdout.clone();
    assert_eq!(env.run(&["report", "--at", "2026-01-09T10:00", "-o", "/dev/stdout"]).ok().stdout, page);

    let head = env.head();
    let db = env.db();
    for (args, what) in [
        (vec!["export", "events", "-o"], db.join("db")),
        (vec!["export", "state", "-o"], db.join("../").join(db.file_name().unwrap()).join("x.json")),
        (vec!["report", "-o"], db.join("conf")),
        (vec!["report", "-o"], db.to_path_buf()),
    ] {
        let mut args = args.clone();
        args.push(what.to_str().unwrap());
        let run = env.run(&args);
        run.code(2);
        assert!(run.stderr.contains("the log's folder"), "{}", run.stderr);
    }
    assert_eq!(env.head(), head);
    env.run(&["verify"]).ok();

    let folder = env.dir().join("exports");
    std::fs::create_dir(&folder).unwrap();
    env.run(&["export", "events", "-o", folder.to_str().unwrap()])
        .fails(1, &format!("error: cannot write {}: it is a folder; name a file in it\n", folder.display()));
    let missing = env.dir().join("no-such-folder");
    env.run(&["export", "events", "-o", missing.join("out.ndjson").to_str().unwrap()]).fails(
        1,
        &format!(
            "error: cannot write {}: the folder {} does not exist\n",
            missing.join("out.ndjson").display(),
            missing.display()
        ),
    );
    // `-o no-such-folder/` names the folder, and writes nothing beside it
    let slash = format!("{}/", missing.display());
    env.run(&["export", "events", "-o", &slash])
        .fails(1, &format!("error: cannot write {slash}: the folder {slash} does not exist\n"));
    assert_eq!(leftovers(&env), Vec::<String>::new());
}

/// The temporary files an export left in the test's folder.
fn leftovers(env: &TestEnv) -> Vec<String> {
    std::fs::read_dir(env.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn output_files_are_written_whole_and_honour_the_umask() {
    let env = TestEnv::aleppo();
    let target = env.dir().join("acled.csv");
    std::fs::write(&target, "an older export").unwrap();
    let run = env.run(&["export", "acled", "-o", target.to_str().unwrap()]);
    assert_eq!(run.code(0).stdout, "", "with -o nothing goes to stdout");
    let written = std::fs::read_to_string(&target).unwrap();
    assert_eq!(written, env.run(&["export", "acled"]).stdout);
    assert_eq!(leftovers(&env), Vec::<String>::new());

    // `-o -` is standard output
    let state = env.run(&["export", "state", "--at", "2026-01-09"]).stdout;
    assert_eq!(env.run(&["export", "state", "--at", "2026-01-09", "-o", "-"]).ok().stdout, state);
    assert!(!env.dir().join("-").exists());

    // a folder that does not exist: exit 1, nothing written
    let missing = env.dir().join("no-such-folder/out.csv");
    let run = env.run(&["export", "acled", "-o", missing.to_str().unwrap()]);
    run.code(1);
    assert!(run.stderr.starts_with(&format!("error: cannot write {}: ", missing.display())), "{}", run.stderr);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for (umask, mode) in [("022", 0o644), ("027", 0o640)] {
            let file = env.dir().join(format!("umask-{umask}.geojson"));
            let mut cmd = assert_cmd::Command::new("/bin/sh");
            cmd.env_clear()
                .env("HOME", env.dir())
                .env("TMPDIR", env.dir())
                .env("SIJIL_DB", env.db())
                .current_dir(env.dir())
                .args(["-c", &format!("umask {umask} && exec \"$0\" \"$@\"")])
                .arg(assert_cmd::cargo::cargo_bin("sijil"))
                .args(["export", "geojson", "--layer", "areas", "--at", "2026-01-09", "-o", file.to_str().unwrap()]);
            env.run_cmd(cmd, format!("umask {umask}; sijil export … -o")).ok();
            let got = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(got, mode, "umask {umask}");
        }
    }
}
