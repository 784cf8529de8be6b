//! The bad-input corpus: every `NAME.ndjson` under the top-level
//! `tests/corpus/` is imported with `sijil import NAME.ndjson` into a log
//! holding `_prelude.ndjson` (the areas, actors and events the cases refer
//! to), and must fail exactly as `NAME.expected` says: its first line is
//! `exit: N`, the rest is the whole standard error. Standard output stays
//! empty, nothing panics (every run is checked in `support`), and nothing
//! is appended.
//!
//! `SIJIL_BLESS=1 cargo test -p sijil-cli --test it corpus` rewrites the
//! `.expected` files from what sijil prints; read every changed one before
//! keeping it (see tests/corpus/README.md).

use std::path::{Path, PathBuf};

use crate::support::TestEnv;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus")
}

/// The cases' names, sorted: every `.ndjson` but those starting with `_`.
fn cases(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("tests/corpus exists")
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.starts_with('_'))
        .filter_map(|n| n.strip_suffix(".ndjson").map(str::to_string))
        .collect();
    names.sort();
    names
}

/// A log in Asia/Damascus holding the corpus prelude.
fn prelude_log(dir: &Path) -> TestEnv {
    let env = TestEnv::with_zone("Asia/Damascus");
    let prelude = env.dir().join("_prelude.ndjson");
    std::fs::copy(dir.join("_prelude.ndjson"), &prelude).unwrap();
    let counts = env.run(&["import", "_prelude.ndjson", "--format", "json"]).ok().json();
    assert_eq!(counts["duplicates"], 0, "{counts}");
    env
}

#[test]
fn every_bad_input_of_the_corpus_fails_as_expected_and_appends_nothing() {
    let dir = corpus_dir();
    let bless = std::env::var_os("SIJIL_BLESS").is_some_and(|v| v == "1");
    let env = prelude_log(&dir);
    let head = env.head();
    let names = cases(&dir);
    assert!(names.len() >= 50, "the corpus holds {} cases", names.len());
    let mut failures = Vec::new();
    for name in &names {
        let file = format!("{name}.ndjson");
        std::fs::copy(dir.join(&file), env.dir().join(&file)).unwrap();
        let run = env.run(&["import", &file]);
        if run.code == 0 || !run.stdout.is_empty() {
            failures.push(format!("{file}: accepted, or printed {:?} to stdout", run.stdout));
        }
        let got = format!("exit: {}\n{}", run.code, run.stderr);
        let expected = dir.join(format!("{name}.expected"));
        if bless {
            std::fs::write(&expected, &got).unwrap();
            continue;
        }
        match std::fs::read_to_string(&expected) {
            Ok(want) if want == got => {}
            Ok(want) => failures.push(format!("{file}:\n--- expected\n{want}--- got\n{got}")),
            Err(_) => failures.push(format!("{file}: no {name}.expected (run with SIJIL_BLESS=1, then read it)")),
        }
    }
    // every .expected belongs to a case
    for entry in std::fs::read_dir(&dir).unwrap() {
        let n = entry.unwrap().file_name().into_string().unwrap();
        if let Some(stem) = n.strip_suffix(".expected") {
            if !names.iter().any(|c| c == stem) {
                failures.push(format!("{n} has no {stem}.ndjson"));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cases:\n{}", failures.len(), names.len(), failures.join("\n"));
    // the log only grows: an unchanged head after all of them means none appended anything
    assert_eq!(env.head(), head, "a refused import changed the log");
    println!("corpus: {} bad inputs refused, nothing appended", names.len());
}

/// A 20 MiB line, generated rather than stored: refused by the 64 KiB line
/// limit as it streams by (errors.rs shows it is never held whole), with
/// its length, and the lines around it do not go in either.
#[test]
fn a_20_mib_line_is_refused_by_the_line_limit() {
    let dir = corpus_dir();
    let env = prelude_log(&dir);
    let head = env.head();
    let good = r#"{"kind":"statement","at":"2026-01-09T11:00+03:00","actor":"sdf","source":"Desk"}"#;
    let prefix = r#"{"kind":"statement","at":"2026-01-09T11:00+03:00","actor":"sdf","source":"Desk","note":""#;
    let len = 20 * 1024 * 1024;
    let mut text = Vec::with_capacity(len + 1024);
    text.extend_from_slice(good.as_bytes());
    text.extend_from_slice(b"\r\n");
    text.extend_from_slice(prefix.as_bytes());
    text.resize(good.len() + 2 + len - 2, b'x');
    text.extend_from_slice(b"\"}\r\n");
    text.extend_from_slice(good.as_bytes());
    text.push(b'\n');
    env.write("huge-line.ndjson", &text);
    env.run(&["import", "huge-line.ndjson"]).fails(
        2,
        &format!(
            "line 2: the line is {len} bytes or more, over the limit of 65536 bytes\n\
             error: 1 bad line in huge-line.ndjson; nothing was appended\n"
        ),
    );
    assert_eq!(env.head(), head);
}
