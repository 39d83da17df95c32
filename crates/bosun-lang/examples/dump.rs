//! Prints what bosun-lang finds in manifest files: `cargo run -p bosun-lang --example dump -- FILE...`
//! (the kind is decided from the path; pass `--as NAME` to force one, e.g. `--as yarn.lock`).
#![allow(clippy::print_stderr)]

use std::io::Write;

fn main() {
    let mut out = std::io::stdout().lock();
    let mut args = std::env::args().skip(1).peekable();
    let mut forced = None;
    while let Some(a) = args.next() {
        if a == "--as" {
            forced = args.next();
            continue;
        }
        let kind_path = forced.clone().unwrap_or_else(|| a.clone());
        let Some(kind) = bosun_lang::ManifestKind::from_path(&kind_path) else {
            eprintln!("{a}: not a manifest bosun-lang knows");
            continue;
        };
        let bytes = match std::fs::read(&a) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{a}: {e}");
                continue;
            }
        };
        match bosun_lang::parse_full(kind, &a, &bytes) {
            Ok(p) => {
                // Write errors (a closed pipe) end the listing quietly.
                let _ = writeln!(out, "{a}: {kind:?}: {} packages", p.packages.len());
                for pkg in &p.packages {
                    let r = writeln!(
                        out,
                        "  {} {} dev={} direct={:?} {:?} {}",
                        pkg.name, pkg.version, pkg.dev, pkg.direct, pkg.licenses, pkg.purl
                    );
                    if r.is_err() {
                        return;
                    }
                }
                for inc in &p.unresolved_includes {
                    let _ = writeln!(out, "  include {inc}");
                }
            }
            Err(e) => {
                let mut msg = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    msg.push_str(&format!(": {s}"));
                    src = s.source();
                }
                let _ = writeln!(out, "{a}: error: {msg}");
            }
        }
    }
}
