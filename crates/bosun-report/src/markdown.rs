//! A Markdown summary (`--format markdown`) fit for a pull-request comment: counts per
//! severity, the most urgent findings, then every finding, secret and misconfiguration in
//! collapsed `<details>`. Suppressed findings are counted apart and marked in the lists.
//!
//! GitHub refuses comments over 65,536 characters: the lists stop before that, with a note
//! saying how many rows were left out.

use std::fmt::Write as _;
use std::io::Write;

use bosun_inventory::vuln::{Severity, Vulnerability};
use bosun_inventory::{Inventory, Suppression};

use crate::findings::{advisory_url, fix_text, severity_of, sorted_vulns};
use crate::{RenderOptions, ReportError};

/// GitHub's limit for a comment body, in characters.
pub(crate) const COMMENT_LIMIT: usize = 65_536;
/// Room kept for the closing tags and the truncation note.
const RESERVE: usize = 1_024;
/// Rows in the top findings table.
const TOP: usize = 10;

/// Text safe in a Markdown table cell: HTML markup and Markdown syntax escaped, one line.
pub(crate) fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("&#124;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' | '@' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn id_link(id: &str) -> String {
    format!("[{}]({})", cell(id), advisory_url(id))
}

fn exploit(v: &Vulnerability) -> String {
    let mut parts = Vec::new();
    if v.kev.is_some() {
        parts.push("KEV".to_owned());
    }
    if let Some(e) = &v.epss {
        parts.push(format!("EPSS {:.0}%", f64::from(e.score) * 100.0));
    }
    parts.join(", ")
}

fn suppressed_cell(s: Option<&Suppression>) -> String {
    s.map_or_else(String::new, |s| format!("suppressed: {}", cell(&s.reason)))
}

fn vuln_row(v: &Vulnerability, with_note: bool) -> String {
    let mut row = format!(
        "| {} | {} | {} | {} | {} | {} |",
        v.severity,
        id_link(&v.id),
        cell(&v.package.name),
        cell(&v.package.version),
        cell(&fix_text(v)),
        exploit(v),
    );
    if with_note {
        let _ = write!(row, " {} |", suppressed_cell(v.suppressed.as_ref()));
    }
    row
}

/// Counts per severity (highest first) of `items`.
fn per_severity(items: impl Iterator<Item = Severity>) -> [usize; 5] {
    let mut n = [0; 5];
    for s in items {
        if let Some(i) = Severity::ALL.iter().position(|x| *x == s) {
            n[i] += 1;
        }
    }
    n
}

/// Appends rows while they fit in `budget`; returns how many were left out.
fn push_rows(md: &mut String, rows: impl ExactSizeIterator<Item = String>, budget: usize) -> usize {
    let total = rows.len();
    for (i, row) in rows.enumerate() {
        if md.len() + row.len() + 1 > budget {
            return total - i;
        }
        md.push_str(&row);
        md.push('\n');
    }
    0
}

/// The summary of `inv`, at most [`COMMENT_LIMIT`] characters.
pub(crate) fn render(inv: &Inventory) -> String {
    let budget = COMMENT_LIMIT - RESERVE;
    let vulns = sorted_vulns(inv);
    let active: Vec<&Vulnerability> = vulns
        .iter()
        .copied()
        .filter(|v| v.suppressed.is_none())
        .collect();
    let mut md = String::new();
    let name = if inv.source.name.is_empty() {
        "image".to_owned()
    } else {
        cell(&inv.source.name)
    };
    let _ = writeln!(md, "## bosun: {name}\n");
    md.push_str("| | Critical | High | Medium | Low | Unknown | Suppressed |\n");
    md.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    let mut count_row = |label: &str, sev: [usize; 5], suppressed: usize| {
        let _ = writeln!(
            md,
            "| {label} | {} | {} | {} | {} | {} | {suppressed} |",
            sev[0], sev[1], sev[2], sev[3], sev[4]
        );
    };
    count_row(
        "Vulnerabilities",
        per_severity(active.iter().map(|v| v.severity)),
        vulns.len() - active.len(),
    );
    count_row(
        "Secrets",
        per_severity(
            inv.secrets
                .iter()
                .filter(|s| s.suppressed.is_none())
                .map(|s| severity_of(&s.severity)),
        ),
        inv.secrets
            .iter()
            .filter(|s| s.suppressed.is_some())
            .count(),
    );
    count_row(
        "Misconfigurations",
        per_severity(
            inv.misconfigurations
                .iter()
                .filter(|m| m.suppressed.is_none())
                .map(|m| severity_of(&m.severity)),
        ),
        inv.misconfigurations
            .iter()
            .filter(|m| m.suppressed.is_some())
            .count(),
    );
    let kev = active.iter().filter(|v| v.kev.is_some()).count();
    let fixable = active
        .iter()
        .filter(|v| !v.fixed_versions.is_empty())
        .count();
    let _ = writeln!(
        md,
        "\n**{} vulnerabilities** ({kev} in CISA KEV, {fixable} fixable); suppressed findings are not counted.\n",
        active.len()
    );
    if !active.is_empty() {
        let _ = writeln!(md, "### Top findings\n");
        md.push_str("| Severity | Vulnerability | Package | Installed | Fix | Exploited |\n");
        md.push_str("| --- | --- | --- | --- | --- | --- |\n");
        for v in active.iter().take(TOP) {
            md.push_str(&vuln_row(v, false));
            md.push('\n');
        }
        md.push('\n');
    }
    let mut left_out = 0;
    if !vulns.is_empty() {
        let _ = writeln!(
            md,
            "<details><summary>All {} vulnerabilities</summary>\n",
            vulns.len()
        );
        md.push_str(
            "| Severity | Vulnerability | Package | Installed | Fix | Exploited | Note |\n",
        );
        md.push_str("| --- | --- | --- | --- | --- | --- | --- |\n");
        left_out += push_rows(&mut md, vulns.iter().map(|v| vuln_row(v, true)), budget);
        md.push_str("\n</details>\n\n");
    }
    if !inv.secrets.is_empty() {
        let _ = writeln!(
            md,
            "<details><summary>Secrets ({})</summary>\n",
            inv.secrets.len()
        );
        md.push_str(
            "| Severity | Rule | Where | Match | Note |\n| --- | --- | --- | --- | --- |\n",
        );
        let rows = inv.secrets.iter().map(|s| {
            let mut at = s.path.clone();
            if s.line > 0 {
                let _ = write!(at, ":{}", s.line);
            }
            if !s.in_final && s.layer.is_some() {
                at.push_str(" (deleted later, still in the image)");
            }
            format!(
                "| {} | {} | {} | {} | {} |",
                cell(&s.severity),
                cell(&s.rule_id),
                cell(&at),
                cell(&s.match_masked),
                suppressed_cell(s.suppressed.as_ref())
            )
        });
        left_out += push_rows(&mut md, rows, budget);
        md.push_str("\n</details>\n\n");
    }
    if !inv.misconfigurations.is_empty() {
        let _ = writeln!(
            md,
            "<details><summary>Misconfigurations ({})</summary>\n",
            inv.misconfigurations.len()
        );
        md.push_str("| Severity | Check | Title | Evidence | Resolution | Note |\n| --- | --- | --- | --- | --- | --- |\n");
        let rows = inv.misconfigurations.iter().map(|m| {
            format!(
                "| {} | {} | {} | {} | {} | {} |",
                cell(&m.severity),
                cell(&m.id),
                cell(&m.title),
                cell(&m.evidence),
                cell(&m.resolution),
                suppressed_cell(m.suppressed.as_ref())
            )
        });
        left_out += push_rows(&mut md, rows, budget);
        md.push_str("\n</details>\n\n");
    }
    if left_out > 0 {
        let _ = writeln!(
            md,
            "_{left_out} rows left out to fit a comment's {COMMENT_LIMIT} characters: see the full report (`--format json` or `html`)._"
        );
    }
    if md.chars().count() > COMMENT_LIMIT {
        // Only reachable with absurdly long names in the fixed parts: cut hard.
        md = crate::findings::truncate(&md, COMMENT_LIMIT);
    }
    md
}

/// Write the summary of `inv`.
pub(crate) fn write(
    inv: &Inventory,
    _opts: &RenderOptions,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    out.write_all(render(inv).as_bytes())
        .map_err(ReportError::Write)
}
