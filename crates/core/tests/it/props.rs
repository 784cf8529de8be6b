//! Model tests: random valid logs on the fixture registry, admitted through
//! a [`Context`] so they are canonical, then read at random valid times.
//!
//! - (a) the projection is a pure fold: one by one, from a clone taken
//!   midway, or replayed from the stored JSON, the state is the same;
//! - (b) "as known at K" is the state of the log's first K records alone;
//! - (c) casualty figures are one source's own fold, never a sum of sources;
//! - (d) every entry of a state is in force at the time asked;
//! - (e) the ledger (and its checkpoint) answers every (T, K) as the timeline.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Value};
use sijil_core::export::{AcledRow, ExportedEvent, Exporter, Selection};
use sijil_core::ledger::Facts;
use sijil_core::{Context, Kind, KnownAt, Ledger, LogQuery, Recorded, State, StateQuery, Timeline};
use uuid::Uuid;

use crate::support::{admit_new, id, timeline, utc, REGISTRY, REGISTRY_RECORDED, ZONE};

const AREAS: [&str; 5] =
    ["aleppo", "aleppo/sheikh-maqsoud", "aleppo/ashrafiyeh", "aleppo/bani-zaid", "aleppo/al-awarid-crossing"];
const ACTORS: [&str; 5] = ["sdf", "syrian-mod", "syrian-army", "internal-security", "civil-defence"];
const SOURCES: [&str; 3] = ["SANA", "SOHR", "Hawar"];
const KINDS: [&str; 8] =
    ["ceasefire", "curfew", "ultimatum", "deployment", "withdrawal", "control_claim", "shelling", "casualty_report"];

/// Valid times fall in three days: 8 to 10 January 2026 in Damascus.
const WINDOW_MINUTES: u32 = 3 * 24 * 60;

fn window_start() -> DateTime<Utc> {
    utc("2026-01-07T21:00:00Z")
}

/// How a time is written in the generated line.
#[derive(Debug, Clone, Copy)]
enum Form {
    /// `2026-01-09T03:00`, read in the log's zone.
    Local,
    /// `2026-01-09T00:00:00Z`.
    Utc,
    /// `2026-01-09T02:00:00+02:00`.
    Offset,
    /// `2026-01-09`, the day that holds the minute.
    Day,
}

#[derive(Debug, Clone, Copy)]
struct Moment {
    minute: u32,
    form: Form,
}

impl Moment {
    fn instant(&self) -> DateTime<Utc> {
        window_start() + Duration::minutes(i64::from(self.minute))
    }

    /// Where the time begins on the timeline (a day: its midnight in the zone).
    fn start(&self) -> DateTime<Utc> {
        match self.form {
            Form::Day => {
                let day = self.instant().with_timezone(&ZONE).date_naive();
                let midnight = day.and_hms_opt(0, 0, 0).expect("midnight");
                ZONE.from_local_datetime(&midnight).single().expect("Damascus has no DST in 2026").with_timezone(&Utc)
            }
            _ => self.instant(),
        }
    }

    fn text(&self) -> String {
        let t = self.instant();
        match self.form {
            Form::Local => t.with_timezone(&ZONE).format("%Y-%m-%dT%H:%M").to_string(),
            Form::Utc => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            Form::Offset => {
                let plus_two = chrono::FixedOffset::east_opt(2 * 3600).expect("+02:00");
                t.with_timezone(&plus_two).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
            }
            Form::Day => t.with_timezone(&ZONE).format("%Y-%m-%d").to_string(),
        }
    }
}

/// One domain event, before it is written as a line.
#[derive(Debug, Clone)]
struct Fact {
    kind: &'static str,
    areas: Vec<&'static str>,
    actor: &'static str,
    source: &'static str,
    at: Moment,
    /// Minutes from the start to `until` (durative kinds) or the deadline.
    span: Option<u32>,
    /// 0–100 a percentage, 101 `full`, 102 `partial`.
    extent: u8,
    killed: Option<u32>,
    wounded: Option<u32>,
    civilian: Option<bool>,
    cumulative: Option<bool>,
}

impl Fact {
    fn line(&self, corrects: Option<Uuid>) -> String {
        let mut v = json!({"kind": self.kind, "at": self.at.text(), "areas": self.areas, "source": self.source});
        // one end in four is given as a date (it then lasts the whole day)
        let after_start = |minutes: u32| {
            let end = self.at.start() + Duration::minutes(i64::from(minutes));
            let form = if minutes % 4 == 1 { "%Y-%m-%d" } else { "%Y-%m-%dT%H:%M" };
            end.with_timezone(&ZONE).format(form).to_string()
        };
        match self.kind {
            "ceasefire" | "curfew" | "deployment" => {
                v["actor"] = json!(self.actor);
                if let Some(span) = self.span {
                    v["until"] = json!(after_start(span));
                }
            }
            "ultimatum" => {
                v["actor"] = json!(self.actor);
                v["deadline"] = json!(after_start(self.span.unwrap_or(120)));
            }
            "withdrawal" => v["actor"] = json!(self.actor),
            "control_claim" => {
                v["actor"] = json!(self.actor);
                v["extent"] = match self.extent {
                    101 => json!("full"),
                    102 => json!("partial"),
                    p => json!(p),
                };
            }
            "shelling" => {
                if let Some(k) = self.killed {
                    v["killed"] = json!(k);
                }
            }
            "casualty_report" => {
                // few area sets and populations, so that a source's reports
                // often replace or add to figures for other areas or people
                v["areas"] = json!(AREAS[1..=self.areas.len()]);
                v["killed"] = json!(self.killed.unwrap_or(0));
                if let Some(w) = self.wounded {
                    v["wounded"] = json!(w);
                }
                if self.civilian == Some(true) {
                    v["civilian"] = json!(true);
                }
                if let Some(c) = self.cumulative {
                    v["cumulative"] = json!(c);
                }
            }
            other => unreachable!("{other}"),
        }
        if let Some(target) = corrects {
            v["corrects"] = json!(target.to_string());
        }
        v.to_string()
    }
}

/// One step of a generated log; `pick` chooses among the events it may
/// refer to, skipping the step when there is none.
#[derive(Debug, Clone)]
enum Op {
    Fact(Fact),
    End { pick: Index, after: u32 },
    Correct { pick: Index, fact: Fact },
    Retract { pick: Index },
}

fn moment() -> impl Strategy<Value = Moment> {
    let form = prop_oneof![Just(Form::Local), Just(Form::Utc), Just(Form::Offset), Just(Form::Day)];
    (0..WINDOW_MINUTES, form).prop_map(|(minute, form)| Moment { minute, form })
}

fn fact() -> impl Strategy<Value = Fact> {
    (
        prop_oneof![7 => prop::sample::select(&KINDS[..7]), 3 => Just("casualty_report")],
        prop::sample::subsequence(&AREAS[..], 1..=2),
        prop::sample::select(&ACTORS[..]),
        prop::sample::select(&SOURCES[..]),
        moment(),
        prop::option::of(1u32..3000),
        0u8..=102,
        (prop::option::of(0u32..50), prop::option::of(0u32..200)),
        (prop::option::of(any::<bool>()), prop::option::of(any::<bool>())),
    )
        .prop_map(|(kind, areas, actor, source, at, span, extent, (killed, wounded), (civilian, cumulative))| {
            Fact { kind, areas, actor, source, at, span, extent, killed, wounded, civilian, cumulative }
        })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => fact().prop_map(Op::Fact),
        1 => (any::<Index>(), 0u32..3000).prop_map(|(pick, after)| Op::End { pick, after }),
        1 => (any::<Index>(), fact()).prop_map(|(pick, fact)| Op::Correct { pick, fact }),
        1 => any::<Index>().prop_map(|pick| Op::Retract { pick }),
    ]
}

/// What the generator knows of an event it wrote.
struct Written {
    id: Uuid,
    kind: Kind,
    start: DateTime<Utc>,
    corrected: bool,
    retracted: bool,
}

/// A generated log: the lines after the registry, and every record.
#[derive(Debug, Clone)]
struct GenLog {
    lines: Vec<String>,
    records: Vec<Recorded>,
}

/// The registry, then `lines` with their recording times, admitted through
/// a fresh context: positions from 1, ids by [`id`].
fn admit_log(lines: &[String], recorded: &[DateTime<Utc>]) -> Vec<Recorded> {
    let mut ctx = Context::new(ZONE);
    let registry = REGISTRY.iter().map(|l| (l.to_string(), utc(REGISTRY_RECORDED)));
    registry
        .chain(lines.iter().cloned().zip(recorded.iter().copied()))
        .enumerate()
        .map(|(i, (line, recorded_at))| {
            let seq = i as u64 + 1;
            Recorded { seq, recorded_at, event: admit_new(&mut ctx, &line, id(seq)) }
        })
        .collect()
}

/// Writes the ops as lines (each valid given the ones before) and admits them.
fn build(ops: &[(Op, u32)]) -> GenLog {
    let mut written: Vec<Written> = Vec::new();
    let mut lines = Vec::new();
    let mut recorded = Vec::new();
    let mut clock = utc("2026-01-07T00:00:00Z");
    for (op, step) in ops {
        let seq = (REGISTRY.len() + lines.len() + 1) as u64;
        let choose = |ok: &dyn Fn(&Written) -> bool, pick: &Index| {
            let candidates: Vec<usize> = (0..written.len()).filter(|&i| ok(&written[i])).collect();
            (!candidates.is_empty()).then(|| candidates[pick.index(candidates.len())])
        };
        let (line, kind, start) = match op {
            Op::Fact(f) => (f.line(None), Kind::parse(f.kind), f.at.start()),
            Op::End { pick, after } => {
                let Some(i) = choose(&|w| w.kind.is_durative() && !w.corrected && !w.retracted, pick) else { continue };
                let at = written[i].start + Duration::minutes(i64::from(*after));
                // now and then an end known only to the day (it ends with that
                // day, and may tie with an `until` at the next midnight)
                let text = if after % 3 == 0 {
                    at.with_timezone(&ZONE).format("%Y-%m-%d").to_string()
                } else {
                    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
                };
                let line = json!({"kind": "ended", "at": text, "ends": written[i].id.to_string(), "source": "SANA"});
                (line.to_string(), Some(Kind::Ended), at)
            }
            Op::Correct { pick, fact } => {
                let correctable =
                    |w: &Written| !matches!(w.kind, Kind::Ended | Kind::Retraction) && !w.corrected && !w.retracted;
                let Some(i) = choose(&correctable, pick) else { continue };
                written[i].corrected = true;
                (fact.line(Some(written[i].id)), Kind::parse(fact.kind), fact.at.start())
            }
            Op::Retract { pick } => {
                let Some(i) = choose(&|w| w.kind != Kind::Retraction && !w.corrected && !w.retracted, pick) else {
                    continue;
                };
                written[i].retracted = true;
                let at = window_start() + Duration::minutes(i64::from(WINDOW_MINUTES));
                let line = json!({"kind": "retraction", "at": at.format("%Y-%m-%dT%H:%M:%SZ").to_string(), "retracts": written[i].id.to_string(), "source": "Hawar"});
                (line.to_string(), Some(Kind::Retraction), at)
            }
        };
        let kind = kind.expect("a known kind");
        written.push(Written { id: id(seq), kind, start, corrected: false, retracted: false });
        lines.push(line);
        clock += Duration::minutes(i64::from(*step));
        recorded.push(clock);
    }
    let records = admit_log(&lines, &recorded);
    GenLog { lines, records }
}

fn log() -> impl Strategy<Value = GenLog> {
    prop::collection::vec((op(), 1u32..240), 1..40).prop_map(|ops| build(&ops))
}

/// Where to read a log: a random minute, or one of the log's own boundaries.
#[derive(Debug, Clone)]
enum Read {
    /// Minutes from the start of the window (a little before it to well after).
    Minute(i64),
    /// A start, `until` or deadline of one of the log's events, or the
    /// instant just before it: where half-open intervals are decided.
    Boundary(Index, bool),
}

fn reads() -> impl Strategy<Value = Vec<Read>> {
    let minute = (-120i64..i64::from(WINDOW_MINUTES) + 3000).prop_map(Read::Minute);
    let boundary = (any::<Index>(), any::<bool>()).prop_map(|(i, before)| Read::Boundary(i, before));
    prop::collection::vec(prop_oneof![minute, boundary], 1..5)
}

/// The instants `reads` name in `records`.
fn read_times(records: &[Recorded], reads: &[Read]) -> Vec<DateTime<Utc>> {
    let bounds: Vec<DateTime<Utc>> = records
        .iter()
        .flat_map(|r| {
            let e = &r.event;
            [e.at.map(|t| t.start(ZONE)), e.until.map(|t| t.end(ZONE)), e.deadline.map(|t| t.end(ZONE))]
        })
        .flatten()
        .collect();
    reads
        .iter()
        .map(|read| match read {
            Read::Minute(m) => window_start() + Duration::minutes(*m),
            Read::Boundary(_, _) if bounds.is_empty() => window_start(),
            Read::Boundary(i, before) => bounds[i.index(bounds.len())] - Duration::seconds(i64::from(*before)),
        })
        .collect()
}

fn query(at: DateTime<Utc>, known_at: KnownAt) -> StateQuery {
    StateQuery { at, known_at, area: None }
}

/// One casualty entry as a model computes it from the log.
#[derive(Debug, PartialEq)]
struct Figures {
    source: String,
    killed: Option<u64>,
    wounded: Option<u64>,
    civilian: Option<bool>,
    at: DateTime<Utc>,
    areas: Vec<String>,
    id: Uuid,
    reports: u32,
}

/// The casualty entries of the state at `at`, recomputed from the records
/// one source at a time: its latest cumulative report, plus the
/// non-cumulative reports of that source after it.
fn casualty_model(records: &[Recorded], at: DateTime<Utc>) -> Vec<Figures> {
    let hidden: Vec<Uuid> = records.iter().flat_map(|r| r.event.corrects.into_iter().chain(r.event.retracts)).collect();
    let mut reports: Vec<&Recorded> = records
        .iter()
        .filter(|r| r.event.kind == Kind::CasualtyReport && !hidden.contains(&r.event.id))
        .filter(|r| r.event.at.is_some_and(|t| t.start(ZONE) <= at))
        .collect();
    reports.sort_by_key(|r| (r.event.at.map(|t| t.start(ZONE)), r.seq));
    let mut out: Vec<Figures> = Vec::new();
    for r in reports {
        let e = &r.event;
        let mut areas = e.areas.clone();
        areas.sort();
        let start = e.at.expect("a report has a time").start(ZONE);
        let fresh = Figures {
            source: e.source.name.clone(),
            killed: e.killed,
            wounded: e.wounded,
            civilian: e.civilian,
            at: start,
            areas: areas.clone(),
            id: e.id,
            reports: 1,
        };
        match out.iter_mut().find(|f| f.source == e.source.name) {
            Some(f) if e.cumulative == Some(false) => {
                let add = |a: Option<u64>, b: Option<u64>| a.zip(b).map(|(a, b)| a + b).or(a).or(b);
                f.killed = add(f.killed, e.killed);
                f.wounded = add(f.wounded, e.wounded);
                if f.civilian != e.civilian {
                    f.civilian = None;
                }
                f.areas.extend(areas);
                f.areas.sort();
                f.areas.dedup();
                f.at = start;
                f.id = e.id;
                f.reports += 1;
            }
            Some(f) => *f = fresh,
            None => out.push(fresh),
        }
    }
    out.sort_by(|a, b| a.source.cmp(&b.source));
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// (a) Folding one by one, from a clone taken midway, or from the
    /// records read back from their stored JSON all give the same state; the
    /// clone taken midway is not changed by what the original folds later.
    #[test]
    fn apply_is_a_pure_fold(log in log(), cut in any::<Index>(), reads in reads()) {
        let ts = read_times(&log.records, &reads);
        let records = &log.records;
        let cut = cut.index(records.len()) + 1;
        let whole = timeline(records.iter().cloned());
        let mut one_by_one = Timeline::new(ZONE);
        let mut midway = None;
        for (i, r) in records.iter().enumerate() {
            one_by_one.apply(r.clone());
            if i + 1 == cut {
                midway = Some(one_by_one.clone());
            }
        }
        let midway = midway.expect("cut is within the log");
        let mut continued = midway.clone();
        for r in &records[cut..] {
            continued.apply(r.clone());
        }
        let replayed = timeline(records.iter().map(|r| {
            let stored = serde_json::to_string(r).expect("a record serializes");
            serde_json::from_str::<Recorded>(&stored).expect("a stored record reads back")
        }));
        let prefix = timeline(records[..cut].iter().cloned());
        prop_assert_eq!(one_by_one.seq(), records.len() as u64);
        for t in ts {
            let q = query(t, KnownAt::All);
            let want = whole.state(&q);
            prop_assert_eq!(&one_by_one.state(&q), &want);
            prop_assert_eq!(&continued.state(&q), &want);
            prop_assert_eq!(&replayed.state(&q), &want);
            prop_assert_eq!(midway.state(&q), prefix.state(&q));
        }
    }

    /// (b) Reading as known at position K folds only the first K records,
    /// and that is the state of a log that only ever held those K events:
    /// the same as known at the time the K-th was recorded.
    #[test]
    fn known_at_k_is_the_log_of_its_first_k_events(log in log(), k in any::<Index>(), reads in reads()) {
        let ts = read_times(&log.records, &reads);
        let records = &log.records;
        let k = REGISTRY.len() + k.index(log.lines.len() + 1);
        let by_seq = timeline(records.iter().filter(|r| KnownAt::Seq(k as u64).includes(r)).cloned());
        let by_time = timeline(records.iter().filter(|r| KnownAt::Time(records[k - 1].recorded_at).includes(r)).cloned());
        let lines = &log.lines[..k - REGISTRY.len()];
        let recorded: Vec<DateTime<Utc>> = records[REGISTRY.len()..k].iter().map(|r| r.recorded_at).collect();
        let short_log = admit_log(lines, &recorded);
        prop_assert_eq!(&short_log[..], &records[..k]);
        let short = timeline(short_log);
        prop_assert_eq!(by_seq.seq(), k as u64);
        for t in ts {
            let q = query(t, KnownAt::Seq(k as u64));
            let want = short.state(&q);
            prop_assert_eq!(&by_seq.state(&q), &want);
            prop_assert_eq!(&by_time.state(&q), &want);
        }
    }

    /// (c) Each casualty entry holds the figures of one source's own reports
    /// (the latest cumulative one, plus the non-cumulative ones since), and
    /// there is one entry per source: figures of two sources are never added.
    #[test]
    fn casualties_are_never_summed_across_sources(log in log(), reads in reads()) {
        let ts = read_times(&log.records, &reads);
        let whole = timeline(log.records.iter().cloned());
        for t in ts {
            let state: State = whole.state(&query(t, KnownAt::All));
            let got: Vec<Figures> = state
                .casualties
                .iter()
                .map(|c| Figures {
                    source: c.source.to_string(),
                    killed: c.killed,
                    wounded: c.wounded,
                    civilian: c.civilian,
                    at: c.at,
                    areas: c.areas.iter().map(|a| a.to_string()).collect(),
                    id: c.id,
                    reports: c.reports,
                })
                .collect();
            let want = casualty_model(&log.records, t);
            prop_assert_eq!(got, want);
        }
    }

    /// (d) What a state lists is in force at its time: active events started
    /// and not over, deadlines pending exactly before them, incidents and
    /// forces only from events already begun.
    #[test]
    fn every_entry_of_a_state_holds_at_its_time(log in log(), reads in reads()) {
        let ts = read_times(&log.records, &reads);
        let whole = timeline(log.records.iter().cloned());
        for t in ts {
            let state = whole.state(&query(t, KnownAt::All));
            let json: Value = serde_json::to_value(&state).expect("a state serializes");
            prop_assert_eq!(&json["at"], &json!(sijil_core::time::utc_text(t)));
            for (slug, area) in &state.areas {
                for a in &area.active {
                    prop_assert!(a.since <= t && a.until.is_none_or(|u| t < u), "{slug}: {a:?} at {t}");
                    prop_assert!(matches!(a.kind, Kind::Ceasefire | Kind::Curfew | Kind::Evacuation));
                }
                for d in &area.deadlines {
                    prop_assert_eq!(d.status, if t < d.deadline { "pending" } else { "expired" });
                }
                for f in &area.forces {
                    prop_assert!(f.since <= t, "{slug}: {f:?} at {t}");
                }
                for c in &area.control {
                    prop_assert!(c.at <= t, "{slug}: {c:?} at {t}");
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// (e) The ledger answers every (T, K) as the timeline of the first K
    /// records does, for every horizon and `--area`; so does a ledger read
    /// back from its checkpoint bytes and then folded on (a checkpoint
    /// taken midway, plus the records after it).
    #[test]
    fn the_ledger_answers_as_the_timeline(
        log in log(),
        k in any::<Index>(),
        cut in any::<Index>(),
        area in prop::option::of(prop::sample::select(&AREAS[..])),
        reads in reads(),
    ) {
        let ts = read_times(&log.records, &reads);
        let records = &log.records;
        let k = k.index(records.len() + 1);
        let cut = cut.index(records.len() + 1);
        let mut whole = Ledger::new(ZONE);
        let mut resumed = None;
        for (i, r) in records.iter().enumerate() {
            if i == cut {
                resumed = Some(Ledger::decode(&whole.encode(), ZONE).expect("a checkpoint reads back"));
            }
            whole.apply(r);
            if let Some(l) = resumed.as_mut() {
                l.apply(r);
            }
        }
        let resumed = resumed.unwrap_or_else(|| Ledger::decode(&whole.encode(), ZONE).expect("reads back"));
        // folding what the ledger keeps of each stored event, read from its
        // canonical JSON, is folding the events
        let mut lean = Ledger::new(ZONE);
        for r in records {
            let json = String::from_utf8(r.event.canonical_json()).expect("canonical JSON is UTF-8");
            let facts = Facts::from_json(&json).expect("a stored event reads as facts");
            lean.apply_facts(r.seq, r.recorded_at, &facts);
        }
        prop_assert_eq!(lean.encode(), whole.encode());
        let horizons = [
            KnownAt::All,
            KnownAt::Seq(k as u64),
            KnownAt::Time(records[k.max(1) - 1].recorded_at),
            KnownAt::Time(records[0].recorded_at - Duration::seconds(1)),
        ];
        let bytes = whole.encode();
        for known in horizons {
            let folded = timeline(records.iter().filter(|r| known.includes(r)).cloned());
            // the checkpoint read only as far as the horizon: the ledger of
            // those records, answering as they do, and folding on from there
            // as the whole ledger does
            let (mut prefix, held) = Ledger::decode_upto(&bytes, ZONE, known).expect("a prefix reads back");
            prop_assert_eq!((prefix.seq(), held), (folded.seq(), records.len() as u64));
            // a reader may read only the start of the bytes (`prefix_len`):
            // a part too short for the horizon is refused, never read as
            // another ledger
            for cut in (0..bytes.len()).step_by(bytes.len() / 24 + 1) {
                if let Ok((part, part_held)) = Ledger::decode_upto(&bytes[..cut], ZONE, known) {
                    prop_assert_eq!((part.seq(), part_held), (prefix.seq(), held));
                    prop_assert_eq!(part.encode(), prefix.encode());
                }
            }
            // the entries in pieces of any size (decoded side by side) read
            // back as the same ledger, and a cut part is refused or the same
            for piece in [1, 2, 5] {
                let pieces = whole.encode_in_pieces(piece);
                let (part, part_held) = Ledger::decode_upto(&pieces, ZONE, known).expect("pieces read back");
                prop_assert_eq!(part_held, held);
                prop_assert_eq!(part.encode(), prefix.encode());
                for cut in (0..pieces.len()).step_by(pieces.len() / 12 + 1) {
                    if let Ok((part, part_held)) = Ledger::decode_upto(&pieces[..cut], ZONE, known) {
                        prop_assert_eq!((part.seq(), part_held), (prefix.seq(), held));
                        prop_assert_eq!(part.encode(), prefix.encode());
                    }
                }
            }
            let mut refolded = prefix.clone();
            for r in &records[prefix.seq() as usize..] {
                refolded.apply(r);
            }
            // what `sijil show` asks of the ledger, against the timeline
            for r in records.iter().filter(|r| known.includes(r)) {
                let id_at = |seq: Option<u64>| seq.map(|s| records[s as usize - 1].event.id);
                let standing = folded.standing(&r.event.id);
                let (corrected, retracted) = whole.standing_at(r.seq, known);
                prop_assert_eq!(id_at(corrected), standing.corrected_by);
                prop_assert_eq!(id_at(retracted), standing.retracted_by);
                let enders: Vec<u64> = folded.enders(&r.event.id).iter().map(|x| x.seq).collect();
                prop_assert_eq!(whole.enders_of(r.seq, known), enders.clone());
                prop_assert_eq!(id_at(whole.replaces(r.seq)), r.event.corrects.filter(|id| folded.get(id).is_some()));
                prop_assert_eq!(whole.position(&r.event.id, known), Some(r.seq));
                // and the prefix read from the checkpoint says the same
                prop_assert_eq!(prefix.standing_at(r.seq, known), (corrected, retracted));
                prop_assert_eq!(prefix.enders_of(r.seq, known), enders);
                prop_assert_eq!(prefix.replaces(r.seq), whole.replaces(r.seq));
                prop_assert_eq!(prefix.position(&r.event.id, known), Some(r.seq));
            }
            if let Some(later) = records.iter().find(|r| !known.includes(r)) {
                prop_assert_eq!(whole.position(&later.event.id, known), None);
            }
            // what `sijil log` lists: by kind, valid-time window and area
            let mut windows = vec![(None, None)];
            for t in &ts {
                windows.extend([(Some(*t), None), (None, Some(*t)), (Some(*t), Some(*t + Duration::hours(6)))]);
            }
            for kinds in [vec![], vec![Kind::Ceasefire, Kind::Ultimatum, Kind::Area], vec![Kind::Actor]] {
                for &(since, until) in &windows {
                    let q = LogQuery { known_at: known, kinds: kinds.clone(), since, until, area: area.map(str::to_string) };
                    let want = folded.select(&q);
                    prop_assert_eq!(&whole.select(&q), &want, "{:?}", q);
                    prop_assert_eq!(&resumed.select(&q), &want, "resumed, {:?}", q);
                    prop_assert_eq!(&prefix.select(&q), &want, "prefix, {:?}", q);
                }
            }
            for r in records {
                prop_assert_eq!(whole.id_at(r.seq), Some(r.event.id));
            }
            for t in &ts {
                let q = StateQuery { at: *t, known_at: known, area: area.map(str::to_string) };
                let want = folded.state(&q);
                prop_assert_eq!(&whole.state(&q), &want, "{:?} at {}", known, t);
                prop_assert_eq!(&resumed.state(&q), &want, "resumed, {:?} at {}", known, t);
                prop_assert_eq!(&prefix.state(&q), &want, "prefix, {:?} at {}", known, t);
                prop_assert_eq!(&refolded.state(&q), &want, "prefix folded on, {:?} at {}", known, t);
                let q_all = StateQuery { at: *t, known_at: KnownAt::All, area: area.map(str::to_string) };
                prop_assert_eq!(&refolded.state(&q_all), &whole.state(&q_all), "prefix folded on, all, at {}", t);
                let (want_reg, got_reg) = (folded.registry_at(*t), whole.registry_at(*t, known));
                prop_assert_eq!(got_reg.areas().collect::<Vec<_>>(), want_reg.areas().collect::<Vec<_>>());
                prop_assert_eq!(got_reg.actors().collect::<Vec<_>>(), want_reg.actors().collect::<Vec<_>>());
                let prefix_reg = prefix.registry_at(*t, known);
                prop_assert_eq!(prefix_reg.areas().collect::<Vec<_>>(), want_reg.areas().collect::<Vec<_>>());
                prop_assert_eq!(prefix_reg.actors().collect::<Vec<_>>(), want_reg.actors().collect::<Vec<_>>());
            }
        }
    }
}

/// Gives two areas coordinates (the city and one neighbourhood), so that
/// exports place events: the others take the city's.
fn placed(records: &[Recorded]) -> Vec<Recorded> {
    let mut out = records.to_vec();
    for r in &mut out {
        match r.event.area.as_deref() {
            Some("aleppo") => (r.event.lat, r.event.lon) = (Some(36.2), Some(37.15)),
            Some("aleppo/ashrafiyeh") => (r.event.lat, r.event.lon) = (Some(36.22), Some(37.16)),
            _ => {}
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// (f) Every export made through the ledger, with the records streamed
    /// past it one at a time, is the export of the timeline of the records
    /// known at K: the event list, the ACLED incidents and rows, the GeoJSON
    /// features of events and areas, and the casualty claims, for every
    /// horizon and selection; from the whole ledger and from the prefix a
    /// checkpoint gives.
    #[test]
    fn exports_through_the_ledger_are_the_timelines(
        log in log(),
        k in any::<Index>(),
        area in prop::option::of(prop::sample::select(&AREAS[..])),
        reads in reads(),
    ) {
        let records = placed(&log.records);
        let ts = read_times(&records, &reads);
        let k = k.index(records.len() + 1);
        let mut whole = Ledger::new(ZONE);
        for r in &records {
            whole.apply(r);
        }
        let bytes = whole.encode();
        let mut selections = vec![
            Selection::default(),
            Selection { area: area.map(str::to_string), ..Selection::default() },
            Selection { kinds: vec![Kind::Ended, Kind::Deployment, Kind::Shelling], ..Selection::default() },
        ];
        for t in ts.iter().take(2) {
            selections.push(Selection { since: Some(*t), area: area.map(str::to_string), ..Selection::default() });
            selections.push(Selection { until: Some(*t), ..Selection::default() });
        }
        for known in [KnownAt::All, KnownAt::Seq(k as u64), KnownAt::Time(records[k.max(1) - 1].recorded_at)] {
            let folded = timeline(records.iter().filter(|r| known.includes(r)).cloned());
            let (prefix, _) = Ledger::decode_upto(&bytes, ZONE, known).expect("a prefix reads back");
            for (which, mut ledger) in [("whole", whole.clone()), ("prefix", prefix)] {
                let view = ledger.view(known);
                prop_assert_eq!(view.horizon(), folded.seq());
                // owned records, one at a time, as a scan of the store gives them
                let streamed = || records[..view.horizon() as usize].iter().cloned();
                for sel in &selections {
                    let (want, got) = (Exporter::new(&folded, sel.clone()), Exporter::new(&view, sel.clone()));
                    let events: Vec<ExportedEvent> = got.events(streamed()).collect();
                    prop_assert_eq!(&events, &want.events(folded.records()).collect::<Vec<_>>(), "{} {:?}", which, sel);

                    let types = want.guess_actor_types();
                    prop_assert_eq!(&got.guess_actor_types(), &types);
                    let (rows, left_out) = want.acled_rows(folded.records(), &types);
                    let rows: Vec<AcledRow> = rows.collect();
                    let plan = got.acled_plan(streamed());
                    prop_assert_eq!(plan.left_out, left_out);
                    let planned: Vec<AcledRow> = plan
                        .groups
                        .iter()
                        .flat_map(|g| {
                            let members: Vec<&Recorded> = g.iter().map(|&seq| &records[seq as usize - 1]).collect();
                            got.acled_group(&members, &types)
                        })
                        .collect();
                    prop_assert_eq!(&planned, &rows, "{} {:?}", which, sel);

                    let features: Vec<Value> = got.domain_events(streamed()).flat_map(|r| got.event_features(&r)).collect();
                    let want_features: Vec<Value> =
                        want.domain_events(folded.records()).flat_map(|r| want.event_features(r)).collect();
                    prop_assert_eq!(&features, &want_features, "{} {:?}", which, sel);
                    prop_assert_eq!(got.casualties(streamed()), want.casualties(folded.records()), "{} {:?}", which, sel);
                    for t in &ts {
                        prop_assert_eq!(got.area_features(*t, known), want.area_features(*t, known));
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// What a situation report reads back from the log holds every record
    /// it can draw, for any horizon and window: each current event (not a
    /// definition) starting in the window, each current durative one that
    /// starts before the window ends and is not ended before it begins (an
    /// ultimatum whatever its end), and each current casualty report; and
    /// nothing that is not current. The count of events naming no area is
    /// the timeline's.
    #[test]
    fn a_report_reads_back_all_it_can_draw(
        log in log(),
        k in any::<Index>(),
        reads in reads(),
    ) {
        let records = &log.records;
        let ts = read_times(records, &reads);
        let k = k.index(records.len() + 1);
        let mut ledger = Ledger::new(ZONE);
        for r in records {
            ledger.apply(r);
        }
        let mut windows = vec![(None, None)];
        for pair in ts.windows(2) {
            let (a, b) = (pair[0].min(pair[1]), pair[0].max(pair[1]));
            windows.extend([(Some(a), Some(b)), (Some(a), None), (None, Some(b))]);
        }
        for known in [KnownAt::All, KnownAt::Seq(k as u64)] {
            let folded = timeline(records.iter().filter(|r| known.includes(r)).cloned());
            let view = ledger.view(known);
            for &(since, until) in &windows {
                let got = view.report_positions(since, until);
                prop_assert!(got.windows(2).all(|w| w[0] < w[1]), "not in log order: {:?}", got);
                for r in folded.records() {
                    let e = &r.event;
                    let current = folded.is_current(&e.id);
                    if got.contains(&r.seq) {
                        prop_assert!(current && !e.kind.is_reference(), "#{} is not current or a definition", r.seq);
                        continue;
                    }
                    let Some(start) = e.at.map(|a| a.start(ZONE)) else { continue };
                    if !current || e.kind.is_reference() {
                        continue;
                    }
                    let in_window = since.is_none_or(|s| start >= s) && until.is_none_or(|u| start < u);
                    let overlaps = e.kind.is_durative()
                        && until.is_none_or(|u| start < u)
                        && (e.kind == Kind::Ultimatum
                            || since.is_none_or(|s| folded.effective_end(e).is_none_or(|end| end > s)));
                    prop_assert!(
                        !(in_window || overlaps || e.kind == Kind::CasualtyReport),
                        "#{} ({:?} from {}) is left out of {:?}..{:?}",
                        r.seq,
                        e.kind,
                        start,
                        since,
                        until
                    );
                }
            }
        }
    }
}

/// The generator is not degenerate: over a fixed sample of logs it writes
/// every kind of step, and the states read from them hold every kind of
/// entry, so the properties above are about something.
#[test]
fn the_generator_covers_every_step_and_every_entry() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let mut kinds = std::collections::BTreeMap::<Kind, usize>::new();
    let mut entries = std::collections::BTreeMap::<&str, usize>::new();
    for _ in 0..64 {
        let log = log().new_tree(&mut runner).expect("a log").current();
        for r in &log.records[REGISTRY.len()..] {
            *kinds.entry(r.event.kind).or_default() += 1;
            if r.event.corrects.is_some() {
                *entries.entry("corrections").or_default() += 1;
            }
        }
        let whole = timeline(log.records.iter().cloned());
        for hour in (0..3 * 24).step_by(6) {
            let state = whole.state(&query(window_start() + Duration::hours(hour), KnownAt::All));
            let mut count = |what, n: usize| *entries.entry(what).or_default() += n;
            count("casualties", state.casualties.len());
            count("casualties from several reports", state.casualties.iter().filter(|c| c.reports > 1).count());
            for area in state.areas.values() {
                count("active", area.active.len());
                count("deadlines", area.deadlines.len());
                count("expired deadlines", area.deadlines.iter().filter(|d| d.status == "expired").count());
                count("forces", area.forces.len());
                count("control", area.control.len());
                count("incidents", area.incidents as usize);
            }
        }
    }
    for kind in KINDS.iter().filter_map(|k| Kind::parse(k)).chain([Kind::Ended, Kind::Retraction]) {
        assert!(kinds.get(&kind).copied().unwrap_or(0) >= 20, "{kind}: {kinds:?}");
    }
    for what in [
        "corrections",
        "casualties",
        "casualties from several reports",
        "active",
        "deadlines",
        "expired deadlines",
        "forces",
        "control",
        "incidents",
    ] {
        assert!(entries.get(what).copied().unwrap_or(0) >= 20, "{what}: {entries:?}");
    }
}
