//! The fuzzers' regression cases: every file in `tests/corpus-fuzz/` goes
//! through both fuzz targets' checks, which are included from the fuzz
//! crate so that this test runs exactly what the fuzzer ran.

#[path = "../../../../fuzz/src/checks.rs"]
mod checks;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

/// A fuzz target's check of one input: it panics when the input fails it.
type Check = fn(&[u8]);

const TARGETS: [(&str, Check); 2] = [("event", checks::event), ("import", checks::import)];

#[test]
fn every_fuzz_regression_case_passes_both_checks() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus-fuzz");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 5, "only {} cases in {}", cases.len(), dir.display());
    let mut failures = Vec::new();
    for path in &cases {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        for (target, check) in TARGETS {
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(&data))) {
                let why = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("a panic");
                failures.push(format!("{} ({target}): {why}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}
