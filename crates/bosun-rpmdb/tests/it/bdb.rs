//! BerkeleyDB `Packages` against the expected lists.

use bosun_rpmdb::DbFormat;

use crate::expected::{assert_db_matches, rpm_qa_tsv};

#[test]
fn syft_single_package_matches_rpm_qa() {
    let db = bosun_testdata::require!("data/rpmdb/syft-single-pkg-bdb/Packages");
    let exp = bosun_testdata::require!("data/rpmdb/syft-single-pkg-bdb/expected-rpm-qa.tsv");
    assert_db_matches(&db, DbFormat::BerkeleyDb, &rpm_qa_tsv(&exp));
}

#[test]
fn libuuid_matches_rpm_qa() {
    let db = bosun_testdata::require!("data/rpmdb/libuuid-bdb/Packages");
    let exp = bosun_testdata::require!("data/rpmdb/libuuid-bdb/expected-rpm-qa.tsv");
    let pkgs = assert_db_matches(&db, DbFormat::BerkeleyDb, &rpm_qa_tsv(&exp));
    assert!(pkgs.iter().all(|p| !p.files.is_empty()));
}

/// BerkeleyDB files are in the byte order of the machine that wrote them (s390x and old
/// POWER systems write big-endian). This rewrites the little-endian syft database field by
/// field into big-endian, following libdb's `db_page.h`, and expects the same package list.
#[test]
fn big_endian_copy_reads_the_same_packages() {
    let db = bosun_testdata::require!("data/rpmdb/syft-single-pkg-bdb/Packages");
    let exp = bosun_testdata::require!("data/rpmdb/syft-single-pkg-bdb/expected-rpm-qa.tsv");
    let le = std::fs::read(db).expect("readable");
    let be = to_big_endian(&le);
    assert_ne!(le, be);
    let pkgs = bosun_rpmdb::read_packages(&be, DbFormat::BerkeleyDb).expect("reads");
    assert_eq!(
        crate::expected::rows_of(&pkgs, false),
        rpm_qa_tsv(&exp),
        "big-endian copy"
    );
}

fn swap32(b: &mut [u8], at: usize) {
    b[at..at + 4].reverse();
}

fn swap16(b: &mut [u8], at: usize) {
    b[at..at + 2].reverse();
}

fn le16(b: &[u8], at: usize) -> usize {
    u16::from_le_bytes([b[at], b[at + 1]]) as usize
}

fn to_big_endian(le: &[u8]) -> Vec<u8> {
    let mut b = le.to_vec();
    let page_size = u32::from_le_bytes(le[20..24].try_into().expect("4 bytes")) as usize;
    // Metadata: pgno, magic, version, pagesize, free, last_pgno.
    for at in [8, 12, 16, 20, 28, 32] {
        swap32(&mut b, at);
    }
    for (n, page) in b.chunks_exact_mut(page_size).enumerate().skip(1) {
        let orig = &le[n * page_size..(n + 1) * page_size];
        let entries = le16(orig, 20);
        let kind = orig[25];
        for at in [8, 12, 16] {
            swap32(page, at);
        }
        swap16(page, 20);
        swap16(page, 22);
        if kind == 13 || kind == 2 {
            for i in 0..entries {
                let off = le16(orig, 26 + 2 * i);
                swap16(page, 26 + 2 * i);
                match orig[off] {
                    // Off-page item: pgno and total length.
                    3 => {
                        swap32(page, off + 4);
                        swap32(page, off + 8);
                    }
                    // Inline 4-byte keys (header instance numbers) are native integers too.
                    1 if i % 2 == 0 => {
                        let end = if i == 0 {
                            page_size
                        } else {
                            le16(orig, 24 + 2 * i)
                        };
                        if end - off == 5 {
                            swap32(page, off + 1);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    b
}

/// An overflow page that names itself as its successor (and holds no bytes, so no length
/// check trips first) must end in an error, not a endless loop.
#[test]
fn self_linked_overflow_page_is_an_error() {
    let db = bosun_testdata::require!("data/rpmdb/libuuid-bdb/Packages");
    let mut b = std::fs::read(db).expect("readable");
    let page_size = u32::from_le_bytes(b[20..24].try_into().expect("4 bytes")) as usize;
    let first_overflow = (1..b.len() / page_size)
        .find_map(|n| {
            let page = &b[n * page_size..(n + 1) * page_size];
            if page[25] != 13 {
                return None;
            }
            let entries = le16(page, 20);
            (0..entries).find_map(|i| {
                let off = le16(page, 26 + 2 * i);
                (page[off] == 3).then(|| {
                    u32::from_le_bytes(page[off + 4..off + 8].try_into().expect("4 bytes"))
                })
            })
        })
        .expect("the database has an off-page value");
    let at = first_overflow as usize * page_size;
    b[at + 16..at + 20].copy_from_slice(&first_overflow.to_le_bytes());
    b[at + 22..at + 24].copy_from_slice(&0u16.to_le_bytes());
    let err = bosun_rpmdb::read_packages(&b, DbFormat::BerkeleyDb).expect_err("loop refused");
    assert!(
        crate::expected::error_chain(&err).contains("loops"),
        "{}",
        crate::expected::error_chain(&err)
    );
}
