//! The registry and standing indexes: what validation reads instead of
//! replaying the log, kept in the same transactions as the records.

use sijil_core::{Event, Kind, Recorded};
use sijil_store::record;
use uuid::Uuid;

use crate::fixture::{assert_sound, clock, event, files_under, Log};

fn area(n: u128, slug: &str) -> Event {
    let mut e = Event::new(Uuid::from_u128(n), Kind::Area, "gazetteer");
    e.area = Some(slug.to_string());
    e.name = Some(slug.to_string());
    e
}

fn correction(n: u128, of: u128) -> Event {
    let mut e = event(n);
    e.corrects = Some(Uuid::from_u128(of));
    e
}

fn retraction(n: u128, of: u128) -> Event {
    let mut e = Event::new(Uuid::from_u128(n), Kind::Retraction, "desk");
    e.at = event(n).at;
    e.retracts = Some(Uuid::from_u128(of));
    e
}

fn slugs(log: &Log) -> Vec<(u64, String)> {
    log.store
        .reference_events()
        .map(|r| r.map(|r: Recorded| (r.seq, r.event.area.unwrap_or_default())))
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn the_indexes_follow_appends_and_survive_a_reopen() {
    let log = Log::new();
    let none = (None, None);
    log.store.append(&[area(1, "aleppo"), event(2), event(3), event(4)], clock(0), None).unwrap();
    // a correction of 2 and, in a later append, a retraction of 3 and a new area
    log.store.append(&[correction(5, 2)], clock(1), None).unwrap();
    log.store.append(&[retraction(6, 3), area(7, "aleppo/ashrafiyeh")], clock(2), None).unwrap();
    // a multi-chunk append: the references land in the same transactions as their records
    let mut big: Vec<Event> = (100..2600).map(event).collect();
    big[1500] = area(1600, "homs");
    big[2400] = retraction(2500, 4);
    log.store.append(&big, clock(3), None).unwrap();
    let log = log.reopen();
    for (id, want) in [
        (2u128, (Some(Uuid::from_u128(5)), None)),
        (3, (None, Some(Uuid::from_u128(6)))),
        (4, (None, Some(Uuid::from_u128(2500)))),
        (5, none),
        (99_999, none),
    ] {
        assert_eq!(log.store.standing(&Uuid::from_u128(id)).unwrap(), want, "standing of {id}");
    }
    let want = vec![(1, "aleppo".to_string()), (7, "aleppo/ashrafiyeh".to_string()), (1508, "homs".to_string())];
    assert_eq!(slugs(&log), want);
    assert_sound(&log.store, 2507);
}

#[test]
fn a_refused_append_leaves_the_indexes_untouched() {
    let log = Log::new();
    log.store.append(&[event(1)], clock(0), None).unwrap();
    // the batch repeats id 1: nothing of it, its correction or its area, is indexed
    let err = log.store.append(&[correction(2, 1), area(3, "aleppo"), event(1)], clock(1), None);
    assert!(err.is_err());
    assert_eq!(log.store.standing(&Uuid::from_u128(1)).unwrap(), (None, None));
    assert!(slugs(&log).is_empty());
    assert_sound(&log.store, 1);
}

#[test]
fn what_an_interrupted_append_indexed_past_the_head_is_dropped_on_open() {
    let log = Log::new();
    log.store.append(&[event(1), area(2, "aleppo")], clock(0), None).unwrap();
    // a stray record past the head, as a crash mid-import leaves it
    let head = log.store.head().unwrap();
    let (bytes, _) = record::encode(3, clock(1), &head.hash, &correction(3, 1));
    log.store.tamper(3, &bytes).unwrap();
    let log = log.reopen();
    // set aside, not destroyed
    assert_eq!(log.store.set_aside(), 1);
    assert_eq!(log.store.standing(&Uuid::from_u128(1)).unwrap(), (None, None));
    assert_eq!(slugs(&log), vec![(2, "aleppo".to_string())]);
    assert_sound(&log.store, 2);
    // and the correction can then be appended for real
    log.store.append(&[correction(3, 1)], clock(2), None).unwrap();
    assert_eq!(log.store.standing(&Uuid::from_u128(1)).unwrap(), (Some(Uuid::from_u128(3)), None));
}

/// The definitions from a position on, for a reader that has the rest
/// cached; and a cache is found only while the record it was taken after
/// still stands at its position.
#[test]
fn a_cache_holds_while_its_position_stands_and_definitions_read_on_from_it() {
    let log = Log::new();
    assert_eq!(log.store.cache("registry").unwrap(), None);
    assert!(log.store.put_cache("registry", 1, b"x").is_err(), "no cache of an empty log");
    log.store.append(&[area(1, "aleppo"), event(2), area(3, "homs"), event(4)], clock(0), None).unwrap();
    log.store.append(&[area(5, "idlib")], clock(1), None).unwrap();
    let from = |first: u64| -> Vec<u64> { log.store.reference_events_from(first).map(|r| r.unwrap().seq).collect() };
    assert_eq!(
        (from(1), from(2), from(4), from(5), from(6), from(99)),
        (vec![1, 3, 5], vec![3, 5], vec![5], vec![5], vec![], vec![])
    );

    log.store.put_cache("registry", 3, b"up to homs").unwrap();
    assert_eq!(log.store.cache("registry").unwrap(), Some((3, b"up to homs".to_vec())));
    assert_eq!(log.store.cache("other").unwrap(), None, "caches are kept by name");
    assert!(log.store.put_cache("registry", 6, b"ahead").is_err(), "no cache past the head");
    let log = log.reopen();
    assert_eq!(log.store.cache("registry").unwrap(), Some((3, b"up to homs".to_vec())), "it survives a reopen");
    // the record it was taken after changed: it no longer describes the log
    let original = log.store.raw(3).unwrap().unwrap();
    let mut other = original.clone();
    let last = other.len() - 2;
    other[last] ^= 1;
    log.store.tamper(3, &other).unwrap();
    assert_eq!(log.store.cache("registry").unwrap(), None);
    log.store.tamper(3, &original).unwrap();
    assert_eq!(log.store.cache("registry").unwrap(), Some((3, b"up to homs".to_vec())));
    log.store.put_cache("registry", 5, b"at the head").unwrap();
    assert_eq!(log.store.cache("registry").unwrap(), Some((5, b"at the head".to_vec())), "a new one replaces the old");
    // a large cache (a big gazetteer's registry) is kept in pieces, none
    // large enough for sled to put in a blob file it never syncs, and a
    // smaller one after it leaves none of its pieces behind
    let large: Vec<u8> = (0..3_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    log.store.put_cache("registry", 5, &large).unwrap();
    log.store.put_cache("reg", 1, b"a shorter name").unwrap();
    assert_eq!(log.store.cache("registry").unwrap(), Some((5, large.clone())));
    let log = log.reopen();
    assert_eq!(log.store.cache("registry").unwrap(), Some((5, large)), "after a reopen");
    assert_eq!(log.store.cache("reg").unwrap(), Some((1, b"a shorter name".to_vec())));
    log.store.put_cache("registry", 4, b"small again").unwrap();
    assert_eq!(log.store.cache("registry").unwrap(), Some((4, b"small again".to_vec())));
    let files = files_under(&log.path().join("blobs"));
    assert!(files.is_empty(), "sled wrote un-fsynced blob files: {files:?}");
    log.store.drop_caches().unwrap();
    assert_eq!(log.store.cache("registry").unwrap(), None);
    assert_sound(&log.store, 5);
}
