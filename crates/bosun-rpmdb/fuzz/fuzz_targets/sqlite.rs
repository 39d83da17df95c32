//! `rpmdb.sqlite` databases. Seed with the shared data's `rpmdb/*/rpmdb.sqlite` files.
//! The same calls run on stable in `tests/it/hostile.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = bosun_rpmdb::detect(data);
    let _ = bosun_rpmdb::read_packages(data, bosun_rpmdb::DbFormat::Sqlite);
});
