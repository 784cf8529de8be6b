//! `sijil log`: the events themselves.

use std::io::Write;

use clap::Args;
use serde_json::{json, Value};
use sijil_core::{Recorded, Timeline};

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
    #[arg(long, value_name = "K")]
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
pub fn entry_json(r: &Recorded, timeline: &Timeline) -> Value {
    let mut v = serde_json::to_value(&r.event).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        let s = timeline.standing(&r.event.id);
        m.insert("seq".into(), json!(r.seq));
        m.insert("recorded_at".into(), json!(sijil_core::time::utc_text(r.recorded_at)));
        if let Some(by) = s.corrected_by {
            m.insert("corrected_by".into(), json!(by));
        }
        if let Some(by) = s.retracted_by {
            m.insert("retracted_by".into(), json!(by));
        }
    }
    v
}

pub fn run(g: &Globals, args: LogArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let session = g.open()?;
    let now = g.now(session.zone)?;
    let kinds = crate::app::parse_kinds(&args.kind)?;
    let since = args.since.as_deref().map(|t| session.valid_time("--since", t, now)).transpose()?;
    let until = args.until.as_deref().map(|t| session.valid_time("--until", t, now)).transpose()?;
    let known_at = session.known_at(args.known_at.as_deref(), now)?;
    let timeline = session.timeline(known_at)?;
    let area = session.area(&timeline, args.area.as_deref())?;
    let zone = session.log_zone;
    let mut rows: Vec<&Recorded> = timeline
        .records()
        .iter()
        .filter(|r| kinds.is_empty() || kinds.contains(&r.event.kind))
        .filter(|r| {
            let start = r.event.at.map(|t| t.start(zone));
            match (start, since.is_some() || until.is_some()) {
                (None, timed) => !timed,
                (Some(s), _) => since.is_none_or(|x| s >= x) && until.is_none_or(|x| s < x),
            }
        })
        .filter(|r| match &area {
            None => true,
            Some(root) => {
                let e = &r.event;
                let reg = timeline.registry();
                e.areas.iter().chain(&e.via).chain(&e.area).any(|a| reg.is_within(a, root))
            }
        })
        .collect();
    rows.sort_by_key(|r| (r.event.at.map(|t| t.start(zone)), r.seq));
    match super::choose_format(args.format, Format::Ndjson) {
        Format::Table => log_table(out, &rows, &timeline, session.zone).map_err(output),
        Format::Json => {
            let all: Vec<Value> = rows.iter().map(|r| entry_json(r, &timeline)).collect();
            super::write_json(out, &all)
        }
        Format::Ndjson => {
            for r in rows {
                serde_json::to_writer(&mut *out, &entry_json(r, &timeline)).map_err(|e| output(e.into()))?;
                writeln!(out).map_err(output)?;
            }
            Ok(())
        }
    }
}
