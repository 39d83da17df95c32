//! Language packages: loaded when installed files are in the final view, not loaded when
//! only a lockfile names them (bosun#9).

use bosun_catalog::inventory;
use bosun_inventory::SourceInfo;

use crate::support::layer;

const POETRY: &[u8] = b"[[package]]\nname = \"requests\"\nversion = \"2.31.0\"\n\n[[package]]\nname = \"idna\"\nversion = \"3.4\"\n";
const REQUESTS_METADATA: &[u8] =
    b"Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache-2.0\n";

#[test]
fn lockfile_only_packages_are_not_loaded_and_installed_ones_are() {
    let walks = [layer(
        0,
        &[
            ("app/poetry.lock", POETRY),
            (
                "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
                REQUESTS_METADATA,
            ),
        ],
        &[],
    )];
    let inv = inventory::build(&walks, SourceInfo::default(), Vec::new());
    let states: Vec<(&str, &str, Option<bool>)> = inv
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.locations[0].as_str(), p.loaded))
        .collect();
    let state = |name: &str, loc: &str| {
        states
            .iter()
            .find(|(n, l, _)| *n == name && l.starts_with(loc))
            .unwrap_or_else(|| panic!("{name} at {loc} missing: {states:?}"))
            .2
    };
    assert_eq!(state("idna", "/app/poetry.lock"), Some(false));
    // The locked requests has an installed copy of the same version.
    assert_eq!(state("requests", "/app/poetry.lock"), Some(true));
    assert_eq!(state("requests", "/usr/lib/python3"), Some(true));
}
