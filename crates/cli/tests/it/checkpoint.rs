//! Checkpoints are a cache: `state` gives the same answer at every (T, K)
//! with the checkpoint a large import left, with none, with one that cannot
//! be read, and with one taken earlier in the log.

use serde_json::{json, Value};
use sijil_core::{Ledger, Recorded};
use sijil_store::Store;

use crate::support::{scenario_text, TestEnv};

const AREAS: [&str; 6] = [
    "aleppo",
    "aleppo/sheikh-maqsoud",
    "aleppo/ashrafiyeh",
    "aleppo/bani-zaid",
    "aleppo/al-awarid-crossing",
    "aleppo/zuhour-street-crossing",
];
const ACTORS: [&str; 4] = ["sdf", "syrian-army", "internal-security", "syrian-mod"];
const SOURCES: [&str; 3] = ["SANA", "SOHR", "Hawar"];

fn id(n: usize) -> String {
    format!("01960000-0000-7000-8000-{n:012x}")
}

/// The scenario's areas and actors, then `n` events of every kind the
/// state shows, with corrections, retractions and ends, valid times out of
/// order over ten days.
fn synthetic(n: usize) -> String {
    let mut lines: Vec<String> = scenario_text()
        .lines()
        .filter(|l| l.contains(r#""kind":"area""#) || l.contains(r#""kind":"actor""#))
        .map(str::to_string)
        .collect();
    for i in 0..n {
        let minute_of = |i: usize| (i * 7919) % (8 * 24 * 60);
        let minute = minute_of(i);
        let mut at = local(minute);
        let area = AREAS[i % AREAS.len()];
        let actor = ACTORS[i % ACTORS.len()];
        let source = SOURCES[i % SOURCES.len()];
        let mut e = match i % 10 {
            0 => json!({"kind": "curfew", "areas": [area], "actor": actor, "until": local(minute + 2 * 1440)[..10]}),
            1 => {
                json!({"kind": "ultimatum", "areas": [area], "actor": actor, "target": "sdf", "deadline": local(minute + 360)})
            }
            2 => json!({"kind": "deployment", "areas": [area], "actor": actor}),
            3 => json!({"kind": "withdrawal", "areas": [area], "actor": actor}),
            4 => {
                json!({"kind": "control_claim", "areas": [area], "actor": actor, "extent": if i % 3 == 0 { json!("full") } else { json!(40) }})
            }
            5 => {
                json!({"kind": "casualty_report", "areas": [area], "killed": i % 17, "wounded": i % 23, "cumulative": i % 4 != 1})
            }
            6 if i > 100 => {
                // a curfew ends 90 minutes after it began
                at = local(minute_of(i - 106) + 90);
                json!({"kind": "ended", "ends": id(i - 106)})
            }
            // shelling reports are withdrawn, casualty figures corrected
            7 if i > 50 && (i / 10) % 3 == 0 => json!({"kind": "retraction", "retracts": id(i - 48)}),
            8 if i > 50 => {
                json!({"kind": "casualty_report", "areas": [area], "killed": 99, "corrects": id(i - 53 - (i - 53) % 10 + 5)})
            }
            _ => json!({"kind": "shelling", "areas": [area], "actor": actor}),
        };
        e["id"] = json!(id(i));
        e["at"] = json!(at);
        e["source"] = json!(source);
        lines.push(e.to_string());
    }
    lines.join("\n")
}

/// A local time in Damascus, `minute` minutes after 1 January 2026.
fn local(minute: usize) -> String {
    format!("2026-01-{:02}T{:02}:{:02}:00+03:00", 1 + minute / 1440, minute / 60 % 24, minute % 60)
}

const READS: [&str; 3] = ["2026-01-03T11:30:00Z", "2026-01-05T06:00:00Z", "2026-01-12T00:00:00Z"];

/// `state` at every read time and several horizons, with and without `--area`.
fn answers(env: &TestEnv, head: u64) -> Vec<Value> {
    let mut out = Vec::new();
    for at in READS {
        for k in [None, Some(30), Some(2500), Some(head - 1)] {
            let k = k.map(|k| format!("#{k}"));
            let mut extra = Vec::new();
            if let Some(k) = &k {
                extra.extend(["--known-at", k.as_str()]);
            }
            out.push(env.state(at, &extra));
            extra.extend(["--area", "aleppo/ashrafiyeh"]);
            out.push(env.state(at, &extra));
        }
    }
    out
}

#[test]
fn a_checkpoint_never_changes_an_answer() {
    let env = TestEnv::new();
    let text = synthetic(4800);
    let imported = env.import_text(&text);
    assert_eq!(imported["duplicates"], 0, "{imported}");
    // a few single appends after it, and a correction of an imported event
    env.append(r#"{"kind":"shelling","at":"2026-01-04T10:00+03:00","areas":["aleppo/bani-zaid"],"source":"SANA"}"#);
    env.append(&format!(
        r#"{{"kind":"control_claim","at":"2026-01-04T11:00+03:00","areas":["aleppo/ashrafiyeh"],"actor":"sdf","extent":"full","source":"SOHR","corrects":"{}"}}"#,
        id(4)
    ));
    let head = env.head().seq;
    let with_import_checkpoint = {
        let store = Store::open(env.db()).unwrap();
        assert!(store.checkpoint().unwrap().is_some(), "a large import into an empty log leaves a checkpoint");
        drop(store);
        answers(&env, head)
    };

    let store = Store::open(env.db()).unwrap();
    store.drop_checkpoints().unwrap();
    drop(store);
    assert_eq!(answers(&env, head), with_import_checkpoint, "no checkpoint");

    let store = Store::open(env.db()).unwrap();
    store.put_checkpoint(head, b"not a ledger at all").unwrap();
    drop(store);
    assert_eq!(answers(&env, head), with_import_checkpoint, "an unreadable checkpoint");

    // a checkpoint of the first 500 records, then every later one folded on
    let store = Store::open(env.db()).unwrap();
    let zone: chrono_tz::Tz = store.zone().parse().unwrap();
    let mut early = Ledger::new(zone);
    for r in store.scan(500) {
        let r: Recorded = r.unwrap();
        early.apply(&r);
    }
    store.put_checkpoint(500, &early.encode()).unwrap();
    drop(store);
    assert_eq!(answers(&env, head), with_import_checkpoint, "an earlier checkpoint");
    // that read folded more than a checkpoint's gap: it took a new one at the head
    let store = Store::open(env.db()).unwrap();
    assert_eq!(store.checkpoint_position(), Some(head));
    drop(store);
    assert_eq!(answers(&env, head), with_import_checkpoint, "the checkpoint a read took");
    assert!(env.head().seq == head);
}

/// The registry cache an import leaves (and each append moves up) is the
/// registry of every definition in the log, folded in order.
#[test]
fn the_registry_cache_is_the_fold_of_every_definition() {
    let env = TestEnv::aleppo();
    let fold = |store: &Store| {
        let mut all = sijil_core::Registry::default();
        for r in store.reference_events() {
            all.apply(&r.expect("a definition reads").event);
        }
        all
    };
    let cached = |store: &Store| {
        let (seq, bytes) = store.cache("registry").expect("the cache reads").expect("a cache is kept");
        (seq, sijil_core::Registry::decode(&bytes).expect("the cache decodes"))
    };
    {
        let store = Store::open(env.db()).expect("the log opens");
        let head = store.head().expect("a head").seq;
        assert_eq!(cached(&store), (head, fold(&store)), "after the import");
    }
    // an update appended, then an event: the cache moves up with it
    env.run(&[
        "append",
        "area",
        "--area",
        "aleppo/bani-zaid",
        "--name",
        "Bani Zaid",
        "--parent",
        "aleppo",
        "--aliases",
        "BZ",
        "--source",
        "g",
    ])
    .code(0);
    env.run(&["append", "shelling", "--areas", "BZ", "--at", "2026-01-10", "--source", "s"]).ok();
    let store = Store::open(env.db()).expect("the log opens");
    let head = store.head().expect("a head").seq;
    let (seq, registry) = cached(&store);
    assert_eq!((seq, &registry), (head - 1, &fold(&store)), "after an update and an event");
}

/// A registry cache that does not match the log's definitions (only a
/// defect could write one) misleads appends; `verify` finds it, says so
/// and drops it, and the next append rebuilds it from the log.
#[test]
fn verify_drops_a_registry_cache_that_differs_from_the_log() {
    let env = TestEnv::aleppo();
    {
        let store = Store::open(env.db()).expect("the log opens");
        let head = store.head().expect("a head").seq;
        store.put_cache("registry", head, &sijil_core::Registry::default().encode()).expect("a cache is written");
    }
    let shelling = ["append", "shelling", "--areas", "ashrafiyeh", "--at", "2026-01-10", "--source", "s"];
    env.run(&shelling).code(2);
    let run = env.run(&["verify"]);
    assert_eq!(
        run.code(0).stderr,
        "note: the cached areas and actors did not match the log's definitions and were dropped; \
         the next append rebuilds them\n"
    );
    env.run(&shelling).ok();
    // a sound cache is left alone, silently
    assert_eq!(env.run(&["verify"]).code(0).stderr, "");
    let store = Store::open(env.db()).expect("the log opens");
    assert!(store.cache("registry").expect("the cache reads").is_some(), "the append rebuilt it");
}
