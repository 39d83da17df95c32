//! The bodies of the fuzz targets (`fuzz/fuzz_targets/*`), public so that the property tests
//! run the same code on stable. Each parses arbitrary bytes and checks what must hold.

use bosun_image::LayerMeta;

use crate::visitor::{CatalogVisitor, FileKind};
use crate::{apk, copyright, dpkg, os_release};

/// dpkg status parser, then the same bytes as a database copy in a visitor.
pub fn dpkg_status(bytes: &[u8]) {
    if let Ok(db) = dpkg::parse_status(bytes) {
        for e in db.installed() {
            assert!(!e.package.is_empty() && dpkg::valid_version(&e.version));
        }
    }
    let _ = dpkg::parse_list(bytes);
    let mut v = CatalogVisitor::new(LayerMeta {
        index: 0,
        diff_id: None,
    });
    v.accept("var/lib/dpkg/status", FileKind::DpkgStatus, bytes);
    assert_eq!(v.dbs.len(), 1);
}

/// apk installed parser.
pub fn apk_installed(bytes: &[u8]) {
    if let Ok(db) = apk::parse_installed(bytes) {
        for e in &db.entries {
            assert!(!e.name.is_empty() && !e.version.is_empty());
            assert!(e.files.iter().all(|f| f.starts_with('/')));
        }
    }
}

/// os-release parser and every fallback reader.
pub fn os_release(bytes: &[u8]) {
    if let Some(os) = os_release::parse(bytes, "etc/os-release") {
        assert!(!os.id.is_empty());
    }
    for (path, kind) in os_release::FALLBACKS {
        let _ = os_release::parse_fallback(bytes, *kind, path);
    }
}

/// DEP-5 copyright license extraction.
pub fn copyright(bytes: &[u8]) {
    let names = copyright::licenses(bytes);
    assert!(names.len() <= 256);
    assert!(names.iter().all(|n| !n.is_empty()));
}

/// The loader's configuration files and a shared object, as a layer hands them over: never
/// panics, keeps at most one entry per path, and keeps a musl path file's directories bounded.
pub fn loader_files(bytes: &[u8]) {
    let mut v = CatalogVisitor::new(LayerMeta {
        index: 0,
        diff_id: None,
    });
    for path in [
        crate::visitor::LD_SO_CACHE,
        crate::visitor::LD_SO_CONF,
        "etc/ld.so.conf.d/x.conf",
        "etc/ld-musl-x86_64.path",
    ] {
        v.accept(path, FileKind::Loader, bytes);
    }
    assert!(v.loader.len() <= 4);
    if let Some(crate::visitor::LoaderFile::MuslPath(dirs)) =
        v.loader.get("etc/ld-musl-x86_64.path")
    {
        assert!(dirs.len() <= 1024);
    }
    v.accept("usr/lib/libx.so.1", FileKind::Library, bytes);
    let mut elf = b"\x7fELF".to_vec();
    elf.extend_from_slice(bytes);
    v.accept("usr/lib/liby.so.1", FileKind::Library, &elf);
    assert!(v.elf.len() <= 2);
    let _ = crate::links::glob_match_for_fuzz(bytes, bytes);
}
