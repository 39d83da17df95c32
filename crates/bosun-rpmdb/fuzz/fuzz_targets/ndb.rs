//! `Packages.db` databases. Seed with the shared data's `rpmdb/*/Packages.db` files.
//! The same calls run on stable in `tests/it/hostile.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = bosun_rpmdb::detect(data);
    let _ = bosun_rpmdb::read_packages(data, bosun_rpmdb::DbFormat::Ndb);
});
