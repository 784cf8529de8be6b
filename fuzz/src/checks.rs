//! The checks the fuzz targets run, one function per target.
//!
//! This file is shared: the fuzz crate compiles it as `sijil_fuzz::checks`,
//! and sijil-core's regression test (`crates/core/tests/it/fuzz_regressions.rs`)
//! includes it with `#[path]`, so a committed crashing input goes through
//! exactly the check that found it. It may use only what sijil-core's own
//! dependencies provide.
//!
//! - [`event`]: one line, admitted against a log that holds a small registry
//!   of areas and actors. Never panics; an admitted event's canonical JSON
//!   decodes to the same event, is admitted back unchanged, and is a
//!   duplicate once learned; admitting through a [`Lookup`] (as the CLI
//!   appends) gives the same outcome as the full context.
//! - [`import`]: bytes split into lines as `sijil import` reads an NDJSON
//!   file, each admitted in order and learned, then every admitted event
//!   folded into a [`Timeline`] and its state read at a few instants; the
//!   [`Ledger`] of the same records (folded whole, and from each record's
//!   facts as a replay reads them), and the ledger read back from its
//!   checkpoint bytes, give the same states.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use sijil_core::{Admitted, Context, Event, KnownAt, Ledger, Lookup, Recorded, StateQuery, Summary, Timeline};
use uuid::Uuid;

/// The zone of the fuzzed log.
const ZONE: Tz = chrono_tz::Asia::Damascus;

/// The longest line `sijil import` reads (its `MAX_LINE`).
const MAX_LINE: usize = 64 * 1024;

/// The log every input is admitted against: areas and actors, positions 1 to 8.
const REGISTRY: [&str; 8] = [
    r#"{"kind":"area","area":"aleppo","name":"Aleppo","name_ar":"حلب","type":"city","lat":36.2021,"lon":37.1343,"aliases":["Halab"],"source":"gazetteer"}"#,
    r#"{"kind":"area","area":"aleppo/sheikh-maqsoud","name":"Sheikh Maqsoud","aliases":["الشيخ مقصود"],"type":"neighbourhood","source":"gazetteer"}"#,
    r#"{"kind":"area","area":"aleppo/ashrafiyeh","name":"Ashrafiyeh","aliases":["الأشرفية","Ashrafieh"],"source":"gazetteer"}"#,
    r#"{"kind":"area","area":"aleppo/al-awarid-crossing","name":"Al-Awarid crossing","type":"crossing","source":"gazetteer"}"#,
    r#"{"kind":"actor","actor":"sdf","name":"Syrian Democratic Forces","aliases":["قسد","QSD"],"source":"gazetteer"}"#,
    r#"{"kind":"actor","actor":"syrian-mod","name":"Syrian Ministry of Defence","source":"gazetteer"}"#,
    r#"{"kind":"actor","actor":"syrian-army","name":"Syrian Arab Army","source":"gazetteer"}"#,
    r#"{"kind":"actor","actor":"civil-defence","name":"Syrian Civil Defence","source":"gazetteer"}"#,
];

/// The id a line that names none gets: the same for every fuzzed line.
const FRESH: Uuid = Uuid::from_u128(0x0194a3b2_7c00_7000_8000_00000000f001);

/// Another fresh id, to show the canonical JSON does not depend on it.
const OTHER: Uuid = Uuid::from_u128(0x0194a3b2_7c00_7000_8000_00000000f002);

/// The log so far, learned two ways.
struct Base {
    /// Every registry event, learned.
    full: Context,
    /// Only names learned; the events themselves found through `stored`.
    partial: Context,
    stored: Stored,
    /// The registry as records of the log.
    records: Vec<Recorded>,
}

/// The store's indexes, as a [`Lookup`].
struct Stored(HashMap<Uuid, Summary>);

impl Lookup for Stored {
    fn summary(&self, id: &Uuid) -> Result<Option<Summary>, String> {
        Ok(self.0.get(id).cloned())
    }
}

fn utc(y: i32, mo: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, 0, 0).single().expect("a valid UTC time")
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut full = Context::new(ZONE);
        let mut partial = Context::new(ZONE);
        let mut stored = HashMap::new();
        let mut records = Vec::new();
        for (i, line) in REGISTRY.iter().enumerate() {
            let seq = i as u64 + 1;
            let Ok(Admitted::New(e)) = full.admit(line, Uuid::from_u128(seq as u128)) else {
                panic!("registry line {seq} is not admitted: {line}")
            };
            full.learn(&e);
            partial.learn_reference(&e);
            stored.insert(e.id, Summary::of(&e, &e.canonical_json(), ZONE));
            records.push(Recorded { seq, recorded_at: utc(2026, 1, 1, 0), event: e });
        }
        Base { full, partial, stored: Stored(stored), records }
    })
}

/// The event target: one line of input, admitted or refused, never a panic.
pub fn event(data: &[u8]) {
    // `sijil import` refuses a line that is not UTF-8 before admitting it
    let Ok(line) = std::str::from_utf8(data) else { return };
    let base = base();
    let got = base.full.admit(line, FRESH);
    let through_lookup = base.partial.admit_with(line, FRESH, &base.stored);
    assert_eq!(got, through_lookup, "admitting through a lookup differs\n  line: {line:?}");
    let Ok(Admitted::New(e)) = got else { return };
    round_trip(&e);
    let canonical = String::from_utf8(e.canonical_json()).expect("canonical JSON is UTF-8");
    assert_eq!(
        base.full.admit(&canonical, OTHER),
        Ok(Admitted::New(e.clone())),
        "the canonical JSON is not admitted back unchanged\n  line: {line:?}\n  canonical: {canonical}"
    );
    let mut learned = base.full.clone();
    learned.learn_admitted(&e);
    assert_eq!(
        learned.admit(&canonical, OTHER),
        Ok(Admitted::Duplicate(e.id)),
        "the canonical JSON of a learned event is not a duplicate\n  line: {line:?}\n  canonical: {canonical}"
    );
}

/// The import target: an NDJSON file, admitted line by line, then folded
/// and read; never a panic.
pub fn import(data: &[u8]) {
    let base = base();
    let mut ctx = base.full.clone();
    let mut timeline = Timeline::new(ZONE);
    for r in &base.records {
        timeline.apply(r.clone());
    }
    let mut seq = timeline.seq();
    for (n, line) in lines(data).enumerate() {
        let fresh = Uuid::from_u128(FRESH.as_u128() + 0x100 + n as u128);
        match ctx.admit(line, fresh) {
            Ok(Admitted::New(e)) => {
                round_trip(&e);
                ctx.learn_admitted(&e);
                // learned, the same line is now a duplicate of itself
                assert_eq!(ctx.admit(line, fresh), Ok(Admitted::Duplicate(e.id)), "line {}: {line:?}", n + 1);
                seq += 1;
                let recorded_at = utc(2026, 1, 8, 0) + Duration::minutes(seq as i64);
                timeline.apply(Recorded { seq, recorded_at, event: e });
            }
            Ok(Admitted::Duplicate(_)) | Err(_) => {}
        }
    }
    assert_eq!(timeline.seq(), seq, "the fold's position");

    // a few valid times: fixed ones, and the bounds of what was admitted
    let mut instants = vec![utc(1900, 1, 1, 0), utc(2026, 1, 8, 12), utc(2026, 1, 9, 0), utc(2200, 12, 31, 23)];
    let added = &timeline.records()[base.records.len()..];
    for r in added.iter().take(2).chain(added.iter().rev().take(2)) {
        if let Some(at) = r.event.at {
            instants.extend([at.start(ZONE), at.end(ZONE)]);
        }
        if let Some(until) = r.event.until {
            instants.push(until.end(ZONE));
        }
    }
    let areas = [None, Some("aleppo".to_string()), added.first().and_then(|r| r.event.areas.first().cloned())];
    let mut ledger = Ledger::new(ZONE);
    for r in timeline.records() {
        ledger.apply(r);
    }
    let reread = Ledger::decode(&ledger.encode(), ZONE).expect("a checkpoint reads back");
    // the ledger of each record's facts, as a replay reads them, is the same
    let mut lean = Ledger::new(ZONE);
    for r in timeline.records() {
        let json = String::from_utf8(r.event.canonical_json()).expect("canonical JSON is UTF-8");
        let facts = sijil_core::ledger::Facts::from_json(&json).expect("a stored event reads as facts");
        lean.apply_facts(r.seq, r.recorded_at, &facts);
    }
    assert_eq!(lean.encode(), ledger.encode(), "the facts fold to another ledger");
    for at in instants {
        for area in &areas {
            let q = StateQuery { at, known_at: KnownAt::All, area: area.clone() };
            let state = timeline.state(&q);
            serde_json::to_string(&state).expect("a state serializes");
            assert_eq!(ledger.state(&q), state, "the ledger differs from the timeline at {at}");
            assert_eq!(reread.state(&q), state, "the checkpoint differs from the timeline at {at}");
        }
        let _ = timeline.registry_at(at);
    }
    for r in timeline.current_in_valid_order() {
        let _ = timeline.effective_end(&r.event);
        let _ = timeline.standing(&r.event.id);
    }
}

/// The lines of `data` as `sijil import` reads them: split at `\n`, line
/// ends (`\r`, `\n`) dropped, over-long, blank and non-UTF-8 lines left out
/// (the CLI reports those without admitting them).
fn lines(data: &[u8]) -> impl Iterator<Item = &str> {
    data.split(|&b| b == b'\n').filter_map(|line| {
        let end = line.iter().rposition(|&b| b != b'\r').map_or(0, |i| i + 1);
        let line = &line[..end];
        if line.len() > MAX_LINE || line.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        std::str::from_utf8(line).ok()
    })
}

/// The stored form of an admitted event decodes to the same event.
fn round_trip(e: &Event) {
    let canonical = e.canonical_json();
    let decoded: Event = serde_json::from_slice(&canonical).unwrap_or_else(|err| {
        panic!("the canonical JSON does not decode: {err}\n  canonical: {}", String::from_utf8_lossy(&canonical))
    });
    assert_eq!(&decoded, e, "the canonical JSON decodes to another event");
}
