//! The link graph against this machine's own tools: `readelf` for each file's dynamic
//! section, `ldconfig -p` for the ld.so.cache, `ldd` for the set of loaded libraries. The
//! expectations are read from the tools at test time, so the tests hold whatever libraries
//! the host has. Hostile input never panics.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use bosun_binary::elf_links::{
    ElfFilesystem, ElfLinks, LdCacheEntry, LdCacheError, LoadState, SearchConfig, elf_links,
    parse_ld_so_cache, resolve,
};
use proptest::prelude::*;

fn tools_required() -> bool {
    std::env::var_os("BOSUN_REQUIRE_TOOLS").is_some()
}

fn skip_or_fail(what: &str) {
    assert!(!tools_required(), "BOSUN_REQUIRE_TOOLS is set but {what}");
    eprintln!("skipped: {what}");
}

fn run(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn ldconfig(args: &[&str]) -> Option<String> {
    run("ldconfig", args)
        .or_else(|| run("/sbin/ldconfig", args))
        .or_else(|| run("/usr/sbin/ldconfig", args))
}

/// The host executables the graph starts from: those present of a few common ones.
fn host_executables() -> Vec<PathBuf> {
    ["/usr/bin/curl", "/bin/ls", "/usr/bin/env"]
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .collect()
}

/// What `ldd` says a program loads: the paths it prints (`name => path (addr)` and the
/// interpreter's `path (addr)`), and the names it could not find.
fn ldd(exe: &Path) -> Option<(Vec<PathBuf>, Vec<String>)> {
    let out = run("ldd", &[exe.to_str()?])?;
    let mut paths = Vec::new();
    let mut missing = Vec::new();
    for line in out.lines() {
        let line = line.trim();
        if let Some((name, rest)) = line.split_once(" => ") {
            if rest.trim() == "not found" {
                missing.push(name.to_owned());
                continue;
            }
            let p = rest.split(" (").next()?.trim();
            if p.starts_with('/') {
                paths.push(PathBuf::from(p));
            }
        } else if line.starts_with('/') {
            paths.push(PathBuf::from(line.split(" (").next()?.trim()));
        }
    }
    Some((paths, missing))
}

/// Resolves `path` on the host component by component, recording every symlink met (also
/// directory links such as `/lib -> usr/lib`) as the image would hold them; the real path.
fn record_links(path: &Path, links: &mut BTreeMap<String, String>, depth: usize) -> PathBuf {
    assert!(depth < 40, "symlink loop at {path:?}");
    let mut cur = PathBuf::from("/");
    for c in path.components() {
        match c {
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
            Component::ParentDir => {
                cur.pop();
            }
            Component::Normal(n) => {
                let next = cur.join(n);
                match std::fs::read_link(&next) {
                    Ok(target) => {
                        links.insert(
                            next.to_str().unwrap().to_owned(),
                            target.to_str().unwrap().to_owned(),
                        );
                        let abs = if target.is_absolute() {
                            target
                        } else {
                            cur.join(target)
                        };
                        cur = record_links(&abs, links, depth + 1);
                    }
                    Err(_) => cur = next,
                }
            }
        }
    }
    cur
}

fn links_of(real: &Path) -> ElfLinks {
    let bytes = std::fs::read(real).unwrap();
    elf_links(&bytes)
        .unwrap_or_else(|e| panic!("{real:?}: {e}"))
        .unwrap_or_else(|| panic!("{real:?} is not ELF"))
}

fn host_cache() -> Option<Vec<LdCacheEntry>> {
    let bytes = std::fs::read("/etc/ld.so.cache").ok()?;
    Some(parse_ld_so_cache(&bytes).unwrap())
}

#[test]
fn ld_so_cache_of_this_machine_matches_ldconfig_p() {
    let Some(ours) = host_cache() else {
        return skip_or_fail("no /etc/ld.so.cache");
    };
    let Some(text) = ldconfig(&["-p"]) else {
        return skip_or_fail("no ldconfig");
    };
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let count: usize = header.split_whitespace().next().unwrap().parse().unwrap();
    let mut theirs = Vec::new();
    for line in lines {
        let Some((left, path)) = line.split_once(" => ") else {
            continue;
        };
        let name = left.trim().split(" (").next().unwrap();
        theirs.push((name.to_owned(), path.trim().to_owned()));
    }
    assert_eq!(count, theirs.len(), "ldconfig -p header against its lines");
    assert!(count > 0);
    let ours_pairs: Vec<(String, String)> = ours
        .iter()
        .map(|e| (e.name.clone(), e.path.clone()))
        .collect();
    // Same entries in the same order: ldconfig -p prints the cache's order.
    assert_eq!(ours_pairs, theirs);
    // Every entry is a glibc ELF library (kind 3 in the low byte).
    assert!(ours.iter().all(|e| e.flags & 0xff == 3), "{ours:?}");
}

/// Builds an old-format cache (`ld.so-1.7.0`) by hand from the given entries.
fn old_cache(entries: &[(&str, &str, u32)]) -> Vec<u8> {
    let mut strings = Vec::new();
    let mut table = Vec::new();
    for (name, path, flags) in entries {
        let k = strings.len() as u32;
        strings.extend_from_slice(name.as_bytes());
        strings.push(0);
        let v = strings.len() as u32;
        strings.extend_from_slice(path.as_bytes());
        strings.push(0);
        table.extend_from_slice(&flags.to_le_bytes());
        table.extend_from_slice(&k.to_le_bytes());
        table.extend_from_slice(&v.to_le_bytes());
    }
    let mut b = b"ld.so-1.7.0\0".to_vec();
    b.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    b.extend_from_slice(&table);
    b.extend_from_slice(&strings);
    b
}

#[test]
fn old_format_cache_gives_its_entries_and_a_compat_cache_gives_the_new_table() {
    let old = old_cache(&[
        ("libz.so.1", "/lib/libz.so.1", 0x0303),
        ("libc.so.6", "/lib/libc.so.6", 0x0303),
    ]);
    let got = parse_ld_so_cache(&old).unwrap();
    assert_eq!(
        got.iter()
            .map(|e| (e.name.as_str(), e.path.as_str(), e.flags))
            .collect::<Vec<_>>(),
        [
            ("libz.so.1", "/lib/libz.so.1", 0x0303),
            ("libc.so.6", "/lib/libc.so.6", 0x0303)
        ]
    );
    // ldconfig before glibc 2.32 wrote the old table, then the new one aligned to 8.
    let Some(new) = std::fs::read("/etc/ld.so.cache").ok() else {
        return skip_or_fail("no /etc/ld.so.cache to append");
    };
    let mut compat = old.clone();
    compat.resize(compat.len().next_multiple_of(8), 0);
    compat.extend_from_slice(&new);
    assert_eq!(
        parse_ld_so_cache(&compat).unwrap(),
        parse_ld_so_cache(&new).unwrap()
    );
    // Truncations are errors, not panics.
    assert_eq!(
        parse_ld_so_cache(&old[..20]),
        Err(LdCacheError::Truncated("old entry table"))
    );
    assert_eq!(parse_ld_so_cache(b"nope"), Err(LdCacheError::BadMagic));
}

/// `readelf -d` and `readelf -l` facts: (needed, soname, runpath, rpath, interpreter).
type ReadelfFacts = (
    Vec<String>,
    Option<String>,
    Vec<String>,
    Vec<String>,
    Option<String>,
);

fn readelf(path: &Path) -> Option<ReadelfFacts> {
    let p = path.to_str()?;
    let d = run("readelf", &["-dW", p])?;
    let l = run("readelf", &["-lW", p])?;
    let bracket = |line: &str| {
        let start = line.find('[')? + 1;
        let end = line.rfind(']')?;
        line.get(start..end).map(str::to_owned)
    };
    let (mut needed, mut soname, mut runpath, mut rpath) = (Vec::new(), None, vec![], vec![]);
    let split = |s: String| -> Vec<String> {
        s.split(':')
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect()
    };
    for line in d.lines() {
        if line.contains("(NEEDED)") {
            needed.extend(bracket(line));
        } else if line.contains("(SONAME)") {
            soname = bracket(line);
        } else if line.contains("(RUNPATH)") {
            runpath = bracket(line).map(split).unwrap_or_default();
        } else if line.contains("(RPATH)") {
            rpath = bracket(line).map(split).unwrap_or_default();
        }
    }
    let interp = l
        .lines()
        .find(|x| x.contains("Requesting program interpreter"))
        .and_then(|x| {
            let s = x.split("interpreter: ").nth(1)?;
            s.strip_suffix(']').map(str::to_owned)
        });
    Some((needed, soname, runpath, rpath, interp))
}

#[test]
fn elf_links_of_real_programs_and_libraries_match_readelf() {
    let mut files: Vec<PathBuf> = host_executables();
    for exe in host_executables() {
        if let Some((paths, _)) = ldd(&exe) {
            files.extend(paths.iter().map(|p| std::fs::canonicalize(p).unwrap()));
        }
    }
    files.sort();
    files.dedup();
    if files.is_empty() || run("readelf", &["--version"]).is_none() {
        return skip_or_fail("no readelf or no host executables");
    }
    let mut executables = 0;
    let mut libraries = 0;
    for f in &files {
        let want = readelf(f).unwrap();
        let got = links_of(f);
        assert_eq!(
            (
                got.needed.clone(),
                got.soname.clone(),
                got.runpath.clone(),
                got.rpath.clone(),
                got.interpreter.clone()
            ),
            want,
            "{f:?}"
        );
        assert_ne!(got.is_executable, got.is_shared_library, "{f:?}");
        let header = run("readelf", &["-hW", f.to_str().unwrap()]).unwrap();
        // readelf names a DF_1_PIE file a Position-Independent Executable.
        let readelf_exec = header
            .lines()
            .any(|l| l.contains("Type:") && (l.contains("EXEC") || l.contains("Position-Indep")));
        if readelf_exec {
            assert!(got.is_executable, "{f:?}");
        }
        executables += usize::from(got.is_executable);
        libraries += usize::from(got.is_shared_library);
    }
    // The programs are executables, everything ldd listed besides them is a library.
    assert_eq!(executables, host_executables().len());
    assert_eq!(libraries, files.len() - executables);
    // And a file that is not ELF is not an error.
    assert_eq!(elf_links(b"#!/bin/sh\necho hi\n").unwrap(), None);
}

#[test]
fn loaded_set_matches_ldd_and_an_unlinked_library_is_not_loaded() {
    let exes = host_executables();
    if exes.is_empty() {
        return skip_or_fail("no host executables");
    }
    let Some(cache) = host_cache() else {
        return skip_or_fail("no /etc/ld.so.cache");
    };
    let mut symlinks = BTreeMap::new();
    let mut fs = ElfFilesystem::new();
    let mut expected = BTreeSet::new();
    let mut exe_reals = BTreeSet::new();
    let mut ldd_paths = Vec::new();
    for exe in &exes {
        let Some((paths, missing)) = ldd(exe) else {
            return skip_or_fail("no ldd");
        };
        assert!(missing.is_empty(), "{exe:?} misses {missing:?}");
        let real = record_links(exe, &mut symlinks, 0);
        exe_reals.insert(real.to_str().unwrap().to_owned());
        ldd_paths.push(real);
        ldd_paths.extend(paths);
    }
    for p in &ldd_paths {
        let real = record_links(p, &mut symlinks, 0);
        assert_eq!(real, std::fs::canonicalize(p).unwrap());
        fs.add_file(real.to_str().unwrap(), links_of(&real));
        expected.insert(real.to_str().unwrap().to_owned());
    }
    let machine = links_of(&exes[0]).machine;
    // A library nothing here links, reached through a soname that is a symlink.
    let unlinked = cache.iter().find_map(|e| {
        let path = Path::new(&e.path);
        let is_link = std::fs::symlink_metadata(path)
            .ok()?
            .file_type()
            .is_symlink();
        let real = std::fs::canonicalize(path).ok()?;
        if !is_link || expected.contains(real.to_str()?) {
            return None;
        }
        let l = elf_links(&std::fs::read(&real).ok()?).ok()??;
        (l.is_shared_library && l.machine == machine && l.soname.as_deref() == Some(&e.name))
            .then(|| (e.path.clone(), real, l))
    });
    let Some((soname_path, unlinked_real, unlinked_links)) = unlinked else {
        return skip_or_fail("no unlinked library with a symlinked soname in the cache");
    };
    record_links(Path::new(&soname_path), &mut symlinks, 0);
    fs.add_file(unlinked_real.to_str().unwrap(), unlinked_links);
    for (from, to) in &symlinks {
        fs.add_symlink(from, to);
    }

    let with_cache = SearchConfig {
        ld_cache: cache,
        ..SearchConfig::default()
    };
    for (what, cfg) in [
        ("the host's ld.so.cache", with_cache),
        ("the default directories", SearchConfig::default()),
    ] {
        let r = resolve(&fs, &cfg);
        eprintln!(
            "{} executables, {} files loaded as ldd says, unlinked {soname_path} through {what}",
            r.executables.len(),
            r.loaded.len()
        );
        assert_eq!(r.loaded, expected, "through {what}");
        assert_eq!(r.executables, exe_reals, "through {what}");
        assert!(r.unresolved.is_empty(), "{what}: {:?}", r.unresolved);
        assert!(!r.truncated);
        let unlinked_real = unlinked_real.to_str().unwrap().to_owned();
        assert!(!r.loaded.contains(&unlinked_real));
        assert!(r.shared_libraries.contains(&unlinked_real));

        // A package listing the soname symlink and the real file, as dpkg does.
        assert_eq!(
            r.package_state(&fs, &[soname_path.clone(), unlinked_real.clone()]),
            LoadState::NotLoaded,
            "{soname_path} through {what}"
        );
        // Only the symlink: still resolved to the library.
        assert_eq!(
            r.package_state(&fs, std::slice::from_ref(&soname_path)),
            LoadState::NotLoaded
        );
        // Every file ldd listed, by the path ldd printed (through /lib and soname links).
        for p in ldd_paths.iter().map(|p| p.to_str().unwrap().to_owned()) {
            assert_eq!(
                r.package_state(&fs, std::slice::from_ref(&p)),
                LoadState::Loaded,
                "{p}"
            );
        }
        // Without the leading slash, as tar paths come.
        let first = exes[0].to_str().unwrap().trim_start_matches('/').to_owned();
        assert_eq!(r.package_state(&fs, &[first]), LoadState::Loaded);
        // Data only: nothing to say.
        assert_eq!(
            r.package_state(&fs, &["/usr/share/doc/x/copyright".into()]),
            LoadState::Unknown
        );
    }
}

fn memmem(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_the_link_readers(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
    ) {
        bosun_binary::fuzz::elf_links_bytes(&bytes);
    }

    #[test]
    fn arbitrary_bytes_behind_elf_magic_never_panic(
        magic in prop::sample::select(vec![
            b"\x7fELF\x02\x01\x01\x00".to_vec(), b"\x7fELF\x01\x02\x01\x00".to_vec(),
            b"\x7fELF\x01\x01\x01\x00".to_vec(), b"\x7fELF\x02\x02\x01\x00".to_vec(),
        ]),
        rest in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut b = magic;
        b.extend_from_slice(&rest);
        bosun_binary::fuzz::elf_links_bytes(&b);
    }

    #[test]
    fn mutated_real_elf_and_cache_never_panic(
        edits in proptest::collection::vec((0usize..1 << 16, any::<u8>()), 1..16),
        cut in proptest::option::of(any::<usize>()),
    ) {
        for src in ["/bin/ls", "/etc/ld.so.cache"] {
            let Ok(mut b) = std::fs::read(src) else { continue };
            // Around the headers and the dynamic string table.
            let hot = memmem(&b, b"libc.so.6").unwrap_or(0);
            for (i, &(off, val)) in edits.iter().enumerate() {
                let base = if i % 2 == 0 { 0 } else { hot.saturating_sub(2048) };
                let at = (base + off % 8192) % b.len();
                b[at] = val;
            }
            if let Some(c) = cut {
                b.truncate(c % (b.len() + 1));
            }
            bosun_binary::fuzz::elf_links_bytes(&b);
        }
    }
}

/// Adds every ELF file under `dir` (real files, recursively, symlinked directories not
/// entered) and the symlinks met on the way.
fn add_tree(
    dir: &Path,
    fs: &mut ElfFilesystem,
    links: &mut BTreeMap<String, String>,
    budget: &mut usize,
) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_symlink() {
            if let Ok(t) = std::fs::read_link(&p) {
                links.insert(
                    p.to_str().unwrap().to_owned(),
                    t.to_str().unwrap().to_owned(),
                );
            }
        } else if ft.is_dir() {
            add_tree(&p, fs, links, budget);
        } else if ft.is_file() && *budget > 0 {
            let Ok(meta) = e.metadata() else { continue };
            if meta.len() < 52 || meta.len() > 256 << 20 {
                continue;
            }
            // Most of /usr/lib is not ELF: look at the magic before reading a whole file.
            let mut magic = [0u8; 4];
            let is_elf = std::fs::File::open(&p)
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
                .is_ok_and(|()| &magic == b"\x7fELF");
            if !is_elf {
                continue;
            }
            let Ok(bytes) = std::fs::read(&p) else {
                continue;
            };
            if let Ok(Some(l)) = elf_links(&bytes) {
                *budget -= 1;
                fs.add_file(p.to_str().unwrap(), l);
            }
        }
    }
}

/// The whole host (`/usr/bin`, `/usr/sbin`, `/usr/lib`, `/usr/libexec`, `/lib64`) as one
/// filesystem: the loaded set equals the union of what `ldd` says of every executable the
/// resolver starts from, and the libraries left out are exactly those no `ldd` listed.
#[test]
fn whole_host_loaded_set_is_the_union_of_ldd_over_every_executable() {
    if run("ldd", &["/bin/ls"]).is_none() {
        return skip_or_fail("no ldd");
    }
    let Some(cache) = host_cache() else {
        return skip_or_fail("no /etc/ld.so.cache");
    };
    let mut fs = ElfFilesystem::new();
    let mut links = BTreeMap::new();
    let mut budget = 50_000;
    let walk = std::time::Instant::now();
    for d in [
        "/usr/bin",
        "/usr/sbin",
        "/usr/lib",
        "/usr/libexec",
        "/lib64",
    ] {
        let real = record_links(Path::new(d), &mut links, 0);
        add_tree(&real, &mut fs, &mut links, &mut budget);
    }
    for d in ["/bin", "/sbin", "/lib"] {
        record_links(Path::new(d), &mut links, 0);
    }
    for (from, to) in &links {
        fs.add_symlink(from, to);
    }
    eprintln!("walked in {:?}", walk.elapsed());
    let start = std::time::Instant::now();
    let r = resolve(
        &fs,
        &SearchConfig {
            ld_cache: cache,
            ..SearchConfig::default()
        },
    );
    let took = start.elapsed();
    let mut expected = BTreeSet::new();
    let mut ldd_missing = BTreeSet::new();
    let mut untraced = BTreeSet::new();
    for exe in &r.executables {
        expected.insert(exe.clone());
        // Static programs, and programs for an architecture this host cannot run (a 32-bit
        // helper without 32-bit libc): ldd fails.
        let Some((paths, missing)) = ldd(Path::new(exe)) else {
            untraced.insert(exe.clone());
            continue;
        };
        ldd_missing.extend(missing);
        for p in paths {
            expected.insert(
                std::fs::canonicalize(&p)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_owned(),
            );
        }
    }
    eprintln!(
        "{} ELF files, {} executables, {} loaded, {} libraries not loaded; resolved in {took:?}",
        fs.files().len(),
        r.executables.len(),
        r.loaded.len(),
        r.shared_libraries.difference(&r.loaded).count()
    );
    // ldd also lists files outside the trees walked here (none on a usual host): compare
    // within them.
    let expected: BTreeSet<String> = expected
        .into_iter()
        .filter(|p| fs.files().contains_key(p))
        .collect();
    assert_eq!(
        r.loaded.difference(&expected).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "loaded here, not by ldd"
    );
    assert_eq!(
        expected.difference(&r.loaded).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "loaded by ldd, not here"
    );
    // Names not found: those ldd reports missing, plus the needs of programs ldd could not
    // trace (which must really lack a library: none of them may be loaded here either).
    let mut unresolved: BTreeSet<&String> = BTreeSet::new();
    for (obj, name) in &r.unresolved {
        if untraced.contains(obj) {
            let static_or_foreign = links_of(Path::new(obj));
            assert!(static_or_foreign.interpreter.is_some(), "{obj}");
        } else {
            unresolved.insert(name);
        }
    }
    assert_eq!(
        unresolved,
        ldd_missing.iter().collect::<BTreeSet<_>>(),
        "names neither finds: {:?}",
        r.unresolved
    );
}

/// Builds a new-format cache (`glibc-ld.so.cache1.1`) by hand, in either byte order.
fn new_cache(entries: &[(&str, &str, u32)], big: bool) -> Vec<u8> {
    let u32b = |v: u32| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let table_end = 48 + 24 * entries.len();
    let mut strings = Vec::new();
    let mut table = Vec::new();
    for (name, path, flags) in entries {
        let k = (table_end + strings.len()) as u32;
        strings.extend_from_slice(name.as_bytes());
        strings.push(0);
        let v = (table_end + strings.len()) as u32;
        strings.extend_from_slice(path.as_bytes());
        strings.push(0);
        table.extend_from_slice(&u32b(*flags));
        table.extend_from_slice(&u32b(k));
        table.extend_from_slice(&u32b(v));
        table.extend_from_slice(&u32b(0)); // osversion
        table.extend_from_slice(&[0; 8]); // hwcap
    }
    let mut b = b"glibc-ld.so.cache1.1".to_vec();
    b.extend_from_slice(&u32b(entries.len() as u32));
    b.extend_from_slice(&u32b(strings.len() as u32));
    b.push(if big { 3 } else { 2 });
    b.extend_from_slice(&[0; 3]);
    b.extend_from_slice(&[0; 16]); // extension offset, unused
    assert_eq!(b.len(), 48);
    b.extend_from_slice(&table);
    b.extend_from_slice(&strings);
    b
}

#[test]
fn new_format_cache_reads_in_both_byte_orders_and_rejects_bad_offsets() {
    let entries = [
        (
            "libssl.so.3",
            "/usr/lib/s390x-linux-gnu/libssl.so.3",
            0x0503u32,
        ),
        ("libc.so.6", "/lib/s390x-linux-gnu/libc.so.6", 0x0503),
    ];
    for big in [false, true] {
        let got = parse_ld_so_cache(&new_cache(&entries, big)).unwrap();
        let got: Vec<(&str, &str, u32)> = got
            .iter()
            .map(|e| (e.name.as_str(), e.path.as_str(), e.flags))
            .collect();
        assert_eq!(got, entries, "big endian: {big}");
    }
    let mut bad = new_cache(&entries, false);
    bad[48 + 4..48 + 8].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        parse_ld_so_cache(&bad),
        Err(LdCacheError::BadOffset(u64::from(u32::MAX)))
    );
    let mut many = new_cache(&entries, false);
    many[20..24].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        parse_ld_so_cache(&many),
        Err(LdCacheError::TooManyEntries(u64::from(u32::MAX)))
    );
}
