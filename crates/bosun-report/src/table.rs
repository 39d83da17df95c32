//! The `table` format: one line per package, for people at a terminal.

use std::io::Write;

use bosun_inventory::Inventory;
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};

use crate::ReportError;

/// Write the package table. `color` bolds and colours the header; without it the output is
/// plain text whatever the output is (the CLI decides whether it is a terminal).
pub(crate) fn write(inv: &Inventory, color: bool, out: &mut dyn Write) -> Result<(), ReportError> {
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled);
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    let header = ["NAME", "VERSION", "TYPE", "LAYER"].map(|h| {
        let c = Cell::new(h);
        if color {
            c.add_attribute(Attribute::Bold).fg(Color::Cyan)
        } else {
            c
        }
    });
    table.set_header(header);
    for p in &inv.packages {
        table.add_row([
            p.name.as_str(),
            p.version.as_str(),
            p.package_type.purl_type(),
            &p.layer.index.to_string(),
        ]);
    }
    // Trailing spaces pad the last column: trim them so the output diffs cleanly.
    let rendered = table.to_string();
    for line in rendered.lines() {
        writeln!(out, "{}", line.trim_end()).map_err(ReportError::Write)?;
    }
    let os = inv.os.as_ref().map_or_else(String::new, |o| {
        format!(", os {}", o.pretty_name.as_deref().unwrap_or(&o.id))
    });
    writeln!(out, "{} packages{os}", inv.packages.len()).map_err(ReportError::Write)
}
