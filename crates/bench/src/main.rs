//! `sijil-bench`: the end-to-end benchmark of sijil against SQLite and a
//! plain file. `docs/performance.md` explains every figure.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use sijil_bench::harness::{self, Config, REPLAY_RSS};

const USAGE: &str = "\
Benchmark sijil against SQLite and a plain file on a synthetic log.

Usage:
  cargo run --release -p sijil-bench -- --events N [OPTIONS]
  sijil-bench generate --events N [--seed S] > log.ndjson

Options:
  --events N        events in the log, registry included [default: 100000];
                    1_000_000, 1M and 200k are read too
  --runs R          runs; every figure is the median over them [default: 3]
  --dir D           where the logs are written (on the disk to measure, not
                    a tmpfs) [default: target/sijil-bench]
  --appends A       single durable appends per engine per run [default: min(10000, N)]
  --cli-appends C   `sijil append` and `sqlite3` processes per run [default: 3]
  --queries Q       random (T, K) state reads per log, split between runs [default: 100]
  --baseline-queries B
                    how many of them the baselines make on the large log
                    [default: all]; the targets only use sijil's
  --seed S          the generator's seed [default: 1]
  --sijil PATH      the sijil binary [default: `sijil` next to this binary]
  --sqlite3 PATH    the sqlite3 tool, or `none` [default: from the PATH]
  --keep            keep the generated logs
  --quiet           no progress on standard error
  -h, --help        this help

The table goes to standard output, as Markdown.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some(REPLAY_RSS) if args.len() == 3 => {
            harness::replay_rss_child(&args[1], std::path::Path::new(&args[2])).map(|line| println!("{line}"))
        }
        Some("generate") => generate(&args[1..]),
        _ => bench(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(if e.0.starts_with("usage") { 2 } else { 1 })
        }
    }
}

fn usage(msg: impl std::fmt::Display) -> sijil_bench::Error {
    sijil_bench::Error(format!("usage: {msg}; see --help"))
}

/// `1000000`, `1_000_000`, `1,000,000`, `1M`, `200k`.
fn count(flag: &str, text: Option<&String>) -> Result<usize, sijil_bench::Error> {
    let text = text.ok_or_else(|| usage(format!("{flag} needs a value")))?;
    let clean: String = text.chars().filter(|c| *c != '_' && *c != ',').collect();
    let (digits, scale) = match clean.strip_suffix(['k', 'K']) {
        Some(d) => (d, 1_000),
        None => match clean.strip_suffix('M') {
            Some(d) => (d, 1_000_000),
            None => (clean.as_str(), 1),
        },
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|d| d.checked_mul(scale))
        .ok_or_else(|| usage(format!("{flag}: {text:?} is not a count")))
}

fn bench(args: &[String]) -> Result<(), sijil_bench::Error> {
    let exe = std::env::current_exe()?;
    let mut cfg = Config::new(100_000, PathBuf::from("target").join("sijil-bench"), exe);
    let mut appends = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            "--events" => cfg.events = count(arg, it.next())?,
            "--runs" => cfg.runs = count(arg, it.next())?,
            "--appends" => appends = Some(count(arg, it.next())?),
            "--cli-appends" => cfg.cli_appends = count(arg, it.next())?,
            "--queries" => cfg.queries = count(arg, it.next())?,
            "--baseline-queries" => cfg.baseline_queries = Some(count(arg, it.next())?),
            "--seed" => cfg.seed = count(arg, it.next())? as u64,
            "--dir" => cfg.dir = PathBuf::from(it.next().ok_or_else(|| usage("--dir needs a folder"))?),
            "--sijil" => cfg.sijil_exe = Some(PathBuf::from(it.next().ok_or_else(|| usage("--sijil needs a path"))?)),
            "--sqlite3" => {
                let p = it.next().ok_or_else(|| usage("--sqlite3 needs a path or `none`"))?;
                cfg.sqlite3_exe = (p != "none").then(|| PathBuf::from(p));
            }
            "--keep" => cfg.keep = true,
            "--quiet" => cfg.progress = false,
            other => return Err(usage(format!("unknown argument {other:?}"))),
        }
    }
    cfg.appends = appends.unwrap_or(cfg.events.min(10_000));
    if cfg.sijil_exe.is_none() {
        eprintln!("note: no `sijil` binary next to this one; build it with `cargo build --release -p sijil-cli` for the CLI row");
    }
    let report = harness::run(&cfg)?;
    print!("{}", report.markdown());
    Ok(())
}

/// Prints a generated log, for a look at it or for other tools.
fn generate(args: &[String]) -> Result<(), sijil_bench::Error> {
    let (mut events, mut seed) = (1000, 1u64);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--events" => events = count(arg, it.next())?,
            "--seed" => seed = count(arg, it.next())? as u64,
            other => return Err(usage(format!("unknown argument {other:?}"))),
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in sijil_bench::gen::Generator::new(seed).take(events) {
        if writeln!(out, "{line}").is_err() {
            // a closed pipe (`| head`) is not an error
            return Ok(());
        }
    }
    let _ = out.flush();
    Ok(())
}
