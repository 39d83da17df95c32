//! OSV range evaluation on hand-built ranges and on real OSV records.
