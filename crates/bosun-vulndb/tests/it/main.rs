//! Integration tests of bosun-vulndb against the shared OSV data.

mod codec;
mod common;
mod corrupt;
mod feeds;
mod import;
mod lookup;
mod sections;
