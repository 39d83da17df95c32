//! Which image an image was built `FROM`, and which of its layers are that base image's.
//!
//! Three methods, tried in this order (the report says which one answered and how sure it is):
//!
//! 1. **`annotation`** (high): the OCI annotations `org.opencontainers.image.base.name` and
//!    `org.opencontainers.image.base.digest` on the manifest, or the same keys as config
//!    labels (BuildKit writes them with `--annotation`/`--label`). The number of base layers
//!    then comes from the catalog when it knows that base, else from the history.
//! 2. **`layer_chain`** (high): the [`Catalog`] of known base images (filled by
//!    `bosun base add IMAGE...`): the longest known chain of diff_ids that is a prefix of this
//!    image's diff_ids. A layer's diff_id is the digest of its content, so a shared prefix is
//!    the same base, whatever its tag.
//! 3. **`history`** (medium): the build history. A base image's history ends with its
//!    `CMD`/`ENTRYPOINT` (an empty layer); the last such entry followed by new layers marks the
//!    end of the base. No name is known this way.
//!
//! ```
//! use bosun_base::{identify, Catalog, Facts, HistoryEntry, KnownBase};
//! let mut catalog = Catalog::default();
//! catalog.add(KnownBase {
//!     name: "debian:12".into(),
//!     diff_ids: vec!["sha256:aa".into()],
//!     ..KnownBase::default()
//! });
//! let facts = Facts {
//!     diff_ids: &["sha256:aa".to_string(), "sha256:bb".to_string()],
//!     ..Facts::default()
//! };
//! let base = identify(&facts, &catalog).unwrap();
//! assert_eq!((base.name.as_deref(), base.layers), (Some("debian:12"), 1));
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bosun_inventory::vuln::Vulnerability;
use bosun_inventory::{BaseImage, BaseUpgrade, Inventory, OsInfo, Package};
use serde::{Deserialize, Serialize};

/// The OCI annotation naming the base image.
pub const BASE_NAME: &str = "org.opencontainers.image.base.name";
/// The OCI annotation giving the base image's manifest digest.
pub const BASE_DIGEST: &str = "org.opencontainers.image.base.digest";
/// Largest catalog file read.
pub const MAX_CATALOG_BYTES: u64 = 64 << 20;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum BaseError {
    /// The catalog file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The catalog file is not a bosun base-image catalog.
    #[error("{path}: not a base-image catalog ({reason}); remove it or run `bosun base add` again")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// One history entry of an image config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The build step.
    pub created_by: String,
    /// Whether it made no layer.
    pub empty_layer: bool,
}

/// What is known of the image being scanned.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts<'a> {
    /// Manifest annotations.
    pub annotations: Option<&'a BTreeMap<String, String>>,
    /// Config labels.
    pub labels: Option<&'a BTreeMap<String, String>>,
    /// The config's history.
    pub history: &'a [HistoryEntry],
    /// The layers' diff_ids, bottom first.
    pub diff_ids: &'a [String],
}

/// A base image the catalog knows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownBase {
    /// `repository:tag`.
    pub name: String,
    /// Its manifest digest, when known.
    #[serde(default)]
    pub digest: Option<String>,
    /// Its layers' diff_ids, bottom first.
    pub diff_ids: Vec<String>,
    /// Its config's `created` (RFC 3339), when known: which of two images of a repository is
    /// newer.
    #[serde(default)]
    pub created: Option<String>,
    /// What it contains (OS and packages, without file lists), when `bosun base add` read
    /// it: matched again at each scan to say what moving to this image would fix.
    #[serde(default)]
    pub contents: Option<BaseContents>,
}

/// The packages of a known base image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseContents {
    /// Its operating system.
    #[serde(default)]
    pub os: Option<OsInfo>,
    /// Its packages (their `files` left empty).
    #[serde(default)]
    pub packages: Vec<Package>,
}

impl BaseContents {
    /// The OS and packages of `inv`, without file lists (they are not needed for matching
    /// and are most of an inventory's size).
    #[must_use]
    pub fn of(inv: &Inventory) -> BaseContents {
        BaseContents {
            os: inv.os.clone(),
            packages: inv
                .packages
                .iter()
                .map(|p| Package {
                    files: Vec::new(),
                    ..p.clone()
                })
                .collect(),
        }
    }

    /// An inventory of these contents, for the matcher.
    #[must_use]
    pub fn inventory(&self) -> Inventory {
        Inventory {
            os: self.os.clone(),
            packages: self.packages.clone(),
            ..Inventory::default()
        }
    }
}

/// Known base images, kept as one JSON file (`CACHE_DIR/base-images.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// Format version (1).
    #[serde(default = "version_one")]
    pub version: u32,
    /// The images, in the order added.
    #[serde(default)]
    pub images: Vec<KnownBase>,
}

fn version_one() -> u32 {
    1
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog {
            version: 1,
            images: Vec::new(),
        }
    }
}

impl Catalog {
    /// Reads the catalog at `path`; a missing file is an empty catalog.
    ///
    /// # Errors
    /// [`BaseError::Io`] when it cannot be read, [`BaseError::Malformed`] when it is not a
    /// catalog.
    pub fn load(path: &Path) -> Result<Catalog, BaseError> {
        let io = |source| BaseError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Catalog::default()),
            Err(e) => return Err(io(e)),
        };
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(file, MAX_CATALOG_BYTES + 1),
            &mut bytes,
        )
        .map_err(io)?;
        Self::parse(path, &bytes)
    }

    /// Parses catalog bytes (`path` names them in errors).
    ///
    /// # Errors
    /// [`BaseError::Malformed`].
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Catalog, BaseError> {
        let bad = |reason: String| BaseError::Malformed {
            path: path.to_path_buf(),
            reason,
        };
        if bytes.len() as u64 > MAX_CATALOG_BYTES {
            return Err(bad(format!("larger than {} MiB", MAX_CATALOG_BYTES >> 20)));
        }
        let c: Catalog = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
        if c.version != 1 {
            return Err(bad(format!("version {}, this bosun reads 1", c.version)));
        }
        Ok(c)
    }

    /// Writes the catalog through a temporary file and a rename.
    ///
    /// # Errors
    /// [`BaseError::Io`].
    pub fn save(&self, path: &Path) -> Result<(), BaseError> {
        let io = |source| BaseError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
        let text = serde_json::to_vec_pretty(self).map_err(|e| io(std::io::Error::other(e)))?;
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Adds an image, replacing one of the same name or the same layers.
    pub fn add(&mut self, base: KnownBase) {
        self.images
            .retain(|b| b.name != base.name && b.diff_ids != base.diff_ids);
        self.images.push(base);
    }

    /// The known image with the longest chain of diff_ids that starts `diff_ids`.
    #[must_use]
    pub fn longest_prefix(&self, diff_ids: &[String]) -> Option<&KnownBase> {
        self.images
            .iter()
            .filter(|b| !b.diff_ids.is_empty() && diff_ids.starts_with(&b.diff_ids))
            .max_by_key(|b| b.diff_ids.len())
    }

    /// A known image by name (`repo:tag`) or manifest digest.
    #[must_use]
    pub fn find(&self, name: Option<&str>, digest: Option<&str>) -> Option<&KnownBase> {
        self.images.iter().find(|b| {
            digest.is_some_and(|d| b.digest.as_deref() == Some(d))
                || name.is_some_and(|n| b.name == n || normalize(&b.name) == normalize(n))
        })
    }
}

impl Catalog {
    /// The known images of `base`'s repository that are newer than it, oldest first: created
    /// later when both creation times are known and differ (the catalog's entry for `base`
    /// gives its time), else a tag that orders after `base`'s (`12.10` after `12.9`; tags that do not
    /// start with a digit are not compared). Only images whose contents are known.
    #[must_use]
    pub fn newer_than(&self, base: &BaseImage) -> Vec<&KnownBase> {
        let Some(name) = base.name.as_deref() else {
            return Vec::new();
        };
        let (repo, tag) = split_name(name);
        let created = self
            .find(Some(name), base.digest.as_deref())
            .and_then(|k| k.created.as_deref());
        let mut out: Vec<&KnownBase> = self
            .images
            .iter()
            .filter(|k| k.contents.is_some())
            .filter(|k| {
                let (r, t) = split_name(&k.name);
                r == repo
                    && k.name != name
                    && (base.digest.is_none() || k.digest != base.digest)
                    && match (created, k.created.as_deref()) {
                        (Some(a), Some(b)) if a != b => timestamp_after(b, a),
                        _ => tag_after(t, tag),
                    }
            })
            .collect();
        out.sort_by(|a, b| {
            a.created
                .cmp(&b.created)
                .then_with(|| tag_order(split_name(&a.name).1, split_name(&b.name).1))
        });
        out
    }
}

/// What moving from the scanned image's base to `candidate` changes: `current` are the
/// scanned image's open findings in base layers, `candidate_findings` the candidate's own
/// findings. A finding is its (vulnerability id, package name).
#[must_use]
pub fn upgrade(
    candidate: &KnownBase,
    current: &[&Vulnerability],
    candidate_findings: &[Vulnerability],
) -> BaseUpgrade {
    use std::collections::BTreeSet;
    let key = |v: &Vulnerability| (v.id.clone(), v.package.name.clone());
    let after: BTreeSet<_> = candidate_findings.iter().map(key).collect();
    let before: BTreeSet<_> = current.iter().map(|v| key(v)).collect();
    let mut fixes_by_severity = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for v in current {
        let k = key(v);
        if !after.contains(&k) && seen.insert(k) {
            *fixes_by_severity.entry(v.severity).or_insert(0) += 1;
        }
    }
    BaseUpgrade {
        name: candidate.name.clone(),
        digest: candidate.digest.clone(),
        fixes: seen.len(),
        fixes_by_severity,
        adds: after.difference(&before).count(),
    }
}

/// `repo:tag` -> (`repo`, `tag`), the repository normalized (`docker.io/library/` dropped)
/// and any `@digest` ignored; no tag is `latest`.
fn split_name(name: &str) -> (&str, &str) {
    let name = normalize(name.split('@').next().unwrap_or(name));
    match name.rfind(':') {
        Some(i) if !name[i..].contains('/') => (&name[..i], &name[i + 1..]),
        _ => (name, "latest"),
    }
}

/// RFC 3339 times compare as text once both are UTC `Z` times of the same shape; anything
/// else is not compared.
fn timestamp_after(a: &str, b: &str) -> bool {
    let utc = |t: &str| t.len() >= 20 && t.ends_with('Z') && t.as_bytes().get(10) == Some(&b'T');
    utc(a) && utc(b) && a.get(..19) > b.get(..19)
}

/// Whether tag `a` orders after tag `b`; both must start with a digit.
fn tag_after(a: &str, b: &str) -> bool {
    let numeric = |t: &str| t.starts_with(|c: char| c.is_ascii_digit());
    numeric(a) && numeric(b) && tag_order(a, b) == std::cmp::Ordering::Greater
}

/// Natural order: runs of digits compare as numbers, other runs as text.
fn tag_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn runs(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let b = s.as_bytes();
        for i in 1..=b.len() {
            if i == b.len() || b[i].is_ascii_digit() != b[start].is_ascii_digit() {
                out.push((b[start].is_ascii_digit(), &s[start..i]));
                start = i;
            }
        }
        out
    }
    let (ra, rb) = (runs(a), runs(b));
    for (x, y) in ra.iter().zip(&rb) {
        let o = match (x, y) {
            ((true, x), (true, y)) => {
                let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                x.len().cmp(&y.len()).then_with(|| x.cmp(y))
            }
            ((_, x), (_, y)) => x.cmp(y),
        };
        if o != std::cmp::Ordering::Equal {
            return o;
        }
    }
    ra.len().cmp(&rb.len())
}

/// `docker.io/library/debian:12` and `debian:12` name the same image.
fn normalize(name: &str) -> &str {
    name.trim_start_matches("docker.io/")
        .trim_start_matches("index.docker.io/")
        .trim_start_matches("library/")
}

/// Whether a history line is a `CMD` or `ENTRYPOINT` instruction (classic builder
/// `/bin/sh -c #(nop)  CMD [...]`, or BuildKit `CMD [...]`).
fn is_final_instruction(created_by: &str) -> bool {
    let s = created_by.trim();
    let s = s
        .strip_prefix("/bin/sh -c #(nop)")
        .map_or(s, str::trim_start);
    s.starts_with("CMD") || s.starts_with("ENTRYPOINT")
}

/// How many layers the history says the base image has: the non-empty layers before the last
/// `CMD`/`ENTRYPOINT` that more layers follow. `None` when the history does not tell.
#[must_use]
pub fn base_layers_from_history(history: &[HistoryEntry]) -> Option<usize> {
    let mut layers_before = 0usize;
    // A CMD/ENTRYPOINT seen, waiting for a layer after it to confirm it ended a base image.
    let mut pending: Option<usize> = None;
    let mut cut: Option<usize> = None;
    for h in history {
        if h.empty_layer {
            if is_final_instruction(&h.created_by) {
                pending = Some(layers_before);
            }
        } else {
            if let Some(p) = pending.take() {
                cut = Some(p);
            }
            layers_before += 1;
        }
    }
    cut.filter(|&n| n > 0)
}

/// Identifies the base image (see the crate docs for the methods and their order).
#[must_use]
pub fn identify(facts: &Facts<'_>, catalog: &Catalog) -> Option<BaseImage> {
    let get = |key: &str| {
        facts
            .annotations
            .and_then(|a| a.get(key))
            .or_else(|| facts.labels.and_then(|l| l.get(key)))
            .filter(|v| !v.trim().is_empty())
            .cloned()
    };
    let (name, digest) = (get(BASE_NAME), get(BASE_DIGEST));
    if name.is_some() || digest.is_some() {
        let known = catalog
            .find(name.as_deref(), digest.as_deref())
            .filter(|k| facts.diff_ids.starts_with(&k.diff_ids));
        let (layers, confidence) = match known {
            Some(k) => (k.diff_ids.len(), "high"),
            None => match base_layers_from_history(facts.history) {
                Some(n) => (n, "medium"),
                None => (0, "low"),
            },
        };
        return Some(BaseImage {
            name,
            digest,
            layers: layers.min(facts.diff_ids.len()),
            method: "annotation".to_owned(),
            confidence: confidence.to_owned(),
            upgrades: Vec::new(),
        });
    }
    if let Some(k) = catalog.longest_prefix(facts.diff_ids) {
        return Some(BaseImage {
            name: Some(k.name.clone()),
            digest: k.digest.clone(),
            layers: k.diff_ids.len(),
            method: "layer_chain".to_owned(),
            confidence: "high".to_owned(),
            upgrades: Vec::new(),
        });
    }
    base_layers_from_history(facts.history).map(|n| BaseImage {
        name: None,
        digest: None,
        layers: n.min(facts.diff_ids.len()),
        method: "history".to_owned(),
        confidence: "medium".to_owned(),
        upgrades: Vec::new(),
    })
}

/// Fuzz entry point: catalog bytes never panic.
pub mod fuzz {
    /// Parses `bytes` as a catalog and queries it.
    pub fn catalog_bytes(bytes: &[u8]) {
        if let Ok(c) = crate::Catalog::parse(std::path::Path::new("fuzz.json"), bytes) {
            let _ = c.longest_prefix(&["sha256:aa".to_owned()]);
            let _ = c.find(Some("debian:12"), None);
        }
    }
}
