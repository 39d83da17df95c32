//! Root filesystem directories as one pseudo-layer.

use std::os::unix::fs::symlink;

use bosun_image::{EntryKind, FinalView, OpenOptions, Source};

use crate::common::open_walk;

#[test]
fn dir_source_records_links_without_following_them() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "outside").unwrap();
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    std::fs::create_dir_all(r.join("usr/lib")).unwrap();
    std::fs::create_dir_all(r.join("etc")).unwrap();
    std::fs::write(r.join("usr/lib/os-release"), "ID=test\n").unwrap();
    symlink("../usr/lib/os-release", r.join("etc/os-release")).unwrap();
    symlink(outside.path(), r.join("escape")).unwrap();
    symlink("../../../../../..", r.join("up")).unwrap();
    let src = Source::parse(r.to_str().unwrap()).unwrap();
    assert_eq!(src, Source::Dir(r.to_owned()));
    let (img, walks) = open_walk(&src, &OpenOptions::default()).unwrap();
    assert_eq!(img.layers().len(), 1);
    assert_eq!(img.layers()[0].diff_id, None);
    assert!(img.config().is_none());
    let paths: Vec<_> = walks[0]
        .index
        .entries
        .iter()
        .map(|e| e.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "escape",
            "etc",
            "etc/os-release",
            "up",
            "usr",
            "usr/lib",
            "usr/lib/os-release"
        ]
    );
    // Nothing outside the root was read.
    assert_eq!(walks[0].visitor.bodies.len(), 1);
    assert_eq!(walks[0].visitor.bodies["usr/lib/os-release"], b"ID=test\n");
    let e = &walks[0].index.entries[0];
    assert_eq!(
        e.kind,
        EntryKind::Symlink(outside.path().to_string_lossy().into_owned())
    );
    let view = FinalView::from_walks(&walks);
    assert_eq!(
        view.resolve("etc/os-release").unwrap(),
        Some(("usr/lib/os-release".into(), 0))
    );
    // `..` above the root clamps at the root, as in a chroot.
    assert_eq!(
        view.resolve("up/usr/lib/os-release").unwrap(),
        Some(("usr/lib/os-release".into(), 0))
    );
    // The absolute target is taken inside the image root, where it does not exist.
    assert_eq!(view.resolve("escape/secret").unwrap(), None);
}

#[test]
fn link_loops_are_errors() {
    let root = tempfile::tempdir().unwrap();
    symlink("b", root.path().join("a")).unwrap();
    symlink("a", root.path().join("b")).unwrap();
    symlink("self/x", root.path().join("self")).unwrap();
    let (_, walks) = open_walk(
        &Source::Dir(root.path().to_owned()),
        &OpenOptions::default(),
    )
    .unwrap();
    let view = FinalView::from_walks(&walks);
    for p in ["a", "b/c", "self"] {
        let err = view.resolve(p).unwrap_err();
        assert!(
            matches!(err, bosun_image::ImageError::LinkLoop { .. }),
            "{p}: {err}"
        );
    }
}
