//! Every environment variable gardefou itself reads, declared once.
//!
//! The variables it *checks* (`KOOMY_ENV`, `NODE_ENV`, `DATABASE_URL`, `PG*`, secrets) are
//! the policy's and live in `gardefou-policy`; these configure gardefou.

// `GARDEFOU_POLICY` (the policy file when no `--policy` is given) and
// `GARDEFOU_SECRETS_KEY` (the secrets registry's key, at least 256 random bits, kept in the
// secret manager; `run` and `seed` remove it from the child's environment) are declared in
// `gardefou-sources`, which a Rust backend shares with this binary.
pub use gardefou_sources::GARDEFOU_SECRETS_KEY;

// `GARDEFOU_ALLOWED_SIGNERS` (the allowed signers text) and `GARDEFOU_ALLOWED_SIGNERS_FILE`
// (a file outside the repository) say whose SSH signature on the policy file counts: set
// one, from the platform's secret store. Declared in `gardefou_sources::signature`.

// `gardefou deploy check` also reads the CI systems' own variables (GITHUB_REF,
// CI_COMMIT_BRANCH, …) to tell the deployed branch: they are declared, with the CI that sets
// each, in one table, `gardefou_release::ci::CI_SYSTEMS`, and listed in docs/release.md.

/// The dotenv file that `gardefou run` and `gardefou seed` merge the way Node's `dotenv`
/// would (default `./.env`): the same variable `dotenv/config` reads.
pub const DOTENV_CONFIG_PATH: &str = "DOTENV_CONFIG_PATH";
