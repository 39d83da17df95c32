//! Bodies of the fuzz targets (`crates/bosun-image/fuzz`), public so that property tests run
//! the same code on stable. None of them may panic, whatever the input.

use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{
    EntryKind, EntryMeta, FinalView, Image, IndexEntry, LayerIndex, LayerMeta, LayerVisitor,
    Limits, OpenOptions, Source, VisitorFactory,
};

/// Parses the bytes as every JSON document of an image.
pub fn json(data: &[u8]) {
    let _ = crate::parse_docker_manifest(data);
    let _ = crate::parse_index(data);
    let _ = crate::parse_manifest(data);
    if let Ok(c) = crate::parse_config(data) {
        let _ = c.platform();
    }
}

/// Reads every body it is offered, to the end.
struct ReadAll;

impl LayerVisitor for ReadAll {
    fn wants(&mut self, _: &EntryMeta<'_>) -> bool {
        true
    }
    fn visit(&mut self, _: &EntryMeta<'_>, body: &mut dyn Read) {
        let _ = std::io::copy(body, &mut std::io::sink());
    }
}

impl VisitorFactory for ReadAll {
    type Visitor = ReadAll;
    fn visitor(&self, _: &LayerMeta) -> ReadAll {
        ReadAll
    }
}

/// Small limits, so that hostile inputs stay cheap.
#[must_use]
pub fn small_limits() -> Limits {
    Limits {
        max_layer_bytes: 64 << 20,
        max_ratio: 100,
        ratio_grace_bytes: 1 << 20,
        max_json_bytes: 1 << 20,
        max_entries: 10_000,
    }
}

/// Opens the bytes as an archive (as a docker archive, then as an OCI archive, and as
/// whatever [`Source::parse`] says), walks it and resolves every path of the final view.
/// Returns how many images opened and walked.
pub fn archive(data: &[u8]) -> usize {
    static N: AtomicU64 = AtomicU64::new(0);
    let path: PathBuf = std::env::temp_dir().join(format!(
        "bosun-image-fuzz-{}-{}.tar",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    if std::fs::write(&path, data).is_err() {
        return 0;
    }
    let opts = OpenOptions {
        limits: small_limits(),
        ..OpenOptions::default()
    };
    let mut ok = 0;
    let mut sources = vec![
        Source::DockerArchive(path.clone()),
        Source::OciArchive(path.clone()),
    ];
    if let Some(s) = path.to_str().and_then(|p| Source::parse(p).ok()) {
        sources.push(s);
    }
    for src in &sources {
        let Ok(image) = Image::open(src, &opts) else {
            continue;
        };
        let _ = image.source_info();
        if let Ok(walks) = image.walk(&ReadAll) {
            ok += 1;
            let view = FinalView::from_walks(&walks);
            for (_, e) in view.iter().take(1000) {
                let _ = view.resolve(&e.path);
            }
        }
    }
    let _ = std::fs::remove_file(&path);
    ok
}

/// Builds layers of files, directories, symlinks, whiteouts and opaque directories from the
/// bytes (over a small alphabet of names, so that links meet), then resolves every path.
pub fn final_view(data: &[u8]) {
    const NAMES: [&str; 8] = ["a", "b", "c", "..", ".", "", "/", "d/e"];
    let name = |b: u8| {
        NAMES
            .get(usize::from(b) % NAMES.len())
            .copied()
            .unwrap_or("a")
    };
    let mut layers = vec![LayerIndex::default()];
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let &[op, x, y, z] = chunk else {
            continue;
        };
        let path = FinalView::normalize(&format!("{}/{}", name(x), name(y)))
            .unwrap_or_else(|| "a".to_owned());
        let Some(layer) = layers.last_mut() else {
            break;
        };
        let kind = match op % 6 {
            0 => EntryKind::File,
            1 => EntryKind::Dir,
            2 => EntryKind::Symlink(format!("{}/{}", name(z), name(x))),
            3 => {
                layer.whiteouts.push(path);
                continue;
            }
            4 => {
                layer.opaque_dirs.push(path);
                continue;
            }
            _ => {
                layers.push(LayerIndex::default());
                continue;
            }
        };
        layer.entries.push(IndexEntry {
            path,
            kind,
            size: 0,
            mode: 0o644,
        });
    }
    let refs: Vec<&LayerIndex> = layers.iter().collect();
    let view = FinalView::new(&refs);
    let paths: Vec<String> = view.iter().map(|(_, e)| e.path.clone()).collect();
    for p in &paths {
        let _ = view.resolve(p);
        let _ = view.resolve(&format!("/{p}/../{p}"));
        let _ = view.present_in_final(0, p);
    }
}
