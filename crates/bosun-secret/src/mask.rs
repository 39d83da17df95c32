//! Masking and entropy: the two small numeric helpers every rule relies on.

/// Masks a secret: keeps at most the first 4 characters (fewer for short secrets: 2 under 12
/// characters, none under 6) and replaces every other character with `*`.
#[must_use]
pub fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    let keep = if n >= 12 {
        4
    } else if n >= 6 {
        2
    } else {
        0
    };
    secret
        .chars()
        .enumerate()
        .map(|(i, c)| if i < keep { c } else { '*' })
        .collect()
}

/// Shannon entropy in bits per byte.
#[must_use]
pub fn shannon_entropy(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in data {
        if let Some(c) = counts.get_mut(usize::from(b)) {
            *c = c.saturating_add(1);
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let len = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_keeps_prefix_only() {
        assert_eq!(mask("AKIA0123456789ABCDEF"), "AKIA****************");
        assert_eq!(mask("hunter2"), "hu*****");
        assert_eq!(mask("abc"), "***");
    }

    #[test]
    fn entropy_of_uniform_bytes() {
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!(shannon_entropy(b"aaaa").abs() < 1e-9);
    }
}
