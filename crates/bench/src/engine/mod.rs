//! The three ways of keeping the same log: sijil's store and the two
//! baselines a user would otherwise pick (SQLite) or that bound what is
//! physically possible (a plain append-only file).
//!
//! Each engine answers the same questions: import a file of events durably,
//! append one event durably, replay everything into a
//! [`Ledger`](sijil_core::Ledger) (the state projection), read the state
//! at a valid time, open the log. sijil imports the raw input through
//! validation, exactly as `sijil import` does; the baselines import the
//! canonical events sijil would store (one JSON line each, checked to be
//! JSON with an id), so that every replay decodes and folds the same bytes
//! and the difference between them is the storage.

pub mod plain;
pub mod sijil;
pub mod sqlite;

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sijil_core::ledger::Facts;
use sijil_core::{Event, KnownAt, Ledger, StateQuery};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::gen::ZONE;

/// One way of keeping the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sijil,
    Sqlite,
    File,
}

impl Engine {
    pub const ALL: [Engine; 3] = [Engine::Sijil, Engine::Sqlite, Engine::File];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Sijil => "sijil",
            Engine::Sqlite => "sqlite",
            Engine::File => "file",
        }
    }

    pub fn parse(name: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.name() == name)
    }

    /// Where this engine keeps its log under a run's folder `dir`;
    /// everything under `dir/<name>` counts as its disk use.
    pub fn location(self, dir: &Path) -> std::path::PathBuf {
        let folder = dir.join(self.name());
        match self {
            Engine::Sijil => folder,
            Engine::Sqlite => folder.join("events.db"),
            Engine::File => folder.join("events.ndjson"),
        }
    }

    /// Imports a file of events, durable on return; sijil reads the raw
    /// input, the baselines the canonical lines. Returns the events stored.
    pub fn import(self, raw: &Path, canonical: &Path, at: &Path) -> Result<u64> {
        match self {
            Engine::Sijil => sijil::import(raw, at),
            Engine::Sqlite => sqlite::import(canonical, at),
            Engine::File => plain::import(canonical, at),
        }
    }

    /// The time to open the log and learn its head, ready to append.
    pub fn open_time(self, at: &Path) -> Result<Duration> {
        match self {
            Engine::Sijil => sijil::open_time(at),
            Engine::Sqlite => sqlite::open_time(at),
            Engine::File => plain::open_time(at),
        }
    }

    /// Every event folded into the state projection, a [`Ledger`] (the log
    /// is opened first, untimed).
    pub fn replay(self, at: &Path) -> Result<(Ledger, Duration)> {
        match self {
            Engine::Sijil => sijil::replay(at),
            Engine::Sqlite => sqlite::replay(at),
            Engine::File => plain::replay(at),
        }
    }

    /// Opens the log once for a series of state reads.
    pub fn reader(self, at: &Path) -> Result<Reader> {
        Ok(match self {
            Engine::Sijil => Reader::Sijil(sijil::open(at)?),
            Engine::Sqlite => Reader::Sqlite(sqlite::open(at)?),
            Engine::File => Reader::File(at.to_path_buf()),
        })
    }

    /// Appends each event on its own, durable before the next.
    pub fn append_each(self, at: &Path, events: &[Event], canonical: &[Vec<u8>]) -> Result<Duration> {
        match self {
            Engine::Sijil => sijil::append_each(at, events),
            Engine::Sqlite => sqlite::append_each(at, events, canonical),
            Engine::File => plain::append_each(at, canonical),
        }
    }
}

/// An open log, for `state --at T --known-at #K` reads.
pub enum Reader {
    Sijil(sijil_store::Store),
    Sqlite(rusqlite::Connection),
    File(std::path::PathBuf),
}

impl Reader {
    /// The state at `at` as known at position `k`. sijil reads as `sijil
    /// state` does: its latest checkpoint, the records after it, then the
    /// ledger's state at (T, K). The baselines have no checkpoint: they fold
    /// the records up to `k`. Returns the areas in the state (so nothing is
    /// optimised away) and the time taken.
    pub fn state(&self, at: DateTime<Utc>, k: u64) -> Result<(usize, Duration)> {
        let started = std::time::Instant::now();
        let ledger = match self {
            Reader::Sijil(store) => sijil::ledger_for(store, k)?,
            Reader::Sqlite(conn) => sqlite::fold(conn, k)?,
            Reader::File(path) => plain::fold(path, k)?,
        };
        let state = ledger.state(&StateQuery { at, known_at: KnownAt::Seq(k), area: None });
        let areas = std::hint::black_box(state).areas.len();
        Ok((areas, started.elapsed()))
    }
}

/// The recording time the baselines give every event (they keep none).
pub fn baseline_recorded_at() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH
}

/// Decodes one canonical event as the ledger's [`Facts`] and folds it in:
/// the work of a replay outside the storage, done as sijil does it.
pub fn fold_line(ledger: &mut Ledger, seq: u64, json: &[u8]) -> Result<()> {
    let facts = Facts::from_json(std::str::from_utf8(json).map_err(|e| Error(format!("not UTF-8: {e}")))?)?;
    ledger.apply_facts(seq, baseline_recorded_at(), &facts);
    Ok(())
}

/// A new, empty fold in the generated log's zone.
pub fn ledger() -> Ledger {
    Ledger::new(ZONE)
}

/// What a baseline checks of each line it imports: that it is JSON with an
/// event id (the only field it indexes).
#[derive(Deserialize)]
struct IdOnly {
    id: Uuid,
}

/// The id of a JSON line, reading nothing else into memory.
pub fn id_of(line: &[u8]) -> Result<Uuid> {
    Ok(serde_json::from_slice::<IdOnly>(line)?.id)
}
