//! Hostile input: random and mutated bytes never panic; masks never reveal more than a prefix.

use bosun_secret::mask;
use proptest::prelude::*;

use crate::{default_scanner, files_under};

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
        bosun_secret::fuzz_scan(&data);
        bosun_secret::fuzz_config(&data);
    }

    #[test]
    fn keyword_soup_never_panics(parts in proptest::collection::vec(
        prop_oneof![
            Just("AKIA"), Just("ghp_"), Just("-----BEGIN RSA PRIVATE KEY-----"), Just("-----END RSA PRIVATE KEY-----"),
            Just("password="), Just("postgres://u:"), Just("@"), Just("\n"), Just("eyJ"), Just("."), Just("xoxb-"),
            Just("0123456789abcdefABCDEF"), Just("\""), Just("sk_live_"), Just("::"), Just("\r\n"),
        ], 0..200)) {
        let text = parts.concat();
        let s = default_scanner();
        for f in s.scan("a.env", text.as_bytes()) {
            prop_assert!(f.line >= 1 && f.column >= 1);
            prop_assert!(f.line <= text.lines().count().max(1) + 1);
        }
    }

    #[test]
    fn mask_reveals_at_most_a_four_char_prefix(secret in "\\PC{0,80}") {
        let m = mask(&secret);
        prop_assert_eq!(m.chars().count(), secret.chars().count());
        let shown: String = m.chars().zip(secret.chars()).take_while(|(a, b)| a == b && *a != '*').map(|(a, _)| a).collect();
        prop_assert!(shown.chars().count() <= 4);
        prop_assert!(m.chars().skip(4).all(|c| c == '*'));
    }

    #[test]
    fn generated_secrets_are_found_and_masked(body in "[A-Za-z0-9]{36}") {
        let token = format!("ghp_{body}");
        let text = format!("export GITHUB_TOKEN={token}\n");
        let f = default_scanner().scan("deploy.sh", text.as_bytes());
        prop_assert_eq!(f.len(), 1);
        prop_assert!(!f[0].match_masked.contains(&body[..8]));
        prop_assert!(f[0].match_masked.starts_with("ghp_"));
    }
}

#[test]
fn mutated_corpus_files_never_panic() {
    let dir = bosun_testdata::require!("data/secrets");
    let mut n = 0u64;
    for (_, body) in files_under(&dir)
        .into_iter()
        .filter(|(_, b)| b.len() < 64 << 10)
    {
        for k in 0..8usize {
            let mut b = body.clone();
            // Deterministic mutations: truncate, flip a byte, splice a NUL past the sniff window.
            if !b.is_empty() {
                let i = (k * 7919) % b.len();
                b[i] ^= 0x5a;
                b.truncate(b.len() - (k * 13) % b.len());
            }
            bosun_secret::fuzz_scan(&b);
            n += 1;
        }
    }
    assert!(n > 100);
}
