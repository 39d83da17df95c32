//! Whiteouts, opaque directories and link resolution on random link graphs.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| bosun_image::fuzzing::final_view(data));
