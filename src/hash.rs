//! Content hashes: SHA-256, written `sha256:<hex>`, for the manifest, the journal and the
//! inputs a build depends on.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A SHA-256 digest, kept as its 32 bytes (a manifest of 10,000 posts holds 80,000 of them)
/// and written as `sha256:<hex>`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ContentHash(pub [u8; 32]);

impl ContentHash {
    /// The hash of some content.
    pub fn of(content: &[u8]) -> ContentHash {
        ContentHash(Sha256::digest(content).into())
    }
}

impl std::fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

impl Serialize for ContentHash {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&hex(&self.0))
    }
}

impl ContentHash {
    /// The hash written `text` (`sha256:` and 64 lower-case hex digits, as `hex` writes
    /// it), if it is one.
    pub fn parse(text: &str) -> Option<ContentHash> {
        let digits = text.strip_prefix("sha256:").filter(|d| {
            d.len() == 64 && d.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        })?;
        let mut bytes = [0; 32];
        for (byte, pair) in bytes.iter_mut().zip(digits.as_bytes().chunks(2)) {
            *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
        }
        Some(ContentHash(bytes))
    }
}

impl<'de> Deserialize<'de> for ContentHash {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        ContentHash::parse(&text)
            .ok_or_else(|| serde::de::Error::custom("expected `sha256:` and 64 hex digits"))
    }
}

/// `sha256:<hex>` of some bytes.
pub fn hash(content: &[u8]) -> String {
    hex(&Sha256::digest(content))
}

/// The first `chars` hex digits of the SHA-256 of some bytes, without the `sha256:`
/// prefix: a short id (an issue, a subscriber's key).
pub fn short(content: &[u8], chars: usize) -> String {
    hash(content).chars().skip(7).take(chars).collect()
}

/// `sha256:<hex>` of a finished digest.
pub fn hex(digest: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(7 + 2 * digest.len());
    out.push_str("sha256:");
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_reads_back_only_as_written() {
        let written = hash(b"post");
        let parsed = ContentHash::parse(&written).unwrap();
        assert_eq!(hex(&parsed.0), written);
        // Only what `hex` writes: an edited value is no hash, and its post is built again.
        assert_eq!(
            ContentHash::parse(&written.to_uppercase().replace("SHA256", "sha256")),
            None
        );
        let signed = format!("sha256:+{}", &written["sha256:".len() + 1..]);
        assert_eq!(ContentHash::parse(&signed), None);
        assert_eq!(ContentHash::parse("sha256:x"), None);
        assert_eq!(ContentHash::parse(""), None);
    }
}
