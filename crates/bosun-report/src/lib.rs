//! Every output format of bosun, and reading SBOMs back into an [`Inventory`].
//!
//! Nine formats are written by [`render`] (`SCHEMA.md` in this crate documents each mapping):
//!
//! - [`Format::Json`]: bosun's own report, described by `schema/bosun-report.schema.json`
//!   and `SCHEMA.md` in this crate.
//! - [`Format::CycloneDxJson`]: CycloneDX 1.6, with the findings as `vulnerabilities` and
//!   bosun's data as `bosun:*` properties.
//! - [`Format::SpdxJson`]: SPDX 2.3, with bosun's data as `bosun:*=value` annotations.
//! - [`Format::Table`]: a compact table of packages and findings for a terminal.
//! - [`Format::Sarif`]: SARIF 2.1.0 for GitHub code scanning.
//! - [`Format::Gitlab`]: GitLab's container scanning report (schema 15.0.7).
//! - [`Format::Junit`]: JUnit XML, one test case per finding, for CI test views.
//! - [`Format::Markdown`]: a summary for a pull-request comment, within GitHub's limit.
//! - [`Format::Html`]: a self-contained HTML page.
//!
//! [`read_sbom`] reads bosun's JSON, CycloneDX 1.4 to 1.7 JSON and SPDX 2.2/2.3 JSON from any
//! producer. bosun's own output of the three JSON formats reads back to the very inventory it
//! was written from.
//!
//! ```
//! use bosun_inventory::{Inventory, Package, PackageType};
//! use bosun_report::{render, read_sbom, Format, RenderOptions};
//!
//! let mut inv = Inventory::default();
//! inv.packages.push(Package {
//!     name: "zlib".into(),
//!     version: "1.3.1-r0".into(),
//!     package_type: PackageType::Apk,
//!     purl: "pkg:apk/alpine/zlib@1.3.1-r0".into(),
//!     ..Package::default()
//! });
//! let opts = RenderOptions { timestamp: Some("2026-01-01T00:00:00Z".into()), ..RenderOptions::default() };
//! let mut out = Vec::new();
//! render(&inv, "cyclonedx-json".parse().unwrap(), &opts, &mut out).unwrap();
//! assert_eq!(read_sbom(&out).unwrap(), inv);
//! ```

mod bosun_json;
mod cyclonedx;
mod cyclonedx_license_ids;
mod cyclonedx_vuln;
mod error;
mod findings;
mod foreign;
mod gitlab;
mod html;
mod ids;
mod junit;
mod license;
mod markdown;
mod props;
mod sarif;
mod spdx_json;
mod table;

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use bosun_inventory::Inventory;

pub use error::ReportError;

/// Whether `id` may be written as a CycloneDX 1.6 `license.id` (it is in the schema's enum of
/// SPDX license ids). Public for the test that checks the list against the schema file.
#[doc(hidden)]
#[must_use]
pub fn is_cyclonedx_license_id(id: &str) -> bool {
    cyclonedx_license_ids::IDS.binary_search(&id).is_ok()
}

/// The version of bosun's own JSON report schema (`schema_version`).
pub const SCHEMA_VERSION: &str = "1";

/// An output format, named on the command line by [`Format::name`] (`json`,
/// `cyclonedx-json`, `spdx-json`, `table`, `sarif`, `gitlab`, `junit`, `markdown`, `html`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// bosun's own JSON report.
    #[default]
    Json,
    /// CycloneDX 1.6 JSON.
    CycloneDxJson,
    /// SPDX 2.3 JSON.
    SpdxJson,
    /// A human table of packages.
    Table,
    /// SARIF 2.1.0, as GitHub code scanning reads it.
    Sarif,
    /// The GitLab container scanning report (schema 15.0.7).
    Gitlab,
    /// JUnit XML: one test case per finding.
    Junit,
    /// A Markdown summary for a pull-request comment.
    Markdown,
    /// A self-contained HTML report.
    Html,
}

impl Format {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [Format; 9] = [
        Format::Json,
        Format::CycloneDxJson,
        Format::SpdxJson,
        Format::Table,
        Format::Sarif,
        Format::Gitlab,
        Format::Junit,
        Format::Markdown,
        Format::Html,
    ];

    /// The formats [`read_sbom`] reads back to the inventory they were written from.
    pub const SBOM: [Format; 3] = [Format::Json, Format::CycloneDxJson, Format::SpdxJson];

    /// The name used on the command line.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::CycloneDxJson => "cyclonedx-json",
            Format::SpdxJson => "spdx-json",
            Format::Table => "table",
            Format::Sarif => "sarif",
            Format::Gitlab => "gitlab",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = ReportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| ReportError::UnknownFormatName(s.to_owned()))
    }
}

/// What a render needs besides the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// bosun's version, written as the tool version in every JSON format.
    pub tool_version: String,
    /// Colour in the table; the CLI sets it only when writing to a terminal.
    pub color: bool,
    /// RFC 3339 UTC timestamp to write instead of the current time (for reproducible output).
    /// It also fixes the SPDX document namespace and CycloneDX serial number.
    pub timestamp: Option<String>,
    /// Whether the table lists every package (`bosun sbom`) or only counts them (`bosun scan`,
    /// where the findings are what matters).
    pub list_packages: bool,
    /// The order of the findings within each target of the table.
    pub sort: SortOrder,
}

/// The order of the findings in the table (`--sort`). Other formats keep the inventory's
/// order, which the CLI sorts when `--sort` is given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortOrder {
    /// Most urgent first by the finding's priority score (`bosun-priority`); findings without
    /// one follow, by severity.
    #[default]
    Priority,
    /// Highest severity first, then package and id.
    Severity,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            color: false,
            timestamp: None,
            list_packages: true,
            sort: SortOrder::default(),
        }
    }
}

impl RenderOptions {
    /// The timestamp to write: the override, or now.
    fn timestamp(&self) -> String {
        self.timestamp.clone().unwrap_or_else(ids::now_rfc3339)
    }
}

/// Write `inv` in `format` to `out`.
///
/// # Errors
/// When serializing fails or `out` refuses the bytes.
pub fn render(
    inv: &Inventory,
    format: Format,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    match format {
        Format::Json => write_json(out, &bosun_json::to_report(inv, opts)),
        Format::CycloneDxJson => write_json(out, &cyclonedx::to_bom(inv, opts)?),
        Format::SpdxJson => write_json(out, &spdx_json::to_document(inv, opts)?),
        Format::Table => table::write(inv, opts, out),
        Format::Sarif => write_json(out, &sarif::to_sarif(inv, opts)),
        Format::Gitlab => write_json(out, &gitlab::to_report(inv, opts)),
        Format::Junit => junit::write(inv, opts, out),
        Format::Markdown => markdown::write(inv, opts, out),
        Format::Html => html::write(inv, opts, out),
    }
}

fn write_json<T: serde::Serialize>(out: &mut dyn Write, value: &T) -> Result<(), ReportError> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(ReportError::Serialize)?;
    out.write_all(b"\n").map_err(ReportError::Write)
}

/// The JSON SBOM formats [`read_sbom`] recognizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SbomKind {
    /// bosun's own JSON report.
    Bosun,
    /// CycloneDX JSON.
    CycloneDx,
    /// SPDX JSON.
    Spdx,
}

/// Which SBOM format `value` is, from its top-level keys.
fn detect(value: &serde_json::Value) -> Option<SbomKind> {
    let obj = value.as_object()?;
    if obj.get("bomFormat").and_then(|v| v.as_str()) == Some("CycloneDX") {
        Some(SbomKind::CycloneDx)
    } else if obj.contains_key("spdxVersion") {
        Some(SbomKind::Spdx)
    } else if obj.contains_key("schema_version") && obj.contains_key("packages") {
        Some(SbomKind::Bosun)
    } else {
        None
    }
}

/// Read an SBOM (bosun JSON, CycloneDX JSON or SPDX JSON) into an inventory.
///
/// Packages whose purl type bosun does not catalog yet (anything but deb, apk and rpm) are
/// skipped with an `info` diagnostic per purl type. The caller bounds the size of `bytes`.
///
/// # Errors
/// When the bytes are not JSON, not one of the three formats, of an unsupported version, or
/// do not have the shape the format requires.
pub fn read_sbom(bytes: &[u8]) -> Result<Inventory, ReportError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(ReportError::NotJson)?;
    match detect(&value).ok_or(ReportError::UnknownSbom)? {
        SbomKind::Bosun => bosun_json::read(value),
        SbomKind::CycloneDx => cyclonedx::read(value),
        SbomKind::Spdx => spdx_json::read(value),
    }
}

/// The body of the `read_sbom` fuzz target, public so that a stable-Rust proptest runs the
/// same code: read `data`; when it reads, write the result in every format and check that each
/// JSON format reads back to the same inventory.
///
/// # Panics
/// When rendering a read inventory fails or a JSON format does not round-trip: both are bugs.
pub fn fuzz_read_sbom(data: &[u8]) {
    let Ok(inv) = read_sbom(data) else { return };
    let opts = RenderOptions {
        timestamp: Some("2000-01-01T00:00:00Z".into()),
        ..RenderOptions::default()
    };
    for format in Format::ALL {
        let mut out = Vec::new();
        if let Err(e) = render(&inv, format, &opts, &mut out) {
            panic!("rendering a read inventory as {format} failed: {e}");
        }
        if Format::SBOM.contains(&format) {
            // CycloneDX carries packages and vulnerabilities, SPDX packages only.
            let mut expected = inv.clone();
            if format != Format::Json {
                expected.secrets.clear();
                expected.misconfigurations.clear();
            }
            if format == Format::SpdxJson {
                expected.vulnerabilities.clear();
            }
            match read_sbom(&out) {
                Ok(back) => assert_eq!(back, expected, "{format} did not round-trip"),
                Err(e) => panic!("reading back {format} failed: {e}"),
            }
        }
    }
}
