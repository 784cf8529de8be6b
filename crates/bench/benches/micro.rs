//! Micro benchmarks of what an import and a replay are made of: admitting
//! one line, folding records into a timeline, reading the state at a valid
//! time, and encoding and decoding a stored record. Run them with
//! `cargo bench -p sijil-bench`; the lines come from the same generator as
//! the end-to-end driver.

use std::hint::black_box;

use chrono::{DateTime, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use sijil_bench::gen::{valid_span, Generator, ZONE};
use sijil_core::{Admitted, Context, Event, KnownAt, Recorded, StateQuery, Timeline};
use sijil_store::record;
use uuid::Uuid;

/// Events in the timeline the fold and state benchmarks use.
const LOG: usize = 10_000;

struct Fixture {
    /// The context after learning the first [`LOG`] lines.
    ctx: Context,
    /// The next lines, each admissible against `ctx`.
    next_lines: Vec<String>,
    records: Vec<Recorded>,
}

fn fixture() -> Fixture {
    let mut ctx = Context::new(ZONE);
    let recorded_at = Utc.with_ymd_and_hms(2026, 1, 9, 0, 0, 0).unwrap();
    let mut records = Vec::with_capacity(LOG);
    let mut lines = Generator::new(1);
    for seq in 1..=LOG as u64 {
        let line = lines.line();
        let Ok(Admitted::New(event)) = ctx.admit(&line, Uuid::now_v7()) else { panic!("refused: {line}") };
        ctx.learn(&event);
        records.push(Recorded { seq, recorded_at, event });
    }
    // lines that refer to one another only make sense in order: keep the
    // ones the context accepts on their own
    let next_lines =
        lines.take(1000).filter(|l| matches!(ctx.admit(l, Uuid::now_v7()), Ok(Admitted::New(_)))).collect();
    Fixture { ctx, next_lines, records }
}

fn admit(c: &mut Criterion, f: &Fixture) {
    let mut i = 0;
    c.bench_function("decode+admit one line", |b| {
        b.iter(|| {
            let line = &f.next_lines[i % f.next_lines.len()];
            i += 1;
            black_box(f.ctx.admit(black_box(line), Uuid::nil()))
        })
    });
}

fn apply(c: &mut Criterion, f: &Fixture) {
    let mut group = c.benchmark_group("Timeline::apply");
    group.throughput(Throughput::Elements(LOG as u64));
    group.bench_function("10k records", |b| {
        b.iter_batched(
            || f.records.clone(),
            |records| {
                let mut t = Timeline::new(ZONE);
                for r in records {
                    t.apply(r);
                }
                t
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn state(c: &mut Criterion, f: &Fixture) {
    let mut t = Timeline::new(ZONE);
    for r in &f.records {
        t.apply(r.clone());
    }
    let (lo, hi) = valid_span(LOG);
    let mid: DateTime<Utc> = lo + (hi - lo) / 2;
    c.bench_function("state at T on a 10k timeline", |b| {
        b.iter(|| black_box(t.state(&StateQuery { at: mid, known_at: KnownAt::All, area: None })))
    });
}

fn records(c: &mut Criterion, f: &Fixture) {
    let events: Vec<&Event> = f.records.iter().skip(300).take(1000).map(|r| &r.event).collect();
    let at = f.records[0].recorded_at;
    let encoded: Vec<Vec<u8>> =
        events.iter().enumerate().map(|(n, e)| record::encode(n as u64 + 1, at, &[7; 32], e).0).collect();
    let json: Vec<Vec<u8>> = events.iter().map(|e| e.canonical_json()).collect();
    let mut i = 0;
    c.bench_function("record encode (canonical JSON + SHA-256)", |b| {
        b.iter(|| {
            i += 1;
            let n = i % events.len();
            black_box(record::encode(n as u64 + 1, at, &[7; 32], events[n]))
        })
    });
    c.bench_function("record decode (hash check + JSON)", |b| {
        b.iter(|| {
            i += 1;
            let n = i % encoded.len();
            black_box(record::decode(n as u64 + 1, &encoded[n]).unwrap())
        })
    });
    c.bench_function("event decode from canonical JSON", |b| {
        b.iter(|| {
            i += 1;
            black_box(serde_json::from_slice::<Event>(&json[i % json.len()]).unwrap())
        })
    });
}

fn all(c: &mut Criterion) {
    let f = fixture();
    admit(c, &f);
    apply(c, &f);
    state(c, &f);
    records(c, &f);
}

criterion_group!(benches, all);
criterion_main!(benches);
