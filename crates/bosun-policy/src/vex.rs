//! VEX in: OpenVEX, CycloneDX VEX and CSAF VEX documents, and applying them to findings.

use crate::Error;
use crate::purl::{purl_matches, purl_type_name, purl_version};
use bosun_inventory::{Diagnostic, DiagnosticLevel, Inventory, Suppression, Vulnerability};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

/// The format a VEX document was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VexFormat {
    /// OpenVEX (0.2.0; earlier documents with the same shape read too).
    OpenVex,
    /// A CycloneDX BOM's `vulnerabilities[]` with `analysis` (CycloneDX VEX).
    CycloneDx,
    /// CSAF 2.0 (`csaf_vex` or any CSAF document with `product_status`).
    Csaf,
}

/// A statement's status, in OpenVEX terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    /// Not affected: suppresses.
    NotAffected,
    /// Affected: does not suppress.
    Affected,
    /// Fixed in this product: suppresses.
    Fixed,
    /// Under investigation: does not suppress.
    UnderInvestigation,
}

impl VexStatus {
    /// The OpenVEX name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Affected => "affected",
            VexStatus::Fixed => "fixed",
            VexStatus::UnderInvestigation => "under_investigation",
        }
    }

    /// Whether the status suppresses a finding.
    #[must_use]
    pub fn suppresses(self) -> bool {
        matches!(self, VexStatus::NotAffected | VexStatus::Fixed)
    }

    pub(crate) fn from_word(w: &str) -> Option<VexStatus> {
        Some(match w {
            "not_affected" => VexStatus::NotAffected,
            "affected" => VexStatus::Affected,
            "fixed" => VexStatus::Fixed,
            "under_investigation" => VexStatus::UnderInvestigation,
            _ => return None,
        })
    }
}

/// An OpenVEX `not_affected` justification (CSAF flag labels use the same words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexJustification {
    /// The component is not in the product.
    ComponentNotPresent,
    /// The vulnerable code is not in the component.
    VulnerableCodeNotPresent,
    /// The vulnerable code cannot run.
    VulnerableCodeNotInExecutePath,
    /// An attacker cannot reach the vulnerable code with their input.
    VulnerableCodeCannotBeControlledByAdversary,
    /// Mitigations in the product prevent exploitation.
    InlineMitigationsAlreadyExist,
}

impl VexJustification {
    /// The OpenVEX name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            VexJustification::ComponentNotPresent => "component_not_present",
            VexJustification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            VexJustification::VulnerableCodeNotInExecutePath => {
                "vulnerable_code_not_in_execute_path"
            }
            VexJustification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            VexJustification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }

    /// Reads an OpenVEX / CSAF word, or a CycloneDX `analysis.justification`.
    #[must_use]
    pub fn from_word(w: &str) -> Option<VexJustification> {
        use VexJustification as J;
        Some(match w {
            "component_not_present" => J::ComponentNotPresent,
            "vulnerable_code_not_present" | "code_not_present" => J::VulnerableCodeNotPresent,
            "vulnerable_code_not_in_execute_path" | "code_not_reachable" => {
                J::VulnerableCodeNotInExecutePath
            }
            "vulnerable_code_cannot_be_controlled_by_adversary"
            | "requires_configuration"
            | "requires_dependency"
            | "requires_environment" => J::VulnerableCodeCannotBeControlledByAdversary,
            "inline_mitigations_already_exist"
            | "protected_by_compiler"
            | "protected_at_runtime"
            | "protected_at_perimeter"
            | "protected_by_mitigating_control" => J::InlineMitigationsAlreadyExist,
            _ => return None,
        })
    }
}

/// What a statement is about: a package, possibly inside a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexTarget {
    /// The product the package is a subcomponent of (OpenVEX `products[]` with
    /// `subcomponents`); it must be the scanned image or a package of the inventory.
    pub product: Option<String>,
    /// The package's purl. An image purl (`pkg:oci/...`, `pkg:docker/...`) naming the
    /// scanned image stands for every package in it.
    pub package: String,
}

/// One VEX statement, in the common model of the three formats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexStatement {
    /// The vulnerability id.
    pub vulnerability: String,
    /// Its other ids.
    pub aliases: Vec<String>,
    /// What it applies to.
    pub targets: Vec<VexTarget>,
    /// Status.
    pub status: VexStatus,
    /// Justification, for `not_affected`.
    pub justification: Option<VexJustification>,
    /// Impact statement or detail, as written.
    pub impact: Option<String>,
    /// Action statement (for `affected`), as written.
    pub action: Option<String>,
    /// When the statement was made (statement, else document timestamp), as written.
    pub timestamp: Option<String>,
}

/// A loaded VEX document.
#[derive(Debug, Clone)]
pub struct Vex {
    /// The file's display name (`suppressed.source` is `vex:FILE`).
    pub file: String,
    /// Its format.
    pub format: VexFormat,
    /// Its statements, in document order.
    pub statements: Vec<VexStatement>,
}

impl Vex {
    /// Parses a VEX document (JSON), recognizing its format from its content: OpenVEX by its
    /// `@context`/`statements`, CycloneDX by `bomFormat`, CSAF by `document.csaf_version`.
    ///
    /// # Errors
    /// Not JSON, larger than [`crate::MAX_VEX_BYTES`], none of the formats, more than
    /// [`crate::MAX_ENTRIES`] statements, or a statement with an unknown status.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<Vex, Error> {
        if bytes.len() > crate::MAX_VEX_BYTES {
            return Err(Error::TooLarge {
                file: file.to_owned(),
                limit: crate::MAX_VEX_BYTES,
            });
        }
        let doc: Value = serde_json::from_slice(bytes).map_err(|e| Error::Syntax {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
        let invalid = |message: String| Error::Invalid {
            file: file.to_owned(),
            message,
        };
        let (format, statements) =
            if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
                (VexFormat::CycloneDx, cyclonedx(&doc).map_err(invalid)?)
            } else if doc.pointer("/document/csaf_version").is_some() {
                (VexFormat::Csaf, csaf(&doc).map_err(invalid)?)
            } else if doc.get("statements").is_some_and(Value::is_array) {
                (VexFormat::OpenVex, openvex(&doc).map_err(invalid)?)
            } else {
                return Err(Error::UnknownVexFormat {
                    file: file.to_owned(),
                });
            };
        if statements.len() > crate::MAX_ENTRIES {
            return Err(Error::Invalid {
                file: file.to_owned(),
                message: format!("more than {} statements", crate::MAX_ENTRIES),
            });
        }
        Ok(Vex {
            file: file.to_owned(),
            format,
            statements,
        })
    }
}

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The purl of an OpenVEX component: `identifiers.purl`, else an `@id` that is a purl.
fn component_purl(c: &Value) -> Option<String> {
    c.pointer("/identifiers/purl")
        .and_then(Value::as_str)
        .or_else(|| {
            c.get("@id")
                .and_then(Value::as_str)
                .filter(|id| id.starts_with("pkg:"))
        })
        .map(str::to_owned)
}

fn openvex(doc: &Value) -> Result<Vec<VexStatement>, String> {
    let doc_ts = s(doc, "timestamp");
    let mut out = Vec::new();
    for (i, st) in arr(doc, "statements").iter().enumerate() {
        let Some(word) = st.get("status").and_then(Value::as_str) else {
            return Err(format!("statements[{i}]: no status"));
        };
        let status = VexStatus::from_word(word)
            .ok_or_else(|| format!("statements[{i}]: unknown status {word:?}"))?;
        let vuln = st.get("vulnerability").unwrap_or(&Value::Null);
        // OpenVEX 0.0.x wrote the vulnerability as a plain string.
        let name = vuln
            .as_str()
            .map(str::to_owned)
            .or_else(|| s(vuln, "name"))
            .or_else(|| s(vuln, "@id"));
        let Some(name) = name else {
            return Err(format!("statements[{i}]: no vulnerability name"));
        };
        let aliases = arr(vuln, "aliases")
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let mut targets = Vec::new();
        for p in arr(st, "products") {
            // 0.0.x wrote products as plain strings.
            let Some(product) = p.as_str().map(str::to_owned).or_else(|| component_purl(p)) else {
                continue;
            };
            let subs: Vec<String> = arr(p, "subcomponents")
                .iter()
                .filter_map(component_purl)
                .collect();
            if subs.is_empty() {
                targets.push(VexTarget {
                    product: None,
                    package: product,
                });
            } else {
                targets.extend(subs.into_iter().map(|package| VexTarget {
                    product: Some(product.clone()),
                    package,
                }));
            }
        }
        out.push(VexStatement {
            vulnerability: name,
            aliases,
            targets,
            status,
            justification: st
                .get("justification")
                .and_then(Value::as_str)
                .and_then(VexJustification::from_word),
            impact: s(st, "impact_statement").or_else(|| s(st, "status_notes")),
            action: s(st, "action_statement"),
            timestamp: s(st, "timestamp")
                .or_else(|| s(st, "last_updated"))
                .or_else(|| doc_ts.clone()),
        });
    }
    Ok(out)
}

/// bom-ref -> purl over `metadata.component` and the component tree.
fn cdx_refs(doc: &Value) -> HashMap<String, String> {
    let mut refs = HashMap::new();
    let mut stack: Vec<(&Value, usize)> = Vec::new();
    if let Some(c) = doc.pointer("/metadata/component") {
        stack.push((c, 0));
    }
    stack.extend(arr(doc, "components").iter().map(|c| (c, 0)));
    while let Some((c, depth)) = stack.pop() {
        if let (Some(r), Some(p)) = (s(c, "bom-ref"), s(c, "purl")) {
            refs.insert(r, p);
        }
        if depth < 64 {
            stack.extend(arr(c, "components").iter().map(|c| (c, depth + 1)));
        }
    }
    refs
}

fn cyclonedx(doc: &Value) -> Result<Vec<VexStatement>, String> {
    let refs = cdx_refs(doc);
    let doc_ts = doc
        .pointer("/metadata/timestamp")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut out = Vec::new();
    for (i, v) in arr(doc, "vulnerabilities").iter().enumerate() {
        let Some(analysis) = v.get("analysis") else {
            continue; // a vulnerability without analysis is a finding, not a VEX statement
        };
        let Some(state) = analysis.get("state").and_then(Value::as_str) else {
            continue;
        };
        let status = match state {
            "not_affected" | "false_positive" => VexStatus::NotAffected,
            "resolved" | "resolved_with_pedigree" => VexStatus::Fixed,
            "exploitable" => VexStatus::Affected,
            "in_triage" => VexStatus::UnderInvestigation,
            other => {
                return Err(format!(
                    "vulnerabilities[{i}]: unknown analysis.state {other:?}"
                ));
            }
        };
        let Some(id) = s(v, "id") else {
            return Err(format!("vulnerabilities[{i}]: no id"));
        };
        let aliases = arr(v, "references")
            .iter()
            .filter_map(|r| s(r, "id"))
            .collect();
        let targets = arr(v, "affects")
            .iter()
            .filter_map(|a| a.get("ref").and_then(Value::as_str))
            .filter_map(|r| {
                if r.starts_with("pkg:") {
                    return Some(r.to_owned());
                }
                // A BOM-Link (`urn:cdx:SERIAL/VERSION#bom-ref`) is resolved in this document.
                let key = if r.starts_with("urn:cdx:") {
                    r.rsplit_once('#').map_or(r, |(_, k)| k)
                } else {
                    r
                };
                refs.get(key).cloned()
            })
            .map(|package| VexTarget {
                product: None,
                package,
            })
            .collect();
        let justification = if state == "false_positive" {
            Some(VexJustification::ComponentNotPresent)
        } else {
            analysis
                .get("justification")
                .and_then(Value::as_str)
                .and_then(VexJustification::from_word)
        };
        let response: Vec<&str> = arr(analysis, "response")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        out.push(VexStatement {
            vulnerability: id,
            aliases,
            targets,
            status,
            justification,
            impact: s(analysis, "detail")
                .or_else(|| (state == "false_positive").then(|| "false positive".to_owned())),
            action: (!response.is_empty()).then(|| response.join(", ")),
            timestamp: s(analysis, "lastUpdated")
                .or_else(|| s(analysis, "firstIssued"))
                .or_else(|| doc_ts.clone()),
        });
    }
    Ok(out)
}

/// product_id -> purl over branches and full_product_names, and relationships
/// (product_id -> the component's purl).
fn csaf_products(doc: &Value) -> HashMap<String, String> {
    let mut ids = HashMap::new();
    let add = |ids: &mut HashMap<String, String>, p: &Value| {
        if let (Some(id), Some(purl)) = (
            s(p, "product_id"),
            p.pointer("/product_identification_helper/purl")
                .and_then(Value::as_str),
        ) {
            ids.insert(id, purl.to_owned());
        }
    };
    let tree = doc.get("product_tree").unwrap_or(&Value::Null);
    let mut stack: Vec<(&Value, usize)> = arr(tree, "branches").iter().map(|b| (b, 0)).collect();
    while let Some((b, depth)) = stack.pop() {
        if let Some(p) = b.get("product") {
            add(&mut ids, p);
        }
        if depth < 64 {
            stack.extend(arr(b, "branches").iter().map(|c| (c, depth + 1)));
        }
    }
    for p in arr(tree, "full_product_names") {
        add(&mut ids, p);
    }
    for r in arr(tree, "relationships") {
        // The platform (relates_to_product_reference) is named by CPE in practice, which
        // bosun cannot compare to an image: the component's purl is what is matched.
        if let (Some(id), Some(component)) = (
            r.pointer("/full_product_name/product_id")
                .and_then(Value::as_str),
            r.get("product_reference").and_then(Value::as_str),
        ) && let Some(purl) = ids.get(component).cloned()
        {
            ids.insert(id.to_owned(), purl);
        }
    }
    ids
}

fn csaf(doc: &Value) -> Result<Vec<VexStatement>, String> {
    let products = csaf_products(doc);
    let doc_ts = doc
        .pointer("/document/tracking/current_release_date")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut out = Vec::new();
    for v in arr(doc, "vulnerabilities") {
        let Some(id) = s(v, "cve").or_else(|| arr(v, "ids").first().and_then(|i| s(i, "text")))
        else {
            continue;
        };
        let aliases: Vec<String> = arr(v, "ids")
            .iter()
            .filter_map(|i| s(i, "text"))
            .filter(|t| *t != id)
            .collect();
        let mut justification: HashMap<&str, VexJustification> = HashMap::new();
        for f in arr(v, "flags") {
            if let Some(j) = f
                .get("label")
                .and_then(Value::as_str)
                .and_then(VexJustification::from_word)
            {
                for p in arr(f, "product_ids").iter().filter_map(Value::as_str) {
                    justification.insert(p, j);
                }
            }
        }
        let mut impact: HashMap<&str, String> = HashMap::new();
        let mut action: HashMap<&str, String> = HashMap::new();
        for t in arr(v, "threats")
            .iter()
            .filter(|t| t.get("category").and_then(Value::as_str) == Some("impact"))
        {
            for p in arr(t, "product_ids").iter().filter_map(Value::as_str) {
                if let Some(d) = s(t, "details") {
                    impact.insert(p, d);
                }
            }
        }
        for r in arr(v, "remediations") {
            for p in arr(r, "product_ids").iter().filter_map(Value::as_str) {
                if let Some(d) = s(r, "details") {
                    action.insert(p, d);
                }
            }
        }
        let Some(ps) = v.get("product_status") else {
            continue;
        };
        for (key, status) in [
            ("known_not_affected", VexStatus::NotAffected),
            ("fixed", VexStatus::Fixed),
            ("first_fixed", VexStatus::Fixed),
            ("known_affected", VexStatus::Affected),
            ("first_affected", VexStatus::Affected),
            ("last_affected", VexStatus::Affected),
            ("under_investigation", VexStatus::UnderInvestigation),
        ] {
            for pid in arr(ps, key).iter().filter_map(Value::as_str) {
                // A product without a purl cannot be matched to a package: skipped.
                let Some(purl) = products.get(pid) else {
                    continue;
                };
                out.push(VexStatement {
                    vulnerability: id.clone(),
                    aliases: aliases.clone(),
                    targets: vec![VexTarget {
                        product: None,
                        package: purl.clone(),
                    }],
                    status,
                    justification: justification.get(pid).copied(),
                    impact: impact.get(pid).cloned(),
                    action: action.get(pid).cloned(),
                    timestamp: doc_ts.clone(),
                });
            }
        }
    }
    Ok(out)
}

/// Whether `purl` (`pkg:oci/NAME@DIGEST`, `pkg:docker/NAMESPACE/NAME@TAG-OR-DIGEST`) names
/// the scanned image: its version must be the manifest digest or image id when it has one,
/// and its name the last segment of a repository the image is tagged with (or of the
/// source name) when it has no version.
fn names_image(purl: &str, inv: &Inventory) -> bool {
    let Some((ty, name)) = purl_type_name(purl) else {
        return false;
    };
    if ty != "oci" && ty != "docker" {
        return false;
    }
    if let Some(v) = purl_version(purl)
        && v.contains(':')
    {
        return [&inv.source.manifest_digest, &inv.source.image_id]
            .into_iter()
            .flatten()
            .any(|d| d.eq_ignore_ascii_case(&v));
    }
    let last = |r: &str| -> String {
        let r = r.rsplit_once('@').map_or(r, |(a, _)| a);
        let r = r.rsplit('/').next().unwrap_or(r);
        r.split_once(':').map_or(r, |(a, _)| a).to_ascii_lowercase()
    };
    let want = name.to_ascii_lowercase();
    inv.source
        .repo_tags
        .iter()
        .map(|t| last(t))
        .any(|n| n == want)
        || (inv.source.kind == "registry" && last(&inv.source.name) == want)
}

fn target_applies(t: &VexTarget, v: &Vulnerability, inv: &Inventory) -> bool {
    let package_ok = purl_matches(&t.package, &v.package.purl) || names_image(&t.package, inv);
    // A product that is a package (a Go binary, a jar) holds the subcomponent when both were
    // found at the same location (the binary's path); bosun has no dependency graph beyond
    // that. When either location is unknown, the product being present is enough.
    let product_ok = t.product.as_deref().is_none_or(|p| {
        names_image(p, inv)
            || inv.packages.iter().any(|pkg| {
                purl_matches(p, &pkg.purl)
                    && match &v.package.location {
                        Some(loc) if !pkg.locations.is_empty() => pkg.locations.contains(loc),
                        _ => true,
                    }
            })
    });
    package_ok && product_ok
}

fn names_vuln(st: &VexStatement, v: &Vulnerability) -> bool {
    let ours = || std::iter::once(&v.id).chain(&v.aliases);
    std::iter::once(&st.vulnerability)
        .chain(&st.aliases)
        .any(|n| ours().any(|o| o.eq_ignore_ascii_case(n.trim())))
}

/// The reason text written into `suppressed.reason` for a VEX suppression:
/// `STATUS[ (JUSTIFICATION)][: IMPACT]`; `--vex-out` reads it back.
pub(crate) fn reason(st: &VexStatement) -> String {
    let mut r = st.status.as_str().to_owned();
    if let Some(j) = st.justification {
        r.push_str(&format!(" ({})", j.as_str()));
    }
    if let Some(i) = st.impact.as_deref().filter(|i| !i.trim().is_empty()) {
        r.push_str(": ");
        r.push_str(i.trim());
    }
    r
}

/// Applies a VEX document to the inventory's vulnerability findings.
///
/// A statement applies to a finding when its vulnerability (name or an alias) equals the
/// finding's id or an alias, and one of its targets names the finding's package (see
/// [`crate::purl_matches`]: a purl without version matches every version), inside a product
/// that is the scanned image or one of its packages. When several statements apply, the one
/// with the latest timestamp wins (document order breaks ties). `not_affected` and `fixed`
/// suppress (`source` `vex:FILE`, `reason` `not_affected (JUSTIFICATION): IMPACT`);
/// `affected` and `under_investigation` do not, and give an info diagnostic each. A finding
/// already suppressed is left as is. Statements that apply to no finding are counted in one
/// info diagnostic.
pub fn apply_vex(inv: &mut Inventory, vex: &Vex) -> Vec<Diagnostic> {
    let source = format!("vex:{}", vex.file);
    let mut order: Vec<(Option<jiff::Timestamp>, usize)> = vex
        .statements
        .iter()
        .enumerate()
        .map(|(i, st)| (st.timestamp.as_deref().and_then(|t| t.parse().ok()), i))
        .collect();
    order.sort();
    let mut used = vec![false; vex.statements.len()];
    let mut out = Vec::new();
    let mut decisions = Vec::with_capacity(inv.vulnerabilities.len());
    for v in &inv.vulnerabilities {
        let winner = order
            .iter()
            .rev()
            .filter_map(|&(_, i)| vex.statements.get(i).map(|st| (i, st)))
            .find(|(_, st)| {
                names_vuln(st, v) && st.targets.iter().any(|t| target_applies(t, v, inv))
            });
        decisions.push(winner.map(|(i, _)| i));
    }
    for (v, d) in inv.vulnerabilities.iter_mut().zip(decisions) {
        let Some(st) = d.and_then(|i| {
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
            vex.statements.get(i)
        }) else {
            continue;
        };
        if st.status.suppresses() {
            if v.suppressed.is_none() {
                v.suppressed = Some(Suppression {
                    reason: reason(st),
                    source: source.clone(),
                    expires: None,
                });
            }
        } else {
            out.push(Diagnostic {
                level: DiagnosticLevel::Info,
                source: source.clone(),
                message: format!(
                    "{} in {}@{} is {} per vex{}",
                    v.id,
                    v.package.name,
                    v.package.version,
                    st.status.as_str(),
                    st.action
                        .as_deref()
                        .map(|a| format!(" ({a})"))
                        .unwrap_or_default()
                ),
                path: None,
                layer: Some(v.layer.clone()),
            });
        }
    }
    let unused = used.iter().filter(|u| !**u).count();
    if unused > 0 {
        out.push(Diagnostic {
            level: DiagnosticLevel::Info,
            source,
            message: format!(
                "{unused} of {} vex statement(s) apply to no finding",
                vex.statements.len()
            ),
            path: None,
            layer: None,
        });
    }
    out
}
