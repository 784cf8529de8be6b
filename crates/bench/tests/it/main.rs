//! The harness end to end at 10k events, so that CI keeps it alive: every
//! row of the table is there and every figure is a positive number. No
//! assertion depends on how fast anything is.

use std::path::PathBuf;

use sijil_bench::engine::Engine;
use sijil_bench::harness::Config;
use sijil_bench::report::ROWS;

#[test]
fn the_driver_reports_every_figure_at_10k_events() {
    let mut cfg = Config::new(
        10_000,
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")),
        PathBuf::from(env!("CARGO_BIN_EXE_sijil-bench")),
    );
    cfg.runs = 1;
    cfg.appends = 50;
    cfg.cli_appends = 1;
    cfg.queries = 6;
    cfg.progress = false;
    let report = sijil_bench::run(&cfg).unwrap();

    for e in Engine::ALL {
        let f = report.figures(e);
        let figures = [
            ("import", f.import),
            ("append", f.append),
            ("replay", f.replay),
            ("state on the log", f.state_large_ms),
            ("state on the 10k log", f.state_small_ms),
            ("disk", f.disk_fraction),
            ("peak RSS", f.peak_rss_mib),
            ("open", f.open_ms),
            ("open again", f.reopen_ms),
        ];
        for (name, value) in figures {
            let v = value.unwrap_or_else(|| panic!("{}: no {name} figure", e.name()));
            assert!(v.is_finite() && v > 0.0, "{}: {name} is {v}", e.name());
        }
    }
    // the command-line rows are measured when the programs are there
    let cli = [
        (cfg.sijil_exe.is_some(), report.sijil.cli_append_ms),
        (cfg.sqlite3_exe.is_some(), report.sqlite.cli_append_ms),
    ];
    for (found, ms) in cli {
        assert_eq!(found, ms.is_some());
        assert!(ms.is_none_or(|v| v > 0.0));
    }
    assert!(report.decode_only.is_some_and(|v| v > 0.0));
    // at 10k events the small log is the log itself
    assert_eq!(report.small, report.events);

    let table = report.markdown();
    for row in ROWS {
        assert!(table.contains(&format!("| {row}")), "no row {row:?} in\n{table}");
    }
    let targets = report.targets();
    assert_eq!(targets.len(), 7);
    for t in &targets {
        let optional = t.name.starts_with("6.");
        assert!(optional || t.measured.is_some_and(|v| v > 0.0), "{t:?}");
    }
    assert!(table.contains("| 5. peak RSS of a full replay | ≤ 256 MiB |"), "{table}");
}
