//! Scans a directory tree as if it were an image's filesystem and prints the findings
//! (masked) and the time taken: `cargo run --release -p bosun-secret --example scan_dir -- /`.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use bosun_secret::{Config, Scanner};

fn main() {
    let root = std::env::args().nth(1).unwrap_or_else(|| ".".to_owned());
    let scanner = Scanner::new(Config::default()).unwrap();
    let start = std::time::Instant::now();
    let (mut files, mut bytes, mut found) = (0u64, 0u64, 0u64);
    let mut stack = vec![std::path::PathBuf::from(&root)];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let Ok(ft) = e.file_type() else { continue };
            let p = e.path();
            if ft.is_dir() {
                if !["/proc", "/sys", "/dev", "/run", "/tmp", "/work"]
                    .iter()
                    .any(|x| p == std::path::Path::new(x))
                {
                    stack.push(p);
                }
                continue;
            }
            if !ft.is_file() {
                continue;
            }
            let rel = p
                .strip_prefix(&root)
                .unwrap_or(&p)
                .to_string_lossy()
                .into_owned();
            let size = e.metadata().map(|m| m.len()).unwrap_or(0);
            if !scanner.wants(&rel, size) {
                continue;
            }
            let Ok(body) = std::fs::read(&p) else {
                continue;
            };
            files += 1;
            bytes += body.len() as u64;
            for f in scanner.scan(&rel, &body) {
                found += 1;
                println!(
                    "{}:{}:{} {} {} {}",
                    f.path,
                    f.line,
                    f.column,
                    f.severity.as_str(),
                    f.rule_id,
                    f.match_masked
                );
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "# {files} files, {bytes} bytes, {found} findings, {secs:.2}s, {:.0} MB/s",
        bytes as f64 / secs / 1e6
    );
}
