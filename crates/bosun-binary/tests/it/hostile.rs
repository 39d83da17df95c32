//! Hostile input never panics: arbitrary bytes, and real executables with mutated headers,
//! sections and truncations, through every reader (`bosun_binary::fuzz::analyze_bytes`, the
//! body of the cargo-fuzz target too).

use proptest::prelude::*;

fn real(rel: &str) -> Option<Vec<u8>> {
    bosun_testdata::path(rel).map(|p| std::fs::read(p).unwrap())
}

/// Overwrites bytes at offsets drawn near interesting places: the headers at the start, and
/// the places where the readers look (the Go build info magic, the `.dep-v0` data).
fn mutate(mut b: Vec<u8>, edits: &[(usize, u8)], hot: &[usize], cut: Option<usize>) -> Vec<u8> {
    for (i, &(off, val)) in edits.iter().enumerate() {
        let base = if i % 2 == 0 {
            0
        } else {
            hot.get(i % hot.len().max(1)).copied().unwrap_or(0)
        };
        let at = (base + off % 4096) % b.len();
        b[at] = val;
    }
    if let Some(c) = cut {
        b.truncate(c % (b.len() + 1));
    }
    b
}

fn hot_spots(b: &[u8]) -> Vec<usize> {
    let mut hot = Vec::new();
    for needle in [&b"\xff Go buildinf:"[..], b".dep-v0", b".go.buildinfo"] {
        if let Some(i) = memchr_find(b, needle) {
            hot.push(i);
        }
    }
    hot.push(b.len() / 2);
    hot
}

fn memchr_find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        bosun_binary::fuzz::analyze_bytes(&bytes);
    }

    #[test]
    fn arbitrary_bytes_behind_each_magic_never_panic(
        magic in prop::sample::select(vec![
            b"\x7fELF\x02\x01\x01\x00".to_vec(), b"\x7fELF\x01\x02\x01\x00".to_vec(),
            b"MZ".to_vec(), vec![0xcf, 0xfa, 0xed, 0xfe], vec![0xfe, 0xed, 0xfa, 0xce],
        ]),
        rest in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut b = magic;
        b.extend_from_slice(&rest);
        bosun_binary::fuzz::analyze_bytes(&b);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn mutated_real_executables_never_panic(
        which in 0usize..3,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..24),
        cut in proptest::option::weighted(0.3, any::<usize>()),
    ) {
        let rel = [
            "data/app-deps/binaries/go/trivy-test.elf",
            "data/app-deps/binaries/go/osv-scalibr-binary_with_module_replacement-linux-amd64",
            "data/app-deps/binaries/rust-cargo-auditable/osv-scalibr-uses_serde_json",
        ][which];
        let Some(orig) = real(rel) else { return Ok(()) };
        let hot = hot_spots(&orig);
        let b = mutate(orig, &edits, &hot, cut);
        bosun_binary::fuzz::analyze_bytes(&b);
    }
}

#[test]
fn go_build_info_with_huge_declared_lengths_is_refused_without_allocating() {
    // A Go 1.18+ header whose first inline string claims 2^62 bytes, inside a minimal ELF
    // (the real binary with its .go.buildinfo section rewritten).
    let Some(mut b) =
        real("data/app-deps/binaries/go/osv-scalibr-binary_with_module_replacement-linux-amd64")
    else {
        return;
    };
    let at = memchr_find(&b, b"\xff Go buildinf:").unwrap();
    assert_eq!(b[at + 15] & 2, 2, "inline layout");
    b[at + 32..at + 41].copy_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f]);
    let err = bosun_binary::go::build_info(&b).unwrap_err();
    assert!(
        matches!(err, bosun_binary::BinaryError::TooLarge { .. }),
        "{err}"
    );
    // analyze fails the whole file, as documented.
    assert!(bosun_binary::analyze("usr/bin/app", &b).is_err());
}
