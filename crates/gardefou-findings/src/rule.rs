//! Rules as values: every check declares its rules in a catalog of [`Rule`]s, from which
//! findings are made and `docs/rules.md` is generated.

use crate::Finding;

/// The sections of Koomy's policy that a rule may cite.
pub const POLICY_SECTIONS: &[&str] = &[
    "1", "2", "3", "4.1", "5.1", "6", "7.1", "7.2", "8", "9", "10", "11", "12",
];

/// A rule: a stable id, the policy section it enforces, what it refuses and the usual fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable id, kebab-case. Never renamed once released.
    pub id: &'static str,
    /// Policy section it enforces, without `§`.
    pub policy: &'static str,
    /// What it refuses, for the docs.
    pub summary: &'static str,
    /// The usual fix; findings may give a more specific one.
    pub fix: &'static str,
}

impl Rule {
    /// An error finding of this rule with its usual fix.
    pub fn error(&self, message: impl Into<String>) -> Finding {
        Finding::error(self.id, self.policy, message, self.fix)
    }

    /// An error finding of this rule with a specific fix.
    pub fn error_with_fix(&self, message: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding::error(self.id, self.policy, message, fix)
    }

    /// A warning finding of this rule with its usual fix.
    pub fn warning(&self, message: impl Into<String>) -> Finding {
        Finding::warning(self.id, self.policy, message, self.fix)
    }

    /// A warning finding of this rule with a specific fix.
    pub fn warning_with_fix(&self, message: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding::warning(self.id, self.policy, message, fix)
    }
}

/// Declares a catalog: one `pub const` per rule and a slice of them all.
///
/// ```
/// gardefou_findings::rules! {
///     /// Every rule of this check.
///     ALL;
///     /// KOOMY_ENV is required.
///     KOOMY_ENV_MISSING = ("koomy-env-missing", "3", "`KOOMY_ENV` is not set.", "set KOOMY_ENV");
/// }
/// assert_eq!(ALL[0].id, "koomy-env-missing");
/// ```
#[macro_export]
macro_rules! rules {
    ($(#[$alldoc:meta])* $all:ident; $( $(#[$doc:meta])* $name:ident = ($id:literal, $policy:literal, $summary:literal, $fix:literal); )*) => {
        $( $(#[$doc])* pub const $name: $crate::Rule = $crate::Rule { id: $id, policy: $policy, summary: $summary, fix: $fix }; )*
        $(#[$alldoc])*
        pub const $all: &[$crate::Rule] = &[$($name),*];
    };
}
