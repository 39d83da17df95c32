//! Prints what bosun-lang finds in manifest files: `cargo run -p bosun-lang --example dump -- FILE...`
//! (the kind is decided from the path; pass `--as NAME` to force one, e.g. `--as yarn.lock`).
#![allow(clippy::print_stdout, clippy::print_stderr)]

fn main() {
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
                println!("{a}: {kind:?}: {} packages", p.packages.len());
                for pkg in &p.packages {
                    println!(
                        "  {} {} dev={} direct={:?} {:?} {}",
                        pkg.name, pkg.version, pkg.dev, pkg.direct, pkg.licenses, pkg.purl
                    );
                }
                for inc in &p.unresolved_includes {
                    println!("  include {inc}");
                }
            }
            Err(e) => {
                let mut msg = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    msg.push_str(&format!(": {s}"));
                    src = s.source();
                }
                println!("{a}: error: {msg}");
            }
        }
    }
}
