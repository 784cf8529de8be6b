//! Integration tests of sijil-store.
