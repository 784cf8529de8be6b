//! Shared building blocks: events, fixed clocks, fresh logs and the checks
//! every test repeats.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use sijil_core::{Event, Kind, Recorded, Time};
use sijil_store::{record, Store, GENESIS};
use tempfile::TempDir;
use uuid::Uuid;

/// The zone every test log is created with.
pub const ZONE: &str = "Asia/Damascus";

/// A fixed clock: `secs` seconds after 2026-01-09T00:00:00Z.
pub fn clock(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 9, 0, 0, 0).unwrap() + chrono::Duration::seconds(secs)
}

/// A shelling event with id `n`, a valid time in Damascus, an area and a note.
pub fn event(n: u128) -> Event {
    let mut e = Event::new(Uuid::from_u128(n), Kind::Shelling, "source");
    let offset = FixedOffset::east_opt(3 * 3600).unwrap();
    let secs = i64::try_from(n % 100_000).unwrap() * 60;
    e.at = Some(Time::Instant((clock(secs) - chrono::Duration::days(1)).with_timezone(&offset)));
    e.areas = vec![format!("area-{}", n % 7)];
    e.note = Some(format!("report {n}: \"quoted\", \u{062d}\u{0644}\u{0628}"));
    e
}

/// Events with ids `from..from + count`.
pub fn events(from: u128, count: usize) -> Vec<Event> {
    (from..from + count as u128).map(event).collect()
}

/// A fresh, empty log in its own temporary folder.
pub struct Log {
    /// Keeps the folder alive; removed on drop.
    pub dir: TempDir,
    pub store: Store,
}

impl Log {
    pub fn new() -> Log {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(&dir.path().join("log"), ZONE).unwrap();
        Log { dir, store }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("log")
    }

    /// Drops the store and opens the log again.
    pub fn reopen(self) -> Log {
        let Log { dir, store } = self;
        drop(store);
        let store = Store::open(&dir.path().join("log")).unwrap();
        Log { dir, store }
    }
}

/// sled's own handle on the log at `path`, just closed: sled lets go of
/// its lock a moment after the store is dropped.
pub fn sled_of(path: &std::path::Path) -> sled::Db {
    (0..200)
        .find_map(|_| {
            let db = sled::Config::new().path(path).segment_size(2 * 1024 * 1024).open();
            db.map_err(|_| std::thread::sleep(std::time::Duration::from_millis(10))).ok()
        })
        .expect("the log stays locked")
}

/// Every committed record, failing the test on a read error.
pub fn scan_all(store: &Store) -> Vec<Recorded> {
    store.scan(u64::MAX).collect::<Result<_, _>>().unwrap()
}

/// Asserts that `verify` finds nothing wrong and checked `records` records.
pub fn assert_sound(store: &Store, records: u64) {
    let verified = store.verify(|_| {}).unwrap();
    assert_eq!(verified.first_bad, None, "verify found a sound log bad");
    assert_eq!(verified.records, records);
    assert_eq!(verified.head.seq, records);
}

/// The stored bytes of `events` appended at positions `1..` in one log, each
/// with its recording time: the chain rebuilt independently of the store.
pub fn expected_records(recorded: &[(DateTime<Utc>, Event)]) -> Vec<Vec<u8>> {
    let mut prev = GENESIS;
    let mut out = Vec::new();
    for (i, (at, event)) in recorded.iter().enumerate() {
        let (bytes, hash) = record::encode(i as u64 + 1, *at, &prev, event);
        prev = hash;
        out.push(bytes);
    }
    out
}

/// The size of a record's fixed part, measured through [`record::encode`].
pub fn record_header_len() -> usize {
    let e = event(1);
    record::encode(1, clock(0), &GENESIS, &e).0.len() - e.canonical_json().len()
}

/// Every file under `dir`, at any depth.
pub fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A copy of the folder `from` at `to`.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
