//! §10 of Koomy's policy, the release rule: PROD deploys only from `main`, SANDBOX only
//! from `staging`, and nothing reaches production without passing through staging.
//!
//! [`check_deploy`] looks at a real repository (through the `git` command, see [`git`]):
//!
//! - the deployed branch comes from `--branch`, else the CI's variables ([`ci`]), else the
//!   checked-out branch; a detached HEAD with none of them is refused;
//! - the branch must be the target's; HEAD must be its tip; a branch with a
//!   remote-tracking branch must equal it; the working tree must be clean;
//! - for production, every commit of HEAD that is not on staging (`git log HEAD
//!   ^origin/staging`) must have the tree of some commit on staging: a merge of staging
//!   and a squash merge of staging have it, a commit made on `main` does not. Each
//!   offending commit is named.
//!
//! ```no_run
//! use gardefou_release::{check_deploy, DeployRequest, Target};
//! use gardefou_policy::ReleasePolicy;
//!
//! let check = check_deploy(&DeployRequest {
//!     target: Target::Production,
//!     branch: None,
//!     repo: std::path::Path::new("."),
//!     release: &ReleasePolicy::default(),
//!     var: &|name| std::env::var(name).ok(),
//! })
//! .unwrap();
//! for finding in &check.report.findings {
//!     println!("{}: {}", finding.rule, finding.message);
//! }
//! ```
#![warn(missing_docs)]

pub mod ci;
mod deploy;
pub mod git;
pub mod rules;

pub use deploy::{check_deploy, DeployCheck, DeployRequest, Target, MAX_NAMED_COMMITS};
