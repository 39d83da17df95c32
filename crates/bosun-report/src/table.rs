//! The `table` format, for people at a terminal: the packages (or their count), then the
//! vulnerabilities grouped by target (the OS, then each application manifest), secrets and
//! misconfigurations.

use std::io::Write;

use std::cmp::Ordering;
use std::collections::BTreeMap;

use bosun_inventory::vuln::{Severity, Vulnerability};
use bosun_inventory::{Inventory, LayerRole, PackageType};
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};

use crate::{RenderOptions, ReportError, SortOrder};

/// Write the package table. `color` bolds and colours the header; without it the output is
/// plain text whatever the output is (the CLI decides whether it is a terminal).
pub(crate) fn write(
    inv: &Inventory,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let color = opts.color;
    write_packages(inv, opts, out)?;
    write_vulnerabilities(inv, opts, out)?;
    if !inv.secrets.is_empty() {
        writeln!(out).map_err(ReportError::Write)?;
        let rows = inv.secrets.iter().map(|f| {
            let layer = f.layer.as_ref().map_or_else(
                || "config".to_owned(),
                |l| {
                    if f.in_final {
                        l.index.to_string()
                    } else {
                        format!("{} (deleted later)", l.index)
                    }
                },
            );
            let at = if f.line > 0 {
                format!("{}:{}", f.path, f.line)
            } else {
                f.path.clone()
            };
            [
                f.severity.clone(),
                f.rule_id.clone(),
                at,
                layer,
                f.match_masked.clone(),
            ]
        });
        write_rows(
            &["SEVERITY", "SECRET", "WHERE", "LAYER", "MATCH"],
            rows,
            color,
            out,
        )?;
        writeln!(out, "{} secrets", inv.secrets.len()).map_err(ReportError::Write)?;
    }
    if !inv.misconfigurations.is_empty() {
        writeln!(out).map_err(ReportError::Write)?;
        let rows = inv.misconfigurations.iter().map(|m| {
            [
                m.severity.clone(),
                m.id.clone(),
                m.title.clone(),
                m.evidence.clone(),
            ]
        });
        write_rows(
            &["SEVERITY", "CHECK", "TITLE", "EVIDENCE"],
            rows,
            color,
            out,
        )?;
        for m in &inv.misconfigurations {
            writeln!(out, "{}: {}", m.id, m.resolution).map_err(ReportError::Write)?;
        }
        writeln!(out, "{} misconfigurations", inv.misconfigurations.len())
            .map_err(ReportError::Write)?;
    }
    Ok(())
}

/// A plain table with a header, its trailing spaces trimmed.
fn write_rows<R: Into<comfy_table::Row>>(
    header: &[&str],
    rows: impl Iterator<Item = R>,
    color: bool,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled);
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table.set_header(header.iter().map(|h| {
        let c = Cell::new(h);
        if color {
            c.add_attribute(Attribute::Bold).fg(Color::Cyan)
        } else {
            c
        }
    }));
    for row in rows {
        table.add_row(row);
    }
    for line in table.to_string().lines() {
        writeln!(out, "{}", line.trim_end()).map_err(ReportError::Write)?;
    }
    Ok(())
}

fn write_packages(
    inv: &Inventory,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    if opts.list_packages {
        let rows = inv.packages.iter().map(|p| {
            [
                p.name.clone(),
                p.version.clone(),
                p.package_type.purl_type().to_owned(),
                p.layer.index.to_string(),
            ]
        });
        write_rows(&["NAME", "VERSION", "TYPE", "LAYER"], rows, opts.color, out)?;
    }
    let os = inv.os.as_ref().map_or_else(String::new, |o| {
        format!(", os {}", o.pretty_name.as_deref().unwrap_or(&o.id))
    });
    writeln!(out, "{} packages{os}", inv.packages.len()).map_err(ReportError::Write)
}

/// Where a finding is reported: the OS for distribution packages, else the manifest or
/// database path that listed the package.
fn target(v: &Vulnerability, os: &str) -> (u8, String) {
    let purl_type = v
        .package
        .purl
        .strip_prefix("pkg:")
        .and_then(|r| r.split('/').next())
        .unwrap_or("");
    match PackageType::from_purl_type(purl_type) {
        Some(t) if t.is_os() => (0, format!("{os} (os packages)")),
        _ => (
            1,
            v.package
                .location
                .clone()
                .unwrap_or_else(|| v.package.ecosystem.clone()),
        ),
    }
}

fn severity_cell(s: Severity, color: bool) -> Cell {
    let c = Cell::new(s.as_str());
    if !color {
        return c;
    }
    match s {
        Severity::Critical => c.fg(Color::Red).add_attribute(Attribute::Bold),
        Severity::High => c.fg(Color::Red),
        Severity::Medium => c.fg(Color::Yellow),
        Severity::Low => c.fg(Color::Blue),
        Severity::Unknown => c.fg(Color::DarkGrey),
    }
}

/// `3 vulnerabilities (CRITICAL 1, HIGH 2), 1 suppressed`: counts per severity of the
/// findings that count, highest first, zeros left out; suppressed ones apart.
fn counts<'a>(vulns: impl Iterator<Item = &'a Vulnerability>) -> String {
    let mut per: BTreeMap<Severity, usize> = BTreeMap::new();
    let mut total = 0;
    let mut suppressed = 0;
    for v in vulns {
        if v.suppressed.is_some() {
            suppressed += 1;
            continue;
        }
        *per.entry(v.severity).or_default() += 1;
        total += 1;
    }
    let parts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|s| per.get(s).map(|n| format!("{s} {n}")))
        .collect();
    let noun = if total == 1 {
        "vulnerability"
    } else {
        "vulnerabilities"
    };
    let mut line = if parts.is_empty() {
        format!("{total} {noun}")
    } else {
        format!("{total} {noun} ({})", parts.join(", "))
    };
    if suppressed > 0 {
        line.push_str(&format!(", {suppressed} suppressed"));
    }
    line
}

fn write_vulnerabilities(
    inv: &Inventory,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let color = opts.color;
    if inv.vulnerabilities.is_empty() {
        return Ok(());
    }
    let os = inv.os.as_ref().map_or_else(
        || "os".to_owned(),
        |o| o.pretty_name.clone().unwrap_or_else(|| o.id.clone()),
    );
    let mut groups: BTreeMap<(u8, String), Vec<&Vulnerability>> = BTreeMap::new();
    for v in &inv.vulnerabilities {
        groups.entry(target(v, &os)).or_default().push(v);
    }
    let with_priority = inv.vulnerabilities.iter().any(|v| v.priority.is_some());
    for ((_, name), mut vulns) in groups {
        // Open findings first, then most urgent (or most severe) first.
        vulns.sort_by(|a, b| {
            let by_priority = match opts.sort {
                SortOrder::Priority => bosun_priority::compare_findings(a, b),
                SortOrder::Severity => Ordering::Equal,
            };
            a.suppressed
                .is_some()
                .cmp(&b.suppressed.is_some())
                .then(by_priority)
                .then_with(|| b.severity.cmp(&a.severity))
                .then_with(|| a.package.name.cmp(&b.package.name))
                .then_with(|| a.id.cmp(&b.id))
        });
        writeln!(out).map_err(ReportError::Write)?;
        writeln!(out, "{name}: {}", counts(vulns.iter().copied())).map_err(ReportError::Write)?;
        let rows = vulns.iter().map(|v| {
            let mut exploit = Vec::new();
            if v.kev.is_some() {
                exploit.push("KEV".to_owned());
            }
            if let Some(e) = &v.epss {
                exploit.push(format!("EPSS {:.2}", e.score));
            }
            if v.priority
                .as_ref()
                .is_some_and(|p| p.inputs.loaded == Some(false))
            {
                exploit.push("not loaded".to_owned());
            }
            if let Some(sup) = &v.suppressed {
                exploit.push(format!("suppressed: {}", sup.reason));
            }
            let fixed = if v.fixed_versions.is_empty() {
                v.status.as_str().replace('_', " ")
            } else {
                v.fixed_versions.join(", ")
            };
            let mut row = vec![
                Cell::new(&v.package.name),
                Cell::new(&v.package.version),
                Cell::new(&v.id),
                severity_cell(v.severity, color),
            ];
            if with_priority {
                row.push(Cell::new(
                    v.priority
                        .as_ref()
                        .map_or_else(|| "-".to_owned(), |p| format!("{:.1}", p.score)),
                ));
            }
            row.extend([
                Cell::new(fixed),
                Cell::new(exploit.join(" ")),
                Cell::new(v.layer.index),
            ]);
            row
        });
        let mut header = vec!["PACKAGE", "INSTALLED", "VULNERABILITY", "SEVERITY"];
        if with_priority {
            header.push("PRIORITY");
        }
        header.extend(["FIXED IN", "NOTES", "LAYER"]);
        write_rows(&header, rows, color, out)?;
    }
    writeln!(out, "\nTotal: {}", counts(inv.vulnerabilities.iter())).map_err(ReportError::Write)?;
    if let Some(base) = &inv.base {
        let of = |role: LayerRole| {
            counts(
                inv.vulnerabilities
                    .iter()
                    .filter(move |v| v.layer.role == Some(role)),
            )
        };
        let name = base.name.as_deref().unwrap_or("unnamed");
        writeln!(
            out,
            "Base image {name} (its {} layers; found by {}, {} confidence): {}",
            base.layers,
            base.method.replace('_', " "),
            base.confidence,
            of(LayerRole::Base)
        )
        .map_err(ReportError::Write)?;
        writeln!(out, "Added on top of it: {}", of(LayerRole::App)).map_err(ReportError::Write)?;
        for u in &base.upgrades {
            let per: Vec<String> = Severity::ALL
                .iter()
                .filter_map(|s| u.fixes_by_severity.get(s).map(|n| format!("{s} {n}")))
                .collect();
            let of_which = if per.is_empty() {
                String::new()
            } else {
                format!(" ({})", per.join(", "))
            };
            let adds = if u.adds > 0 {
                format!(", brings {} new", u.adds)
            } else {
                String::new()
            };
            writeln!(
                out,
                "Rebuilding on {name} -> {} fixes {}{of_which}{adds}",
                u.name, u.fixes
            )
            .map_err(ReportError::Write)?;
        }
    }
    Ok(())
}
