//! An installed npm tree next to its lockfiles: each installed package once, from its
//! `package.json`, with the lockfile's dev flag; locked packages missing from the tree are not
//! in the image; a project without node_modules is listed from its lockfile.

use bosun_inventory::PackageType;
use bosun_testkit::ImageBuilder;

#[test]
fn an_installed_npm_tree_is_listed_from_what_is_installed() {
    let lock = serde_json::json!({
        "name": "app", "version": "1.0.0", "lockfileVersion": 3,
        "packages": {
            "": {"name": "app", "version": "1.0.0",
                  "dependencies": {"lodash": "4.17.20", "left-pad": "1.3.0"},
                  "devDependencies": {"minimist": "1.2.5"}},
            "node_modules/lodash": {"version": "4.17.20"},
            "node_modules/minimist": {"version": "1.2.5", "dev": true},
            "node_modules/left-pad": {"version": "1.3.0"}
        }
    })
    .to_string();
    let manifest = |n: &str, v: &str| format!(r#"{{"name":"{n}","version":"{v}"}}"#);
    let image = ImageBuilder::new().layer(|l| {
        l.file("app/package.json", manifest("app", "1.0.0"))
            .file("app/package-lock.json", &lock)
            .file("app/node_modules/.package-lock.json", &lock)
            .file(
                "app/node_modules/lodash/package.json",
                manifest("lodash", "4.17.20"),
            )
            .file(
                "app/node_modules/minimist/package.json",
                manifest("minimist", "1.2.5"),
            )
            // left-pad is locked but not installed.
            .file("srv/package-lock.json", &lock)
    });
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("image.tar");
    image.write_docker_archive(&path).unwrap();
    let source = bosun_image::Source::parse(path.to_str().unwrap()).unwrap();
    let img = bosun_image::Image::open(&source, &bosun_image::OpenOptions::default()).unwrap();
    let inv = bosun_catalog::catalog(&img).unwrap();
    let mut got: Vec<(&str, &str, bool)> = inv
        .packages
        .iter()
        .filter(|p| p.package_type == PackageType::Npm)
        .map(|p| (p.name.as_str(), p.locations[0].as_str(), p.dev))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            // Locked in /app but not installed there: not in the image.
            ("left-pad", "/srv/package-lock.json", false),
            ("lodash", "/app/node_modules/lodash/package.json", false),
            // /srv has no node_modules: its lockfile entries stay.
            ("lodash", "/srv/package-lock.json", false),
            ("minimist", "/app/node_modules/minimist/package.json", true),
            ("minimist", "/srv/package-lock.json", true),
        ]
    );
}
