//! CycloneDX 1.6 JSON, written by hand with serde structs, and read back from any producer.
//!
//! Written: `metadata.component` is the image (type `container`, version = image id), one
//! `operating-system` component for the OS, one `library` component per package. Everything
//! CycloneDX has no field for travels as `bosun:*` properties (see `SCHEMA.md`).

use bosun_inventory::{Inventory, Layer, OsInfo, Package, SourceInfo};
use serde::{Deserialize, Serialize};

use crate::foreign::{self, ForeignEntry, Skipped};
use crate::license::{self, LicenseKind};
use crate::props::{self, Props};
use crate::{RenderOptions, ReportError, ids};

const SPEC_VERSION: &str = "1.6";
/// Versions read: the JSON shape bosun uses is the same in all of them.
const READ_VERSIONS: [&str; 4] = ["1.4", "1.5", "1.6", "1.7"];
const IMAGE_REF: &str = "bosun-image";
const OS_REF: &str = "bosun-os";

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bom {
    bom_format: String,
    spec_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    serial_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    components: Vec<Component>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    dependencies: Vec<Dependency>,
    /// Findings; read back only from bosun's own BOMs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    vulnerabilities: Vec<serde_json::Value>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Metadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    /// Written as the 1.5+ object form; read as anything (1.4 used an array).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tools: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    component: Option<Component>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Component {
    #[serde(rename = "type", default)]
    component_type: String,
    #[serde(rename = "bom-ref", default, skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    publisher: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    components: Vec<Component>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct LicenseChoice {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    license: Option<License>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expression: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct License {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Property {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(rename = "dependsOn", default, skip_serializing_if = "Vec::is_empty")]
    depends_on: Vec<String>,
}

fn properties(p: Props) -> Vec<Property> {
    p.into_iter()
        .map(|(name, value)| Property {
            name,
            value: Some(value),
        })
        .collect()
}

fn prop_pairs(p: &[Property]) -> impl Iterator<Item = (&str, &str)> {
    p.iter()
        .map(|p| (p.name.as_str(), p.value.as_deref().unwrap_or_default()))
}

/// CycloneDX licenses for a declared list. A lone compound expression is an `expression`;
/// otherwise one `license` per entry (`id` for an id in CycloneDX 1.6's SPDX enum, `name` for
/// anything else,
/// expressions included, since CycloneDX allows no expression beside other entries).
fn licenses(list: &[String]) -> Vec<LicenseChoice> {
    if let [only] = list
        && license::classify(only) == LicenseKind::Expression
    {
        return vec![LicenseChoice {
            license: None,
            expression: Some(only.clone()),
        }];
    }
    list.iter()
        .map(|l| {
            let lic = if crate::is_cyclonedx_license_id(l) {
                License {
                    id: Some(l.clone()),
                    name: None,
                }
            } else {
                License {
                    id: None,
                    name: Some(l.clone()),
                }
            };
            LicenseChoice {
                license: Some(lic),
                expression: None,
            }
        })
        .collect()
}

fn read_licenses(list: &[LicenseChoice]) -> Vec<String> {
    list.iter()
        .filter_map(|c| {
            c.expression.clone().or_else(|| {
                c.license
                    .as_ref()
                    .and_then(|l| l.id.clone().or_else(|| l.name.clone()))
            })
        })
        .collect()
}

fn package_component(
    i: usize,
    p: &Package,
    used_refs: &mut std::collections::HashSet<String>,
) -> Component {
    // A purl is the natural bom-ref; a second package with the same purl (or a purl that is
    // not one) gets a numbered ref, which cannot clash since it does not start with `pkg:`.
    let bom_ref = if p.purl.starts_with("pkg:") && used_refs.insert(p.purl.clone()) {
        p.purl.clone()
    } else {
        format!("bosun-package-{i}")
    };
    Component {
        component_type: "library".to_owned(),
        bom_ref: Some(bom_ref),
        publisher: p.vendor.clone(),
        name: p.name.clone(),
        version: Some(p.version.clone()),
        description: None,
        licenses: licenses(&p.licenses),
        purl: (!p.purl.is_empty()).then(|| p.purl.clone()),
        properties: properties(props::package_props(p, false)),
        components: Vec::new(),
    }
}

pub(crate) fn to_bom(inv: &Inventory, opts: &RenderOptions) -> Result<Bom, ReportError> {
    let timestamp = opts.timestamp();
    let content = serde_json::to_vec(inv).map_err(ReportError::Serialize)?;
    let serial = format!(
        "urn:uuid:{}",
        ids::uuid_from(&[b"cyclonedx", &content, timestamp.as_bytes()])
    );
    let mut components = Vec::with_capacity(inv.packages.len() + 1);
    let mut depends_on = Vec::with_capacity(components.capacity());
    if let Some(os) = &inv.os {
        components.push(Component {
            component_type: "operating-system".to_owned(),
            bom_ref: Some(OS_REF.to_owned()),
            name: os.id.clone(),
            version: os.version_id.clone(),
            description: os.pretty_name.clone(),
            ..Component::default()
        });
        depends_on.push(OS_REF.to_owned());
    }
    let mut used_refs = std::collections::HashSet::new();
    used_refs.insert(IMAGE_REF.to_owned());
    used_refs.insert(OS_REF.to_owned());
    // Each purl's first component, which its findings affect.
    let mut refs: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    for (i, p) in inv.packages.iter().enumerate() {
        let c = package_component(i, p, &mut used_refs);
        if let Some(r) = &c.bom_ref {
            depends_on.push(r.clone());
            refs.entry(p.purl.as_str()).or_insert_with(|| r.clone());
        }
        components.push(c);
    }
    let vulnerabilities = crate::cyclonedx_vuln::to_vulnerabilities(inv, &refs, IMAGE_REF);
    let tool = serde_json::json!({
        "components": [{
            "type": "application",
            "name": "bosun",
            "version": opts.tool_version,
        }]
    });
    Ok(Bom {
        bom_format: "CycloneDX".to_owned(),
        spec_version: SPEC_VERSION.to_owned(),
        serial_number: Some(serial),
        version: Some(1.into()),
        metadata: Some(Metadata {
            timestamp: Some(timestamp),
            tools: Some(tool),
            component: Some(Component {
                component_type: "container".to_owned(),
                bom_ref: Some(IMAGE_REF.to_owned()),
                name: inv.source.name.clone(),
                version: inv.source.image_id.clone(),
                ..Component::default()
            }),
            properties: properties(props::inventory_props(inv)),
        }),
        components,
        // The image contains (here: depends on) the OS and every package; nothing finer is
        // known from package databases alone.
        dependencies: vec![Dependency {
            reference: IMAGE_REF.to_owned(),
            depends_on,
        }],
        vulnerabilities,
    })
}

fn malformed(source: serde_json::Error) -> ReportError {
    ReportError::Malformed {
        format: "cyclonedx",
        source,
    }
}

fn prop<'a>(c: &'a Component, name: &str) -> Option<&'a str> {
    c.properties
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.as_deref())
}

/// trivy splits the source version into `SrcEpoch`, `SrcVersion` and `SrcRelease`; bosun keeps
/// the package manager's full form (`[epoch:]version[-release]`).
fn trivy_source_version(c: &Component) -> Option<String> {
    let version = prop(c, "aquasecurity:trivy:SrcVersion")?;
    let mut full = String::new();
    if let Some(epoch) = prop(c, "aquasecurity:trivy:SrcEpoch").filter(|e| *e != "0") {
        full.push_str(epoch);
        full.push(':');
    }
    full.push_str(version);
    if let Some(release) = prop(c, "aquasecurity:trivy:SrcRelease").filter(|r| !r.is_empty()) {
        full.push('-');
        full.push_str(release);
    }
    Some(full)
}

/// trivy records the image id, tags and layer diff_ids (bottom first) on the image component;
/// with them, packages' layer diff_ids get their layer index.
fn read_trivy_image(image: &Component, inv: &mut Inventory) {
    let values = |name: &'static str| {
        image
            .properties
            .iter()
            .filter(move |p| p.name == name)
            .filter_map(|p| p.value.clone())
    };
    if let Some(id) = values("aquasecurity:trivy:ImageID").next() {
        inv.source.image_id = Some(id);
    }
    inv.source
        .repo_tags
        .extend(values("aquasecurity:trivy:RepoTag"));
    inv.layers.extend(
        values("aquasecurity:trivy:DiffID")
            .enumerate()
            .map(|(index, diff_id)| Layer {
                index,
                diff_id: Some(diff_id),
                ..Layer::default()
            }),
    );
    for p in &mut inv.packages {
        let found = inv
            .layers
            .iter()
            .find(|l| l.diff_id.is_some() && l.diff_id == p.layer.diff_id);
        if let Some(l) = found {
            p.layer.index = l.index;
        }
    }
}

/// Read a CycloneDX JSON BOM from any producer.
pub(crate) fn read(value: serde_json::Value) -> Result<Inventory, ReportError> {
    let version = value
        .get("specVersion")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned();
    if !READ_VERSIONS.contains(&version.as_str()) {
        return Err(ReportError::UnsupportedVersion {
            format: "cyclonedx",
            version,
        });
    }
    let bom: Bom = serde_json::from_value(value).map_err(malformed)?;
    let metadata = bom.metadata.unwrap_or_default();
    let meta = props::read_inventory_props(prop_pairs(&metadata.properties))?;
    let is_bosun = meta.source.is_some();
    let mut inv = Inventory {
        source: meta.source.unwrap_or_else(|| SourceInfo {
            kind: "sbom".to_owned(),
            name: metadata
                .component
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            ..SourceInfo::default()
        }),
        os: meta.os,
        layers: meta.layers,
        packages: Vec::new(),
        diagnostics: meta.diagnostics,
        ..Inventory::default()
    };
    let mut skipped = Skipped::default();
    // Depth-first over nested components, in document order, without recursion.
    let mut stack: Vec<&Component> = bom.components.iter().rev().collect();
    while let Some(c) = stack.pop() {
        stack.extend(c.components.iter().rev());
        if c.component_type == "operating-system" {
            if !is_bosun && inv.os.is_none() {
                inv.os = Some(OsInfo {
                    id: c.name.clone(),
                    version_id: c.version.clone(),
                    pretty_name: c.description.clone(),
                    ..OsInfo::default()
                });
            }
            continue;
        }
        let mut pkg = Package {
            name: c.name.clone(),
            version: c.version.clone().unwrap_or_default(),
            purl: c.purl.clone().unwrap_or_default(),
            licenses: read_licenses(&c.licenses),
            vendor: c.publisher.clone(),
            ..Package::default()
        };
        if props::read_package_props(prop_pairs(&c.properties), &mut pkg, false)? {
            inv.packages.push(pkg);
            continue;
        }
        let source_version = trivy_source_version(c);
        let entry = ForeignEntry {
            purl: c.purl.as_deref(),
            name: &c.name,
            version: c.version.as_deref(),
            licenses: read_licenses(&c.licenses),
            source_name: prop(c, "aquasecurity:trivy:SrcName"),
            source_version: source_version.as_deref(),
            layer_diff_id: prop(c, "aquasecurity:trivy:LayerDiffID")
                .or_else(|| prop(c, "syft:location:0:layerID")),
            location: prop(c, "syft:location:0:path"),
        };
        if let Some(p) = foreign::package(entry, &mut skipped) {
            inv.packages.push(p);
        }
    }
    if is_bosun {
        inv.vulnerabilities = crate::cyclonedx_vuln::read_vulnerabilities(&bom.vulnerabilities)?;
    }
    if !is_bosun {
        if let Some(image) = &metadata.component {
            read_trivy_image(image, &mut inv);
        }
        inv.sort();
    }
    inv.diagnostics.extend(skipped.diagnostics("cyclonedx"));
    Ok(inv)
}
