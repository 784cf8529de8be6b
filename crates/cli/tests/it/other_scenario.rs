//! A second scenario, unlike the bundled one: Khartoum, two armed forces
//! and a humanitarian network, recorded in three batches so that the
//! second time axis has real steps. Local times are read in the log's zone
//! (Africa/Khartoum, UTC+2); state JSON is in UTC.
//!
//! Ids end in `a0N` for definitions and `eNN` for event NN; log positions
//! are 1–7 (definitions) and 8–17 (e01–e10) for the first batch, 18–22
//! (e11–e15) for the second and 23–24 (e16–e17) for the third.

use serde_json::Value;

use crate::support::{area_digest, casualty_digest, state_digest, TestEnv};

const ID: &str = "01950000-0000-7000-8000-000000000";

/// Definitions and the first day, recorded first.
const BATCH_1: &str = r#"
{"id":"01950000-0000-7000-8000-000000000a01","kind":"area","area":"khartoum","name":"Khartoum","name_ar":"الخرطوم","type":"city","lat":15.5007,"lon":32.5599,"source":"desk gazetteer"}
{"id":"01950000-0000-7000-8000-000000000a02","kind":"area","area":"khartoum/bahri","name":"Bahri","name_ar":"بحري","type":"neighbourhood","aliases":["Khartoum North","الخرطوم بحري"],"source":"desk gazetteer"}
{"id":"01950000-0000-7000-8000-000000000a03","kind":"area","area":"khartoum/omdurman","name":"Omdurman","name_ar":"أم درمان","type":"neighbourhood","aliases":["أم درمان","Umm Durman"],"source":"desk gazetteer"}
{"id":"01950000-0000-7000-8000-000000000a04","kind":"area","area":"khartoum/halfaya-bridge","name":"Halfaya Bridge","name_ar":"كبري الحلفايا","type":"crossing","source":"desk gazetteer"}
{"id":"01950000-0000-7000-8000-000000000a05","kind":"actor","actor":"saf","name":"Sudanese Armed Forces","name_ar":"القوات المسلحة السودانية","aliases":["الجيش السوداني","SAF"],"source":"desk gazetteer"}
{"id":"01950000-0000-7000-8000-000000000a06","kind":"actor","actor":"rsf","name":"Rapid Support Forces","name_ar":"قوات الدعم السريع","aliases":["الدعم السريع","RSF"],"source":"desk gazetteer"}
{"id":"01950000-0000-7000-8000-000000000a07","kind":"actor","actor":"err","name":"Emergency Response Rooms","name_ar":"غرف الطوارئ","aliases":["غرف الاستجابة الطارئة"],"source":"desk gazetteer"}
{"id":"01950000-0000-7000-8000-000000000e01","kind":"ceasefire","at":"2026-03-10T06:00","until":"2026-03-11T06:00","areas":["بحري","أم درمان"],"actor":"الجيش السوداني","terms":["a 24-hour humanitarian pause"],"source":{"name":"SAF spokesman","url":"https://example.org/saf/pause"}}
{"id":"01950000-0000-7000-8000-000000000e02","kind":"curfew","at":"2026-03-10T20:00","areas":["khartoum/omdurman"],"actor":"saf","source":"Khartoum State government","note":"حظر تجوال من الثامنة مساءً"}
{"id":"01950000-0000-7000-8000-000000000e03","kind":"deployment","at":"2026-03-10T08:00","areas":["khartoum/bahri"],"actor":"rsf","source":"RSF Telegram"}
{"id":"01950000-0000-7000-8000-000000000e04","kind":"control_claim","at":"2026-03-10T09:00","areas":["khartoum/bahri"],"actor":"saf","extent":60,"source":"SAF spokesman"}
{"id":"01950000-0000-7000-8000-000000000e05","kind":"control_claim","at":"2026-03-10T10:00","areas":["Khartoum North"],"actor":"الدعم السريع","extent":"partial","source":"RSF Telegram"}
{"id":"01950000-0000-7000-8000-000000000e06","kind":"casualty_report","at":"2026-03-10T12:00","areas":["khartoum/omdurman"],"killed":10,"wounded":30,"civilian":true,"source":"Sudan Doctors Network"}
{"id":"01950000-0000-7000-8000-000000000e07","kind":"casualty_report","at":"2026-03-10T13:00","areas":["khartoum/omdurman"],"killed":3,"wounded":5,"civilian":true,"cumulative":false,"actor":"rsf","source":"Emergency Response Rooms"}
{"id":"01950000-0000-7000-8000-000000000e08","kind":"shelling","at":"2026-03-10T14:00","areas":["khartoum/omdurman"],"actor":"rsf","killed":2,"source":"local activists"}

{"id":"01950000-0000-7000-8000-000000000e09","kind":"casualty_report","at":"2026-03-10T18:00","areas":["khartoum/omdurman"],"killed":4,"wounded":1,"civilian":true,"cumulative":false,"source":"Emergency Response Rooms"}
{"id":"01950000-0000-7000-8000-000000000e10","kind":"ultimatum","at":"2026-03-10T12:00","deadline":"2026-03-11T12:00","areas":["khartoum/bahri"],"actor":"saf","target":"rsf","demand":"leave Bahri","source":"SAF spokesman"}
"#;

/// The next morning, recorded later.
const BATCH_2: &str = r#"
{"id":"01950000-0000-7000-8000-000000000e11","kind":"ended","at":"2026-03-11T05:00","ends":"01950000-0000-7000-8000-000000000e02","source":"Khartoum State government"}
{"id":"01950000-0000-7000-8000-000000000e12","kind":"withdrawal","at":"2026-03-11T08:00","areas":["khartoum/bahri"],"actor":"rsf","source":"RSF Telegram"}
{"id":"01950000-0000-7000-8000-000000000e13","kind":"control_claim","at":"2026-03-11T09:00","areas":["khartoum/bahri"],"actor":"saf","extent":"full","source":"SAF spokesman"}
{"id":"01950000-0000-7000-8000-000000000e14","kind":"casualty_report","at":"2026-03-11T10:00","areas":["khartoum/omdurman"],"killed":15,"wounded":40,"civilian":true,"cumulative":true,"source":"Sudan Doctors Network"}
{"id":"01950000-0000-7000-8000-000000000e15","kind":"evacuation","at":"2026-03-11T07:00","until":"2026-03-11T17:00","areas":["khartoum/omdurman"],"actor":"err","via":["khartoum/halfaya-bridge"],"source":"Emergency Response Rooms"}
"#;

/// Second thoughts, recorded last: a retraction and a correction.
const BATCH_3: &str = r#"
{"id":"01950000-0000-7000-8000-000000000e16","kind":"retraction","at":"2026-03-11T12:00","retracts":"01950000-0000-7000-8000-000000000e08","source":"local activists","note":"the video was from 2024"}
{"id":"01950000-0000-7000-8000-000000000e17","kind":"casualty_report","at":"2026-03-10T18:00","areas":["khartoum/omdurman"],"killed":4,"wounded":2,"civilian":true,"cumulative":false,"corrects":"01950000-0000-7000-8000-000000000e09","source":"Emergency Response Rooms"}
"#;

const BAHRI: &str = "khartoum/bahri";
const OMDURMAN: &str = "khartoum/omdurman";

struct Khartoum {
    env: TestEnv,
    /// The recording time of each batch, from `log`.
    recorded: [String; 3],
}

fn khartoum() -> Khartoum {
    let env = TestEnv::with_zone("Africa/Khartoum");
    let mut recorded = Vec::new();
    for (batch, (text, appended, last)) in
        [(BATCH_1, 17, "e10"), (BATCH_2, 5, "e15"), (BATCH_3, 2, "e17")].into_iter().enumerate()
    {
        let counts = env.import_text(text);
        assert_eq!(counts["appended"], appended, "batch {}", batch + 1);
        recorded.push(env.recorded_at(&format!("{ID}{last}")));
        if batch > 0 {
            assert!(recorded[batch] > recorded[batch - 1], "batches are recorded one after the other: {recorded:?}");
        }
    }
    Khartoum { env, recorded: recorded.try_into().unwrap() }
}

fn digest(active: &str, deadlines: &str, forces: &str, control: &str, incidents: u64) -> String {
    format!("active [{active}] deadlines [{deadlines}] forces [{forces}] control [{control}] incidents {incidents}")
}

const CEASEFIRE: &str = "ceasefire:e01 until 2026-03-11T04:00:00Z";
const CURFEW_ENDED: &str = "curfew:e02 until 2026-03-11T03:00:00Z";
const CURFEW_OPEN: &str = "curfew:e02";
const EVACUATION: &str = "evacuation:e15 until 2026-03-11T15:00:00Z";

fn ultimatum(status: &str) -> String {
    format!("e10 saf→rsf 2026-03-11T10:00:00Z {status}")
}

/// A horizon: everything, a log position, or the recording time of a batch.
#[derive(Clone, Copy, Debug)]
enum Known {
    All,
    Seq(u64),
    Batch(usize),
}

struct Pair {
    at: &'static str,
    known: Known,
    seq: u64,
    areas: Vec<(&'static str, String)>,
    casualties: &'static [&'static str],
}

fn pairs() -> Vec<Pair> {
    use Known::*;
    let empty = digest("", "", "", "", 0);
    vec![
        // morning of the 10th: only the pause, in both neighbourhoods (given by Arabic aliases)
        Pair {
            at: "2026-03-10T07:00",
            known: All,
            seq: 24,
            areas: vec![
                (BAHRI, digest(CEASEFIRE, "", "", "", 0)),
                (OMDURMAN, digest(CEASEFIRE, "", "", "", 0)),
                ("khartoum", empty.clone()),
            ],
            casualties: &[],
        },
        // a first control claim, then a rival one
        Pair {
            at: "2026-03-10T09:30",
            known: Seq(17),
            seq: 17,
            areas: vec![(BAHRI, digest(CEASEFIRE, "", "rsf", "saf=60", 0))],
            casualties: &[],
        },
        Pair {
            at: "2026-03-10T10:30",
            known: Seq(17),
            seq: 17,
            areas: vec![(BAHRI, digest(CEASEFIRE, "", "rsf", "rsf=partial saf=60", 0))],
            casualties: &[],
        },
        // one non-cumulative report, then a second adding up
        Pair {
            at: "2026-03-10T13:00",
            known: All,
            seq: 24,
            areas: vec![],
            casualties: &["Emergency Response Rooms 3/5", "Sudan Doctors Network 10/30"],
        },
        // the evening as known now: shelling retracted, second ERR report corrected, curfew's end known
        Pair {
            at: "2026-03-10T21:00",
            known: All,
            seq: 24,
            areas: vec![
                (BAHRI, digest(CEASEFIRE, &ultimatum("pending"), "rsf", "rsf=partial saf=60", 0)),
                (OMDURMAN, digest(&format!("{CEASEFIRE} {CURFEW_ENDED}"), "", "", "", 0)),
            ],
            casualties: &["Emergency Response Rooms 7/7", "Sudan Doctors Network 10/30"],
        },
        // the same evening as known after the first batch (#17) and at its recording time
        Pair {
            at: "2026-03-10T21:00",
            known: Seq(17),
            seq: 17,
            areas: vec![
                (BAHRI, digest(CEASEFIRE, &ultimatum("pending"), "rsf", "rsf=partial saf=60", 0)),
                (OMDURMAN, digest(&format!("{CEASEFIRE} {CURFEW_OPEN}"), "", "", "", 1)),
            ],
            casualties: &["Emergency Response Rooms 7/6", "Sudan Doctors Network 10/30"],
        },
        Pair {
            at: "2026-03-10T21:00",
            known: Batch(0),
            seq: 17,
            areas: vec![(OMDURMAN, digest(&format!("{CEASEFIRE} {CURFEW_OPEN}"), "", "", "", 1))],
            casualties: &["Emergency Response Rooms 7/6", "Sudan Doctors Network 10/30"],
        },
        // one minute before the curfew's end, then the pause's own end (half-open)
        Pair {
            at: "2026-03-11T04:59",
            known: All,
            seq: 24,
            areas: vec![(OMDURMAN, digest(&format!("{CEASEFIRE} {CURFEW_ENDED}"), "", "", "", 0))],
            casualties: &["Emergency Response Rooms 7/7", "Sudan Doctors Network 10/30"],
        },
        Pair {
            at: "2026-03-11T06:00",
            known: All,
            seq: 24,
            areas: vec![
                (BAHRI, digest("", &ultimatum("pending"), "rsf", "rsf=partial saf=60", 0)),
                (OMDURMAN, empty.clone()),
            ],
            casualties: &["Emergency Response Rooms 7/7", "Sudan Doctors Network 10/30"],
        },
        // before the `ended` was recorded, the curfew still stood at 06:00
        Pair {
            at: "2026-03-11T06:00",
            known: Batch(0),
            seq: 17,
            areas: vec![(OMDURMAN, digest(CURFEW_OPEN, "", "", "", 1))],
            casualties: &["Emergency Response Rooms 7/6", "Sudan Doctors Network 10/30"],
        },
        // at the deadline: expired; the RSF withdrew, the SAF's later claim replaced its first
        Pair {
            at: "2026-03-11T12:00",
            known: All,
            seq: 24,
            areas: vec![
                (BAHRI, digest("", &ultimatum("expired"), "", "rsf=partial saf=full", 0)),
                (OMDURMAN, digest(EVACUATION, "", "", "", 0)),
                ("khartoum/halfaya-bridge", empty.clone()),
            ],
            casualties: &["Emergency Response Rooms 7/7", "Sudan Doctors Network 15/40"],
        },
        // as known at the second batch's recording time, and after #22: retraction and correction not yet known
        Pair {
            at: "2026-03-11T12:00",
            known: Batch(1),
            seq: 22,
            areas: vec![
                (BAHRI, digest("", &ultimatum("expired"), "", "rsf=partial saf=full", 0)),
                (OMDURMAN, digest(EVACUATION, "", "", "", 1)),
            ],
            casualties: &["Emergency Response Rooms 7/6", "Sudan Doctors Network 15/40"],
        },
        Pair {
            at: "2026-03-11T12:00",
            known: Seq(22),
            seq: 22,
            areas: vec![(OMDURMAN, digest(EVACUATION, "", "", "", 1))],
            casualties: &["Emergency Response Rooms 7/6", "Sudan Doctors Network 15/40"],
        },
        // after #23 the retraction is known, the correction not yet
        Pair {
            at: "2026-03-11T12:00",
            known: Seq(23),
            seq: 23,
            areas: vec![(OMDURMAN, digest(EVACUATION, "", "", "", 0))],
            casualties: &["Emergency Response Rooms 7/6", "Sudan Doctors Network 15/40"],
        },
        Pair {
            at: "2026-03-11T12:00",
            known: Batch(2),
            seq: 24,
            areas: vec![(OMDURMAN, digest(EVACUATION, "", "", "", 0))],
            casualties: &["Emergency Response Rooms 7/7", "Sudan Doctors Network 15/40"],
        },
        // the evacuation ends at its `until`, exclusive
        Pair {
            at: "2026-03-11T16:59:59",
            known: All,
            seq: 24,
            areas: vec![(OMDURMAN, digest(EVACUATION, "", "", "", 0))],
            casualties: &["Emergency Response Rooms 7/7", "Sudan Doctors Network 15/40"],
        },
        Pair {
            at: "2026-03-11T17:00",
            known: All,
            seq: 24,
            areas: vec![(OMDURMAN, empty.clone())],
            casualties: &["Emergency Response Rooms 7/7", "Sudan Doctors Network 15/40"],
        },
        // before anything was recorded
        Pair { at: "2026-03-11T12:00", known: Seq(0), seq: 0, areas: vec![(BAHRI, "absent".into())], casualties: &[] },
    ]
}

#[test]
fn the_state_on_both_time_axes() {
    let k = khartoum();
    let pairs = pairs();
    assert!(pairs.len() >= 8);
    let mut failures = Vec::new();
    for p in &pairs {
        let horizon = match p.known {
            Known::All => None,
            Known::Seq(n) => Some(format!("#{n}")),
            Known::Batch(b) => Some(k.recorded[b].clone()),
        };
        let mut extra = vec![];
        if let Some(h) = &horizon {
            extra.extend(["--known-at", h.as_str()]);
        }
        let s = k.env.state(p.at, &extra);
        let label = format!("--at {} --known-at {:?}", p.at, p.known);
        if s["seq"] != p.seq {
            failures.push(format!("{label}: seq {} (want {})", s["seq"], p.seq));
        }
        for (area, want) in &p.areas {
            let got = area_digest(&s, area);
            if &got != want {
                failures.push(format!("{label}: {area}\n   got  {got}\n   want {want}"));
            }
        }
        let got = casualty_digest(&s);
        if got != p.casualties {
            failures.push(format!("{label}: casualties {got:?} (want {:?})", p.casualties));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn just_before_the_first_batch_nothing_was_known() {
    let k = khartoum();
    let t = chrono::DateTime::parse_from_rfc3339(&k.recorded[0]).unwrap();
    let before = (t - chrono::Duration::microseconds(1)).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let s = k.env.state("2026-03-11T12:00", &["--known-at", &before]);
    assert_eq!(s["seq"], 0);
    assert_eq!(s["areas"], serde_json::json!({}));
    assert_eq!(k.env.log(&["--known-at", &before]), Vec::<Value>::new());
    // and a horizon given as a local time is read in the log's zone
    let local = t.with_timezone(&chrono_tz::Africa::Khartoum).format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
    assert_eq!(k.env.state("2026-03-11T12:00", &["--known-at", &local])["seq"], 17);
}

#[test]
fn the_records_say_what_replaced_them() {
    let k = khartoum();
    let log = k.env.log(&[]);
    let by_id = |suffix: &str| log.iter().find(|e| e["id"] == format!("{ID}{suffix}")).unwrap().clone();
    assert_eq!(by_id("e08")["retracted_by"], format!("{ID}e16"));
    assert_eq!(by_id("e09")["corrected_by"], format!("{ID}e17"));
    assert!(by_id("e07").get("corrected_by").is_none() && by_id("e07").get("retracted_by").is_none());
    // as stored: slugs for the aliases given, local times with the zone's offset
    let e01 = by_id("e01");
    assert_eq!(e01["areas"], serde_json::json!([BAHRI, OMDURMAN]));
    assert_eq!(e01["actor"], "saf");
    assert_eq!(e01["at"], "2026-03-10T06:00:00+02:00");
    assert_eq!(e01["until"], "2026-03-11T06:00:00+02:00");
    assert_eq!(e01["source"]["url"], "https://example.org/saf/pause");
    assert_eq!(by_id("e05")["areas"], serde_json::json!([BAHRI]));
    assert_eq!(by_id("e05")["actor"], "rsf");
    assert_eq!(by_id("e02")["note"], "حظر تجوال من الثامنة مساءً");
    // recorded in three batches
    for (suffix, batch) in [("a01", 0), ("e10", 0), ("e11", 1), ("e15", 1), ("e16", 2), ("e17", 2)] {
        assert_eq!(by_id(suffix)["recorded_at"], k.recorded[batch].as_str(), "{suffix}");
    }
    // before the third batch, neither mark
    let earlier = k.env.log(&["--known-at", "#22"]);
    assert_eq!(earlier.len(), 22);
    assert!(earlier.iter().all(|e| e.get("corrected_by").is_none() && e.get("retracted_by").is_none()));
    // the log in valid time: the retraction (11th, 12:00) comes after the correction (10th, 18:00)
    let seqs = k.env.log_seqs(&["--since", "2026-03-10T18:00", "--until", "2026-03-11"]);
    assert_eq!(seqs, [16, 24, 9]);
    assert_eq!(k.env.log_seqs(&["--kind", "retraction", "--kind", "ended"]), [18, 23]);
    assert_eq!(k.env.log_seqs(&["--area", "أم درمان", "--kind", "casualty_report"]), [13, 14, 16, 24, 21]);
}

#[test]
fn the_state_json_of_khartoum() {
    let k = khartoum();
    let s = k.env.state("2026-03-10T21:00", &[]);
    assert_eq!(s["at"], "2026-03-10T19:00:00Z");
    let bahri = &s["areas"][BAHRI];
    assert_eq!(bahri["name"], "Bahri");
    assert_eq!(bahri["name_ar"], "بحري");
    let saf = bahri["control"].as_array().unwrap().iter().find(|c| c["actor"] == "saf").unwrap();
    assert_eq!(saf["extent"].as_f64(), Some(60.0), "a percentage stays a number");
    assert_eq!(saf["at"], "2026-03-10T07:00:00Z");
    assert_eq!(saf["source"], "SAF spokesman");
    assert_eq!(bahri["forces"][0]["since"], "2026-03-10T06:00:00Z");
    assert_eq!(bahri["forces"][0]["source"], "RSF Telegram");
    let ceasefire = &bahri["active"][0];
    assert_eq!(ceasefire["since"], "2026-03-10T04:00:00Z");
    assert_eq!(ceasefire["until"], "2026-03-11T04:00:00Z");
    assert_eq!(ceasefire["source"], "SAF spokesman");
    // casualty figures of two sources, never summed
    let err = s["casualties"].as_array().unwrap().iter().find(|c| c["source"] == "Emergency Response Rooms").unwrap();
    assert_eq!((err["killed"].as_u64(), err["wounded"].as_u64()), (Some(7), Some(7)));
    assert_eq!(err["civilian"], true);
    assert_eq!(err["at"], "2026-03-10T16:00:00Z");
    assert_eq!(err["areas"], serde_json::json!([OMDURMAN]));

    // the evacuation names its crossing
    let noon = k.env.state("2026-03-11T12:00", &["--area", "Umm Durman"]);
    assert_eq!(noon["areas"].as_object().unwrap().len(), 1);
    assert_eq!(noon["areas"][OMDURMAN]["active"][0]["via"], serde_json::json!(["khartoum/halfaya-bridge"]));
    // --area of the city keeps its four areas
    let city = k.env.state("2026-03-11T12:00", &["--area", "الخرطوم"]);
    assert_eq!(
        state_digest(&city).keys().collect::<Vec<_>>(),
        ["khartoum", BAHRI, "khartoum/halfaya-bridge", OMDURMAN]
    );
    // the table names both scripts
    let table = k.env.run(&["state", "--at", "2026-03-11T12:00", "--format", "table"]);
    table.ok();
    for name in ["Omdurman", "درمان", "Bahri", "بحري"] {
        assert!(table.stdout.contains(name), "the table lacks {name:?}:\n{}", table.stdout);
    }
}

#[test]
fn correcting_and_retracting_again_is_refused() {
    let k = khartoum();
    let head = k.env.head();
    k.env
        .run(&[
            "append",
            "--json",
            r#"{"kind":"retraction","at":"2026-03-12","retracts":"01950000-0000-7000-8000-000000000e08","source":"x"}"#,
        ])
        .fails(
            2,
            "error: \"retracts\": 01950000-0000-7000-8000-000000000e08 was already retracted by 01950000-0000-7000-8000-000000000e16\n",
        );
    k.env
        .run(&[
            "append",
            "--json",
            r#"{"kind":"ended","at":"2026-03-11T06:00","ends":"01950000-0000-7000-8000-000000000e09","source":"x"}"#,
        ])
        .code(2);
    k.env
        .run(&[
            "append",
            "--json",
            r#"{"kind":"ended","at":"2026-03-11T01:00","ends":"01950000-0000-7000-8000-000000000e16","source":"x"}"#,
        ])
        .code(2);
    assert_eq!(k.env.head(), head);
    // importing all three batches again changes nothing
    let all = format!("{BATCH_1}{BATCH_2}{BATCH_3}");
    let counts = k.env.import_text(&all);
    assert_eq!((counts["appended"].as_u64(), counts["duplicates"].as_u64()), (Some(0), Some(24)));
    assert_eq!(k.env.head(), head);
}
