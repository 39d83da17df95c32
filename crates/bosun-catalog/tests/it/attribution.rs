//! Layer attribution on hand-made layer walks (the rule: the lowest layer from which every
//! later copy of the database still listed the package).

use bosun_catalog::inventory::build;
use bosun_inventory::{Inventory, SourceInfo};

use crate::support::layer;

fn status(pkgs: &[(&str, &str)]) -> Vec<u8> {
    let mut s = String::new();
    for (n, v) in pkgs {
        s.push_str(&format!(
            "Package: {n}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {v}\n\n"
        ));
    }
    s.into_bytes()
}

fn layers_of(inv: &Inventory) -> Vec<(String, String, usize)> {
    inv.packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone(), p.layer.index))
        .collect()
}

const S: &str = "var/lib/dpkg/status";

#[test]
fn add_upgrade_remove_across_three_layers() {
    let l0 = status(&[("base", "1"), ("gone", "1"), ("old", "1")]);
    // Layer 1 adds `new` and upgrades `old`.
    let l1 = status(&[("base", "1"), ("gone", "1"), ("new", "1"), ("old", "2")]);
    // Layer 2 removes `gone`.
    let l2 = status(&[("base", "1"), ("new", "1"), ("old", "2")]);
    let walks = [
        layer(0, &[(S, &l0)], &[]),
        layer(1, &[(S, &l1)], &[]),
        layer(2, &[(S, &l2)], &[]),
    ];
    let inv = build(&walks, SourceInfo::default(), Vec::new());
    assert_eq!(
        layers_of(&inv),
        [
            ("base".into(), "1".into(), 0),
            ("new".into(), "1".into(), 1),
            ("old".into(), "2".into(), 1),
        ]
    );
    assert_eq!(inv.packages[1].layer.diff_id, walks[1].meta.diff_id);
}

#[test]
fn layers_without_a_copy_do_not_break_the_chain() {
    let db = status(&[("base", "1")]);
    let walks = [
        layer(0, &[(S, &db)], &[]),
        layer(1, &[("etc/hostname", b"x")], &[]),
        layer(2, &[(S, &db)], &[]),
    ];
    let inv = build(&walks, SourceInfo::default(), Vec::new());
    assert_eq!(layers_of(&inv), [("base".into(), "1".into(), 0)]);
}

#[test]
fn database_deleted_then_recreated_attributes_to_recreation() {
    let db = status(&[("base", "1")]);
    let walks = [
        layer(0, &[(S, &db)], &[]),
        layer(1, &[], &["var/lib/dpkg"]),
        layer(2, &[(S, &db)], &[]),
    ];
    let inv = build(&walks, SourceInfo::default(), Vec::new());
    assert_eq!(layers_of(&inv), [("base".into(), "1".into(), 2)]);
}

#[test]
fn whited_out_database_leaves_no_packages() {
    let db = status(&[("base", "1")]);
    let walks = [layer(0, &[(S, &db)], &[]), layer(1, &[], &[S])];
    let inv = build(&walks, SourceInfo::default(), Vec::new());
    assert!(inv.packages.is_empty());
}

#[test]
fn corrupt_lower_copy_is_not_reported_once_replaced() {
    let good = status(&[("base", "1")]);
    let walks = [
        layer(0, &[(S, b"garbage line\n")], &[]),
        layer(1, &[(S, &good)], &[]),
    ];
    let inv = build(&walks, SourceInfo::default(), Vec::new());
    assert_eq!(layers_of(&inv), [("base".into(), "1".into(), 1)]);
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
}

#[test]
fn status_d_units_are_attributed_separately() {
    let a = status(&[("a", "1")]);
    let b = status(&[("b", "1")]);
    let walks = [
        layer(0, &[("var/lib/dpkg/status.d/a", &a)], &[]),
        layer(1, &[("var/lib/dpkg/status.d/b", &b)], &[]),
    ];
    let inv = build(&walks, SourceInfo::default(), Vec::new());
    assert_eq!(
        layers_of(&inv),
        [("a".into(), "1".into(), 0), ("b".into(), "1".into(), 1)]
    );
}

#[test]
fn dpkg_files_and_licenses_come_from_the_final_view() {
    let db = status(&[("curl", "7.88.1-10+deb12u5")]);
    let copyright = b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: curl\n\nFiles: lib/*\nLicense: ISC\n";
    let walks = [layer(
        0,
        &[
            (S, &db),
            (
                "var/lib/dpkg/info/curl:amd64.list",
                b"/.\n/usr\n/usr/bin/curl\n",
            ),
            ("usr/share/doc/curl/copyright", copyright),
        ],
        &[],
    )];
    let inv = build(&walks, SourceInfo::default(), Vec::new());
    let p = &inv.packages[0];
    assert_eq!(p.files, ["/usr", "/usr/bin/curl"]);
    assert_eq!(p.licenses, ["curl", "ISC"]);
}

/// Opens what the testkit wrote and catalogs it through the real image walk.
fn catalog_built(image: &bosun_testkit::ImageBuilder, oci: bool) -> Inventory {
    let dir = tempfile::tempdir().unwrap();
    let src = if oci {
        let p = dir.path().join("oci");
        image.write_oci_dir(&p).unwrap();
        bosun_image::Source::OciDir(p)
    } else {
        let p = dir.path().join("image.tar");
        image.write_docker_archive(&p).unwrap();
        bosun_image::Source::DockerArchive(p)
    };
    let opened = bosun_image::Image::open(&src, &bosun_image::OpenOptions::default()).unwrap();
    bosun_catalog::catalog(&opened).unwrap()
}

#[test]
fn three_layer_image_through_the_image_walk() {
    let osr = b"ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n";
    let l0 = status(&[("base", "1"), ("gone", "1")]);
    let l1 = status(&[("base", "1"), ("gone", "1"), ("new", "2")]);
    let l2 = status(&[("base", "1"), ("new", "2")]);
    let image = bosun_testkit::ImageBuilder::new()
        .layer(|l| {
            l.file("usr/lib/os-release", osr)
                .symlink("etc/os-release", "../usr/lib/os-release")
                .file(S, &l0)
                .file("var/lib/dpkg/info/gone.list", b"/usr/bin/gone\n")
        })
        .layer(|l| {
            l.file(S, &l1)
                .file("var/lib/dpkg/info/new.list", b"/usr/bin/new\n")
        })
        .layer(|l| l.file(S, &l2).whiteout("var/lib/dpkg/info/gone.list"));
    for oci in [false, true] {
        let inv = catalog_built(&image, oci);
        assert_eq!(inv.layers.len(), 3);
        assert_eq!(
            layers_of(&inv),
            [
                ("base".into(), "1".into(), 0),
                ("new".into(), "2".into(), 1)
            ]
        );
        for p in &inv.packages {
            assert_eq!(p.layer.diff_id, inv.layers[p.layer.index].diff_id);
            assert!(p.layer.diff_id.is_some());
            assert_eq!(p.ecosystem.as_deref(), Some("Debian:12"));
        }
        assert_eq!(inv.packages[1].files, ["/usr/bin/new"]);
        assert_eq!(
            inv.os.as_ref().map(|o| o.source_file.as_str()),
            Some("usr/lib/os-release")
        );
    }
}

#[test]
fn opaque_directory_replaces_the_apk_database() {
    let db = |pkgs: &[(&str, &str)]| {
        let mut s = String::new();
        for (n, v) in pkgs {
            s.push_str(&format!("P:{n}\nV:{v}\nA:x86_64\n\n"));
        }
        s.into_bytes()
    };
    let image = bosun_testkit::ImageBuilder::new()
        .layer(|l| {
            l.file("etc/os-release", b"ID=alpine\nVERSION_ID=3.20.3\n")
                .file(
                    "lib/apk/db/installed",
                    db(&[("musl", "1.2.5-r0"), ("zlib", "1.3.1-r1")]),
                )
        })
        .layer(|l| {
            l.opaque("lib/apk/db").file(
                "lib/apk/db/installed",
                db(&[("musl", "1.2.5-r0"), ("curl", "8.9.1-r0")]),
            )
        });
    let inv = catalog_built(&image, true);
    assert_eq!(
        layers_of(&inv),
        [
            ("curl".into(), "8.9.1-r0".into(), 1),
            ("musl".into(), "1.2.5-r0".into(), 0)
        ]
    );
    assert_eq!(
        inv.packages[1].purl,
        "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=3.20.3"
    );
}
