//! A snapshot of environment variables whose values cannot be printed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use gardefou_redact::Secret;

/// Environment variables as the guard sees them: names in clear, values as [`Secret`]s.
///
/// Built from the process environment or from a dotenv file by the caller: the policy
/// crate does no I/O.
#[derive(Clone, Default)]
pub struct EnvVars {
    vars: BTreeMap<String, Value>,
    /// Names that the process environment holds more than once.
    duplicates: BTreeSet<String>,
}

#[derive(Clone)]
enum Value {
    Text(Secret),
    /// The process environment can hold bytes that are not UTF-8; such a value can never be
    /// an allowed one, but its presence still matters (e.g. a `PG*` variable), and what a
    /// program would read of it (its lossy UTF-8 form, when known) is still judged.
    NotUtf8(Option<Secret>),
}

impl EnvVars {
    /// An empty snapshot.
    pub fn new() -> Self {
        EnvVars::default()
    }

    /// Sets a variable.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Secret>) {
        self.vars.insert(name.into(), Value::Text(value.into()));
    }

    /// Removes a variable (every entry of it, as `unsetenv` does).
    pub fn remove(&mut self, name: &str) {
        self.vars.remove(name);
        self.duplicates.remove(name);
    }

    /// Records a variable whose value is not valid UTF-8.
    pub fn insert_not_utf8(&mut self, name: impl Into<String>) {
        self.vars.insert(name.into(), Value::NotUtf8(None));
    }

    /// Records a variable whose value is not valid UTF-8, with its lossy UTF-8 form (each
    /// invalid sequence replaced by U+FFFD), in which a key can still be recognised.
    pub fn insert_not_utf8_lossy(&mut self, name: impl Into<String>, lossy: impl Into<Secret>) {
        self.vars
            .insert(name.into(), Value::NotUtf8(Some(lossy.into())));
    }

    /// A variable's text: its value, or the lossy UTF-8 form of a value that is not UTF-8.
    pub fn text(&self, name: &str) -> Option<&Secret> {
        match self.vars.get(name)? {
            Value::Text(s) => Some(s),
            Value::NotUtf8(lossy) => lossy.as_ref(),
        }
    }

    /// Records that the process environment holds `name` more than once. A raw
    /// environment block can: the C library's `getenv` (libpq, Node's `process.env`) reads
    /// the first entry, Rust's `std::process::Command` passes on the last, so such a
    /// variable has no single value and the guard must refuse it.
    pub fn insert_duplicate(&mut self, name: impl Into<String>) {
        self.duplicates.insert(name.into());
    }

    /// The names set more than once, sorted.
    pub fn duplicates(&self) -> impl Iterator<Item = &str> {
        self.duplicates.iter().map(String::as_str)
    }

    /// The value of a variable, if set and UTF-8.
    pub fn get(&self, name: &str) -> Option<&Secret> {
        match self.vars.get(name)? {
            Value::Text(s) => Some(s),
            Value::NotUtf8(_) => None,
        }
    }

    /// What is known of a variable: absent, not UTF-8, or a value.
    pub fn lookup(&self, name: &str) -> Lookup<'_> {
        match self.vars.get(name) {
            None => Lookup::Missing,
            Some(Value::NotUtf8(_)) => Lookup::NotUtf8,
            Some(Value::Text(s)) => Lookup::Value(s),
        }
    }

    /// Every variable name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.keys().map(String::as_str)
    }
}

/// The state of one variable.
#[derive(Debug)]
pub enum Lookup<'a> {
    /// Not set.
    Missing,
    /// Set to bytes that are not UTF-8.
    NotUtf8,
    /// Set.
    Value(&'a Secret),
}

impl<K: Into<String>, V: Into<Secret>> FromIterator<(K, V)> for EnvVars {
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        let mut vars = EnvVars::new();
        for (k, v) in iter {
            vars.insert(k, v);
        }
        vars
    }
}

impl fmt::Debug for EnvVars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.vars.keys()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_lists_names_not_values() {
        let planted = format!("value-{}", 7 * 6);
        let vars: EnvVars = [("JWT_SECRET", planted.as_str())].into_iter().collect();
        let shown = format!("{vars:?}");
        assert!(shown.contains("JWT_SECRET"));
        assert!(!shown.contains(&planted));
    }
}
