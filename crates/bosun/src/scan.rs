//! `bosun scan`: vulnerabilities, secrets and configuration checks, with the gate.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use bosun_inventory::{Diagnostic, DiagnosticLevel, Inventory, Severity};
use clap::Args;

use crate::db::{self, DbDirArgs, FeedArgs};
use crate::output::{self, Progress};
use crate::source::{self, SourceArgs};

#[derive(Args)]
pub(crate) struct ScanArgs {
    #[command(flatten)]
    source: SourceArgs,
    #[command(flatten)]
    dirs: DbDirArgs,
    #[command(flatten)]
    feeds: FeedArgs,
    /// Scanners to run, comma-separated: vuln, secret, config.
    #[arg(long, value_delimiter = ',', default_value = "vuln,secret")]
    scanners: Vec<String>,
    /// Report only findings of these severities (comma-separated: CRITICAL, HIGH, MEDIUM,
    /// LOW, UNKNOWN).
    #[arg(long, value_delimiter = ',', value_name = "SEVERITIES")]
    severity: Vec<String>,
    /// Leave out vulnerabilities that have no fixed version.
    #[arg(long)]
    ignore_unfixed: bool,
    /// Match development dependencies of lockfiles too.
    #[arg(long)]
    include_dev: bool,
    /// Fail (exit 1, or --exit-code) when a finding is at or above this severity.
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<String>,
    /// Exit with this code when any finding is reported (after --severity), or when a gate
    /// (--fail-on, --policy) fails.
    #[arg(long, value_name = "CODE", default_value_t = 0)]
    exit_code: u8,
    /// Policy file (YAML): gates on severity, fixability, denied ids, KEV, licenses, secrets,
    /// root user, image age (see crates/bosun-policy/POLICY.md).
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Exceptions file: accepted findings with a reason and an expiry date (default:
    /// .bosunignore.yaml in the current directory, if present).
    #[arg(long, value_name = "FILE")]
    ignorefile: Option<PathBuf>,
    /// VEX document (OpenVEX, CycloneDX VEX or CSAF VEX) whose not_affected and fixed
    /// statements suppress findings; repeatable.
    #[arg(long, value_name = "FILE")]
    vex: Vec<PathBuf>,
    /// Write the triage decisions (suppressed and open findings) as an OpenVEX document.
    #[arg(long, value_name = "FILE")]
    vex_out: Option<PathBuf>,
    /// Do not use or fill the layer cache (analysis results per layer, in CACHE_DIR/layers).
    #[arg(long)]
    no_cache: bool,
    /// Largest size of the layer cache (e.g. 500MiB, 2GiB); least recently used entries go
    /// first.
    #[arg(long, value_name = "SIZE", default_value = "2GiB", value_parser = parse_cache_size)]
    cache_max_size: u64,
    /// Never use the network: the database must already be there.
    #[arg(long)]
    offline: bool,
    /// Do not download the database when it is missing.
    #[arg(long)]
    skip_db_update: bool,
    /// Warn when the database is older than this (e.g. 36h, 5d).
    #[arg(long, value_name = "AGE", default_value = "5d", value_parser = parse_age)]
    db_max_age: Duration,
    /// Secret rules to add, disable or allow (YAML, trivy-secret.yaml compatible).
    #[arg(long, value_name = "FILE")]
    secret_config: Option<PathBuf>,
    /// Configuration checks to disable or allow (YAML).
    #[arg(long, value_name = "FILE")]
    misconfig_config: Option<PathBuf>,
    /// Order of the findings: priority (most urgent first, from CVSS, EPSS, KEV, fix,
    /// base/app layer and whether the code is loaded) or severity. The table is sorted by
    /// priority unless told otherwise; other formats keep package order without this flag.
    #[arg(long, value_enum, value_name = "ORDER")]
    sort: Option<SortArg>,
    /// Output format: table, json, sarif, cyclonedx-json, spdx-json, gitlab, junit, markdown,
    /// html.
    #[arg(short, long, default_value = "table")]
    format: bosun_report::Format,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// No progress on the terminal.
    #[arg(short, long)]
    quiet: bool,
}

/// `--sort`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum SortArg {
    /// Most urgent first by the priority score.
    Priority,
    /// Highest severity first.
    Severity,
}

/// Sorts the findings for every format: by priority (most urgent first) or severity; ties
/// keep the matcher's order (package, then id).
fn sort_findings(inv: &mut Inventory, order: SortArg) {
    match order {
        SortArg::Priority => bosun_priority::sort_findings(&mut inv.vulnerabilities),
        SortArg::Severity => inv
            .vulnerabilities
            .sort_by_key(|v| std::cmp::Reverse(v.severity)),
    }
}

/// `36h`, `5d`, `90m`, or a bare number of hours.
fn parse_age(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => s.split_at(i),
        None => (s, "h"),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?}: expected a number with a unit: 90m, 36h, 5d"))?;
    let secs = match unit {
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{s:?}: unit must be m, h or d")),
    };
    Ok(Duration::from_secs(n.saturating_mul(secs)))
}

fn parse_cache_size(s: &str) -> Result<u64, String> {
    bosun_cache::parse_size(s).ok_or_else(|| format!("{s:?}: expected a size like 500MiB or 2GiB"))
}

fn parse_severity(s: &str) -> anyhow::Result<Severity> {
    Severity::from_word(s)
        .filter(|v| v.as_str() == s.trim().to_ascii_uppercase())
        .with_context(|| {
            format!("unknown severity {s:?}: use CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN")
        })
}

pub(crate) fn run(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let mut scanners = bosun_scan::Scanners::default();
    let mut secret_config = None;
    let mut vuln = false;
    for name in &args.scanners {
        match name.trim() {
            "vuln" => vuln = true,
            "secret" => {
                let config = match &args.secret_config {
                    Some(path) => bosun_secret::Config::from_yaml(&output::read_text(path)?)
                        .with_context(|| format!("secret config {}", path.display()))?,
                    None => bosun_secret::Config::default(),
                };
                secret_config = Some(config.clone());
                scanners.secret = Some(bosun_secret::Scanner::new(config)?);
            }
            "config" => {
                let config = match &args.misconfig_config {
                    Some(path) => bosun_misconfig::Config::from_yaml(&output::read_text(path)?)
                        .with_context(|| format!("misconfig config {}", path.display()))?,
                    None => bosun_misconfig::Config::default(),
                };
                scanners.config = Some(bosun_misconfig::Checker::new(config)?);
            }
            "license" => anyhow::bail!(
                "the license scanner is not available yet (package licenses are in `bosun sbom`); use --scanners vuln,secret,config"
            ),
            other => anyhow::bail!("unknown scanner {other:?}: use vuln, secret, config"),
        }
    }
    let severities = args
        .severity
        .iter()
        .map(|s| parse_severity(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let fail_on = args.fail_on.as_deref().map(parse_severity).transpose()?;
    let triage = Triage::load(args)?;

    let progress = Progress::new(args.quiet);
    // The database first: a scan that cannot match should fail before reading the image.
    let database = if vuln {
        Some(open_db(args, &progress)?)
    } else {
        None
    };
    let mut facts = ImageFacts::default();
    let mut inventory = match args.source.sbom_path() {
        Some(path) => {
            if scanners.secret.is_some() || scanners.config.is_some() {
                progress.println(
                    "note: an SBOM carries no files or image config: only the vuln scanner runs",
                );
            }
            source::read_sbom(path, &progress)?
        }
        None => {
            let image = source::open(&args.source, &progress)?;
            if let Some(config) = image.config() {
                facts.created.clone_from(&config.created);
                facts.root = Some(
                    config
                        .config
                        .as_ref()
                        .and_then(|c| c.user.as_deref())
                        .is_none_or(|u| {
                            u.is_empty()
                                || u == "root"
                                || u == "0"
                                || u.starts_with("0:")
                                || u.starts_with("root:")
                        }),
                );
            }
            let base = identify_base(&image, &args.dirs)?;
            progress.message("reading layers");
            let mut inv = match open_cache(args)? {
                Some(cache) => {
                    let (inv, _stats) =
                        bosun_scan::scan_cached(&image, &scanners, &cache, secret_config.as_ref())?;
                    inv
                }
                None => bosun_scan::scan(&image, &scanners)?,
            };
            inv.set_base(base);
            inv
        }
    };
    if let Some((db, stale)) = &database {
        progress.message("matching vulnerabilities");
        if let Some(d) = stale {
            inventory.diagnostics.push(d.clone());
        }
        let opts = bosun_match::MatchOptions {
            skip_unfixed: args.ignore_unfixed,
            include_dev: args.include_dev,
            ..bosun_match::MatchOptions::default()
        };
        let result = bosun_match::match_inventory(&inventory, db, &opts);
        inventory.vulnerabilities = result.findings;
        inventory.diagnostics.extend(result.diagnostics);
    }
    progress.finish();
    // After the base image is known (layer roles) and before the gate, which does not use it.
    let loaded: std::collections::HashMap<(String, Option<String>), Option<bool>> = inventory
        .packages
        .iter()
        .map(|p| ((p.purl.clone(), p.locations.first().cloned()), p.loaded))
        .collect();
    bosun_priority::assign_with(&mut inventory, |vp| {
        loaded
            .get(&(vp.purl.clone(), vp.location.clone()))
            .copied()
            .flatten()
    });
    filter_severities(&mut inventory, &severities);
    let violations = triage.apply(&mut inventory, &facts)?;
    if let Some((db, _)) = &database {
        base_upgrades(&mut inventory, db, args, &severities)?;
    }
    output::warn_diagnostics(&inventory);
    let sort = args.sort.unwrap_or(SortArg::Priority);
    if args.sort.is_some() {
        // Every format follows an explicit --sort; without one only the table is sorted.
        sort_findings(&mut inventory, sort);
    }
    let opts = bosun_report::RenderOptions {
        list_packages: false,
        sort: match sort {
            SortArg::Priority => bosun_report::SortOrder::Priority,
            SortArg::Severity => bosun_report::SortOrder::Severity,
        },
        ..bosun_report::RenderOptions::default()
    };
    output::write_report(&inventory, args.format, opts, args.output.as_deref())?;
    if let Some(path) = &args.vex_out {
        triage.write_vex(&inventory, path)?;
    }

    let gate_code = if args.exit_code == 0 {
        crate::cli::EXIT_GATE
    } else {
        args.exit_code
    };
    let mut failed = false;
    for v in &violations {
        let level = match v.level {
            bosun_policy::ViolationLevel::Fail => {
                failed = true;
                "policy"
            }
            bosun_policy::ViolationLevel::Warn => "policy warning",
        };
        let layer = v
            .layer
            .as_ref()
            .map(|l| format!(" (layer {})", l.index))
            .unwrap_or_default();
        eprintln!("{level}: {}: {}{layer}: {}", v.rule, v.finding, v.message);
    }
    if let Some(level) = fail_on {
        let failing = gate_failures(&inventory, level);
        if failing > 0 {
            eprintln!("gate failed: {failing} findings at or above {level}");
            failed = true;
        }
    }
    if failed {
        return Ok(ExitCode::from(gate_code));
    }
    if fail_on.is_some() || args.policy.is_some() {
        return Ok(ExitCode::SUCCESS);
    }
    let any = inventory
        .vulnerabilities
        .iter()
        .any(|v| v.suppressed.is_none())
        || inventory.secrets.iter().any(|f| f.suppressed.is_none())
        || inventory
            .misconfigurations
            .iter()
            .any(|m| m.suppressed.is_none());
    Ok(ExitCode::from(if any { args.exit_code } else { 0 }))
}

/// What the scan learned about the image itself, for the policy.
#[derive(Default)]
struct ImageFacts {
    /// The config's `created`.
    created: Option<String>,
    /// Whether it runs as root (no `User`, or user 0/root).
    root: Option<bool>,
}

/// Exceptions, VEX documents and the policy, loaded before the scan so that a bad file fails
/// fast.
struct Triage {
    exceptions: Option<bosun_policy::Exceptions>,
    vex: Vec<bosun_policy::Vex>,
    policy: Option<bosun_policy::Policy>,
    today: bosun_policy::Date,
}

impl Triage {
    fn load(args: &ScanArgs) -> anyhow::Result<Triage> {
        let read = |p: &std::path::Path| -> anyhow::Result<Vec<u8>> {
            let mut bytes = Vec::new();
            std::fs::File::open(p)
                .and_then(|f| {
                    std::io::Read::read_to_end(&mut std::io::Read::take(f, 64 << 20), &mut bytes)
                })
                .with_context(|| format!("cannot read {}", p.display()))?;
            Ok(bytes)
        };
        let ignorefile = args.ignorefile.clone().or_else(|| {
            let default = PathBuf::from(bosun_policy::DEFAULT_IGNOREFILE);
            default.is_file().then_some(default)
        });
        let exceptions = ignorefile
            .map(|p| {
                bosun_policy::Exceptions::parse(&p.display().to_string(), &read(&p)?)
                    .map_err(anyhow::Error::from)
            })
            .transpose()?;
        let vex = args
            .vex
            .iter()
            .map(|p| {
                bosun_policy::Vex::parse(&p.display().to_string(), &read(p)?)
                    .map_err(anyhow::Error::from)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let policy = args
            .policy
            .as_ref()
            .map(|p| {
                bosun_policy::Policy::parse(&p.display().to_string(), &read(p)?)
                    .map_err(anyhow::Error::from)
            })
            .transpose()?;
        let now = jiff::Timestamp::now();
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
        Ok(Triage {
            exceptions,
            vex,
            policy,
            today,
        })
    }

    /// Exceptions, then each VEX document, mark findings; then the policy is evaluated.
    fn apply(
        &self,
        inv: &mut Inventory,
        facts: &ImageFacts,
    ) -> anyhow::Result<Vec<bosun_policy::Violation>> {
        if let Some(e) = &self.exceptions {
            let d = bosun_policy::apply_exceptions(inv, e, self.today);
            inv.diagnostics.extend(d);
        }
        for v in &self.vex {
            let d = bosun_policy::apply_vex(inv, v);
            inv.diagnostics.extend(d);
        }
        let Some(policy) = &self.policy else {
            return Ok(Vec::new());
        };
        let base = inv.base.as_ref().and_then(|b| {
            Some(bosun_policy::BaseImage {
                repository: repository_of(b.name.as_deref()?),
                digest: b.digest.as_deref(),
            })
        });
        let ctx = bosun_policy::Context {
            today: self.today,
            created: facts.created.as_deref(),
            base,
            root_user: facts.root,
        };
        Ok(bosun_policy::evaluate(inv, policy, &ctx))
    }

    fn write_vex(&self, inv: &Inventory, path: &std::path::Path) -> anyhow::Result<()> {
        if inv.vulnerabilities.is_empty() {
            eprintln!(
                "note: no vulnerabilities, so no VEX document was written to {}",
                path.display()
            );
            return Ok(());
        }
        let now = jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let doc = bosun_policy::openvex_document(inv, "bosun", &now);
        let text = serde_json::to_string_pretty(&doc)?;
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
    }
}

/// Fills `inventory.base.upgrades`: for each newer image of the base's repository in the
/// catalog, what rebuilding on it would fix among the open base-layer findings (matched with
/// the same options and severity filter as the scan).
fn base_upgrades(
    inventory: &mut Inventory,
    db: &bosun_vulndb::Db,
    args: &ScanArgs,
    severities: &[Severity],
) -> anyhow::Result<()> {
    let Some(base) = &inventory.base else {
        return Ok(());
    };
    let catalog = match bosun_base::Catalog::load(&base_catalog_path(&args.dirs)?) {
        Ok(c) => c,
        Err(_) => return Ok(()), // identify_base already warned
    };
    let current: Vec<&bosun_inventory::Vulnerability> = inventory
        .vulnerabilities
        .iter()
        .filter(|v| {
            v.suppressed.is_none() && v.layer.role == Some(bosun_inventory::LayerRole::Base)
        })
        .collect();
    let opts = bosun_match::MatchOptions {
        skip_unfixed: args.ignore_unfixed,
        include_dev: args.include_dev,
        ..bosun_match::MatchOptions::default()
    };
    let mut upgrades = Vec::new();
    for candidate in catalog.newer_than(base) {
        let Some(contents) = &candidate.contents else {
            continue;
        };
        let mut found = bosun_match::match_inventory(&contents.inventory(), db, &opts).findings;
        if !severities.is_empty() {
            found.retain(|v| severities.contains(&v.severity));
        }
        upgrades.push(bosun_base::upgrade(candidate, &current, &found));
    }
    if let Some(base) = &mut inventory.base {
        base.upgrades = upgrades;
    }
    Ok(())
}

/// The repository of an image reference: `debian:12@sha256:...` -> `debian`,
/// `localhost:5000/app:1` -> `localhost:5000/app`.
fn repository_of(reference: &str) -> &str {
    let r = reference.split('@').next().unwrap_or(reference);
    match r.rfind(':') {
        Some(i) if !r[i..].contains('/') => &r[..i],
        _ => r,
    }
}

/// Where the catalog of known base images lives: `CACHE_DIR/base-images.json`.
pub(crate) fn base_catalog_path(dirs: &DbDirArgs) -> anyhow::Result<PathBuf> {
    Ok(dirs.cache_dir()?.join("base-images.json"))
}

/// The base image, from the image's annotations and labels, the catalog of known base
/// images, or its history.
fn identify_base(
    image: &bosun_image::Image,
    dirs: &DbDirArgs,
) -> anyhow::Result<Option<bosun_inventory::BaseImage>> {
    let catalog = match bosun_base::Catalog::load(&base_catalog_path(dirs)?) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("warning: {e}");
            bosun_base::Catalog::default()
        }
    };
    let config = image.config();
    let history: Vec<bosun_base::HistoryEntry> = config
        .map(|c| {
            c.history
                .iter()
                .map(|h| bosun_base::HistoryEntry {
                    created_by: h.created_by.clone().unwrap_or_default(),
                    empty_layer: h.empty_layer,
                })
                .collect()
        })
        .unwrap_or_default();
    let diff_ids: Vec<String> = image
        .layers()
        .iter()
        .filter_map(|l| l.diff_id.clone())
        .collect();
    let facts = bosun_base::Facts {
        annotations: Some(image.annotations()),
        labels: config.and_then(|c| c.config.as_ref()).map(|c| &c.labels),
        history: &history,
        diff_ids: &diff_ids,
    };
    Ok(bosun_base::identify(&facts, &catalog))
}

/// The layer cache, unless `--no-cache`; a cache that cannot be opened is a warning, not a
/// failed scan.
fn open_cache(args: &ScanArgs) -> anyhow::Result<Option<bosun_cache::Cache>> {
    if args.no_cache {
        return Ok(None);
    }
    let dir = args.dirs.cache_dir()?;
    match bosun_cache::Cache::open(&dir, args.cache_max_size) {
        Ok(c) => Ok(Some(c)),
        Err(e) => {
            eprintln!("warning: layer cache unavailable, scanning without it: {e}");
            Ok(None)
        }
    }
}

/// Opens the database, with a warning diagnostic when it is older than `--db-max-age`.
fn open_db(
    args: &ScanArgs,
    progress: &Progress,
) -> anyhow::Result<(bosun_vulndb::Db, Option<Diagnostic>)> {
    let db_dir = args.dirs.db_dir()?;
    if !db_dir.join(bosun_vulndb::DB_FILE).exists() && !args.offline && !args.skip_db_update {
        progress.println(&format!(
            "no vulnerability database in {}: downloading it (or use `bosun db import` and --offline)",
            db_dir.display()
        ));
        db::update(
            &db::update_options(&db_dir, &args.feeds, &args.source.net),
            args.quiet,
        )?;
    }
    progress.message("opening vulnerability database");
    let db = db::open(&db_dir)?;
    let age = db::age(db.info().build_time);
    let stale = (age > args.db_max_age).then(|| Diagnostic {
        level: DiagnosticLevel::Warning,
        source: "vulndb".to_owned(),
        message: format!(
            "the vulnerability database is {} old (built {}); run `bosun db update`",
            db::human(age),
            db::unix_to_rfc3339(db.info().build_time)
        ),
        path: None,
        layer: None,
    });
    Ok((db, stale))
}

/// Keeps only findings of the given severities (all when empty).
fn filter_severities(inv: &mut Inventory, severities: &[Severity]) {
    if severities.is_empty() {
        return;
    }
    let keep = |s: &str| Severity::from_word(s).is_some_and(|s| severities.contains(&s));
    inv.vulnerabilities
        .retain(|v| severities.contains(&v.severity));
    inv.secrets.retain(|f| keep(&f.severity));
    inv.misconfigurations.retain(|m| keep(&m.severity));
}

/// Findings at or above `level` that no exception or VEX statement suppresses.
fn gate_failures(inv: &Inventory, level: Severity) -> usize {
    let at_least = |s: &str| Severity::from_word(s).is_some_and(|s| s >= level);
    inv.vulnerabilities
        .iter()
        .filter(|v| v.suppressed.is_none() && v.severity >= level)
        .count()
        + inv
            .secrets
            .iter()
            .filter(|f| f.suppressed.is_none() && at_least(&f.severity))
            .count()
        + inv
            .misconfigurations
            .iter()
            .filter(|m| m.suppressed.is_none() && at_least(&m.severity))
            .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_parse_with_units() {
        assert_eq!(parse_age("90m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_age("36h"), Ok(Duration::from_secs(36 * 3600)));
        assert_eq!(parse_age("5d"), Ok(Duration::from_secs(5 * 86_400)));
        assert_eq!(parse_age("2"), Ok(Duration::from_secs(7200)));
        assert!(parse_age("5w").is_err());
        assert!(parse_age("d").is_err());
    }

    #[test]
    fn severities_parse_exactly() {
        assert_eq!(parse_severity("high").ok(), Some(Severity::High));
        assert_eq!(parse_severity("UNKNOWN").ok(), Some(Severity::Unknown));
        // Vendor words are for advisories, not for the command line.
        assert!(parse_severity("important").is_err());
        assert!(parse_severity("severe").is_err());
    }

    #[test]
    fn repositories_drop_tag_and_digest_but_keep_the_port() {
        assert_eq!(repository_of("debian:12"), "debian");
        assert_eq!(
            repository_of("docker.io/library/debian:12.8@sha256:ab"),
            "docker.io/library/debian"
        );
        assert_eq!(repository_of("localhost:5000/app:1"), "localhost:5000/app");
        assert_eq!(repository_of("localhost:5000/app"), "localhost:5000/app");
        assert_eq!(repository_of("alpine"), "alpine");
    }
}
