//! The HTTP guard's rules (§8): one stable id, one policy section, one fix. They are
//! decided in `gardefou_policy::debug_routes`, shared with the npm package's Express routes.
//!
//! This list is a source of `docs/rules.md`.

pub use gardefou_policy::debug_routes::{Rule, ALL, DEBUG_SECRET_UNSET, DEBUG_SECRET_WEAK};
