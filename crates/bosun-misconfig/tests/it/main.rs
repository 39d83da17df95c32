//! Integration tests of bosun-misconfig: each rule positive and negative, and whole image
//! configs shaped like real images' (fixtures in tests/fixtures).
#![allow(clippy::unwrap_used)]

mod fixtures;
mod rules;

use bosun_misconfig::{Checker, Config, ImageFacts, Misconfiguration};

pub(crate) fn checker() -> &'static Checker {
    static C: std::sync::OnceLock<Checker> = std::sync::OnceLock::new();
    C.get_or_init(|| Checker::new(Config::default()).unwrap())
}

/// Facts of a well-configured image: no rule fires on it.
pub(crate) fn clean() -> ImageFacts {
    ImageFacts {
        user: "app".to_owned(),
        healthcheck: Some(bosun_misconfig::Healthcheck {
            test: vec!["CMD".into(), "true".into()],
        }),
        ..ImageFacts::default()
    }
}

pub(crate) fn ids(found: &[Misconfiguration]) -> Vec<&str> {
    let mut v: Vec<&str> = found.iter().map(|m| m.id.as_str()).collect();
    v.dedup();
    v
}
