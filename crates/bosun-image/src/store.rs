//! Where the files of an image layout live: members of an outer tar (indexed once, read in
//! place by offset), files of a directory, or blobs of a registry repository (named
//! `blobs/sha256/HEX` like in an OCI layout, fetched on demand and streamed).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bosun_registry::TransferObserver;

use crate::ImageError;
use crate::path::{normalize_entry_name, normalize_rooted, parent};

/// A member of the outer tar: where its body starts and how long it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Member {
    pub(crate) offset: u64,
    pub(crate) size: u64,
}

/// Most links followed between members of an outer tar.
const MAX_MEMBER_LINKS: usize = 8;

#[derive(Debug, Clone)]
pub(crate) enum Store {
    /// An archive: member name → body position. `docker save` may store a layer once and
    /// link the others to it, hence the links.
    Tar {
        path: PathBuf,
        members: HashMap<String, Member>,
        links: HashMap<String, String>,
    },
    /// A directory.
    Dir { root: PathBuf },
    /// A registry repository. `manifests` holds manifests already fetched, by blob name.
    Registry {
        registry: bosun_registry::Registry,
        manifests: HashMap<String, Vec<u8>>,
    },
}

impl Store {
    /// Indexes the members of a tar without reading their bodies (seeking over them).
    pub(crate) fn index_tar(path: &Path, max_entries: u64) -> Result<Store, ImageError> {
        let file = File::open(path).map_err(|e| ImageError::io(path, e))?;
        let corrupt = |source| ImageError::CorruptArchive {
            path: path.to_owned(),
            source,
        };
        let mut archive = tar::Archive::new(BufReader::with_capacity(64 << 10, file));
        let mut members = HashMap::new();
        let mut links = HashMap::new();
        let mut count = 0u64;
        for entry in archive.entries_with_seek().map_err(corrupt)? {
            let entry = entry.map_err(corrupt)?;
            count += 1;
            if count > max_entries {
                return Err(ImageError::Malformed {
                    source_name: path.display().to_string(),
                    message: format!("archive holds more than {max_entries} members"),
                });
            }
            // Members with odd names are never referenced by a valid manifest: skip them.
            let Ok(Some(name)) = normalize_entry_name(&entry.path_bytes()) else {
                continue;
            };
            let kind = entry.header().entry_type();
            if kind.is_symlink() || kind.is_hard_link() {
                if let Some(target) = entry.link_name_bytes() {
                    let target = String::from_utf8_lossy(&target).into_owned();
                    let full = if kind.is_symlink() && !target.starts_with('/') {
                        lexical_join(parent(&name), &target)
                    } else {
                        normalize_rooted(&target).ok().flatten()
                    };
                    if let Some(full) = full {
                        links.insert(name, full);
                    }
                }
            } else if kind.is_file() || kind == tar::EntryType::Continuous {
                members.insert(
                    name,
                    Member {
                        offset: entry.raw_file_position(),
                        size: entry.size(),
                    },
                );
            }
        }
        Ok(Store::Tar {
            path: path.to_owned(),
            members,
            links,
        })
    }

    pub(crate) fn dir(root: &Path) -> Store {
        Store::Dir {
            root: root.to_owned(),
        }
    }

    pub(crate) fn registry(registry: bosun_registry::Registry) -> Store {
        Store::Registry {
            registry,
            manifests: HashMap::new(),
        }
    }

    /// The name of the source, for messages.
    pub(crate) fn source_name(&self) -> String {
        match self {
            Store::Tar { path, .. } | Store::Dir { root: path } => path.display().to_string(),
            Store::Registry { registry, .. } => registry.reference().to_string(),
        }
    }

    /// `sha256:HEX` for a blob name `blobs/sha256/HEX`.
    fn registry_digest(&self, name: &str) -> Result<String, ImageError> {
        name.strip_prefix("blobs/sha256/")
            .map(|h| format!("sha256:{h}"))
            .ok_or_else(|| self.missing(name))
    }

    /// Reads a manifest or index named `blobs/sha256/HEX` (from the registry's manifest
    /// endpoint for a registry; like any JSON file otherwise).
    pub(crate) fn read_manifest(&self, name: &str, limit: u64) -> Result<Vec<u8>, ImageError> {
        match self {
            Store::Registry {
                registry,
                manifests,
            } => {
                if let Some(m) = manifests.get(name) {
                    return Ok(m.clone());
                }
                let digest = self.registry_digest(name)?;
                Ok(registry.get_manifest(&digest, limit)?.bytes)
            }
            _ => self.read_json(name, limit),
        }
    }

    fn member(&self, name: &str) -> Option<Member> {
        let Store::Tar { members, links, .. } = self else {
            return None;
        };
        let mut name = name;
        for _ in 0..=MAX_MEMBER_LINKS {
            if let Some(m) = members.get(name) {
                return Some(*m);
            }
            name = links.get(name)?;
        }
        None
    }

    fn dir_path(root: &Path, name: &str) -> Option<PathBuf> {
        // Names come from manifests: refuse anything that could leave the layout.
        let norm = normalize_entry_name(name.as_bytes()).ok().flatten()?;
        Some(root.join(norm))
    }

    fn missing(&self, name: &str) -> ImageError {
        ImageError::Missing {
            name: name.to_owned(),
            source_name: self.source_name(),
        }
    }

    /// Whether a file exists.
    pub(crate) fn exists(&self, name: &str) -> bool {
        match self {
            Store::Tar { .. } => self.member(name).is_some(),
            Store::Dir { root } => Self::dir_path(root, name).is_some_and(|p| p.is_file()),
            // Asking would cost a request per blob; a missing blob fails its download clearly.
            Store::Registry { .. } => true,
        }
    }

    /// The size of a file, when it exists.
    pub(crate) fn size(&self, name: &str) -> Option<u64> {
        match self {
            Store::Tar { .. } => self.member(name).map(|m| m.size),
            Store::Dir { root } => Self::dir_path(root, name)
                .and_then(|p| p.metadata().ok())
                .map(|m| m.len()),
            Store::Registry { .. } => None,
        }
    }

    /// Opens a file for reading; returns the reader and the file's size.
    pub(crate) fn open(&self, name: &str) -> Result<(Box<dyn Read + Send>, u64), ImageError> {
        self.open_observed(name, None, None)
    }

    /// [`Store::open`]; a registry blob's download is reported to `observer`, with `size`
    /// (from the manifest) as its expected size.
    pub(crate) fn open_observed(
        &self,
        name: &str,
        observer: Option<Arc<dyn TransferObserver>>,
        size: Option<u64>,
    ) -> Result<(Box<dyn Read + Send>, u64), ImageError> {
        match self {
            Store::Tar { path, .. } => {
                let m = self.member(name).ok_or_else(|| self.missing(name))?;
                let mut f = File::open(path).map_err(|e| ImageError::io(path, e))?;
                f.seek(SeekFrom::Start(m.offset))
                    .map_err(|e| ImageError::io(path, e))?;
                Ok((Box::new(f.take(m.size)), m.size))
            }
            Store::Dir { root } => {
                let p = Self::dir_path(root, name).ok_or_else(|| self.missing(name))?;
                let f = match File::open(&p) {
                    Ok(f) => f,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Err(self.missing(name));
                    }
                    Err(e) => return Err(ImageError::io(p, e)),
                };
                let size = f.metadata().map_err(|e| ImageError::io(&p, e))?.len();
                Ok((Box::new(f.take(size)), size))
            }
            Store::Registry { registry, .. } => {
                let digest = self.registry_digest(name)?;
                let mut blob = registry.open_blob(&digest)?;
                if let Some(observer) = observer {
                    blob = blob.observe(observer, size);
                }
                let len = blob.len().unwrap_or(0);
                Ok((Box::new(blob), len))
            }
        }
    }

    /// Reads a whole JSON document, refusing more than `limit` bytes.
    pub(crate) fn read_json(&self, name: &str, limit: u64) -> Result<Vec<u8>, ImageError> {
        if let Store::Registry { registry, .. } = self {
            let digest = self.registry_digest(name)?;
            return Ok(registry.read_blob(&digest, limit)?);
        }
        let (reader, size) = self.open(name)?;
        if size > limit {
            return Err(ImageError::JsonTooLarge {
                what: name.to_owned(),
                limit,
            });
        }
        let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        reader
            .take(limit)
            .read_to_end(&mut buf)
            .map_err(|e| ImageError::io(PathBuf::from(self.source_name()).join(name), e))?;
        Ok(buf)
    }
}

/// Joins a relative link target to a directory, resolving `..` lexically (clamped at root).
fn lexical_join(dir: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|c| !c.is_empty()).collect();
    for c in target.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    let joined = parts.join("/");
    (!joined.is_empty()).then_some(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_links() {
        assert_eq!(
            lexical_join("abc", "../def/layer.tar").as_deref(),
            Some("def/layer.tar")
        );
        assert_eq!(lexical_join("", "x").as_deref(), Some("x"));
    }
}
