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
    /// Where the kind's value is in the variable's value (bytes): the key itself, so that a
    /// key wrapped in quotes, spaces or JSON is fingerprinted as the key.
    pub span: (usize, usize),
}

/// The specific kind of secret that the environment variable `name` holds, if any: the
/// variable is judged as the line `name=value` of a `.env` file, by the scanner's own
/// rules (keywords in the name count, as `GOCARDLESS_ACCESS_TOKEN` does for a GoCardless
/// token), and each line of a multi-line value as `name=line`. Generic rules (a
/// high-entropy value under a secret-sounding name) are left out: they say that a value
/// looks secret, not what it is. Placeholders and masked values are not secrets, so they
/// are not identified; `gardefou:allow` in a value exempts nothing. When several kinds
/// match, the one the scanner would report wins (the first in rule order).
pub fn identify(name: &str, value: &str) -> Option<Identified> {
    find_all(&[name], value, |_| true)
        .into_iter()
        .min_by_key(|f| (f.kind.order, f.span.0))
}

/// Every value of a kind whose provider has live and test keys in the variable, each with
/// its mode: what `check` needs to judge a variable's mode (every key counts, not only the
/// first), without compiling the other kinds' patterns. `declared` is the kind the policy
/// declares the variable of, if any: its own names are tried too, so that a variable
/// declared `gocardless-access-token` needs no `GOCARDLESS` in its name.
pub fn modes_in(name: &str, value: &str, declared: Option<&'static SecretKind>) -> Vec<Identified> {
    let mut names = vec![name];
    for own in declared.into_iter().flat_map(names_of) {
        names.push(own);
    }
    let mut found: Vec<Identified> = find_all(&names, value, SecretKind::has_modes)
        .into_iter()
        .filter(|f| f.mode.is_some())
        .collect();
    found.sort_by_key(|f| (f.span, f.kind.order));
    found.dedup_by_key(|f| f.span);
    found
}

/// Whether `value` is a value of `kind`, judged as the line `NAME=value` of a `.env`
/// file where `NAME` is the kind's own name (`GOCARDLESS_ACCESS_TOKEN` for
/// `gocardless-access-token`) or a name its examples use, so that kinds recognised by a
/// keyword in the name accept a variable the policy declares of that kind, whatever the
/// variable is called.
pub fn accepts(kind: &'static SecretKind, value: &str) -> Option<Identified> {
    let names: Vec<&str> = names_of(kind).collect();
    find_all(&names, value, |k| k.id == kind.id)
        .into_iter()
        .min_by_key(|f| (!f.whole, f.span.0))
}

/// The names a variable of `kind` is judged under when the policy declares it: the kind's
/// own (`GOCARDLESS_ACCESS_TOKEN`), then those its examples use (kinds whose pattern wants
/// a particular name, as `application_secret` for OVHcloud).
fn names_of(kind: &'static SecretKind) -> impl Iterator<Item = &'static str> {
    std::iter::once(kind.env_name).chain(kind.examples.iter().filter_map(|e| {
        let (name, _) = e.trim().split_once('=')?;
        let name = name.trim();
        (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .then_some(name)
    }))
}

/// Every match of the specific kinds `among` accepts, in the value judged under each name,
/// as a whole and line by line.
fn find_all(names: &[&str], value: &str, among: impl Fn(&SecretKind) -> bool) -> Vec<Identified> {
    // A value too short to hold any kind is not looked at.
    if value.len() < 8 {
        return Vec::new();
    }
    let mut parts = vec![(0, value)];
    if value.contains('\n') {
        let mut at = 0;
        for line in value.split('\n') {
            parts.push((at, line));
            at += line.len() + 1;
        }
    }
    let mut out = Vec::new();
    for name in names {
        for &(offset, part) in &parts {
            // A kind whose pattern wants its name before the key finds one key per name:
            // the rest of the value is judged again after each key, so that every key of
            // `sandbox_… live_…` is seen, not only the first.
            let mut from = 0;
            for _ in 0..64 {
                let Some(rest) = part.get(from..) else { break };
                let found = find_in(name, rest, &among);
                let Some(end) = found.iter().map(|f| f.span.1).max() else {
                    break;
                };
                out.extend(found.into_iter().map(|f| {
                    let span = (offset + from + f.span.0, offset + from + f.span.1);
                    Identified {
                        span,
                        whole: span == (0, value.len()),
                        ..f
                    }
                }));
                from += end;
            }
        }
    }
    out
}

/// The specific kinds `among` accepts in `name=value`, with spans relative to `value`.
fn find_in(name: &str, value: &str, among: &impl Fn(&SecretKind) -> bool) -> Vec<Identified> {
    let line = Line::new(name, value);
    let lower = line.text.to_ascii_lowercase();
    let mut out = Vec::new();
    // A line is short: each kind's keywords are looked for directly, and only the kinds
    // whose keyword occurs have their pattern compiled and run.
    for kind in builtin().iter().filter(|k| {
        !k.generic
            && k.applies_to(".env")
            && among(k)
            && (k.keywords_lower.is_empty()
                || k.keywords_lower
                    .iter()
                    .any(|w| memchr::memmem::find(lower.as_bytes(), w.as_bytes()).is_some()))
    }) {
        for c in value_matcher(kind).find(".env", line.text.as_bytes()) {
            if c.span.0 < line.value.0 || c.span.1 > line.value.1 {
                continue;
            }
            let secret = line.text.get(c.span.0..c.span.1).unwrap_or_default();
            out.push(Identified {
                kind,
                mode: kind.mode_of(secret),
                whole: false,
                span: (c.span.0 - line.value.0, c.span.1 - line.value.0),
            });
        }
    }
    out
}

/// A matcher over `kind` alone, built the first time a value may hold that kind.
fn value_matcher(kind: &'static SecretKind) -> &'static Matcher {
    static ONE: std::sync::OnceLock<Vec<std::sync::OnceLock<Matcher>>> = std::sync::OnceLock::new();
    let all = ONE.get_or_init(|| {
        builtin()
            .iter()
            .map(|_| std::sync::OnceLock::new())
            .collect()
    });
    debug_assert!(
        std::ptr::eq(&builtin()[kind.order], kind),
        "{} is not the built-in kind at its position",
        kind.id
    );
    all[kind.order].get_or_init(|| Matcher::for_values(std::slice::from_ref(kind)))
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

/// The built-in kind with this id.
pub fn by_id(id: &str) -> Option<&'static SecretKind> {
    builtin().iter().find(|k| k.id == id)
}
