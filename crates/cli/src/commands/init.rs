//! `sijil init`: create a log.

use std::io::Write;

use clap::Args;
use sijil_store::Store;

use crate::app::Globals;
use crate::error::{output, CliError};

/// Create a new, empty log.
///
/// The zone (--tz, else $SIJIL_TZ, else UTC) is stored in the log: local
/// times in input are read in it, and a date such as 2026-01-09 means that
/// calendar day there. `append` and `import` create the log too when it is
/// missing.
///
/// Example:
///   sijil --db ./aleppo.sijil init --tz Asia/Damascus
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct InitArgs {}

pub fn run(g: &Globals, _args: InitArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let path = g.db_path()?;
    let zone = g.tz.unwrap_or(chrono_tz::UTC);
    let store = Store::create(&path, zone.name())?;
    writeln!(out, "created a log at {} (time zone {})", store.path().display(), store.zone()).map_err(output)
}
