//! Hostile archives: zip bombs, deep nesting, deep entry names, entry counts; the fuzz body
//! under proptest on random bytes, on random archives and on mutated real jars.

use bosun_lang::java::{self, Limits};
use bosun_lang::{LangError, fuzz_all};
use proptest::prelude::*;

use crate::build::{Method, deep_chain, pom, raw_zip, zeros_deflate, zip};

/// A war holding `lib/bomb.jar`: 300 MiB of zeros from about 300 KiB of deflate.
const BOMB_MIB: usize = 300;

/// The declared size says 300 MiB: refused before inflating a byte, naming the 256 MiB limit.
#[test]
fn zip_bomb_with_an_honest_size_is_refused_up_front() {
    let stream = zeros_deflate(BOMB_MIB);
    assert!(stream.len() < 1 << 20, "small on disk: {}", stream.len());
    let declared = u32::try_from(BOMB_MIB << 20).unwrap();
    let war = raw_zip("lib/bomb.jar", true, &stream, declared, 0);
    let err = java::parse_archive("app.war", &war).unwrap_err();
    let limit = Limits::default().max_nested_bytes;
    assert!(
        matches!(err, LangError::TooLarge { limit: l, .. } if l as u64 == limit),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!("app.war!/lib/bomb.jar: {declared} bytes is over the {limit}-byte limit")
    );
}

/// Under the size limit (200 MiB) but 1000:1: refused up front by the ratio, naming it.
#[test]
fn zip_bomb_under_the_size_limit_is_refused_by_the_ratio() {
    let stream = zeros_deflate(200);
    let declared = 200u32 << 20;
    let war = raw_zip("lib/bomb.jar", true, &stream, declared, 0);
    let err = java::parse_archive("app.war", &war).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, LangError::Format { .. }), "{msg}");
    assert!(
        msg.starts_with(&format!(
            "app.war!/lib/bomb.jar: refused as a zip bomb: {} compressed bytes inflate to {declared}",
            stream.len()
        )),
        "{msg}"
    );
    assert!(
        msg.ends_with("over the 100:1 compression ratio limit"),
        "{msg}"
    );
}

/// A lying declared size (1 KiB for 300 MiB): the zip reader stops past the declared size,
/// so no more than 1 KiB is inflated, and the entry is skipped as corrupt.
#[test]
fn zip_bomb_with_a_lying_size_inflates_no_more_than_declared() {
    let stream = zeros_deflate(BOMB_MIB);
    let good = zip(
        &[("META-INF/maven/g/a/pom.properties", &pom("g", "a", "1"))],
        Method::Deflated,
    );
    let bomb = raw_zip("lib/bomb.jar", true, &stream, 1024, 0);
    let war = zip(
        &[("lib/a-1.jar", &good[..]), ("lib/b.war", &bomb[..])],
        Method::Stored,
    );
    let got = java::parse_archive("app.war", &war).unwrap();
    assert_eq!(got.packages.len(), 1);
    assert_eq!(got.skipped.len(), 1, "{:?}", got.skipped);
    assert_eq!(got.skipped[0].location, "app.war!/lib/b.war!/lib/bomb.jar");
    assert!(
        got.skipped[0].reason.contains("larger than its declared"),
        "{:?}",
        got.skipped
    );
}

/// With the ratio out of the way, the per-entry size limit stops a bomb; limits are per kind.
#[test]
fn zip_bomb_is_refused_at_the_per_entry_limit() {
    let stream = zeros_deflate(64);
    let war = raw_zip("WEB-INF/lib/bomb.jar", true, &stream, 64 << 20, 0);
    let limits = Limits {
        max_ratio: u64::MAX,
        max_nested_bytes: 8 << 20,
        ..Limits::default()
    };
    let err = java::parse_archive_with("app.war", &war, &limits).unwrap_err();
    assert!(
        matches!(err, LangError::TooLarge { limit, .. } if limit == 8 << 20),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "app.war!/WEB-INF/lib/bomb.jar: {} bytes is over the {}-byte limit",
            64 << 20,
            8 << 20
        )
    );
}

/// A manifest bomb is held to the metadata limit (4 MiB).
#[test]
fn manifest_bomb_is_refused_at_the_metadata_limit() {
    let stream = zeros_deflate(16);
    let jar = raw_zip("META-INF/MANIFEST.MF", true, &stream, 16 << 20, 0);
    let err = java::parse_archive("x.jar", &jar).unwrap_err();
    assert!(
        matches!(err, LangError::TooLarge { ref path, limit, .. }
            if path == "x.jar!/META-INF/MANIFEST.MF" && limit == 4 << 20),
        "{err}"
    );
}

/// Many entries each under the per-entry limit still stop at the total.
#[test]
fn total_inflated_bytes_are_bounded() {
    let inner = zip(
        &[("META-INF/maven/g/a/pom.properties", &pom("g", "a", "1"))],
        Method::Stored,
    );
    let names: Vec<String> = (0..8).map(|i| format!("lib/a{i}.jar")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &inner[..])).collect();
    let war = zip(&entries, Method::Stored);
    // Each nested jar inflates to its own bytes plus its pom.properties: five fit exactly.
    let total = (inner.len() + pom("g", "a", "1").len()) * 5;
    let limits = Limits {
        max_total_bytes: u64::try_from(total).unwrap(),
        ..Limits::default()
    };
    let err = java::parse_archive_with("w.war", &war, &limits).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("w.war!/lib/a5.jar: refused"), "{msg}");
    assert!(msg.contains(&format!("{total}-byte total limit")), "{msg}");
    // The default limits read it.
    assert_eq!(
        java::parse_archive("w.war", &war).unwrap().packages.len(),
        1
    );
}

/// `levels` archives each holding the next as `n.jar`; the innermost has a pom.properties.
fn nested_chain(levels: usize) -> Vec<u8> {
    let mut cur = zip(
        &[(
            "META-INF/maven/g/deep/pom.properties",
            &pom("g", "deep", "1"),
        )],
        Method::Deflated,
    );
    for _ in 0..levels {
        cur = zip(&[("n.jar", &cur)], Method::Stored);
    }
    cur
}

#[test]
fn nesting_at_the_limit_is_read_and_beyond_it_refused() {
    let max = Limits::default().max_depth;
    assert_eq!(max, 16);
    let ok = java::parse_archive("top.jar", &nested_chain(max)).unwrap();
    assert_eq!(ok.packages.len(), 1);
    let expected = format!("top.jar{}", "!/n.jar".repeat(max));
    assert_eq!(ok.packages[0].locations, [expected]);

    for levels in [max + 1, 100] {
        let err = java::parse_archive("top.jar", &nested_chain(levels)).unwrap_err();
        let at = format!("top.jar{}", "!/n.jar".repeat(max + 1));
        assert!(
            matches!(err, LangError::TooDeep { ref path, limit } if *path == at && limit == max),
            "{levels}: {err}"
        );
        assert_eq!(
            err.to_string(),
            format!("{at}: nested deeper than {max} levels")
        );
    }
}

/// Archives nested 10,000 deep (1 MiB on disk, built in one pass): refused at level 17 with
/// the path there, without reading further. The same chain cut at 16 levels is read to its
/// pom.properties, which checks the hand-built chain is a valid one.
#[test]
fn archives_nested_ten_thousand_deep_are_refused() {
    let inner = zip(
        &[(
            "META-INF/maven/g/deep/pom.properties",
            &pom("g", "deep", "1"),
        )],
        Method::Deflated,
    );
    let max = Limits::default().max_depth;
    let ok = java::parse_archive("top.jar", &deep_chain(max, &inner, max)).unwrap();
    assert_eq!(ok.packages.len(), 1, "{ok:?}");
    assert_eq!(
        ok.packages[0].locations,
        [format!("top.jar{}", "!/n.jar".repeat(max))]
    );
    let chain = deep_chain(10_000, &inner, max + 2);
    assert!(chain.len() < 2 << 20, "{}", chain.len());
    let err = java::parse_archive("top.jar", &chain).unwrap_err();
    let at = format!("top.jar{}", "!/n.jar".repeat(max + 1));
    assert!(
        matches!(err, LangError::TooDeep { ref path, limit } if *path == at && limit == max),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!("{at}: nested deeper than {max} levels")
    );
}

/// An entry name with 10,000 path components is refused, and the message stays short.
#[test]
fn entry_name_with_ten_thousand_components_is_refused() {
    let name = format!("{}pom.properties", "a/".repeat(9_999));
    let body = pom("g", "a", "1");
    let jar = zip(&[(name.as_str(), &body[..])], Method::Deflated);
    let err = java::parse_archive("x.jar", &jar).unwrap_err();
    let limit = Limits::default().max_name_components;
    assert!(
        matches!(err, LangError::TooDeep { limit: l, .. } if l == limit),
        "{err}"
    );
    let msg = err.to_string();
    assert!(msg.starts_with("x.jar!/a/a/a/"), "{msg}");
    assert!(
        msg.ends_with(&format!(": nested deeper than {limit} levels")),
        "{msg}"
    );
    assert!(msg.len() < 200, "{}", msg.len());
}

#[test]
fn entry_count_is_bounded_across_nesting() {
    let inner = zip(
        &[("a", b"1"), ("b", b"2"), ("c", b"3"), ("d", b"4")],
        Method::Deflated,
    );
    let outer = zip(
        &[("x.jar", &inner[..]), ("y.jar", &inner[..]), ("z", b"")],
        Method::Stored,
    );
    let limits = Limits {
        max_entries: 10,
        ..Limits::default()
    };
    // 3 outer + 4 + 4 nested = 11.
    let err = java::parse_archive_with("o.jar", &outer, &limits).unwrap_err();
    assert!(
        matches!(err, LangError::TooManyEntries { limit: 10, .. }),
        "{err}"
    );
    let limits = Limits {
        max_entries: 11,
        ..Limits::default()
    };
    assert!(java::parse_archive_with("o.jar", &outer, &limits).is_ok());
}

/// A small random archive: entries with names that matter, bodies random or a nested archive.
fn arb_archive() -> impl Strategy<Value = Vec<u8>> {
    let names = prop::sample::select(vec![
        "META-INF/MANIFEST.MF",
        "META-INF/maven/g/a/pom.properties",
        "x/pom.properties",
        "lib/x-1.0.jar",
        "WEB-INF/lib/y.war",
        "a.ear",
        "C.class",
    ]);
    let body = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        "[a-zA-Z:= .\\-\\n\\r${}%]{0,200}".prop_map(String::into_bytes),
        Just(pom("g", "a", "1")),
        Just(
            b"Implementation-Title: t\nImplementation-Version: 1\nImplementation-Vendor-Id: v\n"
                .to_vec()
        ),
    ];
    let leaf = proptest::collection::vec((names.clone(), body.clone()), 0..6).prop_map(|es| {
        let named: Vec<(String, Vec<u8>)> = es
            .into_iter()
            .enumerate()
            .map(|(i, (n, b))| (format!("{i}/{n}"), b))
            .collect();
        let refs: Vec<(&str, &[u8])> = named.iter().map(|(n, b)| (n.as_str(), &b[..])).collect();
        zip(&refs, Method::Deflated)
    });
    (
        proptest::collection::vec((names, body), 0..6),
        leaf,
        any::<bool>(),
    )
        .prop_map(|(es, nested, stored)| {
            let mut named: Vec<(String, Vec<u8>)> = es
                .into_iter()
                .enumerate()
                .map(|(i, (n, b))| {
                    (
                        if i == 0 {
                            n.to_owned()
                        } else {
                            format!("{i}/{n}")
                        },
                        b,
                    )
                })
                .collect();
            named.push(("lib/nested-2.0.jar".to_owned(), nested));
            let refs: Vec<(&str, &[u8])> =
                named.iter().map(|(n, b)| (n.as_str(), &b[..])).collect();
            zip(
                &refs,
                if stored {
                    Method::Stored
                } else {
                    Method::Deflated
                },
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = java::fuzz(&bytes);
        let _ = fuzz_all(&bytes);
    }

    /// Well-formed random archives always parse; mutated ones never panic.
    #[test]
    fn random_archives_parse_and_mutations_never_panic(
        archive in arb_archive(),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..12),
        cut in any::<usize>(),
    ) {
        prop_assert!(java::parse_archive("r-1.0.jar", &archive).is_ok());
        let mut b = archive.clone();
        let len = b.len().max(1);
        for (pos, byte) in flips {
            if let Some(x) = b.get_mut(pos % len) {
                *x = byte;
            }
        }
        let _ = java::fuzz(&b);
        b.truncate(cut % (len + 1));
        let _ = java::fuzz(&b);
    }
}

/// Mutated shared jars (byte flips, truncations) through the fuzz body.
#[test]
fn mutated_fixture_jars_never_panic() {
    let Some(dir) = bosun_testdata::path("data/app-deps/java") else {
        return;
    };
    let jars: Vec<Vec<u8>> = ["guava-31.1-jre.jar", "io.quarkus.gizmo.gizmo-1.1.jar"]
        .iter()
        .map(|n| std::fs::read(dir.join(n)).unwrap())
        .collect();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 32,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &(
                0..jars.len(),
                proptest::collection::vec((any::<usize>(), any::<u8>()), 0..16),
                any::<usize>(),
            ),
            |(i, flips, cut)| {
                let mut b = jars[i].clone();
                let len = b.len().max(1);
                // Flip bytes near the end too, where the central directory is.
                for (k, (pos, byte)) in flips.into_iter().enumerate() {
                    let at = if k % 2 == 0 {
                        pos % len
                    } else {
                        len - 1 - pos % len.min(4096)
                    };
                    if let Some(x) = b.get_mut(at) {
                        *x = byte;
                    }
                }
                let _ = java::fuzz(&b);
                b.truncate(cut % (len + 1));
                let _ = java::fuzz(&b);
                Ok(())
            },
        )
        .unwrap();
}
