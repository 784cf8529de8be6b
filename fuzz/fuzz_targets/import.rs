//! An NDJSON file through import: admitted line by line, folded, read.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sijil_fuzz::checks::import(data));
