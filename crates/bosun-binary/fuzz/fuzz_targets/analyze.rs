//! Every reader over the same bytes, under every file name that selects a classifier. The body
//! is `bosun_binary::fuzz::analyze_bytes`, which the crate's property tests also run on stable
//! (tests/it/hostile.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_binary::fuzz::analyze_bytes(data);
});
