//! Telling what the user typed apart: `docker-archive:PATH`, `oci-archive:PATH`,
//! `oci-dir:PATH`, `dir:PATH`, or a bare path recognized by its contents.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::path::normalize_entry_name;
use crate::{ImageError, Source};

impl Source {
    /// Parses a source. A bare path is recognized by its contents: a tar holding
    /// `manifest.json` is a docker archive, one holding `oci-layout` an OCI archive; a
    /// directory holding `oci-layout` is an OCI layout, any other directory a root filesystem.
    pub fn parse(s: &str) -> Result<Source, ImageError> {
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
        let meta = std::fs::metadata(path).map_err(|e| ImageError::io(path, e))?;
        if meta.is_dir() {
            return Ok(if path.join("oci-layout").is_file() {
                Source::OciDir(path.to_owned())
            } else {
                Source::Dir(path.to_owned())
            });
        }
        sniff_tar(path)
    }

    /// The path of the source.
    #[must_use]
    pub fn path(&self) -> &Path {
        match self {
            Source::DockerArchive(p)
            | Source::OciArchive(p)
            | Source::OciDir(p)
            | Source::Dir(p) => p,
        }
    }

    /// `docker-archive`, `oci-archive`, `oci-dir` or `dir`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Source::DockerArchive(_) => "docker-archive",
            Source::OciArchive(_) => "oci-archive",
            Source::OciDir(_) => "oci-dir",
            Source::Dir(_) => "dir",
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind(), self.path().display())
    }
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
