//! `sijil completions` and `sijil man`: shell integration.

use std::io::Write;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::error::{output, CliError};

/// Print a completion script for your shell.
///
/// Examples:
///   sijil completions bash > ~/.local/share/bash-completion/completions/sijil
///   sijil completions zsh > "${fpath[1]}/_sijil"
///   sijil completions fish > ~/.config/fish/completions/sijil.fish
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Print the manual page (roff), for `man`.
///
/// Example:
///   sijil man > ~/.local/share/man/man1/sijil.1 && man sijil
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ManArgs {}

pub fn run_completions(args: CompletionsArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let mut cmd = super::Cli::command();
    // generate into memory: clap_complete panics on a write error (a closed pipe)
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "sijil", &mut script);
    out.write_all(&script).map_err(output)
}

pub fn run_man(_args: ManArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let cmd = super::Cli::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut page).map_err(output)?;
    out.write_all(&page).map_err(output)
}
