//! First line is the path, the rest the file body; the default scanner must never panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| bosun_secret::fuzz_scan(data));
