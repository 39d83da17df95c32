//! Walks directories as the image walker would (header filter first, then the body) and
//! prints what bosun-binary finds: `cargo run -p bosun-binary --example scan -- DIR...`.
//! The last line counts files seen, files wanted, packages and errors, and the time taken.
#![allow(clippy::print_stderr)]

use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::Instant;

#[derive(Default)]
struct Counts {
    seen: u64,
    wanted: u64,
    wanted_bytes: u64,
    packages: u64,
    errors: u64,
}

fn walk(dir: &Path, out: &mut impl Write, c: &mut Counts) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let Ok(md) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if md.is_dir() {
            walk(&p, out, c);
            continue;
        }
        c.seen += 1;
        let path = p.to_string_lossy();
        let rel = path.trim_start_matches('/');
        let mode = md.permissions().mode() | if md.is_file() { 0o100_000 } else { 0o120_000 };
        if !bosun_binary::wants(rel, mode, md.size()) {
            continue;
        }
        let Ok(bytes) = std::fs::read(&p) else {
            continue;
        };
        c.wanted += 1;
        c.wanted_bytes += bytes.len() as u64;
        match bosun_binary::analyze(rel, &bytes) {
            Ok(pkgs) => {
                for pk in pkgs {
                    c.packages += 1;
                    let _ = writeln!(
                        out,
                        "{rel}\t{:?}\t{}\t{}",
                        pk.kind,
                        pk.purl,
                        if pk.main_module { "main" } else { "" }
                    );
                }
            }
            Err(e) => {
                c.errors += 1;
                eprintln!("{rel}: {e}");
            }
        }
    }
}

fn main() {
    let mut out = std::io::stdout().lock();
    let mut c = Counts::default();
    let t = Instant::now();
    for a in std::env::args().skip(1) {
        walk(Path::new(&a), &mut out, &mut c);
    }
    eprintln!(
        "files {} wanted {} ({} MiB) packages {} errors {} in {:.2?}",
        c.seen,
        c.wanted,
        c.wanted_bytes >> 20,
        c.packages,
        c.errors,
        t.elapsed()
    );
}
