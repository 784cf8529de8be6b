//! The subcommands, one file each.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::app::Globals;
use crate::error::CliError;
use crate::render::Format;

pub mod append;
pub mod completions;
pub mod demo;
pub mod export;
pub mod import;
pub mod init;
pub mod log;
pub mod registry;
pub mod report;
pub mod show;
pub mod state;
pub mod typed;
pub mod verify;

/// sijil (سجل, "register"): an event-sourced incident log.
///
/// Record each fact of a crisis as an immutable, attributed event, then ask
/// what the situation was at any moment (--at), as the log knew it at any
/// earlier moment (--known-at).
#[derive(Debug, Parser)]
#[command(name = "sijil", version, max_term_width = 100)]
#[command(after_help = "Start with `sijil demo` to see the Aleppo scenario of 8–9 January 2026.\n\
Exit codes: 0 success, 1 runtime failure, 2 usage error or invalid input, 3 conflict.")]
pub struct Cli {
    /// The log's folder [default: $SIJIL_DB, else a `sijil` folder in your data directory]
    #[arg(long, global = true, value_name = "PATH", help_heading = "Global options")]
    pub db: Option<PathBuf>,

    /// Time zone for local times in input and output, an IANA name such as
    /// Asia/Damascus [default: $SIJIL_TZ, else the log's zone, else UTC]
    #[arg(long, global = true, value_name = "ZONE", help_heading = "Global options")]
    pub tz: Option<String>,

    /// Seconds to wait for a log that another sijil process is using
    /// [default: $SIJIL_LOCK_TIMEOUT, else 10]
    #[arg(long, global = true, value_name = "SECS", help_heading = "Global options")]
    pub lock_timeout: Option<f64>,

    /// When to colour output: auto (on a terminal, unless NO_COLOR is
    /// set), always, never
    #[arg(long, global = true, value_enum, default_value_t, value_name = "WHEN", help_heading = "Global options")]
    pub color: crate::style::ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(init::InitArgs),
    Append(append::AppendArgs),
    Import(import::ImportArgs),
    State(state::StateArgs),
    Log(log::LogArgs),
    Verify(verify::VerifyArgs),
    Demo(demo::DemoArgs),
    Export(export::ExportArgs),
    Report(report::ReportArgs),
    Show(show::ShowArgs),
    Areas(registry::AreasArgs),
    Actors(registry::ActorsArgs),
    Completions(completions::CompletionsArgs),
    Man(completions::ManArgs),
}

/// Runs the parsed command, writing its output to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<(), CliError> {
    let globals = Globals::new(cli.db, cli.tz, cli.lock_timeout)?;
    match cli.command {
        Command::Init(a) => init::run(&globals, a, out),
        Command::Append(a) => append::run(&globals, a, out),
        Command::Import(a) => import::run(&globals, a, out),
        Command::State(a) => state::run(&globals, a, out),
        Command::Log(a) => log::run(&globals, a, out),
        Command::Verify(a) => verify::run(&globals, a, out),
        Command::Demo(a) => demo::run(&globals, a, out),
        Command::Export(a) => export::run(&globals, a, out),
        Command::Report(a) => report::run(&globals, a, out),
        Command::Show(a) => show::run(&globals, a, out),
        Command::Areas(a) => registry::run_areas(&globals, a, out),
        Command::Actors(a) => registry::run_actors(&globals, a, out),
        Command::Completions(a) => completions::run_completions(a, out),
        Command::Man(a) => completions::run_man(a, out),
    }
}

/// The format asked for, else a table on a terminal and `piped` otherwise.
pub fn choose_format(asked: Option<Format>, piped: Format) -> Format {
    asked.unwrap_or_else(|| if std::io::stdout().is_terminal() { Format::Table } else { piped })
}

/// One JSON object for `--format json` (indented) or `ndjson` (one line).
pub fn write_object(out: &mut dyn Write, value: &impl serde::Serialize, format: Format) -> Result<(), CliError> {
    if format == Format::Ndjson {
        serde_json::to_writer(&mut *out, value).map_err(|e| crate::error::output(e.into()))?;
        return writeln!(out).map_err(crate::error::output);
    }
    write_json(out, value)
}

/// Writes a value as pretty JSON and a newline.
pub fn write_json(out: &mut dyn Write, value: &impl serde::Serialize) -> Result<(), CliError> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(|e| crate::error::output(e.into()))?;
    writeln!(out).map_err(crate::error::output)
}
