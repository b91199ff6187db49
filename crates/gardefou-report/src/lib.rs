//! The isolation matrix (§2, §11): for the CTO, one place that shows whether production,
//! sandbox and local are really isolated.
//!
//! Columns are environments, rows are resources (the database and its live identity,
//! every other connection string, Stripe keys, the webhook secret, the e-mail key, JWT and
//! session secrets, configured URLs and domains, the deploy branch, debug switches). A
//! [`Cell`] says what the resource is — server and database names, Stripe's mode, keyed
//! fingerprints, never a value, never a database user — and carries the findings that
//! concern it: [`build()`] is a view over the findings the usual checks already produced
//! ([`gardefou_policy::evaluate_with`], the live probe, the domain checks) plus the
//! comparisons between environments of [`gardefou_policy::isolation`]. A resource two
//! environments share is a violation, drawn as shared.
//!
//! Rendered by [`html`] (one self-contained page), [`json`] and [`human`] (a terminal
//! table); every word they print is in [`text`]. No I/O: the caller reads the files, asks
//! the servers and writes the output.
#![warn(missing_docs)]

mod build;
pub mod html;
pub mod human;
pub mod json;
pub mod text;

pub use build::{build, ColumnInput, Input, Live, RegistryState};
pub use text::Lang;

use gardefou_findings::{Finding, Severity};
use gardefou_policy::Environment;

/// The whole report.
#[derive(Clone, Debug)]
pub struct Matrix {
    /// The language of every word of the report.
    pub lang: Lang,
    /// The environments, in the policy's order.
    pub columns: Vec<Column>,
    /// The resources, each with one cell per column.
    pub rows: Vec<Row>,
    /// The policy file that decided (`None`: the built-in policy).
    pub policy_file: Option<String>,
    /// Whether the live databases were asked (`--probe`).
    pub probed: bool,
    /// Whether the domains were resolved (`--resolve`).
    pub resolved: bool,
}

/// One environment.
#[derive(Clone, Debug)]
pub struct Column {
    /// The environment.
    pub environment: Environment,
    /// Where its variables come from: a file name, or the process environment.
    pub source: String,
}

/// One resource.
#[derive(Clone, Debug)]
pub struct Row {
    /// Stable id: `database`, `stripe:STRIPE_SECRET_KEY`, `domains`…
    pub id: String,
    /// What the resource is, for people.
    pub label: String,
    /// The policy section that governs it, without `§`.
    pub policy: &'static str,
    /// One cell per column, in column order.
    pub cells: Vec<Cell>,
}

/// One resource in one environment.
#[derive(Clone, Debug, Default)]
pub struct Cell {
    /// Whether the resource is configured there.
    pub present: bool,
    /// What it is, one short line each (no value, no user).
    pub facts: Vec<String>,
    /// The fingerprint of its secret, if it holds one.
    pub fingerprint: Option<Fingerprint>,
    /// The other environments that share it.
    pub shared_with: Vec<Environment>,
    /// Every finding about it.
    pub findings: Vec<Finding>,
}

/// Whether the policy holds in a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Not configured there, and nothing to say.
    Absent,
    /// The policy holds.
    Ok,
    /// The policy holds, with warnings.
    Warning,
    /// The policy does not hold (red): an error finding, or a resource shared with another
    /// environment.
    Violation,
}

impl Status {
    /// The stable name used in JSON and CSS: `absent`, `ok`, `warning`, `violation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Absent => "absent",
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Violation => "violation",
        }
    }
}

impl Cell {
    /// The cell's status.
    pub fn status(&self) -> Status {
        if !self.shared_with.is_empty()
            || self.findings.iter().any(|f| f.severity == Severity::Error)
        {
            Status::Violation
        } else if !self.findings.is_empty() {
            Status::Warning
        } else if self.present {
            Status::Ok
        } else {
            Status::Absent
        }
    }

    /// The rule ids of its findings, each once, in order.
    pub fn rules(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for f in &self.findings {
            if !out.contains(&f.rule) {
                out.push(f.rule);
            }
        }
        out
    }
}

/// A keyed fingerprint: 8 hex digits, safe to print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    /// The digits.
    pub value: String,
    /// Which key made it.
    pub scope: Scope,
}

/// The key of a fingerprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The registry's key (`GARDEFOU_SECRETS_KEY`): comparable with the findings of
    /// `check` and with `gardefou.secrets.toml`.
    Registry,
    /// A key drawn for this report and never stored: comparable within the report only.
    Report,
}

impl Scope {
    /// `registry` or `report`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Registry => "registry",
            Scope::Report => "report",
        }
    }
}

impl Matrix {
    /// Whether any cell is red.
    pub fn is_violated(&self) -> bool {
        self.count(Status::Violation) > 0
    }

    /// How many cells have this status.
    pub fn count(&self, status: Status) -> usize {
        self.rows
            .iter()
            .flat_map(|r| &r.cells)
            .filter(|c| c.status() == status)
            .count()
    }

    /// The worst status of a column.
    pub fn column_status(&self, index: usize) -> Status {
        self.rows
            .iter()
            .filter_map(|r| r.cells.get(index))
            .map(Cell::status)
            .max()
            .unwrap_or(Status::Absent)
    }
}
