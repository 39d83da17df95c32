//! Commands and their flags.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::db::{DbCommand, DbDirArgs};
use crate::output::{self, Progress};
use crate::scan::ScanArgs;
use crate::source::{self, SourceArgs};

/// A gate failed (`--fail-on`).
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
    /// Scan an image or SBOM: known vulnerabilities, secrets in every layer and in the
    /// config, risky configuration.
    Scan(Box<ScanArgs>),
    /// Manage the vulnerability database.
    Db(DbArgs),
    /// Manage the layer cache (analysis results per layer, reused by later scans).
    Cache(CacheArgs),
    /// Manage the catalog of known base images (how scans tell base layers from app layers).
    Base(BaseArgs),
}

#[derive(Args)]
struct BaseArgs {
    #[command(subcommand)]
    command: BaseCommand,
    #[command(flatten)]
    dirs: DbDirArgs,
}

#[derive(Subcommand)]
enum BaseCommand {
    /// Add images to the catalog (their layer chain identifies them inside other images).
    Add(BaseAddArgs),
    /// List the known base images.
    List,
}

#[derive(Args)]
struct BaseAddArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// The name to record (default: the image's tag or reference).
    #[arg(long, value_name = "REPO:TAG")]
    name: Option<String>,
}

#[derive(Args)]
struct CacheArgs {
    #[command(subcommand)]
    command: CacheCommand,
    #[command(flatten)]
    dirs: DbDirArgs,
}

#[derive(Subcommand)]
enum CacheCommand {
    /// Entries and size of the layer cache.
    Status,
    /// Remove every entry of the layer cache.
    Clean,
}

#[derive(Args)]
struct DbArgs {
    #[command(subcommand)]
    command: DbCommand,
    #[command(flatten)]
    dirs: DbDirArgs,
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
        Command::Scan(args) => crate::scan::run(&args),
        Command::Db(args) => crate::db::run(&args.command, &args.dirs),
        Command::Cache(args) => cache(&args),
        Command::Base(args) => base(&args),
    }
}

fn sbom(args: &SbomArgs) -> anyhow::Result<ExitCode> {
    let progress = Progress::new(args.quiet);
    let inventory = source::inventory(&args.source, &progress)?;
    progress.finish();
    output::warn_diagnostics(&inventory);
    output::write_report(
        &inventory,
        args.format,
        bosun_report::RenderOptions::default(),
        args.output.as_deref(),
    )?;
    Ok(ExitCode::SUCCESS)
}

fn base(args: &BaseArgs) -> anyhow::Result<ExitCode> {
    let path = crate::scan::base_catalog_path(&args.dirs)?;
    let mut catalog = bosun_base::Catalog::load(&path)?;
    match &args.command {
        BaseCommand::List => {
            let mut out = String::new();
            for b in &catalog.images {
                out.push_str(&format!(
                    "{}  {} layers{}\n",
                    b.name,
                    b.diff_ids.len(),
                    b.digest
                        .as_deref()
                        .map(|d| format!("  {d}"))
                        .unwrap_or_default()
                ));
            }
            output::print(&out)
        }
        BaseCommand::Add(a) => {
            let image = source::open(&a.source, &Progress::new(true))?;
            let diff_ids: Vec<String> = image
                .layers()
                .iter()
                .filter_map(|l| l.diff_id.clone())
                .collect();
            anyhow::ensure!(
                !diff_ids.is_empty(),
                "{}: no layers with digests (a directory cannot be a base image)",
                a.source.source
            );
            let info = image.source_info();
            let name = a
                .name
                .clone()
                .or_else(|| info.repo_tags.first().cloned())
                .unwrap_or_else(|| info.name.clone());
            let layers = diff_ids.len();
            // Its packages, so that scans of images built on an older tag can say what
            // moving to this one fixes.
            let inv = bosun_scan::scan(&image, &bosun_scan::Scanners::default())
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", a.source.source))?;
            let contents = bosun_base::BaseContents::of(&inv);
            let packages = contents.packages.len();
            catalog.add(bosun_base::KnownBase {
                name: name.clone(),
                digest: info.manifest_digest.clone(),
                diff_ids,
                created: image.config().and_then(|c| c.created.clone()),
                contents: Some(contents),
            });
            catalog.save(&path)?;
            eprintln!(
                "added {name} ({layers} layers, {packages} packages) to {}",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn cache(args: &CacheArgs) -> anyhow::Result<ExitCode> {
    let dir = args.dirs.cache_dir()?;
    let cache = bosun_cache::Cache::open(&dir, bosun_cache::DEFAULT_MAX_BYTES)?;
    match args.command {
        CacheCommand::Status => {
            let st = cache.status()?;
            output::print(&format!(
                "layer cache {}: {} entries, {} MiB\n",
                dir.join("layers").display(),
                st.entries,
                st.bytes >> 20
            ))
        }
        CacheCommand::Clean => {
            let gone = cache.clean()?;
            eprintln!(
                "removed {} entries ({} MiB) from {}",
                gone.entries,
                gone.bytes >> 20,
                dir.join("layers").display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
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

#[cfg(test)]
mod tests {
    /// clap's own consistency checks (unique names, valid defaults) over every command.
    #[test]
    fn command_line_definition_is_consistent() {
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
