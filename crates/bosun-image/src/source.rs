//! Telling what the user typed apart: `docker-archive:PATH`, `oci-archive:PATH`,
//! `oci-dir:PATH`, `dir:PATH`, `registry:REFERENCE`, a bare path recognized by its contents,
//! or a bare image reference (`alpine:3.20`) that names no existing file.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::path::normalize_entry_name;
use crate::{ImageError, Source};

impl Source {
    /// Parses a source. A bare path is recognized by its contents: a tar holding
    /// `manifest.json` is a docker archive, one holding `oci-layout` an OCI archive; a
    /// directory holding `oci-layout` is an OCI layout, any other directory a root filesystem.
    /// `registry:REFERENCE` names an image in a registry; so does a bare string that names no
    /// existing file but parses as an image reference (`alpine`, `ghcr.io/org/app:1`), unless
    /// it looks like a path (starts with `/`, `.` or `~`, or ends in `.tar`, `.tgz`, `.tar.gz`):
    /// an existing path always wins.
    pub fn parse(s: &str) -> Result<Source, ImageError> {
        if let Some(rest) = s.strip_prefix("registry:") {
            let r = bosun_registry::Reference::parse(rest)?;
            return Ok(Source::Registry(r.to_string()));
        }
        type Make = fn(PathBuf) -> Source;
        let prefixed: [(&str, Make); 4] = [
            ("docker-archive:", Source::DockerArchive),
            ("oci-archive:", Source::OciArchive),
            ("oci-dir:", Source::OciDir),
            ("dir:", Source::Dir),
        ];
        for (prefix, make) in prefixed {
            if let Some(rest) = s.strip_prefix(prefix) {
                if rest.is_empty() {
                    return Err(ImageError::BadSource(format!("{prefix} needs a path")));
                }
                return Ok(make(PathBuf::from(rest)));
            }
        }
        if s.is_empty() {
            return Err(ImageError::BadSource("empty source".into()));
        }
        let path = Path::new(s);
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !looks_like_path(s) => {
                return match bosun_registry::Reference::parse(s) {
                    Ok(r) => Ok(Source::Registry(r.to_string())),
                    Err(_) => Err(ImageError::io(path, e)),
                };
            }
            Err(e) => return Err(ImageError::io(path, e)),
        };
        if meta.is_dir() {
            return Ok(if path.join("oci-layout").is_file() {
                Source::OciDir(path.to_owned())
            } else {
                Source::Dir(path.to_owned())
            });
        }
        sniff_tar(path)
    }

    /// The path of the source (for a registry image, its reference as a path).
    #[must_use]
    pub fn path(&self) -> &Path {
        match self {
            Source::DockerArchive(p)
            | Source::OciArchive(p)
            | Source::OciDir(p)
            | Source::Dir(p) => p,
            Source::Registry(r) => Path::new(r),
        }
    }

    /// The source as text: the path, or the registry reference.
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Source::Registry(r) => r.clone(),
            other => other.path().display().to_string(),
        }
    }

    /// `docker-archive`, `oci-archive`, `oci-dir`, `dir` or `registry`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Source::DockerArchive(_) => "docker-archive",
            Source::OciArchive(_) => "oci-archive",
            Source::OciDir(_) => "oci-dir",
            Source::Dir(_) => "dir",
            Source::Registry(_) => "registry",
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind(), self.name())
    }
}

/// Whether a string that names nothing was surely meant as a path (so the error should say
/// the file is missing rather than try a registry).
fn looks_like_path(s: &str) -> bool {
    s.starts_with(['/', '.', '~'])
        || s.contains('\\')
        || [".tar", ".tgz", ".tar.gz", ".tar.zst"]
            .iter()
            .any(|ext| s.ends_with(ext))
}

fn sniff_tar(path: &Path) -> Result<Source, ImageError> {
    let file = File::open(path).map_err(|e| ImageError::io(path, e))?;
    let unknown = |why: &str| {
        ImageError::BadSource(format!(
            "cannot tell what {} is ({why}); prefix it with docker-archive:, oci-archive:, oci-dir: or dir:",
            path.display()
        ))
    };
    let mut archive = tar::Archive::new(BufReader::with_capacity(64 << 10, file));
    let entries = archive
        .entries_with_seek()
        .map_err(|_| unknown("not a tar"))?;
    let mut oci = false;
    for entry in entries {
        let Ok(entry) = entry else {
            return Err(unknown("not a readable tar"));
        };
        match normalize_entry_name(&entry.path_bytes()) {
            Ok(Some(name)) if name == "manifest.json" => {
                return Ok(Source::DockerArchive(path.to_owned()));
            }
            Ok(Some(name)) if name == "oci-layout" => oci = true,
            _ => {}
        }
    }
    if oci {
        Ok(Source::OciArchive(path.to_owned()))
    } else {
        Err(unknown("a tar without manifest.json or oci-layout"))
    }
}
