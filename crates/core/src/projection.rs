//! The projection: the state of every area at a valid time T.
//!
//! [`Timeline`] is a fold over the log in position order
//! ([`Timeline::apply`]); it indexes corrections, retractions and ends as
//! they arrive. Reading the world "at T, as known at K" is a filter plus
//! that fold: feed it only the records with position ≤ K (or recorded by
//! K), then ask [`Timeline::state`] for T. Nothing here reads a clock.
//!
//! The rules, from the contract:
//! - a correction hides the event it corrects, a retraction hides the event
//!   it retracts, from the moment each is recorded (so only when it is in
//!   the fold);
//! - intervals are half-open: a durative event is in force from its `at`
//!   (inclusive) to its `until`, its `ended` time or its deadline
//!   (exclusive); a day-precision `until` lasts the whole of that day;
//! - conflicting claims are never merged: casualty figures are kept per
//!   source, control per actor.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Serialize, Serializer};
use uuid::Uuid;

use crate::event::{Event, Extent, Kind, Recorded};
use crate::registry::{Areas, Registry};
use crate::time::utc_text;

/// Which part of the log a read takes into account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KnownAt {
    /// Everything the log holds.
    #[default]
    All,
    /// Positions 1 to N.
    Seq(u64),
    /// Everything recorded at or before this instant.
    Time(DateTime<Utc>),
}

impl KnownAt {
    /// `true` when the record falls inside this horizon.
    pub fn includes(&self, r: &Recorded) -> bool {
        match self {
            KnownAt::All => true,
            KnownAt::Seq(n) => r.seq <= *n,
            KnownAt::Time(t) => r.recorded_at <= *t,
        }
    }

    /// The horizon as JSON shows it: null, `"#40"` or an RFC 3339 UTC time.
    pub fn label(&self) -> Option<String> {
        match self {
            KnownAt::All => None,
            KnownAt::Seq(n) => Some(format!("#{n}")),
            KnownAt::Time(t) => Some(utc_text(*t)),
        }
    }
}

/// What a state read asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct StateQuery {
    /// Valid time.
    pub at: DateTime<Utc>,
    /// The transaction-time horizon the fold was filtered with (echoed).
    pub known_at: KnownAt,
    /// Keep only this area and the areas under it.
    pub area: Option<String>,
}

/// What a listing of the events (`sijil log`) asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogQuery {
    /// The transaction-time horizon: only what the log held then.
    pub known_at: KnownAt,
    /// Only these kinds (none: every kind).
    pub kinds: Vec<Kind>,
    /// Only events whose valid time starts at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Only events whose valid time starts before this instant.
    pub until: Option<DateTime<Utc>>,
    /// Only events in this area (a slug) or the areas under it: their
    /// areas, the crossings they go through, or the area they define.
    pub area: Option<String>,
}

/// The fold of the log: every event, with corrections, retractions and
/// ends indexed as they were recorded.
#[derive(Debug, Clone)]
pub struct Timeline {
    zone: Tz,
    records: Vec<Recorded>,
    index: HashMap<Uuid, usize>,
    corrected_by: HashMap<Uuid, Uuid>,
    retracted_by: HashMap<Uuid, Uuid>,
    ended_by: HashMap<Uuid, Vec<usize>>,
    registry: Registry,
}

/// How the log now regards one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Standing {
    /// The event that replaced it, if any.
    pub corrected_by: Option<Uuid>,
    /// The retraction that withdrew it, if any.
    pub retracted_by: Option<Uuid>,
}

impl Timeline {
    /// An empty fold for a log whose days are read in `zone`.
    pub fn new(zone: Tz) -> Timeline {
        Timeline {
            zone,
            records: Vec::new(),
            index: HashMap::new(),
            corrected_by: HashMap::new(),
            retracted_by: HashMap::new(),
            ended_by: HashMap::new(),
            registry: Registry::default(),
        }
    }

    /// The zone days are read in.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// Folds in the next record of the log.
    pub fn apply(&mut self, r: Recorded) {
        let e = &r.event;
        let i = self.records.len();
        self.registry.apply(e);
        if let Some(t) = e.corrects {
            self.corrected_by.insert(t, e.id);
        }
        if let Some(t) = e.retracts {
            self.retracted_by.insert(t, e.id);
        }
        if let Some(t) = e.ends {
            self.ended_by.entry(t).or_default().push(i);
        }
        self.index.insert(e.id, i);
        self.records.push(r);
    }

    /// The last position folded in (0 for none).
    pub fn seq(&self) -> u64 {
        self.records.last().map_or(0, |r| r.seq)
    }

    /// Every record folded in, in log order.
    pub fn records(&self) -> &[Recorded] {
        &self.records
    }

    /// The record with this id.
    pub fn get(&self, id: &Uuid) -> Option<&Recorded> {
        self.index.get(id).map(|&i| &self.records[i])
    }

    /// The registry as the whole fold defines it, ignoring valid time.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Whether an event was corrected or retracted.
    pub fn standing(&self, id: &Uuid) -> Standing {
        Standing { corrected_by: self.corrected_by.get(id).copied(), retracted_by: self.retracted_by.get(id).copied() }
    }

    /// The positions of the events a listing shows, in its order: by the
    /// start of their valid time (events without one, the definitions,
    /// first; with `since` or `until` they are left out), then by position.
    /// The timeline is taken to be the log as known at `q.known_at`: its
    /// registry resolves `q.area`.
    pub fn select(&self, q: &LogQuery) -> Vec<u64> {
        let timed = q.since.is_some() || q.until.is_some();
        let mut rows: Vec<(Option<DateTime<Utc>>, u64)> = self
            .records
            .iter()
            .filter(|r| q.known_at.includes(r))
            .filter(|r| q.kinds.is_empty() || q.kinds.contains(&r.event.kind))
            .map(|r| (self.start(&r.event), r))
            .filter(|(start, _)| match start {
                None => !timed,
                Some(s) => q.since.is_none_or(|x| *s >= x) && q.until.is_none_or(|x| *s < x),
            })
            .filter(|(_, r)| match &q.area {
                None => true,
                Some(root) => {
                    let e = &r.event;
                    e.areas.iter().chain(&e.via).chain(&e.area).any(|a| self.registry.is_within(a, root))
                }
            })
            .map(|(start, r)| (start, r.seq))
            .collect();
        rows.sort_unstable();
        rows.into_iter().map(|(_, seq)| seq).collect()
    }

    /// The `ended` events that name this event, in log order.
    pub fn enders(&self, id: &Uuid) -> Vec<&Recorded> {
        self.ended_by.get(id).map(|v| v.iter().map(|&i| &self.records[i]).collect()).unwrap_or_default()
    }

    /// `true` unless the event was corrected or retracted.
    pub fn is_current(&self, id: &Uuid) -> bool {
        !self.corrected_by.contains_key(id) && !self.retracted_by.contains_key(id)
    }

    fn start(&self, e: &Event) -> Option<DateTime<Utc>> {
        e.at.map(|t| t.start(self.zone))
    }

    /// When a durative event stops being in force, as the fold knows it:
    /// the earliest of its `until` and the `at` of any current `ended`
    /// event that ends it (directly or through a correction of it).
    pub fn effective_end(&self, e: &Event) -> Option<DateTime<Utc>> {
        self.effective_end_day(e).map(|(end, _)| end)
    }

    /// [`Timeline::effective_end`], and whether that end is a date's (an
    /// `until` or an `ended` time given as a date); at a tie an end given
    /// as a time wins, whatever the order the two were recorded in.
    pub fn effective_end_day(&self, e: &Event) -> Option<(DateTime<Utc>, bool)> {
        let mut end = e.until.map(|u| (u.end(self.zone), u.is_day()));
        // `ended` events may name this event or any version it replaced.
        let mut version = Some(e.id);
        let mut steps = 0;
        while let Some(id) = version {
            for &i in self.ended_by.get(&id).map(Vec::as_slice).unwrap_or(&[]) {
                let ender = &self.records[i].event;
                if !self.is_current(&ender.id) {
                    continue;
                }
                // like `until`, an end given as a date lasts the whole of that day
                if let Some(t) = ender.at.map(|t| (t.end(self.zone), t.is_day())) {
                    end = Some(end.map_or(t, |u| u.min(t)));
                }
            }
            steps += 1;
            version = if steps > self.records.len() { None } else { self.get(&id).and_then(|r| r.event.corrects) };
        }
        end
    }

    /// The current events (neither corrected nor retracted), ordered by
    /// valid time, then position. Reference events without `at` come first.
    pub fn current_in_valid_order(&self) -> Vec<&Recorded> {
        // each start placed in the zone once, not at every comparison
        let mut v: Vec<(Option<DateTime<Utc>>, u64, &Recorded)> = self
            .records
            .iter()
            .filter(|r| self.is_current(&r.event.id))
            .map(|r| (self.start(&r.event), r.seq, r))
            .collect();
        // positions are unique, so the order is total
        v.sort_unstable_by_key(|&(start, seq, _)| (start, seq));
        v.into_iter().map(|(_, _, r)| r).collect()
    }

    /// The registry as it stood at valid time `at`: definitions without
    /// `at`, or with `at` ≤ T, applied in valid-time order.
    pub fn registry_at(&self, at: DateTime<Utc>) -> Registry {
        let mut reg = Registry::default();
        for r in self.current_in_valid_order() {
            if r.event.kind.is_reference() && self.start(&r.event).is_none_or(|s| s <= at) {
                reg.apply(&r.event);
            }
        }
        reg
    }

    /// The state of every area at `q.at`.
    pub fn state(&self, q: &StateQuery) -> State {
        let at = q.at;
        let zone = self.zone;
        let reg_now = self.registry_at(at);
        // nested as defined at `at`
        let keep = |slug: &str| match &q.area {
            None => true,
            Some(root) => reg_now.is_within_at(&self.registry, slug, root),
        };
        let all = || -> &dyn Areas { &self.registry };
        let mut book = AreaBook { map: BTreeMap::new(), keep: &keep, now: &reg_now, all: &all };
        for def in reg_now.areas() {
            book.entry(&def.slug);
        }

        // (time, order at that time, position, deployment or withdrawal, what happens)
        let mut moves: Vec<Step> = Vec::new();
        let mut claims: BTreeMap<(String, String), Control> = BTreeMap::new();
        let mut tallies: BTreeMap<Text, Casualty> = BTreeMap::new();

        for r in self.current_in_valid_order() {
            let e = &r.event;
            let Some(start) = self.start(e) else { continue };
            if start > at || e.kind.is_reference() {
                continue;
            }
            match e.kind {
                Kind::Ceasefire | Kind::Curfew | Kind::Evacuation => {
                    let end = self.effective_end_day(e);
                    if end.is_some_and(|(u, _)| u <= at) {
                        continue;
                    }
                    for a in &e.areas {
                        if let Some(s) = book.entry(a) {
                            s.active.push(Active {
                                id: e.id,
                                kind: e.kind,
                                actor: e.actor.as_deref().map(Text::from),
                                target: e.target.as_deref().map(Text::from),
                                since: start,
                                precision: day_word(e),
                                until: end.map(|(u, _)| u),
                                until_precision: end.and_then(|(_, day)| day.then_some("day")),
                                via: texts(&e.via),
                                terms: texts(&e.terms),
                                source: e.source.name.as_str().into(),
                            });
                        }
                    }
                }
                Kind::Ultimatum => {
                    let ended = self.effective_end(e).is_some_and(|u| u <= at);
                    let Some(deadline) = e.deadline else { continue };
                    if ended {
                        continue;
                    }
                    let deadline = deadline.end(zone);
                    for a in &e.areas {
                        if let Some(s) = book.entry(a) {
                            s.deadlines.push(Deadline {
                                id: e.id,
                                actor: e.actor.as_deref().map(Text::from),
                                target: e.target.as_deref().map(Text::from),
                                deadline,
                                deadline_precision: e.deadline.filter(|d| d.is_day()).map(|d| d.precision()),
                                status: if at < deadline { "pending" } else { "expired" },
                                demand: e.demand.as_deref().map(Text::from),
                                source: e.source.name.as_str().into(),
                            });
                        }
                    }
                }
                Kind::Deployment => {
                    let end = self.effective_end(e);
                    // ended at or before it began (an end kept from before a
                    // correction moved the start): it never counted
                    if end.is_some_and(|end| end <= start) {
                        continue;
                    }
                    moves.extend(Step::of(e, start, 0, r.seq, Move::Arrive));
                    if let Some(end) = end.filter(|end| *end <= at) {
                        moves.extend(Step::of(e, end, 1, r.seq, Move::Expire));
                    }
                }
                Kind::Withdrawal => moves.extend(Step::of(e, start, 0, r.seq, Move::Withdraw)),
                Kind::ControlClaim => {
                    let (Some(actor), Some(extent)) = (&e.actor, e.extent) else {
                        continue;
                    };
                    for a in &e.areas {
                        if keep(a) {
                            // valid-time order: a later claim replaces the earlier one
                            claims.insert(
                                (a.clone(), actor.clone()),
                                Control {
                                    id: e.id,
                                    actor: actor.as_str().into(),
                                    extent,
                                    at: start,
                                    precision: day_word(e),
                                    source: e.source.name.as_str().into(),
                                },
                            );
                        }
                    }
                }
                Kind::CasualtyReport => {
                    if !e.areas.iter().any(|a| keep(a)) {
                        continue;
                    }
                    let mut areas = texts(&e.areas);
                    areas.sort();
                    let fresh = Casualty {
                        source: e.source.name.as_str().into(),
                        killed: e.killed,
                        wounded: e.wounded,
                        civilian: e.civilian,
                        at: start,
                        precision: day_word(e),
                        areas,
                        id: e.id,
                        reports: 1,
                    };
                    tally(&mut tallies, fresh, e.cumulative.unwrap_or(true));
                }
                k if k.is_violent() => {
                    for a in &e.areas {
                        if let Some(s) = book.entry(a) {
                            s.incidents += 1;
                        }
                    }
                }
                _ => {}
            }
        }

        for ((area, _), held) in presence(moves) {
            if let Some(s) = book.entry(&area) {
                s.forces.push(held.into_force());
            }
        }
        for ((area, _), c) in claims {
            if let Some(s) = book.entry(&area) {
                s.control.push(c);
            }
        }
        let mut areas = book.map;
        for s in areas.values_mut() {
            s.active.sort_by_key(|x| (x.since, x.kind));
            s.deadlines.sort_by_key(|d| d.deadline);
        }
        State { at, known_at: q.known_at.label(), seq: self.seq(), areas, casualties: tallies.into_values().collect() }
    }
}

/// A force as the timeline's presence fold holds it (the ledger plays
/// presence on its own numbers).
struct Held {
    actor: String,
    since: DateTime<Utc>,
    /// `since` is a date (the deployment's time has day precision).
    day: bool,
    source: String,
    sources: Vec<String>,
    id: Uuid,
}

impl Held {
    fn into_force(self) -> Force {
        Force {
            actor: self.actor.into(),
            since: self.since,
            precision: self.day.then_some("day"),
            source: self.source.into(),
            sources: texts(&self.sources),
            id: self.id,
        }
    }
}

/// Names as an answer holds them.
fn texts(names: &[String]) -> Vec<Text> {
    names.iter().map(|n| Text::from(n.as_str())).collect()
}

/// What a deployment-related event does to an actor's presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Move {
    /// A deployment begins.
    Arrive,
    /// A deployment reaches its `until` or `ended` time.
    Expire,
    /// A withdrawal by the same actor ends every deployment in the area.
    Withdraw,
}

/// A deployment, the end of one, or a withdrawal, at its time.
struct Step {
    t: DateTime<Utc>,
    /// At the same time, arrivals (0) before ends (1).
    order: u8,
    /// The event's time is a date (day precision).
    day: bool,
    seq: u64,
    id: Uuid,
    actor: String,
    source: String,
    areas: Vec<String>,
    what: Move,
}

impl Step {
    /// The step of event `e` (none if it names no actor).
    fn of(e: &Event, t: DateTime<Utc>, order: u8, seq: u64, what: Move) -> Option<Step> {
        let actor = e.actor.clone()?;
        let day = day_word(e).is_some();
        Some(Step { t, order, day, seq, id: e.id, actor, source: e.source.name.clone(), areas: e.areas.clone(), what })
    }
}

/// An actor's presence in an area: the force shown, and the deployments
/// that keep it there.
type Slot = Option<(Held, Vec<Uuid>)>;

/// Plays the steps in time order: per (area, actor), the force present, if
/// any, in the order of the names.
fn presence(mut steps: Vec<Step>) -> Vec<((String, String), Held)> {
    // per (area, actor): the force shown, and the deployments that keep it there
    let mut presence: BTreeMap<(String, String), Slot> = BTreeMap::new();
    steps.sort_by_key(|s| (s.t, s.order, s.seq));
    for step in steps {
        for a in step.areas {
            let slot = presence.entry((a, step.actor.clone())).or_insert(None);
            match (step.what, slot.as_mut()) {
                (Move::Arrive, None) => {
                    let held = Held {
                        actor: step.actor.clone(),
                        since: step.t,
                        day: step.day,
                        source: step.source.clone(),
                        sources: vec![step.source.clone()],
                        id: step.id,
                    };
                    *slot = Some((held, vec![step.id]));
                }
                (Move::Arrive, Some((f, running))) => {
                    running.push(step.id);
                    if !f.sources.contains(&step.source) {
                        f.sources.push(step.source.clone());
                    }
                }
                // this deployment's own end: others by the same actor may still run
                (Move::Expire, Some((_, running))) => {
                    running.retain(|id| *id != step.id);
                    if running.is_empty() {
                        *slot = None;
                    }
                }
                (Move::Expire, None) => {}
                (Move::Withdraw, _) => *slot = None,
            }
        }
    }
    presence.into_iter().filter_map(|(key, slot)| slot.map(|(held, _)| (key, held))).collect()
}

/// Takes one casualty report, given as the entry it would make alone, into
/// its source's tally: a cumulative report replaces that source's figures,
/// a non-cumulative one adds to them. Sources are never added together.
pub(crate) fn tally(tallies: &mut BTreeMap<Text, Casualty>, report: Casualty, cumulative: bool) {
    match tallies.get_mut(&report.source) {
        Some(c) if !cumulative => {
            c.killed = add(c.killed, report.killed);
            c.wounded = add(c.wounded, report.wounded);
            if c.civilian != report.civilian {
                c.civilian = None;
            }
            for a in report.areas {
                if !c.areas.contains(&a) {
                    c.areas.push(a);
                }
            }
            c.areas.sort();
            c.at = report.at;
            c.precision = report.precision;
            c.id = report.id;
            c.reports += 1;
        }
        _ => {
            tallies.insert(report.source.clone(), report);
        }
    }
}

/// The areas of a state being built, created on first mention.
pub(crate) struct AreaBook<'a> {
    pub(crate) map: BTreeMap<String, AreaState>,
    pub(crate) keep: &'a dyn Fn(&str) -> bool,
    pub(crate) now: &'a dyn Areas,
    /// Every definition known, for an area not defined at the time read;
    /// asked for only then (the ledger builds it on demand).
    pub(crate) all: &'a dyn Fn() -> &'a dyn Areas,
}

impl AreaBook<'_> {
    pub(crate) fn entry(&mut self, slug: &str) -> Option<&mut AreaState> {
        // only kept areas are ever entered: one lookup, no allocation
        if self.map.contains_key(slug) {
            return self.map.get_mut(slug);
        }
        if !(self.keep)(slug) {
            return None;
        }
        let def = self.now.area(slug).or_else(|| (self.all)().area(slug));
        Some(self.map.entry(slug.to_string()).or_insert_with(|| AreaState {
            name: def.map_or_else(|| slug.to_string(), |d| d.name.clone()),
            name_ar: def.and_then(|d| d.name_ar.clone()),
            parent: def.and_then(|d| d.parent.clone()),
            active: Vec::new(),
            deadlines: Vec::new(),
            forces: Vec::new(),
            control: Vec::new(),
            incidents: 0,
        }))
    }
}

pub(crate) fn add(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (None, None) => None,
        (x, y) => Some(x.unwrap_or(0) + y.unwrap_or(0)),
    }
}

fn day_word(e: &Event) -> Option<&'static str> {
    e.at.filter(|t| t.is_day()).map(|t| t.precision())
}

fn ser_utc<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&utc_text(*t))
}

fn ser_utc_opt<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&utc_text(*t)),
        None => s.serialize_none(),
    }
}

/// A name or text in an answer, shared with the ledger it came from (it
/// serialises as a string).
pub type Text = std::sync::Arc<str>;

/// The state of every area at one valid time, as `sijil state` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct State {
    #[serde(serialize_with = "ser_utc")]
    pub at: DateTime<Utc>,
    pub known_at: Option<String>,
    /// The last log position taken into account.
    pub seq: u64,
    pub areas: BTreeMap<String, AreaState>,
    /// Per source, its latest figures; sources are never summed together.
    pub casualties: Vec<Casualty>,
}

/// One area in the state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaState {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_ar: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub active: Vec<Active>,
    pub deadlines: Vec<Deadline>,
    pub forces: Vec<Force>,
    pub control: Vec<Control>,
    pub incidents: u64,
}

/// A ceasefire, curfew or evacuation in force.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Active {
    pub id: Uuid,
    pub kind: Kind,
    pub actor: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Text>,
    #[serde(serialize_with = "ser_utc")]
    pub since: DateTime<Utc>,
    /// `"day"` when the event's time is a date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<&'static str>,
    #[serde(serialize_with = "ser_utc_opt")]
    pub until: Option<DateTime<Utc>>,
    /// `"day"` when the end was given as a date (an `until` or an `ended`
    /// time): `until` is then the end of that day, exclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until_precision: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<Text>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<Text>,
    pub source: Text,
}

/// An ultimatum issued by T.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deadline {
    pub id: Uuid,
    pub actor: Option<Text>,
    pub target: Option<Text>,
    #[serde(serialize_with = "ser_utc")]
    pub deadline: DateTime<Utc>,
    /// `"day"` when the deadline was given as a date: `deadline` is then
    /// the end of that day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline_precision: Option<&'static str>,
    /// `pending` before the deadline, `expired` from it on.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demand: Option<Text>,
    pub source: Text,
}

/// An actor deployed and not withdrawn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Force {
    pub actor: Text,
    #[serde(serialize_with = "ser_utc")]
    pub since: DateTime<Utc>,
    /// `"day"` when the deployment's time is a date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<&'static str>,
    /// The source of the deployment that began this presence.
    pub source: Text,
    /// Every source that reported the presence.
    pub sources: Vec<Text>,
    pub id: Uuid,
}

/// The latest control claim of one actor over one area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Control {
    pub id: Uuid,
    pub actor: Text,
    pub extent: Extent,
    #[serde(serialize_with = "ser_utc")]
    pub at: DateTime<Utc>,
    /// `"day"` when the claim's time is a date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<&'static str>,
    pub source: Text,
}

/// One source's latest casualty figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Casualty {
    pub source: Text,
    pub killed: Option<u64>,
    pub wounded: Option<u64>,
    pub civilian: Option<bool>,
    #[serde(serialize_with = "ser_utc")]
    pub at: DateTime<Utc>,
    /// `"day"` when the latest report's time is a date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<&'static str>,
    pub areas: Vec<Text>,
    /// The latest report taken into account.
    pub id: Uuid,
    /// How many reports make up the figures: 1 for a cumulative report,
    /// more when non-cumulative reports were added to it.
    pub reports: u32,
}
