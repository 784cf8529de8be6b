//! A store that lost acknowledged records is refused, never opened as a
//! shorter log: sled's recovery drops everything after a damaged spot in
//! its file, and the head mark beside it is how the store notices.

use std::fs;
use std::path::PathBuf;

use sijil_store::record::Head;
use sijil_store::{blockfile, mark, OpenError, Store};
use tempfile::TempDir;

use crate::fixture::{clock, copy_dir, events, scan_all, Log};

/// Closes the log: its folder (kept alive) and the log's path in it.
fn close(log: Log) -> (TempDir, PathBuf) {
    let path = log.path();
    let Log { dir, store } = log;
    drop(store);
    (dir, path)
}

#[test]
fn a_mark_reads_back_and_a_damaged_one_reads_as_none() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(mark::read(dir.path()), None, "no mark yet");
    let head =
        Head { seq: 42, hash: [7; 32], recorded_at: chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap() };
    mark::write(dir.path(), &head).unwrap();
    assert_eq!(mark::read(dir.path()), Some(head));
    let later = Head { seq: 43, ..head };
    mark::write(dir.path(), &later).unwrap();
    assert_eq!(mark::read(dir.path()), Some(later), "rewritten in place");
    let path = dir.path().join(mark::FILE);
    let mut bytes = fs::read(&path).unwrap();
    bytes[10] ^= 1;
    fs::write(&path, &bytes).unwrap();
    assert_eq!(mark::read(dir.path()), None, "a flipped bit fails the check");
    fs::write(&path, b"sijilhd1").unwrap();
    assert_eq!(mark::read(dir.path()), None, "a short mark");
}

#[test]
fn a_store_behind_its_mark_is_refused_and_one_ahead_moves_the_mark() {
    let log = Log::new();
    log.store.append(&events(1, 3), clock(0), None).unwrap();
    let log = log.reopen();
    let three = log.dir.path().join("three");
    copy_dir(&log.path(), &three);
    log.store.append(&events(4, 2), clock(60), None).unwrap();
    let five = log.store.head().unwrap();
    assert_eq!(mark::read(&log.path()), Some(five), "an append notes its head");
    let (dir, path) = close(log);

    // the store of position 3 under the mark of position 5: what sled
    // leaves when it drops the records after a damaged spot
    fs::copy(path.join(mark::FILE), three.join(mark::FILE)).unwrap();
    match Store::open(&three) {
        Err(OpenError::Corrupt { reason, .. }) => {
            assert!(reason.contains("up to #5") && reason.contains("only up to #3"), "{reason}");
        }
        other => panic!("a store behind its mark opened: {other:?}"),
    }
    // and it stays refused: nothing was written over it
    assert!(matches!(Store::open(&three), Err(OpenError::Corrupt { .. })));

    // the same position with another last record
    let other = Log::new();
    other.store.append(&events(101, 5), clock(0), None).unwrap();
    let (_other_dir, other) = close(other);
    fs::copy(path.join(mark::FILE), other.join(mark::FILE)).unwrap();
    match Store::open(&other) {
        Err(OpenError::Corrupt { reason, .. }) => assert!(reason.contains("#5, is not the one"), "{reason}"),
        other => panic!("a store with another last record opened: {other:?}"),
    }

    // a mark behind the store (a crash between the commit and the mark),
    // or none (a log made before marks), is moved up to the head
    drop(Store::open(&path).unwrap());
    for what in ["behind", "missing"] {
        let copy = dir.path().join(what);
        copy_dir(&path, &copy);
        match what {
            "behind" => mark::write(&copy, &Head { seq: 3, ..five }).unwrap(),
            _ => fs::remove_file(copy.join(mark::FILE)).unwrap(),
        }
        let store = Store::open(&copy).unwrap();
        assert_eq!(store.head().unwrap(), five, "{what}");
        assert_eq!(mark::read(&copy), Some(five), "{what}: the mark moved up");
    }

    // a mark that cannot be written does not stop a read (it only lags)
    let stuck = dir.path().join("stuck");
    copy_dir(&path, &stuck);
    fs::remove_file(stuck.join(mark::FILE)).unwrap();
    fs::create_dir(stuck.join(mark::FILE)).unwrap();
    let store = Store::open(&stuck).expect("a mark that cannot be written is not fatal");
    assert_eq!(store.head().unwrap(), five);
}

/// One bit flipped anywhere in sled's file never opens as a log that holds
/// fewer records, or other ones: the open is refused, or a read names the
/// damage, or every record reads back as it was.
#[test]
fn no_flipped_bit_in_the_file_loses_records_silently() {
    let log = Log::new();
    // one import, then a few single appends (the tail)
    let mut import = log.store.importer(clock(0), None).unwrap();
    for e in events(1, 40) {
        import.push(e).unwrap();
    }
    import.commit().unwrap();
    for n in 41..=44u128 {
        log.store.append(&events(n, 1), clock(n as i64), None).unwrap();
    }
    let want = scan_all(&log.store);
    let head = log.store.head().unwrap();
    let (dir, path) = close(log);
    let db = fs::read(path.join("db")).unwrap();
    // the part of the file sled has written (the rest is zeros)
    let used = db.iter().rposition(|&b| b != 0).unwrap_or(0) + 1;
    let step = (used / 150).max(1);
    let mut refused = 0;
    for at in (0..used).step_by(step) {
        let copy = dir.path().join(format!("flip-{at}"));
        copy_dir(&path, &copy);
        let mut bytes = db.clone();
        bytes[at] ^= 0x10;
        fs::write(copy.join("db"), &bytes).unwrap();
        match Store::open(&copy) {
            Err(_) => refused += 1,
            Ok(store) => {
                assert_eq!(store.head().map(|h| h.seq).ok(), Some(head.seq), "flip at byte {at}: opened shorter");
                let read: Result<Vec<_>, _> = store.scan(u64::MAX).collect();
                if let Ok(read) = read {
                    assert_eq!(read, want, "flip at byte {at}: other records read back");
                }
            }
        }
        fs::remove_dir_all(&copy).unwrap();
    }
    // the test exercises the refusal, not only harmless spots
    assert!(refused > 0, "no flip was refused in {used} bytes");
}

/// The block file (where the blocks' bytes lie, beside sled's file): a
/// bit flipped anywhere in it, or the file cut short, never reads back as
/// other records. Each record's hash is checked, so a damaged block is
/// named at a position, by `verify` and by every read that reaches it;
/// the records before it still read. A flip that changes no record (in a
/// hash a block keeps only to check the others) changes no answer.
#[test]
fn a_damaged_block_file_is_named_never_read_as_other_records() {
    let log = Log::new();
    for n in 0..3u128 {
        let mut import = log.store.importer(clock(n as i64), None).unwrap();
        for e in events(1 + n * 300, 300) {
            import.push(e).unwrap();
        }
        import.commit().unwrap();
    }
    let want = scan_all(&log.store);
    let head = log.store.head().unwrap();
    let (dir, path) = close(log);
    let file = fs::read(path.join(blockfile::FILE)).unwrap();
    assert!(!file.is_empty(), "the imports wrote no block file");
    let mut damages: Vec<(String, Vec<u8>)> = Vec::new();
    let step = (file.len() / 120).max(1);
    for at in (0..file.len()).step_by(step).chain([file.len() - 1]) {
        let mut bytes = file.clone();
        bytes[at] ^= 0x04;
        damages.push((format!("flip at byte {at}"), bytes));
    }
    for len in [0, 1, file.len() / 3, file.len() - 1] {
        damages.push((format!("cut to {len} bytes"), file[..len].to_vec()));
    }
    let tried = damages.len();
    let mut damaged = 0;
    for (what, bytes) in damages {
        let copy = dir.path().join("damaged");
        copy_dir(&path, &copy);
        fs::write(copy.join(blockfile::FILE), &bytes).unwrap();
        let store = Store::open(&copy).unwrap_or_else(|e| panic!("{what}: sled's file is whole, yet: {e}"));
        assert_eq!(store.head().unwrap(), head, "{what}");
        let verified = store.verify(|_| {}).unwrap();
        let mut read = Vec::new();
        let scanned = store.scan(u64::MAX).each(|r| read.push(r.clone()));
        match verified.first_bad {
            // a flip zstd reads past to the same bytes changes nothing
            None => assert_eq!((scanned.is_ok(), &read), (true, &want), "{what}: verify found nothing"),
            Some((bad, why)) => {
                damaged += 1;
                assert!(why.contains("block") || why.contains("record"), "{what}: {why}");
                assert_eq!(scanned.unwrap_err().seq(), Some(bad), "{what}: the scan stops where verify does");
                assert_eq!(read[..], want[..read.len()], "{what}: the records before the damage read as they were");
            }
        }
        drop(store);
        fs::remove_dir_all(&copy).unwrap();
    }
    // most bytes of the file are some record's: a block keeps the first 8
    // bytes of each record's hash (incompressible, a large share of these
    // short, repetitive records once compressed) and whole hashes, and a
    // flip there alone changes no record while the chain still proves them
    assert!(damaged * 2 >= tried, "only {damaged} of {tried} damages were found");
}
