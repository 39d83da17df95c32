//! The layer cache seen from a scan: a cached layer is never read again, the inventory is the
//! one an uncached scan gives, damaged entries are recomputed, concurrent scans share a cache.

#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};

use bosun_image::{Image, OpenOptions, Source};
use bosun_inventory::Inventory;
use bosun_scan::bosun_cache::Cache;
use bosun_scan::{CacheStats, Scanners, scan, scan_cached};
use bosun_testkit::{Compression, ImageBuilder, LayerBuilder};
use proptest::prelude::*;

const TOKEN: &str = "ghp_R8x2Kq9LmZ4vT7wN3pY6sB1cD5fH0jQ2uE8a";

fn base(l: LayerBuilder) -> LayerBuilder {
    l.file("etc/os-release", "ID=alpine\nVERSION_ID=3.20.3\n")
        .file(
            "lib/apk/db/installed",
            "P:musl\nV:1.2.5-r0\nA:x86_64\n\nP:busybox\nV:1.36.1-r29\nA:x86_64\n\n",
        )
        .file("etc/token.txt", format!("token = {TOKEN}\n"))
        // Unreadable: a diagnostic that names its layer.
        .file("var/lib/rpm/Packages", "not an rpm database")
        .compression(Compression::Gzip)
}

fn middle(l: LayerBuilder) -> LayerBuilder {
    l.file(
        "app/package-lock.json",
        r#"{"lockfileVersion":3,"packages":{"":{"name":"app"},"node_modules/left-pad":{"version":"1.3.0"}}}"#,
    )
    .file("lib/apk/db/broken-neighbour", "x")
    .compression(Compression::Zstd)
}

/// Base + middle + a top layer of its own.
fn image_with_top(top: impl FnOnce(LayerBuilder) -> LayerBuilder) -> ImageBuilder {
    ImageBuilder::new()
        .layer(base)
        .layer(middle)
        .layer(top)
        .env("APP=1")
}

fn scanners() -> Scanners {
    Scanners {
        secret: Some(bosun_secret::Scanner::new(bosun_secret::Config::default()).unwrap()),
        config: Some(bosun_misconfig::Checker::new(bosun_misconfig::Config::default()).unwrap()),
    }
}

fn write_oci(b: &ImageBuilder, dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    b.write_oci_dir(&p).unwrap();
    p
}

fn open(oci: &Path) -> Image {
    Image::open(&Source::OciDir(oci.to_owned()), &OpenOptions::default()).unwrap()
}

fn cached(oci: &Path, cache: &Cache) -> (Inventory, CacheStats) {
    scan_cached(&open(oci), &scanners(), cache, None).unwrap()
}

/// Damages every layer blob of an OCI layout in place: reading any of them now fails.
fn corrupt_layers(oci: &Path, image: &Image) {
    for l in image.layers() {
        let hex = l.digest.as_deref().unwrap().trim_start_matches("sha256:");
        let p = oci.join("blobs/sha256").join(hex);
        let mut data = fs::read(&p).unwrap();
        let mid = data.len() / 2;
        for b in data.iter_mut().skip(mid).take(8) {
            *b ^= 0xff;
        }
        fs::write(&p, data).unwrap();
    }
}

fn entries(cache: &Cache) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for fan in fs::read_dir(cache.dir().join("layers")).unwrap() {
        for f in fs::read_dir(fan.unwrap().path()).unwrap() {
            out.push(f.unwrap().path());
        }
    }
    out.sort();
    out
}

#[test]
fn second_scan_reads_no_layer_and_gives_the_same_inventory() {
    let tmp = tempfile::tempdir().unwrap();
    let oci = write_oci(
        &image_with_top(|l| l.file("app/main.py", "print(1)\n")),
        tmp.path(),
        "a",
    );
    let cache = Cache::open(&tmp.path().join("cache"), 1 << 30).unwrap();
    let uncached = scan(&open(&oci), &scanners()).unwrap();
    assert!(!uncached.packages.is_empty() && !uncached.secrets.is_empty());

    let (first, s1) = cached(&oci, &cache);
    assert_eq!(first, uncached);
    assert_eq!((s1.layers, s1.hits, s1.misses), (3, 0, 3));
    assert!(s1.cache_bytes_written > 0);

    // Every layer blob is now unreadable: only a scan that reads no layer can succeed.
    let image = open(&oci);
    corrupt_layers(&oci, &image);
    assert!(scan(&image, &scanners()).is_err());
    let (second, s2) = cached(&oci, &cache);
    assert_eq!(second, first);
    assert_eq!((s2.hits, s2.misses, s2.layer_bytes_read), (3, 0, 0));
    assert!(s2.cache_bytes_read > 0);
}

#[test]
fn an_image_sharing_base_layers_reads_only_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let a = write_oci(&image_with_top(|l| l.file("a.txt", "a")), tmp.path(), "a");
    let b_builder = image_with_top(|l| l.file("b.txt", "b").file("app/x.py", "import os\n"));
    let b = write_oci(&b_builder, tmp.path(), "b");
    let cache = Cache::open(&tmp.path().join("cache"), 1 << 30).unwrap();
    cached(&a, &cache);
    let uncached_b = scan(&open(&b), &scanners()).unwrap();

    // B's base layers are the same as A's (same diff_ids): damage them in B's layout.
    let image_b = open(&b);
    assert_eq!(image_b.layers()[0].diff_id, open(&a).layers()[0].diff_id);
    let top = image_b.layers()[2].digest.clone().unwrap();
    corrupt_layers(&b, &image_b);
    // ...except B's own top layer, restored from a fresh copy.
    let fresh = write_oci(&b_builder, tmp.path(), "b-fresh");
    let top_blob = format!("blobs/sha256/{}", top.trim_start_matches("sha256:"));
    fs::copy(fresh.join(&top_blob), b.join(&top_blob)).unwrap();

    let (inv_b, stats) = cached(&b, &cache);
    assert_eq!((stats.hits, stats.misses), (2, 1));
    assert_eq!(stats.layer_bytes_read, image_b.layers()[2].size.unwrap());
    assert_eq!(inv_b, uncached_b);
}

#[test]
fn a_shared_layer_at_another_position_is_attributed_to_its_position_here() {
    let tmp = tempfile::tempdir().unwrap();
    let a = write_oci(&ImageBuilder::new().layer(base), tmp.path(), "a");
    let b = write_oci(
        &ImageBuilder::new()
            .layer(|l| l.file("first", "1"))
            .layer(base),
        tmp.path(),
        "b",
    );
    let cache = Cache::open(&tmp.path().join("cache"), 1 << 30).unwrap();
    cached(&a, &cache);
    let (inv, stats) = cached(&b, &cache);
    assert_eq!(stats.hits, 1);
    assert_eq!(inv, scan(&open(&b), &scanners()).unwrap());
    assert!(!inv.packages.is_empty() && inv.packages.iter().all(|p| p.layer.index == 1));
    let rpm = inv.diagnostics.iter().find(|d| d.source == "rpm").unwrap();
    assert_eq!(rpm.layer.as_ref().unwrap().index, 1);
    assert!(
        inv.secrets
            .iter()
            .filter(|s| s.layer.is_some())
            .all(|s| s.layer.as_ref().unwrap().index == 1)
    );
}

#[test]
fn a_whiteout_in_an_uncached_upper_layer_hides_a_cached_lower_file() {
    let tmp = tempfile::tempdir().unwrap();
    let a = write_oci(&image_with_top(|l| l.file("a.txt", "a")), tmp.path(), "a");
    let b = write_oci(
        &image_with_top(|l| l.whiteout("lib/apk/db/installed").whiteout("etc/token.txt")),
        tmp.path(),
        "b",
    );
    let cache = Cache::open(&tmp.path().join("cache"), 1 << 30).unwrap();
    let (inv_a, _) = cached(&a, &cache);
    assert!(inv_a.packages.iter().any(|p| p.name == "musl"));
    assert!(
        inv_a
            .secrets
            .iter()
            .any(|s| s.path == "/etc/token.txt" && s.in_final)
    );

    let (inv_b, stats) = cached(&b, &cache);
    assert_eq!((stats.hits, stats.misses), (2, 1));
    assert!(
        !inv_b.packages.iter().any(|p| p.name == "musl"),
        "{:?}",
        inv_b.packages
    );
    // The secret stays reported (it is in a layer) but is no longer in the final filesystem.
    let token = inv_b
        .secrets
        .iter()
        .find(|s| s.path == "/etc/token.txt")
        .unwrap();
    assert!(!token.in_final);
    assert_eq!(inv_b, scan(&open(&b), &scanners()).unwrap());
}

#[test]
fn corrupt_and_truncated_entries_are_dropped_and_recomputed() {
    let tmp = tempfile::tempdir().unwrap();
    let oci = write_oci(&image_with_top(|l| l.file("t", "t")), tmp.path(), "a");
    let cache = Cache::open(&tmp.path().join("cache"), 1 << 30).unwrap();
    let (first, _) = cached(&oci, &cache);
    let files = entries(&cache);
    assert_eq!(files.len(), 3);
    let mut data = fs::read(&files[0]).unwrap();
    let last = data.len() - 1;
    data[last] ^= 0x01;
    fs::write(&files[0], data).unwrap();
    let data = fs::read(&files[1]).unwrap();
    fs::write(&files[1], &data[..data.len() / 2]).unwrap();

    let (second, stats) = cached(&oci, &cache);
    assert_eq!(second, first);
    assert_eq!((stats.hits, stats.misses, stats.corrupt), (1, 2, 2));
    // Rewritten: the third scan is all hits.
    let (third, stats) = cached(&oci, &cache);
    assert_eq!(third, first);
    assert_eq!((stats.hits, stats.corrupt), (3, 0));
}

#[test]
fn sound_entry_of_the_wrong_shape_is_dropped_and_recomputed() {
    let tmp = tempfile::tempdir().unwrap();
    let oci = write_oci(&image_with_top(|l| l.file("t", "t")), tmp.path(), "a");
    let cache = Cache::open(&tmp.path().join("cache"), 1 << 30).unwrap();
    let (first, _) = cached(&oci, &cache);
    // A well-formed cache entry whose payload is not a layer result (say, written by a buggy
    // version that forgot to bump the analyzer version): checksummed, but refused.
    let victim = entries(&cache)[0].clone();
    let key_hex = victim.file_name().unwrap().to_string_lossy().into_owned();
    let probe = Cache::open(&tmp.path().join("probe"), 1 << 30).unwrap();
    let k = bosun_scan::bosun_cache::Key::from_parts(&[b"x"]);
    probe.put(&k, b"{\"diff_id\":\"sha256:other\"}").unwrap();
    fs::copy(probe.entry_path(&k), &victim).unwrap();
    assert_eq!(victim.file_name().unwrap().to_string_lossy(), key_hex);

    let (second, stats) = cached(&oci, &cache);
    assert_eq!(second, first);
    assert_eq!((stats.corrupt, stats.misses), (1, 1));
}

#[test]
fn concurrent_scans_sharing_a_cache_both_succeed() {
    let tmp = tempfile::tempdir().unwrap();
    let a = write_oci(&image_with_top(|l| l.file("a", "a")), tmp.path(), "a");
    let b = write_oci(&image_with_top(|l| l.file("b", "b")), tmp.path(), "b");
    let dir = tmp.path().join("cache");
    let want_a = scan(&open(&a), &scanners()).unwrap();
    let want_b = scan(&open(&b), &scanners()).unwrap();
    for _ in 0..3 {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|i| {
                    let (oci, dir) = (if i % 2 == 0 { &a } else { &b }, &dir);
                    // Each thread opens the cache itself, as separate processes would.
                    s.spawn(move || cached(oci, &Cache::open(dir, 1 << 30).unwrap()).0)
                })
                .collect();
            for (i, h) in handles.into_iter().enumerate() {
                let inv = h.join().unwrap();
                assert_eq!(
                    inv,
                    if i % 2 == 0 {
                        want_a.clone()
                    } else {
                        want_b.clone()
                    }
                );
            }
        });
    }
    // Base, middle, and one top each.
    assert_eq!(
        Cache::open(&dir, 1 << 30)
            .unwrap()
            .status()
            .unwrap()
            .entries,
        4
    );
}

#[test]
fn the_cache_stays_within_its_bound() {
    let tmp = tempfile::tempdir().unwrap();
    let a = write_oci(&image_with_top(|l| l.file("a", "a")), tmp.path(), "a");
    let dir = tmp.path().join("cache");
    let big = Cache::open(&dir, 1 << 30).unwrap();
    cached(&a, &big);
    let full = big.status().unwrap().bytes;
    big.clean().unwrap();
    // Room for less than the whole image: the scan still succeeds, the bound holds.
    let bound = full * 2 / 3;
    let small = Cache::open(&dir, bound).unwrap();
    let (inv, stats) = cached(&a, &small);
    assert_eq!(inv, scan(&open(&a), &scanners()).unwrap());
    assert!(stats.evicted >= 1);
    assert!(small.status().unwrap().bytes <= bound);
}

#[test]
fn other_scanner_options_do_not_share_entries() {
    let tmp = tempfile::tempdir().unwrap();
    let a = write_oci(&image_with_top(|l| l.file("a", "a")), tmp.path(), "a");
    let cache = Cache::open(&tmp.path().join("cache"), 1 << 30).unwrap();
    cached(&a, &cache);
    // Without the secret scanner, the per-layer results differ: nothing is reused.
    let (inv, stats) = scan_cached(&open(&a), &Scanners::default(), &cache, None).unwrap();
    assert_eq!(stats.hits, 0);
    assert!(inv.secrets.is_empty());
    assert_eq!(inv, scan(&open(&a), &Scanners::default()).unwrap());
    // A custom secret config is another key again.
    let config = bosun_secret::Config {
        disable_rules: vec!["github-pat".into()],
        ..bosun_secret::Config::default()
    };
    let custom = Scanners {
        secret: Some(bosun_secret::Scanner::new(config.clone()).unwrap()),
        config: None,
    };
    let (_, stats) = scan_cached(&open(&a), &custom, &cache, Some(&config)).unwrap();
    assert_eq!(stats.hits, 0);
}

proptest! {
    #[test]
    fn fuzz_decode_never_panics(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = bosun_scan::fuzz::decode_entry(&data);
    }

    #[test]
    fn fuzz_decode_of_json_shaped_input_never_panics(s in "\\{\"diff_id\":\"sha256:00\",\"index\":\\{.{0,40}\\}.{0,80}\\}") {
        let _ = bosun_scan::fuzz::decode_entry(s.as_bytes());
    }
}

/// Real package data of every kind the catalog reads, in a multi-layer image: the cached scans
/// (cold, then warm) give exactly what an uncached scan gives.
#[test]
fn real_databases_round_trip_through_the_cache() {
    let alpine =
        bosun_testdata::require!("data/alpine/minirootfs/alpine-minirootfs-3.20.3-x86_64.tar.gz");
    let rpm = bosun_testdata::require!("data/rpmdb/cbl-mariner-2.0/rpmdb.sqlite");
    let jar = bosun_testdata::require!("data/app-deps/java/guava-31.1-jre.jar");
    let go = bosun_testdata::require!("data/app-deps/binaries/go/trivy-test.elf");
    let dpkg =
        bosun_testdata::require!("data/dpkg/debian-fixtures/claircore-buster-postgresql.status");
    let read = |p: &Path| fs::read(p).unwrap();
    let builder = ImageBuilder::new()
        .layer(|l| l.blob(read(&alpine)))
        .layer(|l| {
            l.file("var/lib/rpm/rpmdb.sqlite", read(&rpm))
                .file("var/lib/dpkg/status", read(&dpkg))
                .compression(Compression::Gzip)
        })
        .layer(|l| {
            l.file("app/lib/guava.jar", read(&jar))
                .file_mode("usr/local/bin/app", read(&go), 0o755)
                .whiteout("etc/motd")
                .compression(Compression::Zstd)
        });
    let tmp = tempfile::tempdir().unwrap();
    let oci = write_oci(&builder, tmp.path(), "real");
    let want = scan(&open(&oci), &scanners()).unwrap();
    let kinds: std::collections::BTreeSet<_> =
        want.packages.iter().map(|p| p.package_type).collect();
    assert!(kinds.len() >= 4, "{kinds:?}");
    let cache = Cache::open(&tmp.path().join("cache"), 1 << 30).unwrap();
    let (cold, s1) = cached(&oci, &cache);
    let (warm, s2) = cached(&oci, &cache);
    assert_eq!((s1.misses, s2.hits), (3, 3));
    assert_eq!(cold, want);
    assert_eq!(warm, want);
}

/// Registry sources: the second scan of an image (and the scan of another image sharing its
/// base) fetches manifests and the config, never a cached layer's blob.
#[test]
fn registry_scan_from_cache_downloads_no_cached_layer() {
    use bosun_testkit::registry::{RealRegistry, tools};
    if !tools() {
        return;
    }
    let reg = RealRegistry::start(None);
    let tmp = tempfile::tempdir().unwrap();
    let a = write_oci(&image_with_top(|l| l.file("a", "a")), tmp.path(), "a");
    let b = write_oci(&image_with_top(|l| l.file("b", "b")), tmp.path(), "b");
    reg.push(&a, "cache/a:1", false);
    reg.push(&b, "cache/b:1", false);
    let opts = bosun_image::RegistryOptions {
        docker_config: bosun_image::DockerConfig::Ignore,
        ..bosun_image::RegistryOptions::default()
    };
    let remote = |name: &str| {
        let src = Source::parse(&format!("registry:{}/{name}", reg.host())).unwrap();
        Image::open_with_registry(&src, &OpenOptions::default(), &opts).unwrap()
    };
    let cache = Cache::open(&tmp.path().join("cache"), 1 << 30).unwrap();
    let blob_gets = |log: &str, image: &Image| -> Vec<usize> {
        image
            .layers()
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                let d = l.digest.as_deref().unwrap();
                log.lines()
                    .any(|line| line.contains("\"GET ") && line.contains(&format!("/blobs/{d}")))
            })
            .map(|(i, _)| i)
            .collect()
    };

    let mark = reg.log("registry.log").len();
    let image = remote("cache/a:1");
    let (first, s1) = scan_cached(&image, &scanners(), &cache, None).unwrap();
    assert_eq!(s1.misses, 3);
    let log = reg.log("registry.log");
    assert_eq!(blob_gets(log.get(mark..).unwrap(), &image), vec![0, 1, 2]);

    let mark = log.len();
    let image = remote("cache/a:1");
    let (second, s2) = scan_cached(&image, &scanners(), &cache, None).unwrap();
    assert_eq!((s2.hits, s2.misses), (3, 0));
    assert_eq!(second, first);
    let log = reg.log("registry.log");
    let new = log.get(mark..).unwrap();
    assert!(new.contains("/manifests/"), "{new}");
    assert_eq!(blob_gets(new, &image), Vec::<usize>::new(), "{new}");

    let mark = log.len();
    let image = remote("cache/b:1");
    let (_, s3) = scan_cached(&image, &scanners(), &cache, None).unwrap();
    assert_eq!((s3.hits, s3.misses), (2, 1));
    let log = reg.log("registry.log");
    assert_eq!(blob_gets(log.get(mark..).unwrap(), &image), vec![2]);
}

/// Two processes scanning the same images with the same cache directory at once (no lock: the
/// second neither waits nor fails). The test binary runs itself as the children.
#[test]
fn two_processes_scanning_at_once_both_succeed() {
    const CHILD: &str = "BOSUN_CACHE_TEST_CHILD";
    if let Ok(spec) = std::env::var(CHILD) {
        // Child: "OCI|CACHE|OUT", scan the image, write the inventory as JSON.
        let parts: Vec<&str> = spec.split('|').collect();
        let cache = Cache::open(Path::new(parts[1]), 1 << 30).unwrap();
        let (inv, _) = cached(Path::new(parts[0]), &cache);
        fs::write(parts[2], serde_json::to_vec(&inv).unwrap()).unwrap();
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let a = write_oci(&image_with_top(|l| l.file("a", "a")), tmp.path(), "a");
    let b = write_oci(&image_with_top(|l| l.file("b", "b")), tmp.path(), "b");
    let cache_dir = tmp.path().join("cache");
    let exe = std::env::current_exe().unwrap();
    for round in 0..2 {
        let children: Vec<_> = [&a, &b, &a, &b]
            .iter()
            .enumerate()
            .map(|(i, oci)| {
                let out = tmp.path().join(format!("out-{round}-{i}.json"));
                let spec = format!(
                    "{}|{}|{}",
                    oci.display(),
                    cache_dir.display(),
                    out.display()
                );
                let child = std::process::Command::new(&exe)
                    .args([
                        "--exact",
                        "two_processes_scanning_at_once_both_succeed",
                        "--test-threads=1",
                    ])
                    .env(CHILD, spec)
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap();
                (child, out, *oci)
            })
            .collect();
        for (mut child, out, oci) in children {
            assert!(child.wait().unwrap().success());
            let inv: Inventory = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
            let want = scan(&open(oci), &scanners()).unwrap();
            // Compared through JSON, as the child wrote it.
            let want: Inventory =
                serde_json::from_slice(&serde_json::to_vec(&want).unwrap()).unwrap();
            assert_eq!(inv, want);
        }
    }
    let status = Cache::open(&cache_dir, 1 << 30).unwrap().status().unwrap();
    assert_eq!(status.entries, 4);
}
