//! Loaded / not loaded (bosun#9), end to end: real ELF files compiled here with the host's C
//! compiler, registered by a dpkg database, scanned from an OCI image with and without the
//! layer cache.

#![allow(clippy::unwrap_used, clippy::print_stderr)] // tests: unwrap is the assertion; skip notices go to stderr

use std::fs;
use std::path::Path;
use std::process::Command;

use bosun_image::{Image, OpenOptions, Source};
use bosun_inventory::Inventory;
use bosun_scan::bosun_cache::Cache;
use bosun_scan::{Scanners, scan, scan_cached};
use bosun_testkit::{ImageBuilder, LayerBuilder};

const LIBDIR: &str = "usr/lib/x86_64-linux-gnu";

/// The compiled objects: `app` links `libfoo.so.1` (soname of `libfoo.so.1.2.3`);
/// `libunused.so.1` is linked by nothing; `libdep.so.2` is needed by `libfoo` only.
struct Objects {
    app: Vec<u8>,
    libfoo: Vec<u8>,
    libdep: Vec<u8>,
    libunused: Vec<u8>,
}

fn cc(dir: &Path, args: &[&str]) -> bool {
    Command::new("cc")
        .current_dir(dir)
        .args(args)
        .status()
        .is_ok_and(|s| s.success())
}

/// Compiles the objects; `None` (with a message) when no C compiler is there, a failure when
/// `BOSUN_REQUIRE_TESTDATA=1` asks for every test to run.
fn compile() -> Option<Objects> {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::write(d.join("dep.c"), "int dep(void) { return 2; }\n").unwrap();
    fs::write(
        d.join("foo.c"),
        "int dep(void);\nint foo(void) { return 40 + dep(); }\n",
    )
    .unwrap();
    fs::write(d.join("unused.c"), "int unused(void) { return 7; }\n").unwrap();
    fs::write(
        d.join("app.c"),
        "int foo(void);\nint main(void) { return foo() == 42 ? 0 : 1; }\n",
    )
    .unwrap();
    let ok = cc(
        d,
        &[
            "-shared",
            "-fPIC",
            "-Wl,-soname,libdep.so.2",
            "-o",
            "libdep.so.2",
            "dep.c",
        ],
    ) && cc(
        d,
        &[
            "-shared",
            "-fPIC",
            "-Wl,-soname,libfoo.so.1",
            "-o",
            "libfoo.so.1.2.3",
            "foo.c",
            "./libdep.so.2",
        ],
    ) && cc(
        d,
        &[
            "-shared",
            "-fPIC",
            "-Wl,-soname,libunused.so.1",
            "-o",
            "libunused.so.1",
            "unused.c",
        ],
    ) && {
        // Linking by soname needs the soname link at link time, as in a real build.
        std::os::unix::fs::symlink("libfoo.so.1.2.3", d.join("libfoo.so")).is_ok()
            && cc(
                d,
                &["-o", "app", "app.c", "-L.", "-lfoo", "-Wl,-rpath-link,."],
            )
    };
    if !ok {
        assert!(
            std::env::var_os("BOSUN_REQUIRE_TESTDATA").is_none_or(|v| v != "1"),
            "a C compiler (cc) is required with BOSUN_REQUIRE_TESTDATA=1"
        );
        eprintln!("skipped: no working C compiler (cc) to build the test's ELF files");
        return None;
    }
    let read = |n: &str| fs::read(d.join(n)).unwrap();
    Some(Objects {
        app: read("app"),
        libfoo: read("libfoo.so.1.2.3"),
        libdep: read("libdep.so.2"),
        libunused: read("libunused.so.1"),
    })
}

fn status_entry(name: &str) -> String {
    format!(
        "Package: {name}\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: t <t@example.org>\nDescription: x\n\n"
    )
}

/// Base layer: usrmerge (`lib -> usr/lib`), the libraries installed `0644` as Debian does,
/// the soname link, and the dpkg database. The `.list` files name paths through `/lib`.
fn base(o: &Objects, l: LayerBuilder) -> LayerBuilder {
    let status: String = ["libfoo1", "libdep2", "libunused1", "app", "app-data"]
        .iter()
        .map(|n| status_entry(n))
        .collect();
    l.file("etc/os-release", "ID=debian\nVERSION_ID=12\n")
        .symlink("lib", "usr/lib")
        .file_mode(&format!("{LIBDIR}/libfoo.so.1.2.3"), &o.libfoo, 0o644)
        .symlink(&format!("{LIBDIR}/libfoo.so.1"), "libfoo.so.1.2.3")
        .file_mode(&format!("{LIBDIR}/libdep.so.2"), &o.libdep, 0o644)
        .file_mode(&format!("{LIBDIR}/libunused.so.1"), &o.libunused, 0o644)
        .file("usr/share/app/data.txt", "data\n")
        .file("var/lib/dpkg/status", status)
        .file(
            "var/lib/dpkg/info/libfoo1:amd64.list",
            "/.\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libfoo.so.1.2.3\n/lib/x86_64-linux-gnu/libfoo.so.1\n",
        )
        .file(
            "var/lib/dpkg/info/libdep2:amd64.list",
            "/usr/lib/x86_64-linux-gnu/libdep.so.2\n",
        )
        .file(
            "var/lib/dpkg/info/libunused1:amd64.list",
            "/.\n/usr/lib/x86_64-linux-gnu/libunused.so.1\n",
        )
        .file("var/lib/dpkg/info/app:amd64.list", "/usr/bin/app\n")
        .file(
            "var/lib/dpkg/info/app-data:amd64.list",
            "/usr/share/app/data.txt\n",
        )
}

fn image(o: &Objects, remove_app: bool) -> ImageBuilder {
    let b = ImageBuilder::new()
        .layer(|l| base(o, l))
        .layer(|l| l.file_mode("usr/bin/app", &o.app, 0o755));
    if remove_app {
        b.layer(|l| l.whiteout("usr/bin/app"))
    } else {
        b
    }
}

fn loaded(inv: &Inventory, name: &str) -> Option<bool> {
    inv.packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} not in the inventory"))
        .loaded
}

fn open(oci: &Path) -> Image {
    Image::open(&Source::OciDir(oci.to_owned()), &OpenOptions::default()).unwrap()
}

#[test]
fn linked_library_through_soname_symlink_is_loaded_and_unlinked_one_is_not() {
    let Some(o) = compile() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("img");
    image(&o, false).write_oci_dir(&oci).unwrap();
    let inv = scan(&open(&oci), &Scanners::default()).unwrap();
    assert_eq!(loaded(&inv, "app"), Some(true), "ships an executable");
    assert_eq!(
        loaded(&inv, "libfoo1"),
        Some(true),
        "linked as libfoo.so.1 -> libfoo.so.1.2.3"
    );
    assert_eq!(loaded(&inv, "libdep2"), Some(true), "linked through libfoo");
    assert_eq!(loaded(&inv, "libunused1"), Some(false), "linked by nothing");
    assert_eq!(loaded(&inv, "app-data"), None, "no ELF file");
}

#[test]
fn libraries_are_not_loaded_once_a_later_layer_deletes_their_only_user() {
    let Some(o) = compile() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("img");
    image(&o, true).write_oci_dir(&oci).unwrap();
    let inv = scan(&open(&oci), &Scanners::default()).unwrap();
    assert_eq!(loaded(&inv, "libfoo1"), Some(false));
    assert_eq!(loaded(&inv, "libdep2"), Some(false));
    // The executable is gone from the final filesystem: no ELF file of the package is left.
    assert_eq!(loaded(&inv, "app"), None);
}

#[test]
fn cached_rescan_gives_the_same_load_states() {
    let Some(o) = compile() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("img");
    image(&o, false).write_oci_dir(&oci).unwrap();
    let cache = Cache::open(&tmp.path().join("cache"), 1 << 30).unwrap();
    let uncached = scan(&open(&oci), &Scanners::default()).unwrap();
    let (first, s1) = scan_cached(&open(&oci), &Scanners::default(), &cache, None).unwrap();
    let (second, s2) = scan_cached(&open(&oci), &Scanners::default(), &cache, None).unwrap();
    assert_eq!((s1.hits, s2.hits, s2.misses), (0, 2, 0));
    assert_eq!(first, uncached);
    assert_eq!(second, uncached);
    let states = |inv: &Inventory| -> Vec<(String, Option<bool>)> {
        inv.packages
            .iter()
            .map(|p| (p.name.clone(), p.loaded))
            .collect()
    };
    assert_eq!(states(&second), states(&uncached));
    assert_eq!(loaded(&second, "libunused1"), Some(false));
    assert_eq!(loaded(&second, "libfoo1"), Some(true));
}

/// libfoo and libdep outside the default directories, in `/opt/foo/lib`, with how the image
/// tells the loader about it.
fn opt_image(o: &Objects, how: &str) -> ImageBuilder {
    let status: String = ["libfoo1", "app"].iter().map(|n| status_entry(n)).collect();
    let b = ImageBuilder::new().layer(|l| {
        let l = l
            .file("etc/os-release", "ID=debian\nVERSION_ID=12\n")
            .file_mode("opt/foo/lib/libfoo.so.1.2.3", &o.libfoo, 0o644)
            .symlink("opt/foo/lib/libfoo.so.1", "libfoo.so.1.2.3")
            .file_mode("opt/foo/lib/libdep.so.2", &o.libdep, 0o644)
            .file_mode("usr/bin/app", &o.app, 0o755)
            .file("var/lib/dpkg/status", status)
            .file(
                "var/lib/dpkg/info/libfoo1:amd64.list",
                "/opt/foo/lib/libfoo.so.1.2.3\n/opt/foo/lib/libfoo.so.1\n/opt/foo/lib/libdep.so.2\n",
            )
            .file("var/lib/dpkg/info/app:amd64.list", "/usr/bin/app\n");
        if how == "ld.so.conf" {
            l.file("etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n")
                .file("etc/ld.so.conf.d/foo.conf", "# foo\n/opt/foo/lib\n")
        } else {
            l
        }
    });
    if how == "env" {
        b.env("LD_LIBRARY_PATH=/opt/foo/lib")
    } else {
        b
    }
}

#[test]
fn libraries_outside_default_dirs_are_found_through_ld_so_conf_includes_or_ld_library_path() {
    let Some(o) = compile() else { return };
    let tmp = tempfile::tempdir().unwrap();
    for (how, want) in [
        ("ld.so.conf", Some(true)),
        ("env", Some(true)),
        ("nothing", Some(false)),
    ] {
        let oci = tmp.path().join(how);
        opt_image(&o, how).write_oci_dir(&oci).unwrap();
        let inv = scan(&open(&oci), &Scanners::default()).unwrap();
        assert_eq!(loaded(&inv, "libfoo1"), want, "{how}");
        assert_eq!(loaded(&inv, "app"), Some(true), "{how}");
    }
}
