//! Comparisons per second for each ecosystem: parse a small realistic set of versions once,
//! then time sorting-style pairwise comparisons, and separately parse+compare from strings.

use bosun_version::Ecosystem;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn samples(eco: Ecosystem) -> &'static [&'static str] {
    match eco {
        Ecosystem::Dpkg => &[
            "1:2.36.1-8+deb11u1",
            "2.36.1-8",
            "1.2.3~rc1-1",
            "3.0.11-1~deb12u2",
            "0.9.9+dfsg-2ubuntu1",
        ],
        Ecosystem::Rpm => &[
            "1:2.0.6-12.fc39",
            "2.0.5-12.fc39",
            "1.0^20230101-1",
            "1.0~rc1-3.el9",
            "4.18.0-348.el8",
        ],
        Ecosystem::Apk => &[
            "1.2.3-r0",
            "1.2.3_rc1-r2",
            "1.2.3a-r1",
            "1.10_p2-r0",
            "2.0_git20240101-r5",
        ],
        Ecosystem::Pep440 => &[
            "1.0.0",
            "1.0rc1",
            "1!2.0.post3.dev4",
            "2.28.1+local.7",
            "1.0.0a2",
        ],
        Ecosystem::Semver | Ecosystem::Npm | Ecosystem::Cargo => &[
            "1.2.3",
            "1.2.3-beta.11",
            "1.2.3-beta.2",
            "10.0.0+build.5",
            "0.9.12-rc.1",
        ],
        Ecosystem::Maven => &[
            "1.0-alpha-1",
            "1.0-SNAPSHOT",
            "1.0.0.RELEASE",
            "2.13.4.2",
            "31.1-jre",
        ],
        Ecosystem::RubyGems => &["1.0.a10", "1.0.b1", "3.2.1", "7.0.4.3", "1.0.0.pre.rc2"],
        Ecosystem::Go => &[
            "v1.2.3",
            "v0.0.0-20191109021931-daa7c04131f5",
            "v2.0.0+incompatible",
            "v1.19.0-rc.1",
            "v0.3.7",
        ],
        Ecosystem::NuGet => &[
            "1.0.0",
            "1.0.0-BETA.2",
            "4.7.0.1",
            "6.0.0-preview.7.21377.19",
            "13.0.3",
        ],
        Ecosystem::Composer => &["1.0.0", "v2.3.1", "1.0.0-beta1", "5.4.x-dev", "1.0.0-RC2"],
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("compare");
    for eco in Ecosystem::ALL {
        let parsed: Vec<_> = samples(eco)
            .iter()
            .filter_map(|s| eco.parse(s).ok())
            .collect();
        let n = (parsed.len() * parsed.len()) as u64;
        g.throughput(Throughput::Elements(n));
        g.bench_function(format!("{eco:?}/parsed"), |b| {
            b.iter(|| {
                let mut acc = 0i32;
                for x in &parsed {
                    for y in &parsed {
                        acc += black_box(x).cmp(black_box(y)) as i32;
                    }
                }
                acc
            })
        });
        let strs = samples(eco);
        g.throughput(Throughput::Elements((strs.len() * strs.len()) as u64));
        g.bench_function(format!("{eco:?}/parse+compare"), |b| {
            b.iter(|| {
                let mut acc = 0i32;
                for x in strs {
                    for y in strs {
                        if let Ok(o) = eco.compare(black_box(x), black_box(y)) {
                            acc += o as i32;
                        }
                    }
                }
                acc
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
