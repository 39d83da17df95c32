#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    bosun_catalog::fuzzing::dpkg_status(data);
});
