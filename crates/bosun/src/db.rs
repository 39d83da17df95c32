//! `bosun db`: where the vulnerability database lives, and its commands.
#![allow(clippy::print_stdout)] // `db status` writes its answer to standard output

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::{Args, Subcommand};

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
    /// Show what the database holds: sources, record counts, age.
    Status(StatusArgs),
    /// Build the database from local files: OSV JSON/YAML files or directories, OSV
    /// all.zip archives, CISA KEV JSON, EPSS CSV (.gz).
    Import(ImportArgs),
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
        DbCommand::Status(a) => status(&db_dir, a),
        DbCommand::Import(a) => import(&db_dir, a),
    }
}

fn status(db_dir: &std::path::Path, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let db = open(db_dir)?;
    db.verify()?;
    let info = db.info();
    if args.format == "json" {
        let mut v = serde_json::to_value(info)?;
        v["path"] = db.path().display().to_string().into();
        v["built"] = unix_to_rfc3339(info.build_time).into();
        v["age_seconds"] = age(info.build_time).as_secs().into();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("database   {}", db.path().display());
    println!(
        "built      {} ({} ago)",
        unix_to_rfc3339(info.build_time),
        human(age(info.build_time))
    );
    println!(
        "format     {} (every section checksum verified)",
        info.format_version
    );
    println!(
        "records    {} ({} withdrawn), {} packages, {} aliases",
        info.records, info.withdrawn, info.packages, info.aliases
    );
    for (eco, n) in &info.package_keys_per_ecosystem {
        println!("  {eco:<20} {n} packages");
    }
    println!(
        "KEV        {} entries{}",
        info.kev,
        info.kev_catalog
            .as_deref()
            .map(|c| format!(" (catalog {c})"))
            .unwrap_or_default()
    );
    println!(
        "EPSS       {} scores{}",
        info.epss,
        info.epss_model
            .as_deref()
            .map(|c| format!(" ({})", c.trim_start_matches('#')))
            .unwrap_or_default()
    );
    println!("sources");
    for s in &info.sources {
        let skipped = if s.skipped > 0 {
            format!(", {} skipped", s.skipped)
        } else {
            String::new()
        };
        println!("  {}: {} records{skipped}", s.path, s.records);
    }
    Ok(ExitCode::SUCCESS)
}

fn import(db_dir: &std::path::Path, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let mut b = bosun_vulndb::DbBuilder::new();
    for p in &args.paths {
        let stats = b
            .add_path(p)
            .with_context(|| format!("cannot import {}", p.display()))?;
        if stats.skipped > 0 {
            eprintln!(
                "warning: {}: {} malformed records skipped",
                p.display(),
                stats.skipped
            );
        }
    }
    std::fs::create_dir_all(db_dir)
        .with_context(|| format!("cannot create {}", db_dir.display()))?;
    let info = b.write(db_dir)?;
    eprintln!(
        "imported {} records, {} KEV entries, {} EPSS scores into {}",
        info.records,
        info.kev,
        info.epss,
        db_dir.display()
    );
    Ok(ExitCode::SUCCESS)
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
