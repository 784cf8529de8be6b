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

    /// Output: `table` (the default, piped too) prints a sentence; `json`
    /// (or `ndjson`) prints the counts as one JSON object
    #[arg(long, value_enum, hide_possible_values = true)]
    pub format: Option<Format>,
}

/// Numbered lines of input, each its text or why it cannot be read:
/// lines of at most [`MAX_LINE`] bytes; a longer line is skipped to its
/// end and reported, never held in memory whole. Blank lines are skipped.
pub struct LineReader<R> {
    input: R,
    n: usize,
    /// Bytes consumed so far (for progress).
    pub consumed: u64,
    failed: bool,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(input: R) -> LineReader<R> {
        LineReader { input, n: 0, consumed: 0, failed: false }
    }

    /// The next non-blank line, `Ok(None)` at the end of the input.
    #[allow(clippy::type_complexity)]
    pub fn next_line(&mut self) -> Result<Option<(usize, Result<String, String>)>, CliError> {
        if self.failed {
            return Ok(None);
        }
        loop {
            self.n += 1;
            let n = self.n;
            let mut buf = Vec::new();
            // room for the longest line and its CRLF
            let read = (&mut self.input).take(MAX_LINE as u64 + 2).read_until(b'\n', &mut buf).map_err(|e| {
                self.failed = true;
                CliError::runtime(format!("cannot read line {n}: {e}"))
            })?;
            if read == 0 {
                return Ok(None);
            }
            self.consumed += read as u64;
            if buf.len() > MAX_LINE + 1 && !buf.ends_with(b"\n") {
                // drain the rest of the over-long line, counting its bytes (without CRLF)
                let mut skipped = buf.len();
                let mut last = buf.last().copied();
                loop {
                    let avail =
                        self.input.fill_buf().map_err(|e| CliError::runtime(format!("cannot read line {n}: {e}")))?;
                    if avail.is_empty() {
                        break;
                    }
                    match avail.iter().position(|&b| b == b'\n') {
                        Some(i) => {
                            if i > 0 {
                                last = Some(avail[i - 1]);
                            }
                            skipped += i;
                            self.input.consume(i + 1);
                            self.consumed += i as u64 + 1;
                            break;
                        }
                        None => {
                            let len = avail.len();
                            last = avail.last().copied();
                            skipped += len;
                            self.input.consume(len);
                            self.consumed += len as u64;
                        }
                    }
                }
                if last == Some(b'\r') {
                    skipped -= 1;
                }
                return Ok(Some((n, Err(over_long(skipped)))));
            }
            while buf.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
                buf.pop();
            }
            // a byte-order mark opens the file, whatever the first line holds
            if n == 1 && buf.starts_with(b"\xef\xbb\xbf") {
                buf.drain(..3);
            }
            if buf.len() > MAX_LINE {
                return Ok(Some((n, Err(over_long(buf.len())))));
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some((
                n,
                String::from_utf8(buf)
                    .map_err(|e| format!("not valid UTF-8 (at byte {})", e.utf8_error().valid_up_to() + 1)),
            )));
        }
    }
}

fn over_long(len: usize) -> String {
    format!("the line is {len} bytes or more, over the limit of {MAX_LINE} bytes")
}

pub fn run(g: &Globals, args: ImportArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let (input, size, what): (Box<dyn BufRead>, u64, String) = if args.file.as_os_str() == "-" {
        (Box::new(BufReader::with_capacity(1 << 20, std::io::stdin().lock())), 0, "standard input".to_string())
    } else {
        let f =
            File::open(&args.file).map_err(|e| CliError::input(format!("cannot open {}: {e}", args.file.display())))?;
        if f.metadata().is_ok_and(|m| m.is_dir()) {
            return Err(CliError::input(format!(
                "{} is a folder; import takes a file of events, one JSON object per line",
                args.file.display()
            )));
        }
        let size = f.metadata().map(|m| m.len()).unwrap_or(0);
        (Box::new(BufReader::with_capacity(1 << 20, f)), size, args.file.display().to_string())
    };
    let mut lines = LineReader::new(input);
    let bar = crate::style::progress_bytes(size, "importing");
    let outcome = crate::app::import_lines(g, &mut lines, &|consumed| bar.set_position(consumed), &what);
    bar.finish_and_clear();
    let imported = outcome?;
    // an update replaces the whole definition: say what it leaves out
    for note in crate::app::definition_notes(&imported.dropping, 10, true) {
        eprintln!("{note}");
    }
    let appended = imported.appended;
    let duplicates = imported.duplicates;
    let format = args.format.unwrap_or(Format::Table);
    match format {
        Format::Json | Format::Ndjson => crate::commands::write_object(
            out,
            &json!({"appended": appended, "duplicates": duplicates, "first": (appended > 0).then_some(imported.first), "last": imported.last}),
            format,
        ),
        Format::Table => {
            let range = match appended {
                0 => String::new(),
                1 => format!(" (#{})", imported.last),
                _ => format!(" (#{}–#{})", imported.first, imported.last),
            };
            writeln!(
                out,
                "appended {appended} event{}{range}, {duplicates} duplicate{}",
                if appended == 1 { "" } else { "s" },
                if duplicates == 1 { "" } else { "s" }
            )
            .map_err(output)
        }
    }
}
