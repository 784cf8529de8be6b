//! sijil-fuzz: libFuzzer targets for sijil-core (see `docs/reliability.md`,
//! "Fuzzing"). The targets in `fuzz_targets/` are thin; what they check is
//! in [`checks`], which the core's regression test runs too.

pub mod checks;
