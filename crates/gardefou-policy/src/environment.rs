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

/// If `value` differs from one of `allowed` only by case or surrounding white space,
/// that allowed value: a hint that names the policy's value, never the user's.
pub(crate) fn near_miss<'a>(value: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let folded = value.trim().to_ascii_lowercase();
    allowed.iter().copied().find(|a| *a == folded)
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
        assert_eq!(near_miss(" Sandbox ", &["sandbox"]), Some("sandbox"));
        assert_eq!(near_miss("prod", &["production"]), None);
    }
}
