//! A self-contained HTML report (`--format html`): one file with inline CSS, no script, no
//! external asset (only links out to advisories), every text from the image escaped.
//! Suppressed findings stay in the tables, greyed and marked with their justification.

use std::fmt::Write as _;
use std::io::Write;

use bosun_inventory::vuln::{Severity, Vulnerability};
use bosun_inventory::{Inventory, Suppression};

use crate::findings::{advisory_url, fix_text, severity_of, sorted_vulns, title};
use crate::junit::escape;
use crate::{RenderOptions, ReportError};

const CSS: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem;color:#1f2328;background:#fff}
h1{margin-bottom:.2rem}.meta{color:#59636e;margin-top:0}
.cards{display:flex;flex-wrap:wrap;gap:.6rem;margin:1rem 0}
.card{border:1px solid #d1d9e0;border-radius:6px;padding:.5rem .9rem;min-width:6rem}
.card b{display:block;font-size:1.5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem;font-size:.9rem}
th,td{border:1px solid #d1d9e0;padding:.3rem .5rem;text-align:left;vertical-align:top;word-break:break-word}
th{background:#f6f8fa}
.sev{font-weight:600;white-space:nowrap}
.CRITICAL{color:#fff;background:#a40e26}.HIGH{color:#fff;background:#d1242f}
.MEDIUM{background:#fff8c5}.LOW{background:#ddf4ff}.UNKNOWN{background:#eff2f5}
tr.suppressed td{color:#818b98;text-decoration:line-through}
tr.suppressed td.note{text-decoration:none}
.kev{color:#a40e26;font-weight:600}
";

fn suppressed_note(s: Option<&Suppression>) -> String {
    s.map_or_else(String::new, |s| {
        let mut t = format!("Suppressed: {}", s.reason);
        if !s.source.is_empty() {
            let _ = write!(t, " ({})", s.source);
        }
        if let Some(e) = &s.expires {
            let _ = write!(t, ", until {e}");
        }
        escape(&t)
    })
}

fn row_open(h: &mut String, suppressed: bool) {
    h.push_str(if suppressed {
        "<tr class=\"suppressed\">"
    } else {
        "<tr>"
    });
}

fn sev_cell(s: Severity) -> String {
    format!("<td class=\"sev {s}\">{s}</td>")
}

fn vuln_row(h: &mut String, v: &Vulnerability) {
    row_open(h, v.suppressed.is_some());
    let mut exploit = String::new();
    if v.kev.is_some() {
        exploit.push_str("<span class=\"kev\">KEV</span> ");
    }
    if let Some(e) = &v.epss {
        let _ = write!(exploit, "EPSS {:.0}%", f64::from(e.score) * 100.0);
    }
    let _ = writeln!(
        h,
        "{}<td><a href=\"{}\">{}</a><br/>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"note\">{}</td></tr>",
        sev_cell(v.severity),
        escape(&advisory_url(&v.id)),
        escape(&v.id),
        escape(&title(v)),
        escape(&v.package.name),
        escape(&v.package.version),
        escape(&fix_text(v)),
        exploit.trim_end(),
        v.layer.index,
        escape(v.package.location.as_deref().unwrap_or_default()),
        suppressed_note(v.suppressed.as_ref()),
    );
}

fn card(h: &mut String, label: &str, n: usize, class: &str) {
    let _ = write!(
        h,
        "<div class=\"card {class}\"><b>{n}</b>{}</div>",
        escape(label)
    );
}

/// The HTML report of `inv`.
pub(crate) fn render(inv: &Inventory, opts: &RenderOptions) -> String {
    let name = if inv.source.name.is_empty() {
        "image"
    } else {
        inv.source.name.as_str()
    };
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>bosun report: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>bosun report: {}</h1>\n",
        escape(name),
        escape(name)
    );
    let mut meta = Vec::new();
    if let Some(id) = &inv.source.image_id {
        meta.push(format!("image {}", escape(id)));
    }
    if let Some(os) = &inv.os {
        meta.push(escape(os.pretty_name.as_deref().unwrap_or(&os.id)));
    }
    meta.push(format!("{} packages", inv.packages.len()));
    meta.push(format!(
        "bosun {} at {}",
        escape(&opts.tool_version),
        escape(&opts.timestamp())
    ));
    let _ = writeln!(h, "<p class=\"meta\">{}</p>", meta.join(" · "));

    let vulns = sorted_vulns(inv);
    let active: Vec<&&Vulnerability> = vulns.iter().filter(|v| v.suppressed.is_none()).collect();
    h.push_str("<div class=\"cards\">");
    for s in Severity::ALL {
        card(
            &mut h,
            s.as_str(),
            active.iter().filter(|v| v.severity == s).count(),
            s.as_str(),
        );
    }
    card(
        &mut h,
        "in CISA KEV",
        active.iter().filter(|v| v.kev.is_some()).count(),
        "",
    );
    card(
        &mut h,
        "fixable",
        active
            .iter()
            .filter(|v| !v.fixed_versions.is_empty())
            .count(),
        "",
    );
    let suppressed = vulns.len() - active.len()
        + inv
            .secrets
            .iter()
            .filter(|s| s.suppressed.is_some())
            .count()
        + inv
            .misconfigurations
            .iter()
            .filter(|m| m.suppressed.is_some())
            .count();
    card(&mut h, "suppressed (not counted)", suppressed, "");
    h.push_str("</div>\n");

    let _ = writeln!(h, "<h2>Vulnerabilities ({})</h2>", vulns.len());
    if !vulns.is_empty() {
        h.push_str("<table>\n<tr><th>Severity</th><th>Vulnerability</th><th>Package</th><th>Installed</th><th>Fix</th><th>Exploited</th><th>Layer</th><th>Found in</th><th>Note</th></tr>\n");
        for v in &vulns {
            vuln_row(&mut h, v);
        }
        h.push_str("</table>\n");
    }
    if !inv.secrets.is_empty() {
        let _ = writeln!(h, "<h2>Secrets ({})</h2>", inv.secrets.len());
        h.push_str("<table>\n<tr><th>Severity</th><th>Rule</th><th>Where</th><th>Match</th><th>Layer</th><th>Note</th></tr>\n");
        for s in &inv.secrets {
            row_open(&mut h, s.suppressed.is_some());
            let mut at = s.path.clone();
            if s.line > 0 {
                let _ = write!(at, ":{}", s.line);
            }
            let layer = match &s.layer {
                Some(l) if s.in_final => l.index.to_string(),
                Some(l) => format!("{} (deleted later, still in the image)", l.index),
                None => "config".to_owned(),
            };
            let _ = writeln!(
                h,
                "{}<td>{}<br/>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"note\">{}</td></tr>",
                sev_cell(severity_of(&s.severity)),
                escape(&s.rule_id),
                escape(&s.title),
                escape(&at),
                escape(&s.match_masked),
                escape(&layer),
                suppressed_note(s.suppressed.as_ref()),
            );
        }
        h.push_str("</table>\n");
    }
    if !inv.misconfigurations.is_empty() {
        let _ = writeln!(
            h,
            "<h2>Misconfigurations ({})</h2>",
            inv.misconfigurations.len()
        );
        h.push_str("<table>\n<tr><th>Severity</th><th>Check</th><th>Found</th><th>Evidence</th><th>Resolution</th><th>Note</th></tr>\n");
        for m in &inv.misconfigurations {
            row_open(&mut h, m.suppressed.is_some());
            let _ = writeln!(
                h,
                "{}<td>{}<br/>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"note\">{}</td></tr>",
                sev_cell(severity_of(&m.severity)),
                escape(&m.id),
                escape(&m.title),
                escape(&m.message),
                escape(&m.evidence),
                escape(&m.resolution),
                suppressed_note(m.suppressed.as_ref()),
            );
        }
        h.push_str("</table>\n");
    }
    if !inv.packages.is_empty() {
        let _ = writeln!(
            h,
            "<h2>Packages</h2>\n<details><summary>{} packages</summary>\n<table>\n<tr><th>Name</th><th>Version</th><th>Type</th><th>Layer</th><th>Licenses</th></tr>",
            inv.packages.len()
        );
        for p in &inv.packages {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&p.name),
                escape(&p.version),
                p.package_type.purl_type(),
                p.layer.index,
                escape(&p.licenses.join(", ")),
            );
        }
        h.push_str("</table>\n</details>\n");
    }
    h.push_str("</body>\n</html>\n");
    h
}

/// Write the HTML report of `inv`.
pub(crate) fn write(
    inv: &Inventory,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    out.write_all(render(inv, opts).as_bytes())
        .map_err(ReportError::Write)
}
