//! The store's promises: checked reads, atomic writes, LRU eviction within the bound, several
//! writers at once, status and clean.

#![allow(clippy::unwrap_used)]

use std::fs;
use std::time::{Duration, SystemTime};

use bosun_cache::{Cache, Key, Lookup};
use proptest::prelude::*;

fn key(i: u32) -> Key {
    Key::from_parts(&[b"layer", &i.to_le_bytes()])
}

/// A payload zstd cannot shrink much, so that entry sizes are predictable.
fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect()
}

fn set_age(cache: &Cache, k: &Key, secs_ago: u64) {
    let f = fs::File::options()
        .write(true)
        .open(cache.entry_path(k))
        .unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(secs_ago))
        .unwrap();
}

#[test]
fn put_then_get_returns_the_payload() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path(), 1 << 30).unwrap();
    let payload = noise(10_000, 1);
    assert_eq!(cache.get(&key(1)), Lookup::Miss);
    let size = cache.put(&key(1), &payload).unwrap();
    assert!(size > 0);
    assert_eq!(cache.get(&key(1)), Lookup::Hit(payload));
    assert_eq!(cache.status().unwrap().entries, 1);
    assert_eq!(cache.status().unwrap().bytes, size);
}

#[test]
fn corrupt_and_truncated_entries_are_detected_and_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path(), 1 << 30).unwrap();
    let payload = noise(5000, 2);
    cache.put(&key(1), &payload).unwrap();
    cache.put(&key(2), &payload).unwrap();

    // A flipped byte in the middle of the stored payload.
    let p1 = cache.entry_path(&key(1));
    let mut data = fs::read(&p1).unwrap();
    let mid = data.len() / 2;
    data[mid] ^= 0x40;
    fs::write(&p1, data).unwrap();
    // A write cut short (a crash without the rename would leave a temp file instead; this is
    // a disk that lost the tail).
    let p2 = cache.entry_path(&key(2));
    let data = fs::read(&p2).unwrap();
    fs::write(&p2, &data[..data.len() - 100]).unwrap();

    assert_eq!(cache.get(&key(1)), Lookup::Corrupt);
    assert_eq!(cache.get(&key(2)), Lookup::Corrupt);
    assert!(!p1.exists() && !p2.exists(), "bad entries are deleted");
    assert_eq!(cache.get(&key(1)), Lookup::Miss);
    // Recomputed and stored again: good as new.
    cache.put(&key(1), &payload).unwrap();
    assert_eq!(cache.get(&key(1)), Lookup::Hit(payload));
}

#[test]
fn eviction_keeps_the_bound_and_drops_the_least_recently_used() {
    let dir = tempfile::tempdir().unwrap();
    let probe = Cache::open(dir.path(), u64::MAX).unwrap();
    let entry = probe.put(&key(99), &noise(4000, 99)).unwrap();
    probe.clean().unwrap();
    // Room for three entries of this size, not four.
    let bound = entry * 3 + entry / 2;
    let cache = Cache::open(dir.path(), bound).unwrap();
    for i in 0..4 {
        cache.put(&key(i), &noise(4000, 99)).unwrap();
        set_age(&cache, &key(i), 1000 - u64::from(i) * 100); // 0 oldest ... 3 newest
    }
    // Entry 0 is the oldest write, but it is read now: 1 becomes the least recently used.
    assert!(matches!(cache.get(&key(0)), Lookup::Hit(_)));
    let evicted = cache.evict();
    assert_eq!(evicted.entries, 1);
    let status = cache.status().unwrap();
    assert!(status.bytes <= bound, "{} > {bound}", status.bytes);
    assert_eq!(status.entries, 3);
    assert_eq!(cache.get(&key(1)), Lookup::Miss);
    for i in [0, 2, 3] {
        assert!(matches!(cache.get(&key(i)), Lookup::Hit(_)), "{i}");
    }
    // Within the bound, eviction removes nothing.
    assert_eq!(cache.evict().entries, 0);
}

#[test]
fn an_entry_larger_than_the_bound_is_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path(), 100).unwrap();
    assert_eq!(cache.put(&key(1), &noise(1000, 3)).unwrap(), 0);
    assert_eq!(cache.get(&key(1)), Lookup::Miss);
}

#[test]
fn concurrent_writers_and_readers_of_the_same_keys_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path(), 1 << 30).unwrap();
    let payloads: Vec<Vec<u8>> = (0..4).map(|i| noise(50_000, i)).collect();
    std::thread::scope(|s| {
        for t in 0..8 {
            let cache = cache.clone();
            let payloads = &payloads;
            s.spawn(move || {
                for round in 0..20 {
                    let i = (t + round) % 4;
                    let k = key(i as u32);
                    match cache.get(&k) {
                        Lookup::Hit(p) => assert_eq!(p, payloads[i]),
                        Lookup::Miss => {
                            cache.put(&k, &payloads[i]).unwrap();
                        }
                        Lookup::Corrupt => panic!("a reader saw a partial entry"),
                    }
                }
            });
        }
    });
    let status = cache.status().unwrap();
    assert_eq!(status.entries, 4);
    // No temporary file is left behind.
    let leftovers = walk(dir.path())
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(".tmp"))
        .count();
    assert_eq!(leftovers, 0);
}

fn walk(p: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(p).unwrap().filter_map(Result::ok) {
        if e.file_type().unwrap().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[test]
fn clean_removes_every_entry() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path(), 1 << 30).unwrap();
    for i in 0..5 {
        cache.put(&key(i), &noise(100, u64::from(i))).unwrap();
    }
    let before = cache.status().unwrap();
    assert_eq!(before.entries, 5);
    let removed = cache.clean().unwrap();
    assert_eq!(removed.entries, 5);
    assert_eq!(removed.bytes, before.bytes);
    assert_eq!(cache.status().unwrap().entries, 0);
    // Still usable afterwards.
    cache.put(&key(1), b"x").unwrap();
    assert_eq!(cache.get(&key(1)), Lookup::Hit(b"x".to_vec()));
}

#[test]
fn default_dir_follows_xdg() {
    // Only checks the shape; the variables belong to the test process and are not changed.
    if let Ok(d) = bosun_cache::default_dir() {
        assert!(d.is_absolute());
        assert!(d.ends_with("bosun"));
    }
}

proptest! {
    #[test]
    fn fuzz_decode_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = bosun_cache::fuzz::decode_entry(&data);
    }

    #[test]
    fn any_single_byte_flip_is_refused(payload in proptest::collection::vec(any::<u8>(), 1..300), at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let good = bosun_cache::fuzz::encode_entry(&payload).unwrap();
        prop_assert_eq!(bosun_cache::fuzz::decode_entry(&good), Some(payload));
        let mut bad = good.clone();
        let i = at.index(bad.len());
        bad[i] ^= 1 << bit;
        prop_assert_eq!(bosun_cache::fuzz::decode_entry(&bad), None);
        prop_assert_eq!(bosun_cache::fuzz::decode_entry(&good[..i]), None);
    }
}

#[test]
fn temporary_files_of_dead_writers_are_removed_once_stale() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path(), 1 << 30).unwrap();
    cache.put(&key(1), b"kept").unwrap();
    let fan = cache.entry_path(&key(1)).parent().unwrap().to_owned();
    let stale = fan.join(".tmp-dead");
    let fresh = fan.join(".tmp-writing");
    fs::write(&stale, b"half").unwrap();
    fs::write(&fresh, b"half").unwrap();
    let f = fs::File::options().write(true).open(&stale).unwrap();
    f.set_modified(SystemTime::now() - bosun_cache::STALE_TEMP_AGE - Duration::from_secs(60))
        .unwrap();
    let _ = cache.evict();
    assert!(!stale.exists(), "a dead writer's file is removed");
    assert!(fresh.exists(), "a live writer's file is left alone");
    assert_eq!(cache.status().unwrap().entries, 1);
    assert_eq!(cache.get(&key(1)), Lookup::Hit(b"kept".to_vec()));
}
