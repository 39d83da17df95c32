//! rpm: the purl, ecosystem and source mapping on real databases read through bosun_rpmdb,
//! checked row by row against the `rpm -qa` lists beside them.

use bosun_catalog::inventory::build;
use bosun_inventory::{Package, SourceInfo};

use crate::support::layer;

/// `(epoch, name, version, release, arch, sourcerpm)` rows of an expected list.
fn expected(text: &str) -> Vec<[String; 6]> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            [f[0], f[1], f[2], f[3], f[4], f[5]].map(str::to_owned)
        })
        .filter(|r| r[1] != "gpg-pubkey")
        .collect()
}

fn check(
    db_rel: &str,
    db_path: &str,
    list_rel: &str,
    os_release: &str,
    ns: &str,
    distro: &str,
    eco: &str,
) {
    let db = std::fs::read(bosun_testdata::require!(db_rel)).unwrap();
    let list = std::fs::read_to_string(bosun_testdata::require!(list_rel)).unwrap();
    let walks = [layer(
        0,
        &[(db_path, &db), ("etc/os-release", os_release.as_bytes())],
        &[],
    )];
    let inv = build(&walks, SourceInfo::default(), Vec::new());
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let rows = expected(&list);
    assert_eq!(inv.packages.len(), rows.len(), "{db_rel}");
    for r in rows {
        let [epoch, name, version, release, arch, srpm] = r;
        let p: &Package = inv
            .packages
            .iter()
            .find(|p| p.name == name && p.arch.as_deref() == Some(arch.as_str()))
            .unwrap_or_else(|| panic!("{name} missing"));
        let evr = if epoch.is_empty() {
            format!("{version}-{release}")
        } else {
            format!("{epoch}:{version}-{release}")
        };
        assert_eq!(p.version, evr);
        let enc = |s: &str| s.replace('+', "%2B").replace('^', "%5E");
        let mut purl = format!(
            "pkg:rpm/{ns}/{}@{}-{}?arch={arch}&distro={distro}",
            enc(&name),
            enc(&version),
            enc(&release)
        );
        if !epoch.is_empty() {
            purl.push_str(&format!("&epoch={epoch}"));
        }
        assert_eq!(p.purl, purl);
        assert_eq!(p.ecosystem.as_deref(), Some(eco));
        let stem = srpm.strip_suffix(".src.rpm").unwrap();
        let mut parts = stem.rsplitn(3, '-');
        let (sr, sv, sn) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        assert_eq!(p.source_name.as_deref(), Some(sn), "{name}");
        let sevr = if epoch.is_empty() {
            format!("{sv}-{sr}")
        } else {
            format!("{epoch}:{sv}-{sr}")
        };
        assert_eq!(p.source_version.as_deref(), Some(sevr.as_str()));
        assert_eq!(p.locations, [format!("/{db_path}")]);
    }
}

#[test]
fn cbl_mariner_sqlite_mapping() {
    check(
        "data/rpmdb/cbl-mariner-2.0/rpmdb.sqlite",
        "var/lib/rpm/rpmdb.sqlite",
        "data/rpmdb/cbl-mariner-2.0/expected-rpm-qa.tsv",
        "NAME=\"Common Base Linux Mariner\"\nVERSION=\"2.0.20220527\"\nID=mariner\nVERSION_ID=\"2.0\"\nPRETTY_NAME=\"CBL-Mariner/Linux\"\n",
        "mariner",
        "mariner-2.0",
        "Azure Linux:2.0",
    );
}

#[test]
fn sle15_ndb_mapping() {
    check(
        "data/rpmdb/sle15-bci/Packages.db",
        "usr/lib/sysimage/rpm/Packages.db",
        "data/rpmdb/sle15-bci/expected-packages.tsv",
        "NAME=\"SLES\"\nVERSION=\"15-SP3\"\nVERSION_ID=\"15.3\"\nPRETTY_NAME=\"SUSE Linux Enterprise Server 15 SP3\"\nID=\"sles\"\nID_LIKE=\"suse\"\n",
        "suse",
        "sles-15.3",
        "SUSE:SUSE Linux Enterprise Server 15 SP3",
    );
}

#[test]
fn readable_rpm_database_preferred_over_a_corrupt_better_one() {
    let db = std::fs::read(bosun_testdata::require!(
        "data/rpmdb/cbl-mariner-2.0/rpmdb.sqlite"
    ))
    .unwrap();
    let walks = [layer(
        0,
        &[
            ("usr/lib/sysimage/rpm/rpmdb.sqlite", b"not a database"),
            ("var/lib/rpm/rpmdb.sqlite", &db),
        ],
        &[],
    )];
    let inv = build(&walks, SourceInfo::default(), Vec::new());
    assert!(!inv.packages.is_empty());
    assert!(
        inv.packages
            .iter()
            .all(|p| p.locations == ["/var/lib/rpm/rpmdb.sqlite"])
    );
    assert_eq!(
        inv.diagnostics.len(),
        1,
        "the corrupt one is still reported"
    );
    // Without an OS, rpm purls carry no namespace and no distro.
    assert!(
        inv.packages[0]
            .purl
            .starts_with(&format!("pkg:rpm/{}@", inv.packages[0].name))
    );
    assert_eq!(inv.packages[0].ecosystem, None);
}
