//! rpm packages, read through `bosun_rpmdb`, mapped to bosun's package fields.

use bosun_rpmdb::RpmPackage;

/// A package found in an rpm database, with the parts its purl needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpmEntry {
    /// `NAME`.
    pub name: String,
    /// `[epoch:]version-release`, as rpm orders it.
    pub version: String,
    /// `version-release`: the purl version (the epoch goes in a qualifier).
    pub purl_version: String,
    /// `EPOCH`.
    pub epoch: Option<u32>,
    /// `ARCH`.
    pub arch: Option<String>,
    /// Source package name, from the source rpm file name.
    pub source_name: Option<String>,
    /// Source package `[epoch:]version-release`: the source rpm records none of its own epoch,
    /// so the binary's epoch is carried over (as rpm's own tooling assumes).
    pub source_version: Option<String>,
    /// `LICENSE`.
    pub license: Option<String>,
    /// `VENDOR`.
    pub vendor: Option<String>,
    /// Files, absolute.
    pub files: Vec<String>,
}

/// Splits `name-version-release.src.rpm` into `(name, version, release)`.
///
/// ```
/// assert_eq!(
///     bosun_catalog::rpm::split_source_rpm("device-mapper-libs-2.03.05-9.cm2.src.rpm"),
///     Some(("device-mapper-libs", "2.03.05", "9.cm2"))
/// );
/// ```
#[must_use]
pub fn split_source_rpm(file: &str) -> Option<(&str, &str, &str)> {
    let stem = file
        .strip_suffix(".src.rpm")
        .or_else(|| file.strip_suffix(".nosrc.rpm"))?;
    let mut parts = stem.rsplitn(3, '-');
    let release = parts.next()?;
    let version = parts.next()?;
    let name = parts.next()?;
    (!name.is_empty() && !version.is_empty() && !release.is_empty())
        .then_some((name, version, release))
}

/// Maps one database package. `gpg-pubkey` pseudo-packages (imported signing keys, without
/// an architecture) are not software and give `None`.
#[must_use]
pub fn entry(p: RpmPackage) -> Option<RpmEntry> {
    if p.name.is_empty() || p.version.is_empty() || (p.name == "gpg-pubkey" && p.arch.is_none()) {
        return None;
    }
    let purl_version = if p.release.is_empty() {
        p.version.clone()
    } else {
        format!("{}-{}", p.version, p.release)
    };
    let with_epoch = |v: &str| match p.epoch {
        Some(e) => format!("{e}:{v}"),
        None => v.to_owned(),
    };
    let version = with_epoch(&purl_version);
    let (source_name, source_version) = match p.source_rpm.as_deref().and_then(split_source_rpm) {
        Some((n, v, r)) => (Some(n.to_owned()), Some(with_epoch(&format!("{v}-{r}")))),
        None => (None, None),
    };
    Some(RpmEntry {
        name: p.name,
        version,
        purl_version,
        epoch: p.epoch,
        arch: p.arch,
        source_name,
        source_version,
        license: p.license.filter(|l| !l.is_empty()),
        vendor: p.vendor.filter(|v| !v.is_empty()),
        files: p.files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_goes_into_version_not_purl_version() {
        let e = entry(RpmPackage {
            name: "curl".into(),
            epoch: Some(1),
            version: "7.76.1".into(),
            release: "14.el9".into(),
            arch: Some("x86_64".into()),
            source_rpm: Some("curl-7.76.1-14.el9.src.rpm".into()),
            ..RpmPackage::default()
        })
        .unwrap();
        assert_eq!(e.version, "1:7.76.1-14.el9");
        assert_eq!(e.purl_version, "7.76.1-14.el9");
        assert_eq!(e.source_name.as_deref(), Some("curl"));
        assert_eq!(e.source_version.as_deref(), Some("1:7.76.1-14.el9"));
    }

    #[test]
    fn gpg_pubkey_skipped() {
        let p = RpmPackage {
            name: "gpg-pubkey".into(),
            version: "abc".into(),
            ..RpmPackage::default()
        };
        assert!(entry(p).is_none());
    }

    #[test]
    fn bad_source_rpm_names() {
        assert_eq!(split_source_rpm("x.rpm"), None);
        assert_eq!(split_source_rpm("a-b.src.rpm"), None);
    }
}
