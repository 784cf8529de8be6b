//! Integration tests of sijil-core: data-driven checks of validation and
//! projection, and model tests of the fold.

mod projection;
mod props;
mod support;
mod validation;
