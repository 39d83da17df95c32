//! Nested archives built here: an ear holding a war holding jars, each level found with its
//! path; the three sources of coordinates; corrupt nested entries skipped.

use bosun_lang::java::{self, JavaPackage, Source};
use bosun_lang::{LangError, ManifestKind, parse};

use crate::build::{Method, pom, zip};
use crate::{pairs, set};

fn find<'a>(pkgs: &'a [JavaPackage], name: &str) -> &'a JavaPackage {
    pkgs.iter()
        .find(|p| p.package.name == name)
        .unwrap_or_else(|| panic!("{name} not found in {pkgs:?}"))
}

/// app.ear -> web.war -> WEB-INF/lib/*.jar, plus the same lib jar directly in the ear.
fn ear() -> Vec<u8> {
    let lib = zip(
        &[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n\r\n"),
            (
                "META-INF/maven/org.example/lib/pom.properties",
                &pom("org.example", "lib", "1.0"),
            ),
            ("org/example/Lib.class", b"\xca\xfe\xba\xbe"),
        ],
        Method::Deflated,
    );
    let util = zip(
        &[(
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\r\nImplementation-Title: util\r\nImplementation-Version: 2.5\r\nImplementation-Vendor-Id: com.example\r\n\r\n",
        )],
        Method::Deflated,
    );
    let plain = zip(&[("p/Plain.class", b"\xca\xfe\xba\xbe")], Method::Deflated);
    let war = zip(
        &[
            (
                "META-INF/maven/org.example/web/pom.properties",
                &pom("org.example", "web", "1.0"),
            ),
            ("WEB-INF/lib/", b""),
            ("WEB-INF/lib/lib-1.0.jar", &lib),
            ("WEB-INF/lib/util-2.5.jar", &util),
            ("WEB-INF/lib/plain-3.1.jar", &plain),
        ],
        Method::Deflated,
    );
    // Stored, as an ear or a Spring Boot jar usually holds its nested archives.
    zip(
        &[
            (
                "META-INF/maven/org.example/app/pom.properties",
                &pom("org.example", "app", "1.0"),
            ),
            ("web.war", &war),
            ("lib/lib-1.0.jar", &lib),
        ],
        Method::Stored,
    )
}

#[test]
fn ear_war_jar_every_level_is_found_with_its_path() {
    let got = java::parse_archive("opt/app.ear", &ear()).unwrap();
    assert_eq!(
        pairs(&got.packages),
        set(&[
            ("org.example:app", "1.0"),
            ("org.example:web", "1.0"),
            ("org.example:lib", "1.0"),
            ("com.example:util", "2.5"),
            ("plain", "3.1"),
        ])
    );
    let app = find(&got.packages, "org.example:app");
    assert_eq!(app.locations, ["opt/app.ear"]);
    assert_eq!(app.source, Source::PomProperties);
    let web = find(&got.packages, "org.example:web");
    assert_eq!(web.locations, ["opt/app.ear!/web.war"]);
    // The same coordinates twice in one archive: one package, both places.
    let lib = find(&got.packages, "org.example:lib");
    assert_eq!(
        lib.locations,
        [
            "opt/app.ear!/web.war!/WEB-INF/lib/lib-1.0.jar",
            "opt/app.ear!/lib/lib-1.0.jar"
        ]
    );
    let util = find(&got.packages, "com.example:util");
    assert_eq!(
        util.locations,
        ["opt/app.ear!/web.war!/WEB-INF/lib/util-2.5.jar"]
    );
    assert_eq!(util.source, Source::Manifest);
    assert_eq!(util.package.purl, "pkg:maven/com.example/util@2.5");
    let plain = find(&got.packages, "plain");
    assert_eq!(
        plain.locations,
        ["opt/app.ear!/web.war!/WEB-INF/lib/plain-3.1.jar"]
    );
    assert_eq!(plain.source, Source::FileName);
    assert!(got.skipped.is_empty(), "{:?}", got.skipped);

    // The generic entry point gives the same packages.
    let kind = ManifestKind::from_path("opt/app.ear").unwrap();
    let flat = parse(kind, "opt/app.ear", &ear()).unwrap();
    assert_eq!(flat.len(), got.packages.len());
}

/// Without its own pom.properties, a shaded jar is named from its manifest; the bundled
/// libraries still come from theirs.
#[test]
fn manifest_names_a_jar_whose_pom_properties_are_all_bundled_ones() {
    let jar = zip(
        &[
            (
                "META-INF/MANIFEST.MF",
                b"Manifest-Version: 1.0\nBundle-SymbolicName: org.acme.shaded;singleton:=true\nBundle-Name: Acme Shaded\nSpecification-Title: shaded\nBundle-Version: 4.2.0\n\nName: org/acme/\nImplementation-Version: 9.9\n",
            ),
            ("META-INF/maven/a.b/x/pom.properties", &pom("a.b", "x", "1")),
            ("META-INF/maven/a.b/y/pom.properties", &pom("a.b", "y", "2")),
        ],
        Method::Deflated,
    );
    let got = java::parse_archive("app.jar", &jar).unwrap();
    assert_eq!(
        pairs(&got.packages),
        set(&[("org.acme:shaded", "4.2.0"), ("a.b:x", "1"), ("a.b:y", "2")])
    );
    assert_eq!(
        find(&got.packages, "org.acme:shaded").source,
        Source::Manifest
    );
}

/// A manifest of free text only (Trivy would name it `JBoss by Red Hat:Gizmo`) falls back to
/// the file name; a file name without a version takes the manifest's version; with no version
/// in either, nothing.
#[test]
fn free_text_manifest_falls_back_to_the_file_name() {
    let jar = zip(
        &[(
            "META-INF/MANIFEST.MF",
            b"Implementation-Title: Gizmo Tool\nImplementation-Version: 1.1\nImplementation-Vendor: JBoss by Red Hat\n",
        )],
        Method::Deflated,
    );
    let got = java::parse_archive("lib/gizmo-tool-1.1.jar", &jar).unwrap();
    assert_eq!(pairs(&got.packages), set(&[("gizmo-tool", "1.1")]));
    assert_eq!(got.packages[0].package.purl, "pkg:maven/gizmo-tool@1.1");
    let got = java::parse_archive("lib/app.jar", &jar).unwrap();
    assert_eq!(pairs(&got.packages), set(&[("app", "1.1")]));
    let unversioned = zip(
        &[(
            "META-INF/MANIFEST.MF",
            b"Implementation-Title: Gizmo Tool
Implementation-Vendor: JBoss by Red Hat
",
        )],
        Method::Deflated,
    );
    let got = java::parse_archive("lib/app.jar", &unversioned).unwrap();
    assert!(got.packages.is_empty(), "{:?}", got.packages);
}

#[test]
fn corrupt_nested_archive_is_skipped_and_listed() {
    let good = zip(
        &[("META-INF/maven/g/a/pom.properties", &pom("g", "a", "1"))],
        Method::Deflated,
    );
    let war = zip(
        &[
            ("WEB-INF/lib/broken.jar", b"this is not a zip archive"),
            ("WEB-INF/lib/a-1.jar", &good),
        ],
        Method::Deflated,
    );
    let got = java::parse_archive("w.war", &war).unwrap();
    assert_eq!(pairs(&got.packages), set(&[("g:a", "1")]));
    assert_eq!(got.skipped.len(), 1);
    assert_eq!(got.skipped[0].location, "w.war!/WEB-INF/lib/broken.jar");
    assert!(
        got.skipped[0].reason.contains("not a zip"),
        "{:?}",
        got.skipped
    );
}

#[test]
fn top_level_file_that_is_not_a_zip_is_a_format_error() {
    let err = java::parse_archive("x.jar", b"PK but not really").unwrap_err();
    assert!(matches!(err, LangError::Format { .. }), "{err}");
    assert!(
        err.to_string().starts_with("x.jar: not a zip archive"),
        "{err}"
    );
}

/// Maven's pom.properties may use `:` or spaces as separators and carry comments; placeholders
/// and missing keys give no package.
#[test]
fn pom_properties_syntax() {
    let ok = java::parse_pom_properties(
        "p",
        b"# c\n! c\n  groupId : g.h\nartifactId a\r\nversion=1.0 \n",
    )
    .unwrap()
    .unwrap();
    assert_eq!((ok.name.as_str(), ok.version.as_str()), ("g.h:a", "1.0"));
    for bad in [
        &b"groupId=g\nartifactId=a\n"[..],
        b"groupId=g\nartifactId=a\nversion=${project.version}\n",
        b"groupId=g h\nartifactId=a\nversion=1\n",
    ] {
        assert_eq!(java::parse_pom_properties("p", bad).unwrap(), None);
    }
}

/// A Jenkins plugin names itself in its manifest (`Group-Id`, `Short-Name`,
/// `Plugin-Version`); its bundled jars are read like a war's.
#[test]
fn jenkins_plugin_from_its_manifest() {
    let lib = zip(
        &[(
            "META-INF/maven/org.eclipse.jgit/org.eclipse.jgit/pom.properties",
            &pom(
                "org.eclipse.jgit",
                "org.eclipse.jgit",
                "6.8.0.202311291450-r",
            ),
        )],
        Method::Deflated,
    );
    let jpi = zip(
        &[
            (
                "META-INF/MANIFEST.MF",
                b"Manifest-Version: 1.0\r\nImplementation-Title: Jenkins Git plugin\r\nGroup-Id: org.jenkins-ci.plugins\r\nShort-Name: git\r\nPlugin-Version: 5.2.1\r\n\r\n",
            ),
            ("WEB-INF/lib/org.eclipse.jgit-6.8.0.jar", &lib),
        ],
        Method::Deflated,
    );
    let kind = ManifestKind::from_path("var/jenkins_home/plugins/git.jpi").unwrap();
    assert_eq!(kind, ManifestKind::JavaArchive);
    let got = java::parse_archive("var/jenkins_home/plugins/git.jpi", &jpi).unwrap();
    assert_eq!(
        pairs(&got.packages),
        set(&[
            ("org.jenkins-ci.plugins:git", "5.2.1"),
            ("org.eclipse.jgit:org.eclipse.jgit", "6.8.0.202311291450-r"),
        ])
    );
    assert_eq!(
        find(&got.packages, "org.jenkins-ci.plugins:git").source,
        Source::Manifest
    );
}
