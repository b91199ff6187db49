//! The policy's environments (§2) and the two variables that name them (§3).

use std::fmt;

/// One of the three official environments of §2. No other exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Environment {
    /// PRODUCTION: real operation, real data.
    Production,
    /// SANDBOX: realistic tests and demos, no real data.
    Sandbox,
    /// LOCAL: development, developers only.
    Local,
}

impl Environment {
    /// All environments, in the policy's order.
    pub const ALL: [Environment; 3] = [
        Environment::Production,
        Environment::Sandbox,
        Environment::Local,
    ];

    /// The exact value of `KOOMY_ENV` naming this environment.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Sandbox => "sandbox",
            Environment::Local => "local",
        }
    }

    /// Reads a `KOOMY_ENV` value: exactly one of the allowed values, nothing else (§3):
    /// no other case, no surrounding spaces, no synonyms.
    pub fn from_koomy_env(value: &str) -> Option<Self> {
        Environment::ALL.into_iter().find(|e| e.as_str() == value)
    }

    /// Each environment beside its own value, in the policy's order: the tables of a
    /// configuration file read as `[x.production]`, `[x.sandbox]`, `[x.local]`.
    pub fn each<T>(production: T, sandbox: T, local: T) -> [(Environment, T); 3] {
        [
            (Environment::Production, production),
            (Environment::Sandbox, sandbox),
            (Environment::Local, local),
        ]
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The allowed values of `NODE_ENV` (§3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeEnv {
    /// `production`
    Production,
    /// `development`
    Development,
}

impl NodeEnv {
    /// All allowed values.
    pub const ALL: [NodeEnv; 2] = [NodeEnv::Production, NodeEnv::Development];

    /// The exact value.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeEnv::Production => "production",
            NodeEnv::Development => "development",
        }
    }

    /// Reads a `NODE_ENV` value, exactly.
    pub fn from_value(value: &str) -> Option<Self> {
        NodeEnv::ALL.into_iter().find(|e| e.as_str() == value)
    }
}

/// How a refused value relates to the allowed one it was probably meant to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NearMiss<'a> {
    /// The same but for case or surrounding white space (`Sandbox`, ` sandbox`).
    CaseOrSpace(&'a str),
    /// An abbreviation (`prod`) or a typo within two letters (`sandbx`).
    Probably(&'a str),
}

/// The allowed value `value` was probably meant to be, if one is close enough.
pub(crate) fn near_miss<'a>(value: &str, allowed: &[&'a str]) -> Option<NearMiss<'a>> {
    let folded = value.trim().to_ascii_lowercase();
    if let Some(a) = allowed.iter().copied().find(|a| *a == folded) {
        return Some(NearMiss::CaseOrSpace(a));
    }
    if folded.len() >= 3 {
        let prefix_of: Vec<&str> = allowed
            .iter()
            .copied()
            .filter(|a| a.starts_with(&folded))
            .collect();
        if let [only] = prefix_of.as_slice() {
            return Some(NearMiss::Probably(only));
        }
    }
    let mut close = allowed
        .iter()
        .copied()
        .map(|a| (edit_distance(&folded, a), a))
        .filter(|(d, _)| *d <= 2);
    match (close.next(), close.next()) {
        (Some((_, a)), None) if folded.len() >= 4 => Some(NearMiss::Probably(a)),
        _ => None,
    }
}

/// Levenshtein distance between two short ASCII words.
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Whether a refused value of an environment switch may be shown: a short plain word
/// (`prod`, `staging`) carries no secret; anything else is never printed.
pub(crate) fn showable(value: &str) -> bool {
    (1..=12).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_values_are_environments() {
        assert_eq!(
            Environment::from_koomy_env("sandbox"),
            Some(Environment::Sandbox)
        );
        for bad in [
            "Sandbox",
            " sandbox",
            "sandbox ",
            "SANDBOX",
            "prod",
            "staging",
            "dev",
            "test",
            "development",
            "",
            "production\n",
            "local\0",
        ] {
            assert_eq!(Environment::from_koomy_env(bad), None, "{bad:?}");
        }
        assert_eq!(NodeEnv::from_value("production"), Some(NodeEnv::Production));
        for bad in [
            "Production",
            "prod",
            "dev",
            "test",
            "staging",
            "development ",
        ] {
            assert_eq!(NodeEnv::from_value(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn near_miss_names_the_allowed_value() {
        let envs = ["production", "sandbox", "local"];
        assert_eq!(
            near_miss(" Sandbox ", &envs),
            Some(NearMiss::CaseOrSpace("sandbox"))
        );
        assert_eq!(
            near_miss("prod", &envs),
            Some(NearMiss::Probably("production"))
        );
        assert_eq!(
            near_miss("PROD", &envs),
            Some(NearMiss::Probably("production"))
        );
        assert_eq!(
            near_miss("sandbx", &envs),
            Some(NearMiss::Probably("sandbox"))
        );
        assert_eq!(
            near_miss("prodution", &envs),
            Some(NearMiss::Probably("production"))
        );
        assert_eq!(near_miss("staging", &envs), None);
        assert_eq!(near_miss("pr", &envs), None);
        assert_eq!(
            near_miss("dev", &["production", "development"]),
            Some(NearMiss::Probably("development"))
        );
    }

    #[test]
    fn only_short_plain_words_are_shown() {
        assert!(showable("prod") && showable("staging") && showable("v1.2"));
        let long = ["sk", "_live_", "abcdef"].concat();
        for v in ["", &long, "postgres://x", "a b", "x=y"] {
            assert!(!showable(v), "{v}");
        }
    }
}
