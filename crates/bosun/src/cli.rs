//! Commands and their flags.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

/// A gate failed (later issues: `--fail-on`, policies).
#[allow(dead_code)]
pub(crate) const EXIT_GATE: u8 = 1;
/// Usage or input error.
pub(crate) const EXIT_ERROR: u8 = 2;

#[derive(Parser)]
#[command(name = "bosun", version, about = "Container image scanner", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List every package an image carries, with the layer that introduced it.
    Sbom(SbomArgs),
    /// Scan an image: secrets in every layer and in its config, risky configuration.
    Scan(ScanArgs),
}

#[derive(Args)]
struct ScanArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Scanners to run, comma-separated: secret, config. (vuln and license arrive with the
    /// vulnerability database.)
    #[arg(long, value_delimiter = ',', default_value = "secret,config")]
    scanners: Vec<String>,
    /// Report only findings of these severities (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "SEVERITIES")]
    severity: Vec<String>,
    /// Exit with this code when any finding is reported (after --severity).
    #[arg(long, value_name = "CODE", default_value_t = 0)]
    exit_code: u8,
    /// Secret rules to add, disable or allow (YAML, trivy-secret.yaml compatible).
    #[arg(long, value_name = "FILE")]
    secret_config: Option<PathBuf>,
    /// Configuration checks to disable or allow (YAML).
    #[arg(long, value_name = "FILE")]
    misconfig_config: Option<PathBuf>,
    /// Output format: table, json, cyclonedx-json, spdx-json.
    #[arg(short, long, default_value = "table")]
    format: bosun_report::Format,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// No progress on the terminal.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args)]
struct SourceArgs {
    /// The image: docker-archive:PATH, oci-archive:PATH, oci-dir:PATH, dir:PATH, or a path
    /// recognized by its contents.
    source: String,
    /// Platform to pick from a multi-platform index (os/arch[/variant]).
    #[arg(long, default_value = "linux/amd64")]
    platform: String,
    /// Image to pick from a docker-archive holding several (repo:tag).
    #[arg(long, value_name = "REF")]
    image: Option<String>,
    /// Largest uncompressed layer accepted, in bytes (decompression bomb guard).
    #[arg(long, value_name = "BYTES")]
    max_layer_size: Option<u64>,
    /// Largest compression ratio accepted for a layer (decompression bomb guard).
    #[arg(long, value_name = "RATIO")]
    max_ratio: Option<u64>,
}

#[derive(Args)]
struct SbomArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Output format: json, cyclonedx-json, spdx-json, table.
    #[arg(short, long, default_value = "json")]
    format: bosun_report::Format,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// No progress on the terminal.
    #[arg(short, long)]
    quiet: bool,
}

pub(crate) fn run() -> anyhow::Result<ExitCode> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; everything else is a usage error (exit 2).
            let code = if e.use_stderr() { EXIT_ERROR } else { 0 };
            let _ = e.print();
            return Ok(ExitCode::from(code));
        }
    };
    match cli.command {
        Command::Sbom(args) => sbom(&args),
        Command::Scan(args) => scan(&args),
    }
}

const SEVERITIES: [&str; 4] = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];

fn scan(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let mut scanners = bosun_scan::Scanners::default();
    for name in &args.scanners {
        match name.trim() {
            "secret" => {
                let config = match &args.secret_config {
                    Some(path) => bosun_secret::Config::from_yaml(&read_text(path)?)
                        .with_context(|| format!("secret config {}", path.display()))?,
                    None => bosun_secret::Config::default(),
                };
                scanners.secret = Some(bosun_secret::Scanner::new(config)?);
            }
            "config" => {
                let config = match &args.misconfig_config {
                    Some(path) => bosun_misconfig::Config::from_yaml(&read_text(path)?)
                        .with_context(|| format!("misconfig config {}", path.display()))?,
                    None => bosun_misconfig::Config::default(),
                };
                scanners.config = Some(bosun_misconfig::Checker::new(config)?);
            }
            "vuln" => anyhow::bail!(
                "the vuln scanner needs the vulnerability database, which this version does not have yet; use --scanners secret,config"
            ),
            "license" => anyhow::bail!(
                "the license scanner is not available yet (package licenses are in `bosun sbom`); use --scanners secret,config"
            ),
            other => anyhow::bail!("unknown scanner {other:?}: use secret, config"),
        }
    }
    let severities: Vec<String> = args
        .severity
        .iter()
        .map(|s| s.trim().to_uppercase())
        .collect();
    if let Some(bad) = severities
        .iter()
        .find(|s| !SEVERITIES.contains(&s.as_str()))
    {
        anyhow::bail!("unknown severity {bad:?}: use CRITICAL, HIGH, MEDIUM, LOW");
    }
    let progress = Progress::new(args.quiet);
    let image = open(&args.source, &progress)?;
    progress.message("reading layers");
    let mut inventory = bosun_scan::scan(&image, &scanners)?;
    progress.finish();
    if !severities.is_empty() {
        inventory
            .secrets
            .retain(|f| severities.contains(&f.severity));
        inventory
            .misconfigurations
            .retain(|m| severities.contains(&m.severity));
    }
    for d in &inventory.diagnostics {
        if d.level >= bosun_inventory::DiagnosticLevel::Warning {
            warn_diagnostic(d);
        }
    }
    let color = args.output.is_none() && std::io::stdout().is_terminal();
    write_report(
        &inventory,
        args.format,
        color,
        false,
        args.output.as_deref(),
    )?;
    let found = !inventory.secrets.is_empty() || !inventory.misconfigurations.is_empty();
    Ok(ExitCode::from(if found { args.exit_code } else { 0 }))
}

/// Largest policy or rule file read.
const MAX_CONFIG_BYTES: u64 = 4 << 20;

fn read_text(path: &std::path::Path) -> anyhow::Result<String> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX_CONFIG_BYTES), &mut text)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(text)
}

fn sbom(args: &SbomArgs) -> anyhow::Result<ExitCode> {
    let progress = Progress::new(args.quiet);
    let inventory = inventory(&args.source, &progress)?;
    progress.finish();
    for d in &inventory.diagnostics {
        if d.level >= bosun_inventory::DiagnosticLevel::Warning {
            warn_diagnostic(d);
        }
    }
    let color = args.output.is_none() && std::io::stdout().is_terminal();
    write_report(&inventory, args.format, color, true, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// Largest SBOM document read as a source.
const MAX_SBOM_BYTES: u64 = 512 << 20;

/// The inventory of the source: cataloged from an image, or read back from an SBOM.
fn inventory(args: &SourceArgs, progress: &Progress) -> anyhow::Result<bosun_inventory::Inventory> {
    if let Some(path) = args.source.strip_prefix("sbom:") {
        progress.message("reading SBOM");
        let file = std::fs::File::open(path).with_context(|| format!("cannot open SBOM {path}"))?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(file, MAX_SBOM_BYTES + 1),
            &mut bytes,
        )
        .with_context(|| format!("cannot read SBOM {path}"))?;
        anyhow::ensure!(
            bytes.len() as u64 <= MAX_SBOM_BYTES,
            "SBOM {path} is larger than {} MiB",
            MAX_SBOM_BYTES >> 20
        );
        return bosun_report::read_sbom(&bytes).with_context(|| format!("cannot read SBOM {path}"));
    }
    let image = open(args, progress)?;
    progress.message("reading layers");
    Ok(bosun_catalog::catalog(&image)?)
}

fn open(args: &SourceArgs, progress: &Progress) -> anyhow::Result<bosun_image::Image> {
    let source = bosun_image::Source::parse(&args.source)?;
    let mut limits = bosun_image::Limits::default();
    if let Some(n) = args.max_layer_size {
        limits.max_layer_bytes = n;
    }
    if let Some(n) = args.max_ratio {
        limits.max_ratio = n;
    }
    let opts = bosun_image::OpenOptions {
        platform: Some(args.platform.clone()),
        image: args.image.clone(),
        limits,
    };
    progress.message("opening image");
    Ok(bosun_image::Image::open(&source, &opts)?)
}

fn write_report(
    inventory: &bosun_inventory::Inventory,
    format: bosun_report::Format,
    color: bool,
    list_packages: bool,
    output: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let opts = bosun_report::RenderOptions {
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        color,
        list_packages,
        ..bosun_report::RenderOptions::default()
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
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            bosun_report::render(inventory, format, &opts, &mut w)?;
            w.flush().context("cannot write to standard output")?;
        }
    }
    Ok(())
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

/// The error and its causes on one line: `cannot open x: layer 2: digest mismatch`.
pub(crate) fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let s = cause.to_string();
        // Skip a cause already spelled out by its parent's message.
        if parts.last().is_some_and(|p| p.contains(&s)) {
            continue;
        }
        parts.push(s);
    }
    parts.join(": ")
}

/// A spinner on a terminal, nothing in a pipe.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress(Some(bar))
    }

    fn message(&self, msg: &'static str) {
        if let Some(bar) = &self.0 {
            bar.set_message(msg);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
