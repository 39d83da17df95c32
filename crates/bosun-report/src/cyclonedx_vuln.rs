//! CycloneDX 1.6 `vulnerabilities`: one entry per finding, affecting the package's component,
//! with its CVSS ratings, advisories, KEV and EPSS as properties, and an `analysis` when an
//! exception or VEX statement suppresses it. bosun's own entries read back to the findings
//! they were written from (the `bosun:*` properties carry what CycloneDX has no field for).

use std::collections::{BTreeMap, HashMap};

use bosun_inventory::vuln::{
    CvssScore, EpssInfo, KevInfo, Severity, Status, Suppression, VulnPackage, Vulnerability,
};
use bosun_inventory::{Inventory, LayerRef};
use serde_json::{Value, json};

use crate::ReportError;
use crate::findings::advisory_url;

/// The name of the database an id comes from.
fn source_name(id: &str) -> &'static str {
    if id.starts_with("CVE-") {
        "NVD"
    } else if id.starts_with("GHSA-") {
        "GitHub"
    } else {
        "OSV"
    }
}

fn source(id: &str) -> Value {
    json!({ "name": source_name(id), "url": advisory_url(id) })
}

fn method(version: &str) -> &'static str {
    match version {
        "4.0" => "CVSSv4",
        "3.1" => "CVSSv31",
        "3.0" => "CVSSv3",
        "2.0" => "CVSSv2",
        _ => "other",
    }
}

fn version_of(method: &str) -> Option<&'static str> {
    Some(match method {
        "CVSSv4" => "4.0",
        "CVSSv31" => "3.1",
        "CVSSv3" => "3.0",
        "CVSSv2" => "2.0",
        _ => return None,
    })
}

/// The qualitative severity of a CVSS score in its version's bands.
fn cvss_severity(version: &str, score: f64) -> &'static str {
    if version == "2.0" {
        return match score {
            s if s >= 7.0 => "high",
            s if s >= 4.0 => "medium",
            _ => "low",
        };
    }
    match score {
        s if s >= 9.0 => "critical",
        s if s >= 7.0 => "high",
        s if s >= 4.0 => "medium",
        s if s > 0.0 => "low",
        _ => "none",
    }
}

fn lower(s: Severity) -> String {
    s.as_str().to_ascii_lowercase()
}

/// CycloneDX `analysis` of a suppression. A VEX statement's reason starts with its status
/// (`not_affected: vulnerable_code_not_in_execute_path`); an exception is an accepted risk:
/// the finding stands (`exploitable`) and will not be fixed.
pub(crate) fn analysis(s: &Suppression) -> Value {
    let (status, justification) = match s.reason.split_once(':') {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (s.reason.trim(), ""),
    };
    let is_vex = s.source.starts_with("vex:");
    let state = if is_vex {
        match status {
            "not_affected" => Some("not_affected"),
            "fixed" => Some("resolved"),
            "under_investigation" => Some("in_triage"),
            "affected" => Some("exploitable"),
            _ => None,
        }
    } else {
        None
    };
    let mut a = serde_json::Map::new();
    match state {
        Some(st) => {
            a.insert("state".into(), st.into());
            let j = match justification {
                "component_not_present" | "vulnerable_code_not_present" | "code_not_present" => {
                    Some("code_not_present")
                }
                "vulnerable_code_not_in_execute_path" | "code_not_reachable" => {
                    Some("code_not_reachable")
                }
                "vulnerable_code_cannot_be_controlled_by_adversary" => Some("requires_environment"),
                "inline_mitigations_already_exist" => Some("protected_by_mitigating_control"),
                other => [
                    "requires_configuration",
                    "requires_dependency",
                    "requires_environment",
                    "protected_by_compiler",
                    "protected_at_runtime",
                    "protected_at_perimeter",
                    "protected_by_mitigating_control",
                ]
                .into_iter()
                .find(|j| *j == other),
            };
            if st == "not_affected"
                && let Some(j) = j
            {
                a.insert("justification".into(), j.into());
            }
        }
        None => {
            a.insert("state".into(), "exploitable".into());
            a.insert("response".into(), json!(["will_not_fix"]));
        }
    }
    let mut detail = s.reason.clone();
    if !s.source.is_empty() {
        detail.push_str(&format!(" ({})", s.source));
    }
    a.insert("detail".into(), detail.into());
    Value::Object(a)
}

fn prop(props: &mut Vec<Value>, name: impl Into<String>, value: impl Into<String>) {
    props.push(json!({ "name": name.into(), "value": value.into() }));
}

fn prop_opt(props: &mut Vec<Value>, name: &str, value: Option<&String>) {
    if let Some(v) = value {
        prop(props, name, v.clone());
    }
}

/// The `vulnerabilities` array; `refs` maps a purl to its component's bom-ref.
pub(crate) fn to_vulnerabilities(
    inv: &Inventory,
    refs: &HashMap<&str, String>,
    fallback_ref: &str,
) -> Vec<Value> {
    inv.vulnerabilities
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut ratings: Vec<Value> = v
                .cvss
                .iter()
                .map(|c| {
                    let mut r = json!({
                        "source": source(&v.id),
                        "severity": cvss_severity(&c.version, c.score),
                        "method": method(&c.version),
                        "vector": c.vector,
                    });
                    if c.score.is_finite() {
                        r["score"] = json!(c.score);
                    }
                    r
                })
                .collect();
            if v.cvss.is_empty() && v.severity != Severity::Unknown {
                ratings.push(json!({
                    "source": { "name": v.severity_source },
                    "severity": lower(v.severity),
                    "method": "other",
                }));
            }
            let mut props = Vec::new();
            prop(&mut props, "bosun:severity", v.severity.as_str());
            // A CVSS version CycloneDX has no method for is rated `other`; its version is kept.
            for (n, c) in v.cvss.iter().enumerate() {
                if method(&c.version) == "other" {
                    prop(&mut props, format!("bosun:cvss:{n}:version"), c.version.clone());
                }
            }
            prop(&mut props, "bosun:severity_source", v.severity_source.clone());
            prop(&mut props, "bosun:status", v.status.as_str());
            let p = &v.package;
            prop(&mut props, "bosun:package:name", p.name.clone());
            prop(&mut props, "bosun:package:version", p.version.clone());
            prop(&mut props, "bosun:package:purl", p.purl.clone());
            prop(&mut props, "bosun:package:ecosystem", p.ecosystem.clone());
            prop_opt(&mut props, "bosun:package:location", p.location.as_ref());
            prop_opt(
                &mut props,
                "bosun:package:matched_name",
                p.matched_name.as_ref(),
            );
            prop_opt(
                &mut props,
                "bosun:package:matched_version",
                p.matched_version.as_ref(),
            );
            for (n, f) in v.fixed_versions.iter().enumerate() {
                prop(&mut props, format!("bosun:fixed_version:{n}"), f.clone());
            }
            prop(&mut props, "bosun:layer:index", v.layer.index.to_string());
            prop_opt(&mut props, "bosun:layer:diff_id", v.layer.diff_id.as_ref());
            if let Some(k) = &v.kev {
                prop(&mut props, "bosun:kev:cve", k.cve.clone());
                prop(&mut props, "bosun:kev:date_added", k.date_added.clone());
                prop_opt(&mut props, "bosun:kev:due_date", k.due_date.as_ref());
                prop_opt(&mut props, "bosun:kev:ransomware", k.ransomware.as_ref());
            }
            if let Some(e) = &v.epss {
                prop(&mut props, "bosun:epss:cve", e.cve.clone());
                prop(&mut props, "bosun:epss:score", e.score.to_string());
                prop(&mut props, "bosun:epss:percentile", e.percentile.to_string());
            }
            if let Some(s) = &v.suppressed {
                prop(&mut props, "bosun:suppressed:reason", s.reason.clone());
                prop(&mut props, "bosun:suppressed:source", s.source.clone());
                prop_opt(&mut props, "bosun:suppressed:expires", s.expires.as_ref());
            }
            if let Some(p) = &v.priority {
                // The whole object (score, inputs, reasons) as JSON text: one property that
                // reads back exactly.
                prop(
                    &mut props,
                    "bosun:priority",
                    serde_json::to_string(p).unwrap_or_default(),
                );
            }
            let component = refs
                .get(p.purl.as_str())
                .cloned()
                .unwrap_or_else(|| fallback_ref.to_owned());
            let mut e = json!({
                "bom-ref": format!("bosun-vulnerability-{i}"),
                "id": v.id,
                "source": source(&v.id),
                "references": v.aliases.iter().map(|a| json!({ "id": a, "source": source(a) })).collect::<Vec<_>>(),
                "ratings": ratings,
                "advisories": v.records.iter().map(|r| json!({ "title": r, "url": advisory_url(r) })).collect::<Vec<_>>(),
                "affects": [{ "ref": component, "versions": [{ "version": p.version, "status": "affected" }] }],
                "properties": props,
            });
            if let Some(s) = &v.summary {
                e["description"] = s.clone().into();
            }
            if let Some(f) = v.fixed_versions.first() {
                e["recommendation"] = format!("Upgrade {} to {f}", p.name).into();
            }
            if let Some(s) = &v.suppressed {
                e["analysis"] = analysis(s);
            }
            e
        })
        .collect()
}

fn bad(key: &str, value: &str) -> ReportError {
    ReportError::BadProperty {
        key: key.to_owned(),
        value: value.to_owned(),
    }
}

fn strings<'a>(v: &'a Value, key: &str, field: &str) -> Vec<&'a str> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.get(field).and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default()
}

/// Read back the findings of a bosun-written `vulnerabilities` array; entries without
/// `bosun:severity` (another producer's) are skipped.
pub(crate) fn read_vulnerabilities(list: &[Value]) -> Result<Vec<Vulnerability>, ReportError> {
    let mut out = Vec::new();
    for e in list {
        let props: BTreeMap<&str, &str> = e
            .get("properties")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|p| Some((p.get("name")?.as_str()?, p.get("value")?.as_str()?)))
                    .collect()
            })
            .unwrap_or_default();
        let Some(sev) = props.get("bosun:severity") else {
            continue;
        };
        let get = |k: &str| props.get(k).map(|v| (*v).to_owned());
        let num = |k: &str| -> Result<Option<f32>, ReportError> {
            props
                .get(k)
                .map(|v| {
                    v.parse::<f32>()
                        .ok()
                        .filter(|n| n.is_finite())
                        .ok_or_else(|| bad(k, v))
                })
                .transpose()
        };
        let severity = Severity::from_word(sev).ok_or_else(|| bad("bosun:severity", sev))?;
        let status = match props.get("bosun:status").copied().unwrap_or("affected") {
            "fixed" => Status::Fixed,
            "affected" => Status::Affected,
            "will_not_fix" => Status::WillNotFix,
            other => return Err(bad("bosun:status", other)),
        };
        let mut fixed: BTreeMap<usize, String> = BTreeMap::new();
        for (k, v) in &props {
            if let Some(n) = k.strip_prefix("bosun:fixed_version:") {
                fixed.insert(n.parse().map_err(|_| bad(k, n))?, (*v).to_owned());
            }
        }
        let layer_index = props.get("bosun:layer:index").copied().unwrap_or("0");
        let cvss = e
            .get("ratings")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .enumerate()
                    .filter_map(|(n, r)| {
                        let version = version_of(r.get("method")?.as_str()?)
                            .map(str::to_owned)
                            .or_else(|| get(&format!("bosun:cvss:{n}:version")))?;
                        Some(CvssScore {
                            version,
                            vector: r.get("vector")?.as_str()?.to_owned(),
                            score: r.get("score")?.as_f64().filter(|s| s.is_finite())?,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(Vulnerability {
            id: e
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            aliases: strings(e, "references", "id")
                .into_iter()
                .map(str::to_owned)
                .collect(),
            summary: e
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
            severity,
            severity_source: get("bosun:severity_source").unwrap_or_default(),
            cvss,
            package: VulnPackage {
                name: get("bosun:package:name").unwrap_or_default(),
                version: get("bosun:package:version").unwrap_or_default(),
                purl: get("bosun:package:purl").unwrap_or_default(),
                ecosystem: get("bosun:package:ecosystem").unwrap_or_default(),
                location: get("bosun:package:location"),
                matched_name: get("bosun:package:matched_name"),
                matched_version: get("bosun:package:matched_version"),
            },
            fixed_versions: fixed.into_values().collect(),
            status,
            layer: LayerRef {
                index: layer_index
                    .parse()
                    .map_err(|_| bad("bosun:layer:index", layer_index))?,
                diff_id: get("bosun:layer:diff_id"),
                role: None,
            },
            kev: match (get("bosun:kev:cve"), get("bosun:kev:date_added")) {
                (Some(cve), Some(date_added)) => Some(KevInfo {
                    cve,
                    date_added,
                    due_date: get("bosun:kev:due_date"),
                    ransomware: get("bosun:kev:ransomware"),
                }),
                _ => None,
            },
            epss: match (
                get("bosun:epss:cve"),
                num("bosun:epss:score")?,
                num("bosun:epss:percentile")?,
            ) {
                (Some(cve), Some(score), Some(percentile)) => Some(EpssInfo {
                    cve,
                    score,
                    percentile,
                }),
                _ => None,
            },
            records: strings(e, "advisories", "title")
                .into_iter()
                .map(str::to_owned)
                .collect(),
            suppressed: get("bosun:suppressed:source").map(|source| Suppression {
                reason: get("bosun:suppressed:reason").unwrap_or_default(),
                source,
                expires: get("bosun:suppressed:expires"),
            }),
            priority: props
                .get("bosun:priority")
                .map(|v| serde_json::from_str(v).map_err(|_| bad("bosun:priority", v)))
                .transpose()?,
        });
    }
    Ok(out)
}
