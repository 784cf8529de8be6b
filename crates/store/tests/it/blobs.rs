//! Record size: the largest record the store takes still leaves sled's tree
//! pages small enough never to go to a blob file (which sled 0.34 never
//! fsyncs), and a larger event is refused without writing anything.

use sijil_core::Event;
use sijil_store::{record, AppendError, GENESIS, MAX_RECORD};

use crate::fixture::{assert_sound, clock, event, files_under, record_header_len, scan_all, Log};

/// Event `n` with a note of `len` bytes of JSON-plain text, varied so that
/// no two records are alike.
fn with_note(n: u128, len: usize) -> Event {
    let mut e = event(n);
    let pattern = format!("{n:08} shelling reported near the old market; ");
    e.note = Some(pattern.chars().cycle().take(len).collect());
    e
}

/// The note length that makes event `n`'s record exactly `size` bytes.
fn note_len_for(n: u128, size: usize) -> usize {
    let bare = with_note(n, 0).canonical_json().len();
    size - record_header_len() - bare
}

fn stored_len(e: &Event) -> usize {
    record::encode(1, clock(0), &GENESIS, e).0.len()
}

#[test]
fn records_of_the_largest_size_never_go_to_blob_files() {
    let log = Log::new();
    let mut appended = Vec::new();
    let mut n = 0u128;
    let mut next = |size: Option<usize>| {
        n += 1;
        match size {
            Some(size) => with_note(n, note_len_for(n, size)),
            None => event(n),
        }
    };
    // 200 records of exactly MAX_RECORD bytes, appended alone and in
    // batches of up to 25, with normal records in between
    let mut largest = 0;
    let mut round = 0;
    while largest < 200 {
        let count = [1, 25, 3, 17, 1, 40][round % 6].min(200 - largest);
        let mut batch: Vec<Event> = (0..count).map(|_| next(Some(MAX_RECORD))).collect();
        largest += count;
        if round % 2 == 0 {
            batch.push(next(None));
        }
        for e in &batch {
            if e.note.as_ref().is_some_and(|n| n.len() > 1000) {
                assert_eq!(stored_len(e), MAX_RECORD);
            }
        }
        log.store.append(&batch, clock(round as i64), None).unwrap();
        appended.extend(batch);
        round += 1;
    }
    let log = log.reopen();
    let events: Vec<Event> = scan_all(&log.store).into_iter().map(|r| r.event).collect();
    assert_eq!(events, appended);
    assert_sound(&log.store, appended.len() as u64);

    let blobs = log.path().join("blobs");
    assert!(blobs.is_dir(), "sled 0.34 keeps a blobs/ folder; has the layout changed?");
    let files = files_under(&blobs);
    assert!(files.is_empty(), "sled wrote un-fsynced blob files: {files:?}");
}

#[test]
fn an_event_over_max_record_is_refused_whole() {
    // (what, the event over the limit, its index in a batch of 5)
    let over_by_one = with_note(100, note_len_for(100, MAX_RECORD + 1));
    // a note of quotes doubles in JSON: under the limit in characters,
    // over it stored
    let mut quotes = event(101);
    quotes.note = Some("\"".repeat(MAX_RECORD / 2));
    let huge = with_note(102, 4 * MAX_RECORD);
    let cases = [
        ("one byte over, alone", over_by_one.clone(), None),
        ("one byte over, last of a batch", over_by_one, Some(4)),
        ("under the limit in characters, over it escaped", quotes, Some(0)),
        ("four times the limit, in the middle of a batch", huge, Some(2)),
    ];
    for (what, big, index) in cases {
        let log = Log::new();
        log.store.append(&[event(1), event(2)], clock(0), None).unwrap();
        let before = scan_all(&log.store);
        let batch = match index {
            None => vec![big.clone()],
            Some(i) => {
                let mut batch: Vec<Event> = (10..14).map(event).collect();
                batch.insert(i, big.clone());
                batch
            }
        };
        let size = stored_len(&big);
        assert!(size > MAX_RECORD, "{what}");
        let err = log.store.append(&batch, clock(60), None).unwrap_err();
        assert!(matches!(err, AppendError::TooLarge { id, size: s } if id == big.id && s == size), "{what}: {err:?}");
        let message = err.to_string();
        assert!(message.contains(&size.to_string()) && message.contains(&MAX_RECORD.to_string()), "{message}");
        assert_eq!(scan_all(&log.store), before, "{what}");
        assert_eq!(log.store.raw(3).unwrap(), None, "{what}");
        for e in &batch {
            assert_eq!(log.store.get(&e.id).unwrap(), None, "{what}");
        }
        assert_sound(&log.store, 2);
    }
}

#[test]
fn an_event_of_exactly_max_record_is_taken() {
    let log = Log::new();
    let e = with_note(7, note_len_for(7, MAX_RECORD));
    let done = log.store.append(std::slice::from_ref(&e), clock(0), None).unwrap();
    assert_eq!(log.store.raw(done.last).unwrap().unwrap().len(), MAX_RECORD);
    assert_eq!(log.store.get(&e.id).unwrap().unwrap().event, e);
}
