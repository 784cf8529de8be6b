//! The ledger: a compact, bitemporal index of the log, from which the state
//! at any valid time T, as known at any position K, is read in one pass.
//!
//! [`Timeline`](crate::Timeline) keeps every event whole and is rebuilt for
//! each horizon. The ledger keeps, per record, only what the state needs
//! (kind, times, interned names, figures), plus the
//! position from which each record stopped counting (corrected or
//! retracted). So one ledger of the whole log answers every K: a record
//! counts at K when its position is ≤ K and no correction or retraction at
//! or before K names it. It is folded in log order like a timeline
//! ([`Ledger::apply`]), and it encodes to bytes ([`Ledger::encode`]) so that
//! a store can keep it as a checkpoint: a cache, which a reader may drop
//! and rebuild from the log at any time without changing any answer.
//!
//! [`Ledger::state`] gives exactly what [`Timeline::state`](crate::Timeline::state)
//! gives for the same log, T and K (a property test holds them together).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use uuid::Uuid;

use crate::event::{Event, Extent, ExtentWord, Kind, Recorded};
use crate::export::{Head, LogView, Withdrawn};
use crate::projection::{
    add, Active, AreaBook, AreaState, Casualty, Control, Deadline, Force, KnownAt, LogQuery, Move, State, StateQuery,
    Text,
};
use crate::registry::{within_at, AreaDefs, Areas, Registry};
use crate::time::Time;

const NONE: u32 = u32::MAX;

/// A fast hasher for the ledger's maps (names, lists, ids): a multiply-mix
/// of 8-byte words and a final avalanche, seeded at random once per map
/// builder so that crafted names or ids cannot pile into one bucket.
#[derive(Clone, Copy)]
struct Mix(u64);

impl Mix {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for Mix {
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 56));
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.add(u64::from(v));
    }
    fn write_u64(&mut self, v: u64) {
        self.add(v);
    }
    fn write_usize(&mut self, v: usize) {
        self.add(v as u64);
    }
}

/// Builds [`Mix`] hashers from a seed drawn from the standard library's
/// random hasher keys.
#[derive(Clone)]
struct Seeded(u64);

impl Default for Seeded {
    fn default() -> Seeded {
        use std::hash::BuildHasher;
        Seeded(std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64))
    }
}

impl std::hash::BuildHasher for Seeded {
    type Hasher = Mix;
    fn build_hasher(&self) -> Mix {
        Mix(self.0)
    }
}

type FastMap<K, V> = HashMap<K, V, Seeded>;

/// No figure (counts are at most a million).
const NO_COUNT: u32 = u32::MAX;

/// A figure as an entry keeps it (validation holds counts to a million).
fn count(v: Option<u64>) -> u32 {
    v.map_or(NO_COUNT, |c| u32::try_from(c).unwrap_or(NO_COUNT - 1).min(NO_COUNT - 1))
}

/// A position as an entry keeps it: the ledger numbers its entries in
/// `u32` (see [`Ledger::apply`]).
fn pos32(seq: u64) -> u32 {
    u32::try_from(seq).unwrap_or(u32::MAX)
}

/// An instant as seconds and nanoseconds since 1970 UTC, or none. Ordered
/// as chrono orders instants (a leap second, such as 23:59:60, keeps
/// nanoseconds of 10^9 or more, so it stays before the next midnight), and
/// "none" before every instant, as `Option` orders. Comparing two of them
/// costs no calendar arithmetic, which matters in a pass over every record.
///
/// Packed to 4-byte alignment (12 bytes, not 16), as the ledger keeps three
/// in each entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(C, packed(4))]
struct Stamp {
    secs: i64,
    nanos: u32,
}

impl Stamp {
    const NONE: Stamp = Stamp { secs: i64::MIN, nanos: 0 };

    fn of(t: DateTime<Utc>) -> Stamp {
        Stamp { secs: t.timestamp(), nanos: t.timestamp_subsec_nanos() }
    }

    fn opt(t: Option<DateTime<Utc>>) -> Stamp {
        t.map_or(Stamp::NONE, Stamp::of)
    }

    fn get(self) -> Option<Stamp> {
        (self != Stamp::NONE).then_some(self)
    }

    /// Whether chrono can hold this instant (checked when a checkpoint is read).
    fn is_valid(self) -> bool {
        self == Stamp::NONE
            || ((-62_135_596_800..=253_402_300_799).contains(&{ self.secs })
                && (self.nanos < 1_000_000_000 || (self.secs.rem_euclid(60) == 59 && self.nanos < 2_000_000_000)))
    }

    fn time(self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.secs, self.nanos).unwrap_or_default()
    }
}

/// Where something in force ends, and whether that end was given as a date.
type End = (Stamp, bool);

/// An `f64`'s bits, aligned to 4 bytes, so that an entry holds no 8-byte
/// field and packs to 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, packed(4))]
struct Bits(u64);

/// What the state needs of one record (a million of them make most of a
/// ledger's memory: see `an_entry_stays_small`).
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    id: Uuid,
    /// `at` as a start; as an end it is `at_len` seconds later (a day's
    /// length for a date, 0 for an instant).
    start: Stamp,
    until: Stamp,
    deadline: Stamp,
    /// Position of the first correction or retraction naming it (0: none).
    corrected_at: u32,
    retracted_at: u32,
    killed: u32,
    wounded: u32,
    /// The extent: 0 none, 1 full, 2 partial, 3 a percentage (`percent`).
    extent: u8,
    percent: Bits,
    /// The entry this one corrects (`NONE`).
    corrects: u32,
    actor: u32,
    target: u32,
    source: u32,
    demand: u32,
    /// Interned lists (0: empty).
    areas: u32,
    via: u32,
    terms: u32,
    at_len: i32,
    kind: Kind,
    day: bool,
    /// `until` and the deadline were given as dates (they end with the day).
    until_day: bool,
    deadline_day: bool,
    civilian: Option<bool>,
    cumulative: Option<bool>,
}

impl Entry {
    fn start(&self) -> Option<Stamp> {
        self.start.get()
    }
    fn at_end(&self) -> Option<Stamp> {
        let end = Stamp { secs: self.start.secs.saturating_add(i64::from(self.at_len)), nanos: self.start.nanos };
        self.start().map(|s| if self.at_len == 0 { s } else { end })
    }
    fn until(&self) -> Option<Stamp> {
        self.until.get()
    }
    fn deadline(&self) -> Option<Stamp> {
        self.deadline.get()
    }
    fn killed(&self) -> Option<u64> {
        (self.killed != NO_COUNT).then_some(u64::from(self.killed))
    }
    fn wounded(&self) -> Option<u64> {
        (self.wounded != NO_COUNT).then_some(u64::from(self.wounded))
    }
    fn extent(&self) -> Option<Extent> {
        match self.extent {
            1 => Some(Extent::Word(ExtentWord::Full)),
            2 => Some(Extent::Word(ExtentWord::Partial)),
            3 => Some(Extent::Percent(f64::from_bits({ self.percent }.0))),
            _ => None,
        }
    }
    fn set_extent(&mut self, extent: Option<Extent>) {
        (self.extent, self.percent) = match extent {
            None => (0, Bits(0)),
            Some(Extent::Word(ExtentWord::Full)) => (1, Bits(0)),
            Some(Extent::Word(ExtentWord::Partial)) => (2, Bits(0)),
            Some(Extent::Percent(p)) => (3, Bits(p.to_bits())),
        };
    }
    /// Whether a correction (or a retraction) at or before `k` hides it.
    fn corrected_by(&self, k: u64) -> bool {
        self.corrected_at != 0 && u64::from(self.corrected_at) <= k
    }
    fn retracted_by(&self, k: u64) -> bool {
        self.retracted_at != 0 && u64::from(self.retracted_at) <= k
    }
}

/// The seconds from a start to its end: 0 for an instant, a day's length
/// (23 to 25 hours in the zone) for a date.
fn at_len(start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> i32 {
    match (start, end) {
        (Some(s), Some(e)) => i32::try_from((e - s).num_seconds()).unwrap_or(0),
        _ => 0,
    }
}

/// What the ledger keeps of a stored event: everything but its notes,
/// quotes, contact, count, the source's link and the place details of an
/// area (the whole event is kept for `area` and `actor` events). Reading a
/// record into `Facts` rather than into an [`Event`] skips the long texts
/// (they are still checked: the record's hash and UTF-8 first, then
/// every field named as the event's are), and its names are [`Name`]s,
/// kept inline when short, so a replay of the log into the ledger
/// allocates about one list per event instead of every string.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    pub id: Uuid,
    pub kind: Kind,
    #[serde(default)]
    pub at: Option<Time>,
    #[serde(default)]
    pub until: Option<Time>,
    #[serde(default)]
    pub areas: Vec<Name>,
    #[serde(default)]
    pub actor: Option<Name>,
    #[serde(default)]
    pub target: Option<Name>,
    pub source: SourceFacts,
    #[serde(default)]
    pub corrects: Option<Uuid>,
    #[serde(default)]
    pub terms: Vec<Name>,
    #[serde(default)]
    pub deadline: Option<Time>,
    #[serde(default)]
    pub demand: Option<Name>,
    #[serde(default)]
    pub extent: Option<Extent>,
    #[serde(default)]
    pub killed: Option<u64>,
    #[serde(default)]
    pub wounded: Option<u64>,
    #[serde(default)]
    pub civilian: Option<bool>,
    #[serde(default)]
    pub cumulative: Option<bool>,
    #[serde(default)]
    pub via: Vec<Name>,
    #[serde(default)]
    pub ends: Option<Uuid>,
    #[serde(default)]
    pub retracts: Option<Uuid>,
    // the event's other fields: read past, not kept
    #[serde(default)]
    note: Skipped,
    #[serde(default)]
    area: Skipped,
    #[serde(default)]
    name: Skipped,
    #[serde(default)]
    name_ar: Skipped,
    #[serde(default)]
    parent: Skipped,
    #[serde(default)]
    lat: Skipped,
    #[serde(default)]
    lon: Skipped,
    #[serde(default)]
    aliases: Skipped,
    #[serde(default, rename = "type")]
    area_type: Skipped,
    #[serde(default)]
    count: Skipped,
    #[serde(default)]
    quote: Skipped,
    #[serde(default)]
    contact: Skipped,
    /// An `area` or `actor` event whole.
    #[serde(skip)]
    whole: Option<Box<Event>>,
}

/// A name as [`Facts`] holds it: kept inline, without an allocation, up
/// to 24 bytes (most slugs, actors and sources), on the heap beyond.
pub type Name = compact_str::CompactString;

/// A field [`Facts`] reads past.
type Skipped = Option<serde::de::IgnoredAny>;

/// The source of [`Facts`]: its name.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFacts {
    pub name: Name,
    #[serde(default)]
    url: Skipped,
    #[serde(default)]
    published_at: Skipped,
}

impl Facts {
    /// Reads the facts of an event from its stored JSON (an `area` or
    /// `actor` event is read whole as well).
    pub fn from_json(text: &str) -> Result<Facts, serde_json::Error> {
        let mut facts: Facts = serde_json::from_str(text)?;
        if facts.kind.is_reference() {
            facts.whole = Some(Box::new(serde_json::from_str(text)?));
        }
        Ok(facts)
    }
}

/// An event's parts the ledger folds, borrowed from an [`Event`] or from
/// its [`Facts`].
struct Parts<'a, S> {
    id: Uuid,
    kind: Kind,
    at: Option<Time>,
    until: Option<Time>,
    deadline: Option<Time>,
    extent: Option<Extent>,
    killed: Option<u64>,
    wounded: Option<u64>,
    civilian: Option<bool>,
    cumulative: Option<bool>,
    actor: Option<&'a str>,
    target: Option<&'a str>,
    demand: Option<&'a str>,
    source: &'a str,
    areas: &'a [S],
    via: &'a [S],
    terms: &'a [S],
    corrects: Option<Uuid>,
    retracts: Option<Uuid>,
    ends: Option<Uuid>,
    whole: Option<&'a Event>,
}

impl<'a> Parts<'a, String> {
    fn of_event(e: &'a Event) -> Parts<'a, String> {
        Parts {
            id: e.id,
            kind: e.kind,
            at: e.at,
            until: e.until,
            deadline: e.deadline,
            extent: e.extent,
            killed: e.killed,
            wounded: e.wounded,
            civilian: e.civilian,
            cumulative: e.cumulative,
            actor: e.actor.as_deref(),
            target: e.target.as_deref(),
            demand: e.demand.as_deref(),
            source: &e.source.name,
            areas: &e.areas,
            via: &e.via,
            terms: &e.terms,
            corrects: e.corrects,
            retracts: e.retracts,
            ends: e.ends,
            whole: Some(e),
        }
    }
}

impl<'a> Parts<'a, Name> {
    fn of_facts(f: &'a Facts) -> Parts<'a, Name> {
        Parts {
            id: f.id,
            kind: f.kind,
            at: f.at,
            until: f.until,
            deadline: f.deadline,
            extent: f.extent,
            killed: f.killed,
            wounded: f.wounded,
            civilian: f.civilian,
            cumulative: f.cumulative,
            actor: f.actor.as_deref(),
            target: f.target.as_deref(),
            demand: f.demand.as_deref(),
            source: &f.source.name,
            areas: &f.areas,
            via: &f.via,
            terms: &f.terms,
            corrects: f.corrects,
            retracts: f.retracts,
            ends: f.ends,
            whole: f.whole.as_deref(),
        }
    }
}

/// One source's casualty figures while a state is read: `tally`'s sums,
/// on interned names.
struct Sum {
    killed: Option<u64>,
    wounded: Option<u64>,
    civilian: Option<bool>,
    areas: Vec<u32>,
    /// The latest report taken into account.
    last: usize,
    reports: u32,
}

/// How many records a thread of a state read takes at a time.
const GATHER_RUN: usize = 4096;

/// What a state read gathers from the records up to its horizon (see
/// `Ledger::gather`), each with its sort key.
struct Gathered {
    /// Ceasefires, curfews and evacuations in force, with their ends.
    actives: Vec<(Stamp, Kind, usize, Option<End>)>,
    ultimatums: Vec<(Stamp, usize)>,
    /// Deployments, their ends, and withdrawals, at their times.
    moves: Vec<(Stamp, u8, usize, Move)>,
    /// (area, actor) → the latest claim in valid time.
    claims: FastMap<(u32, u32), (Stamp, usize)>,
    reports: Vec<(Stamp, usize)>,
    /// Violent incidents per interned area name.
    incidents: Vec<u64>,
}

impl Gathered {
    fn new(names: usize) -> Gathered {
        Gathered {
            actives: Vec::new(),
            ultimatums: Vec::new(),
            moves: Vec::new(),
            claims: FastMap::default(),
            reports: Vec::new(),
            incidents: vec![0; names],
        }
    }

    /// Takes in what another part of the records gathered.
    fn merge(&mut self, other: Gathered) {
        self.actives.extend(other.actives);
        self.ultimatums.extend(other.ultimatums);
        self.moves.extend(other.moves);
        self.reports.extend(other.reports);
        for (key, claim) in other.claims {
            let slot = self.claims.entry(key).or_insert(claim);
            if claim > *slot {
                *slot = claim;
            }
        }
        for (n, more) in self.incidents.iter_mut().zip(other.incidents) {
            *n += more;
        }
    }
}

/// A ledger's entries, in pieces of [`PIECE`] (all full but the last), so
/// that the pieces of a checkpoint, decoded side by side, become the
/// ledger's as they are, without a copy into one long vector.
#[derive(Debug, Clone, Default)]
struct Entries {
    pieces: Vec<Vec<Entry>>,
    len: usize,
    /// The records expected in all ([`Ledger::reserve`]), for the id index.
    room: usize,
}

impl Entries {
    fn len(&self) -> usize {
        self.len
    }

    fn room(&self) -> usize {
        self.room.max(self.len)
    }

    fn get(&self, i: usize) -> Option<&Entry> {
        self.pieces.get(i / PIECE)?.get(i % PIECE)
    }

    fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.pieces.iter().flatten()
    }

    fn reserve(&mut self, additional: usize) {
        self.room = self.len.saturating_add(additional);
        if let Some(last) = self.pieces.last_mut().filter(|p| p.len() < PIECE) {
            last.reserve(additional.min(PIECE - last.len()));
        }
    }

    fn push(&mut self, e: Entry) {
        match self.pieces.last_mut().filter(|p| p.len() < PIECE) {
            Some(last) => last.push(e),
            None => {
                let mut piece = Vec::with_capacity(self.room.saturating_sub(self.len).clamp(1, PIECE));
                piece.push(e);
                self.pieces.push(piece);
            }
        }
        self.len += 1;
    }

    /// Appends decoded entries: as a piece of their own when they fit as
    /// one (the pieces so far full), else one by one.
    fn adopt(&mut self, piece: Vec<Entry>) {
        if self.len.is_multiple_of(PIECE) && piece.len() <= PIECE {
            self.len += piece.len();
            if !piece.is_empty() {
                self.pieces.push(piece);
            }
        } else {
            for e in piece {
                self.push(e);
            }
        }
    }
}

impl std::ops::Index<usize> for Entries {
    type Output = Entry;
    fn index(&self, i: usize) -> &Entry {
        &self.pieces[i / PIECE][i % PIECE]
    }
}

impl std::ops::IndexMut<usize> for Entries {
    fn index_mut(&mut self, i: usize) -> &mut Entry {
        &mut self.pieces[i / PIECE][i % PIECE]
    }
}

/// One (area, actor)'s presence while a state is read: the deployment
/// that began it (`first`, at `since`), every source since, and the
/// deployments that keep it there (none: no force).
struct Present {
    since: Stamp,
    first: usize,
    sources: Vec<u32>,
    running: Vec<usize>,
}

impl Present {
    fn none() -> Present {
        Present { since: Stamp::NONE, first: 0, sources: Vec::new(), running: Vec::new() }
    }
}

/// The compact fold of a log. See the module documentation.
#[derive(Debug, Clone)]
pub struct Ledger {
    zone: Tz,
    /// Every name and text, once each, shared with the answers built from them.
    strings: Vec<Text>,
    /// Name → its number, and list → its number: built from `strings` and
    /// `lists` when first needed, as a ledger read from a checkpoint only
    /// to answer a read never needs them.
    string_ix: Option<FastMap<Text, u32>>,
    lists: Vec<Vec<u32>>,
    list_ix: Option<FastMap<Vec<u32>, u32>>,
    entries: Entries,
    /// `area` and `actor` events, whole, with their entry index.
    references: Vec<(u32, Event)>,
    /// Entry index → the `ended` entries that name it.
    enders: FastMap<u32, Vec<u32>>,
    /// Runs of equal recording times: (time, last position with it).
    marks: Vec<(DateTime<Utc>, u64)>,
    /// Id → entry index; built when first needed.
    ids: Option<FastMap<Uuid, u32>>,
}

/// Why bytes could not be read as a ledger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the checkpoint is unreadable: {0}")]
pub struct LedgerError(String);

impl Ledger {
    /// An empty ledger for a log whose days are read in `zone`.
    pub fn new(zone: Tz) -> Ledger {
        Ledger {
            zone,
            strings: Vec::new(),
            string_ix: Some(FastMap::default()),
            lists: vec![Vec::new()],
            list_ix: Some([(Vec::new(), 0)].into_iter().collect()),
            entries: Entries::default(),
            references: Vec::new(),
            enders: FastMap::default(),
            marks: Vec::new(),
            ids: None,
        }
    }

    /// The zone days are read in.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The last position folded in (0 for none).
    pub fn seq(&self) -> u64 {
        self.entries.len() as u64
    }

    fn string_ix(&mut self) -> &mut FastMap<Text, u32> {
        let strings = &self.strings;
        self.string_ix.get_or_insert_with(|| strings.iter().enumerate().map(|(i, s)| (s.clone(), i as u32)).collect())
    }

    fn list_ix(&mut self) -> &mut FastMap<Vec<u32>, u32> {
        let lists = &self.lists;
        self.list_ix.get_or_insert_with(|| lists.iter().enumerate().map(|(i, l)| (l.clone(), i as u32)).collect())
    }

    fn sym(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.string_ix().get(s) {
            return i;
        }
        let i = self.strings.len() as u32;
        let text: Text = s.into();
        self.strings.push(text.clone());
        self.string_ix().insert(text, i);
        i
    }

    fn opt_sym(&mut self, s: Option<&str>) -> u32 {
        s.map_or(NONE, |s| self.sym(s))
    }

    fn list<S: AsRef<str>>(&mut self, items: &[S]) -> u32 {
        if items.is_empty() {
            return 0;
        }
        // most lists are short and already interned: look them up from the stack
        let mut short = [0u32; 8];
        if items.len() <= short.len() {
            for (slot, s) in short.iter_mut().zip(items) {
                *slot = self.sym(s.as_ref());
            }
            if let Some(&i) = self.list_ix().get(&short[..items.len()]) {
                return i;
            }
        }
        let syms: Vec<u32> = items.iter().map(|s| self.sym(s.as_ref())).collect();
        if let Some(&i) = self.list_ix().get(&syms) {
            return i;
        }
        let i = self.lists.len() as u32;
        self.lists.push(syms.clone());
        self.list_ix().insert(syms, i);
        i
    }

    fn text(&self, sym: u32) -> Option<&str> {
        self.strings.get(sym as usize).map(|t| &**t)
    }

    /// The name or text `sym` stands for, shared.
    fn shared(&self, sym: u32) -> Option<Text> {
        self.strings.get(sym as usize).cloned()
    }

    /// The names of list `list`, shared.
    fn shared_list(&self, list: u32) -> Vec<Text> {
        self.lists
            .get(list as usize)
            .map_or_else(Vec::new, |l| l.iter().map(|&s| self.strings[s as usize].clone()).collect())
    }

    /// The names of list `list`, as owned strings.
    fn texts(&self, list: u32) -> Vec<String> {
        self.shared_list(list).iter().map(|t| t.to_string()).collect()
    }

    fn ids(&mut self) -> &mut FastMap<Uuid, u32> {
        let entries = &self.entries;
        self.ids.get_or_insert_with(|| {
            // room for the records still to come, as the entries have
            let mut ids = FastMap::with_capacity_and_hasher(entries.room(), Seeded::default());
            ids.extend(entries.iter().enumerate().map(|(i, e)| (e.id, i as u32)));
            ids
        })
    }

    /// Makes room for `additional` more records, so that folding a known
    /// number of them (a replay) does not grow the tables step by step.
    pub fn reserve(&mut self, additional: usize) {
        self.entries.reserve(additional);
        if let Some(ids) = &mut self.ids {
            ids.reserve(additional);
        }
    }

    /// Folds in the next record of the log (records come in position
    /// order, from position 1).
    pub fn apply(&mut self, r: &Recorded) {
        self.apply_event(r.seq, r.recorded_at, &r.event);
    }

    /// [`Ledger::apply`] for an event given its position and recording time.
    pub fn apply_event(&mut self, seq: u64, recorded_at: DateTime<Utc>, e: &Event) {
        self.apply_parts(seq, recorded_at, Parts::of_event(e));
    }

    /// [`Ledger::apply`] for the [`Facts`] of a stored event: the same
    /// ledger as folding the whole event.
    pub fn apply_facts(&mut self, seq: u64, recorded_at: DateTime<Utc>, f: &Facts) {
        self.apply_parts(seq, recorded_at, Parts::of_facts(f));
    }

    fn apply_parts<S: AsRef<str>>(&mut self, seq: u64, recorded_at: DateTime<Utc>, e: Parts<'_, S>) {
        let i = self.entries.len() as u32;
        let zone = self.zone;
        let start = e.at.map(|t| t.start(zone));
        let mut entry = Entry {
            id: e.id,
            kind: e.kind,
            start: Stamp::opt(start),
            // an instant ends where it starts; only a date has a length
            at_len: match e.at {
                Some(t) if t.is_day() => at_len(start, Some(t.end(zone))),
                _ => 0,
            },
            day: e.at.is_some_and(|t| t.is_day()),
            until: Stamp::opt(e.until.map(|t| t.end(zone))),
            until_day: e.until.is_some_and(|t| t.is_day()),
            deadline: Stamp::opt(e.deadline.map(|t| t.end(zone))),
            deadline_day: e.deadline.is_some_and(|t| t.is_day()),
            corrected_at: 0,
            retracted_at: 0,
            corrects: NONE,
            actor: NONE,
            target: NONE,
            source: NONE,
            demand: NONE,
            areas: 0,
            via: 0,
            terms: 0,
            extent: 0,
            percent: Bits(0),
            killed: count(e.killed),
            wounded: count(e.wounded),
            civilian: e.civilian,
            cumulative: e.cumulative,
        };
        entry.set_extent(e.extent);
        entry.actor = self.opt_sym(e.actor);
        entry.target = self.opt_sym(e.target);
        entry.source = self.sym(e.source);
        entry.demand = self.opt_sym(e.demand);
        entry.areas = self.list(e.areas);
        entry.via = self.list(e.via);
        entry.terms = self.list(e.terms);
        if let Some(t) = e.corrects {
            if let Some(&ti) = self.ids().get(&t) {
                entry.corrects = ti;
                let target = &mut self.entries[ti as usize];
                if target.corrected_at == 0 {
                    target.corrected_at = pos32(seq);
                }
            }
        }
        if let Some(t) = e.retracts {
            if let Some(&ti) = self.ids().get(&t) {
                let target = &mut self.entries[ti as usize];
                if target.retracted_at == 0 {
                    target.retracted_at = pos32(seq);
                }
            }
        }
        if let Some(t) = e.ends {
            if let Some(&ti) = self.ids().get(&t) {
                self.enders.entry(ti).or_default().push(i);
            }
        }
        if let Some(ids) = &mut self.ids {
            ids.insert(e.id, i);
        }
        if let Some(whole) = e.whole.filter(|_| e.kind.is_reference()) {
            self.references.push((i, whole.clone()));
        }
        match self.marks.last_mut() {
            Some((t, last)) if *t == recorded_at => *last = seq,
            _ => self.marks.push((recorded_at, seq)),
        }
        self.entries.push(entry);
    }

    /// The horizon as a count of records from the start of the log.
    pub fn horizon(&self, known: KnownAt) -> u64 {
        let n = self.seq();
        match known {
            KnownAt::All => n,
            KnownAt::Seq(k) => k.min(n),
            // recording times never decrease: the records recorded by t are a prefix
            KnownAt::Time(t) => {
                let runs = self.marks.partition_point(|(at, _)| *at <= t);
                if runs == 0 {
                    0
                } else {
                    self.marks[runs - 1].1.min(n)
                }
            }
        }
    }

    /// The position of the record with this id, if the log held it at `known`.
    pub fn position(&mut self, id: &Uuid, known: KnownAt) -> Option<u64> {
        let k = self.horizon(known);
        self.ids().get(id).map(|&i| u64::from(i) + 1).filter(|&seq| seq <= k)
    }

    /// The positions of the correction and of the retraction that name the
    /// record at `seq`, as known at `known`.
    pub fn standing_at(&self, seq: u64, known: KnownAt) -> (Option<u64>, Option<u64>) {
        let k = self.horizon(known);
        let Some(e) = seq.checked_sub(1).and_then(|i| self.entries.get(i as usize)) else { return (None, None) };
        let within = |at: u64| (at != 0 && at <= k).then_some(at);
        (within(u64::from(e.corrected_at)), within(u64::from(e.retracted_at)))
    }

    /// The id of the record at `seq`.
    pub fn id_at(&self, seq: u64) -> Option<Uuid> {
        seq.checked_sub(1).and_then(|i| self.entries.get(i as usize)).map(|e| e.id)
    }

    /// The positions of the events a listing shows, in its order: what
    /// [`Timeline::select`](crate::Timeline::select) gives for the log as
    /// known at `q.known_at`.
    pub fn select(&self, q: &LogQuery) -> Vec<u64> {
        let k = self.horizon(q.known_at);
        let (since, until) = (q.since.map(Stamp::of), q.until.map(Stamp::of));
        let timed = since.is_some() || until.is_some();
        let registry = q.area.as_ref().map(|_| self.registry_known(k));
        // the slug each `area` definition defines, by entry
        let defines: FastMap<u32, &str> = match &q.area {
            Some(_) => self.references.iter().filter_map(|(i, e)| e.area.as_deref().map(|a| (*i, a))).collect(),
            None => FastMap::default(),
        };
        // whether each interned name lies within the area asked for
        let mut within: Vec<Option<bool>> = vec![None; if q.area.is_some() { self.strings.len() } else { 0 }];
        let mut rows: Vec<(Stamp, u64)> = Vec::new();
        for i in 0..(k as usize).min(self.entries.len()) {
            let e = &self.entries[i];
            if !q.kinds.is_empty() && !q.kinds.contains(&e.kind) {
                continue;
            }
            let shown = match e.start() {
                None => !timed,
                Some(s) => since.is_none_or(|x| s >= x) && until.is_none_or(|x| s < x),
            };
            if !shown {
                continue;
            }
            if let (Some(root), Some(reg)) = (&q.area, &registry) {
                let names = self.lists[e.areas as usize].iter().chain(&self.lists[e.via as usize]);
                let mut hit = false;
                for &a in names {
                    let slot = &mut within[a as usize];
                    if *slot.get_or_insert_with(|| reg.is_within(&self.strings[a as usize], root)) {
                        hit = true;
                        break;
                    }
                }
                if !hit && !defines.get(&(i as u32)).is_some_and(|slug| reg.is_within(slug, root)) {
                    continue;
                }
            }
            rows.push((e.start, i as u64 + 1));
        }
        // a missing start (`Stamp::NONE`) sorts first, as `None` does
        rows.sort_unstable();
        rows.into_iter().map(|(_, seq)| seq).collect()
    }

    /// The position of the record that the record at `seq` corrects.
    pub fn replaces(&self, seq: u64) -> Option<u64> {
        let e = seq.checked_sub(1).and_then(|i| self.entries.get(i as usize))?;
        (e.corrects != NONE).then(|| u64::from(e.corrects) + 1)
    }

    /// The positions of the `ended` records that name the record at `seq`
    /// (not its earlier versions), in log order, as known at `known`.
    pub fn enders_of(&self, seq: u64, known: KnownAt) -> Vec<u64> {
        let k = self.horizon(known);
        let Some(i) = seq.checked_sub(1).and_then(|i| u32::try_from(i).ok()) else { return Vec::new() };
        self.enders
            .get(&i)
            .map_or_else(Vec::new, |by| by.iter().map(|&j| u64::from(j) + 1).filter(|&at| at <= k).collect())
    }

    /// `true` when entry `i` counts as known at `k`.
    fn current(&self, i: usize, k: u64) -> bool {
        let e = &self.entries[i];
        (i as u64) < k && !e.corrected_by(k) && !e.retracted_by(k)
    }

    /// As [`Timeline::effective_end`](crate::Timeline::effective_end), as known at `k`.
    fn effective_end(&self, i: usize, k: u64) -> Option<Stamp> {
        self.effective_end_day(i, k).map(|(end, _)| end)
    }

    /// [`Ledger::effective_end`], and whether that end is a date's (an
    /// `until` or an `ended` time given as a date); at a tie an end given
    /// as a time wins, whatever the order the two were recorded in.
    fn effective_end_day(&self, i: usize, k: u64) -> Option<End> {
        let e = &self.entries[i];
        let mut end = e.until().map(|u| (u, e.until_day));
        let mut version = Some(i);
        let mut steps = 0u64;
        while let Some(v) = version {
            for &j in self.enders.get(&(v as u32)).map(Vec::as_slice).unwrap_or(&[]) {
                let j = j as usize;
                if (j as u64) >= k || !self.current(j, k) {
                    continue;
                }
                if let Some(t) = self.entries[j].at_end() {
                    let t = (t, self.entries[j].day);
                    end = Some(end.map_or(t, |u| u.min(t)));
                }
            }
            steps += 1;
            let next = self.entries[v].corrects;
            version = if steps > k || next == NONE { None } else { Some(next as usize) };
        }
        end
    }

    /// The areas and actors as the log defined them at the horizon
    /// `known` (every definition in log order, ignoring valid time): what
    /// names resolve against.
    pub fn registry(&self, known: KnownAt) -> Registry {
        self.registry_known(self.horizon(known))
    }

    /// The registry of the records known at `k`, applied in log order.
    fn registry_known(&self, k: u64) -> Registry {
        let mut reg = Registry::default();
        for (i, e) in &self.references {
            if u64::from(*i) < k {
                reg.apply(e);
            }
        }
        reg
    }

    /// The areas and actors as they stood at valid time `at`, as known at
    /// `known`: what [`Timeline::registry_at`](crate::Timeline::registry_at)
    /// gives for the same log.
    pub fn registry_at(&self, at: DateTime<Utc>, known: KnownAt) -> Registry {
        self.registry_between(at, self.horizon(known))
    }

    /// The registry as it stood at valid time `at`, as known at `k`.
    fn registry_between(&self, at: DateTime<Utc>, k: u64) -> Registry {
        let mut reg = Registry::default();
        for e in self.definitions_between(at, k) {
            reg.apply(e);
        }
        reg
    }

    /// [`Ledger::registry_between`]'s areas alone (what a state read needs).
    fn areas_between(&self, at: DateTime<Utc>, k: u64) -> AreaDefs {
        let mut defs = AreaDefs::default();
        for e in self.definitions_between(at, k) {
            defs.apply(e);
        }
        defs
    }

    /// [`Ledger::registry_known`]'s areas alone.
    fn areas_known(&self, k: u64) -> AreaDefs {
        let mut defs = AreaDefs::default();
        for (_, e) in self.references.iter().filter(|(i, _)| u64::from(*i) < k) {
            defs.apply(e);
        }
        defs
    }

    /// The definitions that stand at valid time `at`, as known at `k`, in
    /// the order they apply in: by valid time, then log order.
    fn definitions_between(&self, at: DateTime<Utc>, k: u64) -> impl Iterator<Item = &Event> {
        let mut defs: Vec<(Option<Stamp>, u32, &Event)> = self
            .references
            .iter()
            .filter(|(i, _)| self.current(*i as usize, k))
            .map(|(i, e)| (self.entries[*i as usize].start(), *i, e))
            .filter(|(s, _, _)| s.is_none_or(|s| s <= Stamp::of(at)))
            .collect();
        defs.sort_by_key(|(s, i, _)| (*s, *i));
        defs.into_iter().map(|(_, _, e)| e)
    }

    /// The state of every area at `q.at`, as known at `q.known_at`.
    pub fn state(&self, q: &StateQuery) -> State {
        let at = q.at;
        let at_s = Stamp::of(at);
        let k = self.horizon(q.known_at);
        // every definition known, built only when an area read is not
        // defined at `at` or `--area` asks for nesting
        let known = std::cell::OnceCell::new();
        let all = || -> &dyn Areas { known.get_or_init(|| self.areas_known(k)) };
        let reg_now = self.areas_between(at, k);
        let keep_str = |slug: &str| match &q.area {
            None => true,
            // nested as defined at `at`
            Some(root) => within_at(&reg_now, all(), slug, root),
        };
        // whether each interned name is an area `--area` keeps
        let keep: Vec<bool> = match q.area {
            None => vec![true; self.strings.len()],
            Some(_) => self.strings.iter().map(|s| keep_str(s)).collect(),
        };
        let mut book = AreaBook { map: BTreeMap::new(), keep: &keep_str, now: &reg_now, all: &all };
        for def in reg_now.areas() {
            book.entry(&def.slug);
        }

        // the records up to the horizon, on two threads that take runs of
        // them in turn (the records before `at` need the most work, and
        // they are not spread evenly over the log)
        let upto = (k as usize).min(self.entries.len());
        // runs of at most GATHER_RUN, and at least 16 of them in all
        let run = (upto / 16).clamp(1, GATHER_RUN);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let share = || {
            let mut g = Gathered::new(self.strings.len());
            loop {
                let from = next.fetch_add(run, std::sync::atomic::Ordering::Relaxed);
                if from >= upto {
                    return g;
                }
                self.gather(&mut g, from..(from + run).min(upto), at_s, k, &keep);
            }
        };
        let Gathered { mut actives, mut ultimatums, moves, claims, reports, incidents } = std::thread::scope(|scope| {
            // when no second thread is to be had, this one takes every run
            let other = std::thread::Builder::new().spawn_scoped(scope, share).ok();
            let mut mine = share();
            if let Some(other) = other {
                mine.merge(other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
            }
            mine
        });

        // the casualty figures and the forces present on a second thread,
        // while this one files the rest
        // handed over, so that this thread can do it after the rest when no
        // second thread is to be had
        let handed = std::sync::Mutex::new(Some((reports, moves)));
        let (casualties, forces) = std::thread::scope(|scope| {
            let figures = || {
                let taken = handed.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
                taken.map(|(reports, moves)| (self.casualties(reports, at), self.forces(moves)))
            };
            let other = std::thread::Builder::new().spawn_scoped(scope, figures).ok();
            // in force: valid-time order within each area, then by (since, kind)
            actives.sort_unstable_by_key(|&(start, kind, i, _)| (start, kind, i));
            for (_, _, i, end) in actives {
                let e = &self.entries[i];
                for &a in &self.lists[e.areas as usize] {
                    if let Some(s) = book.entry(&self.strings[a as usize]) {
                        s.active.push(Active {
                            id: e.id,
                            kind: e.kind,
                            actor: self.shared(e.actor),
                            target: self.shared(e.target),
                            since: e.start().map_or(at, Stamp::time),
                            precision: e.day.then_some("day"),
                            until: end.map(|(u, _)| u.time()),
                            until_precision: end.and_then(|(_, day)| day.then_some("day")),
                            via: self.shared_list(e.via),
                            terms: self.shared_list(e.terms),
                            source: self.shared(e.source).unwrap_or_default(),
                        });
                    }
                }
            }
            ultimatums.sort_unstable();
            for (_, i) in ultimatums {
                let e = &self.entries[i];
                let Some(deadline) = e.deadline().map(Stamp::time) else { continue };
                for &a in &self.lists[e.areas as usize] {
                    if let Some(s) = book.entry(&self.strings[a as usize]) {
                        s.deadlines.push(Deadline {
                            id: e.id,
                            actor: self.shared(e.actor),
                            target: self.shared(e.target),
                            deadline,
                            deadline_precision: e.deadline_day.then_some("day"),
                            status: if at < deadline { "pending" } else { "expired" },
                            demand: self.shared(e.demand),
                            source: self.shared(e.source).unwrap_or_default(),
                        });
                    }
                }
            }
            for (a, n) in incidents.into_iter().enumerate().filter(|&(_, n)| n > 0) {
                if let Some(s) = book.entry(&self.strings[a]) {
                    s.incidents += n;
                }
            }
            let mut control: BTreeMap<(Text, Text), Control> = BTreeMap::new();
            for ((a, actor), (start, i)) in claims {
                let e = &self.entries[i];
                let (Some(actor), Some(extent)) = (self.shared(actor), e.extent()) else { continue };
                control.insert(
                    (self.strings[a as usize].clone(), actor.clone()),
                    Control {
                        id: e.id,
                        actor,
                        extent,
                        at: start.time(),
                        precision: e.day.then_some("day"),
                        source: self.shared(e.source).unwrap_or_default(),
                    },
                );
            }
            for ((area, _), c) in control {
                if let Some(s) = book.entry(&area) {
                    s.control.push(c);
                }
            }
            let done = other.and_then(|other| other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
            // the figures are taken exactly once, by one thread or the other
            done.or_else(figures).unwrap_or_default()
        });
        for (area, force) in forces {
            if let Some(s) = book.entry(area) {
                s.forces.push(force);
            }
        }
        let mut areas: BTreeMap<String, AreaState> = book.map;
        for s in areas.values_mut() {
            s.active.sort_by_key(|x| (x.since, x.kind));
            s.deadlines.sort_by_key(|d| d.deadline);
        }
        State { at, known_at: q.known_at.label(), seq: k, areas, casualties }
    }

    /// Gathers what a state read needs of the records in `range`
    /// (positions less one) into `g`, each with its sort key, so that
    /// sorting reads no entry.
    fn gather(&self, g: &mut Gathered, range: std::ops::Range<usize>, at_s: Stamp, k: u64, keep: &[bool]) {
        let Gathered { actives, ultimatums, moves, claims, reports, incidents } = g;
        for i in range {
            let e = &self.entries[i];
            let Some(start) = e.start() else { continue };
            if start > at_s || e.kind.is_reference() || !self.current(i, k) {
                continue;
            }
            match e.kind {
                Kind::Ceasefire | Kind::Curfew | Kind::Evacuation => {
                    let end = self.effective_end_day(i, k);
                    if end.is_none_or(|(u, _)| u > at_s) {
                        actives.push((start, e.kind, i, end));
                    }
                }
                Kind::Ultimatum => {
                    let ended = self.effective_end(i, k).is_some_and(|u| u <= at_s);
                    if e.deadline().is_some() && !ended {
                        ultimatums.push((start, i));
                    }
                }
                // a force needs an actor to be someone's
                Kind::Deployment | Kind::Withdrawal if e.actor == NONE => {}
                Kind::Deployment => {
                    let end = self.effective_end(i, k);
                    if end.is_some_and(|end| end <= start) {
                        continue;
                    }
                    moves.push((start, 0, i, Move::Arrive));
                    if let Some(end) = end.filter(|end| *end <= at_s) {
                        moves.push((end, 1, i, Move::Expire));
                    }
                }
                Kind::Withdrawal => moves.push((start, 0, i, Move::Withdraw)),
                Kind::ControlClaim => {
                    if e.actor == NONE || e.extent == 0 {
                        continue;
                    }
                    for &a in &self.lists[e.areas as usize] {
                        if keep[a as usize] {
                            // valid-time order: the latest claim wins
                            let slot = claims.entry((a, e.actor)).or_insert((start, i));
                            if (start, i) > *slot {
                                *slot = (start, i);
                            }
                        }
                    }
                }
                Kind::CasualtyReport if self.lists[e.areas as usize].iter().any(|&a| keep[a as usize]) => {
                    reports.push((start, i));
                }
                Kind::CasualtyReport => {}
                kind if kind.is_violent() => {
                    for &a in &self.lists[e.areas as usize] {
                        incidents[a as usize] += 1;
                    }
                }
                _ => {}
            }
        }
    }

    /// The casualty figures of the reports kept (in valid-time order,
    /// with their entries' numbers), per source.
    fn casualties(&self, mut reports: Vec<(Stamp, usize)>, at: DateTime<Utc>) -> Vec<Casualty> {
        // casualty figures: per source, in valid-time order, summed as
        // `tally` sums them, on interned names (the strings made once, for
        // the figures shown)
        reports.sort_unstable();
        let mut sums: FastMap<u32, Sum> = FastMap::default();
        for (_, i) in reports {
            let e = &self.entries[i];
            let areas = &self.lists[e.areas as usize];
            match sums.get_mut(&e.source) {
                Some(c) if e.cumulative == Some(false) => {
                    c.killed = add(c.killed, e.killed());
                    c.wounded = add(c.wounded, e.wounded());
                    if c.civilian != e.civilian {
                        c.civilian = None;
                    }
                    for &a in areas {
                        if !c.areas.contains(&a) {
                            c.areas.push(a);
                        }
                    }
                    c.last = i;
                    c.reports += 1;
                }
                _ => {
                    let fresh = Sum {
                        killed: e.killed(),
                        wounded: e.wounded(),
                        civilian: e.civilian,
                        areas: areas.clone(),
                        last: i,
                        reports: 1,
                    };
                    sums.insert(e.source, fresh);
                }
            }
        }
        let mut casualties: Vec<Casualty> = sums
            .into_iter()
            .map(|(source, c)| {
                let e = &self.entries[c.last];
                let mut areas: Vec<Text> = c.areas.iter().map(|&a| self.strings[a as usize].clone()).collect();
                areas.sort();
                Casualty {
                    source: self.shared(source).unwrap_or_default(),
                    killed: c.killed,
                    wounded: c.wounded,
                    civilian: c.civilian,
                    at: e.start().map_or(at, Stamp::time),
                    precision: e.day.then_some("day"),
                    areas,
                    id: e.id,
                    reports: c.reports,
                }
            })
            .collect();
        casualties.sort_by(|a, b| a.source.cmp(&b.source));
        casualties
    }

    /// The forces present, each with its area's name, in the order of the
    /// (area, actor) names.
    fn forces(&self, mut moves: Vec<(Stamp, u8, usize, Move)>) -> Vec<(&str, Force)> {
        // presence: (area, actor) → the deployment shown and those that keep
        // it there, played in time order (arrivals before ends at the same
        // time, then log order) as `presence` plays the timeline's steps,
        // on entry numbers and interned names, then put in the order of
        // the names
        moves.sort_unstable_by_key(|&(t, order, i, _)| (t, order, i));
        let mut slots: FastMap<(u32, u32), Present> = FastMap::default();
        for (t, _, i, what) in moves {
            let e = &self.entries[i];
            for &a in &self.lists[e.areas as usize] {
                let slot = slots.entry((a, e.actor)).or_insert_with(Present::none);
                match (what, slot.running.is_empty()) {
                    (Move::Arrive, true) => {
                        *slot = Present { since: t, first: i, sources: vec![e.source], running: vec![i] };
                    }
                    (Move::Arrive, false) => {
                        slot.running.push(i);
                        if !slot.sources.contains(&e.source) {
                            slot.sources.push(e.source);
                        }
                    }
                    // this deployment's own end: others by the same actor may still run
                    (Move::Expire, _) => slot.running.retain(|&r| r != i),
                    (Move::Withdraw, _) => slot.running.clear(),
                }
            }
        }
        let name = |sym: u32| self.shared(sym).unwrap_or_default();
        let mut forces: Vec<(&str, &str, Present)> = slots
            .into_iter()
            .filter(|(_, p)| !p.running.is_empty())
            .map(|((area, actor), p)| (self.text(area).unwrap_or_default(), self.text(actor).unwrap_or_default(), p))
            .collect();
        forces.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        forces
            .into_iter()
            .map(|(area, _, p)| {
                let e = &self.entries[p.first];
                let force = Force {
                    actor: name(e.actor),
                    since: p.since.time(),
                    precision: e.day.then_some("day"),
                    source: name(e.source),
                    sources: p.sources.into_iter().map(name).collect(),
                    id: e.id,
                };
                (area, force)
            })
            .collect()
    }
}

// --- exports ----------------------------------------------------------------

/// The ledger as an export's [`LogView`] of the log as known at one
/// horizon: what stands, what an `ended` points at, the definitions and
/// withdrawals, all from the ledger, so that the exported records
/// themselves can be streamed from the log one window at a time.
pub struct LedgerView<'a> {
    /// The ledger, its id index built.
    ledger: &'a Ledger,
    k: u64,
    registry: Registry,
}

impl Ledger {
    /// The view of the log as known at `known`, for exports.
    pub fn view(&mut self, known: KnownAt) -> LedgerView<'_> {
        self.ids();
        let ledger: &Ledger = self;
        let k = ledger.horizon(known);
        LedgerView { ledger, k, registry: ledger.registry_known(k) }
    }
}

impl LedgerView<'_> {
    /// The records the view covers: positions 1 to this.
    pub fn horizon(&self) -> u64 {
        self.k
    }

    /// The positions, in log order, of what a situation report over the
    /// valid-time window `[since, until)` draws on: every current event
    /// but the definitions that starts in the window; every current
    /// durative event that starts before its end and is not ended by its
    /// start (an ultimatum runs to its deadline, so each one that starts
    /// before the end); and every current casualty report, wherever it
    /// falls (the casualty chart runs over the whole log). A superset: the
    /// report filters each record again as it draws it.
    pub fn report_positions(&self, since: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>) -> Vec<u64> {
        let l = self.ledger;
        let (since, until) = (since.map(Stamp::of), until.map(Stamp::of));
        let mut out = Vec::new();
        for i in 0..(self.k as usize).min(l.entries.len()) {
            let e = &l.entries[i];
            if e.kind.is_reference() || !l.current(i, self.k) {
                continue;
            }
            let keep = match e.start() {
                None => true,
                Some(_) if e.kind == Kind::CasualtyReport => true,
                Some(start) => {
                    let before_end = until.is_none_or(|u| start < u);
                    let from_since = since.is_none_or(|s| start >= s);
                    before_end
                        && (from_since
                            || e.kind == Kind::Ultimatum
                            || (e.kind.is_durative()
                                && since.is_none_or(|s| l.effective_end(i, self.k).is_none_or(|end| end > s))))
                }
            };
            if keep {
                out.push(i as u64 + 1);
            }
        }
        out
    }

    fn entry(&self, r: &Recorded) -> Option<usize> {
        let i = r.seq.checked_sub(1)?;
        (i < self.k).then_some(i as usize)
    }
}

impl LogView for LedgerView<'_> {
    fn zone(&self) -> Tz {
        self.ledger.zone
    }

    fn registry(&self) -> &Registry {
        &self.registry
    }

    fn is_current(&self, r: &Recorded) -> bool {
        self.entry(r).is_some_and(|i| self.ledger.current(i, self.k))
    }

    fn head(&self, id: &Uuid) -> Option<Head> {
        let l = self.ledger;
        let mut i = *l.ids.as_ref()?.get(id)? as usize;
        for _ in 0..=self.k {
            if i as u64 >= self.k {
                return None;
            }
            let e = &l.entries[i];
            if e.retracted_by(self.k) {
                return None;
            }
            if e.corrected_by(self.k) {
                i = (e.corrected_at - 1) as usize;
                continue;
            }
            return Some(Head { id: e.id, kind: e.kind, start: e.start().map(Stamp::time), areas: l.texts(e.areas) });
        }
        None
    }

    fn replaced(&self, r: &Recorded) -> Vec<Uuid> {
        let mut out = Vec::new();
        let mut cur = self.entry(r).and_then(|_| self.ledger.replaces(r.seq));
        while let Some(seq) = cur {
            if out.len() as u64 > self.k {
                break;
            }
            out.extend(self.ledger.id_at(seq));
            cur = self.ledger.replaces(seq);
        }
        out.reverse();
        out
    }

    fn effective_end(&self, r: &Recorded) -> Option<(DateTime<Utc>, bool)> {
        self.entry(r).and_then(|i| self.ledger.effective_end_day(i, self.k)).map(|(end, day)| (end.time(), day))
    }

    fn definitions(&self) -> Vec<(u64, &Event)> {
        self.ledger
            .references
            .iter()
            .filter(|(i, _)| u64::from(*i) < self.k)
            .map(|(i, e)| (u64::from(*i) + 1, e))
            .collect()
    }

    fn withdrawals(&self) -> Vec<Withdrawn> {
        let l = self.ledger;
        (0..(self.k as usize).min(l.entries.len()))
            .filter(|&i| l.entries[i].kind == Kind::Withdrawal && l.current(i, self.k))
            .filter_map(|i| {
                let e = &l.entries[i];
                Some(Withdrawn {
                    actor: l.text(e.actor)?.to_string(),
                    start: e.start().map(Stamp::time),
                    seq: i as u64 + 1,
                    areas: l.texts(e.areas),
                })
            })
            .collect()
    }

    fn state(&self, q: &StateQuery) -> State {
        self.ledger.state(q)
    }
}

// --- encoding -------------------------------------------------------------
//
// A checkpoint is the ledger in bytes: a magic, the zone, then each table.
// Integers are LEB128 varints (signed ones zigzagged); a time is its
// seconds and nanoseconds since 1970 (an event's end as the seconds after
// its start); strings are length-prefixed UTF-8;
// area and actor events are their canonical JSON. The entries come last,
// in pieces of a fixed number of records, after a table of each piece's
// length in bytes (fixed four-byte numbers), so that a reader can decode
// the pieces side by side.

const MAGIC: &[u8; 8] = b"sijilL05";

/// Records in a piece of a checkpoint's entries (the last piece may hold
/// fewer).
const PIECE: usize = 1 << 15;

/// At most this many threads decode a checkpoint's pieces (the calling
/// thread among them); a ledger of one piece is decoded on the calling
/// thread alone.
const DECODERS: usize = 4;

struct Writer(Vec<u8>);

impl Writer {
    fn u(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(byte);
                return;
            }
            self.0.push(byte | 0x80);
        }
    }
    fn i(&mut self, v: i64) {
        self.u(((v << 1) ^ (v >> 63)) as u64);
    }
    fn sym(&mut self, s: u32) {
        self.u(if s == NONE { 0 } else { u64::from(s) + 1 });
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u(b.len() as u64);
        self.0.extend_from_slice(b);
    }
    fn time(&mut self, t: Option<DateTime<Utc>>) {
        self.stamp(Stamp::opt(t));
    }
    fn stamp(&mut self, t: Stamp) {
        match t.get() {
            None => self.u(0),
            Some(t) => {
                self.u(1 + u64::from(t.nanos));
                self.i(t.secs);
            }
        }
    }
    fn entry(&mut self, e: &Entry) {
        self.0.extend_from_slice(e.id.as_bytes());
        let flags = kind_code(e.kind)
            | u64::from(e.day) << 5
            | opt_bool(e.civilian) << 6
            | opt_bool(e.cumulative) << 8
            | u64::from(e.extent) << 10
            | u64::from(e.until_day) << 12
            | u64::from(e.deadline_day) << 13;
        self.u(flags);
        if e.extent == 3 {
            self.0.extend_from_slice(&{ e.percent }.0.to_le_bytes());
        }
        self.stamp(e.start);
        self.u(u64::from(e.at_len.unsigned_abs()) << 1 | u64::from(e.at_len < 0));
        self.stamp(e.until);
        self.stamp(e.deadline);
        self.u(u64::from(e.corrected_at));
        self.u(u64::from(e.retracted_at));
        self.sym(e.corrects);
        self.sym(e.actor);
        self.sym(e.target);
        self.sym(e.source);
        self.sym(e.demand);
        self.u(u64::from(e.areas));
        self.u(u64::from(e.via));
        self.u(u64::from(e.terms));
        self.opt_u(e.killed());
        self.opt_u(e.wounded());
    }
    fn opt_u(&mut self, v: Option<u64>) {
        match v {
            None => self.u(0),
            Some(v) => {
                self.u(1);
                self.u(v);
            }
        }
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

fn bad(what: &str) -> LedgerError {
    LedgerError(what.to_string())
}

impl Reader<'_> {
    /// A varint. Most are one byte (flags, names, lists, "none"), read
    /// first; longer ones are read from a fixed window when ten bytes
    /// remain, without a bounds check per byte.
    #[inline]
    fn u(&mut self) -> Result<u64, LedgerError> {
        match self.b.get(self.at) {
            Some(&byte) if byte < 0x80 => {
                self.at += 1;
                Ok(u64::from(byte))
            }
            _ => self.u_long(),
        }
    }
    fn u_long(&mut self) -> Result<u64, LedgerError> {
        if let Some(window) = self.b.get(self.at..self.at + 10) {
            let mut v = 0u64;
            for (n, &byte) in window.iter().enumerate() {
                v |= u64::from(byte & 0x7f) << (7 * n);
                if byte & 0x80 == 0 {
                    self.at += n + 1;
                    return Ok(v);
                }
            }
            return Err(bad("a number is too long"));
        }
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.b.get(self.at).ok_or_else(|| bad("it ends early"))?;
            self.at += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(bad("a number is too long"))
    }
    fn i(&mut self) -> Result<i64, LedgerError> {
        let v = self.u()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }
    fn u32(&mut self) -> Result<u32, LedgerError> {
        u32::try_from(self.u()?).map_err(|_| bad("a number is out of range"))
    }
    fn sym(&mut self, limit: usize) -> Result<u32, LedgerError> {
        match self.u()? {
            0 => Ok(NONE),
            v if (v as usize) <= limit => Ok(v as u32 - 1),
            _ => Err(bad("a name is out of range")),
        }
    }
    fn bytes(&mut self) -> Result<&[u8], LedgerError> {
        let n = self.u()? as usize;
        let end = self.at.checked_add(n).filter(|&e| e <= self.b.len()).ok_or_else(|| bad("it ends early"))?;
        let out = &self.b[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn time(&mut self) -> Result<Option<DateTime<Utc>>, LedgerError> {
        Ok(self.stamp()?.get().map(Stamp::time))
    }
    fn stamp(&mut self) -> Result<Stamp, LedgerError> {
        match self.u()? {
            0 => Ok(Stamp::NONE),
            n => {
                let nanos = u32::try_from(n - 1).map_err(|_| bad("a time is out of range"))?;
                let t = Stamp { secs: self.i()?, nanos };
                if t.get().is_none() || !t.is_valid() {
                    return Err(bad("a time is out of range"));
                }
                Ok(t)
            }
        }
    }
    fn opt_u(&mut self) -> Result<Option<u64>, LedgerError> {
        match self.u()? {
            0 => Ok(None),
            _ => self.u().map(Some),
        }
    }
}

fn kind_code(k: Kind) -> u64 {
    Kind::ALL.iter().position(|x| *x == k).unwrap_or(0) as u64
}

impl Ledger {
    /// The ledger as bytes, for a store to keep as a checkpoint.
    pub fn encode(&self) -> Vec<u8> {
        self.encode_in_pieces(PIECE)
    }

    /// [`Ledger::encode`] with the entries in pieces of `piece` records
    /// (at least one): for tests of reading pieces of every size.
    #[doc(hidden)]
    pub fn encode_in_pieces(&self, piece: usize) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(64 * self.entries.len() + 4096));
        w.0.extend_from_slice(MAGIC);
        w.bytes(self.zone.name().as_bytes());
        w.u(self.strings.len() as u64);
        for s in &self.strings {
            w.bytes(s.as_bytes());
        }
        w.u(self.lists.len() as u64 - 1);
        for l in &self.lists[1..] {
            w.u(l.len() as u64);
            for &s in l {
                w.u(u64::from(s));
            }
        }
        // the count and everything about positions first, the entries last:
        // a reader that needs only a prefix of the log stops early
        w.u(self.entries.len() as u64);
        w.u(self.marks.len() as u64);
        for (t, seq) in &self.marks {
            w.time(Some(*t));
            w.u(*seq);
        }
        w.u(self.references.len() as u64);
        for (i, e) in &self.references {
            w.u(u64::from(*i));
            w.bytes(&e.canonical_json());
        }
        let mut enders: Vec<(&u32, &Vec<u32>)> = self.enders.iter().collect();
        enders.sort();
        w.u(enders.len() as u64);
        for (t, by) in enders {
            w.u(u64::from(*t));
            w.u(by.len() as u64);
            for &j in by {
                w.u(u64::from(j));
            }
        }
        // the table of the pieces' lengths, filled in once they are written
        let piece = piece.max(1);
        w.u(piece as u64);
        let table = w.0.len();
        w.0.resize(table + 4 * self.entries.len().div_ceil(piece), 0);
        let mut start = w.0.len();
        for (i, e) in self.entries.iter().enumerate() {
            w.entry(e);
            if (i + 1) % piece == 0 || i + 1 == self.entries.len() {
                let (n, len) = (i / piece, u32::try_from(w.0.len() - start).unwrap_or(u32::MAX));
                w.0[table + 4 * n..table + 4 * n + 4].copy_from_slice(&len.to_le_bytes());
                start = w.0.len();
            }
        }
        w.0
    }

    /// How many of the `len` bytes of a checkpoint after position `seq` to
    /// read for a horizon at position `k` (`k < seq`), with room to spare:
    /// the bytes start with the names, lists and times of the whole log
    /// (a few percent of them), then hold about the same number of bytes
    /// for each record. A part that proves too short fails to decode, and
    /// the caller then reads the whole.
    pub fn prefix_len(k: u64, seq: u64, len: usize) -> usize {
        let share = (len as u128 * u128::from(k.min(seq)) / u128::from(seq.max(1))) as usize;
        share.saturating_add(len / 16).saturating_add(1 << 20).min(len)
    }

    /// Reads [`Ledger::encode`]'s bytes, for a log in `zone`. Anything
    /// unexpected is an error (the caller then rebuilds from the log).
    pub fn decode(bytes: &[u8], zone: Tz) -> Result<Ledger, LedgerError> {
        Ledger::decode_upto(bytes, zone, KnownAt::All).map(|(l, _)| l)
    }

    /// Reads only the part of [`Ledger::encode`]'s bytes that the horizon
    /// `known` covers: the ledger of the records the log held then, as if
    /// only they had been folded (it can be folded on from there), and how
    /// many records the bytes hold in all. The ledger's
    /// [`seq`](Ledger::seq) is where the horizon falls within them.
    pub fn decode_upto(bytes: &[u8], zone: Tz, known: KnownAt) -> Result<(Ledger, u64), LedgerError> {
        if bytes.get(..8) != Some(MAGIC.as_slice()) {
            return Err(bad("it is not a ledger of this version"));
        }
        let mut r = Reader { b: bytes, at: 8 };
        if r.bytes()? != zone.name().as_bytes() {
            return Err(bad("it was made for another zone"));
        }
        let mut l = Ledger::new(zone);
        // the indexes of names and lists are built only if the ledger is
        // folded on
        (l.string_ix, l.list_ix) = (None, None);
        let n = r.u()? as usize;
        for _ in 0..n {
            let s: Text = std::str::from_utf8(r.bytes()?).map_err(|_| bad("a name is not UTF-8"))?.into();
            l.strings.push(s);
        }
        let strings = l.strings.len();
        let n = r.u()? as usize;
        for _ in 0..n {
            let len = r.u()? as usize;
            let mut list = Vec::with_capacity(len.min(1024));
            for _ in 0..len {
                let s = r.u32()?;
                if s as usize >= strings {
                    return Err(bad("a list names nothing"));
                }
                list.push(s);
            }
            l.lists.push(list);
        }
        let lists = l.lists.len();
        let n = r.u()? as usize;
        let mut marks = Vec::new();
        for _ in 0..r.u()? {
            let t = r.time()?.ok_or_else(|| bad("a recording time is missing"))?;
            marks.push((t, r.u()?));
        }
        // how many records the horizon takes in (as `horizon` computes it)
        let h = match known {
            KnownAt::All => n,
            KnownAt::Seq(k) => (k as usize).min(n),
            KnownAt::Time(t) => {
                let runs = marks.partition_point(|(at, _)| *at <= t);
                if runs == 0 {
                    0
                } else {
                    (marks[runs - 1].1 as usize).min(n)
                }
            }
        };
        // the runs of recording times, cut at the horizon
        let mut from = 0u64;
        for (t, last) in marks {
            if from >= h as u64 {
                break;
            }
            l.marks.push((t, last.min(h as u64)));
            from = last;
        }
        for _ in 0..r.u()? {
            let i = r.u32()?;
            let bytes = r.bytes()?;
            if i as usize >= n {
                return Err(bad("an area or actor is out of range"));
            }
            // a definition past the horizon is not read at all
            if (i as usize) < h {
                let e: Event = serde_json::from_slice(bytes).map_err(|_| bad("an area or actor is damaged"))?;
                l.references.push((i, e));
            }
        }
        for _ in 0..r.u()? {
            let t = r.u32()?;
            let len = r.u()? as usize;
            let mut by = Vec::with_capacity(len.min(1024));
            for _ in 0..len {
                let j = r.u32()?;
                if j as usize >= n {
                    return Err(bad("an end is out of range"));
                }
                if (j as usize) < h {
                    by.push(j);
                }
            }
            if (t as usize) < h && !by.is_empty() {
                l.enders.insert(t, by);
            }
        }
        // the entries: the table of their pieces, then the pieces the
        // horizon reaches into, decoded side by side
        let piece = r.u()? as usize;
        if piece == 0 {
            return Err(bad("a piece of the entries holds no records"));
        }
        let pieces = n.div_ceil(piece);
        let table_end = pieces.checked_mul(4).and_then(|len| r.at.checked_add(len));
        let table = table_end.and_then(|end| r.b.get(r.at..end)).ok_or_else(|| bad("it ends early"))?;
        let mut at = r.at + table.len();
        let mut jobs: Vec<Job> = Vec::new();
        for (p, len) in table.chunks_exact(4).enumerate() {
            let first = p * piece;
            if first >= h {
                break;
            }
            let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
            let end = at.checked_add(len).ok_or_else(|| bad("a piece of the entries is too long"))?;
            let records = piece.min(h - first);
            // a piece read whole is all there and ends where the table says;
            // of a piece read in part, the bytes given (a prefix of the
            // checkpoint may end inside it) must hold the records read
            let whole = records == piece.min(n - first);
            let b = match bytes.get(at..end) {
                Some(b) => b,
                None if !whole => bytes.get(at.min(bytes.len())..).unwrap_or_default(),
                None => return Err(bad("it ends early")),
            };
            jobs.push(Job { b, first, records, whole });
            at = end;
        }
        if h == n && at != bytes.len() {
            return Err(bad("it has bytes after its end"));
        }
        let lim = Limits { h, strings, lists };
        let groups = DECODERS.min(jobs.len()).max(1);
        let bounds: Vec<usize> = (0..=groups).map(|g| g * jobs.len() / groups).collect();
        let entries = &mut l.entries;
        std::thread::scope(|scope| {
            // a group no thread can be had for is decoded on this one
            let rest: Vec<_> = (1..groups)
                .map(|g| {
                    let (part, lim) = (&jobs[bounds[g]..bounds[g + 1]], &lim);
                    let decoder = std::thread::Builder::new().spawn_scoped(scope, move || {
                        part.iter().map(|job| job.decode(lim)).collect::<Result<Vec<_>, _>>()
                    });
                    (part, decoder.ok())
                })
                .collect();
            for job in &jobs[bounds[0]..bounds[1]] {
                entries.adopt(job.decode(&lim)?);
            }
            for (part, decoder) in rest {
                let pieces = match decoder {
                    Some(decoder) => {
                        decoder.join().map_err(|_| bad("a piece of the entries could not be decoded"))??
                    }
                    None => part.iter().map(|job| job.decode(&lim)).collect::<Result<Vec<_>, _>>()?,
                };
                for piece in pieces {
                    entries.adopt(piece);
                }
            }
            Ok::<_, LedgerError>(())
        })?;
        Ok((l, n as u64))
    }
}

/// What every piece of a checkpoint's entries is checked against: the
/// horizon (`h`), and the names and lists read.
struct Limits {
    h: usize,
    strings: usize,
    lists: usize,
}

/// One piece of a checkpoint's entries to decode: its bytes, how many of
/// its records to read, and whether that is all of them.
struct Job<'a> {
    b: &'a [u8],
    /// The number of the piece's first record (its position less one).
    first: usize,
    records: usize,
    whole: bool,
}

impl Job<'_> {
    /// Decodes the piece's records.
    fn decode(&self, lim: &Limits) -> Result<Vec<Entry>, LedgerError> {
        // an entry takes at least 20 bytes: a damaged count asks for no more
        let mut out = Vec::with_capacity(self.records.min(self.b.len() / 20));
        let mut r = Reader { b: self.b, at: 0 };
        let h = lim.h;
        // a correction or retraction past the horizon has not happened yet
        let within = |seq: u64| if seq > h as u64 { 0 } else { pos32(seq) };
        let figure = |v: Option<u64>| match v {
            None => Ok(NO_COUNT),
            Some(c) => u32::try_from(c).ok().filter(|&c| c != NO_COUNT).ok_or_else(|| bad("a figure is out of range")),
        };
        let list = |v: u32| if (v as usize) < lim.lists { Ok(v) } else { Err(bad("a list is out of range")) };
        for j in 0..self.records {
            let id = Uuid::from_slice(r.b.get(r.at..r.at + 16).ok_or_else(|| bad("it ends early"))?)
                .map_err(|_| bad("an id is damaged"))?;
            r.at += 16;
            let flags = r.u()?;
            let kind = *Kind::ALL.get((flags & 31) as usize).ok_or_else(|| bad("a kind is unknown"))?;
            let extent = ((flags >> 10) & 3) as u8;
            let percent = if extent == 3 {
                let raw = r.b.get(r.at..r.at + 8).ok_or_else(|| bad("it ends early"))?;
                r.at += 8;
                let mut b = [0u8; 8];
                b.copy_from_slice(raw);
                Bits(u64::from_le_bytes(b))
            } else {
                Bits(0)
            };
            let start = r.stamp()?;
            let len = r.u()?;
            let at_len = i32::try_from(len >> 1).map_err(|_| bad("a length is out of range"))?;
            let at_len = if len & 1 == 1 { -at_len } else { at_len };
            let (until, deadline) = (r.stamp()?, r.stamp()?);
            out.push(Entry {
                id,
                kind,
                day: flags & (1 << 5) != 0,
                until_day: flags & (1 << 12) != 0,
                deadline_day: flags & (1 << 13) != 0,
                civilian: bool_of(flags >> 6),
                cumulative: bool_of(flags >> 8),
                extent,
                percent,
                start,
                at_len,
                until,
                deadline,
                corrected_at: within(r.u()?),
                retracted_at: within(r.u()?),
                // a correction names an earlier record: anything else is
                // damage (and past the horizon, a record not read at all)
                corrects: r.sym(self.first + j)?,
                actor: r.sym(lim.strings)?,
                target: r.sym(lim.strings)?,
                source: r.sym(lim.strings)?,
                demand: r.sym(lim.strings)?,
                areas: list(r.u32()?)?,
                via: list(r.u32()?)?,
                terms: list(r.u32()?)?,
                killed: figure(r.opt_u()?)?,
                wounded: figure(r.opt_u()?)?,
            });
        }
        if self.whole && r.at != self.b.len() {
            return Err(bad("a piece of the entries is not as long as its table says"));
        }
        Ok(out)
    }
}

fn opt_bool(b: Option<bool>) -> u64 {
    match b {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    }
}

fn bool_of(bits: u64) -> Option<bool> {
    match bits & 3 {
        1 => Some(false),
        2 => Some(true),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The facts of record `i` of a synthetic log: every few records a
    /// ceasefire, a deployment, a casualty report, a correction of the
    /// record before or an end of an earlier ceasefire; shelling otherwise.
    fn synthetic(i: usize) -> Facts {
        let id = |i: usize| Uuid::from_u128(i as u128 + 1);
        let at = format!("2026-{:02}-{:02}T{:02}:00:00Z", 1 + i % 12, 1 + i % 28, i % 24);
        let (kind, extra) = match i % 10 {
            1 => ("ceasefire", format!(r#","until":"2026-{:02}-28""#, 1 + (i + 1) % 12)),
            2 => ("deployment", String::new()),
            3 => ("casualty_report", format!(r#","killed":{},"cumulative":{}"#, i % 9, i % 4 == 3)),
            4 if i > 10 => ("shelling", format!(r#","corrects":"{}""#, id(i - 1))),
            5 if i > 10 => ("ended", format!(r#","ends":"{}""#, id(i - 4))),
            _ => ("shelling", String::new()),
        };
        let line = format!(
            r#"{{"id":"{}","kind":"{kind}","at":"{at}","areas":["area-{}"],"actor":"actor-{}","source":{{"name":"source-{}"}}{extra}}}"#,
            id(i),
            i % 7,
            i % 3,
            i % 5
        );
        Facts::from_json(&line).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    /// A ledger of more than two pieces of entries reads back whole, and at
    /// horizons on both sides of each piece's edge it is what the same
    /// bytes in one piece give, and answers a state read as the ledger of
    /// the records up to there does.
    #[test]
    fn a_ledger_of_several_pieces_reads_back_at_every_edge() {
        let n = 2 * PIECE + 300;
        let horizons = [0, 1, PIECE - 1, PIECE, PIECE + 1, 2 * PIECE, 2 * PIECE + 1, n];
        let recorded = DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default();
        let mut whole = Ledger::new(chrono_tz::Asia::Damascus);
        whole.reserve(n);
        let mut folded = vec![(0, whole.clone())];
        for i in 0..n {
            whole.apply_facts(i as u64 + 1, recorded, &synthetic(i));
            if horizons.contains(&(i + 1)) {
                folded.push((i + 1, whole.clone()));
            }
        }
        assert_eq!(whole.entries.pieces.len(), 3);
        let bytes = whole.encode();
        let back = Ledger::decode(&bytes, whole.zone()).expect("the whole reads back");
        assert_eq!(back.entries.pieces.len(), 3);
        assert_eq!(back.encode(), bytes);
        let at = DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default();
        for (k, ledger) in &folded {
            let known = KnownAt::Seq(*k as u64);
            let (part, held) = Ledger::decode_upto(&bytes, whole.zone(), known).expect("a part reads back");
            assert_eq!((part.seq(), held), (*k as u64, n as u64));
            let q = StateQuery { at, known_at: known, area: None };
            assert_eq!(part.state(&q), ledger.state(&q), "as known at #{k}");
            // as the same bytes in pieces of other sizes (one, or many that
            // do not fall on the ledger's own)
            for size in [n, 1000] {
                let (other, _) =
                    Ledger::decode_upto(&whole.encode_in_pieces(size), whole.zone(), known).expect("reads");
                assert_eq!(other.encode(), part.encode(), "as known at #{k}, in pieces of {size}");
                assert_eq!(other.state(&q), part.state(&q), "as known at #{k}, in pieces of {size}");
            }
            for seq in (1..=n as u64 + 1).step_by(997) {
                assert_eq!(part.id_at(seq), (seq <= *k as u64).then(|| Uuid::from_u128(u128::from(seq))));
            }
            assert_eq!(part.state(&q), whole.state(&q), "as known at #{k}");
            // folding on from the part is folding the whole
            let mut on = part;
            for i in *k..n {
                on.apply_facts(i as u64 + 1, recorded, &synthetic(i));
            }
            assert_eq!(on.encode(), bytes, "folded on from #{k}");
        }
    }

    /// Regression: a damaged checkpoint whose record names a later record
    /// as the one it corrects was read (the number was checked against the
    /// whole log only), and a state read as known before that later
    /// record then panicked. A correction names an earlier record: the
    /// checkpoint is refused, whole and in part.
    #[test]
    fn a_checkpoint_whose_correction_points_forward_is_refused() {
        let zone = chrono_tz::Asia::Damascus;
        let recorded = DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default();
        let mut l = Ledger::new(zone);
        for i in 0..3 {
            l.apply_facts(i as u64 + 1, recorded, &synthetic(i));
        }
        assert!(Ledger::decode(&l.encode(), zone).is_ok());
        for (from, to) in [(0, 1), (0, 2), (1, 1), (1, 2)] {
            let mut damaged = l.clone();
            damaged.entries[from].corrects = to;
            let bytes = damaged.encode();
            for (known, h) in [(KnownAt::All, 3), (KnownAt::Seq(1), 1), (KnownAt::Seq(2), 2)] {
                match Ledger::decode_upto(&bytes, zone, known) {
                    Err(_) => assert!(from < h, "record {from} refused as known at {known:?}, which does not read it"),
                    // the damaged record lies past the horizon: not read at all
                    Ok((part, _)) => {
                        assert!(from >= h, "record {from} naming {to} read as known at {known:?}");
                        let at = DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default();
                        assert_eq!(part.state(&StateQuery { at, known_at: known, area: None }).seq, h as u64);
                    }
                }
            }
        }
    }

    /// The ledger's memory is about one entry a record: keep it small.
    #[test]
    fn an_entry_stays_small() {
        let size = std::mem::size_of::<Entry>();
        println!("Entry: {size} bytes");
        assert!(size <= 120, "an entry takes {size} bytes");
    }

    /// Numbers of every length read back, on the quick path (ten bytes or
    /// more left) and on the careful one (at the end of the bytes); a number
    /// cut short or longer than ten bytes is an error, never a panic.
    #[test]
    fn numbers_read_back_at_every_length_and_a_cut_one_is_refused() {
        let values: Vec<u64> =
            (0..64).flat_map(|b| [1u64 << b, (1u64 << b) - 1, (1u64 << b) | 1]).chain([u64::MAX]).collect();
        let mut all = Writer(Vec::new());
        for &v in &values {
            all.u(v);
        }
        let mut r = Reader { b: &all.0, at: 0 };
        for &v in &values {
            assert_eq!(r.u(), Ok(v));
        }
        assert_eq!(r.at, all.0.len());
        for &v in &values {
            let mut one = Writer(Vec::new());
            one.u(v);
            assert_eq!(Reader { b: &one.0, at: 0 }.u(), Ok(v), "{v} at the end of the bytes");
            for cut in 0..one.0.len() {
                assert!(Reader { b: &one.0[..cut], at: 0 }.u().is_err(), "{v} cut to {cut} bytes");
            }
        }
        for len in [11, 20] {
            let long = vec![0x80u8; len];
            assert_eq!(Reader { b: &long, at: 0 }.u(), Err(bad("a number is too long")), "{len} bytes");
        }
    }
}
