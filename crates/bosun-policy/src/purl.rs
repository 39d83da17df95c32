//! Package URL comparison for VEX products and exception entries.

use packageurl::PackageUrl;
use std::str::FromStr;

/// Whether the purl `pattern` (from a VEX statement or an exception) names the package
/// `purl` (from the inventory).
///
/// Type, namespace and name must be equal (the type and, for types whose names are case
/// insensitive in the purl spec, namespace and name compared without case). A pattern
/// without version matches every version; with a version it must be equal. Every qualifier
/// of the pattern must be present with the same value in the package's purl, in any order;
/// qualifiers the pattern leaves out are not compared. A subpath, when the pattern has one,
/// must be equal. Text that is not a purl matches nothing.
#[must_use]
pub fn purl_matches(pattern: &str, purl: &str) -> bool {
    let (Ok(p), Ok(q)) = (PackageUrl::from_str(pattern), PackageUrl::from_str(purl)) else {
        return false;
    };
    if !p.ty().eq_ignore_ascii_case(q.ty()) {
        return false;
    }
    let fold = case_insensitive(p.ty());
    let eq = |a: &str, b: &str| {
        if fold {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    if !eq(p.namespace().unwrap_or(""), q.namespace().unwrap_or("")) || !eq(p.name(), q.name()) {
        return false;
    }
    if let Some(v) = p.version()
        && q.version() != Some(v)
    {
        return false;
    }
    if let Some(s) = p.subpath()
        && q.subpath() != Some(s)
    {
        return false;
    }
    p.qualifiers()
        .iter()
        .all(|(k, v)| q.qualifiers().get(k).is_some_and(|w| w == v))
}

/// purl types whose namespace and name are case insensitive (purl-spec type definitions).
fn case_insensitive(ty: &str) -> bool {
    matches!(
        ty.to_ascii_lowercase().as_str(),
        "pypi"
            | "npm"
            | "github"
            | "bitbucket"
            | "composer"
            | "golang"
            | "nuget"
            | "deb"
            | "apk"
            | "hex"
            | "oci"
    )
}

/// The version of a purl, decoded, if it parses and has one.
pub(crate) fn purl_version(purl: &str) -> Option<String> {
    PackageUrl::from_str(purl)
        .ok()
        .and_then(|p| p.version().map(str::to_owned))
}

/// `(type, name)` of a purl, if it parses.
pub(crate) fn purl_type_name(purl: &str) -> Option<(String, String)> {
    PackageUrl::from_str(purl)
        .ok()
        .map(|p| (p.ty().to_ascii_lowercase(), p.name().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_less_pattern_matches_every_version() {
        assert!(purl_matches(
            "pkg:deb/debian/openssl",
            "pkg:deb/debian/openssl@3.0.11-1"
        ));
        assert!(purl_matches(
            "pkg:deb/debian/openssl@3.0.11-1",
            "pkg:deb/debian/openssl@3.0.11-1?arch=amd64"
        ));
        assert!(!purl_matches(
            "pkg:deb/debian/openssl@3.0.10",
            "pkg:deb/debian/openssl@3.0.11-1"
        ));
        assert!(!purl_matches(
            "pkg:deb/debian/libssl3",
            "pkg:deb/debian/openssl@3.0.11-1"
        ));
        assert!(!purl_matches(
            "pkg:apk/debian/openssl",
            "pkg:deb/debian/openssl@1"
        ));
    }

    #[test]
    fn qualifiers_compare_as_a_subset_in_any_order() {
        let pkg = "pkg:deb/debian/curl@7.88.1?arch=amd64&distro=debian-12";
        assert!(purl_matches(
            "pkg:deb/debian/curl?distro=debian-12&arch=amd64",
            pkg
        ));
        assert!(purl_matches("pkg:deb/debian/curl@7.88.1?arch=amd64", pkg));
        assert!(!purl_matches("pkg:deb/debian/curl?arch=arm64", pkg));
        assert!(!purl_matches("not a purl", pkg));
    }
}
