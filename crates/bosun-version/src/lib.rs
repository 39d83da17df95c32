//! Version parsing, ordering and OSV ranges for every ecosystem.
