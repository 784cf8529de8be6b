//! Validation: from one line of user input to a canonical [`Event`].
//!
//! A [`Context`] holds what validation needs to know of the log so far: the
//! registry of areas and actors, and a summary of every event (its kind,
//! start, content digest and whether it was corrected or retracted). It is
//! built by [`Context::learn`]ing the log in order, and learns each admitted
//! event of an import too, so later lines may refer to earlier ones.
//!
//! Every rejection is one sentence that names the field and what was
//! expected; the caller prefixes it with the line number.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::event::{Event, Extent, ExtentWord, Kind, Source};
use crate::input::{parse_members, type_name};
use crate::registry::{closest, fold, Registry, Space};
use crate::time::Time;

/// The largest count accepted for `killed`, `wounded` and `count`.
pub const MAX_COUNT: u64 = 1_000_000;

/// Why an event was not admitted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The event is malformed or refers to something that does not exist.
    #[error("{0}")]
    Invalid(String),
    /// The event's id is already in the log with different content.
    #[error("{0}")]
    Conflict(String),
    /// The log could not be read to check the event.
    #[error("{0}")]
    Unavailable(String),
}

/// The outcome of admitting one event.
// `New` is moved straight to the store; boxing it would only add an
// allocation per admitted event and change the public API.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Admitted {
    /// A new event, ready to append.
    New(Event),
    /// The log already holds this very event; appending it is a no-op.
    Duplicate(Uuid),
}

/// What validation needs to know of one event already in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub kind: Kind,
    /// The first instant of its `at`, in the log's zone.
    pub start: Option<DateTime<Utc>>,
    /// SHA-256 of its canonical JSON.
    pub digest: [u8; 32],
    pub corrected_by: Option<Uuid>,
    pub retracted_by: Option<Uuid>,
}

impl Summary {
    /// The summary of `e`, whose canonical JSON is `canonical`, before any
    /// correction or retraction of it.
    pub fn of(e: &Event, canonical: &[u8], log_zone: Tz) -> Summary {
        Summary::with_digest(e, Sha256::digest(canonical).into(), log_zone)
    }

    /// [`Summary::of`], given the SHA-256 of `e`'s canonical JSON.
    fn with_digest(e: &Event, digest: [u8; 32], log_zone: Tz) -> Summary {
        Summary { kind: e.kind, start: e.at.map(|t| t.start(log_zone)), digest, corrected_by: None, retracted_by: None }
    }
}

/// Where validation finds the events it has not learned: the store's
/// indexes, so that appending to a long log does not replay all of it.
pub trait Lookup {
    /// The event with this id, if the log holds it, with its standing; an
    /// error is one sentence saying why the log could not be read.
    fn summary(&self, id: &Uuid) -> Result<Option<Summary>, String>;
}

/// A [`Lookup`] that knows nothing: the context alone is the log.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLookup;

impl Lookup for NoLookup {
    fn summary(&self, _id: &Uuid) -> Result<Option<Summary>, String> {
        Ok(None)
    }
}

/// What validation needs to know of the log so far.
#[derive(Debug, Clone)]
pub struct Context {
    log_zone: Tz,
    input_zone: Tz,
    registry: Registry,
    events: HashMap<Uuid, Learned>,
    /// Corrections and retractions learned, of events it learned or that
    /// are in the store: (corrected_by, retracted_by).
    standing: HashMap<Uuid, (Option<Uuid>, Option<Uuid>)>,
    /// Names already resolved against the registry as it is now.
    resolved: Resolved,
    /// What refused lines of this input would have defined.
    refused: Refused,
}

/// The ids, area and actor slugs and aliases of refused input lines, by
/// line: a later line that names one is told that its line was refused,
/// not that the name is unknown.
#[derive(Debug, Clone, Default)]
struct Refused {
    ids: HashMap<Uuid, usize>,
    names: HashMap<(bool, String), usize>,
}

impl Context {
    /// An empty context for a log whose days are read in `log_zone`.
    pub fn new(log_zone: Tz) -> Context {
        Context {
            log_zone,
            input_zone: log_zone,
            registry: Registry::default(),
            events: HashMap::new(),
            standing: HashMap::new(),
            resolved: Resolved::default(),
            refused: Refused::default(),
        }
    }

    /// The same context, its areas and actors those of `registry` (a
    /// registry read back from a cache of the log's definitions), as if
    /// every definition in it had been learned.
    pub fn with_registry(mut self, registry: Registry) -> Context {
        self.registry = registry;
        self.resolved.clear();
        self
    }

    /// Remembers what the refused input line `line` (its number `at`)
    /// would have defined, read leniently: its id and, for an `area` or
    /// `actor` event, its slug and aliases. A later line naming one of them
    /// is then told that line `at` was refused.
    pub fn refuse(&mut self, at: usize, line: &str) {
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(line) else { return };
        if let Some(id) = map.get("id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s.trim()).ok()) {
            self.refused.ids.entry(id).or_insert(at);
        }
        let area = match map.get("kind").and_then(Value::as_str).map(str::trim) {
            Some("area") => true,
            Some("actor") => false,
            _ => return,
        };
        let slug = map.get(if area { "area" } else { "actor" }).and_then(Value::as_str);
        let aliases = map.get("aliases").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
        for name in slug.into_iter().chain(aliases) {
            self.refused.names.entry((area, fold(name))).or_insert(at);
        }
    }

    /// Reads local date-times of input in `zone` instead of the log's zone.
    pub fn with_input_zone(mut self, zone: Tz) -> Context {
        self.input_zone = zone;
        self
    }

    /// The registry of areas and actors as the log defines them now.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The number of events learned.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// `true` before any event was learned.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// `true` when the log holds an event with this id.
    pub fn contains(&self, id: &Uuid) -> bool {
        self.events.contains_key(id)
    }

    /// Takes in one event of the log (or one just admitted).
    pub fn learn(&mut self, e: &Event) {
        self.learn_as(e, false);
    }

    /// [`Context::learn`], marking the event as this input's if `admitted`
    /// (a mark that stays if the id is learned again).
    fn learn_as(&mut self, e: &Event, admitted: bool) {
        self.learn_reference(e);
        // few events are corrected or retracted: that is kept aside
        if let Some(target) = e.corrects {
            self.standing.entry(target).or_default().0 = Some(e.id);
        }
        if let Some(target) = e.retracts {
            self.standing.entry(target).or_default().1 = Some(e.id);
        }
        let learned =
            Learned { kind: e.kind, admitted, start: e.at.map(|t| t.start(self.log_zone)), digest: digest(e) };
        match self.events.entry(e.id) {
            Entry::Occupied(mut known) => {
                let known = known.get_mut();
                *known = Learned { admitted: known.admitted || admitted, ..learned };
            }
            Entry::Vacant(slot) => {
                slot.insert(learned);
            }
        }
    }

    /// Takes in an event just admitted from the input being validated, so
    /// that later lines can refer to it (and a repeat of its id is told
    /// apart from one already stored).
    pub fn learn_admitted(&mut self, e: &Event) {
        self.learn_as(e, true);
    }

    /// Takes in an `area` or `actor` definition for name resolution only:
    /// with a [`Lookup`] for the rest, this is all a context needs of the
    /// stored log.
    pub fn learn_reference(&mut self, e: &Event) {
        if e.kind.is_reference() {
            self.resolved.clear();
        }
        self.registry.apply(e);
    }

    /// Validates one line of JSON; `fresh_id` is used when it has no `id`.
    pub fn admit(&self, line: &str, fresh_id: Uuid) -> Result<Admitted, Rejection> {
        self.admit_with(line, fresh_id, &NoLookup)
    }

    /// [`Context::admit`], finding events it has not learned in `lookup`.
    pub fn admit_with(&self, line: &str, fresh_id: Uuid, lookup: &dyn Lookup) -> Result<Admitted, Rejection> {
        let members = parse_members(line).map_err(Rejection::Invalid)?;
        self.admit_fields(Fields::new(members, self.input_zone, self.log_zone), fresh_id, lookup)
    }

    /// Validates one JSON object; `fresh_id` is used when it has no `id`.
    pub fn admit_object(&self, map: Map<String, Value>, fresh_id: Uuid) -> Result<Admitted, Rejection> {
        self.admit_object_with(map, fresh_id, &NoLookup)
    }

    /// The event with this id, as learned or as `lookup` finds it.
    fn summary(&self, id: &Uuid, lookup: &dyn Lookup) -> Result<Option<Summary>, Rejection> {
        let mut k = match self.events.get(id) {
            Some(k) => {
                Summary { kind: k.kind, start: k.start, digest: k.digest, corrected_by: None, retracted_by: None }
            }
            None => match lookup.summary(id).map_err(Rejection::Unavailable)? {
                Some(k) => k,
                None => return Ok(None),
            },
        };
        if let Some((corrected_by, retracted_by)) = self.standing.get(id) {
            k.corrected_by = corrected_by.or(k.corrected_by);
            k.retracted_by = retracted_by.or(k.retracted_by);
        }
        Ok(Some(k))
    }

    /// [`Context::admit_object`], finding events it has not learned in `lookup`.
    pub fn admit_object_with(
        &self,
        map: Map<String, Value>,
        fresh_id: Uuid,
        lookup: &dyn Lookup,
    ) -> Result<Admitted, Rejection> {
        let members = map.into_iter().collect();
        self.admit_fields(Fields::new(members, self.input_zone, self.log_zone), fresh_id, lookup)
    }

    fn admit_fields(&self, fields: Fields, fresh_id: Uuid, lookup: &dyn Lookup) -> Result<Admitted, Rejection> {
        let event = self.shape(fields, fresh_id).map_err(Rejection::Invalid)?;
        if let Some(known) = self.summary(&event.id, lookup)? {
            return if known.digest == digest(&event) {
                Ok(Admitted::Duplicate(event.id))
            } else if self.events.get(&event.id).is_some_and(|k| k.admitted) {
                Err(Rejection::Conflict(format!(
                    "id {} is given to another event earlier in this input; give each event its own id",
                    event.id
                )))
            } else {
                Err(Rejection::Conflict(format!(
                    "id {} is already in the log with different content; give the new event another id, or use \"corrects\" to replace the old one",
                    event.id
                )))
            };
        }
        self.check_references(&event, lookup)?;
        Ok(Admitted::New(event))
    }

    fn shape(&self, mut f: Fields, fresh_id: Uuid) -> Result<Event, String> {
        let kind = f.kind()?;
        f.check_known_keys(kind)?;
        let id = f.uuid("id")?.unwrap_or(fresh_id);
        let source = f.source()?;
        let mut e = Event::new(id, kind, "");
        e.source = source;
        e.note = f.string("note")?;
        let (at_text, at) = f.time("at")?;
        e.at = at;
        if e.at.is_none() && !kind.is_reference() {
            return Err(format!("missing \"at\": {} needs the time it happened or took effect", a_kind(kind)));
        }
        match kind {
            Kind::Area => self.shape_area(&mut f, &mut e)?,
            Kind::Actor => self.shape_actor(&mut f, &mut e)?,
            _ => self.shape_domain(&mut f, &mut e, &at_text)?,
        }
        Ok(e)
    }

    fn shape_area(&self, f: &mut Fields, e: &mut Event) -> Result<(), String> {
        let slug = f.required_string("area", "the slug of the area being defined")?;
        check_slug("area", &slug)?;
        e.name = Some(f.required_string("name", "the English name")?);
        e.name_ar = f.string("name_ar")?;
        e.area_type = f.string("type")?;
        e.lat = f.coordinate("lat", 90.0)?;
        e.lon = f.coordinate("lon", 180.0)?;
        if e.lat.is_some() != e.lon.is_some() {
            return Err("\"lat\" and \"lon\" go together: give both or neither".to_string());
        }
        let implied = slug.rsplit_once('/').map(|(p, _)| p.to_string());
        let parent = match f.string("parent")? {
            Some(p) => Some(self.resolve(Space::Area, &p).map_err(|m| format!("\"parent\": {m}"))?),
            None => implied,
        };
        if let Some(p) = &parent {
            if self.registry.area(p).is_none() {
                return Err(format!("\"parent\": unknown area {p:?}; register {p:?} before {slug:?}"));
            }
            if p == &slug || self.registry.is_within(p, &slug) {
                return Err(format!("\"parent\": {p:?} lies within {slug:?}, which would make a cycle"));
            }
        }
        e.parent = parent;
        e.aliases = self.checked_aliases(f, Space::Area, &slug)?;
        self.check_names(Space::Area, &slug, e)?;
        e.area = Some(slug);
        Ok(())
    }

    /// Refuses an English or Arabic name that is already another
    /// definition's alias: aliases are looked up first, so the name would
    /// never reach this definition.
    fn check_names(&self, space: Space, slug: &str, e: &Event) -> Result<(), String> {
        for (field, name) in [("name", e.name.as_deref()), ("name_ar", e.name_ar.as_deref())] {
            let Some(name) = name else { continue };
            if let Some(owner) = self.registry.alias_owner(space, name).filter(|o| *o != slug) {
                return Err(format!(
                    "\"{field}\": {name:?} is already an alias of {} {owner:?}; remove it there first",
                    space_word(space)
                ));
            }
        }
        Ok(())
    }

    fn shape_actor(&self, f: &mut Fields, e: &mut Event) -> Result<(), String> {
        let slug = f.required_string("actor", "the slug of the actor being defined")?;
        check_slug("actor", &slug)?;
        e.name = Some(f.required_string("name", "the English name")?);
        e.name_ar = f.string("name_ar")?;
        e.aliases = self.checked_aliases(f, Space::Actor, &slug)?;
        self.check_names(Space::Actor, &slug, e)?;
        e.actor = Some(slug);
        Ok(())
    }

    fn checked_aliases(&self, f: &mut Fields, space: Space, slug: &str) -> Result<Vec<String>, String> {
        let mut out: Vec<String> = Vec::new();
        for alias in f.strings("aliases")? {
            let taken_by_slug = match space {
                Space::Area => self.registry.area(alias.trim()).is_some(),
                Space::Actor => self.registry.actor(alias.trim()).is_some(),
            };
            if alias.trim() != slug && taken_by_slug {
                return Err(format!("\"aliases\": {alias:?} is already the slug of another {}", space_word(space)));
            }
            if let Some(owner) = self.registry.alias_owner(space, &alias) {
                if owner != slug {
                    return Err(format!(
                        "\"aliases\": {alias:?} already names {} {owner:?}; remove it there first",
                        space_word(space)
                    ));
                }
            }
            // an alias is looked up first: it would silently take over a name
            // or short slug that now names another definition (one that
            // names several, or this one, names no other)
            if let Some(other) = self.registry.find(space, &alias).ok().flatten().filter(|s| s != slug) {
                return Err(format!(
                    "\"aliases\": {alias:?} already names {} {other:?} (its name or short slug); \
                     an alias must not take it over",
                    space_word(space)
                ));
            }
            if !out.iter().any(|a| crate::registry::fold(a) == crate::registry::fold(&alias)) {
                out.push(alias);
            }
        }
        Ok(out)
    }

    fn shape_domain(&self, f: &mut Fields, e: &mut Event, at_text: &str) -> Result<(), String> {
        let kind = e.kind;
        let zone = self.log_zone;
        let start = e.at.map(|t| t.start(zone));

        let (until_text, until) = f.time("until")?;
        if let (Some(u), Some(s)) = (until, start) {
            check_after("until", &until_text, u.end(zone), at_text, s)?;
        }
        e.until = until;

        e.areas = self.resolve_all(f, "areas")?;
        if e.areas.is_empty() && requires_areas(kind) {
            return Err(format!("missing \"areas\": {} needs the list of areas where it happened", a_kind(kind)));
        }
        e.actor = self.resolve_one(f, "actor", Space::Actor)?;
        if e.actor.is_none() && requires_actor(kind) {
            return Err(format!("missing \"actor\": {} needs the actor who {}", a_kind(kind), actor_role(kind)));
        }
        e.target = self.resolve_one(f, "target", Space::Actor)?;
        if e.target.is_none() && kind == Kind::DefectionCall {
            return Err("missing \"target\": a defection_call needs the actor whose members are called on".to_string());
        }
        e.corrects = f.uuid("corrects")?;

        match kind {
            Kind::Ceasefire => e.terms = f.strings("terms")?,
            Kind::Ultimatum => {
                let (text, deadline) = f.time("deadline")?;
                let Some(deadline) = deadline else {
                    return Err("missing \"deadline\": an ultimatum needs the time it expires".to_string());
                };
                if let Some(s) = start {
                    check_after("deadline", &text, deadline.end(zone), at_text, s)?;
                }
                e.deadline = Some(deadline);
                e.demand = f.string("demand")?;
            }
            Kind::ControlClaim => {
                e.extent = Some(f.extent()?.ok_or_else(|| {
                    "missing \"extent\": a control_claim needs \"full\", \"partial\" or a percentage from 0 to 100"
                        .to_string()
                })?)
            }
            Kind::Shelling | Kind::Sniping | Kind::ArmedClash | Kind::Airstrike => {
                e.killed = f.count("killed")?;
                e.wounded = f.count("wounded")?;
            }
            Kind::CasualtyReport => {
                e.killed = f.count("killed")?;
                e.wounded = f.count("wounded")?;
                if e.killed.is_none() && e.wounded.is_none() {
                    return Err("a casualty_report needs \"killed\", \"wounded\" or both".to_string());
                }
                e.civilian = f.boolean("civilian")?;
                e.cumulative = f.boolean("cumulative")?;
            }
            Kind::Evacuation => e.via = self.resolve_all(f, "via")?,
            Kind::Detention => e.count = f.count("count")?,
            Kind::Statement => e.quote = f.string("quote")?,
            Kind::DefectionCall => e.contact = f.string("contact")?,
            Kind::Ended => {
                e.ends =
                    Some(f.uuid("ends")?.ok_or("missing \"ends\": an ended event needs the id of the event it ends")?)
            }
            Kind::Retraction => {
                e.retracts = Some(
                    f.uuid("retracts")?
                        .ok_or("missing \"retracts\": a retraction needs the id of the event it retracts")?,
                )
            }
            _ => {}
        }
        Ok(())
    }

    /// [`Registry::resolve`], remembering the names it resolved.
    fn resolve(&self, space: Space, name: &str) -> Result<String, String> {
        if let Some(slug) = self.resolved.get(space, name) {
            return Ok(slug);
        }
        let slug = self.registry.resolve(space, name).map_err(|m| {
            match self.refused.names.get(&(space == Space::Area, fold(name))) {
                Some(at) => format!("unknown {} {name:?}: line {at}, which defines it, is refused", space_word(space)),
                None => m,
            }
        })?;
        self.resolved.insert(space, name, &slug);
        Ok(slug)
    }

    fn resolve_all(&self, f: &mut Fields, field: &str) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        for name in f.strings(field)? {
            let slug = self.resolve(Space::Area, &name)?;
            if !out.contains(&slug) {
                out.push(slug);
            }
        }
        Ok(out)
    }

    fn resolve_one(&self, f: &mut Fields, field: &str, space: Space) -> Result<Option<String>, String> {
        match f.string(field)? {
            Some(name) => Ok(Some(self.resolve(space, &name).map_err(|m| format!("\"{field}\": {m}"))?)),
            None => Ok(None),
        }
    }

    fn known(&self, field: &str, id: Uuid, lookup: &dyn Lookup) -> Result<Summary, Rejection> {
        self.summary(&id, lookup)?.ok_or_else(|| {
            Rejection::Invalid(match self.refused.ids.get(&id) {
                Some(at) => format!("\"{field}\": {id} is the event of line {at}, which is refused"),
                None => format!("\"{field}\": no event with id {id} is in the log"),
            })
        })
    }

    fn check_references(&self, e: &Event, lookup: &dyn Lookup) -> Result<(), Rejection> {
        let find =
            |field: &str, id: Option<Uuid>| id.map(|id| self.known(field, id, lookup).map(|k| (id, k))).transpose();
        let corrects = find("corrects", e.corrects)?;
        let ends = find("ends", e.ends)?;
        let retracts = find("retracts", e.retracts)?;
        self.check_targets(e, corrects, ends, retracts, lookup).map_err(Rejection::Invalid)
    }

    /// What to point at instead of a corrected event: the last version of
    /// its chain of corrections (`by` is the first), or, when that version
    /// was retracted, a sentence that says so.
    fn instead(&self, verb: &str, by: Uuid, lookup: &dyn Lookup) -> String {
        let mut latest = by;
        // chains cannot loop (a correction comes after what it corrects):
        // the cap is only a guard; a lookup that fails stops the walk
        for _ in 0..1_000_000 {
            match self.summary(&latest, lookup) {
                Ok(Some(k)) => {
                    if let Some(r) = k.retracted_by {
                        return if latest == by {
                            format!("{by} was retracted by {r}")
                        } else {
                            format!("its latest version, {latest}, was retracted by {r}")
                        };
                    }
                    match k.corrected_by {
                        Some(next) => latest = next,
                        None => break,
                    }
                }
                _ => break,
            }
        }
        if latest == by {
            format!("{verb} {by} instead")
        } else {
            format!("{verb} its latest version, {latest}, instead")
        }
    }

    fn check_targets(
        &self,
        e: &Event,
        corrects: Option<(Uuid, Summary)>,
        ends: Option<(Uuid, Summary)>,
        retracts: Option<(Uuid, Summary)>,
        lookup: &dyn Lookup,
    ) -> Result<(), String> {
        if let Some((target, k)) = corrects {
            if k.kind.is_reference() {
                return Err(format!(
                    "\"corrects\": {target} defines {}; to change it, append a new {} event with the same slug",
                    a_kind(k.kind),
                    k.kind
                ));
            }
            if k.kind == Kind::Retraction {
                return Err(format!("\"corrects\": {target} is a retraction, which cannot be corrected"));
            }
            if let Some(by) = k.corrected_by {
                let instead = self.instead("correct", by, lookup);
                return Err(format!("\"corrects\": {target} was already corrected by {by}; {instead}"));
            }
            if let Some(by) = k.retracted_by {
                return Err(format!("\"corrects\": {target} was retracted by {by}"));
            }
        }
        if let Some((target, k)) = ends {
            if !k.kind.is_durative() {
                return Err(format!(
                    "\"ends\": {target} is {} event, which does not last; only ceasefire, curfew, ultimatum, deployment and evacuation can be ended",
                    a_kind(k.kind)
                ));
            }
            if let Some(by) = k.corrected_by {
                let instead = self.instead("end", by, lookup);
                return Err(format!("\"ends\": {target} was corrected by {by}; {instead}"));
            }
            if let Some(by) = k.retracted_by {
                return Err(format!("\"ends\": {target} was retracted by {by}"));
            }
            if let (Some(begin), Some(at)) = (k.start, e.at) {
                if at.end(self.log_zone) < begin {
                    // the start in the offset the "at" was given in, so the two compare at a glance
                    let begin = match at {
                        Time::Instant(t) => begin.with_timezone(t.offset()).to_rfc3339(),
                        Time::Day(_) => begin.with_timezone(&self.log_zone).fixed_offset().to_rfc3339(),
                    };
                    return Err(format!("\"at\" ({at}) is before the start of the event it ends ({begin})"));
                }
            }
        }
        if let Some((target, k)) = retracts {
            if k.kind == Kind::Retraction {
                return Err(format!(
                    "\"retracts\": {target} is itself a retraction, which cannot be retracted; append the retracted event again with a new id"
                ));
            }
            if k.kind.is_reference() {
                return Err(format!(
                    "\"retracts\": {target} defines {}; areas and actors are updated, not retracted",
                    a_kind(k.kind)
                ));
            }
            if let Some(by) = k.retracted_by {
                return Err(format!("\"retracts\": {target} was already retracted by {by}"));
            }
            if let Some(by) = k.corrected_by {
                let instead = self.instead("retract", by, lookup);
                return Err(format!("\"retracts\": {target} was corrected by {by}; {instead}"));
            }
        }
        Ok(())
    }
}

/// "a curfew", "an ultimatum": the kind with its article.
pub fn a_kind(kind: Kind) -> String {
    let name = kind.as_str();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {name}")
}

fn space_word(space: Space) -> &'static str {
    match space {
        Space::Area => "area",
        Space::Actor => "actor",
    }
}

/// SHA-256 of `e`'s canonical JSON, as [`Summary::of`] computes it, with
/// the JSON streamed into the hash rather than collected first.
fn digest(e: &Event) -> [u8; 32] {
    let mut hash = Sha256::new();
    // Serializing an event cannot fail (see `Event::canonical_json`), nor
    // can writing to a hash; were it to, hash what `canonical_json` gives.
    if serde_json::to_writer(&mut hash, e).is_err() {
        return Sha256::digest(e.canonical_json()).into();
    }
    hash.finalize().into()
}

fn requires_areas(kind: Kind) -> bool {
    !matches!(kind, Kind::Statement | Kind::DefectionCall | Kind::Ended | Kind::Retraction) && !kind.is_reference()
}

fn requires_actor(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Ceasefire
            | Kind::Curfew
            | Kind::Ultimatum
            | Kind::Deployment
            | Kind::Withdrawal
            | Kind::ControlClaim
            | Kind::Evacuation
            | Kind::Detention
            | Kind::Statement
            | Kind::DefectionCall
    )
}

fn actor_role(kind: Kind) -> &'static str {
    match kind {
        Kind::Ceasefire | Kind::Curfew | Kind::Ultimatum => "declared it",
        Kind::Deployment | Kind::Withdrawal => "moved",
        Kind::ControlClaim => "claims control",
        Kind::Evacuation => "conducts it",
        Kind::Detention => "detained",
        Kind::Statement => "made it",
        _ => "issued it",
    }
}

fn check_after(field: &str, text: &str, end: DateTime<Utc>, at_text: &str, start: DateTime<Utc>) -> Result<(), String> {
    if end < start {
        Err(format!("\"{field}\" ({text}) is before \"at\" ({at_text})"))
    } else if end == start {
        Err(format!("\"{field}\" ({text}) is the same moment as \"at\" ({at_text}); it must be later"))
    } else {
        Ok(())
    }
}

fn check_slug(field: &str, slug: &str) -> Result<(), String> {
    let ok = !slug.is_empty()
        && slug.len() <= 128
        && slug.split('/').all(|seg| {
            !seg.is_empty() && seg.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "\"{field}\": {slug:?} is not a slug; use lowercase letters, digits, \"-\" and \"_\", nested with \"/\" (like \"aleppo/sheikh-maqsoud\"), and put other spellings in \"aliases\""
        ))
    }
}

/// The keys each kind accepts.
pub fn fields_of(kind: Kind) -> Vec<&'static str> {
    let mut v = vec!["id", "kind", "at", "source", "note"];
    match kind {
        Kind::Area => v.extend(["area", "name", "name_ar", "parent", "lat", "lon", "aliases", "type"]),
        Kind::Actor => v.extend(["actor", "name", "name_ar", "aliases"]),
        _ => {
            v.extend(["areas", "actor", "target", "corrects"]);
            if kind.takes_until() {
                v.push("until");
            }
            v.extend(match kind {
                Kind::Ceasefire => &["terms"][..],
                Kind::Ultimatum => &["deadline", "demand"][..],
                Kind::ControlClaim => &["extent"][..],
                Kind::Shelling | Kind::Sniping | Kind::ArmedClash | Kind::Airstrike => &["killed", "wounded"][..],
                Kind::CasualtyReport => &["killed", "wounded", "civilian", "cumulative"][..],
                Kind::Evacuation => &["via"][..],
                Kind::Detention => &["count"][..],
                Kind::Statement => &["quote"][..],
                Kind::DefectionCall => &["contact"][..],
                Kind::Ended => &["ends"][..],
                Kind::Retraction => &["retracts"][..],
                _ => &[][..],
            });
        }
    }
    v
}

/// [`fields_of`], computed once per kind, so that checking the keys of a
/// line allocates nothing; `None` for a kind missing from [`Kind::ALL`].
fn accepted_keys(kind: Kind) -> Option<&'static [&'static str]> {
    static TABLE: OnceLock<Vec<(Kind, Vec<&'static str>)>> = OnceLock::new();
    let table = TABLE.get_or_init(|| Kind::ALL.iter().map(|&k| (k, fields_of(k))).collect());
    table.iter().find(|(k, _)| *k == kind).map(|(_, fields)| fields.as_slice())
}

/// What a context knows of an event it learned (a [`Summary`] without the
/// correction and retraction, which the context keeps aside): one per event
/// of an import, so kept small.
#[derive(Debug, Clone)]
struct Learned {
    kind: Kind,
    /// Learned through [`Context::learn_admitted`]: this input's.
    admitted: bool,
    start: Option<DateTime<Utc>>,
    digest: [u8; 32],
}

/// What names resolved to against the registry as it is now, so that a name
/// seen again is not resolved again: resolving a name that is neither a slug
/// nor an alias reads every definition. Cleared whenever the registry may
/// change; a name that does not resolve is not kept.
#[derive(Debug, Default)]
struct Resolved(Mutex<[HashMap<String, String>; 2]>);

impl Resolved {
    /// At most this many names are kept per space; then it starts over.
    const LIMIT: usize = 4096;

    fn slot(space: Space) -> usize {
        match space {
            Space::Area => 0,
            Space::Actor => 1,
        }
    }

    fn get(&self, space: Space, name: &str) -> Option<String> {
        // the maps stay whole even if a holder of the lock panicked
        let maps = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        maps[Self::slot(space)].get(name).cloned()
    }

    fn insert(&self, space: Space, name: &str, slug: &str) {
        let mut maps = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let map = &mut maps[Self::slot(space)];
        if map.len() >= Self::LIMIT {
            map.clear();
        }
        map.insert(name.to_string(), slug.to_string());
    }

    fn clear(&mut self) {
        self.0.get_mut().unwrap_or_else(PoisonError::into_inner).iter_mut().for_each(HashMap::clear);
    }
}

impl Clone for Resolved {
    /// A copy starts empty: what it would hold is found again on demand.
    fn clone(&self) -> Resolved {
        Resolved::default()
    }
}

/// The fields of one object, taken out one by one as they are read.
///
/// They are kept in the map's order (by key) in a plain list: an object has
/// a handful of keys, and finding one in a list is cheaper than in a tree.
struct Fields {
    fields: Vec<(String, Value)>,
    /// Where local date-times are read.
    zone: Tz,
    /// Where a date is a day (the log's zone).
    log_zone: Tz,
}

impl Fields {
    /// `members` as [`parse_members`] gives them: in key order.
    fn new(members: Vec<(String, Value)>, zone: Tz, log_zone: Tz) -> Fields {
        Fields { fields: members, zone, log_zone }
    }

    /// The keys not yet taken, in order.
    fn keys(&self) -> impl Iterator<Item = &String> {
        self.fields.iter().map(|(k, _)| k)
    }

    fn remove(&mut self, field: &str) -> Option<Value> {
        let i = self.fields.iter().position(|(k, _)| k == field)?;
        Some(self.fields.remove(i).1)
    }

    fn kind(&mut self) -> Result<Kind, String> {
        let known = || Kind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ");
        match self.remove("kind") {
            None => Err(format!("missing \"kind\"; known kinds: {}", known())),
            Some(Value::String(s)) => {
                Kind::parse(s.trim()).ok_or_else(|| match closest(&s, Kind::ALL.iter().map(|k| k.as_str())) {
                    Some(c) => format!("unknown kind {s:?} (did you mean {c:?}?); known kinds: {}", known()),
                    None => format!("unknown kind {s:?}; known kinds: {}", known()),
                })
            }
            Some(other) => Err(format!("\"kind\": expected a string, got {}", type_name(&other))),
        }
    }

    fn check_known_keys(&self, kind: Kind) -> Result<(), String> {
        let computed;
        let allowed = match accepted_keys(kind) {
            Some(fields) => fields,
            None => {
                computed = fields_of(kind);
                computed.as_slice()
            }
        };
        for key in self.keys() {
            if !allowed.contains(&key.as_str()) {
                let hint = match key.as_str() {
                    "seq" | "recorded_at" => {
                        return Err(format!(
                            "{key:?} is assigned by the log when an event is appended and cannot be given"
                        ))
                    }
                    "corrected_by" | "retracted_by" => {
                        return Err(format!(
                            "{key:?} is shown by `sijil log` but is not an event field; a correction or retraction is an event of its own"
                        ))
                    }
                    "until" if kind == Kind::Ultimatum => " (an ultimatum takes \"deadline\")".to_string(),
                    "until" => format!(" ({} does not last, so it takes no \"until\")", a_kind(kind)),
                    _ => match closest(key, allowed.iter().copied()) {
                        Some(c) => format!(" (did you mean {c:?}?)"),
                        None => String::new(),
                    },
                };
                return Err(format!(
                    "unknown field {key:?} for kind {:?}{hint}; its fields are: {}",
                    kind.as_str(),
                    allowed.join(", ")
                ));
            }
        }
        Ok(())
    }

    fn take(&mut self, field: &str) -> Option<Value> {
        match self.remove(field) {
            Some(Value::Null) | None => None,
            Some(v) => Some(v),
        }
    }

    fn string(&mut self, field: &str) -> Result<Option<String>, String> {
        match self.take(field) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Err(format!("\"{field}\" is empty")),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(format!("\"{field}\": expected a string, got {}", type_name(&other))),
        }
    }

    fn required_string(&mut self, field: &str, what: &str) -> Result<String, String> {
        self.string(field)?.ok_or_else(|| format!("missing \"{field}\": {what}"))
    }

    /// A list of strings; a single string is taken as a list of one.
    fn strings(&mut self, field: &str) -> Result<Vec<String>, String> {
        match self.take(field) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(vec![s]),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) if !s.trim().is_empty() => Ok(s),
                    Value::String(_) => Err(format!("\"{field}\": holds an empty string")),
                    other => Err(format!("\"{field}\": expected a list of strings, found {} in it", type_name(&other))),
                })
                .collect(),
            Some(other) => Err(format!("\"{field}\": expected a list of strings, got {}", type_name(&other))),
        }
    }

    fn time(&mut self, field: &str) -> Result<(String, Option<Time>), String> {
        match self.take(field) {
            None => Ok((String::new(), None)),
            Some(Value::String(s)) => {
                let t = Time::parse(&s, self.zone).map_err(|e| format!("\"{field}\": {e}"))?;
                // a day the log's zone skipped whole (Samoa's 30 December
                // 2011) has no instant in it: it would last no time at all
                if t.is_day() && t.start(self.log_zone) >= t.end(self.log_zone) {
                    return Err(format!(
                        "\"{field}\": {:?} did not happen in {}: its clocks went from the day before straight to the day after",
                        s.trim(),
                        self.log_zone.name()
                    ));
                }
                Ok((s, Some(t)))
            }
            Some(other) => Err(format!("\"{field}\": expected a time as a string, got {}", type_name(&other))),
        }
    }

    fn uuid(&mut self, field: &str) -> Result<Option<Uuid>, String> {
        match self.string(field)? {
            None => Ok(None),
            Some(s) => Uuid::parse_str(s.trim()).map(Some).map_err(|_| {
                format!("\"{field}\": {s:?} is not an event id (a UUID like 0194a3b2-7c00-7000-8000-000000000001)")
            }),
        }
    }

    fn count(&mut self, field: &str) -> Result<Option<u64>, String> {
        match self.take(field) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(c) if c <= MAX_COUNT => Ok(Some(c)),
                _ => Err(format!("\"{field}\": expected a whole number from 0 to {MAX_COUNT}, got {n}")),
            },
            Some(other) => Err(format!("\"{field}\": expected a whole number, got {}", type_name(&other))),
        }
    }

    fn boolean(&mut self, field: &str) -> Result<Option<bool>, String> {
        match self.take(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(format!("\"{field}\": expected true or false, got {}", type_name(&other))),
        }
    }

    fn coordinate(&mut self, field: &str, limit: f64) -> Result<Option<f64>, String> {
        match self.take(field) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(x) if x.is_finite() && x.abs() <= limit => Ok(Some(x)),
                _ => Err(format!("\"{field}\": expected a number from -{limit} to {limit}, got {n}")),
            },
            Some(other) => Err(format!("\"{field}\": expected a number, got {}", type_name(&other))),
        }
    }

    fn extent(&mut self) -> Result<Option<Extent>, String> {
        match self.take("extent") {
            None => Ok(None),
            Some(Value::String(s)) => match s.trim() {
                "full" => Ok(Some(Extent::Word(ExtentWord::Full))),
                "partial" => Ok(Some(Extent::Word(ExtentWord::Partial))),
                other => Err(format!(
                    "\"extent\": expected \"full\", \"partial\" or a percentage from 0 to 100, got {other:?}"
                )),
            },
            Some(Value::Number(n)) => match n.as_f64() {
                Some(p) if (0.0..=100.0).contains(&p) => Ok(Some(Extent::Percent(p))),
                _ => Err(format!("\"extent\": a percentage must be from 0 to 100, got {n}")),
            },
            Some(other) => {
                Err(format!("\"extent\": expected \"full\", \"partial\" or a number, got {}", type_name(&other)))
            }
        }
    }

    fn source(&mut self) -> Result<Source, String> {
        let missing = "missing \"source\": who reported it, as a name (\"SANA\") or {\"name\": …, \"url\": …, \"published_at\": …}";
        match self.take("source") {
            None => Err(missing.to_string()),
            Some(Value::String(s)) if s.trim().is_empty() => Err("\"source\" is empty".to_string()),
            Some(Value::String(s)) => Ok(Source { name: s, url: None, published_at: None }),
            Some(Value::Object(map)) => {
                let mut inner = Fields::new(map.into_iter().collect(), self.zone, self.log_zone);
                if let Some(key) = inner.keys().find(|k| !["name", "url", "published_at"].contains(&k.as_str())) {
                    return Err(format!("\"source\": unknown field {key:?}; its fields are: name, url, published_at"));
                }
                let name = inner.string("name").map_err(|m| format!("\"source\": {m}"))?;
                let name = name.ok_or("\"source\": missing \"name\"")?;
                let url = inner.string("url").map_err(|m| format!("\"source\": {m}"))?;
                let (_, published_at) = inner.time("published_at").map_err(|m| format!("\"source\": {m}"))?;
                Ok(Source { name, url, published_at })
            }
            Some(other) => Err(format!("\"source\": expected a name or an object, got {}", type_name(&other))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An import learns one of these per line: a million lines hold a
    /// million of them, so their size is watched.
    #[test]
    fn what_a_context_learns_of_an_event_stays_small() {
        let size = std::mem::size_of::<(Uuid, Learned)>();
        println!("(Uuid, Learned): {size} bytes");
        assert!(size <= 64, "a learned event takes {size} bytes");
    }
}
