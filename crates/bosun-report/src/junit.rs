//! JUnit XML (`--format junit`), as CI systems (Jenkins, GitLab, Azure Pipelines, CircleCI)
//! show test results: one `testsuite` per target (the OS packages, each application manifest),
//! then one for secrets and one for misconfigurations; one `testcase` per finding, failed
//! with the finding as the `failure`, or `skipped` when an exception or VEX statement
//! suppresses it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use bosun_inventory::Inventory;

use crate::findings::{fix_text, is_os, title};
use crate::{RenderOptions, ReportError};

/// Text fit for an XML 1.0 attribute or element: markup characters escaped, characters XML
/// does not allow (most C0 controls, lone surrogates cannot occur in a `str`, U+FFFE/U+FFFF)
/// replaced by U+FFFD.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// One test case: a finding, failed or skipped.
struct Case {
    classname: String,
    name: String,
    /// `(type, message, body)` of the failure; `None` when suppressed.
    failure: Option<(String, String, String)>,
    /// The reason a suppressed finding is skipped.
    skipped: Option<String>,
}

fn suppressed_note(s: &bosun_inventory::Suppression) -> String {
    let mut note = format!("suppressed: {}", s.reason);
    if !s.source.is_empty() {
        let _ = write!(note, " ({})", s.source);
    }
    if let Some(e) = &s.expires {
        let _ = write!(note, ", until {e}");
    }
    note
}

fn suites(inv: &Inventory) -> Vec<(String, Vec<Case>)> {
    let os = inv.os.as_ref().map_or_else(
        || "os".to_owned(),
        |o| o.pretty_name.clone().unwrap_or_else(|| o.id.clone()),
    );
    // Targets: the OS first, then manifests by path.
    let mut by_target: BTreeMap<(u8, String), Vec<Case>> = BTreeMap::new();
    for v in crate::findings::sorted_vulns(inv) {
        let target = if is_os(v) {
            (0, format!("{os} (os packages)"))
        } else {
            (
                1,
                v.package
                    .location
                    .clone()
                    .unwrap_or_else(|| v.package.ecosystem.clone()),
            )
        };
        let body = format!(
            "{title}\nPackage: {name} {version}\nPURL: {purl}\nSeverity: {sev}\nFix: {fix}\nLayer: {layer}",
            title = title(v),
            name = v.package.name,
            version = v.package.version,
            purl = v.package.purl,
            sev = v.severity,
            fix = fix_text(v),
            layer = v.layer.index,
        );
        let case = Case {
            classname: target.1.clone(),
            name: format!("{}@{}: {}", v.package.name, v.package.version, v.id),
            failure: v.suppressed.is_none().then(|| {
                (
                    v.severity.as_str().to_owned(),
                    format!("{} {}: {}", v.severity, v.id, title(v)),
                    body,
                )
            }),
            skipped: v.suppressed.as_ref().map(suppressed_note),
        };
        by_target.entry(target).or_default().push(case);
    }
    let mut out: Vec<(String, Vec<Case>)> =
        by_target.into_iter().map(|((_, n), c)| (n, c)).collect();
    if !inv.secrets.is_empty() {
        let cases = inv
            .secrets
            .iter()
            .map(|s| {
                let at = if s.line > 0 {
                    format!("{}:{}", s.path, s.line)
                } else {
                    s.path.clone()
                };
                let mut body = format!("{} ({}) at {at}: {}", s.title, s.category, s.match_masked);
                if !s.in_final && s.layer.is_some() {
                    body.push_str("\nDeleted by a later layer, still in the image.");
                }
                Case {
                    classname: "secrets".to_owned(),
                    name: format!("{}: {at}", s.rule_id),
                    failure: s.suppressed.is_none().then(|| {
                        (
                            s.severity.clone(),
                            format!("{} {}: {}", s.severity, s.rule_id, s.title),
                            body,
                        )
                    }),
                    skipped: s.suppressed.as_ref().map(suppressed_note),
                }
            })
            .collect();
        out.push(("secrets".to_owned(), cases));
    }
    if !inv.misconfigurations.is_empty() {
        let cases = inv
            .misconfigurations
            .iter()
            .map(|m| Case {
                classname: "misconfigurations".to_owned(),
                name: format!("{}: {}", m.id, m.title),
                failure: m.suppressed.is_none().then(|| {
                    (
                        m.severity.clone(),
                        format!("{} {}: {}", m.severity, m.id, m.message),
                        format!(
                            "{}\nEvidence: {}\nResolution: {}",
                            m.message, m.evidence, m.resolution
                        ),
                    )
                }),
                skipped: m.suppressed.as_ref().map(suppressed_note),
            })
            .collect();
        out.push(("misconfigurations".to_owned(), cases));
    }
    if out.is_empty() {
        // A report with no test at all reads as a broken run in most CI systems.
        out.push((
            inv.source.name.clone(),
            vec![Case {
                classname: "bosun".to_owned(),
                name: "no findings".to_owned(),
                failure: None,
                skipped: None,
            }],
        ));
    }
    out
}

/// Write the JUnit XML of `inv`.
pub(crate) fn write(
    inv: &Inventory,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let suites = suites(inv);
    let timestamp = opts.timestamp();
    let timestamp = timestamp.trim_end_matches('Z');
    let count = |f: &dyn Fn(&Case) -> bool| -> usize {
        suites
            .iter()
            .map(|(_, cases)| cases.iter().filter(|c| f(c)).count())
            .sum()
    };
    let tests = count(&|_| true);
    let failures = count(&|c| c.failure.is_some());
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"0\">",
        escape(&format!("bosun {}", inv.source.name))
    );
    for (name, cases) in &suites {
        let failures = cases.iter().filter(|c| c.failure.is_some()).count();
        let skipped = cases.iter().filter(|c| c.skipped.is_some()).count();
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\" timestamp=\"{}\">",
            escape(name),
            cases.len(),
            escape(timestamp),
        );
        for c in cases {
            let _ = write!(
                x,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"0\"",
                escape(&c.classname),
                escape(&c.name)
            );
            match (&c.failure, &c.skipped) {
                (Some((ty, message, body)), _) => {
                    let _ = writeln!(
                        x,
                        ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                        escape(ty),
                        escape(message),
                        // Line breaks read better as such in element text.
                        escape(body).replace("&#10;", "\n")
                    );
                }
                (None, Some(reason)) => {
                    let _ = writeln!(
                        x,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        escape(reason)
                    );
                }
                (None, None) => x.push_str("/>\n"),
            }
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    out.write_all(x.as_bytes()).map_err(ReportError::Write)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_handles_markup_and_forbidden_characters() {
        assert_eq!(
            escape("<a href='x'>&\"</a>"),
            "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(
            escape("a\u{0}b\u{1b}c\u{FFFF}"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}"
        );
        assert_eq!(escape("l1\nl2\t"), "l1&#10;l2&#9;");
    }
}
