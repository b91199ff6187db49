//! Rules as values: every check declares its rules in a catalog of [`Rule`]s, from which
//! findings are made and `docs/rules.md` is generated.

use crate::{Finding, Severity, Text, Tr};

/// A section of Koomy's policy (POLICY.md), which every rule cites.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    /// §1 Purpose.
    S1,
    /// §2 The official environments.
    S2,
    /// §3 Mandatory environment variables.
    S3,
    /// §4.1 Databases.
    S4_1,
    /// §5.1 Checking the database at start-up.
    S5_1,
    /// §6 Seeds and test data.
    S6,
    /// §7.1 Secrets in the code and the repository.
    S7_1,
    /// §7.2 Secrets per environment.
    S7_2,
    /// §8 Debug routes.
    S8,
    /// §9 Domains.
    S9,
    /// §10 Releases.
    S10,
    /// §11 Validation.
    S11,
    /// §12 What is not allowed is forbidden.
    S12,
}

impl Section {
    /// Every section, in the policy's order.
    pub const ALL: [Section; 13] = [
        Section::S1,
        Section::S2,
        Section::S3,
        Section::S4_1,
        Section::S5_1,
        Section::S6,
        Section::S7_1,
        Section::S7_2,
        Section::S8,
        Section::S9,
        Section::S10,
        Section::S11,
        Section::S12,
    ];

    /// The section's number, without `§`: `5.1`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Section::S1 => "1",
            Section::S2 => "2",
            Section::S3 => "3",
            Section::S4_1 => "4.1",
            Section::S5_1 => "5.1",
            Section::S6 => "6",
            Section::S7_1 => "7.1",
            Section::S7_2 => "7.2",
            Section::S8 => "8",
            Section::S9 => "9",
            Section::S10 => "10",
            Section::S11 => "11",
            Section::S12 => "12",
        }
    }

    /// The section numbered `number` (without `§`), if the policy has it.
    pub const fn parse(number: &str) -> Option<Section> {
        let mut i = 0;
        while i < Section::ALL.len() {
            let s = Section::ALL[i];
            if eq(s.as_str().as_bytes(), number.as_bytes()) {
                return Some(s);
            }
            i += 1;
        }
        None
    }

    /// [`Section::parse`] for a literal: a rule that cites a section the policy does not
    /// have does not compile.
    pub const fn of(number: &'static str) -> Section {
        match Section::parse(number) {
            Some(s) => s,
            None => panic!("a rule cites a section the policy does not have"),
        }
    }
}

impl serde::Serialize for Section {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Section {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

const fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// How a rule's findings weigh: the severity its findings take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Weight {
    /// Its findings are errors: they refuse.
    Error,
    /// Its findings are warnings: they inform.
    Warning,
    /// An error or a warning, by the environment or an option (e.g. the policy's signature:
    /// required in production, advised elsewhere).
    ErrorOrWarning,
}

impl Weight {
    /// As the docs write it.
    pub fn text(self) -> Tr {
        let (en, fr) = match self {
            Weight::Error => ("error", "erreur"),
            Weight::Warning => ("warning", "avertissement"),
            Weight::ErrorOrWarning => ("error or warning", "erreur ou avertissement"),
        };
        Tr { en, fr }
    }
}

/// A rule: a stable id, the policy section it enforces, how its findings weigh, what it
/// refuses and the usual fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable id, kebab-case. Never renamed once released.
    pub id: &'static str,
    /// The policy section it enforces.
    pub policy: Section,
    /// The severity its findings take. [`Rule::error`] on a warning rule, or
    /// [`Rule::warning`] on an error rule, is a bug (checked in debug builds: the tests).
    pub weight: Weight,
    /// What it refuses, for the docs.
    pub summary: Tr,
    /// The usual fix; findings may give a more specific one.
    pub fix: Tr,
}

impl Rule {
    /// An error finding of this rule with its usual fix.
    pub fn error(&self, message: impl Into<Text>) -> Finding {
        self.finding(Severity::Error, message.into(), self.fix.into())
    }

    /// An error finding of this rule with a specific fix.
    pub fn error_with_fix(&self, message: impl Into<Text>, fix: impl Into<Text>) -> Finding {
        self.finding(Severity::Error, message.into(), fix.into())
    }

    /// A warning finding of this rule with its usual fix.
    pub fn warning(&self, message: impl Into<Text>) -> Finding {
        self.finding(Severity::Warning, message.into(), self.fix.into())
    }

    /// A warning finding of this rule with a specific fix.
    pub fn warning_with_fix(&self, message: impl Into<Text>, fix: impl Into<Text>) -> Finding {
        self.finding(Severity::Warning, message.into(), fix.into())
    }

    /// A finding of this rule. Outside this crate it is the only way a [`Finding`] is made
    /// (the struct is `#[non_exhaustive]`), so a finding carries a rule's id and section.
    pub fn finding(&self, severity: Severity, message: Text, fix: Text) -> Finding {
        let fits = match self.weight {
            Weight::Error => severity == Severity::Error,
            Weight::Warning => severity == Severity::Warning,
            Weight::ErrorOrWarning => true,
        };
        debug_assert!(
            fits,
            "{} is {} rule: it makes no {severity:?}",
            self.id,
            match self.weight {
                Weight::Warning => "a warning",
                _ => "an error",
            }
        );
        Finding {
            rule: self.id,
            policy: self.policy,
            severity,
            message,
            fix,
            location: None,
            fingerprint: None,
        }
    }
}

/// Declares a catalog: one `pub const` per rule and a slice of them all. A rule's findings
/// are errors unless a last [`Weight`] says otherwise (`Warning`, `ErrorOrWarning`).
///
/// ```
/// gardefou_findings::rules! {
///     /// Every rule of this check.
///     ALL;
///     /// KOOMY_ENV is required.
///     KOOMY_ENV_MISSING = ("koomy-env-missing", "3",
///         "`KOOMY_ENV` is not set.", "set KOOMY_ENV",
///         "`KOOMY_ENV` n'est pas définie.", "définir KOOMY_ENV");
/// }
/// assert_eq!(ALL[0].id, "koomy-env-missing");
/// assert_eq!(ALL[0].weight, gardefou_findings::Weight::Error);
/// assert_eq!(ALL[0].summary.fr, "`KOOMY_ENV` n'est pas définie.");
/// ```
///
/// Every rule carries its French summary and fix: a rule with English only does not
/// compile.
///
/// ```compile_fail
/// gardefou_findings::rules! {
///     ALL;
///     KOOMY_ENV_MISSING = ("koomy-env-missing", "3", "`KOOMY_ENV` is not set.", "set KOOMY_ENV");
/// }
/// ```
#[macro_export]
macro_rules! rules {
    ($(#[$alldoc:meta])* $all:ident; $( $(#[$doc:meta])* $name:ident = ($id:literal, $policy:literal, $summary:literal, $fix:literal, $summary_fr:literal, $fix_fr:literal $(, $weight:ident)? $(,)?); )*) => {
        $( $(#[$doc])* pub const $name: $crate::Rule = $crate::Rule {
            id: $id,
            policy: $crate::Section::of($policy),
            weight: $crate::__weight!($($weight)?),
            summary: $crate::Tr { en: $summary, fr: $summary_fr },
            fix: $crate::Tr { en: $fix, fr: $fix_fr },
        }; )*
        $(#[$alldoc])*
        pub const $all: &[$crate::Rule] = &[$($name),*];
    };
}

/// The [`Weight`] a rule of [`rules!`] declares: [`Weight::Error`] when it names none.
#[doc(hidden)]
#[macro_export]
macro_rules! __weight {
    () => {
        $crate::Weight::Error
    };
    ($weight:ident) => {
        $crate::Weight::$weight
    };
}

#[cfg(test)]
mod weight_tests {
    crate::rules! {
        ALL;
        LOUD = ("loud", "3", "s", "f", "s fr", "f fr");
        QUIET = ("quiet", "3", "s", "f", "s fr", "f fr", Warning);
        EITHER = ("either", "3", "s", "f", "s fr", "f fr", ErrorOrWarning);
    }

    #[test]
    fn a_rule_weighs_as_declared_and_either_kind_of_finding_fits_error_or_warning() {
        assert_eq!(LOUD.weight, crate::Weight::Error);
        assert_eq!(QUIET.weight, crate::Weight::Warning);
        assert_eq!(
            EITHER.error(crate::tr!("m", "m")).severity,
            crate::Severity::Error
        );
        assert_eq!(
            EITHER.warning(crate::tr!("m", "m")).severity,
            crate::Severity::Warning
        );
        assert_eq!(ALL.len(), 3);
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "quiet is a warning rule")]
    fn a_warning_rule_makes_no_error() {
        let _ = QUIET.error(crate::tr!("m", "m"));
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "loud is an error rule")]
    fn an_error_rule_makes_no_warning() {
        let _ = LOUD.warning(crate::tr!("m", "m"));
    }
}
