//! The final filesystem of an image: layer indexes merged bottom-up with their whiteouts.

use std::collections::BTreeMap;
use std::ops::Bound;

use crate::path::{join, normalize_rooted, parent};
use crate::{EntryKind, ImageError, IndexEntry, LayerIndex, LayerWalk};

/// Most symbolic links followed while resolving one path, as Linux does (`ELOOP`).
pub const MAX_LINK_HOPS: usize = 40;

/// The final filesystem: for every path still visible, the layer that wrote it and its entry.
///
/// Whiteouts and opaque directories of layer `i` hide what layers below `i` wrote; entries of
/// layer `i` itself stay. A non-directory written over a directory hides what lower layers had
/// under it, as extracting the layer would.
///
/// ```
/// use bosun_image::{EntryKind, FinalView, IndexEntry, LayerIndex};
/// let file = |p: &str| IndexEntry { path: p.into(), kind: EntryKind::File, size: 0, mode: 0o644 };
/// let base = LayerIndex { entries: vec![file("etc/a"), file("etc/b")], ..Default::default() };
/// let top = LayerIndex { whiteouts: vec!["etc/a".into()], ..Default::default() };
/// let view = FinalView::new(&[&base, &top]);
/// assert!(view.get("etc/a").is_none());
/// assert_eq!(view.get("/etc/b").map(|(layer, _)| layer), Some(0));
/// ```
#[derive(Debug, Clone, Default)]
pub struct FinalView<'a> {
    map: BTreeMap<&'a str, (usize, &'a IndexEntry)>,
}

impl<'a> FinalView<'a> {
    /// Merges layer indexes, bottom (index 0) first.
    #[must_use]
    pub fn new(indexes: &[&'a LayerIndex]) -> Self {
        let mut view = FinalView {
            map: BTreeMap::new(),
        };
        for (layer, index) in indexes.iter().enumerate() {
            view.apply(layer, index);
        }
        view
    }

    /// Merges the indexes of a walk.
    #[must_use]
    pub fn from_walks<V>(walks: &'a [LayerWalk<V>]) -> Self {
        let indexes: Vec<&LayerIndex> = walks.iter().map(|w| &w.index).collect();
        Self::new(&indexes)
    }

    fn apply(&mut self, layer: usize, index: &'a LayerIndex) {
        for dir in &index.opaque_dirs {
            self.remove_under(dir, layer);
        }
        for path in &index.whiteouts {
            if self.map.get(path.as_str()).is_some_and(|(l, _)| *l < layer) {
                self.map.remove(path.as_str());
            }
            self.remove_under(path, layer);
        }
        for entry in &index.entries {
            if entry.kind != EntryKind::Dir {
                self.remove_under(&entry.path, layer);
            }
            self.map.insert(entry.path.as_str(), (layer, entry));
        }
    }

    /// Removes what layers below `layer` wrote strictly under `dir` (`""` is the root).
    fn remove_under(&mut self, dir: &str, layer: usize) {
        let doomed: Vec<&'a str> = if dir.is_empty() {
            self.map
                .iter()
                .filter(|(_, (l, _))| *l < layer)
                .map(|(k, _)| *k)
                .collect()
        } else {
            let prefix = format!("{dir}/");
            self.map
                .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
                .take_while(|(k, _)| k.starts_with(prefix.as_str()))
                .filter(|(_, (l, _))| *l < layer)
                .map(|(k, _)| *k)
                .collect()
        };
        for k in doomed {
            self.map.remove(k);
        }
    }

    /// The layer and entry visible at `path` (normalized; a leading `/` is accepted), without
    /// following links.
    #[must_use]
    pub fn get(&self, path: &str) -> Option<(usize, &'a IndexEntry)> {
        self.map.get(path.trim_start_matches('/')).copied()
    }

    /// Whether the entry that `layer` wrote at `path` is still the visible one.
    #[must_use]
    pub fn present_in_final(&self, layer: usize, path: &str) -> bool {
        self.get(path).is_some_and(|(l, _)| l == layer)
    }

    /// Every visible entry, in path order, with the layer that wrote it.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &'a IndexEntry)> + '_ {
        self.map.values().copied()
    }

    /// Number of visible entries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether nothing is visible.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Follows symbolic links (in intermediate directories and at the end) inside the image
    /// root, as the kernel does in a chroot: absolute targets start at the root and `..` above
    /// the root stays at the root. Returns the resolved path and the layer that wrote it, or
    /// `None` when the path does not exist in the final filesystem (or crosses a non-directory).
    /// Hard links are not followed. More than [`MAX_LINK_HOPS`] links is an error.
    pub fn resolve(&self, path: &str) -> Result<Option<(String, usize)>, ImageError> {
        // Pending components, last one on top.
        let mut stack: Vec<&str> = path.rsplit('/').collect();
        let mut cur = String::new();
        let mut hops = 0usize;
        while let Some(comp) = stack.pop() {
            match comp {
                "" | "." => continue,
                ".." => {
                    let len = parent(&cur).len();
                    cur.truncate(len);
                    continue;
                }
                _ => {}
            }
            let next = join(&cur, comp);
            match self.map.get(next.as_str()) {
                Some((_, entry)) => match &entry.kind {
                    EntryKind::Symlink(target) => {
                        hops += 1;
                        if hops > MAX_LINK_HOPS {
                            return Err(ImageError::LinkLoop {
                                path: path.to_owned(),
                            });
                        }
                        if target.starts_with('/') {
                            cur.clear();
                        }
                        stack.extend(target.rsplit('/'));
                    }
                    EntryKind::Dir => cur = next,
                    _ if stack.is_empty() => cur = next,
                    _ => return Ok(None),
                },
                // Directories are often implicit in layer tars: keep walking.
                None => cur = next,
            }
        }
        if cur.is_empty() {
            return Ok(None);
        }
        Ok(self.map.get(cur.as_str()).map(|(l, _)| (cur.clone(), *l)))
    }

    /// Like [`FinalView::get`] after [`FinalView::resolve`]: the entry a path finally designates.
    pub fn resolve_entry(&self, path: &str) -> Result<Option<(usize, &'a IndexEntry)>, ImageError> {
        Ok(self.resolve(path)?.and_then(|(p, _)| self.get(&p)))
    }

    /// Normalizes `path` like [`crate::normalize_entry_name`] but accepting a leading `/`.
    #[must_use]
    pub fn normalize(path: &str) -> Option<String> {
        normalize_rooted(path).ok().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(path: &str, kind: EntryKind) -> IndexEntry {
        IndexEntry {
            path: path.into(),
            kind,
            size: 0,
            mode: 0o644,
        }
    }
    fn f(path: &str) -> IndexEntry {
        e(path, EntryKind::File)
    }
    fn d(path: &str) -> IndexEntry {
        e(path, EntryKind::Dir)
    }
    fn l(path: &str, t: &str) -> IndexEntry {
        e(path, EntryKind::Symlink(t.into()))
    }

    #[test]
    fn whiteout_removes_subtree_of_lower_layers_only() {
        let base = LayerIndex {
            entries: vec![d("a"), f("a/x"), f("a/y"), f("ab")],
            ..Default::default()
        };
        let top = LayerIndex {
            entries: vec![d("a"), f("a/z")],
            whiteouts: vec!["a".into()],
            ..Default::default()
        };
        let v = FinalView::new(&[&base, &top]);
        let paths: Vec<_> = v.iter().map(|(l, e)| (l, e.path.as_str())).collect();
        assert_eq!(paths, [(1, "a"), (1, "a/z"), (0, "ab")]);
    }

    #[test]
    fn opaque_dir_hides_lower_children() {
        let base = LayerIndex {
            entries: vec![d("a"), f("a/x"), f("b")],
            ..Default::default()
        };
        let top = LayerIndex {
            entries: vec![f("a/new")],
            opaque_dirs: vec!["a".into()],
            ..Default::default()
        };
        let v = FinalView::new(&[&base, &top]);
        assert!(v.get("a/x").is_none());
        assert!(v.present_in_final(0, "a"));
        assert!(v.present_in_final(1, "a/new"));
        assert!(v.present_in_final(0, "b"));
    }

    #[test]
    fn file_over_dir_hides_children() {
        let base = LayerIndex {
            entries: vec![d("a"), f("a/x")],
            ..Default::default()
        };
        let top = LayerIndex {
            entries: vec![f("a")],
            ..Default::default()
        };
        let v = FinalView::new(&[&base, &top]);
        assert_eq!(v.len(), 1);
        assert!(!v.present_in_final(0, "a"));
    }

    #[test]
    fn resolves_links_inside_root() {
        let base = LayerIndex {
            entries: vec![
                d("usr"),
                d("usr/lib"),
                f("usr/lib/os-release"),
                d("etc"),
                l("etc/os-release", "../usr/lib/os-release"),
                l("lib", "usr/lib"),
                l("abs", "/usr/lib/os-release"),
                l("escape", "../../../../usr/lib/os-release"),
                l("loop1", "loop2"),
                l("loop2", "loop1"),
                l("dangling", "nowhere"),
            ],
            ..Default::default()
        };
        let v = FinalView::new(&[&base]);
        let r = |p: &str| v.resolve(p).unwrap().map(|(p, _)| p);
        assert_eq!(r("etc/os-release").as_deref(), Some("usr/lib/os-release"));
        assert_eq!(r("/lib/os-release").as_deref(), Some("usr/lib/os-release"));
        assert_eq!(r("abs").as_deref(), Some("usr/lib/os-release"));
        assert_eq!(r("escape").as_deref(), Some("usr/lib/os-release"));
        assert_eq!(r("dangling"), None);
        assert_eq!(r("usr/lib/os-release/x"), None);
        assert!(matches!(
            v.resolve("loop1"),
            Err(ImageError::LinkLoop { .. })
        ));
    }
}
