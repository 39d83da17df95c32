//! Every parser, comparator, npm range and OSV range evaluation on arbitrary bytes. The body is
//! `bosun_version::fuzz_one`, which a proptest also runs on stable.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    bosun_version::fuzz_one(data);
});
