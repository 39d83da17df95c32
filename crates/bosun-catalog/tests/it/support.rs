//! Helpers: hand-made layer walks, a tar.gz rootfs read as one layer, dpkg-query as oracle.

use std::io::Read;
use std::path::Path;
use std::process::Command;

use bosun_catalog::CatalogVisitor;
use bosun_catalog::visitor::FileKind;
use bosun_image::{EntryKind, IndexEntry, LayerIndex, LayerMeta, LayerWalk};

pub(crate) fn meta(index: usize) -> LayerMeta {
    LayerMeta {
        index,
        diff_id: Some(format!("sha256:{index:064x}")),
    }
}

pub(crate) fn file_entry(path: &str, size: u64) -> IndexEntry {
    IndexEntry {
        path: path.into(),
        kind: EntryKind::File,
        size,
        mode: 0o644,
    }
}

/// One layer holding the given files (bodies parsed as the walker would hand them over),
/// plus whiteouts.
pub(crate) fn layer(
    index: usize,
    files: &[(&str, &[u8])],
    whiteouts: &[&str],
) -> LayerWalk<CatalogVisitor> {
    let mut visitor = CatalogVisitor::new(meta(index));
    let mut entries = Vec::new();
    for (path, body) in files {
        entries.push(file_entry(path, body.len() as u64));
        if let Some(kind) = FileKind::of(path) {
            visitor.accept(path, kind, body);
        }
    }
    LayerWalk {
        meta: meta(index),
        index: LayerIndex {
            entries,
            whiteouts: whiteouts.iter().map(|s| (*s).to_owned()).collect(),
            opaque_dirs: Vec::new(),
        },
        visitor,
    }
}

/// Reads a root filesystem tarball as one layer, handing wanted files to the visitor the way
/// the image walker does (normalized paths, symlinks in the index).
pub(crate) fn tar_gz_layer(path: &Path) -> LayerWalk<CatalogVisitor> {
    use bosun_image::{EntryMeta, LayerVisitor};
    let f = std::fs::File::open(path).unwrap();
    let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(f));
    let mut visitor = CatalogVisitor::new(meta(0));
    let mut entries = Vec::new();
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        let raw = e.path().unwrap().to_string_lossy().into_owned();
        let p = raw
            .trim_start_matches("./")
            .trim_end_matches('/')
            .to_owned();
        if p.is_empty() {
            continue;
        }
        let et = e.header().entry_type();
        let kind = if et.is_dir() {
            EntryKind::Dir
        } else if et.is_symlink() {
            EntryKind::Symlink(
                e.link_name()
                    .unwrap()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            )
        } else if et.is_file() {
            EntryKind::File
        } else {
            EntryKind::Other
        };
        let size = e.size();
        if kind == EntryKind::File {
            let m = EntryMeta {
                path: &p,
                size,
                mode: 0o644,
                kind: &kind,
            };
            if visitor.wants(&m) {
                let mut body: &mut dyn Read = &mut e;
                visitor.visit(&m, &mut body);
            }
        }
        entries.push(IndexEntry {
            path: p,
            kind,
            size,
            mode: 0o644,
        });
    }
    LayerWalk {
        meta: meta(0),
        index: LayerIndex {
            entries,
            ..LayerIndex::default()
        },
        visitor,
    }
}

/// `(package, version, arch, source, source version)` of installed packages according to
/// dpkg-query run on a copy of `status`; `None` when dpkg-query is missing or refuses the file.
pub(crate) fn dpkg_query(status: &[u8]) -> Option<Vec<[String; 5]>> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("status"), status).unwrap();
    std::fs::write(dir.path().join("available"), b"").unwrap();
    std::fs::create_dir(dir.path().join("updates")).unwrap();
    let out = Command::new("dpkg-query")
        .arg(format!("--admindir={}", dir.path().display()))
        .args([
            "-W",
            "-f",
            "${Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\t${source:Version}\\t${db:Status-Abbrev}\\n",
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(rows(&String::from_utf8_lossy(&out.stdout)))
}

/// Installed rows of a dpkg-query `-W` listing (Status-Abbrev `ii`/`hi`) as sorted 5-tuples.
pub(crate) fn rows(text: &str) -> Vec<[String; 5]> {
    let mut v: Vec<[String; 5]> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let abbrev = f.get(5)?.trim();
            abbrev
                .ends_with('i')
                .then(|| [f[0], f[1], f[2], f[3], f[4]].map(str::to_owned))
        })
        .collect();
    v.sort();
    v
}

pub(crate) fn have_dpkg_query() -> bool {
    let ok = Command::new("dpkg-query")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("BOSUN_REQUIRE_TESTDATA").is_none(),
            "dpkg-query is needed as the oracle for dpkg tests"
        );
        eprintln!("skipped: dpkg-query not installed");
    }
    ok
}
