//! The end-to-end driver: one synthetic log, three engines, every figure
//! of the table, medians over several runs.
//!
//! A run of [`run`]:
//!
//! 1. generates `events` lines (plus the ones to append later) and admits
//!    them once, untimed, to get the canonical events the baselines store
//!    and the decode-only benchmark reads; when `events` is not 10,000, it
//!    also builds a 10,000-event log per engine for the "same on a 10k
//!    log" row;
//! 2. then, `runs` times, in a fresh folder: imports the log into each
//!    engine (durable at the end), measures its disk use, its open time, a
//!    full replay, the peak memory of a full replay in a child process, a
//!    share of the `state --at T --known-at #K` reads, the decode-only
//!    rate, single appends from the command line (`sijil append` and
//!    `sqlite3`, each a new process), and single durable appends through
//!    each engine's own API;
//! 3. reports the median of each figure over the runs. The state reads are
//!    `queries` random (T, K) pairs split between the runs, and their
//!    median is over all of them.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sijil_core::{Admitted, Context, Event};
use uuid::Uuid;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::gen::{self, Generator, Rng, ZONE};
use crate::report::{Figures, Report};
use crate::sys::{disk_bytes, find_in_path, is_executable, load_average, median, peak_rss_kib, Machine};

/// The size of the small log that time travel on the large one is compared with.
pub const SMALL: usize = 10_000;

/// The hidden subcommand the driver re-executes itself with to measure the
/// peak memory of a full replay in a fresh process.
pub const REPLAY_RSS: &str = "__replay-rss";

/// What to measure, and where.
#[derive(Debug, Clone)]
pub struct Config {
    /// Events in the log (the registry's lines included).
    pub events: usize,
    /// Runs; each figure is the median over them.
    pub runs: usize,
    /// Single durable appends per engine per run.
    pub appends: usize,
    /// Appends from the command line per run (`sijil append`, `sqlite3`).
    pub cli_appends: usize,
    /// Random `(T, K)` state reads per log, split between the runs.
    pub queries: usize,
    /// How many of those the baselines make on the large log (all of them
    /// by default; fewer keeps a run at a million events within the hour).
    pub baseline_queries: Option<usize>,
    pub seed: u64,
    /// A folder on the disk to measure; a `sijil-bench-PID` folder is made in it.
    pub dir: PathBuf,
    /// Keep the generated logs instead of removing them at the end.
    pub keep: bool,
    /// This harness's binary, re-executed for the memory figure.
    pub bench_exe: PathBuf,
    /// The release `sijil` binary, if there is one.
    pub sijil_exe: Option<PathBuf>,
    /// The `sqlite3` command-line tool, if installed.
    pub sqlite3_exe: Option<PathBuf>,
    /// Print progress on standard error.
    pub progress: bool,
}

impl Config {
    /// The defaults: 3 runs, min(10k, N) single appends, 3 CLI appends, 100
    /// state reads, the `sijil` binary next to `bench_exe`, `sqlite3` from
    /// the `PATH`.
    pub fn new(events: usize, dir: PathBuf, bench_exe: PathBuf) -> Config {
        let sijil_exe = bench_exe
            .parent()
            .map(|d| d.join(format!("sijil{}", std::env::consts::EXE_SUFFIX)))
            .filter(|p| is_executable(p));
        Config {
            events,
            runs: 3,
            appends: events.min(10_000),
            cli_appends: 3,
            queries: 100,
            baseline_queries: None,
            seed: 1,
            dir,
            keep: false,
            bench_exe,
            sijil_exe,
            sqlite3_exe: find_in_path("sqlite3"),
            progress: true,
        }
    }
}

/// Runs the whole benchmark and returns the medians.
pub fn run(cfg: &Config) -> Result<Report> {
    if cfg.events <= gen::REGISTRY_LINES {
        return Err(format!("--events must be more than the {} lines of the registry", gen::REGISTRY_LINES).into());
    }
    if cfg.runs == 0 {
        return Err("--runs must be at least 1".into());
    }
    let progress = Progress { started: Instant::now(), on: cfg.progress };
    let work = cfg.dir.join(format!("sijil-bench-{}", std::process::id()));
    fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    progress.say(format!("working in {}", work.display()));
    let result = run_in(cfg, &work, &progress);
    if !cfg.keep {
        let _ = fs::remove_dir_all(&work);
    }
    result
}

struct Progress {
    started: Instant,
    on: bool,
}

impl Progress {
    fn say(&self, what: impl std::fmt::Display) {
        if self.on {
            eprintln!("[{:>7.1}s] {what}", self.started.elapsed().as_secs_f64());
        }
    }
}

/// Per engine, every sample of every figure.
#[derive(Debug, Default)]
struct Samples {
    import: Vec<f64>,
    append: Vec<f64>,
    replay: Vec<f64>,
    state_large: Vec<f64>,
    state_small: Vec<f64>,
    disk: Vec<f64>,
    rss: Vec<f64>,
    open: Vec<f64>,
    reopen: Vec<f64>,
    cli: Vec<f64>,
}

impl Samples {
    fn medians(&self) -> Figures {
        Figures {
            import: median(&self.import),
            append: median(&self.append),
            replay: median(&self.replay),
            state_large_ms: median(&self.state_large),
            state_small_ms: median(&self.state_small),
            disk_fraction: median(&self.disk),
            peak_rss_mib: median(&self.rss),
            open_ms: median(&self.open),
            reopen_ms: median(&self.reopen),
            cli_append_ms: median(&self.cli),
        }
    }
}

fn per_second(n: usize, took: Duration) -> f64 {
    n as f64 / took.as_secs_f64().max(1e-9)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// sled 0.34 lets go of its file lock a moment after the last handle is
/// dropped; a wait before an open that is timed keeps that out of the figure.
fn settle() {
    std::thread::sleep(Duration::from_millis(700));
}

fn run_in(cfg: &Config, work: &Path, progress: &Progress) -> Result<Report> {
    let n = cfg.events;
    let extra = cfg.cli_appends + cfg.appends;
    progress.say(format!("generating {n} events (and {extra} more to append), admitting them once"));
    let inputs = prepare(&work.join("input"), cfg.seed, n, extra)?;
    progress.say(format!("input: {} bytes, {:.0} bytes a line", inputs.raw_bytes, inputs.raw_bytes as f64 / n as f64));
    let small_dir = if n == SMALL {
        None
    } else {
        progress.say(format!("building the {SMALL}-event logs"));
        let small = prepare(&work.join("small-input"), cfg.seed, SMALL, 0)?;
        let dir = work.join("small");
        for e in Engine::ALL {
            e.import(&small.raw, &small.canonical, &e.location(&dir))?;
        }
        Some(dir)
    };
    let large_queries = queries(cfg.seed, n, cfg.queries);
    let small_queries = queries(cfg.seed.wrapping_add(1), SMALL, cfg.queries);
    let baseline_queries = cfg.baseline_queries.unwrap_or(cfg.queries).min(cfg.queries);

    let load_before = load_average();
    let mut samples: [Samples; 3] = Default::default();
    let mut decode = Vec::new();
    for r in 0..cfg.runs {
        let dir = work.join(format!("run-{}", r + 1));
        let say = |what: &str| progress.say(format!("run {}/{}: {what}", r + 1, cfg.runs));

        say("import");
        for (i, e) in Engine::ALL.into_iter().enumerate() {
            let at = e.location(&dir);
            let started = Instant::now();
            let stored = e.import(&inputs.raw, &inputs.canonical, &at)?;
            let took = started.elapsed();
            if stored != n as u64 {
                return Err(format!("{} stored {stored} events of {n}", e.name()).into());
            }
            samples[i].import.push(per_second(n, took));
            samples[i].disk.push(disk_bytes(&dir.join(e.name())) as f64 / inputs.raw_bytes as f64);
        }

        say("open");
        settle();
        for (i, e) in Engine::ALL.into_iter().enumerate() {
            samples[i].open.push(ms(e.open_time(&e.location(&dir))?));
        }
        // the first open after a large write may recover more than later ones
        settle();
        for (i, e) in Engine::ALL.into_iter().enumerate() {
            samples[i].reopen.push(ms(e.open_time(&e.location(&dir))?));
        }

        say("decode-only, before the replays");
        let before = decode_only(&inputs.canonical)?;
        say("replay");
        settle();
        for (i, e) in Engine::ALL.into_iter().enumerate() {
            let (ledger, took) = e.replay(&e.location(&dir))?;
            if ledger.seq() != n as u64 {
                return Err(format!("{} replayed {} events of {n}", e.name(), ledger.seq()).into());
            }
            drop(ledger);
            samples[i].replay.push(per_second(n, took));
        }
        // the reference for the replays, measured on either side of them
        // (the machine's speed drifts within a run by more than the ratio's
        // margin) and averaged
        say("decode-only, after the replays");
        let after = decode_only(&inputs.canonical)?;
        decode.push((before + after) / 2.0);

        say("peak memory of a replay, in a child process");
        settle();
        for (i, e) in Engine::ALL.into_iter().enumerate() {
            samples[i].rss.push(child_rss(cfg, e, &e.location(&dir))?);
        }

        let mine = |qs: &[(DateTime<Utc>, u64)]| -> Vec<(DateTime<Utc>, u64)> {
            qs.iter().enumerate().filter(|(q, _)| q % cfg.runs == r).map(|(_, x)| *x).collect()
        };
        let (large, small) = (mine(&large_queries), mine(&small_queries));
        match small_dir {
            Some(_) => say(&format!("{} state reads on the {n} log, {} on the {SMALL} log", large.len(), small.len())),
            None => say(&format!("{} state reads", large.len())),
        }
        let baseline_large = mine(&large_queries[..baseline_queries]);
        for (i, e) in Engine::ALL.into_iter().enumerate() {
            let on_large = if e == Engine::Sijil { &large } else { &baseline_large };
            let took = state_reads(e, &e.location(&dir), on_large)?;
            match &small_dir {
                Some(sd) => samples[i].state_small.extend(state_reads(e, &e.location(sd), &small)?),
                // the log is the 10k log
                None => samples[i].state_small.extend(&took),
            }
            samples[i].state_large.extend(took);
        }

        say("single appends from the command line");
        settle();
        let cli = cfg.cli_appends.min(inputs.extra_raw.len());
        if let Some(bin) = &cfg.sijil_exe {
            for line in &inputs.extra_raw[..cli] {
                samples[0].cli.push(ms(cli_sijil(bin, &Engine::Sijil.location(&dir), line)?));
            }
        }
        if let Some(bin) = &cfg.sqlite3_exe {
            for (e, json) in inputs.extra_events[..cli].iter().zip(&inputs.extra_canonical) {
                samples[1].cli.push(ms(cli_sqlite3(bin, &Engine::Sqlite.location(&dir), e.id, json)?));
            }
        }

        let (events, canonical) = (&inputs.extra_events[cli..], &inputs.extra_canonical[cli..]);
        say(&format!("{} single durable appends", events.len()));
        settle();
        if !events.is_empty() {
            for (i, e) in Engine::ALL.into_iter().enumerate() {
                let took = e.append_each(&e.location(&dir), events, canonical)?;
                samples[i].append.push(per_second(events.len(), took));
            }
        }
        if !cfg.keep {
            fs::remove_dir_all(&dir)?;
        }
    }
    progress.say("done");
    let [sijil, sqlite, file] = samples.map(|s| s.medians());
    Ok(Report {
        events: n,
        runs: cfg.runs,
        appends: cfg.appends,
        cli_appends: cfg.cli_appends,
        queries: cfg.queries,
        baseline_queries: cfg.baseline_queries.unwrap_or(cfg.queries).min(cfg.queries),
        seed: cfg.seed,
        small: SMALL,
        ndjson_bytes: inputs.raw_bytes,
        machine: Machine::this(),
        sijil,
        sqlite,
        file,
        decode_only: median(&decode),
        sijil_cli: cfg.sijil_exe.is_some(),
        sqlite3_cli: cfg.sqlite3_exe.is_some(),
        elapsed: progress.started.elapsed(),
        load: (load_before, load_average()),
    })
}

/// The generated log, as input and as the canonical events.
struct Inputs {
    /// The raw NDJSON, as a user would import it.
    raw: PathBuf,
    /// The canonical events (what sijil stores), one JSON line each.
    canonical: PathBuf,
    raw_bytes: u64,
    /// The lines after the log, for single appends.
    extra_raw: Vec<String>,
    extra_events: Vec<Event>,
    extra_canonical: Vec<Vec<u8>>,
}

/// Generates `n` lines and `extra` more, admitting each (every line must be
/// accepted), and writes the log's raw and canonical files.
fn prepare(dir: &Path, seed: u64, n: usize, extra: usize) -> Result<Inputs> {
    fs::create_dir_all(dir)?;
    let (raw, canonical) = (dir.join("log.ndjson"), dir.join("canonical.ndjson"));
    let mut raw_out = BufWriter::with_capacity(1 << 20, File::create(&raw)?);
    let mut canonical_out = BufWriter::with_capacity(1 << 20, File::create(&canonical)?);
    let mut ctx = Context::new(ZONE);
    let mut inputs = Inputs {
        raw: raw.clone(),
        canonical: canonical.clone(),
        raw_bytes: 0,
        extra_raw: Vec::with_capacity(extra),
        extra_events: Vec::with_capacity(extra),
        extra_canonical: Vec::with_capacity(extra),
    };
    let mut generator = Generator::new(seed);
    for i in 0..n + extra {
        let line = generator.line();
        let event = match ctx.admit(&line, Uuid::now_v7()) {
            Ok(Admitted::New(e)) => e,
            Ok(Admitted::Duplicate(id)) => return Err(format!("generated line {} repeats {id}", i + 1).into()),
            Err(why) => return Err(format!("generated line {} was refused: {why}\n{line}", i + 1).into()),
        };
        ctx.learn(&event);
        let json = event.canonical_json();
        if i < n {
            raw_out.write_all(line.as_bytes())?;
            raw_out.write_all(b"\n")?;
            inputs.raw_bytes += line.len() as u64 + 1;
            canonical_out.write_all(&json)?;
            canonical_out.write_all(b"\n")?;
        } else {
            inputs.extra_raw.push(line);
            inputs.extra_events.push(event);
            inputs.extra_canonical.push(json);
        }
    }
    raw_out.flush()?;
    canonical_out.flush()?;
    Ok(inputs)
}

/// `count` random (T, K): T anywhere in the log's valid times, K any position.
fn queries(seed: u64, n: usize, count: usize) -> Vec<(DateTime<Utc>, u64)> {
    let mut rng = Rng::new(seed ^ 0x7374_6174_6521);
    let (lo, hi) = gen::valid_span(n);
    let span = (hi - lo).num_seconds().max(1) as u64;
    (0..count)
        .map(|_| {
            let t = lo + chrono::Duration::seconds(rng.below(span) as i64);
            (t, rng.range(1, n as u64))
        })
        .collect()
}

/// The time of each state read, in ms, on one open log.
fn state_reads(e: Engine, at: &Path, queries: &[(DateTime<Utc>, u64)]) -> Result<Vec<f64>> {
    if queries.is_empty() {
        return Ok(Vec::new());
    }
    let reader = e.reader(at)?;
    let mut out = Vec::with_capacity(queries.len());
    for &(t, k) in queries {
        let (_, took) = reader.state(t, k)?;
        out.push(ms(took));
    }
    Ok(out)
}

/// Decoding every canonical event from memory, nothing else: the CPU limit
/// of a replay. Events per second.
fn decode_only(canonical: &Path) -> Result<f64> {
    let bytes = fs::read(canonical)?;
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    // each event is dropped once decoded, as a replay into the ledger does
    let started = Instant::now();
    for line in &lines {
        let event: Event = serde_json::from_slice(line)?;
        std::hint::black_box(&event);
    }
    let took = started.elapsed();
    Ok(per_second(lines.len(), took))
}

/// Peak resident memory, in MiB, of a fresh process replaying the log.
fn child_rss(cfg: &Config, e: Engine, at: &Path) -> Result<f64> {
    let out = Command::new(&cfg.bench_exe)
        .arg(REPLAY_RSS)
        .arg(e.name())
        .arg(at)
        .stdin(Stdio::null())
        .output()
        .map_err(|err| format!("cannot run {}: {err}", cfg.bench_exe.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("the replay child failed: {}", String::from_utf8_lossy(&out.stderr).trim()).into());
    }
    let kib = stdout
        .split_whitespace()
        .find_map(|w| w.strip_prefix("vmhwm_kib="))
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or_else(|| Error(format!("the replay child printed no peak memory: {stdout:?}")))?;
    Ok(kib / 1024.0)
}

/// The child's side of [`child_rss`]: replays the log and prints its own
/// peak resident memory.
pub fn replay_rss_child(engine: &str, at: &Path) -> Result<String> {
    let e = Engine::parse(engine).ok_or_else(|| Error(format!("unknown engine {engine:?}")))?;
    let (ledger, _) = e.replay(at)?;
    let events = ledger.seq();
    let kib = peak_rss_kib().ok_or("cannot read VmHWM from /proc/self/status")?;
    Ok(format!("vmhwm_kib={kib} events={events}"))
}

/// `sijil --db LOG append --json LINE`: process start to durable acknowledgement.
fn cli_sijil(bin: &Path, log: &Path, line: &str) -> Result<Duration> {
    let mut cmd = Command::new(bin);
    cmd.arg("--db")
        .arg(log)
        .args(["append", "--json", line])
        .env_remove("SIJIL_DB")
        .env_remove("SIJIL_TZ")
        .env_remove("SIJIL_NOW")
        .env("SIJIL_LOCK_TIMEOUT", "30")
        .stdin(Stdio::null());
    let started = Instant::now();
    let out = cmd.output().map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let took = started.elapsed();
    if !out.status.success() {
        return Err(format!("`sijil append` failed: {}", String::from_utf8_lossy(&out.stderr).trim()).into());
    }
    Ok(took)
}

/// `sqlite3 DB "PRAGMA synchronous=FULL; INSERT …"`: one row in its own
/// transaction, from process start to exit.
fn cli_sqlite3(bin: &Path, db: &Path, id: Uuid, json: &[u8]) -> Result<Duration> {
    let text = std::str::from_utf8(json).map_err(|e| e.to_string())?.replace('\'', "''");
    let sql = format!(
        "PRAGMA synchronous=FULL; INSERT INTO events (seq, id, json) VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM events), X'{}', '{text}');",
        id.simple()
    );
    let mut cmd = Command::new(bin);
    cmd.arg("-bail").arg(db).arg(sql).stdin(Stdio::null());
    let started = Instant::now();
    let out = cmd.output().map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let took = started.elapsed();
    if !out.status.success() {
        return Err(format!("`sqlite3` failed: {}", String::from_utf8_lossy(&out.stderr).trim()).into());
    }
    Ok(took)
}
