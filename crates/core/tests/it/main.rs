//! Integration tests of sijil-core: data-driven checks of validation and
//! projection, and model tests of the fold.

mod fuzz_regressions;
mod projection;
mod props;
mod support;
mod validation;
