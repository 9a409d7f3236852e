//! Fuzz target: arbitrary bytes through the record filter and the text analyser.
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("../drive.rs");

fuzz_target!(|data: &[u8]| drive(data));
