//! The SQLite baseline: what a user would otherwise pick. WAL,
//! `synchronous=FULL`, a table `(seq, id, json)` with a unique index on
//! `id`; an import commits every 1,000 rows, a single append is one
//! transaction.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{params, Connection};
use sijil_core::{Event, Ledger};

use super::{fold_line, id_of, ledger};
use crate::error::Result;

/// Rows per transaction in an import.
pub const BATCH: usize = 1000;

/// Opens (or creates) the database in WAL mode with full durability.
pub fn open(db: &Path) -> Result<Connection> {
    if let Some(dir) = db.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let conn = Connection::open(db)?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(format!("SQLite refused WAL mode (got {mode})").into());
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

pub fn import(canonical: &Path, db: &Path) -> Result<u64> {
    let mut conn = open(db)?;
    conn.execute_batch(
        "CREATE TABLE events (seq INTEGER PRIMARY KEY, id BLOB NOT NULL, json TEXT NOT NULL);
         CREATE UNIQUE INDEX events_id ON events (id);",
    )?;
    let mut lines = BufReader::with_capacity(1 << 20, File::open(canonical)?).lines();
    let mut seq = 0u64;
    loop {
        let tx = conn.transaction()?;
        let mut rows = 0;
        {
            let mut insert = tx.prepare_cached("INSERT INTO events (seq, id, json) VALUES (?1, ?2, ?3)")?;
            while rows < BATCH {
                let Some(line) = lines.next() else { break };
                let line = line?;
                let id = id_of(line.as_bytes())?;
                seq += 1;
                insert.execute(params![seq as i64, &id.as_bytes()[..], line])?;
                rows += 1;
            }
        }
        tx.commit()?;
        if rows < BATCH {
            break;
        }
    }
    Ok(seq)
}

/// Opening, then what an appender must learn first: the last position.
pub fn open_time(db: &Path) -> Result<Duration> {
    let started = Instant::now();
    let conn = open(db)?;
    let _head: i64 = conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?;
    Ok(started.elapsed())
}

/// The rows up to `k`, in order, decoded and folded.
pub fn fold(conn: &Connection, k: u64) -> Result<Ledger> {
    let mut t = ledger();
    let mut select = conn.prepare_cached("SELECT seq, json FROM events WHERE seq <= ?1 ORDER BY seq")?;
    let mut rows = select.query([k.min(i64::MAX as u64) as i64])?;
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let json = row.get_ref(1)?.as_bytes().map_err(rusqlite::Error::from)?;
        fold_line(&mut t, seq as u64, json)?;
    }
    Ok(t)
}

pub fn replay(db: &Path) -> Result<(Ledger, Duration)> {
    let conn = open(db)?;
    let started = Instant::now();
    let t = fold(&conn, u64::MAX)?;
    Ok((t, started.elapsed()))
}

/// One row per transaction, each committed with `synchronous=FULL`.
pub fn append_each(db: &Path, events: &[Event], canonical: &[Vec<u8>]) -> Result<Duration> {
    let conn = open(db)?;
    let head: i64 = conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?;
    let started = Instant::now();
    let mut insert = conn.prepare_cached("INSERT INTO events (seq, id, json) VALUES (?1, ?2, ?3)")?;
    for (i, (e, json)) in events.iter().zip(canonical).enumerate() {
        let text = std::str::from_utf8(json).map_err(|e| e.to_string())?;
        insert.execute(params![head + 1 + i as i64, &e.id.as_bytes()[..], text])?;
    }
    Ok(started.elapsed())
}
