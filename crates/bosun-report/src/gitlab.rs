//! The GitLab container scanning report (`--format gitlab`), schema version 15.0.7, the one
//! GitLab's security widgets and trivy's GitLab template use.
//!
//! One entry per vulnerability finding (secrets and configuration checks have no place in a
//! container scanning report). Suppressed findings are left out: GitLab has no mark for an
//! accepted or not-affected finding, and anything listed counts in the merge request widget.

use bosun_inventory::Inventory;
use bosun_inventory::vuln::{Severity, Vulnerability};
use serde_json::{Value, json};

use crate::findings::{advisory_url, fix_text, title, truncate};
use crate::{RenderOptions, ids};

const VERSION: &str = "15.0.7";
const SCHEMA: &str = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v15.0.7/dist/container-scanning-report-format.json";

/// GitLab's word for a severity.
pub(crate) fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Unknown => "Unknown",
    }
}

/// `yyyy-mm-ddThh:mm:ss` (what the schema's pattern allows) from an RFC 3339 timestamp.
fn gitlab_time(rfc3339: &str) -> String {
    let t = rfc3339.get(..19).unwrap_or_default();
    let b = t.as_bytes();
    let ok = b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    if ok {
        t.to_owned()
    } else {
        ids::now_rfc3339().get(..19).unwrap_or_default().to_owned()
    }
}

/// The identifier type of an advisory id (`cve`, `ghsa`, `osv`...), lowercase.
fn id_type(id: &str) -> String {
    let prefix = id.split('-').next().unwrap_or_default();
    if prefix.is_empty() || prefix.len() > 16 || !prefix.chars().all(|c| c.is_ascii_alphanumeric())
    {
        "advisory".to_owned()
    } else {
        prefix.to_ascii_lowercase()
    }
}

fn identifier(id: &str) -> Value {
    // The schema wants a name and value; a finding always has an id, but never trust that.
    let id = if id.is_empty() { "unknown" } else { id };
    json!({
        "type": id_type(id),
        "name": id,
        "value": id,
        "url": advisory_url(id),
    })
}

fn entry(v: &Vulnerability, os: &str, image: &str) -> Value {
    let mut identifiers = vec![identifier(&v.id)];
    identifiers.extend(
        v.aliases
            .iter()
            .filter(|a| !a.is_empty() && **a != v.id)
            .map(|a| identifier(a)),
    );
    let links: Vec<Value> = std::iter::once(&v.id)
        .chain(&v.aliases)
        .filter(|a| !a.is_empty())
        .map(|a| json!({ "url": advisory_url(a) }))
        .collect();
    let solution = match v.fixed_versions.first() {
        Some(f) => format!("Upgrade {} to {f}", v.package.name),
        None => format!(
            "No fixed version of {} yet ({})",
            v.package.name,
            fix_text(v)
        ),
    };
    let description = v
        .summary
        .clone()
        .unwrap_or_else(|| format!("{} in {} {}", v.id, v.package.name, v.package.version));
    let id = ids::uuid_from(&[
        b"gitlab",
        v.id.as_bytes(),
        v.package.name.as_bytes(),
        v.package.version.as_bytes(),
        v.package.purl.as_bytes(),
        v.package.location.as_deref().unwrap_or_default().as_bytes(),
    ]);
    let package_name = if v.package.name.is_empty() {
        v.package.purl.clone()
    } else {
        v.package.name.clone()
    };
    json!({
        "id": id,
        "name": truncate(&title(v), 255),
        "description": truncate(&description, 1_048_576),
        "severity": severity(v.severity),
        "solution": truncate(&solution, 7000),
        "location": {
            "dependency": {
                "package": { "name": package_name },
                "version": v.package.version,
            },
            "operating_system": os,
            "image": image,
        },
        "identifiers": identifiers,
        "links": links,
    })
}

/// The GitLab report of `inv`.
pub(crate) fn to_report(inv: &Inventory, opts: &RenderOptions) -> Value {
    let os = inv
        .os
        .as_ref()
        .map(|o| match &o.version_id {
            Some(v) => format!("{} {v}", o.id),
            None => o.id.clone(),
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    let image = if inv.source.name.is_empty() {
        "unknown".to_owned()
    } else {
        inv.source.name.clone()
    };
    let time = gitlab_time(&opts.timestamp());
    let tool = json!({
        "id": "bosun",
        "name": "bosun",
        "url": "https://github.com/bosun-scanner/bosun",
        "vendor": { "name": "bosun" },
        "version": if opts.tool_version.is_empty() { "unknown" } else { &opts.tool_version },
    });
    let vulnerabilities: Vec<Value> = crate::findings::sorted_vulns(inv)
        .into_iter()
        .filter(|v| v.suppressed.is_none())
        .map(|v| entry(v, &os, &image))
        .collect();
    json!({
        "version": VERSION,
        "schema": SCHEMA,
        "scan": {
            "analyzer": tool,
            "scanner": tool,
            "type": "container_scanning",
            "start_time": time,
            "end_time": time,
            "status": "success",
        },
        "vulnerabilities": vulnerabilities,
        "remediations": [],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitlab_time_keeps_only_the_allowed_shape() {
        assert_eq!(gitlab_time("2026-11-28T03:31:30Z"), "2026-11-28T03:31:30");
        assert_eq!(
            gitlab_time("2026-11-28T03:31:30.123Z"),
            "2026-11-28T03:31:30"
        );
        assert_eq!(gitlab_time("yesterday").len(), 19);
    }

    #[test]
    fn id_types() {
        assert_eq!(id_type("CVE-2024-1"), "cve");
        assert_eq!(id_type("GHSA-a-b-c"), "ghsa");
        assert_eq!(id_type("weird id"), "advisory");
    }
}
