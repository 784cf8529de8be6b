//! `sijil append`: one event.

use std::io::{IsTerminal, Read, Write};

use clap::Args;
use serde_json::json;

use crate::app::Globals;
use crate::error::{output, CliError};
use crate::render::Format;

/// Append one event, as JSON with --json or on standard input.
///
/// The event is validated against the log (areas and actors must be
/// registered; aliases resolve to their slug), made durable, then its id
/// and log position are printed. An id already in the log with the same
/// content is a duplicate and changes nothing; with other content it is a
/// conflict (exit 3).
///
/// Example:
///   sijil append --json '{"kind":"curfew","at":"2026-01-08T19:00","areas":["الأشرفية"],"actor":"internal-security","source":"SANA"}'
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct AppendArgs {
    /// The event as one JSON object (else read from standard input)
    #[arg(long, value_name = "JSON")]
    pub json: Option<String>,

    /// Append only if the log's last position is N (else exit 3)
    #[arg(long, value_name = "N")]
    pub expect_seq: Option<u64>,

    /// Output: `table` (the default) prints a sentence, `json` an object
    /// with id, seq and whether it was a duplicate
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

pub fn run(g: &Globals, args: AppendArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let text = match args.json {
        Some(j) => j,
        None => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                eprintln!("reading one event as JSON from standard input (end with Ctrl-D)…");
            }
            let mut buf = Vec::new();
            stdin
                .lock()
                .take(crate::commands::import::MAX_LINE as u64 + 1)
                .read_to_end(&mut buf)
                .map_err(|e| CliError::runtime(format!("cannot read standard input: {e}")))?;
            if buf.len() > crate::commands::import::MAX_LINE {
                return Err(CliError::input(format!(
                    "the event is longer than the limit of {} bytes",
                    crate::commands::import::MAX_LINE
                )));
            }
            String::from_utf8(buf).map_err(|_| CliError::input("the event is not valid UTF-8"))?
        }
    };
    let max = crate::commands::import::MAX_LINE;
    if text.len() > max {
        return Err(CliError::input(format!("the event is {} bytes, over the limit of {max} bytes", text.len())));
    }
    let trimmed = text.trim_end_matches(['\n', '\r']);
    let several_lines = trimmed.lines().filter(|l| !l.trim().is_empty()).count() > 1;
    let mut pending = g.open_for_append()?;
    let batch = pending.admit([(1, Ok(trimmed))])?;
    if !batch.errors.is_empty() {
        let (_, msg, conflict) = &batch.errors[0];
        let err = if *conflict { CliError::conflict(msg.clone()) } else { CliError::input(msg.clone()) };
        return Err(if several_lines && msg.starts_with("not valid JSON") {
            err.hint("append takes one event; to append several, one per line, use `sijil import FILE`")
        } else {
            err
        });
    }
    let format = args.format.unwrap_or(Format::Table);
    if let Some(&id) = batch.duplicates.first() {
        // identical event already stored: report where it is (a duplicate implies the log exists)
        let Some(session) = pending.session else {
            return Err(CliError::runtime("the log vanished"));
        };
        let seq = session.store.get(&id)?.map(|r| r.seq);
        if let Some(n) = args.expect_seq {
            let head = session.store.head()?.seq;
            if head != n {
                return Err(CliError::conflict(format!("the log's last position is {head}, not the expected {n}")));
            }
        }
        return match format {
            Format::Json | Format::Ndjson => {
                crate::commands::write_json(out, &json!({"id": id, "seq": seq, "duplicate": true}))
            }
            Format::Table => {
                writeln!(out, "{id} is already in the log as #{} (duplicate; nothing appended)", seq.unwrap_or(0))
                    .map_err(output)
            }
        };
    }
    let (_, done) = pending.commit(g, &batch.events, args.expect_seq)?;
    let id = batch.events[0].id;
    match format {
        Format::Json | Format::Ndjson => {
            crate::commands::write_json(out, &json!({"id": id, "seq": done.last, "duplicate": false}))
        }
        Format::Table => writeln!(out, "appended {id} as #{}", done.last).map_err(output),
    }
}
