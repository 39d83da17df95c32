//! Finds the shared test data for bosun's tests.
//!
//! The data lives outside the repository, in `../shared` beside the checkout, or wherever
//! `BOSUN_TESTDATA` points. On a user's fresh clone it is absent: tests that need it skip and
//! say so. CI sets `BOSUN_REQUIRE_TESTDATA=1`, which turns a missing folder into a failure, so
//! CI never skips them.
//!
//! ```no_run
//! fn dpkg_status_parses() {
//!     let status = bosun_testdata::require!("data/dpkg/debian-generated/bookworm-minbase-amd64/status");
//!     assert!(status.is_file());
//! }
//! ```
#![allow(clippy::print_stderr)] // the skip notice is this crate's whole point

use std::path::PathBuf;

/// The shared folder, or `None` when it is absent (and not required).
///
/// # Panics
/// When `BOSUN_REQUIRE_TESTDATA` is set and the folder is missing: CI must not skip.
#[must_use]
pub fn shared() -> Option<PathBuf> {
    let dir = match std::env::var_os("BOSUN_TESTDATA") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    if dir.join("data").is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("BOSUN_REQUIRE_TESTDATA").is_none(),
        "BOSUN_REQUIRE_TESTDATA is set but the shared test data is missing at {}",
        dir.display()
    );
    None
}

/// A path inside the shared folder (`data/dpkg/...`, `schemas/...`), or `None` with a notice on
/// stderr when the shared folder is absent.
///
/// # Panics
/// When the shared folder exists but the path does not: the test refers to data that is not
/// there, which is a bug in the test.
#[must_use]
pub fn path(rel: &str) -> Option<PathBuf> {
    let Some(dir) = shared() else {
        eprintln!(
            "skipped: shared test data not found (set BOSUN_TESTDATA to the shared folder); needed {rel}"
        );
        return None;
    };
    let p = dir.join(rel);
    assert!(p.exists(), "shared test data has no {}", p.display());
    Some(p)
}

/// Returns the path inside the shared folder, or returns from the calling test (after printing
/// why) when the shared folder is absent.
#[macro_export]
macro_rules! require {
    ($rel:expr) => {
        match $crate::path($rel) {
            Some(p) => p,
            None => return,
        }
    };
}
