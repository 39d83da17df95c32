//! Import: detects what a file holds (OSV JSON/YAML record, `{"vulns":[...]}` bundle, OSV
//! `all.zip`, CISA KEV JSON, EPSS CSV[.gz]) and feeds the builder. Malformed records and
//! unreadable files are counted with a reason, never fatal.

use crate::advisory::{RawOsv, normalize_name, split_ecosystem};
use crate::format::{self, cve_key};
use crate::{Advisory, DbInfo, Kev, SourceInfo, VulnDbError};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Deepest directory recursion.
const MAX_DEPTH: usize = 32;
/// Most files visited under one path.
const MAX_FILES: usize = 2_000_000;
/// Largest single input file or zip entry read.
const MAX_FILE: u64 = 1 << 30;
/// Most problems listed per import (the counts stay exact).
const MAX_PROBLEMS: usize = 1000;

/// What an imported file was taken for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// One OSV record, JSON.
    OsvJson,
    /// One OSV record, YAML.
    OsvYaml,
    /// `{"vulns":[...]}`.
    OsvBundle,
    /// An OSV `all.zip`.
    OsvZip,
    /// CISA KEV JSON.
    Kev,
    /// FIRST EPSS CSV.
    Epss,
}

/// A skipped record or ignored file, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// The file (and zip entry / bundle index, after `#`).
    pub file: String,
    /// Why.
    pub reason: String,
}

/// What one [`DbBuilder::add_path`] did.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ImportStats {
    /// The path given.
    pub path: PathBuf,
    /// Files opened.
    pub files: usize,
    /// Files per detected kind.
    pub kinds: BTreeMap<String, usize>,
    /// OSV records accepted (including withdrawn ones and ones replacing an earlier copy).
    pub records: usize,
    /// Of those, withdrawn.
    pub withdrawn: usize,
    /// Records whose id was already present (the newer `modified` wins; ties keep the first).
    pub duplicates: usize,
    /// Malformed OSV records skipped.
    pub skipped: usize,
    /// Files that are none of the known kinds (schemas, READMEs, other formats).
    pub ignored: usize,
    /// KEV entries read.
    pub kev: usize,
    /// EPSS rows read.
    pub epss: usize,
    /// Malformed EPSS/KEV rows skipped.
    pub skipped_rows: usize,
    /// Reasons for skipped records and ignored files (first 1000).
    pub problems: Vec<Problem>,
}

impl ImportStats {
    fn problem(&mut self, file: String, reason: impl Into<String>) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem {
                file,
                reason: reason.into(),
            });
        }
    }
    fn skip(&mut self, file: String, reason: impl Into<String>) {
        self.skipped += 1;
        self.problem(file, reason);
    }
    fn ignore(&mut self, file: String, reason: impl Into<String>) {
        self.ignored += 1;
        self.problem(file, reason);
    }
    fn kind(&mut self, k: InputKind) {
        let name = serde_json::to_value(k)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        *self.kinds.entry(name).or_default() += 1;
    }
}

/// Collects inputs and writes a database.
///
/// ```no_run
/// let mut b = bosun_vulndb::DbBuilder::new();
/// let stats = b.add_path("osv/go")?;
/// let info = b.write("db")?;
/// # Ok::<(), bosun_vulndb::VulnDbError>(())
/// ```
#[derive(Debug, Default)]
pub struct DbBuilder {
    records: BTreeMap<String, Advisory>,
    kev: BTreeMap<String, Kev>,
    kev_catalog: Option<String>,
    epss: BTreeMap<u64, (f32, f32)>,
    epss_model: Option<String>,
    sources: Vec<ImportStats>,
    build_time: Option<u64>,
}

impl DbBuilder {
    /// An empty builder.
    pub fn new() -> DbBuilder {
        DbBuilder::default()
    }

    /// Sets the build time written in the header (default: now).
    pub fn build_time(&mut self, unix_seconds: u64) -> &mut Self {
        self.build_time = Some(unix_seconds);
        self
    }

    /// Imports a file or a directory tree (sorted, depth ≤ 32). Fails only when `path`
    /// itself cannot be read; everything below it is counted in the stats.
    pub fn add_path(&mut self, path: impl AsRef<Path>) -> Result<ImportStats, VulnDbError> {
        let path = path.as_ref();
        let meta = std::fs::metadata(path).map_err(|source| VulnDbError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut stats = ImportStats {
            path: path.to_path_buf(),
            ..ImportStats::default()
        };
        if meta.is_dir() {
            let mut files = Vec::new();
            walk(path, 0, &mut files, &mut stats);
            for f in files {
                self.add_file(&f, &mut stats);
            }
        } else {
            self.add_file(path, &mut stats);
        }
        self.sources.push(stats.clone());
        Ok(stats)
    }

    /// Imports in-memory OSV JSON (one record or a bundle), e.g. from an API response.
    pub fn add_json_bytes(&mut self, name: &str, bytes: &[u8]) -> ImportStats {
        let mut stats = ImportStats {
            path: PathBuf::from(name),
            ..ImportStats::default()
        };
        self.add_json(name, bytes, &mut stats);
        self.sources.push(stats.clone());
        stats
    }

    /// The records imported so far, in id order, as they will be written.
    pub fn advisories(&self) -> impl Iterator<Item = &Advisory> {
        self.records.values()
    }

    /// Number of distinct records so far.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no record was imported.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    fn add_file(&mut self, path: &Path, stats: &mut ImportStats) {
        let name = path.display().to_string();
        let lower = name.to_ascii_lowercase();
        let ext_ok = [".json", ".yaml", ".yml", ".zip", ".csv", ".csv.gz", ".gz"]
            .iter()
            .any(|e| lower.ends_with(e));
        if !ext_ok {
            stats.ignore(name, "not a .json/.yaml/.zip/.csv file");
            return;
        }
        stats.files += 1;
        let bytes = match read_capped(path) {
            Ok(b) => b,
            Err(e) => {
                stats.ignore(name, format!("cannot read: {e}"));
                return;
            }
        };
        if lower.ends_with(".zip") {
            self.add_zip(&name, &bytes, stats);
        } else if lower.ends_with(".gz") {
            let mut out = Vec::new();
            let d = flate2::read::GzDecoder::new(bytes.as_slice());
            match d.take(MAX_FILE).read_to_end(&mut out) {
                Ok(_) => self.add_csv(&name, &out, stats),
                Err(e) => stats.ignore(name, format!("bad gzip: {e}")),
            }
        } else if lower.ends_with(".csv") {
            self.add_csv(&name, &bytes, stats);
        } else if lower.ends_with(".json") {
            self.add_json(&name, &bytes, stats);
        } else {
            self.add_yaml(&name, &bytes, stats);
        }
    }

    fn add_json(&mut self, name: &str, bytes: &[u8], stats: &mut ImportStats) {
        let v: Value = match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(e) => {
                stats.skip(name.to_string(), format!("invalid JSON: {e}"));
                return;
            }
        };
        if v.get("catalogVersion").is_some() && v.get("vulnerabilities").is_some() {
            stats.kind(InputKind::Kev);
            self.add_kev(name, v, stats);
        } else if let Some(Value::Array(vulns)) = v.get("vulns") {
            stats.kind(InputKind::OsvBundle);
            for (i, r) in vulns.iter().enumerate() {
                let label = format!("{name}#{i}");
                match serde_json::from_value::<RawOsv>(r.clone()) {
                    Ok(raw) => self.add_raw(label, raw, stats),
                    Err(e) => stats.skip(label, format!("not an OSV record: {e}")),
                }
            }
        } else if v.get("id").is_some_and(Value::is_string)
            && (v.get("affected").is_some()
                || v.get("modified").is_some()
                || v.get("schema_version").is_some())
        {
            stats.kind(InputKind::OsvJson);
            match serde_json::from_value::<RawOsv>(v) {
                Ok(raw) => self.add_raw(name.to_string(), raw, stats),
                Err(e) => stats.skip(name.to_string(), format!("malformed OSV record: {e}")),
            }
        } else {
            stats.ignore(
                name.to_string(),
                "JSON that is not OSV, an OSV bundle or KEV",
            );
        }
    }

    fn add_yaml(&mut self, name: &str, bytes: &[u8], stats: &mut ImportStats) {
        let Ok(text) = std::str::from_utf8(bytes) else {
            stats.skip(name.to_string(), "YAML is not UTF-8");
            return;
        };
        // Typed deserialization keeps unquoted versions such as `fixed: 1.10` as text.
        match serde_saphyr::from_str::<RawOsv>(text) {
            Ok(raw) => {
                stats.kind(InputKind::OsvYaml);
                self.add_raw(name.to_string(), raw, stats);
            }
            Err(e) => {
                if text.lines().any(|l| l.starts_with("id:")) {
                    stats.kind(InputKind::OsvYaml);
                    stats.skip(name.to_string(), format!("malformed OSV YAML: {e}"));
                } else {
                    stats.ignore(name.to_string(), "YAML that is not an OSV record");
                }
            }
        }
    }

    fn add_zip(&mut self, name: &str, bytes: &[u8], stats: &mut ImportStats) {
        let mut z = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
            Ok(z) => z,
            Err(e) => {
                stats.skip(name.to_string(), format!("bad zip: {e}"));
                return;
            }
        };
        stats.kind(InputKind::OsvZip);
        for i in 0..z.len().min(MAX_FILES) {
            let mut f = match z.by_index(i) {
                Ok(f) => f,
                Err(e) => {
                    stats.skip(format!("{name}#{i}"), format!("bad zip entry: {e}"));
                    continue;
                }
            };
            let ename = f.name().map(|n| n.to_string()).unwrap_or_default();
            let entry = format!("{name}#{ename}");
            if !f.is_file() || !ename.ends_with(".json") {
                continue;
            }
            let mut buf = Vec::new();
            if let Err(e) = (&mut f).take(MAX_FILE).read_to_end(&mut buf) {
                stats.skip(entry, format!("cannot inflate: {e}"));
                continue;
            }
            match serde_json::from_slice::<RawOsv>(&buf) {
                Ok(raw) => self.add_raw(entry, raw, stats),
                Err(e) => stats.skip(entry, format!("malformed OSV record: {e}")),
            }
        }
    }

    fn add_raw(&mut self, label: String, raw: RawOsv, stats: &mut ImportStats) {
        let adv = match raw.into_advisory() {
            Ok(a) => a,
            Err(reason) => {
                stats.skip(label, reason);
                return;
            }
        };
        stats.records += 1;
        if adv.is_withdrawn() {
            stats.withdrawn += 1;
        }
        match self.records.get(&adv.id) {
            Some(old) => {
                stats.duplicates += 1;
                if adv.modified > old.modified {
                    self.records.insert(adv.id.clone(), adv);
                }
            }
            None => {
                self.records.insert(adv.id.clone(), adv);
            }
        }
    }

    fn add_kev(&mut self, name: &str, v: Value, stats: &mut ImportStats) {
        if let Some(c) = v.get("catalogVersion").and_then(Value::as_str) {
            self.kev_catalog = Some(c.to_string());
        }
        let Some(Value::Array(list)) = v.get("vulnerabilities") else {
            stats.skip(name.to_string(), "KEV without a vulnerabilities array");
            return;
        };
        for (i, e) in list.iter().enumerate() {
            let s = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_string);
            match (s("cveID"), s("dateAdded")) {
                (Some(cve), Some(date_added)) if cve_key(&cve).is_some() => {
                    stats.kev += 1;
                    self.kev.insert(
                        cve.clone(),
                        Kev {
                            cve,
                            date_added,
                            due_date: s("dueDate"),
                            ransomware: s("knownRansomwareCampaignUse"),
                            vendor: s("vendorProject"),
                            product: s("product"),
                            name: s("vulnerabilityName"),
                        },
                    );
                }
                _ => {
                    stats.skipped_rows += 1;
                    stats.problem(format!("{name}#{i}"), "KEV entry without cveID/dateAdded");
                }
            }
        }
    }

    fn add_csv(&mut self, name: &str, bytes: &[u8], stats: &mut ImportStats) {
        let text = String::from_utf8_lossy(bytes);
        let mut lines = text.lines();
        let mut first = lines.next().unwrap_or("").trim().to_string();
        if first.starts_with('#') {
            self.epss_model = Some(first.trim_start_matches('#').to_string());
            first = lines.next().unwrap_or("").trim().to_string();
        }
        let cols: Vec<&str> = first.split(',').map(str::trim).collect();
        let idx = |c: &str| cols.iter().position(|x| *x == c);
        let (Some(ic), Some(ie), Some(ip)) = (idx("cve"), idx("epss"), idx("percentile")) else {
            stats.ignore(name.to_string(), "CSV without cve,epss,percentile header");
            return;
        };
        stats.kind(InputKind::Epss);
        for (n, line) in lines.enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split(',').map(str::trim).collect();
            let parsed = (|| {
                let key = cve_key(f.get(ic)?)?;
                let e: f32 = f.get(ie)?.parse().ok()?;
                let p: f32 = f.get(ip)?.parse().ok()?;
                ((0.0..=1.0).contains(&e) && (0.0..=1.0).contains(&p)).then_some((key, e, p))
            })();
            match parsed {
                Some((k, e, p)) => {
                    stats.epss += 1;
                    self.epss.insert(k, (e, p));
                }
                None => {
                    stats.skipped_rows += 1;
                    stats.problem(format!("{name}:{}", n + 2), "malformed EPSS row");
                }
            }
        }
    }

    /// Writes the database into `dir` (created if needed) as [`format::DB_FILE`], through a
    /// temporary file renamed into place: open readers keep their old file.
    pub fn write(&self, dir: impl AsRef<Path>) -> Result<DbInfo, VulnDbError> {
        // Each record encoded once; groups per package key (records in id order).
        let mut encoded: Vec<Vec<u8>> = Vec::with_capacity(self.records.len());
        let mut ids: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        // Groups: "Base\0name\0release" (release empty for release-less ecosystems and
        // entries), so the releases of one package are adjacent.
        let mut keys: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        let mut package_keys: std::collections::BTreeSet<String> = Default::default();
        let mut aliases: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        let mut withdrawn = 0usize;
        for (n, (id, adv)) in self.records.iter().enumerate() {
            let n = u32::try_from(n).map_err(|_| VulnDbError::TooLarge)?;
            encoded.push(crate::codec::encode(adv));
            ids.insert(id.clone(), vec![n]);
            if adv.is_withdrawn() {
                withdrawn += 1;
            }
            for a in adv.aliases.iter().chain(&adv.upstream) {
                let v = aliases.entry(a.clone()).or_default();
                if v.last() != Some(&n) {
                    v.push(n);
                }
            }
            for af in &adv.affected {
                let (base, release) = split_ecosystem(&af.package.ecosystem);
                let name = format!("{base}\0{}", normalize_name(base, &af.package.name));
                let key = format!("{name}\0{}", release.unwrap_or(""));
                package_keys.insert(name);
                let v = keys.entry(key).or_default();
                if v.last() != Some(&n) {
                    v.push(n);
                }
            }
        }
        let mut blob = Vec::new();
        // Where each record's first stored copy is: (offset, length).
        let mut first: Vec<Option<(u64, u32)>> = vec![None; encoded.len()];
        let place = |blob: &mut Vec<u8>,
                     first: &mut Vec<Option<(u64, u32)>>,
                     n: u32|
         -> Result<(), VulnDbError> {
            let bytes = encoded.get(n as usize).ok_or(VulnDbError::TooLarge)?;
            let len = u32::try_from(bytes.len()).map_err(|_| VulnDbError::TooLarge)?;
            crate::codec::put_framed(blob, bytes);
            if let Some(slot @ None) = first.get_mut(n as usize) {
                *slot = Some(((blob.len() - bytes.len()) as u64, len));
            }
            Ok(())
        };
        let mut packages: BTreeMap<String, format::Group> = BTreeMap::new();
        for (key, nums) in &keys {
            let offset = blob.len() as u64;
            for &n in nums {
                place(&mut blob, &mut first, n)?;
            }
            let len =
                u32::try_from(blob.len() as u64 - offset).map_err(|_| VulnDbError::TooLarge)?;
            let count = u32::try_from(nums.len()).map_err(|_| VulnDbError::TooLarge)?;
            packages.insert(key.clone(), format::Group { offset, len, count });
        }
        // Records naming no package: stored once, after the groups.
        for n in 0..encoded.len() {
            if first.get(n).is_some_and(Option::is_none) {
                place(&mut blob, &mut first, n as u32)?;
            }
        }
        let mut table = Vec::with_capacity(encoded.len() * 12);
        for (off, len) in first.into_iter().flatten() {
            table.extend_from_slice(&off.to_le_bytes());
            table.extend_from_slice(&len.to_le_bytes());
        }
        let kev: Vec<&Kev> = self.kev.values().collect();
        let kev_json = serde_json::to_vec(&kev).map_err(|_| VulnDbError::TooLarge)?;
        let mut ecosystems: BTreeMap<String, usize> = BTreeMap::new();
        for k in &package_keys {
            if let Some((b, _)) = k.split_once('\0') {
                *ecosystems.entry(b.to_string()).or_default() += 1;
            }
        }
        let info = DbInfo {
            format_version: format::FORMAT_VERSION,
            build_time: 0,
            records: self.records.len(),
            withdrawn,
            packages: package_keys.len(),
            aliases: aliases.len(),
            kev: self.kev.len(),
            kev_catalog: self.kev_catalog.clone(),
            epss: self.epss.len(),
            epss_model: self.epss_model.clone(),
            package_keys_per_ecosystem: ecosystems,
            sources: self
                .sources
                .iter()
                .map(|s| SourceInfo {
                    path: s.path.display().to_string(),
                    kinds: s.kinds.clone(),
                    records: s.records,
                    skipped: s.skipped,
                    kev: s.kev,
                    epss: s.epss,
                })
                .collect(),
            file_size: 0,
            path: None,
        };
        let sections = vec![
            ("record_blocks", format::block_hashes(&blob)),
            ("records", blob),
            ("record_table", table),
            ("ids", format::encode_map(&ids)),
            ("packages", format::encode_key_index(&packages)),
            ("aliases", format::encode_map(&aliases)),
            ("kev", kev_json),
            ("epss", format::encode_epss(&self.epss)),
        ];
        let now = self.build_time.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
        format::write_file(dir.as_ref(), now, info, sections)
    }
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>, stats: &mut ImportStats) {
    if depth > MAX_DEPTH {
        stats.ignore(dir.display().to_string(), "directory nested too deep");
        return;
    }
    let rd = match std::fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) => {
            stats.ignore(dir.display().to_string(), format!("cannot list: {e}"));
            return;
        }
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if out.len() >= MAX_FILES {
            stats.ignore(dir.display().to_string(), "too many files");
            return;
        }
        // symlink_metadata: links are not followed (no cycles).
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.is_dir() => walk(&p, depth + 1, out, stats),
            Ok(m) if m.is_file() => out.push(p),
            _ => {}
        }
    }
}

fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    let f = std::fs::File::open(path)?;
    let mut buf = Vec::new();
    f.take(MAX_FILE).read_to_end(&mut buf)?;
    Ok(buf)
}
