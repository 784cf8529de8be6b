//! `sijil report`: the situation as one self-contained HTML page. The
//! reading is the same as `state`'s and `log`'s; the drawing lives in
//! `crate::report`.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use clap::Args;
use sijil_core::StateQuery;

use crate::app::Globals;
use crate::commands::export::AtomicFile;
use crate::error::{output, CliError};
use crate::report::Report;

/// Write a situation report: one self-contained HTML page to view or print.
///
/// The page holds a timeline (one lane per area: ceasefires, curfews,
/// evacuations, deployments and ultimatum windows as bars, incidents as
/// marks, a red line at --at), the casualty claims of each source as step
/// lines, a map sketch of the areas with coordinates coloured by what is in
/// force at --at, the situation table of `sijil state`, and the event list
/// with its sources. Everything is inline (CSS and SVG, no JavaScript, no
/// network at view time); it prints on A4. Times are shown in the zone
/// (--tz, else the log's). docs/report.md explains how to read it.
///
/// Output goes to standard output, or with -o to FILE: written to a
/// temporary file beside it, synced, then renamed.
///
/// Examples:
///   sijil report --at 2026-01-09T05:00 -o report.html
///   sijil report --at 2026-01-09T05:00 --known-at '#40' --area ashrafiyeh \
///       -o ashrafiyeh.html
///   sijil report --since 2026-01-08T12:00 --until 2026-01-09T12:00 > day.html
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ReportArgs {
    /// Valid time: the situation shown, and the line on the charts
    /// [default: now]; a time with offset, a local time in the zone, a date
    /// or `now`
    #[arg(long, value_name = "T")]
    pub at: Option<String>,

    /// Only what the log had recorded then: a time, or `#N` for log
    /// position N [default: everything]
    #[arg(long, value_name = "K")]
    pub known_at: Option<String>,

    /// Only this area and the areas under it (slug, alias or name)
    #[arg(long, value_name = "ID")]
    pub area: Option<String>,

    /// Start of the charts' time axis, and of the event list (events from T)
    /// [default: the first event]
    #[arg(long, value_name = "T")]
    pub since: Option<String>,

    /// End of the charts' time axis, and of the event list (events before T)
    /// [default: the last event, deadline or end]
    #[arg(long, value_name = "T")]
    pub until: Option<String>,

    /// Write to FILE (atomically) instead of standard output (`-` is standard output)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(g: &Globals, args: ReportArgs, out: &mut dyn Write) -> Result<(), CliError> {
    if let Some(path) = args.output.as_ref().filter(|p| p.as_os_str() != "-") {
        super::export::outside_log(path, &g.db_path()?)?;
    }
    let session = g.open()?;
    let now = g.now(session.zone)?;
    let at = session.at_or_now(args.at.as_deref(), now)?;
    let (since, until) = session.window(args.since.as_deref(), args.until.as_deref(), now)?;
    let known_at = session.known_at(args.known_at.as_deref(), now)?;
    // the ledger as known at K, and only the records the page can show
    // read back from the log (not a fold of the whole log)
    let mut ledger = session.ledger_for(known_at)?;
    let area = session.area_in(|| ledger.registry(known_at), args.area.as_deref())?;
    let state = ledger.state(&StateQuery { at, known_at, area: area.clone() });
    let registry_now = ledger.registry_at(at, known_at);
    let view = ledger.view(known_at);
    let records = session.store.fetch(&view.report_positions(since, until))?;
    let report = Report {
        view: &view,
        records: &records,
        registry_now,
        state: &state,
        at,
        zone: session.zone,
        since,
        until,
        area,
    };
    let page = report.html();
    match args.output.as_ref().filter(|p| p.as_os_str() != "-") {
        None => {
            let mut w = BufWriter::new(out);
            w.write_all(page.as_bytes()).and_then(|()| w.flush()).map_err(output)
        }
        Some(path) => {
            let cannot = |e: io::Error| CliError::runtime(format!("cannot write {}: {e}", path.display()));
            let mut file = AtomicFile::create(path).map_err(cannot)?;
            file.write_all(page.as_bytes()).map_err(cannot)?;
            file.commit().map_err(cannot)
        }
    }
}
