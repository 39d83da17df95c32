//! Readers for rpm databases: SQLite, NDB and BerkeleyDB hash, and rpm header blobs.
