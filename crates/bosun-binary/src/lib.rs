//! Reads the executables found in container images and says what software they carry.
//!
//! This crate owns everything learned from a binary's bytes rather than from a package
//! database or a lockfile:
//!
//! - **Go build info** ([`go`]): the `.go.buildinfo` blob the Go linker writes into every
//!   module-aware executable, in both layouts: the pointer layout of Go 1.13–1.17 (the header
//!   holds addresses of Go string headers, resolved through the program's segments) and the
//!   inline layout of Go 1.18+ (varint-prefixed strings right after the header). ELF, PE and
//!   Mach-O (thin, not universal) executables are read.
//! - **Rust cargo-auditable data** ([`rust`]): the zlib-compressed JSON dependency list in the
//!   `.dep-v0` section.
//! - **Runtimes installed outside a package manager** ([`runtime`]): CPython, Node.js, the Go
//!   toolchain and JDK/JRE installations, identified from their files the way syft's binary
//!   classifiers and JVM `release` cataloger do.
//!
//! - **The dynamic link graph** ([`elf_links`]): each ELF file's `DT_NEEDED`, `DT_RPATH`,
//!   `DT_RUNPATH`, soname and interpreter; glibc's `ld.so.cache`; and a resolver that follows
//!   the loader's search order from every executable of the final filesystem, so that a
//!   package whose shared libraries nothing links can be marked not loaded.
//!
//! The image walker asks [`wants`] with the tar header alone (path, mode, size), inflates only
//! what it accepts, then calls [`analyze`] with the path and the body.
//!
//! ```
//! use bosun_binary::{analyze, wants, PackageKind};
//!
//! assert!(wants("usr/local/go/VERSION", 0o644, 40));
//! assert!(!wants("etc/passwd", 0o644, 900));
//! let pkgs = analyze("usr/local/go/VERSION", b"go1.22.1\ntime 2024-02-29T18:18:15Z\n").unwrap();
//! assert_eq!(pkgs[0].purl, "pkg:generic/go@1.22.1");
//! assert_eq!(pkgs[0].kind, PackageKind::Runtime);
//! assert_eq!(pkgs[0].ecosystem, None);
//! // Not an executable: nothing, quickly.
//! assert!(analyze("usr/bin/tool", b"#!/bin/sh\necho hi\n").unwrap().is_empty());
//! ```
//!
//! Conventions (where trivy, syft and osv-scalibr differ, the choice made here):
//! - The Go toolchain is the `stdlib` package of ecosystem `Go`, its version in the SemVer
//!   form OSV's Go records use, without `v` (`go1.22.1` -> `1.22.1`, purl
//!   `pkg:golang/stdlib@1.22.1`, as syft's purl and osv-scalibr; `go1.20` -> `1.20.0`,
//!   `go1.21rc2` -> `1.21.0-rc.2`, as the Go vulnerability database writes them:
//!   `"fixed": "1.21.0-rc.4"`). Trivy writes `v1.22.1`; `bosun-version` orders both alike.
//!   Build tags after a space (`go1.22.1 X:boringcrypto`) are cut. Development toolchains
//!   (`devel go1.23-abc`) give no `stdlib` package: their version orders against nothing.
//! - Go module versions keep their `v` (`v1.2.3`), as in `go.mod` and `bosun-lang`.
//! - The main module is reported with [`BinaryPackage::main_module`] set. A `(devel)` version
//!   is replaced, in order, by a version stamped with `-ldflags -X` (trivy's rules: a variable
//!   named `version`/`ver`, preferring one under `<module>/cmd/`, then one in a `main`,
//!   `common`, `version` or `cmd` package, then any; two candidates of the same rank mean
//!   none), by a pseudo-version built from `vcs.revision` and `vcs.time` (syft's rule), and
//!   otherwise by an empty version (trivy's choice; the purl then has no version).
//! - A `dep` replaced by another module (`=>`) is reported under the replacement's path and
//!   version, as trivy, syft and osv-scalibr do; a dep replaced by a local directory is left
//!   out (its code is the application's, as `bosun-lang` does for `go.mod`).
//! - Rust: only crates from crates.io are reported (purl `pkg:cargo/NAME@VERSION`, ecosystem
//!   `crates.io`): local path and workspace crates, git and alternate-registry crates cannot
//!   be matched against crates.io advisories. Build-time dependencies (`"kind": "build"`) are
//!   left out, as trivy and syft do. The root crate is reported, marked as the main module,
//!   when it comes from crates.io (a `cargo install`ed tool); a local root is not.
//! - Runtimes get syft's generic purls (`pkg:generic/python@3.12.1`, `pkg:generic/node@…`,
//!   `pkg:generic/go@…`, `pkg:generic/oracle/openjdk@…`) and no OSV ecosystem: OSV has none
//!   for interpreters. (OSV's `Go` ecosystem does track the `toolchain` package; the matcher
//!   may map the `go` runtime to it.)
//!
//! Overlap with package databases: a runtime or a Go binary installed by dpkg/apk/rpm is
//! found here too (Debian's `/usr/bin/python3.11`). Deciding what to keep is the catalog's
//! job, which knows the files each OS package owns (syft drops classifier results on files
//! an OS package owns; trivy skips language analysis of such files altogether).
//!
//! Limits: the input is whatever slice the caller holds (the walker reads at most
//! [`MAX_FILE_SIZE`] bytes); Go strings are capped at [`go::MAX_STRING`], the cargo-auditable
//! section and its inflated JSON at [`rust::MAX_COMPRESSED`] and [`rust::MAX_JSON`], text
//! files at [`runtime::MAX_TEXT_FILE`]. No length read from the input is allocated before it
//! is checked against a cap. UPX-packed and universal (fat) Mach-O binaries are not read.

#![deny(missing_docs)]

pub mod elf_links;
pub mod go;
pub mod runtime;
pub mod rust;

mod exe;

use std::fmt;

/// Files larger than this are not worth inflating (a 512 MiB cap, above any real executable
/// in an image and below what a walker can hold).
pub const MAX_FILE_SIZE: u64 = 512 << 20;

/// Files smaller than this cannot hold an executable header (an ELF32 header is 52 bytes).
const MIN_EXE_SIZE: u64 = 52;

/// The OSV ecosystem a package is matched in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    /// Go modules and the Go standard library (`Go`).
    Go,
    /// Rust crates from crates.io (`crates.io`).
    CratesIo,
}

impl Ecosystem {
    /// The OSV ecosystem name (`Go`, `crates.io`).
    #[must_use]
    pub fn osv_name(self) -> &'static str {
        match self {
            Self::Go => "Go",
            Self::CratesIo => "crates.io",
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

/// What a package found in a binary is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PackageKind {
    /// A Go module (the main module or a dependency) from Go build info.
    GoModule,
    /// The Go standard library the binary was built with (package `stdlib`).
    GoStdlib,
    /// A Rust crate from cargo-auditable data.
    RustCrate,
    /// A runtime (interpreter, toolchain, JVM) identified from its files.
    Runtime,
}

/// One package found in a binary.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BinaryPackage {
    /// The name: a Go module path, `stdlib`, a crate name, or a runtime name (`python`,
    /// `node`, `go`, `openjdk`, `jdk`, `jre`, `zulu`).
    pub name: String,
    /// The version; empty for a Go main module whose version is unknown.
    pub version: String,
    /// The package URL (purl-spec).
    pub purl: String,
    /// The OSV ecosystem, or `None` when OSV has none for it (runtimes).
    pub ecosystem: Option<Ecosystem>,
    /// What kind of package it is.
    pub kind: PackageKind,
    /// True for the binary's own module: the Go main module, the cargo-auditable root crate.
    pub main_module: bool,
}

impl BinaryPackage {
    /// The purl type (`golang`, `cargo`, `generic`).
    #[must_use]
    pub fn purl_type(&self) -> &'static str {
        match self.kind {
            PackageKind::GoModule | PackageKind::GoStdlib => "golang",
            PackageKind::RustCrate => "cargo",
            PackageKind::Runtime => "generic",
        }
    }
}

/// Why a binary could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BinaryError {
    /// The file has an executable's magic but its headers do not parse.
    #[error("malformed executable: {0}")]
    Object(String),
    /// Go build info was found but is malformed.
    #[error("malformed Go build info: {0}")]
    GoBuildInfo(String),
    /// A cargo-auditable section was found but is malformed.
    #[error("malformed cargo-auditable data: {0}")]
    RustAudit(String),
    /// A size read from the input exceeds a cap.
    #[error("{what} is {size} bytes, over the {limit}-byte cap")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// Its size (as declared or as found).
        size: u64,
        /// The cap.
        limit: u64,
    },
}

/// Whether a file is worth inflating, from its tar header alone.
///
/// `mode` is the tar header's mode (permission bits, possibly with the file-type bits).
/// Accepted: regular files with an execute bit (executables, and shared objects installed
/// executable); `*.exe` files whatever their mode (Windows layers); the shared libraries a
/// runtime classifier reads whatever their mode (`libpython3.12.so.1.0`, `libnode.so.108`);
/// the text files the runtime classifiers read (`…/go/VERSION`, a JDK's `release`). Never a
/// file over [`MAX_FILE_SIZE`], nor one too small to be an executable.
///
/// Other shared objects without an execute bit (Debian installs libraries `0644`) are not
/// wanted: on a Debian host with a few SDKs they were 1,276 files and 1 GiB of the 3.3 GiB an
/// "every `.so`" rule would inflate, and none carried Go build info or cargo-auditable data
/// (trivy likewise reads only executable files for both).
#[must_use]
pub fn wants(path: &str, mode: u32, size: u64) -> bool {
    if size > MAX_FILE_SIZE {
        return false;
    }
    const S_IFMT: u32 = 0o170_000;
    const S_IFREG: u32 = 0o100_000;
    if mode & S_IFMT != 0 && mode & S_IFMT != S_IFREG {
        return false;
    }
    if runtime::is_text_classifier_path(path) && size <= runtime::MAX_TEXT_FILE as u64 {
        return true;
    }
    if size < MIN_EXE_SIZE {
        return false;
    }
    let name = file_name(path);
    mode & 0o111 != 0
        || runtime::is_classified_library(name)
        || name.to_ascii_lowercase().ends_with(".exe")
}

/// The last path component.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Every package a file carries.
///
/// `path` is the file's path in the image (with or without a leading `/`); it selects the
/// runtime classifiers. Input that is neither an executable (ELF, PE, thin Mach-O) nor one
/// of the classifiers' text files returns `Ok(vec![])` after a look at its first bytes.
///
/// # Errors
/// When the file is an executable whose headers, Go build info or cargo-auditable data are
/// malformed. The whole file then yields no package: the caller reports one diagnostic.
pub fn analyze(path: &str, bytes: &[u8]) -> Result<Vec<BinaryPackage>, BinaryError> {
    if runtime::is_text_classifier_path(path) && !exe::is_executable(bytes) {
        return Ok(runtime::classify_text(path, bytes).into_iter().collect());
    }
    let Some(exe) = exe::Exe::parse(bytes)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    if let Some(info) = go::read_build_info(&exe)? {
        out.extend(go::packages(&info));
    }
    if let Some(audit) = rust::read_audit_data(&exe)? {
        out.extend(rust::packages(&audit));
    }
    out.extend(runtime::classify_binary(path, bytes));
    Ok(out)
}

/// Fuzz entry points: never panic, whatever the bytes.
pub mod fuzz {
    /// File names that select every reader and classifier.
    const PATHS: [&str; 8] = [
        "usr/bin/app",
        "usr/bin/python3.11",
        "usr/lib/libpython3.12.so.1.0",
        "usr/local/bin/node",
        "usr/lib/libnode.so.108",
        "usr/local/go/bin/go",
        "usr/local/go/VERSION",
        "opt/java/openjdk/release",
    ];

    /// Runs [`crate::analyze`] on the bytes under every classifier's file name, and the
    /// lower-level readers on them directly.
    pub fn analyze_bytes(bytes: &[u8]) {
        for p in PATHS {
            let _ = crate::analyze(p, bytes);
        }
        let _ = crate::go::build_info(bytes);
        let _ = crate::rust::audit_data(bytes);
        let _ = crate::go::parse_mod_info(&String::from_utf8_lossy(bytes));
    }

    /// Runs the link-graph readers on the bytes: [`crate::elf_links::elf_links`],
    /// [`crate::elf_links::parse_ld_so_cache`] (as is, and behind each cache magic) and
    /// [`crate::elf_links::parse_ld_so_conf`].
    pub fn elf_links_bytes(bytes: &[u8]) {
        use crate::elf_links::{elf_links, parse_ld_so_cache, parse_ld_so_conf};
        let _ = elf_links(bytes);
        let _ = parse_ld_so_cache(bytes);
        for magic in [&b"glibc-ld.so.cache1.1"[..], b"ld.so-1.7.0\0"] {
            let mut b = magic.to_vec();
            b.extend_from_slice(bytes);
            let _ = parse_ld_so_cache(&b);
        }
        let _ = parse_ld_so_conf(&String::from_utf8_lossy(bytes));
    }
}
