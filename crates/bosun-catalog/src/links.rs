//! Loaded or not loaded: the dynamic link graph of the final filesystem decides, for each OS
//! package, whether some executable of the image maps its code (bosun#9).
//!
//! The layers' visitors kept the link facts of every ELF file they read
//! ([`CatalogVisitor::elf`]) and the loader's configuration ([`CatalogVisitor::loader`]); the
//! final view says which copy of each path counts and holds the symlinks (so a soname link
//! `libfoo.so.1 -> libfoo.so.1.2.3` written by any layer is followed). From those,
//! [`bosun_binary::elf_links::resolve`] walks from every executable, and each OS package gets
//! [`bosun_binary::elf_links::LinkResolution::package_state`] of the files it owns: an
//! executable or a linked library makes it loaded (`Some(true)`), shared libraries nobody
//! links make it not loaded (`Some(false)`), no ELF file leaves it unknown (`None`).
//!
//! Language packages: found from installed files or a binary, `Some(true)`; from a lockfile,
//! `Some(false)` unless the image holds an installed copy of the same package and version.

use std::collections::HashSet;

use bosun_binary::elf_links::{self, ElfFilesystem, LoadState, SearchConfig};
use bosun_image::{EntryKind, FinalView};
use bosun_inventory::{Package, PackageType};

use crate::inventory::BuildOptions;
use crate::visitor::{CatalogVisitor, LD_SO_CACHE, LD_SO_CONF, LoaderFile};

/// At most this many `ld.so.conf` files are read through `include` lines (ldconfig has no
/// bound; a loop of includes must end).
pub const MAX_CONF_FILES: usize = 256;

/// The ELF files and symlinks of the final filesystem.
#[must_use]
pub fn filesystem(view: &FinalView<'_>, visitors: &[&CatalogVisitor]) -> ElfFilesystem {
    let mut fs = ElfFilesystem::new();
    for (layer, entry) in view.iter() {
        match &entry.kind {
            EntryKind::File => {
                if let Some(links) = visitors.get(layer).and_then(|v| v.elf.get(&entry.path)) {
                    fs.add_file(&entry.path, links.clone());
                }
            }
            EntryKind::Symlink(target) => fs.add_symlink(&entry.path, target),
            // A hard link shares its target's body, read once under the target's path.
            EntryKind::Hardlink(target) => {
                if let Some(links) = visitors.get(layer).and_then(|v| v.elf.get(target)) {
                    fs.add_file(&entry.path, links.clone());
                }
            }
            EntryKind::Dir | EntryKind::Other => {}
        }
    }
    fs
}

/// The loader file at `path` in the final view (symlinks followed).
fn loader_file<'a>(
    view: &FinalView<'_>,
    visitors: &[&'a CatalogVisitor],
    path: &str,
) -> Option<&'a LoaderFile> {
    let (resolved, layer) = view.resolve(path).ok()??;
    visitors.get(layer)?.loader.get(&resolved)
}

/// Whether `name` matches a glob of `*` and `?` (one path component, as `include` uses).
fn glob_match(pattern: &[u8], name: &[u8]) -> bool {
    // Iterative matcher with one backtrack point: linear-ish, no recursion on input.
    let (mut p, mut n) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(&c) if c == b'?' || Some(&c) == name.get(n) => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    p = sp + 1;
                    n = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

/// [`glob_match`] for the fuzz entry points.
#[doc(hidden)]
#[must_use]
pub fn glob_match_for_fuzz(pattern: &[u8], name: &[u8]) -> bool {
    glob_match(pattern, name)
}

/// The search configuration of the final filesystem: its `ld.so.cache`, the directories of
/// `ld.so.conf` and the files it includes, musl's path files, and `LD_LIBRARY_PATH`.
#[must_use]
pub fn search_config(
    view: &FinalView<'_>,
    visitors: &[&CatalogVisitor],
    options: &BuildOptions,
) -> SearchConfig {
    let mut cfg = SearchConfig {
        ld_library_path: options.ld_library_path.clone(),
        ..SearchConfig::default()
    };
    if let Some(LoaderFile::Cache(Some(entries))) = loader_file(view, visitors, LD_SO_CACHE) {
        cfg.ld_cache.clone_from(entries);
    }
    // The loader configuration files present in the final view, for `include` globs.
    let mut conf_paths: Vec<&str> = Vec::new();
    let mut musl: Vec<&str> = Vec::new();
    for (_, e) in view.iter() {
        if let Some(rest) = e.path.strip_prefix("etc/ld.so.conf.d/")
            && !rest.contains('/')
        {
            conf_paths.push(&e.path);
        } else if e.path.starts_with("etc/ld-musl-") && e.path.ends_with(".path") {
            musl.push(&e.path);
        }
    }
    conf_paths.sort_unstable();
    musl.sort_unstable();
    let mut pending: Vec<String> = vec![LD_SO_CONF.to_owned()];
    let mut read: HashSet<String> = HashSet::new();
    while let Some(path) = pending.pop() {
        if read.len() >= MAX_CONF_FILES || !read.insert(path.clone()) {
            continue;
        }
        let Some(LoaderFile::Conf(conf)) = loader_file(view, visitors, &path) else {
            continue;
        };
        cfg.conf_dirs.extend(conf.dirs.iter().cloned());
        // Included files are read in order, each before the next: push them reversed.
        let mut included: Vec<String> = Vec::new();
        for pattern in &conf.includes {
            let pattern = match pattern.strip_prefix('/') {
                Some(abs) => abs.trim_start_matches('/').to_owned(),
                None => format!("etc/{pattern}"),
            };
            let (dir, glob) = pattern.rsplit_once('/').unwrap_or(("", pattern.as_str()));
            included.extend(
                conf_paths
                    .iter()
                    .filter(|p| {
                        p.rsplit_once('/').is_some_and(|(d, name)| {
                            d == dir && glob_match(glob.as_bytes(), name.as_bytes())
                        })
                    })
                    .map(|p| (*p).to_owned()),
            );
        }
        pending.extend(included.into_iter().rev());
    }
    for path in musl {
        if let Some(LoaderFile::MuslPath(dirs)) = loader_file(view, visitors, path) {
            cfg.conf_dirs.extend(dirs.iter().cloned());
        }
    }
    cfg
}

/// Sets [`Package::loaded`] on OS packages from the link graph, and on lockfile packages
/// that have an installed copy of the same name and version in the image.
pub fn mark_loaded(
    packages: &mut [Package],
    view: &FinalView<'_>,
    visitors: &[&CatalogVisitor],
    options: &BuildOptions,
) {
    let installed: HashSet<(PackageType, String, String)> = packages
        .iter()
        .filter(|p| !p.package_type.is_os() && p.loaded == Some(true))
        .map(|p| (p.package_type, p.name.clone(), p.version.clone()))
        .collect();
    for p in packages.iter_mut() {
        if !p.package_type.is_os()
            && p.loaded == Some(false)
            && installed.contains(&(p.package_type, p.name.clone(), p.version.clone()))
        {
            p.loaded = Some(true);
        }
    }
    let has_elf = visitors.iter().any(|v| !v.elf.is_empty());
    if !has_elf || !packages.iter().any(|p| p.package_type.is_os()) {
        return;
    }
    let fs = filesystem(view, visitors);
    let cfg = search_config(view, visitors, options);
    let resolution = elf_links::resolve(&fs, &cfg);
    for p in packages.iter_mut().filter(|p| p.package_type.is_os()) {
        p.loaded = match resolution.package_state(&fs, &p.files) {
            LoadState::Loaded => Some(true),
            LoadState::NotLoaded => Some(false),
            LoadState::Unknown => None,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn glob_matches_star_and_question_mark_within_a_name() {
        assert!(glob_match(b"*.conf", b"libc.conf"));
        assert!(glob_match(b"*.conf", b".conf"));
        assert!(!glob_match(b"*.conf", b"libc.conf.bak"));
        assert!(glob_match(
            b"x86_64-linux-gnu?.conf",
            b"x86_64-linux-gnu1.conf"
        ));
        assert!(glob_match(b"*", b"anything"));
        assert!(!glob_match(b"a*b*c", b"abx"));
        assert!(glob_match(b"a*b*c", b"aXbYc"));
    }
}
