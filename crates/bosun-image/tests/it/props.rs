//! The fuzz target bodies on random and mutated inputs: they never panic.

use std::sync::OnceLock;

use bosun_image::fuzzing;
use bosun_testkit::{Compression, DockerLayout, ImageBuilder};
use proptest::prelude::*;

/// Small valid archives to mutate.
fn seeds() -> &'static Vec<Vec<u8>> {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut out = Vec::new();
        for (i, c) in [Compression::Plain, Compression::Gzip, Compression::Zstd]
            .into_iter()
            .enumerate()
        {
            let b = ImageBuilder::new()
                .layer(|l| {
                    l.compression(c)
                        .file("etc/os-release", "ID=x\n")
                        .symlink("lib", "usr/lib")
                        .hardlink("h", "etc/os-release")
                })
                .layer(|l| l.compression(c).whiteout("lib").opaque("etc"));
            let p = dir.path().join(format!("{i}-d.tar"));
            b.write_docker_archive(&p).unwrap();
            out.push(std::fs::read(&p).unwrap());
            let p = dir.path().join(format!("{i}-o.tar"));
            b.clone()
                .docker_layout(DockerLayout::Oci)
                .write_docker_archive(&p)
                .unwrap();
            out.push(std::fs::read(&p).unwrap());
            let p = dir.path().join(format!("{i}-oci.tar"));
            b.write_oci_archive(&p).unwrap();
            out.push(std::fs::read(&p).unwrap());
        }
        out
    })
}

#[test]
fn seeds_open_and_walk() {
    for s in seeds() {
        assert!(fuzzing::archive(s) >= 1);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
        fuzzing::json(&data);
        fuzzing::archive(&data);
        fuzzing::final_view(&data);
    }

    #[test]
    fn mutated_archives_never_panic(
        seed in 0usize..9,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        do_cut in any::<bool>(),
    ) {
        let mut data = seeds()[seed % seeds().len()].clone();
        for (at, byte) in flips {
            let i = at.index(data.len());
            data[i] = byte;
        }
        if do_cut {
            data.truncate(cut.index(data.len()));
        }
        fuzzing::archive(&data);
    }

    #[test]
    fn random_link_graphs_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzzing::final_view(&data);
    }

    #[test]
    fn random_json_shapes_never_panic(s in "[\\[\\]{}:,\" a-zA-Z0-9_.-]{0,200}") {
        fuzzing::json(s.as_bytes());
    }
}
