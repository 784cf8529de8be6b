//! `verify` passes a sound log and names the first position of a tampered
//! one; readers report a damaged record as `ReadError::Corrupt` with its
//! position, never a panic or another record.

use sijil_core::Event;
use sijil_store::record::{self, Decoded};
use sijil_store::{ReadError, Store};

use crate::fixture::{clock, event, events, Log};

#[test]
fn a_sound_log_verifies_and_its_head_hash_is_stable() {
    for n in [0u64, 1, 5, 1200] {
        let build = || {
            let log = Log::new();
            if n > 0 {
                let first = (n / 2).max(1) as usize;
                log.store.append(&events(1, first), clock(0), None).unwrap();
                log.store.append(&events(1 + first as u128, n as usize - first), clock(60), None).unwrap();
            }
            log
        };
        let log = build();
        let mut progress = Vec::new();
        let verified = log.store.verify(|seq| progress.push(seq)).unwrap();
        assert_eq!(verified.first_bad, None, "{n} records");
        assert_eq!(verified.records, n);
        assert_eq!(verified.head, log.store.head().unwrap());
        assert_eq!(progress, (1..=n).collect::<Vec<_>>());
        if n > 0 {
            let last = record::decode(n, &log.store.raw(n).unwrap().unwrap()).unwrap();
            assert_eq!(verified.head.hash, last.hash);
        }

        // the same hash after a reopen, and for the same records in another log
        let log = log.reopen();
        assert_eq!(log.store.verify(|_| {}).unwrap(), verified, "{n} records, reopened");
        assert_eq!(build().store.head().unwrap().hash, verified.head.hash, "{n} records, rebuilt");
    }
}

#[test]
fn the_hash_covers_each_recording_time_and_event() {
    let head_hash = |second_clock: i64, second_note: &str| {
        let log = Log::new();
        log.store.append(&events(1, 2), clock(0), None).unwrap();
        let mut e = event(3);
        e.note = Some(second_note.into());
        log.store.append(&[e], clock(second_clock), None).unwrap();
        log.store.head().unwrap().hash
    };
    let base = head_hash(60, "a");
    assert_eq!(head_hash(60, "a"), base);
    assert_ne!(head_hash(61, "a"), base);
    assert_ne!(head_hash(60, "b"), base);
}

/// The log every tampering case starts from: positions 1 and 2 recorded at
/// one time, 3 to 6 at another.
fn six() -> Log {
    let log = Log::new();
    log.store.append(&events(1, 2), clock(0), None).unwrap();
    log.store.append(&events(3, 4), clock(60), None).unwrap();
    log
}

fn decoded(store: &Store, seq: u64) -> Decoded {
    record::decode(seq, &store.raw(seq).unwrap().unwrap()).unwrap()
}

fn raw(store: &Store, seq: u64) -> Vec<u8> {
    store.raw(seq).unwrap().unwrap()
}

/// Re-encodes `event` at `seq` as a valid record chained to the record
/// before it, with that position's recording time: a forgery that only the
/// chain and the id index can reveal. Returns the forged record's hash.
fn forge(store: &Store, seq: u64, event: &Event, prev: [u8; 32]) -> [u8; 32] {
    let recorded_at = decoded(store, seq).recorded.recorded_at;
    let (bytes, hash) = record::encode(seq, recorded_at, &prev, event);
    store.tamper(seq, &bytes).unwrap();
    hash
}

fn flip(store: &Store, seq: u64, index: impl Fn(&[u8]) -> usize) {
    let mut bytes = raw(store, seq);
    let i = index(&bytes);
    bytes[i] ^= 0x01;
    store.tamper(seq, &bytes).unwrap();
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).position(|w| w == needle).unwrap()
}

struct Case {
    what: &'static str,
    tamper: fn(&Store),
    /// The position `verify` names and a phrase of its reason.
    bad: (u64, &'static str),
    /// Records checked before it.
    checked: u64,
    /// The damaged position readers hit, when the record's own bytes are
    /// damaged (a forged but well-formed record reads like any other).
    damaged: Option<u64>,
}

const ALTERED: &str = "does not match its hash (altered or moved)";

fn cases() -> Vec<Case> {
    vec![
        Case {
            what: "one byte of record 3's JSON",
            tamper: |s| flip(s, 3, |b| find(b, b"report 3")),
            bad: (3, ALTERED),
            checked: 2,
            damaged: Some(3),
        },
        Case {
            what: "the last byte of record 1",
            tamper: |s| flip(s, 1, |b| b.len() - 1),
            bad: (1, ALTERED),
            checked: 0,
            damaged: Some(1),
        },
        Case {
            what: "record 2's recording time",
            tamper: |s| flip(s, 2, |_| 8),
            bad: (2, ALTERED),
            checked: 1,
            damaged: Some(2),
        },
        Case {
            what: "record 4's previous hash",
            tamper: |s| flip(s, 4, |_| 9),
            bad: (4, ALTERED),
            checked: 3,
            damaged: Some(4),
        },
        Case {
            what: "the head record's own hash",
            tamper: |s| flip(s, 6, |_| 41),
            bad: (6, ALTERED),
            checked: 5,
            damaged: Some(6),
        },
        Case {
            what: "records 2 and 5 swapped",
            tamper: |s| {
                let (two, five) = (raw(s, 2), raw(s, 5));
                s.tamper(2, &five).unwrap();
                s.tamper(5, &two).unwrap();
            },
            bad: (2, ALTERED),
            checked: 1,
            damaged: Some(2),
        },
        Case {
            what: "record 4 copied over record 5",
            tamper: |s| s.tamper(5, &raw(s, 4)).unwrap(),
            bad: (5, ALTERED),
            checked: 4,
            damaged: Some(5),
        },
        Case {
            what: "record 3 truncated",
            tamper: |s| s.tamper(3, &raw(s, 3)[..20]).unwrap(),
            bad: (3, "truncated"),
            checked: 2,
            damaged: Some(3),
        },
        Case {
            what: "record 3 emptied",
            tamper: |s| s.tamper(3, &[]).unwrap(),
            bad: (3, "truncated"),
            checked: 2,
            damaged: Some(3),
        },
        Case {
            what: "record 3 from a newer version",
            tamper: |s| {
                let mut b = raw(s, 3);
                b[0] = 2;
                s.tamper(3, &b).unwrap();
            },
            bad: (3, "record version 2 is newer than this sijil reads; upgrade sijil"),
            checked: 2,
            damaged: Some(3),
        },
        Case {
            what: "record 3 of version 0",
            tamper: |s| {
                let mut b = raw(s, 3);
                b[0] = 0;
                s.tamper(3, &b).unwrap();
            },
            bad: (3, "unknown record version 0"),
            checked: 2,
            damaged: Some(3),
        },
        Case {
            what: "record 3 replaced by another event, chained from record 2",
            tamper: |s| {
                forge(s, 3, &event(999), decoded(s, 2).hash);
            },
            bad: (3, "the id index does not point at it"),
            checked: 2,
            damaged: None,
        },
        Case {
            what: "record 3 replaced by record 5's event, chained from record 2",
            tamper: |s| {
                forge(s, 3, &event(5), decoded(s, 2).hash);
            },
            bad: (3, "the id index does not point at it"),
            checked: 2,
            damaged: None,
        },
        Case {
            what: "record 3's event edited under its own id, chained from record 2",
            tamper: |s| {
                let mut e = event(3);
                e.note = Some("edited".into());
                forge(s, 3, &e, decoded(s, 2).hash);
            },
            // record 3 is well-formed: the break shows where 4 chains to it
            bad: (4, "does not chain to the previous record"),
            checked: 3,
            damaged: None,
        },
        Case {
            what: "the head's event edited, chained from record 5",
            tamper: |s| {
                let mut e = event(6);
                e.killed = Some(40);
                forge(s, 6, &e, decoded(s, 5).hash);
            },
            bad: (6, "the head hash does not match the last record"),
            checked: 6,
            damaged: None,
        },
        Case {
            what: "records 3 to 6 rewritten as a consistent chain",
            tamper: |s| {
                let mut prev = decoded(s, 2).hash;
                for n in 3..=6 {
                    let mut e = event(n);
                    e.note = Some(format!("rewritten {n}"));
                    prev = forge(s, n as u64, &e, prev);
                }
            },
            bad: (6, "the head hash does not match the last record"),
            checked: 6,
            damaged: None,
        },
    ]
}

fn assert_names(store: &Store, case: &Case, when: &str) {
    let what = case.what;
    let mut progress = Vec::new();
    let verified = store.verify(|seq| progress.push(seq)).unwrap();
    let (seq, reason) = verified.first_bad.clone().unwrap_or_else(|| panic!("{what}{when}: verify passed"));
    assert_eq!(seq, case.bad.0, "{what}{when}: {reason}");
    assert!(reason.contains(case.bad.1), "{what}{when}: {reason:?}");
    assert_eq!(verified.records, case.checked, "{what}{when}");
    assert_eq!(progress, (1..=case.checked).collect::<Vec<_>>(), "{what}{when}");
    assert_eq!(verified.head.seq, 6, "{what}{when}");
}

#[test]
fn verify_names_the_first_tampered_position() {
    for case in cases() {
        let log = six();
        (case.tamper)(&log.store);
        assert_names(&log.store, &case, "");
        // tampering is durable and does not stop the log from opening
        let log = log.reopen();
        assert_names(&log.store, &case, ", reopened");
    }
}

#[test]
fn readers_report_a_damaged_record_with_its_position() {
    for case in cases() {
        let Some(damaged) = case.damaged else { continue };
        let what = case.what;
        let log = six();
        (case.tamper)(&log.store);

        // scan: sound records up to the damage, then Corrupt at its position
        let items: Vec<_> = log.store.scan(u64::MAX).collect();
        for (i, item) in items.iter().enumerate().take(damaged as usize - 1) {
            assert_eq!(item.as_ref().unwrap().seq, i as u64 + 1, "{what}");
        }
        match &items[damaged as usize - 1] {
            Err(e @ ReadError::Corrupt { seq, reason }) => {
                assert_eq!(*seq, damaged, "{what}: {reason}");
                assert_eq!(e.seq(), Some(damaged));
                assert!(e.to_string().contains(&format!("record {damaged} is damaged")), "{what}: {e}");
            }
            other => panic!("{what}: scan gave {other:?} at {damaged}"),
        }
        // a scan that stops before the damage reads cleanly
        let clean: Vec<_> = log.store.scan(damaged - 1).collect::<Result<_, _>>().unwrap();
        assert_eq!(clean.len() as u64, damaged - 1, "{what}");

        // get: the damaged record is an error with its position, others read
        for n in 1..=6u128 {
            let got = log.store.get(&event(n).id);
            // event n was appended at position n
            if n as u64 == damaged {
                let err = got.unwrap_err();
                assert_eq!(err.seq(), Some(damaged), "{what}: get {n}: {err}");
            } else if let Ok(Some(rec)) = &got {
                assert_eq!(rec.event, event(n), "{what}: get {n}");
            } else {
                // a swap damages two records; the other one errs at its own position
                let err = got.unwrap_err();
                assert_eq!(err.seq(), Some(n as u64), "{what}: get {n}: {err}");
            }
        }
    }
}

/// Regression: `get` followed the id index to a record without checking
/// the record holds that id, so a replaced record was returned for an id it
/// does not carry.
#[test]
fn get_never_returns_a_record_of_another_id() {
    // (what, the event forged into position 3)
    let cases = [("a new event", event(999)), ("record 5's event", event(5))];
    for (what, forged) in cases {
        let log = six();
        forge(&log.store, 3, &forged, decoded(&log.store, 2).hash);
        match log.store.get(&event(3).id) {
            Err(ReadError::Corrupt { seq: 3, reason }) => {
                assert!(reason.contains("another event"), "{what}: {reason}");
            }
            other => panic!("{what}: get of the replaced id gave {other:?}"),
        }
        // the ids that are where the index says still read
        for n in [1u128, 2, 4, 5, 6] {
            assert_eq!(log.store.get(&event(n).id).unwrap().unwrap().event, event(n), "{what}");
        }
        assert_eq!(log.store.get(&event(999).id).unwrap(), None, "{what}");
    }
}

/// `get` keeps the few blocks it read last: reads across more blocks than
/// it keeps, in any order, still give each id its own event, and a block
/// rewritten after it was read is read again, not served from memory.
#[test]
fn get_reads_each_block_as_it_now_lies() {
    let log = Log::new();
    // 6,000 events in one import: six blocks of 1,024 records and a part
    log.store.append(&events(1, 6000), clock(0), None).unwrap();
    let order: Vec<u128> = (0..60u128).map(|i| 1 + (i * 1237) % 6000).chain([1, 1025, 2049, 1, 5999]).collect();
    for n in order {
        assert_eq!(log.store.get(&event(n).id).unwrap().unwrap().event, event(n), "event {n}");
    }
    // read, then forged in its block (which is written anew): get sees it
    assert_eq!(log.store.get(&event(3000).id).unwrap().unwrap().event, event(3000));
    forge(&log.store, 3000, &event(99_999), decoded(&log.store, 2999).hash);
    match log.store.get(&event(3000).id) {
        Err(ReadError::Corrupt { seq: 3000, reason }) => assert!(reason.contains("another event"), "{reason}"),
        other => panic!("the forged record read as {other:?}"),
    }
    assert_eq!(log.store.get(&event(3001).id).unwrap().unwrap().event, event(3001));
}
