//! What a person sees: the terminal tables at a fixed width (100 columns)
//! with colour off, compared with reviewed golden files.

use crate::support::{golden, TestEnv};

fn table(env: &TestEnv, args: &[&str]) -> String {
    let mut full = args.to_vec();
    full.extend(["--format", "table", "--color", "never"]);
    env.run_env(&[("COLUMNS", "100")], &full).ok().stdout.clone()
}

#[test]
fn the_situation_reports_of_the_demo_read_as_reviewed() {
    let env = TestEnv::aleppo();
    for (name, at) in [
        ("state-0108-2200.txt", "2026-01-08T22:00"),
        ("state-0109-0500.txt", "2026-01-09T05:00"),
        ("state-0109-1000.txt", "2026-01-09T10:00"),
    ] {
        golden(name, &table(&env, &["state", "--at", at]));
    }
    golden("state-0109-0500-known-49.txt", &table(&env, &["state", "--at", "2026-01-09T05:00", "--known-at", "#49"]));
    golden("areas.txt", &table(&env, &["areas"]));
    golden("actors.txt", &table(&env, &["actors"]));
}

#[test]
fn no_colour_reaches_a_pipe_or_a_no_color_terminal() {
    let env = TestEnv::aleppo();
    let piped = env.run(&["state", "--at", "2026-01-09T05:00", "--format", "table"]).ok().stdout.clone();
    assert!(!piped.contains('\u{1b}'), "colour on a pipe");
    let never = env
        .run_env(&[("NO_COLOR", "1")], &["state", "--at", "2026-01-09T05:00", "--format", "table", "--color", "auto"])
        .ok()
        .stdout
        .clone();
    assert!(!never.contains('\u{1b}'), "colour despite NO_COLOR");
    let always =
        env.run(&["state", "--at", "2026-01-09T05:00", "--format", "table", "--color", "always"]).ok().stdout.clone();
    assert!(always.contains("\u{1b}[1mSituation at"), "no colour with --color always");
    // the error prefix follows the same rule on stderr
    let err = env.run(&["state", "--at", "tomorrow", "--color", "always"]);
    assert!(err.stderr.starts_with("\u{1b}[1;31merror:\u{1b}[0m "), "{:?}", err.stderr);
}

/// A day-precision time shows as its date (the log's day), never as an
/// invented midnight, whatever zone the table is shown in: a curfew's
/// start, a deployment's, a control claim's and a casualty report's "as of",
/// in the table and in the report.
#[test]
fn a_day_precision_start_reads_as_its_date() {
    let env = TestEnv::aleppo();
    env.import_text(concat!(
        "{\"kind\":\"curfew\",\"at\":\"2026-01-12\",\"areas\":[\"aleppo/ashrafiyeh\"],\"actor\":\"internal-security\",\"source\":\"s\"}\n",
        "{\"kind\":\"deployment\",\"at\":\"2026-01-12\",\"areas\":[\"aleppo/ashrafiyeh\"],\"actor\":\"syrian-army\",\"source\":\"s\"}\n",
        "{\"kind\":\"control_claim\",\"at\":\"2026-01-12\",\"areas\":[\"aleppo/ashrafiyeh\"],\"actor\":\"syrian-army\",\"extent\":\"full\",\"source\":\"s\"}\n",
        "{\"kind\":\"casualty_report\",\"at\":\"2026-01-12\",\"areas\":[\"aleppo/ashrafiyeh\"],\"killed\":4,\"source\":\"day-source\"}\n",
    ));
    for zone in [None, Some("UTC")] {
        let mut args =
            vec!["state", "--at", "2026-01-13", "--area", "ashrafiyeh", "--format", "table", "--color", "never"];
        if let Some(z) = zone {
            args.extend(["--tz", z]);
        }
        // wide enough that no cell wraps
        let shown = env.run_env(&[("COLUMNS", "220")], &args).ok().stdout.clone();
        for want in ["since 2026-01-12 (day)", "claimed 2026-01-12 (day)"] {
            assert_eq!(
                shown.matches(want).count(),
                if want.starts_with("since") { 2 } else { 1 },
                "{zone:?}:\n{shown}"
            );
        }
        let claims = shown.lines().find(|l| l.contains("day-source")).unwrap_or_default();
        assert!(claims.contains("2026-01-12 (day)"), "{zone:?}:\n{shown}");
        assert!(!shown.contains("2026-01-12 00:00") && !shown.contains("2026-01-11 21:00"), "{zone:?}:\n{shown}");

        let mut args = vec!["report", "--at", "2026-01-13", "--since", "2026-01-11", "--area", "ashrafiyeh", "-o", "-"];
        if let Some(z) = zone {
            args.extend(["--tz", z]);
        }
        let html = env.run(&args).ok().stdout.clone();
        let situation =
            &html[html.find("id=\"situation\"").unwrap_or(0)..html.find("id=\"events\"").unwrap_or(html.len())];
        assert_eq!(situation.matches("2026-01-12 (day)").count(), 4, "{zone:?}:\n{situation}");
        assert!(!situation.contains("2026-01-12 00:00") && !situation.contains("2026-01-11 21:00"), "{zone:?}");
        // and so do the charts' tooltips
        for tip in
            ["curfew from 2026-01-12 (day)", "deployment from 2026-01-12 (day)", "killed 4 as of 2026-01-12 (day)"]
        {
            assert!(html.contains(tip), "{zone:?}: no {tip:?}");
        }
    }
}

/// A note or source holding control characters (a pasted CRLF, an escape
/// sequence) cannot move the cursor or restyle the terminal through a
/// table (`log`, `state`); the JSON keeps the text byte for byte.
#[test]
fn control_characters_in_text_do_not_reach_the_terminal() {
    let env = TestEnv::aleppo();
    let note = "first line\r\nsecond \u{1b}[2J\u{1b}[31mred\u{7} end";
    let event = serde_json::json!({
        "kind": "statement", "at": "2026-01-09T10:00", "actor": "sdf",
        "source": "Desk\rX", "note": note,
    });
    env.append(&event.to_string());
    let text = table(&env, &["log", "--kind", "statement", "--since", "2026-01-09T10:00"]);
    assert!(!text.contains('\r') && !text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
    assert!(text.contains("second") && text.contains("red"), "{text}");
    let json = env.log(&["--kind", "statement", "--since", "2026-01-09T10:00"]);
    assert_eq!(json[0]["note"], note);
    assert_eq!(json[0]["source"]["name"], "Desk\rX");
    // the situation report's sources too
    let curfew = serde_json::json!({
        "kind": "curfew", "at": "2026-01-09T10:00", "areas": ["ashrafiyeh"], "actor": "internal-security",
        "source": "Wire\u{1b}[2J desk",
    });
    env.append(&curfew.to_string());
    // and the names of areas, in force or quiet
    let quiet = serde_json::json!({
        "kind": "area", "area": "aleppo/quiet-place", "name": "Quiet \u{1b}[2J place", "parent": "aleppo", "source": "g",
    });
    let busy = serde_json::json!({
        "kind": "area", "area": "aleppo/busy-place", "name": "Busy \u{1b}[5m place", "parent": "aleppo", "source": "g",
    });
    let curfew_there = serde_json::json!({
        "kind": "curfew", "at": "2026-01-09T10:00", "areas": ["busy-place"], "actor": "internal-security", "source": "g",
    });
    for e in [quiet, busy, curfew_there] {
        env.append(&e.to_string());
    }
    let text = table(&env, &["state", "--at", "2026-01-09T10:30"]);
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("Wire") && text.contains("Quiet") && text.contains("Busy"), "{text}");
    let text = table(&env, &["log", "--kind", "area"]);
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("Quiet"), "{text}");
}

/// `show`, `areas` and `actors` tables hold the same texts (a note, a
/// source, a name, an alias): no control character reaches the terminal
/// through them either.
#[test]
fn control_characters_do_not_reach_the_terminal_through_show_areas_or_actors() {
    let env = TestEnv::aleppo();
    let statement = serde_json::json!({
        "id": "01943a00-0000-7000-8000-00000000c7c7",
        "kind": "statement", "at": "2026-01-09T10:00", "actor": "sdf",
        "source": "Wire\u{1b}[0m desk", "note": "pasted \u{1b}[2J\u{1b}[H here\u{7}",
    });
    env.append(&statement.to_string());
    let actor = serde_json::json!({
        "kind": "actor", "actor": "escaped", "name": "Escaped \u{1b}[31mred", "aliases": ["esc\u{1b}[2Jalias"], "source": "g",
    });
    env.append(&actor.to_string());
    let area = serde_json::json!({
        "kind": "area", "area": "aleppo/escaped", "name": "Escaped \u{1b}[31mred", "type": "t\u{1b}[1m",
        "aliases": ["bell\u{7}"], "source": "g",
    });
    env.append(&area.to_string());
    for args in [&["show", "01943a00-0000-7000-8000-00000000c7c7"][..], &["areas"][..], &["actors"][..]] {
        let text = table(&env, args);
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{args:?}: {text:?}");
        assert!(text.contains("Escaped") || text.contains("pasted"), "{args:?}: {text}");
    }
}

/// The state table names the zone with its offset at `--at` in its header;
/// a time on the other side of a clock change (Damascus kept +02:00 in
/// winter until 2022; London changes twice a year) must carry its own
/// offset, or it is read an hour off. An ambiguous local hour (01:30 on
/// 25 October 2026 in London) is told apart the same way. The report's
/// situation and event list show the same; its event list also shows a
/// deadline or `until` given as a date as that date, not as the next
/// day's midnight.
#[test]
fn a_time_at_another_offset_than_the_header_shows_its_own() {
    let base = concat!(
        "{\"kind\":\"area\",\"area\":\"x\",\"name\":\"X\",\"source\":\"g\"}\n",
        "{\"kind\":\"actor\",\"actor\":\"a\",\"name\":\"A\",\"source\":\"g\"}\n",
    );
    let wide = |env: &TestEnv, args: &[&str]| env.run_env(&[("COLUMNS", "220")], args).ok().stdout.clone();

    let damascus = TestEnv::with_zone("Asia/Damascus");
    damascus.import_text(&format!(
        "{base}{}",
        "{\"kind\":\"curfew\",\"at\":\"2022-01-15T10:00\",\"areas\":[\"x\"],\"actor\":\"a\",\"source\":\"s\"}\n"
    ));
    let shown = wide(&damascus, &["state", "--at", "2023-01-01", "--format", "table", "--color", "never"]);
    assert!(shown.contains("times in Asia/Damascus +03:00"), "{shown}");
    assert!(shown.contains("since 2022-01-15 10:00 +02:00"), "{shown}");

    let london = TestEnv::with_zone("Europe/London");
    london.import_text(&format!(
        "{base}{}{}{}",
        "{\"kind\":\"ceasefire\",\"at\":\"2026-03-01T10:00\",\"areas\":[\"x\"],\"actor\":\"a\",\"source\":\"s\"}\n",
        "{\"kind\":\"curfew\",\"at\":\"2026-10-25T01:30\",\"areas\":[\"x\"],\"actor\":\"a\",\"source\":\"s\"}\n",
        "{\"kind\":\"ultimatum\",\"at\":\"2026-10-25T12:00\",\"deadline\":\"2026-10-26\",\"areas\":[\"x\"],\"actor\":\"a\",\"source\":\"s\"}\n",
    ));
    let summer = wide(&london, &["state", "--at", "2026-04-01T12:00", "--format", "table", "--color", "never"]);
    assert!(summer.contains("times in Europe/London +01:00"), "{summer}");
    assert!(summer.contains("since 2026-03-01 10:00 +00:00"), "{summer}");
    let winter = wide(&london, &["state", "--at", "2026-10-25T13:00", "--format", "table", "--color", "never"]);
    assert!(winter.contains("times in Europe/London +00:00"), "{winter}");
    assert!(!winter.contains("2026-03-01 10:00 +00:00"), "the header's own offset is not repeated:\n{winter}");
    assert!(winter.contains("since 2026-10-25 01:30 +01:00"), "{winter}");

    let html = london.run(&["report", "--at", "2026-10-25T13:00", "-o", "-"]).ok().stdout.clone();
    assert!(html.contains("since 2026-10-25 01:30 +01:00"), "report situation");
    assert!(html.contains("from 2026-10-25 01:30 +01:00"), "report timeline tooltip");
    let events = &html[html.find("id=\"events\"").unwrap_or(0)..];
    assert!(events.contains("2026-10-25 01:30 +01:00"), "report events");
    assert!(events.contains("deadline 2026-10-26 (day)"), "report events: date deadline");
    assert!(!events.contains("deadline 2026-10-27 00:00"), "report events: date deadline");
}

/// An end given as a date (an `until`, an `ended` time, a deadline) lasts
/// the whole of that day: every table, the JSON and the report show that
/// date, never the next day's midnight, whatever zone they are shown in.
/// At a tie with an end given as a time, the time is shown.
#[test]
fn an_end_given_as_a_date_reads_as_its_date() {
    let env = TestEnv::aleppo();
    env.import_text(concat!(
        "{\"kind\":\"curfew\",\"at\":\"2026-01-12\",\"until\":\"2026-01-14\",\"areas\":[\"aleppo/ashrafiyeh\"],\"actor\":\"internal-security\",\"source\":\"until-day\"}\n",
        "{\"kind\":\"ultimatum\",\"at\":\"2026-01-12T10:00\",\"deadline\":\"2026-01-15\",\"areas\":[\"aleppo/ashrafiyeh\"],\"actor\":\"syrian-army\",\"target\":\"sdf\",\"source\":\"deadline-day\"}\n",
        "{\"id\":\"0194f000-0000-7000-8000-000000000001\",\"kind\":\"ceasefire\",\"at\":\"2026-01-12T08:00\",\"until\":\"2026-01-20T08:00\",\"areas\":[\"aleppo/ashrafiyeh\"],\"actor\":\"syrian-mod\",\"source\":\"ended-day\"}\n",
        "{\"kind\":\"ended\",\"at\":\"2026-01-13\",\"ends\":\"0194f000-0000-7000-8000-000000000001\",\"source\":\"s\"}\n",
        "{\"id\":\"0194f000-0000-7000-8000-000000000002\",\"kind\":\"evacuation\",\"at\":\"2026-01-12T09:00\",\"until\":\"2026-01-14\",\"areas\":[\"aleppo/ashrafiyeh\"],\"actor\":\"civil-defence\",\"source\":\"tie-source\"}\n",
        "{\"kind\":\"ended\",\"at\":\"2026-01-15T00:00\",\"ends\":\"0194f000-0000-7000-8000-000000000002\",\"source\":\"s\"}\n",
    ));
    let at = "2026-01-13T12:00";
    for zone in [None, Some("UTC")] {
        let mut args = vec!["state", "--at", at, "--area", "ashrafiyeh", "--format", "table", "--color", "never"];
        if let Some(z) = zone {
            args.extend(["--tz", z]);
        }
        let shown = env.run_env(&[("COLUMNS", "220")], &args).ok().stdout.clone();
        let row = |source: &str| shown.lines().find(|l| l.contains(source)).unwrap_or_default().to_string();
        assert!(row("until-day").contains("2026-01-12 (day) → 2026-01-14 (day)"), "{zone:?}:\n{shown}");
        assert!(row("deadline-day").contains("deadline 2026-01-15 (day)"), "{zone:?}:\n{shown}");
        assert!(row("ended-day").contains("→ 2026-01-13 (day)"), "{zone:?}:\n{shown}");
        let tie = if zone.is_some() { "→ 2026-01-14 21:00" } else { "→ 2026-01-15 00:00" };
        assert!(row("tie-source").contains(tie), "{zone:?}:\n{shown}");
        for source in ["until-day", "deadline-day", "ended-day"] {
            assert!(!row(source).contains(" 00:00") && !row(source).contains(" 21:00"), "{zone:?}:\n{shown}");
        }

        let mut args = vec!["report", "--at", at, "--since", "2026-01-11", "--area", "ashrafiyeh", "-o", "-"];
        if let Some(z) = zone {
            args.extend(["--tz", z]);
        }
        let html = env.run(&args).ok().stdout.clone();
        let situation =
            &html[html.find("id=\"situation\"").unwrap_or(0)..html.find("id=\"events\"").unwrap_or(html.len())];
        for want in ["2026-01-12 (day) → 2026-01-14 (day)", "deadline 2026-01-15 (day)", "→ 2026-01-13 (day)"] {
            assert!(situation.contains(want), "{zone:?}: report situation without {want:?}");
        }
        for tip in ["until 2026-01-14 (day)", "until 2026-01-13 (day)", "ultimatum → 15 Jan (day)"] {
            assert!(html.contains(tip), "{zone:?}: report timeline without {tip:?}");
        }
    }

    // JSON keeps the instant (the end of the day, exclusive) and says it was a date
    let state = env.run(&["state", "--at", at, "--area", "ashrafiyeh", "--format", "json"]).ok().json();
    let area = &state["areas"]["aleppo/ashrafiyeh"];
    let by_source = |s: &str| {
        area["active"].as_array().and_then(|a| a.iter().find(|x| x["source"] == s)).cloned().unwrap_or_default()
    };
    assert_eq!(by_source("until-day")["until"], "2026-01-14T21:00:00Z");
    assert_eq!(by_source("until-day")["until_precision"], "day");
    assert_eq!(by_source("ended-day")["until"], "2026-01-13T21:00:00Z");
    assert_eq!(by_source("ended-day")["until_precision"], "day");
    assert_eq!(by_source("tie-source")["until"], "2026-01-14T21:00:00Z");
    assert!(by_source("tie-source").get("until_precision").is_none(), "{}", by_source("tie-source"));
    let deadline = area["deadlines"].as_array().and_then(|d| d.iter().find(|x| x["source"] == "deadline-day")).cloned();
    let deadline = deadline.unwrap_or_default();
    assert_eq!(deadline["deadline"], "2026-01-15T21:00:00Z");
    assert_eq!(deadline["deadline_precision"], "day");
    let earlier = area["deadlines"].as_array().and_then(|d| d.iter().find(|x| x["source"] != "deadline-day")).cloned();
    let earlier = earlier.unwrap_or_default();
    assert!(earlier["deadline"].is_string(), "the scenario's ultimatum is in the state");
    assert!(earlier.get("deadline_precision").is_none(), "a deadline given as a time");

    // the map's area layer names the deadline's day too
    let areas =
        env.run(&["export", "geojson", "--layer", "areas", "--at", at, "--area", "ashrafiyeh", "-o", "-"]).ok().json();
    let deadlines = areas["features"][0]["properties"]["deadlines"].as_str().unwrap_or_default().to_string();
    assert!(deadlines.contains("pending (2026-01-15, day)"), "{deadlines}");
}

/// Where the clocks skip a midnight by other than an hour (Kathmandu's
/// quarter-hour in 1986, the Cook Islands' half-hour summers, Casey's three
/// hours in 2016), a date given as an end still reads as that date, and the
/// day still ends where the next one begins: the event is over at the first
/// instant after the gap, not an hour (or a day's offset) later.
#[test]
fn an_end_given_as_a_date_reads_as_its_date_where_a_midnight_is_skipped_by_other_than_an_hour() {
    // (log zone, the day given, a time in it, the first instant of the next day in UTC)
    let cases = [
        ("Asia/Kathmandu", "1985-12-31", "1985-12-31T12:00", "1985-12-31T18:30:00Z"),
        ("Pacific/Rarotonga", "1979-10-27", "1979-10-27T12:00", "1979-10-28T10:00:00Z"),
        ("Antarctica/Casey", "2016-10-21", "2016-10-21T12:00", "2016-10-21T16:00:00Z"),
        ("Asia/Damascus", "2021-03-25", "2021-03-25T12:00", "2021-03-25T22:00:00Z"),
    ];
    for (zone, day, during, next_day) in cases {
        let env = TestEnv::with_zone(zone);
        env.import_text(&format!(
            concat!(
                "{{\"kind\":\"area\",\"area\":\"x\",\"name\":\"X\",\"source\":\"s\"}}\n",
                "{{\"kind\":\"actor\",\"actor\":\"a\",\"name\":\"A\",\"source\":\"s\"}}\n",
                "{{\"kind\":\"curfew\",\"at\":\"{during}\",\"until\":\"{day}\",\"areas\":[\"x\"],\"actor\":\"a\",\"source\":\"until-day\"}}\n",
                "{{\"kind\":\"ultimatum\",\"at\":\"{during}\",\"deadline\":\"{day}\",\"areas\":[\"x\"],\"actor\":\"a\",\"source\":\"deadline-day\"}}\n",
            ),
            during = during,
            day = day
        ));
        let shown = env
            .run_env(&[("COLUMNS", "220")], &["state", "--at", during, "--format", "table", "--color", "never"])
            .ok()
            .stdout
            .clone();
        let row = |source: &str| shown.lines().find(|l| l.contains(source)).unwrap_or_default().to_string();
        assert!(row("until-day").contains(&format!("→ {day} (day)")), "{zone}:\n{shown}");
        assert!(row("deadline-day").contains(&format!("deadline {day} (day)")), "{zone}:\n{shown}");
        let state = env.run(&["state", "--at", during, "--format", "json"]).ok().json();
        assert_eq!(state["areas"]["x"]["active"][0]["until"], next_day, "{zone}");
        assert_eq!(state["areas"]["x"]["deadlines"][0]["deadline"], next_day, "{zone}");
        // over at the next day's first instant
        let after = env.run(&["state", "--at", next_day, "--format", "json"]).ok().json();
        assert_eq!(after["areas"]["x"]["active"], serde_json::json!([]), "{zone}");
        assert_eq!(after["areas"]["x"]["deadlines"][0]["status"], "expired", "{zone}");
    }
}
