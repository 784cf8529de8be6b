//! Appending: gap-free positions, the exact stored bytes, clipped scans,
//! lookups by id and recording times.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sijil_store::{Appended, CHUNK};
use uuid::Uuid;

use crate::fixture::{assert_sound, clock, event, events, expected_records, scan_all, Log};

#[test]
fn appends_are_gap_free_and_read_back_byte_identical() {
    // (what, sizes of the successive appends)
    let shapes: &[(&str, &[usize])] = &[
        ("one event", &[1]),
        ("several single appends", &[1, 1, 1, 1]),
        ("several batches", &[3, 1, 5]),
        ("a batch of 2,500 (three chunks)", &[2500]),
        ("batches around a chunk", &[CHUNK - 1, 1, CHUNK, CHUNK + 1]),
        ("a large batch after a small one", &[2, 2500]),
    ];
    for &(what, sizes) in shapes {
        let log = Log::new();
        let store = &log.store;
        let mut appended = Vec::new(); // (recorded_at, event) in log order
        let mut next_id = 1u128;
        for (i, &size) in sizes.iter().enumerate() {
            let batch = events(next_id, size);
            next_id += size as u128;
            let now = clock(i as i64 * 60);
            let head = appended.len() as u64;
            let done = store.append(&batch, now, None).unwrap();
            let expected = Appended { first: head + 1, last: head + size as u64, recorded_at: now };
            assert_eq!(done, expected, "{what}: append {i}");
            appended.extend(batch.into_iter().map(|e| (now, e)));
        }
        let n = appended.len() as u64;

        // every position 1..=n, in order, the very events appended
        let scanned = scan_all(store);
        assert_eq!(scanned.len() as u64, n, "{what}");
        for (i, (rec, (at, event))) in scanned.iter().zip(&appended).enumerate() {
            assert_eq!(rec.seq, i as u64 + 1, "{what}");
            assert_eq!(rec.recorded_at, *at, "{what}: seq {}", rec.seq);
            assert_eq!(rec.event.canonical_json(), event.canonical_json(), "{what}: seq {}", rec.seq);
            assert_eq!(&rec.event, event, "{what}: seq {}", rec.seq);
        }

        // the stored bytes are the documented record layout, hash-chained
        // from the genesis hash; nothing lies past the head
        let records = expected_records(&appended);
        for (i, bytes) in records.iter().enumerate() {
            let seq = i as u64 + 1;
            assert_eq!(store.raw(seq).unwrap().as_ref(), Some(bytes), "{what}: raw {seq}");
        }
        assert_eq!(store.raw(n + 1).unwrap(), None, "{what}");
        let head = store.head().unwrap();
        assert_eq!(head.seq, n, "{what}");
        assert_eq!(head.recorded_at, appended.last().unwrap().0, "{what}");
        let last = sijil_store::record::decode(n, records.last().unwrap()).unwrap();
        assert_eq!(head.hash, last.hash, "{what}");

        // scan(k) clips at k
        for k in [0, 1, n / 2, n - 1, n, n + 1, u64::MAX] {
            let clipped: Vec<_> = store.scan(k).collect::<Result<_, _>>().unwrap();
            assert_eq!(clipped.len() as u64, k.min(n), "{what}: scan({k})");
            assert_eq!(clipped[..], scanned[..clipped.len()], "{what}: scan({k})");
        }

        // get finds each event at its position, and nothing else
        for rec in &scanned {
            assert_eq!(store.get(&rec.event.id).unwrap().as_ref(), Some(rec), "{what}: get {}", rec.seq);
        }
        assert_eq!(store.get(&Uuid::from_u128(next_id)).unwrap(), None, "{what}");
        assert_eq!(store.get(&Uuid::nil()).unwrap(), None, "{what}");

        assert_sound(store, n);
    }
}

#[test]
fn recorded_at_is_one_per_append_and_never_decreases() {
    // (clock in seconds, batch size): the clock goes back twice
    let appends = [(100, 3), (50, 2), (100, 1), (200, 2), (199, 1), (-1_000_000, 4), (201, 1)];
    let mut log = Log::new();
    let mut next_id = 1u128;
    let mut latest = DateTime::<Utc>::MIN_UTC;
    let mut expected = Vec::new(); // recorded_at per position
    for (round, &(secs, size)) in appends.iter().enumerate() {
        if round == 4 {
            // the head's recording time survives a reopen
            log = log.reopen();
        }
        let now = clock(secs);
        latest = latest.max(now);
        let done = log.store.append(&events(next_id, size), now, None).unwrap();
        next_id += size as u128;
        assert_eq!(done.recorded_at, latest, "append at {secs}s");
        expected.extend(std::iter::repeat_n(latest, size));
    }
    let scanned: Vec<DateTime<Utc>> = scan_all(&log.store).iter().map(|r| r.recorded_at).collect();
    assert_eq!(scanned, expected);
    assert!(scanned.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(log.store.head().unwrap().recorded_at, latest);
    assert_sound(&log.store, expected.len() as u64);
}

/// Regression: the store keeps microseconds, and `append` used to report
/// the caller's clock with its nanoseconds, a recording time that no stored
/// record carries.
#[test]
fn appended_recorded_at_matches_the_stored_microseconds() {
    let log = Log::new();
    let cases = [
        // (nanoseconds past a whole second, the microsecond recorded)
        (123_456_789, 123_456),
        (999_999_999, 999_999),
        (1_000, 1),
        (999, 0),
    ];
    for (i, &(nanos, micros)) in cases.iter().enumerate() {
        let second = clock(i as i64 * 10);
        let now = second + chrono::Duration::nanoseconds(nanos);
        let done = log.store.append(&[event(i as u128 + 1)], now, None).unwrap();
        assert_eq!(done.recorded_at, second + chrono::Duration::microseconds(micros), "clock {now:?}");
        let stored = log.store.get(&event(i as u128 + 1).id).unwrap().unwrap();
        assert_eq!(stored.recorded_at, done.recorded_at, "clock {now:?}");
        assert_eq!(log.store.head().unwrap().recorded_at, done.recorded_at);
    }
    // a clock that goes back by less than a microsecond records the head's time
    let head = log.store.head().unwrap().recorded_at;
    let done = log.store.append(&[event(100)], head + chrono::Duration::nanoseconds(10), None).unwrap();
    assert_eq!(done.recorded_at, head);
    assert_sound(&log.store, cases.len() as u64 + 1);
}

#[test]
fn an_empty_append_changes_nothing() {
    let log = Log::new();
    for head in [0u64, 2] {
        if head > 0 {
            log.store.append(&events(1, 2), clock(0), None).unwrap();
        }
        let before = log.store.head().unwrap();
        let done = log.store.append(&[], clock(10), Some(head)).unwrap();
        assert_eq!((done.first, done.last), (head + 1, head));
        assert_eq!(log.store.head().unwrap(), before);
        assert_eq!(scan_all(&log.store).len() as u64, head);
    }
}

#[test]
fn concurrent_appends_stay_gap_free_and_whole() {
    const THREADS: u128 = 4;
    const APPENDS: u128 = 25;
    const BATCH: usize = 3;
    let log = Log::new();
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let store = &log.store;
            s.spawn(move || {
                for a in 0..APPENDS {
                    let first_id = (t * APPENDS + a) * BATCH as u128 + 1;
                    store.append(&events(first_id, BATCH), clock(0), None).unwrap();
                }
            });
        }
    });
    let scanned = scan_all(&log.store);
    let total = (THREADS * APPENDS) as usize * BATCH;
    assert_eq!(scanned.len(), total);
    // each batch landed whole, in its own order, on consecutive positions
    let mut position_of = HashMap::new();
    for (i, rec) in scanned.iter().enumerate() {
        assert_eq!(rec.seq, i as u64 + 1);
        position_of.insert(rec.event.id.as_u128(), rec.seq);
    }
    for batch in 0..THREADS * APPENDS {
        let first = position_of[&(batch * BATCH as u128 + 1)];
        for k in 1..BATCH as u128 {
            assert_eq!(position_of[&(batch * BATCH as u128 + 1 + k)], first + k as u64);
        }
    }
    assert_sound(&log.store, total as u64);
}
