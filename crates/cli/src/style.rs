//! Colour, only where a person reads it: on a terminal, unless `NO_COLOR`
//! is set or `--color never` is given.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT: AtomicBool = AtomicBool::new(false);
static STDERR: AtomicBool = AtomicBool::new(false);

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    Always,
    Never,
}

/// Decides, once, whether stdout and stderr are coloured.
pub fn init(choice: ColorChoice) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (out, err) = match choice {
        ColorChoice::Always => (true, true),
        ColorChoice::Never => (false, false),
        ColorChoice::Auto if no_color => (false, false),
        ColorChoice::Auto => (std::io::stdout().is_terminal(), std::io::stderr().is_terminal()),
    };
    STDOUT.store(out, Ordering::Relaxed);
    STDERR.store(err, Ordering::Relaxed);
}

fn paint(on: bool, code: &str, text: &str) -> String {
    if on {
        format!("\u{1b}[{code}m{text}\u{1b}[0m")
    } else {
        text.to_string()
    }
}

/// A heading on stdout: bold.
pub fn heading(text: &str) -> String {
    paint(STDOUT.load(Ordering::Relaxed), "1", text)
}

/// `error:` on stderr: bold red.
pub fn error(text: &str) -> String {
    paint(STDERR.load(Ordering::Relaxed), "1;31", text)
}

/// `hint:` on stderr: cyan.
pub fn hint(text: &str) -> String {
    paint(STDERR.load(Ordering::Relaxed), "36", text)
}

/// A notice on stderr (waiting, progress words): dim.
pub fn notice(text: &str) -> String {
    paint(STDERR.load(Ordering::Relaxed), "2", text)
}

/// A progress bar on stderr for `total` steps of `what`, drawn only when
/// stderr is a terminal and the work is long enough to wait for.
pub fn progress(total: u64, what: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() || total < 20_000 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    let template = format!("{what} {{bar:24}} {{human_pos}}/{{human_len}} ({{rate}}, {{eta}} left)");
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        // a whole number a second: `{per_sec}` shows four decimals
        bar.set_style(style.with_key("rate", |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{}/s", indicatif::HumanCount(state.per_sec() as u64));
        }));
    }
    bar
}

/// A progress bar over `total` bytes of input on stderr, under the same
/// conditions as [`progress`] (inputs under 8 MB get none).
pub fn progress_bytes(total: u64, what: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() || total < 8_000_000 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    let template = format!("{what} {{bar:30}} {{bytes}}/{{total_bytes}} ({{bytes_per_sec}}, {{eta}} left)");
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

/// A spinner on stderr while `what` runs, under the same conditions as
/// [`progress`].
pub fn spinner(size: u64, what: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() || size < 20_000 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(what.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}
