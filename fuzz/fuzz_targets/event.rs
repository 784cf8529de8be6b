//! One line of input through the event decoder and validator.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sijil_fuzz::checks::event(data));
