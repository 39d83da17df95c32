//! Cold and warm scan times with the layer cache, against an uncached scan.
//!
//! `cargo run --release -p bosun-scan --example cache_bench -- IMAGE [RUNS]` (any source
//! `Source::parse` accepts). The cache lives in a temporary directory.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::Instant;

use bosun_image::{Image, OpenOptions, Source};
use bosun_scan::bosun_cache::Cache;
use bosun_scan::{Scanners, scan, scan_cached};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let src = Source::parse(&args.next().ok_or("usage: cache_bench IMAGE [RUNS]")?)?;
    let runs: usize = args.next().map_or(Ok(3), |r| r.parse())?;
    let scanners = || Scanners {
        secret: Some(bosun_secret::Scanner::new(bosun_secret::Config::default()).unwrap()),
        config: None,
    };
    let tmp = tempfile::tempdir()?;
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1000.0;

    let mut uncached = Vec::new();
    let mut want = None;
    for _ in 0..runs {
        let t = Instant::now();
        let image = Image::open(&src, &OpenOptions::default())?;
        want = Some(scan(&image, &scanners())?);
        uncached.push(ms(t));
    }
    let want = want.ok_or("no run")?;
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    for _ in 0..runs {
        let cache = Cache::open(tmp.path(), 2 << 30)?;
        cache.clean()?;
        let t = Instant::now();
        let image = Image::open(&src, &OpenOptions::default())?;
        let (inv, stats) = scan_cached(&image, &scanners(), &cache, None)?;
        cold.push(ms(t));
        assert_eq!(inv, want, "cold cached scan differs from the uncached one");
        assert_eq!(stats.hits, 0);
        let t = Instant::now();
        let image = Image::open(&src, &OpenOptions::default())?;
        let (inv, stats) = scan_cached(&image, &scanners(), &cache, None)?;
        warm.push(ms(t));
        assert_eq!(inv, want, "warm cached scan differs from the uncached one");
        assert_eq!((stats.hits, stats.misses), (stats.layers, 0));
        if warm.len() == 1 {
            let status = cache.status()?;
            println!(
                "layers {}, packages {}, cache {} entries, {} bytes on disk, {} bytes of results read back",
                stats.layers,
                inv.packages.len(),
                status.entries,
                status.bytes,
                stats.cache_bytes_read
            );
        }
    }
    let show = |name: &str, v: &[f64]| {
        let min = v.iter().copied().fold(f64::INFINITY, f64::min);
        let med = {
            let mut s = v.to_vec();
            s.sort_by(f64::total_cmp);
            s.get(s.len() / 2).copied().unwrap_or(0.0)
        };
        println!(
            "{name:>10}: min {min:8.1} ms, median {med:8.1} ms ({} runs)",
            v.len()
        );
    };
    show("uncached", &uncached);
    show("cold", &cold);
    show("warm", &warm);
    Ok(())
}
