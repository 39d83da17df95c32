//! Archives named from their manifest and file name, as Debian's jars are (no
//! `pom.properties` of their own): the cases bench/LANG.md found wrong, each with the
//! manifest attributes the real jar carries.

use bosun_lang::java::{self, Source};

use crate::build::{Method, zip};
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
