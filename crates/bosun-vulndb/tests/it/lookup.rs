//! Lookups return exactly the records naming the package, computed by scanning the files.

use crate::common::{files, full, json};
use std::collections::{BTreeMap, BTreeSet};

fn pep503(n: &str) -> String {
    let mut out = String::new();
    for part in n
        .to_lowercase()
        .split(['-', '_', '.'])
        .filter(|p| !p.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(part);
    }
    out
}

#[test]
fn lookup_returns_exactly_the_records_naming_the_package() {
    let Some(f) = full() else { return };
    // (ecosystem as written, name) -> ids, from every JSON record outside the linter samples.
    let mut by_pkg: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for folder in [
        "go",
        "crates.io",
        "ghsa-npm",
        "maven-ghsa-bundle",
        "distro-samples",
        "redhat",
        "alpine-converted",
        "debian-converted",
        "osv-linter-samples",
        "pypi",
        "ghsa-conversion-pairs",
    ] {
        let mut all = files(&f.osv.join(folder), ".json");
        all.extend(files(&f.osv.join(folder), ".yaml"));
        for p in all {
            let s = p.to_string_lossy();
            // The linter variants reuse their sample's id; the first copy (same `modified`)
            // is the one kept, so the variants name nothing.
            if s.contains("csaf-")
                || (folder == "ghsa-conversion-pairs" && !s.ends_with(".osv.json"))
                || ["nointroduced-", "nondistinct-", "nopackage-"]
                    .iter()
                    .any(|v| s.contains(v))
            {
                continue;
            }
            let v = if s.ends_with(".yaml") {
                serde_saphyr::from_str::<serde_json::Value>(
                    &std::fs::read_to_string(&p).expect("read"),
                )
                .expect("yaml")
            } else {
                json(&p)
            };
            let recs = match v["vulns"].as_array() {
                Some(a) => a.clone(),
                None => vec![v],
            };
            for r in recs {
                let id = r["id"].as_str().expect("id").to_string();
                for a in r["affected"].as_array().into_iter().flatten() {
                    let (Some(e), Some(n)) = (
                        a["package"]["ecosystem"].as_str(),
                        a["package"]["name"].as_str(),
                    ) else {
                        continue;
                    };
                    by_pkg
                        .entry((e.to_string(), n.to_string()))
                        .or_default()
                        .insert(id.clone());
                }
            }
        }
    }
    let mut checked = 0;
    for (eco, name) in by_pkg.keys() {
        let base = eco.split(':').next().expect("base");
        let norm = |n: &str| {
            if base == "PyPI" {
                pep503(n)
            } else {
                n.to_string()
            }
        };
        // Expected: records naming the same name in the same ecosystem, or in the bare base
        // ecosystem (which applies to every release).
        let want: BTreeSet<String> = by_pkg
            .iter()
            .filter(|((e, n), _)| (e == eco || e == base) && norm(n) == norm(name))
            .flat_map(|(_, ids)| ids.iter().cloned())
            .collect();
        let got: BTreeSet<String> =
            f.db.lookup(eco, name)
                .expect("lookup")
                .into_iter()
                .map(|a| a.id)
                .collect();
        assert_eq!(got, want, "{eco} {name}");
        checked += 1;
    }
    assert!(checked > 3000, "{checked} packages checked");
    assert!(
        f.db.lookup("Debian:12", "no-such-package")
            .expect("lookup")
            .is_empty()
    );
}

#[test]
fn debian_release_filters_and_bare_release_matches_all() {
    let Some(f) = full() else { return };
    let d12 = f.db.lookup("Debian:12", "bash").expect("lookup");
    let d11 = f.db.lookup("Debian:11", "bash").expect("lookup");
    let all = f.db.lookup("Debian", "bash").expect("lookup");
    assert!(d12.iter().all(|a| {
        a.affected
            .iter()
            .any(|x| x.package.ecosystem == "Debian:12")
    }));
    assert!(d11.iter().all(|a| {
        a.affected
            .iter()
            .any(|x| x.package.ecosystem == "Debian:11")
    }));
    assert!(all.len() >= d12.len().max(d11.len()));
}

#[test]
fn aliases_are_indexed() {
    let Some(f) = full() else { return };
    // ALPINE-CVE-* records name their CVE in `upstream`.
    let p = files(&f.osv.join("alpine-converted"), ".json");
    let first = json(p.first().expect("alpine record"));
    let cve = first["upstream"][0].as_str().expect("upstream");
    let hits = f.db.by_alias(cve).expect("by_alias");
    assert!(
        hits.iter()
            .any(|a| Some(a.id.as_str()) == first["id"].as_str())
    );
}
