//! sijil's own path: validation through `Context::admit`, the store's
//! hash-chained append, scan and fold, as the CLI does them.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sijil_core::{Admitted, Context, Event, FreshIds, KnownAt, Ledger, Lookup, Summary};
use sijil_store::Store;
use uuid::Uuid;

use crate::error::Result;
use crate::gen::ZONE;

/// `sijil --tz Asia/Damascus import FILE` on a new log, as the CLI does
/// it: every line read, admitted (each seeing the ones before it, and the
/// log through its indexes) and streamed to the store's importer, whose
/// writer thread encodes, chains, compresses and writes blocks, and folds
/// the ledger; then the commit (flush, fsync, head, fsync) and the
/// checkpoint of that ledger.
pub fn import(raw: &Path, log: &Path) -> Result<u64> {
    let store = Store::open_or_create(log, ZONE.name())?;
    let mut ctx = Context::new(ZONE);
    for r in store.reference_events() {
        ctx.learn_reference(&r?.event);
    }
    let lookup = StoreLookup(&store);
    // into an empty log, the ledger is folded on the way: a checkpoint at the end
    let head = store.head()?.seq;
    let ledger = (head == 0).then(|| Arc::new(Mutex::new(Ledger::new(ZONE))));
    let watch = ledger.clone().map(|shared| {
        Box::new(move |seq: u64, at: DateTime<Utc>, e: &Event| {
            if let Ok(mut l) = shared.lock() {
                l.apply_event(seq, at, e);
            }
        }) as sijil_store::Watch
    });
    let mut import = store.importer_watched(Utc::now(), None, watch)?;
    let mut ids = FreshIds::new(Uuid::now_v7().as_u128());
    for (n, line) in BufReader::with_capacity(1 << 20, File::open(raw)?).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let millis = Utc::now().timestamp_millis().max(0) as u64;
        match ctx.admit_with(&line, ids.next(millis), &lookup) {
            Ok(Admitted::New(e)) => {
                ctx.learn_admitted(&e);
                import.push(e)?;
            }
            Ok(Admitted::Duplicate(_)) => {}
            Err(why) => return Err(format!("{}: line {}: {why}", raw.display(), n + 1).into()),
        }
    }
    let done = import.commit()?;
    let ledger = ledger.and_then(|shared| Arc::try_unwrap(shared).ok()).and_then(|m| m.into_inner().ok());
    if let Some(l) = ledger.filter(|l| l.seq() == done.last) {
        store.put_checkpoint(done.last, &l.encode())?;
    }
    Ok(done.last)
}

/// Validation's view of the stored log, as the CLI gives it.
struct StoreLookup<'a>(&'a Store);

impl Lookup for StoreLookup<'_> {
    fn summary(&self, id: &Uuid) -> std::result::Result<Option<Summary>, String> {
        let Some(r) = self.0.get(id).map_err(|e| e.to_string())? else { return Ok(None) };
        let mut s = Summary::of(&r.event, &r.event.canonical_json(), ZONE);
        (s.corrected_by, s.retracted_by) = self.0.standing(id).map_err(|e| e.to_string())?;
        Ok(Some(s))
    }
}

/// Opens the log (the store waits briefly for a lock that a handle
/// dropped a moment ago may still hold).
pub fn open(log: &Path) -> Result<Store> {
    Ok(Store::open(log)?)
}

pub fn open_time(log: &Path) -> Result<Duration> {
    let started = Instant::now();
    let store = Store::open(log)?;
    store.head()?;
    let took = started.elapsed();
    drop(store);
    Ok(took)
}

/// How many records a read folds after the latest checkpoint before it
/// takes a new one (as the CLI does).
const CHECKPOINT_GAP: u64 = 4096;

/// The ledger of the whole log as `sijil state` builds it: the latest
/// checkpoint, then the records after it (a new checkpoint when they are
/// more than [`CHECKPOINT_GAP`]).
pub fn ledger(store: &Store) -> Result<Ledger> {
    let head = store.head()?.seq;
    let cached = match store.checkpoint()? {
        Some((seq, bytes)) => Ledger::decode(&bytes, ZONE).ok().filter(|l| l.seq() == seq),
        None => None,
    };
    let mut ledger = cached.unwrap_or_else(|| Ledger::new(ZONE));
    let from = ledger.seq();
    ledger.reserve(head.saturating_sub(from) as usize);
    store.scan_facts_from(from + 1, head).each(|f| ledger.apply_facts(f.seq, f.recorded_at, &f.facts))?;
    if head - from >= CHECKPOINT_GAP {
        store.put_checkpoint(head, &ledger.encode())?;
    }
    Ok(ledger)
}

/// The ledger for a read as known at position `k`, as `sijil state
/// --known-at '#K'` gets it: only the checkpoint's part up to K when the
/// checkpoint holds K, else [`ledger`].
pub fn ledger_for(store: &Store, k: u64) -> Result<Ledger> {
    let part = store.checkpoint_prefix(|seq, len| if k < seq { Ledger::prefix_len(k, seq, len) } else { len })?;
    if let Some((seq, bytes, len)) = part {
        let decoded = match Ledger::decode_upto(&bytes, ZONE, KnownAt::Seq(k)) {
            Ok(l) => Some(l),
            Err(_) if bytes.len() < len => match store.checkpoint()? {
                Some((again, whole)) if again == seq => Ledger::decode_upto(&whole, ZONE, KnownAt::Seq(k)).ok(),
                _ => None,
            },
            Err(_) => None,
        };
        if let Some((l, held)) = decoded {
            if held == seq && k <= held {
                return Ok(l);
            }
        }
    }
    ledger(store)
}

/// A full replay: every record scanned, decoded and folded into a new
/// ledger (no checkpoint used).
pub fn replay(log: &Path) -> Result<(Ledger, Duration)> {
    let store = Store::open(log)?;
    let started = Instant::now();
    let mut ledger = Ledger::new(ZONE);
    ledger.reserve(store.head()?.seq as usize);
    store.scan_facts_from(1, u64::MAX).each(|f| ledger.apply_facts(f.seq, f.recorded_at, &f.facts))?;
    Ok((ledger, started.elapsed()))
}

/// One `Store::append` per event: each flushed and fsynced before the next.
pub fn append_each(log: &Path, events: &[Event]) -> Result<Duration> {
    let store = Store::open(log)?;
    let started = Instant::now();
    for e in events {
        store.append(std::slice::from_ref(e), Utc::now(), None)?;
    }
    Ok(started.elapsed())
}
