//! `sijil state`: the situation at a moment, as known at a moment.

use std::io::Write;

use clap::Args;
use sijil_core::StateQuery;

use crate::app::Globals;
use crate::error::{output, CliError};
use crate::render::{state_table, Format};

/// Show the situation in every area at a moment, as the log knew it.
///
/// Per area: the ceasefires, curfews and evacuations in force; ultimatums
/// issued and whether their deadline is pending or expired; forces
/// deployed and not withdrawn; each actor's latest control claim; the count
/// of violent incidents so far. Then the casualty claims, one row per
/// source, never summed.
///
/// Examples:
///   sijil state --at "2026-01-09T05:00"
///   sijil state --at 2026-01-09T03:30+03:00 --known-at '#40' --format json
///   sijil state --area aleppo/ashrafiyeh
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct StateArgs {
    /// Valid time: the world as it stood then [default: now]; a time with
    /// offset, a local time in the zone, a date (its start) or `now`
    #[arg(long, value_name = "T")]
    pub at: Option<String>,

    /// Transaction time: only what the log had recorded then; a time, or
    /// `#N` for log position N [default: everything]
    #[arg(long, value_name = "K")]
    pub known_at: Option<String>,

    /// Keep this area and the areas under it (slug, alias or name)
    #[arg(long, value_name = "ID")]
    pub area: Option<String>,

    /// Output format [default: table on a terminal, else json]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

pub fn run(g: &Globals, args: StateArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let session = g.open()?;
    let now = g.now(session.zone)?;
    let at = session.at_or_now(args.at.as_deref(), now)?;
    let known_at = session.known_at(args.known_at.as_deref(), now)?;
    let ledger = session.ledger_for(known_at)?;
    let area = session.area_in(|| ledger.registry(known_at), args.area.as_deref())?;
    let state = ledger.state(&StateQuery { at, known_at, area });
    match super::choose_format(args.format, Format::Json) {
        Format::Json | Format::Ndjson => super::write_json(out, &state),
        Format::Table => state_table(out, &state, session.zone, session.log_zone).map_err(output),
    }
}
