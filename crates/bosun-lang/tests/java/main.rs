//! Java archives: the shared JAR fixtures against their upstream projects' expected lists,
//! archives built here (nested ear -> war -> jar, zip bombs, deep nesting), and the fuzz body
//! under proptest.
#![allow(clippy::unwrap_used, clippy::print_stderr)] // tests: unwrap is the assertion

mod build;
mod fixtures;
mod hostile;
mod manifest;
mod nested;

use std::collections::BTreeSet;

use bosun_lang::java::JavaPackage;

/// `(name, version)` pairs.
fn pairs(pkgs: &[JavaPackage]) -> BTreeSet<(String, String)> {
    pkgs.iter()
        .map(|p| (p.package.name.clone(), p.package.version.clone()))
        .collect()
}

fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}
