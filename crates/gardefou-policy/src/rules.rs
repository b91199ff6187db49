//! The catalog of the startup guard's rules: one stable id, one policy section, one fix.
//!
//! This list is a source of `docs/rules.md` (the `gardefou` crate's `docs` test regenerates
//! and compares it), so a rule that exists here is documented, and a documented rule exists.

pub use gardefou_findings::Rule;

gardefou_findings::rules! {
    /// Every rule of the startup guard, in documentation order.
    ALL;
    /// `KOOMY_ENV` is required.
    KOOMY_ENV_MISSING = ("koomy-env-missing", "3",
        "`KOOMY_ENV` is not set.",
        "set KOOMY_ENV to production, sandbox or local",
        "`KOOMY_ENV` n'est pas définie.",
        "définir KOOMY_ENV à production, sandbox ou local");
    /// `KOOMY_ENV` takes exactly one of the policy's values.
    KOOMY_ENV_INVALID = ("koomy-env-invalid", "3",
        "`KOOMY_ENV` is not exactly `production`, `sandbox` or `local` (no other case, no spaces, no synonyms such as `prod` or `staging`).",
        "set KOOMY_ENV to exactly production, sandbox or local");
    /// `NODE_ENV` is required.
    NODE_ENV_MISSING = ("node-env-missing", "3",
        "`NODE_ENV` is not set.",
        "set NODE_ENV to production or development");
    /// `NODE_ENV` takes exactly one of the policy's values.
    NODE_ENV_INVALID = ("node-env-invalid", "3",
        "`NODE_ENV` is not exactly `production` or `development`.",
        "set NODE_ENV to exactly production or development");
    /// Production runs production code.
    NODE_ENV_NOT_PRODUCTION = ("node-env-not-production", "3",
        "`KOOMY_ENV=production` with a `NODE_ENV` other than `production`.",
        "set NODE_ENV=production for a production start");
    /// A raw environment block can hold a name twice; clients disagree on which they read.
    ENVIRONMENT_DUPLICATE_VARIABLE = ("environment-duplicate-variable", "3",
        "A variable is set more than once in the process environment: the C library (libpq) and Node's `process.env` read the first value, gardefou's exec passes on the last, so the guard cannot know what the server will use.",
        "start the process with each variable set once (check the launcher that builds its environment)");
    /// `DATABASE_URL` is required.
    DATABASE_URL_MISSING = ("database-url-missing", "3",
        "`DATABASE_URL` is not set.",
        "set DATABASE_URL to this environment's PostgreSQL URL");
    /// One strict grammar, read the way every client reads it.
    DATABASE_URL_INVALID = ("database-url-invalid", "5.1",
        "`DATABASE_URL` (or any other variable holding a PostgreSQL URL) is outside the strict grammar: a form that clients read differently, or that lets something other than the URL choose the server.",
        "write DATABASE_URL as postgresql://user:password@host[:port]/database[?sslmode=…]");
    /// libpq and node-postgres fill gaps from `PG*` variables.
    DATABASE_ENV_OVERRIDE = ("database-env-override", "5.1",
        "A `PG*` variable that libpq or node-postgres read is set beside `DATABASE_URL` and could redirect the connection around the guard: `PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`, `PGPASSWORD` and `PGSSLMODE` are allowed only when they say exactly what `DATABASE_URL` says, and `PGDATA`, `PGBIN`, `PGAPPNAME`, `PGCONNECT_TIMEOUT`, `PGCLIENTENCODING`, `PGDATESTYLE`, `PGTZ`, `PGLOCALEDIR` always; every other one is refused.",
        "unset the PG* variable, or make it say exactly what DATABASE_URL says");
    /// The target must belong to `KOOMY_ENV`'s environment.
    DATABASE_URL_ENVIRONMENT_MISMATCH = ("database-url-environment-mismatch", "5.1",
        "`DATABASE_URL`, or any other variable holding a PostgreSQL URL (`DIRECT_URL`, `DATABASE_URL_UNPOOLED`, `POSTGRES_URL`…), points at a database that the policy gives to another environment than `KOOMY_ENV`.",
        "point DATABASE_URL at this environment's database, or correct KOOMY_ENV");
    /// Unknown targets are forbidden.
    DATABASE_URL_UNLISTED = ("database-url-unlisted", "12",
        "`DATABASE_URL`, or any other variable holding a PostgreSQL URL, points at a server that no environment of the policy lists (what is not explicitly allowed is forbidden).",
        "list the server under the right [database.<environment>] in gardefou.toml, or fix DATABASE_URL");
    /// What Node will read must be what gardefou read.
    ENV_FILE_UNMODELLED = ("env-file-unmodelled", "3",
        "Something changes which env files the server loads, or how it reads them, in a way gardefou does not model: a `DOTENV_*` / `DOTENV_CONFIG_*` option other than `DOTENV_CONFIG_PATH`, `DOTENV_CONFIG_OVERRIDE`, `DOTENV_CONFIG_DEBUG`, `DOTENV_CONFIG_QUIET` and a UTF-8 `DOTENV_CONFIG_ENCODING` (`DOTENV_KEY` decrypts a vault), a `$VAR` / `${VAR}` that dotenv-expand would expand, a `node --env-file` file with a form Node's parser reads differently from dotenv (a byte-order mark, a white-space-only line, `KEY: value`, a lone carriage return, a no-break space), or a command line that changes the server's variables out of sight: Node started more than once with different assignments, `cd`, `env --chdir`, `sudo`/`runuser`/`doas`/`chpst`, env loaders (`dotenv`, `env-cmd`, `npx dotenv-cli`), a shell script file, a login shell, or a shell string gardefou cannot parse that may set variables.",
        "remove the option, write the value without $ references, keep the env file to plain KEY=value lines, and start the server directly with the environment it needs (gardefou run -- node server.js)");
    /// Production and sandbox need their databases declared.
    POLICY_DATABASE_UNCONFIGURED = ("policy-database-unconfigured", "4.1",
        "The policy lists no database for `KOOMY_ENV`'s environment, so nothing can match it.",
        "fill in [database.<environment>] neon_endpoints (or hosts) in gardefou.toml");
    /// The CTO approves the policy (§11): production needs it signed.
    POLICY_UNSIGNED = ("policy-unsigned", "11",
        "The policy file has no signature beside it (`gardefou.toml.sig`), or production would run on the built-in policy. Production always requires a policy file signed by the CTO; sandbox and local warn, unless `[policy] require_signature` lists them.",
        "have the CTO review the policy (gardefou policy diff) and sign it: gardefou policy sign --key ~/.ssh/id_ed25519");
    /// A signature that does not verify is no approval (§11).
    POLICY_SIGNATURE_INVALID = ("policy-signature-invalid", "11",
        "The policy file's signature does not verify against the allowed signers: the file changed after it was signed, the key is not an allowed signer (or not for the `gardefou-policy` namespace), or the signature file is not an SSH signature. An error where a signature is required, a warning elsewhere.",
        "have the CTO review the change (gardefou policy diff) and sign it again: gardefou policy sign --key ~/.ssh/id_ed25519");
    /// Nothing to verify against: fail closed (§12).
    POLICY_SIGNERS_MISSING = ("policy-signers-missing", "12",
        "No allowed signers are configured, so the policy's signature cannot be verified: set `GARDEFOU_ALLOWED_SIGNERS` (the allowed signers text) or `GARDEFOU_ALLOWED_SIGNERS_FILE` (a file outside the repository) from the platform's secret store.",
        "set GARDEFOU_ALLOWED_SIGNERS in the platform's secret store to the allowed signers line that gardefou policy sign prints");
    /// Allowed signers that cannot be trusted are none (§12).
    POLICY_SIGNERS_INVALID = ("policy-signers-invalid", "12",
        "The allowed signers cannot be used: both `GARDEFOU_ALLOWED_SIGNERS` and `GARDEFOU_ALLOWED_SIGNERS_FILE` are set, the file is inside the policy's repository (where a commit could change it), cannot be read, or a line does not parse.",
        "set exactly one of GARDEFOU_ALLOWED_SIGNERS or GARDEFOU_ALLOWED_SIGNERS_FILE, outside the repository, with valid allowed signers lines (gardefou policy verify names the line)");
    /// Remote databases should be reached over TLS.
    DATABASE_URL_TLS_OPTIONAL = ("database-url-tls-optional", "1",
        "`DATABASE_URL` reaches a non-loopback server without `sslmode=require` or stricter (warning).",
        "add sslmode=require (or verify-full) to DATABASE_URL");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for r in ALL {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(
                r.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{} is not kebab-case",
                r.id
            );
        }
    }
}
