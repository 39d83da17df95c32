//! 10,000 packages matched against a database of at least 200,000 advisories: the real
//! Debian, Alpine, Go, crates.io and PyPI records of the shared data, replicated under new
//! package names and ids until the count is reached. Also reports the database build time
//! and size (printed once, copied into crates/bosun-vulndb/BENCH.md).
#![allow(clippy::print_stderr, clippy::unwrap_used, missing_docs)]

use bosun_inventory::{Inventory, LayerRef, Package};
use bosun_match::{MatchOptions, match_inventory};
use bosun_vulndb::{Db, DbBuilder, Event};
use criterion::{Criterion, criterion_group, criterion_main};
use std::time::Instant;

/// The allocator the CLI uses (findings own many small strings: allocation and freeing are a
/// large share of a match under the system allocator).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TARGET_RECORDS: usize = 200_000;
const PACKAGES: usize = 10_000;

fn setup() -> Option<(tempfile::TempDir, Db, Inventory)> {
    let osv = bosun_testdata::path("data/osv")?;
    // Base records, read once through a throwaway database (the crate's own parser).
    let base_dir = tempfile::tempdir().unwrap();
    let mut b = DbBuilder::new();
    for f in [
        "debian-converted",
        "alpine-converted",
        "go",
        "crates.io",
        "pypi",
    ] {
        b.add_path(osv.join(f)).unwrap();
    }
    b.write(base_dir.path()).unwrap();
    let base = Db::open(base_dir.path()).unwrap();
    let recs: Vec<_> = (0..base.len())
        .map(|n| base.record_at(n).unwrap())
        .collect();
    let replicas = TARGET_RECORDS.div_ceil(recs.len());
    let t = Instant::now();
    let mut big = DbBuilder::new();
    big.build_time(0);
    for r in 0..replicas {
        let vulns: Vec<serde_json::Value> = recs
            .iter()
            .map(|a| {
                let mut a = a.clone();
                if r > 0 {
                    a.id = format!("{}-R{r}", a.id);
                    for af in &mut a.affected {
                        af.package.name = format!("{}-r{r}", af.package.name);
                    }
                }
                serde_json::to_value(&a).unwrap()
            })
            .collect();
        let bundle = serde_json::to_vec(&serde_json::json!({ "vulns": vulns })).unwrap();
        let s = big.add_json_bytes(&format!("replica-{r}"), &bundle);
        assert_eq!(s.skipped, 0, "{:?}", s.problems.first());
    }
    let dir = tempfile::tempdir().unwrap();
    let info = big.write(dir.path()).unwrap();
    let build = t.elapsed();
    let t = Instant::now();
    let db = Db::open(dir.path()).unwrap();
    let open = t.elapsed();
    // The first lookup reads and checks the key index.
    let t = Instant::now();
    db.lookup("Debian:12", "no-such-package").unwrap();
    let first_lookup = t.elapsed();
    eprintln!(
        "database: {} records, {} package keys, {:.1} MB; build {:.2?} (incl. JSON round trip \
         of the replicas), open {:.2?}, first lookup {:.2?}; per 100k records: {:.1} MB, {:.2?}",
        info.records,
        info.packages,
        info.file_size as f64 / 1e6,
        build,
        open,
        first_lookup,
        info.file_size as f64 / 1e6 / (info.records as f64 / 1e5),
        build.div_f64(info.records as f64 / 1e5),
    );
    // 10k packages: distinct (ecosystem, name) keys across replicas, each at the version of
    // its record's first fix (every range evaluated) or just below it (0 for `0`-style).
    let mut pkgs = Vec::new();
    let mut seen = std::collections::HashSet::new();
    'outer: for r in 0..replicas {
        for a in &recs {
            for af in &a.affected {
                let name = if r == 0 {
                    af.package.name.clone()
                } else {
                    format!("{}-r{r}", af.package.name)
                };
                if !seen.insert((af.package.ecosystem.clone(), name.clone())) {
                    continue;
                }
                let fixed = af
                    .ranges
                    .iter()
                    .flat_map(|x| &x.events)
                    .find_map(|e| match e {
                        Event::Fixed(v) => Some(v.clone()),
                        _ => None,
                    });
                let version = match (fixed, pkgs.len() % 2) {
                    (Some(f), 0) => f,
                    _ => "0.1".to_string(),
                };
                pkgs.push(Package {
                    name: name.clone(),
                    version,
                    purl: String::new(),
                    ecosystem: Some(af.package.ecosystem.clone()),
                    source_name: Some(name),
                    layer: LayerRef {
                        index: 0,
                        diff_id: None,
                        role: None,
                    },
                    ..Package::default()
                });
                if pkgs.len() == PACKAGES {
                    break 'outer;
                }
            }
        }
    }
    let inv = Inventory {
        packages: pkgs,
        ..Inventory::default()
    };
    Some((dir, db, inv))
}

fn bench(c: &mut Criterion) {
    let Some((_dir, db, inv)) = setup() else {
        return;
    };
    let t = Instant::now();
    let r = match_inventory(&inv, &db, &MatchOptions::default());
    eprintln!(
        "first (cold) match of {} packages: {} findings in {:.2?}",
        inv.packages.len(),
        r.findings.len(),
        t.elapsed()
    );
    // One finding per vulnerability (a CVE when there is one): a record naming several CVEs
    // (a DSA fixing ten) gives one finding per CVE. Also counted: the (package, record) hits
    // behind them, and the findings of the former rule (one per set of records sharing an id;
    // here: findings of a package that share a record, joined).
    let pkey = |f: &bosun_match::Finding| {
        (
            f.package.ecosystem.clone(),
            f.package.name.clone(),
            f.package.version.clone(),
        )
    };
    let mut per_pkg: std::collections::HashMap<_, Vec<&Vec<String>>> =
        std::collections::HashMap::new();
    for f in &r.findings {
        per_pkg.entry(pkey(f)).or_default().push(&f.records);
    }
    let (mut hits, mut joined) = (0usize, 0usize);
    for recs in per_pkg.values() {
        let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let mut parent: Vec<usize> = (0..recs.len()).collect();
        fn root(p: &[usize], mut i: usize) -> usize {
            while p[i] != i {
                i = p[i];
            }
            i
        }
        for (k, rs) in recs.iter().enumerate() {
            for x in rs.iter() {
                match seen.get(x.as_str()) {
                    Some(&j) => {
                        let (a, b) = (root(&parent, k), root(&parent, j));
                        parent[a] = b;
                    }
                    None => {
                        seen.insert(x.as_str(), k);
                    }
                }
            }
        }
        hits += seen.len();
        joined += (0..recs.len()).filter(|&k| root(&parent, k) == k).count();
    }
    eprintln!(
        "findings: {} (one per CVE), from {hits} (package, record) hits; {joined} when \
         findings sharing a record are joined (the former one-per-alias-group rule)",
        r.findings.len(),
    );
    let t = Instant::now();
    let mut n = 0usize;
    for p in &inv.packages {
        n += db
            .lookup(p.ecosystem.as_deref().unwrap_or(""), &p.name)
            .unwrap()
            .len();
    }
    eprintln!(
        "lookups alone (one thread): {n} records in {:.2?}",
        t.elapsed()
    );
    // CPU time per match (all threads, from /proc/self/stat): steadier than wall time on a
    // shared machine.
    if let Some(before) = cpu_ticks() {
        let t = Instant::now();
        let runs = 20;
        for _ in 0..runs {
            std::hint::black_box(match_inventory(&inv, &db, &MatchOptions::default()));
        }
        let wall = t.elapsed() / runs;
        if let Some(after) = cpu_ticks() {
            // Linux reports these in USER_HZ, 100 per second.
            let cpu_ms = (after - before) as f64 * 10.0 / f64::from(runs);
            eprintln!(
                "{runs} warm matches: {cpu_ms:.1} ms CPU (all threads) and {wall:.2?} wall each"
            );
        }
    }
    let mut g = c.benchmark_group("match");
    g.sample_size(10);
    g.bench_function("10k_packages_200k_advisories", |b| {
        b.iter(|| match_inventory(&inv, &db, &MatchOptions::default()))
    });
    g.finish();
}

/// utime + stime of this process, in clock ticks.
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

criterion_group!(benches, bench);
criterion_main!(benches);
