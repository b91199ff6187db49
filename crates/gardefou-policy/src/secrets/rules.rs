//! The catalog of the secrets policy's rules (§7, §9): one stable id, one policy section,
//! one fix. A source of `docs/rules.md`.

pub use gardefou_findings::Rule;

gardefou_findings::rules! {
    /// Every rule of the secrets policy, in documentation order.
    ALL;
    /// The policy file can mark secrets as required.
    SECRET_REQUIRED_MISSING = ("secret-required-missing", "3",
        "A variable that the policy file marks as required (`[secrets] required`) is not set.",
        "set the variable, or remove it from [secrets] required in gardefou.toml");
    /// A value that is not a value.
    SECRET_PLACEHOLDER = ("secret-placeholder", "7.1",
        "A secret holds a placeholder instead of a real value: a template marker (`<your-key>`, `${…}`, `{{…}}`, `…`, `***`), a patterned random part (`sk_live_xxx`, `sk_live_000…`) or a word such as `changeme`.",
        "put the real secret of this environment in the variable");
    /// Declared secrets must be usable values.
    SECRET_MALFORMED = ("secret-malformed", "7.2",
        "A secret variable is empty, not valid UTF-8, or (kind `postgres-url`) outside the strict PostgreSQL URL grammar.",
        "set the variable to this environment's real value");
    /// Stripe API keys have one format.
    STRIPE_KEY_MALFORMED = ("stripe-key-malformed", "7.2",
        "A Stripe API key is not exactly `sk_|rk_|pk_` + `live_|test_` + 24 to 247 letters and digits, or is not the type its variable expects (a publishable key in `STRIPE_SECRET_KEY`, …).",
        "copy the key again from the Stripe Dashboard (Developers > API keys) without quotes or spaces");
    /// Live in production, test elsewhere.
    STRIPE_KEY_MODE_MISMATCH = ("stripe-key-mode-mismatch", "7.2",
        "A live Stripe key outside production, or a test key in production, in any variable: keys are recognised by their shape, whatever the variable's name.",
        "use the live key only in production and test keys in sandbox and local");
    /// Webhook signing secrets have one format.
    STRIPE_WEBHOOK_SECRET_MALFORMED = ("stripe-webhook-secret-malformed", "7.2",
        "`STRIPE_WEBHOOK_SECRET` (or a `stripe-webhook` variable) is not `whsec_` + 32 to 128 letters and digits.",
        "copy this environment's endpoint signing secret from the Stripe Dashboard (Developers > Webhooks)");
    /// SendGrid keys have one format.
    SENDGRID_KEY_MALFORMED = ("sendgrid-key-malformed", "7.2",
        "`SENDGRID_API_KEY` (or a `sendgrid` variable) is not `SG.` + 22 + `.` + 43 base64url characters.",
        "create an API key for this environment in SendGrid (Settings > API Keys) and copy it whole");
    /// Framework defaults and documentation examples are public.
    SECRET_WELL_KNOWN = ("secret-well-known", "7.2",
        "A JWT, session or other random secret equals a well-known value (framework default, documentation example such as `keyboard cat` or `your-256-bit-secret`), compared case-insensitively.",
        "generate a new secret: openssl rand -base64 32");
    /// 256 bits of real entropy.
    SECRET_WEAK = ("secret-weak", "7.2",
        "A JWT, session or other random secret has less than 256 bits of estimated entropy (hex and base64 are decoded; patterned values count as 0; see docs/secrets.md).",
        "generate a new secret: openssl rand -base64 32");
    /// JWT and session secrets are unique.
    SECRET_SHARED_WITHIN_ENVIRONMENT = ("secret-shared-within-environment", "7.2",
        "A JWT, session or other random secret equals the value of another secret of the same environment (e.g. `JWT_SECRET` = `SESSION_SECRET`, or the database password).",
        "give each secret its own value: openssl rand -base64 32");
    /// One secret = one environment.
    SECRET_REGISTERED_ELSEWHERE = ("secret-registered-elsewhere", "7.1",
        "A secret's keyed fingerprint is registered under another environment in the secrets registry: the same secret serves two environments. Every variable is compared by value, whatever its name (a production JWT secret in `JWT_REFRESH_SECRET`, a URL's password in `DIRECT_URL`).",
        "rotate the secret and give this environment its own value");
    /// The registry is what makes reuse visible.
    SECRET_REGISTRY_MISSING = ("secret-registry-missing", "7.1",
        "Production or sandbox starts with secrets but no secrets registry was found, so reuse across environments cannot be checked (warning).",
        "run `gardefou secrets register` in each environment and commit gardefou.secrets.toml");
    /// Without the key, fingerprints cannot be computed.
    SECRET_REGISTRY_KEY_MISSING = ("secret-registry-key-missing", "7.1",
        "A secrets registry exists but `GARDEFOU_SECRETS_KEY` is not set, so the secrets cannot be compared with it (an error in production and sandbox, a warning in local).",
        "set GARDEFOU_SECRETS_KEY to the registry's key (kept in the secret manager, never in the repository)");
    /// A wrong key matches nothing: that would silently disable the check.
    SECRET_REGISTRY_KEY_MISMATCH = ("secret-registry-key-mismatch", "7.1",
        "`GARDEFOU_SECRETS_KEY` is not the key the registry was made with (its key check differs), or it is too weak to be a key.",
        "set GARDEFOU_SECRETS_KEY to the key the registry was made with");
    /// Register what runs.
    SECRET_UNREGISTERED = ("secret-unregistered", "7.1",
        "A production or sandbox secret is not in the registry under its environment, so another environment reusing it would not be caught (warning).",
        "run `gardefou secrets register` in this environment and commit gardefou.secrets.toml");
    /// Low-entropy secrets are never fingerprinted.
    SECRET_TOO_WEAK_TO_REGISTER = ("secret-too-weak-to-register", "7.1",
        "A production or sandbox secret (often the database password) has less than 64 bits of estimated entropy: fingerprinting it could let a registry reader guess it, so its reuse cannot be checked (warning).",
        "use a longer random value (openssl rand -base64 32; for the database, a password generated by Neon)");
    /// §7.2: DEBUG / INTERNAL forbidden in production.
    DEBUG_IN_PRODUCTION = ("debug-in-production", "7.2",
        "A `DEBUG`, `DEBUG_*`, `*_DEBUG`, `INTERNAL_*` (any `_`-separated word DEBUG or INTERNAL, any case, any value, `DEBUG_SECRET` included) variable is set in production.",
        "unset the variable in production (DEBUG / INTERNAL are allowed in sandbox and local only)");
    /// A debugger in production is a remote shell.
    NODE_INSPECTOR_IN_PRODUCTION = ("node-inspector-in-production", "7.2",
        "`NODE_OPTIONS`, or the command that `gardefou run` execs, opens Node's inspector in production (`--inspect`, `--inspect-brk`, `--inspect-wait`, `--inspect-port`, `--debug-port`, `--debug…`, any spelling Node accepts): on the `node` command line after any option, behind `env`/`cross-env`/`exec`, in a `sh -c` string, in an npm/pnpm/yarn script, in `NODE_OPTIONS` set there or in a `--env-file`, or in npm's `node-options` (`npm_config_node_options`, `.npmrc`).",
        "remove the --inspect / --debug options from NODE_OPTIONS, the command line, the scripts and the npm configuration in production");
    /// What cannot be read for sure is refused in production.
    NODE_COMMAND_UNANALYSABLE = ("node-command-unanalysable", "7.2",
        "In production, the command `gardefou run` execs holds something gardefou cannot read for sure to rule out Node's inspector: shell syntax beyond words, quotes and `&&`/`||` (`$`, `;`, pipes, redirections), a program gardefou has no rule for (a binary such as `xargs` or `flock`, a script file whose `#!` line is not `node` alone: a shell script, pm2, a shebang with options), `PATH` set to other than system directories, `env -S`, `npx`, an npm command that is not a script run, `--prefix`, an unreadable `package.json`, `.npmrc` or env file.",
        "exec the server directly (gardefou run -- node dist/server.js), or keep the npm script to plain words");
    /// One grammar for configured URLs.
    CONFIGURED_URL_INVALID = ("configured-url-invalid", "9",
        "A configured URL (`APP_URL`, `API_URL`, `PUBLIC_SITE_URL`, `BACKOFFICE_URL`, `ADMIN_URL`, `CORS_ORIGINS`, or a `url` / `origin-list` variable) is outside the strict grammar: not https (http only for loopback in local), user info, backslash, upper case, trailing dot, numeric host, query, fragment, a path in an origin.",
        "write it as https://<this environment's domain>[:port][/path] (an origin without path)");
    /// §9: no sandbox domain points to production, and the reverse.
    CONFIGURED_URL_OTHER_ENVIRONMENT = ("configured-url-other-environment", "9",
        "A configured URL names a domain that the §9 table gives to another environment.",
        "use this environment's domain from the §9 table");
    /// What is not listed is forbidden.
    CONFIGURED_URL_UNLISTED = ("configured-url-unlisted", "9",
        "A configured URL names a host that is not one of the current environment's domains (local: loopback only, unless `[domains.local]` lists names).",
        "use one of this environment's domains, or add it to [domains.<environment>] in gardefou.toml");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for r in ALL
            .iter()
            .chain(crate::rules::ALL)
            .chain(crate::isolation::ALL)
        {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(r.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
        }
    }
}
