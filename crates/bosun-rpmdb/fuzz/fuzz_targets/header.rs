//! rpm header blobs. Seed with the shared data's `rpmdb/rpm-header-blob/*`.
//! The same call runs on stable in `tests/it/hostile.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = bosun_rpmdb::parse_header(data);
});
