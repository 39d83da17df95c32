//! Arbitrary bytes as a YAML secret config: parsing and building must return errors, not panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| bosun_secret::fuzz_config(data));
