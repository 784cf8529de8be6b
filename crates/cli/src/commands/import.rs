//! `sijil import`: a whole NDJSON file, atomically.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use crate::app::Globals;
use crate::error::{output, CliError};
use crate::render::Format;

/// The longest accepted line, in bytes; longer lines are refused without
/// being read whole.
pub const MAX_LINE: usize = 64 * 1024;

/// Append a file of events (NDJSON), all or nothing.
///
/// Every line is validated first, each seeing the lines before it (so a
/// file may define areas and actors, then use them). If any line is bad,
/// nothing is appended and every bad line is reported as `line N: reason`.
/// Blank lines are skipped; CRLF endings and a UTF-8 byte-order mark are
/// accepted. Events already in the log are counted as duplicates.
///
/// Examples:
///   sijil import examples/aleppo-2026-01-08.ndjson
///   some-tool | sijil import -
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ImportArgs {
    /// The NDJSON file, or `-` for standard input
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Output: `table` (the default) prints a sentence, `json` the counts
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Numbered lines of input, each its text or why it cannot be read.
pub type Lines = Vec<(usize, Result<String, String>)>;

/// Reads lines of at most [`MAX_LINE`] bytes; a longer line is skipped to
/// its end and reported, never held in memory whole.
pub fn read_lines(mut input: impl BufRead) -> Result<Lines, CliError> {
    let mut lines = Vec::new();
    let mut n = 0;
    loop {
        n += 1;
        let mut buf = Vec::new();
        // room for the longest line and its CRLF
        let read = (&mut input)
            .take(MAX_LINE as u64 + 2)
            .read_until(b'\n', &mut buf)
            .map_err(|e| CliError::runtime(format!("cannot read line {n}: {e}")))?;
        if read == 0 {
            break;
        }
        if buf.len() > MAX_LINE + 1 && !buf.ends_with(b"\n") {
            // drain the rest of the over-long line, counting its bytes (without CRLF)
            let mut skipped = buf.len();
            let mut last = buf.last().copied();
            loop {
                let avail = input.fill_buf().map_err(|e| CliError::runtime(format!("cannot read line {n}: {e}")))?;
                if avail.is_empty() {
                    break;
                }
                match avail.iter().position(|&b| b == b'\n') {
                    Some(i) => {
                        if i > 0 {
                            last = Some(avail[i - 1]);
                        }
                        skipped += i;
                        input.consume(i + 1);
                        break;
                    }
                    None => {
                        let len = avail.len();
                        last = avail.last().copied();
                        skipped += len;
                        input.consume(len);
                    }
                }
            }
            if last == Some(b'\r') {
                skipped -= 1;
            }
            lines.push((n, Err(over_long(skipped))));
            continue;
        }
        while buf.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
            buf.pop();
        }
        if buf.len() > MAX_LINE {
            lines.push((n, Err(over_long(buf.len()))));
            continue;
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        lines.push((
            n,
            String::from_utf8(buf)
                .map_err(|e| format!("not valid UTF-8 (at byte {})", e.utf8_error().valid_up_to() + 1)),
        ));
    }
    Ok(lines)
}

fn over_long(len: usize) -> String {
    format!("the line is {len} bytes or more, over the limit of {MAX_LINE} bytes")
}

pub fn run(g: &Globals, args: ImportArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let (lines, what) = if args.file.as_os_str() == "-" {
        (read_lines(std::io::stdin().lock())?, "standard input".to_string())
    } else {
        let f =
            File::open(&args.file).map_err(|e| CliError::input(format!("cannot open {}: {e}", args.file.display())))?;
        (read_lines(BufReader::new(f))?, args.file.display().to_string())
    };
    if lines.is_empty() {
        return Err(CliError::input(format!("{what} holds no events")));
    }
    let mut pending = g.open_for_append()?;
    let bar = crate::style::progress(lines.len() as u64, "checking");
    let batch =
        pending.admit(lines.iter().inspect(|_| bar.inc(1)).map(|(n, l)| (*n, l.as_deref().map_err(Clone::clone))))?;
    bar.finish_and_clear();
    if !batch.errors.is_empty() {
        return Err(batch.into_error(&what));
    }
    let bar =
        crate::style::spinner(batch.events.len() as u64, &format!("writing {} events durably…", batch.events.len()));
    let committed = pending.commit(g, &batch.events, None);
    bar.finish_and_clear();
    let (_, done) = committed?;
    let appended = batch.events.len();
    match args.format.unwrap_or(Format::Table) {
        Format::Json | Format::Ndjson => crate::commands::write_json(
            out,
            &json!({"appended": appended, "duplicates": batch.duplicates.len(), "first": (appended > 0).then_some(done.first), "last": done.last}),
        ),
        Format::Table => {
            let range = match appended {
                0 => String::new(),
                1 => format!(" (#{})", done.last),
                _ => format!(" (#{}–#{})", done.first, done.last),
            };
            writeln!(
                out,
                "appended {appended} event{}{range}, {} duplicate{}",
                if appended == 1 { "" } else { "s" },
                batch.duplicates.len(),
                if batch.duplicates.len() == 1 { "" } else { "s" }
            )
            .map_err(output)
        }
    }
}
