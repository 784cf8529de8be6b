//! What every command shares: where the log is, which zone applies, the
//! clock, and loading the log into core's context or timeline.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sijil_core::{
    Admitted, Context, Event, FreshIds, KnownAt, Ledger, Lookup, NoLookup, Registry, Rejection, Summary, Time,
};
use sijil_store::Store;
use uuid::Uuid;

use crate::error::{CliError, Kind};

/// How many records a state read folds after the latest checkpoint before
/// it takes a new one.
pub const CHECKPOINT_GAP: u64 = 4096;

/// The global options, parsed and checked.
#[derive(Debug, Clone)]
pub struct Globals {
    /// `--db` as given on the command line (not from the environment).
    pub db_flag: Option<PathBuf>,
    /// `--tz`, else `$SIJIL_TZ`.
    pub tz: Option<Tz>,
    /// `$SIJIL_NOW`: the current time for reads (the default `--at`), for
    /// tests and reproducible scripts; read in the session's zone.
    now_text: Option<String>,
    /// The real clock, for recording times; never faked.
    pub clock: fn() -> DateTime<Utc>,
    /// How long to wait for a log another process holds.
    pub lock_timeout: Duration,
}

fn system_clock() -> DateTime<Utc> {
    Utc::now()
}

impl Globals {
    pub fn new(db_flag: Option<PathBuf>, tz_flag: Option<String>, lock_flag: Option<f64>) -> Result<Globals, CliError> {
        let lock_secs = match lock_flag {
            Some(s) => s,
            None => match std::env::var("SIJIL_LOCK_TIMEOUT").ok().filter(|s| !s.trim().is_empty()) {
                Some(text) => text.trim().parse::<f64>().map_err(|_| {
                    CliError::input(format!("$SIJIL_LOCK_TIMEOUT: {text:?} is not a number of seconds"))
                })?,
                None => 10.0,
            },
        };
        if !(0.0..=86_400.0).contains(&lock_secs) {
            return Err(CliError::input(format!("--lock-timeout: {lock_secs} is not from 0 to 86400 seconds")));
        }
        let lock_timeout = Duration::from_secs_f64(lock_secs);
        let tz = match (tz_flag, std::env::var("SIJIL_TZ").ok().filter(|s| !s.is_empty())) {
            (Some(name), _) => Some(parse_zone(&name)?),
            (None, Some(name)) => Some(parse_zone(&name).map_err(|mut e| {
                e.message.insert_str(0, "$SIJIL_TZ: ");
                e
            })?),
            (None, None) => None,
        };
        let now_text = std::env::var("SIJIL_NOW").ok().filter(|s| !s.is_empty());
        Ok(Globals { db_flag, tz, now_text, clock: system_clock, lock_timeout })
    }

    /// "Now" for reads: `$SIJIL_NOW` (a local time in it is read in `zone`), else the clock.
    pub fn now(&self, zone: Tz) -> Result<DateTime<Utc>, CliError> {
        match &self.now_text {
            Some(text) => {
                Time::parse(text, zone).map(|t| t.start(zone)).map_err(|e| CliError::input(format!("$SIJIL_NOW: {e}")))
            }
            None => Ok((self.clock)()),
        }
    }

    /// `--db`, else `$SIJIL_DB`, else a `sijil` folder in the user's data directory.
    pub fn db_path(&self) -> Result<PathBuf, CliError> {
        if let Some(p) = &self.db_flag {
            return Ok(p.clone());
        }
        if let Some(p) = std::env::var_os("SIJIL_DB").filter(|s| !s.is_empty()) {
            return Ok(PathBuf::from(p));
        }
        dirs::data_dir()
            .map(|d| d.join("sijil"))
            .ok_or_else(|| CliError::input("cannot find your data directory; name the log with --db PATH or $SIJIL_DB"))
    }

    /// Opens the log at `path`, waiting up to the lock timeout while
    /// another sijil process holds it.
    fn open_waiting(&self, path: &Path) -> Result<Store, sijil_store::OpenError> {
        let started = Instant::now();
        let mut told = false;
        loop {
            match Store::open(path) {
                Err(sijil_store::OpenError::Locked(p)) => {
                    if started.elapsed() >= self.lock_timeout {
                        return Err(sijil_store::OpenError::Locked(p));
                    }
                    if !told {
                        let msg = format!("waiting for the log at {} (in use by another sijil process)…", p.display());
                        eprintln!("{}", crate::style::notice(&msg));
                        told = true;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                other => return other,
            }
        }
    }

    /// Opens the log, which must exist.
    pub fn open(&self) -> Result<Session, CliError> {
        let path = self.db_path()?;
        let store = self.open_waiting(&path).map_err(|e| {
            let missing = matches!(e, sijil_store::OpenError::Missing(_));
            let err = CliError::from(e);
            if missing {
                err.hint("create it with `sijil init --tz Asia/Damascus`, or name another with --db PATH")
            } else {
                err
            }
        })?;
        Session::new(store, self.tz)
    }

    /// Opens the log for writing, if it exists, and the validation context
    /// for it (an empty one in `--tz`, else UTC, when the log is missing:
    /// [`Pending::commit`] creates it only once there is something to append).
    pub fn open_for_append(&self) -> Result<Pending, CliError> {
        let path = self.db_path()?;
        match self.open_waiting(&path) {
            Ok(store) => {
                let session = Session::new(store, self.tz)?;
                let ctx = session.context()?;
                Ok(Pending { session: Some(session), ctx, path })
            }
            Err(sijil_store::OpenError::Missing(_)) => {
                let zone = self.tz.unwrap_or(chrono_tz::UTC);
                Ok(Pending { session: None, ctx: Context::new(zone), path })
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// A log about to be appended to, perhaps not created yet.
pub struct Pending {
    pub session: Option<Session>,
    pub ctx: Context,
    path: PathBuf,
}

impl Pending {
    /// Appends the events (creating the log if needed) and returns the open session.
    pub fn commit(
        self,
        g: &Globals,
        events: &[Event],
        expect: Option<u64>,
    ) -> Result<(Session, sijil_store::Appended), CliError> {
        let session = match self.session {
            Some(s) => s,
            None => {
                // a missing log is an empty one: refuse a wrong --expect-seq before creating it
                if let Some(expected) = expect.filter(|&n| n != 0) {
                    return Err(sijil_store::AppendError::SeqMismatch { expected, actual: 0 }.into());
                }
                let zone = g.tz.unwrap_or(chrono_tz::UTC);
                Session::new(Store::open_or_create(&self.path, zone.name())?, g.tz)?
            }
        };
        let done = session.store.append(events, (g.clock)(), expect)?;
        Ok((session, done))
    }
}

/// Reads an IANA zone name, suggesting the closest on a typo.
pub fn parse_zone(name: &str) -> Result<Tz, CliError> {
    name.trim().parse::<Tz>().map_err(|_| {
        let close = sijil_core::registry::closest(name, chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()));
        let mut err = CliError::input(format!("unknown time zone {name:?}"));
        err.message.push_str(&match close {
            Some(c) => format!(" — did you mean {c:?}?"),
            None => "; use an IANA name such as Asia/Damascus or UTC".to_string(),
        });
        err
    })
}

/// A `--kind` value as typed: any text (it is checked with a "did you
/// mean" by [`parse_kinds`]), with the kinds offered to shell completion
/// and listed in `--help`.
#[derive(Debug, Clone, Copy)]
pub struct KindName;

impl clap::builder::TypedValueParser for KindName {
    type Value = String;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        Ok(value.to_string_lossy().into_owned())
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(sijil_core::Kind::ALL.iter().map(|k| clap::builder::PossibleValue::new(k.as_str()))))
    }
}

/// The name of the store's cache of the registry (the areas and actors as
/// the log's definitions build them), read by every append and import.
const REGISTRY_CACHE: &str = "registry";

/// `true` when two zones give the same offsets (`UTC` and `Etc/UTC`, or a
/// zone and its alias) over the years a time may be given in (1900–2200),
/// compared every six hours: a difference that lasted less than that
/// (a few hours in 1980 between Berlin and Vienna) can pass unnoted. Only
/// zones with different names are compared (about 20 ms).
fn same_offsets(a: Tz, b: Tz) -> bool {
    use chrono::{Offset, TimeZone};
    if a == b {
        return true;
    }
    let year = |y: i32| chrono::NaiveDate::from_ymd_opt(y, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
    let (Some(from), Some(to)) = (year(sijil_core::time::MIN_YEAR), year(sijil_core::time::MAX_YEAR + 1)) else {
        return false;
    };
    let mut t = from;
    while t < to {
        if a.offset_from_utc_datetime(&t).fix() != b.offset_from_utc_datetime(&t).fix() {
            return false;
        }
        t += chrono::Duration::hours(6);
    }
    true
}

/// An open log with the zones that apply to it.
pub struct Session {
    pub store: Store,
    /// The zone the log was created with: days are read in it.
    pub log_zone: Tz,
    /// The zone for reading and showing local times: `--tz`, `$SIJIL_TZ`,
    /// else the log's zone.
    pub zone: Tz,
}

impl Session {
    fn new(store: Store, tz: Option<Tz>) -> Result<Session, CliError> {
        let log_zone: Tz = store.zone().parse().map_err(|_| {
            CliError::runtime(format!(
                "the log at {} names an unknown time zone {:?}",
                store.path().display(),
                store.zone()
            ))
        })?;
        Ok(Session { store, log_zone, zone: tz.unwrap_or(log_zone) })
    }

    /// What validation needs to know of the log: the areas and actors; the
    /// rest it finds through [`Session::lookup`] as it needs it.
    pub fn context(&self) -> Result<Context, CliError> {
        if !same_offsets(self.zone, self.log_zone) {
            // a time typed without an offset lands elsewhere than the log's
            // own zone would put it: say so, once
            eprintln!(
                "note: times written without an offset are read in {} (from --tz or $SIJIL_TZ), \
                 not in the log's zone {}",
                self.zone.name(),
                self.log_zone.name()
            );
        }
        self.learned_context()
    }

    /// Holds the registry cache to a fold of every definition up to its
    /// position, and drops the store's caches when it differs (the next
    /// append rebuilds it). `true` when it did: only a defect in sijil
    /// makes such a cache, and `verify` says so.
    pub fn renew_registry_cache(&self) -> Result<bool, CliError> {
        let Some((seq, bytes)) = self.store.cache(REGISTRY_CACHE)? else { return Ok(false) };
        let Some(cached) = Registry::decode(&bytes) else { return Ok(false) };
        let mut fold = Registry::default();
        for r in self.store.reference_events() {
            let r = r?;
            if r.seq > seq {
                break;
            }
            fold.apply(&r.event);
        }
        if cached == fold {
            return Ok(false);
        }
        self.store.drop_caches().map_err(|e| CliError::runtime(format!("cannot drop the registry cache: {e}")))?;
        Ok(true)
    }

    /// [`Session::context`] without its note: the areas and actors from the
    /// registry cached at a position, then the definitions recorded after
    /// it; the cache moved up to the head when it lagged.
    fn learned_context(&self) -> Result<Context, CliError> {
        let mut ctx = Context::new(self.log_zone).with_input_zone(self.zone);
        // a missing or stale cache costs a fold of every definition
        let cached = self.store.cache(REGISTRY_CACHE).ok().flatten();
        let from = match cached.and_then(|(seq, bytes)| Some((seq, Registry::decode(&bytes)?))) {
            Some((seq, registry)) => {
                ctx = ctx.with_registry(registry);
                seq
            }
            None => 0,
        };
        let mut learned = 0usize;
        for r in self.store.reference_events_from(from + 1) {
            ctx.learn_reference(&r?.event);
            learned += 1;
        }
        let head = self.store.head()?.seq;
        if (learned > 0 || from == 0) && head > 0 {
            // best effort: the next append or import makes it durable
            let _ = self.store.put_cache(REGISTRY_CACHE, head, &ctx.registry().encode());
        }
        Ok(ctx)
    }

    /// Finds stored events for validation in the store's indexes.
    pub fn lookup(&self) -> StoreLookup<'_> {
        StoreLookup { store: &self.store, log_zone: self.log_zone }
    }

    /// The ledger of the whole log, for state reads at any (T, K): the
    /// latest checkpoint, then the records after it. When that leaves more
    /// than [`CHECKPOINT_GAP`] records to fold, a new checkpoint is taken at
    /// the head. A checkpoint that cannot be read is ignored (it is a
    /// cache: the log alone gives the same answers).
    pub fn ledger(&self) -> Result<Ledger, CliError> {
        let head = self.store.head()?.seq;
        let cached = match self.store.checkpoint() {
            Ok(Some((seq, bytes))) => Ledger::decode(&bytes, self.log_zone).ok().filter(|l| l.seq() == seq),
            _ => None,
        };
        let mut ledger = cached.unwrap_or_else(|| Ledger::new(self.log_zone));
        let from = ledger.seq();
        ledger.reserve(head.saturating_sub(from) as usize);
        // a long fold (no checkpoint yet) shows its progress on a terminal
        let bar = crate::style::progress(head - from, "reading the log");
        // each record read as what the ledger keeps of it, not whole
        self.store.scan_facts_from(from + 1, head).each(|f| {
            if f.seq % 4096 == 0 {
                bar.set_position(f.seq - from);
            }
            ledger.apply_facts(f.seq, f.recorded_at, &f.facts);
        })?;
        bar.finish_and_clear();
        if head - from >= CHECKPOINT_GAP {
            let _ = self.store.put_checkpoint(head, &ledger.encode());
        }
        Ok(ledger)
    }

    /// The ledger for a read as known at `known`. When the latest
    /// checkpoint holds that horizon, only its part up to there is read:
    /// nothing after it is folded, and no new checkpoint is taken. Otherwise
    /// (and for `KnownAt::All`), [`Session::ledger`].
    pub fn ledger_for(&self, known: KnownAt) -> Result<Ledger, CliError> {
        if !matches!(known, KnownAt::All) {
            // at #K, about the checkpoint's first K records' share of its
            // bytes (with room for its names and times); else all of it
            let part = self.store.checkpoint_prefix(|seq, len| match known {
                KnownAt::Seq(k) if k < seq => Ledger::prefix_len(k, seq, len),
                _ => len,
            });
            if let Ok(Some((seq, bytes, len))) = part {
                let decoded = match Ledger::decode_upto(&bytes, self.log_zone, known) {
                    Ok(l) => Some(l),
                    // the part read was too short: read the whole
                    Err(_) if bytes.len() < len => match self.store.checkpoint() {
                        Ok(Some((again, whole))) if again == seq => {
                            Ledger::decode_upto(&whole, self.log_zone, known).ok()
                        }
                        _ => None,
                    },
                    Err(_) => None,
                };
                if let Some((l, held)) = decoded {
                    // a horizon that ends inside the checkpoint ends there in
                    // the log too: recording times never decrease
                    let inside = l.seq() < held || matches!(known, KnownAt::Seq(k) if k <= held);
                    if held == seq && inside {
                        return Ok(l);
                    }
                }
            }
        }
        self.ledger()
    }

    /// Resolves `--area` in the registry that `registry` builds, which is
    /// built only when an area is named.
    pub fn area_in<R: std::borrow::Borrow<Registry>>(
        &self,
        registry: impl FnOnce() -> R,
        name: Option<&str>,
    ) -> Result<Option<String>, CliError> {
        match name {
            None => Ok(None),
            Some(n) => registry()
                .borrow()
                .resolve(sijil_core::Space::Area, n)
                .map(Some)
                .map_err(|m| CliError::input(format!("--area: {m}"))),
        }
    }

    /// Reads a valid-time argument (`--at`, `--since`, `--until`): `now`, a
    /// time, a local time in the zone, or a date (its first instant).
    pub fn valid_time(&self, flag: &str, text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, CliError> {
        if text.trim().eq_ignore_ascii_case("now") {
            return Ok(now);
        }
        Time::parse(text, self.zone).map(|t| t.start(self.zone)).map_err(|e| CliError::input(format!("{flag}: {e}")))
    }

    /// Reads `--since` and `--until` (a half-open window of valid time);
    /// `--since` must come before `--until`.
    #[allow(clippy::type_complexity)]
    pub fn window(
        &self,
        since: Option<&str>,
        until: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(Option<DateTime<Utc>>, Option<DateTime<Utc>>), CliError> {
        let since = since.map(|t| self.valid_time("--since", t, now)).transpose()?;
        let until = until.map(|t| self.valid_time("--until", t, now)).transpose()?;
        if let (Some(s), Some(u)) = (since, until) {
            if s >= u {
                return Err(CliError::input("--since must be before --until"));
            }
        }
        Ok((since, until))
    }

    /// Reads `--at` (default: `now`).
    pub fn at_or_now(&self, text: Option<&str>, now: DateTime<Utc>) -> Result<DateTime<Utc>, CliError> {
        match text {
            Some(t) => self.valid_time("--at", t, now),
            None => Ok(now),
        }
    }

    /// Reads `--known-at`: `#N` for a log position, else a time.
    pub fn known_at(&self, text: Option<&str>, now: DateTime<Utc>) -> Result<KnownAt, CliError> {
        let Some(text) = text else {
            return Ok(KnownAt::All);
        };
        let t = text.trim();
        if let Some(n) = t.strip_prefix('#') {
            let n = n.parse::<u64>().map_err(|_| {
                CliError::input(format!("--known-at: {text:?} is not a log position; write #N, like #40"))
            })?;
            // not an error (a script may ask ahead of the log), but a typo
            // such as #500 for #50 should not pass unseen
            if let Ok(head) = self.store.head() {
                if n > head.seq {
                    eprintln!("note: the log ends at #{}; --known-at #{n} reads all of it", head.seq);
                }
            }
            return Ok(KnownAt::Seq(n));
        }
        if t.chars().all(|c| c.is_ascii_digit()) && !t.is_empty() {
            return Err(CliError::input(format!("--known-at: {text:?} is ambiguous"))
                .hint(format!("write #{t} for log position {t}, or a time such as 2026-01-09T03:00")));
        }
        self.valid_time("--known-at", t, now).map(KnownAt::Time)
    }
}

/// Reads `--kind` values, naming the known kinds on a mistake.
pub fn parse_kinds(names: &[String]) -> Result<Vec<sijil_core::Kind>, CliError> {
    use sijil_core::Kind;
    names
        .iter()
        .map(|k| {
            // a flag, so written as `append`'s subcommands are: casualty-report too
            let name = k.trim().replace('-', "_");
            Kind::parse(&name).ok_or_else(|| {
                let known: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                let guess = sijil_core::registry::closest(&name, known.iter().copied())
                    .map(|c| format!(" (did you mean {c:?}?)"))
                    .unwrap_or_default();
                CliError::input(format!("--kind: unknown kind {k:?}{guess}; known kinds: {}", known.join(", ")))
            })
        })
        .collect()
}

/// Validation's view of the stored events: an event by id, with the
/// correction and retraction that name it.
pub struct StoreLookup<'a> {
    store: &'a Store,
    log_zone: Tz,
}

impl Lookup for StoreLookup<'_> {
    fn summary(&self, id: &Uuid) -> Result<Option<Summary>, String> {
        let describe = |e: sijil_store::ReadError| crate::error::chain(&e);
        let Some(r) = self.store.get(id).map_err(describe)? else { return Ok(None) };
        let mut s = Summary::of(&r.event, &r.event.canonical_json(), self.log_zone);
        (s.corrected_by, s.retracted_by) = self.store.standing(id).map_err(describe)?;
        Ok(Some(s))
    }
}

impl Pending {
    /// Validates lines against the log (or an empty one if it is missing).
    pub fn admit<'a>(
        &mut self,
        lines: impl IntoIterator<Item = (usize, Result<&'a str, String>)>,
    ) -> Result<Batch, CliError> {
        match &self.session {
            Some(session) => admit_lines(&mut self.ctx, &session.lookup(), lines),
            None => admit_lines(&mut self.ctx, &NoLookup, lines),
        }
    }
}

/// The outcome of validating a batch of input lines.
pub struct Batch {
    pub events: Vec<Event>,
    /// Ids of events the log already holds, identical.
    pub duplicates: Vec<Uuid>,
    /// `(line number, reason, is_conflict)`.
    pub errors: Vec<(usize, String, bool)>,
    /// Definitions that replace earlier ones and leave something out:
    /// `(line number, slug, what it drops)`.
    pub dropping: Vec<(usize, String, Vec<String>)>,
}

impl Batch {
    /// The notes for standard error on definitions that drop something.
    pub fn notes(&self, max: usize) -> Vec<String> {
        definition_notes(&self.dropping, max, self.events.len() + self.duplicates.len() > 1)
    }
}

/// One note per definition that drops something of the one it replaces
/// (at most `max`, then a count); `lines` names the input line of each.
pub fn definition_notes(dropping: &[(usize, String, Vec<String>)], max: usize, lines: bool) -> Vec<String> {
    let mut out: Vec<String> = dropping
        .iter()
        .take(max)
        .map(|(n, slug, what)| {
            let line = if lines { format!("line {n}: ") } else { String::new() };
            format!(
                "note: {line}this replaces the definition of {slug}, which no longer has {}",
                crate::render::and_list(what)
            )
        })
        .collect();
    if dropping.len() > max {
        out.push(format!("note: and {} more definitions that drop something", dropping.len() - max));
    }
    out
}

/// Notes what a new definition drops of the one it replaces.
fn note_dropping(ctx: &Context, n: usize, e: &Event, dropping: &mut Vec<(usize, String, Vec<String>)>) {
    if e.kind.is_reference() {
        let dropped = ctx.registry().dropped_by(e);
        if !dropped.is_empty() {
            let slug = e.area.clone().or_else(|| e.actor.clone()).unwrap_or_default();
            dropping.push((n, slug, dropped));
        }
    }
}

/// Validates lines in order, each seeing the ones before it.
pub fn admit_lines<'a>(
    ctx: &mut Context,
    lookup: &dyn Lookup,
    lines: impl IntoIterator<Item = (usize, Result<&'a str, String>)>,
) -> Result<Batch, CliError> {
    let mut batch = Batch { events: Vec::new(), duplicates: Vec::new(), errors: Vec::new(), dropping: Vec::new() };
    for (n, line) in lines {
        let line = match line {
            Ok(l) => l,
            Err(reason) => {
                batch.errors.push((n, reason, false));
                continue;
            }
        };
        match ctx.admit_with(line, Uuid::now_v7(), lookup) {
            Ok(Admitted::New(e)) => {
                note_dropping(ctx, n, &e, &mut batch.dropping);
                ctx.learn_admitted(&e);
                batch.events.push(e);
            }
            Ok(Admitted::Duplicate(id)) => batch.duplicates.push(id),
            Err(Rejection::Invalid(m)) => batch.errors.push((n, m, false)),
            Err(Rejection::Conflict(m)) => batch.errors.push((n, m, true)),
            Err(Rejection::Unavailable(m)) => {
                return Err(CliError::runtime(format!("cannot check line {n} against the log: {m}"))
                    .hint("run `sijil verify` to check the whole log"))
            }
        }
    }
    Ok(batch)
}

impl Batch {
    /// The error for a batch with bad lines: every line, then a summary.
    pub fn into_error(self, what: &str) -> CliError {
        let conflicts_only = self.errors.iter().all(|(_, _, c)| *c);
        let n = self.errors.len();
        let mut err = CliError::new(
            if conflicts_only { Kind::Conflict } else { Kind::Input },
            format!("{n} bad line{} in {what}; nothing was appended", if n == 1 { "" } else { "s" }),
        );
        err.details = self.errors.into_iter().map(|(line, m, _)| format!("line {line}: {m}")).collect();
        err
    }
}

/// What an import did.
pub struct Imported {
    pub appended: usize,
    pub duplicates: usize,
    /// Positions of the first and last event appended (`last` is the head
    /// when nothing was appended).
    pub first: u64,
    pub last: u64,
    /// Definitions that replace earlier ones and leave something out:
    /// `(line number, slug, what it drops)`.
    pub dropping: Vec<(usize, String, Vec<String>)>,
}

/// Imports lines into the log, all or nothing, streaming: each line is
/// validated against the log and the lines before it, and handed to the
/// store's importer, which writes on another thread; the head moves only at
/// the end. A bad line stops the writing (what was written is set aside at
/// once) but not the checking, so every bad line is reported. A log this
/// import had to create is removed again if nothing was appended to it.
pub fn import_lines<R: std::io::BufRead>(
    g: &Globals,
    lines: &mut crate::commands::import::LineReader<R>,
    progress: &dyn Fn(u64),
    what: &str,
) -> Result<Imported, CliError> {
    let path = g.db_path()?;
    let (store, created) = match g.open_waiting(&path) {
        Ok(store) => (store, None),
        Err(sijil_store::OpenError::Missing(_)) => {
            let existed = path.exists();
            let zone = g.tz.unwrap_or(chrono_tz::UTC);
            (Store::create(&path, zone.name())?, Some(existed))
        }
        Err(e) => return Err(e.into()),
    };
    let session = Session::new(store, g.tz)?;
    let result = import_into(&session, g, lines, progress, what);
    if let Some(existed) = created {
        if !result.as_ref().is_ok_and(|i| i.appended > 0) {
            drop(session);
            remove_created_log(&path, existed);
        }
    }
    result
}

/// Removes a log created for an import that appended nothing (only its
/// contents if the folder was there, empty, before).
fn remove_created_log(path: &Path, existed: bool) {
    if !existed {
        let _ = std::fs::remove_dir_all(path);
        return;
    }
    if let Ok(entries) = std::fs::read_dir(path) {
        for entry in entries.flatten() {
            let p = entry.path();
            let _ = if p.is_dir() { std::fs::remove_dir_all(&p) } else { std::fs::remove_file(&p) };
        }
    }
}

fn import_into<R: std::io::BufRead>(
    session: &Session,
    g: &Globals,
    lines: &mut crate::commands::import::LineReader<R>,
    progress: &dyn Fn(u64),
    what: &str,
) -> Result<Imported, CliError> {
    let mut ctx = session.context()?;
    let lookup = session.lookup();
    let now = (g.clock)();
    let mut ids = FreshIds::new(Uuid::now_v7().as_u128());
    // the first events wait here: an import smaller than a block goes to
    // the log's tail in one transaction, with no writer thread
    let mut waiting: Vec<Event> = Vec::new();
    let mut importer: Option<sijil_store::Importer<'_>> = None;
    // the ledger of the log with this import, for a checkpoint at its end:
    // folded by the store's writer thread as it writes each event
    let mut ledger: Option<Arc<Mutex<Ledger>>> = None;
    let mut stopped = false;
    let mut errors = Vec::new();
    let mut forward = Forward::default();
    let mut dropping = Vec::new();
    let (mut duplicates, mut pushed, mut seen) = (0usize, 0usize, 0u64);
    while let Some((n, line)) = lines.next_line()? {
        seen += 1;
        if seen % 4096 == 0 {
            progress(lines.consumed);
        }
        let admitted = match &line {
            Ok(l) => ctx.admit_with(l, ids.next(unix_millis()), &lookup).and_then(|a| fits(a, l.len())),
            Err(reason) => Err(Rejection::Invalid(reason.clone())),
        };
        match admitted {
            Ok(Admitted::New(e)) => {
                note_dropping(&ctx, n, &e, &mut dropping);
                forward.defined(e.id, n, &mut errors);
                ctx.learn_admitted(&e);
                pushed += 1;
                if stopped {
                    continue;
                }
                if let Some(imp) = importer.as_mut() {
                    imp.push(e)?;
                } else {
                    waiting.push(e);
                    if waiting.len() >= sijil_store::CHUNK {
                        ledger = import_ledger(session).map(|l| Arc::new(Mutex::new(l)));
                        let watch = ledger.clone().map(|shared| {
                            Box::new(move |seq: u64, at: DateTime<Utc>, e: &Event| {
                                if let Ok(mut l) = shared.lock() {
                                    l.apply_event(seq, at, e);
                                }
                            }) as sijil_store::Watch
                        });
                        let mut imp = session.store.importer_watched(now, None, watch)?;
                        for e in waiting.drain(..) {
                            imp.push(e)?;
                        }
                        importer = Some(imp);
                    }
                }
            }
            Ok(Admitted::Duplicate(_)) => duplicates += 1,
            Err(Rejection::Unavailable(m)) => {
                return Err(CliError::runtime(format!("cannot check line {n} against the log: {m}"))
                    .hint("run `sijil verify` to check the whole log"))
            }
            Err(Rejection::Invalid(m)) => {
                // a later line naming what this one defines is told it was refused
                if let Ok(l) = &line {
                    ctx.refuse(n, l);
                    forward.refused_line(n, l, &mut errors);
                }
                forward.refused(errors.len(), &m);
                errors.push((n, m, false))
            }
            Err(Rejection::Conflict(m)) => errors.push((n, m, true)),
        }
        if !errors.is_empty() && !stopped {
            // nothing of a bad input is appended: stop writing, go on checking
            stopped = true;
            importer = None;
            ledger = None;
            waiting = Vec::new();
        }
    }
    // what validation learned of every line is not needed past here: freed
    // before the commit and the checkpoint, which need memory of their own
    drop(ctx);
    if seen == 0 {
        return Err(CliError::input(format!("{what} holds no events")));
    }
    if !errors.is_empty() {
        return Err(Batch { events: Vec::new(), duplicates: Vec::new(), errors, dropping: Vec::new() }.into_error(what));
    }
    let bar = crate::style::spinner(pushed as u64, &format!("making {pushed} events durable…"));
    let done = match importer {
        Some(imp) => imp.commit(),
        None => session.store.append(&waiting, now, None),
    };
    bar.finish_and_clear();
    let done = done?;
    // the writer has finished (and dropped its handle): the ledger is ours
    let ledger = ledger.and_then(|shared| Arc::try_unwrap(shared).ok()).and_then(|m| m.into_inner().ok());
    if let Some(l) = ledger.filter(|l| l.seq() == done.last) {
        // a cache: if it cannot be written, the next read takes one
        let _ = session.store.put_checkpoint(done.last, &l.encode());
    }
    // the registry cache moved up to the import's end, so that the next
    // append reads none of its definitions again (a cache: best effort)
    let _ = session.learned_context();
    Ok(Imported { appended: pushed, duplicates, first: done.first, last: done.last, dropping })
}

/// Lines refused for naming an event that neither the log nor an earlier
/// line holds, waiting for a later line that defines it: such a line is
/// then told that the event comes further down, rather than that it is
/// missing.
#[derive(Default)]
struct Forward {
    /// Id → the indexes of the errors that name it.
    waiting: std::collections::HashMap<Uuid, Vec<usize>>,
}

impl Forward {
    /// Notes error `index` if `message` says an id is not in the log.
    fn refused(&mut self, index: usize, message: &str) {
        let missing = message
            .strip_suffix(" is in the log")
            .and_then(|head| head.split_once(": no event with id "))
            .and_then(|(_, id)| Uuid::parse_str(id).ok());
        if let Some(id) = missing {
            self.waiting.entry(id).or_default().push(index);
        }
    }

    /// Line `line` defines `id`: the errors waiting for it say so.
    fn defined(&mut self, id: Uuid, line: usize, errors: &mut [(usize, String, bool)]) {
        self.resolve(id, line, "; move that line above this one", errors);
    }

    /// Line `line`, refused, holds `text`: errors waiting for its id say so.
    fn refused_line(&mut self, line: usize, text: &str, errors: &mut [(usize, String, bool)]) {
        if self.waiting.is_empty() {
            return;
        }
        let id = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v.get("id").and_then(|id| id.as_str()).and_then(|s| Uuid::parse_str(s.trim()).ok()));
        if let Some(id) = id {
            self.resolve(id, line, ", which is refused", errors);
        }
    }

    fn resolve(&mut self, id: Uuid, line: usize, tail: &str, errors: &mut [(usize, String, bool)]) {
        if self.waiting.is_empty() {
            return;
        }
        for i in self.waiting.remove(&id).unwrap_or_default() {
            if let Some((_, message, _)) = errors.get_mut(i) {
                let field = message.split_once(": no event with id ").map_or("", |(f, _)| f).to_string();
                *message = format!("{field}: {id} is the event of line {line}, further down{tail}");
            }
        }
    }
}

/// Milliseconds since 1970 by the system clock (for fresh ids, which take
/// the real time even when `$SIJIL_NOW` fixes the recording time).
fn unix_millis() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// An admitted event whose stored record would be over the store's limit
/// is refused here, naming its line, rather than by the store mid-import.
fn fits(admitted: Admitted, line_len: usize) -> Result<Admitted, Rejection> {
    // only lines long enough to come near are measured (the canonical JSON
    // costs time); the store itself still refuses any record over the limit.
    // A short alias is stored as its slug (up to 128 bytes), so every area
    // or actor a line names counts as a slug's length.
    if let Admitted::New(e) = &admitted {
        let names = e.areas.len() + e.via.len() + usize::from(e.actor.is_some()) + usize::from(e.target.is_some());
        if line_len + names * 130 > sijil_store::MAX_RECORD / 16 {
            let size = sijil_store::record::stored_len(e);
            if size > sijil_store::MAX_RECORD {
                return Err(Rejection::Invalid(format!(
                    "the event is {size} bytes once stored, over the limit of {} bytes; shorten its note or quote",
                    sijil_store::MAX_RECORD
                )));
            }
        }
    }
    Ok(admitted)
}

/// The ledger to fold a large import into as it is written, so that it
/// ends with a checkpoint: for an empty log, or one whose latest checkpoint
/// is near its head (otherwise the next state read takes the checkpoint).
fn import_ledger(session: &Session) -> Option<Ledger> {
    let head = session.store.head().ok()?.seq;
    if head == 0 {
        return Some(Ledger::new(session.log_zone));
    }
    let near = session.store.checkpoint_position().is_some_and(|p| head - p.min(head) <= 16 * CHECKPOINT_GAP);
    if !near {
        return None;
    }
    session.ledger().ok().filter(|l| l.seq() == head)
}
