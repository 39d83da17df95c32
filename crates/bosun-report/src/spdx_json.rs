//! SPDX 2.3 JSON, written by hand with serde structs, and SPDX 2.2/2.3 JSON read back from any
//! producer.
//!
//! Written: the document DESCRIBES the image package (purpose `CONTAINER`), which CONTAINS the
//! OS package (purpose `OPERATING_SYSTEM`) and one package per inventory package. bosun's
//! data SPDX has no field for travels as annotations of type `OTHER` whose comment is
//! `bosun:KEY=VALUE` (see `SCHEMA.md`): on the document for source, OS, layers and
//! diagnostics, on each package for its own fields.

use std::collections::{BTreeMap, HashSet};

use bosun_inventory::{Inventory, OsInfo, Package, SourceInfo};
use serde::{Deserialize, Serialize};

use crate::foreign::{self, ForeignEntry, Skipped};
use crate::license::{self, LicenseRefs};
use crate::props::{self, Props};
use crate::{RenderOptions, ReportError, ids};

const NOASSERTION: &str = "NOASSERTION";
const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";
const IMAGE_ID: &str = "SPDXRef-Image";
const OS_ID: &str = "SPDXRef-OperatingSystem";

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Document {
    #[serde(rename = "spdxVersion")]
    spdx_version: String,
    #[serde(rename = "dataLicense", default)]
    data_license: String,
    #[serde(rename = "SPDXID", default)]
    spdx_id: String,
    #[serde(default)]
    name: String,
    #[serde(rename = "documentNamespace", default)]
    document_namespace: String,
    #[serde(rename = "creationInfo", default)]
    creation_info: CreationInfo,
    #[serde(
        rename = "documentDescribes",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    document_describes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    packages: Vec<SpdxPackage>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    relationships: Vec<Relationship>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<Annotation>,
    #[serde(
        rename = "hasExtractedLicensingInfos",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    has_extracted_licensing_infos: Vec<ExtractedLicense>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CreationInfo {
    #[serde(default)]
    created: String,
    #[serde(default)]
    creators: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct SpdxPackage {
    #[serde(rename = "SPDXID", default)]
    spdx_id: String,
    #[serde(default)]
    name: String,
    #[serde(
        rename = "versionInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    version_info: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    supplier: Option<String>,
    #[serde(rename = "downloadLocation", default)]
    download_location: String,
    #[serde(
        rename = "filesAnalyzed",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    files_analyzed: Option<bool>,
    #[serde(
        rename = "licenseConcluded",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    license_concluded: Option<String>,
    #[serde(
        rename = "licenseDeclared",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    license_declared: Option<String>,
    #[serde(
        rename = "copyrightText",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    copyright_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    /// `built package from: NAME [VERSION]`, as trivy writes it.
    #[serde(
        rename = "sourceInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    source_info: Option<String>,
    #[serde(
        rename = "externalRefs",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    external_refs: Vec<ExternalRef>,
    #[serde(
        rename = "primaryPackagePurpose",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    primary_package_purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<Annotation>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ExternalRef {
    #[serde(rename = "referenceCategory", default)]
    reference_category: String,
    #[serde(rename = "referenceType", default)]
    reference_type: String,
    #[serde(rename = "referenceLocator", default)]
    reference_locator: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Relationship {
    #[serde(rename = "spdxElementId", default)]
    spdx_element_id: String,
    #[serde(rename = "relationshipType", default)]
    relationship_type: String,
    #[serde(rename = "relatedSpdxElement", default)]
    related_spdx_element: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Annotation {
    #[serde(rename = "annotationDate", default)]
    annotation_date: String,
    #[serde(rename = "annotationType", default)]
    annotation_type: String,
    #[serde(default)]
    annotator: String,
    #[serde(default)]
    comment: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ExtractedLicense {
    #[serde(rename = "licenseId", default)]
    license_id: String,
    #[serde(rename = "extractedText", default)]
    extracted_text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

fn annotations(p: Props, date: &str, annotator: &str) -> Vec<Annotation> {
    p.into_iter()
        .map(|(k, v)| Annotation {
            annotation_date: date.to_owned(),
            annotation_type: "OTHER".to_owned(),
            annotator: annotator.to_owned(),
            comment: format!("{k}={v}"),
        })
        .collect()
}

/// `bosun:KEY=VALUE` comments as pairs; other annotations are ignored.
fn annotation_pairs(a: &[Annotation]) -> impl Iterator<Item = (&str, &str)> {
    a.iter().filter_map(|a| {
        a.comment
            .split_once('=')
            .filter(|(k, _)| k.starts_with("bosun:"))
    })
}

/// A URI-safe form of the source name for the document namespace.
fn namespace_name(s: &str) -> String {
    let n: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    if n.is_empty() { "image".to_owned() } else { n }
}

pub(crate) fn to_document(inv: &Inventory, opts: &RenderOptions) -> Result<Document, ReportError> {
    let created = opts.timestamp();
    let annotator = format!("Tool: bosun-{}", opts.tool_version);
    let content = serde_json::to_vec(inv).map_err(ReportError::Serialize)?;
    let uuid = ids::uuid_from(&[b"spdx", &content, created.as_bytes()]);
    let namespace = format!(
        "https://github.com/bosun-scanner/bosun/spdxdocs/{}-{uuid}",
        namespace_name(&inv.source.name)
    );
    let mut refs = LicenseRefs::default();
    let mut packages = Vec::with_capacity(inv.packages.len() + 2);
    let mut relationships = vec![Relationship {
        spdx_element_id: DOCUMENT_ID.to_owned(),
        relationship_type: "DESCRIBES".to_owned(),
        related_spdx_element: IMAGE_ID.to_owned(),
    }];
    let contains = |id: &str| Relationship {
        spdx_element_id: IMAGE_ID.to_owned(),
        relationship_type: "CONTAINS".to_owned(),
        related_spdx_element: id.to_owned(),
    };
    packages.push(SpdxPackage {
        spdx_id: IMAGE_ID.to_owned(),
        name: inv.source.name.clone(),
        version_info: inv.source.image_id.clone(),
        download_location: NOASSERTION.to_owned(),
        files_analyzed: Some(false),
        primary_package_purpose: Some("CONTAINER".to_owned()),
        ..SpdxPackage::default()
    });
    if let Some(os) = &inv.os {
        packages.push(SpdxPackage {
            spdx_id: OS_ID.to_owned(),
            name: os.id.clone(),
            version_info: os.version_id.clone(),
            download_location: NOASSERTION.to_owned(),
            files_analyzed: Some(false),
            description: os.pretty_name.clone(),
            primary_package_purpose: Some("OPERATING_SYSTEM".to_owned()),
            ..SpdxPackage::default()
        });
        relationships.push(contains(OS_ID));
    }
    for (i, p) in inv.packages.iter().enumerate() {
        let id = format!("SPDXRef-Package-{i}");
        relationships.push(contains(&id));
        packages.push(SpdxPackage {
            spdx_id: id,
            name: p.name.clone(),
            version_info: Some(p.version.clone()),
            supplier: p.vendor.as_ref().map(|v| format!("Organization: {v}")),
            download_location: NOASSERTION.to_owned(),
            files_analyzed: Some(false),
            license_concluded: Some(NOASSERTION.to_owned()),
            license_declared: Some(license::spdx_declared(&p.licenses, &mut refs)),
            copyright_text: Some(NOASSERTION.to_owned()),
            description: None,
            // The form trivy writes, so that SPDX consumers see the source package too.
            source_info: p.source_name.as_ref().map(|n| match &p.source_version {
                Some(v) => format!("built package from: {n} {v}"),
                None => format!("built package from: {n}"),
            }),
            external_refs: (!p.purl.is_empty())
                .then(|| ExternalRef {
                    reference_category: "PACKAGE-MANAGER".to_owned(),
                    reference_type: "purl".to_owned(),
                    reference_locator: p.purl.clone(),
                })
                .into_iter()
                .collect(),
            primary_package_purpose: Some("LIBRARY".to_owned()),
            annotations: annotations(props::package_props(p, true), &created, &annotator),
        });
    }
    let extracted = refs
        .entries()
        .map(|(id, text)| ExtractedLicense {
            license_id: id.to_owned(),
            extracted_text: text.to_owned(),
            name: Some(text.to_owned()),
        })
        .collect();
    Ok(Document {
        spdx_version: "SPDX-2.3".to_owned(),
        data_license: "CC0-1.0".to_owned(),
        spdx_id: DOCUMENT_ID.to_owned(),
        name: if inv.source.name.is_empty() {
            "bosun-sbom".to_owned()
        } else {
            inv.source.name.clone()
        },
        document_namespace: namespace,
        creation_info: CreationInfo {
            creators: vec![format!("Tool: bosun-{}", opts.tool_version)],
            created: created.clone(),
        },
        document_describes: Vec::new(),
        packages,
        relationships,
        annotations: annotations(props::inventory_props(inv), &created, &annotator),
        has_extracted_licensing_infos: extracted,
    })
}

fn malformed(source: serde_json::Error) -> ReportError {
    ReportError::Malformed {
        format: "spdx",
        source,
    }
}

fn assertion(s: Option<&String>) -> Option<&str> {
    s.map(String::as_str)
        .filter(|s| !s.is_empty() && *s != NOASSERTION && *s != "NONE")
}

/// Read an SPDX 2.2 or 2.3 JSON document from any producer.
pub(crate) fn read(value: serde_json::Value) -> Result<Inventory, ReportError> {
    let version = value
        .get("spdxVersion")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned();
    if version != "SPDX-2.2" && version != "SPDX-2.3" {
        return Err(ReportError::UnsupportedVersion {
            format: "spdx",
            version,
        });
    }
    let doc: Document = serde_json::from_value(value).map_err(malformed)?;
    let meta = props::read_inventory_props(annotation_pairs(&doc.annotations))?;
    let is_bosun = meta.source.is_some();
    let described: HashSet<&str> = doc
        .relationships
        .iter()
        .filter(|r| r.spdx_element_id == DOCUMENT_ID && r.relationship_type == "DESCRIBES")
        .map(|r| r.related_spdx_element.as_str())
        .chain(doc.document_describes.iter().map(String::as_str))
        .collect();
    let extracted: BTreeMap<&str, &str> = doc
        .has_extracted_licensing_infos
        .iter()
        .map(|e| {
            let text = e.name.as_deref().unwrap_or(&e.extracted_text);
            (e.license_id.as_str(), text)
        })
        .collect();
    let root_name = doc
        .packages
        .iter()
        .find(|p| described.contains(p.spdx_id.as_str()))
        .map(|p| p.name.clone());
    let mut inv = Inventory {
        source: meta.source.unwrap_or_else(|| SourceInfo {
            kind: "sbom".to_owned(),
            name: root_name.unwrap_or_else(|| doc.name.clone()),
            ..SourceInfo::default()
        }),
        os: meta.os,
        layers: meta.layers,
        packages: Vec::new(),
        diagnostics: meta.diagnostics,
        ..Inventory::default()
    };
    let mut skipped = Skipped::default();
    for sp in &doc.packages {
        let purl = sp
            .external_refs
            .iter()
            .find(|r| r.reference_type == "purl")
            .map(|r| r.reference_locator.as_str());
        let mut pkg = Package {
            name: sp.name.clone(),
            version: sp.version_info.clone().unwrap_or_default(),
            purl: purl.unwrap_or_default().to_owned(),
            ..Package::default()
        };
        if props::read_package_props(annotation_pairs(&sp.annotations), &mut pkg, true)? {
            inv.packages.push(pkg);
            continue;
        }
        if described.contains(sp.spdx_id.as_str()) {
            continue;
        }
        if matches!(
            sp.primary_package_purpose.as_deref(),
            Some("OPERATING_SYSTEM" | "OPERATING-SYSTEM")
        ) {
            if !is_bosun && inv.os.is_none() {
                inv.os = Some(OsInfo {
                    id: sp.name.clone(),
                    version_id: sp.version_info.clone(),
                    pretty_name: sp.description.clone(),
                    ..OsInfo::default()
                });
            }
            continue;
        }
        let declared = assertion(sp.license_declared.as_ref())
            .or_else(|| assertion(sp.license_concluded.as_ref()));
        let licenses = declared
            .map(|l| extracted.get(l).map_or(l, |t| *t).to_owned())
            .into_iter()
            .collect();
        let (source_name, source_version) = sp
            .source_info
            .as_deref()
            .and_then(|s| s.strip_prefix("built package from: "))
            .map_or((None, None), |s| match s.split_once(' ') {
                Some((n, v)) => (Some(n), Some(v)),
                None => (Some(s), None),
            });
        let entry = ForeignEntry {
            purl,
            name: &sp.name,
            version: sp.version_info.as_deref(),
            licenses,
            source_name,
            source_version,
            ..ForeignEntry::default()
        };
        if let Some(p) = foreign::package(entry, &mut skipped) {
            inv.packages.push(p);
        }
    }
    if !is_bosun {
        inv.sort();
    }
    inv.diagnostics.extend(skipped.diagnostics("spdx"));
    Ok(inv)
}
