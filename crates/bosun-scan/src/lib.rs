//! One pass over an image for every scanner that was asked for.
//!
//! The catalog, the secret scanner and the configuration checks share a single layer walk:
//! each layer is read once, each file header is offered to every scanner, and a body that
//! more than one wants is read once into one buffer. Secrets are looked for in every layer,
//! so a file that a later layer deleted is still reported, with the layer that holds it.
//!
//! [`scan_cached`] does the same with the layer cache (`bosun-cache`): what the scanners kept
//! of a layer is stored under its diff_id, [`ANALYZER_SET_VERSION`] and the scanner options,
//! and a layer found there is neither read nor downloaded again; the inventory is assembled
//! from cached and fresh layers alike (the final view, whiteouts included, from their
//! indexes), and equals the one [`scan`] returns.
//!
//! ```no_run
//! use bosun_image::{Image, OpenOptions, Source};
//! use bosun_scan::bosun_cache::{Cache, DEFAULT_MAX_BYTES, default_dir};
//! let cache = Cache::open(&default_dir()?, DEFAULT_MAX_BYTES)?;
//! let image = Image::open(&Source::parse("alpine.tar")?, &OpenOptions::default())?;
//! let (inventory, stats) = bosun_scan::scan_cached(&image, &bosun_scan::Scanners::default(), &cache, None)?;
//! println!("{} packages, {} of {} layers from the cache", inventory.packages.len(), stats.hits, stats.layers);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ```no_run
//! use bosun_image::{Image, OpenOptions, Source};
//! let image = Image::open(&Source::parse("alpine.tar")?, &OpenOptions::default())?;
//! let scanners = bosun_scan::Scanners {
//!     secret: Some(bosun_secret::Scanner::new(bosun_secret::Config::default())?),
//!     config: None,
//! };
//! let inventory = bosun_scan::scan(&image, &scanners)?;
//! println!("{} secrets", inventory.secrets.len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::Read;

mod cached;

pub use bosun_cache;
pub use cached::{ANALYZER_SET_VERSION, CacheStats, fuzz, scan_cached};

use bosun_catalog::{CatalogVisitor, inventory};
use bosun_image::{
    EntryMeta, FinalView, Image, ImageError, LayerMeta, LayerVisitor, LayerWalk, VisitorFactory,
};
use bosun_inventory::{Inventory, LayerRef, Misconfiguration, SecretFinding};

/// The scanners beside the package catalog, which always runs.
#[derive(Default)]
pub struct Scanners {
    /// Secret rules, when `--scanners secret` is on.
    pub secret: Option<bosun_secret::Scanner>,
    /// Image configuration checks, when `--scanners config` is on.
    pub config: Option<bosun_misconfig::Checker>,
}

/// Walks the image once and returns its inventory with secrets and misconfigurations.
///
/// # Errors
/// When the image cannot be walked (an unreadable or corrupt layer, a digest mismatch).
pub fn scan(image: &Image, scanners: &Scanners) -> Result<Inventory, ImageError> {
    let factory = ScanFactory {
        secrets: scanners.secret.as_ref(),
    };
    let walks: Vec<LayerWalk<LayerResult>> = image
        .walk(&factory)?
        .into_iter()
        .map(LayerResult::from_walk)
        .collect();
    Ok(assemble(image, scanners, &walks))
}

/// What the scanners kept of one layer, whether just walked or read back from the cache.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LayerResult {
    /// The catalog's part.
    pub(crate) catalog: CatalogVisitor,
    /// Secrets found in this layer: path absolute, `layer` and `in_final` not set yet (they
    /// depend on the image, not on the layer).
    pub(crate) secrets: Vec<SecretFinding>,
}

impl AsRef<CatalogVisitor> for LayerResult {
    fn as_ref(&self) -> &CatalogVisitor {
        &self.catalog
    }
}

impl LayerResult {
    pub(crate) fn from_walk(w: LayerWalk<ScanVisitor<'_>>) -> LayerWalk<LayerResult> {
        let ScanVisitor { catalog, found, .. } = w.visitor;
        LayerWalk {
            meta: w.meta,
            index: w.index,
            visitor: LayerResult {
                catalog,
                secrets: found
                    .iter()
                    .map(|f| secret(f, format!("/{}", f.path)))
                    .collect(),
            },
        }
    }
}

/// The inventory of an image from what its layers yielded (in layer order, one per layer).
pub(crate) fn assemble(
    image: &Image,
    scanners: &Scanners,
    walks: &[LayerWalk<LayerResult>],
) -> Inventory {
    let options = inventory::BuildOptions::for_image(image);
    let mut inv = inventory::build_with(
        walks,
        image.source_info(),
        image.layers().to_vec(),
        &options,
    );
    let view = FinalView::from_walks(walks);
    if let Some(secrets) = &scanners.secret {
        inv.secrets = layer_secrets(walks, &view);
        inv.secrets.extend(config_secrets(image, secrets));
        // The report repeats each layer's history line: it must not repeat a secret in it.
        for layer in &mut inv.layers {
            if let Some(line) = &mut layer.created_by {
                *line = secrets.redact("config:history", line);
            }
        }
    }
    if let Some(checker) = &scanners.config {
        inv.misconfigurations = misconfigurations(image, &view, checker);
    }
    inv
}

pub(crate) struct ScanFactory<'a> {
    pub(crate) secrets: Option<&'a bosun_secret::Scanner>,
}

impl<'a> VisitorFactory for ScanFactory<'a> {
    type Visitor = ScanVisitor<'a>;

    fn visitor(&self, layer: &LayerMeta) -> ScanVisitor<'a> {
        ScanVisitor {
            catalog: CatalogVisitor::new(layer.clone()),
            secrets: self.secrets,
            found: Vec::new(),
            buf: Vec::new(),
        }
    }
}

/// The catalog's visitor, plus secret scanning of the bodies the secret rules want.
pub(crate) struct ScanVisitor<'a> {
    catalog: CatalogVisitor,
    secrets: Option<&'a bosun_secret::Scanner>,
    /// Secrets found in this layer, paths relative to the root.
    found: Vec<bosun_secret::Finding>,
    /// Reused for every body, so a layer costs one allocation however many files it holds.
    buf: Vec<u8>,
}

impl AsRef<CatalogVisitor> for ScanVisitor<'_> {
    fn as_ref(&self) -> &CatalogVisitor {
        &self.catalog
    }
}

impl ScanVisitor<'_> {
    fn secret_wants(&self, entry: &EntryMeta<'_>) -> bool {
        self.secrets
            .is_some_and(|s| s.wants(entry.path, entry.size))
    }
}

impl LayerVisitor for ScanVisitor<'_> {
    fn wants(&mut self, entry: &EntryMeta<'_>) -> bool {
        // Both are asked, so that each keeps its own view of what it wanted.
        let catalog = self.catalog.wants(entry);
        catalog || self.secret_wants(entry)
    }

    fn visit(&mut self, entry: &EntryMeta<'_>, body: &mut dyn Read) {
        let Some(secrets) = self.secrets.filter(|s| s.wants(entry.path, entry.size)) else {
            self.catalog.visit(entry, body);
            return;
        };
        self.buf.clear();
        // The secret scanner only wants bodies under its size cap, so this read is bounded.
        if body.read_to_end(&mut self.buf).is_err() {
            // A corrupt layer: the walk reports it when it reads past this entry.
            return;
        }
        if self.catalog.wants(entry) {
            self.catalog.visit(entry, &mut self.buf.as_slice());
        }
        self.found.extend(secrets.scan(entry.path, &self.buf));
    }
}

fn layer_secrets(walks: &[LayerWalk<LayerResult>], view: &FinalView<'_>) -> Vec<SecretFinding> {
    let mut out = Vec::new();
    for walk in walks {
        for f in &walk.visitor.secrets {
            let mut s = f.clone();
            s.layer = Some(LayerRef {
                index: walk.meta.index,
                diff_id: walk.meta.diff_id.clone(),
                role: None,
            });
            let rel = f.path.strip_prefix('/').unwrap_or(&f.path);
            s.in_final = view.present_in_final(walk.meta.index, rel);
            out.push(s);
        }
    }
    out
}

fn config_secrets(image: &Image, scanner: &bosun_secret::Scanner) -> Vec<SecretFinding> {
    let Some(config) = image.config() else {
        return Vec::new();
    };
    let (env, labels) = config.config.as_ref().map_or_else(Default::default, |c| {
        (
            c.env.clone(),
            c.labels
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Vec<_>>(),
        )
    });
    let history: Vec<String> = config
        .history
        .iter()
        .map(|h| h.created_by.clone().unwrap_or_default())
        .collect();
    scanner
        .scan_config(&env, &labels, &history)
        .iter()
        .map(|f| secret(f, f.path.clone()))
        .collect()
}

fn secret(f: &bosun_secret::Finding, path: String) -> SecretFinding {
    SecretFinding {
        rule_id: f.rule_id.clone(),
        title: f.title.clone(),
        severity: f.severity.as_str().to_owned(),
        category: f.category.clone(),
        path,
        line: f.line,
        column: f.column,
        match_masked: f.match_masked.clone(),
        layer: None,
        in_final: false,
        suppressed: None,
    }
}

fn misconfigurations(
    image: &Image,
    view: &FinalView<'_>,
    checker: &bosun_misconfig::Checker,
) -> Vec<Misconfiguration> {
    let mut facts = bosun_misconfig::ImageFacts {
        paths: view.iter().map(|(_, e)| e.path.clone()).collect(),
        ..bosun_misconfig::ImageFacts::default()
    };
    if let Some(config) = image.config() {
        if let Some(c) = &config.config {
            facts.user = c.user.clone().unwrap_or_default();
            facts.env = c.env.clone();
            facts.exposed_ports = c.exposed_ports.keys().cloned().collect();
            facts.healthcheck = c
                .healthcheck
                .as_ref()
                .map(|h| bosun_misconfig::Healthcheck {
                    test: h.test.clone(),
                });
            facts.labels = c
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
        }
        facts.history = config
            .history
            .iter()
            .map(|h| bosun_misconfig::HistoryEntry {
                created_by: h.created_by.clone().unwrap_or_default(),
                comment: h.comment.clone().unwrap_or_default(),
            })
            .collect();
    }
    checker
        .check(&facts)
        .into_iter()
        .map(|m| Misconfiguration {
            id: m.id,
            severity: m.severity.as_str().to_owned(),
            title: m.title,
            message: m.message,
            resolution: m.resolution,
            evidence: m.evidence,
            suppressed: None,
        })
        .collect()
}
