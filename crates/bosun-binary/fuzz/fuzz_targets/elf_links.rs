//! The link-graph readers (ELF dynamic sections, ld.so.cache, ld.so.conf) over the same bytes.
//! The body is `bosun_binary::fuzz::elf_links_bytes`, which the crate's property tests also
//! run on stable (tests/it/elf_links.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bosun_binary::fuzz::elf_links_bytes(data);
});
