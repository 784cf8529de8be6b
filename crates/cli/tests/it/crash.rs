//! What survives: the real `sijil` binary killed, interrupted, raced and
//! fed damaged files.
//!
//! - `a_killed_sijil_keeps_every_acknowledged_event_and_never_half_an_import`:
//!   in the style of sled's `test_crash_recovery`, `sijil append` and
//!   `sijil import` runs (mixed; imports of over a thousand lines, more
//!   than one store transaction, so that kills land mid-import) are killed
//!   with SIGKILL at random moments, at least 200 times. Every run's
//!   standard output (its acknowledgement) goes to a side file. After every
//!   kill the log is reopened and verified (hash chain, positions, index);
//!   it must extend what it held before, hold every event byte for byte as
//!   sent, every import whole or not at all, and every acknowledged event
//!   at the position the acknowledgement named.
//! - `sigint_and_sigterm_leave_an_import_whole_or_absent`: the same checks
//!   after SIGINT and SIGTERM during long imports. sijil installs no
//!   handler for them, so either ends it at once, like a kill; the head
//!   pointer makes that safe.
//! - `eight_writers_at_once_all_land` and
//!   `a_held_log_makes_others_wait_then_fail_with_the_lock_message`: the
//!   lock between processes.
//! - `a_damaged_store_file_is_an_error_never_a_panic_or_a_wrong_answer` and
//!   `a_rewritten_record_is_named_by_verify_state_and_log`: corruption.
//! - `the_published_head_hash_is_stable_and_moves_with_every_append`.
//!
//! Kill moments come from a seeded generator: the seed is printed, and
//! `SIJIL_TEST_SEED=N` replays the same schedule (the same operations and
//! the same kill moments relative to each run's measured length; the
//! machine's timing still varies). `SIJIL_SOAK_ROUNDS=N` multiplies the
//! kill points, signals and damaged files by N for a soak (see
//! docs/reliability.md).
#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use sijil_core::ledger::Ledger;
use sijil_core::Event;
use sijil_store::Store;

use crate::support::TestEnv;

// ── shared machinery ────────────────────────────────────────────────────

/// A small deterministic generator (splitmix64): the kill schedule must
/// replay from a printed seed, and the tests take no `rand` dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The seed: `$SIJIL_TEST_SEED`, else a fresh one. Printed either way
/// (the test harness shows it when the test fails).
fn seeded(test: &str) -> (Rng, u64) {
    let seed = match std::env::var("SIJIL_TEST_SEED") {
        Ok(s) => s.trim().parse().unwrap_or_else(|_| panic!("SIJIL_TEST_SEED={s:?} is not a number")),
        Err(_) => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64,
    };
    println!("{test}: seed {seed} (replay with SIJIL_TEST_SEED={seed})");
    (Rng(seed), seed)
}

/// `$SIJIL_SOAK_ROUNDS`, else 1: how many times over to run the random parts.
fn soak_rounds() -> u64 {
    match std::env::var("SIJIL_SOAK_ROUNDS") {
        Ok(s) => s
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|&n| n >= 1)
            .unwrap_or_else(|| panic!("SIJIL_SOAK_ROUNDS={s:?} is not a whole number of rounds, 1 or more")),
        Err(_) => 1,
    }
}

/// The `sijil` binary as a plain process (not through `assert_cmd`, which
/// cannot kill what it runs), with the test's cleared environment.
fn sijil(env: &TestEnv) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("sijil"));
    cmd.env_clear()
        .env("HOME", env.dir())
        .env("TMPDIR", env.dir())
        .env("SIJIL_DB", env.db())
        .current_dir(env.dir())
        .stdin(Stdio::null());
    // A shell starts background jobs with SIGINT ignored, and an ignored
    // signal stays ignored across exec: give the child the default
    // dispositions, as a terminal user's sijil has them.
    // SAFETY: between fork and exec only async-signal-safe calls are
    // made, and signal(2) is one.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGTERM, libc::SIG_DFL);
            Ok(())
        });
    }
    cmd
}

/// The ids these tests give their events: `0196c000-0000-7000-8000-`
/// followed by the operation (6 hex digits) and the line (6 hex digits).
const ID_PREFIX: &str = "0196c000-0000-7000-8000-";

/// Line `line` of operation `op`, exactly as the log stores it (the
/// canonical JSON of the event), so that stored bytes can be compared
/// with what was sent. Arabic and an escaped quote in the note.
fn line(op: u32, line: u32) -> String {
    let kind = ["shelling", "sniping", "airstrike", "armed_clash"][(line % 4) as usize];
    let note = serde_json::to_string(&format!("قصف على الحي — op {op} line {line} \"report\"")).unwrap();
    format!(
        r#"{{"id":"{ID_PREFIX}{op:06x}{line:06x}","kind":"{kind}","at":"2026-01-{:02}T{:02}:{:02}:00+03:00","areas":["aleppo"],"actor":"sdf","source":{{"name":"crash test"}},"note":{note}}}"#,
        10 + line / 1440,
        line / 60 % 24,
        line % 60
    )
}

/// The operation and line an id of [`line`] names.
fn op_line(event: &Event) -> Option<(u32, u32)> {
    let id = event.id.to_string();
    let tail = id.strip_prefix(ID_PREFIX)?;
    Some((u32::from_str_radix(&tail[..6], 16).ok()?, u32::from_str_radix(&tail[6..], 16).ok()?))
}

/// What every test log starts with: the area and actor the lines use.
const PRELUDE: &str = "{\"id\":\"0196c0ff-0000-7000-8000-000000000001\",\"kind\":\"area\",\"area\":\"aleppo\",\"name\":\"Aleppo\",\"aliases\":[\"حلب\"],\"source\":\"crash test\"}\n\
{\"id\":\"0196c0ff-0000-7000-8000-000000000002\",\"kind\":\"actor\",\"actor\":\"sdf\",\"name\":\"SDF\",\"source\":\"crash test\"}\n";
const PRELUDE_EVENTS: u64 = 2;

/// A fresh log in Asia/Damascus holding [`PRELUDE`].
fn prelude_log() -> TestEnv {
    let env = TestEnv::with_zone("Asia/Damascus");
    assert_eq!(env.import_text(PRELUDE)["appended"], PRELUDE_EVENTS);
    env
}

/// How a run was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Kill,
    Int,
    Term,
}

impl Stop {
    fn number(self) -> i32 {
        match self {
            Stop::Kill => 9,
            Stop::Int => 2,
            Stop::Term => 15,
        }
    }

    fn send(self, child: &mut Child) {
        match self {
            // SIGKILL
            Stop::Kill => {
                let _ = child.kill();
            }
            Stop::Int | Stop::Term => {
                let name = if self == Stop::Int { "INT" } else { "TERM" };
                let status = Command::new("kill")
                    .args(["-s", name, &child.id().to_string()])
                    .stderr(Stdio::null())
                    .status()
                    .expect("kill(1) runs");
                // it fails only when the child has just exited: fine
                let _ = status;
            }
        }
    }
}

/// Waits for `child` until `deadline`; if it still runs then, sends `stop`
/// and reaps it. Returns the status and whether the signal ended it.
fn stop_at(child: &mut Child, deadline: Instant, stop: Stop) -> (ExitStatus, bool) {
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return (status, false);
        }
        if Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    stop.send(child);
    let status = child.wait().expect("wait");
    let signalled = status.signal() == Some(stop.number());
    (status, signalled)
}

/// Waits for `child`, killing it and failing the test if it runs longer
/// than `limit`: a hang guard, not a timing assertion.
fn wait_guarded(mut child: Child, limit: Duration, what: &str) -> std::process::Output {
    let started = Instant::now();
    // read the pipes in the background so a chatty child cannot block
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_end(&mut v);
        }
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_end(&mut v);
        }
        v
    });
    let status = loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            break s;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`{what}` hung: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    std::process::Output { status, stdout: out_reader.join().unwrap(), stderr: err_reader.join().unwrap() }
}

const PANIC_WORDS: [&str; 4] = ["panicked", "RUST_BACKTRACE", "stack backtrace", "internal error"];

fn assert_no_panic(stderr: &str, what: &str) {
    for word in PANIC_WORDS {
        assert!(!stderr.contains(word), "`{what}` printed {word:?} on stderr:\n{stderr}");
    }
}

/// The stored record at `seq`, decoded, with its raw bytes.
fn stored(store: &Store, seq: u64) -> (Vec<u8>, Event) {
    let raw = store.raw(seq).unwrap().unwrap_or_else(|| panic!("#{seq} is not stored"));
    let event = sijil_store::record::decode(seq, &raw).unwrap_or_else(|e| panic!("#{seq}: {e}")).recorded.event;
    (raw, event)
}

// ── crashes and signals ─────────────────────────────────────────────────

/// One operation of the crash schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `sijil append --json` of line 0 of the operation.
    Append,
    /// `sijil import FILE` of that many lines.
    Import(u32),
}

impl Op {
    fn lines(self) -> u32 {
        match self {
            Op::Append => 1,
            Op::Import(n) => n,
        }
    }
}

/// How long an unhindered run takes on this machine.
#[derive(Debug, Clone, Copy)]
struct Timing {
    append: Duration,
    import_per_line: Duration,
}

impl Timing {
    fn expected(&self, op: Op) -> Duration {
        match op {
            Op::Append => self.append,
            Op::Import(n) => self.append + self.import_per_line * n,
        }
    }

    /// Learns from a run that finished before its signal: the machine got
    /// quicker, and later signals should come sooner, or fewer would land.
    fn learn(&mut self, op: Op, took: Duration) {
        match op {
            Op::Append => self.append = (self.append * 3 + took) / 4,
            Op::Import(n) => {
                let per_line = took.saturating_sub(self.append) / n;
                self.import_per_line = (self.import_per_line * 3 + per_line) / 4;
            }
        }
    }
}

/// What the runs did, for the summary line.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    runs: u64,
    /// Runs the signal ended: the kill points.
    kills: u64,
    kills_in_appends: u64,
    kills_in_imports: u64,
    /// Imports the signal ended, found whole (it came after the commit).
    imports_whole_after_kill: u64,
    /// Imports the signal ended, found absent.
    imports_absent_after_kill: u64,
    /// Runs that printed their acknowledgement, each then found in the log.
    acknowledged: u64,
    /// Checks of the log (one after every kill point).
    checks: u64,
    logs: u64,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.runs += o.runs;
        self.kills += o.kills;
        self.kills_in_appends += o.kills_in_appends;
        self.kills_in_imports += o.kills_in_imports;
        self.imports_whole_after_kill += o.imports_whole_after_kill;
        self.imports_absent_after_kill += o.imports_absent_after_kill;
        self.acknowledged += o.acknowledged;
        self.checks += o.checks;
        self.logs += o.logs;
    }
}

/// A log under test and what the checks remember of it.
struct Crashed {
    env: TestEnv,
    /// The side file every run's standard output is appended to: the
    /// acknowledgements.
    acks: PathBuf,
    /// The runs' standard error, likewise.
    errs: PathBuf,
    /// The operations run on this log.
    ops: BTreeMap<u32, Op>,
    /// The operations the last check found in the log.
    present: BTreeSet<u32>,
    /// Acknowledgements not yet checked against the log: (op, its text).
    unchecked: Vec<(u32, String)>,
    /// Imports a signal ended, not yet checked.
    stopped_imports: Vec<u32>,
    /// The head the last check found, and the stored bytes of its record.
    head: u64,
    head_record: Option<Vec<u8>>,
    tally: Tally,
}

impl Crashed {
    fn new() -> Crashed {
        let env = prelude_log();
        let acks = env.dir().join("acks.txt");
        let errs = env.dir().join("stderr.txt");
        let mut log = Crashed {
            env,
            acks,
            errs,
            ops: BTreeMap::new(),
            present: BTreeSet::new(),
            unchecked: Vec::new(),
            stopped_imports: Vec::new(),
            head: 0,
            head_record: None,
            tally: Tally { logs: 1, ..Tally::default() },
        };
        log.check("a fresh log");
        log
    }

    /// Measures three appends and an import, never stopped (they give the
    /// log some acknowledged events too).
    fn calibrate(&mut self) -> Timing {
        let mut appends = Vec::new();
        for n in 0..3 {
            appends.push(self.run(0xfff000 + n, Op::Append, None, Stop::Kill, "calibration").1);
        }
        appends.sort();
        let lines = 1500;
        let import = self.run(0xfff003, Op::Import(lines), None, Stop::Kill, "calibration").1;
        self.check("calibration");
        let timing = Timing { append: appends[1], import_per_line: import.saturating_sub(appends[1]) / lines };
        println!("calibration: {timing:?}");
        timing
    }

    /// Starts operation `n`, its output appended to the side files.
    fn start(&mut self, n: u32, op: Op) -> Child {
        assert!(self.ops.insert(n, op).is_none(), "op {n} twice");
        let mut cmd = sijil(&self.env);
        match op {
            Op::Append => {
                cmd.args(["append", "--json", &line(n, 0)]);
            }
            Op::Import(lines) => {
                let text: String = (0..lines).map(|i| line(n, i) + "\n").collect();
                let file = self.env.write(&format!("op-{n}.ndjson"), text);
                cmd.arg("import").arg(file);
            }
        }
        let append = |p: &Path| OpenOptions::new().create(true).append(true).open(p).unwrap();
        cmd.stdout(append(&self.acks)).stderr(append(&self.errs)).spawn().expect("sijil starts")
    }

    /// Runs operation `n`, sending `stop` after `delay` if it still runs.
    /// A run that ends by itself must succeed and acknowledge (checked at
    /// the next check); a run the signal ends is checked at once. Returns
    /// whether the signal ended it, and how long it ran.
    fn run(&mut self, n: u32, op: Op, delay: Option<Duration>, stop: Stop, ctx: &str) -> (bool, Duration) {
        let acks_before = fs::metadata(&self.acks).map(|m| m.len()).unwrap_or(0);
        let errs_before = fs::metadata(&self.errs).map(|m| m.len()).unwrap_or(0);
        let started = Instant::now();
        let mut child = self.start(n, op);
        let (status, signalled) = match delay {
            Some(d) => stop_at(&mut child, started + d, stop),
            None => (child.wait().expect("wait"), false),
        };
        let elapsed = started.elapsed();
        self.tally.runs += 1;
        let ack = tail(&self.acks, acks_before);
        let err = tail(&self.errs, errs_before);
        let what = format!("{ctx}: op {n} ({op:?}), {stop:?} after {elapsed:?}");
        assert_no_panic(&err, &what);
        let acknowledged = !ack.is_empty();
        if acknowledged {
            self.unchecked.push((n, ack));
        }
        if !signalled {
            assert_eq!(status.code(), Some(0), "{what}: exit status {status:?}\n--- stderr\n{err}");
            assert!(acknowledged, "{what}: it exited 0 without an acknowledgement");
            return (false, elapsed);
        }
        self.tally.kills += 1;
        match op {
            Op::Append => self.tally.kills_in_appends += 1,
            Op::Import(_) => {
                self.tally.kills_in_imports += 1;
                self.stopped_imports.push(n);
            }
        }
        self.check(&what);
        (true, elapsed)
    }

    /// After a run: the log as the run left it reopens and verifies (hash
    /// chain, positions, index); the record at the previous head is
    /// unchanged (so, the chain being sound, is every record before it);
    /// every record since is one of ours, byte for byte what was sent, each
    /// operation whole and once; nothing lies past the head; every
    /// acknowledgement names what the log holds.
    fn check(&mut self, what: &str) {
        self.tally.checks += 1;
        // on a fresh log and every eighth check, the real binary opens the
        // log first (and so does the recovery); its verify is the store's
        if self.tally.checks % 8 == 1 {
            let v = self.env.run(&["verify", "--json"]).ok().json();
            assert_eq!(v["ok"], true, "{what}: sijil verify: {v}");
        }
        let store = Store::open(self.env.db()).unwrap_or_else(|e| panic!("{what}: the store does not open: {e}"));
        let verified = store.verify(|_| {}).unwrap_or_else(|e| panic!("{what}: verify: {e}"));
        assert_eq!(verified.first_bad, None, "{what}: verify finds the log bad");
        let head = verified.head.seq;
        assert_eq!(verified.records, head, "{what}: verify checked {} records of {head}", verified.records);
        assert_eq!(store.raw(head + 1).unwrap(), None, "{what}: a record past the head survived the reopen");
        assert!(head >= self.head, "{what}: the head went back from #{} to #{head}", self.head);
        if self.head > 0 {
            let now = store.raw(self.head).unwrap();
            assert!(now == self.head_record, "{what}: the record at the previous head #{} changed", self.head);
        }
        // the records since: whole operations, in order, byte for byte
        let mut seq = self.head.max(PRELUDE_EVENTS) + 1;
        while seq <= head {
            let (_, event) = stored(&store, seq);
            let (op, first) = op_line(&event).unwrap_or_else(|| panic!("{what}: #{seq} is not ours: {event:?}"));
            assert_eq!(first, 0, "{what}: #{seq} is line {first} of op {op}, without the lines before it");
            let lines = self
                .ops
                .get(&op)
                .unwrap_or_else(|| panic!("{what}: #{seq} belongs to op {op}, never run on this log"))
                .lines();
            assert!(self.present.insert(op), "{what}: op {op} is in the log twice");
            for l in 0..lines {
                let at = seq + u64::from(l);
                assert!(at <= head, "{what}: op {op} is half applied: the log ends after {l} of its {lines} lines");
                let (raw, event) = stored(&store, at);
                assert_eq!(
                    op_line(&event),
                    Some((op, l)),
                    "{what}: op {op} is half applied: #{at} is not its line {l}"
                );
                let sent = line(op, l);
                assert!(
                    raw.ends_with(sent.as_bytes()) && event.canonical_json() == sent.as_bytes(),
                    "{what}: #{at} is not stored byte for byte:\n   sent   {sent}\n   stored {}",
                    String::from_utf8_lossy(&event.canonical_json())
                );
            }
            seq += u64::from(lines);
        }
        for (n, ack) in std::mem::take(&mut self.unchecked) {
            check_ack(&store, n, self.ops[&n], &ack, what);
            self.tally.acknowledged += 1;
        }
        for n in std::mem::take(&mut self.stopped_imports) {
            if self.present.contains(&n) {
                self.tally.imports_whole_after_kill += 1;
            } else {
                self.tally.imports_absent_after_kill += 1;
            }
        }
        self.head = head;
        self.head_record = store.raw(head).unwrap();
    }
}

/// An acknowledgement (`appended ID as #N`, `appended K events (#A–#B), 0
/// duplicates`) names exactly what the log holds.
fn check_ack(store: &Store, n: u32, op: Op, ack: &str, what: &str) {
    let what = format!("{what}; the acknowledgement of op {n} ({op:?})");
    assert!(ack.ends_with('\n') && ack.lines().count() == 1, "{what}: torn or doubled: {ack:?}");
    let ack = ack.trim_end();
    let id = |l: u32| format!("{ID_PREFIX}{n:06x}{l:06x}");
    let first = match op {
        Op::Append => ack
            .strip_prefix(&format!("appended {} as #", id(0)))
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or_else(|| panic!("{what}: unexpected {ack:?}")),
        Op::Import(lines) => {
            let (a, b) = ack
                .strip_prefix(&format!("appended {lines} events (#"))
                .and_then(|s| s.strip_suffix("), 0 duplicates"))
                .and_then(|s| s.split_once("–#"))
                .unwrap_or_else(|| panic!("{what}: unexpected {ack:?}"));
            let (a, b): (u64, u64) = (a.parse().unwrap(), b.parse().unwrap());
            assert_eq!(b + 1 - a, u64::from(lines), "{what}: {ack:?}");
            a
        }
    };
    let head = store.head().unwrap().seq;
    for l in 0..op.lines() {
        let seq = first + u64::from(l);
        assert!(seq <= head, "{what}: acknowledged #{seq} is not in the log (head #{head})");
        assert_eq!(stored(store, seq).1.id.to_string(), id(l), "{what}: acknowledged #{seq} holds another event");
    }
}

/// The text appended to `path` since `from`.
fn tail(path: &Path, from: u64) -> String {
    let bytes = fs::read(path).unwrap_or_default();
    String::from_utf8(bytes[from as usize..].to_vec()).expect("sijil writes UTF-8")
}

/// A fresh log once the current one grows past this: every run replays
/// the whole log, so a long one would only slow the test down.
const RESET_AFTER: u64 = 1500;

/// Logs stopped at the same time: sijil spends much of a run waiting on
/// `fsync` and sled's start-up, so two logs keep two cores busy.
const WORKERS: u64 = 2;

/// One worker's share of the kill points, on logs of its own.
fn crash_worker(seed: u64, worker: u64, kills: u64) -> Tally {
    let mut rng = Rng(seed ^ (worker + 1).wrapping_mul(0x2545_f491_4f6c_dd1d));
    let mut total = Tally::default();
    let mut log = Crashed::new();
    let mut timing = log.calibrate();
    let mut n = (worker as u32) << 20;
    while total.kills + log.tally.kills < kills {
        let runs = total.runs + log.tally.runs;
        assert!(runs < kills * 6 + 50, "seed {seed}, worker {worker}: too few runs were stopped: {:?}", log.tally);
        if log.head > RESET_AFTER {
            total.add(log.tally);
            log = Crashed::new();
        }
        let op = if rng.below(10) < 6 { Op::Append } else { Op::Import(1050 + rng.below(750) as u32) };
        // anywhere in the run, from its start-up to its last write; for an
        // import, more often late, where it writes (about its last quarter).
        // Appends that finish first give acknowledgements.
        let at = match op {
            Op::Append => 1.3 * rng.unit(),
            Op::Import(_) => 0.95 * rng.unit().sqrt(),
        };
        let delay = timing.expected(op).mul_f64(at);
        let ctx = format!("seed {seed}, worker {worker}, kill point {}", total.kills + log.tally.kills + 1);
        n += 1;
        if let (false, took) = log.run(n, op, Some(delay), Stop::Kill, &ctx) {
            timing.learn(op, took);
        }
    }
    log.check("the end");
    total.add(log.tally);
    total
}

#[test]
fn a_killed_sijil_keeps_every_acknowledged_event_and_never_half_an_import() {
    let (_, seed) = seeded("crash");
    let kills = 200 * soak_rounds();
    let workers: Vec<_> =
        (0..WORKERS).map(|w| std::thread::spawn(move || crash_worker(seed, w, kills.div_ceil(WORKERS)))).collect();
    let mut tally = Tally::default();
    for w in workers {
        tally.add(w.join().unwrap_or_else(|_| panic!("seed {seed}: a worker failed (see its message above)")));
    }
    println!("crash: {tally:?}");
    assert!(tally.kills >= kills, "{tally:?}");
    assert!(tally.kills_in_imports > 0 && tally.kills_in_appends > 0, "seed {seed}: {tally:?}");
    assert!(tally.acknowledged > 0, "seed {seed}: nothing was acknowledged: {tally:?}");
}

/// sijil installs no handler for SIGINT or SIGTERM, so either ends it at
/// once, exactly like SIGKILL: no code of sijil runs after the signal.
/// That is safe because an import becomes visible only when the head
/// moves, in its last transaction. Each stopped run must have died of the
/// signal itself (not exited with a code), and the log must hold the
/// import whole or not at all. Imports run until each signal has ended
/// six of them.
#[test]
fn sigint_and_sigterm_leave_an_import_whole_or_absent() {
    let (mut rng, seed) = seeded("signals");
    let want = 6 * soak_rounds();
    let mut log = Crashed::new();
    let mut timing = log.calibrate();
    let mut total = Tally::default();
    let mut by_signal = [0u64; 2];
    let mut round = 0u32;
    while by_signal.iter().any(|&n| n < want) {
        assert!(round < 10 * want as u32 + 20, "seed {seed}: too few imports were stopped: {by_signal:?}");
        if log.head > RESET_AFTER {
            total.add(log.tally);
            log = Crashed::new();
        }
        // INT and TERM in turn, until each has its share
        let which = if by_signal[0] < want && (round.is_multiple_of(2) || by_signal[1] >= want) { 0 } else { 1 };
        let stop = [Stop::Int, Stop::Term][which];
        let op = Op::Import(1500 + rng.below(800) as u32);
        // from the reading of the file to the last write, more often late
        let delay = timing.expected(op).mul_f64(0.2 + 0.85 * rng.unit().sqrt());
        let ctx = format!("seed {seed}, round {round}");
        match log.run(0x80_0000 + round, op, Some(delay), stop, &ctx) {
            (true, _) => by_signal[which] += 1,
            (false, took) => {
                timing.learn(op, took);
                log.check(&ctx);
            }
        }
        round += 1;
    }
    log.check("the end");
    total.add(log.tally);
    println!("signals: {} SIGINT, {} SIGTERM ended an import; {total:?}", by_signal[0], by_signal[1]);
}

// ── two writers, and more ───────────────────────────────────────────────

/// What sijil prints once while it waits for a log another process holds.
fn waiting_notice(env: &TestEnv) -> String {
    format!("waiting for the log at {} (in use by another sijil process)…\n", env.db().display())
}

/// What it prints when it gives up.
fn locked_error(env: &TestEnv) -> String {
    format!(
        "error: the log at {} is in use by another sijil process\n\
         hint: wait for the other sijil command to finish, then try again\n",
        env.db().display()
    )
}

/// Eight processes append 50 events each, all at once. sled locks the log
/// folder, so they take turns; each waits for the lock (saying so once)
/// and every event lands once, gap-free.
#[test]
fn eight_writers_at_once_all_land() {
    const WRITERS: u32 = 8;
    const EACH: u32 = 50;
    let env = prelude_log();
    let start = std::sync::Barrier::new(WRITERS as usize);
    let notice = waiting_notice(&env);
    let results: Vec<(Vec<u64>, u32)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (env, start, notice) = (&env, &start, &notice);
                s.spawn(move || {
                    start.wait();
                    let mut seqs = Vec::new();
                    let mut waited = 0;
                    for i in 0..EACH {
                        let op = 0x40_0000 + w;
                        let what = format!("writer {w}, append {i}");
                        let mut cmd = sijil(env);
                        // the default wait is 10 s; a loaded CI machine must
                        // not turn a long queue into a failure (giving up is
                        // tested below)
                        cmd.env("SIJIL_LOCK_TIMEOUT", "300").args(["append", "--json", &line(op, i)]);
                        let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
                        let out = wait_guarded(child, Duration::from_secs(600), &what);
                        let (stdout, stderr) =
                            (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap());
                        assert_eq!(out.status.code(), Some(0), "{what}: {stderr}");
                        assert!(stderr.is_empty() || stderr == *notice, "{what}: stderr {stderr:?}");
                        waited += u32::from(!stderr.is_empty());
                        let seq = stdout
                            .strip_prefix(&format!("appended {ID_PREFIX}{op:06x}{i:06x} as #"))
                            .and_then(|s| s.trim_end().parse::<u64>().ok())
                            .unwrap_or_else(|| panic!("{what}: {stdout:?}"));
                        seqs.push(seq);
                    }
                    (seqs, waited)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a writer failed (see its message above)")).collect()
    });
    let mut all: Vec<u64> = Vec::new();
    for (w, (seqs, _)) in results.iter().enumerate() {
        assert!(seqs.windows(2).all(|p| p[0] < p[1]), "writer {w}'s events are out of its order: {seqs:?}");
        all.extend(seqs);
    }
    all.sort_unstable();
    let total = u64::from(WRITERS * EACH);
    let want: Vec<u64> = (PRELUDE_EVENTS + 1..=PRELUDE_EVENTS + total).collect();
    assert_eq!(all, want, "the acknowledged positions are not each position once");
    let waited: u32 = results.iter().map(|r| r.1).sum();
    println!("writers: {WRITERS} × {EACH} appends landed; {waited} of them waited for the lock");

    let v = env.run(&["verify", "--json"]).ok().json();
    assert_eq!((v["ok"].as_bool(), v["records"].as_u64()), (Some(true), Some(PRELUDE_EVENTS + total)), "{v}");
    // each event once, at the position it was acknowledged at, byte for byte
    let store = Store::open(env.db()).unwrap();
    let mut seen = BTreeSet::new();
    for (w, (seqs, _)) in results.iter().enumerate() {
        for (i, seq) in seqs.iter().enumerate() {
            let (raw, event) = stored(&store, *seq);
            let sent = line(0x40_0000 + w as u32, i as u32);
            assert!(raw.ends_with(sent.as_bytes()), "#{seq}: not writer {w}'s event {i} byte for byte");
            assert!(seen.insert(event.id), "#{seq}: {} twice", event.id);
        }
    }
}

/// While another process holds the log, every command waits up to
/// `--lock-timeout` (or `$SIJIL_LOCK_TIMEOUT`) and then fails with exit 1
/// and the lock message, changing nothing; a command that is still
/// waiting when the log is let go goes ahead.
#[test]
fn a_held_log_makes_others_wait_then_fail_with_the_lock_message() {
    let env = prelude_log();
    let head = env.head();
    let file = env.write("one.ndjson", line(0x50_0000, 0) + "\n");
    let holder = Store::open(env.db()).unwrap();

    // readers and writers at once, each giving up after 0.3 s (or at once)
    let one = line(0x50_0001, 0);
    let cases: Vec<(Vec<&str>, Option<&str>)> = vec![
        (vec!["--lock-timeout", "0.3", "state", "--format", "json"], None),
        (vec!["log", "--format", "ndjson", "--lock-timeout", "0.3"], None),
        (vec!["verify", "--json"], Some("0.3")),
        (vec!["--lock-timeout", "0.3", "append", "--json", &one], None),
        (vec!["import", file.to_str().unwrap()], Some("0.3")),
        (vec!["--lock-timeout", "0", "verify"], None),
    ];
    let children: Vec<_> = cases
        .iter()
        .map(|(args, var)| {
            let mut cmd = sijil(&env);
            if let Some(v) = var {
                cmd.env("SIJIL_LOCK_TIMEOUT", v);
            }
            cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
        })
        .collect();
    for ((args, var), child) in cases.iter().zip(children) {
        let what = format!("SIJIL_LOCK_TIMEOUT={var:?} sijil {}", args.join(" "));
        let out = wait_guarded(child, Duration::from_secs(120), &what);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{what}: {stderr}");
        assert_eq!(String::from_utf8(out.stdout).unwrap(), "", "{what}");
        // the notice comes once the wait has begun: a short timeout may end first
        let rest = stderr.strip_prefix(&waiting_notice(&env)).unwrap_or(&stderr);
        assert_eq!(rest, locked_error(&env), "{what}: stderr");
    }

    // a writer still waiting when the log is let go goes ahead
    let mut child = sijil(&env)
        .args(["--lock-timeout", "120", "append", "--json", &line(0x50_0002, 0)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut lines = BufReader::new(stderr).lines();
        let _ = tx.send(lines.next());
        lines.map_while(Result::ok).collect::<Vec<_>>()
    });
    // it says it waits (the hang guard only bounds a broken build)
    let first = rx.recv_timeout(Duration::from_secs(120)).expect("the waiting writer says nothing");
    assert_eq!(first.unwrap().unwrap() + "\n", waiting_notice(&env));
    drop(holder);
    let out = wait_guarded(child, Duration::from_secs(120), "the waiting writer");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(reader.join().unwrap(), Vec::<String>::new(), "the notice is said once");
    let want = format!("appended {ID_PREFIX}{:06x}{:06x} as #{}\n", 0x50_0002, 0, head.seq + 1);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), want);
    // and nothing of those that gave up was appended
    assert_eq!(env.head().seq, head.seq + 1);
}

// ── corruption and tampering ────────────────────────────────────────────

/// One way of damaging a copy of the log folder.
#[derive(Debug, Clone)]
enum Damage {
    /// XOR the byte at `offset` of a file with `mask`.
    Flip { file: String, offset: u64, mask: u8 },
    /// Cut a file to `len` bytes.
    Truncate { file: String, len: u64 },
    /// Remove a file.
    Remove { file: String },
}

impl Damage {
    fn apply(&self, dir: &Path) {
        match self {
            Damage::Flip { file, offset, mask } => {
                let p = dir.join(file);
                let mut bytes = fs::read(&p).unwrap();
                bytes[*offset as usize] ^= mask;
                fs::write(&p, bytes).unwrap();
            }
            Damage::Truncate { file, len } => {
                OpenOptions::new().write(true).open(dir.join(file)).unwrap().set_len(*len).unwrap()
            }
            Damage::Remove { file } => fs::remove_file(dir.join(file)).unwrap(),
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Damaged store files (bytes flipped all over sled's `db` file, its
/// snapshot, its config, the block file and the checkpoint, files cut
/// short or removed): `verify`, then
/// `state` or `log` in turn, each either exit 1 with one clear `error:`
/// sentence, or, when the damage touched nothing sled reads, exit 0 with
/// exactly the output of the sound log. Never a panic, never a hang (each run is bounded), never
/// another answer presented as good. The commands run one after the other
/// on the same damaged copy, as a user would: a later one must not present
/// a log "repaired" by an earlier one as good either.
#[test]
fn a_damaged_store_file_is_an_error_never_a_panic_or_a_wrong_answer() {
    let (mut rng, seed) = seeded("corruption");
    let env = TestEnv::aleppo();
    // an import long enough to write blocks to the block file, then the tail
    let batch = env.dir().join("batch.ndjson");
    fs::write(&batch, (0..300).map(|i| line(0x61_0000, i) + "\n").collect::<String>()).unwrap();
    env.run(&["import", batch.to_str().unwrap()]).ok();
    for i in 0..5 {
        env.append(&line(0x60_0000, i));
    }
    // a checkpoint at the head, as a long log has
    {
        let store = Store::open(env.db()).unwrap();
        let mut ledger = Ledger::new(chrono_tz::Asia::Damascus);
        store.scan_facts_from(1, u64::MAX).each(|f| ledger.apply_facts(f.seq, f.recorded_at, &f.facts)).unwrap();
        store.put_checkpoint(ledger.seq(), &ledger.encode()).unwrap();
    }
    let reads: [&[&str]; 3] = [
        &["verify", "--json"],
        &["state", "--at", "2026-01-09T05:00+03:00", "--format", "json"],
        &["log", "--format", "ndjson"],
    ];
    let sound: Vec<String> = reads.iter().map(|args| env.run(args).ok().stdout.clone()).collect();

    let file_len = |name: &str| fs::metadata(env.db().join(name)).unwrap().len();
    let db = fs::read(env.db().join("db")).unwrap();
    // sled preallocates its segment: the bytes it wrote end here
    let used = db.iter().rposition(|&b| b != 0).map_or(0, |i| i as u64 + 1);
    let snap = fs::read_dir(env.db())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.starts_with("snap."))
        .expect("sled keeps a snapshot file");
    let mut damages = Vec::new();
    let mask = |rng: &mut Rng| 1 + rng.below(255) as u8;
    let flip = |file: &str, offset: u64, mask: u8| Damage::Flip { file: file.into(), offset, mask };
    for _ in 0..soak_rounds() {
        // the segment header, the last writes, and anywhere in between
        for _ in 0..6 {
            damages.push(flip("db", rng.below(64), mask(&mut rng)));
            damages.push(flip("db", used - 1 - rng.below(64.min(used)), mask(&mut rng)));
        }
        for _ in 0..36 {
            damages.push(flip("db", rng.below(used), mask(&mut rng)));
        }
        // past the last write: bytes sled never reads
        damages.push(flip("db", used + rng.below(file_len("db") - used), mask(&mut rng)));
        for _ in 0..4 {
            damages.push(flip(&snap, rng.below(file_len(&snap)), mask(&mut rng)));
            damages.push(Damage::Truncate { file: "db".into(), len: rng.below(used) });
        }
        damages.push(flip("conf", rng.below(file_len("conf")), mask(&mut rng)));
        // the block file, where the records' bytes lie
        for _ in 0..8 {
            damages.push(flip("blocks", rng.below(file_len("blocks")), mask(&mut rng)));
        }
        damages.push(Damage::Truncate { file: "blocks".into(), len: rng.below(file_len("blocks")) });
        // the checkpoint, a cache: read past when it does not check
        for _ in 0..4 {
            damages.push(flip("checkpoint", rng.below(file_len("checkpoint")), mask(&mut rng)));
        }
        damages.push(Damage::Truncate { file: "checkpoint".into(), len: rng.below(file_len("checkpoint")) });
    }
    for len in [0, 1, 64, 4096, used / 2, used - 1, used, file_len("db") - 1] {
        damages.push(Damage::Truncate { file: "db".into(), len });
    }
    damages.push(Damage::Truncate { file: snap.clone(), len: 0 });
    damages.push(Damage::Truncate { file: "conf".into(), len: 0 });
    damages.push(Damage::Remove { file: snap.clone() });
    damages.push(Damage::Remove { file: "db".into() });
    damages.push(Damage::Remove { file: "conf".into() });
    damages.push(Damage::Remove { file: "blocks".into() });
    damages.push(Damage::Remove { file: "checkpoint".into() });

    let (mut refused, mut unharmed) = (0, 0);
    for (n, damage) in damages.iter().enumerate() {
        let copy = env.dir().join(format!("damaged-{n}"));
        copy_dir(env.db(), &copy);
        damage.apply(&copy);
        // verify on every copy, then state or log in turn
        for (args, sound) in
            reads.iter().zip(&sound).filter(|(args, _)| args[0] == "verify" || args[0] == ["state", "log"][n % 2])
        {
            let what = format!("seed {seed}: {damage:?}: sijil {}", args.join(" "));
            let mut cmd = sijil(&env);
            cmd.env("SIJIL_DB", &copy).args(*args).stdout(Stdio::piped()).stderr(Stdio::piped());
            let out = wait_guarded(cmd.spawn().unwrap(), Duration::from_secs(60), &what);
            let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            assert_no_panic(&stderr, &what);
            match out.status.code() {
                Some(0) => {
                    assert_eq!(&stdout, sound, "{what}: exit 0 with another answer than the sound log's");
                    assert_eq!(stderr, "", "{what}");
                    unharmed += 1;
                }
                Some(1) if args[0] == "verify" && !stdout.is_empty() => {
                    // a damaged block: the report names a record it holds
                    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
                    let bad = &report["first_bad"];
                    assert!(bad["seq"].as_u64().is_some_and(|n| n >= 1), "{what}: {stdout}");
                    assert!(
                        bad["reason"].as_str().is_some_and(|r| r.contains("block") || r.contains("record")),
                        "{what}: {stdout}"
                    );
                    refused += 1;
                }
                Some(1) => {
                    assert_eq!(stdout, "", "{what}: exit 1 but printed: {stdout}");
                    let error =
                        stderr.lines().find(|l| l.starts_with("error: ")).unwrap_or_else(|| panic!("{what}: {stderr}"));
                    let copy = copy.display().to_string();
                    assert!(
                        error.starts_with(&format!("error: the log at {copy} is damaged: "))
                            || error == format!("error: {copy} is not a sijil log")
                            || error.starts_with("error: record"),
                        "{what}: unclear error {error:?}"
                    );
                    assert!(
                        stderr.lines().all(|l| l.starts_with("error: ") || l.starts_with("hint: ")),
                        "{what}: {stderr}"
                    );
                    refused += 1;
                }
                other => panic!("{what}: exit {other:?}\n{stderr}"),
            }
        }
        fs::remove_dir_all(&copy).unwrap();
    }
    println!(
        "corruption: {} damaged copies, {} runs: {refused} refused with exit 1, {unharmed} unharmed with the sound answer",
        damages.len(),
        refused + unharmed
    );
    assert!(refused > 0);
}

/// A record rewritten behind sijil's back (its stored bytes changed
/// through sled, so sled's own checksums hold): `verify` names its
/// position (text and JSON), and `state`, `log` and `export` refuse to
/// read past it.
#[test]
fn a_rewritten_record_is_named_by_verify_state_and_log() {
    let (mut rng, seed) = seeded("tamper");
    let env = TestEnv::aleppo();
    let sound = env.head();
    let header = {
        let store = Store::open(env.db()).unwrap();
        let (raw, event) = stored(&store, 1);
        raw.len() - event.canonical_json().len()
    };
    // the version byte, the recording time, the previous hash, the own
    // hash, the event's JSON
    let fields = [(0, 1), (1, 9), (9, 41), (41, header), (header, usize::MAX)];
    let mut cases = Vec::new();
    for _ in 0..soak_rounds() {
        for (i, seq) in [1, 2, 17, 38, 49, 50].into_iter().enumerate() {
            for (f, (from, to)) in fields.iter().enumerate() {
                if (i + f) % 2 == 0 || *from == header {
                    cases.push((seq, *from, *to, 1 + rng.below(255) as u8));
                }
            }
        }
    }
    for (n, (seq, from, to, mask)) in cases.iter().copied().enumerate() {
        let original = {
            let store = Store::open(env.db()).unwrap();
            let raw = store.raw(seq).unwrap().unwrap();
            let mut bad = raw.clone();
            let at = from + rng.below((to.min(raw.len()) - from) as u64) as usize;
            bad[at] ^= mask;
            store.tamper(seq, &bad).unwrap();
            raw
        };
        let what = format!("seed {seed}: #{seq}, a byte in {from}..{to} flipped");
        let run = env.run(&["verify"]);
        run.code(1);
        let mut lines = run.stderr.lines();
        let error = lines.next().unwrap();
        assert!(error.starts_with(&format!("error: record #{seq} is bad: ")), "{what}: {}", run.stderr);
        let sound = match seq {
            1 => "no record before it".to_string(),
            2 => "record #1 is sound".to_string(),
            n => format!("records #1–#{} are sound", n - 1),
        };
        let hint = format!("hint: {sound}; keep a copy of the log folder before any repair");
        assert_eq!(lines.next(), Some(hint.as_str()), "{what}");
        let json = env.run(&["verify", "--json"]);
        json.code(1);
        let v = json.json();
        assert_eq!((v["ok"].as_bool(), v["first_bad"]["seq"].as_u64()), (Some(false), Some(seq)), "{what}: {v}");
        // exports stream the records: a damaged one ends them with the
        // error, and an export to a file leaves no file
        let file = env.dir().join("export.ndjson");
        let file_arg = file.display().to_string();
        let read: &[&str] = match n % 4 {
            0 => &["state", "--format", "json"],
            1 => &["log", "--format", "ndjson"],
            2 => &["export", "events", "-o", &file_arg],
            _ => &["export", "acled"],
        };
        let run = env.run(read);
        run.code(1);
        if read[0] != "export" {
            assert_eq!(run.stdout, "", "{what}");
        }
        assert!(run.stderr.starts_with(&format!("error: record {seq} is damaged: ")), "{what}: {}", run.stderr);
        assert!(!file.exists(), "{what}: {} was left behind", file.display());
        let store = Store::open(env.db()).unwrap();
        store.tamper(seq, &original).unwrap();
    }
    // put back, the log is the same log: same head, same hash
    assert_eq!(env.head(), sound);
    println!("tamper: {} rewritten records named by verify, state, log and export", cases.len());
}

// ── the published head ──────────────────────────────────────────────────

/// The head hash `verify --json` reports is what a desk publishes: reading
/// never changes it, a refused or duplicate append leaves it, every append
/// moves it, and anyone holding the events can recompute it.
#[test]
fn the_published_head_hash_is_stable_and_moves_with_every_append() {
    let env = TestEnv::aleppo();
    let h0 = env.head();
    let v = env.run(&["verify", "--json"]).ok().json();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["first_bad", "head", "ok", "records", "set_aside"], "{v}");
    assert_eq!((v["records"].as_u64(), v["first_bad"].is_null()), (Some(50), true), "{v}");
    let hash = v["head"]["hash"].as_str().unwrap();
    assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "{hash}");
    assert!(v["head"]["recorded_at"].as_str().unwrap().ends_with('Z'), "{v}");

    // reading, however often, changes nothing
    env.run(&["state", "--format", "json"]).ok();
    env.run(&["log", "--format", "ndjson"]).ok();
    assert_eq!(env.head(), h0);
    assert_eq!(env.head(), h0);

    // the head hash is the end of a chain anyone can recompute from the records
    {
        let store = Store::open(env.db()).unwrap();
        let mut prev = sijil_store::GENESIS;
        for r in store.scan(u64::MAX) {
            let r = r.unwrap();
            prev = sijil_store::record::encode(r.seq, r.recorded_at, &prev, &r.event).1;
        }
        assert_eq!(sijil_store::record::hex(&prev), h0.hash);
    }

    // a refused append and a duplicate leave it
    env.run(&["append", "--json", r#"{"kind":"truce"}"#]).code(2);
    let scenario_line = crate::support::scenario_text().lines().nth(20).unwrap().to_string();
    let dup = env.run(&["append", "--json", &scenario_line]).ok().stdout.clone();
    assert!(dup.contains("(duplicate; nothing appended)"), "{dup}");
    assert_eq!(env.head(), h0);

    // an append moves it, and it is stable again
    let stmt = r#"{"kind":"statement","at":"2026-01-09T10:00+03:00","actor":"sdf","source":"desk"}"#;
    env.append(stmt);
    let h1 = env.head();
    assert_eq!(h1.seq, h0.seq + 1);
    assert_ne!(h1.hash, h0.hash);
    assert_eq!(env.head(), h1);
    // the same content again is a new event (a fresh id): it moves again
    env.append(stmt);
    let h2 = env.head();
    assert_eq!(h2.seq, h1.seq + 1);
    assert!(h2.hash != h1.hash && h2.hash != h0.hash);
    // so does an import
    env.import_text(&format!("{stmt}\n{stmt}\n"));
    let h3 = env.head();
    assert_eq!(h3.seq, h2.seq + 2);
    assert!(![&h0.hash, &h1.hash, &h2.hash].contains(&&h3.hash));
}
