//! Time to read each real database in the shared test data (all packages, with file lists),
//! and to parse one header blob. Databases absent from the shared folder are skipped.

use bosun_rpmdb::DbFormat;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const DATABASES: &[(&str, DbFormat)] = &[
    ("data/rpmdb/cbl-mariner-2.0/rpmdb.sqlite", DbFormat::Sqlite),
    (
        "data/rpmdb/amazonlinux2023-plain/rpmdb.sqlite",
        DbFormat::Sqlite,
    ),
    (
        "data/rpmdb/rpm-upstream-testsuite/rpmdb.sqlite",
        DbFormat::Sqlite,
    ),
    ("data/rpmdb/sle15-bci/Packages.db", DbFormat::Ndb),
    ("data/rpmdb/sle15-bci-pr42/Packages.db", DbFormat::Ndb),
    ("data/rpmdb/libuuid-bdb/Packages", DbFormat::BerkeleyDb),
    (
        "data/rpmdb/syft-single-pkg-bdb/Packages",
        DbFormat::BerkeleyDb,
    ),
];

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("read_packages");
    for &(rel, format) in DATABASES {
        let Some(path) = bosun_testdata::path(rel) else {
            continue;
        };
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(rel.trim_start_matches("data/rpmdb/"), |b| {
            b.iter(|| bosun_rpmdb::read_packages(black_box(&bytes), format))
        });
    }
    g.finish();

    if let Some(path) = bosun_testdata::path("data/rpmdb/rpm-header-blob/claircore-package.header")
        && let Ok(blob) = std::fs::read(path)
    {
        c.bench_function("parse_header/claircore-package.header", |b| {
            b.iter(|| bosun_rpmdb::parse_header(black_box(&blob)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
