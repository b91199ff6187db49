//! Findings as values, and the reporters that render them.
//!
//! Every check in gardefou — the startup guard, the scanner, the release rules — produces
//! [`Finding`]s: a stable rule id, the policy section it enforces, a one-line message and
//! how to fix it. Checks never print; reporters ([`human`], [`json`]) render a whole
//! [`Report`] at once, so that every violation is shown, not just the first.
//!
//! ```
//! use gardefou_findings::{rules, tr, Report};
//!
//! rules! {
//!     /// The rules of this check.
//!     ALL;
//!     /// `KOOMY_ENV` is required.
//!     KOOMY_ENV_MISSING = ("koomy-env-missing", "3",
//!         "`KOOMY_ENV` is not set.", "set KOOMY_ENV to production, sandbox or local",
//!         "`KOOMY_ENV` n'est pas définie.", "définir KOOMY_ENV à production, sandbox ou local");
//! }
//!
//! let report = Report::new(vec![KOOMY_ENV_MISSING.error(tr!(
//!     "KOOMY_ENV is not set",
//!     "KOOMY_ENV n'est pas définie"
//! ))]);
//! assert!(report.is_denied());
//! let mut out = Vec::new();
//! gardefou_findings::human::write(&mut out, &report, None).unwrap();
//! assert!(String::from_utf8(out).unwrap().contains("§3"));
//! ```
#![warn(missing_docs)]

pub mod human;
pub mod json;
mod lang;
mod rule;
pub mod sarif;

pub use lang::{Lang, Text, Tr};
pub use rule::{Rule, Section, Weight};

use serde::Serialize;

/// How much a finding weighs: errors refuse, warnings inform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Reported, does not change the verdict.
    Warning,
    /// Refuses: the verdict is `deny`.
    Error,
}

/// Where a finding was found, for findings about files (scanner, policy files).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// Path of the file, as given or relative to the scanned root.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Commit id, for findings in git history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// One violation of the policy. Contains no secret value by construction: the message
/// and fix are written by gardefou's rules, which only ever name variables, kinds,
/// locations and fingerprints.
///
/// A finding is made through its rule ([`Rule::error`], [`Rule::finding`]…): outside this
/// crate, `Finding` cannot be written as a struct literal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// Stable rule id, e.g. `database-url-environment-mismatch`.
    pub rule: &'static str,
    /// Policy section (serialised without the `§`, e.g. `5.1`).
    pub policy: Section,
    /// Error or warning.
    pub severity: Severity,
    /// One line saying what is wrong.
    pub message: Text,
    /// One line saying how to fix it.
    pub fix: Text,
    /// Where, for findings about files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// A short fingerprint of the secret involved, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

impl Finding {
    /// Attaches a location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Attaches a fingerprint.
    pub fn with_fingerprint(mut self, fingerprint: impl Into<String>) -> Self {
        self.fingerprint = Some(fingerprint.into());
        self
    }
}

/// The outcome of one check: all its findings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Every finding, errors and warnings, in the order the rules produced them.
    pub findings: Vec<Finding>,
}

/// Allow or deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No error finding.
    Allow,
    /// At least one error finding.
    Deny,
}

impl Report {
    /// A report over these findings.
    pub fn new(findings: Vec<Finding>) -> Self {
        Report { findings }
    }

    /// Deny when any finding is an error.
    pub fn verdict(&self) -> Verdict {
        if self.is_denied() {
            Verdict::Deny
        } else {
            Verdict::Allow
        }
    }

    /// Whether any finding is an error.
    pub fn is_denied(&self) -> bool {
        self.errors() > 0
    }

    /// Number of error findings.
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    /// Number of warning findings.
    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::rules! {
        #[allow(dead_code)]
        ALL;
        W = ("w", "1", "s", "f", "s fr", "f fr", Warning);
        E = ("e", "1", "s", "f", "s fr", "f fr");
    }

    #[test]
    fn warnings_alone_allow_and_one_error_denies() {
        let w = W.warning(crate::tr!("m", "m"));
        let e = E.error(crate::tr!("m", "m"));
        assert_eq!(Report::new(vec![w.clone()]).verdict(), Verdict::Allow);
        assert_eq!(Report::new(vec![w, e]).verdict(), Verdict::Deny);
        assert_eq!(Report::default().verdict(), Verdict::Allow);
    }
}
