//! The projection, read by hand: each test is a log (lines admitted through
//! the fixture's context, with their recording times) and a table of reads
//! `(at, known_at, expected state)`, the expected state written out as JSON
//! from the contract's rules. Areas where nothing is going on are left out
//! of the expectations (and of the state compared); the tests on the shape
//! of the JSON and on the area filter look at every area.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use sijil_core::KnownAt;

use crate::support::{id_text as id, without_quiet_areas, Log};

/// When the lines of most logs below were recorded: after every valid time
/// they mention, so that only valid time matters.
const LATER: &str = "2026-01-20T00:00:00Z";

/// Reads `log` at each `(at, known_at)` and compares the state, without its
/// quiet areas, with the expectation. `at` is written as the state must echo
/// it (UTC, `Z`); the expectation must give `areas` and `casualties`, and
/// gives `seq` and `known_at` when the read is about them.
fn check(log: &Log, reads: &[(&str, KnownAt, Value)]) {
    let mut failures = Vec::new();
    for (at, known, want) in reads {
        let want = want.as_object().expect("an expectation is an object");
        assert!(want.contains_key("areas") && want.contains_key("casualties"), "{at}: incomplete expectation");
        let got = without_quiet_areas(log.state(at, *known));
        if got["at"] != json!(at) {
            failures.push(format!("at {at} ({known:?}): \"at\" is {}", got["at"]));
        }
        for (key, value) in want {
            if &got[key] != value {
                failures.push(format!("at {at} ({known:?}): {key}\n  want: {value:#}\n  got:  {:#}", got[key]));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn lines_recorded_later<'a>(lines: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    lines.iter().map(|line| (LATER, *line)).collect()
}

#[test]
fn a_ceasefire_is_in_force_from_at_up_to_but_not_at_until() {
    let log = Log::new(&lines_recorded_later(&[
        // 11: 03:00 to 15:00 in Damascus = 00:00Z to 12:00Z
        r#"{"kind":"ceasefire","at":"2026-01-09T03:00","until":"2026-01-09T15:00","areas":["aleppo/sheikh-maqsoud"],"actor":"syrian-mod","target":"sdf","terms":["no heavy weapons"],"source":"SANA"}"#,
    ]));
    let in_force = json!({
        "aleppo/sheikh-maqsoud": {
            "name": "Sheikh Maqsoud", "parent": "aleppo",
            "active": [{
                "id": id(11), "kind": "ceasefire", "actor": "syrian-mod", "target": "sdf",
                "since": "2026-01-09T00:00:00Z", "until": "2026-01-09T12:00:00Z",
                "terms": ["no heavy weapons"], "source": "SANA"
            }],
            "deadlines": [], "forces": [], "control": [], "incidents": 0
        }
    });
    check(
        &log,
        &[
            ("2026-01-08T23:59:59Z", KnownAt::All, json!({"areas": {}, "casualties": [], "seq": 11, "known_at": null})),
            ("2026-01-09T00:00:00Z", KnownAt::All, json!({"areas": in_force, "casualties": []})),
            ("2026-01-09T11:59:59Z", KnownAt::All, json!({"areas": in_force, "casualties": []})),
            ("2026-01-09T12:00:00Z", KnownAt::All, json!({"areas": {}, "casualties": []})),
        ],
    );
}

#[test]
fn a_day_counts_from_its_midnight_in_the_zone_and_a_day_until_lasts_the_whole_day() {
    let log = Log::new(&lines_recorded_later(&[
        // 11: the whole of 8 January in Damascus = 2026-01-07T21:00Z to 2026-01-08T21:00Z
        r#"{"kind":"curfew","at":"2026-01-08","until":"2026-01-08","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","source":"Aleppo Governorate"}"#,
        // 12: an incident known only to the day
        r#"{"kind":"armed_clash","at":"2026-01-08","areas":["aleppo/bani-zaid"],"source":"SOHR"}"#,
    ]));
    let clash = json!({
        "name": "Bani Zaid", "parent": "aleppo",
        "active": [], "deadlines": [], "forces": [], "control": [], "incidents": 1
    });
    let curfew_and_clash = json!({
        "aleppo/ashrafiyeh": {
            "name": "Ashrafiyeh", "parent": "aleppo",
            "active": [{
                "id": id(11), "kind": "curfew", "actor": "internal-security",
                "since": "2026-01-07T21:00:00Z", "precision": "day", "until": "2026-01-08T21:00:00Z",
                "until_precision": "day", "source": "Aleppo Governorate"
            }],
            "deadlines": [], "forces": [], "control": [], "incidents": 0
        },
        "aleppo/bani-zaid": clash
    });
    check(
        &log,
        &[
            ("2026-01-07T20:59:59Z", KnownAt::All, json!({"areas": {}, "casualties": []})),
            ("2026-01-07T21:00:00Z", KnownAt::All, json!({"areas": curfew_and_clash, "casualties": []})),
            ("2026-01-08T20:59:59Z", KnownAt::All, json!({"areas": curfew_and_clash, "casualties": []})),
            ("2026-01-08T21:00:00Z", KnownAt::All, json!({"areas": {"aleppo/bani-zaid": clash}, "casualties": []})),
        ],
    );
}

#[test]
fn a_deployment_a_claim_or_a_report_given_as_a_date_keeps_day_precision() {
    let log = Log::new(&lines_recorded_later(&[
        // 11–13: known only to the day (8 January in Damascus starts at 2026-01-07T21:00Z)
        r#"{"kind":"deployment","at":"2026-01-08","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","source":"SANA"}"#,
        r#"{"kind":"control_claim","at":"2026-01-08","areas":["aleppo/ashrafiyeh"],"actor":"syrian-army","extent":"partial","source":"SANA"}"#,
        r#"{"kind":"casualty_report","at":"2026-01-08","areas":["aleppo/ashrafiyeh"],"killed":3,"cumulative":false,"source":"SOHR"}"#,
        // 14: the same source adds a report with a time: the figures are then as of that time
        r#"{"kind":"casualty_report","at":"2026-01-09T02:30:00Z","areas":["aleppo/ashrafiyeh"],"killed":2,"cumulative":false,"source":"SOHR"}"#,
    ]));
    let area = json!({
        "aleppo/ashrafiyeh": {
            "name": "Ashrafiyeh", "parent": "aleppo", "active": [], "deadlines": [],
            "forces": [{
                "actor": "internal-security", "since": "2026-01-07T21:00:00Z", "precision": "day",
                "source": "SANA", "sources": ["SANA"], "id": id(11)
            }],
            "control": [{
                "id": id(12), "actor": "syrian-army", "extent": "partial",
                "at": "2026-01-07T21:00:00Z", "precision": "day", "source": "SANA"
            }],
            "incidents": 0
        }
    });
    let by_day = json!([{
        "source": "SOHR", "killed": 3, "wounded": null, "civilian": null,
        "at": "2026-01-07T21:00:00Z", "precision": "day",
        "areas": ["aleppo/ashrafiyeh"], "id": id(13), "reports": 1
    }]);
    let by_time = json!([{
        "source": "SOHR", "killed": 5, "wounded": null, "civilian": null,
        "at": "2026-01-09T02:30:00Z",
        "areas": ["aleppo/ashrafiyeh"], "id": id(14), "reports": 2
    }]);
    check(
        &log,
        &[
            ("2026-01-08T12:00:00Z", KnownAt::All, json!({"areas": area, "casualties": by_day})),
            ("2026-01-09T03:00:00Z", KnownAt::All, json!({"areas": area, "casualties": by_time})),
        ],
    );
}

#[test]
fn an_ultimatum_is_pending_before_its_deadline_and_expired_from_it_on() {
    let log = Log::new(&lines_recorded_later(&[
        // 11: issued 01:00Z, deadline 06:00Z
        r#"{"kind":"ultimatum","at":"2026-01-09T04:00","deadline":"2026-01-09T09:00","areas":["aleppo/sheikh-maqsoud"],"actor":"syrian-mod","target":"sdf","demand":"hand over the heavy weapons","source":"SANA"}"#,
        // 12: issued 02:00Z, deadline the whole of 10 January: 2026-01-10T21:00Z
        r#"{"kind":"ultimatum","at":"2026-01-09T02:00:00Z","deadline":"2026-01-10","areas":["الأشرفية"],"actor":"syrian-army","target":"قسد","source":"Hawar"}"#,
    ]));
    let u11 = |status: &str| {
        json!({
            "aleppo/sheikh-maqsoud": {
                "name": "Sheikh Maqsoud", "parent": "aleppo",
                "active": [],
                "deadlines": [{
                    "id": id(11), "actor": "syrian-mod", "target": "sdf", "deadline": "2026-01-09T06:00:00Z",
                    "status": status, "demand": "hand over the heavy weapons", "source": "SANA"
                }],
                "forces": [], "control": [], "incidents": 0
            }
        })
    };
    let u12 = |status: &str| {
        json!({
            "name": "Ashrafiyeh", "parent": "aleppo",
            "active": [],
            "deadlines": [{
                "id": id(12), "actor": "syrian-army", "target": "sdf", "deadline": "2026-01-10T21:00:00Z",
                "deadline_precision": "day", "status": status, "source": "Hawar"
            }],
            "forces": [], "control": [], "incidents": 0
        })
    };
    let both = |s11: &str, s12: &str| {
        let mut areas = u11(s11);
        areas["aleppo/ashrafiyeh"] = u12(s12);
        areas
    };
    check(
        &log,
        &[
            ("2026-01-09T00:59:59Z", KnownAt::All, json!({"areas": {}, "casualties": []})),
            ("2026-01-09T01:00:00Z", KnownAt::All, json!({"areas": u11("pending"), "casualties": []})),
            ("2026-01-09T05:59:59Z", KnownAt::All, json!({"areas": both("pending", "pending"), "casualties": []})),
            ("2026-01-09T06:00:00Z", KnownAt::All, json!({"areas": both("expired", "pending"), "casualties": []})),
            ("2026-01-10T20:59:59Z", KnownAt::All, json!({"areas": both("expired", "pending"), "casualties": []})),
            ("2026-01-10T21:00:00Z", KnownAt::All, json!({"areas": both("expired", "expired"), "casualties": []})),
        ],
    );
}

#[test]
fn ended_stops_a_durative_event_at_its_time_and_drops_an_ultimatum() {
    let log = Log::new(&lines_recorded_later(&[
        // 11, ended by 12 at 10:00Z
        r#"{"kind":"ceasefire","at":"2026-01-09T02:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"syrian-mod","source":"SANA"}"#,
        r#"{"kind":"ended","at":"2026-01-09T10:00:00Z","ends":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
        // 13, until 12:00Z but ended by 14 at 08:00Z
        r#"{"kind":"evacuation","at":"2026-01-09T04:00:00Z","until":"2026-01-09T12:00:00Z","areas":["aleppo/sheikh-maqsoud"],"via":["aleppo/al-awarid-crossing"],"actor":"civil-defence","source":"Syrian Civil Defence"}"#,
        r#"{"kind":"ended","at":"2026-01-09T08:00:00Z","ends":"00000000-0000-0000-0000-000000000013","source":"Syrian Civil Defence"}"#,
        // 15, deadline 2026-01-10T00:00Z, ended by 16 at 05:00Z
        r#"{"kind":"ultimatum","at":"2026-01-09T02:00:00Z","deadline":"2026-01-10T00:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"syrian-mod","target":"sdf","source":"SANA"}"#,
        r#"{"kind":"ended","at":"2026-01-09T05:00:00Z","ends":"00000000-0000-0000-0000-000000000015","source":"SANA"}"#,
    ]));
    let ceasefire = json!({
        "id": id(11), "kind": "ceasefire", "actor": "syrian-mod",
        "since": "2026-01-09T02:00:00Z", "until": "2026-01-09T10:00:00Z", "source": "SANA"
    });
    let ultimatum = json!({
        "id": id(15), "actor": "syrian-mod", "target": "sdf", "deadline": "2026-01-10T00:00:00Z",
        "status": "pending", "source": "SANA"
    });
    let evacuation = json!({
        "aleppo/sheikh-maqsoud": {
            "name": "Sheikh Maqsoud", "parent": "aleppo",
            "active": [{
                "id": id(13), "kind": "evacuation", "actor": "civil-defence",
                "since": "2026-01-09T04:00:00Z", "until": "2026-01-09T08:00:00Z",
                "via": ["aleppo/al-awarid-crossing"], "source": "Syrian Civil Defence"
            }],
            "deadlines": [], "forces": [], "control": [], "incidents": 0
        }
    });
    let ashrafiyeh = |deadlines: Value| {
        json!({
            "name": "Ashrafiyeh", "parent": "aleppo",
            "active": [ceasefire], "deadlines": deadlines, "forces": [], "control": [], "incidents": 0
        })
    };
    let with = |mut areas: Value, ash: Value| {
        areas["aleppo/ashrafiyeh"] = ash;
        areas
    };
    check(
        &log,
        &[
            (
                "2026-01-09T04:30:00Z",
                KnownAt::All,
                json!({"areas": with(evacuation.clone(), ashrafiyeh(json!([ultimatum]))), "casualties": []}),
            ),
            // the ultimatum's end: dropped, not expired
            (
                "2026-01-09T05:00:00Z",
                KnownAt::All,
                json!({"areas": with(evacuation.clone(), ashrafiyeh(json!([]))), "casualties": []}),
            ),
            (
                "2026-01-09T07:59:59Z",
                KnownAt::All,
                json!({"areas": with(evacuation, ashrafiyeh(json!([]))), "casualties": []}),
            ),
            // the evacuation's end comes before its until
            (
                "2026-01-09T08:00:00Z",
                KnownAt::All,
                json!({"areas": {"aleppo/ashrafiyeh": ashrafiyeh(json!([]))}, "casualties": []}),
            ),
            ("2026-01-09T10:00:00Z", KnownAt::All, json!({"areas": {}, "casualties": []})),
            // past the deadline of the ended ultimatum: still dropped
            ("2026-01-10T00:00:00Z", KnownAt::All, json!({"areas": {}, "casualties": []})),
        ],
    );
    // before the ends are recorded, the same events run on
    check(
        &log,
        &[(
            "2026-01-09T11:00:00Z",
            KnownAt::Seq(11),
            json!({
                "seq": 11, "known_at": "#11", "casualties": [],
                "areas": {"aleppo/ashrafiyeh": {
                    "name": "Ashrafiyeh", "parent": "aleppo",
                    "active": [{
                        "id": id(11), "kind": "ceasefire", "actor": "syrian-mod",
                        "since": "2026-01-09T02:00:00Z", "until": null, "source": "SANA"
                    }],
                    "deadlines": [], "forces": [], "control": [], "incidents": 0
                }}
            }),
        )],
    );
}

#[test]
fn an_end_follows_the_correction_of_what_it_ends_and_a_retracted_end_ends_nothing() {
    let log = Log::new(&lines_recorded_later(&[
        // 11, ended by 12 at 06:00Z, an end that 13 retracts
        r#"{"kind":"ceasefire","at":"2026-01-09T02:00:00Z","areas":["aleppo/bani-zaid"],"actor":"syrian-mod","source":"SANA"}"#,
        r#"{"kind":"ended","at":"2026-01-09T06:00:00Z","ends":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
        r#"{"kind":"retraction","at":"2026-01-09T09:00:00Z","retracts":"00000000-0000-0000-0000-000000000012","source":"SANA"}"#,
        // 14, ended by 15 at 08:00Z, then corrected by 16: the end holds for 16
        r#"{"kind":"curfew","at":"2026-01-09T02:00:00Z","until":"2026-01-09T20:00:00Z","areas":["aleppo/sheikh-maqsoud"],"actor":"internal-security","source":"Aleppo Governorate"}"#,
        r#"{"kind":"ended","at":"2026-01-09T08:00:00Z","ends":"00000000-0000-0000-0000-000000000014","source":"Aleppo Governorate"}"#,
        r#"{"kind":"curfew","at":"2026-01-09T03:00:00Z","until":"2026-01-09T20:00:00Z","areas":["aleppo/sheikh-maqsoud"],"actor":"internal-security","corrects":"00000000-0000-0000-0000-000000000014","source":"Aleppo Governorate"}"#,
    ]));
    let bani_zaid = json!({
        "name": "Bani Zaid", "parent": "aleppo",
        "active": [{"id": id(11), "kind": "ceasefire", "actor": "syrian-mod", "since": "2026-01-09T02:00:00Z", "until": null, "source": "SANA"}],
        "deadlines": [], "forces": [], "control": [], "incidents": 0
    });
    let curfew = |version: u64, since: &str| {
        json!({
            "name": "Sheikh Maqsoud", "parent": "aleppo",
            "active": [{
                "id": id(version), "kind": "curfew", "actor": "internal-security",
                "since": since, "until": "2026-01-09T08:00:00Z", "source": "Aleppo Governorate"
            }],
            "deadlines": [], "forces": [], "control": [], "incidents": 0
        })
    };
    check(
        &log,
        &[
            // the end is known and not yet retracted
            ("2026-01-09T07:00:00Z", KnownAt::Seq(12), json!({"seq": 12, "areas": {}, "casualties": []})),
            (
                "2026-01-09T05:59:59Z",
                KnownAt::Seq(12),
                json!({"areas": {"aleppo/bani-zaid": {
                "name": "Bani Zaid", "parent": "aleppo",
                "active": [{"id": id(11), "kind": "ceasefire", "actor": "syrian-mod", "since": "2026-01-09T02:00:00Z", "until": "2026-01-09T06:00:00Z", "source": "SANA"}],
                "deadlines": [], "forces": [], "control": [], "incidents": 0
            }}, "casualties": []}),
            ),
            // retracted: the ceasefire runs on, open-ended
            (
                "2026-01-09T07:00:00Z",
                KnownAt::Seq(15),
                json!({"areas": {"aleppo/bani-zaid": bani_zaid, "aleppo/sheikh-maqsoud": curfew(14, "2026-01-09T02:00:00Z")}, "casualties": []}),
            ),
            (
                "2026-01-09T07:00:00Z",
                KnownAt::All,
                json!({"areas": {"aleppo/bani-zaid": bani_zaid, "aleppo/sheikh-maqsoud": curfew(16, "2026-01-09T03:00:00Z")}, "casualties": []}),
            ),
            ("2026-01-09T08:00:00Z", KnownAt::All, json!({"areas": {"aleppo/bani-zaid": bani_zaid}, "casualties": []})),
        ],
    );
}

#[test]
fn forces_stay_until_the_same_actor_withdraws_and_control_is_the_latest_claim_per_actor() {
    let log = Log::new(&lines_recorded_later(&[
        /* 11 */
        r#"{"kind":"deployment","at":"2026-01-10T06:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"sdf","source":"Hawar"}"#,
        /* 12 */
        r#"{"kind":"control_claim","at":"2026-01-10T07:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"syrian-army","extent":"partial","source":"SANA"}"#,
        /* 13 */
        r#"{"kind":"deployment","at":"2026-01-10T08:00:00Z","areas":["aleppo/ashrafiyeh","aleppo/sheikh-maqsoud"],"actor":"internal-security","source":"SANA"}"#,
        /* 14 */
        r#"{"kind":"control_claim","at":"2026-01-10T08:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"sdf","extent":40,"source":"Hawar"}"#,
        // 15: a withdrawal by an actor that is not there removes no one
        /* 15 */
        r#"{"kind":"withdrawal","at":"2026-01-10T09:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"syrian-army","source":"SANA"}"#,
        /* 16 */
        r#"{"kind":"control_claim","at":"2026-01-10T10:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"syrian-army","extent":"full","source":"SANA"}"#,
        // 17: the same presence reported again by another source
        /* 17 */
        r#"{"kind":"deployment","at":"2026-01-10T11:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","source":"Aleppo Governorate"}"#,
        // 18: internal security leaves Ashrafiyeh only
        /* 18 */
        r#"{"kind":"withdrawal","at":"2026-01-10T12:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","source":"Aleppo Governorate"}"#,
    ]));
    let sdf =
        json!({"actor": "sdf", "since": "2026-01-10T06:00:00Z", "source": "Hawar", "sources": ["Hawar"], "id": id(11)});
    let security = |sources: Value| json!({"actor": "internal-security", "since": "2026-01-10T08:00:00Z", "source": "SANA", "sources": sources, "id": id(13)});
    let army_partial = json!({"id": id(12), "actor": "syrian-army", "extent": "partial", "at": "2026-01-10T07:00:00Z", "source": "SANA"});
    let army_full =
        json!({"id": id(16), "actor": "syrian-army", "extent": "full", "at": "2026-01-10T10:00:00Z", "source": "SANA"});
    let sdf_40 = json!({"id": id(14), "actor": "sdf", "extent": 40.0, "at": "2026-01-10T08:00:00Z", "source": "Hawar"});
    let ashrafiyeh = |forces: Value, control: Value| {
        json!({
            "name": "Ashrafiyeh", "parent": "aleppo",
            "active": [], "deadlines": [], "forces": forces, "control": control, "incidents": 0
        })
    };
    let sheikh_maqsoud = json!({
        "name": "Sheikh Maqsoud", "parent": "aleppo",
        "active": [], "deadlines": [], "forces": [security(json!(["SANA"]))], "control": [], "incidents": 0
    });
    check(
        &log,
        &[
            ("2026-01-10T05:59:59Z", KnownAt::All, json!({"areas": {}, "casualties": []})),
            (
                "2026-01-10T06:00:00Z",
                KnownAt::All,
                json!({"areas": {"aleppo/ashrafiyeh": ashrafiyeh(json!([sdf]), json!([]))}, "casualties": []}),
            ),
            (
                "2026-01-10T09:30:00Z",
                KnownAt::All,
                json!({
                    "areas": {
                        "aleppo/ashrafiyeh": ashrafiyeh(json!([security(json!(["SANA"])), sdf]), json!([sdf_40, army_partial])),
                        "aleppo/sheikh-maqsoud": sheikh_maqsoud
                    },
                    "casualties": []
                }),
            ),
            (
                "2026-01-10T11:00:00Z",
                KnownAt::All,
                json!({
                    "areas": {
                        "aleppo/ashrafiyeh": ashrafiyeh(
                            json!([security(json!(["SANA", "Aleppo Governorate"])), sdf]),
                            json!([sdf_40, army_full])
                        ),
                        "aleppo/sheikh-maqsoud": sheikh_maqsoud
                    },
                    "casualties": []
                }),
            ),
            (
                "2026-01-10T12:00:00Z",
                KnownAt::All,
                json!({
                    "areas": {
                        "aleppo/ashrafiyeh": ashrafiyeh(json!([sdf]), json!([sdf_40, army_full])),
                        "aleppo/sheikh-maqsoud": sheikh_maqsoud
                    },
                    "casualties": []
                }),
            ),
        ],
    );
}

#[test]
fn a_deployment_that_ends_leaves_the_same_actors_other_deployments_in_place() {
    let log = Log::new(&lines_recorded_later(&[
        /* 11 */
        r#"{"kind":"deployment","at":"2026-01-10T06:00:00Z","until":"2026-01-10T10:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"sdf","source":"Hawar"}"#,
        /* 12 */
        r#"{"kind":"deployment","at":"2026-01-10T08:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"sdf","source":"SOHR"}"#,
        /* 13 */
        r#"{"kind":"deployment","at":"2026-01-10T06:00:00Z","until":"2026-01-10T09:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"syrian-army","source":"SANA"}"#,
        /* 14 */
        r#"{"kind":"deployment","at":"2026-01-10T07:00:00Z","areas":["aleppo/sheikh-maqsoud"],"actor":"internal-security","source":"SANA"}"#,
        /* 15 */
        r#"{"kind":"ended","at":"2026-01-10T09:30:00Z","ends":"00000000-0000-0000-0000-000000000014","source":"SANA"}"#,
        // a withdrawal ends the actor's presence, however many deployments made it
        /* 16 */
        r#"{"kind":"withdrawal","at":"2026-01-10T12:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"sdf","source":"Hawar"}"#,
    ]));
    let sdf = |sources: Value| json!({"actor": "sdf", "since": "2026-01-10T06:00:00Z", "source": "Hawar", "sources": sources, "id": id(11)});
    let army = json!({"actor": "syrian-army", "since": "2026-01-10T06:00:00Z", "source": "SANA", "sources": ["SANA"], "id": id(13)});
    let ashrafiyeh = |forces: Value| json!({"name": "Ashrafiyeh", "parent": "aleppo", "active": [], "deadlines": [], "forces": forces, "control": [], "incidents": 0});
    let sheikh_maqsoud = json!({
        "name": "Sheikh Maqsoud", "parent": "aleppo", "active": [], "deadlines": [], "control": [], "incidents": 0,
        "forces": [{"actor": "internal-security", "since": "2026-01-10T07:00:00Z", "source": "SANA", "sources": ["SANA"], "id": id(14)}]
    });
    check(
        &log,
        &[
            (
                "2026-01-10T07:00:00Z",
                KnownAt::All,
                json!({"areas": {"aleppo/ashrafiyeh": ashrafiyeh(json!([sdf(json!(["Hawar"])), army])), "aleppo/sheikh-maqsoud": sheikh_maqsoud}, "casualties": []}),
            ),
            // 13 is over at its until; 11 and 12 run on together
            (
                "2026-01-10T09:00:00Z",
                KnownAt::All,
                json!({"areas": {"aleppo/ashrafiyeh": ashrafiyeh(json!([sdf(json!(["Hawar", "SOHR"]))])), "aleppo/sheikh-maqsoud": sheikh_maqsoud}, "casualties": []}),
            ),
            // 14 is ended
            (
                "2026-01-10T09:30:00Z",
                KnownAt::All,
                json!({"areas": {"aleppo/ashrafiyeh": ashrafiyeh(json!([sdf(json!(["Hawar", "SOHR"]))]))}, "casualties": []}),
            ),
            // 11 is over, 12 still runs: sdf is still there
            (
                "2026-01-10T11:00:00Z",
                KnownAt::All,
                json!({"areas": {"aleppo/ashrafiyeh": ashrafiyeh(json!([sdf(json!(["Hawar", "SOHR"]))]))}, "casualties": []}),
            ),
            ("2026-01-10T12:00:00Z", KnownAt::All, json!({"areas": {}, "casualties": []})),
        ],
    );
}

#[test]
fn incidents_count_violent_events_per_area_up_to_at() {
    let log = Log::new(&lines_recorded_later(&[
        /* 11 */
        r#"{"kind":"shelling","at":"2026-01-09T10:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"sdf","killed":2,"source":"SANA"}"#,
        /* 12 */
        r#"{"kind":"sniping","at":"2026-01-09T11:00:00Z","areas":["aleppo/ashrafiyeh","aleppo/sheikh-maqsoud"],"source":"Hawar"}"#,
        /* 13 */
        r#"{"kind":"airstrike","at":"2026-01-09T12:00:00Z","areas":["aleppo/sheikh-maqsoud"],"source":"SOHR"}"#,
        /* 14 */
        r#"{"kind":"armed_clash","at":"2026-01-09T13:00:00Z","areas":["aleppo/bani-zaid"],"source":"SOHR"}"#,
        // not violent incidents
        /* 15 */
        r#"{"kind":"detention","at":"2026-01-09T10:30:00Z","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","count":3,"source":"SANA"}"#,
        /* 16 */
        r#"{"kind":"statement","at":"2026-01-09T10:30:00Z","areas":["aleppo/ashrafiyeh"],"actor":"sdf","source":"Hawar"}"#,
        /* 17 */
        r#"{"kind":"withdrawal","at":"2026-01-09T10:30:00Z","areas":["aleppo/bani-zaid"],"actor":"sdf","source":"Hawar"}"#,
    ]));
    let count = |name: &str, n: u64| {
        json!({
            "name": name, "parent": "aleppo",
            "active": [], "deadlines": [], "forces": [], "control": [], "incidents": n
        })
    };
    check(
        &log,
        &[
            ("2026-01-09T09:59:59Z", KnownAt::All, json!({"areas": {}, "casualties": []})),
            (
                // the killed of a shelling are not a casualty report
                "2026-01-09T10:59:59Z",
                KnownAt::All,
                json!({"areas": {"aleppo/ashrafiyeh": count("Ashrafiyeh", 1)}, "casualties": []}),
            ),
            (
                "2026-01-09T11:00:00Z",
                KnownAt::All,
                json!({
                    "areas": {
                        "aleppo/ashrafiyeh": count("Ashrafiyeh", 2),
                        "aleppo/sheikh-maqsoud": count("Sheikh Maqsoud", 1)
                    },
                    "casualties": []
                }),
            ),
            (
                "2026-01-12T00:00:00Z",
                KnownAt::All,
                json!({
                    "areas": {
                        "aleppo/ashrafiyeh": count("Ashrafiyeh", 2),
                        "aleppo/sheikh-maqsoud": count("Sheikh Maqsoud", 2),
                        "aleppo/bani-zaid": count("Bani Zaid", 1)
                    },
                    "casualties": []
                }),
            ),
        ],
    );
}

#[test]
fn casualties_are_per_source_latest_cumulative_or_summed_and_never_summed_across_sources() {
    let log = Log::new(&lines_recorded_later(&[
        /* 11 */
        r#"{"kind":"casualty_report","at":"2026-01-09T10:00:00Z","areas":["aleppo/sheikh-maqsoud"],"killed":5,"wounded":20,"civilian":true,"source":"SOHR"}"#,
        /* 12 */
        r#"{"kind":"casualty_report","at":"2026-01-09T12:00:00Z","areas":["aleppo/sheikh-maqsoud"],"killed":2,"civilian":true,"cumulative":false,"source":"Ministry of Health"}"#,
        /* 13 */
        r#"{"kind":"casualty_report","at":"2026-01-09T14:00:00Z","areas":["aleppo/sheikh-maqsoud"],"killed":3,"wounded":4,"civilian":true,"cumulative":false,"source":"Ministry of Health"}"#,
        /* 14 */
        r#"{"kind":"casualty_report","at":"2026-01-09T15:00:00Z","areas":["aleppo/sheikh-maqsoud"],"killed":7,"civilian":true,"source":"SANA"}"#,
        /* 15 */
        r#"{"kind":"casualty_report","at":"2026-01-09T18:00:00Z","areas":["aleppo/sheikh-maqsoud"],"killed":9,"wounded":55,"civilian":true,"cumulative":true,"source":"SOHR"}"#,
        // 16: recorded after 15 but earlier in valid time: latest is by valid time
        /* 16 */
        r#"{"kind":"casualty_report","at":"2026-01-09T13:00:00Z","areas":["aleppo/sheikh-maqsoud"],"killed":6,"wounded":30,"civilian":true,"source":"SOHR"}"#,
        // 17: added to SOHR's cumulative 18:00 figures, in another area, population unstated
        /* 17 */
        r#"{"kind":"casualty_report","at":"2026-01-09T19:00:00Z","areas":["aleppo/ashrafiyeh"],"killed":1,"wounded":2,"cumulative":false,"source":"SOHR"}"#,
        // 18: a cumulative figure replaces the Ministry's sum, even a lower one
        /* 18 */
        r#"{"kind":"casualty_report","at":"2026-01-09T20:00:00Z","areas":["aleppo/sheikh-maqsoud"],"killed":4,"civilian":true,"source":"Ministry of Health"}"#,
        // 19: new wounded only: SANA's killed stay, its wounded count from zero
        /* 19 */
        r#"{"kind":"casualty_report","at":"2026-01-09T21:00:00Z","areas":["aleppo/sheikh-maqsoud"],"wounded":2,"civilian":true,"cumulative":false,"source":"SANA"}"#,
    ]));
    let entry = |source: &str, killed: Value, wounded: Value, at: &str, latest: u64, reports: u32| {
        json!({
            "source": source, "killed": killed, "wounded": wounded, "civilian": true, "at": at,
            "areas": ["aleppo/sheikh-maqsoud"], "id": id(latest), "reports": reports
        })
    };
    let ministry_sum = entry("Ministry of Health", json!(5), json!(4), "2026-01-09T14:00:00Z", 13, 2);
    let sana = entry("SANA", json!(7), json!(null), "2026-01-09T15:00:00Z", 14, 1);
    let sohr_13 = entry("SOHR", json!(6), json!(30), "2026-01-09T13:00:00Z", 16, 1);
    let sohr_18 = entry("SOHR", json!(9), json!(55), "2026-01-09T18:00:00Z", 15, 1);
    let sohr_19 = json!({
        "source": "SOHR", "killed": 10, "wounded": 57, "civilian": null, "at": "2026-01-09T19:00:00Z",
        "areas": ["aleppo/ashrafiyeh", "aleppo/sheikh-maqsoud"], "id": id(17), "reports": 2
    });
    check(
        &log,
        &[
            ("2026-01-09T09:59:59Z", KnownAt::All, json!({"areas": {}, "casualties": []})),
            (
                "2026-01-09T10:00:00Z",
                KnownAt::All,
                json!({"areas": {}, "casualties": [entry("SOHR", json!(5), json!(20), "2026-01-09T10:00:00Z", 11, 1)]}),
            ),
            // a first non-cumulative report starts the source's figures
            (
                "2026-01-09T13:00:00Z",
                KnownAt::All,
                json!({"areas": {}, "casualties": [
                    entry("Ministry of Health", json!(2), json!(null), "2026-01-09T12:00:00Z", 12, 1),
                    sohr_13,
                ]}),
            ),
            ("2026-01-09T16:00:00Z", KnownAt::All, json!({"areas": {}, "casualties": [ministry_sum, sana, sohr_13]})),
            ("2026-01-09T18:00:00Z", KnownAt::All, json!({"areas": {}, "casualties": [ministry_sum, sana, sohr_18]})),
            ("2026-01-09T19:00:00Z", KnownAt::All, json!({"areas": {}, "casualties": [ministry_sum, sana, sohr_19]})),
            (
                "2026-01-09T20:00:00Z",
                KnownAt::All,
                json!({"areas": {}, "casualties": [
                    entry("Ministry of Health", json!(4), json!(null), "2026-01-09T20:00:00Z", 18, 1),
                    sana,
                    sohr_19,
                ]}),
            ),
            (
                "2026-01-09T21:00:00Z",
                KnownAt::All,
                json!({"areas": {}, "casualties": [
                    entry("Ministry of Health", json!(4), json!(null), "2026-01-09T20:00:00Z", 18, 1),
                    entry("SANA", json!(7), json!(2), "2026-01-09T21:00:00Z", 19, 2),
                    sohr_19,
                ]}),
            ),
            // before report 16 was recorded, SOHR's 13:00 figures were unknown
            (
                "2026-01-09T16:00:00Z",
                KnownAt::Seq(15),
                json!({"seq": 15, "known_at": "#15", "areas": {}, "casualties": [
                    ministry_sum,
                    sana,
                    entry("SOHR", json!(5), json!(20), "2026-01-09T10:00:00Z", 11, 1),
                ]}),
            ),
        ],
    );
}

/// Positions and recording times of this log:
/// 11 ceasefire at 00:00Z, recorded 00:10Z; 12 shelling at 01:00Z, recorded
/// 01:10Z; 13 corrects 11 (starts at 02:00Z, until the next midnight UTC),
/// recorded 06:00Z; 14 retracts 12, recorded 07:00Z.
fn corrected_log() -> Log {
    Log::new(&[
        (
            "2026-01-09T00:10:00Z",
            r#"{"kind":"ceasefire","at":"2026-01-09T00:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"syrian-mod","source":"SANA"}"#,
        ),
        (
            "2026-01-09T01:10:00Z",
            r#"{"kind":"shelling","at":"2026-01-09T01:00:00Z","areas":["aleppo/sheikh-maqsoud"],"source":"Hawar"}"#,
        ),
        (
            "2026-01-09T06:00:00Z",
            r#"{"kind":"ceasefire","at":"2026-01-09T02:00:00Z","until":"2026-01-10T00:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"syrian-mod","corrects":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
        ),
        (
            "2026-01-09T07:00:00Z",
            r#"{"kind":"retraction","at":"2026-01-09T07:00:00Z","retracts":"00000000-0000-0000-0000-000000000012","source":"Hawar"}"#,
        ),
    ])
}

#[test]
fn corrections_and_retractions_count_only_from_when_they_are_recorded() {
    let log = corrected_log();
    let original = json!({
        "name": "Ashrafiyeh", "parent": "aleppo",
        "active": [{"id": id(11), "kind": "ceasefire", "actor": "syrian-mod", "since": "2026-01-09T00:00:00Z", "until": null, "source": "SANA"}],
        "deadlines": [], "forces": [], "control": [], "incidents": 0
    });
    let corrected = json!({
        "name": "Ashrafiyeh", "parent": "aleppo",
        "active": [{"id": id(13), "kind": "ceasefire", "actor": "syrian-mod", "since": "2026-01-09T02:00:00Z", "until": "2026-01-10T00:00:00Z", "source": "SANA"}],
        "deadlines": [], "forces": [], "control": [], "incidents": 0
    });
    let shelled = json!({
        "name": "Sheikh Maqsoud", "parent": "aleppo",
        "active": [], "deadlines": [], "forces": [], "control": [], "incidents": 1
    });
    let t = |s: &str| KnownAt::Time(crate::support::utc(s));
    check(
        &log,
        &[
            // at 01:30Z, as the log grew
            (
                "2026-01-09T01:30:00Z",
                KnownAt::Seq(10),
                json!({"seq": 10, "known_at": "#10", "areas": {}, "casualties": []}),
            ),
            (
                "2026-01-09T01:30:00Z",
                KnownAt::Seq(11),
                json!({"seq": 11, "known_at": "#11", "areas": {"aleppo/ashrafiyeh": original}, "casualties": []}),
            ),
            (
                "2026-01-09T01:30:00Z",
                KnownAt::Seq(12),
                json!({"seq": 12, "known_at": "#12", "areas": {"aleppo/ashrafiyeh": original, "aleppo/sheikh-maqsoud": shelled}, "casualties": []}),
            ),
            // the correction replaces the ceasefire, which now starts later
            (
                "2026-01-09T01:30:00Z",
                KnownAt::Seq(13),
                json!({"seq": 13, "known_at": "#13", "areas": {"aleppo/sheikh-maqsoud": shelled}, "casualties": []}),
            ),
            // the retraction hides the shelling at every valid time, even before its own "at"
            (
                "2026-01-09T01:30:00Z",
                KnownAt::Seq(14),
                json!({"seq": 14, "known_at": "#14", "areas": {}, "casualties": []}),
            ),
            ("2026-01-09T01:30:00Z", KnownAt::All, json!({"seq": 14, "known_at": null, "areas": {}, "casualties": []})),
            // the same by recording time, inclusive
            (
                "2026-01-09T01:30:00Z",
                t("2026-01-09T00:09:59Z"),
                json!({"seq": 10, "known_at": "2026-01-09T00:09:59Z", "areas": {}, "casualties": []}),
            ),
            (
                "2026-01-09T01:30:00Z",
                t("2026-01-09T00:10:00Z"),
                json!({"seq": 11, "known_at": "2026-01-09T00:10:00Z", "areas": {"aleppo/ashrafiyeh": original}, "casualties": []}),
            ),
            (
                "2026-01-09T01:30:00Z",
                t("2026-01-09T05:59:59Z"),
                json!({"seq": 12, "known_at": "2026-01-09T05:59:59Z", "areas": {"aleppo/ashrafiyeh": original, "aleppo/sheikh-maqsoud": shelled}, "casualties": []}),
            ),
            (
                "2026-01-09T01:30:00Z",
                t("2026-01-09T06:00:00Z"),
                json!({"seq": 13, "known_at": "2026-01-09T06:00:00Z", "areas": {"aleppo/sheikh-maqsoud": shelled}, "casualties": []}),
            ),
            (
                "2026-01-09T01:30:00Z",
                t("2026-01-09T07:00:00Z"),
                json!({"seq": 14, "known_at": "2026-01-09T07:00:00Z", "areas": {}, "casualties": []}),
            ),
            // at 03:00Z, before and after the correction
            (
                "2026-01-09T03:00:00Z",
                KnownAt::Seq(12),
                json!({"areas": {"aleppo/ashrafiyeh": original, "aleppo/sheikh-maqsoud": shelled}, "casualties": []}),
            ),
            (
                "2026-01-09T03:00:00Z",
                KnownAt::All,
                json!({"areas": {"aleppo/ashrafiyeh": corrected}, "casualties": []}),
            ),
            ("2026-01-10T00:00:00Z", KnownAt::All, json!({"areas": {}, "casualties": []})),
        ],
    );
}

/// Every area of a state, quiet or not.
fn area_slugs(state: &Value) -> Vec<&str> {
    state["areas"].as_object().expect("areas is an object").keys().map(String::as_str).collect()
}

#[test]
fn the_area_filter_keeps_the_area_and_the_areas_under_it() {
    let log = Log::new(&lines_recorded_later(&[
        /* 11 */
        r#"{"kind":"area","area":"aleppo/ashrafiyeh/sheikh-khudr","name":"Sheikh Khudr","source":"gazetteer"}"#,
        /* 12 */
        r#"{"kind":"shelling","at":"2026-01-09T10:00:00Z","areas":["aleppo/ashrafiyeh/sheikh-khudr"],"source":"SANA"}"#,
        /* 13 */
        r#"{"kind":"casualty_report","at":"2026-01-09T11:00:00Z","areas":["aleppo/ashrafiyeh"],"killed":1,"source":"SANA"}"#,
        /* 14 */
        r#"{"kind":"casualty_report","at":"2026-01-09T11:00:00Z","areas":["aleppo/sheikh-maqsoud"],"killed":4,"source":"SOHR"}"#,
    ]));
    let at = "2026-01-09T12:00:00Z";
    let quiet = |name: &str, parent: &str| json!({"name": name, "parent": parent, "active": [], "deadlines": [], "forces": [], "control": [], "incidents": 0});
    let khudr = json!({
        "name": "Sheikh Khudr", "parent": "aleppo/ashrafiyeh",
        "active": [], "deadlines": [], "forces": [], "control": [], "incidents": 1
    });
    let sana = json!({"source": "SANA", "killed": 1, "wounded": null, "civilian": null, "at": "2026-01-09T11:00:00Z", "areas": ["aleppo/ashrafiyeh"], "id": id(13), "reports": 1});
    let sohr = json!({"source": "SOHR", "killed": 4, "wounded": null, "civilian": null, "at": "2026-01-09T11:00:00Z", "areas": ["aleppo/sheikh-maqsoud"], "id": id(14), "reports": 1});

    let everything = log.state(at, KnownAt::All);
    let all_areas = [
        "aleppo",
        "aleppo/al-awarid-crossing",
        "aleppo/ashrafiyeh",
        "aleppo/ashrafiyeh/sheikh-khudr",
        "aleppo/bani-zaid",
        "aleppo/sheikh-maqsoud",
    ];
    assert_eq!(area_slugs(&everything), all_areas);
    assert_eq!(log.state_in(at, KnownAt::All, Some("aleppo")), everything);

    let cases: [(&str, Value); 3] = [
        (
            "aleppo/ashrafiyeh",
            json!({
                "at": at, "known_at": null, "seq": 14,
                "areas": {"aleppo/ashrafiyeh": quiet("Ashrafiyeh", "aleppo"), "aleppo/ashrafiyeh/sheikh-khudr": khudr},
                "casualties": [sana]
            }),
        ),
        (
            "aleppo/ashrafiyeh/sheikh-khudr",
            json!({
                "at": at, "known_at": null, "seq": 14,
                "areas": {"aleppo/ashrafiyeh/sheikh-khudr": khudr},
                "casualties": []
            }),
        ),
        (
            "aleppo/sheikh-maqsoud",
            json!({
                "at": at, "known_at": null, "seq": 14,
                "areas": {"aleppo/sheikh-maqsoud": quiet("Sheikh Maqsoud", "aleppo")},
                "casualties": [sohr]
            }),
        ),
    ];
    for (area, want) in cases {
        assert_eq!(log.state_in(at, KnownAt::All, Some(area)), want, "--area {area}");
    }
}

/// `--area` nests areas as they were defined at `--at`: an area moved to
/// another parent later is still under its old parent before the move.
#[test]
fn the_area_filter_nests_areas_as_defined_at_the_time_read() {
    let log = Log::new(&lines_recorded_later(&[
        /* 11 */
        r#"{"kind":"area","area":"hamdaniya","name":"Hamdaniya","parent":"aleppo","source":"gazetteer"}"#,
        /* 12 */
        r#"{"kind":"shelling","at":"2026-01-08T10:00:00Z","areas":["hamdaniya"],"source":"SANA"}"#,
        /* 13 */
        r#"{"kind":"casualty_report","at":"2026-01-08T10:00:00Z","areas":["hamdaniya"],"killed":3,"source":"SANA"}"#,
        /* 14: from the 9th, under Bani Zaid */
        r#"{"kind":"area","area":"hamdaniya","at":"2026-01-09","name":"Hamdaniya","parent":"aleppo/bani-zaid","source":"gazetteer"}"#,
    ]));
    let under = |at: &str, root: &str| {
        let s = log.state_in(at, KnownAt::All, Some(root));
        let killed: Vec<Value> = s["casualties"].as_array().unwrap().iter().map(|c| c["killed"].clone()).collect();
        (s["areas"].get("hamdaniya").map(|a| a["incidents"].clone()), killed)
    };
    // on the 8th it lies in Aleppo (directly), not in Bani Zaid
    assert_eq!(under("2026-01-08T12:00:00Z", "aleppo"), (Some(json!(1)), vec![json!(3)]));
    assert_eq!(under("2026-01-08T12:00:00Z", "aleppo/bani-zaid"), (None, vec![]));
    // from the 9th (Damascus), in Bani Zaid, and so still in Aleppo
    assert_eq!(under("2026-01-10T12:00:00Z", "aleppo/bani-zaid"), (Some(json!(1)), vec![json!(3)]));
    assert_eq!(under("2026-01-10T12:00:00Z", "aleppo"), (Some(json!(1)), vec![json!(3)]));
}

#[test]
fn the_registry_time_travels_with_the_events() {
    let log = Log::new(&lines_recorded_later(&[
        // 11: renamed from 10 January
        r#"{"kind":"area","area":"aleppo/ashrafiyeh","at":"2026-01-10T00:00:00Z","name":"Al-Ashrafiyah","name_ar":"الأشرفية","aliases":["الأشرفية","Ashrafieh"],"source":"gazetteer"}"#,
        // 12
        r#"{"kind":"shelling","at":"2026-01-09T12:00:00Z","areas":["aleppo/ashrafiyeh"],"source":"SANA"}"#,
        // 13: an area that exists from 11 January (Damascus), 2026-01-10T21:00Z
        r#"{"kind":"area","area":"aleppo/midan","at":"2026-01-11","name":"Midan","source":"gazetteer"}"#,
    ]));
    let reads = [
        ("2026-01-09T12:00:00Z", json!({"name": "Ashrafiyeh", "parent": "aleppo", "incidents": 1}), false),
        ("2026-01-09T23:59:59Z", json!({"name": "Ashrafiyeh", "parent": "aleppo", "incidents": 1}), false),
        (
            "2026-01-10T00:00:00Z",
            json!({"name": "Al-Ashrafiyah", "name_ar": "الأشرفية", "parent": "aleppo", "incidents": 1}),
            false,
        ),
        (
            "2026-01-10T20:59:59Z",
            json!({"name": "Al-Ashrafiyah", "name_ar": "الأشرفية", "parent": "aleppo", "incidents": 1}),
            false,
        ),
        (
            "2026-01-10T21:00:00Z",
            json!({"name": "Al-Ashrafiyah", "name_ar": "الأشرفية", "parent": "aleppo", "incidents": 1}),
            true,
        ),
    ];
    for (at, want, midan) in reads {
        let state = log.state(at, KnownAt::All);
        let ashrafiyeh = &state["areas"]["aleppo/ashrafiyeh"];
        let mut got =
            json!({"name": ashrafiyeh["name"], "parent": ashrafiyeh["parent"], "incidents": ashrafiyeh["incidents"]});
        if let Some(ar) = ashrafiyeh.get("name_ar") {
            got["name_ar"] = ar.clone();
        }
        assert_eq!(got, want, "at {at}");
        assert_eq!(area_slugs(&state).contains(&"aleppo/midan"), midan, "aleppo/midan at {at}");
    }
}

/// The keys of an object, sorted.
fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap_or_else(|| panic!("not an object: {v}")).keys().map(String::as_str).collect()
}

/// `contract` plus the additions the implementation documents.
fn key_set<'a>(contract: &[&'a str], added: &[&'a str]) -> BTreeSet<&'a str> {
    contract.iter().chain(added).copied().collect()
}

/// A log in which, at 2026-01-09T05:00:00Z, every list of the state holds
/// an entry with every optional field.
fn busy_log() -> Log {
    Log::new(&lines_recorded_later(&[
        r#"{"kind":"ceasefire","at":"2026-01-09T03:00","areas":["aleppo/ashrafiyeh"],"actor":"syrian-mod","target":"sdf","terms":["no heavy weapons"],"source":"SANA"}"#,
        r#"{"kind":"curfew","at":"2026-01-09","until":"2026-01-09","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","source":"Aleppo Governorate"}"#,
        r#"{"kind":"evacuation","at":"2026-01-09T06:00+02:00","areas":["aleppo/ashrafiyeh"],"via":["aleppo/al-awarid-crossing"],"actor":"civil-defence","source":"Syrian Civil Defence"}"#,
        r#"{"kind":"ultimatum","at":"2026-01-09T04:00","deadline":"2026-01-09T09:00","areas":["aleppo/ashrafiyeh"],"actor":"syrian-mod","target":"sdf","demand":"leave","source":"SANA"}"#,
        r#"{"kind":"deployment","at":"2026-01-09T01:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","source":"SANA"}"#,
        r#"{"kind":"control_claim","at":"2026-01-09T01:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"syrian-army","extent":"partial","source":"SANA"}"#,
        r#"{"kind":"shelling","at":"2026-01-09T02:00:00Z","areas":["aleppo/ashrafiyeh"],"source":"SANA"}"#,
        r#"{"kind":"casualty_report","at":"2026-01-09T02:30:00Z","areas":["aleppo/ashrafiyeh"],"killed":9,"wounded":55,"civilian":true,"source":"SOHR"}"#,
    ]))
}

#[test]
fn state_json_has_the_contract_keys_at_every_level() {
    let state = busy_log().state("2026-01-09T05:00:00Z", KnownAt::All);
    let ashrafiyeh = &state["areas"]["aleppo/ashrafiyeh"];
    let first = |list: &str| {
        let items = ashrafiyeh[list].as_array().unwrap_or_else(|| panic!("{list} is not a list"));
        assert!(!items.is_empty(), "{list} is empty: the fixture should fill it");
        items
    };
    // (what, keys found, keys of the contract, keys added by the implementation)
    let levels: Vec<(&str, BTreeSet<&str>, BTreeSet<&str>)> = vec![
        ("state", keys(&state), key_set(&["at", "known_at", "seq", "areas", "casualties"], &[])),
        (
            "quiet area",
            keys(&state["areas"]["aleppo/bani-zaid"]),
            key_set(&["name", "active", "deadlines", "forces", "control", "incidents"], &["parent"]),
        ),
        (
            "area with an Arabic name",
            keys(&state["areas"]["aleppo"]),
            key_set(&["name", "active", "deadlines", "forces", "control", "incidents"], &["name_ar"]),
        ),
        (
            "active, open-ended ceasefire",
            keys(&first("active")[1]),
            key_set(&["id", "kind", "actor", "since", "until", "source"], &["target", "terms"]),
        ),
        (
            "active, day-long curfew",
            keys(&first("active")[0]),
            key_set(&["id", "kind", "actor", "since", "until", "source"], &["precision", "until_precision"]),
        ),
        (
            "active, evacuation",
            keys(&first("active")[2]),
            key_set(&["id", "kind", "actor", "since", "until", "source"], &["via"]),
        ),
        (
            "deadline",
            keys(&first("deadlines")[0]),
            key_set(&["id", "actor", "target", "deadline", "status"], &["demand", "source"]),
        ),
        ("force", keys(&first("forces")[0]), key_set(&["actor", "since", "source"], &["sources", "id"])),
        ("control", keys(&first("control")[0]), key_set(&["actor", "extent", "at", "source"], &["id"])),
        (
            "casualty",
            keys(&state["casualties"][0]),
            key_set(&["source", "killed", "wounded", "civilian", "at", "areas"], &["id", "reports"]),
        ),
    ];
    for (what, found, want) in levels {
        assert_eq!(found, want, "keys of {what}");
    }
    assert_eq!(first("active")[0]["kind"], "curfew");
    assert_eq!(first("active")[1]["kind"], "ceasefire");
    assert_eq!(first("active")[2]["kind"], "evacuation");
    assert_eq!(state["areas"]["aleppo/ashrafiyeh"]["incidents"], 1);
}

/// Every string under a time key, at any depth.
fn times<'a>(v: &'a Value, key: Option<&str>, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::Object(map) => map.iter().for_each(|(k, v)| times(v, Some(k), out)),
        Value::Array(items) => items.iter().for_each(|v| times(v, key, out)),
        Value::String(s) if matches!(key, Some("at" | "since" | "until" | "deadline" | "known_at")) => {
            out.push((key.unwrap_or_default().to_string(), s))
        }
        _ => {}
    }
}

#[test]
fn every_time_in_state_json_is_rfc_3339_utc_with_z() {
    let log = busy_log();
    // local times (+03:00), +02:00 offsets and days all come out in UTC
    let state = log.state_in("2026-01-09T05:00:00Z", KnownAt::Time(crate::support::utc(LATER)), None);
    let mut found = Vec::new();
    times(&state, None, &mut found);
    let keys_seen: BTreeSet<&str> = found.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys_seen, BTreeSet::from(["at", "deadline", "known_at", "since", "until"]));
    for (key, text) in found {
        let parsed = chrono::DateTime::parse_from_rfc3339(text);
        assert!(
            parsed.is_ok() && text.ends_with('Z') && !text.contains('+'),
            "{key}: {text:?} is not RFC 3339 UTC with Z"
        );
    }
    assert_eq!(state["areas"]["aleppo/ashrafiyeh"]["active"][2]["since"], "2026-01-09T04:00:00Z");
    assert_eq!(state["known_at"], "2026-01-20T00:00:00Z");
}

#[test]
fn an_end_given_as_a_date_lasts_the_whole_of_that_day() {
    // 11: a curfew from 19:00 Damascus on 8 January, 12: lifted "on 9 January"
    let log = Log::new(&lines_recorded_later(&[
        r#"{"kind":"curfew","at":"2026-01-08T19:00","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","source":"SANA"}"#,
        r#"{"kind":"ended","at":"2026-01-09","ends":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
    ]));
    let active = |at: &str| -> Vec<Value> {
        let state = log.state(at, KnownAt::All);
        state["areas"]["aleppo/ashrafiyeh"]["active"].as_array().cloned().unwrap_or_default()
    };
    // 9 January ends at 21:00Z (midnight in Damascus): in force all day, over from then on
    for (at, in_force) in
        [("2026-01-09T12:00:00Z", true), ("2026-01-09T20:59:59Z", true), ("2026-01-09T21:00:00Z", false)]
    {
        let got = active(at);
        assert_eq!(!got.is_empty(), in_force, "at {at}: {got:?}");
        if in_force {
            assert_eq!(got[0]["until"], json!("2026-01-09T21:00:00Z"), "at {at}");
        }
    }
}

#[test]
fn a_deployment_ended_before_its_corrected_start_never_counts() {
    // 11: a deployment at 10:00Z, 12: ended at 12:00Z, 13: corrected to start at 14:00Z
    let log = Log::new(&lines_recorded_later(&[
        r#"{"kind":"deployment","at":"2026-01-09T10:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","source":"SANA"}"#,
        r#"{"kind":"ended","at":"2026-01-09T12:00:00Z","ends":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
        r#"{"kind":"deployment","at":"2026-01-09T14:00:00Z","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","source":"SANA","corrects":"00000000-0000-0000-0000-000000000011"}"#,
    ]));
    for at in ["2026-01-09T11:00:00Z", "2026-01-09T15:00:00Z", "2026-01-10T15:00:00Z"] {
        let state = log.state(at, KnownAt::All);
        let forces = &state["areas"]["aleppo/ashrafiyeh"]["forces"];
        assert_eq!(forces, &json!([]), "at {at}");
    }
    // before the correction was recorded, the original counted from 10:00 to 12:00
    let state = log.state("2026-01-09T11:00:00Z", KnownAt::Seq(12));
    assert_eq!(state["areas"]["aleppo/ashrafiyeh"]["forces"][0]["actor"], json!("internal-security"));
}
