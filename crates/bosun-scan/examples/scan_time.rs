//! Times whole-image scans, for BENCHMARKS.md: `scan_time IMAGE [RUNS]` prints each run's
//! wall time and the median. Run it once as is and once with `BOSUN_BENCH_NO_ELF_LINKS=1`
//! to measure the ELF pass (loaded / not loaded). With `BOSUN_BENCH_CACHE=DIR`, scans go
//! through the layer cache in DIR and print what it read and wrote.

#![allow(clippy::print_stdout)]

use std::time::Instant;

use bosun_image::{Image, OpenOptions, Source};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let source = args.next().ok_or("usage: scan_time IMAGE [RUNS]")?;
    let runs: usize = args.next().map_or(Ok(5), |r| r.parse())?;
    let mut times = Vec::with_capacity(runs);
    let mut summary = String::new();
    for _ in 0..runs {
        let start = Instant::now();
        let image = Image::open(&Source::parse(&source)?, &OpenOptions::default())?;
        let scanners = bosun_scan::Scanners::default();
        let inv = match std::env::var_os("BOSUN_BENCH_CACHE") {
            Some(dir) => {
                let cache = bosun_scan::bosun_cache::Cache::open(
                    std::path::Path::new(&dir),
                    bosun_scan::bosun_cache::DEFAULT_MAX_BYTES,
                )?;
                let (inv, stats) = bosun_scan::scan_cached(&image, &scanners, &cache, None)?;
                println!(
                    "cache: {} hits, {} misses, {} bytes read, {} bytes written",
                    stats.hits, stats.misses, stats.cache_bytes_read, stats.cache_bytes_written
                );
                inv
            }
            None => bosun_scan::scan(&image, &scanners)?,
        };
        let secs = start.elapsed().as_secs_f64();
        let count = |v: Option<bool>| inv.packages.iter().filter(|p| p.loaded == v).count();
        let not_loaded: Vec<&str> = inv
            .packages
            .iter()
            .filter(|p| p.loaded == Some(false))
            .map(|p| p.name.as_str())
            .collect();
        summary = format!(
            "{} packages: {} loaded, {} not loaded ({}), {} unknown",
            inv.packages.len(),
            count(Some(true)),
            count(Some(false)),
            not_loaded.join(" "),
            count(None)
        );
        println!("run {secs:.3} s");
        times.push(secs);
    }
    times.sort_by(f64::total_cmp);
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    println!("median {median:.3} s over {runs} runs; {summary}");
    Ok(())
}
