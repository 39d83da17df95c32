//! Hostile input: deep nesting, huge entry counts, random and mutated bytes. The property
//! tests run `bosun_lang::fuzz_all`, the body of the fuzz target, on stable.

use bosun_lang::{LangError, ManifestKind, fuzz_all, parse};
use proptest::prelude::*;

/// A package-lock v1 nested 10,000 levels deep is refused with a depth error, not a stack
/// overflow.
#[test]
fn deeply_nested_package_lock_is_a_clear_error() {
    let depth = 10_000;
    let mut s = String::from(r#"{"lockfileVersion": 1, "dependencies": "#);
    for _ in 0..depth {
        s.push_str(r#"{"a": {"version": "1.0.0", "dependencies": "#);
    }
    s.push_str("{}");
    for _ in 0..depth {
        s.push_str("}}");
    }
    s.push('}');
    let err = parse(
        ManifestKind::NpmPackageLock,
        "package-lock.json",
        s.as_bytes(),
    )
    .unwrap_err();
    assert!(matches!(err, LangError::TooDeep { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("package-lock.json: nested deeper than"),
        "{err}"
    );
}

/// The same for every structured format: deep JSON arrays, TOML arrays, YAML flow lists.
#[test]
fn deep_nesting_in_every_structured_format_is_refused() {
    let deep = |open: &str, close: &str| format!("{}{}", open.repeat(50_000), close.repeat(50_000));
    let cases = [
        (ManifestKind::ComposerLock, deep("[", "]")),
        (
            ManifestKind::PipfileLock,
            format!("{{\"default\": {}}}", deep("[", "]")),
        ),
        (ManifestKind::CargoLock, format!("x = {}", deep("[", "]"))),
        (
            ManifestKind::PoetryLock,
            format!("x = {}", deep("{a=", "}")),
        ),
        (ManifestKind::PnpmLock, format!("x: {}", deep("[", "]"))),
        (
            ManifestKind::YarnLock,
            format!("__metadata:\n  x: {}", deep("[", "]")),
        ),
    ];
    for (kind, body) in cases {
        let err = parse(kind, "f", body.as_bytes()).unwrap_err();
        assert!(matches!(err, LangError::TooDeep { .. }), "{kind:?}: {err}");
    }
    // Deep YAML block indentation as well.
    let mut y = String::from("packages:\n");
    for i in 0..5_000 {
        y.push_str(&" ".repeat(i + 1));
        y.push_str("a:\n");
    }
    assert!(parse(ManifestKind::PnpmLock, "f", y.as_bytes()).is_err());
}

#[test]
fn too_many_entries_is_refused() {
    let mut s = String::with_capacity(20_000_000);
    for i in 0..1_000_002u32 {
        s.push('p');
        s.push_str(&i.to_string());
        s.push_str("==1.0\n");
    }
    let err = parse(
        ManifestKind::PythonRequirements,
        "requirements.txt",
        s.as_bytes(),
    )
    .unwrap_err();
    assert!(matches!(err, LangError::TooManyEntries { .. }), "{err}");
}

fn fixtures() -> Vec<Vec<u8>> {
    let Some(dir) = bosun_testdata::path("data/app-deps") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                if !p.ends_with("binaries") && !p.ends_with("java") {
                    stack.push(p);
                }
            } else if !p.ends_with("SOURCES.md") && !p.to_string_lossy().ends_with(".sum") {
                out.push(std::fs::read(p).unwrap());
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = fuzz_all(&bytes);
    }

    #[test]
    fn random_text_never_panics(s in "[ -~\n\t\"'\\[\\]{}:#@=/-]{0,1024}") {
        let _ = fuzz_all(s.as_bytes());
    }
}

/// Mutated real fixtures (byte flips, truncations, splices) through the fuzz body.
#[test]
fn mutated_fixtures_never_panic() {
    let files = fixtures();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    });
    if files.is_empty() {
        return;
    }
    let n = files.len();
    runner
        .run(
            &(
                0..n,
                proptest::collection::vec((any::<usize>(), any::<u8>()), 0..16),
                any::<usize>(),
            ),
            |(i, flips, cut)| {
                let mut b = files[i].clone();
                let len = b.len().max(1);
                for (pos, byte) in flips {
                    if let Some(x) = b.get_mut(pos % len) {
                        *x = byte;
                    }
                }
                b.truncate(cut % (len + 1));
                let _ = fuzz_all(&b);
                Ok(())
            },
        )
        .unwrap();
    // Every fixture, whole, through every parser.
    for f in &files {
        let _ = fuzz_all(f);
    }
}

/// YAML alias expansion ("billion laughs") stays bounded: an error or a small result, quickly.
#[test]
fn yaml_alias_bombs_are_bounded() {
    let mut y = String::from("lockfileVersion: '9.0'\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        y.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    y.push_str("packages:\n  x@1.0.0: {}\n");
    let start = std::time::Instant::now();
    let r = parse(ManifestKind::PnpmLock, "pnpm-lock.yaml", y.as_bytes());
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
    assert!(r.is_err(), "{r:?}");
}
