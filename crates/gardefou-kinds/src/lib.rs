//! Every secret kind gardefou knows, defined once, for files and for environment values.
//!
//! A kind is one entry of a TOML file under `rules/` (one file per family of providers),
//! compiled into the binary: its id, what it is, the provider's documentation of the
//! format (`references`), keywords, the pattern and the capture group that holds the value,
//! an entropy floor, how a candidate is judged (placeholders, masks, references, names
//! that hold no secret), the live and test prefixes where the provider has both
//! (`modes`), and examples and negative examples written from the documented format.
//!
//! The same definitions serve both readers:
//!
//! - `gardefou scan` runs a [`Matcher`] over files and git blobs: one Aho-Corasick pass
//!   over every kind's keywords finds the lines worth looking at, and only those lines
//!   meet the kinds' own regexes (ASCII-only, so the hot path stays at memory speed).
//! - `gardefou check` asks [`identify`] what an environment variable holds: the variable
//!   is judged as the line `NAME=value` of a `.env` file would be, by the same matcher,
//!   so a kind added here is recognised in the environment too — its live or test mode
//!   compared with the environment, its value fingerprinted and compared across
//!   environments, a placeholder refused.
//!
//! Placeholders, masked values and entropy are judged in one place ([`detect`]). No I/O.
//!
//! ```
//! let value = format!("{}_{}_{}", "sk", "live", "4eC39HqLyjWDarjtT1zdp7dc9Zq8");
//! let found = gardefou_kinds::identify("PAYMENTS_KEY", &value).unwrap();
//! assert_eq!(found.kind.id, "stripe-secret-key");
//! assert_eq!(found.mode, Some(gardefou_kinds::Mode::Live));
//! assert!(found.whole);
//! ```
#![warn(missing_docs)]

pub mod detect;
pub mod engine;
pub mod entropy;
pub mod rules;

pub use engine::{Candidate, Matcher};
pub use rules::{builtin, Decode, Mode, SecretKind};

/// A kind definition that does not parse or compile. Never holds a scanned value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid rule in {file}: {message}")]
pub struct RuleError {
    /// The rule file, and the rule's id when known.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

/// What an environment value holds, as [`identify`] reads it.
#[derive(Debug, Clone, Copy)]
pub struct Identified {
    /// The kind (never a generic rule: a specific provider's format, a connection URL, a
    /// private key, a JWT).
    pub kind: &'static SecretKind,
    /// Live or test, for kinds whose provider has both.
    pub mode: Option<Mode>,
    /// Whether the kind's value is the whole variable (a key alone), rather than a part of
    /// it (the password of a URL, a key inside a longer value).
    pub whole: bool,
}

/// The specific kind of secret that the environment variable `name` holds, if any: the
/// variable is judged as the line `name=value` of a `.env` file, by the scanner's own
/// rules (keywords in the name count, as `GOCARDLESS_ACCESS_TOKEN` does for a GoCardless
/// token). Generic rules (a high-entropy value under a secret-sounding name) are left out:
/// they say that a value looks secret, not what it is. Placeholders and masked values are
/// not secrets, so they are not identified. When several kinds match, the one the scanner
/// would report wins (the first in rule order).
pub fn identify(name: &str, value: &str) -> Option<Identified> {
    identify_among(name, value, |_| true)
}

/// [`identify`] among the kinds whose provider has live and test keys only: what `check`
/// needs to judge a variable's mode, without compiling the other kinds' patterns.
pub fn identify_mode(name: &str, value: &str) -> Option<Identified> {
    identify_among(name, value, SecretKind::has_modes)
}

fn identify_among(
    name: &str,
    value: &str,
    among: impl Fn(&SecretKind) -> bool,
) -> Option<Identified> {
    // A value too short to hold any kind is not looked at.
    if value.len() < 8 {
        return None;
    }
    let line = Line::new(name, value);
    let lower = line.text.to_ascii_lowercase();
    // A line is short: each kind's keywords are looked for directly, and only the kinds
    // whose keyword occurs have their pattern compiled and run.
    builtin()
        .iter()
        .filter(|k| !k.generic && k.applies_to(".env") && among(k))
        .filter(|k| {
            k.keywords.is_empty()
                || k.keywords.iter().any(|w| {
                    memchr::memmem::find(lower.as_bytes(), w.to_ascii_lowercase().as_bytes())
                        .is_some()
                })
        })
        .find_map(|k| found_in(k, &line))
}

/// A variable written as a `.env` line: `NAME=value`, or `NAME="value"` when the value
/// holds white space (as a `.env` file must write it).
struct Line {
    text: String,
    /// Where the value starts and ends in `text`.
    value: (usize, usize),
}

impl Line {
    fn new(name: &str, value: &str) -> Line {
        let quoted = value.contains([' ', '\t']) && !value.contains('"');
        let text = if quoted {
            format!("{name}=\"{value}\"")
        } else {
            format!("{name}={value}")
        };
        let start = name.len() + 1 + usize::from(quoted);
        Line {
            text,
            value: (start, start + value.len()),
        }
    }
}

/// `kind` in the value part of `line`.
fn found_in(kind: &'static SecretKind, line: &Line) -> Option<Identified> {
    let found = Matcher::new(std::slice::from_ref(kind))
        .find(".env", line.text.as_bytes())
        .into_iter()
        .find(|c| c.span.0 >= line.value.0)?;
    let secret = line
        .text
        .get(found.span.0..found.span.1)
        .unwrap_or_default();
    Some(Identified {
        kind,
        mode: kind.mode_of(secret),
        whole: found.span == line.value,
    })
}

/// Whether `value` is a value of `kind`, judged as the line `NAME=value` of a `.env`
/// file where `NAME` is the kind's own name (`GOCARDLESS_ACCESS_TOKEN` for
/// `gocardless-access-token`) or a name its examples use, so that kinds recognised by a
/// keyword in the name accept a variable the policy declares of that kind, whatever the
/// variable is called.
pub fn accepts(kind: &'static SecretKind, value: &str) -> Option<Identified> {
    let own = kind.id.to_ascii_uppercase().replace('-', "_");
    // Kinds whose pattern wants a particular name (`application_secret` for OVHcloud) are
    // also judged under the names their examples use.
    let names = std::iter::once(own.as_str()).chain(kind.examples.iter().filter_map(|e| {
        let (name, _) = e.trim().split_once('=')?;
        let name = name.trim();
        name.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            .then_some(name)
    }));
    names
        .into_iter()
        .find_map(|name| found_in(kind, &Line::new(name, value)))
}

/// The built-in kind with this id.
pub fn by_id(id: &str) -> Option<&'static SecretKind> {
    builtin().iter().find(|k| k.id == id)
}
