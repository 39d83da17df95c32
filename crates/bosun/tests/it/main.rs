//! End-to-end tests of the `bosun` binary on images built from the shared real data.

mod sbom;
mod support;
