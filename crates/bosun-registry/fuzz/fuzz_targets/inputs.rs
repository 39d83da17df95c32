//! Image references, `WWW-Authenticate` challenges, Docker configs and credential helper
//! answers parsed from the same bytes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| bosun_registry::fuzz::inputs(data));
