//! Blocks: the bulk of the log lives in compressed runs of records, single
//! appends in a tail folded into blocks. None of it shows: positions,
//! bytes, hashes, lookups and `verify` are those of single records.

use sijil_core::ledger::Facts;
use sijil_core::Event;
use sijil_store::block::Builder;
use sijil_store::{blockfile, record, AppendError, Folded, Store, CHUNK, MAX_RECORD};

use crate::fixture::{assert_sound, clock, event, events, expected_records, files_under, scan_all, sled_of, Log};

/// Appends in this pattern of sizes, returning every (recording time, event).
fn fill(store: &Store, sizes: &[usize]) -> Vec<(chrono::DateTime<chrono::Utc>, Event)> {
    let mut all = Vec::new();
    let mut next = 1u128;
    for (round, &n) in sizes.iter().enumerate() {
        let batch = events(next, n);
        next += n as u128;
        let done = store.append(&batch, clock(round as i64), None).unwrap();
        all.extend(batch.into_iter().map(|e| (done.recorded_at, e)));
    }
    all
}

#[test]
fn records_read_back_the_same_wherever_they_are_kept() {
    // single appends past a block's worth (folded), imports of every size
    // around a block, and enough records for the scan to go parallel
    let sizes: Vec<usize> = [1usize; 300]
        .into_iter()
        .chain([CHUNK - 1, CHUNK, CHUNK + 1, 3, 2 * CHUNK + 7, 1, 1, 4000, 5])
        .chain([1usize; 10])
        .collect();
    let log = Log::new();
    let all = fill(&log.store, &sizes);
    let expected = expected_records(&all);
    for log in [log.reopen()] {
        let n = expected.len() as u64;
        assert_eq!(log.store.head().unwrap().seq, n);
        for (i, bytes) in expected.iter().enumerate() {
            let seq = i as u64 + 1;
            assert_eq!(log.store.raw(seq).unwrap().as_ref(), Some(bytes), "raw {seq}");
        }
        assert_eq!(log.store.raw(n + 1).unwrap(), None);
        let scanned = scan_all(&log.store);
        assert_eq!(scanned.len(), all.len());
        for (r, (at, e)) in scanned.iter().zip(&all) {
            assert_eq!((&r.event, &r.recorded_at), (e, at), "#{}", r.seq);
        }
        // a prefix stops where asked, in a block or in the tail
        for upto in [1, 299, 300, 301, 555, 4444, n - 3] {
            let prefix: Vec<u64> = log.store.scan(upto).map(|r| r.unwrap().seq).collect();
            assert_eq!(prefix, (1..=upto).collect::<Vec<_>>(), "scan({upto})");
        }
        // fetching a selection gives the records a scan gives at those positions
        let scattered: Vec<u64> = [1, 2, 255, 256, 257, 299, 300, 301, 1000, 1001, 4444, n - 1, n].to_vec();
        for picked in [vec![], vec![n], scattered.clone(), (1..=n).collect()] {
            let got = log.store.fetch(&picked).unwrap();
            let want: Vec<_> = picked.iter().map(|&s| scanned[s as usize - 1].clone()).collect();
            assert_eq!(got, want, "fetch of {} positions", picked.len());
        }
        for beyond in [vec![0], vec![n + 1], vec![5, n + 1]] {
            let err = log.store.fetch(&beyond).unwrap_err();
            assert_eq!(err.seq(), beyond.last().copied(), "{beyond:?}");
        }
        for (seq, (_, e)) in [1usize, 256, 257, 300, 1000, all.len()].map(|s| (s, &all[s - 1])) {
            let got = log.store.get(&e.id).unwrap().unwrap();
            assert_eq!((got.seq, &got.event), (seq as u64, e));
        }
        assert_sound(&log.store, n);
    }
}

#[test]
fn a_record_altered_inside_a_block_is_named_by_verify_and_scan() {
    let log = Log::new();
    fill(&log.store, &[3 * CHUNK, 10]);
    for seq in [1u64, 200, 3 * CHUNK as u64] {
        let original = log.store.raw(seq).unwrap().unwrap();
        let mut bad = original.clone();
        let last = bad.len() - 2;
        bad[last] ^= 1;
        log.store.tamper(seq, &bad).unwrap();
        let v = log.store.verify(|_| {}).unwrap();
        assert_eq!(v.first_bad.as_ref().map(|b| b.0), Some(seq), "{v:?}");
        let err = log.store.scan(u64::MAX).find_map(Result::err).unwrap();
        assert_eq!(err.seq(), Some(seq));
        log.store.tamper(seq, &original).unwrap();
        assert_sound(&log.store, 3 * CHUNK as u64 + 10);
    }
}

#[test]
fn an_abandoned_import_leaves_nothing_and_frees_its_ids() {
    let log = Log::new();
    fill(&log.store, &[5, CHUNK + 3]);
    let head = log.store.head().unwrap();
    let before = scan_all(&log.store);
    {
        let mut import = log.store.importer(clock(100), None).unwrap();
        for e in events(10_000, 3 * CHUNK + 1) {
            import.push(e).unwrap();
        }
        // dropped without commit
    }
    assert_eq!(log.store.head().unwrap(), head);
    assert_eq!(scan_all(&log.store), before);
    assert_eq!(log.store.get(&event(10_000).id).unwrap(), None);
    assert_sound(&log.store, head.seq);
    let log = log.reopen();
    assert_sound(&log.store, head.seq);
    let done = log.store.append(&events(10_000, CHUNK + 1), clock(200), None).unwrap();
    assert_eq!(done.first, head.seq + 1);
    assert_sound(&log.store, head.seq + CHUNK as u64 + 1);
}

#[test]
fn an_import_stops_at_an_id_already_in_the_log() {
    let log = Log::new();
    fill(&log.store, &[CHUNK + 1]);
    let mut import = log.store.importer(clock(5), None).unwrap();
    let mut failed = None;
    for e in events(1000, 2 * CHUNK).into_iter().chain([event(7)]).chain(events(5000, 2 * CHUNK)) {
        if let Err(e) = import.push(e) {
            failed = Some(e);
            break;
        }
    }
    let err = match failed {
        Some(e) => e,
        None => import.commit().unwrap_err(),
    };
    assert!(matches!(err, AppendError::IdExists { seq: 7, .. }), "{err:?}");
    assert_sound(&log.store, CHUNK as u64 + 1);
}

/// A pseudo-random, hardly compressible note of `len` characters.
fn noise(seed: u64, len: usize) -> String {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            char::from(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[((x >> 33) % 62) as usize])
        })
        .collect()
}

#[test]
fn blocks_of_incompressible_records_never_go_to_blob_files() {
    let log = Log::new();
    let sizes = [MAX_RECORD - 400, MAX_RECORD / 2, MAX_RECORD - 500, 1_000, MAX_RECORD / 3, 5, 3 * MAX_RECORD / 4];
    let mut appended = Vec::new();
    for round in 0..3u64 {
        let batch: Vec<Event> = (0..CHUNK as u64 + 40)
            .map(|i| {
                let n = round * 10_000 + i + 1;
                let mut e = event(u128::from(n));
                e.note = Some(noise(n, sizes[(n % sizes.len() as u64) as usize]));
                e
            })
            .collect();
        log.store.append(&batch, clock(round as i64), None).unwrap();
        appended.extend(batch);
    }
    let log = log.reopen();
    let events: Vec<Event> = scan_all(&log.store).into_iter().map(|r| r.event).collect();
    assert_eq!(events, appended);
    assert_sound(&log.store, appended.len() as u64);
    let files = files_under(&log.path().join("blobs"));
    assert!(files.is_empty(), "sled wrote un-fsynced blob files: {files:?}");
}

#[test]
fn a_log_of_the_first_format_opens_upgraded() {
    // format 1: one record per key in `events`, one id per key in `ids`
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    let all: Vec<_> = events(1, 40).into_iter().map(|e| (clock(0), e)).collect();
    let records = expected_records(&all);
    {
        let db = sled::Config::new().path(&path).segment_size(8 * 1024 * 1024).open().unwrap();
        let (ev, ids, meta) =
            (db.open_tree("events").unwrap(), db.open_tree("ids").unwrap(), db.open_tree("meta").unwrap());
        let mut hash = [0u8; 32];
        for (i, bytes) in records.iter().enumerate() {
            let seq = i as u64 + 1;
            ev.insert(seq.to_be_bytes(), bytes.as_slice()).unwrap();
            ids.insert(all[i].1.id.as_bytes(), &seq.to_be_bytes()).unwrap();
            hash = record::decode(seq, bytes).unwrap().hash;
        }
        let head = sijil_store::Head { seq: 40, hash, recorded_at: clock(0) };
        meta.insert("zone", "Asia/Damascus").unwrap();
        meta.insert("head", head.encode().to_vec()).unwrap();
        meta.insert("format", &1u32.to_be_bytes()).unwrap();
        meta.insert("indexes", &[1u8]).unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_sound(&store, 40);
    assert_eq!(store.get(&all[17].1.id).unwrap().unwrap().seq, 18);
    store.append(&events(100, 300), clock(9), None).unwrap();
    assert_sound(&store, 340);
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_sound(&store, 340);
    assert_eq!(scan_all(&store).len(), 340);
}

/// A log of the second format: its blocks' bytes in sled's `blocks`
/// tree, ten more records in the tail, no indexes yet.
/// With `interrupted`, a move to the block file cut short by a crash: a
/// place and bytes of its own.
fn second_format_log(path: &std::path::Path, all: &[(chrono::DateTime<chrono::Utc>, Event)], interrupted: bool) {
    let records = expected_records(all);
    let db = sled::Config::new().path(path).segment_size(2 * 1024 * 1024).open().unwrap();
    let (blocks, tail, meta) =
        (db.open_tree("blocks").unwrap(), db.open_tree("events").unwrap(), db.open_tree("meta").unwrap());
    let mut builder = Builder::default();
    let mut start = 1u64;
    let in_blocks = records.len() - 10;
    for (i, bytes) in records[..in_blocks].iter().enumerate() {
        if builder.is_full_for(bytes.len()) {
            // format 2 kept every record whole (block version 1)
            for (first, stored) in builder.finish_whole(start) {
                blocks.insert(first.to_be_bytes(), stored).unwrap();
            }
            start = i as u64 + 1;
        }
        builder.push(bytes);
    }
    for (first, stored) in builder.finish_whole(start) {
        blocks.insert(first.to_be_bytes(), stored).unwrap();
    }
    for (i, bytes) in records.iter().enumerate().skip(in_blocks) {
        tail.insert((i as u64 + 1).to_be_bytes(), bytes.as_slice()).unwrap();
    }
    let last = records.len() as u64;
    let hash = record::decode(last, &records[records.len() - 1]).unwrap().hash;
    let head = sijil_store::Head { seq: last, hash, recorded_at: all[all.len() - 1].0 };
    meta.insert("zone", "Asia/Damascus").unwrap();
    meta.insert("head", head.encode().to_vec()).unwrap();
    meta.insert("format", &2u32.to_be_bytes()).unwrap();
    // a checkpoint as format 2 kept them: a cache, dropped
    db.open_tree("checkpoints").unwrap().insert([0u8; 12], &b"old"[..]).unwrap();
    if interrupted {
        db.open_tree("block_refs").unwrap().insert(1u64.to_be_bytes(), &[7u8; 16]).unwrap();
        std::fs::write(path.join(blockfile::FILE), vec![9u8; 5000]).unwrap();
    }
    db.flush().unwrap();
}

#[test]
fn a_log_of_the_second_format_opens_with_its_blocks_moved_to_the_block_file() {
    let all: Vec<_> = events(1, 600).into_iter().map(|e| (clock(0), e)).collect();
    for interrupted in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        second_format_log(&path, &all, interrupted);
        let store = Store::open(&path).unwrap();
        let what = if interrupted { "after a move cut short" } else { "moved" };
        assert_sound(&store, 600);
        let read: Vec<_> = scan_all(&store).into_iter().map(|r| (r.recorded_at, r.event)).collect();
        assert_eq!(read, all, "{what}");
        assert_eq!(store.get(&all[417].1.id).unwrap().unwrap().seq, 418, "{what}");
        store.append(&events(1000, 300), clock(9), None).unwrap();
        store.append(&events(2000, 1), clock(9), None).unwrap();
        assert_sound(&store, 901);
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_sound(&store, 901);
        drop(store);
        // the old tree is gone, and the block file holds no more than
        // the blocks (590 records moved, then 300 imported)
        let db = sled_of(&path);
        for old in [&b"blocks"[..], b"checkpoints"] {
            assert!(!db.tree_names().iter().any(|n| n.as_ref() == old), "{what}: an old tree stayed");
        }
        let places = db.open_tree("block_refs").unwrap();
        let end = places.iter().map(|kv| blockfile::Ref::decode(&kv.unwrap().1).unwrap().end()).max().unwrap();
        let len = std::fs::metadata(path.join(blockfile::FILE)).unwrap().len();
        assert_eq!(len, end, "{what}: the block file holds other bytes");
    }
}

/// A log of the third format: its blocks, every record kept whole (block
/// version 1), in the block file; ten records in the tail.
#[test]
fn a_log_of_the_third_format_reads_as_it_was_and_takes_new_blocks_beside_its_own() {
    let all: Vec<_> = events(1, 2100).into_iter().map(|e| (clock(0), e)).collect();
    let records = expected_records(&all);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    {
        let log = Store::create(&path, "Asia/Damascus").unwrap();
        drop(log);
        let db = sled_of(&path);
        let (places, tail, meta) =
            (db.open_tree("block_refs").unwrap(), db.open_tree("events").unwrap(), db.open_tree("meta").unwrap());
        let file = blockfile::BlockFile::open(&path).unwrap();
        let in_blocks = records.len() - 10;
        for start in (0..in_blocks).step_by(1000) {
            let mut builder = Builder::default();
            for bytes in &records[start..in_blocks.min(start + 1000)] {
                builder.push(bytes);
            }
            for (first, stored) in builder.finish_whole(start as u64 + 1) {
                let r = file.append(&stored, sijil_store::block::count(&stored).unwrap() as usize).unwrap();
                places.insert(first.to_be_bytes(), &r.encode()).unwrap();
            }
        }
        file.sync().unwrap();
        for (i, bytes) in records.iter().enumerate().skip(in_blocks) {
            tail.insert((i as u64 + 1).to_be_bytes(), bytes.as_slice()).unwrap();
        }
        let last = records.len() as u64;
        let hash = record::decode(last, &records[records.len() - 1]).unwrap().hash;
        let head = sijil_store::Head { seq: last, hash, recorded_at: all[all.len() - 1].0 };
        meta.insert("head", head.encode().to_vec()).unwrap();
        meta.insert("format", &3u32.to_be_bytes()).unwrap();
        // the indexes are rebuilt from the records
        meta.remove("indexes").unwrap();
        db.flush().unwrap();
    }
    let file = path.join(blockfile::FILE);
    let old_len = std::fs::metadata(&file).unwrap().len() as usize;
    let store = Store::open(&path).unwrap();
    assert_sound(&store, 2100);
    let read: Vec<_> = scan_all(&store).into_iter().map(|r| (r.recorded_at, r.event)).collect();
    assert_eq!(read, all);
    for seq in [1u64, 999, 1000, 1001, 2090, 2091, 2100] {
        assert_eq!(store.raw(seq).unwrap().unwrap(), records[seq as usize - 1], "#{seq} reads byte for byte");
    }
    assert_eq!(store.get(&all[1500].1.id).unwrap().unwrap().seq, 1501);
    // new blocks (version 2) follow the old ones in the same file
    let more: Vec<_> = events(5000, 1500).into_iter().map(|e| (clock(9), e)).collect();
    store.append(&more.iter().map(|(_, e)| e.clone()).collect::<Vec<_>>(), clock(9), None).unwrap();
    assert_sound(&store, 3600);
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!((bytes[0], bytes[old_len]), (1, 2), "old blocks keep version 1, new ones are version 2");
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_sound(&store, 3600);
    let read: Vec<_> = scan_all(&store).into_iter().map(|r| r.event).collect();
    let want: Vec<_> = all.iter().chain(&more).map(|(_, e)| e.clone()).collect();
    assert_eq!(read, want);
}

/// A tail record altered in place (its hash left as it was) is folded into
/// a block as it is: the damage stays on that record, its neighbours read
/// as they were, and putting it back mends the log.
#[test]
fn a_damaged_tail_record_is_folded_as_it_is() {
    let log = Log::new();
    for i in 0..10 {
        log.store.append(&events(1 + i, 1), clock(i as i64), None).unwrap();
    }
    let before: Vec<Vec<u8>> = (1..=10).map(|s| log.store.raw(s).unwrap().unwrap()).collect();
    let mut bad = before[2].clone();
    let last = bad.len() - 2;
    bad[last] ^= 1;
    log.store.tamper(3, &bad).unwrap();
    // an import folds the tail into a block first
    log.store.append(&events(1000, 300), clock(100), None).unwrap();
    let v = log.store.verify(|_| {}).unwrap();
    assert_eq!(v.first_bad.as_ref().map(|b| b.0), Some(3), "{v:?}");
    assert_eq!(log.store.raw(3).unwrap().unwrap(), bad);
    for seq in [1u64, 2, 4, 5, 10] {
        assert_eq!(log.store.raw(seq).unwrap().unwrap(), before[seq as usize - 1], "#{seq}");
    }
    assert_eq!(log.store.get(&event(5).id).unwrap().unwrap().seq, 5);
    log.store.tamper(3, &before[2]).unwrap();
    assert_sound(&log.store, 310);
}

/// An import dropped before its commit leaves nothing of its blocks in
/// the block file, nor do stray bytes at its end survive an open, and the
/// next blocks are written where they would have been.
#[test]
fn an_import_not_committed_leaves_the_block_file_as_it_was() {
    let log = Log::new();
    fill(&log.store, &[700, 3]);
    let file = log.path().join(blockfile::FILE);
    let before = std::fs::metadata(&file).unwrap().len();
    let mut import = log.store.importer(clock(5), None).unwrap();
    // the importer folds the tail into a block first, and keeps it
    for e in events(5000, 2000) {
        import.push(e).unwrap();
    }
    drop(import);
    let folded = std::fs::metadata(&file).unwrap().len();
    assert!(folded > before && folded < before + 4096, "{before} → {folded}: the dropped import's blocks stayed");
    assert_sound(&log.store, 703);
    let log = log.reopen();
    assert_eq!(std::fs::metadata(&file).unwrap().len(), folded, "reopened");
    // bytes past every block known (an import whose mark sled lost in a
    // crash, a fold cut short) are cut at the next open
    let log = {
        let path = log.path();
        let Log { dir, store } = log;
        drop(store);
        let mut f = std::fs::OpenOptions::new().append(true).open(&file).unwrap();
        std::io::Write::write_all(&mut f, &[7u8; 5000]).unwrap();
        drop(f);
        let store = (0..200)
            .find_map(|_| Store::open(&path).map_err(|_| std::thread::sleep(std::time::Duration::from_millis(10))).ok())
            .expect("the log opens");
        Log { dir, store }
    };
    assert_eq!(std::fs::metadata(&file).unwrap().len(), folded, "stray bytes at the end");
    assert_sound(&log.store, 703);
    log.store.append(&events(20_000, 300), clock(9), None).unwrap();
    assert_sound(&log.store, 1003);
    let log = log.reopen();
    assert_sound(&log.store, 1003);
}

#[test]
fn a_long_scan_stops_at_a_damaged_record_whichever_way_it_is_read() {
    let log = Log::new();
    fill(&log.store, &[5000, 3]);
    let n = log.store.head().unwrap().seq;
    for seq in [1u64, 257, 3000, 5000, n] {
        let original = log.store.raw(seq).unwrap().unwrap();
        let mut bad = original.clone();
        let last = bad.len() - 2;
        bad[last] ^= 1;
        log.store.tamper(seq, &bad).unwrap();
        let mut seen = Vec::new();
        let err = log.store.scan(u64::MAX).each(|r| seen.push(r.seq)).unwrap_err();
        assert_eq!((err.seq(), seen.len() as u64), (Some(seq), seq - 1), "each, #{seq}");
        assert_eq!(seen, (1..seq).collect::<Vec<_>>());
        let err = log.store.scan(u64::MAX).find_map(Result::err).unwrap();
        assert_eq!(err.seq(), Some(seq), "iterating, #{seq}");
        let mut seen = Vec::new();
        let err = log.store.scan_facts_from(1, u64::MAX).each(|f| seen.push(f.seq)).unwrap_err();
        assert_eq!((err.seq(), seen), (Some(seq), (1..seq).collect::<Vec<_>>()), "facts, #{seq}");
        let err = log.store.fetch(&[seq]).unwrap_err();
        assert_eq!(err.seq(), Some(seq), "fetching, #{seq}");
        if seq > 1 {
            assert_eq!(log.store.fetch(&[seq - 1]).unwrap()[0].seq, seq - 1, "its neighbour still reads");
        }
        log.store.tamper(seq, &original).unwrap();
    }
    assert_sound(&log.store, n);
}

#[test]
fn a_scan_can_start_anywhere() {
    let log = Log::new();
    fill(&log.store, &[5, CHUNK + 3, 1, 1, 4500, 2, 1]);
    let n = log.store.head().unwrap().seq;
    for first in [0, 1, 5, 6, 200, CHUNK as u64 + 8, CHUNK as u64 + 9, 3000, n - 1, n, n + 1] {
        for upto in [first + 1, n - 2, n, u64::MAX] {
            let got: Vec<u64> = log.store.scan_from(first, upto).map(|r| r.unwrap().seq).collect();
            let want: Vec<u64> = (first.max(1)..=upto.min(n)).collect();
            assert_eq!(got, want, "scan_from({first}, {upto})");
            let mut seen = Vec::new();
            log.store.scan_from(first, upto).each(|r| seen.push(r.clone())).unwrap();
            assert_eq!(seen.iter().map(|r| r.seq).collect::<Vec<_>>(), want, "scan_from({first}, {upto}).each");
            // the facts of the same records, read from the same JSON
            let mut facts = Vec::new();
            log.store.scan_facts_from(first, upto).each(|f| facts.push(f.clone())).unwrap();
            let expected: Vec<Folded> = seen
                .iter()
                .map(|r| Folded {
                    seq: r.seq,
                    recorded_at: r.recorded_at,
                    facts: Facts::from_json(std::str::from_utf8(&r.event.canonical_json()).unwrap()).unwrap(),
                })
                .collect();
            assert_eq!(facts, expected, "scan_facts_from({first}, {upto})");
        }
    }
}

#[test]
fn a_checkpoint_is_kept_until_replaced_dropped_or_out_of_date() {
    let log = Log::new();
    assert_eq!(log.store.checkpoint().unwrap(), None);
    fill(&log.store, &[CHUNK + 10, 3]);
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    log.store.put_checkpoint(100, &bytes).unwrap();
    assert_eq!(log.store.checkpoint().unwrap(), Some((100, bytes.clone())));
    // its start only: at least the bytes asked for, in whole 16 KiB chunks,
    // with the length of the whole; asking for it all (or more) reads it all
    for (want, read) in [(0, 16_384), (1, 16_384), (16_384, 16_384), (16_385, 32_768), (299_999, 300_000)] {
        let (seq, part, len) = log.store.checkpoint_prefix(|_, _| want).unwrap().expect("a checkpoint");
        assert_eq!((seq, part.len(), len), (100, read, 300_000), "asked for {want}");
        assert_eq!(part, bytes[..read], "asked for {want}");
    }
    for want in [300_000, usize::MAX] {
        assert_eq!(log.store.checkpoint_prefix(|_, _| want).unwrap(), Some((100, bytes.clone(), 300_000)));
    }
    let told = std::cell::Cell::new((0, 0));
    log.store
        .checkpoint_prefix(|seq, len| {
            told.set((seq, len));
            0
        })
        .unwrap();
    assert_eq!(told.get(), (100, 300_000), "the size is asked knowing the position and the length");
    let head = log.store.head().unwrap().seq;
    log.store.put_checkpoint(head, b"newer").unwrap();
    assert_eq!(log.store.checkpoint().unwrap(), Some((head, b"newer".to_vec())), "a new one replaces the old");
    let log = log.reopen();
    assert_eq!(log.store.checkpoint().unwrap(), Some((head, b"newer".to_vec())), "it survives a reopen");
    assert!(log.store.put_checkpoint(head + 1, b"ahead").is_err(), "no checkpoint past the head");
    assert!(log.store.put_checkpoint(0, b"nothing").is_err());
    // the record it was taken after changed: it no longer describes the log
    log.store.put_checkpoint(50, &bytes).unwrap();
    let original = log.store.raw(50).unwrap().unwrap();
    let mut other = original.clone();
    let last = other.len() - 2;
    other[last] ^= 1;
    log.store.tamper(50, &other).unwrap();
    assert_eq!(log.store.checkpoint().unwrap(), None);
    log.store.tamper(50, &original).unwrap();
    assert_eq!(log.store.checkpoint().unwrap(), Some((50, bytes)));
    log.store.drop_checkpoints().unwrap();
    assert_eq!(log.store.checkpoint().unwrap(), None);
    assert_sound(&log.store, head);
}
