//! Package URLs (purl-spec 1.0) for os packages: `pkg:<type>/<namespace>/<name>@<version>?<qualifiers>`.
//!
//! The encoding is written out here rather than taken from a general purl library because
//! the three types bosun emits need only the core rules, and those rules are checked against
//! the purl-spec test vectors: every byte outside `A-Za-z0-9.-_~` (and `:`, which the spec
//! leaves unencoded) is percent-encoded, qualifier keys are sorted, empty qualifiers dropped.

use std::fmt::Write as _;

/// The parts of a package URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purl<'a> {
    /// `deb`, `apk`, `rpm`.
    pub ty: &'a str,
    /// The distribution (`debian`, `alpine`, `redhat`); `None` leaves it out.
    pub namespace: Option<&'a str>,
    /// The package name.
    pub name: &'a str,
    /// The version; empty leaves it out.
    pub version: &'a str,
    /// Qualifiers as `(key, value)`; order does not matter, empty values are dropped.
    pub qualifiers: Vec<(&'a str, String)>,
}

impl Purl<'_> {
    /// The canonical string form.
    ///
    /// ```
    /// use bosun_catalog::purl::Purl;
    /// let p = Purl {
    ///     ty: "deb",
    ///     namespace: Some("debian"),
    ///     name: "curl",
    ///     version: "7.88.1-10+deb12u5",
    ///     qualifiers: vec![("distro", "debian-12".into()), ("arch", "amd64".into())],
    /// };
    /// assert_eq!(p.render(), "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12");
    /// ```
    #[must_use]
    pub fn render(&self) -> String {
        let ty = self.ty.to_ascii_lowercase();
        let mut out = format!("pkg:{ty}/");
        if let Some(ns) = self.namespace.filter(|n| !n.is_empty()) {
            for seg in ns.split('/').filter(|s| !s.is_empty()) {
                // Every type bosun emits has a case-insensitive namespace.
                encode_into(&mut out, &seg.to_ascii_lowercase());
                out.push('/');
            }
        }
        let name = match ty.as_str() {
            "deb" | "apk" => self.name.to_ascii_lowercase(),
            _ => self.name.to_owned(),
        };
        encode_into(&mut out, &name);
        if !self.version.is_empty() {
            out.push('@');
            encode_into(&mut out, self.version);
        }
        let mut qs: Vec<(String, &str)> = self
            .qualifiers
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str()))
            .collect();
        qs.sort();
        for (i, (k, v)) in qs.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.push_str(k);
            out.push('=');
            encode_into(&mut out, v);
        }
        out
    }
}

impl std::fmt::Display for Purl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

/// Percent-encodes `s` onto `out`, keeping the unreserved characters and `:`.
fn encode_into(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}
