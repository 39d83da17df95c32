//! Manifest, index and config JSON parsing.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| bosun_image::fuzzing::json(data));
