#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| bosun_vulndb::fuzz::open_bytes(data));
