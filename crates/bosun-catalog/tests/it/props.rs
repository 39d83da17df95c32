//! Properties of the parsers on generated well-formed input: whatever the line endings,
//! continuation lines, field order and final newline, what was written is what is read.

use bosun_catalog::{apk, dpkg, os_release};
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9+.-]{0,20}"
}

fn version() -> impl Strategy<Value = String> {
    "([1-9]:)?[0-9][0-9a-z.+~]{0,10}(-[0-9a-z.+~]{1,6})?"
}

#[derive(Debug, Clone)]
struct Pkg {
    name: String,
    version: String,
    installed: bool,
    source: Option<(String, Option<String>)>,
    description_lines: usize,
}

fn pkg() -> impl Strategy<Value = Pkg> {
    (
        name(),
        version(),
        any::<bool>(),
        proptest::option::of((name(), proptest::option::of(version()))),
        0usize..4,
    )
        .prop_map(
            |(name, version, installed, source, description_lines)| Pkg {
                name,
                version,
                installed,
                source,
                description_lines,
            },
        )
}

proptest! {
    #[test]
    fn dpkg_status_round_trips(
        pkgs in proptest::collection::vec(pkg(), 0..12),
        crlf in any::<bool>(),
        trailing_newline in any::<bool>(),
        version_first in any::<bool>(),
    ) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut paragraphs = Vec::new();
        for p in &pkgs {
            let mut lines = vec![format!("Package: {}", p.name)];
            let status = if p.installed { "install ok installed" } else { "deinstall ok config-files" };
            let v = format!("Version: {}", p.version);
            if version_first { lines.insert(0, v); } else { lines.push(v); }
            lines.push(format!("Status: {status}"));
            if let Some((n, v)) = &p.source {
                lines.push(match v { Some(v) => format!("Source: {n} ({v})"), None => format!("Source: {n}") });
            }
            lines.push("Description: short".into());
            for i in 0..p.description_lines {
                lines.push(if i == 1 { " .".into() } else { format!(" continued: line {i}") });
            }
            paragraphs.push(lines.join(nl));
        }
        let mut text = paragraphs.join(&format!("{nl}{nl}"));
        if trailing_newline && !text.is_empty() {
            text.push_str(nl);
        }
        let db = dpkg::parse_status(text.as_bytes()).unwrap();
        let got: Vec<_> = db.installed().map(|e| (e.package.clone(), e.version.clone(), e.source_name.clone(), e.source_version.clone())).collect();
        let want: Vec<_> = pkgs.iter().filter(|p| p.installed).map(|p| {
            let (sn, sv) = match &p.source {
                Some((n, Some(v))) => (n.clone(), v.clone()),
                Some((n, None)) => (n.clone(), p.version.clone()),
                None => (p.name.clone(), p.version.clone()),
            };
            (p.name.clone(), p.version.clone(), sn, sv)
        }).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn apk_installed_round_trips(
        pkgs in proptest::collection::vec((name(), "[0-9][0-9a-z._]{0,8}-r[0-9]{1,2}", proptest::collection::vec(("[a-z]{1,6}", proptest::collection::vec("[a-z0-9._-]{1,8}", 0..3)), 0..3)), 0..10),
        crlf in any::<bool>(),
    ) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut text = String::new();
        for (n, v, dirs) in &pkgs {
            text.push_str(&format!("C:Q1abc={nl}P:{n}{nl}V:{v}{nl}A:x86_64{nl}"));
            for (d, files) in dirs {
                text.push_str(&format!("F:{d}{nl}"));
                for f in files {
                    text.push_str(&format!("R:{f}{nl}Z:Q1xyz={nl}"));
                }
            }
            text.push_str(nl);
        }
        let db = apk::parse_installed(text.as_bytes()).unwrap();
        prop_assert!(db.skipped.is_empty());
        let got: Vec<_> = db.entries.iter().map(|e| (e.name.clone(), e.version.clone(), e.files.clone())).collect();
        let want: Vec<_> = pkgs.iter().map(|(n, v, dirs)| {
            let files = dirs.iter().flat_map(|(d, fs)| fs.iter().map(move |f| format!("/{d}/{f}"))).collect::<Vec<_>>();
            (n.clone(), v.clone(), files)
        }).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn os_release_values_survive_quoting(
        id in "[a-z][a-z0-9_-]{0,10}",
        pretty in "[ -~]{0,30}",
        quote in 0u8..3,
    ) {
        let q = |s: &str| match quote {
            0 => format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"").replace('$', "\\$").replace('`', "\\`")),
            1 => format!("'{}'", s.replace('\'', "")),
            _ => s.chars().filter(|c| c.is_ascii_alphanumeric() || "_-.".contains(*c)).collect(),
        };
        let expected_pretty: String = match quote {
            0 => pretty.clone(),
            1 => pretty.replace('\'', ""),
            _ => pretty.chars().filter(|c| c.is_ascii_alphanumeric() || "_-.".contains(*c)).collect(),
        };
        let text = format!("ID={}\nPRETTY_NAME={}\n", q(&id), q(&pretty));
        let os = os_release::parse(text.as_bytes(), "etc/os-release").unwrap();
        prop_assert_eq!(os.id, id);
        prop_assert_eq!(os.pretty_name.unwrap_or_default(), expected_pretty);
    }
}

#[test]
fn official_debian_os_release_agrees_with_debian_version() {
    let dir = bosun_testdata::require!("data/dpkg/debian-official-image-manifests");
    for d in std::fs::read_dir(dir).unwrap() {
        let d = d.unwrap().path();
        let os = os_release::parse(
            &std::fs::read(d.join("rootfs.os-release")).unwrap(),
            "etc/os-release",
        )
        .unwrap();
        let fb = os_release::parse_fallback(
            &std::fs::read(d.join("rootfs.debian_version")).unwrap(),
            os_release::Fallback::Debian,
            "etc/debian_version",
        )
        .unwrap();
        assert_eq!(os.id, "debian");
        assert_eq!(fb.id, "debian");
        assert_eq!(os.version_id, fb.version_id, "{}", d.display());
        if os.version_id.is_none() {
            assert_eq!(os.codename, fb.codename, "{}", d.display());
        }
    }
}
