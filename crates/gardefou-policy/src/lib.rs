//! The policy model and its pure evaluation.
//!
//! Koomy's environments & secrets policy (stated section by section in `POLICY.md`) as data ([`Policy`]), read
//! from an optional `gardefou.toml` ([`Policy::from_toml`]), and the startup guard's
//! evaluation ([`evaluate`]) of a set of environment variables ([`EnvVars`]) into
//! findings. No I/O happens here: callers read files and the process environment, which
//! keeps every rule easy to test exhaustively.
//!
//! ```
//! use gardefou_policy::{evaluate, EnvVars, Policy};
//!
//! let policy = Policy::from_toml(
//!     "[database.sandbox]\nneon_endpoints = [\"ep-beta-1\"]\n",
//!     "gardefou.toml",
//! )
//! .unwrap();
//! let vars: EnvVars = [
//!     ("KOOMY_ENV", "sandbox"),
//!     ("NODE_ENV", "production"),
//!     ("DATABASE_URL", "postgresql://koomy@ep-beta-1-pooler.eu-west-2.aws.neon.tech/neondb?sslmode=require"),
//! ]
//! .into_iter()
//! .collect();
//! let evaluation = evaluate(&policy, &vars);
//! assert!(evaluation.is_allowed(), "{:?}", evaluation.report);
//! ```
#![warn(missing_docs)]

pub mod debug_routes;
pub mod diff;
pub mod draft;
mod environment;
mod fast_hash;
pub mod file;
mod guard;
pub mod isolation;
pub mod model;
pub mod rules;
pub mod secrets;
pub mod signature;
mod vars;

pub use environment::{Environment, NodeEnv};
pub use fast_hash::{FastHash, FastHasher};
pub use file::ConfigError;
pub use guard::{evaluate, evaluate_start, evaluate_with, identify, DatabaseTarget, Evaluation};
pub use model::{
    DatabasePolicy, DatabaseTargets, DomainTable, HostPattern, Policy, ReleasePolicy, ScanPolicy,
    SeedPolicy, SharedAddresses, DEFAULT_CONNECT_TIMEOUT_MS,
};
pub use vars::{EnvVars, Lookup};
