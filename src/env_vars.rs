//! Every environment variable gardefou itself reads, declared once.
//!
//! The variables it *checks* (`KOOMY_ENV`, `NODE_ENV`, `DATABASE_URL`, `PG*`, secrets) are
//! the policy's and live in `gardefou-policy`; these configure gardefou.

/// Path of the policy file, when `--policy` is not given.
pub const GARDEFOU_POLICY: &str = "GARDEFOU_POLICY";
