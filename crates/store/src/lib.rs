//! sijil-store: the append-only, hash-chained event log on sled.
//!
//! Only this crate knows sled. The log is three trees:
//!
//! - `events`: big-endian `u64` position → record (so key order is log
//!   order); a record is a version byte, the recording time, the chain
//!   hash and the event's canonical JSON ([`record`]);
//! - `ids`: event id (16 bytes) → position;
//! - `meta`: the store's format version, the log's time zone and the
//!   committed head (position, chain hash, recording time).
//!
//! Readers never look past the committed head. An append writes its events
//! past the head and advances the head in the same sled transaction (an
//! import of more than [`CHUNK`] events writes earlier chunks first, then
//! advances the head with the last one), then flushes sled and `fsync`s its
//! file before it returns: an acknowledged append survives a crash, and an
//! interrupted import leaves nothing visible (whatever lies past the head is
//! removed on the next open).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use sijil_core::{Event, Kind};
//! use sijil_store::Store;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = Store::create(&dir.path().join("log"), "Asia/Damascus").unwrap();
//! let mut area = Event::new(uuid::Uuid::from_u128(1), Kind::Area, "gazetteer");
//! area.area = Some("aleppo".into());
//! area.name = Some("Aleppo".into());
//! let now = Utc.with_ymd_and_hms(2026, 1, 9, 0, 0, 0).unwrap();
//! let done = store.append(&[area], now, None).unwrap();
//! assert_eq!((done.first, done.last), (1, 1));
//! let events: Vec<_> = store.scan(u64::MAX).collect::<Result<_, _>>().unwrap();
//! assert_eq!(events[0].event.area.as_deref(), Some("aleppo"));
//! assert!(store.verify(|_| {}).unwrap().first_bad.is_none());
//! ```

pub mod record;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, SubsecRound, Utc};
use sha2::Digest;
use sijil_core::{Event, Recorded};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;
use uuid::Uuid;

pub use record::{Head, GENESIS};

/// The on-disk format this build writes and reads.
pub const FORMAT: u32 = 1;
/// Events written per sled transaction in a large append.
pub const CHUNK: usize = 1000;
/// sled's segment size. A tree page larger than a quarter of it would go
/// to an un-fsynced blob file; at 8 MiB a leaf of 17 records of up to
/// [`MAX_RECORD`] bytes stays well inside.
const SEGMENT_SIZE: usize = 8 * 1024 * 1024;
/// The largest stored record, in bytes.
pub const MAX_RECORD: usize = 96 * 1024;
/// How long `open` waits for a lock that sled has not yet let go of.
const LOCK_WAIT: Duration = Duration::from_millis(250);

const KEY_FORMAT: &[u8] = b"format";
const KEY_ZONE: &[u8] = b"zone";
const KEY_HEAD: &[u8] = b"head";
/// Present once the `registry` and `standing` indexes cover the whole log.
const KEY_INDEXES: &[u8] = b"indexes";

/// Why a log could not be opened or created.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("no log at {0}")]
    Missing(PathBuf),
    #[error("a log already exists at {0}")]
    Exists(PathBuf),
    #[error("the log at {0} is in use by another sijil process")]
    Locked(PathBuf),
    #[error("{0} is not a sijil log")]
    NotALog(PathBuf),
    #[error("the log at {path} has format {found}, newer than this sijil reads ({FORMAT}); upgrade sijil")]
    TooNew { path: PathBuf, found: u32 },
    #[error("the log at {path} is damaged: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error("cannot open the log at {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Why an append did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("the log's last position is {actual}, not the expected {expected}")]
    SeqMismatch { expected: u64, actual: u64 },
    #[error("id {id} is already in the log at position {seq}")]
    IdExists { id: Uuid, seq: u64 },
    #[error("id {id} appears more than once in this append")]
    Repeated { id: Uuid },
    #[error("event {id} is {size} bytes stored, over the limit of {MAX_RECORD}")]
    TooLarge { id: Uuid, size: usize },
    #[error("could not write the log")]
    Io(#[source] std::io::Error),
}

/// Why a record could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("record {seq} is damaged: {reason}")]
    Corrupt { seq: u64, reason: String },
    #[error("could not read the log")]
    Io(#[source] std::io::Error),
}

impl ReadError {
    /// The position of the damaged record, if that is what went wrong.
    pub fn seq(&self) -> Option<u64> {
        match self {
            ReadError::Corrupt { seq, .. } => Some(*seq),
            ReadError::Io(_) => None,
        }
    }
}

fn io(e: sled::Error) -> std::io::Error {
    match e {
        sled::Error::Io(e) => e,
        other => std::io::Error::other(sled_reason(&other)),
    }
}

/// One sentence for a sled error, without the debugging detail (such as
/// an empty backtrace) that sled's own messages carry.
fn sled_reason(e: &sled::Error) -> String {
    match e {
        sled::Error::Corruption { .. } => "its storage files hold damaged data".to_string(),
        sled::Error::Io(io) => io.to_string(),
        sled::Error::Unsupported(what) => format!("unsupported: {what}"),
        sled::Error::ReportableBug(what) => format!("the storage engine failed ({what})"),
        sled::Error::CollectionNotFound(_) => "a part of the log is missing".to_string(),
    }
}

/// What an append did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// Position of the first event appended (equal to `last + 1` when none).
    pub first: u64,
    /// Position of the last event appended: the new head.
    pub last: u64,
    /// The recording time given to every event of the append.
    pub recorded_at: DateTime<Utc>,
}

/// The outcome of [`Store::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Records checked.
    pub records: u64,
    /// The head as stored in the log.
    pub head: Head,
    /// The first position found bad, and why.
    pub first_bad: Option<(u64, String)>,
}

/// The log on disk.
pub struct Store {
    path: PathBuf,
    db: sled::Db,
    events: sled::Tree,
    ids: sled::Tree,
    meta: sled::Tree,
    /// Positions of `area` and `actor` events (position → nothing).
    registry: sled::Tree,
    /// Event id → ids of the correction and the retraction that name it.
    standing: sled::Tree,
    /// Records found past the head on open (position ‖ digest → record).
    quarantine: sled::Tree,
    zone: String,
    writer: Mutex<()>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn is_log_dir(path: &Path) -> bool {
    path.join("conf").is_file() && path.join("db").is_file()
}

impl Store {
    /// Opens an existing log.
    pub fn open(path: &Path) -> Result<Store, OpenError> {
        if !path.exists() {
            return Err(OpenError::Missing(path.to_path_buf()));
        }
        if !is_log_dir(path) {
            return Err(OpenError::NotALog(path.to_path_buf()));
        }
        let store = Store::open_sled(path)?;
        let format = store
            .meta
            .get(KEY_FORMAT)
            .map_err(|e| store.open_io(e))?
            .ok_or_else(|| OpenError::NotALog(path.to_path_buf()))?;
        let found = u32::from_be_bytes(format.as_ref().try_into().map_err(|_| store.corrupt("bad format record"))?);
        if found > FORMAT {
            return Err(OpenError::TooNew { path: path.to_path_buf(), found });
        }
        store.finish_open()
    }

    /// Creates a new log whose days and local times are read in `zone`.
    pub fn create(path: &Path, zone: &str) -> Result<Store, OpenError> {
        if path.exists() && fs::read_dir(path).map(|mut d| d.next().is_some()).unwrap_or(true) {
            return Err(if is_log_dir(path) {
                OpenError::Exists(path.to_path_buf())
            } else {
                OpenError::NotALog(path.to_path_buf())
            });
        }
        create_private_dir(path).map_err(|source| OpenError::Io { path: path.to_path_buf(), source })?;
        let store = Store::open_sled(path)?;
        let head = Head { seq: 0, hash: GENESIS, recorded_at: DateTime::<Utc>::UNIX_EPOCH };
        store
            .meta
            .transaction(|m| {
                m.insert(KEY_ZONE, zone.as_bytes())?;
                m.insert(KEY_HEAD, head.encode().to_vec())?;
                m.insert(KEY_FORMAT, &FORMAT.to_be_bytes())?;
                m.insert(KEY_INDEXES, &[1u8])?;
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .map_err(|e| store.open_io(tx_err(e)))?;
        store.sync().map_err(|source| OpenError::Io { path: path.to_path_buf(), source })?;
        store.finish_open()
    }

    /// Opens the log, creating it with `zone` when there is none.
    pub fn open_or_create(path: &Path, zone: &str) -> Result<Store, OpenError> {
        match Store::open(path) {
            Err(OpenError::Missing(_)) => Store::create(path, zone),
            other => other,
        }
    }

    fn open_sled(path: &Path) -> Result<Store, OpenError> {
        let config = sled::Config::new().path(path).segment_size(SEGMENT_SIZE).cache_capacity(64 * 1024 * 1024);
        // sled 0.34 lets go of its file lock a moment after the last handle
        // is dropped (observed here): a log just closed in this process looks
        // locked for some milliseconds, so a held lock is waited out briefly
        let started = Instant::now();
        let db = loop {
            match config.open() {
                Err(sled::Error::Io(ref io)) if io.to_string().contains("could not acquire lock") => {
                    if started.elapsed() >= LOCK_WAIT {
                        return Err(OpenError::Locked(path.to_path_buf()));
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                Ok(db) => break db,
                Err(sled::Error::Io(io)) => return Err(OpenError::Io { path: path.to_path_buf(), source: io }),
                Err(other) => return Err(OpenError::Corrupt { path: path.to_path_buf(), reason: sled_reason(&other) }),
            }
        };
        let tree = |name: &str| {
            db.open_tree(name).map_err(|e| OpenError::Corrupt { path: path.to_path_buf(), reason: sled_reason(&e) })
        };
        Ok(Store {
            events: tree("events")?,
            ids: tree("ids")?,
            meta: tree("meta")?,
            registry: tree("registry")?,
            standing: tree("standing")?,
            quarantine: tree("quarantine")?,
            path: path.to_path_buf(),
            db,
            zone: String::new(),
            writer: Mutex::new(()),
        })
    }

    fn open_io(&self, e: sled::Error) -> OpenError {
        OpenError::Io { path: self.path.clone(), source: io(e) }
    }

    fn corrupt(&self, reason: &str) -> OpenError {
        OpenError::Corrupt { path: self.path.clone(), reason: reason.to_string() }
    }

    /// Reads the zone and drops whatever an interrupted append left past
    /// the committed head.
    fn finish_open(mut self) -> Result<Store, OpenError> {
        restrict_permissions(&self.path);
        let zone = self.meta.get(KEY_ZONE).map_err(|e| self.open_io(e))?.ok_or_else(|| self.corrupt("no zone"))?;
        self.zone = String::from_utf8(zone.to_vec()).map_err(|_| self.corrupt("zone is not UTF-8"))?;
        let head = self.head().map_err(|e| self.corrupt(&e.to_string()))?;
        self.discard_past_head(head.seq).map_err(|source| OpenError::Io { path: self.path.clone(), source })?;
        if self.meta.get(KEY_INDEXES).map_err(|e| self.open_io(e))?.is_none() {
            self.rebuild_indexes(head.seq).map_err(|e| self.corrupt(&e.to_string()))?;
        }
        Ok(self)
    }

    /// Builds the `registry` and `standing` indexes from the records (for a
    /// log written before they existed).
    fn rebuild_indexes(&self, head: u64) -> Result<(), ReadError> {
        let rio = |e: sled::Error| ReadError::Io(io(e));
        self.registry.clear().map_err(rio)?;
        self.standing.clear().map_err(rio)?;
        for r in self.scan(head) {
            let r = r?;
            if r.event.kind.is_reference() {
                self.registry.insert(key(r.seq), &[]).map_err(rio)?;
            }
            for (target, half) in [(r.event.corrects, 0), (r.event.retracts, 1)] {
                if let Some(target) = target {
                    let mut v = self.standing.get(target.as_bytes()).map_err(rio)?.map_or([0u8; 32], standing_value);
                    v[half * 16..half * 16 + 16].copy_from_slice(r.event.id.as_bytes());
                    self.standing.insert(target.as_bytes(), &v).map_err(rio)?;
                }
            }
        }
        self.meta.insert(KEY_INDEXES, &[1u8]).map_err(rio)?;
        self.sync().map_err(ReadError::Io)
    }

    /// Removes whatever an interrupted append left past the committed head:
    /// records, and the index entries that point past it (only those: a
    /// stray record may be a copy of a committed event).
    fn discard_past_head(&self, head: u64) -> std::io::Result<()> {
        let mut stray = false;
        for item in self.events.range(key(head + 1)..) {
            let (k, v) = item.map_err(io)?;
            // never acknowledged, so not part of the log; but nothing stored
            // is destroyed: a head lowered behind sijil's back must not
            // erase committed records, so they are set aside, not deleted
            let mut qkey = k.to_vec();
            qkey.extend_from_slice(&sha2::Sha256::digest(&v)[..8]);
            self.quarantine.insert(qkey, v).map_err(io)?;
            self.events.remove(k).map_err(io)?;
            stray = true;
        }
        if stray {
            for item in self.ids.iter() {
                let (id, at) = item.map_err(io)?;
                if u64_of(&at) > head {
                    self.ids.remove(id).map_err(io)?;
                }
            }
            for item in self.registry.range(key(head + 1)..) {
                let (k, _) = item.map_err(io)?;
                self.registry.remove(k).map_err(io)?;
            }
            // a correction or retraction past the head names nothing yet
            for item in self.standing.iter() {
                let (target, v) = item.map_err(io)?;
                let mut v = standing_value(v);
                let mut changed = false;
                for half in 0..2 {
                    let by = Uuid::from_slice(&v[half * 16..half * 16 + 16]).unwrap_or_default();
                    if !by.is_nil() && self.ids.get(by.as_bytes()).map_err(io)?.is_none_or(|at| u64_of(&at) > head) {
                        v[half * 16..half * 16 + 16].fill(0);
                        changed = true;
                    }
                }
                if changed {
                    if v == [0u8; 32] {
                        self.standing.remove(target).map_err(io)?;
                    } else {
                        self.standing.insert(target, &v).map_err(io)?;
                    }
                }
            }
            self.sync()?;
        }
        Ok(())
    }

    /// Where the log lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The IANA zone the log was created with.
    pub fn zone(&self) -> &str {
        &self.zone
    }

    /// The committed head.
    pub fn head(&self) -> Result<Head, ReadError> {
        let bytes = self.meta.get(KEY_HEAD).map_err(|e| ReadError::Io(io(e)))?;
        let bytes = bytes.ok_or(ReadError::Corrupt { seq: 0, reason: "the log has no head".into() })?;
        Head::decode(&bytes).ok_or(ReadError::Corrupt { seq: 0, reason: "the head record is damaged".into() })
    }

    /// Makes everything written so far durable: sled's flush, then a real
    /// `fsync` of its file (sled 0.34's flush alone uses
    /// `sync_file_range`, which a power cut can undo).
    fn sync(&self) -> std::io::Result<()> {
        self.db.flush().map_err(io)?;
        File::open(self.path.join("db"))?.sync_all()
    }

    /// Appends `events` atomically, all recorded at `now` (or at the head's
    /// recording time, if the clock went back). With `expect`, appends only
    /// if the head is at that position.
    pub fn append(&self, events: &[Event], now: DateTime<Utc>, expect: Option<u64>) -> Result<Appended, AppendError> {
        let _guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let head = self.head().map_err(|e| AppendError::Io(std::io::Error::other(e.to_string())))?;
        if let Some(expected) = expect {
            if expected != head.seq {
                return Err(AppendError::SeqMismatch { expected, actual: head.seq });
            }
        }
        // the record keeps microseconds: report the time it stores
        let recorded_at = now.trunc_subsecs(6).max(head.recorded_at);
        if events.is_empty() {
            return Ok(Appended { first: head.seq + 1, last: head.seq, recorded_at });
        }
        // encode and chain everything first: nothing is written if one fails
        let mut encoded = Vec::with_capacity(events.len());
        let mut hash = head.hash;
        let mut seq = head.seq;
        let mut seen = std::collections::HashSet::new();
        for e in events {
            seq += 1;
            if !seen.insert(e.id) {
                return Err(AppendError::Repeated { id: e.id });
            }
            let (bytes, h) = record::encode(seq, recorded_at, &hash, e);
            if bytes.len() > MAX_RECORD {
                return Err(AppendError::TooLarge { id: e.id, size: bytes.len() });
            }
            hash = h;
            encoded.push((seq, e.id, bytes));
        }
        for (_, id, _) in &encoded {
            if let Some(at) = self.ids.get(id.as_bytes()).map_err(|e| AppendError::Io(io(e)))? {
                let at = u64_of(&at);
                if at <= head.seq {
                    return Err(AppendError::IdExists { id: *id, seq: at });
                }
            }
        }
        let new_head = Head { seq, hash, recorded_at };
        let chunks: Vec<_> = encoded.chunks(CHUNK).collect();
        let last_chunk = chunks.len() - 1;
        for (n, chunk) in chunks.into_iter().enumerate() {
            let written = (&self.events, &self.ids, &self.meta, &self.registry, &self.standing)
                .transaction(|(ev, ids, meta, registry, standing)| {
                    for (seq, id, bytes) in chunk {
                        ev.insert(&key(*seq), bytes.as_slice())?;
                        ids.insert(id.as_bytes(), &key(*seq))?;
                    }
                    for (seq, e) in chunk.iter().map(|(seq, _, _)| (*seq, &events[(*seq - head.seq - 1) as usize])) {
                        if e.kind.is_reference() {
                            registry.insert(&key(seq), &[])?;
                        }
                        for (target, half) in [(e.corrects, 0), (e.retracts, 1)] {
                            if let Some(target) = target {
                                let mut v = standing.get(target.as_bytes())?.map_or([0u8; 32], standing_value);
                                v[half * 16..half * 16 + 16].copy_from_slice(e.id.as_bytes());
                                standing.insert(target.as_bytes(), &v)?;
                            }
                        }
                    }
                    if n == last_chunk {
                        // the head moves only if no one moved it meanwhile
                        let current = meta.get(KEY_HEAD)?.and_then(|b| Head::decode(&b));
                        if current != Some(head) {
                            return sled::transaction::abort(());
                        }
                        meta.insert(KEY_HEAD, new_head.encode().to_vec())?;
                    }
                    Ok(())
                })
                .map_err(|e| match e {
                    TransactionError::Abort(()) => {
                        AppendError::Io(std::io::Error::other("the head moved during the append"))
                    }
                    TransactionError::Storage(e) => AppendError::Io(io(e)),
                });
            if let Err(e) = written {
                // earlier chunks lie past the head, invisible; clear them now
                // rather than at the next open
                let _ = self.discard_past_head(head.seq);
                return Err(e);
            }
        }
        self.sync().map_err(AppendError::Io)?;
        Ok(Appended { first: head.seq + 1, last: seq, recorded_at })
    }

    /// The committed records from position 1 to `upto` (clipped to the head).
    pub fn scan(&self, upto: u64) -> impl Iterator<Item = Result<Recorded, ReadError>> + '_ {
        let head = self.head();
        let (end, first_err) = match head {
            Ok(h) => (h.seq.min(upto), None),
            Err(e) => (0, Some(e)),
        };
        let mut expected = 1u64;
        first_err.into_iter().map(Err).chain(
            self.events.range(key(1)..=key(end.max(1))).take_while(move |_| end > 0).map(move |item| {
                let (k, v) = item.map_err(|e| ReadError::Io(io(e)))?;
                let seq = u64_of(&k);
                if seq != expected {
                    return Err(ReadError::Corrupt { seq: expected, reason: "the record is missing".into() });
                }
                expected += 1;
                record::decode(seq, &v).map(|r| r.recorded)
            }),
        )
    }

    /// The record with this id, if the log holds it.
    pub fn get(&self, id: &Uuid) -> Result<Option<Recorded>, ReadError> {
        let Some(seq) = self.ids.get(id.as_bytes()).map_err(|e| ReadError::Io(io(e)))? else {
            return Ok(None);
        };
        let seq = u64_of(&seq);
        if seq > self.head()?.seq {
            return Ok(None);
        }
        let bytes = self
            .events
            .get(key(seq))
            .map_err(|e| ReadError::Io(io(e)))?
            .ok_or(ReadError::Corrupt { seq, reason: "the id index points at a missing record".into() })?;
        let rec = record::decode(seq, &bytes)?.recorded;
        if rec.event.id != *id {
            let reason = format!("the id index points at another event (id {})", rec.event.id);
            return Err(ReadError::Corrupt { seq, reason });
        }
        Ok(Some(rec))
    }

    /// The ids of the correction and the retraction that name `id`, if any.
    pub fn standing(&self, id: &Uuid) -> Result<(Option<Uuid>, Option<Uuid>), ReadError> {
        let Some(v) = self.standing.get(id.as_bytes()).map_err(|e| ReadError::Io(io(e)))? else {
            return Ok((None, None));
        };
        let v = standing_value(v);
        let half = |h: usize| Uuid::from_slice(&v[h * 16..h * 16 + 16]).ok().filter(|u| !u.is_nil());
        Ok((half(0), half(1)))
    }

    /// How many records were found past the head when the log was opened
    /// (left by interrupted appends) and set aside.
    pub fn set_aside(&self) -> usize {
        self.quarantine.len()
    }

    /// The `area` and `actor` events, in log order: all that name
    /// resolution needs, without reading the rest of the log.
    pub fn reference_events(&self) -> impl Iterator<Item = Result<Recorded, ReadError>> + '_ {
        let head = self.head().map(|h| h.seq).unwrap_or(0);
        self.registry.range(..=key(head)).map(move |item| {
            let (k, _) = item.map_err(|e| ReadError::Io(io(e)))?;
            let seq = u64_of(&k);
            let bytes = self
                .events
                .get(k)
                .map_err(|e| ReadError::Io(io(e)))?
                .ok_or(ReadError::Corrupt { seq, reason: "the registry index points at a missing record".into() })?;
            record::decode(seq, &bytes).map(|r| r.recorded)
        })
    }

    /// Checks the whole log: every record decodes, positions are gap-free,
    /// each hash chains to the previous one, the head matches the last
    /// record, and the id index agrees with the records. `progress` is
    /// called with each position checked.
    pub fn verify(&self, mut progress: impl FnMut(u64)) -> Result<Verified, ReadError> {
        let head = self.head()?;
        let mut prev = GENESIS;
        let mut checked = 0u64;
        let bad =
            |checked: u64, seq: u64, why: String| Ok(Verified { records: checked, head, first_bad: Some((seq, why)) });
        // what the registry and standing indexes must hold
        let mut references = Vec::new();
        let mut standing: std::collections::BTreeMap<Uuid, [u8; 32]> = std::collections::BTreeMap::new();
        for item in self.events.range(key(1)..=key(head.seq.max(1))) {
            if head.seq == 0 {
                break;
            }
            let (k, v) = item.map_err(|e| ReadError::Io(io(e)))?;
            let seq = u64_of(&k);
            if seq != checked + 1 {
                return bad(checked, checked + 1, "the record is missing".into());
            }
            let rec = match record::decode(seq, &v) {
                Ok(r) => r,
                Err(e) => return bad(checked, seq, e.to_string()),
            };
            if rec.prev_hash != prev {
                return bad(
                    checked,
                    seq,
                    "it does not chain to the previous record (a record was dropped, reordered or replaced)".into(),
                );
            }
            match self.ids.get(rec.recorded.event.id.as_bytes()).map_err(|e| ReadError::Io(io(e)))? {
                Some(at) if u64_of(&at) == seq => {}
                _ => {
                    return bad(
                        checked,
                        seq,
                        format!("the id index does not point at it (id {})", rec.recorded.event.id),
                    )
                }
            }
            let e = &rec.recorded.event;
            if e.kind.is_reference() {
                references.push(seq);
            }
            for (target, half) in [(e.corrects, 0), (e.retracts, 1)] {
                if let Some(target) = target {
                    standing.entry(target).or_insert([0; 32])[half * 16..half * 16 + 16]
                        .copy_from_slice(e.id.as_bytes());
                }
            }
            prev = rec.hash;
            checked = seq;
            progress(seq);
        }
        if checked != head.seq {
            return bad(checked, checked + 1, "the record is missing".into());
        }
        if prev != head.hash {
            return bad(checked, head.seq, "the head hash does not match the last record".into());
        }
        let indexed = self.ids.len() as u64;
        if indexed != head.seq {
            return bad(checked, head.seq, format!("the id index holds {indexed} ids for {} records", head.seq));
        }
        let rio = |e: sled::Error| ReadError::Io(io(e));
        let indexed: Vec<u64> =
            self.registry.iter().keys().map(|k| k.map(|k| u64_of(&k)).map_err(rio)).collect::<Result<_, _>>()?;
        if indexed != references {
            let first = indexed.iter().zip(&references).find(|(a, b)| a != b).map_or(head.seq, |(a, b)| *a.min(b));
            return bad(checked, first, "the registry index does not match the area and actor events".into());
        }
        let mut held = std::collections::BTreeMap::new();
        for item in self.standing.iter() {
            let (k, v) = item.map_err(rio)?;
            held.insert(Uuid::from_slice(&k).unwrap_or_default(), standing_value(v));
        }
        if held != standing {
            return bad(checked, head.seq, "the index of corrections and retractions does not match the log".into());
        }
        Ok(Verified { records: checked, head, first_bad: None })
    }

    /// Test and repair access to the raw records: overwrites the stored
    /// bytes at `seq` without touching the chain. Never used by sijil
    /// itself; tests use it to prove that `verify` catches tampering.
    #[doc(hidden)]
    pub fn tamper(&self, seq: u64, bytes: &[u8]) -> std::io::Result<()> {
        self.events.insert(key(seq), bytes).map_err(io)?;
        self.sync()
    }

    /// The raw stored bytes at `seq` (for tests and diagnostics).
    #[doc(hidden)]
    pub fn raw(&self, seq: u64) -> std::io::Result<Option<Vec<u8>>> {
        Ok(self.events.get(key(seq)).map_err(io)?.map(|v| v.to_vec()))
    }
}

/// A `standing` value: correction id, then retraction id (zero for none).
fn standing_value(v: impl AsRef<[u8]>) -> [u8; 32] {
    let mut out = [0u8; 32];
    let v = v.as_ref();
    let n = v.len().min(32);
    out[..n].copy_from_slice(&v[..n]);
    out
}

fn tx_err(e: TransactionError<()>) -> sled::Error {
    match e {
        TransactionError::Storage(e) => e,
        TransactionError::Abort(()) => sled::Error::Unsupported("transaction aborted".into()),
    }
}

fn key(seq: u64) -> [u8; 8] {
    seq.to_be_bytes()
}

fn u64_of(bytes: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let n = bytes.len().min(8);
    b[8 - n..].copy_from_slice(&bytes[..n]);
    u64::from_be_bytes(b)
}

#[cfg(unix)]
fn create_private_dir(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if let Some(parent) = path.parent() {
        if !parent.as_os_str().is_empty() {
            fs::create_dir_all(parent)?;
        }
    }
    match fs::DirBuilder::new().mode(0o700).create(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            fs::set_permissions(path, fs::Permissions::from_mode(0o700))
        }
        Err(e) => Err(e),
    }
}

/// The log holds names of detainees and sources: its folder is `0700` and
/// its files `0600`. Best effort: a log on a file system without modes
/// still opens.
#[cfg(unix)]
fn restrict_permissions(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(entries) = fs::read_dir(path) else { return };
    let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o700));
    for entry in entries.flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        let mode = if meta.is_dir() { 0o700 } else { 0o600 };
        if meta.permissions().mode() & 0o777 != mode {
            let _ = fs::set_permissions(entry.path(), fs::Permissions::from_mode(mode));
        }
    }
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) {}

#[cfg(not(unix))]
fn create_private_dir(path: &Path) -> std::io::Result<()> {
    fs::create_dir_all(path)
}
