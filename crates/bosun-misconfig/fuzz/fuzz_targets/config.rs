//! Arbitrary bytes as a YAML misconfig config: parsing and checking must never panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| bosun_misconfig::fuzz_config(data));
