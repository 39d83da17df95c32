//! Builds small container images for bosun's tests, without docker.
//!
//! Layers are described entry by entry (or taken from a real rootfs tarball as-is), compressed
//! as asked, and written as a docker archive, an OCI archive or an OCI layout directory. Digests
//! and diff_ids are correct unless a corruption knob says otherwise. Output is deterministic:
//! every timestamp is zero and files are written in name order.
//!
//! ```
//! use bosun_testkit::{Compression, ImageBuilder};
//! let dir = std::env::temp_dir().join(format!("testkit-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let image = ImageBuilder::new()
//!     .layer(|l| l.dir("etc").file("etc/os-release", b"ID=alpine\n"))
//!     .layer(|l| l.compression(Compression::Zstd).whiteout("etc/os-release"))
//!     .repo_tag("example:1");
//! image.write_docker_archive(&dir.join("image.tar")).unwrap();
//! image.write_oci_dir(&dir.join("oci")).unwrap();
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

pub mod http;
pub mod registry;

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::Path;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Compression {
    /// A plain tar.
    #[default]
    Plain,
    /// gzip.
    Gzip,
    /// zstd.
    Zstd,
}

impl Compression {
    /// The OCI media type of a layer compressed this way.
    #[must_use]
    pub fn oci_media_type(self) -> &'static str {
        match self {
            Compression::Plain => "application/vnd.oci.image.layer.v1.tar",
            Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }

    /// Compresses `data`.
    ///
    /// # Errors
    /// When the compressor fails (it does not on in-memory data).
    pub fn compress(self, data: &[u8]) -> io::Result<Vec<u8>> {
        match self {
            Compression::Plain => Ok(data.to_vec()),
            Compression::Gzip => {
                let mut e =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                e.write_all(data)?;
                e.finish()
            }
            Compression::Zstd => zstd::encode_all(data, 3),
        }
    }
}

#[derive(Debug, Clone)]
enum Entry {
    File {
        path: String,
        data: Vec<u8>,
        mode: u32,
    },
    Dir {
        path: String,
    },
    Symlink {
        path: String,
        target: String,
    },
    Hardlink {
        path: String,
        target: String,
    },
    Raw {
        name: Vec<u8>,
        data: Vec<u8>,
    },
}

/// One layer being described.
#[derive(Debug, Clone, Default)]
pub struct LayerBuilder {
    entries: Vec<Entry>,
    compression: Compression,
    created_by: Option<String>,
    media_type: Option<String>,
    blob: Option<Vec<u8>>,
    skip_diff: bool,
}

impl LayerBuilder {
    /// A regular file (mode 0644).
    #[must_use]
    pub fn file(self, path: &str, data: impl AsRef<[u8]>) -> Self {
        self.file_mode(path, data, 0o644)
    }

    /// A regular file with the given mode.
    #[must_use]
    pub fn file_mode(mut self, path: &str, data: impl AsRef<[u8]>, mode: u32) -> Self {
        self.entries.push(Entry::File {
            path: path.into(),
            data: data.as_ref().to_vec(),
            mode,
        });
        self
    }

    /// A directory.
    #[must_use]
    pub fn dir(mut self, path: &str) -> Self {
        self.entries.push(Entry::Dir { path: path.into() });
        self
    }

    /// A symbolic link at `path` pointing to `target` (written as is).
    #[must_use]
    pub fn symlink(mut self, path: &str, target: &str) -> Self {
        self.entries.push(Entry::Symlink {
            path: path.into(),
            target: target.into(),
        });
        self
    }

    /// A hard link at `path` to `target`.
    #[must_use]
    pub fn hardlink(mut self, path: &str, target: &str) -> Self {
        self.entries.push(Entry::Hardlink {
            path: path.into(),
            target: target.into(),
        });
        self
    }

    /// A `.wh.` marker deleting `path` from lower layers.
    #[must_use]
    pub fn whiteout(self, path: &str) -> Self {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let marker = if dir.is_empty() {
            format!(".wh.{name}")
        } else {
            format!("{dir}/.wh.{name}")
        };
        self.file(&marker, b"")
    }

    /// A `.wh..wh..opq` marker making `dir` opaque.
    #[must_use]
    pub fn opaque(self, dir: &str) -> Self {
        let marker = if dir.is_empty() {
            ".wh..wh..opq".to_owned()
        } else {
            format!("{dir}/.wh..wh..opq")
        };
        self.file(&marker, b"")
    }

    /// A regular file whose name is written byte for byte, unchecked (at most 100 bytes): for
    /// absolute names and `..` components.
    #[must_use]
    pub fn raw_entry(mut self, name: &[u8], data: impl AsRef<[u8]>) -> Self {
        self.entries.push(Entry::Raw {
            name: name.to_vec(),
            data: data.as_ref().to_vec(),
        });
        self
    }

    /// How the blob is compressed (plain by default).
    #[must_use]
    pub fn compression(mut self, c: Compression) -> Self {
        self.compression = c;
        self
    }

    /// The history line of the layer.
    #[must_use]
    pub fn created_by(mut self, s: &str) -> Self {
        self.created_by = Some(s.into());
        self
    }

    /// Overrides the media type written in OCI manifests.
    #[must_use]
    pub fn media_type(mut self, s: &str) -> Self {
        self.media_type = Some(s.into());
        self
    }

    /// Uses `blob` as the layer as stored (a real rootfs tarball, gzip or zstd or plain); the
    /// entries described are then ignored.
    #[must_use]
    pub fn blob(mut self, blob: Vec<u8>) -> Self {
        self.blob = Some(blob);
        self
    }

    /// Like [`LayerBuilder::blob`] but without decompressing the blob to compute its diff_id
    /// (the config then lists a diff_id that does not match): for decompression bombs.
    #[must_use]
    pub fn blob_unchecked(mut self, blob: Vec<u8>) -> Self {
        self.blob = Some(blob);
        self.skip_diff = true;
        self
    }

    /// The uncompressed tar of the entries.
    ///
    /// # Errors
    /// When a name cannot be written by the tar crate.
    pub fn tar_bytes(&self) -> io::Result<Vec<u8>> {
        let mut b = tar::Builder::new(Vec::new());
        b.mode(tar::HeaderMode::Deterministic);
        for e in &self.entries {
            let mut h = tar::Header::new_gnu();
            h.set_mtime(0);
            h.set_uid(0);
            h.set_gid(0);
            match e {
                Entry::File { path, data, mode } => {
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(*mode);
                    h.set_size(data.len() as u64);
                    b.append_data(&mut h, path, data.as_slice())?;
                }
                Entry::Dir { path } => {
                    h.set_entry_type(tar::EntryType::Directory);
                    h.set_mode(0o755);
                    h.set_size(0);
                    b.append_data(&mut h, path, io::empty())?;
                }
                Entry::Symlink { path, target } => {
                    h.set_entry_type(tar::EntryType::Symlink);
                    h.set_mode(0o777);
                    h.set_size(0);
                    b.append_link(&mut h, path, target)?;
                }
                Entry::Hardlink { path, target } => {
                    h.set_entry_type(tar::EntryType::Link);
                    h.set_mode(0o644);
                    h.set_size(0);
                    b.append_link(&mut h, path, target)?;
                }
                Entry::Raw { name, data } => {
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(0o644);
                    h.set_size(data.len() as u64);
                    let field = &mut h.as_old_mut().name;
                    let n = name.len().min(field.len());
                    field[..n].copy_from_slice(&name[..n]);
                    h.set_cksum();
                    b.append(&h, data.as_slice())?;
                }
            }
        }
        b.into_inner()
    }

    fn build(&self) -> io::Result<BuiltLayer> {
        let (blob, tar) = match &self.blob {
            Some(blob) if self.skip_diff => (blob.clone(), blob.clone()),
            Some(blob) => (blob.clone(), decompress(blob)?),
            None => {
                let tar = self.tar_bytes()?;
                (self.compression.compress(&tar)?, tar)
            }
        };
        let compression = match blob.get(..4) {
            Some([0x1f, 0x8b, ..]) => Compression::Gzip,
            Some([0x28, 0xb5, 0x2f, 0xfd]) => Compression::Zstd,
            _ => Compression::Plain,
        };
        Ok(BuiltLayer {
            blob_hex: sha256_hex(&blob),
            diff_hex: sha256_hex(&tar),
            media_type: self
                .media_type
                .clone()
                .unwrap_or_else(|| compression.oci_media_type().to_owned()),
            blob,
        })
    }
}

/// Reads a whole file as a layer blob, for [`LayerBuilder::blob`].
///
/// # Errors
/// When the file cannot be read.
pub fn tarball(path: &Path) -> io::Result<Vec<u8>> {
    std::fs::read(path)
}

/// Decompresses a blob by its magic bytes (gzip, zstd, or plain).
///
/// # Errors
/// When the stream is corrupt.
pub fn decompress(blob: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    match blob.get(..4) {
        Some([0x1f, 0x8b, ..]) => {
            flate2::read::MultiGzDecoder::new(blob).read_to_end(&mut out)?;
        }
        Some([0x28, 0xb5, 0x2f, 0xfd]) => {
            zstd::stream::read::Decoder::new(blob)?.read_to_end(&mut out)?;
        }
        _ => out.extend_from_slice(blob),
    }
    Ok(out)
}

/// The hex sha256 of `data`.
#[must_use]
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A digest that matches nothing the builder writes.
fn wrong_hex(seed: &str) -> String {
    sha256_hex(format!("corrupted {seed}").as_bytes())
}

#[derive(Debug, Clone)]
struct BuiltLayer {
    blob: Vec<u8>,
    blob_hex: String,
    diff_hex: String,
    media_type: String,
}

/// How `docker save` lays out its archive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DockerLayout {
    /// `<id>/layer.tar` and `<config hex>.json` (docker before 25).
    #[default]
    Legacy,
    /// `blobs/sha256/<hex>` plus `oci-layout` and `index.json` (docker 25 and later).
    Oci,
}

/// An image being described.
#[derive(Debug, Clone)]
pub struct ImageBuilder {
    layers: Vec<LayerBuilder>,
    os: String,
    arch: String,
    variant: Option<String>,
    env: Vec<String>,
    user: Option<String>,
    labels: BTreeMap<String, String>,
    cmd: Option<Vec<String>>,
    repo_tags: Vec<String>,
    /// (number of layers below, created_by) of history entries without a layer.
    empty_history: Vec<(usize, String)>,
    docker_layout: DockerLayout,
    platform_in_index: bool,
    bad_diff_ids: Vec<usize>,
    bad_blob_digests: Vec<usize>,
    bad_config_digest: bool,
    truncations: Vec<(usize, usize)>,
    extra_diff_id: bool,
}

impl Default for ImageBuilder {
    fn default() -> Self {
        Self::new()
    }
}

/// Files of an image layout, by name.
type Files = BTreeMap<String, Vec<u8>>;

/// What [`ImageBuilder::build`] made, before writing.
#[derive(Debug, Clone)]
struct Built {
    config: Vec<u8>,
    config_hex: String,
    layers: Vec<BuiltLayer>,
    /// Name of the blob each layer is stored under (may differ from its digest when corrupted).
    layer_hex: Vec<String>,
    manifest: Vec<u8>,
    manifest_hex: String,
}

impl ImageBuilder {
    /// An image for linux/amd64 with no layer yet.
    #[must_use]
    pub fn new() -> Self {
        ImageBuilder {
            layers: Vec::new(),
            os: "linux".into(),
            arch: "amd64".into(),
            variant: None,
            env: vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()],
            user: None,
            labels: BTreeMap::new(),
            cmd: None,
            repo_tags: Vec::new(),
            empty_history: Vec::new(),
            docker_layout: DockerLayout::Legacy,
            platform_in_index: false,
            bad_diff_ids: Vec::new(),
            bad_blob_digests: Vec::new(),
            bad_config_digest: false,
            truncations: Vec::new(),
            extra_diff_id: false,
        }
    }

    /// Adds a layer on top.
    #[must_use]
    pub fn layer(mut self, f: impl FnOnce(LayerBuilder) -> LayerBuilder) -> Self {
        self.layers.push(f(LayerBuilder::default()));
        self
    }

    /// Sets the platform (`os`, `arch`, `variant`).
    #[must_use]
    pub fn platform(mut self, os: &str, arch: &str, variant: Option<&str>) -> Self {
        self.os = os.into();
        self.arch = arch.into();
        self.variant = variant.map(str::to_owned);
        self
    }

    /// Adds an `Env` entry (`NAME=value`).
    #[must_use]
    pub fn env(mut self, kv: &str) -> Self {
        self.env.push(kv.into());
        self
    }

    /// Sets `User`.
    #[must_use]
    pub fn user(mut self, u: &str) -> Self {
        self.user = Some(u.into());
        self
    }

    /// Adds a label.
    #[must_use]
    pub fn label(mut self, k: &str, v: &str) -> Self {
        self.labels.insert(k.into(), v.into());
        self
    }

    /// Sets `Cmd`.
    #[must_use]
    pub fn cmd(mut self, cmd: &[&str]) -> Self {
        self.cmd = Some(cmd.iter().map(|s| (*s).to_owned()).collect());
        self
    }

    /// Adds a `repo:tag`.
    #[must_use]
    pub fn repo_tag(mut self, t: &str) -> Self {
        self.repo_tags.push(t.into());
        self
    }

    /// Adds a history entry without a layer (`ENV`, `CMD`...) above the layers added so far.
    #[must_use]
    pub fn empty_history(mut self, created_by: &str) -> Self {
        self.empty_history
            .push((self.layers.len(), created_by.into()));
        self
    }

    /// Chooses the docker archive layout.
    #[must_use]
    pub fn docker_layout(mut self, l: DockerLayout) -> Self {
        self.docker_layout = l;
        self
    }

    /// Writes the platform in the OCI index descriptor (docker does not; registries do).
    #[must_use]
    pub fn platform_in_index(mut self, yes: bool) -> Self {
        self.platform_in_index = yes;
        self
    }

    /// Corruption: the config lists a wrong diff_id for layer `i`.
    #[must_use]
    pub fn corrupt_diff_id(mut self, i: usize) -> Self {
        self.bad_diff_ids.push(i);
        self
    }

    /// Corruption: the manifest names layer `i` by a wrong digest (and the blob is stored
    /// under that name, so it is found but does not match).
    #[must_use]
    pub fn corrupt_blob_digest(mut self, i: usize) -> Self {
        self.bad_blob_digests.push(i);
        self
    }

    /// Corruption: the config is stored under (and referred to by) a wrong digest.
    #[must_use]
    pub fn corrupt_config_digest(mut self) -> Self {
        self.bad_config_digest = true;
        self
    }

    /// Corruption: layer `i`'s blob is cut to `len` bytes (digests are of the whole blob).
    #[must_use]
    pub fn truncate_layer(mut self, i: usize, len: usize) -> Self {
        self.truncations.push((i, len));
        self
    }

    /// Corruption: the config lists one diff_id more than there are layers.
    #[must_use]
    pub fn extra_diff_id(mut self) -> Self {
        self.extra_diff_id = true;
        self
    }

    /// The OCI platform object.
    fn platform_json(&self) -> Value {
        let mut p = json!({"os": self.os, "architecture": self.arch});
        if let Some(v) = &self.variant {
            p["variant"] = json!(v);
        }
        p
    }

    fn build(&self) -> io::Result<Built> {
        let mut layers = Vec::with_capacity(self.layers.len());
        for l in &self.layers {
            layers.push(l.build()?);
        }
        let mut diff_ids: Vec<String> = layers
            .iter()
            .enumerate()
            .map(|(i, l)| {
                if self.bad_diff_ids.contains(&i) {
                    format!("sha256:{}", wrong_hex(&format!("diff {i}")))
                } else {
                    format!("sha256:{}", l.diff_hex)
                }
            })
            .collect();
        if self.extra_diff_id {
            diff_ids.push(format!("sha256:{}", wrong_hex("extra")));
        }
        let mut history = Vec::new();
        for (i, l) in self.layers.iter().enumerate() {
            for (_, c) in self.empty_history.iter().filter(|(pos, _)| *pos == i) {
                history.push(json!({"created": "1970-01-01T00:00:00Z", "created_by": c, "empty_layer": true}));
            }
            let mut h = json!({"created": "1970-01-01T00:00:00Z"});
            if let Some(c) = &l.created_by {
                h["created_by"] = json!(c);
            }
            history.push(h);
        }
        for (_, c) in self
            .empty_history
            .iter()
            .filter(|(pos, _)| *pos == self.layers.len())
        {
            history.push(
                json!({"created": "1970-01-01T00:00:00Z", "created_by": c, "empty_layer": true}),
            );
        }
        let mut cfg = json!({
            "Env": self.env,
            "Labels": self.labels,
        });
        if let Some(u) = &self.user {
            cfg["User"] = json!(u);
        }
        if let Some(c) = &self.cmd {
            cfg["Cmd"] = json!(c);
        }
        let mut config = self.platform_json();
        config["created"] = json!("1970-01-01T00:00:00Z");
        config["config"] = cfg;
        config["rootfs"] = json!({"type": "layers", "diff_ids": diff_ids});
        config["history"] = json!(history);
        let config = serde_json::to_vec(&config).map_err(io::Error::other)?;
        let config_hex = if self.bad_config_digest {
            wrong_hex("config")
        } else {
            sha256_hex(&config)
        };
        let layer_hex: Vec<String> = layers
            .iter()
            .enumerate()
            .map(|(i, l)| {
                if self.bad_blob_digests.contains(&i) {
                    wrong_hex(&format!("blob {i}"))
                } else {
                    l.blob_hex.clone()
                }
            })
            .collect();
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": format!("sha256:{config_hex}"),
                "size": config.len(),
            },
            "layers": layers.iter().zip(&layer_hex).map(|(l, h)| json!({
                "mediaType": l.media_type,
                "digest": format!("sha256:{h}"),
                "size": l.blob.len(),
            })).collect::<Vec<_>>(),
        });
        let manifest = serde_json::to_vec(&manifest).map_err(io::Error::other)?;
        let manifest_hex = sha256_hex(&manifest);
        for (i, len) in &self.truncations {
            if let Some(l) = layers.get_mut(*i) {
                l.blob.truncate(*len);
            }
        }
        Ok(Built {
            config,
            config_hex,
            layers,
            layer_hex,
            manifest,
            manifest_hex,
        })
    }

    /// The manifest descriptor of this image in an OCI index.
    fn descriptor(&self, built: &Built) -> Value {
        let mut d = json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": format!("sha256:{}", built.manifest_hex),
            "size": built.manifest.len(),
        });
        if self.platform_in_index {
            d["platform"] = self.platform_json();
        }
        if let Some(t) = self.repo_tags.first() {
            let tag = t.rsplit_once(':').map_or("latest", |(_, tag)| tag);
            d["annotations"] = json!({
                "io.containerd.image.name": t,
                "org.opencontainers.image.ref.name": tag,
            });
        }
        d
    }

    fn add_oci_blobs(built: &Built, files: &mut Files) {
        files.insert(blob(&built.config_hex), built.config.clone());
        files.insert(blob(&built.manifest_hex), built.manifest.clone());
        for (l, h) in built.layers.iter().zip(&built.layer_hex) {
            files.insert(blob(h), l.blob.clone());
        }
    }

    fn docker_files(images: &[&ImageBuilder]) -> io::Result<Files> {
        let mut files = Files::new();
        let mut manifest = Vec::new();
        let mut index = Vec::new();
        for image in images {
            let built = image.build()?;
            let (config_name, layer_names): (String, Vec<String>) = match image.docker_layout {
                DockerLayout::Legacy => {
                    let names: Vec<String> = built
                        .layer_hex
                        .iter()
                        .map(|h| format!("{h}/layer.tar"))
                        .collect();
                    for (l, n) in built.layers.iter().zip(&names) {
                        files.insert(n.clone(), l.blob.clone());
                    }
                    let c = format!("{}.json", built.config_hex);
                    files.insert(c.clone(), built.config.clone());
                    (c, names)
                }
                DockerLayout::Oci => {
                    Self::add_oci_blobs(&built, &mut files);
                    index.push(image.descriptor(&built));
                    (
                        blob(&built.config_hex),
                        built.layer_hex.iter().map(|h| blob(h)).collect(),
                    )
                }
            };
            let mut entry = json!({
                "Config": config_name,
                "RepoTags": image.repo_tags,
                "Layers": layer_names,
            });
            if image.docker_layout == DockerLayout::Oci {
                let sources: BTreeMap<String, Value> = built
                    .layers
                    .iter()
                    .zip(&built.layer_hex)
                    .map(|(l, h)| {
                        (
                            format!("sha256:{h}"),
                            json!({"mediaType": l.media_type, "digest": format!("sha256:{h}"), "size": l.blob.len()}),
                        )
                    })
                    .collect();
                entry["LayerSources"] = json!(sources);
            }
            manifest.push(entry);
        }
        files.insert(
            "manifest.json".into(),
            serde_json::to_vec(&manifest).map_err(io::Error::other)?,
        );
        if !index.is_empty() {
            files.insert("oci-layout".into(), OCI_LAYOUT.to_vec());
            files.insert("index.json".into(), index_json(&index)?);
        }
        Ok(files)
    }

    fn oci_files(&self) -> io::Result<Files> {
        let built = self.build()?;
        let mut files = Files::new();
        Self::add_oci_blobs(&built, &mut files);
        files.insert("oci-layout".into(), OCI_LAYOUT.to_vec());
        files.insert("index.json".into(), index_json(&[self.descriptor(&built)])?);
        Ok(files)
    }

    /// Writes a `docker save` archive holding this image.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write_docker_archive(&self, path: &Path) -> io::Result<()> {
        write_tar(path, &Self::docker_files(&[self])?)
    }

    /// Writes a `docker save` archive holding several images.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write_docker_archive_multi(images: &[&ImageBuilder], path: &Path) -> io::Result<()> {
        write_tar(path, &Self::docker_files(images)?)
    }

    /// Writes an OCI image layout archive.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write_oci_archive(&self, path: &Path) -> io::Result<()> {
        write_tar(path, &self.oci_files()?)
    }

    /// Writes an OCI image layout directory.
    ///
    /// # Errors
    /// When the directory cannot be written.
    pub fn write_oci_dir(&self, path: &Path) -> io::Result<()> {
        write_dir(path, &self.oci_files()?)
    }

    /// Writes an OCI layout directory whose index lists one image per platform (the platform
    /// of each builder). With `nested`, the top `index.json` points to one nested index blob
    /// that lists the manifests, as registries' multi-arch images do.
    ///
    /// # Errors
    /// When the directory cannot be written.
    pub fn write_oci_multi_platform_dir(
        images: &[&ImageBuilder],
        nested: bool,
        path: &Path,
    ) -> io::Result<()> {
        let mut files = Files::new();
        let mut descriptors = Vec::new();
        for image in images {
            let built = image.build()?;
            Self::add_oci_blobs(&built, &mut files);
            let mut d = image.descriptor(&built);
            d["platform"] = image.platform_json();
            descriptors.push(d);
        }
        files.insert("oci-layout".into(), OCI_LAYOUT.to_vec());
        if nested {
            let inner = index_json(&descriptors)?;
            let hex = sha256_hex(&inner);
            let top = json!({
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "digest": format!("sha256:{hex}"),
                "size": inner.len(),
            });
            files.insert(blob(&hex), inner);
            files.insert("index.json".into(), index_json(&[top])?);
        } else {
            files.insert("index.json".into(), index_json(&descriptors)?);
        }
        write_dir(path, &files)
    }
}

const OCI_LAYOUT: &[u8] = br#"{"imageLayoutVersion":"1.0.0"}"#;

fn blob(hex: &str) -> String {
    format!("blobs/sha256/{hex}")
}

fn index_json(manifests: &[Value]) -> io::Result<Vec<u8>> {
    serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": manifests,
    }))
    .map_err(io::Error::other)
}

fn write_tar(path: &Path, files: &Files) -> io::Result<()> {
    let mut b = tar::Builder::new(io::BufWriter::new(std::fs::File::create(path)?));
    b.mode(tar::HeaderMode::Deterministic);
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_size(data.len() as u64);
        b.append_data(&mut h, name, data.as_slice())?;
    }
    b.into_inner()?.flush()
}

fn write_dir(path: &Path, files: &Files) -> io::Result<()> {
    for (name, data) in files {
        let p = path.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(p, data)?;
    }
    Ok(())
}
