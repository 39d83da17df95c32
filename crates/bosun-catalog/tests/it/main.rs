//! Integration tests of bosun-catalog against the shared real test data.
#![allow(clippy::unwrap_used, clippy::print_stderr)] // tests: unwrap is the assertion; skip notices go to stderr

mod apk;
mod attribution;
mod binaries;
mod dpkg;
mod fuzz;
mod loaded;
mod npm;
mod props;
mod purl;
mod rpm;
mod support;
