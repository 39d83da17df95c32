//! Rust binaries built with `cargo auditable`: the `.dep-v0` section (ELF, PE; `__DATA,.dep-v0`
//! in Mach-O) holds zlib-compressed JSON:
//!
//! ```json
//! {"packages": [{"name": "serde", "version": "1.0.217", "source": "crates.io",
//!                "kind": "runtime", "dependencies": [6], "root": false}, ...]}
//! ```
//!
//! `source` is `crates.io`, `local`, `git`, `registry` or another string; `kind` is `runtime`
//! (the default) or `build`; `dependencies` are indexes into `packages`.

use std::io::Read;

use serde::Deserialize;

use crate::exe::Exe;
use crate::{BinaryError, BinaryPackage, Ecosystem, PackageKind};

/// The largest compressed section read (8 MiB).
pub const MAX_COMPRESSED: usize = 8 << 20;

/// The largest inflated JSON read (8 MiB, cargo-auditable's own reader default).
pub const MAX_JSON: usize = 8 << 20;

/// The most packages read from one binary.
const MAX_PACKAGES: usize = 100_000;

const SECTION: &str = ".dep-v0";

/// One entry of the audit data, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
pub struct AuditPackage {
    /// The crate name.
    pub name: String,
    /// The version.
    pub version: String,
    /// Where it came from: `crates.io`, `local`, `git`, `registry` or another string.
    pub source: String,
    /// `runtime` (the default when absent) or `build`.
    #[serde(default = "runtime_kind")]
    pub kind: String,
    /// Indexes of its dependencies in the package list.
    #[serde(default)]
    pub dependencies: Vec<usize>,
    /// True for the crate the binary was built from.
    #[serde(default)]
    pub root: bool,
}

fn runtime_kind() -> String {
    "runtime".to_owned()
}

#[derive(Deserialize)]
struct AuditData {
    packages: Vec<AuditPackage>,
}

/// The audit data of an executable's bytes: `Ok(None)` for a non-executable or an executable
/// without a `.dep-v0` section.
///
/// # Errors
/// When the executable is malformed, or the section does not inflate to the expected JSON
/// within the caps.
pub fn audit_data(bytes: &[u8]) -> Result<Option<Vec<AuditPackage>>, BinaryError> {
    match Exe::parse(bytes)? {
        Some(exe) => read_audit_data(&exe),
        None => Ok(None),
    }
}

pub(crate) fn read_audit_data(exe: &Exe<'_>) -> Result<Option<Vec<AuditPackage>>, BinaryError> {
    let Some((_, compressed)) = exe.section(SECTION) else {
        return Ok(None);
    };
    if compressed.len() > MAX_COMPRESSED {
        return Err(BinaryError::TooLarge {
            what: "the .dep-v0 section",
            size: compressed.len() as u64,
            limit: MAX_COMPRESSED as u64,
        });
    }
    let json = inflate(compressed)?;
    parse_json(&json).map(Some)
}

/// Inflates at most [`MAX_JSON`] bytes; more is an error.
fn inflate(compressed: &[u8]) -> Result<Vec<u8>, BinaryError> {
    let mut out = Vec::new();
    let decoder = flate2::read::ZlibDecoder::new(compressed);
    decoder
        .take(MAX_JSON as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| BinaryError::RustAudit(format!("zlib: {e}")))?;
    if out.len() > MAX_JSON {
        return Err(BinaryError::TooLarge {
            what: "the inflated cargo-auditable JSON",
            size: out.len() as u64,
            limit: MAX_JSON as u64,
        });
    }
    Ok(out)
}

/// Parses the audit JSON (already inflated).
///
/// # Errors
/// When it is not the expected JSON, lists too many packages, or a dependency index points
/// outside the list.
pub fn parse_json(json: &[u8]) -> Result<Vec<AuditPackage>, BinaryError> {
    let data: AuditData =
        serde_json::from_slice(json).map_err(|e| BinaryError::RustAudit(format!("json: {e}")))?;
    if data.packages.len() > MAX_PACKAGES {
        return Err(BinaryError::TooLarge {
            what: "the cargo-auditable package list",
            size: data.packages.len() as u64,
            limit: MAX_PACKAGES as u64,
        });
    }
    let n = data.packages.len();
    if let Some(p) = data
        .packages
        .iter()
        .find(|p| p.dependencies.iter().any(|&d| d >= n))
    {
        return Err(BinaryError::RustAudit(format!(
            "{} lists a dependency outside the package list",
            p.name
        )));
    }
    Ok(data.packages)
}

/// The packages worth reporting: run-time crates from crates.io (see the crate docs).
#[must_use]
pub fn packages(audit: &[AuditPackage]) -> Vec<BinaryPackage> {
    audit
        .iter()
        .filter(|p| p.source == "crates.io" && p.kind != "build")
        .map(|p| BinaryPackage {
            name: p.name.clone(),
            version: p.version.clone(),
            purl: crate::runtime::purl("cargo", None, &p.name, &p.version, &[])
                .unwrap_or_else(|| format!("pkg:cargo/{}@{}", p.name, p.version)),
            ecosystem: Some(Ecosystem::CratesIo),
            kind: PackageKind::RustCrate,
            main_module: p.root,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_runtime_crates_io_packages_are_reported() {
        let json = br#"{"packages":[
            {"name":"app","version":"0.1.0","source":"local","dependencies":[1,2,3],"root":true},
            {"name":"serde","version":"1.0.0","source":"crates.io"},
            {"name":"cc","version":"1.0.0","source":"crates.io","kind":"build"},
            {"name":"forked","version":"0.2.0","source":"git"}]}"#;
        let audit = parse_json(json).unwrap();
        assert_eq!(audit.len(), 4);
        assert_eq!(audit[1].kind, "runtime");
        let pkgs = packages(&audit);
        assert_eq!(pkgs.len(), 1);
        assert_eq!(pkgs[0].purl, "pkg:cargo/serde@1.0.0");
        assert!(!pkgs[0].main_module);
    }

    #[test]
    fn a_crates_io_root_is_the_main_module() {
        let json = br#"{"packages":[{"name":"ripgrep","version":"14.1.0","source":"crates.io","root":true}]}"#;
        let pkgs = packages(&parse_json(json).unwrap());
        assert_eq!(pkgs.len(), 1);
        assert!(pkgs[0].main_module);
    }

    #[test]
    fn bad_dependency_indexes_and_bad_zlib_are_errors() {
        assert!(
            parse_json(
                br#"{"packages":[{"name":"a","version":"1","source":"local","dependencies":[1]}]}"#
            )
            .is_err()
        );
        assert!(inflate(b"not zlib").is_err());
    }

    #[test]
    fn inflation_is_capped() {
        use std::io::Write;
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![b' '; MAX_JSON + 10];
        enc.write_all(&zeros).unwrap();
        let bomb = enc.finish().unwrap();
        assert!(bomb.len() < 64 << 10);
        assert!(matches!(inflate(&bomb), Err(BinaryError::TooLarge { .. })));
    }
}
