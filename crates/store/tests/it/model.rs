//! The store against a model: a `Vec` of recorded events. Random appends
//! (fresh events, ids already logged, ids repeated within the batch, right
//! and wrong `expect`s, a clock that jumps back) and reopens; after every
//! step the log reads back exactly the model and verifies.

use chrono::{DateTime, FixedOffset, NaiveDate, SubsecRound, TimeZone, Utc};
use proptest::prelude::*;
use sijil_core::{Event, Kind, Recorded, Time};
use sijil_store::AppendError;
use uuid::Uuid;

use crate::fixture::{assert_sound, clock, scan_all, Log};

/// One event of a batch.
#[derive(Debug, Clone)]
enum Spec {
    /// A new event with a fresh id.
    Fresh(Box<Event>),
    /// The logged event at this index (modulo the log's length), again.
    Logged(usize),
    /// An event with the id of an earlier one of the same batch.
    Repeat(usize),
}

#[derive(Debug, Clone)]
enum Expect {
    None,
    Head,
    /// The head plus this (never 0).
    Off(i64),
}

#[derive(Debug, Clone)]
enum Op {
    Append { batch: Vec<Spec>, expect: Expect, secs: i64, nanos: u32 },
    Reopen,
}

/// A coordinate as `validate` gets it: a decimal in the input JSON.
fn coordinate(limit: i64) -> impl Strategy<Value = f64> {
    (-limit * 1_000_000..=limit * 1_000_000).prop_map(|micro| {
        let text =
            format!("{}{}.{:06}", if micro < 0 { "-" } else { "" }, micro.abs() / 1_000_000, micro.abs() % 1_000_000);
        serde_json::from_str(&text).unwrap()
    })
}

fn time() -> impl Strategy<Value = Time> {
    let instant = (
        -2_208_988_800i64..7_258_118_400, // 1900 to 2200
        0u32..1_000_000_000,
        -48i32..=56,
    )
        .prop_map(|(secs, nanos, quarter_hours)| {
            let offset = FixedOffset::east_opt(quarter_hours * 900).unwrap();
            Time::Instant(Utc.timestamp_opt(secs, nanos).unwrap().with_timezone(&offset))
        });
    let day = (0i64..109_572)
        .prop_map(|d| Time::Day(NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(d)));
    prop_oneof![instant, day]
}

fn fresh_event() -> impl Strategy<Value = Event> {
    (
        proptest::sample::select(Kind::ALL.to_vec()),
        proptest::option::of(time()),
        proptest::collection::vec("[a-z][a-z0-9-]{0,12}", 0..3),
        proptest::option::of(any::<String>()),
        proptest::option::of(any::<u64>()),
        proptest::option::of((coordinate(90), coordinate(180))),
        "\\PC{1,20}",
    )
        .prop_map(|(kind, at, areas, note, killed, place, source)| {
            let mut e = Event::new(Uuid::nil(), kind, &source);
            e.at = at;
            e.areas = areas;
            e.note = note;
            e.killed = killed;
            if let Some((lat, lon)) = place {
                e.lat = Some(lat);
                e.lon = Some(lon);
            }
            e
        })
}

fn spec() -> impl Strategy<Value = Spec> {
    prop_oneof![
        8 => fresh_event().prop_map(|e| Spec::Fresh(Box::new(e))),
        1 => any::<usize>().prop_map(Spec::Logged),
        1 => any::<usize>().prop_map(Spec::Repeat),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let expect = prop_oneof![
        2 => Just(Expect::None),
        2 => Just(Expect::Head),
        1 => prop_oneof![-3i64..=-1, 1i64..=3].prop_map(Expect::Off),
    ];
    prop_oneof![
        6 => (proptest::collection::vec(spec(), 1..=5), expect, -100i64..1000, 0u32..1_000_000_000)
            .prop_map(|(batch, expect, secs, nanos)| Op::Append { batch, expect, secs, nanos }),
        1 => Just(Op::Reopen),
    ]
}

/// What the model says an append must do.
#[derive(Debug, PartialEq)]
enum Outcome {
    Appended { first: u64, last: u64 },
    SeqMismatch { expected: u64, actual: u64 },
    IdExists { id: Uuid, seq: u64 },
    Repeated { id: Uuid },
}

fn predict(model: &[Recorded], batch: &[Event], expect: Option<u64>) -> Outcome {
    let n = model.len() as u64;
    if let Some(expected) = expect.filter(|&e| e != n) {
        return Outcome::SeqMismatch { expected, actual: n };
    }
    // a repeat within the batch is found first
    for (i, e) in batch.iter().enumerate() {
        if batch[..i].iter().any(|b| b.id == e.id) {
            return Outcome::Repeated { id: e.id };
        }
    }
    for e in batch {
        if let Some(r) = model.iter().find(|r| r.event.id == e.id) {
            return Outcome::IdExists { id: e.id, seq: r.seq };
        }
    }
    Outcome::Appended { first: n + 1, last: n + batch.len() as u64 }
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut log = Some(Log::new());
    let mut model: Vec<Recorded> = Vec::new();
    let mut next_id = 1u128;
    let mut latest = DateTime::<Utc>::UNIX_EPOCH;
    for (step, op) in ops.into_iter().enumerate() {
        match op {
            Op::Reopen => log = Some(log.take().unwrap().reopen()),
            Op::Append { batch: specs, expect, secs, nanos } => {
                let store = &log.as_ref().unwrap().store;
                let n = model.len() as u64;
                let mut batch: Vec<Event> = Vec::new();
                for spec in specs {
                    let e = match spec {
                        Spec::Logged(i) if !model.is_empty() => model[i % model.len()].event.clone(),
                        Spec::Repeat(i) if !batch.is_empty() => {
                            let mut e = batch[i % batch.len()].clone();
                            e.note = Some(format!("repeated at step {step}"));
                            e
                        }
                        Spec::Fresh(mut e) => {
                            e.id = Uuid::from_u128(next_id);
                            next_id += 1;
                            *e
                        }
                        // nothing to reuse yet: a fresh bare event
                        Spec::Logged(_) | Spec::Repeat(_) => {
                            next_id += 1;
                            Event::new(Uuid::from_u128(next_id - 1), Kind::Statement, "fallback")
                        }
                    };
                    batch.push(e);
                }
                let expect = match expect {
                    Expect::None => None,
                    Expect::Head => Some(n),
                    Expect::Off(d) => Some(n.saturating_add_signed(d)).filter(|&e| e != n).or(Some(n + 1)),
                };
                let now = clock(secs) + chrono::Duration::nanoseconds(i64::from(nanos));
                let predicted = predict(&model, &batch, expect);
                let outcome = match store.append(&batch, now, expect) {
                    Ok(done) => {
                        let recorded_at = now.trunc_subsecs(6).max(latest);
                        prop_assert_eq!(done.recorded_at, recorded_at, "step {}", step);
                        latest = recorded_at;
                        for (i, event) in batch.iter().enumerate() {
                            model.push(Recorded { seq: done.first + i as u64, recorded_at, event: event.clone() });
                        }
                        Outcome::Appended { first: done.first, last: done.last }
                    }
                    Err(AppendError::SeqMismatch { expected, actual }) => Outcome::SeqMismatch { expected, actual },
                    Err(AppendError::IdExists { id, seq }) => Outcome::IdExists { id, seq },
                    Err(AppendError::Repeated { id }) => Outcome::Repeated { id },
                    Err(other) => return Err(TestCaseError::fail(format!("step {step}: {other:?}"))),
                };
                prop_assert_eq!(outcome, predicted, "step {}", step);
            }
        }
        let store = &log.as_ref().unwrap().store;
        prop_assert_eq!(&scan_all(store), &model, "step {}", step);
        assert_sound(store, model.len() as u64);
        prop_assert_eq!(store.head().unwrap().recorded_at, latest, "step {}", step);
    }
    let store = &log.as_ref().unwrap().store;
    for rec in &model {
        let got = store.get(&rec.event.id).unwrap();
        prop_assert_eq!(got.as_ref(), Some(rec));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_store_behaves_like_a_vec(ops in proptest::collection::vec(op(), 1..24)) {
        run(ops)?;
    }
}
