//! bosun's own JSON report (`--format json`), schema version 1.
//!
//! The report has its own structs rather than serializing [`Inventory`] directly, so that the
//! published schema (`schema/bosun-report.schema.json`) changes only when these do: every key
//! is always written (`null` for an absent value, `[]` for an empty list).

use bosun_inventory::{BaseImage, LayerRole};
use bosun_inventory::{
    Diagnostic, DiagnosticLevel, Inventory, Layer, LayerRef, Misconfiguration, OsInfo, Package,
    PackageType, SecretFinding, SourceInfo, Vulnerability,
};
use serde::{Deserialize, Serialize};

use crate::{RenderOptions, ReportError, SCHEMA_VERSION};

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Report {
    schema_version: String,
    tool: Tool,
    source: Source,
    os: Option<Os>,
    /// The base image, when identified.
    #[serde(default)]
    base: Option<BaseImage>,
    layers: Vec<ReportLayer>,
    packages: Vec<ReportPackage>,
    diagnostics: Vec<ReportDiagnostic>,
    /// Known vulnerabilities, one per vulnerability per package.
    vulnerabilities: Vec<Vulnerability>,
    /// Secrets in any layer or in the config (masked).
    secrets: Vec<SecretFinding>,
    /// Risky image configuration.
    misconfigurations: Vec<Misconfiguration>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Tool {
    name: String,
    version: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Source {
    kind: String,
    name: String,
    image_id: Option<String>,
    manifest_digest: Option<String>,
    repo_tags: Vec<String>,
    platform: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Os {
    id: String,
    version_id: Option<String>,
    codename: Option<String>,
    pretty_name: Option<String>,
    id_like: Vec<String>,
    source_file: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct ReportLayer {
    index: usize,
    #[serde(default)]
    role: Option<LayerRole>,
    digest: Option<String>,
    diff_id: Option<String>,
    created_by: Option<String>,
    media_type: Option<String>,
    size: Option<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ReportLayerRef {
    index: usize,
    diff_id: Option<String>,
    #[serde(default)]
    role: Option<LayerRole>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ReportPackage {
    name: String,
    version: String,
    #[serde(rename = "type")]
    package_type: PackageType,
    purl: String,
    ecosystem: Option<String>,
    arch: Option<String>,
    source_name: Option<String>,
    source_version: Option<String>,
    licenses: Vec<String>,
    vendor: Option<String>,
    dev: bool,
    layer: ReportLayerRef,
    locations: Vec<String>,
    files: Vec<String>,
    /// Whether any executable of the image loads the package's code (null: unknown).
    #[serde(default)]
    loaded: Option<bool>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ReportDiagnostic {
    level: DiagnosticLevel,
    source: String,
    message: String,
    path: Option<String>,
    layer: Option<ReportLayerRef>,
}

fn layer_ref(l: &LayerRef) -> ReportLayerRef {
    ReportLayerRef {
        index: l.index,
        diff_id: l.diff_id.clone(),
        role: l.role,
    }
}

fn from_layer_ref(l: ReportLayerRef) -> LayerRef {
    LayerRef {
        index: l.index,
        diff_id: l.diff_id,
        role: l.role,
    }
}

pub(crate) fn to_report(inv: &Inventory, opts: &RenderOptions) -> Report {
    let s = &inv.source;
    Report {
        schema_version: SCHEMA_VERSION.to_owned(),
        tool: Tool {
            name: "bosun".to_owned(),
            version: opts.tool_version.clone(),
        },
        source: Source {
            kind: s.kind.clone(),
            name: s.name.clone(),
            image_id: s.image_id.clone(),
            manifest_digest: s.manifest_digest.clone(),
            repo_tags: s.repo_tags.clone(),
            platform: s.platform.clone(),
        },
        os: inv.os.as_ref().map(|o| Os {
            id: o.id.clone(),
            version_id: o.version_id.clone(),
            codename: o.codename.clone(),
            pretty_name: o.pretty_name.clone(),
            id_like: o.id_like.clone(),
            source_file: o.source_file.clone(),
        }),
        base: inv.base.clone(),
        layers: inv
            .layers
            .iter()
            .map(|l| ReportLayer {
                index: l.index,
                role: inv.layer_role(l.index),
                digest: l.digest.clone(),
                diff_id: l.diff_id.clone(),
                created_by: l.created_by.clone(),
                media_type: l.media_type.clone(),
                size: l.size,
            })
            .collect(),
        packages: inv
            .packages
            .iter()
            .map(|p| ReportPackage {
                name: p.name.clone(),
                version: p.version.clone(),
                package_type: p.package_type,
                purl: p.purl.clone(),
                ecosystem: p.ecosystem.clone(),
                arch: p.arch.clone(),
                source_name: p.source_name.clone(),
                source_version: p.source_version.clone(),
                licenses: p.licenses.clone(),
                vendor: p.vendor.clone(),
                dev: p.dev,
                layer: layer_ref(&p.layer),
                locations: p.locations.clone(),
                files: p.files.clone(),
                loaded: p.loaded,
            })
            .collect(),
        diagnostics: inv
            .diagnostics
            .iter()
            .map(|d| ReportDiagnostic {
                level: d.level,
                source: d.source.clone(),
                message: d.message.clone(),
                path: d.path.clone(),
                layer: d.layer.as_ref().map(layer_ref),
            })
            .collect(),
        vulnerabilities: inv.vulnerabilities.clone(),
        secrets: inv.secrets.clone(),
        misconfigurations: inv.misconfigurations.clone(),
    }
}

/// Read a bosun JSON report back. Only schema version 1 is known.
pub(crate) fn read(value: serde_json::Value) -> Result<Inventory, ReportError> {
    let version = value
        .get("schema_version")
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .unwrap_or_default();
    if version != SCHEMA_VERSION {
        return Err(ReportError::UnsupportedVersion {
            format: "bosun",
            version,
        });
    }
    let r: Report = serde_json::from_value(value).map_err(|source| ReportError::Malformed {
        format: "bosun",
        source,
    })?;
    Ok(Inventory {
        source: SourceInfo {
            kind: r.source.kind,
            name: r.source.name,
            image_id: r.source.image_id,
            manifest_digest: r.source.manifest_digest,
            repo_tags: r.source.repo_tags,
            platform: r.source.platform,
        },
        os: r.os.map(|o| OsInfo {
            id: o.id,
            version_id: o.version_id,
            codename: o.codename,
            pretty_name: o.pretty_name,
            id_like: o.id_like,
            source_file: o.source_file,
        }),
        layers: r
            .layers
            .into_iter()
            .map(|l| Layer {
                index: l.index,
                digest: l.digest,
                diff_id: l.diff_id,
                media_type: l.media_type,
                size: l.size,
                created_by: l.created_by,
            })
            .collect(),
        packages: r
            .packages
            .into_iter()
            .map(|p| Package {
                name: p.name,
                version: p.version,
                package_type: p.package_type,
                purl: p.purl,
                ecosystem: p.ecosystem,
                arch: p.arch,
                source_name: p.source_name,
                source_version: p.source_version,
                licenses: p.licenses,
                layer: from_layer_ref(p.layer),
                locations: p.locations,
                files: p.files,
                vendor: p.vendor,
                dev: p.dev,
                loaded: p.loaded,
            })
            .collect(),
        diagnostics: r
            .diagnostics
            .into_iter()
            .map(|d| Diagnostic {
                level: d.level,
                source: d.source,
                message: d.message,
                path: d.path,
                layer: d.layer.map(from_layer_ref),
            })
            .collect(),
        secrets: r.secrets,
        misconfigurations: r.misconfigurations,
        vulnerabilities: r.vulnerabilities,
        base: r.base,
    })
}
