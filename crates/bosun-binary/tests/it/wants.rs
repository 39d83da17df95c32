//! The header-only pre-filter.

use bosun_binary::{MAX_FILE_SIZE, wants};

#[test]
fn executables_shared_objects_and_classifier_files_are_wanted() {
    assert!(wants("usr/bin/kubectl", 0o755, 50 << 20));
    assert!(wants("usr/bin/kubectl", 0o100_755, 50 << 20)); // mode with S_IFREG
    assert!(wants("app/server", 0o700, 4096)); // owner exec bit only
    assert!(wants(
        "usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0",
        0o644,
        5 << 20
    ));
    assert!(wants("usr/lib/libfoo.so", 0o755, 1 << 20)); // a library installed executable
    assert!(wants(
        "usr/lib/x86_64-linux-gnu/libnode.so.108",
        0o644,
        45 << 20
    ));
    assert!(wants("usr/local/go/VERSION", 0o644, 40));
    assert!(wants("Files/app/App.EXE", 0o644, 3 << 20)); // Windows layers carry no exec bits
    assert!(wants("opt/java/openjdk/release", 0o644, 1500));
}

#[test]
fn everything_else_is_refused_from_the_header() {
    assert!(!wants("etc/passwd", 0o644, 900));
    assert!(!wants("usr/share/doc/README.so-what", 0o644, 900));
    // A library without an execute bit that no classifier reads.
    assert!(!wants(
        "usr/lib/x86_64-linux-gnu/libssl.so.3",
        0o644,
        700 << 10
    ));
    assert!(!wants("usr/lib/libpython3.a", 0o644, 5 << 20));
    assert!(!wants("usr/bin/huge", 0o755, MAX_FILE_SIZE + 1));
    assert!(!wants("usr/bin/tiny", 0o755, 10)); // smaller than any executable header
    assert!(!wants("usr/bin/dir", 0o040_755, 4096)); // a directory
    assert!(!wants("usr/bin/link", 0o120_777, 4096)); // a symlink
    assert!(!wants("VERSION", 0o644, 40)); // not under a go/ directory
    assert!(!wants("opt/java/openjdk/release", 0o644, 10 << 20)); // too big to be one
    assert!(wants("usr/bin/release", 0o755, 10 << 20)); // but an executable of that name is
}
