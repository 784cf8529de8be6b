//! Typed append: every event of the demo scenario typed as flags stores the
//! same event, and the same state, as the NDJSON import.

use serde_json::Value;

use crate::support::{scenario_text, TestEnv};

/// The command-line arguments that type `event` as flags.
fn typed_args(event: &Value) -> Vec<String> {
    let obj = event.as_object().expect("an event is an object");
    let mut args = vec!["append".to_string(), obj["kind"].as_str().expect("a kind").to_string()];
    for (key, value) in obj {
        let flag = format!("--{}", key.replace('_', "-"));
        match (key.as_str(), value) {
            ("kind", _) => {}
            ("source", Value::Object(src)) => {
                for (k, v) in src {
                    let flag = if k == "name" { "--source".to_string() } else { format!("--{}", k.replace('_', "-")) };
                    args.extend([flag, v.as_str().expect("a string").to_string()]);
                }
            }
            ("source", Value::String(name)) => args.extend(["--source".to_string(), name.clone()]),
            ("terms", Value::Array(items)) => {
                for t in items {
                    args.extend([flag.clone(), t.as_str().expect("a term").to_string()]);
                }
            }
            (_, Value::Array(items)) => {
                let joined: Vec<&str> = items.iter().map(|i| i.as_str().expect("a string")).collect();
                assert!(joined.iter().all(|s| !s.contains(',')), "{key}: a comma inside {joined:?}");
                args.extend([flag, joined.join(",")]);
            }
            (_, Value::String(s)) => args.extend([flag, s.clone()]),
            (_, other) => args.extend([flag, other.to_string()]),
        }
    }
    args
}

fn without_log_fields(mut events: Vec<Value>) -> Vec<Value> {
    for e in &mut events {
        let m = e.as_object_mut().expect("an object");
        m.remove("recorded_at");
    }
    events
}

#[test]
fn the_demo_scenario_typed_as_flags_stores_the_same_events_and_state() {
    let imported = TestEnv::aleppo();
    let typed = TestEnv::with_zone("Asia/Damascus");
    for line in scenario_text().lines() {
        let event: Value = serde_json::from_str(line).expect("a scenario line is JSON");
        let args = typed_args(&event);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        typed.run(&refs).ok();
    }
    assert_eq!(
        without_log_fields(typed.log(&[])),
        without_log_fields(imported.log(&[])),
        "the typed log differs from the imported one"
    );
    for at in ["2026-01-08T22:00:00+03:00", "2026-01-09T05:00:00+03:00", "2026-01-09T10:00:00+03:00"] {
        for known in ["#30", "#49", "#50"] {
            assert_eq!(
                typed.state(at, &["--known-at", known]),
                imported.state(at, &["--known-at", known]),
                "state at {at} known at {known}"
            );
        }
    }
}

#[test]
fn typed_flags_take_short_slugs_aliases_and_now() {
    let env = TestEnv::aleppo();
    let run = env
        .run(&[
            "append",
            "curfew",
            "--areas",
            "ashrafiyeh,الشيخ مقصود",
            "--at",
            "2026-01-10 19:00",
            "--actor",
            "internal-security",
            "--source",
            "SANA",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(run["seq"], serde_json::json!(51));
    let stored = env.log(&["--known-at", "#51", "--since", "2026-01-10"]);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["areas"], serde_json::json!(["aleppo/ashrafiyeh", "aleppo/sheikh-maqsoud"]));
    assert_eq!(stored[0]["at"], serde_json::json!("2026-01-10T19:00:00+03:00"));
    // `--at now` is the current time (here fixed by SIJIL_NOW)
    let now = env
        .run_env(
            &[("SIJIL_NOW", "2026-01-11T08:00:00+03:00")],
            &["append", "statement", "--at", "now", "--actor", "sdf", "--quote", "…", "--source", "SDF"],
        )
        .ok()
        .stdout
        .clone();
    assert!(now.starts_with("appended ") && now.trim_end().ends_with("as #52"), "{now}");
    let stored = env.log(&["--kind", "statement", "--since", "2026-01-11"]);
    assert_eq!(stored[0]["at"], serde_json::json!("2026-01-11T05:00:00Z"));
    // areas typed on an Arabic keyboard may be split by the Arabic comma
    let run = env
        .run(&[
            "append",
            "curfew",
            "--at",
            "2026-01-12T19:00",
            "--areas",
            "الأشرفية،الشيخ مقصود",
            "--actor",
            "internal-security",
            "--source",
            "SANA",
        ])
        .ok()
        .stdout
        .clone();
    assert!(run.trim_end().ends_with("as #53"), "{run}");
    let stored = env.log(&["--kind", "curfew", "--since", "2026-01-12"]);
    assert_eq!(stored[0]["areas"], serde_json::json!(["aleppo/ashrafiyeh", "aleppo/sheikh-maqsoud"]));
    // append's own options may come before the kind too
    let run = env
        .run(&[
            "append",
            "--format",
            "json",
            "--expect-seq",
            "53",
            "statement",
            "--at",
            "2026-01-12T20:00",
            "--actor",
            "sdf",
            "--source",
            "SDF",
        ])
        .ok()
        .json();
    assert_eq!(run["seq"], serde_json::json!(54));
    // and --json with a kind is one way too many
    env.run(&["append", "--json", "{}", "statement", "--at", "now", "--actor", "sdf", "--source", "SDF"])
        .fails(2, "error: --json and a kind with its flags are two ways to give the event; use one\n");
    // a typo in a kind is a usage error with a suggestion
    let run = env.run(&["append", "sheling", "--at", "now"]);
    run.code(2);
    assert!(run.stderr.contains("shelling"), "{}", run.stderr);
}

/// A figure typed as a flag is a whole number, 0 or more: a negative or a
/// word is named as such (not read as an unknown flag), and nothing is
/// appended; a percentage with `%` is the number JSON would hold.
#[test]
fn typed_figures_are_whole_numbers_and_an_extent_may_carry_a_percent_sign() {
    let env = TestEnv::aleppo();
    for (flag, value) in [("--killed", "-1"), ("--wounded", "nine"), ("--killed", "2.5"), ("--killed", "1000001")] {
        let run = env.run(&[
            "append",
            "shelling",
            "--areas",
            "ashrafiyeh",
            "--at",
            "2026-01-10",
            flag,
            value,
            "--source",
            "s",
        ]);
        run.code(2);
        let want = format!(
            "invalid value '{value}' for '{flag} <N>': a figure is a whole number from 0 to 1000000, got {value}"
        );
        assert!(run.stderr.contains(&want), "{}", run.stderr);
    }
    let run = env.run(&[
        "append",
        "detention",
        "--areas",
        "ashrafiyeh",
        "--at",
        "2026-01-10",
        "--count",
        "-3",
        "--source",
        "s",
    ]);
    assert!(run.code(2).stderr.contains("a figure is a whole number from 0 to 1000000, got -3"), "{}", run.stderr);
    // a negative extent is named by the rule it breaks, as in JSON
    for extent in ["-5", "-5%"] {
        let args = ["append", "control_claim", "--areas", "ashrafiyeh", "--at", "2026-01-10", "--actor", "sdf"];
        let run = env.run(&[&args[..], &["--extent", extent, "--source", "s"]].concat());
        assert!(run.code(2).stderr.contains("a percentage must be from 0 to 100, got -5"), "{extent}: {}", run.stderr);
    }
    assert_eq!(env.log(&["--since", "2026-01-10"]).len(), 0, "a refused figure appended something");
    env.run(&[
        "append",
        "control_claim",
        "--areas",
        "ashrafiyeh",
        "--at",
        "2026-01-10",
        "--actor",
        "sdf",
        "--extent",
        "62.5%",
        "--source",
        "s",
    ])
    .ok();
    assert_eq!(env.log(&["--since", "2026-01-10"])[0]["extent"], serde_json::json!(62.5));
}

/// Each append reads the areas and actors from the log's cached registry
/// and the definitions recorded after it: whatever the cache holds, an
/// append knows every definition before it, and an update replaces the
/// definition it updates.
#[test]
fn an_append_knows_every_definition_before_it_whatever_the_cache_holds() {
    let env = TestEnv::aleppo();
    let at = ["--at", "2026-01-10", "--source", "s"];
    let shelling = |area: &str| env.run(&[&["append", "shelling", "--areas", area][..], &at].concat());
    shelling("ashrafiyeh").ok();
    let define = |aliases: &str| {
        let args = ["append", "area", "--area", "aleppo/new-quarter", "--name", "New Quarter", "--parent", "aleppo"];
        let run = env.run(&[&args[..], &["--aliases", aliases, "--source", "g"]].concat());
        run.code(0).stderr.clone()
    };
    assert_eq!(define("NQ"), "");
    shelling("new-quarter").ok();
    shelling("NQ").ok();
    // the update drops the alias: it resolves no more
    let note = define("الحي الجديد");
    assert!(note.contains("which no longer has the alias \"NQ\""), "{note}");
    let run = shelling("NQ");
    assert!(run.code(2).stderr.contains("unknown area \"NQ\""), "{}", run.stderr);
    shelling("الحي الجديد").ok();
    assert_eq!(env.log(&["--kind", "shelling", "--since", "2026-01-10"]).len(), 4);
}

/// A local `$SIJIL_NOW` is read like `--at`: in `--tz`, else in the log's
/// zone (cli.md), so `--at now` stores the moment `state` takes for now.
#[test]
fn typed_at_now_reads_a_local_sijil_now_in_the_logs_zone() {
    let env = TestEnv::aleppo();
    let now = [("SIJIL_NOW", "2026-01-11T08:00")];
    env.run_env(&now, &["append", "statement", "--at", "now", "--actor", "sdf", "--source", "SDF"]).ok();
    let stored = env.log(&["--kind", "statement", "--since", "2026-01-11"]);
    assert_eq!(stored.len(), 1);
    // 08:00 in Asia/Damascus (+03:00), not 08:00 UTC
    assert_eq!(stored[0]["at"], serde_json::json!("2026-01-11T05:00:00Z"));
    let state = env.run_env(&now, &["state", "--format", "json"]).ok().json();
    assert_eq!(state["at"], serde_json::json!("2026-01-11T05:00:00Z"));
}

/// `ended` and `retraction` take `areas`, `actor`, `target` and `corrects`
/// (events.md, Kinds): their flags store what the JSON stores.
#[test]
fn typed_ended_and_retraction_take_areas_and_target() {
    let typed = TestEnv::aleppo();
    let json = TestEnv::aleppo();
    let ended = r#"{"id":"01943a00-0000-7000-8000-0000000e0001","kind":"ended","at":"2026-01-09T06:00","ends":"01943a00-0000-7000-8000-000000000016","areas":["ashrafiyeh"],"actor":"syrian-government","target":"sdf","source":"SANA"}"#;
    let retraction = r#"{"id":"01943a00-0000-7000-8000-0000000e0002","kind":"retraction","at":"2026-01-09T12:00","retracts":"01943a00-0000-7000-8000-000000000009","areas":["ashrafiyeh"],"target":"sdf","source":"SOHR"}"#;
    json.append(ended);
    json.append(retraction);
    typed
        .run(&[
            "append",
            "ended",
            "--id",
            "01943a00-0000-7000-8000-0000000e0001",
            "--at",
            "2026-01-09T06:00",
            "--ends",
            "01943a00-0000-7000-8000-000000000016",
            "--areas",
            "ashrafiyeh",
            "--actor",
            "syrian-government",
            "--target",
            "sdf",
            "--source",
            "SANA",
        ])
        .ok();
    typed
        .run(&[
            "append",
            "retraction",
            "--id",
            "01943a00-0000-7000-8000-0000000e0002",
            "--at",
            "2026-01-09T12:00",
            "--retracts",
            "01943a00-0000-7000-8000-000000000009",
            "--areas",
            "ashrafiyeh",
            "--target",
            "sdf",
            "--source",
            "SOHR",
        ])
        .ok();
    assert_eq!(without_log_fields(typed.log(&[])), without_log_fields(json.log(&[])));
}

/// `--terms` is free text, one flag each: kept byte for byte as in JSON,
/// and an empty term is refused as in JSON rather than dropped.
#[test]
fn typed_terms_are_kept_as_typed() {
    let env = TestEnv::aleppo();
    let args = ["append", "ceasefire", "--areas", "ashrafiyeh", "--at", "2026-01-10", "--actor", "sdf"];
    env.run(&[&args[..], &["--terms", "  1. indented\n", "--source", "s"]].concat()).ok();
    let stored = env.log(&["--kind", "ceasefire", "--since", "2026-01-10"]);
    assert_eq!(stored[0]["terms"], serde_json::json!(["  1. indented\n"]));
    let run = env.run(&[&args[..], &["--terms", "a", "--terms", "", "--source", "s"]].concat());
    assert!(run.code(2).stderr.contains("\"terms\": holds an empty string"), "{}", run.stderr);
}

/// `nan` and `inf` parse as numbers but have no JSON form (they would turn
/// into `null`, read as absent): refused, never dropped unseen.
#[test]
fn typed_coordinates_and_extents_refuse_nan() {
    let env = TestEnv::aleppo();
    let area = ["append", "area", "--area", "aleppo/nan-quarter", "--name", "Nan Quarter", "--source", "g"];
    let run = env.run(&[&area[..], &["--lat", "nan", "--lon", "nan"]].concat());
    run.code(2);
    let run = env.run(&[&area[..], &["--lat", "36.2", "--lon", "inf"]].concat());
    run.code(2);
    let claim = ["append", "control_claim", "--areas", "ashrafiyeh", "--at", "2026-01-10", "--actor", "sdf"];
    let run = env.run(&[&claim[..], &["--extent", "nan", "--source", "s"]].concat());
    assert!(run.code(2).stderr.contains("got \"nan\""), "{}", run.stderr);
    assert_eq!(env.head().seq, 50, "a refused event was appended");
}
