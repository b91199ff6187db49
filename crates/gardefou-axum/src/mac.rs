//! Constant-time comparison of a presented secret with the expected one.
//!
//! The raw strings are never compared: both are passed through HMAC-SHA-256 under a key
//! drawn at start-up, and the two fixed-length tags are compared with
//! [`subtle::ConstantTimeEq`]. The time taken depends neither on where the strings first
//! differ nor on their lengths relative to each other, and the expected value is kept
//! only as its tag.

use ring::hmac;
use subtle::ConstantTimeEq;

/// The expected secret, kept only as a keyed tag.
pub(crate) struct SecretMac {
    key: hmac::Key,
    expected: [u8; 32],
}

impl SecretMac {
    /// Draws a fresh key and tags `expected`. Fails only if the OS has no randomness.
    pub(crate) fn new(expected: &[u8]) -> std::io::Result<Self> {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &gardefou_edges::random::key()?);
        let expected = tag(&key, expected);
        Ok(SecretMac { key, expected })
    }

    /// Whether `presented` is the expected secret, in constant time.
    pub(crate) fn verify(&self, presented: &[u8]) -> bool {
        tag(&self.key, presented).ct_eq(&self.expected).into()
    }
}

fn tag(key: &hmac::Key, value: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(hmac::sign(key, value).as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::SecretMac;

    #[test]
    fn only_the_exact_value_verifies() {
        let expected = "f".repeat(63) + "0";
        let mac = SecretMac::new(expected.as_bytes()).unwrap();
        assert!(mac.verify(expected.as_bytes()));
        for wrong in [
            String::new(),
            "f".repeat(63),
            "f".repeat(64),
            expected.clone() + " ",
            format!(" {expected}"),
            expected.to_uppercase(),
        ] {
            assert!(!mac.verify(wrong.as_bytes()), "accepted {wrong:?}");
        }
    }

    #[test]
    fn two_instances_use_different_keys() {
        let a = SecretMac::new(b"same").unwrap();
        let b = SecretMac::new(b"same").unwrap();
        assert_ne!(a.expected, b.expected);
    }
}
