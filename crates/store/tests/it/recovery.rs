//! An interrupted import leaves records past the committed head. Readers
//! never see them, and the next open removes them: the log is its head.

use sijil_core::Event;
use sijil_store::{record, AppendError, Store};

use crate::fixture::{assert_sound, clock, event, events, scan_all, Log};

/// What a crash left past the head: (position, stored bytes).
type Strays = Vec<(u64, Vec<u8>)>;

/// Records for `stray` events chained from the head, as an import that
/// wrote them but never moved the head would have left them.
fn chained(store: &Store, stray: &[Event]) -> Strays {
    let head = store.head().unwrap();
    let mut prev = head.hash;
    let mut out = Vec::new();
    for (i, e) in stray.iter().enumerate() {
        let seq = head.seq + 1 + i as u64;
        let (bytes, hash) = record::encode(seq, clock(3600), &prev, e);
        prev = hash;
        out.push((seq, bytes));
    }
    out
}

struct Case {
    what: &'static str,
    /// The smallest head the case makes sense for.
    min_head: u64,
    strays: fn(&Store) -> Strays,
}

fn cases() -> [Case; 6] {
    [
        Case { what: "one record at head + 1", min_head: 0, strays: |s| chained(s, &[event(100)]) },
        Case { what: "a chunk of an import", min_head: 0, strays: |s| chained(s, &events(100, sijil_store::CHUNK)) },
        Case {
            what: "undecodable bytes at head + 1",
            min_head: 0,
            strays: |s| vec![(s.head().unwrap().seq + 1, b"half a record".to_vec())],
        },
        Case {
            what: "a record after a gap",
            min_head: 0,
            strays: |s| {
                let (seq, bytes) = chained(s, &[event(100)]).remove(0);
                vec![(seq + 3, bytes)]
            },
        },
        Case {
            what: "a record far past the head",
            min_head: 0,
            strays: |s| {
                let (_, bytes) = chained(s, &[event(100)]).remove(0);
                vec![(u64::MAX, bytes)]
            },
        },
        // an import that failed after writing its first chunk, retried in
        // part, leaves an older copy of an event now committed past the head
        Case { what: "a copy of a committed event", min_head: 2, strays: |s| chained(s, &[event(2), event(100)]) },
    ]
}

fn stray_events(strays: &Strays) -> Vec<Event> {
    strays.iter().filter_map(|(seq, b)| record::decode(*seq, b).ok()).map(|d| d.recorded.event).collect()
}

#[test]
fn what_lies_past_the_head_is_invisible_then_removed_on_open() {
    for case in cases() {
        for head in [0u64, 5] {
            if head < case.min_head {
                continue;
            }
            let what = format!("{}, head {head}", case.what);
            let log = Log::new();
            if head > 0 {
                log.store.append(&events(1, head as usize), clock(0), None).unwrap();
            }
            let committed = scan_all(&log.store);
            let strays = (case.strays)(&log.store);
            for (seq, bytes) in &strays {
                log.store.tamper(*seq, bytes).unwrap();
            }
            let fresh: Vec<Event> =
                stray_events(&strays).into_iter().filter(|e| e.id.as_u128() > head as u128).collect();

            // before the reopen the strays are there but no reader sees them
            assert!(log.store.raw(strays[0].0).unwrap().is_some(), "{what}");
            assert_eq!(scan_all(&log.store), committed, "{what}");
            assert_sound(&log.store, head);
            for e in &fresh {
                assert_eq!(log.store.get(&e.id).unwrap(), None, "{what}");
            }

            // the reopen removes them
            let log = log.reopen();
            for (seq, _) in &strays {
                assert_eq!(log.store.raw(*seq).unwrap(), None, "{what}: {seq} is still stored");
            }
            assert_eq!(log.store.head().unwrap().seq, head, "{what}");
            assert_eq!(scan_all(&log.store), committed, "{what}");
            assert_sound(&log.store, head);
            for rec in &committed {
                assert_eq!(log.store.get(&rec.event.id).unwrap().as_ref(), Some(rec), "{what}");
            }
            for e in &fresh {
                assert_eq!(log.store.get(&e.id).unwrap(), None, "{what}");
            }

            // appends continue at head + 1; the strays' events are free to
            // append, the committed ones are still refused
            let done = log.store.append(&[event(50_000)], clock(7200), None).unwrap();
            assert_eq!((done.first, done.last), (head + 1, head + 1), "{what}");
            let mut n = head + 1;
            if !fresh.is_empty() {
                let done = log.store.append(&fresh, clock(7200), Some(n)).unwrap();
                assert_eq!((done.first, done.last), (n + 1, n + fresh.len() as u64), "{what}");
                n = done.last;
            }
            if head > 0 {
                let err = log.store.append(&[event(1)], clock(7200), None).unwrap_err();
                assert!(matches!(err, AppendError::IdExists { seq: 1, .. }), "{what}: {err:?}");
            }
            assert_sound(&log.store, n);
            let log = log.reopen();
            assert_eq!(scan_all(&log.store).len() as u64, n, "{what}");
            assert_sound(&log.store, n);
        }
    }
}
