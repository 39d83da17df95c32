//! Integration tests of bosun-match: expectations come from the records themselves, walked
//! by a small independent implementation of the OSV range rules.

mod distro;
mod merge;
mod oracle;
mod ranges;
