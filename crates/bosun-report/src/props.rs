//! bosun's data as flat `bosun:*` name/value pairs: CycloneDX properties and SPDX annotations
//! (`name=value`) carry the same pairs, so both formats read back to the same inventory.
//!
//! Lists are numbered from 0 (`bosun:location:0`, `bosun:image:layer:1:diff_id`); a key is
//! present exactly when the field is `Some` (an empty value is `Some("")`). `SCHEMA.md` lists
//! every key.

use std::collections::BTreeMap;

use bosun_inventory::{
    Diagnostic, DiagnosticLevel, Inventory, Layer, LayerRef, OsInfo, Package, PackageType,
    SourceInfo,
};

use crate::ReportError;

/// Ordered `(name, value)` pairs.
pub(crate) type Props = Vec<(String, String)>;

/// The property that marks a package component or SPDX package as written by bosun.
pub(crate) const PACKAGE_TYPE: &str = "bosun:package:type";
/// The property that marks a document as written by bosun.
pub(crate) const SOURCE_KIND: &str = "bosun:source:kind";

fn push(p: &mut Props, k: impl Into<String>, v: impl Into<String>) {
    p.push((k.into(), v.into()));
}

fn push_opt(p: &mut Props, k: impl Into<String>, v: Option<&String>) {
    if let Some(v) = v {
        p.push((k.into(), v.clone()));
    }
}

fn push_list(p: &mut Props, prefix: &str, list: &[String]) {
    for (i, v) in list.iter().enumerate() {
        p.push((format!("{prefix}:{i}"), v.clone()));
    }
}

/// The document-level pairs: source, OS, layers and diagnostics.
pub(crate) fn inventory_props(inv: &Inventory) -> Props {
    let mut p = Props::new();
    let s = &inv.source;
    push(&mut p, SOURCE_KIND, &s.kind);
    push(&mut p, "bosun:source:name", &s.name);
    push_opt(&mut p, "bosun:source:image_id", s.image_id.as_ref());
    push_opt(
        &mut p,
        "bosun:source:manifest_digest",
        s.manifest_digest.as_ref(),
    );
    push_list(&mut p, "bosun:source:repo_tag", &s.repo_tags);
    push_opt(&mut p, "bosun:source:platform", s.platform.as_ref());
    if let Some(os) = &inv.os {
        push(&mut p, "bosun:os:id", &os.id);
        push_opt(&mut p, "bosun:os:version_id", os.version_id.as_ref());
        push_opt(&mut p, "bosun:os:codename", os.codename.as_ref());
        push_opt(&mut p, "bosun:os:pretty_name", os.pretty_name.as_ref());
        push_list(&mut p, "bosun:os:id_like", &os.id_like);
        push(&mut p, "bosun:os:source_file", &os.source_file);
    }
    for (n, l) in inv.layers.iter().enumerate() {
        let k = |f: &str| format!("bosun:image:layer:{n}:{f}");
        push(&mut p, k("index"), l.index.to_string());
        push_opt(&mut p, k("digest"), l.digest.as_ref());
        push_opt(&mut p, k("diff_id"), l.diff_id.as_ref());
        push_opt(&mut p, k("media_type"), l.media_type.as_ref());
        if let Some(size) = l.size {
            push(&mut p, k("size"), size.to_string());
        }
        push_opt(&mut p, k("created_by"), l.created_by.as_ref());
    }
    for (n, d) in inv.diagnostics.iter().enumerate() {
        let k = |f: &str| format!("bosun:diagnostic:{n}:{f}");
        push(&mut p, k("level"), level_name(d.level));
        push(&mut p, k("source"), &d.source);
        push(&mut p, k("message"), &d.message);
        push_opt(&mut p, k("path"), d.path.as_ref());
        if let Some(l) = &d.layer {
            push(&mut p, k("layer:index"), l.index.to_string());
            push_opt(&mut p, k("layer:diff_id"), l.diff_id.as_ref());
        }
    }
    p
}

/// The pairs of one package that the format has no field for. With `licenses`, the declared
/// licenses too (SPDX has one expression where bosun keeps a list).
pub(crate) fn package_props(pkg: &Package, licenses: bool) -> Props {
    let mut p = Props::new();
    push(&mut p, PACKAGE_TYPE, pkg.package_type.purl_type());
    push_opt(&mut p, "bosun:package:ecosystem", pkg.ecosystem.as_ref());
    push_opt(&mut p, "bosun:package:arch", pkg.arch.as_ref());
    push_opt(
        &mut p,
        "bosun:package:source_name",
        pkg.source_name.as_ref(),
    );
    push_opt(
        &mut p,
        "bosun:package:source_version",
        pkg.source_version.as_ref(),
    );
    push_opt(&mut p, "bosun:package:vendor", pkg.vendor.as_ref());
    if pkg.dev {
        push(&mut p, "bosun:package:dev", "true".to_owned());
    }
    if licenses {
        push_list(&mut p, "bosun:package:license", &pkg.licenses);
    }
    push(&mut p, "bosun:layer:index", pkg.layer.index.to_string());
    push_opt(&mut p, "bosun:layer:diff_id", pkg.layer.diff_id.as_ref());
    push_list(&mut p, "bosun:location", &pkg.locations);
    push_list(&mut p, "bosun:file", &pkg.files);
    p
}

fn level_name(l: DiagnosticLevel) -> &'static str {
    match l {
        DiagnosticLevel::Info => "info",
        DiagnosticLevel::Warning => "warning",
        DiagnosticLevel::Error => "error",
    }
}

fn bad(key: &str, value: &str) -> ReportError {
    ReportError::BadProperty {
        key: key.to_owned(),
        value: value.to_owned(),
    }
}

fn parse_num<T: std::str::FromStr>(key: &str, value: &str) -> Result<T, ReportError> {
    value.parse().map_err(|_| bad(key, value))
}

/// Split `N:rest` (or `N`) after a list prefix.
fn split_index<'a>(key: &str, rest: &'a str) -> Result<(usize, &'a str), ReportError> {
    let (n, field) = rest.split_once(':').unwrap_or((rest, ""));
    Ok((parse_num(key, n)?, field))
}

pub(crate) fn parse_package_type(key: &str, value: &str) -> Result<PackageType, ReportError> {
    PackageType::from_purl_type(value).ok_or_else(|| bad(key, value))
}

/// The document-level data read back from pairs.
#[derive(Debug, Default)]
pub(crate) struct InventoryMeta {
    /// `Some` when the pairs carry bosun's source, i.e. the document is bosun's.
    pub(crate) source: Option<SourceInfo>,
    pub(crate) os: Option<OsInfo>,
    pub(crate) layers: Vec<Layer>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Rebuild source, OS, layers and diagnostics from document-level pairs; other pairs are
/// ignored.
pub(crate) fn read_inventory_props<'a>(
    props: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<InventoryMeta, ReportError> {
    let mut source: Option<SourceInfo> = None;
    let mut tags = BTreeMap::new();
    let mut os: Option<OsInfo> = None;
    let mut id_like = BTreeMap::new();
    let mut layers: BTreeMap<usize, Layer> = BTreeMap::new();
    let mut diags: BTreeMap<usize, Diagnostic> = BTreeMap::new();
    for (k, v) in props {
        let val = || Some(v.to_owned());
        if let Some(f) = k.strip_prefix("bosun:source:") {
            let s = source.get_or_insert_with(SourceInfo::default);
            match f {
                "kind" => s.kind = v.to_owned(),
                "name" => s.name = v.to_owned(),
                "image_id" => s.image_id = val(),
                "manifest_digest" => s.manifest_digest = val(),
                "platform" => s.platform = val(),
                _ => {
                    if let Some(n) = f.strip_prefix("repo_tag:") {
                        tags.insert(parse_num::<usize>(k, n)?, v.to_owned());
                    }
                }
            }
        } else if let Some(f) = k.strip_prefix("bosun:os:") {
            let o = os.get_or_insert_with(OsInfo::default);
            match f {
                "id" => o.id = v.to_owned(),
                "version_id" => o.version_id = val(),
                "codename" => o.codename = val(),
                "pretty_name" => o.pretty_name = val(),
                "source_file" => o.source_file = v.to_owned(),
                _ => {
                    if let Some(n) = f.strip_prefix("id_like:") {
                        id_like.insert(parse_num::<usize>(k, n)?, v.to_owned());
                    }
                }
            }
        } else if let Some(rest) = k.strip_prefix("bosun:image:layer:") {
            let (n, f) = split_index(k, rest)?;
            let l = layers.entry(n).or_default();
            match f {
                "index" => l.index = parse_num(k, v)?,
                "digest" => l.digest = val(),
                "diff_id" => l.diff_id = val(),
                "media_type" => l.media_type = val(),
                "size" => l.size = Some(parse_num(k, v)?),
                "created_by" => l.created_by = val(),
                _ => {}
            }
        } else if let Some(rest) = k.strip_prefix("bosun:diagnostic:") {
            let (n, f) = split_index(k, rest)?;
            let d = diags.entry(n).or_default();
            match f {
                "level" => {
                    d.level = match v {
                        "info" => DiagnosticLevel::Info,
                        "warning" => DiagnosticLevel::Warning,
                        "error" => DiagnosticLevel::Error,
                        _ => return Err(bad(k, v)),
                    }
                }
                "source" => d.source = v.to_owned(),
                "message" => d.message = v.to_owned(),
                "path" => d.path = val(),
                "layer:index" => {
                    d.layer.get_or_insert_with(LayerRef::default).index = parse_num(k, v)?;
                }
                "layer:diff_id" => d.layer.get_or_insert_with(LayerRef::default).diff_id = val(),
                _ => {}
            }
        }
    }
    if let Some(s) = &mut source {
        s.repo_tags = tags.into_values().collect();
    }
    if let Some(o) = &mut os {
        o.id_like = id_like.into_values().collect();
    }
    Ok(InventoryMeta {
        source,
        os,
        layers: layers.into_values().collect(),
        diagnostics: diags.into_values().collect(),
    })
}

/// Fill a package's bosun fields from its pairs. Returns `None` when the pairs do not mark
/// the package as bosun's (no `bosun:package:type`). Licenses are read only when the pairs
/// carry them (`licenses`), otherwise left as they are.
pub(crate) fn read_package_props<'a>(
    props: impl IntoIterator<Item = (&'a str, &'a str)>,
    pkg: &mut Package,
    licenses: bool,
) -> Result<bool, ReportError> {
    let mut is_bosun = false;
    let mut lic = BTreeMap::new();
    let mut locations = BTreeMap::new();
    let mut files = BTreeMap::new();
    for (k, v) in props {
        let val = || Some(v.to_owned());
        match k {
            PACKAGE_TYPE => {
                pkg.package_type = parse_package_type(k, v)?;
                is_bosun = true;
            }
            "bosun:package:ecosystem" => pkg.ecosystem = val(),
            "bosun:package:arch" => pkg.arch = val(),
            "bosun:package:source_name" => pkg.source_name = val(),
            "bosun:package:source_version" => pkg.source_version = val(),
            "bosun:package:vendor" => pkg.vendor = val(),
            "bosun:package:dev" => pkg.dev = v == "true",
            "bosun:layer:index" => pkg.layer.index = parse_num(k, v)?,
            "bosun:layer:diff_id" => pkg.layer.diff_id = val(),
            _ => {
                if let Some(n) = k.strip_prefix("bosun:location:") {
                    locations.insert(parse_num::<usize>(k, n)?, v.to_owned());
                } else if let Some(n) = k.strip_prefix("bosun:file:") {
                    files.insert(parse_num::<usize>(k, n)?, v.to_owned());
                } else if let Some(n) = k.strip_prefix("bosun:package:license:") {
                    lic.insert(parse_num::<usize>(k, n)?, v.to_owned());
                }
            }
        }
    }
    if is_bosun {
        pkg.locations = locations.into_values().collect();
        pkg.files = files.into_values().collect();
        if licenses {
            pkg.licenses = lic.into_values().collect();
        }
    }
    Ok(is_bosun)
}
