//! SARIF 2.1.0 (`--format sarif`) as GitHub code scanning reads it: one run, one rule per
//! vulnerability id, secret rule and configuration check, one result per finding.
//!
//! An image has no source file in the repository, so each result points at the file that
//! shows the finding in the image, relative to its root: the package's database or manifest
//! (`var/lib/dpkg/status`, `app/package-lock.json`), the secret's file and line; findings of
//! the image config point at the image name. Suppressed findings keep their result, with an
//! `external` suppression carrying the justification.

use std::collections::HashMap;

use bosun_inventory::vuln::{Severity, Vulnerability};
use bosun_inventory::{Inventory, Misconfiguration, SecretFinding, Suppression};
use serde_json::{Value, json};

use crate::RenderOptions;
use crate::findings::{
    advisory_url, encode_path, f32_json, fingerprint, fix_text, is_os, package_path, relative,
    score_for, severity_of, title, truncate, vuln_score,
};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/bosun-scanner/bosun";
/// GitHub's limit for short and full descriptions.
const DESCRIPTION_MAX: usize = 1024;
/// GitHub rejects a run with more results than this.
pub(crate) const MAX_RESULTS: usize = 25_000;

/// The SARIF level of a severity.
pub(crate) fn level(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Unknown => "note",
    }
}

/// Rules in order of first use, each id once.
#[derive(Default)]
struct Rules {
    list: Vec<Value>,
    index: HashMap<String, usize>,
}

impl Rules {
    /// The index of rule `id`, made by `make` on first use.
    fn index(&mut self, id: &str, make: impl FnOnce() -> Value) -> usize {
        let id = nonempty(id);
        if let Some(i) = self.index.get(id) {
            return *i;
        }
        let i = self.list.len();
        self.list.push(make());
        self.index.insert(id.to_owned(), i);
        i
    }
}

/// A rule id, never empty (GitHub requires one).
fn nonempty(id: &str) -> &str {
    if id.is_empty() { "unknown" } else { id }
}

fn text(s: &str) -> Value {
    json!({ "text": truncate(s, DESCRIPTION_MAX) })
}

#[allow(
    clippy::too_many_arguments,
    reason = "one call per finding kind, each naming every field"
)]
fn rule(
    id: &str,
    name: &str,
    short: &str,
    full: &str,
    help: (String, String),
    sev: Severity,
    score: Option<f64>,
    tags: &[&str],
    precision: &str,
) -> Value {
    let mut props = json!({
        "tags": tags,
        "precision": precision,
    });
    if let Some(s) = score {
        props["security-severity"] = format!("{s:.1}").into();
    }
    json!({
        "id": nonempty(id),
        "name": name,
        "shortDescription": text(short),
        "fullDescription": text(full),
        "defaultConfiguration": { "level": level(sev) },
        "helpUri": if tags.contains(&"vulnerability") { advisory_url(id) } else { INFORMATION_URI.to_owned() },
        "help": { "text": help.0, "markdown": help.1 },
        "properties": props,
    })
}

fn vuln_rule(v: &Vulnerability) -> Value {
    let url = advisory_url(&v.id);
    let what = title(v);
    let full = v.summary.clone().unwrap_or_else(|| what.clone());
    let fixed = fix_text(v);
    let mut refs: Vec<String> = vec![url.clone()];
    refs.extend(v.aliases.iter().map(|a| advisory_url(a)));
    let help_text = format!(
        "Vulnerability {id}\nSeverity: {sev}\nPackage: {pkg}\nInstalled: {ver}\nFix: {fixed}\n{full}\nReferences:\n{refs}",
        id = v.id,
        sev = v.severity,
        pkg = v.package.name,
        ver = v.package.version,
        refs = refs.join("\n"),
    );
    let help_md = format!(
        "**Vulnerability {id}**\n\n| Severity | Package | Installed | Fix |\n| --- | --- | --- | --- |\n| {sev} | {pkg} | {ver} | {fixed} |\n\n{full}\n\nReferences:\n{refs}",
        id = md(&v.id),
        sev = v.severity,
        pkg = md(&v.package.name),
        ver = md(&v.package.version),
        fixed = md(&fixed),
        full = md(&full),
        refs = refs
            .iter()
            .map(|r| format!("- <{r}>"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let kind = if is_os(v) {
        "OsPackageVulnerability"
    } else {
        "LanguagePackageVulnerability"
    };
    let sev = v.severity.as_str();
    rule(
        &v.id,
        kind,
        &what,
        &full,
        (help_text, help_md),
        v.severity,
        vuln_score(v),
        &["vulnerability", "security", sev],
        "very-high",
    )
}

/// Markdown text with the characters that would start markup or break a table escaped.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// One location: the file and line. The secret's column is a byte offset, which SARIF has no
/// column kind for, so it stays in the message only.
fn location(uri: &str, line: usize) -> Value {
    let region = json!({ "startLine": line.max(1) });
    json!([{
        "physicalLocation": {
            "artifactLocation": { "uri": encode_path(uri) },
            "region": region,
        }
    }])
}

fn suppressions(s: Option<&Suppression>) -> Option<Value> {
    s.map(|s| {
        let mut justification = s.reason.clone();
        if !s.source.is_empty() {
            justification.push_str(&format!(" ({})", s.source));
        }
        json!([{ "kind": "external", "status": "accepted", "justification": justification }])
    })
}

#[allow(
    clippy::too_many_arguments,
    reason = "one call per finding kind, each naming every field"
)]
fn result(
    rule_id: &str,
    rule_index: usize,
    sev: Severity,
    message: String,
    locations: Value,
    fp: String,
    suppressed: Option<&Suppression>,
    properties: Value,
) -> Value {
    let mut r = json!({
        "ruleId": nonempty(rule_id),
        "ruleIndex": rule_index,
        "level": level(sev),
        "message": { "text": message },
        "locations": locations,
        "partialFingerprints": { "primaryLocationLineHash": fp },
        "properties": properties,
    });
    if let Some(s) = suppressions(suppressed) {
        r["suppressions"] = s;
    }
    r
}

/// Where findings without a file in the image point: the image name, as a relative path.
fn image_uri(inv: &Inventory) -> String {
    let name = relative(&inv.source.name);
    if name.is_empty() {
        "image".to_owned()
    } else {
        name
    }
}

fn vuln_result(v: &Vulnerability, rules: &mut Rules, image: &str) -> Value {
    let i = rules.index(&v.id, || vuln_rule(v));
    let uri = package_path(v).unwrap_or_else(|| image.to_owned());
    let message = format!(
        "Package: {}\nInstalled Version: {}\nVulnerability: {}\nSeverity: {}\nFix: {}\nLayer: {}",
        v.package.name,
        v.package.version,
        v.id,
        v.severity,
        fix_text(v),
        v.layer.index
    );
    let mut props = json!({
        "purl": v.package.purl,
        "layer": v.layer.index,
    });
    if let Some(k) = &v.kev {
        props["kev"] = json!({ "cve": k.cve, "date_added": k.date_added });
    }
    if let Some(e) = &v.epss {
        props["epss"] = json!({ "score": f32_json(e.score), "percentile": f32_json(e.percentile) });
    }
    result(
        &v.id,
        i,
        v.severity,
        message,
        location(&uri, 1),
        fingerprint(&[
            "vuln",
            &v.id,
            &v.package.name,
            &v.package.version,
            &v.package.purl,
            &uri,
        ]),
        v.suppressed.as_ref(),
        props,
    )
}

fn secret_result(s: &SecretFinding, rules: &mut Rules, image: &str) -> Value {
    let sev = severity_of(&s.severity);
    let i = rules.index(&s.rule_id, || {
        let help = format!(
            "Secret {}: {} ({}). Remove it from the image and rotate it: a secret in any layer can be read by anyone who pulls the image.",
            s.rule_id, s.title, s.category
        );
        rule(
            &s.rule_id,
            "Secret",
            &s.title,
            &format!("{} ({})", s.title, s.category),
            (help.clone(), md(&help)),
            sev,
            score_for(sev),
            &["secret", "security", &s.severity],
            "high",
        )
    });
    let from_config = s.path.starts_with("config:");
    let uri = if from_config {
        image.to_owned()
    } else {
        relative(&s.path)
    };
    let line = if from_config { 1 } else { s.line };
    let mut message = format!("{}: {} at {}", s.title, s.match_masked, s.path);
    if s.line > 0 {
        message.push_str(&format!(":{}:{}", s.line, s.column));
    }
    if !s.in_final && s.layer.is_some() {
        message.push_str(" (deleted by a later layer, still in the image)");
    }
    let props = json!({ "layer": s.layer.as_ref().map(|l| l.index) });
    result(
        &s.rule_id,
        i,
        sev,
        message,
        location(&uri, line),
        fingerprint(&[
            "secret",
            &s.rule_id,
            &s.path,
            &s.line.to_string(),
            &s.column.to_string(),
        ]),
        s.suppressed.as_ref(),
        props,
    )
}

fn misconfig_result(m: &Misconfiguration, rules: &mut Rules, image: &str) -> Value {
    let sev = severity_of(&m.severity);
    let i = rules.index(&m.id, || {
        let help = format!("{}\nResolution: {}", m.title, m.resolution);
        rule(
            &m.id,
            "Misconfiguration",
            &m.title,
            &m.title,
            (help.clone(), md(&help)),
            sev,
            score_for(sev),
            &["misconfiguration", "security", &m.severity],
            "very-high",
        )
    });
    let message = format!("{}: {} (evidence: {})", m.title, m.message, m.evidence);
    result(
        &m.id,
        i,
        sev,
        message,
        location(image, 1),
        fingerprint(&["misconfig", &m.id, &m.evidence]),
        m.suppressed.as_ref(),
        json!({}),
    )
}

/// The SARIF log of `inv`.
pub(crate) fn to_sarif(inv: &Inventory, opts: &RenderOptions) -> Value {
    let image = image_uri(inv);
    let mut rules = Rules::default();
    let mut results = Vec::new();
    // Secrets and checks are few; vulnerabilities fill the rest, most urgent first.
    for s in inv.secrets.iter().take(MAX_RESULTS) {
        results.push(secret_result(s, &mut rules, &image));
    }
    for m in &inv.misconfigurations {
        if results.len() >= MAX_RESULTS {
            break;
        }
        results.push(misconfig_result(m, &mut rules, &image));
    }
    for v in crate::findings::sorted_vulns(inv) {
        if results.len() >= MAX_RESULTS {
            break;
        }
        results.push(vuln_result(v, &mut rules, &image));
    }
    let total = inv.vulnerabilities.len() + inv.secrets.len() + inv.misconfigurations.len();
    let mut notifications = Vec::new();
    if total > results.len() {
        notifications.push(json!({
            "level": "warning",
            "message": { "text": format!(
                "{} of {total} findings left out: GitHub code scanning accepts at most {MAX_RESULTS} results per run; see the full report (--format json)",
                total - results.len()
            )},
        }));
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "bosun",
                "fullName": "bosun container image scanner",
                "version": opts.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": rules.list,
            }},
            "results": results,
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "properties": {
                "imageName": inv.source.name,
                "imageID": inv.source.image_id,
                "repoTags": inv.source.repo_tags,
            },
        }],
    })
}
