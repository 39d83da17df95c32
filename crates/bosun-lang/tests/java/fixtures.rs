//! The shared JARs (data/app-deps/java, provenance in its SOURCES.md) against the expected
//! lists of the upstream tests they come from.

use bosun_lang::java::{self, NESTED_SEPARATOR, Source};
use bosun_lang::{LangEcosystem, ManifestKind, parse};

use crate::{pairs, set};

fn read(rel: &str) -> Option<Vec<u8>> {
    let p = bosun_testdata::path(&format!("data/app-deps/java/{rel}"))?;
    Some(std::fs::read(p).unwrap())
}

/// Trivy's `wantFatjar` (pkg/dependency/parser/java/jar/parse_test.go, "fat jar"): the shaded
/// jar's own pom.properties and the four bundled ones.
#[test]
fn shaded_jar_yields_every_bundled_pom_properties() {
    let rel = "hadoop-shaded-guava-1.1.0-SNAPSHOT.jar";
    let Some(bytes) = read(rel) else { return };
    let got = java::parse_archive(rel, &bytes).unwrap();
    assert_eq!(
        pairs(&got.packages),
        set(&[
            ("com.google.guava:failureaccess", "1.0.1"),
            ("com.google.guava:guava", "29.0-jre"),
            (
                "com.google.guava:listenablefuture",
                "9999.0-empty-to-avoid-conflict-with-guava"
            ),
            ("com.google.j2objc:j2objc-annotations", "1.3"),
            (
                "org.apache.hadoop.thirdparty:hadoop-shaded-guava",
                "1.1.0-SNAPSHOT"
            ),
        ])
    );
    // Trivy locates them all at the jar itself; so does bosun.
    for p in &got.packages {
        assert_eq!(p.locations, vec![rel.to_owned()], "{p:?}");
        assert_eq!(p.source, Source::PomProperties);
        assert_eq!(p.package.ecosystem, LangEcosystem::Maven);
    }
    assert!(got.skipped.is_empty(), "{:?}", got.skipped);
}

/// Trivy's `wantDuplicatesJar` ("duplicate libraries"): gizmo from its own pom.properties
/// (the file name is `groupId.artifactId-version.jar`), the two nested log4j jars located at
/// the nested jar, and both jackson-databind versions from pom.properties outside
/// META-INF/maven (each found twice, listed once).
#[test]
fn gizmo_duplicate_libraries() {
    let rel = "io.quarkus.gizmo.gizmo-1.1.jar";
    let Some(bytes) = read(rel) else { return };
    let got = java::parse_archive(rel, &bytes).unwrap();
    assert_eq!(
        pairs(&got.packages),
        set(&[
            ("io.quarkus.gizmo:gizmo", "1.1"),
            ("log4j:log4j", "1.2.16"),
            ("log4j:log4j", "1.2.17"),
            ("com.fasterxml.jackson.core:jackson-databind", "2.12.3"),
            ("com.fasterxml.jackson.core:jackson-databind", "2.13.4"),
        ])
    );
    let at = |name: &str, version: &str| {
        got.packages
            .iter()
            .find(|p| p.package.name == name && p.package.version == version)
            .unwrap()
            .locations
            .clone()
    };
    assert_eq!(
        at("log4j:log4j", "1.2.16"),
        vec![format!("{rel}{NESTED_SEPARATOR}jars/log4j-1.2.16.jar")]
    );
    assert_eq!(
        at("log4j:log4j", "1.2.17"),
        vec![format!("{rel}{NESTED_SEPARATOR}jars/log4j-1.2.17.jar")]
    );
    assert_eq!(
        at("com.fasterxml.jackson.core:jackson-databind", "2.13.4"),
        vec![rel.to_owned()]
    );
    assert_eq!(at("io.quarkus.gizmo:gizmo", "1.1"), vec![rel.to_owned()]);
}

/// osv-scalibr's "Realistic jar file with pom.properties" (extractor/filesystem/language/java/
/// archive/archive_test.go): guava 31.1-jre only, not a second package from its OSGi manifest.
#[test]
fn guava_jar_is_one_package_with_purl() {
    let rel = "guava-31.1-jre.jar";
    let Some(bytes) = read(rel) else { return };
    // Through the generic entry point, as the catalog calls it.
    let kind = ManifestKind::from_path(&format!("app/lib/{rel}")).unwrap();
    assert_eq!(kind, ManifestKind::JavaArchive);
    let got = parse(kind, rel, &bytes).unwrap();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].name, "com.google.guava:guava");
    assert_eq!(got[0].version, "31.1-jre");
    assert_eq!(got[0].purl, "pkg:maven/com.google.guava/guava@31.1-jre");
}

/// The key=value lines of a properties file, read by a plain line scan (the oracle).
fn scan(bytes: &[u8]) -> (String, String, String) {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .unwrap()
            .trim()
            .to_owned()
    };
    (get("groupId"), get("artifactId"), get("version"))
}

/// The bare pom.properties fixtures: Syft's jar-metadata opensaml-core fixture and the one
/// extracted from guava-31.1-jre.jar (the same package the jar yields).
#[test]
fn bare_pom_properties_fixtures() {
    let cases = [
        (
            "extracted/opensaml-core-3.4.6/META-INF/maven/org.opensaml/opensaml-core/pom.properties",
            ("org.opensaml", "opensaml-core", "3.4.6"),
        ),
        (
            "extracted-guava-31.1-jre.pom.properties",
            ("com.google.guava", "guava", "31.1-jre"),
        ),
    ];
    for (rel, (g, a, v)) in cases {
        let Some(bytes) = read(rel) else { return };
        assert_eq!(scan(&bytes), (g.into(), a.into(), v.into()), "{rel}");
        let as_path = format!("webapps/ROOT/META-INF/maven/{g}/{a}/pom.properties");
        let kind = ManifestKind::from_path(&as_path).unwrap();
        assert_eq!(kind, ManifestKind::JavaPomProperties);
        let got = parse(kind, rel, &bytes).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].name, format!("{g}:{a}"));
        assert_eq!(got[0].version, v);
        assert_eq!(got[0].purl, format!("pkg:maven/{g}/{a}@{v}"));
    }
}

#[test]
fn archive_and_pom_properties_paths_are_recognized() {
    for p in [
        "opt/app/app.jar",
        "usr/local/tomcat/webapps/ROOT.war",
        "x/APP.EAR",
        "var/jenkins_home/plugins/git.jpi",
        "p/x.hpi",
        "p/x.par",
        "p/x.sar",
        "p/x.nar",
        "p/x.lpkg",
    ] {
        assert_eq!(
            ManifestKind::from_path(p),
            Some(ManifestKind::JavaArchive),
            "{p}"
        );
    }
    assert_eq!(
        ManifestKind::JavaArchive.ecosystem(),
        LangEcosystem::Maven,
        "ecosystem"
    );
    for p in ["p/.jar", "p/x.jar.sha1", "p/x.zip", "p/jar", "p/x.kar"] {
        assert_eq!(ManifestKind::from_path(p), None, "{p}");
    }
    assert_eq!(
        ManifestKind::from_path("srv/app/META-INF/maven/org.x/y/pom.properties"),
        Some(ManifestKind::JavaPomProperties)
    );
    for p in [
        "pom.properties",
        "src/pom.properties",
        "META-INF/maven/g/pom.properties",
    ] {
        assert_eq!(ManifestKind::from_path(p), None, "{p}");
    }
}
