//! Which layer introduced a package.
//!
//! The rule: a package of the final filesystem was introduced by the lowest layer `L` such
//! that, after every layer from `L` up to the one that wrote the final copy of its database,
//! the database as it stood then (the topmost copy not deleted so far) listed the package
//! with the same name, version and arch. So a package upgraded in layer 3 is attributed to
//! layer 3, a package untouched since the base to layer 0, and a package removed and later
//! reinstalled to the reinstalling layer.

use std::collections::{HashMap, HashSet};

use bosun_image::{EntryKind, LayerIndex};

/// What each layer does to a handful of paths: writes them, or deletes them.
#[derive(Debug)]
pub struct PathHistory<'a> {
    layers: Vec<LayerFacts<'a>>,
}

#[derive(Debug, Default)]
struct LayerFacts<'a> {
    /// Entries at interesting paths (the database paths and their ancestors).
    entries: HashMap<&'a str, &'a EntryKind>,
    whiteouts: HashSet<&'a str>,
    opaque: HashSet<&'a str>,
}

/// `a/b/c` → `a`, `a/b` (strict ancestors).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').filter_map(|(i, _)| path.get(..i))
}

impl<'a> PathHistory<'a> {
    /// Gathers what the layers (bottom first) do to `paths` (normalized).
    #[must_use]
    pub fn new<'p>(indexes: &[&'a LayerIndex], paths: impl IntoIterator<Item = &'p str>) -> Self {
        let mut interesting: HashSet<String> = HashSet::new();
        for p in paths {
            interesting.extend(ancestors(p).map(str::to_owned));
            interesting.insert(p.to_owned());
        }
        let layers = indexes
            .iter()
            .map(|ix| LayerFacts {
                entries: ix
                    .entries
                    .iter()
                    .filter(|e| interesting.contains(e.path.as_str()))
                    .map(|e| (e.path.as_str(), &e.kind))
                    .collect(),
                whiteouts: ix.whiteouts.iter().map(String::as_str).collect(),
                opaque: ix.opaque_dirs.iter().map(String::as_str).collect(),
            })
            .collect();
        PathHistory { layers }
    }

    /// Whether `layer` writes `path` as a regular file.
    #[must_use]
    pub fn writes_file(&self, layer: usize, path: &str) -> bool {
        self.layers
            .get(layer)
            .and_then(|f| f.entries.get(path))
            .is_some_and(|k| matches!(k, EntryKind::File))
    }

    /// Whether `layer` deletes what lower layers wrote at `path`: a whiteout of it or of an
    /// ancestor, an opaque ancestor, or a non-directory written over an ancestor.
    #[must_use]
    pub fn deletes(&self, layer: usize, path: &str) -> bool {
        let Some(f) = self.layers.get(layer) else {
            return false;
        };
        if f.whiteouts.contains(path) || f.entries.contains_key(path) {
            return true;
        }
        ancestors(path).any(|a| {
            f.whiteouts.contains(a)
                || f.opaque.contains(a)
                || f.entries
                    .get(a)
                    .is_some_and(|k| !matches!(k, EntryKind::Dir))
        })
    }

    /// For each layer `0..=top`, the layer whose copy of `path` was the visible one after it
    /// was applied (`None`: no copy visible then).
    #[must_use]
    pub fn states(&self, path: &str, top: usize) -> Vec<Option<usize>> {
        let mut current = None;
        (0..=top)
            .map(|j| {
                if self.writes_file(j, path) {
                    current = Some(j);
                } else if self.deletes(j, path) {
                    current = None;
                }
                current
            })
            .collect()
    }
}

/// The lowest layer `L <= top` such that for every layer from `L` to `top` the visible copy
/// (from `states`) lists the package, according to `lists(copy_layer)`. `top` itself is
/// returned when even the final copy does not (which the caller never asks).
#[must_use]
pub fn introduced_in(
    states: &[Option<usize>],
    top: usize,
    mut lists: impl FnMut(usize) -> bool,
) -> usize {
    let mut layer = top;
    for j in (0..top).rev() {
        match states.get(j).copied().flatten() {
            Some(copy) if lists(copy) => layer = j,
            _ => break,
        }
    }
    layer
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_image::IndexEntry;

    fn file(p: &str) -> IndexEntry {
        IndexEntry {
            path: p.into(),
            kind: EntryKind::File,
            size: 1,
            mode: 0o644,
        }
    }

    #[test]
    fn whiteout_of_ancestor_clears_state() {
        let l0 = LayerIndex {
            entries: vec![file("var/lib/dpkg/status")],
            ..LayerIndex::default()
        };
        let l1 = LayerIndex {
            whiteouts: vec!["var/lib/dpkg".into()],
            ..LayerIndex::default()
        };
        let l2 = LayerIndex {
            entries: vec![file("var/lib/dpkg/status")],
            ..LayerIndex::default()
        };
        let h = PathHistory::new(&[&l0, &l1, &l2], ["var/lib/dpkg/status"]);
        assert_eq!(h.states("var/lib/dpkg/status", 2), [Some(0), None, Some(2)]);
        // Listed in both copies, but the database was gone after layer 1.
        assert_eq!(
            introduced_in(&h.states("var/lib/dpkg/status", 2), 2, |_| true),
            2
        );
    }

    #[test]
    fn opaque_dir_in_same_layer_keeps_own_entry() {
        let l0 = LayerIndex {
            entries: vec![file("lib/apk/db/installed")],
            ..LayerIndex::default()
        };
        let l1 = LayerIndex {
            entries: vec![file("lib/apk/db/installed")],
            opaque_dirs: vec!["lib/apk".into()],
            ..LayerIndex::default()
        };
        let h = PathHistory::new(&[&l0, &l1], ["lib/apk/db/installed"]);
        assert_eq!(h.states("lib/apk/db/installed", 1), [Some(0), Some(1)]);
    }
}
