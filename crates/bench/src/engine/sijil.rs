//! sijil's own path: validation through `Context::admit`, the store's
//! hash-chained append, scan and fold, as the CLI does them.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use sijil_core::{Admitted, Context, Event, Timeline};
use sijil_store::Store;
use uuid::Uuid;

use crate::error::Result;
use crate::gen::ZONE;

/// `sijil --tz Asia/Damascus import FILE` on a new log: every line read and
/// admitted (each seeing the ones before it), then one append of all of
/// them (all indexes, the hash chain, flush and fsync).
pub fn import(raw: &Path, log: &Path) -> Result<u64> {
    let mut ctx = Context::new(ZONE);
    let mut events = Vec::new();
    for (n, line) in BufReader::with_capacity(1 << 20, File::open(raw)?).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        match ctx.admit(&line, Uuid::now_v7()) {
            Ok(Admitted::New(e)) => {
                ctx.learn(&e);
                events.push(e);
            }
            Ok(Admitted::Duplicate(_)) => {}
            Err(why) => return Err(format!("{}: line {}: {why}", raw.display(), n + 1).into()),
        }
    }
    let store = Store::open_or_create(log, ZONE.name())?;
    let done = store.append(&events, Utc::now(), None)?;
    Ok(done.last)
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

/// Every record up to `k` folded, as `sijil state --known-at #K` does.
pub fn fold(store: &Store, k: u64) -> Result<Timeline> {
    let mut t = Timeline::new(ZONE);
    for r in store.scan(k) {
        t.apply(r?);
    }
    Ok(t)
}

pub fn replay(log: &Path) -> Result<(Timeline, Duration)> {
    let store = Store::open(log)?;
    let started = Instant::now();
    let t = fold(&store, u64::MAX)?;
    Ok((t, started.elapsed()))
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
