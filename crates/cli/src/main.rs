//! `sijil`: the command line of an event-sourced incident log.
//!
//! Only this crate knows clap. Each subcommand lives in its own file under
//! `commands/`, with its arguments (whose doc comment is its `--help`) and
//! its `run`. Errors become one `error:` sentence, hints, and the documented
//! exit code: 0 success, 1 runtime failure, 2 usage or invalid input,
//! 3 conflict.

mod app;
mod commands;
mod error;
mod render;
mod report;
mod style;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::error::{CliError, Kind};

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!("error: internal error ({msg}); please report it, and run `sijil verify` to check the log");
    }));
    let cli = match commands::Cli::try_parse() {
        Ok(cli) => {
            style::init(cli.color);
            cli
        }
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // buffered: standard output is line-buffered, and a pretty JSON answer
    // is many lines (a write each, unbuffered)
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let result = commands::run(cli, &mut out);
    // what was written goes out before any error is told
    let flushed = out.flush().map_err(error::output);
    let result = result.and(flushed);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&e),
    }
}

fn report(e: &CliError) -> ExitCode {
    if e.kind == Kind::BrokenPipe {
        return ExitCode::SUCCESS;
    }
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for d in &e.details {
        let _ = writeln!(err, "{d}");
    }
    let _ = writeln!(err, "{} {}", style::error("error:"), e.message);
    for h in &e.hints {
        let _ = writeln!(err, "{} {h}", style::hint("hint:"));
    }
    ExitCode::from(e.kind.exit_code())
}
