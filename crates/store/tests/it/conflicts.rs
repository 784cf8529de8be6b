//! Refused appends: a stale `expect`, an id already in the log, an id twice
//! in one batch. Each is its own error, and nothing of the batch is written.

use sijil_core::Recorded;
use sijil_store::{AppendError, Head, Store};

use crate::fixture::{assert_sound, clock, event, events, scan_all, Log};

/// What a refused append must leave exactly as it was.
#[derive(Debug, PartialEq)]
struct Snapshot {
    head: Head,
    records: Vec<Recorded>,
    past_head: Option<Vec<u8>>,
}

fn snapshot(store: &Store) -> Snapshot {
    let head = store.head().unwrap();
    Snapshot { head, records: scan_all(store), past_head: store.raw(head.seq + 1).unwrap() }
}

#[test]
fn expect_appends_only_at_the_expected_head() {
    // (events already in the log, expect, accepted)
    let cases = [
        (0, Some(0), true),
        (0, None, true),
        (0, Some(1), false),
        (3, Some(3), true),
        (3, None, true),
        (3, Some(0), false),
        (3, Some(2), false),
        (3, Some(4), false),
        (3, Some(u64::MAX), false),
        (1500, Some(1500), true),
        (1500, Some(1499), false),
    ];
    for (n, expect, accepted) in cases {
        let log = Log::new();
        if n > 0 {
            log.store.append(&events(1, n as usize), clock(0), None).unwrap();
        }
        let before = snapshot(&log.store);
        let batch = events(10_000, 2);
        let result = log.store.append(&batch, clock(60), expect);
        if accepted {
            let done = result.unwrap();
            assert_eq!((done.first, done.last), (n + 1, n + 2), "head {n}, expect {expect:?}");
            assert_eq!(log.store.get(&batch[1].id).unwrap().unwrap().seq, n + 2);
            assert_sound(&log.store, n + 2);
        } else {
            let err = result.unwrap_err();
            let expected = expect.unwrap();
            assert!(
                matches!(err, AppendError::SeqMismatch { expected: e, actual: a } if e == expected && a == n),
                "head {n}, expect {expect:?}: {err:?}"
            );
            let message = err.to_string();
            assert!(message.contains(&n.to_string()), "{message}");
            assert!(message.contains(&expected.to_string()), "{message}");
            assert_eq!(snapshot(&log.store), before, "head {n}, expect {expect:?}");
            assert_eq!(log.store.get(&batch[0].id).unwrap(), None);
            assert_sound(&log.store, n);
        }
    }
}

#[test]
fn expect_is_checked_even_for_an_empty_batch() {
    let log = Log::new();
    log.store.append(&events(1, 2), clock(0), None).unwrap();
    let err = log.store.append(&[], clock(0), Some(1)).unwrap_err();
    assert!(matches!(err, AppendError::SeqMismatch { expected: 1, actual: 2 }), "{err:?}");
}

#[test]
fn an_id_already_in_the_log_refuses_the_whole_batch() {
    const CHUNK_PLUS: usize = sijil_store::CHUNK + 1;
    // (what, batch size, index in the batch of the event reusing a logged id,
    //  the logged position it reuses)
    let cases = [
        ("alone", 1, 0, 1),
        ("first of a batch", 4, 0, 5),
        ("in the middle", 5, 2, 3),
        ("last", 5, 4, 10),
        ("in the third chunk of an import", 2500, 2100, 7),
        ("last of an import", CHUNK_PLUS, CHUNK_PLUS - 1, 2),
    ];
    for (what, size, at, reused) in cases {
        let log = Log::new();
        log.store.append(&events(1, 10), clock(0), None).unwrap();
        let before = snapshot(&log.store);
        let mut batch = events(1000, size);
        // the same event, not just the same id: a re-import is refused too
        batch[at] = event(reused as u128);
        let err = log.store.append(&batch, clock(60), None).unwrap_err();
        let id = batch[at].id;
        assert!(matches!(err, AppendError::IdExists { id: i, seq } if i == id && seq == reused), "{what}: {err:?}");
        assert!(err.to_string().contains(&id.to_string()), "{what}: {err}");
        assert_eq!(snapshot(&log.store), before, "{what}");
        for e in &batch {
            if e.id != id {
                assert_eq!(log.store.get(&e.id).unwrap(), None, "{what}");
            }
        }
        assert_sound(&log.store, 10);

        // the refusal left nothing behind: after a reopen the batch without
        // the duplicate is appended right after the head
        let log = log.reopen();
        assert_eq!(snapshot(&log.store), before, "{what}: after reopen");
        batch.remove(at);
        let done = log.store.append(&batch, clock(120), Some(10)).unwrap();
        assert_eq!((done.first, done.last), (11, 10 + batch.len() as u64), "{what}");
        assert_sound(&log.store, 10 + batch.len() as u64);
    }
}

#[test]
fn the_same_id_twice_in_one_batch_is_refused() {
    // (what, batch size, the two indexes sharing an id)
    let cases = [
        ("a pair", 2, 0, 1),
        ("apart", 6, 1, 4),
        ("in different chunks of an import", 2500, 10, 1500),
        ("at both ends of an import", 2500, 0, 2499),
    ];
    for (what, size, first, second) in cases {
        for head in [0u64, 3] {
            let log = Log::new();
            if head > 0 {
                log.store.append(&events(1, head as usize), clock(0), None).unwrap();
            }
            let before = snapshot(&log.store);
            let mut batch = events(1000, size);
            batch[second] = batch[first].clone();
            let id = batch[first].id;
            let err = log.store.append(&batch, clock(60), None).unwrap_err();
            assert!(matches!(err, AppendError::Repeated { id: i } if i == id), "{what}: {err:?}");
            assert_eq!(snapshot(&log.store), before, "{what}, head {head}");
            assert_eq!(log.store.get(&id).unwrap(), None, "{what}");
            assert_sound(&log.store, head);
            // also with a changed event under the repeated id
            batch[second].note = Some("a different report".into());
            let err = log.store.append(&batch, clock(60), None).unwrap_err();
            assert!(matches!(err, AppendError::Repeated { id: i } if i == id), "{what}: {err:?}");
            assert_eq!(snapshot(&log.store), before, "{what}, head {head}");
        }
    }
}
