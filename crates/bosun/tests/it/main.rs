//! End-to-end tests of the `bosun` binary on images built from the shared real data.
#![allow(clippy::unwrap_used)] // a failing unwrap is a failing test

mod lang;
mod progress;
mod sbom;
mod scan;
mod support;
mod vuln;
