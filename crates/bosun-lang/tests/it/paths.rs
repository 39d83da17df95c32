//! `ManifestKind::from_path` decides from the path alone.

use bosun_lang::ManifestKind as K;

#[test]
fn manifest_kinds_are_decided_from_paths() {
    let cases: &[(&str, Option<K>)] = &[
        (
            "usr/lib/python3/dist-packages/Flask-2.0.0.dist-info/METADATA",
            Some(K::PythonMetadata),
        ),
        (
            "usr/lib/python3.8/site-packages/setuptools-51.3.3-py3.8.egg-info/PKG-INFO",
            Some(K::PythonMetadata),
        ),
        ("srv/app/METADATA", None),
        (
            "usr/lib/python3.9/site-packages/distlib-0.3.1-py3.9.egg-info",
            Some(K::PythonMetadata),
        ),
        ("app/requirements.txt", Some(K::PythonRequirements)),
        ("app/requirements-dev.txt", Some(K::PythonRequirements)),
        ("app/requirements/base.txt", None),
        ("app/poetry.lock", Some(K::PoetryLock)),
        ("app/Pipfile.lock", Some(K::PipfileLock)),
        ("app/uv.lock", Some(K::UvLock)),
        ("app/pdm.lock", Some(K::PdmLock)),
        (
            "app/node_modules/lodash/package.json",
            Some(K::NpmInstalledPackageJson),
        ),
        (
            "app/node_modules/@babel/core/package.json",
            Some(K::NpmInstalledPackageJson),
        ),
        (
            "app/node_modules/a/node_modules/b/package.json",
            Some(K::NpmInstalledPackageJson),
        ),
        ("app/node_modules/lodash/lib/package.json", None),
        // Lockfiles shipped inside installed packages are their authors' files.
        ("app/node_modules/uri-js/yarn.lock", None),
        ("app/node_modules/combined-stream/package-lock.json", None),
        ("app/node_modules/x/test/fixtures/Cargo.lock", None),
        ("app/node_modules/x/requirements.txt", None),
        // npm's own record of the installed tree stays.
        (
            "app/node_modules/.package-lock.json",
            Some(K::NpmPackageLock),
        ),
        ("app/package.json", None),
        ("app/package-lock.json", Some(K::NpmPackageLock)),
        ("app/yarn.lock", Some(K::YarnLock)),
        ("app/pnpm-lock.yaml", Some(K::PnpmLock)),
        (
            "usr/local/bundle/specifications/rack-2.2.3.gemspec",
            Some(K::Gemspec),
        ),
        (
            "usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec",
            Some(K::Gemspec),
        ),
        ("src/rack/rack.gemspec", None),
        ("app/Gemfile.lock", Some(K::GemfileLock)),
        ("app/composer.lock", Some(K::ComposerLock)),
        (
            "app/vendor/composer/installed.json",
            Some(K::ComposerInstalled),
        ),
        ("app/installed.json", None),
        ("app/MyApp.deps.json", Some(K::DotnetDepsJson)),
        ("app/packages.lock.json", Some(K::NugetPackagesLock)),
        ("app/Cargo.lock", Some(K::CargoLock)),
        ("app/go.mod", Some(K::GoMod)),
        ("app/go.sum", None),
    ];
    for (path, want) in cases {
        assert_eq!(K::from_path(path), *want, "{path}");
    }
}
