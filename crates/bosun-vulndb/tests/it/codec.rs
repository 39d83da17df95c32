//! The compact record encoding: every real record survives it unchanged, the borrowed views
//! agree with the owned records, and damaged bytes are errors, never panics.

use bosun_vulndb::codec::{decode, encode};
use bosun_vulndb::{Advisory, AdvisoryView, DbBuilder, EventRef};
use proptest::prelude::*;
use std::sync::OnceLock;

/// Every record of the shared OSV data, as imported.
fn all_records() -> Option<&'static Vec<Advisory>> {
    static R: OnceLock<Option<Vec<Advisory>>> = OnceLock::new();
    R.get_or_init(|| {
        let osv = bosun_testdata::path("data/osv")?;
        let mut b = DbBuilder::new();
        b.add_path(&osv).expect("import");
        Some(b.advisories().cloned().collect())
    })
    .as_ref()
}

#[test]
fn every_real_record_round_trips() {
    let Some(all) = all_records() else { return };
    assert!(all.len() > 12_000, "{} records", all.len());
    let mut specific = 0;
    for a in all {
        let bytes = encode(a);
        let back = decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", a.id));
        assert_eq!(&back, a, "{}", a.id);
        specific += a
            .affected
            .iter()
            .filter(|af| af.ecosystem_specific.is_some() || af.database_specific.is_some())
            .count();
    }
    // The data exercises the JSON-valued fields too.
    assert!(specific > 100, "{specific} entries with *_specific values");
}

#[test]
fn views_agree_with_the_owned_records() {
    let Some(all) = all_records() else { return };
    for a in all.iter().step_by(7) {
        let bytes = encode(a);
        let v = AdvisoryView::parse(&bytes).expect("parse");
        assert_eq!(v.id, a.id);
        assert_eq!(v.all_ids(), a.all_ids());
        assert_eq!(v.is_withdrawn(), a.is_withdrawn());
        assert_eq!(v.summary, a.summary.as_deref());
        assert_eq!(v.severity().count(), a.severity.len());
        assert_eq!(v.affected().len(), a.affected.len());
        for (x, y) in v.affected().zip(&a.affected) {
            assert_eq!(x.ecosystem, y.package.ecosystem);
            assert_eq!(x.name, y.package.name);
            assert_eq!(x.versions().collect::<Vec<_>>(), y.versions);
            assert_eq!(x.has_versions(), !y.versions.is_empty());
            for (r, s) in x.ranges().zip(&y.ranges) {
                assert_eq!(r.kind, s.kind);
                assert_eq!(r.event_count(), s.events.len());
                let owned: Vec<_> = r.events().map(|e: EventRef<'_>| e.to_event()).collect();
                assert_eq!(owned, s.events);
            }
        }
    }
}

#[test]
fn truncated_or_extended_records_are_rejected() {
    let Some(all) = all_records() else { return };
    for a in all.iter().step_by(101) {
        let bytes = encode(a);
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode(&bytes[..cut]).is_err(), "{} cut at {cut}", a.id);
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_err(), "{} with a trailing byte", a.id);
    }
}

#[test]
fn invalid_utf8_and_unknown_event_kinds_are_rejected() {
    let a: Advisory = serde_json::from_value(serde_json::json!({
        "id": "X-1",
        "affected": [{
            "package": {"ecosystem": "npm", "name": "a"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}]
        }]
    }))
    .expect("advisory");
    let bytes = encode(&a);
    // id: length 3 at byte 0, then "X-1".
    let mut bad = bytes.clone();
    bad[1] = 0xff;
    assert!(decode(&bad).is_err());
    // The `fixed` event's kind byte (1) precedes its version "1.0.0" (length 5).
    let at = bytes
        .windows(7)
        .position(|w| w == [1, 5, b'1', b'.', b'0', b'.', b'0'])
        .expect("fixed event");
    let mut bad = bytes.clone();
    bad[at] = 9;
    assert!(decode(&bad).is_err());
    assert_eq!(decode(&bytes).expect("intact"), a);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// The record fuzz target's body on random bytes and on damaged real records.
    #[test]
    fn damaged_records_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), at in any::<prop::sample::Index>(), x in 1u8..=255, pick in any::<prop::sample::Index>()) {
        bosun_vulndb::fuzz::decode_record(&bytes);
        if let Some(all) = all_records() {
            let a = &all[pick.index(all.len())];
            let mut m = encode(a);
            let i = at.index(m.len());
            m[i] ^= x;
            bosun_vulndb::fuzz::decode_record(&m);
        }
    }
}
