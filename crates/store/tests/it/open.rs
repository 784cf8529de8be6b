//! Opening and creating: a reopened log holds everything, each way opening
//! can fail has its own error, and the log's folder is private.

use std::fs;
use std::path::{Path, PathBuf};

use sijil_store::{mark, OpenError, Store};

use crate::fixture::{assert_sound, clock, copy_dir, events, scan_all, Log, ZONE};

#[test]
fn a_reopened_log_holds_everything() {
    let zones = ["Asia/Damascus", "UTC", "America/Argentina/Buenos_Aires"];
    for zone in zones {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let store = Store::create(&path, zone).unwrap();
        assert_eq!(store.zone(), zone);
        assert_eq!(store.path(), path);
        store.append(&events(1, 3), clock(0), None).unwrap();
        store.append(&events(4, 1200), clock(60), None).unwrap();
        let before = scan_all(&store);
        let head = store.head().unwrap();
        drop(store);

        for round in 0..2 {
            let store = Store::open(&path).unwrap();
            assert_eq!(store.zone(), zone, "round {round}");
            assert_eq!(store.head().unwrap(), head, "round {round}");
            assert_eq!(scan_all(&store), before, "round {round}");
            for rec in &before {
                assert_eq!(store.get(&rec.event.id).unwrap().as_ref(), Some(rec));
            }
            assert_sound(&store, 1203);
        }

        // and it takes appends where it left off
        let store = Store::open(&path).unwrap();
        let done = store.append(&events(2000, 1), clock(120), None).unwrap();
        assert_eq!((done.first, done.last), (1204, 1204));
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(scan_all(&store).len(), 1204);
        assert_sound(&store, 1204);
    }
}

#[test]
fn an_empty_log_reopens_empty() {
    let log = Log::new().reopen();
    assert_eq!(scan_all(&log.store), vec![]);
    let head = log.store.head().unwrap();
    assert_eq!((head.seq, head.hash), (0, sijil_store::GENESIS));
    assert_sound(&log.store, 0);
}

#[test]
fn create_refuses_an_existing_log() {
    let log = Log::new();
    log.store.append(&events(1, 2), clock(0), None).unwrap();
    let path = log.path();
    // while it is open, and after it is closed
    let err = Store::create(&path, "UTC").unwrap_err();
    assert!(matches!(&err, OpenError::Exists(p) if *p == path), "{err:?}");
    let log = log.reopen();
    drop(log.store);
    let err = Store::create(&path, "UTC").unwrap_err();
    assert!(matches!(&err, OpenError::Exists(p) if *p == path), "{err:?}");
    assert!(err.to_string().contains(&path.display().to_string()), "{err}");
    // the log is untouched
    let store = Store::open(&path).unwrap();
    assert_eq!(store.zone(), ZONE);
    assert_sound(&store, 2);
}

#[test]
fn open_of_a_missing_path_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    for path in [dir.path().join("log"), dir.path().join("no/such/folder/log")] {
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(&err, OpenError::Missing(p) if *p == path), "{err:?}");
        assert!(err.to_string().contains(&path.display().to_string()), "{err}");
        assert!(!path.exists(), "open created {}", path.display());
    }
}

#[test]
fn open_and_create_refuse_what_is_not_a_log() {
    // (what, set up the path)
    type Setup = fn(&Path);
    let cases: [(&str, Setup); 4] = [
        ("a folder of notes", |p| {
            fs::create_dir(p).unwrap();
            fs::write(p.join("notes.txt"), "not a log").unwrap();
        }),
        ("a folder holding only a db file", |p| {
            fs::create_dir(p).unwrap();
            fs::write(p.join("db"), "").unwrap();
        }),
        ("a plain file", |p| fs::write(p, "not a log").unwrap()),
        ("a folder holding only a conf file", |p| {
            fs::create_dir(p).unwrap();
            fs::write(p.join("conf"), "").unwrap();
        }),
    ];
    for (what, setup) in cases {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("thing");
        setup(&path);
        let listing = || {
            if path.is_dir() {
                let mut names: Vec<_> = fs::read_dir(&path).unwrap().map(|e| e.unwrap().file_name()).collect();
                names.sort();
                names
            } else {
                vec![]
            }
        };
        let before = listing();
        // a file is named as one; a folder of something else is not a log
        let refused = |err: &OpenError| match err {
            OpenError::NotAFolder(p) => !path.is_dir() && *p == path,
            OpenError::NotALog(p) => path.is_dir() && *p == path,
            _ => false,
        };
        let err = Store::open(&path).unwrap_err();
        assert!(refused(&err), "{what}: open: {err:?}");
        let said = if path.is_dir() { "is not a sijil log" } else { "is a file; a log is a folder" };
        assert!(err.to_string().contains(said), "{what}: {err}");
        let err = Store::create(&path, ZONE).unwrap_err();
        assert!(refused(&err), "{what}: create: {err:?}");
        let err = Store::open_or_create(&path, ZONE).unwrap_err();
        assert!(refused(&err), "{what}: open_or_create: {err:?}");
        assert_eq!(listing(), before, "{what}: refusing changed the folder");
    }
}

#[test]
fn an_empty_folder_holds_no_log_yet_but_can_become_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    fs::create_dir(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(&err, OpenError::Missing(p) if *p == path), "{err:?}");
    let store = Store::create(&path, ZONE).unwrap();
    store.append(&events(1, 1), clock(0), None).unwrap();
    assert_sound(&store, 1);
    drop(store);
    // open_or_create makes one there too
    let other = dir.path().join("other");
    fs::create_dir(&other).unwrap();
    let store = Store::open_or_create(&other, ZONE).unwrap();
    store.append(&events(1, 1), clock(0), None).unwrap();
    assert_sound(&store, 1);
}

#[test]
fn open_or_create_creates_once_then_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    let store = Store::open_or_create(&path, "Europe/Berlin").unwrap();
    store.append(&events(1, 2), clock(0), None).unwrap();
    drop(store);
    // the second zone is ignored: the log keeps the one it was created with
    let store = Store::open_or_create(&path, "UTC").unwrap();
    assert_eq!(store.zone(), "Europe/Berlin");
    assert_sound(&store, 2);
}

#[test]
fn a_log_open_in_this_process_is_locked() {
    let log = Log::new();
    log.store.append(&events(1, 2), clock(0), None).unwrap();
    let path = log.path();
    for attempt in ["open", "open_or_create"] {
        let err = match attempt {
            "open_or_create" => Store::open_or_create(&path, ZONE).unwrap_err(),
            _ => Store::open(&path).unwrap_err(),
        };
        assert!(matches!(&err, OpenError::Locked(p) if *p == path), "{attempt}: {err:?}");
        let message = err.to_string();
        assert!(message.contains(&path.display().to_string()), "{attempt}: {message}");
        assert!(message.contains("in use by another sijil process"), "{attempt}: {message}");
    }
    // the failed attempts did not disturb the open store
    log.store.append(&events(3, 1), clock(10), None).unwrap();
    assert_sound(&log.store, 3);
    // and once it is closed, the log opens
    let log = log.reopen();
    assert_sound(&log.store, 3);
}

#[cfg(unix)]
#[test]
fn the_log_folder_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    // every entry of the log: folders 0700, files 0600
    fn assert_private(dir: &Path, mode: &dyn Fn(&Path) -> u32, when: &str) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                assert_eq!(mode(&path), 0o700, "{when}: {}", path.display());
                assert_private(&path, mode, when);
            } else {
                assert_eq!(mode(&path), 0o600, "{when}: {}", path.display());
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    // (what, path, an empty folder with mode 0755 is there before)
    let cases: [(&str, PathBuf, bool); 3] = [
        ("a new folder", dir.path().join("new"), false),
        ("a new folder under new parents", dir.path().join("a/b/c/log"), false),
        ("an existing empty folder", dir.path().join("existing"), true),
    ];
    for (what, path, existing) in cases {
        if existing {
            fs::create_dir(&path).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        }
        let store = Store::create(&path, ZONE).unwrap();
        assert_eq!(mode(&path), 0o700, "{what}");
        assert_private(&path, &mode, what);
        store.append(&events(1, 1), clock(0), None).unwrap();
        drop(store);
        let _store = Store::open(&path).unwrap();
        assert_eq!(mode(&path), 0o700, "{what}: after reopen");
        assert_private(&path, &mode, &format!("{what}: after reopen"));
    }
}

/// Regression: sled 0.34 releases its file lock a moment after the last
/// handle is dropped, and an immediate reopen in the same process failed
/// now and then with `Locked`.
#[test]
fn a_log_closed_in_this_process_reopens_at_once() {
    let mut log = Log::new();
    for n in 1..=150u64 {
        log.store.append(&events(u128::from(n), 1), clock(0), None).unwrap();
        log = log.reopen();
        assert_eq!(log.store.head().unwrap().seq, n);
    }
    assert_sound(&log.store, 150);
}

/// A process killed while sled wrote a snapshot (it writes one on every
/// open, so a `state` stopped with Ctrl-C can do it) leaves
/// `snap.<lsn>.generating` behind, which sled 0.34.7 then reads as the
/// newest snapshot and refuses the whole log for. The next open removes it
/// and reads the log whole. While the log is open elsewhere, such a file
/// may be one being written, and is left alone.
#[test]
fn a_snapshot_left_half_written_by_a_killed_process_is_removed_on_open() {
    let leftovers: [&[u8]; 3] = [b"", b"half a snapshot, cut short by a kill", &[0u8; 4096]];
    for leftover in leftovers {
        let log = Log::new();
        log.store.append(&events(1, 40), clock(0), None).unwrap();
        let head = log.store.head().unwrap();
        let path = log.path();
        let generating = path.join("snap.FFFFFFFFFFFFFFF0.generating");
        fs::write(&generating, leftover).unwrap();
        assert!(matches!(Store::open(&path), Err(OpenError::Locked(_))));
        assert!(generating.exists(), "a snapshot that may be being written was removed");
        let log = log.reopen();
        assert!(!generating.exists(), "{} bytes: still there", leftover.len());
        assert_eq!(log.store.head().unwrap(), head);
        assert_sound(&log.store, 40);
    }
}

/// An `init` stopped (killed, Ctrl-C) after sled made its files and before
/// the log's first records were durable leaves sled's files and nothing
/// else but the note `create` writes first. That is no log yet: `open`
/// says so (so `append` and `import` create it there), and `create` makes
/// the log in it. Anything more in sled's files (a key in any tree) is not
/// taken for an unfinished `init`, and neither are empty sled files
/// without the note: `open` still refuses them and `create` leaves them
/// alone.
#[test]
fn what_an_interrupted_init_left_becomes_the_log() {
    for how in ["create", "open_or_create"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        fs::create_dir(&path).unwrap();
        fs::write(path.join(sijil_store::INITIALISING), b"").unwrap();
        drop(crate::fixture::sled_of(&path));
        assert!(matches!(Store::open(&path), Err(OpenError::Missing(p)) if p == path), "{how}");
        let store = match how {
            "create" => Store::create(&path, "Europe/London").unwrap(),
            _ => Store::open_or_create(&path, "Europe/London").unwrap(),
        };
        assert_eq!(store.zone(), "Europe/London", "{how}");
        assert!(!path.join(sijil_store::INITIALISING).exists(), "{how}: the note outlived the init");
        assert_eq!(store.head().unwrap().seq, 0, "{how}");
        store.append(&events(1, 3), clock(0), None).unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_sound(&store, 3);
        drop(store);
        assert!(matches!(Store::create(&path, ZONE), Err(OpenError::Exists(_))), "{how}: a made log exists");
    }

    // stopped earlier still: sled's settings written (whole, cut short or
    // empty) and its `blobs` folder made, but not its file; or only the
    // note written
    for conf in [&b"segment_size: 2097152\nuse_compression: false\nversion: 0.34\n"[..], b"segment_si", b"", b"-"] {
        for note in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("log");
            fs::create_dir_all(&path).unwrap();
            if note {
                fs::write(path.join(sijil_store::INITIALISING), b"").unwrap();
            }
            if conf == b"-" {
                if !note {
                    continue;
                }
            } else {
                fs::create_dir_all(path.join("blobs")).unwrap();
                // or before its settings
                if !conf.is_empty() {
                    fs::write(path.join("conf"), conf).unwrap();
                }
            }
            assert!(matches!(Store::open(&path), Err(OpenError::Missing(_))), "conf {conf:?}, note {note}");
            let store = Store::open_or_create(&path, "UTC").unwrap();
            store.append(&events(1, 2), clock(0), None).unwrap();
            assert_sound(&store, 2);
        }
    }

    // sled's files holding nothing, without the note: perhaps a log sled
    // read back as empty, never made into a new one
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    drop(crate::fixture::sled_of(&path));
    assert!(matches!(Store::open(&path), Err(OpenError::NotALog(_))));
    assert!(matches!(Store::create(&path, ZONE), Err(OpenError::Exists(_))));
    assert!(matches!(Store::open_or_create(&path, ZONE), Err(OpenError::NotALog(_))));
    assert!(!path.join(mark::FILE).exists());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    fs::create_dir(&path).unwrap();
    fs::write(path.join(sijil_store::INITIALISING), b"").unwrap();
    let db = crate::fixture::sled_of(&path);
    db.open_tree("events").unwrap().insert(b"something", b"kept").unwrap();
    db.flush().unwrap();
    drop(db);
    assert!(matches!(Store::open(&path), Err(OpenError::NotALog(_))));
    assert!(matches!(Store::create(&path, ZONE), Err(OpenError::Exists(_))));
    assert!(matches!(Store::open_or_create(&path, ZONE), Err(OpenError::NotALog(_))));
    let db = crate::fixture::sled_of(&path);
    assert_eq!(db.open_tree("events").unwrap().get(b"something").unwrap().as_deref(), Some(&b"kept"[..]));
}

/// sled writes a snapshot to `snap.<lsn>.generating`, syncs it, renames it
/// and then removes the one before, without syncing the folder: after a
/// power cut the file system may have kept the removal and not the rename.
/// The finished snapshot is then the only one, under its unfinished name,
/// and sled (which reads any `snap.` file) reads it. Removed, it would
/// leave sled to rebuild its state from its file alone, which, once sled
/// has reused space in the file, reads as nothing at all (and sled then
/// writes over what it could not read). Only a snapshot cut short is
/// removed on open.
#[test]
fn a_whole_snapshot_left_under_its_unfinished_name_is_read_not_removed() {
    // a large import, then single appends, each in a session of its own
    // (sled writes a snapshot on every open) long enough for sled's
    // flusher to rewrite pages, until sled has reused space in its file
    // and reads it whole only from its snapshot
    let log = Log::new();
    let mut import = log.store.importer(clock(0), None).unwrap();
    for e in events(1, 20_000) {
        import.push(e).unwrap();
    }
    import.commit().unwrap();
    let Log { dir, store } = log;
    drop(store);
    let path = dir.path().join("log");
    let mut n = 20_000u128;
    loop {
        wait_for_sled_to_let_go(&path);
        let copy = dir.path().join("copy");
        copy_dir(&path, &copy);
        for name in snapshots(&copy) {
            fs::remove_file(copy.join(name)).unwrap();
        }
        let whole = Store::open(&copy).is_ok_and(|s| s.head().unwrap().seq == n as u64);
        fs::remove_dir_all(&copy).unwrap();
        if !whole {
            break;
        }
        assert!(n < 20_010, "sled still reads its file whole without a snapshot");
        n += 1;
        let store = Store::open(&path).unwrap();
        store.append(&events(n, 1), clock(60), None).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    let store = Store::open(&path).unwrap();
    let want = scan_all(&store);
    let head = store.head().unwrap();
    drop(store);
    wait_for_sled_to_let_go(&path);
    let [only] = &snapshots(&path)[..] else { panic!("{:?}", snapshots(&path)) };
    fs::rename(path.join(only), path.join(format!("{only}.generating"))).unwrap();

    let store = Store::open(&path).expect("the log opens from its one snapshot");
    assert_eq!(store.head().unwrap(), head);
    assert_eq!(scan_all(&store), want);
    assert_sound(&store, n as u64);
}

/// The names of sled's snapshot files in the folder.
fn snapshots(path: &Path) -> Vec<String> {
    let names = fs::read_dir(path).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap());
    names.filter(|n| n.starts_with("snap.")).collect()
}

/// Waits until sled, a moment after its store is dropped, has let go of
/// its lock (and so has written all it will).
fn wait_for_sled_to_let_go(path: &Path) {
    let db = fs::File::open(path.join("db")).unwrap();
    for _ in 0..500 {
        if db.try_lock().is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("sled keeps its lock on {}", path.display());
}

/// sled reads its file up to the first damaged spot: a log whose records
/// all lie past it (one made and written by a single `append` or `import`,
/// so with no snapshot yet) comes back with every tree empty, just as an
/// `init` stopped half-way leaves sled's files. Such a log is never taken
/// for that: not called missing, and never made into a new, empty log
/// (which would hide the damage, and the events, behind a sound-looking
/// log). With its head mark, it is named damaged, with the records the
/// mark says it held; without (a log from before head marks, a copy
/// without it, a mark removed), it is still refused.
#[test]
fn a_log_whose_store_comes_back_empty_is_never_made_a_new_log() {
    for keep_mark in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let store = Store::open_or_create(&path, ZONE).unwrap();
        store.append(&events(1, 3), clock(0), None).unwrap();
        drop(store);
        wait_for_sled_to_let_go(&path);
        if !keep_mark {
            fs::remove_file(path.join(mark::FILE)).unwrap();
        }
        let mut db = fs::read(path.join("db")).unwrap();
        db[0] ^= 0x10;
        fs::write(path.join("db"), &db).unwrap();

        let err = Store::open(&path).unwrap_err();
        if keep_mark {
            assert!(matches!(err, OpenError::Corrupt { .. }), "{err:?}");
            let message = err.to_string();
            assert!(message.contains("damaged") && message.contains("#3"), "{message}");
        } else {
            assert!(matches!(err, OpenError::NotALog(_)), "{err:?}");
        }
        let err = Store::open_or_create(&path, "UTC").unwrap_err();
        assert!(matches!(err, OpenError::Corrupt { .. } | OpenError::NotALog(_)), "{keep_mark}: {err:?}");
        let err = Store::create(&path, "UTC").unwrap_err();
        assert!(matches!(err, OpenError::Exists(_)), "{keep_mark}: {err:?}");
        // nothing was made there
        assert_eq!(path.join(mark::FILE).exists(), keep_mark);
    }
}
