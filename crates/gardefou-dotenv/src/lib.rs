//! Read a `.env` file exactly the way Node's [`dotenv`] package reads it.
//!
//! Koomy's backend loads its environment with `dotenv`, so gardefou must judge
//! the values the Node server will actually see, not the ones a different
//! `.env` dialect would produce. [`parse`] reproduces `dotenv.parse` (the
//! default, regex-based parser of dotenv 15 to 18) with no `$VAR` expansion —
//! expansion belongs to `dotenv-expand`, which Koomy does not use.
//!
//! What dotenv does, and so what this crate does:
//!
//! - `\r\n` and lone `\r` become `\n` first; a leading BOM is skipped like
//!   any other white space.
//! - A definition is `[export ]KEY=value` or `KEY: value`; keys are
//!   `[A-Za-z0-9_.-]+`. Lines that do not fit are skipped silently.
//! - Values may be quoted with `'`, `"` or `` ` ``, and quoted values may span
//!   lines. Only in double-quoted values are `\n` and `\r` turned into a
//!   newline and a carriage return; no other escape exists (`\"` stays `\"`).
//! - Unquoted values end at the first `#` (even `KEY=a#b` gives `a`) and are
//!   trimmed. A missing value is the empty string.
//! - When a key is defined more than once, the last definition wins.
//! - `__proto__` is never defined: dotenv assigns it to a plain JS object,
//!   where the assignment is silently ignored.
//!
//! Some of dotenv's behaviour is surprising (`KEY:` followed by a newline
//! takes its value from the next line; `KEY=` followed by a line that starts
//! with a quote takes that quoted string). It is reproduced on purpose, and
//! proven against the real package by the golden tests in `tests/golden/`.
//!
//! Values are secrets. They are only reachable through [`DotEnv::get`] and
//! [`DotEnv::iter`]; `Debug` shows keys and line numbers, never a value.
//!
//! # Example
//!
//! ```
//! let env = gardefou_dotenv::parse(
//!     "# Koomy sandbox\n\
//!      export KOOMY_ENV=sandbox\n\
//!      NODE_ENV=development # inline comment\n\
//!      GREETING=\"hello\\nworld\"\n\
//!      KOOMY_ENV=local\n",
//! );
//!
//! assert_eq!(env.get("KOOMY_ENV"), Some("local")); // the last definition wins
//! assert_eq!(env.get("NODE_ENV"), Some("development"));
//! assert_eq!(env.get("GREETING"), Some("hello\nworld"));
//! assert_eq!(env.line_of("KOOMY_ENV"), Some(5));
//!
//! let keys: Vec<&str> = env.iter().map(|(key, _)| key).collect();
//! assert_eq!(keys, ["KOOMY_ENV", "NODE_ENV", "GREETING"]);
//!
//! let dup = &env.duplicates()[0];
//! assert_eq!((dup.key(), dup.lines()), ("KOOMY_ENV", &[2, 5][..]));
//!
//! assert!(!format!("{env:?}").contains("development"));
//! ```
//!
//! [`dotenv`]: https://github.com/motdotla/dotenv

#![warn(missing_docs)]

mod scan;

use std::collections::HashMap;
use std::fmt;

/// Parses `src` as Node's `dotenv.parse` would.
///
/// Never fails: like dotenv, anything that is not a definition is ignored.
pub fn parse(src: &str) -> DotEnv {
    let mut env = DotEnv {
        entries: Vec::new(),
        index: HashMap::new(),
        duplicates: Vec::new(),
    };
    for def in scan::definitions(src) {
        // `obj["__proto__"] = "…"` on a plain object is a no-op in JS.
        if def.key == "__proto__" {
            continue;
        }
        match env.index.get(&def.key) {
            Some(&i) => {
                let entry = &mut env.entries[i];
                entry.value = def.value;
                entry.lines.push(def.line);
            }
            None => {
                env.index.insert(def.key.clone(), env.entries.len());
                env.entries.push(Entry {
                    key: def.key,
                    value: def.value,
                    lines: vec![def.line],
                });
            }
        }
    }
    env.duplicates = env
        .entries
        .iter()
        .filter(|e| e.lines.len() > 1)
        .map(|e| Duplicate {
            key: e.key.clone(),
            lines: e.lines.clone(),
        })
        .collect();
    env
}

/// The variables a `.env` file defines, as dotenv would hand them to Node.
///
/// `Debug` prints keys and line numbers only.
#[derive(Clone)]
pub struct DotEnv {
    /// One entry per key, in the order keys were first seen.
    entries: Vec<Entry>,
    index: HashMap<String, usize>,
    duplicates: Vec<Duplicate>,
}

/// A key with its effective (last) value and the lines of all its definitions.
#[derive(Clone)]
struct Entry {
    key: String,
    value: String,
    lines: Vec<usize>,
}

impl DotEnv {
    /// The value Node would see for `key` (the last definition wins).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entry(key).map(|e| e.value.as_str())
    }

    /// The effective `(key, value)` pairs, in the order keys were first seen.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str()))
    }

    /// Keys defined more than once, in the order they were first seen, each
    /// with the lines of every definition.
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
    }

    /// The 1-based line of the definition that takes effect for `key`.
    ///
    /// Lines are counted as an editor does: `\n`, `\r\n` and a lone `\r` each
    /// end a line. The line is the one holding the key, which for dotenv need
    /// not be the first line of its match.
    pub fn line_of(&self, key: &str) -> Option<usize> {
        self.entry(key).and_then(|e| e.lines.last().copied())
    }

    /// The number of distinct keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the file defines nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn entry(&self, key: &str) -> Option<&Entry> {
        self.index.get(key).map(|&i| &self.entries[i])
    }
}

impl fmt::Debug for DotEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Keys<'a>(&'a [Entry]);
        impl fmt::Debug for Keys<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.0).finish()
            }
        }
        f.debug_struct("DotEnv")
            .field("keys", &Keys(&self.entries))
            .field("duplicates", &self.duplicates)
            .finish()
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The value is deliberately absent.
        f.debug_struct("Entry")
            .field("key", &self.key)
            .field("line", &self.lines.last())
            .finish_non_exhaustive()
    }
}

/// A key that a `.env` file defines more than once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    key: String,
    lines: Vec<usize>,
}

impl Duplicate {
    /// The key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The 1-based lines of every definition, in file order; the last one wins.
    pub fn lines(&self) -> &[usize] {
        &self.lines
    }
}

/// A form of `text` that Node's own env-file parser (`util.parseEnv`, `node --env-file`)
/// reads differently from dotenv's, which [`parse`] follows exactly: a caller that must
/// know what Node will load refuses such a file rather than guess. Checked against Node's
/// `util.parseEnv` by `tests/node_parse_env.rs`.
pub fn node_divergence(text: &str) -> Option<&'static str> {
    if text.starts_with('\u{feff}') {
        return Some("a byte-order mark");
    }
    if text.contains('\u{a0}') {
        return Some("a no-break space");
    }
    let bytes = text.as_bytes();
    if bytes
        .iter()
        .enumerate()
        .any(|(i, b)| *b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
    {
        return Some("a lone carriage return");
    }
    for line in text.lines() {
        if !line.is_empty() && line.trim().is_empty() {
            return Some("a white-space-only line");
        }
        let t = line.trim_start();
        if t.starts_with('#') {
            continue;
        }
        let t = t.strip_prefix("export ").map_or(t, str::trim_start);
        let key_end = t
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
            .unwrap_or(t.len());
        let rest = t[key_end..].trim_start();
        if key_end > 0 && rest.starts_with(':') {
            return Some("a `KEY: value` line");
        }
        // Node carries a quote that does not close on its line over to the next lines;
        // dotenv reads it as a plain value.
        if let Some(value) = rest.strip_prefix('=').map(str::trim_start) {
            if let Some(q) = value
                .chars()
                .next()
                .filter(|c| matches!(c, '"' | '\'' | '`'))
            {
                if !value[1..].contains(q) {
                    return Some("a quote that does not close on its line");
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod node_divergence_tests {
    #[test]
    fn forms_node_reads_differently_are_named() {
        for (text, why) in [
            ("\u{feff}A=1\n", "a byte-order mark"),
            ("A=1\n  \nB=2\n", "a white-space-only line"),
            ("A: 1\n", "a `KEY: value` line"),
            ("export A: 1\n", "a `KEY: value` line"),
            ("A='open\nB=2'\n", "a quote that does not close on its line"),
            ("A=1\rB=2\n", "a lone carriage return"),
            ("A=1\u{a0}\n", "a no-break space"),
        ] {
            assert_eq!(super::node_divergence(text), Some(why), "{text:?}");
        }
        for text in [
            "A=1\nB=\"x y\"\n\n# c\r\nC=3\r\n",
            "URL=postgresql://u@h:5432/d\n",
        ] {
            assert_eq!(super::node_divergence(text), None, "{text:?}");
        }
    }
}
