//! The report: the table side by side for the three engines, then
//! the six targets as the ratios measured in the same run.

use std::fmt::Write;
use std::time::Duration;

use crate::engine::Engine;
use crate::sys::Machine;

/// One engine's figures, each the median over the runs (`None`: not measured).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Import of the whole log, durable at the end, events/s.
    pub import: Option<f64>,
    /// Single durable appends, events/s.
    pub append: Option<f64>,
    /// Full replay into the state projection, events/s.
    pub replay: Option<f64>,
    /// `state --at T --known-at #K` on the large log, ms.
    pub state_large_ms: Option<f64>,
    /// The same on the 10k log, ms.
    pub state_small_ms: Option<f64>,
    /// Disk bytes after the import, as a fraction of the NDJSON input.
    pub disk_fraction: Option<f64>,
    /// Peak resident memory of a full replay in a fresh process, MiB.
    pub peak_rss_mib: Option<f64>,
    /// Opening the log and reading its head, the first time after the
    /// import, ms.
    pub open_ms: Option<f64>,
    /// The same, the next time, ms.
    pub reopen_ms: Option<f64>,
    /// One append from the command line, process start to exit, ms.
    pub cli_append_ms: Option<f64>,
}

/// Everything one invocation of the driver measured.
#[derive(Debug, Clone)]
pub struct Report {
    pub events: usize,
    pub runs: usize,
    pub appends: usize,
    pub cli_appends: usize,
    pub queries: usize,
    /// State reads the baselines made on the large log.
    pub baseline_queries: usize,
    pub seed: u64,
    /// The size of the small log of the time-travel comparison.
    pub small: usize,
    /// Bytes of the generated NDJSON input.
    pub ndjson_bytes: u64,
    pub machine: Machine,
    pub sijil: Figures,
    pub sqlite: Figures,
    pub file: Figures,
    /// Decoding the canonical events from memory, events/s.
    pub decode_only: Option<f64>,
    /// Whether a `sijil` binary and the `sqlite3` tool were found.
    pub sijil_cli: bool,
    pub sqlite3_cli: bool,
    pub elapsed: Duration,
    /// The 1-minute load average when the runs began and when they ended.
    pub load: (Option<f64>, Option<f64>),
}

/// The labels that start the rows of the table, in order.
pub const ROWS: [&str; 12] = [
    "import",
    "single durable append",
    "full replay into the state projection",
    "decode-only rate",
    "replay ÷ decode-only",
    "`state --at T --known-at K` on the",
    "same on a",
    "disk bytes after",
    "peak RSS of a full replay",
    "open time",
    "open time again",
    "single append from the CLI",
];

/// One of the targets, as measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub name: &'static str,
    pub goal: &'static str,
    /// The measured ratio (or MiB for memory).
    pub measured: Option<f64>,
    /// `true` when the figure is the absolute MiB, not a ratio.
    pub in_mib: bool,
    pub met: Option<bool>,
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

impl Report {
    pub fn figures(&self, e: Engine) -> &Figures {
        match e {
            Engine::Sijil => &self.sijil,
            Engine::Sqlite => &self.sqlite,
            Engine::File => &self.file,
        }
    }

    /// Milliseconds of one full replay of the large log by sijil.
    pub fn full_replay_ms(&self) -> Option<f64> {
        self.sijil.replay.map(|rate| self.events as f64 / rate * 1000.0)
    }

    /// The six targets (the third in two parts).
    pub fn targets(&self) -> Vec<Target> {
        let s = &self.sijil;
        let at_least = |m: Option<f64>, goal: f64| m.map(|x| x >= goal);
        let at_most = |m: Option<f64>, goal: f64| m.map(|x| x <= goal);
        let import = ratio(s.import, self.sqlite.import);
        let replay = ratio(s.replay, self.decode_only);
        let flat = ratio(s.state_large_ms, s.state_small_ms);
        let vs_replay = ratio(s.state_large_ms, self.full_replay_ms());
        let cli = ratio(s.cli_append_ms, self.sqlite.cli_append_ms);
        let t = |name, goal, measured, met| Target { name, goal, measured, in_mib: false, met };
        vec![
            t("1. import, sijil ÷ SQLite", "≥ 1.0×", import, at_least(import, 1.0)),
            t("2. replay, sijil ÷ decode-only", "≥ 0.8×", replay, at_least(replay, 0.8)),
            t("3a. state on the large log ÷ on the 10k log", "≤ 1.5×", flat, at_most(flat, 1.5)),
            t("3b. state on the large log ÷ a full replay", "≤ 0.05×", vs_replay, at_most(vs_replay, 0.05)),
            t("4. disk ÷ NDJSON size", "≤ 0.5×", s.disk_fraction, at_most(s.disk_fraction, 0.5)),
            Target {
                name: "5. peak RSS of a full replay",
                goal: "≤ 256 MiB",
                measured: s.peak_rss_mib,
                in_mib: true,
                met: at_most(s.peak_rss_mib, 256.0),
            },
            t("6. CLI append, sijil ÷ sqlite3", "≤ 2×", cli, at_most(cli, 2.0)),
        ]
    }

    /// The command that reproduces this report.
    pub fn command(&self) -> String {
        let mut c = format!("cargo run --release -p sijil-bench -- --events {}", self.events);
        if self.runs != 3 {
            let _ = write!(c, " --runs {}", self.runs);
        }
        if self.appends != self.events.min(10_000) {
            let _ = write!(c, " --appends {}", self.appends);
        }
        if self.cli_appends != 3 {
            let _ = write!(c, " --cli-appends {}", self.cli_appends);
        }
        if self.queries != 100 {
            let _ = write!(c, " --queries {}", self.queries);
        }
        if self.baseline_queries != self.queries {
            let _ = write!(c, " --baseline-queries {}", self.baseline_queries);
        }
        if self.seed != 1 {
            let _ = write!(c, " --seed {}", self.seed);
        }
        c
    }

    /// The report as Markdown: a summary line, the table, the targets.
    pub fn markdown(&self) -> String {
        let n = thousands(self.events as f64);
        let small = thousands(self.small as f64);
        let mut out = String::new();
        let _ = writeln!(out, "### {n} events, median of {} run{}", self.runs, if self.runs == 1 { "" } else { "s" });
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Machine: {}, {} cores, {:.1} GiB of memory, load average {} at the start and {} at the end. Input: {n} NDJSON lines, {} bytes ({:.0} bytes a line), seed {}. \
             Single appends: {} per engine per run; CLI appends: {} per run; state reads: {} random (T, K) per log, \
             split between the runs. The whole run took {:.0} s. Reproduce with `{}`.",
            self.machine.cpu,
            self.machine.cores,
            self.machine.memory_gib,
            self.load.0.map_or_else(|| "n/a".to_string(), |l| format!("{l:.2}")),
            self.load.1.map_or_else(|| "n/a".to_string(), |l| format!("{l:.2}")),
            thousands(self.ndjson_bytes as f64),
            self.ndjson_bytes as f64 / self.events as f64,
            self.seed,
            thousands(self.appends as f64),
            self.cli_appends,
            self.queries,
            self.elapsed.as_secs_f64(),
            self.command(),
        );
        let _ = writeln!(out);
        let _ = writeln!(out, "| figure | sijil | SQLite baseline | plain-file baseline |");
        let _ = writeln!(out, "| --- | ---: | ---: | ---: |");
        let all = |f: fn(&Figures) -> Option<f64>, show: fn(f64) -> String| {
            Engine::ALL.map(|e| f(self.figures(e)).map_or_else(|| "n/a".to_string(), show))
        };
        let mut row = |label: String, cells: [String; 3]| {
            let _ = writeln!(out, "| {label} | {} | {} | {} |", cells[0], cells[1], cells[2]);
        };
        row(format!("{} {n} events, durable at the end, events/s", ROWS[0]), all(|f| f.import, thousands));
        row(
            format!("{}, events/s over {} appends", ROWS[1], thousands(self.appends as f64)),
            all(|f| f.append, thousands),
        );
        row(format!("{}, events/s", ROWS[2]), all(|f| f.replay, thousands));
        row(
            format!("{} of the same events from memory, events/s (the CPU limit for replay)", ROWS[3]),
            [self.decode_only.map_or_else(|| "n/a".into(), thousands), "—".into(), "—".into()],
        );
        row(
            ROWS[4].to_string(),
            Engine::ALL.map(|e| ratio(self.figures(e).replay, self.decode_only).map_or_else(|| "n/a".into(), times)),
        );
        let over = if self.baseline_queries == self.queries {
            format!("median over {} random T, K", self.queries)
        } else {
            format!("median over {} random T, K; the baselines over the first {}", self.queries, self.baseline_queries)
        };
        row(format!("{} {n} log, ms ({over})", ROWS[5]), all(|f| f.state_large_ms, millis));
        row(format!("{} {small} log, ms", ROWS[6]), all(|f| f.state_small_ms, millis));
        row(format!("{} {n}, × the NDJSON size", ROWS[7]), all(|f| f.disk_fraction, times));
        row(format!("{}, MiB", ROWS[8]), all(|f| f.peak_rss_mib, |x| format!("{x:.0}")));
        row(
            format!("{} of the {n} log, first after the import (open, read the head), ms", ROWS[9]),
            all(|f| f.open_ms, millis),
        );
        row(format!("{}, ms", ROWS[10]), all(|f| f.reopen_ms, millis));
        let cli = |found: bool, v: Option<f64>| match v {
            Some(x) => millis(x),
            None if found => "n/a".to_string(),
            None => "n/a (not installed)".to_string(),
        };
        row(
            format!("{} on the {n} log, ms (process start to durable acknowledgement)", ROWS[11]),
            [
                cli(self.sijil_cli, self.sijil.cli_append_ms),
                cli(self.sqlite3_cli, self.sqlite.cli_append_ms).replace("n/a", "n/a (`sqlite3`)"),
                "—".into(),
            ],
        );
        let _ = writeln!(out);
        let _ = writeln!(out, "| target | goal | measured | |");
        let _ = writeln!(out, "| --- | --- | ---: | --- |");
        for t in self.targets() {
            let measured = match t.measured {
                None => "n/a".to_string(),
                Some(x) if t.in_mib => format!("{x:.0} MiB"),
                Some(x) => times(x),
            };
            let verdict = match t.met {
                Some(true) => "met",
                Some(false) => "short",
                None => "n/a",
            };
            let _ = writeln!(out, "| {} | {} | {measured} | {verdict} |", t.name, t.goal);
        }
        out
    }
}

/// `1234567.8` → `1,234,568`.
pub fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Milliseconds with the precision that matters at their size.
pub fn millis(x: f64) -> String {
    if x < 1.0 {
        format!("{x:.3}")
    } else if x < 10.0 {
        format!("{x:.2}")
    } else if x < 100.0 {
        format!("{x:.1}")
    } else {
        thousands(x)
    }
}

/// A ratio: `0.28×`.
pub fn times(x: f64) -> String {
    if x < 0.01 {
        format!("{x:.4}×")
    } else {
        format!("{x:.2}×")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        assert_eq!(thousands(1_234_567.8), "1,234,568");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(millis(0.1234), "0.123");
        assert_eq!(millis(12.34), "12.3");
        assert_eq!(millis(1234.4), "1,234");
        assert_eq!(times(0.284), "0.28×");
        assert_eq!(times(0.0012), "0.0012×");
    }

    #[test]
    fn targets_are_ratios_of_the_same_run() {
        let f = |import, replay, state_large, state_small, disk, rss, cli| Figures {
            import: Some(import),
            append: Some(1.0),
            replay: Some(replay),
            state_large_ms: Some(state_large),
            state_small_ms: Some(state_small),
            disk_fraction: Some(disk),
            peak_rss_mib: Some(rss),
            open_ms: Some(1.0),
            reopen_ms: Some(1.0),
            cli_append_ms: Some(cli),
        };
        let report = Report {
            events: 1_000_000,
            runs: 3,
            appends: 10_000,
            cli_appends: 3,
            queries: 100,
            baseline_queries: 100,
            seed: 1,
            small: 10_000,
            ndjson_bytes: 450_000_000,
            machine: Machine { cpu: "test".into(), cores: 2, memory_gib: 24.0 },
            sijil: f(131_000.0, 100_000.0, 500.0, 10.0, 1.59, 620.0, 40.0),
            sqlite: f(468_000.0, 300_000.0, 1.0, 1.0, 1.0, 1.0, 10.0),
            file: Figures::default(),
            decode_only: Some(200_000.0),
            sijil_cli: true,
            sqlite3_cli: true,
            elapsed: Duration::from_secs(1),
            load: (Some(0.5), None),
        };
        let measured: Vec<Option<f64>> = report.targets().iter().map(|t| t.measured).collect();
        let close = |a: Option<f64>, b: f64| (a.unwrap() - b).abs() < 1e-9;
        assert!(close(measured[0], 131.0 / 468.0));
        assert!(close(measured[1], 0.5));
        assert!(close(measured[2], 50.0));
        assert!(close(measured[3], 500.0 / 10_000.0)); // a full replay takes 10 s
        assert!(close(measured[4], 1.59));
        assert!(close(measured[5], 620.0));
        assert!(close(measured[6], 4.0));
        assert!(report.targets().iter().all(|t| t.met == Some(false) || t.name.starts_with("3b")));
        let md = report.markdown();
        for row in ROWS {
            assert!(md.contains(&format!("| {row}")), "{row}");
        }
        assert!(md.contains("| 131,000 | 468,000 | n/a |"), "the file baseline measured nothing:\n{md}");
    }
}
