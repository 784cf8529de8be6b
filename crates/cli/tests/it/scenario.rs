//! The bundled Aleppo scenario (examples/aleppo-2026-01-08.ndjson), read on
//! both time axes.
//!
//! Log positions are line numbers: #29 is the Ministry of Defence
//! ceasefire (…029) and #49 its ultimatum (…030), #38 the SDF's first
//! casualty figure (…019) and #50 its correction (…031).

use serde_json::Value;

use crate::support::{area_digest, casualty_digest, TestEnv};

const ASHRAFIYEH: &str = "aleppo/ashrafiyeh";
const SHEIKH_MAQSOUD: &str = "aleppo/sheikh-maqsoud";
const BANI_ZAID: &str = "aleppo/bani-zaid";

const HEALTH_DIRECTORATE: &str = "Aleppo Health Directorate 9/55";
const SDF_CORRECTED: &str = "SDF 12/64";
const SDF_FIRST: &str = "SDF 12/46";

/// The ultimatum as `area_digest` shows it, pending or expired.
fn ultimatum(status: &str) -> String {
    format!("030 syrian-mod→sdf 2026-01-09T06:00:00Z {status}")
}

struct Moment {
    at: &'static str,
    known_at: Option<&'static str>,
    seq: u64,
    /// `(area, digest)` for the areas checked.
    areas: Vec<(&'static str, String)>,
    casualties: &'static [&'static str],
}

fn digest(active: &str, deadlines: &str, forces: &str, control: &str, incidents: u64) -> String {
    format!("active [{active}] deadlines [{deadlines}] forces [{forces}] control [{control}] incidents {incidents}")
}

fn moments() -> Vec<Moment> {
    let both_claims = "internal-security=full syrian-army=partial";
    vec![
        // Thursday night: curfew, no ceasefire, no deadline yet
        Moment {
            at: "2026-01-08T22:00+03:00",
            known_at: None,
            seq: 50,
            areas: vec![
                (ASHRAFIYEH, digest("evacuation:004 curfew:016", "", "internal-security", both_claims, 4)),
                (SHEIKH_MAQSOUD, digest("evacuation:004 curfew:016", "", "internal-security", "", 2)),
                (BANI_ZAID, digest("evacuation:004", "", "", "", 0)),
                ("aleppo", digest("", "", "", "", 2)),
            ],
            casualties: &[HEALTH_DIRECTORATE, SDF_CORRECTED],
        },
        // one second before the ceasefire
        Moment {
            at: "2026-01-09T02:59:59+03:00",
            known_at: None,
            seq: 50,
            areas: vec![(ASHRAFIYEH, digest("evacuation:004 curfew:016", "", "internal-security", both_claims, 4))],
            casualties: &[HEALTH_DIRECTORATE, SDF_CORRECTED],
        },
        // at exactly 03:00 the ceasefire and the ultimatum are in force (from `at`, inclusive)
        Moment {
            at: "2026-01-09T03:00+03:00",
            known_at: None,
            seq: 50,
            areas: vec![(BANI_ZAID, digest("evacuation:004 ceasefire:029", &ultimatum("pending"), "", "", 0))],
            casualties: &[HEALTH_DIRECTORATE, SDF_CORRECTED],
        },
        // inside the window
        Moment {
            at: "2026-01-09T05:00+03:00",
            known_at: None,
            seq: 50,
            areas: vec![
                (
                    ASHRAFIYEH,
                    digest(
                        "evacuation:004 curfew:016 ceasefire:029",
                        &ultimatum("pending"),
                        "internal-security",
                        both_claims,
                        4,
                    ),
                ),
                (
                    SHEIKH_MAQSOUD,
                    digest(
                        "evacuation:004 curfew:016 ceasefire:029",
                        &ultimatum("pending"),
                        "internal-security",
                        "",
                        2,
                    ),
                ),
                (BANI_ZAID, digest("evacuation:004 ceasefire:029", &ultimatum("pending"), "", "", 0)),
                ("aleppo", digest("", "", "", "", 2)),
                ("aleppo/al-awarid-crossing", digest("", "", "", "", 0)),
            ],
            casualties: &[HEALTH_DIRECTORATE, SDF_CORRECTED],
        },
        // one second before the deadline, then exactly at it: half-open
        Moment {
            at: "2026-01-09T08:59:59+03:00",
            known_at: None,
            seq: 50,
            areas: vec![(BANI_ZAID, digest("evacuation:004 ceasefire:029", &ultimatum("pending"), "", "", 0))],
            casualties: &[HEALTH_DIRECTORATE, SDF_CORRECTED],
        },
        Moment {
            at: "2026-01-09T09:00+03:00",
            known_at: None,
            seq: 50,
            areas: vec![(BANI_ZAID, digest("evacuation:004 ceasefire:029", &ultimatum("expired"), "", "", 0))],
            casualties: &[HEALTH_DIRECTORATE, SDF_CORRECTED],
        },
        Moment {
            at: "2026-01-09T06:00:00Z",
            known_at: None,
            seq: 50,
            areas: vec![(BANI_ZAID, digest("evacuation:004 ceasefire:029", &ultimatum("expired"), "", "", 0))],
            casualties: &[HEALTH_DIRECTORATE, SDF_CORRECTED],
        },
        // after the deadline: expired, and the ceasefire, with no announced end, stands
        Moment {
            at: "2026-01-09T10:00+03:00",
            known_at: None,
            seq: 50,
            areas: vec![
                (
                    ASHRAFIYEH,
                    digest(
                        "evacuation:004 curfew:016 ceasefire:029",
                        &ultimatum("expired"),
                        "internal-security",
                        both_claims,
                        4,
                    ),
                ),
                (
                    SHEIKH_MAQSOUD,
                    digest(
                        "evacuation:004 curfew:016 ceasefire:029",
                        &ultimatum("expired"),
                        "internal-security",
                        "",
                        2,
                    ),
                ),
            ],
            casualties: &[HEALTH_DIRECTORATE, SDF_CORRECTED],
        },
        // before the correction was recorded, the SDF's first figure stands
        Moment {
            at: "2026-01-09T10:00+03:00",
            known_at: Some("#49"),
            seq: 49,
            areas: vec![(BANI_ZAID, digest("evacuation:004 ceasefire:029", &ultimatum("expired"), "", "", 0))],
            casualties: &[HEALTH_DIRECTORATE, SDF_FIRST],
        },
        Moment {
            at: "2026-01-08T22:00+03:00",
            known_at: Some("#49"),
            seq: 49,
            areas: vec![],
            casualties: &[HEALTH_DIRECTORATE, SDF_FIRST],
        },
        // the contract's example: at 03:30, as known after #40 (ceasefire not yet recorded)
        Moment {
            at: "2026-01-09T03:30+03:00",
            known_at: Some("#40"),
            seq: 40,
            areas: vec![
                (ASHRAFIYEH, digest("evacuation:004 curfew:016", "", "internal-security", "syrian-army=partial", 4)),
                (BANI_ZAID, digest("evacuation:004", "", "", "", 0)),
            ],
            casualties: &[HEALTH_DIRECTORATE, SDF_FIRST],
        },
        // after #37 only the health directorate had reported
        Moment {
            at: "2026-01-09T10:00+03:00",
            known_at: Some("#37"),
            seq: 37,
            areas: vec![(ASHRAFIYEH, digest("evacuation:004 curfew:016", "", "", "syrian-army=partial", 4))],
            casualties: &[HEALTH_DIRECTORATE],
        },
        // the SDF figure takes effect at its valid time, 20:00 (inclusive)
        Moment {
            at: "2026-01-08T19:59:59+03:00",
            known_at: None,
            seq: 50,
            areas: vec![],
            casualties: &[HEALTH_DIRECTORATE],
        },
        Moment {
            at: "2026-01-08T20:00+03:00",
            known_at: None,
            seq: 50,
            areas: vec![],
            casualties: &[HEALTH_DIRECTORATE, SDF_CORRECTED],
        },
        // before anything happened: areas known (definitions have no time), nothing in them
        Moment {
            at: "2026-01-07T12:00+03:00",
            known_at: None,
            seq: 50,
            areas: vec![(ASHRAFIYEH, digest("", "", "", "", 0)), ("aleppo", digest("", "", "", "", 0))],
            casualties: &[],
        },
        // the day-precision shelling of 8 January counts from that day's first instant in Damascus
        Moment {
            at: "2026-01-08T00:00+03:00",
            known_at: None,
            seq: 50,
            areas: vec![(ASHRAFIYEH, digest("", "", "", "", 1)), (SHEIKH_MAQSOUD, digest("", "", "", "", 1))],
            casualties: &[],
        },
        Moment {
            at: "2026-01-07T23:59:59+03:00",
            known_at: None,
            seq: 50,
            areas: vec![(ASHRAFIYEH, digest("", "", "", "", 0))],
            casualties: &[],
        },
    ]
}

#[test]
fn the_state_at_each_moment_on_both_axes() {
    let env = TestEnv::aleppo();
    let mut failures = Vec::new();
    for m in moments() {
        let mut extra = vec![];
        if let Some(k) = m.known_at {
            extra.extend(["--known-at", k]);
        }
        let s = env.state(m.at, &extra);
        let label = format!("--at {} --known-at {}", m.at, m.known_at.unwrap_or("(all)"));
        if s["seq"] != m.seq {
            failures.push(format!("{label}: seq {} (want {})", s["seq"], m.seq));
        }
        for (area, want) in &m.areas {
            let got = area_digest(&s, area);
            if &got != want {
                failures.push(format!("{label}: {area}\n   got  {got}\n   want {want}"));
            }
        }
        let got = casualty_digest(&s);
        if got != m.casualties {
            failures.push(format!("{label}: casualties {got:?} (want {:?})", m.casualties));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn area<'a>(s: &'a Value, slug: &str) -> &'a Value {
    &s["areas"][slug]
}

#[test]
fn thursday_night_curfew_and_no_ceasefire() {
    let env = TestEnv::aleppo();
    let s = env.state("2026-01-08T22:00+03:00", &[]);
    assert_eq!(s["at"], "2026-01-08T19:00:00Z");
    for slug in s["areas"].as_object().unwrap().keys() {
        let a = area(&s, slug);
        assert!(a["active"].as_array().unwrap().iter().all(|x| x["kind"] != "ceasefire"), "{slug}: {a}");
        assert_eq!(a["deadlines"], serde_json::json!([]), "{slug}");
    }
    for slug in [ASHRAFIYEH, SHEIKH_MAQSOUD] {
        let curfew: Vec<&Value> =
            area(&s, slug)["active"].as_array().unwrap().iter().filter(|x| x["kind"] == "curfew").collect();
        assert_eq!(curfew.len(), 1, "{slug}");
        assert_eq!(curfew[0]["id"], "01943a00-0000-7000-8000-000000000016");
        assert_eq!(curfew[0]["actor"], "syrian-government");
        assert_eq!(curfew[0]["since"], "2026-01-08T16:00:00Z");
        assert_eq!(curfew[0]["until"], Value::Null);
        assert_eq!(curfew[0]["source"], "Syrian authorities");
    }
    assert!(area(&s, BANI_ZAID)["active"].as_array().unwrap().iter().all(|x| x["kind"] != "curfew"));
}

#[test]
fn the_ceasefire_window_and_its_ultimatum() {
    let env = TestEnv::aleppo();
    let s = env.state("2026-01-09T05:00+03:00", &[]);
    for slug in [ASHRAFIYEH, SHEIKH_MAQSOUD, BANI_ZAID] {
        let a = area(&s, slug);
        let ceasefire = a["active"].as_array().unwrap().iter().find(|x| x["kind"] == "ceasefire");
        let ceasefire = ceasefire.unwrap_or_else(|| panic!("no ceasefire in {slug}: {a}"));
        assert_eq!(ceasefire["id"], "01943a00-0000-7000-8000-000000000029");
        assert_eq!(ceasefire["actor"], "syrian-mod");
        assert_eq!(ceasefire["since"], "2026-01-09T00:00:00Z");
        assert_eq!(ceasefire["until"], Value::Null);
        assert_eq!(ceasefire["source"], "Syrian Ministry of Defence");
        let d = &a["deadlines"][0];
        assert_eq!(a["deadlines"].as_array().unwrap().len(), 1);
        assert_eq!(d["id"], "01943a00-0000-7000-8000-000000000030");
        assert_eq!(d["actor"], "syrian-mod");
        assert_eq!(d["target"], "sdf");
        assert_eq!(d["deadline"], "2026-01-09T06:00:00Z");
        assert_eq!(d["status"], "pending");
    }
    assert_eq!(area(&s, "aleppo")["active"], serde_json::json!([]), "the ceasefire is not city-wide");

    for at in ["2026-01-09T09:00+03:00", "2026-01-09T10:00+03:00", "2026-01-10"] {
        let s = env.state(at, &[]);
        for slug in [ASHRAFIYEH, SHEIKH_MAQSOUD, BANI_ZAID] {
            assert_eq!(area(&s, slug)["deadlines"][0]["status"], "expired", "{slug} at {at}");
            assert_eq!(area(&s, slug)["deadlines"][0]["deadline"], "2026-01-09T06:00:00Z");
        }
    }
}

#[test]
fn forces_and_control_in_ashrafiyeh() {
    let env = TestEnv::aleppo();
    let a = area(&env.state("2026-01-09T05:00+03:00", &[]), ASHRAFIYEH).clone();
    let forces = a["forces"].as_array().unwrap();
    assert_eq!(forces.len(), 1);
    assert_eq!(forces[0]["actor"], "internal-security");
    assert_eq!(forces[0]["since"], "2026-01-08T17:30:00Z");
    assert_eq!(forces[0]["source"], "Syrian Ministry of Interior");

    let mut control: Vec<(String, String, String, String)> = a["control"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_else(|| panic!("control.{k}: {c}")).to_string();
            (s("actor"), s("extent"), s("at"), s("source"))
        })
        .collect();
    control.sort();
    assert_eq!(
        control,
        [
            ("internal-security".into(), "full".into(), "2026-01-08T18:30:00Z".into(), "SANA".into()),
            ("syrian-army".into(), "partial".into(), "2026-01-08T13:00:00Z".into(), "SOHR".into()),
        ]
    );
    // between the two claims only the army's stands
    let between = env.state("2026-01-08T21:00+03:00", &["--area", ASHRAFIYEH]);
    assert_eq!(area_digest(&between, ASHRAFIYEH).split(" control ").nth(1), Some("[syrian-army=partial] incidents 4"));
}

#[test]
fn casualty_claims_stand_side_by_side() {
    let env = TestEnv::aleppo();
    let claims = |known: &[&str]| {
        let s = env.state("2026-01-09T10:00+03:00", known);
        let mut v: Vec<(String, u64, u64, bool, String, Vec<String>)> = s["casualties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["source"].as_str().unwrap().to_string(),
                    c["killed"].as_u64().unwrap(),
                    c["wounded"].as_u64().unwrap(),
                    c["civilian"].as_bool().unwrap(),
                    c["at"].as_str().unwrap().to_string(),
                    c["areas"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let hd = (
        "Aleppo Health Directorate".to_string(),
        9,
        55,
        true,
        "2026-01-08T16:30:00Z".to_string(),
        vec!["aleppo".to_string()],
    );
    let sdf = |wounded| {
        (
            "SDF".to_string(),
            12,
            wounded,
            true,
            "2026-01-08T17:00:00Z".to_string(),
            vec![ASHRAFIYEH.to_string(), SHEIKH_MAQSOUD.to_string()],
        )
    };
    assert_eq!(claims(&[]), [hd.clone(), sdf(64)]);
    assert_eq!(claims(&["--known-at", "#49"]), [hd.clone(), sdf(46)]);
    assert_eq!(claims(&["--known-at", "#50"]), [hd, sdf(64)]);

    // the log keeps both versions and says which replaced which
    let log = env.log(&["--kind", "casualty_report"]);
    let ids: Vec<&str> = log.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "01943a00-0000-7000-8000-000000000018",
            "01943a00-0000-7000-8000-000000000019",
            "01943a00-0000-7000-8000-000000000031"
        ]
    );
    assert_eq!(log[1]["wounded"], 46);
    assert_eq!(log[1]["corrected_by"], "01943a00-0000-7000-8000-000000000031");
    assert_eq!(log[2]["corrects"], "01943a00-0000-7000-8000-000000000019");
}

#[test]
fn known_at_a_time_cuts_the_log_at_its_recording_time() {
    let env = TestEnv::aleppo();
    // the whole scenario was recorded in one batch, at one instant
    let recorded = env.recorded_at("01943a00-0000-7000-8000-000000000031");
    let t = chrono::DateTime::parse_from_rfc3339(&recorded).unwrap();
    let just_before = (t - chrono::Duration::microseconds(1)).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let at = "2026-01-09T05:00+03:00";
    let all = env.state(at, &["--known-at", &recorded]);
    assert_eq!(all["seq"], 50);
    assert_eq!(all["known_at"], recorded.as_str());
    assert_eq!(all["areas"], env.state(at, &[])["areas"]);
    let none = env.state(at, &["--known-at", &just_before]);
    assert_eq!(none["seq"], 0);
    assert_eq!(none["areas"], serde_json::json!({}));
    assert_eq!(none["casualties"], serde_json::json!([]));
}

#[test]
fn the_demo_tells_the_same_story() {
    let env = TestEnv::new();
    let demo = env.dir().join("demo.sijil");
    let out = env.run(&["demo", "--db", demo.to_str().unwrap()]);
    out.ok();
    let imported = TestEnv::aleppo();
    for at in ["2026-01-08T22:00+03:00", "2026-01-09T05:00+03:00", "2026-01-09T10:00+03:00"] {
        let from_demo = env.run(&["--db", demo.to_str().unwrap(), "state", "--at", at, "--format", "json"]).ok().json();
        assert_eq!(from_demo, imported.state(at, &[]), "at {at}");
    }
    // the demo names the correction and both SDF figures
    assert!(out.stdout.contains("#50") && out.stdout.contains("#38"), "{}", out.stdout);
    assert!(out.stdout.contains("46") && out.stdout.contains("64"));
}
