//! Archives named from their manifest and file name, as Debian's jars are (no
//! `pom.properties` of their own): the cases bench/LANG.md found wrong, each with the
//! manifest attributes the real jar carries.

use bosun_lang::java::{self, Source};

use crate::build::{Method, pom, zip};
use crate::{pairs, set};

/// A jar holding only this main manifest section.
fn jar(manifest: &str) -> Vec<u8> {
    let text = format!("Manifest-Version: 1.0\r\n{manifest}\r\n");
    zip(
        &[("META-INF/MANIFEST.MF", text.as_bytes())],
        Method::Deflated,
    )
}

/// `(name, version)` of what a jar at `path` with this manifest yields.
fn named(path: &str, manifest: &str) -> std::collections::BTreeSet<(String, String)> {
    pairs(&java::parse_archive(path, &jar(manifest)).unwrap().packages)
}

/// `h2-2.1.214.jar`: its manifest titles are free text, its symbolic name `com.h2database`
/// is the Maven group itself; cut at its dot it was `com:h2`, missing h2's advisories.
#[test]
fn symbolic_name_of_one_dot_is_kept_whole_as_the_group() {
    let got = named(
        "orders.jar!/BOOT-INF/lib/h2-2.1.214.jar",
        "Implementation-Title: H2 Database Engine\r\nImplementation-Version: 2.1.214\r\nBundle-Name: H2 Database Engine\r\nBundle-SymbolicName: com.h2database\r\nBundle-Version: 2.1.214\r\n",
    );
    assert_eq!(got, set(&[("com.h2database:h2", "2.1.214")]));
    let got = named(
        "usr/share/java/hamcrest-2.2.jar",
        "Bundle-SymbolicName: org.hamcrest\r\nImplementation-Title: hamcrest\r\nImplementation-Version: 2.2\r\n",
    );
    assert_eq!(got, set(&[("org.hamcrest:hamcrest", "2.2")]));
    let got = named(
        "usr/share/java/jython-2.7.3.jar",
        "Bundle-SymbolicName: org.python\r\nImplementation-Title: Jython\r\nImplementation-Version: 2.7.3-DEV\r\n",
    );
    assert_eq!(got, set(&[("org.python:Jython", "2.7.3-DEV")]));
}

/// `groovy-4.0.jar`: `Bundle-SymbolicName: groovy` has no dot, so it is no group (it gave
/// `groovy:groovy`); without another valid vendor id the jar has no group.
#[test]
fn symbolic_name_without_a_dot_is_not_a_group() {
    let got = named(
        "usr/share/java/groovy-4.0.6.jar",
        "Bundle-SymbolicName: groovy\r\nImplementation-Title: groovy\r\nImplementation-Version: 4.0.6\r\nImplementation-Vendor: The Apache Software Foundation\r\n",
    );
    assert_eq!(got, set(&[("groovy", "4.0.6")]));
    let p = &java::parse_archive(
        "groovy-4.0.6.jar",
        &jar("Bundle-SymbolicName: groovy\r\nImplementation-Version: 4.0.6\r\n"),
    )
    .unwrap()
    .packages;
    assert_eq!(p[0].source, Source::FileName);
    assert_eq!(p[0].package.purl, "pkg:maven/groovy@4.0.6");
}

/// `jna-5.13.0.jar`: `Implementation-Version: 5.13.0 (b0)` is 5.13.0; it was taken for
/// free text and `Specification-Version: 5` (JNA's API version) won.
#[test]
fn manifest_version_is_its_first_token() {
    let got = named(
        "usr/share/java/jna-5.13.0.jar",
        "Implementation-Title: com.sun.jna\r\nImplementation-Vendor: JNA Development Team\r\nImplementation-Version: 5.13.0 (b0)\r\nSpecification-Title: Java Native Access (JNA)\r\nSpecification-Version: 5\r\nBundle-SymbolicName: com.sun.jna\r\n",
    );
    assert_eq!(got, set(&[("com.sun:com.sun.jna", "5.13.0")]));
}

/// Without an Implementation-Version, `Bundle-Version` (the bundle's own) beats
/// `Specification-Version` (an API's), even with a versionless file name.
#[test]
fn bundle_version_comes_before_specification_version() {
    let got = named(
        "usr/share/java/jna.jar",
        "Implementation-Title: com.sun.jna\r\nSpecification-Version: 5\r\nBundle-Version: 5.13.0\r\nBundle-SymbolicName: com.sun.jna\r\n",
    );
    assert_eq!(got, set(&[("com.sun:com.sun.jna", "5.13.0")]));
}

/// `hsqldbutil-2.7.1.jar`: `Implementation-Version: private-19991231` is a build label, not
/// a version; the next field that starts with a digit is used.
#[test]
fn manifest_version_must_start_with_a_digit() {
    let manifest = "Implementation-Title: HSQLDB\r\nImplementation-Version: private-19991231\r\nImplementation-Vendor: debian\r\nSpecification-Version: 2.7.1\r\n";
    let got = named("usr/share/java/hsqldbutil-2.7.1.jar", manifest);
    assert_eq!(got, set(&[("debian:HSQLDB", "2.7.1")]));
    // With no version starting with a digit anywhere, the file name names the jar.
    let got = named(
        "usr/share/java/hsqldbutil-2.7.1.jar",
        "Implementation-Title: HSQLDB\r\nImplementation-Version: private-19991231\r\nImplementation-Vendor: debian\r\n",
    );
    assert_eq!(got, set(&[("debian:hsqldbutil", "2.7.1")]));
}

/// `lz4-java-1.8.0.jar`: `Bundle-Name: lz4-java-1.8.0`, `Bundle-Version: 0`. The manifest's
/// one-component version loses to the file name's dotted one, and its artifact (the file
/// name's stem) to the file name's artifact.
#[test]
fn file_name_beats_a_one_part_version_and_a_stem_artifact() {
    let real = "Bundle-Name: lz4-java-1.8.0\r\nBundle-SymbolicName: lz4-java-1.8.0\r\nBundle-Version: 0\r\n";
    assert_eq!(
        named("usr/share/java/lz4-java-1.8.0.jar", real),
        set(&[("lz4-java", "1.8.0")])
    );
    // The same with a valid group: the manifest names the jar, corrected by the file name.
    let got = java::parse_archive(
        "usr/share/java/lz4-java-1.8.0.jar",
        &jar(&format!("{real}Implementation-Vendor-Id: org.lz4\r\n")),
    )
    .unwrap();
    assert_eq!(pairs(&got.packages), set(&[("org.lz4:lz4-java", "1.8.0")]));
    assert_eq!(got.packages[0].source, Source::Manifest);
    // A dotted manifest version is the manifest's, whatever the file name says (icu4j).
    assert_eq!(
        named(
            "usr/share/java/icu4j-60.2.jar",
            "Implementation-Title: ICU4J\r\nImplementation-Vendor-Id: org.unicode\r\nImplementation-Version: 72.1\r\n"
        ),
        set(&[("org.unicode:ICU4J", "72.1")])
    );
}

/// Debian's versionless `jetty9-io.jar` (`Bundle-Name: Jetty :: IO Utility` is no artifact
/// id): it was dropped; it is the file name's stem at the manifest's version, with the
/// manifest's group, located at the jar, nested or not.
#[test]
fn versionless_file_name_takes_the_manifest_version() {
    let manifest = "Bundle-Name: Jetty :: IO Utility\r\nBundle-SymbolicName: org.eclipse.jetty.io\r\nBundle-Version: 9.4.57.v20241219\r\nImplementation-Version: 9.4.57.v20241219\r\n";
    let got = java::parse_archive("usr/share/java/jetty9-io.jar", &jar(manifest)).unwrap();
    assert_eq!(
        pairs(&got.packages),
        set(&[("org.eclipse.jetty:jetty9-io", "9.4.57.v20241219")])
    );
    assert_eq!(got.packages[0].source, Source::FileName);
    assert_eq!(got.packages[0].locations, ["usr/share/java/jetty9-io.jar"]);
    // `shop.ear`: a title and a version but no vendor id, so no group.
    let inner = jar(manifest);
    let ear = zip(
        &[
            (
                "META-INF/MANIFEST.MF",
                b"Manifest-Version: 1.0\r\nImplementation-Title: shop-ear\r\nImplementation-Version: 2.3.1\r\n\r\n",
            ),
            ("lib/jetty9-io.jar", &inner),
        ],
        Method::Stored,
    );
    let got = java::parse_archive("srv/shop.ear", &ear).unwrap();
    assert_eq!(
        pairs(&got.packages),
        set(&[
            ("shop", "2.3.1"),
            ("org.eclipse.jetty:jetty9-io", "9.4.57.v20241219")
        ])
    );
    let jetty = got
        .packages
        .iter()
        .find(|p| p.package.name == "org.eclipse.jetty:jetty9-io")
        .unwrap();
    assert_eq!(jetty.locations, ["srv/shop.ear!/lib/jetty9-io.jar"]);
}

/// `xalan2-2.7.2.jar` bundles bcel, whose `pom.properties` is the only one in it: that lone
/// `pom.properties` is not the jar's own, as the file name names another artifact; xalan2
/// comes from its manifest (or file name) and bcel from its `pom.properties`.
#[test]
fn lone_bundled_pom_properties_is_not_the_jar_own_when_the_file_name_disagrees() {
    let manifest = "Manifest-Version: 1.0\r\nImplementation-Title: org.apache.xalan\r\nImplementation-Version: 2.7.2\r\nImplementation-Vendor: Apache Software Foundation\r\n\r\n";
    let xalan = zip(
        &[
            ("META-INF/MANIFEST.MF", manifest.as_bytes()),
            (
                "META-INF/maven/org.apache.bcel/bcel/pom.properties",
                &pom("org.apache.bcel", "bcel", "6.4.1"),
            ),
        ],
        Method::Deflated,
    );
    let got = java::parse_archive("usr/share/java/xalan2-2.7.2.jar", &xalan).unwrap();
    assert_eq!(
        pairs(&got.packages),
        set(&[("xalan2", "2.7.2"), ("org.apache.bcel:bcel", "6.4.1")])
    );
    // Named as the jar of its lone pom.properties, or without a version, it is that one.
    for path in ["lib/bcel-6.4.1.jar", "lib/bcel-6.4.jar", "lib/bcel.jar"] {
        let got = java::parse_archive(path, &xalan).unwrap();
        assert_eq!(
            pairs(&got.packages),
            set(&[("org.apache.bcel:bcel", "6.4.1")]),
            "{path}"
        );
    }
}

/// `jnr-x86asm`'s `pom.properties`, bundled in `jruby-complete-9.3.9.0.jar`, has no
/// `groupId`: the group comes from its `META-INF/maven/com.github.jnr/jnr-x86asm/` path, in an
/// archive or as a bare file; not when the path names another artifact.
#[test]
fn pom_properties_group_from_its_path() {
    let no_group = b"#Generated by Maven\nversion=1.0.2\nartifactId=jnr-x86asm\n";
    let jruby = zip(
        &[
            (
                "META-INF/maven/org.jruby/jruby-complete/pom.properties",
                &pom("org.jruby", "jruby-complete", "9.3.9.0"),
            ),
            (
                "META-INF/maven/com.github.jnr/jnr-x86asm/pom.properties",
                no_group,
            ),
            ("META-INF/maven/x.y/other/pom.properties", no_group),
        ],
        Method::Deflated,
    );
    let got = java::parse_archive("opt/jruby-complete-9.3.9.0.jar", &jruby).unwrap();
    assert_eq!(
        pairs(&got.packages),
        set(&[
            ("org.jruby:jruby-complete", "9.3.9.0"),
            ("com.github.jnr:jnr-x86asm", "1.0.2"),
        ])
    );
    let bare = java::parse_pom_properties(
        "webapps/ROOT/META-INF/maven/com.github.jnr/jnr-x86asm/pom.properties",
        no_group,
    )
    .unwrap()
    .unwrap();
    assert_eq!(bare.name, "com.github.jnr:jnr-x86asm");
    assert_eq!(bare.purl, "pkg:maven/com.github.jnr/jnr-x86asm@1.0.2");
    // Neither group nor artifact in the file: both from the path.
    let only_version = java::parse_pom_properties(
        "META-INF/maven/com.github.jnr/jnr-x86asm/pom.properties",
        b"version=1.0.2\n",
    )
    .unwrap()
    .unwrap();
    assert_eq!(only_version.name, "com.github.jnr:jnr-x86asm");
    // Not from a path that is not `META-INF/maven/<group>/<artifact>/pom.properties`.
    assert_eq!(
        java::parse_pom_properties("x/pom.properties", no_group).unwrap(),
        None
    );
}

/// Debian's versionless `httpclient-osgi.jar` holds six `pom.properties`, its own among
/// them, and `log4j-1.2-api.jar` one (the file name pattern reads `log4j` at `1.2-api`):
/// a `pom.properties` whose artifact is the whole file name is the jar's own, and the
/// manifest then names nothing more.
#[test]
fn pom_properties_named_as_the_whole_file_name_is_the_jar_own() {
    let manifest = "Manifest-Version: 1.0\r\nBundle-SymbolicName: org.apache.httpcomponents.httpclient\r\nImplementation-Vendor-Id: org.apache\r\nImplementation-Version: 4.5.14\r\n\r\n";
    let osgi = zip(
        &[
            ("META-INF/MANIFEST.MF", manifest.as_bytes()),
            (
                "META-INF/maven/org.apache.httpcomponents/httpclient-osgi/pom.properties",
                &pom("org.apache.httpcomponents", "httpclient-osgi", "4.5.14"),
            ),
            (
                "META-INF/maven/org.apache.httpcomponents/httpmime/pom.properties",
                &pom("org.apache.httpcomponents", "httpmime", "4.5.14"),
            ),
        ],
        Method::Deflated,
    );
    let got = java::parse_archive("usr/share/java/httpclient-osgi.jar", &osgi).unwrap();
    assert_eq!(
        pairs(&got.packages),
        set(&[
            ("org.apache.httpcomponents:httpclient-osgi", "4.5.14"),
            ("org.apache.httpcomponents:httpmime", "4.5.14"),
        ])
    );
    let bridge = zip(
        &[
            (
                "META-INF/MANIFEST.MF",
                b"Manifest-Version: 1.0\r\nImplementation-Vendor-Id: org.apache\r\nImplementation-Version: 2.19.0\r\n\r\n",
            ),
            (
                "META-INF/maven/org.apache.logging.log4j/log4j-1.2-api/pom.properties",
                &pom("org.apache.logging.log4j", "log4j-1.2-api", "2.19.0"),
            ),
        ],
        Method::Deflated,
    );
    let got = java::parse_archive("usr/share/java/log4j-1.2-api.jar", &bridge).unwrap();
    assert_eq!(
        pairs(&got.packages),
        set(&[("org.apache.logging.log4j:log4j-1.2-api", "2.19.0")])
    );
}

/// Debian's `maven3-slf4j-provider.jar`: a versionless file name whose manifest version is
/// that of a `pom.properties` in it (its own, under the Maven artifact id), next to a shaded
/// one: no second package from the file name.
#[test]
fn versionless_file_name_is_not_repeated_when_a_pom_properties_has_its_version() {
    let provider = zip(
        &[
            (
                "META-INF/MANIFEST.MF",
                b"Manifest-Version: 1.0\r\nImplementation-Title: Maven SLF4J Simple Provider\r\nImplementation-Version: 3.8.7\r\n\r\n",
            ),
            (
                "META-INF/maven/org.apache.maven/maven-slf4j-provider/pom.properties",
                &pom("org.apache.maven", "maven-slf4j-provider", "3.8.7"),
            ),
            (
                "META-INF/maven/org.slf4j/slf4j-simple/pom.properties",
                &pom("org.slf4j", "slf4j-simple", "1.7.32"),
            ),
        ],
        Method::Deflated,
    );
    let got = java::parse_archive("usr/share/java/maven3-slf4j-provider.jar", &provider).unwrap();
    assert_eq!(
        pairs(&got.packages),
        set(&[
            ("org.apache.maven:maven-slf4j-provider", "3.8.7"),
            ("org.slf4j:slf4j-simple", "1.7.32"),
        ])
    );
}
