//! Fuzz `read_sbom`: any bytes give an inventory or a typed error, and whatever reads renders
//! in every format and reads back unchanged. The same body runs on stable in the crate's
//! proptests (`tests/it/hostile.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_report::fuzz_read_sbom(data);
});
