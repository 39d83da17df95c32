//! Turns the visitors of a walk into the image's inventory: the final filesystem decides
//! which copy of each file counts, the layer history decides who introduced each package.

use std::collections::{BTreeMap, HashMap, HashSet};

use bosun_image::{EntryKind, FinalView, LayerIndex, LayerWalk};
use bosun_inventory::{
    Diagnostic, DiagnosticLevel, Inventory, Layer, LayerRef, OsInfo, Package, PackageType,
    SourceInfo,
};

use crate::attribution::{PathHistory, introduced_in};
use crate::distro;
use crate::os_release;
use crate::purl::Purl;
use crate::visitor::{CatalogVisitor, DbCopy, FileKind, Found, RPM_DBS};

/// What identifies a package across copies of its database: name, version, arch.
type Key<'a> = (&'a str, &'a str, Option<&'a str>);

/// What the inventory needs beyond the layers: the parts of the image configuration that
/// change what the dynamic loader does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildOptions {
    /// `LD_LIBRARY_PATH` of the image configuration's `Env`, split on `:` (see
    /// [`ld_library_path`]); empty when unset.
    pub ld_library_path: Vec<String>,
}

impl BuildOptions {
    /// The options an image's configuration sets (its `Env`).
    #[must_use]
    pub fn for_image(image: &bosun_image::Image) -> BuildOptions {
        let env = image
            .config()
            .and_then(|c| c.config.as_ref())
            .map(|c| c.env.as_slice())
            .unwrap_or_default();
        BuildOptions {
            ld_library_path: ld_library_path(env),
        }
    }
}

/// The `LD_LIBRARY_PATH` directories of an image configuration's `Env` (`KEY=VALUE` strings;
/// the last assignment wins, as a shell would read them), empty entries dropped.
#[must_use]
pub fn ld_library_path(env: &[String]) -> Vec<String> {
    env.iter()
        .rev()
        .find_map(|e| e.strip_prefix("LD_LIBRARY_PATH="))
        .map(|v| {
            v.split(':')
                .filter(|d| !d.is_empty())
                .take(256)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Builds the inventory from a finished walk (layers bottom first) and the image metadata,
/// with default [`BuildOptions`].
#[must_use]
pub fn build<V: AsRef<CatalogVisitor>>(
    walks: &[LayerWalk<V>],
    source: SourceInfo,
    layers: Vec<Layer>,
) -> Inventory {
    build_with(walks, source, layers, &BuildOptions::default())
}

/// [`build`] with the image configuration's [`BuildOptions`].
#[must_use]
pub fn build_with<V: AsRef<CatalogVisitor>>(
    walks: &[LayerWalk<V>],
    source: SourceInfo,
    layers: Vec<Layer>,
    options: &BuildOptions,
) -> Inventory {
    let indexes: Vec<&LayerIndex> = walks.iter().map(|w| &w.index).collect();
    let visitors: Vec<&CatalogVisitor> = walks.iter().map(|w| w.visitor.as_ref()).collect();
    let view = FinalView::new(&indexes);
    let mut inv = Inventory {
        source,
        layers,
        ..Inventory::default()
    };
    inv.os = find_os(&view, &visitors, &mut inv.diagnostics);

    // Diagnostics of files that are still the visible copy; a corrupt database that a later
    // layer replaced does not concern the final image.
    for (layer, v) in visitors.iter().enumerate() {
        for d in &v.diagnostics {
            let current = d
                .path
                .as_deref()
                .is_none_or(|p| view.present_in_final(layer, p));
            if current {
                inv.diagnostics.push(d.clone());
            }
        }
    }

    // Every database path seen in any layer, with its kind.
    let mut units: BTreeMap<&str, FileKind> = BTreeMap::new();
    for v in &visitors {
        for db in &v.dbs {
            units.insert(db.path.as_str(), db.kind);
        }
    }
    let history = PathHistory::new(&indexes, units.keys().copied());
    let copy_of = |layer: usize, path: &str| -> Option<&DbCopy> {
        visitors.get(layer)?.dbs.iter().find(|d| d.path == path)
    };

    // The final databases: visible regular files. Only one rpm database counts: when an image
    // has several (a migration left the old one behind), the preferred format wins.
    let mut finals: Vec<(&str, FileKind, usize)> = units
        .iter()
        .filter_map(|(path, kind)| match view.get(path) {
            Some((layer, e)) if e.kind == EntryKind::File => Some((*path, *kind, layer)),
            _ => None,
        })
        .collect();
    // A readable one is preferred over an unreadable one of a better format.
    let readable =
        |path: &str, layer: usize| copy_of(layer, path).is_some_and(|c| c.packages.is_some());
    let rpm_pick = RPM_DBS
        .iter()
        .find(|p| finals.iter().any(|(fp, _, l)| fp == *p && readable(fp, *l)))
        .or_else(|| {
            RPM_DBS
                .iter()
                .find(|p| finals.iter().any(|(fp, _, _)| fp == *p))
        })
        .copied();
    finals.retain(|(p, k, _)| *k != FileKind::Rpm || Some(*p) == rpm_pick);

    // OS packages listed by two databases (status and status.d) count once; a language
    // package counts once per manifest, since each is its own application.
    let mut seen: HashSet<Identity<'_>> = HashSet::new();
    let mut key_sets: HashMap<(usize, &str), HashSet<Key<'_>>> = HashMap::new();
    for (path, kind, top) in finals {
        let Some(copy) = copy_of(top, path) else {
            continue;
        };
        let Some(found) = &copy.packages else {
            continue;
        };
        let states = history.states(path, top);
        for f in found {
            let ty = f.package.package_type;
            let dedupe = (
                ty,
                f.package.name.clone(),
                f.package.version.clone(),
                f.package.arch.clone(),
                (!ty.is_os()).then_some(path),
            );
            if !seen.insert(dedupe) {
                continue;
            }
            let key = f.key();
            let layer = introduced_in(&states, top, |copy_layer| {
                let set = key_sets.entry((copy_layer, path)).or_insert_with(|| {
                    copy_of(copy_layer, path)
                        .and_then(|c| c.packages.as_ref())
                        .map(|ps| ps.iter().map(Found::key).collect())
                        .unwrap_or_default()
                });
                set.contains(&key)
            });
            let mut pkg = finish(f, inv.os.as_ref(), path);
            pkg.loaded = found_loaded(kind);
            pkg.layer = LayerRef {
                index: layer,
                diff_id: walks.get(layer).and_then(|w| w.meta.diff_id.clone()),
                role: None,
            };
            if ty == PackageType::Deb {
                add_dpkg_files(&mut pkg, &view, &visitors);
            }
            inv.packages.push(pkg);
        }
    }
    drop_os_owned_runtimes(&mut inv.packages);
    merge_installed_npm(&mut inv.packages);
    crate::links::mark_loaded(&mut inv.packages, &view, &visitors, options);
    inv.sort();
    inv
}

/// What the kind of database a package was read from says about its being loaded: found
/// from installed files or a binary, it is there; from a lockfile or a manifest of wanted
/// versions, not (until [`crate::links::mark_loaded`] finds an installed copy); OS packages
/// wait for the link graph; `*.deps.json` (which may describe a published application or
/// only a build) says nothing.
fn found_loaded(kind: FileKind) -> Option<bool> {
    use bosun_lang::ManifestKind as M;
    match kind {
        FileKind::Binary => Some(true),
        FileKind::Lang(m) => match m {
            M::PythonMetadata
            | M::NpmInstalledPackageJson
            | M::Gemspec
            | M::ComposerInstalled
            | M::JavaArchive
            | M::JavaPomProperties => Some(true),
            M::PythonRequirements
            | M::PoetryLock
            | M::PipfileLock
            | M::UvLock
            | M::PdmLock
            | M::NpmPackageLock
            | M::YarnLock
            | M::PnpmLock
            | M::GemfileLock
            | M::ComposerLock
            | M::NugetPackagesLock
            | M::CargoLock
            | M::GoMod => Some(false),
            M::DotnetDepsJson => None,
        },
        _ => None,
    }
}

/// The project directory an npm lockfile describes: its own directory, or for npm's hidden
/// lockfile (`node_modules/.package-lock.json`) the directory holding `node_modules`.
const HIDDEN_NPM_LOCK: &str = "/node_modules/.package-lock.json";

fn npm_lock_root(location: &str) -> Option<&str> {
    if let Some(root) = location.strip_suffix(HIDDEN_NPM_LOCK) {
        return Some(root);
    }
    ["/package-lock.json", "/yarn.lock", "/pnpm-lock.yaml"]
        .iter()
        .find_map(|f| location.strip_suffix(f))
}

/// A project whose `node_modules` is in the image (`R/node_modules/.../package.json`) is
/// listed from what is installed, as trivy and syft report images: its lockfiles' entries are
/// dropped, and each installed package takes the lockfile's `dev` flag (an installed
/// `package.json` cannot tell; a package is dev only when every lockfile entry says so).
/// Lockfiles of projects without an installed tree stay as they are.
fn merge_installed_npm(packages: &mut Vec<Package>) {
    // (root, name, version) -> whether every lockfile entry says dev
    let mut locked: HashMap<(&str, &str, &str), bool> = HashMap::new();
    for p in packages
        .iter()
        .filter(|p| p.package_type == PackageType::Npm)
    {
        if let Some(root) = p.locations.first().and_then(|l| npm_lock_root(l)) {
            let dev = locked
                .entry((root, p.name.as_str(), p.version.as_str()))
                .or_insert(true);
            *dev &= p.dev;
        }
    }
    if locked.is_empty() {
        return;
    }
    // The installed package's project: the part before its first `/node_modules/`.
    let installed_root = |p: &Package| -> Option<(String, bool)> {
        let l = p.locations.first()?;
        if !l.ends_with("/package.json") || npm_lock_root(l).is_some() {
            return None;
        }
        let (root, _) = l.split_once("/node_modules/")?;
        let dev = *locked.get(&(root, p.name.as_str(), p.version.as_str()))?;
        Some((root.to_owned(), dev))
    };
    let mut installed_roots: HashSet<String> = HashSet::new();
    let mut dev_of: Vec<Option<bool>> = Vec::with_capacity(packages.len());
    for p in packages.iter() {
        let found = (p.package_type == PackageType::Npm)
            .then(|| installed_root(p))
            .flatten();
        if p.package_type == PackageType::Npm
            && let Some(l) = p.locations.first()
            && l.ends_with("/package.json")
            && let Some((root, _)) = l.split_once("/node_modules/")
        {
            installed_roots.insert(root.to_owned());
        }
        dev_of.push(found.map(|(_, dev)| dev));
    }
    for (p, dev) in packages.iter_mut().zip(&dev_of) {
        if let Some(dev) = dev {
            p.dev = *dev;
        }
    }
    packages.retain(|p| {
        if p.package_type != PackageType::Npm {
            return true;
        }
        let Some(location) = p.locations.first() else {
            return true;
        };
        // npm's hidden lockfile describes the installed tree, which is read directly.
        if location.ends_with(HIDDEN_NPM_LOCK) {
            return false;
        }
        match npm_lock_root(location) {
            // A project whose node_modules is in the image: what is installed is the truth;
            // locked packages missing from it (optional platform packages like fsevents,
            // pruned dev dependencies) are not in the image.
            Some(root) => !installed_roots.contains(root),
            None => true,
        }
    });
}

/// A runtime identified from a file an OS package owns is that OS package (Debian's
/// `/usr/bin/python3.11` is `python3.11-minimal`), matched through the distribution's
/// advisories: only runtimes installed outside the package manager stay, as syft does.
fn drop_os_owned_runtimes(packages: &mut Vec<Package>) {
    let owned: HashSet<&str> = packages
        .iter()
        .filter(|p| p.package_type.is_os())
        .flat_map(|p| p.files.iter().map(String::as_str))
        .collect();
    if owned.is_empty() {
        return;
    }
    let keep: Vec<bool> = packages
        .iter()
        .map(|p| {
            p.package_type != PackageType::Generic
                || !p.locations.iter().any(|l| owned.contains(l.as_str()))
        })
        .collect();
    let mut i = 0;
    packages.retain(|_| {
        let k = keep.get(i).copied().unwrap_or(true);
        i += 1;
        k
    });
}

/// What makes two listed packages the same package: type, name, version, arch, and for
/// language packages the manifest path.
type Identity<'a> = (PackageType, String, String, Option<String>, Option<&'a str>);

/// Fills in purl, ecosystem and location.
fn finish(f: &Found, os: Option<&OsInfo>, db_path: &str) -> Package {
    let mut pkg = f.package.clone();
    let ty = pkg.package_type;
    if !ty.is_os() {
        // Language packages carry their purl and ecosystem from the manifest, and archives
        // their nested locations.
        if pkg.locations.is_empty() {
            pkg.locations = vec![format!("/{db_path}")];
        }
        return pkg;
    }
    let namespace = distro::purl_namespace(os, ty);
    let mut qualifiers = vec![
        ("arch", pkg.arch.clone().unwrap_or_default()),
        ("distro", distro::purl_distro(os)),
    ];
    if let Some(e) = f.epoch {
        qualifiers.push(("epoch", e.to_string()));
    }
    pkg.purl = Purl {
        ty: ty.purl_type(),
        namespace: namespace.as_deref(),
        name: &pkg.name,
        version: &f.purl_version,
        qualifiers,
    }
    .render();
    pkg.ecosystem = distro::ecosystem(os, ty);
    pkg.locations = vec![format!("/{db_path}")];
    pkg
}

/// dpkg packages: files from `info/<name>[:<arch>].list`, licenses from the copyright file,
/// both as the final filesystem has them.
fn add_dpkg_files(pkg: &mut Package, view: &FinalView<'_>, visitors: &[&CatalogVisitor]) {
    let mut candidates = Vec::with_capacity(2);
    if let Some(arch) = &pkg.arch {
        candidates.push(format!("var/lib/dpkg/info/{}:{arch}.list", pkg.name));
    }
    candidates.push(format!("var/lib/dpkg/info/{}.list", pkg.name));
    for path in candidates {
        if let Some(files) = view
            .get(&path)
            .and_then(|(layer, _)| visitors.get(layer)?.lists.get(&path))
        {
            pkg.files.clone_from(files);
            break;
        }
    }
    let copyright = format!("usr/share/doc/{}/copyright", pkg.name);
    if let Ok(Some((resolved, layer))) = view.resolve(&copyright)
        && let Some(licenses) = visitors
            .get(layer)
            .and_then(|v| v.copyrights.get(&resolved))
    {
        pkg.licenses.clone_from(licenses);
    }
}

/// The OS from the final filesystem: `os-release` first (following links), then the
/// fallbacks.
fn find_os(
    view: &FinalView<'_>,
    visitors: &[&CatalogVisitor],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<OsInfo> {
    let body = |path: &str, diagnostics: &mut Vec<Diagnostic>| -> Option<(String, &[u8])> {
        match view.resolve(path) {
            Ok(Some((resolved, layer))) => {
                let bytes = visitors.get(layer)?.os_files.get(&resolved)?;
                Some((resolved, bytes.as_slice()))
            }
            Ok(None) => None,
            Err(e) => {
                diagnostics.push(Diagnostic {
                    level: DiagnosticLevel::Warning,
                    source: "os-release".into(),
                    message: format!("cannot resolve: {e}"),
                    path: Some(format!("/{path}")),
                    layer: None,
                });
                None
            }
        }
    };
    for path in os_release::PRIMARY {
        if let Some((resolved, bytes)) = body(path, diagnostics)
            && let Some(os) = os_release::parse(bytes, &resolved)
        {
            return Some(os);
        }
    }
    for (path, kind) in os_release::FALLBACKS {
        if let Some((resolved, bytes)) = body(path, diagnostics)
            && let Some(os) = os_release::parse_fallback(bytes, *kind, &resolved)
        {
            return Some(os);
        }
    }
    None
}
