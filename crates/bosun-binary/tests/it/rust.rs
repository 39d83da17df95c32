//! cargo-auditable data from real binaries, checked against the JSON recorded beside them
//! (read here with serde_json's untyped `Value`, independently of the crate's types).

use bosun_binary::{Ecosystem, PackageKind, analyze};
use serde_json::Value;

const DIR: &str = "data/app-deps/binaries/rust-cargo-auditable";

fn cases(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Value)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".json") {
            continue;
        }
        let json = p.with_file_name(format!("{name}.expected-audit-data.json"));
        let v: Value = serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap();
        out.push((p, v));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn audit_data_equals_the_recorded_json_for_every_real_binary() {
    let dir = bosun_testdata::require!(DIR);
    let cases = cases(&dir);
    assert_eq!(
        cases.len(),
        2,
        "expected the two shared cargo-auditable binaries"
    );
    for (bin, want) in cases {
        let got = bosun_binary::rust::audit_data(&std::fs::read(&bin).unwrap())
            .unwrap()
            .expect("a .dep-v0 section");
        let want = want["packages"].as_array().unwrap();
        assert_eq!(got.len(), want.len(), "{}", bin.display());
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g.name, w["name"].as_str().unwrap());
            assert_eq!(g.version, w["version"].as_str().unwrap());
            assert_eq!(g.source, w["source"].as_str().unwrap());
            assert_eq!(
                g.kind,
                w.get("kind").and_then(Value::as_str).unwrap_or("runtime")
            );
            assert_eq!(
                g.root,
                w.get("root").and_then(Value::as_bool).unwrap_or(false)
            );
            let deps: Vec<usize> = w
                .get("dependencies")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(|d| d.as_u64().unwrap() as usize).collect())
                .unwrap_or_default();
            assert_eq!(g.dependencies, deps, "{} {}", bin.display(), g.name);
        }
    }
}

#[test]
fn packages_are_the_recorded_runtime_crates_io_entries() {
    let dir = bosun_testdata::require!(DIR);
    let mut total = 0;
    for (bin, want) in cases(&dir) {
        let want: Vec<(String, String, bool)> = want["packages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| {
                w["source"] == "crates.io" && w.get("kind").and_then(Value::as_str) != Some("build")
            })
            .map(|w| {
                (
                    format!(
                        "pkg:cargo/{}@{}",
                        w["name"].as_str().unwrap(),
                        w["version"].as_str().unwrap()
                    ),
                    w["version"].as_str().unwrap().to_owned(),
                    w.get("root").and_then(Value::as_bool).unwrap_or(false),
                )
            })
            .collect();
        let got = analyze("usr/local/bin/app", &std::fs::read(&bin).unwrap()).unwrap();
        let got_t: Vec<_> = got
            .iter()
            .map(|p| (p.purl.clone(), p.version.clone(), p.main_module))
            .collect();
        assert_eq!(got_t, want, "{}", bin.display());
        for p in &got {
            assert_eq!(p.ecosystem, Some(Ecosystem::CratesIo));
            assert_eq!(p.kind, PackageKind::RustCrate);
        }
        total += got.len();
    }
    // uses_serde_json: ten crates.io crates; trivy's test binary: only local crates.
    assert_eq!(total, 10);
}
