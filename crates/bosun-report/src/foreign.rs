//! Packages from SBOMs bosun did not write (syft, trivy, cdxgen...): what their purl says.

use std::collections::BTreeMap;
use std::str::FromStr;

use bosun_inventory::{Diagnostic, DiagnosticLevel, Package, PackageType};
use packageurl::PackageUrl;

/// The fields of a foreign package entry bosun reads.
#[derive(Debug, Default)]
pub(crate) struct ForeignEntry<'a> {
    pub(crate) purl: Option<&'a str>,
    pub(crate) name: &'a str,
    pub(crate) version: Option<&'a str>,
    pub(crate) licenses: Vec<String>,
    /// Source package name and version when the producer records them outside the purl.
    pub(crate) source_name: Option<&'a str>,
    pub(crate) source_version: Option<&'a str>,
    /// Layer diff_id and location when the producer records them.
    pub(crate) layer_diff_id: Option<&'a str>,
    pub(crate) location: Option<&'a str>,
}

/// Why foreign entries were skipped, counted, to become one diagnostic per reason.
#[derive(Debug, Default)]
pub(crate) struct Skipped(BTreeMap<String, usize>);

impl Skipped {
    pub(crate) fn diagnostics(self, format: &str) -> impl Iterator<Item = Diagnostic> {
        let format = format.to_owned();
        self.0.into_iter().map(move |(why, n)| Diagnostic {
            level: DiagnosticLevel::Info,
            source: "sbom".to_owned(),
            message: format!("skipped {n} {format} package(s): {why}"),
            path: None,
            layer: None,
        })
    }
}

/// The package a foreign entry describes, or `None` (counted in `skipped`) when bosun does not
/// handle its kind yet.
pub(crate) fn package(e: ForeignEntry<'_>, skipped: &mut Skipped) -> Option<Package> {
    let mut skip = |why: String| {
        *skipped.0.entry(why).or_default() += 1;
        None
    };
    let Some(purl_str) = e.purl.filter(|p| !p.is_empty()) else {
        return skip("no purl".to_owned());
    };
    let Ok(purl) = PackageUrl::from_str(purl_str) else {
        return skip("unparsable purl".to_owned());
    };
    let Some(package_type) = PackageType::from_purl_type(purl.ty()) else {
        return skip(format!("purl type {} not supported yet", purl.ty()));
    };
    let q = |k: &str| purl.qualifiers().get(k).map(|v| v.to_string());
    // syft writes `upstream=name` or `upstream=name@version` for the source package.
    let (up_name, up_version) = match q("upstream") {
        Some(u) => match u.split_once('@') {
            Some((n, v)) => (Some(n.to_owned()), Some(v.to_owned())),
            None => (Some(u), None),
        },
        None => (None, None),
    };
    let name = if e.name.is_empty() {
        purl.name().to_owned()
    } else {
        e.name.to_owned()
    };
    let version = e.version.or(purl.version()).unwrap_or_default().to_owned();
    let mut pkg = Package {
        name,
        version,
        package_type,
        purl: purl_str.to_owned(),
        arch: q("arch"),
        source_name: e.source_name.map(str::to_owned).or(up_name),
        source_version: e.source_version.map(str::to_owned).or(up_version),
        licenses: e.licenses,
        locations: e.location.map(str::to_owned).into_iter().collect(),
        ..Package::default()
    };
    pkg.layer.diff_id = e.layer_diff_id.map(str::to_owned);
    Some(pkg)
}
