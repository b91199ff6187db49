//! The HTTP guard for axum backends (§5, §8).
//!
//! - [`GuardedConfig::start`] runs the whole guard before a server listens: the policy's
//!   static rules (`KOOMY_ENV`, `NODE_ENV`, `DATABASE_URL`, secrets, and — in production —
//!   a policy whose signature `gardefou_sources::load_policy` verified), the HTTP guard's own
//!   rules ([`rules`]: `DEBUG_SECRET`), then the live identity of the database. It returns
//!   configuration whose `Debug` never shows a value, or a [`StartError`] to print before
//!   exiting non-zero.
//! - [`GuardedConfig::mount`] installs the debug routes under `/api/_debug/` in sandbox
//!   only. Without the right `X-Debug-Secret` a debug path gets the application's own
//!   answer for an unknown route, byte for byte; in production and local the routes do not
//!   exist.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use axum::{routing::get, Router};
//! use gardefou_axum::GuardedConfig;
//!
//! // The policy file with its signature checked (production refuses anything else).
//! let (policy, _file) = gardefou_sources::load_policy(None)?;
//! let config = match GuardedConfig::from_process_env(policy).await {
//!     Ok(config) => Arc::new(config),
//!     Err(refused) => {
//!         eprintln!("{refused}");
//!         std::process::exit(1);
//!     }
//! };
//! let app: Router = Router::new()
//!     .route("/healthz", get(|| async { "ok" }))
//!     .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "not found") });
//! let app: Router = config.mount(app); // last: after every route and the fallback
//! # let _ = app; Ok(()) }
//! ```
#![warn(missing_docs)]

mod config;
pub mod debug;
mod mac;
mod probe;
pub mod rules;

pub use config::{
    process_env, GuardedConfig, Health, IdentityError, LiveIdentity, NeonIds, PoolError,
    ProvenClient, ProvenPool, Purpose, StampView, StartError, DEBUG_SECRET_MIN_BITS,
};
pub use debug::DebugLayer;
