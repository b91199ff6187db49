//! Every environment variable gardefou itself reads, declared once.
//!
//! The variables it *checks* (`KOOMY_ENV`, `NODE_ENV`, `DATABASE_URL`, `PG*`, secrets) are
//! the policy's and live in `gardefou-policy`; these configure gardefou.

/// Path of the policy file, when `--policy` is not given.
pub const GARDEFOU_POLICY: &str = "GARDEFOU_POLICY";

/// The secrets registry's key (at least 256 random bits, kept in the secret manager).
/// `gardefou run` removes it from the server's environment.
pub const GARDEFOU_SECRETS_KEY: &str = "GARDEFOU_SECRETS_KEY";

// `gardefou deploy check` also reads the CI systems' own variables (GITHUB_REF,
// CI_COMMIT_BRANCH, …) to tell the deployed branch: they are declared, with the CI that sets
// each, in one table, `gardefou_release::ci::CI_SYSTEMS`, and listed in docs/release.md.

/// The dotenv file that `gardefou run` and `gardefou seed` merge the way Node's `dotenv`
/// would (default `./.env`): the same variable `dotenv/config` reads.
pub const DOTENV_CONFIG_PATH: &str = "DOTENV_CONFIG_PATH";
