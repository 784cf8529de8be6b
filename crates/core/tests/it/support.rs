//! The shared fixture: a small Aleppo gazetteer and actor list, and helpers
//! that admit lines through a [`Context`] (so events are canonical) and fold
//! them into a [`Timeline`] with chosen positions and recording times.
//!
//! Ids follow one convention everywhere: a line that names no `id` gets the
//! id `00000000-0000-0000-0000-0000000000NN`, where NN is its log position
//! written in decimal ([`id`]). The registry takes positions 1 to 10, so the
//! first line of a test is position 11 and gets `…000000000011`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;
use sijil_core::{Admitted, Context, Event, KnownAt, Ledger, Recorded, StateQuery, Timeline};
use uuid::Uuid;

/// The zone of every log in these tests (UTC+03:00 all year in 2026).
pub const ZONE: Tz = chrono_tz::Asia::Damascus;

/// The gazetteer and actor list, in log order (positions 1 to 10).
pub const REGISTRY: [&str; 10] = [
    r#"{"kind":"area","area":"aleppo","name":"Aleppo","name_ar":"حلب","type":"city","source":"gazetteer"}"#,
    r#"{"kind":"area","area":"aleppo/sheikh-maqsoud","name":"Sheikh Maqsoud","aliases":["الشيخ مقصود"],"type":"neighbourhood","source":"gazetteer"}"#,
    r#"{"kind":"area","area":"aleppo/ashrafiyeh","name":"Ashrafiyeh","aliases":["الأشرفية","Ashrafieh"],"type":"neighbourhood","source":"gazetteer"}"#,
    r#"{"kind":"area","area":"aleppo/bani-zaid","name":"Bani Zaid","type":"neighbourhood","source":"gazetteer"}"#,
    r#"{"kind":"area","area":"aleppo/al-awarid-crossing","name":"Al-Awarid crossing","type":"crossing","source":"gazetteer"}"#,
    r#"{"kind":"actor","actor":"sdf","name":"Syrian Democratic Forces","aliases":["قسد","QSD"],"source":"gazetteer"}"#,
    r#"{"kind":"actor","actor":"syrian-mod","name":"Syrian Ministry of Defence","source":"gazetteer"}"#,
    r#"{"kind":"actor","actor":"syrian-army","name":"Syrian Arab Army","source":"gazetteer"}"#,
    r#"{"kind":"actor","actor":"internal-security","name":"Internal Security Forces","source":"gazetteer"}"#,
    r#"{"kind":"actor","actor":"civil-defence","name":"Syrian Civil Defence","source":"gazetteer"}"#,
];

/// When the registry lines were recorded.
pub const REGISTRY_RECORDED: &str = "2026-01-01T00:00:00Z";

/// The id a line at log position `seq` gets when it names none.
pub fn id(seq: u64) -> Uuid {
    Uuid::parse_str(&format!("00000000-0000-0000-0000-{seq:012}")).expect("a position of at most 12 digits")
}

/// [`id`] as the string that JSON shows.
pub fn id_text(seq: u64) -> String {
    id(seq).to_string()
}

/// Reads an RFC 3339 instant.
pub fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{text:?} is not RFC 3339: {e}")).with_timezone(&Utc)
}

/// Admits `line` as a new event with `fresh` as its id if it names none,
/// learns it into `ctx` and returns it; panics, naming the line, otherwise.
pub fn admit_new(ctx: &mut Context, line: &str, fresh: Uuid) -> Event {
    match ctx.admit(line, fresh) {
        Ok(Admitted::New(event)) => {
            ctx.learn(&event);
            event
        }
        other => panic!("fixture line not admitted as new: {other:?}\n  line: {line}"),
    }
}

/// A context that has learned the registry and then `lines`, each line at
/// the next position (the first at 11).
pub fn context(lines: &[&str]) -> Context {
    let mut ctx = Context::new(ZONE);
    for (i, line) in REGISTRY.iter().chain(lines).enumerate() {
        admit_new(&mut ctx, line, id(i as u64 + 1));
    }
    ctx
}

/// Folds records, in the order given, into a fresh timeline.
pub fn timeline(records: impl IntoIterator<Item = Recorded>) -> Timeline {
    let mut t = Timeline::new(ZONE);
    for r in records {
        t.apply(r);
    }
    t
}

/// A log as the store would hold it: the registry, then test lines, each
/// admitted through a [`Context`] and given its position and recording time.
#[derive(Debug, Clone)]
pub struct Log {
    pub records: Vec<Recorded>,
}

impl Log {
    /// The registry (recorded at [`REGISTRY_RECORDED`]), then each
    /// `(recorded_at, line)` at positions 11, 12, …
    pub fn new(entries: &[(&str, &str)]) -> Log {
        let registry = REGISTRY.iter().map(|line| (REGISTRY_RECORDED, *line));
        let mut ctx = Context::new(ZONE);
        let records = registry
            .chain(entries.iter().copied())
            .enumerate()
            .map(|(i, (recorded_at, line))| {
                let seq = i as u64 + 1;
                let event = admit_new(&mut ctx, line, id(seq));
                Recorded { seq, recorded_at: utc(recorded_at), event }
            })
            .collect();
        Log { records }
    }

    /// The fold of the records that `known` takes into account.
    pub fn timeline(&self, known: KnownAt) -> Timeline {
        timeline(self.records.iter().filter(|r| known.includes(r)).cloned())
    }

    /// The state at `at`, as known at `known`, as JSON.
    pub fn state(&self, at: &str, known: KnownAt) -> Value {
        self.state_in(at, known, None)
    }

    /// [`Log::state`] keeping only `area` and the areas under it.
    pub fn state_in(&self, at: &str, known: KnownAt, area: Option<&str>) -> Value {
        let q = StateQuery { at: utc(at), known_at: known, area: area.map(str::to_string) };
        let state = self.timeline(known).state(&q);
        // every data-driven read also holds the ledger to the timeline,
        // folded whole and read back from its checkpoint bytes
        let ledger = self.ledger();
        assert_eq!(ledger.state(&q), state, "the ledger differs from the timeline at {at}, {known:?}, {area:?}");
        let reread = Ledger::decode(&ledger.encode(), ZONE).expect("a checkpoint reads back");
        assert_eq!(reread.state(&q), state, "the checkpoint differs from the timeline at {at}, {known:?}");
        serde_json::to_value(state).expect("a state serializes")
    }

    /// Every record folded into a ledger.
    pub fn ledger(&self) -> Ledger {
        let mut l = Ledger::new(ZONE);
        for r in &self.records {
            l.apply(r);
        }
        l
    }
}

/// `true` for an area of a state where nothing is going on.
pub fn is_quiet(area: &Value) -> bool {
    ["active", "deadlines", "forces", "control"].iter().all(|k| area[k].as_array().is_some_and(Vec::is_empty))
        && area["incidents"] == 0
}

/// The state without its quiet areas, so that expectations list only the
/// areas where something is going on.
pub fn without_quiet_areas(mut state: Value) -> Value {
    if let Some(areas) = state["areas"].as_object_mut() {
        areas.retain(|_, area| !is_quiet(area));
    }
    state
}
