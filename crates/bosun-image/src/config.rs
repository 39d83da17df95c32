//! Typed subsets of the JSON documents of an image: OCI index and manifest, docker
//! `manifest.json`, and the image config.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

/// `null` in JSON becomes the default value (docker writes `"Env": null`).
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// The image config (`application/vnd.oci.image.config.v1+json`), the fields bosun uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ImageConfig {
    /// CPU architecture (`amd64`, `arm64`).
    #[serde(default, deserialize_with = "null_default")]
    pub architecture: String,
    /// Operating system (`linux`).
    #[serde(default, deserialize_with = "null_default")]
    pub os: String,
    /// CPU variant (`v8`).
    #[serde(default)]
    pub variant: Option<String>,
    /// Creation time, as written.
    #[serde(default)]
    pub created: Option<String>,
    /// How containers of the image run.
    #[serde(default)]
    pub config: Option<ContainerConfig>,
    /// The layers' diff_ids.
    #[serde(default, deserialize_with = "null_default")]
    pub rootfs: RootFs,
    /// How the image was built, one entry per step.
    #[serde(default, deserialize_with = "null_default")]
    pub history: Vec<History>,
}

impl ImageConfig {
    /// `os/architecture[/variant]`.
    #[must_use]
    pub fn platform(&self) -> String {
        match &self.variant {
            Some(v) if !v.is_empty() => format!("{}/{}/{v}", self.os, self.architecture),
            _ => format!("{}/{}", self.os, self.architecture),
        }
    }
}

/// The `config` object of an image config.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ContainerConfig {
    /// `User`.
    #[serde(default)]
    pub user: Option<String>,
    /// `Env`, `NAME=value` strings.
    #[serde(default, deserialize_with = "null_default")]
    pub env: Vec<String>,
    /// `Cmd`.
    #[serde(default)]
    pub cmd: Option<Vec<String>>,
    /// `Entrypoint`.
    #[serde(default)]
    pub entrypoint: Option<Vec<String>>,
    /// `ExposedPorts` keys (`80/tcp`).
    #[serde(default, deserialize_with = "null_default")]
    pub exposed_ports: BTreeMap<String, serde_json::Value>,
    /// `Labels`.
    #[serde(default, deserialize_with = "null_default")]
    pub labels: BTreeMap<String, String>,
    /// `WorkingDir`.
    #[serde(default)]
    pub working_dir: Option<String>,
    /// `Healthcheck`.
    #[serde(default)]
    pub healthcheck: Option<Healthcheck>,
}

/// The `Healthcheck` of a container config.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Healthcheck {
    /// `Test` (`["CMD-SHELL", "curl ..."]`, `["NONE"]`).
    #[serde(default, deserialize_with = "null_default")]
    pub test: Vec<String>,
    /// `Interval` in nanoseconds.
    #[serde(default)]
    pub interval: Option<i64>,
    /// `Timeout` in nanoseconds.
    #[serde(default)]
    pub timeout: Option<i64>,
    /// `StartPeriod` in nanoseconds.
    #[serde(default)]
    pub start_period: Option<i64>,
    /// `Retries`.
    #[serde(default)]
    pub retries: Option<i64>,
}

/// The `rootfs` object of an image config.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct RootFs {
    /// `layers`, normally.
    #[serde(default, rename = "type", deserialize_with = "null_default")]
    pub fs_type: String,
    /// Digests of the uncompressed layer tars, bottom first.
    #[serde(default, deserialize_with = "null_default")]
    pub diff_ids: Vec<String>,
}

/// One `history` entry of an image config.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct History {
    /// When.
    #[serde(default)]
    pub created: Option<String>,
    /// The build step (`RUN apt-get install ...`).
    #[serde(default)]
    pub created_by: Option<String>,
    /// Whether the step made no layer (`ENV`, `CMD`...).
    #[serde(default, deserialize_with = "null_default")]
    pub empty_layer: bool,
    /// Free text.
    #[serde(default)]
    pub comment: Option<String>,
}

/// An OCI content descriptor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Descriptor {
    /// Media type of the target.
    #[serde(default, deserialize_with = "null_default")]
    pub media_type: String,
    /// `sha256:...`.
    pub digest: String,
    /// Size in bytes.
    #[serde(default, deserialize_with = "null_default")]
    pub size: u64,
    /// The platform, in indexes.
    #[serde(default)]
    pub platform: Option<Platform>,
    /// Annotations.
    #[serde(default, deserialize_with = "null_default")]
    pub annotations: BTreeMap<String, String>,
}

/// A platform of an index entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Platform {
    /// CPU architecture.
    #[serde(default, deserialize_with = "null_default")]
    pub architecture: String,
    /// Operating system.
    #[serde(default, deserialize_with = "null_default")]
    pub os: String,
    /// CPU variant.
    #[serde(default)]
    pub variant: Option<String>,
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = self.variant.as_deref().filter(|v| !v.is_empty()) {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// An OCI image index (or docker manifest list).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OciIndex {
    /// Media type, when written.
    #[serde(default)]
    pub media_type: Option<String>,
    /// The manifests (or nested indexes).
    #[serde(default, deserialize_with = "null_default")]
    pub manifests: Vec<Descriptor>,
}

/// An OCI image manifest (or docker schema 2 manifest).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OciManifest {
    /// Media type, when written.
    #[serde(default)]
    pub media_type: Option<String>,
    /// The config blob.
    pub config: Descriptor,
    /// The layer blobs, bottom first.
    #[serde(default, deserialize_with = "null_default")]
    pub layers: Vec<Descriptor>,
    /// Annotations (`org.opencontainers.image.base.name`...).
    #[serde(default, deserialize_with = "null_default")]
    pub annotations: BTreeMap<String, String>,
}

/// One image of a docker archive's `manifest.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DockerManifestEntry {
    /// Path of the config inside the archive.
    pub config: String,
    /// `repo:tag` names.
    #[serde(default, deserialize_with = "null_default")]
    pub repo_tags: Vec<String>,
    /// Paths of the layer tars inside the archive, bottom first.
    #[serde(default, deserialize_with = "null_default")]
    pub layers: Vec<String>,
    /// Descriptors of the layers by digest (newer docker).
    #[serde(default, deserialize_with = "null_default")]
    pub layer_sources: BTreeMap<String, Descriptor>,
}

/// Media types of image indexes.
pub(crate) const INDEX_TYPES: [&str; 2] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];
/// Media types of image manifests.
pub(crate) const MANIFEST_TYPES: [&str; 2] = [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

/// Whether bosun can read a layer of this media type (an empty type is accepted: compression
/// is detected from the content anyway).
pub(crate) fn layer_type_supported(media_type: &str) -> bool {
    media_type.is_empty()
        || ((media_type.contains(".tar") || media_type.contains("rootfs.diff"))
            && !media_type.contains("encrypted"))
}

/// Parses a docker archive `manifest.json`.
pub fn parse_docker_manifest(bytes: &[u8]) -> Result<Vec<DockerManifestEntry>, serde_json::Error> {
    serde_json::from_slice(bytes)
}

/// Parses an OCI index.
pub fn parse_index(bytes: &[u8]) -> Result<OciIndex, serde_json::Error> {
    serde_json::from_slice(bytes)
}

/// Parses an OCI manifest.
pub fn parse_manifest(bytes: &[u8]) -> Result<OciManifest, serde_json::Error> {
    serde_json::from_slice(bytes)
}

/// Parses an image config.
pub fn parse_config(bytes: &[u8]) -> Result<ImageConfig, serde_json::Error> {
    serde_json::from_slice(bytes)
}

/// Splits `sha256:<64 lowercase hex>` into its hex part; anything else is `None`.
#[must_use]
pub fn sha256_hex(digest: &str) -> Option<&str> {
    let hex = digest.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))).then_some(hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_with_nulls_parses() {
        let c = parse_config(
            br#"{"architecture":"amd64","os":"linux","config":{"Env":null,"Labels":null,"User":""},
            "rootfs":{"type":"layers","diff_ids":["sha256:aa"]},
            "history":[{"created_by":"ADD x","empty_layer":null},{"empty_layer":true}]}"#,
        )
        .unwrap();
        assert_eq!(c.platform(), "linux/amd64");
        assert!(c.config.unwrap().env.is_empty());
        assert_eq!(c.history.len(), 2);
        assert!(c.history[1].empty_layer);
    }
}
