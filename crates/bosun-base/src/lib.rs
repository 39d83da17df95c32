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
//!     digest: None,
//!     diff_ids: vec!["sha256:aa".into()],
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

use bosun_inventory::BaseImage;
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownBase {
    /// `repository:tag`.
    pub name: String,
    /// Its manifest digest, when known.
    #[serde(default)]
    pub digest: Option<String>,
    /// Its layers' diff_ids, bottom first.
    pub diff_ids: Vec<String>,
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
