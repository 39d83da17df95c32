//! Throughput of `Scanner::scan` on a realistic mix of text (see BENCH.md).
#![allow(missing_docs)]

use std::hint::black_box;

use bosun_secret::{Config, Scanner};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Text files of the shared data folder (when present) plus generated source-like text.
fn corpus_mix() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    if let Some(dir) = bosun_testdata::shared() {
        let mut stack = vec![dir.join("data")];
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if let Ok(b) = std::fs::read(&p)
                    && b.len() < (4 << 20)
                    && !b.get(..8192).unwrap_or(&b).contains(&0)
                {
                    files.push((p.display().to_string(), b));
                }
            }
            if files.iter().map(|f| f.1.len()).sum::<usize>() > (64 << 20) {
                break;
            }
        }
    }
    files.push(("src/generated.rs".to_owned(), generated_source(4 << 20)));
    files
}

/// Source-like text: identifiers, assignments, URLs, comments; a few keywords, no secrets.
fn generated_source(len: usize) -> Vec<u8> {
    let lines = [
        "fn handle_request(req: &Request, token_len: usize) -> Result<Response, Error> {\n",
        "    let config = load_config(\"/etc/app/config.yaml\")?; // see https://example.org/docs\n",
        "    for (i, item) in items.iter().enumerate() { total += item.price * i as u64; }\n",
        "    password_field.set_placeholder(\"Enter your password\");\n",
        "    log::debug!(\"processing {} bytes from {}\", buf.len(), peer_addr);\n",
        "}\n",
        "# comment: the quick brown fox jumps over the lazy dog 0123456789\n",
    ];
    let mut out = Vec::with_capacity(len);
    let mut i = 0usize;
    while out.len() < len {
        out.extend_from_slice(lines[i % lines.len()].as_bytes());
        i += 1;
    }
    out
}

fn bench(c: &mut Criterion) {
    let scanner = Scanner::new(Config::default()).expect("built-in rules compile");
    let mix = corpus_mix();
    let total: usize = mix.iter().map(|f| f.1.len()).sum();
    #[allow(clippy::print_stderr)]
    {
        eprintln!("text mix: {} files, {} bytes", mix.len(), total);
    }
    let mut g = c.benchmark_group("scan");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("text-mix", |b| {
        b.iter(|| {
            let mut n = 0;
            for (p, body) in &mix {
                n += scanner.scan(p, body).len();
            }
            black_box(n)
        });
    });
    let specific = Scanner::new(
        bosun_secret::Config::from_yaml(
            "disable-rules: [generic-secret-assignment, url-basic-auth, twilio-api-key]",
        )
        .expect("valid config"),
    )
    .expect("rules compile");
    g.bench_function("text-mix-without-generic-rules", |b| {
        b.iter(|| {
            let mut n = 0;
            for (p, body) in &mix {
                n += specific.scan(p, body).len();
            }
            black_box(n)
        });
    });
    let plain: Vec<u8> =
        b"lorem ipsum dolor sit amet consectetur adipiscing elit\n".repeat(150_000); // 8.2 MB, under the 10 MiB cap
    g.throughput(Throughput::Bytes(plain.len() as u64));
    g.bench_function("no-keywords", |b| {
        b.iter(|| black_box(scanner.scan("big.txt", &plain).len()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
