//! Every example printed by `--help` runs as written: each is pasted into
//! `sh` against a fresh copy of the bundled scenario (or, for `init` and
//! `demo`, no log at all) and must succeed.

use std::path::PathBuf;
use std::process::Command;

use crate::support::{scenario_path, TestEnv};

/// The subcommands a help text lists under "Commands:" (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in help.lines() {
        if line.trim_end() == "Commands:" {
            inside = true;
            continue;
        }
        if inside {
            if !line.starts_with("  ") {
                break;
            }
            let name = line.split_whitespace().next().unwrap_or_default();
            if !name.is_empty() && name != "help" {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// The examples of a help text: the commands under "Example:" or
/// "Examples:", a line ending in `\` or inside an open quote joined to the
/// next.
fn examples(help: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut pending: Option<String> = None;
    for line in help.lines() {
        let t = line.trim();
        if let Some(cmd) = pending.take() {
            let joined = match cmd.strip_suffix('\\') {
                Some(head) => format!("{} {t}", head.trim_end()),
                None => format!("{cmd}\n{t}"),
            };
            if continues(&joined) {
                pending = Some(joined);
            } else {
                out.push(joined);
            }
            continue;
        }
        if t == "Example:" || t == "Examples:" {
            inside = true;
            continue;
        }
        if inside {
            if t.is_empty() || !line.starts_with(' ') {
                inside = false;
                continue;
            }
            if t.starts_with("sijil ") || t.starts_with("echo ") {
                if continues(t) {
                    pending = Some(t.to_string());
                } else {
                    out.push(t.to_string());
                }
            }
        }
    }
    assert!(pending.is_none(), "an example is cut off: {pending:?}");
    out
}

/// Whether a command goes on on the next line: a trailing `\`, or an open
/// single quote.
fn continues(cmd: &str) -> bool {
    cmd.ends_with('\\') || cmd.matches('\'').count() % 2 == 1
}

fn binary_dir() -> PathBuf {
    let exe = assert_cmd::cargo::cargo_bin("sijil");
    exe.parent().expect("the binary's folder").to_path_buf()
}

#[test]
fn every_example_in_the_help_runs_as_written() {
    let env = TestEnv::new();
    let mut queue = vec![Vec::<String>::new()];
    let mut found: Vec<(String, String)> = Vec::new();
    while let Some(path) = queue.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let help = env.run(&args).ok().stdout.clone();
        for sub in subcommands(&help) {
            let mut next = path.clone();
            next.push(sub);
            queue.push(next);
        }
        for ex in examples(&help) {
            found.push((path.join(" "), ex));
        }
    }
    let path_var = format!("{}:{}", binary_dir().display(), std::env::var("PATH").unwrap_or_default());
    let mut ran = 0;
    let mut failed = Vec::new();
    for (whose, example) in &found {
        // needs a tool the test machine may lack, another shell, or writes
        // outside the test's folder
        if example.contains("| jq") || example.contains('~') || example.contains("${") {
            continue;
        }
        let fresh = example.starts_with("sijil init") || example.starts_with("sijil demo");
        let env = if fresh { TestEnv::new() } else { TestEnv::aleppo() };
        // examples name the bundled scenario as a checkout holds it
        let copy = env.dir().join("examples").join(scenario_path().file_name().expect("a file name"));
        std::fs::create_dir_all(copy.parent().expect("a folder")).expect("a folder for the scenario");
        std::fs::copy(scenario_path(), &copy).expect("a copy of the scenario");
        let out = Command::new("sh")
            .arg("-c")
            .arg(example)
            .env_clear()
            .env("PATH", &path_var)
            .env("HOME", env.dir())
            .env("TMPDIR", env.dir())
            .env("SIJIL_DB", env.db())
            .current_dir(env.dir())
            .output()
            .expect("sh runs");
        if !out.status.success() {
            failed.push(format!(
                "the example of `sijil {whose} --help` failed ({}):\n{example}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        ran += 1;
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    // the help texts hold dozens of examples: finding few means the parsing broke
    assert!(ran >= 30, "only {ran} examples ran of {}: {found:#?}", found.len());
}
