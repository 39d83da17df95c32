//! What the user sees besides the report: progress, warnings, and writing the report.

use std::io::{IsTerminal, Write};

use std::process::ExitCode;

use anyhow::Context;

/// Largest policy or rule file read.
const MAX_CONFIG_BYTES: u64 = 4 << 20;

/// Reads a small text file given on the command line (rules, policies).
pub(crate) fn read_text(path: &std::path::Path) -> anyhow::Result<String> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX_CONFIG_BYTES), &mut text)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(text)
}

/// Renders the report to `output` or standard output, with `opts` (colour is decided here:
/// only on a terminal).
pub(crate) fn write_report(
    inventory: &bosun_inventory::Inventory,
    format: bosun_report::Format,
    opts: bosun_report::RenderOptions,
    output: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let opts = bosun_report::RenderOptions {
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        color: output.is_none() && std::io::stdout().is_terminal(),
        ..opts
    };
    match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            bosun_report::render(inventory, format, &opts, &mut w)?;
            w.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            // Rendered first, so that a reader that leaves early (`| head`) is told apart
            // from a rendering error: a closed pipe is not an error.
            let mut buf = Vec::new();
            bosun_report::render(inventory, format, &opts, &mut buf)?;
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout.write_all(&buf).and_then(|()| stdout.flush())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                return Err(e).context("cannot write to standard output");
            }
        }
    }
    Ok(())
}

/// Prints the inventory's warnings and errors to standard error.
pub(crate) fn warn_diagnostics(inventory: &bosun_inventory::Inventory) {
    for d in &inventory.diagnostics {
        if d.level >= bosun_inventory::DiagnosticLevel::Warning {
            warn_diagnostic(d);
        }
    }
}

fn warn_diagnostic(d: &bosun_inventory::Diagnostic) {
    let mut line = format!("warning: {}: {}", d.source, d.message);
    if let Some(p) = &d.path {
        line.push_str(&format!(" ({p}"));
        if let Some(l) = &d.layer {
            line.push_str(&format!(", layer {}", l.index));
        }
        line.push(')');
    }
    eprintln!("{line}");
}

/// A spinner on a terminal, nothing in a pipe.
pub(crate) struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    pub(crate) fn new(quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress(Some(bar))
    }

    pub(crate) fn message(&self, msg: &'static str) {
        if let Some(bar) = &self.0 {
            bar.set_message(msg);
        }
    }

    /// Prints a line above the spinner (or plainly without one).
    pub(crate) fn println(&self, line: &str) {
        match &self.0 {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// Writes to standard output; a closed pipe (`| head`) is not an error.
pub(crate) fn print(text: &str) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to standard output")
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}
