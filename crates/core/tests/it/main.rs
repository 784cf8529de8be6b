//! Integration tests of sijil-core: data-driven checks of validation and projection.
