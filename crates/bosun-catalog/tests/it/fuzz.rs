//! The fuzz target bodies, run as property tests on stable: random bytes and mutated real
//! inputs never panic.

use bosun_catalog::fuzzing;
use proptest::prelude::*;

fn seeds() -> Vec<Vec<u8>> {
    let Some(shared) = bosun_testdata::shared() else {
        return vec![b"Package: a\nVersion: 1\n".to_vec()];
    };
    [
        "data/dpkg/debian-generated/bookworm-minbase-amd64/status",
        "data/dpkg/debian-generated/bookworm-minbase-amd64/os-release",
        "data/alpine/installed/alpine-3.20.3-x86_64.installed",
        "data/dpkg/status.d-syft/single",
    ]
    .iter()
    .map(|r| {
        let b = std::fs::read(shared.join(r)).unwrap();
        b[..b.len().min(6000)].to_vec()
    })
    .collect()
}

fn all(bytes: &[u8]) {
    fuzzing::dpkg_status(bytes);
    fuzzing::apk_installed(bytes);
    fuzzing::os_release(bytes);
    fuzzing::copyright(bytes);
    fuzzing::loader_files(bytes);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        all(&bytes);
    }

    #[test]
    fn random_text_never_panics(text in "[A-Za-z:\\- \t\r\n().+~#'\"\\\\=0-9]{0,512}") {
        all(text.as_bytes());
    }

    #[test]
    fn mutated_real_inputs_never_panic(
        seed in 0usize..4,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..32),
        cut in any::<usize>(),
    ) {
        let mut bytes = seeds()[seed % seeds().len()].clone();
        for (at, b) in edits {
            if !bytes.is_empty() {
                let i = at % bytes.len();
                bytes[i] = b;
            }
        }
        let keep = if bytes.is_empty() { 0 } else { cut % bytes.len() };
        bytes.truncate(keep.max(bytes.len() / 2));
        all(&bytes);
    }
}
