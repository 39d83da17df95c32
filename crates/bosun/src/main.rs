//! The bosun command line: argument parsing, progress, exit codes; nothing else.

fn main() {}
