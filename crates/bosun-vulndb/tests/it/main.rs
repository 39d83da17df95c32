//! Integration tests of bosun-vulndb against the shared OSV data.

mod common;
mod corrupt;
mod feeds;
mod import;
mod lookup;
