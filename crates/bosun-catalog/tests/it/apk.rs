//! apk: every `installed` fixture against an independent reading done here (a plain scan of
//! the `P:`, `V:`, `A:` lines, record by record), and the real Alpine minirootfs tarballs
//! end to end (OS, ecosystem, purls).

use bosun_catalog::apk::parse_installed;
use bosun_catalog::inventory::build;
use bosun_inventory::SourceInfo;

use crate::support::{layer, tar_gz_layer};

/// The oracle: (P, V, A) of every blank-line-separated record whose lines are all `X:...`.
fn scan(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for record in text.replace("\r\n", "\n").split("\n\n") {
        let lines: Vec<&str> = record.lines().filter(|l| !l.trim().is_empty()).collect();
        if lines.is_empty() || lines.iter().any(|l| l.as_bytes().get(1) != Some(&b':')) {
            continue;
        }
        let get = |k: &str| {
            lines
                .iter()
                .find_map(|l| l.strip_prefix(k))
                .unwrap_or("")
                .to_owned()
        };
        out.push((get("P:"), get("V:"), get("A:")));
    }
    out
}

#[test]
fn every_installed_fixture_matches_the_scan() {
    let dir = bosun_testdata::require!("data/alpine/installed");
    let mut total = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let db = parse_installed(&bytes).unwrap();
        let got: Vec<(String, String, String)> = db
            .entries
            .iter()
            .map(|e| {
                (
                    e.name.clone(),
                    e.version.clone(),
                    e.arch.clone().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(got, scan(&text), "{}", p.display());
        let p_lines = text.lines().filter(|l| l.starts_with("P:")).count();
        if db.skipped.is_empty() {
            assert_eq!(got.len(), p_lines, "{}", p.display());
        }
        total += got.len();
    }
    assert_eq!(
        total, 66,
        "sum of P: lines over the 11 fixtures (the corrupt one has one good record)"
    );
}

#[test]
fn corrupt_installed_is_a_diagnostic_not_a_failure() {
    let p = bosun_testdata::require!("data/alpine/installed/syft-corrupt.installed");
    let bytes = std::fs::read(p).unwrap();
    let inv = build(
        &[layer(0, &[("lib/apk/db/installed", &bytes)], &[])],
        SourceInfo::default(),
        Vec::new(),
    );
    let d: Vec<_> = inv
        .diagnostics
        .iter()
        .filter(|d| d.source == "apk")
        .collect();
    assert_eq!(d.len(), 1, "{:?}", inv.diagnostics);
    assert_eq!(d[0].path.as_deref(), Some("/lib/apk/db/installed"));
    // The well-formed record after the junk still counts.
    assert_eq!(inv.packages.len(), 1);
}

#[test]
fn minirootfs_tarballs_end_to_end() {
    for (tarball, installed, version, eco) in [
        (
            "alpine-minirootfs-3.20.3-x86_64.tar.gz",
            "alpine-3.20.3-x86_64.installed",
            "3.20.3",
            "Alpine:v3.20",
        ),
        (
            "alpine-minirootfs-3.12.12-x86_64.tar.gz",
            "alpine-3.12.12-x86_64.installed",
            "3.12.12",
            "Alpine:v3.12",
        ),
    ] {
        let t = bosun_testdata::require!(&format!("data/alpine/minirootfs/{tarball}"));
        let i = bosun_testdata::require!(&format!("data/alpine/installed/{installed}"));
        let walk = tar_gz_layer(&t);
        let inv = build(&[walk], SourceInfo::default(), Vec::new());
        let os = inv.os.as_ref().unwrap();
        assert_eq!(
            (os.id.as_str(), os.version_id.as_deref()),
            ("alpine", Some(version))
        );
        let mut want = scan(&std::fs::read_to_string(i).unwrap());
        want.sort();
        let got: Vec<(String, String, String)> = inv
            .packages
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.version.clone(),
                    p.arch.clone().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(got, want, "{tarball}");
        assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
        for p in &inv.packages {
            assert_eq!(p.ecosystem.as_deref(), Some(eco));
            assert_eq!(
                p.purl,
                format!(
                    "pkg:apk/alpine/{}@{}?arch=x86_64&distro={version}",
                    p.name, p.version
                )
            );
            assert_eq!(p.locations, ["/lib/apk/db/installed"]);
            assert!(
                p.source_name.is_some() && !p.licenses.is_empty(),
                "{}",
                p.name
            );
            assert!(p.files.iter().all(|f| f.starts_with('/')));
        }
        let busybox = inv.packages.iter().find(|p| p.name == "busybox").unwrap();
        assert!(busybox.files.iter().any(|f| f == "/bin/busybox"));
    }
}

#[test]
fn minirootfs_directory_through_the_image_walk() {
    let t =
        bosun_testdata::require!("data/alpine/minirootfs/alpine-minirootfs-3.20.3-x86_64.tar.gz");
    let i = bosun_testdata::require!("data/alpine/installed/alpine-3.20.3-x86_64.installed");
    let dir = tempfile::tempdir().unwrap();
    tar::Archive::new(flate2::read::GzDecoder::new(
        std::fs::File::open(t).unwrap(),
    ))
    .unpack(dir.path())
    .unwrap();
    let src = bosun_image::Source::Dir(dir.path().to_path_buf());
    let image = bosun_image::Image::open(&src, &bosun_image::OpenOptions::default()).unwrap();
    let inv = bosun_catalog::catalog(&image).unwrap();
    assert_eq!(inv.os.as_ref().map(|o| o.id.as_str()), Some("alpine"));
    let mut want = scan(&std::fs::read_to_string(i).unwrap());
    want.sort();
    let got: Vec<(String, String, String)> = inv
        .packages
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.version.clone(),
                p.arch.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert!(
        inv.packages
            .iter()
            .all(|p| p.layer.index == 0 && p.layer.diff_id.is_none())
    );
}
