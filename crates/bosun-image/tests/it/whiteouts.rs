//! Whiteouts and opaque directories across layers of a real image layout.

use bosun_image::{FinalView, OpenOptions, Source};
use bosun_testkit::{Compression, ImageBuilder};

use crate::common::open_walk;

#[test]
fn whiteouts_and_opaque_dirs_apply_bottom_up() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("w.tar");
    ImageBuilder::new()
        .layer(|l| {
            l.dir("etc")
                .file("etc/keep", "1")
                .file("etc/gone", "1")
                .dir("var/cache")
                .file("var/cache/a", "1")
                .file("var/cache/sub/b", "1")
                .dir("opt/tool")
                .file("opt/tool/x", "1")
        })
        .layer(|l| {
            l.compression(Compression::Gzip)
                .whiteout("etc/gone")
                .opaque("var/cache")
                .file("var/cache/c", "2")
                .whiteout("opt/tool")
        })
        .layer(|l| l.compression(Compression::Zstd).file("etc/gone", "3"))
        .write_oci_archive(&p)
        .unwrap();
    let (_, walks) = open_walk(&Source::OciArchive(p), &OpenOptions::default()).unwrap();
    assert_eq!(walks[1].index.whiteouts, ["etc/gone", "opt/tool"]);
    assert_eq!(walks[1].index.opaque_dirs, ["var/cache"]);
    // Markers are not entries.
    assert!(
        walks[1]
            .index
            .entries
            .iter()
            .all(|e| !e.path.contains(".wh."))
    );
    let view = FinalView::from_walks(&walks);
    let visible: Vec<_> = view.iter().map(|(l, e)| (l, e.path.as_str())).collect();
    assert_eq!(
        visible,
        [
            (0, "etc"),
            (2, "etc/gone"),
            (0, "etc/keep"),
            (0, "var/cache"),
            (1, "var/cache/c"),
        ]
    );
    assert!(view.present_in_final(2, "etc/gone"));
    assert!(!view.present_in_final(0, "etc/gone"));
    assert!(!view.present_in_final(0, "var/cache/a"));
    assert!(view.get("opt/tool/x").is_none());
}
