//! sijil-store: the append-only, hash-chained event log on sled.
//!
//! Only this crate knows sled. The log is kept in the block file
//! ([`blockfile`]), where runs of consecutive records lie compressed, the
//! bulk of the log, and in these trees:
//!
//! - `block_refs`: where each block lies in the block file, keyed by the
//!   big-endian `u64` position of its first record ([`block`]);
//! - `events`: the tail, one record per key (big-endian `u64` position →
//!   record), where single appends land until [`CHUNK`] of them are folded
//!   into a block;
//! - `idx`: event id → position, in 65,536 hashed buckets ([`idx`]);
//! - `registry`: position → record of every `area` and `actor` event (all
//!   that name resolution needs, without reading the log);
//! - `standing`: event id → the ids of the correction and the retraction
//!   that name it;
//! - `meta`: the store's format version, the log's time zone and the
//!   committed head (position, chain hash, recording time);
//! - `quarantine`: records found past the head on open, set aside;
//! - `caches`: small caches derived from the log ([`Store::put_cache`]);
//!
//! and the checkpoint file ([`checkpoint`]): a cache of a projection at a
//! position ([`Store::checkpoint`]), which may be dropped at any time
//! without changing any answer.
//!
//! A record is a version byte, the recording time, the chain hash and the
//! event's canonical JSON ([`record`]); whether it sits in a block or in the
//! tail changes nothing of its bytes or its hash.
//!
//! Readers never look past the committed head. A small append writes its
//! records to the tail and advances the head in one sled transaction. A
//! large one (an [`Importer`]) writes blocks past the head on a second
//! thread while the caller goes on producing events, makes them durable,
//! then advances the head. Either way the block file is `fsync`ed, then
//! sled flushed and its file `fsync`ed, before the append returns: an acknowledged append survives a
//! crash, and an interrupted import leaves nothing visible (whatever lies
//! past the head is set aside on the next open).
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

pub mod block;
pub mod blockfile;
pub mod checkpoint;
pub mod idx;
pub mod mark;
pub mod record;

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::{DateTime, SubsecRound, Utc};
use sha2::Digest;
use sijil_core::ledger::Facts;
use sijil_core::{Event, Recorded};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;
use uuid::Uuid;

use block::{Block, Builder};
use blockfile::{BlockFile, Ref};
pub use record::{Head, GENESIS};

/// The on-disk format this build writes and reads (1: one record per key;
/// 2: blocks kept in sled's tree; 3: the block file, its blocks keeping
/// every record whole; all read and upgraded on open). Format 4 writes
/// blocks of version 2 ([`block`]), which an earlier sijil cannot read:
/// the number tells it so.
pub const FORMAT: u32 = 4;
/// Appends of this many events or more are written as blocks, through an
/// [`Importer`]; smaller ones go to the tail, which is folded into a block
/// once it holds this many.
pub const CHUNK: usize = 256;
/// sled's segment size for new logs. A tree page larger than a quarter of
/// it would go to an un-fsynced blob file; at 2 MiB a leaf of 17 tail
/// records of at most [`MAX_RECORD`] stays inside. Small segments also keep opening cheap:
/// sled rewrites the unused end of the last segment on every open.
const SEGMENT_SIZE: usize = 2 * 1024 * 1024;
/// The largest stored record, in bytes.
pub const MAX_RECORD: usize = 24 * 1024;
/// The file `create` writes in a new log's folder before sled makes its
/// own, and removes once the log's first head is durable: sled's files
/// holding nothing beside it are an `init` stopped half-way, no log yet.
/// Without it, sled's files holding nothing may be a log sled read back
/// as empty (it reads its file up to the first damaged spot), and are
/// never taken for a new log's beginnings.
pub const INITIALISING: &str = "initialising";
/// How long `open` waits for a lock that sled has not yet let go of.
const LOCK_WAIT: Duration = Duration::from_millis(250);
/// Logs shorter than this are scanned on the calling thread.
const PARALLEL_SCAN: u64 = 4096;
/// How many decoded blocks [`Store::get`] keeps (each at most 256 KiB).
const RECENT_BLOCKS: usize = 4;

const KEY_FORMAT: &[u8] = b"format";
/// The tree that held the blocks' bytes in format 2.
const OLD_BLOCKS: &str = "blocks";
/// The tree that held the checkpoints in format 2.
const OLD_CHECKPOINTS: &str = "checkpoints";
const KEY_ZONE: &[u8] = b"zone";
const KEY_HEAD: &[u8] = b"head";
/// Present once the `registry`, `standing` and `idx` indexes cover the whole log.
const KEY_INDEXES: &[u8] = b"indexes";
/// Present while an import writes past the head (and after a crash during one).
const KEY_IMPORTING: &[u8] = b"importing";

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
    #[error("{0} is a file; a log is a folder")]
    NotAFolder(PathBuf),
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

fn rio(e: sled::Error) -> ReadError {
    ReadError::Io(io(e))
}

fn aio(e: sled::Error) -> AppendError {
    AppendError::Io(io(e))
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

/// The trees of a log, cheap to clone and to hand to another thread.
#[derive(Clone)]
struct Trees {
    /// Position of a block's first record → where it lies in `file`.
    blocks: sled::Tree,
    /// The bytes of the blocks ([`blockfile`]).
    file: Arc<BlockFile>,
    tail: sled::Tree,
    idx: sled::Tree,
    meta: sled::Tree,
    registry: sled::Tree,
    standing: sled::Tree,
    quarantine: sled::Tree,
    /// Small caches derived from the log (name → position, hash, bytes).
    caches: sled::Tree,
}

impl Trees {
    /// The block at `first`, whose place is the stored value `v`.
    fn place(first: u64, v: &[u8]) -> Result<Ref, ReadError> {
        Ref::decode(v)
            .filter(|r| r.len as usize <= block::MAX_STORED && r.count as usize <= block::BLOCK_EVENTS)
            .ok_or(ReadError::Corrupt { seq: first, reason: "the place of its block is damaged".into() })
    }

    /// The block that holds `seq`, or the last one before it: the position
    /// of its first record and its place.
    fn block_before(&self, seq: u64) -> Result<Option<(u64, Ref)>, ReadError> {
        let Some((k, v)) = self.blocks.range(..=key(seq)).next_back().transpose().map_err(rio)? else {
            return Ok(None);
        };
        let first = u64_of(&k);
        Ok(Some((first, Trees::place(first, &v)?)))
    }

    /// The stored bytes of the block at `first`.
    fn block_bytes(&self, first: u64, r: Ref) -> Result<Vec<u8>, ReadError> {
        self.file.read(r).map_err(ReadError::Io)?.ok_or(ReadError::Corrupt {
            seq: first,
            reason: "its block is missing: the block file ends before it".into(),
        })
    }

    /// The block at `first`, read and checked against its place.
    fn load(&self, first: u64, r: Ref) -> Result<Block, ReadError> {
        let b = Block::decode(first, &self.block_bytes(first, r)?)?;
        if b.len() != r.count as usize {
            let reason = format!("its block holds {} records, not the {} its place says", b.len(), r.count);
            return Err(ReadError::Corrupt { seq: first, reason });
        }
        Ok(b)
    }

    /// Writes `blocks` (as [`Builder::finish`] gives them) to the block
    /// file, not yet durably, and says where each one went.
    fn write_blocks(&self, blocks: &[(u64, Vec<u8>)]) -> std::io::Result<Vec<(u64, Ref)>> {
        blocks
            .iter()
            .map(|(first, bytes)| {
                let count = block::count(bytes).unwrap_or(0) as usize;
                Ok((*first, self.file.append(bytes, count)?))
            })
            .collect()
    }

    /// The places of the blocks in a range of first positions.
    fn places(&self, range: sled::Iter) -> Places {
        Places { range }
    }
}

/// The places of a range of blocks, in order ([`Trees::places`]).
struct Places {
    range: sled::Iter,
}

impl Iterator for Places {
    type Item = Result<(u64, Ref), ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.range.next()?.map_err(rio).and_then(|(k, v)| {
            let first = u64_of(&k);
            Ok((first, Trees::place(first, &v)?))
        }))
    }
}

/// The log on disk.
pub struct Store {
    path: PathBuf,
    db: sled::Db,
    t: Trees,
    zone: String,
    writer: Mutex<()>,
    /// Held while the checkpoint file is written or removed.
    checkpointing: Mutex<()>,
    /// The blocks [`Store::get`] read last, decoded and checked, by their
    /// first position and place, the latest first: the ids of a file
    /// imported again lie in the same few blocks, which are then decoded
    /// once, not once per id. A rewritten block has another place.
    recent: Mutex<Vec<(u64, Ref, Arc<Block>)>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn is_empty_dir(path: &Path) -> bool {
    path.is_dir() && fs::read_dir(path).is_ok_and(|mut d| d.next().is_none())
}

/// Whether the folder holds only what `create` and sled write first when
/// they make a store ([`INITIALISING`], an empty `blobs` folder, and
/// perhaps sled's settings, `conf`) and not yet sled's file: an `init`
/// stopped before sled made `db`.
fn holds_only_sled_start(path: &Path) -> bool {
    let Ok(entries) = fs::read_dir(path) else { return false };
    // `create` writes its note, then sled makes `blobs`, writes `conf`,
    // then makes `db`
    let mut begun = false;
    for entry in entries {
        let Ok(entry) = entry else { return false };
        match entry.file_name().to_str() {
            Some("conf") if entry.path().is_file() => {}
            Some("blobs") if is_empty_dir(&entry.path()) => begun = true,
            Some(INITIALISING) if entry.path().is_file() => begun = true,
            _ => return false,
        }
    }
    begun
}

fn is_log_dir(path: &Path) -> bool {
    path.join("conf").is_file() && path.join("db").is_file()
}

/// Removes the snapshot files sled began and never finished.
///
/// sled 0.34.7 writes each snapshot (it writes one on every open) to
/// `snap.<lsn>.generating`, syncs it and renames it to `snap.<lsn>`; but
/// when it opens, it takes every `snap.` file but those ending in
/// `.in___motion` for a snapshot. A `.generating` file left by a process
/// killed while writing it sorts after the finished one, is read as the
/// newest snapshot, fails its checksum, and sled refuses the whole log as
/// damaged. It never was a snapshot (it was not renamed), and sled
/// rebuilds what it would have held from its file and the snapshot
/// before, so it is removed — under the lock sled takes on `db`, so that
/// no running process is writing it. Held by another process, the lock
/// is left to the open that follows, which waits for it.
///
/// A `.generating` file that holds a whole snapshot (its checksum right)
/// is kept: sled reads it as it is. It may be the only snapshot there is
/// (sled renames it and removes the one before without syncing the
/// folder, so a power cut can keep the removal and lose the rename), and
/// without its snapshot sled may read its file as holding nothing.
fn clear_unfinished_snapshots(path: &Path) -> std::io::Result<()> {
    if generating_snapshots(path)?.is_empty() {
        return Ok(());
    }
    let db = match File::open(path.join("db")) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    match db.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Ok(()),
        Err(std::fs::TryLockError::Error(e)) => return Err(e),
    }
    // read under the lock: no process is writing them now
    for p in unfinished_snapshots(path)? {
        match fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    // closing `db` lets the lock go, for sled to take
    Ok(())
}

/// The `snap.<lsn>.generating` files in the folder (none when it is missing).
fn generating_snapshots(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let generating = |p: &PathBuf| {
        p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("snap.") && n.ends_with(".generating"))
    };
    match fs::read_dir(path) {
        Ok(dir) => Ok(dir.filter_map(|e| e.ok().map(|e| e.path())).filter(generating).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// The `snap.<lsn>.generating` files in the folder that do not hold a
/// whole snapshot.
fn unfinished_snapshots(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = generating_snapshots(path)?;
    found.retain(|p| fs::read(p).is_ok_and(|bytes| !whole_snapshot(&bytes)));
    Ok(found)
}

/// Whether a snapshot file's bytes pass sled 0.34.7's check of a snapshot
/// (`read_snapshot`): more than 12 bytes, the last 4 the CRC-32 (little
/// endian) of all but the last 12.
fn whole_snapshot(bytes: &[u8]) -> bool {
    let len = bytes.len();
    len > 12 && crc32fast::hash(&bytes[..len - 12]).to_le_bytes()[..] == bytes[len - 4..]
}

/// The segment size an existing sled folder was created with (sled refuses
/// to open it with another).
fn existing_segment_size(path: &Path) -> Option<usize> {
    // sled's conf is text lines followed by a binary checksum
    let conf = fs::read(path.join("conf")).ok()?;
    String::from_utf8_lossy(&conf)
        .lines()
        .find_map(|l| l.strip_prefix("segment_size: "))
        .and_then(|v| v.trim().parse().ok())
}

impl Store {
    /// Opens an existing log.
    pub fn open(path: &Path) -> Result<Store, OpenError> {
        // an empty folder holds no log yet: `create` makes one there
        if !path.exists() || is_empty_dir(path) || holds_only_sled_start(path) {
            return Err(OpenError::Missing(path.to_path_buf()));
        }
        if !path.is_dir() {
            return Err(OpenError::NotAFolder(path.to_path_buf()));
        }
        // a folder this user may not read is not "not a log"
        if let Err(source) = fs::read_dir(path).and_then(|_| fs::metadata(path.join("conf")).map(|_| ())) {
            if source.kind() == std::io::ErrorKind::PermissionDenied {
                return Err(OpenError::Io { path: path.to_path_buf(), source });
            }
        }
        if !is_log_dir(path) {
            return Err(OpenError::NotALog(path.to_path_buf()));
        }
        let store = Store::open_sled(path)?;
        let Some(format) = store.t.meta.get(KEY_FORMAT).map_err(|e| store.open_io(e))? else {
            // an `init` stopped before the log's first records were durable
            // left sled's files and nothing else: there is no log there yet
            if store.never_finished()? {
                return Err(OpenError::Missing(path.to_path_buf()));
            }
            // a log whose store sled read back as empty
            if path.join(mark::FILE).exists() {
                let noted = match mark::read(path) {
                    Some(m) if m.seq > 0 => format!("it had acknowledged records up to #{}", m.seq),
                    _ => "its head mark shows it was made".to_string(),
                };
                return Err(store.corrupt(&format!(
                    "{noted}, but its store now holds nothing of it (the storage engine drops \
                     everything after a damaged spot in its file); restore the folder from a copy"
                )));
            }
            return Err(OpenError::NotALog(path.to_path_buf()));
        };
        let found = u32::from_be_bytes(format.as_ref().try_into().map_err(|_| store.corrupt("bad format record"))?);
        if found > FORMAT {
            return Err(OpenError::TooNew { path: path.to_path_buf(), found });
        }
        if found < 2 {
            // format 1 kept one record per key (now the tail) and one id per
            // key: rebuild the indexes in this format's shape
            store.t.meta.remove(KEY_INDEXES).map_err(|e| store.open_io(e))?;
            let _ = store.db.drop_tree("ids");
        }
        if found < 3 {
            store.move_blocks_out().map_err(|e| store.corrupt(&e.to_string()))?;
        }
        store.finish_open(found < FORMAT)
    }

    /// Creates a new log whose days and local times are read in `zone`.
    pub fn create(path: &Path, zone: &str) -> Result<Store, OpenError> {
        if path.exists() && !path.is_dir() {
            return Err(OpenError::NotAFolder(path.to_path_buf()));
        }
        if path.is_dir() && holds_only_sled_start(path) {
            // made again (sled's settings may have been cut short)
            let _ = fs::remove_file(path.join("conf"));
            let _ = fs::remove_dir(path.join("blobs"));
            let _ = fs::remove_file(path.join(INITIALISING));
        }
        if path.exists() && fs::read_dir(path).map(|mut d| d.next().is_some()).unwrap_or(true) {
            if !is_log_dir(path) {
                return Err(OpenError::NotALog(path.to_path_buf()));
            }
            // a log has its head mark from its first `fsync` on
            if path.join(mark::FILE).exists() {
                return Err(OpenError::Exists(path.to_path_buf()));
            }
            // what an `init` stopped half-way left is made into the log
            let store = Store::open_sled(path)?;
            if store.t.meta.get(KEY_FORMAT).map_err(|e| store.open_io(e))?.is_some() || !store.never_finished()? {
                return Err(OpenError::Exists(path.to_path_buf()));
            }
            return store.initialise(zone);
        }
        create_private_dir(path)
            .and_then(|()| fs::write(path.join(INITIALISING), b""))
            .map_err(|source| OpenError::Io { path: path.to_path_buf(), source })?;
        Store::open_sled(path)?.initialise(zone)
    }

    /// Whether the folder holds sled's files and nothing of a log: no
    /// record, block, index, cache or head, and no head mark (written once
    /// a log's first head is durable), beside the note `create` writes
    /// before sled makes its files ([`INITIALISING`]). What an `init`
    /// killed before its first `fsync` leaves.
    fn never_finished(&self) -> Result<bool, OpenError> {
        if self.path.join(mark::FILE).exists() || !self.path.join(INITIALISING).is_file() {
            return Ok(false);
        }
        let t = &self.t;
        let trees = [&t.meta, &t.blocks, &t.tail, &t.idx, &t.registry, &t.standing, &t.quarantine, &t.caches];
        if trees.iter().any(|tree| !tree.is_empty()) {
            return Ok(false);
        }
        let size = t.file.size().map_err(|source| OpenError::Io { path: self.path.clone(), source })?;
        Ok(size == 0)
    }

    /// Writes a new log's first records into a store that holds none.
    fn initialise(self, zone: &str) -> Result<Store, OpenError> {
        let store = self;
        let path = store.path.clone();
        let path = path.as_path();
        let head = Head { seq: 0, hash: GENESIS, recorded_at: DateTime::<Utc>::UNIX_EPOCH };
        store
            .t
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
        mark::write(path, &head).map_err(|source| OpenError::Io { path: path.to_path_buf(), source })?;
        store.finish_open(false)
    }

    /// Opens the log, creating it with `zone` when there is none.
    pub fn open_or_create(path: &Path, zone: &str) -> Result<Store, OpenError> {
        match Store::open(path) {
            Err(OpenError::Missing(_)) => Store::create(path, zone),
            other => other,
        }
    }

    fn open_sled(path: &Path) -> Result<Store, OpenError> {
        let segment = existing_segment_size(path).unwrap_or(SEGMENT_SIZE);
        let config = sled::Config::new().path(path).segment_size(segment).cache_capacity(64 * 1024 * 1024);
        // sled 0.34 lets go of its file lock a moment after the last handle
        // is dropped (observed here): a log just closed in this process looks
        // locked for some milliseconds, so a held lock is waited out briefly
        let started = Instant::now();
        let mut retried = false;
        let db = loop {
            clear_unfinished_snapshots(path).map_err(|source| OpenError::Io { path: path.to_path_buf(), source })?;
            match config.open() {
                Err(sled::Error::Io(ref io)) if io.to_string().contains("could not acquire lock") => {
                    if started.elapsed() >= LOCK_WAIT {
                        return Err(OpenError::Locked(path.to_path_buf()));
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                Ok(db) => break db,
                Err(sled::Error::Io(io)) => return Err(OpenError::Io { path: path.to_path_buf(), source: io }),
                // another process, killed while it wrote a snapshot between
                // the clearing above and this open, may have left one: cleared
                // at the top of the loop, once
                Err(sled::Error::Corruption { .. })
                    if !retried && unfinished_snapshots(path).is_ok_and(|v| !v.is_empty()) =>
                {
                    retried = true;
                }
                Err(other) => return Err(OpenError::Corrupt { path: path.to_path_buf(), reason: sled_reason(&other) }),
            }
        };
        let tree = |name: &str| {
            db.open_tree(name).map_err(|e| OpenError::Corrupt { path: path.to_path_buf(), reason: sled_reason(&e) })
        };
        let t = Trees {
            blocks: tree("block_refs")?,
            file: Arc::new(BlockFile::open(path).map_err(|source| OpenError::Io { path: path.to_path_buf(), source })?),
            tail: tree("events")?,
            idx: tree("idx")?,
            meta: tree("meta")?,
            registry: tree("registry")?,
            standing: tree("standing")?,
            quarantine: tree("quarantine")?,
            caches: tree("caches")?,
        };
        Ok(Store {
            t,
            path: path.to_path_buf(),
            db,
            zone: String::new(),
            writer: Mutex::new(()),
            checkpointing: Mutex::new(()),
            recent: Mutex::new(Vec::new()),
        })
    }

    /// Refuses a store that recovered a head behind the last one it
    /// acknowledged (see [`mark`]), and notes the head when the mark is
    /// missing, unreadable or behind it.
    fn check_mark(&self, head: &Head) -> Result<(), OpenError> {
        match mark::read(&self.path) {
            Some(m) if m.seq > head.seq => Err(self.corrupt(&format!(
                "it had acknowledged records up to #{}, but its store now holds only up to #{} \
                 (the storage engine drops everything after a damaged spot in its file; a copy \
                 taken while a command appended can stop short the same way); restore the folder \
                 from a copy, or remove {} to read what it holds",
                m.seq,
                head.seq,
                self.path.join(mark::FILE).display()
            ))),
            Some(m) if m.seq == head.seq && m.hash != head.hash => Err(self.corrupt(&format!(
                "its last record, #{}, is not the one it had acknowledged; restore the folder from a copy",
                head.seq
            ))),
            Some(m) if m == *head => Ok(()),
            _ => {
                // the head sled recovered may not be on disk yet (its own
                // flusher writes without syncing): the mark may only follow
                // what is durable. Both are best-effort, as after an append.
                if self.sync().is_ok() {
                    let _ = mark::write(&self.path, head);
                }
                Ok(())
            }
        }
    }

    fn open_io(&self, e: sled::Error) -> OpenError {
        OpenError::Io { path: self.path.clone(), source: io(e) }
    }

    fn corrupt(&self, reason: &str) -> OpenError {
        OpenError::Corrupt { path: self.path.clone(), reason: reason.to_string() }
    }

    /// Reads the zone, sets aside whatever an interrupted append left past
    /// the committed head, and builds missing indexes.
    fn finish_open(mut self, upgrade: bool) -> Result<Store, OpenError> {
        // the log's first head is durable (a new log's, in `initialise`)
        let _ = fs::remove_file(self.path.join(INITIALISING));
        restrict_permissions(&self.path);
        let zone = self.t.meta.get(KEY_ZONE).map_err(|e| self.open_io(e))?.ok_or_else(|| self.corrupt("no zone"))?;
        self.zone = String::from_utf8(zone.to_vec()).map_err(|_| self.corrupt("zone is not UTF-8"))?;
        let head = self.head().map_err(|e| self.corrupt(&e.to_string()))?;
        self.check_mark(&head)?;
        self.discard_past_head(head.seq).map_err(|source| OpenError::Io { path: self.path.clone(), source })?;
        if self.t.meta.get(KEY_INDEXES).map_err(|e| self.open_io(e))?.is_none() {
            self.rebuild_indexes(head.seq).map_err(|e| self.corrupt(&e.to_string()))?;
        }
        if upgrade {
            self.t.meta.insert(KEY_FORMAT, &FORMAT.to_be_bytes()).map_err(|e| self.open_io(e))?;
            self.sync().map_err(|source| OpenError::Io { path: self.path.clone(), source })?;
        }
        // format 2's blocks, once format 3 is durable (a crash before that
        // redoes the move from them), and its checkpoints (caches)
        let names = self.db.tree_names();
        let old: Vec<&str> = [OLD_BLOCKS, OLD_CHECKPOINTS]
            .into_iter()
            .filter(|old| names.iter().any(|n| n.as_ref() == old.as_bytes()))
            .collect();
        for tree in &old {
            self.db.drop_tree(tree).map_err(|e| self.open_io(e))?;
        }
        if !old.is_empty() {
            self.sync().map_err(|source| OpenError::Io { path: self.path.clone(), source })?;
        }
        Ok(self)
    }

    /// Format 2 kept each block's bytes in sled's tree `blocks`: writes
    /// them to the block file, in order, and their places to the new tree,
    /// starting over from an empty file (a move cut short by a crash is
    /// simply redone: the old tree stays until the new format is durable).
    fn move_blocks_out(&self) -> Result<(), ReadError> {
        self.t.blocks.clear().map_err(rio)?;
        self.t.file.clear().map_err(ReadError::Io)?;
        let old = self.db.open_tree(OLD_BLOCKS).map_err(rio)?;
        let mut refs = sled::Batch::default();
        for item in old.iter() {
            let (k, v) = item.map_err(rio)?;
            // a damaged block moves as it is, to be named where it is read
            let count = block::count(&v).unwrap_or(0);
            let r = self.t.file.append(&v, count as usize).map_err(ReadError::Io)?;
            refs.insert(&k, &r.encode());
        }
        self.t.file.sync().map_err(ReadError::Io)?;
        self.t.blocks.apply_batch(refs).map_err(rio)?;
        self.sync().map_err(ReadError::Io)
    }

    /// Builds the `idx`, `registry` and `standing` indexes from the records
    /// (for a log written before they existed in this shape).
    fn rebuild_indexes(&self, head: u64) -> Result<(), ReadError> {
        self.t.idx.clear().map_err(rio)?;
        self.t.registry.clear().map_err(rio)?;
        self.t.standing.clear().map_err(rio)?;
        let mut buckets: HashMap<[u8; 2], Vec<u8>> = HashMap::new();
        for item in self.raw_records(head) {
            let (seq, bytes) = item?;
            let e = record::decode(seq, &bytes)?.recorded.event;
            idx::put(buckets.entry(idx::bucket(&e.id)).or_default(), &e.id, seq);
            if e.kind.is_reference() {
                self.t.registry.insert(key(seq), bytes).map_err(rio)?;
            }
            for (target, half) in [(e.corrects, 0), (e.retracts, 1)] {
                if let Some(target) = target {
                    let mut v = self.t.standing.get(target.as_bytes()).map_err(rio)?.map_or([0u8; 32], standing_value);
                    v[half * 16..half * 16 + 16].copy_from_slice(e.id.as_bytes());
                    self.t.standing.insert(target.as_bytes(), &v).map_err(rio)?;
                }
            }
        }
        let mut batch = sled::Batch::default();
        for (b, v) in buckets {
            batch.insert(&b, v);
        }
        self.t.idx.apply_batch(batch).map_err(rio)?;
        self.t.meta.insert(KEY_INDEXES, &[1u8]).map_err(rio)?;
        self.sync().map_err(ReadError::Io)
    }

    /// Sets aside whatever an interrupted append left past the committed
    /// head: records (moved to `quarantine`, never deleted: a head lowered
    /// behind sijil's back must not erase committed records), and the index
    /// entries that point past it (only those: a stray record may be a copy
    /// of a committed event).
    fn discard_past_head(&self, head: u64) -> std::io::Result<()> {
        let t = &self.t;
        let mut stray = t.meta.get(KEY_IMPORTING).map_err(io)?.is_some();
        // keyed by position and content; a damaged block (up to 128 KiB)
        // in numbered pieces no larger than a record, since sled would
        // write a page of 17 larger values to a blob file it never syncs
        let set_aside = |seq: u64, bytes: &[u8]| -> std::io::Result<()> {
            let mut qkey = key(seq).to_vec();
            qkey.extend_from_slice(&sha2::Sha256::digest(bytes)[..8]);
            if bytes.len() <= MAX_RECORD {
                t.quarantine.insert(qkey, bytes).map_err(io)?;
                return Ok(());
            }
            for (i, piece) in bytes.chunks(MAX_RECORD).enumerate() {
                let mut pkey = qkey.clone();
                pkey.extend_from_slice(&(i as u16).to_be_bytes());
                t.quarantine.insert(pkey, piece).map_err(io)?;
            }
            Ok(())
        };
        // new blocks go after every block known, even if the file lost its
        // end (a damaged place is named where it is read)
        for item in t.blocks.iter() {
            let (k, v) = item.map_err(io)?;
            if let Ok(r) = Trees::place(u64_of(&k), &v) {
                t.file.reach(r.end());
            }
        }
        // a block that runs past the head keeps its records up to the head
        let straddling = match t.block_before(head) {
            Ok(found) => found,
            Err(ReadError::Io(e)) => return Err(e),
            // a damaged place is for `verify` to report
            Err(_) => None,
        };
        if let Some((first, r)) = straddling {
            if first + u64::from(r.count) > head + 1 {
                if let Ok(b) = t.load(first, r) {
                    // a block whose records do not all read as stored is
                    // set aside whole, as stored, before its kept part is
                    // written again: what only its bytes hold is not lost
                    let as_stored = b.reads_as_stored();
                    if !as_stored {
                        set_aside(first, &t.file.read_what_is_there(r)?)?;
                    }
                    let mut kept = Builder::default();
                    for (i, rec) in b.records().enumerate() {
                        if first + i as u64 <= head {
                            kept.push(rec);
                        } else if as_stored {
                            set_aside(first + i as u64, rec)?;
                        }
                    }
                    // kept as read, damage and all (version 1)
                    let placed = t.write_blocks(&kept.finish_whole(first))?;
                    // the records kept must be on disk before their new place
                    t.file.sync()?;
                    for (at, r) in placed {
                        t.blocks.insert(key(at), &r.encode()).map_err(io)?;
                    }
                    stray = true;
                }
            }
        }
        for item in t.blocks.range(key(head.saturating_add(1))..) {
            let (k, v) = item.map_err(io)?;
            let first = u64_of(&k);
            let place = Trees::place(first, &v).ok();
            match place.map(|r| t.load(first, r)) {
                Some(Ok(b)) if b.reads_as_stored() => {
                    for (i, r) in b.records().enumerate() {
                        set_aside(first + i as u64, r)?;
                    }
                }
                // what can be read of a damaged block is kept as it is,
                // whatever its place says (at most a block's largest size),
                // and so is a block whose records do not all read as stored
                _ => {
                    if let Some(r) = Ref::decode(&v) {
                        let r = Ref { len: r.len.min(block::MAX_STORED as u32), ..r };
                        set_aside(first, &t.file.read_what_is_there(r)?)?;
                    }
                }
            }
            t.blocks.remove(k).map_err(io)?;
            stray = true;
        }
        for item in t.tail.range(key(head.saturating_add(1))..) {
            let (k, v) = item.map_err(io)?;
            set_aside(u64_of(&k), &v)?;
            t.tail.remove(k).map_err(io)?;
            stray = true;
        }
        // a checkpoint of records no longer in the log is no use
        if checkpoint::header(&self.path).is_some_and(|h| h.seq > head) {
            checkpoint::remove(&self.path)?;
        }
        if !stray {
            return self.cut_block_file();
        }
        for item in t.idx.iter() {
            let (b, v) = item.map_err(io)?;
            let mut v = v.to_vec();
            if idx::keep_upto(&mut v, head) {
                t.idx.insert(b, v).map_err(io)?;
            }
        }
        for item in t.registry.range(key(head.saturating_add(1))..) {
            let (k, _) = item.map_err(io)?;
            t.registry.remove(k).map_err(io)?;
        }
        // a correction or retraction past the head names nothing yet
        for item in t.standing.iter() {
            let (target, v) = item.map_err(io)?;
            let mut v = standing_value(v);
            let mut changed = false;
            for half in 0..2 {
                let by = Uuid::from_slice(&v[half * 16..half * 16 + 16]).unwrap_or_default();
                if !by.is_nil() && self.id_seq(&by).map_err(io)?.is_none_or(|at| at > head) {
                    v[half * 16..half * 16 + 16].fill(0);
                    changed = true;
                }
            }
            if changed {
                if v == [0u8; 32] {
                    t.standing.remove(target).map_err(io)?;
                } else {
                    t.standing.insert(target, &v).map_err(io)?;
                }
            }
        }
        t.meta.remove(KEY_IMPORTING).map_err(io)?;
        self.sync()?;
        self.cut_block_file()
    }

    /// Cuts the block file after the last block sled knows of (durably:
    /// what lies past it is what an interrupted import or fold of the tail
    /// wrote, never reachable). A damaged place cuts nothing.
    fn cut_block_file(&self) -> std::io::Result<()> {
        let mut end = 0;
        for item in self.t.blocks.iter() {
            let (_, v) = item.map_err(io)?;
            end = end.max(Ref::decode(&v).map_or(u64::MAX, |r| r.end()));
        }
        self.t.file.cut_to(end)
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
        head_of(&self.t.meta)
    }

    /// Makes everything written so far durable: sled's flush, then a real
    /// `fsync` of its file (sled 0.34's flush alone uses
    /// `sync_file_range`, which a power cut can undo).
    fn sync(&self) -> std::io::Result<()> {
        self.t.file.sync()?;
        self.db.flush().map_err(io)?;
        File::open(self.path.join("db"))?.sync_all()
    }

    /// The position the id index gives `id`, committed or not.
    fn id_seq(&self, id: &Uuid) -> Result<Option<u64>, sled::Error> {
        Ok(self.t.idx.get(idx::bucket(id))?.and_then(|v| idx::find(&v, id)))
    }

    /// The stored bytes at `seq`, in the tail or in a block.
    fn record_bytes(&self, seq: u64) -> Result<Option<Vec<u8>>, ReadError> {
        if let Some(v) = self.t.tail.get(key(seq)).map_err(rio)? {
            return Ok(Some(v.to_vec()));
        }
        let Some((first, r)) = self.t.block_before(seq)? else {
            return Ok(None);
        };
        if seq >= first + u64::from(r.count) {
            return Ok(None);
        }
        let b = self.recent_block(first, r)?;
        Ok(Some(b.record((seq - first) as usize).to_vec()))
    }

    /// The block at `first`, placed at `r`: from [`Store::recent`] when it
    /// was read lately, else read, checked and kept there.
    fn recent_block(&self, first: u64, r: Ref) -> Result<Arc<Block>, ReadError> {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = recent.iter().position(|(f, p, _)| *f == first && *p == r) {
            let hit = recent.remove(i);
            let b = hit.2.clone();
            recent.insert(0, hit);
            return Ok(b);
        }
        drop(recent);
        let b = Arc::new(self.t.load(first, r)?);
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.insert(0, (first, r, b.clone()));
        recent.truncate(RECENT_BLOCKS);
        Ok(b)
    }

    /// Appends `events` atomically, all recorded at `now` (or at the head's
    /// recording time, if the clock went back). With `expect`, appends only
    /// if the head is at that position.
    pub fn append(&self, events: &[Event], now: DateTime<Utc>, expect: Option<u64>) -> Result<Appended, AppendError> {
        if events.len() >= CHUNK {
            let mut import = self.importer(now, expect)?;
            for e in events {
                import.push(e.clone())?;
            }
            return import.commit();
        }
        let _guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let (head, recorded_at) = self.start_append(now, expect)?;
        if events.is_empty() {
            return Ok(Appended { first: head.seq + 1, last: head.seq, recorded_at });
        }
        // encode and chain everything first: nothing is written if one fails
        let mut encoded = Vec::with_capacity(events.len());
        let mut hash = head.hash;
        let mut seq = head.seq;
        let mut seen = HashSet::new();
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
            encoded.push((seq, e, bytes));
        }
        for (_, e, _) in &encoded {
            if let Some(at) = self.id_seq(&e.id).map_err(aio)?.filter(|&at| at <= head.seq) {
                return Err(AppendError::IdExists { id: e.id, seq: at });
            }
        }
        let new_head = Head { seq, hash, recorded_at };
        let t = &self.t;
        (&t.tail, &t.idx, &t.meta, &t.registry, &t.standing)
            .transaction(|(tail, ids, meta, registry, standing)| {
                for (seq, e, bytes) in &encoded {
                    tail.insert(&key(*seq), bytes.as_slice())?;
                    let b = idx::bucket(&e.id);
                    let mut v = ids.get(b)?.map(|v| v.to_vec()).unwrap_or_default();
                    idx::put(&mut v, &e.id, *seq);
                    ids.insert(&b, v)?;
                    if e.kind.is_reference() {
                        registry.insert(&key(*seq), bytes.as_slice())?;
                    }
                    for (target, half) in [(e.corrects, 0), (e.retracts, 1)] {
                        if let Some(target) = target {
                            let mut v = standing.get(target.as_bytes())?.map_or([0u8; 32], standing_value);
                            v[half * 16..half * 16 + 16].copy_from_slice(e.id.as_bytes());
                            standing.insert(target.as_bytes(), &v)?;
                        }
                    }
                }
                // the head moves only if no one moved it meanwhile
                if head_in(meta)? != Some(head) {
                    return sled::transaction::abort(());
                }
                meta.insert(KEY_HEAD, new_head.encode().to_vec())?;
                Ok(())
            })
            .map_err(head_moved)?;
        // the append is in: a fold that fails leaves the tail as it is, to
        // be folded by a later append
        let _ = self.fold_tail(seq, CHUNK as u64);
        self.sync().map_err(AppendError::Io)?;
        // durable now: a mark that fails to be written only lags (see `mark`)
        let _ = mark::write(&self.path, &new_head);
        Ok(Appended { first: head.seq + 1, last: seq, recorded_at })
    }

    /// The head, checked against `expect`, and the recording time of an
    /// append made `now`.
    fn start_append(&self, now: DateTime<Utc>, expect: Option<u64>) -> Result<(Head, DateTime<Utc>), AppendError> {
        let head = self.head().map_err(|e| AppendError::Io(std::io::Error::other(e.to_string())))?;
        if let Some(expected) = expect {
            if expected != head.seq {
                return Err(AppendError::SeqMismatch { expected, actual: head.seq });
            }
        }
        // the record keeps microseconds: report the time it stores
        Ok((head, now.trunc_subsecs(6).max(head.recorded_at)))
    }

    /// Moves the tail's records up to `head` into blocks, once there are at
    /// least `min` of them. Content is unchanged; a crash leaves either the
    /// tail or the blocks, each whole.
    fn fold_tail(&self, head: u64, min: u64) -> Result<(), sled::Error> {
        let Some((k, _)) = self.t.tail.first()? else { return Ok(()) };
        let first = u64_of(&k);
        if first > head || head - first + 1 < min {
            return Ok(());
        }
        let mut blocks: Vec<(u64, Vec<u8>)> = Vec::new();
        let mut folded = Vec::new();
        let mut builder = Builder::default();
        let mut start = first;
        for item in self.t.tail.range(key(first)..=key(head)) {
            let (k, v) = item?;
            let seq = u64_of(&k);
            if seq != first + folded.len() as u64 {
                break; // a gap: leave the rest for `verify` to report
            }
            if builder.is_full_for(v.len()) {
                blocks.extend(builder.finish(start));
                start = seq;
            }
            builder.push(&v);
            folded.push(k);
        }
        if !builder.is_empty() {
            blocks.extend(builder.finish(start));
        }
        // the blocks on disk first: the tail goes once they are durable
        let placed = self.t.write_blocks(&blocks).map_err(sled::Error::Io)?;
        self.t.file.sync().map_err(sled::Error::Io)?;
        (&self.t.blocks, &self.t.tail)
            .transaction(|(b, tail)| {
                for (first, r) in &placed {
                    b.insert(&key(*first), &r.encode())?;
                }
                for k in &folded {
                    tail.remove(k)?;
                }
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .map_err(tx_err)
    }

    /// Starts a large append: events pushed are encoded, chained,
    /// compressed and written past the head on a second thread; nothing is
    /// visible until [`Importer::commit`]. Dropping the importer without
    /// committing sets aside what it wrote.
    pub fn importer(&self, now: DateTime<Utc>, expect: Option<u64>) -> Result<Importer<'_>, AppendError> {
        self.importer_watched(now, expect, None)
    }

    /// [`Store::importer`], with `watch` called on the writer thread with
    /// each event as it is written (its position, its recording time), in
    /// log order: a fold of the import (say, for a checkpoint) that costs
    /// the thread admitting lines nothing.
    pub fn importer_watched(
        &self,
        now: DateTime<Utc>,
        expect: Option<u64>,
        watch: Option<Watch>,
    ) -> Result<Importer<'_>, AppendError> {
        let guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let (head, recorded_at) = self.start_append(now, expect)?;
        // blocks stay in log order: the tail goes into blocks before new ones
        self.fold_tail(head.seq, 1).map_err(aio)?;
        self.t.meta.insert(KEY_IMPORTING, &[1u8]).map_err(aio)?;
        let (tx, rx) = sync_channel::<Vec<Event>>(4);
        let (back_tx, back) = sync_channel::<Vec<Event>>(8);
        let writer = ImportWriter {
            back: back_tx,
            watch,
            t: self.t.clone(),
            head: head.seq,
            seq: head.seq,
            hash: head.hash,
            recorded_at,
            builder: Builder::default(),
            block_first: head.seq + 1,
            buckets: HashMap::new(),
        };
        let worker = std::thread::Builder::new()
            .name("sijil-import".into())
            .spawn(move || writer.run(rx))
            .map_err(AppendError::Io)?;
        Ok(Importer {
            store: self,
            _guard: guard,
            tx: Some(tx),
            back,
            worker: Some(worker),
            buf: Vec::with_capacity(CHUNK),
            head,
            recorded_at,
            done: false,
        })
    }

    /// The committed records from position 1 to `upto` (clipped to the
    /// head), in order. A long log is decoded on other threads while the
    /// caller consumes it.
    pub fn scan(&self, upto: u64) -> Scan {
        let end = match self.head() {
            Ok(h) => h.seq.min(upto),
            Err(e) => return Scan::failed(e),
        };
        Scan::new(&self.t, 1, end)
    }

    /// The committed records from position `first` to `upto` (clipped to
    /// the head), in order: [`Store::scan`] starting further on.
    pub fn scan_from(&self, first: u64, upto: u64) -> Scan {
        let end = match self.head() {
            Ok(h) => h.seq.min(upto),
            Err(e) => return Scan::failed(e),
        };
        Scan::new(&self.t, first, end)
    }

    /// The stored bytes of the committed records up to `end`, in order.
    fn raw_records(&self, end: u64) -> RawRecords {
        RawRecords {
            t: self.t.clone(),
            blocks: self.t.places(self.t.blocks.range(..=key(end.max(1)))),
            tail: self.t.tail.range(..=key(end.max(1))),
            current: None,
            in_tail: false,
            end,
            done: end == 0,
        }
    }

    /// [`Store::scan_from`], reading each record as the [`Facts`] a ledger
    /// keeps rather than as a whole event: what a replay into the ledger
    /// needs, at a fraction of the allocations.
    pub fn scan_facts_from(&self, first: u64, upto: u64) -> Scan<Folded> {
        let end = match self.head() {
            Ok(h) => h.seq.min(upto),
            Err(e) => return Scan::failed(e),
        };
        Scan::new(&self.t, first, end)
    }

    /// The committed records at these positions (in ascending order), in
    /// that order: each block they fall in is read once, and only the
    /// records asked for are decoded. A position past the head, or not in
    /// the log, is an error naming it.
    pub fn fetch(&self, positions: &[u64]) -> Result<Vec<Recorded>, ReadError> {
        let head = self.head()?.seq;
        let mut out = Vec::with_capacity(positions.len());
        let mut current: Option<(u64, Block)> = None;
        for &seq in positions {
            let missing = || ReadError::Corrupt { seq, reason: "the record is missing".into() };
            if seq == 0 || seq > head {
                return Err(missing());
            }
            let in_current = current.as_ref().is_some_and(|(first, b)| seq >= *first && seq - first < b.len() as u64);
            if !in_current {
                current = None;
                if let Some(v) = self.t.tail.get(key(seq)).map_err(rio)? {
                    out.push(record::decode(seq, &v)?.recorded);
                    continue;
                }
                let Some((first, r)) = self.t.block_before(seq)? else {
                    return Err(missing());
                };
                let b = self.t.load(first, r)?;
                if seq - first >= b.len() as u64 {
                    return Err(missing());
                }
                current = Some((first, b));
            }
            if let Some((first, b)) = &current {
                out.push(record::decode(seq, b.record((seq - first) as usize))?.recorded);
            }
        }
        Ok(out)
    }

    /// The record with this id, if the log holds it.
    pub fn get(&self, id: &Uuid) -> Result<Option<Recorded>, ReadError> {
        let Some(seq) = self.id_seq(id).map_err(rio)? else {
            return Ok(None);
        };
        if seq > self.head()?.seq {
            return Ok(None);
        }
        let bytes = self
            .record_bytes(seq)?
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
        let Some(v) = self.t.standing.get(id.as_bytes()).map_err(rio)? else {
            return Ok((None, None));
        };
        let v = standing_value(v);
        let half = |h: usize| Uuid::from_slice(&v[h * 16..h * 16 + 16]).ok().filter(|u| !u.is_nil());
        Ok((half(0), half(1)))
    }

    /// How many records were found past the head when the log was opened
    /// (left by interrupted appends) and set aside (a damaged block set
    /// aside in pieces counts once).
    pub fn set_aside(&self) -> usize {
        // a whole record's key is position and hash; a piece's adds its number
        self.t.quarantine.iter().keys().flatten().filter(|k| k.len() != 18 || k[16..] == [0, 0]).count()
    }

    /// The `area` and `actor` events, in log order: all that name
    /// resolution needs, without reading the rest of the log.
    pub fn reference_events(&self) -> impl Iterator<Item = Result<Recorded, ReadError>> + '_ {
        self.reference_events_from(1)
    }

    /// [`Store::reference_events`] from position `first` on.
    pub fn reference_events_from(&self, first: u64) -> impl Iterator<Item = Result<Recorded, ReadError>> + '_ {
        let head = self.head().map(|h| h.seq).unwrap_or(0);
        self.t
            .registry
            .range(key(first)..=key(head.max(first)))
            .filter(move |item| {
                // an empty range when `first` is past the head
                item.as_ref().map_or(true, |(k, _)| u64_of(k) <= head)
            })
            .map(move |item| {
                let (k, v) = item.map_err(rio)?;
                record::decode(u64_of(&k), &v).map(|r| r.recorded)
            })
    }

    /// Checks the whole log: every record decodes, positions are gap-free,
    /// each hash chains to the previous one, the head matches the last
    /// record, and the indexes agree with the records. `progress` is
    /// called with each position checked.
    pub fn verify(&self, mut progress: impl FnMut(u64)) -> Result<Verified, ReadError> {
        let head = self.head()?;
        let mut prev = GENESIS;
        let mut checked = 0u64;
        let bad =
            |checked: u64, seq: u64, why: String| Ok(Verified { records: checked, head, first_bad: Some((seq, why)) });
        // the id index, whole: (id → position) and how many entries it holds
        let mut ids: HashMap<Uuid, u64> = HashMap::new();
        let mut entries = 0u64;
        for item in self.t.idx.iter() {
            let (_, v) = item.map_err(rio)?;
            for (id, seq) in idx::entries(&v) {
                ids.insert(id, seq);
                entries += 1;
            }
        }
        // what the registry and standing indexes must hold
        let mut references: Vec<(u64, Vec<u8>)> = Vec::new();
        let mut standing: std::collections::BTreeMap<Uuid, [u8; 32]> = std::collections::BTreeMap::new();
        for item in self.raw_records(head.seq) {
            let (seq, bytes) = match item {
                Ok(r) => r,
                Err(ReadError::Corrupt { seq, reason }) => return bad(checked, seq, reason),
                Err(e) => return Err(e),
            };
            if seq != checked + 1 {
                return bad(checked, checked + 1, "the record is missing".into());
            }
            let rec = match record::decode(seq, &bytes) {
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
            let e = &rec.recorded.event;
            if ids.get(&e.id) != Some(&seq) {
                return bad(checked, seq, format!("the id index does not point at it (id {})", e.id));
            }
            if e.kind.is_reference() {
                references.push((seq, bytes));
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
        if entries != head.seq {
            return bad(checked, head.seq, format!("the id index holds {entries} ids for {} records", head.seq));
        }
        let indexed: Vec<(u64, Vec<u8>)> = self
            .t
            .registry
            .iter()
            .map(|item| item.map(|(k, v)| (u64_of(&k), v.to_vec())).map_err(rio))
            .collect::<Result<_, _>>()?;
        if indexed != references {
            let first = indexed.iter().zip(&references).find(|(a, b)| a != b).map_or(head.seq, |(a, b)| a.0.min(b.0));
            return bad(checked, first, "the registry index does not match the area and actor events".into());
        }
        let mut held = std::collections::BTreeMap::new();
        for item in self.t.standing.iter() {
            let (k, v) = item.map_err(rio)?;
            held.insert(Uuid::from_slice(&k).unwrap_or_default(), standing_value(v));
        }
        if held != standing {
            return bad(checked, head.seq, "the index of corrections and retractions does not match the log".into());
        }
        Ok(Verified { records: checked, head, first_bad: None })
    }

    /// The latest checkpoint: its position and its bytes, as
    /// [`Store::put_checkpoint`] was given them. A checkpoint is a cache:
    /// one that is incomplete, or whose position no longer holds the record
    /// it was taken after, is not returned.
    pub fn checkpoint(&self) -> Result<Option<(u64, Vec<u8>)>, ReadError> {
        Ok(self.checkpoint_prefix(|_, len| len)?.map(|(seq, bytes, _)| (seq, bytes)))
    }

    /// The start of the latest checkpoint, as [`Store::checkpoint`] finds
    /// it: `size` is told its position and length in bytes and answers how
    /// many bytes it wants; at least that many are read (whole chunks), and
    /// the length of the whole checkpoint is returned with them. For a
    /// reader that needs only the part of a checkpoint up to a horizon.
    pub fn checkpoint_prefix(
        &self,
        size: impl FnOnce(u64, usize) -> usize,
    ) -> Result<Option<(u64, Vec<u8>, usize)>, ReadError> {
        let Some(header) = checkpoint::header(&self.path) else { return Ok(None) };
        let seq = header.seq;
        let head = self.head()?;
        if seq == 0 || seq > head.seq {
            return Ok(None);
        }
        let hash = if seq == head.seq {
            head.hash
        } else {
            // a damaged record is for `verify` to report; the cache just goes unused
            match self.record_bytes(seq).ok().flatten().map(|b| record::decode(seq, &b)) {
                Some(Ok(d)) => d.hash,
                _ => return Ok(None),
            }
        };
        if header.hash != hash {
            return Ok(None);
        }
        let Ok(len) = usize::try_from(header.len) else { return Ok(None) };
        let want = size(seq, len).min(len);
        let read = checkpoint::read(&self.path, &header, want).map_err(ReadError::Io)?;
        Ok(read.map(|bytes| (seq, bytes, len)))
    }

    /// The position of the latest checkpoint, if there is one, without
    /// reading or checking more than its header.
    pub fn checkpoint_position(&self) -> Option<u64> {
        checkpoint::header(&self.path).map(|h| h.seq)
    }

    /// Keeps `bytes` as the checkpoint after position `seq` (a committed
    /// position), replacing any other. Not `fsync`ed: a checkpoint lost or
    /// half written in a crash is simply not found.
    pub fn put_checkpoint(&self, seq: u64, bytes: &[u8]) -> std::io::Result<()> {
        let head = self.head().map_err(|e| std::io::Error::other(e.to_string()))?;
        if seq == 0 || seq > head.seq {
            return Err(std::io::Error::other(format!("position {seq} is not in the log")));
        }
        let hash = if seq == head.seq {
            head.hash
        } else {
            let bytes = self.record_bytes(seq).map_err(|e| std::io::Error::other(e.to_string()))?;
            let bytes = bytes.ok_or_else(|| std::io::Error::other(format!("record {seq} is missing")))?;
            record::decode(seq, &bytes).map_err(|e| std::io::Error::other(e.to_string()))?.hash
        };
        let _one_at_a_time = self.checkpointing.lock().unwrap_or_else(|p| p.into_inner());
        checkpoint::write(&self.path, seq, hash, bytes)
    }

    /// Drops every checkpoint (answers stay the same; reads get slower
    /// until one is taken again).
    pub fn drop_checkpoints(&self) -> std::io::Result<()> {
        let _one_at_a_time = self.checkpointing.lock().unwrap_or_else(|p| p.into_inner());
        checkpoint::remove(&self.path)
    }

    /// The hash of the committed record at `seq`, if it is one and reads.
    fn committed_hash(&self, seq: u64) -> Result<Option<[u8; 32]>, ReadError> {
        let head = self.head()?;
        if seq == 0 || seq > head.seq {
            return Ok(None);
        }
        if seq == head.seq {
            return Ok(Some(head.hash));
        }
        // a damaged record is for `verify` to report; a cache just goes unused
        Ok(self.record_bytes(seq).ok().flatten().and_then(|b| record::decode(seq, &b).ok()).map(|d| d.hash))
    }

    /// Keeps `bytes` as the cache `name` of what the log holds up to the
    /// committed position `seq`, replacing the one before. Like a
    /// checkpoint it is not `fsync`ed (it reaches the disk with the next
    /// durable write, or is lost harmlessly) and is found only while
    /// position `seq` still holds the record it was taken after.
    ///
    /// It is kept in pieces of at most [`CACHE_PIECE`] bytes (a registry of
    /// a large gazetteer can pass the size at which sled writes a page to
    /// a blob file it never syncs), all replaced in one atomic batch: the
    /// first piece starts with the position, the hash of the record there
    /// and the number of pieces.
    pub fn put_cache(&self, name: &str, seq: u64, bytes: &[u8]) -> std::io::Result<()> {
        let hash = self.committed_hash(seq).map_err(|e| std::io::Error::other(e.to_string()))?;
        let hash = hash.ok_or_else(|| std::io::Error::other(format!("position {seq} is not in the log")))?;
        let mut value = Vec::with_capacity(44 + bytes.len());
        value.extend_from_slice(&seq.to_be_bytes());
        value.extend_from_slice(&hash);
        let pieces = (44 + bytes.len()).div_ceil(CACHE_PIECE);
        value.extend_from_slice(&(pieces as u32).to_be_bytes());
        value.extend_from_slice(bytes);
        let mut batch = sled::Batch::default();
        // the pieces before (and a cache kept whole by an earlier sijil)
        batch.remove(name.as_bytes());
        for k in self.t.caches.scan_prefix(&cache_key(name, 0)[..name.len() + 1]).keys() {
            batch.remove(k.map_err(io)?);
        }
        for (i, piece) in value.chunks(CACHE_PIECE).enumerate() {
            batch.insert(&cache_key(name, i as u32)[..], piece);
        }
        self.t.caches.apply_batch(batch).map_err(io)
    }

    /// The cache `name` and the position it was taken at, when that
    /// position is committed and still holds the record it was taken after.
    pub fn cache(&self, name: &str) -> Result<Option<(u64, Vec<u8>)>, ReadError> {
        let Some(first) = self.t.caches.get(cache_key(name, 0)).map_err(rio)? else { return Ok(None) };
        if first.len() < 44 {
            return Ok(None);
        }
        let seq = u64_of(&first[..8]);
        let pieces = u32::from_be_bytes([first[40], first[41], first[42], first[43]]);
        let mut value = first[44..].to_vec();
        for i in 1..pieces {
            match self.t.caches.get(cache_key(name, i)).map_err(rio)? {
                Some(piece) => value.extend_from_slice(&piece),
                None => return Ok(None),
            }
        }
        Ok(match self.committed_hash(seq)? {
            Some(hash) if first[8..40] == hash => Some((seq, value)),
            _ => None,
        })
    }

    /// Forgets every cache (they are rebuilt as needed), and flushes that
    /// to sled's file.
    pub fn drop_caches(&self) -> std::io::Result<()> {
        self.t.caches.clear().map_err(io)?;
        self.db.flush().map_err(io)?;
        Ok(())
    }

    /// Test and repair access to the raw records: overwrites the stored
    /// bytes at `seq` (in its block, or in the tail) without touching the
    /// chain. Never used by sijil itself; tests use it to prove that
    /// `verify` catches tampering.
    #[doc(hidden)]
    pub fn tamper(&self, seq: u64, bytes: &[u8]) -> std::io::Result<()> {
        let other = |e: ReadError| std::io::Error::other(e.to_string());
        let holder = self.t.block_before(seq).map_err(other)?;
        let in_block = holder.filter(|(first, r)| seq < first + u64::from(r.count));
        match in_block {
            Some((first, r)) if self.t.tail.get(key(seq)).map_err(io)?.is_none() => {
                let b = self.t.load(first, r).map_err(other)?;
                let mut rebuilt = Builder::default();
                for (i, r) in b.records().enumerate() {
                    rebuilt.push(if first + i as u64 == seq { bytes } else { r });
                }
                let placed = self.t.write_blocks(&rebuilt.finish_whole(first))?;
                self.t.file.sync()?;
                for (at, r) in placed {
                    self.t.blocks.insert(key(at), &r.encode()).map_err(io)?;
                }
            }
            _ => {
                self.t.tail.insert(key(seq), bytes).map_err(io)?;
            }
        }
        self.sync()
    }

    /// The raw stored bytes at `seq` (for tests and diagnostics). In a
    /// block of version 2 they are put back together as they read: a
    /// record that fails its check, and the rest of its run, read with a
    /// hash made up to fail ([`block`]).
    #[doc(hidden)]
    pub fn raw(&self, seq: u64) -> std::io::Result<Option<Vec<u8>>> {
        self.record_bytes(seq).map_err(|e| std::io::Error::other(e.to_string()))
    }
}

fn head_of(meta: &sled::Tree) -> Result<Head, ReadError> {
    let bytes = meta.get(KEY_HEAD).map_err(rio)?;
    let bytes = bytes.ok_or(ReadError::Corrupt { seq: 0, reason: "the log has no head".into() })?;
    Head::decode(&bytes).ok_or(ReadError::Corrupt { seq: 0, reason: "the head record is damaged".into() })
}

fn head_in(
    meta: &sled::transaction::TransactionalTree,
) -> Result<Option<Head>, sled::transaction::UnabortableTransactionError> {
    Ok(meta.get(KEY_HEAD)?.and_then(|b| Head::decode(&b)))
}

/// Where an import's writer stopped: the last position and its chain hash.
type Written = (u64, [u8; 32]);

/// What [`Store::importer_watched`] calls with each event written.
pub type Watch = Box<dyn FnMut(u64, DateTime<Utc>, &Event) + Send>;

/// A large append in progress ([`Store::importer`]).
pub struct Importer<'s> {
    store: &'s Store,
    _guard: MutexGuard<'s, ()>,
    tx: Option<SyncSender<Vec<Event>>>,
    /// Chunks the writer is done with, freed on this thread, which
    /// allocated them (much cheaper than across threads).
    back: Receiver<Vec<Event>>,
    worker: Option<JoinHandle<Result<Written, AppendError>>>,
    buf: Vec<Event>,
    head: Head,
    recorded_at: DateTime<Utc>,
    done: bool,
}

impl Importer<'_> {
    /// Adds the next event. An error means the import cannot go on (the
    /// events pushed so far are set aside when the importer is dropped).
    pub fn push(&mut self, event: Event) -> Result<(), AppendError> {
        self.buf.push(event);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(())
    }

    /// The recording time every event of this import gets.
    pub fn recorded_at(&self) -> DateTime<Utc> {
        self.recorded_at
    }

    fn send(&mut self) -> Result<(), AppendError> {
        while let Ok(done) = self.back.try_recv() {
            drop(done);
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        let sent = self.tx.as_ref().is_some_and(|tx| tx.send(chunk).is_ok());
        if sent {
            Ok(())
        } else {
            // the writer stopped: its error says why
            Err(self.join().err().unwrap_or_else(|| AppendError::Io(std::io::Error::other("the writer stopped"))))
        }
    }

    fn join(&mut self) -> Result<Written, AppendError> {
        self.tx = None;
        match self.worker.take() {
            Some(w) => w.join().unwrap_or_else(|_| Err(AppendError::Io(std::io::Error::other("the writer failed")))),
            None => Err(AppendError::Io(std::io::Error::other("the import was already finished"))),
        }
    }

    /// Writes what is left, makes it durable, then moves the head: the
    /// whole import becomes visible at once.
    pub fn commit(mut self) -> Result<Appended, AppendError> {
        if !self.buf.is_empty() {
            self.send()?;
        }
        let (seq, hash) = self.join()?;
        let store = self.store;
        let head = self.head;
        let recorded_at = self.recorded_at;
        store.sync().map_err(AppendError::Io)?;
        let new_head = Head { seq, hash, recorded_at };
        store
            .t
            .meta
            .transaction(|meta| {
                if head_in(meta)? != Some(head) {
                    return sled::transaction::abort(());
                }
                if seq > head.seq {
                    meta.insert(KEY_HEAD, new_head.encode().to_vec())?;
                }
                meta.remove(KEY_IMPORTING)?;
                Ok(())
            })
            .map_err(head_moved)?;
        // the head has moved over the import: whatever happens next, its
        // records are the log's, never to be set aside (an error below
        // only says they may not be durable yet)
        self.done = true;
        #[cfg(test)]
        if tests::FAIL_AFTER_HEAD.with(std::cell::Cell::get) {
            return Err(AppendError::Io(std::io::Error::other("a sync failed (injected)")));
        }
        store.sync().map_err(AppendError::Io)?;
        if seq > head.seq {
            // durable now: a mark that fails to be written only lags (see `mark`)
            let _ = mark::write(&store.path, &new_head);
        }
        Ok(Appended { first: head.seq + 1, last: seq, recorded_at })
    }
}

impl Drop for Importer<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.join();
            // nothing was acknowledged: set aside what was written now
            // rather than at the next open, unless the head moved over it
            // after all (a transaction that failed once its writes were in)
            if self.store.head().is_ok_and(|h| h == self.head) {
                let _ = self.store.discard_past_head(self.head.seq);
            }
        }
    }
}

/// The import's writing side, on its own thread.
struct ImportWriter {
    t: Trees,
    /// Where written chunks go back to be freed.
    back: SyncSender<Vec<Event>>,
    watch: Option<Watch>,
    head: u64,
    seq: u64,
    hash: [u8; 32],
    recorded_at: DateTime<Utc>,
    builder: Builder,
    block_first: u64,
    /// The id buckets read or changed so far.
    buckets: HashMap<[u8; 2], Vec<u8>>,
}

impl ImportWriter {
    fn run(mut self, rx: Receiver<Vec<Event>>) -> Result<Written, AppendError> {
        for chunk in rx {
            for e in &chunk {
                self.write(e)?;
            }
            // if the importer is not taking them back, they are freed here
            let _ = self.back.try_send(chunk);
        }
        self.close_block()?;
        let mut batch = sled::Batch::default();
        for (b, v) in self.buckets.drain() {
            batch.insert(&b, v);
        }
        self.t.idx.apply_batch(batch).map_err(aio)?;
        Ok((self.seq, self.hash))
    }

    fn write(&mut self, e: &Event) -> Result<(), AppendError> {
        let b = idx::bucket(&e.id);
        let bucket = match self.buckets.entry(b) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(self.t.idx.get(b).map_err(aio)?.map(|v| v.to_vec()).unwrap_or_default())
            }
        };
        // the bucket holds this import's ids too: one past the head is a repeat
        match idx::find(bucket, &e.id) {
            Some(at) if at <= self.head => return Err(AppendError::IdExists { id: e.id, seq: at }),
            Some(_) => return Err(AppendError::Repeated { id: e.id }),
            None => {}
        }
        let seq = self.seq + 1;
        let (bytes, hash) = record::encode(seq, self.recorded_at, &self.hash, e);
        if bytes.len() > MAX_RECORD {
            return Err(AppendError::TooLarge { id: e.id, size: bytes.len() });
        }
        idx::put(bucket, &e.id, seq);
        if e.kind.is_reference() {
            self.t.registry.insert(key(seq), bytes.as_slice()).map_err(aio)?;
        }
        for (target, half) in [(e.corrects, 0), (e.retracts, 1)] {
            if let Some(target) = target {
                let mut v = self.t.standing.get(target.as_bytes()).map_err(aio)?.map_or([0u8; 32], standing_value);
                v[half * 16..half * 16 + 16].copy_from_slice(e.id.as_bytes());
                self.t.standing.insert(target.as_bytes(), &v).map_err(aio)?;
            }
        }
        if self.builder.is_full_for(bytes.len()) {
            self.close_block()?;
        }
        if self.builder.is_empty() {
            self.block_first = seq;
        }
        self.builder.push(&bytes);
        self.seq = seq;
        self.hash = hash;
        if let Some(watch) = self.watch.as_mut() {
            watch(seq, self.recorded_at, e);
        }
        Ok(())
    }

    fn close_block(&mut self) -> Result<(), AppendError> {
        // durable at the commit, before the head moves over them
        let blocks = self.builder.finish_encoded(self.block_first);
        for (first, r) in self.t.write_blocks(&blocks).map_err(AppendError::Io)? {
            self.t.blocks.insert(key(first), &r.encode()).map_err(aio)?;
        }
        Ok(())
    }
}

/// Stored records in log order: blocks, then the tail.
struct RawRecords {
    t: Trees,
    blocks: Places,
    tail: sled::Iter,
    current: Option<(u64, Block, usize)>,
    in_tail: bool,
    end: u64,
    done: bool,
}

impl Iterator for RawRecords {
    type Item = Result<(u64, Vec<u8>), ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            if let Some((first, b, i)) = &mut self.current {
                if *i < b.len() {
                    let seq = *first + *i as u64;
                    if seq > self.end {
                        self.done = true;
                        return None;
                    }
                    *i += 1;
                    return Some(Ok((seq, b.record(*i - 1).to_vec())));
                }
                self.current = None;
            }
            if !self.in_tail {
                match self.blocks.next() {
                    Some(Ok((first, r))) => {
                        match self.t.load(first, r) {
                            Ok(b) => self.current = Some((first, b, 0)),
                            Err(e) => {
                                self.done = true;
                                return Some(Err(e));
                            }
                        }
                        continue;
                    }
                    Some(Err(e)) => {
                        self.done = true;
                        return Some(Err(e));
                    }
                    None => self.in_tail = true,
                }
            }
            return match self.tail.next() {
                Some(Ok((k, v))) => Some(Ok((u64_of(&k), v.to_vec()))),
                Some(Err(e)) => {
                    self.done = true;
                    Some(Err(rio(e)))
                }
                None => {
                    self.done = true;
                    None
                }
            };
        }
    }
}

type Decoded<T> = Vec<Result<T, ReadError>>;

/// What a scan reads each record as: the whole event ([`Recorded`]), or
/// only what the ledger keeps of it ([`Folded`]). Either way the record is
/// checked against its hash first: here, or by its block's reading, which
/// computed it ([`block::Block::proven`]).
pub trait Decode: Sized + Send + 'static {
    /// Reads the stored record at `seq`; `hash` says whether its hash is
    /// still to be checked ([`record::Hash`]).
    fn decode(seq: u64, stored: &[u8], hash: record::Hash) -> Result<Self, ReadError>;
    /// Its position.
    fn seq(&self) -> u64;
}

impl Decode for Recorded {
    fn decode(seq: u64, stored: &[u8], hash: record::Hash) -> Result<Recorded, ReadError> {
        record::decode_as(seq, stored, hash).map(|d| d.recorded)
    }

    fn seq(&self) -> u64 {
        self.seq
    }
}

/// A record read for a ledger ([`Store::scan_facts_from`]): its position,
/// recording time and the [`Facts`] of its event.
#[derive(Debug, Clone, PartialEq)]
pub struct Folded {
    pub seq: u64,
    pub recorded_at: DateTime<Utc>,
    pub facts: Facts,
}

impl Decode for Folded {
    fn decode(seq: u64, stored: &[u8], hash: record::Hash) -> Result<Folded, ReadError> {
        record::decode_facts(seq, stored, hash)
    }

    fn seq(&self) -> u64 {
        self.seq
    }
}

/// The records of the block at `block`, read and decoded, from `first` to `end`.
fn decode_block<T: Decode>(t: &Trees, place: Result<(u64, Ref), ReadError>, first: u64, end: u64) -> Decoded<T> {
    let Ok((block, r)) = place else { return place.err().into_iter().map(Err).collect() };
    match t.load(block, r) {
        Ok(b) => b
            .records()
            .enumerate()
            .map(|(i, r)| (block + i as u64, i, r))
            .skip_while(|(seq, _, _)| *seq < first)
            .take_while(|(seq, _, _)| *seq <= end)
            .map(|(seq, i, r)| T::decode(seq, r, if b.proven(i) { record::Hash::Checked } else { record::Hash::Check }))
            .collect(),
        Err(e) => vec![Err(e)],
    }
}

/// The committed records in order ([`Store::scan`]).
pub struct Scan<T: Decode = Recorded> {
    first: u64,
    end: u64,
    expected: u64,
    done: bool,
    pending: std::vec::IntoIter<Result<T, ReadError>>,
    /// Blocks decoded on this thread, when the log is short.
    blocks: Option<Places>,
    t: Option<Trees>,
    /// Blocks decoded by other threads, taken round-robin.
    decoders: Vec<Receiver<Decoded<T>>>,
    /// Where each decoder's batches are handed back once used (see
    /// [`Batch`]), so that they are freed on the thread that allocated them.
    returns: Vec<SyncSender<Vec<T>>>,
    next_decoder: usize,
    tail: Option<sled::Iter>,
    tail_tree: Option<sled::Tree>,
}

impl<T: Decode> Scan<T> {
    fn failed(e: ReadError) -> Scan<T> {
        Scan {
            first: 1,
            end: 0,
            expected: 1,
            done: false,
            pending: vec![Err(e)].into_iter(),
            blocks: None,
            t: None,
            decoders: Vec::new(),
            returns: Vec::new(),
            next_decoder: 0,
            tail: None,
            tail_tree: None,
        }
    }

    fn new(t: &Trees, first: u64, end: u64) -> Scan<T> {
        let mut scan = Scan::failed(ReadError::Io(std::io::Error::other("unused")));
        scan.pending = Vec::new().into_iter();
        let first = first.max(1);
        scan.first = first;
        scan.expected = first;
        scan.end = end;
        scan.done = end < first;
        scan.tail_tree = Some(t.tail.clone());
        scan.t = Some(t.clone());
        if scan.done {
            return scan;
        }
        // from the block that holds `first`, if one does
        let start = match t.blocks.range(..=key(first)).next_back() {
            Some(Ok((k, _))) => u64_of(&k),
            _ => first,
        };
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        if end - first < PARALLEL_SCAN || workers < 2 {
            scan.blocks = Some(t.places(t.blocks.range(key(start)..=key(end))));
            return scan;
        }
        for w in 0..workers {
            let (tx, rx) = sync_channel::<Decoded<T>>(16);
            let (back_tx, back) = sync_channel::<Vec<T>>(64);
            let mine = t.clone();
            let spawned = std::thread::Builder::new().name("sijil-scan".into()).spawn(move || {
                let t = mine;
                for (i, item) in t.places(t.blocks.range(key(start)..=key(end))).enumerate() {
                    if i % workers != w {
                        continue;
                    }
                    // batches handed back are freed here, where they were
                    // allocated (much cheaper than across threads)
                    while let Ok(old) = back.try_recv() {
                        drop(old);
                    }
                    let out = decode_block::<T>(&t, item, first, end);
                    if tx.send(out).is_err() {
                        return;
                    }
                }
                drop(tx);
                // until the scan is dropped
                while let Ok(old) = back.recv() {
                    drop(old);
                }
            });
            if spawned.is_err() {
                // no threads to be had: decode here
                scan.decoders.clear();
                scan.returns.clear();
                scan.blocks = Some(t.places(t.blocks.range(key(start)..=key(end))));
                return scan;
            }
            scan.decoders.push(rx);
            scan.returns.push(back_tx);
        }
        scan
    }

    /// Calls `f` with each record in order, stopping at the first error:
    /// the same records as iterating, without taking each one (so a long
    /// scan frees its records on the threads that decoded them).
    pub fn each(self, mut f: impl FnMut(&T)) -> Result<(), ReadError> {
        for batch in self.batches() {
            for r in batch?.records() {
                f(r);
            }
        }
        Ok(())
    }

    /// The records in order, a decoded batch at a time, ending after the
    /// first error: the same records as iterating. A [`Batch`] that is
    /// dropped goes back to the thread that decoded it, to be freed there.
    pub fn batches(self) -> Batches<T> {
        Batches { scan: self, error: None }
    }

    /// The next batch of decoded records, or `None` when all blocks are read.
    fn next_blocks(&mut self) -> Option<Decoded<T>> {
        if let (Some(blocks), Some(t)) = (&mut self.blocks, &self.t) {
            let place = blocks.next()?;
            return Some(decode_block::<T>(t, place, self.first, self.end));
        }
        if self.decoders.is_empty() {
            return None;
        }
        let got = self.decoders[self.next_decoder].recv().ok();
        self.next_decoder = (self.next_decoder + 1) % self.decoders.len();
        if got.is_none() {
            self.decoders.clear();
        }
        got
    }
}

impl<T: Decode> Iterator for Scan<T> {
    type Item = Result<T, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.next() {
                return Some(match item {
                    Ok(r) if r.seq() == self.expected => {
                        self.expected += 1;
                        if r.seq() == self.end {
                            self.done = true;
                            self.pending = Vec::new().into_iter();
                        }
                        Ok(r)
                    }
                    Ok(_) => {
                        self.done = true;
                        self.pending = Vec::new().into_iter();
                        Err(ReadError::Corrupt { seq: self.expected, reason: "the record is missing".into() })
                    }
                    Err(e) => {
                        self.done = true;
                        self.pending = Vec::new().into_iter();
                        Err(e)
                    }
                });
            }
            if self.done {
                self.decoders.clear();
                return None;
            }
            if self.tail.is_none() {
                if let Some(batch) = self.next_blocks() {
                    self.pending = batch.into_iter();
                    continue;
                }
                self.blocks = None;
                let tree = self.tail_tree.take()?;
                self.tail = Some(tree.range(key(self.expected)..=key(self.end)));
            }
            let tail = self.tail.as_mut()?;
            let item = match tail.next() {
                Some(Ok((k, v))) => T::decode(u64_of(&k), &v, record::Hash::Check),
                Some(Err(e)) => Err(rio(e)),
                None => Err(ReadError::Corrupt { seq: self.expected, reason: "the record is missing".into() }),
            };
            self.pending = vec![item].into_iter();
        }
    }
}

/// Records decoded together, in log order ([`Scan::batches`]). Dropped,
/// they are handed back to the thread that decoded them and freed there,
/// which is much cheaper than freeing them across threads.
pub struct Batch<T = Recorded> {
    records: Vec<T>,
    back: Option<SyncSender<Vec<T>>>,
}

impl<T> Batch<T> {
    /// The records, in log order.
    pub fn records(&self) -> &[T] {
        &self.records
    }
}

impl<T> Drop for Batch<T> {
    fn drop(&mut self) {
        if let Some(back) = self.back.take() {
            // a decoder that has gone leaves them to be freed here
            let _ = back.try_send(std::mem::take(&mut self.records));
        }
    }
}

/// The batches of a [`Scan`] ([`Scan::batches`]).
pub struct Batches<T: Decode = Recorded> {
    scan: Scan<T>,
    error: Option<ReadError>,
}

impl<T: Decode> Iterator for Batches<T> {
    type Item = Result<Batch<T>, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.error.take() {
            return Some(Err(e));
        }
        let s = &mut self.scan;
        // leftovers of iterating first, and the tail, come one by one below
        if s.pending.len() == 0 && !s.done && s.tail.is_none() {
            let from = s.next_decoder;
            let from_decoder = s.blocks.is_none() && !s.decoders.is_empty();
            if let Some(mut items) = s.next_blocks() {
                // the records in order; then the error, if any
                let mut good = 0;
                for item in &items {
                    match item {
                        Ok(r) if r.seq() == s.expected && !s.done => {
                            s.expected += 1;
                            good += 1;
                            s.done = r.seq() == s.end;
                        }
                        _ => break,
                    }
                }
                if good < items.len() && !s.done {
                    s.done = true;
                    items.truncate(good + 1);
                    let missing = ReadError::Corrupt { seq: s.expected, reason: "the record is missing".into() };
                    self.error = Some(items.pop().and_then(Result::err).unwrap_or(missing));
                }
                let records: Vec<T> = items.into_iter().take(good).filter_map(Result::ok).collect();
                let back = if from_decoder { s.returns.get(from).cloned() } else { None };
                return Some(Ok(Batch { records, back }));
            }
        }
        match s.next()? {
            Ok(r) => Some(Ok(Batch { records: vec![r], back: None })),
            Err(e) => Some(Err(e)),
        }
    }
}

/// The most bytes of a cache kept under one key ([`Store::put_cache`]).
pub const CACHE_PIECE: usize = 16 * 1024;

/// The key of piece `i` of the cache `name`: its name, a zero byte, the
/// piece's number.
fn cache_key(name: &str, i: u32) -> Vec<u8> {
    let mut k = Vec::with_capacity(name.len() + 5);
    k.extend_from_slice(name.as_bytes());
    k.push(0);
    k.extend_from_slice(&i.to_be_bytes());
    k
}

/// A `standing` value: correction id, then retraction id (zero for none).
fn standing_value(v: impl AsRef<[u8]>) -> [u8; 32] {
    let mut out = [0u8; 32];
    let v = v.as_ref();
    let n = v.len().min(32);
    out[..n].copy_from_slice(&v[..n]);
    out
}

/// The error of a transaction that moves the head: aborted when the head
/// was no longer where the append started.
fn head_moved(e: TransactionError<()>) -> AppendError {
    match e {
        TransactionError::Abort(()) => AppendError::Io(std::io::Error::other("the head moved during the append")),
        TransactionError::Storage(e) => aio(e),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use sijil_core::Kind;

    thread_local! {
        /// Makes `Importer::commit` fail right after it has moved the head.
        pub static FAIL_AFTER_HEAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 9, 0, 0, 0).unwrap()
    }

    /// Events whose notes hardly compress, `len` bytes each.
    fn noisy(from: u128, n: usize, len: usize) -> Vec<Event> {
        (from..from + n as u128)
            .map(|id| {
                let mut e = Event::new(Uuid::from_u128(id), Kind::Shelling, "source");
                e.areas = vec!["aleppo".into()];
                let mut x = (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
                let note = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        char::from(b'a' + (x % 26) as u8)
                    })
                    .collect();
                e.note = Some(note);
                e
            })
            .collect()
    }

    /// An import whose commit fails after the head moved over it (its last
    /// sync) is the log's: its records are not set aside, nor its blocks
    /// cut from the block file, when the importer is dropped.
    #[test]
    fn an_import_the_head_has_moved_over_is_never_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(&dir.path().join("log"), "Asia/Damascus").unwrap();
        store.append(&noisy(1, 10, 50), now(), None).unwrap();
        let mut import = store.importer(now(), None).unwrap();
        for e in noisy(1000, 600, 50) {
            import.push(e).unwrap();
        }
        FAIL_AFTER_HEAD.with(|f| f.set(true));
        let failed = import.commit();
        FAIL_AFTER_HEAD.with(|f| f.set(false));
        assert!(failed.is_err());
        assert_eq!(store.head().unwrap().seq, 610);
        assert_eq!(store.set_aside(), 0);
        assert_eq!(store.verify(|_| {}).unwrap().first_bad, None);
        assert_eq!(store.scan(u64::MAX).count(), 610);
    }

    /// A log of ten records and, past its head, an import of `events`
    /// whose writer has finished when the process dies (no commit, no
    /// drop).
    fn interrupted_import(events: Vec<Event>) -> (tempfile::TempDir, PathBuf, Store) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let store = Store::create(&path, "Asia/Damascus").unwrap();
        store.append(&noisy(1, 10, 50), now(), None).unwrap();
        let mut import = store.importer(now(), None).unwrap();
        for e in events {
            import.push(e).unwrap();
        }
        import.send().unwrap();
        import.join().unwrap();
        std::mem::forget(import);
        (dir, path, store)
    }

    /// What an interrupted import left past the head is set aside in
    /// pieces no larger than a record, even a block (up to 128 KiB) that
    /// no longer decodes: sled writes a page of larger values to a blob
    /// file it never syncs.
    #[test]
    fn a_torn_block_past_the_head_is_set_aside_in_small_pieces() {
        let (_dir, path, store) = interrupted_import(noisy(1000, 400, 20_000));
        let places: Vec<Ref> = store.t.blocks.range(key(11)..).map(|kv| Ref::decode(&kv.unwrap().1).unwrap()).collect();
        assert!(places.iter().any(|r| r.len as usize > 2 * MAX_RECORD), "no large block to tear");
        // torn: each block's pages after its first came back as zeros
        let mut file = fs::read(path.join(blockfile::FILE)).unwrap();
        for r in &places {
            file[r.offset as usize + 4096..r.end() as usize].fill(0);
        }
        fs::write(path.join(blockfile::FILE), &file).unwrap();
        store.discard_past_head(10).unwrap();
        assert_eq!(store.set_aside(), places.len(), "each torn block counts once");
        let largest = store.t.quarantine.iter().map(|kv| kv.unwrap().1.len()).max().unwrap();
        assert!(largest <= MAX_RECORD, "a piece of {largest} bytes");
        // each block's pieces, in key order, are its bytes as the file held them
        let mut first = 11u64;
        for r in &places {
            let pieces: Vec<u8> =
                store.t.quarantine.scan_prefix(key(first)).flat_map(|kv| kv.unwrap().1.to_vec()).collect();
            assert_eq!(pieces, file[r.offset as usize..r.end() as usize], "the block at #{first}");
            first += u64::from(r.count);
        }
        assert_eq!(store.verify(|_| {}).unwrap().first_bad, None);
        assert_eq!(fs::metadata(path.join(blockfile::FILE)).unwrap().len(), places[0].offset, "the torn bytes stayed");
    }

    /// A place past the head that fails its bounds (a damaged place) still
    /// has its block's bytes set aside before the file is cut.
    #[test]
    fn a_block_holding_a_damaged_record_is_set_aside_as_stored() {
        // past the head, and straddling it
        for head in [10u64, 100] {
            let (_dir, _path, store) = interrupted_import(noisy(1000, 300, 100));
            let (k, v) = store.t.blocks.range(key(11)..).next().unwrap().unwrap();
            let b = store.t.load(11, Ref::decode(&v).unwrap()).unwrap();
            let records: Vec<&[u8]> = b.records().collect();
            let damaged = block::with_a_damaged_record(&records, 11, 50);
            let r = store.t.file.append(&damaged, records.len()).unwrap();
            store.t.blocks.insert(k, &r.encode()).unwrap();
            assert!(!store.t.load(11, r).unwrap().reads_as_stored());
            store.discard_past_head(head).unwrap();
            let kept: Vec<u8> = store.t.quarantine.iter().flat_map(|kv| kv.unwrap().1.to_vec()).collect();
            assert_eq!(kept, damaged, "head #{head}: the block's bytes as stored");
            assert_eq!(store.set_aside(), 1, "head #{head}");
            if head == 100 {
                // the kept part, #11–#100: #61 (the 51st) still fails its
                // check, the records before it read
                let (_, r) = store.t.block_before(100).unwrap().unwrap();
                let kept = store.t.load(11, r).unwrap();
                assert_eq!(kept.len(), 90);
                let checked: Vec<bool> =
                    kept.records().enumerate().map(|(i, b)| record::decode(11 + i as u64, b).is_ok()).collect();
                assert!(checked[..50].iter().all(|ok| *ok) && !checked[50], "{checked:?}");
            }
        }
    }

    #[test]
    fn a_damaged_place_past_the_head_still_has_its_bytes_set_aside() {
        let (_dir, _path, store) = interrupted_import(noisy(1000, 300, 100));
        let (k, v) = store.t.blocks.range(key(11)..).next().unwrap().unwrap();
        let r = Ref::decode(&v).unwrap();
        let wrong = Ref { count: block::BLOCK_EVENTS as u32 + 1, ..r };
        store.t.blocks.insert(k, &wrong.encode()).unwrap();
        let bytes = store.t.file.read(r).unwrap().unwrap();
        store.discard_past_head(10).unwrap();
        assert_eq!(store.set_aside(), 1);
        let kept: Vec<u8> = store.t.quarantine.iter().flat_map(|kv| kv.unwrap().1.to_vec()).collect();
        assert_eq!(kept, bytes);
        assert_eq!(store.verify(|_| {}).unwrap().first_bad, None);
    }
}
