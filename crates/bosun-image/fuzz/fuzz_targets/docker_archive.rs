//! A whole archive opened (docker, OCI, sniffed) and walked, from bytes written to a file.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = bosun_image::fuzzing::archive(data);
});
