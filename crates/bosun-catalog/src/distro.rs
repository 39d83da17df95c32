//! What the OS says about its packages' identity: the purl namespace and `distro` qualifier,
//! and the OSV ecosystem the packages are matched in.
//!
//! Ecosystem names follow the OSV schema's `ecosystems.json`: `Debian:12`,
//! `Ubuntu:22.04:LTS`, `Alpine:v3.20`, `Red Hat`, `Rocky Linux:9`, `AlmaLinux:9`,
//! `SUSE:<PRETTY_NAME>`, `openSUSE:<PRETTY_NAME>`, `Azure Linux:<version>` (CBL-Mariner
//! included: OSV lists no separate Mariner ecosystem), `Photon OS:<version>`, `Wolfi`,
//! `Chainguard`. Distributions OSV does not cover (Amazon Linux, Fedora, Oracle Linux) get
//! none.

use bosun_inventory::{OsInfo, PackageType};

/// The purl namespace for packages of this type on this OS.
#[must_use]
pub fn purl_namespace(os: Option<&OsInfo>, ty: PackageType) -> Option<String> {
    let id = os.map(|o| o.id.as_str()).unwrap_or("");
    let ns = match (ty, id) {
        (PackageType::Deb, "") => "debian",
        (PackageType::Apk, "") => "alpine",
        (PackageType::Rpm, "") => return None,
        (PackageType::Rpm, "rhel") => "redhat",
        (PackageType::Rpm, "amzn") => "amazon",
        (PackageType::Rpm, "ol") => "oracle",
        (PackageType::Rpm, "sles" | "sled" | "sles_sap" | "sle-micro") => "suse",
        (PackageType::Rpm, i) if i.starts_with("opensuse") => "opensuse",
        (_, i) => i,
    };
    Some(ns.to_owned())
}

/// The purl `distro` qualifier: `debian-12`, `rhel-9.1`; Alpine uses the bare version
/// (`3.20.3`).
#[must_use]
pub fn purl_distro(os: Option<&OsInfo>) -> String {
    let Some(os) = os else {
        return String::new();
    };
    let version = os
        .version_id
        .as_deref()
        .or(os.codename.as_deref())
        .unwrap_or("");
    match os.id.as_str() {
        "alpine" => version.to_owned(),
        _ if version.is_empty() => os.id.clone(),
        id => format!("{id}-{version}"),
    }
}

/// Debian release numbers by codename, for systems whose os-release has no `VERSION_ID`
/// (testing); unstable is `sid`, as OSV names it.
const DEBIAN_CODENAMES: &[(&str, &str)] = &[
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
    ("duke", "15"),
    ("sid", "sid"),
];

/// The OSV ecosystem for packages of this type on this OS, when OSV covers it.
///
/// ```
/// use bosun_inventory::{OsInfo, PackageType};
/// let os = OsInfo { id: "ubuntu".into(), version_id: Some("22.04".into()), ..OsInfo::default() };
/// assert_eq!(bosun_catalog::distro::ecosystem(Some(&os), PackageType::Deb).as_deref(), Some("Ubuntu:22.04:LTS"));
/// ```
#[must_use]
pub fn ecosystem(os: Option<&OsInfo>, ty: PackageType) -> Option<String> {
    let os = os?;
    let version = os.version_id.as_deref().filter(|v| !v.is_empty());
    let major = version.and_then(|v| v.split('.').next());
    let pretty = os.pretty_name.as_deref().filter(|p| !p.is_empty());
    let eco = match (ty, os.id.as_str()) {
        (PackageType::Deb, "debian") => {
            let release = version
                .map(|v| v.split('.').next().unwrap_or(v))
                .or_else(|| {
                    let code = os.codename.as_deref()?;
                    DEBIAN_CODENAMES
                        .iter()
                        .find(|(c, _)| *c == code)
                        .map(|(_, n)| *n)
                });
            match release {
                Some(r) => format!("Debian:{r}"),
                None => "Debian".to_owned(),
            }
        }
        (PackageType::Deb, "ubuntu") => {
            let v = version?;
            if ubuntu_is_lts(v) {
                format!("Ubuntu:{v}:LTS")
            } else {
                format!("Ubuntu:{v}")
            }
        }
        (PackageType::Apk, "alpine") => {
            let v = version?;
            let mut parts = v.split('.');
            match (parts.next(), parts.next()) {
                (Some(a), Some(b)) => format!("Alpine:v{a}.{b}"),
                _ => return None,
            }
        }
        (PackageType::Apk, "wolfi") => "Wolfi".to_owned(),
        (PackageType::Apk, "chainguard") => "Chainguard".to_owned(),
        (PackageType::Rpm, "rhel") => "Red Hat".to_owned(),
        (PackageType::Rpm, "rocky") => with_suffix("Rocky Linux", major),
        (PackageType::Rpm, "almalinux") => with_suffix("AlmaLinux", major),
        (PackageType::Rpm, "mariner" | "azurelinux") => with_suffix("Azure Linux", version),
        (PackageType::Rpm, "photon") => with_suffix("Photon OS", version),
        (PackageType::Rpm, "sles" | "sled" | "sles_sap" | "sle-micro") => {
            with_suffix("SUSE", pretty)
        }
        (PackageType::Rpm, id) if id.starts_with("opensuse") => with_suffix("openSUSE", pretty),
        _ => return None,
    };
    Some(eco)
}

fn with_suffix(name: &str, suffix: Option<&str>) -> String {
    match suffix {
        Some(s) => format!("{name}:{s}"),
        None => name.to_owned(),
    }
}

/// Ubuntu LTS releases are the April releases of even years (`22.04`, `24.04`).
fn ubuntu_is_lts(version: &str) -> bool {
    let mut parts = version.split('.');
    let year = parts.next().and_then(|y| y.parse::<u32>().ok());
    let month = parts.next();
    matches!((year, month), (Some(y), Some("04")) if y % 2 == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(id: &str, v: Option<&str>) -> OsInfo {
        OsInfo {
            id: id.into(),
            version_id: v.map(Into::into),
            ..OsInfo::default()
        }
    }

    #[test]
    fn ecosystems() {
        let e = |id, v, t| ecosystem(Some(&os(id, v)), t);
        assert_eq!(
            e("debian", Some("12"), PackageType::Deb).as_deref(),
            Some("Debian:12")
        );
        assert_eq!(
            e("ubuntu", Some("23.10"), PackageType::Deb).as_deref(),
            Some("Ubuntu:23.10")
        );
        assert_eq!(
            e("ubuntu", Some("24.04"), PackageType::Deb).as_deref(),
            Some("Ubuntu:24.04:LTS")
        );
        assert_eq!(
            e("alpine", Some("3.20.3"), PackageType::Apk).as_deref(),
            Some("Alpine:v3.20")
        );
        assert_eq!(
            e("rhel", Some("9.1"), PackageType::Rpm).as_deref(),
            Some("Red Hat")
        );
        assert_eq!(
            e("rocky", Some("9.3"), PackageType::Rpm).as_deref(),
            Some("Rocky Linux:9")
        );
        assert_eq!(
            e("mariner", Some("2.0"), PackageType::Rpm).as_deref(),
            Some("Azure Linux:2.0")
        );
        assert_eq!(e("amzn", Some("2023"), PackageType::Rpm), None);
    }

    #[test]
    fn debian_testing_by_codename() {
        let mut o = os("debian", None);
        o.codename = Some("trixie".into());
        assert_eq!(
            ecosystem(Some(&o), PackageType::Deb).as_deref(),
            Some("Debian:13")
        );
    }
}
