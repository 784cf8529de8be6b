//! Exports: the log and its projections as rows and values that other
//! tools read (a re-importable event list, ACLED-style rows, GeoJSON
//! features, casualty claims with their low/high range).
//!
//! Everything here is a pure mapping of the log as known at a
//! transaction-time horizon K plus a [`Selection`]: no I/O, no clock. What
//! an export consults about the whole log comes from a [`LogView`] (a
//! [`Timeline`] cut at K, or the ledger's [`LedgerView`](crate::ledger::LedgerView));
//! the records to export are handed in, in log order, so that a caller can
//! stream them from the log rather than hold them. [`Exporter::events`] is
//! an iterator, GeoJSON features are made one event at a time, and ACLED
//! groups are planned on positions ([`Exporter::acled_plan`]) and turned
//! into rows one group at a time.
//!
//! What every export shares:
//! - only *current* events count: a corrected version is replaced by its
//!   correction, a retracted event and the retraction itself are left out
//!   (the same rule as [`Timeline::state`]);
//! - area and actor names, parents and coordinates are taken as defined at
//!   the event's valid time (the latest definition when none applies yet);
//! - an area without coordinates takes its nearest ancestor's, with
//!   `geo_precision` 2 instead of 1 (ACLED's codes).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use sijil_core::export::{Exporter, Selection};
//! use sijil_core::{Admitted, Context, Recorded, Timeline};
//! use uuid::Uuid;
//!
//! let zone = chrono_tz::Asia::Damascus;
//! let (mut ctx, mut timeline) = (Context::new(zone), Timeline::new(zone));
//! let lines = [
//!     r#"{"kind":"area","area":"aleppo","name":"Aleppo","lat":36.2,"lon":37.13,"source":"gazetteer"}"#,
//!     r#"{"kind":"actor","actor":"syrian-army","name":"Syrian Army","source":"gazetteer"}"#,
//!     r#"{"kind":"shelling","at":"2026-01-08T08:30","areas":["aleppo"],"actor":"syrian-army","killed":3,"source":"SOHR"}"#,
//! ];
//! let recorded_at = Utc.with_ymd_and_hms(2026, 1, 8, 6, 0, 0).unwrap();
//! for (i, line) in lines.iter().enumerate() {
//!     let Admitted::New(event) = ctx.admit(line, Uuid::from_u128(i as u128 + 1)).unwrap() else { panic!() };
//!     ctx.learn(&event);
//!     timeline.apply(Recorded { seq: i as u64 + 1, recorded_at, event });
//! }
//! let export = Exporter::new(&timeline, Selection::default());
//! let types = export.guess_actor_types();
//! let (rows, left_out) = export.acled_rows(timeline.records(), &types);
//! let rows: Vec<_> = rows.collect();
//! assert_eq!(rows[0].sub_event_type, "Shelling/artillery/missile attack");
//! assert_eq!(rows[0].fatalities, "3");
//! assert_eq!(rows[0].inter1, "1"); // "Syrian Army" reads as state forces
//! assert_eq!(left_out.total(), 0);
//! ```

use std::borrow::{Borrow, Cow};
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::event::{Event, Kind, Recorded};
use crate::projection::{add, KnownAt, State, StateQuery, Timeline};
use crate::registry::Registry;
use crate::time::{utc_text, Time};

/// Which events an export takes, beyond "current, as known at K".
///
/// The fields mean what `sijil log` means by them: `since` ≤ start <
/// `until` in valid time, any of `kinds` (all when empty), and `area` keeps
/// events with at least one area (or crossing) in that area or under it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    pub area: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub kinds: Vec<Kind>,
}

/// The ACLED columns, in ACLED's order (the 2023 layout, 31 columns).
pub const ACLED_COLUMNS: [&str; 31] = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
];

/// The HXL hashtag of each ACLED column, in the same order.
pub const HXL_TAGS: [&str; 31] = [
    "#event+code",
    "#date+occurred",
    "#date+year",
    "#date+precision",
    "#event+type+disorder",
    "#event+type",
    "#event+type+sub",
    "#group+name+first",
    "#group+name+first+assoc",
    "#group+type+first",
    "#group+name+second",
    "#group+name+second+assoc",
    "#group+type+second",
    "#group+type+interaction",
    "#event+civilian_targeting",
    "#country+code",
    "#region+name",
    "#country+name",
    "#adm1+name",
    "#adm2+name",
    "#adm3+name",
    "#loc+name",
    "#geo+lat",
    "#geo+lon",
    "#geo+precision",
    "#meta+source",
    "#meta+source+scale",
    "#description",
    "#affected+killed",
    "#meta+tags",
    "#meta+timestamp",
];

/// ACLED's actor type codes that sijil can tell apart.
const INTER_STATE: u8 = 1;
const INTER_CIVILIANS: u8 = 7;

/// One ACLED row: one event (or several reports of one incident) in one area.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AcledRow {
    pub event_id_cnty: String,
    pub event_date: String,
    pub year: String,
    pub time_precision: String,
    pub disorder_type: String,
    pub event_type: String,
    pub sub_event_type: String,
    pub actor1: String,
    pub assoc_actor_1: String,
    pub inter1: String,
    pub actor2: String,
    pub assoc_actor_2: String,
    pub inter2: String,
    pub interaction: String,
    pub civilian_targeting: String,
    pub iso: String,
    pub region: String,
    pub country: String,
    pub admin1: String,
    pub admin2: String,
    pub admin3: String,
    pub location: String,
    pub latitude: String,
    pub longitude: String,
    pub geo_precision: String,
    pub source: String,
    pub source_scale: String,
    pub notes: String,
    pub fatalities: String,
    pub tags: String,
    pub timestamp: String,
}

impl AcledRow {
    /// The values in [`ACLED_COLUMNS`] order.
    pub fn record(&self) -> [&str; 31] {
        [
            &self.event_id_cnty,
            &self.event_date,
            &self.year,
            &self.time_precision,
            &self.disorder_type,
            &self.event_type,
            &self.sub_event_type,
            &self.actor1,
            &self.assoc_actor_1,
            &self.inter1,
            &self.actor2,
            &self.assoc_actor_2,
            &self.inter2,
            &self.interaction,
            &self.civilian_targeting,
            &self.iso,
            &self.region,
            &self.country,
            &self.admin1,
            &self.admin2,
            &self.admin3,
            &self.location,
            &self.latitude,
            &self.longitude,
            &self.geo_precision,
            &self.source,
            &self.source_scale,
            &self.notes,
            &self.fatalities,
            &self.tags,
            &self.timestamp,
        ]
    }
}

/// Events an ACLED export leaves out because ACLED does not code them as
/// events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeftOut {
    pub statements: usize,
    pub casualty_reports: usize,
}

impl LeftOut {
    pub fn total(&self) -> usize {
        self.statements + self.casualty_reports
    }
}

/// The incidents of an ACLED export, found in one pass over the records:
/// each group is the positions of the reports that make one ACLED event,
/// and the groups come in the order their rows are written (valid time,
/// then position). [`Exporter::acled_group`] turns a group into rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AcledPlan {
    pub groups: Vec<Vec<u64>>,
    pub left_out: LeftOut,
    /// The actors (as actor or target) of the events ACLED codes, sorted.
    pub actors: Vec<String>,
}

/// Which actors count as state forces and which as civilians, for ACLED's
/// actor types, `civilian_targeting` and the territory sub-event types.
/// sijil's actors carry no type, so the caller decides (see
/// [`Exporter::guess_actor_types`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActorTypes {
    pub state: HashSet<String>,
    pub civilian: HashSet<String>,
}

impl ActorTypes {
    fn inter(&self, actor: Option<&str>) -> Option<u8> {
        let a = actor?;
        if self.civilian.contains(a) {
            Some(INTER_CIVILIANS)
        } else if self.state.contains(a) {
            Some(INTER_STATE)
        } else {
            None
        }
    }
}

/// Words in an actor's names that make [`Exporter::guess_actor_types`]
/// take it for civilians. Civil defence workers are civilians under
/// international humanitarian law, and ACLED codes attacks on them as
/// violence against civilians.
pub const CIVILIAN_WORDS: [&str; 6] = ["civilian", "civil defence", "civil defense", "white helmets", "مدني", "مدنيين"];

/// Words in an actor's names that make [`Exporter::guess_actor_types`]
/// take it for state forces.
pub const STATE_WORDS: [&str; 15] = [
    "army",
    "armed forces",
    "military",
    "ministry",
    "government",
    "police",
    "gendarmerie",
    "national guard",
    "security forces",
    "authorities",
    "الجيش",
    "وزارة",
    "الحكومة",
    "الأمن",
    "الشرطة",
];

/// One event of the `events` projection: the current version, rewritten so
/// that a fresh log can import it, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportedEvent {
    /// The event as a fresh log should receive it: no `corrects`, and an
    /// `ended` pointing at the current version of what it ends.
    pub event: Event,
    pub seq: u64,
    pub recorded_at: DateTime<Utc>,
    /// The ids of the versions this one replaced, oldest first.
    pub replaces: Vec<Uuid>,
}

impl ExportedEvent {
    /// The event in the contract's input format, plus `seq`, `recorded_at`
    /// and `replaces` when `provenance` is set.
    pub fn to_json(&self, provenance: bool) -> Value {
        let mut v = serde_json::to_value(&self.event).unwrap_or(Value::Null);
        if let (true, Value::Object(m)) = (provenance, &mut v) {
            m.insert("seq".into(), json!(self.seq));
            m.insert("recorded_at".into(), json!(utc_text(self.recorded_at)));
            m.insert("replaces".into(), json!(self.replaces));
        }
        v
    }
}

/// One casualty claim, with the range across sources at its moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claim {
    pub id: Uuid,
    pub seq: u64,
    pub source: String,
    #[serde(serialize_with = "ser_utc")]
    pub at: DateTime<Utc>,
    /// `day` or `instant`.
    pub precision: &'static str,
    /// The calendar day of `at` in the log's zone (`YYYY-MM-DD`): for a
    /// day-precision report, the day given (`at` is that day's start in UTC,
    /// which may fall on the day before).
    pub date: String,
    #[serde(serialize_with = "ser_utc")]
    pub recorded_at: DateTime<Utc>,
    pub killed: Option<u64>,
    pub wounded: Option<u64>,
    pub civilian: Option<bool>,
    pub cumulative: bool,
    pub areas: Vec<String>,
    /// The source's figures once this report is counted (a non-cumulative
    /// report adds to the earlier ones).
    pub source_killed: Option<u64>,
    pub source_wounded: Option<u64>,
    /// The range across sources at this claim's moment.
    #[serde(flatten)]
    pub range: Range,
}

/// Per moment, the lowest and highest figure across sources (UCDP's
/// low/high); `null` when no source gives that figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Range {
    /// How many sources have figures at this moment.
    pub sources: usize,
    pub killed_low: Option<u64>,
    pub killed_high: Option<u64>,
    pub wounded_low: Option<u64>,
    pub wounded_high: Option<u64>,
}

/// The range across sources from one moment on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moment {
    #[serde(serialize_with = "ser_utc")]
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub range: Range,
}

/// The `casualties` projection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Casualties {
    pub claims: Vec<Claim>,
    pub moments: Vec<Moment>,
}

/// The CSV columns of a casualty claim, in order.
pub const CLAIM_COLUMNS: [&str; 19] = [
    "id",
    "seq",
    "source",
    "at",
    "precision",
    "date",
    "recorded_at",
    "killed",
    "wounded",
    "civilian",
    "cumulative",
    "areas",
    "source_killed",
    "source_wounded",
    "sources",
    "killed_low",
    "killed_high",
    "wounded_low",
    "wounded_high",
];

impl Claim {
    /// The values in [`CLAIM_COLUMNS`] order; absent figures are empty,
    /// areas are joined with `; `.
    pub fn record(&self) -> [String; 19] {
        let n = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
        [
            self.id.to_string(),
            self.seq.to_string(),
            self.source.clone(),
            utc_text(self.at),
            self.precision.to_string(),
            self.date.clone(),
            utc_text(self.recorded_at),
            n(self.killed),
            n(self.wounded),
            self.civilian.map(|b| b.to_string()).unwrap_or_default(),
            self.cumulative.to_string(),
            self.areas.join("; "),
            n(self.source_killed),
            n(self.source_wounded),
            self.range.sources.to_string(),
            n(self.range.killed_low),
            n(self.range.killed_high),
            n(self.range.wounded_low),
            n(self.range.wounded_high),
        ]
    }
}

fn ser_utc<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&utc_text(*t))
}

/// Where an area sits on the map.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Place<'a> {
    lat: f64,
    lon: f64,
    /// 1: the area's own coordinates; 2: an ancestor's.
    precision: u8,
    /// The area whose coordinates these are.
    from: &'a str,
}

/// A definition with its start in valid time (none: always) and position.
type Dated<'a> = (Option<DateTime<Utc>>, u64, &'a Event);

/// Definitions of one list (areas or actors) over valid time.
struct Gazetteer<'a> {
    /// slug → definitions in valid-time order (undated first), ties by position.
    defs: HashMap<&'a str, Vec<Dated<'a>>>,
}

impl<'a> Gazetteer<'a> {
    fn new(zone: Tz, definitions: &[(u64, &'a Event)], kind: Kind) -> Gazetteer<'a> {
        let mut defs: HashMap<&'a str, Vec<_>> = HashMap::new();
        for &(seq, e) in definitions {
            if e.kind != kind {
                continue;
            }
            let slug = match kind {
                Kind::Area => e.area.as_deref(),
                _ => e.actor.as_deref(),
            };
            if let Some(slug) = slug {
                defs.entry(slug).or_default().push((e.at.map(|a| a.start(zone)), seq, e));
            }
        }
        for v in defs.values_mut() {
            v.sort_by_key(|(start, seq, _)| (*start, *seq));
        }
        Gazetteer { defs }
    }

    /// The definition in force at `at` (`None`: the latest recorded).
    fn at(&self, slug: &str, at: Option<DateTime<Utc>>) -> Option<&'a Event> {
        let v = self.defs.get(slug)?;
        let in_force = at.and_then(|t| v.iter().rev().find(|(s, _, _)| s.is_none_or(|s| s <= t)));
        in_force.or_else(|| v.iter().max_by_key(|(_, seq, _)| *seq)).map(|(_, _, e)| *e)
    }
}

/// How an `ended` event is written for a fresh log.
enum EndFix {
    /// It ends nothing current: leave it out.
    Drop,
    /// Point it at this event; move its `at` to that event's start when it
    /// lay before it.
    Keep { target: Uuid, at: Option<Time> },
}

/// What an export consults about the log, as known at its horizon, beyond
/// the records it is handed one at a time: whether a record still stands,
/// what an `ended` now points at, the area and actor definitions and the
/// withdrawals that place other events, and the state at a moment.
///
/// A [`Timeline`] answers from the records it holds; a
/// [`LedgerView`](crate::ledger::LedgerView) answers from the compact
/// ledger, so that the records themselves can be streamed from the log.
/// Both give the same answers for the same log (a property test holds
/// them to it).
pub trait LogView {
    /// The zone the log's days are read in.
    fn zone(&self) -> Tz;
    /// The areas and actors as the log defines them (ignoring valid time):
    /// what `--area` is resolved and matched against.
    fn registry(&self) -> &Registry;
    /// Whether the record is neither corrected nor retracted.
    fn is_current(&self, r: &Recorded) -> bool;
    /// The current version of the event with this id, following
    /// corrections; `None` when it was retracted or is not in the log.
    fn head(&self, id: &Uuid) -> Option<Head>;
    /// The ids of the versions the record replaced, oldest first.
    fn replaced(&self, r: &Recorded) -> Vec<Uuid>;
    /// When the record's event stops being in force: the earliest of its
    /// `until` and the current `ended` events naming it or a version it
    /// replaced.
    /// The flag says whether that end was given as a date (it is then
    /// the next day's start).
    fn effective_end(&self, r: &Recorded) -> Option<(DateTime<Utc>, bool)>;
    /// Every area and actor definition, current or not, with its position,
    /// in log order.
    fn definitions(&self) -> Vec<(u64, &Event)>;
    /// The current withdrawals that name an actor, in log order.
    fn withdrawals(&self) -> Vec<Withdrawn>;
    /// The state at a moment (see [`Timeline::state`]).
    fn state(&self, q: &StateQuery) -> State;
}

/// The current version of an event, as much of it as an export needs to
/// point at it.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub id: Uuid,
    pub kind: Kind,
    /// The start of its valid time.
    pub start: Option<DateTime<Utc>>,
    pub areas: Vec<String>,
}

/// A current withdrawal: the actor, where from, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Withdrawn {
    pub actor: String,
    /// The start of its valid time.
    pub start: Option<DateTime<Utc>>,
    pub seq: u64,
    pub areas: Vec<String>,
}

impl LogView for Timeline {
    fn zone(&self) -> Tz {
        Timeline::zone(self)
    }

    fn registry(&self) -> &Registry {
        Timeline::registry(self)
    }

    fn is_current(&self, r: &Recorded) -> bool {
        Timeline::is_current(self, &r.event.id)
    }

    fn head(&self, id: &Uuid) -> Option<Head> {
        let mut cur = self.get(id)?;
        for _ in 0..=self.records().len() {
            let s = self.standing(&cur.event.id);
            if s.retracted_by.is_some() {
                return None;
            }
            match s.corrected_by {
                Some(next) => cur = self.get(&next)?,
                None => {
                    let e = &cur.event;
                    let start = e.at.map(|a| a.start(self.zone()));
                    return Some(Head { id: e.id, kind: e.kind, start, areas: e.areas.clone() });
                }
            }
        }
        None
    }

    fn replaced(&self, r: &Recorded) -> Vec<Uuid> {
        let mut out = Vec::new();
        let mut cur = r.event.corrects;
        while let Some(id) = cur {
            if out.contains(&id) || out.len() > self.records().len() {
                break;
            }
            out.push(id);
            cur = self.get(&id).and_then(|r| r.event.corrects);
        }
        out.reverse();
        out
    }

    fn effective_end(&self, r: &Recorded) -> Option<(DateTime<Utc>, bool)> {
        Timeline::effective_end_day(self, &r.event)
    }

    fn definitions(&self) -> Vec<(u64, &Event)> {
        self.records().iter().filter(|r| r.event.kind.is_reference()).map(|r| (r.seq, &r.event)).collect()
    }

    fn withdrawals(&self) -> Vec<Withdrawn> {
        self.records()
            .iter()
            .filter(|r| r.event.kind == Kind::Withdrawal && Timeline::is_current(self, &r.event.id))
            .filter_map(|r| {
                let e = &r.event;
                Some(Withdrawn {
                    actor: e.actor.clone()?,
                    start: e.at.map(|a| a.start(self.zone())),
                    seq: r.seq,
                    areas: e.areas.clone(),
                })
            })
            .collect()
    }

    fn state(&self, q: &StateQuery) -> State {
        Timeline::state(self, q)
    }
}

/// The exports of one log as known at one horizon, for one selection.
///
/// The records to export are handed to each method (in log order), so that
/// a caller can stream them from the log rather than hold them: what the
/// exports need of the rest of the log comes from the [`LogView`].
pub struct Exporter<'a> {
    log: &'a dyn LogView,
    sel: Selection,
    areas: Gazetteer<'a>,
    actors: Gazetteer<'a>,
    /// actor → its current withdrawals, in valid-time order (ties by position)
    withdrawals: HashMap<String, Vec<Withdrawn>>,
}

impl<'a> Exporter<'a> {
    pub fn new(log: &'a dyn LogView, sel: Selection) -> Exporter<'a> {
        let mut withdrawals: HashMap<String, Vec<Withdrawn>> = HashMap::new();
        for w in log.withdrawals() {
            withdrawals.entry(w.actor.clone()).or_default().push(w);
        }
        for v in withdrawals.values_mut() {
            v.sort_by_key(|w| (w.start, w.seq));
        }
        let (zone, definitions) = (log.zone(), log.definitions());
        Exporter {
            log,
            sel,
            areas: Gazetteer::new(zone, &definitions, Kind::Area),
            actors: Gazetteer::new(zone, &definitions, Kind::Actor),
            withdrawals,
        }
    }

    /// What the exports consult about the log.
    pub fn log(&self) -> &'a dyn LogView {
        self.log
    }

    fn zone(&self) -> Tz {
        self.log.zone()
    }

    fn start(&self, e: &Event) -> Option<DateTime<Utc>> {
        e.at.map(|a| a.start(self.zone()))
    }

    /// The current version of `id` ([`LogView::head`]).
    fn head(&self, id: Uuid) -> Option<Head> {
        self.log.head(&id)
    }

    /// The areas an event is about: its own, or for an `ended`, those of
    /// what it ends.
    fn areas_of<'e>(&self, e: &'e Event) -> Cow<'e, [String]> {
        if e.kind == Kind::Ended {
            if let Some(target) = e.ends.and_then(|id| self.head(id)) {
                return Cow::Owned(target.areas);
            }
        }
        Cow::Borrowed(&e.areas)
    }

    fn within(&self, slug: &str) -> bool {
        match &self.sel.area {
            None => true,
            Some(root) => self.log.registry().is_within(slug, root),
        }
    }

    /// Whether `--area` (if given) takes in the area `slug`: the areas an
    /// event's rows and Features are placed in.
    pub fn selects_area(&self, slug: &str) -> bool {
        self.within(slug)
    }

    /// Whether the selection keeps a domain event.
    fn keeps(&self, e: &Event) -> bool {
        if !self.sel.kinds.is_empty() && !self.sel.kinds.contains(&e.kind) {
            return false;
        }
        self.keeps_time_and_area(e)
    }

    /// [`Exporter::keeps`] without the kinds: the valid-time window and the area.
    fn keeps_time_and_area(&self, e: &Event) -> bool {
        if let Some(start) = self.start(e) {
            if self.sel.since.is_some_and(|s| start < s) || self.sel.until.is_some_and(|u| start >= u) {
                return false;
            }
        }
        self.sel.area.is_none() || self.areas_of(e).iter().chain(&e.via).any(|a| self.within(a))
    }

    /// Whether a record is a current domain event the selection keeps (not
    /// an area or actor definition, nor a retraction).
    pub fn is_domain_event(&self, r: &Recorded) -> bool {
        let e = &r.event;
        !e.kind.is_reference() && e.kind != Kind::Retraction && self.log.is_current(r) && self.keeps(e)
    }

    /// Of `records` (in log order), the current domain events the selection
    /// keeps ([`Exporter::is_domain_event`]).
    pub fn domain_events<'s, R: Borrow<Recorded> + 's>(
        &'s self,
        records: impl IntoIterator<Item = R> + 's,
    ) -> impl Iterator<Item = R> + 's {
        records.into_iter().filter(move |r| self.is_domain_event(r.borrow()))
    }

    /// How an `ended` event must be written so that a fresh log reads it as
    /// the source log does: pointed at the current version of what it ends
    /// (the projection lets an end carry over to corrections), and not
    /// before that version's start (which validation refuses; ending an
    /// event at its start has the same effect on every state as ending it
    /// earlier).
    fn fix_end(&self, e: &Event) -> EndFix {
        let Some(t) = e.ends.and_then(|id| self.head(id)) else { return EndFix::Drop };
        if !t.kind.is_durative() {
            return EndFix::Drop;
        }
        let zone = self.zone();
        let at = match (e.at, t.start) {
            // the projection ends an event at the end of the `ended` time (a
            // date: the whole day), so the moved end is the start itself
            (Some(own), Some(start)) if own.end(zone) < start => {
                Some(Time::Instant(start.with_timezone(&zone).fixed_offset()))
            }
            _ => None,
        };
        EndFix::Keep { target: t.id, at }
    }

    /// The `events` projection: every current event in log order, each as a
    /// fresh log should receive it.
    ///
    /// Area and actor definitions are always kept (a filtered export must
    /// still import); the selection picks among the other events. An
    /// `ended` comes right after what it ends when that was corrected
    /// later, and is left out when what it ends is not exported.
    pub fn events<'s, R: Borrow<Recorded> + 's>(
        &'s self,
        records: impl IntoIterator<Item = R> + 's,
    ) -> impl Iterator<Item = ExportedEvent> + 's {
        let mut emitted: HashSet<Uuid> = HashSet::new();
        let mut waiting: HashMap<Uuid, Vec<ExportedEvent>> = HashMap::new();
        records.into_iter().flat_map(move |r| {
            let r: &Recorded = r.borrow();
            let e = &r.event;
            // an `ended` goes with what it ends: `--kind ceasefire` keeps the
            // ends of the ceasefires, or the copy would hold them open for
            // ever (it is still left out below when what it ends is not kept)
            let ends_kept_kind = e.kind == Kind::Ended
                && e.ends.and_then(|id| self.head(id)).is_some_and(|t| self.sel.kinds.contains(&t.kind))
                && self.keeps_time_and_area(e);
            let wanted = self.log.is_current(r)
                && e.kind != Kind::Retraction
                && (e.kind.is_reference() || self.keeps(e) || ends_kept_kind);
            if !wanted {
                return Vec::new();
            }
            let mut event = e.clone();
            event.corrects = None;
            let mut after = None;
            if e.kind == Kind::Ended {
                match self.fix_end(e) {
                    EndFix::Drop => return Vec::new(),
                    EndFix::Keep { target, at } => {
                        event.ends = Some(target);
                        if at.is_some() {
                            event.at = at;
                        }
                        after = Some(target);
                    }
                }
            }
            let out = ExportedEvent { event, seq: r.seq, recorded_at: r.recorded_at, replaces: self.log.replaced(r) };
            match after {
                Some(target) if !emitted.contains(&target) => {
                    waiting.entry(target).or_default().push(out);
                    Vec::new()
                }
                _ => {
                    emitted.insert(out.event.id);
                    let mut batch = vec![out];
                    if let Some(enders) = waiting.remove(&e.id) {
                        batch.extend(enders);
                    }
                    batch
                }
            }
        })
    }

    // ── names and places ────────────────────────────────────────────────

    fn actor_name(&self, slug: Option<&str>, at: Option<DateTime<Utc>>) -> String {
        match slug {
            None => String::new(),
            Some(s) => self.actors.at(s, at).and_then(|d| d.name.clone()).unwrap_or_else(|| s.to_string()),
        }
    }

    fn area_def(&self, slug: &str, at: Option<DateTime<Utc>>) -> Option<&'a Event> {
        self.areas.at(slug, at)
    }

    fn area_name(&self, slug: &str, at: Option<DateTime<Utc>>) -> String {
        self.area_def(slug, at).and_then(|d| d.name.clone()).unwrap_or_else(|| slug.to_string())
    }

    /// The area's ancestors, outermost first.
    fn ancestors(&self, slug: &str, at: Option<DateTime<Utc>>) -> Vec<&'a str> {
        let mut out: Vec<&'a str> = Vec::new();
        let mut cur = self.area_def(slug, at).and_then(|d| d.parent.as_deref());
        while let Some(p) = cur {
            if out.contains(&p) || p == slug || out.len() > 64 {
                break;
            }
            out.push(p);
            cur = self.area_def(p, at).and_then(|d| d.parent.as_deref());
        }
        out.reverse();
        out
    }

    /// The area's coordinates, else its nearest ancestor's.
    fn place(&self, slug: &'a str, at: Option<DateTime<Utc>>) -> Option<Place<'a>> {
        let mut candidates = vec![slug];
        candidates.extend(self.ancestors(slug, at).into_iter().rev());
        candidates.into_iter().enumerate().find_map(|(i, s)| {
            let d = self.area_def(s, at)?;
            Some(Place { lat: d.lat?, lon: d.lon?, precision: if i == 0 { 1 } else { 2 }, from: s })
        })
    }

    // ── ACLED ───────────────────────────────────────────────────────────

    /// Guesses state forces and civilians from the actors' names, slugs and
    /// aliases ([`STATE_WORDS`], [`CIVILIAN_WORDS`]; civilians win a tie).
    pub fn guess_actor_types(&self) -> ActorTypes {
        let mut types = ActorTypes::default();
        for (slug, defs) in &self.actors.defs {
            let mut text = slug.replace(['-', '_'], " ");
            for (_, _, d) in defs {
                for n in d.name.iter().chain(&d.name_ar).chain(&d.aliases) {
                    text.push('\n');
                    text.push_str(n);
                }
            }
            let text = text.to_lowercase();
            let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
            if has(&CIVILIAN_WORDS) {
                types.civilian.insert(slug.to_string());
            } else if has(&STATE_WORDS) {
                types.state.insert(slug.to_string());
            }
        }
        types
    }

    /// ACLED's disorder type, event type and sub-event type for an event;
    /// `None` for the kinds ACLED does not code as events.
    fn acled_type(&self, e: &Event, types: &ActorTypes) -> Option<(&'static str, &'static str)> {
        const SD: &str = "Strategic developments";
        let civilian_target = types.inter(e.target.as_deref()) == Some(INTER_CIVILIANS);
        Some(match e.kind {
            Kind::Statement | Kind::CasualtyReport | Kind::Area | Kind::Actor | Kind::Retraction => return None,
            Kind::Ceasefire | Kind::Evacuation => (SD, "Agreement"),
            Kind::Curfew | Kind::Deployment | Kind::DefectionCall => (SD, "Change to group/activity"),
            Kind::Detention => (SD, "Arrests"),
            Kind::Shelling => ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
            Kind::Airstrike => ("Explosions/Remote violence", "Air/drone strike"),
            Kind::ArmedClash => ("Battles", "Armed clash"),
            Kind::Sniping if civilian_target => ("Violence against civilians", "Attack"),
            // shooting at an armed or unnamed target is an exchange of fire
            Kind::Sniping => ("Battles", "Armed clash"),
            Kind::ControlClaim if e.extent.is_some_and(|x| x.is_full()) => {
                if e.actor.as_deref().is_some_and(|a| types.state.contains(a)) {
                    ("Battles", "Government regains territory")
                } else {
                    ("Battles", "Non-state actor overtakes territory")
                }
            }
            Kind::Ultimatum | Kind::Withdrawal | Kind::ControlClaim | Kind::Ended => (SD, "Other"),
        })
    }

    /// The ACLED rows of `records` (in log order), grouped into incidents
    /// ([`Exporter::acled_plan`]), and what was left out.
    pub fn acled_rows<'s>(
        &'s self,
        records: &'s [Recorded],
        types: &'s ActorTypes,
    ) -> (impl Iterator<Item = AcledRow> + 's, LeftOut) {
        let plan = self.acled_plan(records);
        let find = move |seq: &u64| records.binary_search_by_key(seq, |r| r.seq).ok().map(|i| &records[i]);
        let rows = plan.groups.into_iter().flat_map(move |g| {
            let members: Vec<&Recorded> = g.iter().filter_map(find).collect();
            self.acled_group(&members, types)
        });
        (rows, plan.left_out)
    }

    /// Groups the current domain events of `records` (in log order) into
    /// ACLED events, and counts what ACLED does not code.
    ///
    /// Reports of one incident (same kind, valid time, areas, actor, target,
    /// extent and ended event, from any sources) make one ACLED event, as
    /// ACLED merges its sources: their sources are listed together and
    /// `fatalities` is the lowest `killed` among them (ACLED's conservative
    /// rule; 0 when none gives one), spread over the event's areas so that
    /// the rows add up to it. Rows come in valid-time order, one per area.
    ///
    /// Only positions are kept, so that a caller streaming a large log can
    /// read each group's records again when its rows are due.
    pub fn acled_plan<R: Borrow<Recorded>>(&self, records: impl IntoIterator<Item = R>) -> AcledPlan {
        let mut left_out = LeftOut::default();
        let mut groups: Vec<(Option<DateTime<Utc>>, Vec<u64>)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut actors: HashSet<String> = HashSet::new();
        for r in self.domain_events(records) {
            let r: &Recorded = r.borrow();
            let e = &r.event;
            match e.kind {
                Kind::Statement => left_out.statements += 1,
                Kind::CasualtyReport => left_out.casualty_reports += 1,
                Kind::Ended if matches!(self.fix_end(e), EndFix::Drop) => {}
                _ => {
                    // the actors of the rows written: an event kept only for
                    // passing through the area (`via`) has no row in it
                    let areas = self.areas_of(e);
                    let has_rows =
                        if areas.is_empty() { self.sel.area.is_none() } else { areas.iter().any(|a| self.within(a)) };
                    if has_rows {
                        for a in e.actor.iter().chain(&e.target) {
                            if !actors.contains(a) {
                                actors.insert(a.clone());
                            }
                        }
                    }
                    match index.entry(self.incident_key(e)) {
                        Entry::Occupied(i) => groups[*i.get()].1.push(r.seq),
                        Entry::Vacant(slot) => {
                            slot.insert(groups.len());
                            groups.push((self.start(e), vec![r.seq]));
                        }
                    }
                }
            }
        }
        drop(index);
        groups.sort_by_key(|(start, g)| (*start, g[0]));
        let mut actors: Vec<String> = actors.into_iter().collect();
        actors.sort_unstable();
        AcledPlan { groups: groups.into_iter().map(|(_, g)| g).collect(), left_out, actors }
    }

    /// What makes two reports one incident for ACLED, as one string: the
    /// kind, the valid time as given, the areas (sorted), actor, target,
    /// extent and the current version of the ended event, each
    /// length-prefixed so that no two keys run together.
    fn incident_key(&self, e: &Event) -> String {
        let mut key = String::with_capacity(96);
        let mut put = |part: Option<&str>| match part {
            None => key.push('-'),
            Some(p) => {
                key.push_str(&p.len().to_string());
                key.push(':');
                key.push_str(p);
            }
        };
        put(Some(e.kind.as_str()));
        // the instant, not how it was written: 01:30+03:00 and 22:30Z are one time
        put(e
            .at
            .map(|a| match a {
                Time::Instant(t) => t.with_timezone(&Utc).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                Time::Day(d) => format!("{d} (day)"),
            })
            .as_deref());
        let mut areas: Vec<&str> = Vec::new();
        let of = self.areas_of(e);
        areas.extend(of.iter().map(String::as_str));
        areas.sort_unstable();
        put(Some(&areas.len().to_string()));
        for a in areas {
            put(Some(a));
        }
        put(e.actor.as_deref());
        put(e.target.as_deref());
        put(e.extent.map(|x| x.to_string()).as_deref());
        put(e.ends.and_then(|id| self.head(id)).map(|h| h.id.to_string()).as_deref());
        key
    }

    /// The ACLED rows of one incident ([`AcledPlan::groups`]): its reports,
    /// in log order.
    pub fn acled_group(&self, group: &[&Recorded], types: &ActorTypes) -> Vec<AcledRow> {
        let Some(first) = group.first().map(|r| &r.event) else { return Vec::new() };
        let Some((event_type, sub_event_type)) = self.acled_type(first, types) else { return Vec::new() };
        let zone = self.zone();
        let start = self.start(first);
        let date = first.at.map(|a| local_date(a, zone));
        let inter1 = types.inter(first.actor.as_deref());
        let inter2 = types.inter(first.target.as_deref());
        let interaction = match (inter1, inter2, first.target.is_some()) {
            (Some(a), None, false) => format!("{a}0"),
            (Some(a), Some(b), _) => format!("{}{}", a.min(b), a.max(b)),
            _ => String::new(),
        };
        let violent_non_battle = first.kind.is_violent() && event_type != "Battles";
        let civilian_targeting =
            if violent_non_battle && inter2 == Some(INTER_CIVILIANS) { "Civilian targeting" } else { "" };
        let mut sources: Vec<&str> = Vec::new();
        for r in group {
            if !sources.contains(&r.event.source.name.as_str()) {
                sources.push(&r.event.source.name);
            }
        }
        let fatalities = group.iter().filter_map(|r| r.event.killed).min().unwrap_or(0);
        let timestamp = group.iter().map(|r| r.recorded_at.timestamp()).max().unwrap_or(0);
        let notes = self.acled_notes(group);
        let mut tags = vec![format!("sijil kind={}", first.kind)];
        if first.at.is_some_and(|a| a.is_day()) {
            tags.push("date precision=day".to_string());
        }
        let areas = self.areas_of(first);
        let slots: Vec<Option<&str>> =
            if areas.is_empty() { vec![None] } else { areas.iter().map(|a| Some(a.as_str())).collect() };
        let n = slots.len() as u64;
        let mut rows = Vec::new();
        for (i, slot) in slots.into_iter().enumerate() {
            let share = fatalities / n + u64::from((i as u64) < fatalities % n);
            if let Some(slug) = slot {
                if !self.within(slug) {
                    continue;
                }
            } else if self.sel.area.is_some() {
                continue;
            }
            let mut row = AcledRow {
                event_id_cnty: format!("{}-{}", first.id, i + 1),
                event_date: date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
                year: date.map(|d| d.year().to_string()).unwrap_or_default(),
                time_precision: "1".to_string(),
                disorder_type: disorder(event_type).to_string(),
                event_type: event_type.to_string(),
                sub_event_type: sub_event_type.to_string(),
                actor1: self.actor_name(first.actor.as_deref(), start),
                inter1: inter1.map(|c| c.to_string()).unwrap_or_default(),
                actor2: self.actor_name(first.target.as_deref(), start),
                inter2: inter2.map(|c| c.to_string()).unwrap_or_default(),
                interaction: interaction.clone(),
                civilian_targeting: civilian_targeting.to_string(),
                source: sources.join("; "),
                notes: notes.clone(),
                fatalities: share.to_string(),
                tags: tags.join("; "),
                timestamp: timestamp.to_string(),
                ..AcledRow::default()
            };
            if let Some(slug) = slot {
                let names: Vec<String> = self.ancestors(slug, start).iter().map(|a| self.area_name(a, start)).collect();
                let own = self.area_name(slug, start);
                row.admin1 = names.first().cloned().unwrap_or_else(|| own.clone());
                row.admin2 = names.get(1).cloned().unwrap_or_default();
                row.admin3 = names.get(2).cloned().unwrap_or_default();
                row.location = own;
                if let Some(p) = self.place(slug, start) {
                    row.latitude = p.lat.to_string();
                    row.longitude = p.lon.to_string();
                    row.geo_precision = p.precision.to_string();
                }
            }
            rows.push(row);
        }
        rows
    }

    /// ACLED's `notes`: what happened, in words, then each report's own note.
    fn acled_notes(&self, group: &[&Recorded]) -> String {
        let first = &group[0].event;
        let mut parts = vec![self.summary(first)];
        let several = group.len() > 1;
        for r in group {
            let e = &r.event;
            for (word, text) in [("quote", &e.quote), ("note", &e.note)] {
                if let Some(text) = text {
                    parts.push(if several {
                        format!("{word} ({}): {text}", e.source.name)
                    } else {
                        format!("{word}: {text}")
                    });
                }
            }
        }
        parts.join("; ")
    }

    /// One line on an event: its kind, who, against whom, and its figures.
    fn summary(&self, e: &Event) -> String {
        let zone = self.zone();
        let start = self.start(e);
        let mut parts = vec![e.kind.as_str().replace('_', " ")];
        if e.actor.is_some() {
            parts.push(format!("by {}", self.actor_name(e.actor.as_deref(), start)));
        }
        if e.target.is_some() {
            let word = match e.kind {
                Kind::Ultimatum | Kind::DefectionCall | Kind::Statement => "to",
                Kind::Detention => "of",
                _ => "against",
            };
            parts.push(format!("{word} {}", self.actor_name(e.target.as_deref(), start)));
        }
        if let Some(x) = e.extent {
            parts.push(format!("extent {x}"));
        }
        if let Some(u) = e.until {
            parts.push(format!("until {}", local_text(u, zone)));
        }
        if let Some(d) = e.deadline {
            parts.push(format!("deadline {}", local_text(d, zone)));
        }
        if let Some(target) = e.ends.and_then(|id| self.head(id)) {
            parts.push(format!("ends the {} {}", target.kind.as_str().replace('_', " "), target.id));
        }
        if !e.via.is_empty() {
            let via: Vec<String> = e.via.iter().map(|v| self.area_name(v, start)).collect();
            parts.push(format!("via {}", via.join(", ")));
        }
        for (word, n) in [("killed", e.killed), ("wounded", e.wounded), ("detained", e.count)] {
            if let Some(n) = n {
                parts.push(format!("{word} {n}"));
            }
        }
        let mut text = parts.join(" ");
        if let Some(d) = &e.demand {
            text.push_str(&format!("; demand: {d}"));
        }
        if !e.terms.is_empty() {
            text.push_str(&format!("; terms: {}", e.terms.join(" ")));
        }
        if let Some(c) = &e.contact {
            text.push_str(&format!("; contact: {c}"));
        }
        text
    }

    // ── GeoJSON ─────────────────────────────────────────────────────────

    /// The GeoJSON features of one event: one per area that has
    /// coordinates (its own or an ancestor's); none for an `ended`, whose
    /// effect shows as the end of what it ends.
    pub fn event_features(&self, r: &Recorded) -> Vec<Value> {
        let e = &r.event;
        if e.kind == Kind::Ended {
            return Vec::new();
        }
        let zone = self.zone();
        let start = self.start(e);
        let mut features = Vec::new();
        for slug in &e.areas {
            if !self.within(slug) {
                continue;
            }
            let Some(p) = self.place(slug, start) else { continue };
            let end = self.end_of(r, slug);
            let time_member = match (e.at, self.is_lasting(e)) {
                (Some(a), true) => {
                    json!({ "interval": [jsonfg_start(a, zone), end.as_ref().map_or_else(|| json!(".."), |x| x.text.clone())] })
                }
                (Some(Time::Day(d)), false) => json!({ "date": d.format("%Y-%m-%d").to_string() }),
                (Some(a), false) => json!({ "timestamp": utc_text(a.start(zone)) }),
                (None, _) => Value::Null,
            };
            let def = self.area_def(slug, start);
            let mut props = Map::new();
            props.insert("kind".into(), json!(e.kind));
            props.insert("at".into(), json!(e.at));
            props.insert("until".into(), json!(e.until));
            props.insert("deadline".into(), json!(e.deadline));
            props.insert("actor".into(), json!(e.actor));
            props.insert("target".into(), json!(e.target));
            props.insert("source".into(), json!(e.source.name));
            props.insert("note".into(), json!(e.note.as_ref().or(e.quote.as_ref())));
            props.insert("killed".into(), json!(e.killed));
            props.insert("wounded".into(), json!(e.wounded));
            props.insert("area".into(), json!(slug));
            props.insert("area_name".into(), json!(self.area_name(slug, start)));
            props.insert("area_name_ar".into(), json!(def.and_then(|d| d.name_ar.as_ref())));
            props.insert("geo_precision".into(), json!(p.precision));
            props.insert("geo_from".into(), json!(p.from));
            props.insert("time".into(), json!(start.map(utc_text)));
            props.insert("time_end".into(), json!(end.as_ref().map(|x| utc_text(x.at))));
            props.insert("seq".into(), json!(r.seq));
            props.insert("recorded_at".into(), json!(utc_text(r.recorded_at)));
            features.push(json!({
                "type": "Feature",
                "id": e.id,
                "geometry": { "type": "Point", "coordinates": [p.lon, p.lat] },
                "properties": props,
                "time": time_member,
            }));
        }
        features
    }

    /// Durative kinds: shown as intervals.
    fn is_lasting(&self, e: &Event) -> bool {
        e.kind.is_durative()
    }

    /// When a lasting event stops holding in `area`, as the state reads it:
    /// its `until`, `ended` time or deadline, and for a deployment the first
    /// withdrawal of the same actor from that area.
    fn end_of(&self, r: &Recorded, area: &str) -> Option<End> {
        let e = &r.event;
        if !e.kind.is_durative() {
            return None;
        }
        let zone = self.zone();
        let mut best: Option<End> = None;
        let mut offer = |at: DateTime<Utc>, text: Value| {
            if best.as_ref().is_none_or(|b| at < b.at) {
                best = Some(End { at, text });
            }
        };
        if let Some(u) = e.until {
            offer(u.end(zone), jsonfg_end(u, zone));
        }
        if let Some(d) = e.deadline {
            offer(d.end(zone), jsonfg_end(d, zone));
        }
        if let Some((x, day)) = self.log.effective_end(r) {
            // an `ended` given as a date is that date, as an `until` is
            let text = if day {
                json!(crate::time::day_ending_at(x, zone).format("%Y-%m-%d").to_string())
            } else {
                json!(utc_text(x))
            };
            offer(x, text);
        }
        if e.kind == Kind::Deployment {
            let list = e.actor.as_deref().and_then(|a| self.withdrawals.get(a));
            if let (Some(start), Some(list)) = (self.start(e), list) {
                // the projection moves in (time, position) order: a withdrawal
                // ends the deployment when it comes after the arrival
                let after = list.partition_point(|w| (w.start, w.seq) <= (Some(start), r.seq));
                let first = list[after..].iter().find(|w| w.areas.iter().any(|a| a == area));
                if let Some(ws) = first.and_then(|w| w.start) {
                    offer(ws, json!(utc_text(ws)));
                }
            }
        }
        // an end before the start (an `ended` older than a correction's
        // start): it never held, so it ends where it starts, as `events` says
        match (best, self.start(e)) {
            (Some(b), Some(start)) if b.at < start => Some(End { at: start, text: json!(utc_text(start)) }),
            (best, _) => best,
        }
    }

    /// The `areas` layer: every area of the state at `at`, with that
    /// state flattened into properties a GIS can style on. The second
    /// value counts areas left out for want of coordinates.
    pub fn area_features(&self, at: DateTime<Utc>, known_at: KnownAt) -> (Vec<Value>, usize) {
        let state: State = self.log.state(&StateQuery { at, known_at, area: self.sel.area.clone() });
        let mut features = Vec::new();
        let mut left_out = 0;
        for (slug, a) in &state.areas {
            let Some(p) = self.place(slug, Some(at)) else {
                left_out += 1;
                continue;
            };
            let def = self.area_def(slug, Some(at));
            let has = |k: Kind| a.active.iter().any(|x| x.kind == k);
            let active: Vec<String> = a
                .active
                .iter()
                .map(|x| format!("{} ({})", x.kind, x.actor.as_deref().unwrap_or("actor unknown")))
                .collect();
            let deadlines: Vec<String> = a
                .deadlines
                .iter()
                .map(|d| {
                    let target = d.target.as_deref().map(|t| format!(" to {t}")).unwrap_or_default();
                    // a deadline given as a date is that date, as in the event
                    let when = match d.deadline_precision {
                        Some("day") => {
                            format!("{}, day", crate::time::day_ending_at(d.deadline, self.zone()).format("%Y-%m-%d"))
                        }
                        _ => utc_text(d.deadline),
                    };
                    format!("{}{target}: {} ({when})", d.actor.as_deref().unwrap_or("actor unknown"), d.status)
                })
                .collect();
            let deadline_status = if a.deadlines.iter().any(|d| d.status == "pending") {
                Some("pending")
            } else if a.deadlines.is_empty() {
                None
            } else {
                Some("expired")
            };
            let forces: Vec<&str> = a.forces.iter().map(|f| &*f.actor).collect();
            let control: Vec<String> = a.control.iter().map(|c| format!("{}={}", c.actor, c.extent)).collect();
            let mut props = Map::new();
            props.insert("area".into(), json!(slug));
            props.insert("name".into(), json!(a.name));
            props.insert("name_ar".into(), json!(a.name_ar));
            props.insert("parent".into(), json!(a.parent));
            props.insert("type".into(), json!(def.and_then(|d| d.area_type.as_ref())));
            props.insert("geo_precision".into(), json!(p.precision));
            props.insert("geo_from".into(), json!(p.from));
            props.insert("ceasefire".into(), json!(has(Kind::Ceasefire)));
            props.insert("curfew".into(), json!(has(Kind::Curfew)));
            props.insert("evacuation".into(), json!(has(Kind::Evacuation)));
            props.insert("active".into(), json!(active.join("; ")));
            props.insert("deadline_status".into(), json!(deadline_status));
            props.insert("deadlines".into(), json!(deadlines.join("; ")));
            props.insert("forces".into(), json!(forces.join("; ")));
            props.insert("control".into(), json!(control.join("; ")));
            props.insert("incidents".into(), json!(a.incidents));
            props.insert("time".into(), json!(utc_text(at)));
            props.insert("known_at".into(), json!(state.known_at));
            props.insert("seq".into(), json!(state.seq));
            features.push(json!({
                "type": "Feature",
                "id": slug,
                "geometry": { "type": "Point", "coordinates": [p.lon, p.lat] },
                "properties": props,
                "time": { "timestamp": utc_text(at) },
            }));
        }
        (features, left_out)
    }

    // ── casualties ──────────────────────────────────────────────────────

    /// Every current casualty report the selection keeps, with each
    /// source's running figures and the low/high across sources.
    ///
    /// Figures build up as in the state: per source, in valid-time order
    /// (ties in log order), a cumulative report replaces the source's
    /// figures and a non-cumulative one adds to them. `--since`/`--until`
    /// pick the claims and moments shown; reports before `since` still
    /// count towards the figures.
    pub fn casualties<R: Borrow<Recorded>>(&self, records: impl IntoIterator<Item = R>) -> Casualties {
        // copies of the reports alone: a streamed record may hold more
        let kept: Vec<Recorded> = records
            .into_iter()
            .filter(|r| {
                let r: &Recorded = r.borrow();
                let e = &r.event;
                e.kind == Kind::CasualtyReport
                    && self.log.is_current(r)
                    && e.at.is_some()
                    && (self.sel.area.is_none() || e.areas.iter().any(|a| self.within(a)))
            })
            .map(|r| r.borrow().clone())
            .collect();
        let mut reports: Vec<&Recorded> = kept.iter().collect();
        reports.sort_by_cached_key(|r| (self.start(&r.event), r.seq));
        let shown = |at: DateTime<Utc>| self.sel.since.is_none_or(|s| at >= s) && self.sel.until.is_none_or(|u| at < u);
        // source → (killed, wounded), in first-seen order for stable output
        let mut tallies: Vec<(String, Option<u64>, Option<u64>)> = Vec::new();
        let mut claims: Vec<Claim> = Vec::new();
        let mut moments: Vec<Moment> = Vec::new();
        for (i, r) in reports.iter().enumerate() {
            let e = &r.event;
            let at = self.start(e).unwrap_or_default();
            let cumulative = e.cumulative.unwrap_or(true);
            let slot = tallies.iter().position(|(s, _, _)| s == &e.source.name);
            let (killed, wounded) = match (slot, cumulative) {
                (Some(i), false) => (add(tallies[i].1, e.killed), add(tallies[i].2, e.wounded)),
                _ => (e.killed, e.wounded),
            };
            match slot {
                Some(i) => tallies[i] = (e.source.name.clone(), killed, wounded),
                None => tallies.push((e.source.name.clone(), killed, wounded)),
            }
            let mut areas = e.areas.clone();
            areas.sort();
            if shown(at) {
                claims.push(Claim {
                    id: e.id,
                    seq: r.seq,
                    source: e.source.name.clone(),
                    at,
                    precision: e.at.map_or("instant", |a| a.precision()),
                    date: e
                        .at
                        .map(|t| local_date(t, self.log.zone()).format("%Y-%m-%d").to_string())
                        .unwrap_or_default(),
                    recorded_at: r.recorded_at,
                    killed: e.killed,
                    wounded: e.wounded,
                    civilian: e.civilian,
                    cumulative,
                    areas,
                    source_killed: killed,
                    source_wounded: wounded,
                    range: Range::default(),
                });
            }
            // the moment is complete once every report at this instant is in
            let last_at_moment = reports.get(i + 1).is_none_or(|n| self.start(&n.event) != Some(at));
            if last_at_moment && shown(at) {
                let range = Range {
                    sources: tallies.len(),
                    killed_low: tallies.iter().filter_map(|t| t.1).min(),
                    killed_high: tallies.iter().filter_map(|t| t.1).max(),
                    wounded_low: tallies.iter().filter_map(|t| t.2).min(),
                    wounded_high: tallies.iter().filter_map(|t| t.2).max(),
                };
                for c in claims.iter_mut().rev().take_while(|c| c.at == at) {
                    c.range = range.clone();
                }
                moments.push(Moment { at, range });
            }
        }
        Casualties { claims, moments }
    }
}

/// The end of a lasting event: the instant, and how JSON-FG writes it.
#[derive(Debug, Clone, PartialEq)]
struct End {
    at: DateTime<Utc>,
    text: Value,
}

fn disorder(event_type: &str) -> &'static str {
    match event_type {
        "Strategic developments" => "Strategic developments",
        _ => "Political violence",
    }
}

/// The calendar day of a time in `zone` (a day-precision time is its own day).
fn local_date(t: Time, zone: Tz) -> NaiveDate {
    match t {
        Time::Day(d) => d,
        Time::Instant(i) => i.with_timezone(&zone).date_naive(),
    }
}

/// A time for people, in `zone`: `2026-01-09 09:00 +03:00`, or a date.
fn local_text(t: Time, zone: Tz) -> String {
    match t {
        Time::Day(d) => d.format("%Y-%m-%d").to_string(),
        Time::Instant(i) => i.with_timezone(&zone).format("%Y-%m-%d %H:%M %:z").to_string(),
    }
}

/// JSON-FG's start of an interval: a date for a day, else a UTC timestamp.
fn jsonfg_start(t: Time, zone: Tz) -> Value {
    match t {
        Time::Day(d) => json!(d.format("%Y-%m-%d").to_string()),
        Time::Instant(_) => json!(utc_text(t.start(zone))),
    }
}

/// JSON-FG's end of an interval: a date for a day (the whole day), else
/// the UTC instant it stops holding.
fn jsonfg_end(t: Time, zone: Tz) -> Value {
    match t {
        Time::Day(d) => json!(d.format("%Y-%m-%d").to_string()),
        Time::Instant(_) => json!(utc_text(t.end(zone))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{Admitted, Context};
    use chrono::TimeZone;
    use chrono_tz::Asia::Damascus;

    const GAZETTEER: &str = r#"
{"id":"00000000-0000-7000-8000-0000000000a1","kind":"area","area":"aleppo","name":"Aleppo","name_ar":"حلب","lat":36.2,"lon":37.1,"source":"g"}
{"id":"00000000-0000-7000-8000-0000000000a2","kind":"area","area":"aleppo/ashrafiyeh","name":"Ashrafiyeh","lat":36.22,"lon":37.14,"source":"g"}
{"id":"00000000-0000-7000-8000-0000000000a3","kind":"area","area":"aleppo/ashrafiyeh/north","name":"North Ashrafiyeh","source":"g"}
{"id":"00000000-0000-7000-8000-0000000000a4","kind":"area","area":"nowhere","name":"Nowhere","source":"g"}
{"id":"00000000-0000-7000-8000-0000000000b1","kind":"actor","actor":"syrian-army","name":"Syrian Army","source":"g"}
{"id":"00000000-0000-7000-8000-0000000000b2","kind":"actor","actor":"sdf","name":"Syrian Democratic Forces","source":"g"}
{"id":"00000000-0000-7000-8000-0000000000b3","kind":"actor","actor":"civilians","name":"Civilians","source":"g"}
{"id":"00000000-0000-7000-8000-0000000000b4","kind":"actor","actor":"civil-defence","name":"Syrian Civil Defence","name_ar":"الدفاع المدني السوري","source":"g"}
"#;

    /// Folds lines (each admitted against the ones before it) into a
    /// timeline; each batch is one recording time, an hour apart.
    fn fold(batches: &[&str]) -> Timeline {
        let mut ctx = Context::new(Damascus);
        let mut t = Timeline::new(Damascus);
        let mut seq = 0;
        for (b, batch) in batches.iter().enumerate() {
            let recorded_at = Utc.with_ymd_and_hms(2026, 1, 10, b as u32, 0, 0).unwrap();
            for line in batch.lines().filter(|l| !l.trim().is_empty()) {
                seq += 1;
                let event = match ctx.admit(line, Uuid::from_u128(seq as u128)) {
                    Ok(Admitted::New(e)) => e,
                    other => panic!("{line}: {other:?}"),
                };
                ctx.learn(&event);
                t.apply(Recorded { seq, recorded_at, event });
            }
        }
        t
    }

    fn id(n: u32) -> String {
        format!("00000000-0000-7000-8000-{n:012}")
    }

    fn exported(t: &Timeline, sel: Selection) -> Vec<(String, String, Vec<String>)> {
        Exporter::new(t, sel)
            .events(t.records())
            .filter(|x| !x.event.kind.is_reference())
            .map(|x| {
                let e = x.event;
                let short = |u: Uuid| u.to_string()[33..].to_string();
                let what = format!("{}{}", e.kind, e.ends.map(|t| format!("→{}", short(t))).unwrap_or_default());
                (short(e.id), what, x.replaces.into_iter().map(short).collect())
            })
            .collect()
    }

    #[test]
    fn events_resolve_corrections_retractions_and_ends() {
        let t = fold(&[
            GAZETTEER,
            &format!(
                r#"{{"id":"{}","kind":"curfew","at":"2026-01-08T19:00","areas":["aleppo"],"actor":"syrian-army","source":"a"}}
{{"id":"{}","kind":"ended","at":"2026-01-09T06:00","ends":"{}","source":"a"}}
{{"id":"{}","kind":"shelling","at":"2026-01-08T10:00","areas":["aleppo"],"source":"a"}}"#,
                id(1),
                id(2),
                id(1),
                id(3)
            ),
            &format!(
                r#"{{"id":"{}","kind":"curfew","at":"2026-01-08T20:00","areas":["aleppo"],"actor":"syrian-army","corrects":"{}","source":"a"}}
{{"id":"{}","kind":"retraction","at":"2026-01-09T12:00","retracts":"{}","source":"a"}}"#,
                id(4),
                id(1),
                id(5),
                id(3)
            ),
            &format!(
                r#"{{"id":"{}","kind":"curfew","at":"2026-01-08T21:00","areas":["aleppo"],"actor":"syrian-army","corrects":"{}","source":"a"}}"#,
                id(6),
                id(4)
            ),
        ]);
        // the retraction and what it retracts are gone; the curfew is its last
        // version, listing both it replaced; the end follows it, re-aimed
        assert_eq!(
            exported(&t, Selection::default()),
            [
                ("006".into(), "curfew".into(), vec!["001".to_string(), "004".into()]),
                ("002".into(), "ended→006".into(), vec![])
            ]
        );
        let all: Vec<ExportedEvent> = Exporter::new(&t, Selection::default()).events(t.records()).collect();
        assert_eq!(all.len(), 8 + 2, "eight definitions, the curfew and its end");
        let curfew = all.iter().find(|x| x.event.kind == Kind::Curfew).unwrap();
        assert_eq!(curfew.event.corrects, None);
        assert_eq!(curfew.seq, 14);
        let json = curfew.to_json(true);
        assert_eq!(json["replaces"], json!([id(1), id(4)]));
        assert_eq!(json["recorded_at"], "2026-01-10T03:00:00Z");
        assert!(curfew.to_json(false).get("seq").is_none());

        // as known before the corrections, the first version stands
        let mut early = Timeline::new(Damascus);
        for r in t.records().iter().take(11) {
            early.apply(r.clone());
        }
        assert_eq!(
            exported(&early, Selection::default()),
            [
                ("001".into(), "curfew".into(), vec![]),
                ("002".into(), "ended→001".into(), vec![]),
                ("003".into(), "shelling".into(), vec![])
            ]
        );
        // an end whose target is filtered out goes too
        let only_ends = Selection { kinds: vec![Kind::Ended], ..Selection::default() };
        assert_eq!(exported(&t, only_ends), []);
        // and an end whose target's kind is kept stays with it, so that the
        // copy does not hold the curfew open for ever
        let curfews = Selection { kinds: vec![Kind::Curfew], ..Selection::default() };
        assert_eq!(
            exported(&t, curfews),
            [
                ("006".into(), "curfew".into(), vec!["001".to_string(), "004".into()]),
                ("002".into(), "ended→006".into(), vec![])
            ]
        );
    }

    #[test]
    fn an_end_before_the_corrected_start_moves_to_it() {
        let t = fold(&[
            GAZETTEER,
            &format!(
                r#"{{"id":"{}","kind":"ceasefire","at":"2026-01-09T03:00","areas":["aleppo"],"actor":"syrian-army","source":"a"}}
{{"id":"{}","kind":"ended","at":"2026-01-09T05:00","ends":"{}","source":"a"}}
{{"id":"{}","kind":"ceasefire","at":"2026-01-09T07:00","areas":["aleppo"],"actor":"syrian-army","corrects":"{}","source":"a"}}"#,
                id(1),
                id(2),
                id(1),
                id(3),
                id(1)
            ),
        ]);
        let events: Vec<ExportedEvent> = Exporter::new(&t, Selection::default()).events(t.records()).collect();
        let ended = events.iter().find(|x| x.event.kind == Kind::Ended).unwrap();
        assert_eq!(ended.event.ends, Some(Uuid::parse_str(&id(3)).unwrap()));
        assert_eq!(ended.event.at.unwrap().to_string(), "2026-01-09T07:00:00+03:00");
    }

    /// Regression (found by the round-trip property): an end given as a
    /// date lasts that whole day, so it may name the day an event starts;
    /// it must be exported as it is, not moved.
    #[test]
    fn an_end_on_the_day_of_the_start_is_kept() {
        let t = fold(&[
            GAZETTEER,
            &format!(
                r#"{{"id":"{}","kind":"ultimatum","at":"2026-01-08T03:00","deadline":"2026-01-08T04:00","areas":["aleppo"],"actor":"syrian-army","source":"a"}}
{{"id":"{}","kind":"ended","at":"2026-01-08","ends":"{}","source":"a"}}"#,
                id(1),
                id(2),
                id(1)
            ),
        ]);
        let events: Vec<ExportedEvent> = Exporter::new(&t, Selection::default()).events(t.records()).collect();
        let ended = events.iter().find(|x| x.event.kind == Kind::Ended).unwrap();
        assert_eq!(ended.event.at.unwrap().to_string(), "2026-01-08");
    }

    #[test]
    fn acled_maps_kinds_and_keeps_the_lowest_figure() {
        let t = fold(&[
            GAZETTEER,
            r#"{"kind":"shelling","at":"2026-01-08T10:00","areas":["aleppo/ashrafiyeh","aleppo/ashrafiyeh/north"],"actor":"syrian-army","target":"sdf","killed":5,"source":"SOHR"}
{"kind":"shelling","at":"2026-01-08T10:00","areas":["aleppo/ashrafiyeh/north","aleppo/ashrafiyeh"],"actor":"syrian-army","target":"sdf","killed":3,"source":"SANA"}
{"kind":"sniping","at":"2026-01-08","areas":["aleppo"],"actor":"sdf","target":"civil-defence","wounded":1,"source":"x"}
{"kind":"sniping","at":"2026-01-08T23:30","areas":["aleppo"],"actor":"sdf","target":"syrian-army","source":"x"}
{"kind":"control_claim","at":"2026-01-09T01:00","areas":["aleppo"],"actor":"syrian-army","extent":"full","source":"x"}
{"kind":"control_claim","at":"2026-01-09T01:00","areas":["aleppo"],"actor":"sdf","extent":100,"source":"x"}
{"kind":"control_claim","at":"2026-01-09T01:00","areas":["aleppo"],"actor":"sdf","extent":40,"source":"x"}
{"kind":"statement","at":"2026-01-09T01:00","actor":"sdf","source":"x"}
{"kind":"casualty_report","at":"2026-01-09T01:00","areas":["aleppo"],"killed":1,"source":"x"}
{"kind":"defection_call","at":"2026-01-09T02:00","actor":"syrian-army","target":"sdf","source":"x"}
{"kind":"airstrike","at":"2026-01-09T03:00","areas":["nowhere"],"source":"x"}"#,
        ]);
        let ex = Exporter::new(&t, Selection::default());
        let types = ex.guess_actor_types();
        assert_eq!(types.state, HashSet::from(["syrian-army".to_string()]));
        assert_eq!(types.civilian, HashSet::from(["civilians".to_string(), "civil-defence".to_string()]));
        let (rows, left_out) = ex.acled_rows(t.records(), &types);
        let rows: Vec<AcledRow> = rows.collect();
        assert_eq!(left_out, LeftOut { statements: 1, casualty_reports: 1 });
        let digest: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "{} {} | {} / {} | {} {}-{} {} | {} | {} {}/{}/{} {} | {}",
                    r.event_date,
                    &r.event_id_cnty[33..],
                    r.event_type,
                    r.sub_event_type,
                    r.actor1,
                    r.inter1,
                    r.inter2,
                    r.interaction,
                    r.civilian_targeting,
                    r.location,
                    r.admin1,
                    r.admin2,
                    r.geo_precision,
                    r.fatalities,
                    r.source
                )
            })
            .collect();
        assert_eq!(
            digest,
            [
                // a day-precision date starts the day: first; sniping at civil defence targets civilians
                "2026-01-08 00b-1 | Violence against civilians / Attack | Syrian Democratic Forces -7  | Civilian targeting | Aleppo Aleppo//1 0 | x",
                // two reports of one shelling: one event, both sources, the lower figure split over two areas
                "2026-01-08 009-1 | Explosions/Remote violence / Shelling/artillery/missile attack | Syrian Army 1-  |  | Ashrafiyeh Aleppo//1 2 | SOHR; SANA",
                "2026-01-08 009-2 | Explosions/Remote violence / Shelling/artillery/missile attack | Syrian Army 1-  |  | North Ashrafiyeh Aleppo/Ashrafiyeh/2 1 | SOHR; SANA",
                // sniping at an armed actor: an exchange of fire
                "2026-01-08 00c-1 | Battles / Armed clash | Syrian Democratic Forces -1  |  | Aleppo Aleppo//1 0 | x",
                // full control: the actor's type decides; a partial claim is "Other"
                "2026-01-09 00d-1 | Battles / Government regains territory | Syrian Army 1- 10 |  | Aleppo Aleppo//1 0 | x",
                "2026-01-09 00e-1 | Battles / Non-state actor overtakes territory | Syrian Democratic Forces -  |  | Aleppo Aleppo//1 0 | x",
                "2026-01-09 00f-1 | Strategic developments / Other | Syrian Democratic Forces -  |  | Aleppo Aleppo//1 0 | x",
                // no area: one row without a place; an area without coordinates: no latitude
                "2026-01-09 012-1 | Strategic developments / Change to group/activity | Syrian Army 1-  |  |  // 0 | x",
                "2026-01-09 013-1 | Explosions/Remote violence / Air/drone strike |  -  |  | Nowhere Nowhere// 0 | x",
            ]
            .map(str::to_string)
            .to_vec()
        );
        assert_eq!(rows[0].record().len(), ACLED_COLUMNS.len());
        assert_eq!(rows[1].latitude, "36.22");
        assert_eq!(rows[1].longitude, "37.14");
        assert_eq!(rows[2].latitude, "36.22", "an area without coordinates takes its parent's");
        assert_eq!(rows[0].tags, "sijil kind=sniping; date precision=day");
        assert_eq!(rows[1].timestamp, Utc.with_ymd_and_hms(2026, 1, 10, 1, 0, 0).unwrap().timestamp().to_string());
        assert!(rows[1].notes.starts_with("shelling by Syrian Army against Syrian Democratic Forces killed 5"));
    }

    #[test]
    fn acled_incidents_match_on_the_instant_not_its_writing() {
        // the same instant, from a wire in UTC and a desk in local time
        let t = fold(&[
            GAZETTEER,
            r#"{"kind":"shelling","at":"2026-01-08T22:30:00Z","areas":["aleppo"],"killed":5,"source":"A"}
{"kind":"shelling","at":"2026-01-09T01:30","areas":["aleppo"],"killed":4,"source":"B"}
{"kind":"shelling","at":"2026-01-09","areas":["aleppo"],"killed":2,"source":"C"}"#,
        ]);
        let ex = Exporter::new(&t, Selection::default());
        let types = ActorTypes::default();
        let (rows, _) = ex.acled_rows(t.records(), &types);
        let rows: Vec<AcledRow> = rows.collect();
        // one incident of the two reports at 22:30Z, with the lower figure;
        // the day-precision report is another (its day starts first)
        assert_eq!(rows.len(), 2, "{rows:#?}");
        assert_eq!((rows[0].source.as_str(), rows[0].fatalities.as_str()), ("C", "2"));
        assert_eq!((rows[1].source.as_str(), rows[1].fatalities.as_str()), ("A; B", "4"));
    }

    #[test]
    fn acled_dates_are_in_the_log_zone() {
        let t =
            fold(&[GAZETTEER, r#"{"kind":"shelling","at":"2026-01-08T22:30:00Z","areas":["aleppo"],"source":"x"}"#]);
        let ex = Exporter::new(&t, Selection::default());
        let types = ActorTypes::default();
        let (rows, _) = ex.acled_rows(t.records(), &types);
        let rows: Vec<AcledRow> = rows.collect();
        assert_eq!((rows[0].event_date.as_str(), rows[0].year.as_str()), ("2026-01-09", "2026"));
    }

    #[test]
    fn a_feature_never_ends_before_it_starts() {
        // ended at 12:00, then corrected to start at 14:00: it never held
        let t = fold(&[
            GAZETTEER,
            r#"{"id":"00000000-0000-7000-8000-000000000001","kind":"curfew","at":"2026-01-08T10:00","areas":["aleppo"],"actor":"syrian-army","source":"s"}
{"kind":"ended","at":"2026-01-08T12:00","ends":"00000000-0000-7000-8000-000000000001","source":"s"}
{"kind":"curfew","at":"2026-01-08T14:00","areas":["aleppo"],"actor":"syrian-army","source":"s","corrects":"00000000-0000-7000-8000-000000000001"}"#,
        ]);
        let ex = Exporter::new(&t, Selection::default());
        let f: Vec<Value> = ex.domain_events(t.records()).flat_map(|r| ex.event_features(r)).collect();
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0]["time"], json!({"interval": ["2026-01-08T11:00:00Z", "2026-01-08T11:00:00Z"]}));
        assert_eq!(f[0]["properties"]["time_end"], "2026-01-08T11:00:00Z");
    }

    #[test]
    fn features_use_the_nearest_coordinates_and_interval_time() {
        let t = fold(&[
            GAZETTEER,
            r#"{"kind":"curfew","at":"2026-01-08T19:00","until":"2026-01-10","areas":["aleppo/ashrafiyeh/north","nowhere"],"actor":"syrian-army","source":"x"}
{"kind":"deployment","at":"2026-01-08T20:00","areas":["aleppo"],"actor":"sdf","source":"x"}
{"kind":"withdrawal","at":"2026-01-09T08:00","areas":["aleppo"],"actor":"sdf","source":"x"}
{"kind":"shelling","at":"2026-01-08","areas":["aleppo"],"source":"x"}
{"kind":"deployment","at":"2026-01-08T21:00","areas":["aleppo","aleppo/ashrafiyeh"],"actor":"syrian-army","source":"x"}
{"kind":"withdrawal","at":"2026-01-09T12:00","areas":["aleppo/ashrafiyeh"],"actor":"syrian-army","source":"x"}
{"kind":"withdrawal","at":"2026-01-09T10:00","areas":["aleppo/ashrafiyeh"],"actor":"syrian-army","source":"x"}"#,
        ]);
        let ex = Exporter::new(&t, Selection::default());
        let f: Vec<Value> = ex.domain_events(t.records()).flat_map(|r| ex.event_features(r)).collect();
        assert_eq!(f.len(), 8, "the curfew in `nowhere` has no coordinates: {f:#?}");
        // a withdrawal ends a deployment in its own areas only, at the earliest
        assert_eq!(f[4]["properties"]["area"], "aleppo");
        assert_eq!(f[4]["time"], json!({"interval": ["2026-01-08T18:00:00Z", ".."]}));
        assert_eq!(f[5]["properties"]["area"], "aleppo/ashrafiyeh");
        assert_eq!(f[5]["time"], json!({"interval": ["2026-01-08T18:00:00Z", "2026-01-09T07:00:00Z"]}));
        assert_eq!(f[0]["geometry"]["coordinates"], json!([37.14, 36.22]));
        assert_eq!(f[0]["properties"]["geo_precision"], 2);
        assert_eq!(f[0]["properties"]["geo_from"], "aleppo/ashrafiyeh");
        assert_eq!(f[0]["time"], json!({"interval": ["2026-01-08T16:00:00Z", "2026-01-10"]}));
        assert_eq!(f[0]["properties"]["time_end"], "2026-01-10T21:00:00Z", "a date lasts the whole day");
        assert_eq!(f[1]["time"], json!({"interval": ["2026-01-08T17:00:00Z", "2026-01-09T05:00:00Z"]}));
        assert_eq!(f[2]["time"], json!({"timestamp": "2026-01-09T05:00:00Z"}));
        assert_eq!(f[3]["time"], json!({"date": "2026-01-08"}));
        assert_eq!(f[3]["properties"]["time"], "2026-01-07T21:00:00Z");

        let at = Utc.with_ymd_and_hms(2026, 1, 8, 18, 0, 0).unwrap();
        let (areas, left_out) = ex.area_features(at, KnownAt::All);
        assert_eq!(left_out, 1, "nowhere has no coordinates");
        let north = areas.iter().find(|a| a["id"] == "aleppo/ashrafiyeh/north").unwrap();
        assert_eq!(north["properties"]["curfew"], true);
        assert_eq!(north["properties"]["active"], "curfew (syrian-army)");
        let aleppo = areas.iter().find(|a| a["id"] == "aleppo").unwrap();
        assert_eq!(aleppo["properties"]["forces"], "sdf; syrian-army", "the army arrives at that very moment");
        let (later, _) = ex.area_features(Utc.with_ymd_and_hms(2026, 1, 9, 8, 0, 0).unwrap(), KnownAt::All);
        let forces = |slug: &str| later.iter().find(|a| a["id"] == slug).unwrap()["properties"]["forces"].clone();
        assert_eq!((forces("aleppo"), forces("aleppo/ashrafiyeh")), (json!("syrian-army"), json!("")));
        assert_eq!(aleppo["properties"]["incidents"], 1);
    }

    #[test]
    fn casualties_range_across_sources_per_moment() {
        let t = fold(&[
            GAZETTEER,
            r#"{"kind":"casualty_report","at":"2026-01-08T10:00","areas":["aleppo"],"killed":9,"wounded":55,"source":"Health"}
{"kind":"casualty_report","at":"2026-01-08T10:00","areas":["aleppo/ashrafiyeh"],"killed":12,"source":"SDF"}
{"kind":"casualty_report","at":"2026-01-08T12:00","areas":["aleppo"],"killed":2,"wounded":1,"cumulative":false,"source":"Health"}
{"kind":"casualty_report","at":"2026-01-08T14:00","areas":["aleppo"],"wounded":70,"source":"Health"}"#,
        ]);
        let c = Exporter::new(&t, Selection::default()).casualties(t.records());
        let got: Vec<String> = c
            .moments
            .iter()
            .map(|m| {
                format!(
                    "{} {} k{:?}-{:?} w{:?}-{:?}",
                    utc_text(m.at),
                    m.range.sources,
                    m.range.killed_low,
                    m.range.killed_high,
                    m.range.wounded_low,
                    m.range.wounded_high
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "2026-01-08T07:00:00Z 2 kSome(9)-Some(12) wSome(55)-Some(55)",
                "2026-01-08T09:00:00Z 2 kSome(11)-Some(12) wSome(56)-Some(56)",
                "2026-01-08T11:00:00Z 2 kSome(12)-Some(12) wSome(70)-Some(70)",
            ]
        );
        assert_eq!(c.claims.len(), 4);
        assert_eq!(c.claims[0].range, c.claims[1].range, "claims at one moment share its range");
        assert_eq!((c.claims[2].source_killed, c.claims[2].source_wounded), (Some(11), Some(56)));
        assert_eq!(c.claims[3].source_killed, None, "a cumulative report replaces, never mixes");
        // the range agrees with the state's side-by-side figures at each moment
        for m in &c.moments {
            let s = t.state(&StateQuery { at: m.at, known_at: KnownAt::All, area: None });
            assert_eq!(m.range.killed_low, s.casualties.iter().filter_map(|x| x.killed).min());
            assert_eq!(m.range.wounded_high, s.casualties.iter().filter_map(|x| x.wounded).max());
        }
        // --since picks the moments shown, but earlier reports still count
        let since = Some(Utc.with_ymd_and_hms(2026, 1, 8, 8, 0, 0).unwrap());
        let later = Exporter::new(&t, Selection { since, ..Selection::default() }).casualties(t.records());
        assert_eq!(later.claims.len(), 2);
        assert_eq!(later.moments[0].range.killed_low, Some(11));
        assert_eq!(c.claims[0].date, "2026-01-08");
    }

    #[test]
    fn a_claim_given_as_a_date_keeps_its_day() {
        let t = fold(&[
            GAZETTEER,
            r#"{"kind":"casualty_report","at":"2026-03-01","areas":["aleppo"],"killed":4,"source":"UN"}
{"kind":"casualty_report","at":"2026-03-01T01:30","areas":["aleppo"],"killed":5,"source":"UN"}"#,
        ]);
        let c = Exporter::new(&t, Selection::default()).casualties(t.records());
        let got: Vec<(String, &str, &str)> =
            c.claims.iter().map(|x| (utc_text(x.at), x.precision, x.date.as_str())).collect();
        // both start on 1 March in Aleppo, which is still 28 February in UTC
        assert_eq!(
            got,
            [
                ("2026-02-28T21:00:00Z".to_string(), "day", "2026-03-01"),
                ("2026-02-28T22:30:00Z".to_string(), "instant", "2026-03-01"),
            ]
        );
    }

    /// The round trip as a property: a generated log, exported as known at
    /// a random K and read back through validation into a fresh timeline,
    /// gives the same state at every moment that matters.
    mod round_trip {
        use super::*;
        use proptest::prelude::*;

        const AREAS: [&str; 4] = ["aleppo", "aleppo/ashrafiyeh", "aleppo/ashrafiyeh/north", "nowhere"];
        const ACTORS: [&str; 3] = ["syrian-army", "sdf", "civilians"];
        const SOURCES: [&str; 3] = ["SOHR", "SANA", "SDF"];

        /// A generated domain event: kind, hour, duration (or deadline) in
        /// hours, area bits, actor, source, a figure and a flag.
        #[derive(Debug, Clone, Copy)]
        struct Gen {
            kind: u8,
            hour: u8,
            hours: u8,
            areas: u8,
            actor: u8,
            source: u8,
            figure: u8,
            flag: bool,
        }

        #[derive(Debug, Clone)]
        enum Step {
            Event(Gen),
            Correct(usize, u8, u8),
            Retract(usize),
            End(usize, u8),
            /// a new recording time
            Batch,
        }

        fn step() -> impl Strategy<Value = Step> {
            prop_oneof![
                6 => (0u8..12, 0u8..48, 1u8..30, 1u8..16, 0u8..3, 0u8..3, 0u8..20, any::<bool>())
                    .prop_map(|(kind, hour, hours, areas, actor, source, figure, flag)| {
                        Step::Event(Gen { kind, hour, hours, areas, actor, source, figure, flag })
                    }),
                2 => (any::<usize>(), 0u8..48, 0u8..20).prop_map(|(i, h, n)| Step::Correct(i, h, n)),
                1 => any::<usize>().prop_map(Step::Retract),
                2 => (any::<usize>(), 0u8..48).prop_map(|(i, h)| Step::End(i, h)),
                1 => Just(Step::Batch),
            ]
        }

        fn time(h: u8) -> String {
            let base = Utc.with_ymd_and_hms(2026, 1, 8, 0, 0, 0).unwrap() + chrono::Duration::hours(i64::from(h));
            if h % 11 == 3 {
                // now and then a day-precision time
                base.with_timezone(&Damascus).format("%Y-%m-%d").to_string()
            } else {
                base.with_timezone(&Damascus).format("%Y-%m-%dT%H:%M").to_string()
            }
        }

        fn domain(g: &Gen) -> Value {
            let Gen { kind: k, hour: h, hours: d, areas: a, actor: ac, source: s, figure: n, flag } = *g;
            let kinds = [
                "ceasefire",
                "curfew",
                "evacuation",
                "deployment",
                "withdrawal",
                "control_claim",
                "shelling",
                "sniping",
                "casualty_report",
                "ultimatum",
                "detention",
                "statement",
            ];
            let kind = kinds[k as usize % kinds.len()];
            let areas: Vec<&str> =
                AREAS.iter().enumerate().filter(|(i, _)| a & (1 << i) != 0).map(|(_, s)| *s).collect();
            let mut v = json!({"kind": kind, "at": time(h), "areas": areas, "actor": ACTORS[ac as usize % 3], "source": SOURCES[s as usize % 3]});
            let end = time(h.saturating_add(d).max(h + 1));
            match kind {
                "ceasefire" | "curfew" | "evacuation" | "deployment" if flag => v["until"] = json!(end),
                "ultimatum" => v["deadline"] = json!(end),
                "control_claim" => v["extent"] = if flag { json!("full") } else { json!(n * 5) },
                "shelling" | "sniping" => v["killed"] = json!(n),
                "casualty_report" => {
                    v["killed"] = json!(n);
                    v["cumulative"] = json!(flag);
                }
                _ => {}
            }
            v
        }

        /// Turns steps into a log: lines that fail validation are skipped.
        fn build(steps: &[Step]) -> Timeline {
            let mut ctx = Context::new(Damascus);
            let mut t = Timeline::new(Damascus);
            let mut seq = 0u64;
            let mut batch = 0i64;
            // every admitted domain event, with its JSON and its hour
            let mut domain_ids: Vec<(Uuid, Value, u8)> = Vec::new();
            let mut admit = |v: Value, seq: &mut u64, batch: i64, t: &mut Timeline| -> Option<Uuid> {
                *seq += 1;
                let Ok(Admitted::New(e)) = ctx.admit(&v.to_string(), Uuid::from_u128(u128::from(*seq) + 1000)) else {
                    *seq -= 1;
                    return None;
                };
                ctx.learn(&e);
                let recorded_at =
                    Utc.with_ymd_and_hms(2026, 1, 10, 0, 0, 0).unwrap() + chrono::Duration::minutes(batch);
                let id = e.id;
                t.apply(Recorded { seq: *seq, recorded_at, event: e });
                Some(id)
            };
            for line in GAZETTEER.lines().filter(|l| !l.trim().is_empty()) {
                admit(serde_json::from_str(line).unwrap(), &mut seq, batch, &mut t).unwrap();
            }
            for s in steps {
                match s {
                    Step::Batch => batch += 1,
                    Step::Event(g) => {
                        let v = domain(g);
                        if let Some(id) = admit(v.clone(), &mut seq, batch, &mut t) {
                            domain_ids.push((id, v, g.hour));
                        }
                    }
                    Step::Correct(i, h, n) if !domain_ids.is_empty() => {
                        let (target, mut v, _) = domain_ids[i % domain_ids.len()].clone();
                        v["at"] = json!(time(*h));
                        if v.get("killed").is_some() {
                            v["killed"] = json!(n);
                        }
                        v["corrects"] = json!(target);
                        if let Some(id) = admit(v.clone(), &mut seq, batch, &mut t) {
                            domain_ids.push((id, v, *h));
                        }
                    }
                    Step::Retract(i) if !domain_ids.is_empty() => {
                        let target = domain_ids[i % domain_ids.len()].0;
                        let v = json!({"kind": "retraction", "at": time(47), "retracts": target, "source": "x"});
                        admit(v, &mut seq, batch, &mut t);
                    }
                    Step::End(i, h) if !domain_ids.is_empty() => {
                        // mostly after the start of what it ends
                        let (target, _, start) = domain_ids[i % domain_ids.len()];
                        let at = time(start.saturating_add(*h % 24).min(47));
                        let v = json!({"kind": "ended", "at": at, "ends": target, "source": "x"});
                        if let Some(id) = admit(v.clone(), &mut seq, batch, &mut t) {
                            domain_ids.push((id, v, *h));
                        }
                    }
                    _ => {}
                }
            }
            t
        }

        /// The moments where anything can change, and the instants around them.
        fn moments(t: &Timeline) -> Vec<DateTime<Utc>> {
            let zone = t.zone();
            let mut out = Vec::new();
            for r in t.records() {
                let e = &r.event;
                for x in [e.at.map(|a| a.start(zone)), e.until.map(|u| u.end(zone)), e.deadline.map(|d| d.end(zone))]
                    .into_iter()
                    .flatten()
                {
                    out.extend([x - chrono::Duration::seconds(1), x]);
                }
            }
            out.sort();
            out.dedup();
            out
        }

        fn state_json(t: &Timeline, at: DateTime<Utc>) -> Value {
            let mut v = serde_json::to_value(t.state(&StateQuery { at, known_at: KnownAt::All, area: None })).unwrap();
            v.as_object_mut().unwrap().remove("seq");
            v
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
            #[test]
            fn export_then_import_gives_the_same_state(steps in prop::collection::vec(step(), 0..40), cut in any::<prop::sample::Index>()) {
                let full = build(&steps);
                // as known at a random position
                let k = cut.index(full.records().len() + 1);
                let mut known = Timeline::new(Damascus);
                for r in full.records().iter().take(k) {
                    known.apply(r.clone());
                }
                // export, then validate and fold each line into a fresh log
                let mut ctx = Context::new(Damascus);
                let mut fresh = Timeline::new(Damascus);
                let recorded_at = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
                for (i, x) in Exporter::new(&known, Selection::default()).events(known.records()).enumerate() {
                    let line = x.to_json(false).to_string();
                    let e = match ctx.admit(&line, Uuid::nil()) {
                        Ok(Admitted::New(e)) => e,
                        other => panic!("line {} does not import: {other:?}\n{line}", i + 1),
                    };
                    ctx.learn(&e);
                    fresh.apply(Recorded { seq: i as u64 + 1, recorded_at, event: e });
                }
                for at in moments(&known) {
                    prop_assert_eq!(state_json(&known, at), state_json(&fresh, at), "at {}", utc_text(at));
                }
            }
        }
    }
}
