//! Opening an image: reading and verifying its manifest and config, and walking its layers.

use bosun_inventory::{Layer, SourceInfo};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::config::{
    Descriptor, INDEX_TYPES, ImageConfig, MANIFEST_TYPES, OciManifest, Platform,
    layer_type_supported, parse_config, parse_docker_manifest, parse_index, parse_manifest,
    sha256_hex,
};
use crate::dir::walk_dir;
use crate::layer::{LayerCheck, walk_layer};
use crate::store::Store;
use crate::{
    ImageError, LayerMeta, LayerWalk, OpenOptions, RegistryOptions, Source, TransferObserver,
    VisitorFactory, WalkObserver,
};

/// Deepest nesting of indexes followed.
pub const MAX_INDEX_DEPTH: usize = 4;

/// Most manifests without a platform in an index whose configs are read to learn it.
pub const MAX_UNDESCRIBED: usize = 64;

/// Annotations naming an image in an OCI index.
const REF_ANNOTATIONS: [&str; 2] = [
    "io.containerd.image.name",
    "org.opencontainers.image.ref.name",
];

/// An opened image: manifest and config read and verified, layers not read yet.
#[derive(Debug, Clone)]
pub struct Image {
    info: SourceInfo,
    layers: Vec<Layer>,
    config: Option<ImageConfig>,
    raw_config: Vec<u8>,
    blobs: Vec<(String, LayerCheck)>,
    store: Store,
    /// A root filesystem directory rather than an image layout.
    rootfs: bool,
    opts: OpenOptions,
    /// The manifest's annotations, over those of the index entry that pointed at it.
    annotations: BTreeMap<String, String>,
    /// Told of walks and downloads.
    observer: Observer,
}

/// The walk observer, if any (a newtype for `Debug`).
#[derive(Clone, Default)]
struct Observer(Option<Arc<dyn WalkObserver>>);

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Some(..)" } else { "None" })
    }
}

impl Image {
    /// Opens a source: reads the manifest (picking the image or platform asked for), reads and
    /// verifies the config, and lists the layers. Layers are read by [`Image::walk`].
    /// A registry source uses [`RegistryOptions::default`] (credentials from the Docker
    /// config, https except for loopback registries); see [`Image::open_with_registry`].
    pub fn open(src: &Source, opts: &OpenOptions) -> Result<Image, ImageError> {
        Image::open_with_registry(src, opts, &RegistryOptions::default())
    }

    /// [`Image::open`], with how to reach a registry (credentials, `insecure`, CA file,
    /// retries). `registry` is ignored for other sources. The manifest (by tag or digest) and
    /// the config are fetched now and verified against their digests; layers stream from the
    /// registry during [`Image::walk`], each downloaded once, and are verified like layers of
    /// an archive (blob digest and diff_id).
    pub fn open_with_registry(
        src: &Source,
        opts: &OpenOptions,
        registry: &RegistryOptions,
    ) -> Result<Image, ImageError> {
        let limits = &opts.limits;
        match src {
            Source::Registry(r) => open_registry(r, src, opts, registry),
            Source::DockerArchive(p) => {
                let store = Store::index_tar(p, limits.max_entries)?;
                open_docker(store, src, opts)
            }
            Source::OciArchive(p) => {
                let store = Store::index_tar(p, limits.max_entries)?;
                open_oci(store, src, opts)
            }
            Source::OciDir(p) => open_oci(Store::dir(p), src, opts),
            Source::Dir(p) => {
                if !p.is_dir() {
                    return Err(ImageError::BadSource(format!(
                        "{} is not a directory",
                        p.display()
                    )));
                }
                Ok(Image {
                    info: SourceInfo {
                        kind: src.kind().into(),
                        name: p.display().to_string(),
                        ..SourceInfo::default()
                    },
                    layers: vec![Layer::default()],
                    config: None,
                    raw_config: Vec::new(),
                    blobs: Vec::new(),
                    store: Store::dir(p),
                    rootfs: true,
                    opts: opts.clone(),
                    annotations: BTreeMap::new(),
                    observer: Observer::default(),
                })
            }
        }
    }

    /// What was opened, for the inventory.
    #[must_use]
    pub fn source_info(&self) -> SourceInfo {
        self.info.clone()
    }

    /// The manifest's annotations (with those of the index entry that selected it), e.g.
    /// `org.opencontainers.image.base.name`; empty for docker archives and directories.
    #[must_use]
    pub fn annotations(&self) -> &BTreeMap<String, String> {
        &self.annotations
    }

    /// The layers, bottom first (one layer without digests for a directory).
    #[must_use]
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The image config (`None` for a directory).
    #[must_use]
    pub fn config(&self) -> Option<&ImageConfig> {
        self.config.as_ref()
    }

    /// Reports the progress of later walks (and of the layer downloads of a registry image)
    /// to `observer`; see [`WalkObserver`].
    pub fn set_observer(&mut self, observer: Arc<dyn WalkObserver>) {
        self.observer = Observer(Some(observer));
    }

    /// The config exactly as stored (empty for a directory), for scanning it for secrets.
    #[must_use]
    pub fn raw_config(&self) -> &[u8] {
        &self.raw_config
    }

    /// Reads every layer once, in parallel, indexing its entries and handing wanted file
    /// bodies to a fresh visitor per layer; digests are verified as the layers stream.
    /// Results are in layer order.
    pub fn walk<F: VisitorFactory>(
        &self,
        factory: &F,
    ) -> Result<Vec<LayerWalk<F::Visitor>>, ImageError> {
        Ok(self
            .walk_selected(factory, &|_| true)?
            .into_iter()
            .flatten()
            .collect())
    }

    /// The layers a walk would visit, bottom first, as visitors see them: known from the
    /// manifest and config alone, before any layer is read.
    #[must_use]
    pub fn layer_metas(&self) -> Vec<LayerMeta> {
        if self.rootfs {
            return vec![LayerMeta {
                index: 0,
                diff_id: None,
            }];
        }
        (0..self.blobs.len())
            .map(|i| LayerMeta {
                index: i,
                diff_id: self.layers.get(i).and_then(|l| l.diff_id.clone()),
            })
            .collect()
    }

    /// [`Image::walk`], but only of the layers `wanted` accepts (it is asked once per layer,
    /// before anything is read). A layer it refuses is neither read from an archive nor
    /// downloaded from a registry, and its slot in the result is `None`; the others are walked
    /// and verified exactly as [`Image::walk`] does. Results are in layer order, one per layer.
    ///
    /// This lets a caller that kept the results of a layer (by diff_id, see
    /// [`Image::layer_metas`]) skip it.
    pub fn walk_selected<F: VisitorFactory>(
        &self,
        factory: &F,
        wanted: &(dyn Fn(&LayerMeta) -> bool + Sync),
    ) -> Result<Vec<Option<LayerWalk<F::Visitor>>>, ImageError> {
        let observer = self.observer.0.as_deref();
        if let Store::Dir { root } = &self.store
            && self.rootfs
        {
            let meta = LayerMeta {
                index: 0,
                diff_id: None,
            };
            if let Some(o) = observer {
                o.walk_started(1);
            }
            if !wanted(&meta) {
                if let Some(o) = observer {
                    o.layer_skipped(0, None);
                }
                return Ok(vec![None]);
            }
            let mut visitor = factory.visitor(&meta);
            let index = walk_dir(root, &self.opts.limits, &mut visitor);
            if let Some(o) = observer {
                o.layer_walked(0, None);
            }
            let index = index?;
            return Ok(vec![Some(LayerWalk {
                meta,
                index,
                visitor,
            })]);
        }
        if let Some(o) = observer {
            o.walk_started(self.blobs.len());
        }
        self.blobs
            .par_iter()
            .enumerate()
            .map(|(i, (name, check))| {
                let meta = LayerMeta {
                    index: i,
                    diff_id: self.layers.get(i).and_then(|l| l.diff_id.clone()),
                };
                let layer = self.layers.get(i);
                let digest = layer.and_then(|l| l.digest.as_deref());
                if !wanted(&meta) {
                    if let Some(o) = observer {
                        o.layer_skipped(i, digest);
                    }
                    return Ok(None);
                }
                let mut visitor = factory.visitor(&meta);
                let transfer = self
                    .observer
                    .0
                    .clone()
                    .map(|o| o as Arc<dyn TransferObserver>);
                let walked = self
                    .store
                    .open_observed(name, transfer, layer.and_then(|l| l.size))
                    .and_then(|(reader, _)| {
                        walk_layer(reader, check, &self.opts.limits, &mut visitor)
                    });
                if let Some(o) = observer {
                    o.layer_walked(i, digest);
                }
                let index = walked?;
                Ok(Some(LayerWalk {
                    meta,
                    index,
                    visitor,
                }))
            })
            .collect()
    }
}

fn sha256_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn check_digest(what: &str, expected_hex: &str, bytes: &[u8]) -> Result<(), ImageError> {
    let actual = sha256_of(bytes);
    if actual == expected_hex {
        Ok(())
    } else {
        Err(ImageError::DigestMismatch {
            what: what.to_owned(),
            expected: format!("sha256:{expected_hex}"),
            actual: format!("sha256:{actual}"),
        })
    }
}

fn hex_of<'a>(digest: &'a str, what: &str) -> Result<&'a str, ImageError> {
    sha256_hex(digest).ok_or_else(|| ImageError::UnsupportedDigest {
        digest: digest.to_owned(),
        what: what.to_owned(),
    })
}

fn json_err(what: &str) -> impl FnOnce(serde_json::Error) -> ImageError + '_ {
    move |source| ImageError::Json {
        what: what.to_owned(),
        source,
    }
}

/// Pairs `created_by` of non-empty history entries with layers, bottom first.
fn created_by(config: &ImageConfig) -> Vec<Option<String>> {
    config
        .history
        .iter()
        .filter(|h| !h.empty_layer)
        .map(|h| h.created_by.clone())
        .collect()
}

/// Parses and checks the config; returns it with its diff_ids as hex.
fn read_config(raw: &[u8], layer_count: usize) -> Result<(ImageConfig, Vec<String>), ImageError> {
    let config = parse_config(raw).map_err(json_err("image config"))?;
    if config.rootfs.diff_ids.len() != layer_count {
        return Err(ImageError::LayerCountMismatch {
            layers: layer_count,
            diff_ids: config.rootfs.diff_ids.len(),
        });
    }
    let diff_hex = config
        .rootfs
        .diff_ids
        .iter()
        .map(|d| hex_of(d, "config rootfs.diff_ids").map(str::to_owned))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((config, diff_hex))
}

fn label(index: usize, digest: &str) -> String {
    format!("layer {index} ({digest})")
}

/// `name` matches a tag of an image: exactly, or once `docker.io/[library/]` and `:latest`
/// are made implicit.
fn tag_matches(tag: &str, name: &str) -> bool {
    fn canon(s: &str) -> String {
        let s = s
            .strip_prefix("docker.io/library/")
            .or_else(|| s.strip_prefix("docker.io/"))
            .unwrap_or(s);
        let s = s.strip_prefix("library/").unwrap_or(s);
        let last = s.rsplit('/').next().unwrap_or(s);
        if last.contains(':') || last.contains('@') {
            s.to_owned()
        } else {
            format!("{s}:latest")
        }
    }
    tag == name || canon(tag) == canon(name)
}

fn open_docker(store: Store, src: &Source, opts: &OpenOptions) -> Result<Image, ImageError> {
    let limits = &opts.limits;
    let source_name = store.source_name();
    let raw = store.read_json("manifest.json", limits.max_json_bytes)?;
    let entries = parse_docker_manifest(&raw).map_err(json_err("manifest.json"))?;
    let describe = |e: &crate::DockerManifestEntry| {
        if e.repo_tags.is_empty() {
            format!("<untagged {}>", e.config)
        } else {
            e.repo_tags.join(" ")
        }
    };
    let available = || entries.iter().map(describe).collect::<Vec<_>>().join(", ");
    let entry = match (&opts.image, entries.as_slice()) {
        (_, []) => {
            return Err(ImageError::Malformed {
                source_name,
                message: "manifest.json lists no image".into(),
            });
        }
        (Some(want), _) => entries
            .iter()
            .find(|e| {
                e.repo_tags.iter().any(|t| tag_matches(t, want)) || e.config.contains(want.as_str())
            })
            .ok_or_else(|| ImageError::ImageNotFound {
                source_name: source_name.clone(),
                wanted: want.clone(),
                available: available(),
            })?,
        (None, [one]) => one,
        (None, _) => {
            return Err(ImageError::AmbiguousImage {
                source_name,
                available: available(),
            });
        }
    };
    let raw_config = store.read_json(&entry.config, limits.max_json_bytes)?;
    // The config's name is its digest (`<hex>.json` or `blobs/sha256/<hex>`).
    let config_name_hex = entry
        .config
        .rsplit('/')
        .next()
        .map(|n| n.trim_end_matches(".json"))
        .filter(|h| sha256_hex(&format!("sha256:{h}")).is_some());
    if let Some(h) = config_name_hex {
        check_digest("config", h, &raw_config)?;
    }
    let (config, diff_hex) = read_config(&raw_config, entry.layers.len())?;
    let history = created_by(&config);
    let mut layers = Vec::with_capacity(entry.layers.len());
    let mut blobs = Vec::with_capacity(entry.layers.len());
    for (i, (name, diff)) in entry.layers.iter().zip(&diff_hex).enumerate() {
        let blob_hex = name
            .strip_prefix("blobs/sha256/")
            .filter(|h| sha256_hex(&format!("sha256:{h}")).is_some())
            .map(str::to_owned);
        let digest = match &blob_hex {
            Some(h) => format!("sha256:{h}"),
            None => format!("sha256:{diff}"),
        };
        let source = entry.layer_sources.get(&digest);
        if let Some(mt) = source.map(|d| d.media_type.as_str())
            && !layer_type_supported(mt)
        {
            return Err(ImageError::UnsupportedMediaType {
                media_type: mt.to_owned(),
                what: label(i, &digest),
            });
        }
        if !store.exists(name) {
            return Err(ImageError::Missing {
                name: name.clone(),
                source_name,
            });
        }
        layers.push(Layer {
            index: i,
            digest: Some(digest.clone()),
            diff_id: Some(format!("sha256:{diff}")),
            media_type: source
                .map(|d| d.media_type.clone())
                .filter(|m| !m.is_empty()),
            size: source.map(|d| d.size).or_else(|| store.size(name)),
            created_by: history.get(i).cloned().flatten(),
        });
        blobs.push((
            name.clone(),
            LayerCheck {
                label: label(i, &digest),
                blob_hex,
                diff_hex: Some(diff.clone()),
            },
        ));
    }
    let info = SourceInfo {
        kind: src.kind().into(),
        name: src.path().display().to_string(),
        image_id: Some(format!("sha256:{}", sha256_of(&raw_config))),
        manifest_digest: None,
        repo_tags: entry.repo_tags.clone(),
        platform: Some(config.platform()),
    };
    Ok(Image {
        info,
        layers,
        config: Some(config),
        raw_config,
        blobs,
        store,
        rootfs: false,
        opts: opts.clone(),
        annotations: BTreeMap::new(),
        observer: Observer::default(),
    })
}

fn blob_name(hex: &str) -> String {
    format!("blobs/sha256/{hex}")
}

/// Reads a JSON blob named by a descriptor and verifies its digest.
fn read_blob(
    store: &Store,
    desc: &Descriptor,
    what: &str,
    limit: u64,
) -> Result<Vec<u8>, ImageError> {
    let hex = hex_of(&desc.digest, what)?;
    let raw = if what == "config" {
        store.read_json(&blob_name(hex), limit)?
    } else {
        store.read_manifest(&blob_name(hex), limit)?
    };
    check_digest(&format!("{what} {}", desc.digest), hex, &raw)?;
    Ok(raw)
}

/// A manifest as read (raw, parsed) and its raw config.
type Loaded = (Vec<u8>, OciManifest, Vec<u8>);

/// A manifest reachable from the top index, with what is known of its platform.
struct Candidate {
    desc: Descriptor,
    top: Descriptor,
}

fn collect_candidates(
    store: &Store,
    raw_index: &[u8],
    top: Option<&Descriptor>,
    depth: usize,
    opts: &OpenOptions,
    out: &mut Vec<Candidate>,
) -> Result<(), ImageError> {
    if depth > MAX_INDEX_DEPTH {
        return Err(ImageError::IndexTooDeep {
            source_name: store.source_name(),
            limit: MAX_INDEX_DEPTH,
        });
    }
    let index = parse_index(raw_index).map_err(json_err("image index"))?;
    for desc in index.manifests {
        let top = top.unwrap_or(&desc).clone();
        if INDEX_TYPES.contains(&desc.media_type.as_str()) {
            let raw = read_blob(store, &desc, "index", opts.limits.max_json_bytes)?;
            collect_candidates(store, &raw, Some(&top), depth + 1, opts, out)?;
        } else if MANIFEST_TYPES.contains(&desc.media_type.as_str()) || desc.media_type.is_empty() {
            out.push(Candidate { desc, top });
        }
    }
    Ok(())
}

/// A wanted platform `os/arch[/variant]`.
fn parse_platform(s: &str) -> Platform {
    let mut parts = s.split('/');
    Platform {
        os: parts.next().unwrap_or_default().to_owned(),
        architecture: parts.next().unwrap_or_default().to_owned(),
        variant: parts.next().map(str::to_owned),
    }
}

fn platform_matches(have: &Platform, want: &Platform) -> bool {
    let v = |p: &Platform| {
        p.variant
            .clone()
            .filter(|v| !(v.is_empty() || p.architecture == "arm64" && v == "v8"))
    };
    have.os == want.os
        && have.architecture == want.architecture
        && (want.variant.is_none() || v(have) == v(want))
}

fn is_attestation(p: &Platform) -> bool {
    p.os == "unknown" && p.architecture == "unknown"
}

fn open_oci(store: Store, src: &Source, opts: &OpenOptions) -> Result<Image, ImageError> {
    let limits = &opts.limits;
    let source_name = store.source_name();
    if !store.exists("oci-layout") {
        return Err(ImageError::Missing {
            name: "oci-layout".into(),
            source_name,
        });
    }
    let raw_index = store.read_json("index.json", limits.max_json_bytes)?;
    open_layout(store, &raw_index, src, opts)
}

/// Opens a registry image: the manifest the reference names becomes the top index (an index
/// as is, a lone manifest wrapped in a one-entry index), then it is read like an OCI layout.
fn open_registry(
    reference: &str,
    src: &Source,
    opts: &OpenOptions,
    reg_opts: &RegistryOptions,
) -> Result<Image, ImageError> {
    let r = bosun_registry::Reference::parse(reference)?;
    let registry = bosun_registry::Registry::new(&r, reg_opts)?;
    let top = registry.get_manifest(r.target(), opts.limits.max_json_bytes)?;
    let mut store = Store::registry(registry);
    let raw_index = if bosun_registry::is_index(&top.media_type) {
        top.bytes
    } else {
        let index = serde_json::json!({
            "schemaVersion": 2,
            "manifests": [{
                "mediaType": top.media_type,
                "digest": top.digest,
                "size": top.bytes.len(),
                "annotations": { "org.opencontainers.image.ref.name": reference },
            }],
        });
        let hex = top.digest.trim_start_matches("sha256:").to_owned();
        if let Store::Registry { manifests, .. } = &mut store {
            manifests.insert(blob_name(&hex), top.bytes);
        }
        serde_json::to_vec(&index).map_err(json_err("image index"))?
    };
    open_layout(store, &raw_index, src, opts)
}

/// Reads an image from an OCI layout's top index (or a registry's), picking the image and
/// platform asked for.
fn open_layout(
    store: Store,
    raw_index: &[u8],
    src: &Source,
    opts: &OpenOptions,
) -> Result<Image, ImageError> {
    let source_name = store.source_name();
    let mut candidates = Vec::new();
    collect_candidates(&store, raw_index, None, 0, opts, &mut candidates)?;
    candidates.retain(|c| !c.desc.platform.as_ref().is_some_and(is_attestation));
    if let Some(want) = &opts.image {
        let names = |c: &Candidate| {
            REF_ANNOTATIONS
                .iter()
                .filter_map(|k| c.top.annotations.get(*k).cloned())
                .collect::<Vec<_>>()
        };
        let all: Vec<String> = candidates.iter().flat_map(names).collect();
        candidates.retain(|c| {
            names(c)
                .iter()
                .any(|n| tag_matches(n, want) || want.ends_with(&format!(":{n}")))
        });
        if candidates.is_empty() {
            let mut all = all;
            all.dedup();
            return Err(ImageError::ImageNotFound {
                source_name,
                wanted: want.clone(),
                available: all.join(", "),
            });
        }
    }
    // Learn the platform of manifests the index does not describe, when there is a choice.
    let mut described: Vec<(Candidate, Option<Platform>, Option<Loaded>)> = Vec::new();
    let several = candidates.len() > 1;
    let undescribed = candidates
        .iter()
        .filter(|c| c.desc.platform.is_none())
        .count();
    if several && undescribed > MAX_UNDESCRIBED {
        // Each would cost a manifest and a config read (network requests for a registry).
        return Err(ImageError::Malformed {
            source_name,
            message: format!(
                "the index lists {undescribed} manifests without a platform (at most {MAX_UNDESCRIBED} are examined)"
            ),
        });
    }
    for c in candidates {
        if c.desc.platform.is_none() && several {
            let (raw_m, m, raw_c) = read_manifest_and_config(&store, &c.desc, opts)?;
            let cfg = parse_config(&raw_c).map_err(json_err("image config"))?;
            let p = Platform {
                os: cfg.os,
                architecture: cfg.architecture,
                variant: cfg.variant,
            };
            described.push((c, Some(p), Some((raw_m, m, raw_c))));
        } else {
            let p = c.desc.platform.clone();
            described.push((c, p, None));
        }
    }
    let want = parse_platform(opts.platform.as_deref().unwrap_or("linux/amd64"));
    let pick = if described.len() == 1 && opts.platform.is_none() {
        0
    } else {
        let mut matching = described
            .iter()
            .enumerate()
            .filter(|(_, (_, p, _))| p.as_ref().is_none_or(|p| platform_matches(p, &want)));
        match matching.next() {
            Some((i, _)) => i,
            None => {
                let available = described
                    .iter()
                    .map(|(_, p, _)| p.as_ref().map_or("unknown".to_owned(), Platform::to_string))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(if described.is_empty() {
                    ImageError::Malformed {
                        source_name,
                        message: "index.json lists no image manifest".into(),
                    }
                } else {
                    ImageError::PlatformNotFound {
                        source_name,
                        wanted: want.to_string(),
                        available,
                    }
                });
            }
        }
    };
    let Some((cand, _, loaded)) = described.into_iter().nth(pick) else {
        return Err(ImageError::Malformed {
            source_name,
            message: "index.json lists no image manifest".into(),
        });
    };
    let (_raw_manifest, manifest, raw_config) = match loaded {
        Some(l) => l,
        None => read_manifest_and_config(&store, &cand.desc, opts)?,
    };
    let (config, diff_hex) = read_config(&raw_config, manifest.layers.len())?;
    let history = created_by(&config);
    let mut layers = Vec::with_capacity(manifest.layers.len());
    let mut blobs = Vec::with_capacity(manifest.layers.len());
    for (i, (desc, diff)) in manifest.layers.iter().zip(&diff_hex).enumerate() {
        let lbl = label(i, &desc.digest);
        if !layer_type_supported(&desc.media_type) {
            return Err(ImageError::UnsupportedMediaType {
                media_type: desc.media_type.clone(),
                what: lbl,
            });
        }
        let hex = hex_of(&desc.digest, &lbl)?.to_owned();
        let name = blob_name(&hex);
        if !store.exists(&name) {
            return Err(ImageError::Missing {
                name,
                source_name: source_name.clone(),
            });
        }
        layers.push(Layer {
            index: i,
            digest: Some(desc.digest.clone()),
            diff_id: Some(format!("sha256:{diff}")),
            media_type: Some(desc.media_type.clone()).filter(|m| !m.is_empty()),
            size: Some(desc.size),
            created_by: history.get(i).cloned().flatten(),
        });
        blobs.push((
            name,
            LayerCheck {
                label: lbl,
                blob_hex: Some(hex),
                diff_hex: Some(diff.clone()),
            },
        ));
    }
    let mut repo_tags: Vec<String> = REF_ANNOTATIONS
        .iter()
        .filter_map(|k| cand.top.annotations.get(*k).cloned())
        .collect();
    repo_tags.dedup();
    if let Source::Registry(r) = src
        && repo_tags.is_empty()
    {
        repo_tags.push(r.clone());
    }
    let info = SourceInfo {
        kind: src.kind().into(),
        name: src.name(),
        image_id: Some(manifest.config.digest.clone()),
        manifest_digest: Some(cand.desc.digest.clone()),
        repo_tags,
        platform: Some(config.platform()),
    };
    Ok(Image {
        info,
        layers,
        config: Some(config),
        raw_config,
        blobs,
        store,
        rootfs: false,
        opts: opts.clone(),
        annotations: {
            let mut a = cand.top.annotations.clone();
            a.extend(manifest.annotations.clone());
            a
        },
        observer: Observer::default(),
    })
}

fn read_manifest_and_config(
    store: &Store,
    desc: &Descriptor,
    opts: &OpenOptions,
) -> Result<Loaded, ImageError> {
    let limit = opts.limits.max_json_bytes;
    let raw_manifest = read_blob(store, desc, "manifest", limit)?;
    let manifest = parse_manifest(&raw_manifest).map_err(json_err("image manifest"))?;
    if let Some(mt) = &manifest.media_type
        && !MANIFEST_TYPES.contains(&mt.as_str())
    {
        return Err(ImageError::UnsupportedMediaType {
            media_type: mt.clone(),
            what: format!("manifest {}", desc.digest),
        });
    }
    let raw_config = read_blob(store, &manifest.config, "config", limit)?;
    Ok((raw_manifest, manifest, raw_config))
}
