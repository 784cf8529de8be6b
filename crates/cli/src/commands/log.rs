//! `sijil log`: the events themselves.

use std::io::Write;

use clap::Args;
use serde_json::{json, Value};
use sijil_core::projection::Standing;
use sijil_core::{Ledger, LogQuery, Recorded};

use crate::app::Globals;
use crate::error::{output, CliError};
use crate::render::{log_table, Format};

/// List the events in valid-time order.
///
/// Each event shows its log position (seq) and recording time, and whether
/// it was corrected or retracted. Events without a time (area and actor
/// definitions) come first. --since and --until select by valid time (from
/// --since inclusive to --until exclusive).
///
/// Examples:
///   sijil log --kind casualty_report
///   sijil log --area sheikh-maqsoud --since 2026-01-08 --until 2026-01-09T09:00
///   sijil log --known-at '#30' --format ndjson | jq .note
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct LogArgs {
    /// Only events whose valid time is at or after T
    #[arg(long, value_name = "T")]
    pub since: Option<String>,

    /// Only events whose valid time is before T
    #[arg(long, value_name = "T")]
    pub until: Option<String>,

    /// Only events of this kind (repeat for several)
    #[arg(long, value_name = "K", value_parser = crate::app::KindName)]
    pub kind: Vec<String>,

    /// Only events in this area or the areas under it
    #[arg(long, value_name = "ID")]
    pub area: Option<String>,

    /// Only what the log had recorded then: a time, or `#N`
    #[arg(long, value_name = "K")]
    pub known_at: Option<String>,

    /// Output format [default: table on a terminal, else ndjson]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// One event as `log` prints it in JSON: the stored event, its position,
/// recording time and standing.
pub fn entry_json(r: &Recorded, standing: Standing) -> Value {
    let mut v = serde_json::to_value(&r.event).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("seq".into(), json!(r.seq));
        m.insert("recorded_at".into(), json!(sijil_core::time::utc_text(r.recorded_at)));
        if let Some(by) = standing.corrected_by {
            m.insert("corrected_by".into(), json!(by));
        }
        if let Some(by) = standing.retracted_by {
            m.insert("retracted_by".into(), json!(by));
        }
    }
    v
}

/// How many events are held in memory at once while listing.
const WINDOW: usize = 65_536;

pub fn run(g: &Globals, args: LogArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let session = g.open()?;
    let now = g.now(session.zone)?;
    let kinds = crate::app::parse_kinds(&args.kind)?;
    let (since, until) = session.window(args.since.as_deref(), args.until.as_deref(), now)?;
    let known_at = session.known_at(args.known_at.as_deref(), now)?;
    // the ledger picks the events and their order; only those are read
    let ledger = session.ledger_for(known_at)?;
    let area = session.area_in(|| ledger.registry(known_at), args.area.as_deref())?;
    let rows = ledger.select(&LogQuery { known_at, kinds, since, until, area });
    let standing = |r: &Recorded| standing_of(&ledger, r.seq, known_at);
    match super::choose_format(args.format, Format::Ndjson) {
        Format::Table => {
            let mut records = Vec::with_capacity(rows.len());
            in_order(&session, &rows, |r| {
                records.push(r.clone());
                Ok(())
            })?;
            let refs: Vec<&Recorded> = records.iter().collect();
            log_table(out, &refs, &standing, session.zone).map_err(output)
        }
        Format::Json => {
            // the same bytes as one pretty array, written as it goes
            write!(out, "[").map_err(output)?;
            let mut first = true;
            in_order(&session, &rows, |r| {
                let text = serde_json::to_string_pretty(&entry_json(r, standing(r))).map_err(|e| output(e.into()))?;
                write!(out, "{}\n  {}", if first { "" } else { "," }, text.replace('\n', "\n  ")).map_err(output)?;
                first = false;
                Ok(())
            })?;
            writeln!(out, "{}]", if first { "" } else { "\n" }).map_err(output)
        }
        Format::Ndjson => in_order(&session, &rows, |r| {
            serde_json::to_writer(&mut *out, &entry_json(r, standing(r))).map_err(|e| output(e.into()))?;
            writeln!(out).map_err(output)
        }),
    }
}

/// The correction and retraction of the record at `seq`, as known at `known`.
fn standing_of(ledger: &Ledger, seq: u64, known: sijil_core::KnownAt) -> Standing {
    let (corrected, retracted) = ledger.standing_at(seq, known);
    Standing {
        corrected_by: corrected.and_then(|s| ledger.id_at(s)),
        retracted_by: retracted.and_then(|s| ledger.id_at(s)),
    }
}

/// Calls `f` with the records at `rows`, in that order, a window at a
/// time: each window is read from the log in log order, then given out in
/// the listing's order, so memory holds one window, not the log.
fn in_order(
    session: &crate::app::Session,
    rows: &[u64],
    mut f: impl FnMut(&Recorded) -> Result<(), CliError>,
) -> Result<(), CliError> {
    for window in rows.chunks(WINDOW) {
        let mut sorted = window.to_vec();
        sorted.sort_unstable();
        let records = session.store.fetch(&sorted)?;
        for seq in window {
            if let Ok(i) = sorted.binary_search(seq) {
                f(&records[i])?;
            }
        }
    }
    Ok(())
}
