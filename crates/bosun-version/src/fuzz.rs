//! The body of the fuzz target, public so a stable proptest runs the same code path.

use crate::{Ecosystem, npm, osv};

/// Feeds arbitrary bytes to every parser and comparator; must never panic. Splits the input
/// in two at the first NUL so pairs get compared, and checks antisymmetry of each comparison.
pub fn fuzz_one(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_once('\0').unwrap_or((&text, "1.0"));
    for eco in Ecosystem::ALL {
        if let (Ok(x), Ok(y)) = (eco.parse(a), eco.parse(b)) {
            assert_eq!(x.cmp(&y), y.cmp(&x).reverse(), "{eco:?} {a:?} {b:?}");
        }
        let _ = crate::apk::compare_str(a, b);
        let range = osv::Range::new(
            osv::RangeType::Ecosystem,
            vec![
                osv::Event::Introduced(a.to_string()),
                osv::Event::Fixed(b.to_string()),
            ],
        );
        let _ = range.affects(eco, "1.0");
    }
    if let Ok(r) = npm::Range::parse(a)
        && let Ok(v) = npm::Version::parse(b)
    {
        let _ = r.satisfies(&v);
        let _ = r.to_string();
    }
}
