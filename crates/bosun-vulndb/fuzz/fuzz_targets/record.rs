#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| bosun_vulndb::fuzz::decode_record(data));
