//! Every environment variable gardefou itself reads, declared once.
//!
//! The variables it *checks* (`KOOMY_ENV`, `NODE_ENV`, `DATABASE_URL`, `PG*`, secrets) are
//! the policy's and live in `gardefou-policy`; these configure gardefou.

/// Path of the policy file, when `--policy` is not given.
pub const GARDEFOU_POLICY: &str = "GARDEFOU_POLICY";

/// The secrets registry's key (at least 256 random bits, kept in the secret manager).
/// `gardefou run` removes it from the server's environment.
pub const GARDEFOU_SECRETS_KEY: &str = "GARDEFOU_SECRETS_KEY";
