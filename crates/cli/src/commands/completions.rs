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

/// Print the manual page (roff), or with --dir write one for every command.
///
/// Examples:
///   sijil man --dir ~/.local/share/man/man1 && man sijil-state
///   sijil man > sijil.1 && man ./sijil.1
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ManArgs {
    /// Write sijil.1 and a page for each command (sijil-state.1,
    /// sijil-append-curfew.1, …) into this folder, created if missing,
    /// instead of printing the main page
    #[arg(long, value_name = "FOLDER", value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<std::path::PathBuf>,
}

pub fn run_completions(args: CompletionsArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let mut cmd = super::Cli::command();
    // generate into memory: clap_complete panics on a write error (a closed pipe)
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "sijil", &mut script);
    out.write_all(&script).map_err(output)
}

pub fn run_man(args: ManArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let cmd = super::Cli::command().disable_help_subcommand(true);
    let Some(dir) = args.dir else {
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut page).map_err(output)?;
        return out.write_all(&page).map_err(output);
    };
    let shown = dir.display();
    if dir.as_os_str() == "-" {
        return Err(CliError::input("--dir takes a folder; without --dir the main page goes to standard output"));
    }
    // the nearest part of the path that exists must be a folder
    if let Some(there) = dir.ancestors().find(|p| !p.as_os_str().is_empty() && p.symlink_metadata().is_ok()) {
        if !there.is_dir() {
            let what = if there.exists() { "a file" } else { "a link to nothing" };
            return Err(CliError::input(format!(
                "{} is {what}, not a folder: --dir takes the folder to write the pages into",
                there.display()
            )));
        }
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::runtime(format!("cannot create the folder {shown}: {}", crate::error::chain(&e))))?;
    let mut pages = 0usize;
    write_pages(cmd, &dir, &mut pages).map_err(|e| {
        CliError::runtime(format!("cannot write the manual pages into {shown}: {}", crate::error::chain(&e)))
    })?;
    writeln!(out, "wrote {pages} manual pages into {shown}").map_err(output)
}

/// Writes the page of `cmd` and of every command under it, each named by
/// its path (`sijil-append-curfew.1`), as the pages' own lists name them;
/// a kind that answers to hyphens too gets its page under that name as
/// well (`sijil-append-control-claim.1`).
fn write_pages(mut cmd: clap::Command, dir: &std::path::Path, pages: &mut usize) -> std::io::Result<()> {
    cmd.build();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub.clone(), dir, pages)?;
    }
    let man = |cmd: clap::Command| clap_mangen::Man::new(cmd).source(concat!("sijil ", env!("CARGO_PKG_VERSION")));
    let shown = cmd.get_display_name().unwrap_or_else(|| cmd.get_name()).to_string();
    let aliases: Vec<String> = cmd.get_all_aliases().map(str::to_string).collect();
    for alias in aliases {
        let named = shown.strip_suffix(cmd.get_name()).map(|stem| format!("{stem}{alias}"));
        if let Some(named) = named {
            man(cmd.clone().display_name(named)).generate_to(dir)?;
            *pages += 1;
        }
    }
    man(cmd).generate_to(dir)?;
    *pages += 1;
    Ok(())
}
