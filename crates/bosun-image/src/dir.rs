//! Walking a root filesystem directory as one pseudo-layer.

use std::fs::{self, File, Metadata};
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::path::join;
use crate::{EntryKind, EntryMeta, ImageError, IndexEntry, LayerIndex, LayerVisitor, Limits};

/// Sorted children of a directory; unreadable directories have none.
fn children(dir: &Path) -> std::vec::IntoIter<(String, Metadata)> {
    let mut out: Vec<(String, Metadata)> = match fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .filter_map(|e| {
                let meta = e.metadata().ok()?; // does not follow symlinks
                Some((e.file_name().to_string_lossy().into_owned(), meta))
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    out.into_iter()
}

/// Walks `root` depth-first in name order, never following symbolic links (they are recorded
/// with their target) and never leaving `root`.
pub(crate) fn walk_dir<V: LayerVisitor>(
    root: &Path,
    limits: &Limits,
    visitor: &mut V,
) -> Result<LayerIndex, ImageError> {
    fs::read_dir(root).map_err(|e| ImageError::io(root, e))?;
    let root_dev = fs::metadata(root)
        .map_err(|e| ImageError::io(root, e))?
        .dev();
    let mut index = LayerIndex::default();
    let mut stack = vec![(String::new(), children(root))];
    let mut count = 0u64;
    while let Some((dir, iter)) = stack.last_mut() {
        let Some((name, meta)) = iter.next() else {
            stack.pop();
            continue;
        };
        count += 1;
        if count > limits.max_entries {
            return Err(ImageError::TooManyEntries {
                layer: format!("directory {}", root.display()),
                limit: limits.max_entries,
            });
        }
        let path = join(dir, &name);
        let full = root.join(&path);
        let ft = meta.file_type();
        let mode = meta.mode() & 0o7777;
        let (kind, size) = if ft.is_symlink() {
            let target = fs::read_link(&full)
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            (EntryKind::Symlink(target), 0)
        } else if ft.is_dir() {
            (EntryKind::Dir, 0)
        } else if ft.is_file() {
            (EntryKind::File, meta.len())
        } else {
            (EntryKind::Other, 0)
        };
        if kind == EntryKind::File {
            let em = EntryMeta {
                path: &path,
                size,
                mode,
                kind: &kind,
            };
            if visitor.wants(&em)
                && let Ok(f) = File::open(&full)
            {
                visitor.visit(&em, &mut f.take(size));
            }
        }
        if kind == EntryKind::Dir {
            // A live root (`dir:/`) has kernel filesystems mounted here: their contents are not
            // the image's, and /proc never ends. A plain rootfs copy has them empty.
            let pseudo = dir.is_empty()
                && matches!(name.as_str(), "proc" | "sys" | "dev")
                && meta.dev() != root_dev;
            let kids = if pseudo {
                Vec::new().into_iter()
            } else {
                children(&full)
            };
            index.entries.push(IndexEntry {
                path: path.clone(),
                kind,
                size,
                mode,
            });
            stack.push((path, kids));
        } else {
            index.entries.push(IndexEntry {
                path,
                kind,
                size,
                mode,
            });
        }
    }
    Ok(index)
}
