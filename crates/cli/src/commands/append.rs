//! `sijil append`: one event.

use std::io::{IsTerminal, Read, Write};

use clap::Args;
use serde_json::json;

use crate::app::Globals;
use crate::error::{output, CliError};
use crate::render::Format;

/// Append one event: typed as flags, as JSON with --json, or on standard input.
///
/// `sijil append KIND --flag …` takes the kind's fields as flags (see
/// `sijil append KIND --help`); it stores exactly the event the same JSON
/// would. The event is validated against the log (areas and actors must be
/// registered; aliases resolve to their slug), made durable, then its id
/// and log position are printed. An id already in the log with the same
/// content is a duplicate and changes nothing; with other content it is a
/// conflict (exit 3).
///
/// Examples:
///   sijil append curfew --areas ashrafiyeh,sheikh-maqsoud \
///       --at "2026-01-08 19:00" --actor internal-security --source SANA
///   sijil append --json '{"kind":"curfew","at":"2026-01-08T19:00",
///       "areas":["الأشرفية"],"actor":"الأمن الداخلي","source":"SANA"}'
///   echo '{"kind":"statement","at":"2026-01-08T18:00","actor":"sdf","source":"SDF"}' \
///       | sijil append
#[derive(Debug, Args)]
#[command(verbatim_doc_comment, subcommand_value_name = "KIND")]
pub struct AppendArgs {
    /// The event typed as flags: one subcommand per kind
    #[command(subcommand)]
    pub typed: Option<super::typed::Typed>,

    /// The event as one JSON object (else read from standard input)
    #[arg(long, value_name = "JSON")]
    pub json: Option<String>,

    /// Append only if the log's last position is N (else exit 3)
    #[arg(long, value_name = "N", global = true)]
    pub expect_seq: Option<u64>,

    /// Output: `table` (the default, piped too) prints a sentence; `json`
    /// (or `ndjson`) prints one JSON object with id, seq and whether it was
    /// a duplicate
    #[arg(long, value_enum, global = true, hide_possible_values = true)]
    pub format: Option<Format>,
}

pub fn run(g: &Globals, args: AppendArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let (typed, given) = match (args.typed, args.json) {
        (Some(_), Some(_)) => {
            return Err(CliError::input("--json and a kind with its flags are two ways to give the event; use one"))
        }
        // built once the log is open: `--at now` needs its zone
        (Some(typed), None) => (Some(typed), None),
        (None, Some(j)) => (None, Some(j)),
        (None, None) => {
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
            (None, Some(String::from_utf8(buf).map_err(|_| CliError::input("the event is not valid UTF-8"))?))
        }
    };
    let max = crate::commands::import::MAX_LINE;
    let too_long = |text: &str| -> Result<(), CliError> {
        if text.len() > max {
            return Err(CliError::input(format!("the event is {} bytes, over the limit of {max} bytes", text.len())));
        }
        Ok(())
    };
    if let Some(text) = &given {
        too_long(text)?;
    }
    let mut pending = g.open_for_append()?;
    let text = match (typed, given) {
        (Some(typed), _) => {
            let zone = g.tz.unwrap_or(chrono_tz::UTC);
            // a local `$SIJIL_NOW` is read like `--at`: in --tz, else in the log's zone
            let input_zone = pending.session.as_ref().map_or(zone, |s| s.zone);
            let now = g.now(input_zone)?.with_timezone(&zone).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let text = serde_json::Value::Object(typed.into_json(&now)).to_string();
            too_long(&text)?;
            text
        }
        // checked above, before the log was opened
        (None, given) => given.unwrap_or_default(),
    };
    let trimmed = text.trim_end_matches(['\n', '\r']);
    let several_lines = trimmed.lines().filter(|l| !l.trim().is_empty()).count() > 1;
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
                crate::commands::write_object(out, &json!({"id": id, "seq": seq, "duplicate": true}), format)
            }
            Format::Table => {
                writeln!(out, "{id} is already in the log as #{} (duplicate; nothing appended)", seq.unwrap_or(0))
                    .map_err(output)
            }
        };
    }
    let (_, done) = pending.commit(g, &batch.events, args.expect_seq)?;
    let id = batch.events[0].id;
    // an update replaces the whole definition: say what it leaves out
    for note in batch.notes(1) {
        eprintln!("{note}");
    }
    match format {
        Format::Json | Format::Ndjson => {
            crate::commands::write_object(out, &json!({"id": id, "seq": done.last, "duplicate": false}), format)
        }
        Format::Table => writeln!(out, "appended {id} as #{}", done.last).map_err(output),
    }
}
