//! Shared helpers: one full database built once per test binary.

use bosun_vulndb::{Db, DbBuilder, ImportStats};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub(crate) struct Full {
    _dir: tempfile::TempDir,
    pub(crate) db: Db,
    pub(crate) stats: ImportStats,
    pub(crate) osv: PathBuf,
}

static FULL: OnceLock<Option<Full>> = OnceLock::new();

/// The database built from all of `data/osv` (None when the shared data is absent).
pub(crate) fn full() -> Option<&'static Full> {
    FULL.get_or_init(|| {
        let osv = bosun_testdata::path("data/osv")?;
        let dir = tempfile::tempdir().expect("tempdir");
        let mut b = DbBuilder::new();
        let stats = b.add_path(&osv).expect("import");
        b.write(dir.path()).expect("write");
        let db = Db::open(dir.path()).expect("open");
        Some(Full {
            _dir: dir,
            db,
            stats,
            osv,
        })
    })
    .as_ref()
}

/// Files under `dir` (recursive) whose name ends with `suffix`, sorted.
pub(crate) fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(suffix) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub(crate) fn json(p: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(p).expect("read")).expect("json")
}
