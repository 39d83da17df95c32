//! Image references as users write them (`alpine`, `alpine:3.20`, `ghcr.io/org/app@sha256:...`,
//! `localhost:5000/x:y`), following the grammar of distribution/reference and Docker Hub's
//! normalization (`alpine` is `docker.io/library/alpine:latest`).

use crate::RegistryError;

/// Docker Hub's canonical name.
pub const DOCKER_HUB: &str = "docker.io";
/// The host that serves Docker Hub's registry API.
pub const DOCKER_HUB_API: &str = "registry-1.docker.io";
/// Longest repository name (domain included) the grammar allows.
pub const MAX_NAME_LEN: usize = 255;
/// Longest reference string accepted at all.
const MAX_INPUT: usize = 4096;
/// Longest tag.
const MAX_TAG_LEN: usize = 128;

/// A parsed, normalized image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
}

fn bad(input: &str, reason: impl Into<String>) -> RegistryError {
    RegistryError::BadReference {
        input: input.chars().take(300).collect(),
        reason: reason.into(),
    }
}

impl Reference {
    /// Parses a reference, normalizing it the way `docker pull` does: a first component
    /// without `.` or `:` that is not `localhost` is a Docker Hub path (`docker.io`), and a
    /// one-component Docker Hub path lives under `library/`. Neither tag nor digest means
    /// `latest`.
    ///
    /// # Errors
    /// [`RegistryError::BadReference`] naming what is wrong.
    pub fn parse(input: &str) -> Result<Reference, RegistryError> {
        if input.is_empty() {
            return Err(bad(input, "empty reference"));
        }
        if input.len() > MAX_INPUT {
            return Err(bad(input, "reference too long"));
        }
        let (rest, digest) = match input.split_once('@') {
            Some((r, d)) => {
                check_digest(d).map_err(|why| bad(input, why))?;
                (r, Some(d.to_owned()))
            }
            None => (input, None),
        };
        // A tag follows the last ':' that comes after the last '/'.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest
            .get(last_slash..)
            .and_then(|tail| tail.rfind(':'))
            .map(|i| i + last_slash)
        {
            Some(i) => (
                rest.get(..i).unwrap_or_default(),
                Some(rest.get(i + 1..).unwrap_or_default().to_owned()),
            ),
            None => (rest, None),
        };
        if let Some(t) = &tag {
            check_tag(t).map_err(|why| bad(input, why))?;
        }
        if name.is_empty() {
            return Err(bad(input, "no repository name"));
        }
        let (domain, path) = split_domain(name);
        if let Some(d) = domain {
            check_domain(d).map_err(|why| bad(input, why))?;
        }
        check_path(path).map_err(|why| bad(input, why))?;
        if domain.is_none() && is_hex64(path) {
            return Err(bad(
                input,
                "a 64-character hexadecimal name is an image ID, not a repository",
            ));
        }
        let mut registry = domain.unwrap_or(DOCKER_HUB).to_owned();
        if registry == "index.docker.io" {
            registry = DOCKER_HUB.to_owned();
        }
        let repository = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path.to_owned()
        };
        if registry.len() + 1 + repository.len() > MAX_NAME_LEN {
            return Err(bad(
                input,
                format!("repository name longer than {MAX_NAME_LEN} characters"),
            ));
        }
        Ok(Reference {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// The registry as written, normalized (`docker.io`, `ghcr.io`, `localhost:5000`).
    #[must_use]
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The host (and port) that serves the registry API: `registry-1.docker.io` for Docker
    /// Hub, the registry itself otherwise.
    #[must_use]
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API
        } else {
            &self.registry
        }
    }

    /// The repository path (`library/alpine`, `org/app`).
    #[must_use]
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag, when one was written.
    #[must_use]
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, when one was written (`sha256:...`).
    #[must_use]
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// What to ask the registry for: the digest if any, else the tag, else `latest`.
    #[must_use]
    pub fn target(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }

    /// `registry/repository` without tag or digest.
    #[must_use]
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The host part of the API host, without port or brackets.
    #[must_use]
    pub fn host_only(&self) -> &str {
        host_of(self.api_host())
    }
}

impl std::fmt::Display for Reference {
    /// The full normalized form; `:latest` is added when neither tag nor digest was given.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        match (&self.tag, &self.digest) {
            (Some(t), Some(d)) => write!(f, ":{t}@{d}"),
            (Some(t), None) => write!(f, ":{t}"),
            (None, Some(d)) => write!(f, "@{d}"),
            (None, None) => write!(f, ":latest"),
        }
    }
}

/// The host of `host[:port]` or `[v6]:port`.
pub(crate) fn host_of(hostport: &str) -> &str {
    if let Some(rest) = hostport.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    hostport.split(':').next().unwrap_or(hostport)
}

/// Splits `name` into an explicit domain (when the first component looks like one) and the
/// path.
fn split_domain(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains('.')
                || first.contains(':')
                || first == "localhost"
                || first.starts_with('[')
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_alnum_lower(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn check_component(c: &str) -> Result<(), String> {
    let b = c.as_bytes();
    if b.is_empty() {
        return Err("empty path component".into());
    }
    if b.iter().any(u8::is_ascii_uppercase) {
        return Err("repository names must be lowercase".into());
    }
    let mut i = 0;
    let mut expect_alnum = true;
    while let Some(&ch) = b.get(i) {
        if is_alnum_lower(ch) {
            expect_alnum = false;
            i += 1;
            continue;
        }
        if expect_alnum {
            return Err(format!("bad path component {c:?}"));
        }
        // A separator: '.', '_', '__' or one or more '-'.
        let start = i;
        match ch {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if b.get(i) == Some(&b'_') {
                    i += 1;
                }
            }
            b'-' => {
                while b.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return Err(format!("bad character in path component {c:?}")),
        }
        debug_assert!(i > start);
        expect_alnum = true;
    }
    if expect_alnum {
        return Err(format!("path component {c:?} ends with a separator"));
    }
    Ok(())
}

fn check_path(path: &str) -> Result<(), String> {
    for c in path.split('/') {
        check_component(c)?;
    }
    Ok(())
}

/// `host[:port]` where host is dot-separated `[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?` or a
/// bracketed IPv6 address.
fn check_domain(d: &str) -> Result<(), String> {
    let (host, port) = if let Some(rest) = d.strip_prefix('[') {
        let (v6, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("bad registry {d:?}"))?;
        if v6.is_empty()
            || !v6.bytes().all(|b| {
                b.is_ascii_hexdigit()
                    || matches!(b, b':' | b'.' | b'%')
                    || b.is_ascii_alphanumeric()
            })
        {
            return Err(format!("bad IPv6 registry {d:?}"));
        }
        match after {
            "" => return Ok(()),
            p => (
                None,
                Some(
                    p.strip_prefix(':')
                        .ok_or_else(|| format!("bad registry {d:?}"))?,
                ),
            ),
        }
    } else {
        match d.split_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(d), None),
        }
    };
    if let Some(p) = port
        && (p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!("bad port in registry {d:?}"));
    }
    if let Some(h) = host {
        for label in h.split('.') {
            let b = label.as_bytes();
            let ok = !b.is_empty()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
                && b.first().is_some_and(u8::is_ascii_alphanumeric)
                && b.last().is_some_and(u8::is_ascii_alphanumeric);
            if !ok {
                return Err(format!("bad registry host {h:?}"));
            }
        }
    }
    Ok(())
}

/// `[\w][\w.-]{0,127}`
fn check_tag(t: &str) -> Result<(), String> {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let b = t.as_bytes();
    let ok = !b.is_empty()
        && b.len() <= MAX_TAG_LEN
        && b.first().copied().is_some_and(word)
        && b.iter().all(|&c| word(c) || c == b'.' || c == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "bad tag {t:?} (letters, digits, '_', '.', '-', at most {MAX_TAG_LEN}, not starting with '.' or '-')"
        ))
    }
}

/// `algorithm:encoded`; sha256 and sha512 must be lowercase hex of the right length.
pub(crate) fn check_digest(d: &str) -> Result<(), String> {
    let (alg, enc) = d
        .split_once(':')
        .ok_or_else(|| format!("bad digest {d:?} (algorithm:hex)"))?;
    let alg_ok = !alg.is_empty()
        && alg.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && alg.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'+' | b'.' | b'_' | b'-')
        });
    let want_len = match alg {
        "sha256" => Some(64),
        "sha512" => Some(128),
        _ => None,
    };
    let enc_ok = match want_len {
        Some(n) => enc.len() == n && enc.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
        None => {
            enc.len() >= 32
                && enc
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-'))
        }
    };
    if alg_ok && enc_ok {
        Ok(())
    } else {
        Err(format!("bad digest {d:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_of_strips_port_and_brackets() {
        assert_eq!(host_of("localhost:5000"), "localhost");
        assert_eq!(host_of("[::1]:5000"), "::1");
        assert_eq!(host_of("ghcr.io"), "ghcr.io");
    }
}
