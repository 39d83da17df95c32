//! The `table` format: one line per package, for people at a terminal.

use std::io::Write;

use bosun_inventory::Inventory;
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};

use crate::{RenderOptions, ReportError};

/// Write the package table. `color` bolds and colours the header; without it the output is
/// plain text whatever the output is (the CLI decides whether it is a terminal).
pub(crate) fn write(
    inv: &Inventory,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let color = opts.color;
    write_packages(inv, opts, out)?;
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
            ["SEVERITY", "SECRET", "WHERE", "LAYER", "MATCH"],
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
        write_rows(["SEVERITY", "CHECK", "TITLE", "EVIDENCE"], rows, color, out)?;
        for m in &inv.misconfigurations {
            writeln!(out, "{}: {}", m.id, m.resolution).map_err(ReportError::Write)?;
        }
        writeln!(out, "{} misconfigurations", inv.misconfigurations.len())
            .map_err(ReportError::Write)?;
    }
    Ok(())
}

/// A plain table with a header, its trailing spaces trimmed.
fn write_rows<const N: usize>(
    header: [&str; N],
    rows: impl Iterator<Item = [String; N]>,
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
    table.set_header(header.map(|h| {
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
        write_rows(["NAME", "VERSION", "TYPE", "LAYER"], rows, opts.color, out)?;
    }
    let os = inv.os.as_ref().map_or_else(String::new, |o| {
        format!(", os {}", o.pretty_name.as_deref().unwrap_or(&o.id))
    });
    writeln!(out, "{} packages{os}", inv.packages.len()).map_err(ReportError::Write)
}
