//! Types that hold secret values and redact themselves.
//!
//! gardefou's rule is that a secret value never leaves the process: not in output,
//! errors, logs, panics or `Debug`. The way to keep that rule is to make the wrong thing
//! impossible to write, so every value read from the environment lives in a [`Secret`],
//! whose `Debug` and `Display` print `****`, and which only hands its content out through
//! the explicit, greppable [`Secret::expose`].
//!
//! ```
//! use gardefou_redact::Secret;
//!
//! let token = Secret::new(String::from("hunter2-but-longer"));
//! assert_eq!(format!("{token:?}"), "Secret(****)");
//! assert_eq!(format!("{token}"), "****");
//! assert_eq!(token.expose().len(), 18);
//! ```
#![warn(missing_docs)]

use std::fmt;

/// A secret string: printable only as `****`.
///
/// When the value is dropped, its buffer is overwritten with zeros: a best effort, so that
/// this copy does not linger in freed memory. Copies made elsewhere — the process
/// environment, a caller of [`Secret::expose`], a buffer the `String` left behind when it
/// grew — are not covered.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    /// The secret content. Every call site is a place where the value may leave gardefou's
    /// control: keep them few and never format the result.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Length in bytes, which is safe to show.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        // Safe zeroing: take the buffer and overwrite every byte before it is freed.
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        for b in bytes.iter_mut() {
            // A volatile-free loop can be elided; black_box keeps the writes observable.
            *b = 0;
            std::hint::black_box(&*b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let planted = format!("planted-{}-value", 42);
        let s = Secret::new(planted.clone());
        for shown in [
            format!("{s:?}"),
            format!("{s}"),
            format!("{s:#?}"),
            format!("{s:>40}"),
        ] {
            assert!(!shown.contains(&planted), "leaked in {shown}");
            assert!(shown.contains("****"));
        }
        assert_eq!(s.expose(), planted);
    }

    #[test]
    fn debug_of_a_containing_struct_is_redacted() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Config {
            name: &'static str,
            token: Secret,
        }
        let planted = "abc".repeat(7);
        let c = Config {
            name: "STRIPE_SECRET_KEY",
            token: Secret::from(planted.as_str()),
        };
        let shown = format!("{c:?}");
        assert!(shown.contains("STRIPE_SECRET_KEY"));
        assert!(!shown.contains(&planted));
    }
}
