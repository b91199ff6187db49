//! Fingerprints: stable ids for findings that reveal nothing about the secret.
//!
//! A fingerprint is the first 16 hex digits (64 bits) of
//! `HMAC-SHA-256(key, "gardefou-fingerprint-v1" ‖ rule ‖ 0 ‖ path ‖ 0 ‖ secret)`.
//!
//! - It cannot be inverted: the secret is not recoverable from it.
//! - It is keyed so that it cannot be used to *confirm* a guess either. A baseline written
//!   with `--write-baseline` holds a random 256-bit key, and every fingerprint printed
//!   while that baseline is in use (human, JSON, SARIF output, CI logs, code-scanning
//!   uploads) is keyed with it. Someone who sees the output but not the baseline cannot
//!   test a candidate secret against a fingerprint. The baseline lives in the repository,
//!   next to the code the secret was found in: whoever can read it could read the secret.
//! - Without a baseline the key is a fixed public constant, so fingerprints are stable
//!   across runs; anyone holding a candidate value, its rule and its path could then test
//!   it. Teams that publish scan output should write a baseline (even an empty one) first.
//! - Rule and path are part of the input so that the same value in two places is two
//!   findings, and moving a file re-surfaces its findings for review.

use ring::hmac;

/// The key used when no baseline provides one.
const PUBLIC_KEY: [u8; 32] = *b"gardefou public fingerprint key!";

/// An HMAC key for fingerprints.
#[derive(Clone, PartialEq, Eq)]
pub struct FingerprintKey([u8; 32]);

impl std::fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FingerprintKey(****)")
    }
}

impl Default for FingerprintKey {
    fn default() -> Self {
        FingerprintKey(PUBLIC_KEY)
    }
}

impl FingerprintKey {
    /// A fresh random key from the operating system.
    pub fn random() -> std::io::Result<Self> {
        gardefou_edges::random::key().map(FingerprintKey)
    }

    /// Parses 64 hex digits.
    pub fn from_hex(hex: &str) -> Option<Self> {
        if hex.len() != 64 {
            return None;
        }
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(FingerprintKey(key))
    }

    /// 64 hex digits.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// The fingerprint of `secret` found by `rule` in `path`.
    pub fn fingerprint(&self, rule: &str, path: &str, secret: &[u8]) -> String {
        let mut ctx = hmac::Context::with_key(&hmac::Key::new(hmac::HMAC_SHA256, &self.0));
        for part in [
            b"gardefou-fingerprint-v1".as_slice(),
            rule.as_bytes(),
            &[0],
            path.as_bytes(),
            &[0],
            secret,
        ] {
            ctx.update(part);
        }
        hex(&ctx.sign().as_ref()[..8])
    }
}

use gardefou_edges::hex::encode as hex;

#[cfg(test)]
mod tests {
    use super::*;

    /// Baselines written by earlier versions keep matching: the fingerprint is standard
    /// HMAC-SHA-256 (the value below comes from Python's `hmac` module, not from this code).
    #[test]
    fn the_fingerprint_is_hmac_sha256_as_published() {
        let k = FingerprintKey::default();
        assert_eq!(k.fingerprint("r", "p", b"value"), "c8db435366c72cf0");
    }

    #[test]
    fn fingerprints_are_short_stable_and_keyed() {
        let k = FingerprintKey::default();
        let a = k.fingerprint("r", "p", b"value");
        assert_eq!(a.len(), 16);
        assert_eq!(a, k.fingerprint("r", "p", b"value"));
        assert_ne!(a, k.fingerprint("r", "q", b"value"));
        assert_ne!(a, k.fingerprint("s", "p", b"value"));
        let other = FingerprintKey::random().unwrap();
        assert_ne!(a, other.fingerprint("r", "p", b"value"));
        assert_eq!(
            FingerprintKey::from_hex(&other.to_hex()),
            Some(other.clone())
        );
        assert!(!format!("{other:?}").contains(&other.to_hex()));
    }
}
