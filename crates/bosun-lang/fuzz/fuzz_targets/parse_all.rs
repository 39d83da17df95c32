//! Every manifest parser over the same bytes. The body is `bosun_lang::fuzz_all`, which the
//! crate's property tests also run on stable (tests/it/hostile.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = bosun_lang::fuzz_all(data);
});
