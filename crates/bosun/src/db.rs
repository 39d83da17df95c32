//! `bosun db`: where the vulnerability database lives, and its commands.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::output;
use crate::source::NetArgs;

/// Where bosun keeps its cache and its vulnerability database.
#[derive(Args, Clone)]
pub(crate) struct DbDirArgs {
    /// Cache directory (default: $XDG_CACHE_HOME/bosun, else ~/.cache/bosun).
    #[arg(long, value_name = "DIR", env = "BOSUN_CACHE_DIR", global = true)]
    pub(crate) cache_dir: Option<PathBuf>,
    /// Vulnerability database directory (default: CACHE_DIR/db).
    #[arg(long, value_name = "DIR", env = "BOSUN_DB_DIR", global = true)]
    pub(crate) db_dir: Option<PathBuf>,
}

impl DbDirArgs {
    /// The cache directory.
    pub(crate) fn cache_dir(&self) -> anyhow::Result<PathBuf> {
        if let Some(d) = &self.cache_dir {
            return Ok(d.clone());
        }
        if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|x| !x.is_empty()) {
            return Ok(PathBuf::from(x).join("bosun"));
        }
        match std::env::var_os("HOME").filter(|x| !x.is_empty()) {
            Some(home) => Ok(PathBuf::from(home).join(".cache").join("bosun")),
            None => anyhow::bail!("no cache directory: set --cache-dir, XDG_CACHE_HOME or HOME"),
        }
    }

    /// The database directory.
    pub(crate) fn db_dir(&self) -> anyhow::Result<PathBuf> {
        match &self.db_dir {
            Some(d) => Ok(d.clone()),
            None => Ok(self.cache_dir()?.join("db")),
        }
    }
}

#[derive(Subcommand)]
pub(crate) enum DbCommand {
    /// Download the feeds (OSV per ecosystem, CISA KEV, EPSS) from upstream or a mirror and
    /// rebuild the database; a failed update leaves the previous database in place.
    Update(UpdateArgs),
    /// Show what the database holds: sources, record counts, age.
    Status(StatusArgs),
    /// Build the database from local files: OSV JSON/YAML files or directories, OSV
    /// all.zip archives, CISA KEV JSON, EPSS CSV (.gz), or one file from `bosun db export`.
    Import(ImportArgs),
    /// Write the database as one compressed file, to carry across an air gap
    /// (`bosun db import FILE` on the other side).
    Export(ExportArgs),
}

/// Where the feeds come from (shared by `db update` and the automatic download of `scan`).
#[derive(Args, Clone)]
pub(crate) struct FeedArgs {
    /// Fetch every feed from this mirror instead of upstream (layout: BASE/osv/ECOSYSTEM/all.zip,
    /// BASE/kev/known_exploited_vulnerabilities.json, BASE/epss/epss_scores-current.csv.gz).
    #[arg(
        long = "db-mirror",
        visible_alias = "mirror",
        value_name = "URL",
        env = "BOSUN_DB_MIRROR"
    )]
    pub(crate) mirror: Option<String>,
}

#[derive(Args)]
pub(crate) struct UpdateArgs {
    #[command(flatten)]
    feeds: FeedArgs,
    #[command(flatten)]
    net: NetArgs,
    /// OSV ecosystems to fetch (comma-separated; default: the distributions and language
    /// registries images carry).
    #[arg(long, value_delimiter = ',', value_name = "ECOSYSTEMS")]
    ecosystems: Vec<String>,
    /// Skip CISA KEV.
    #[arg(long)]
    no_kev: bool,
    /// Skip EPSS.
    #[arg(long)]
    no_epss: bool,
    /// No progress on the terminal.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args)]
pub(crate) struct ExportArgs {
    /// The file to write.
    file: PathBuf,
}

#[derive(Args)]
pub(crate) struct StatusArgs {
    /// Output format: table or json.
    #[arg(short, long, default_value = "table", value_parser = ["table", "json"])]
    format: String,
}

#[derive(Args)]
pub(crate) struct ImportArgs {
    /// Files or directories to import.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

pub(crate) fn run(cmd: &DbCommand, dirs: &DbDirArgs) -> anyhow::Result<ExitCode> {
    let db_dir = dirs.db_dir()?;
    match cmd {
        DbCommand::Update(a) => {
            let mut opts = update_options(&db_dir, &a.feeds, &a.net);
            if !a.ecosystems.is_empty() {
                opts.ecosystems = a.ecosystems.iter().map(|e| e.trim().to_owned()).collect();
            }
            opts.kev = !a.no_kev;
            opts.epss = !a.no_epss;
            update(&opts, a.quiet)?;
            Ok(ExitCode::SUCCESS)
        }
        DbCommand::Status(a) => status(&db_dir, a),
        DbCommand::Import(a) => import(&db_dir, a),
        DbCommand::Export(a) => {
            let info = bosun_feeds::export(&db_dir, &a.file)?;
            eprintln!(
                "exported {} ({} MiB, sha256 {}) to {}",
                db_dir.display(),
                info.export_bytes >> 20,
                info.sha256,
                info.path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn status(db_dir: &std::path::Path, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let db = open(db_dir)?;
    db.verify()?;
    let info = db.info();
    let mut out = String::new();
    if args.format == "json" {
        let mut v = serde_json::to_value(info)?;
        v["path"] = db.path().display().to_string().into();
        v["built"] = unix_to_rfc3339(info.build_time).into();
        v["age_seconds"] = age(info.build_time).as_secs().into();
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return output::print(&out);
    }
    writeln!(out, "database   {}", db.path().display())?;
    writeln!(
        out,
        "built      {} ({} ago)",
        unix_to_rfc3339(info.build_time),
        human(age(info.build_time))
    )?;
    writeln!(
        out,
        "format     {} (every section checksum verified)",
        info.format_version
    )?;
    writeln!(
        out,
        "records    {} ({} withdrawn), {} packages, {} aliases",
        info.records, info.withdrawn, info.packages, info.aliases
    )?;
    for (eco, n) in &info.package_keys_per_ecosystem {
        writeln!(out, "  {eco:<20} {n} packages")?;
    }
    writeln!(
        out,
        "KEV        {} entries{}",
        info.kev,
        info.kev_catalog
            .as_deref()
            .map(|c| format!(" (catalog {c})"))
            .unwrap_or_default()
    )?;
    writeln!(
        out,
        "EPSS       {} scores{}",
        info.epss,
        info.epss_model
            .as_deref()
            .map(|c| format!(" ({})", c.trim_start_matches('#')))
            .unwrap_or_default()
    )?;
    writeln!(out, "sources")?;
    for s in &info.sources {
        let skipped = if s.skipped > 0 {
            format!(", {} skipped", s.skipped)
        } else {
            String::new()
        };
        writeln!(out, "  {}: {} records{skipped}", s.path, s.records)?;
    }
    output::print(&out)
}

fn import(db_dir: &std::path::Path, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(db_dir)
        .with_context(|| format!("cannot create {}", db_dir.display()))?;
    if let [one] = args.paths.as_slice()
        && is_export(one)
    {
        let info = bosun_feeds::import_export(one, db_dir)?;
        eprintln!(
            "installed the database from {} ({} records) into {}",
            one.display(),
            info.records,
            db_dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let report = bosun_feeds::import(&args.paths, db_dir)?;
    for (p, stats) in args.paths.iter().zip(&report.sources) {
        if stats.skipped > 0 {
            eprintln!(
                "warning: {}: {} malformed records skipped",
                p.display(),
                stats.skipped
            );
        }
    }
    let info = &report.db;
    eprintln!(
        "imported {} records, {} KEV entries, {} EPSS scores into {}",
        info.records,
        info.kev,
        info.epss,
        db_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Whether `path` is a file written by `bosun db export`.
fn is_export(path: &std::path::Path) -> bool {
    let mut magic = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok_and(|()| &magic == bosun_feeds::EXPORT_MAGIC)
}

/// Update options from the command line.
pub(crate) fn update_options(
    db_dir: &std::path::Path,
    feeds: &FeedArgs,
    net: &NetArgs,
) -> bosun_feeds::UpdateOptions {
    let mut opts = bosun_feeds::UpdateOptions::new(db_dir);
    opts.mirror.clone_from(&feeds.mirror);
    opts.http.insecure = net.insecure;
    opts.http.ca_file.clone_from(&net.ca_cert);
    opts
}

/// Runs an update with progress bars on a terminal, then prints one line per source.
pub(crate) fn update(opts: &bosun_feeds::UpdateOptions, quiet: bool) -> anyhow::Result<()> {
    std::fs::create_dir_all(&opts.db_dir)
        .with_context(|| format!("cannot create {}", opts.db_dir.display()))?;
    let mut progress = UpdateProgress::new(quiet);
    let report = bosun_feeds::update(opts, &mut progress)?;
    progress.finish();
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    let fetched = report
        .sources
        .iter()
        .filter(|s| s.status == bosun_feeds::SourceStatus::Downloaded)
        .count();
    let bytes: u64 = report.sources.iter().map(|s| s.bytes).sum();
    if !quiet {
        eprintln!(
            "database updated: {} records, {} KEV, {} EPSS; {fetched} of {} feeds downloaded ({} MiB), the rest unchanged",
            report.db.records,
            report.db.kev,
            report.db.epss,
            report.sources.len(),
            bytes >> 20
        );
    }
    Ok(())
}

/// Download bars per feed on a terminal; nothing in a pipe.
struct UpdateProgress {
    multi: Option<indicatif::MultiProgress>,
    phase: Option<indicatif::ProgressBar>,
    bars: std::collections::HashMap<String, indicatif::ProgressBar>,
}

impl UpdateProgress {
    fn new(quiet: bool) -> Self {
        let multi = (!quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .then(indicatif::MultiProgress::new);
        let phase = multi.as_ref().map(|m| {
            let bar = m.add(indicatif::ProgressBar::new_spinner());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        UpdateProgress {
            multi,
            phase,
            bars: std::collections::HashMap::new(),
        }
    }

    fn finish(&self) {
        for b in self.bars.values() {
            b.finish_and_clear();
        }
        if let Some(p) = &self.phase {
            p.finish_and_clear();
        }
    }
}

impl bosun_feeds::Progress for UpdateProgress {
    fn phase(&mut self, message: &str) {
        if let Some(p) = &self.phase {
            p.set_message(message.to_owned());
        }
    }

    fn source_start(&mut self, source: &str, total: Option<u64>) {
        let Some(m) = &self.multi else { return };
        let bar = self
            .bars
            .entry(source.to_owned())
            .or_insert_with(|| m.add(indicatif::ProgressBar::no_length()));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix:>22} {bar:30} {bytes:>10}/{total_bytes:<10} {bytes_per_sec}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_prefix(source.to_owned());
        bar.set_position(0);
        if let Some(t) = total {
            bar.set_length(t);
        }
    }

    fn source_bytes(&mut self, source: &str, bytes: u64) {
        if let Some(b) = self.bars.get(source) {
            b.inc(bytes);
        }
    }

    fn source_retry(&mut self, source: &str, attempt: u32, delay: Duration, reason: &str) {
        let line = format!(
            "{source}: attempt {attempt} failed ({reason}); retrying in {} s",
            delay.as_secs()
        );
        match &self.multi {
            Some(m) => {
                let _ = m.println(line);
            }
            None => eprintln!("{line}"),
        }
    }

    fn source_done(&mut self, report: &bosun_feeds::SourceReport) {
        if let Some(b) = self.bars.remove(&report.source) {
            b.finish_and_clear();
        }
    }
}

/// Opens the database, saying what to do when there is none.
pub(crate) fn open(db_dir: &std::path::Path) -> anyhow::Result<bosun_vulndb::Db> {
    if !db_dir.join(bosun_vulndb::DB_FILE).exists() {
        anyhow::bail!(
            "no vulnerability database in {}: run `bosun db update` (online) or `bosun db import FILES` (offline)",
            db_dir.display()
        );
    }
    Ok(bosun_vulndb::Db::open(db_dir)?)
}

/// Time since a unix timestamp (zero when it lies in the future).
pub(crate) fn age(unix: u64) -> Duration {
    let built = UNIX_EPOCH + Duration::from_secs(unix);
    SystemTime::now()
        .duration_since(built)
        .unwrap_or(Duration::ZERO)
}

/// `3 days`, `5 hours`, `12 minutes`.
pub(crate) fn human(d: Duration) -> String {
    let s = d.as_secs();
    let (n, unit) = match s {
        0..120 => (s, "second"),
        120..7200 => (s / 60, "minute"),
        7200..172_800 => (s / 3600, "hour"),
        _ => (s / 86_400, "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// `2026-11-28T10:00:00Z` (UTC).
pub(crate) fn unix_to_rfc3339(unix: u64) -> String {
    i64::try_from(unix)
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map_or_else(
            || "?".to_owned(),
            |t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_format_as_utc() {
        assert_eq!(unix_to_rfc3339(0), "1970-01-01T00:00:00Z");
        // `date -u -d @1795000000`
        assert_eq!(unix_to_rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(unix_to_rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(human(Duration::from_secs(1)), "1 second");
        assert_eq!(human(Duration::from_secs(600)), "10 minutes");
        assert_eq!(human(Duration::from_secs(3 * 86_400 + 5)), "3 days");
    }
}
