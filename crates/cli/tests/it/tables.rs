//! What a person sees: the terminal tables at a fixed width (100 columns)
//! with colour off, compared with reviewed golden files.

use crate::support::{golden, TestEnv};

fn table(env: &TestEnv, args: &[&str]) -> String {
    let mut full = args.to_vec();
    full.extend(["--format", "table", "--color", "never"]);
    env.run_env(&[("COLUMNS", "100")], &full).ok().stdout.clone()
}

#[test]
fn the_situation_reports_of_the_demo_read_as_reviewed() {
    let env = TestEnv::aleppo();
    for (name, at) in [
        ("state-0108-2200.txt", "2026-01-08T22:00"),
        ("state-0109-0500.txt", "2026-01-09T05:00"),
        ("state-0109-1000.txt", "2026-01-09T10:00"),
    ] {
        golden(name, &table(&env, &["state", "--at", at]));
    }
    golden("state-0109-0500-known-49.txt", &table(&env, &["state", "--at", "2026-01-09T05:00", "--known-at", "#49"]));
    golden("areas.txt", &table(&env, &["areas"]));
    golden("actors.txt", &table(&env, &["actors"]));
}

#[test]
fn no_colour_reaches_a_pipe_or_a_no_color_terminal() {
    let env = TestEnv::aleppo();
    let piped = env.run(&["state", "--at", "2026-01-09T05:00", "--format", "table"]).ok().stdout.clone();
    assert!(!piped.contains('\u{1b}'), "colour on a pipe");
    let never = env
        .run_env(&[("NO_COLOR", "1")], &["state", "--at", "2026-01-09T05:00", "--format", "table", "--color", "auto"])
        .ok()
        .stdout
        .clone();
    assert!(!never.contains('\u{1b}'), "colour despite NO_COLOR");
    let always =
        env.run(&["state", "--at", "2026-01-09T05:00", "--format", "table", "--color", "always"]).ok().stdout.clone();
    assert!(always.contains("\u{1b}[1mSituation at"), "no colour with --color always");
    // the error prefix follows the same rule on stderr
    let err = env.run(&["state", "--at", "tomorrow", "--color", "always"]);
    assert!(err.stderr.starts_with("\u{1b}[1;31merror:\u{1b}[0m "), "{:?}", err.stderr);
}
