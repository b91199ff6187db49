//! The startup guard's evaluation (§3, §4.1, §5.1, §12): environment variables in,
//! every finding out. Pure: the caller gathers the variables.

use gardefou_findings::Report;
use gardefou_pgurl::{ConnUrl, Host, SslMode};

use crate::environment::near_miss;
use crate::model::DisplayHost;
use crate::secrets::Registry;
use crate::vars::Lookup;
use crate::{rules, EnvVars, Environment, NodeEnv, Policy};

/// What the guard concluded.
#[derive(Debug)]
pub struct Evaluation {
    /// `KOOMY_ENV`, when it is one of the allowed values.
    pub environment: Option<Environment>,
    /// The database `DATABASE_URL` points at, when it parses.
    pub database: Option<DatabaseTarget>,
    /// Every finding.
    pub report: Report,
}

impl Evaluation {
    /// Whether the start is allowed.
    pub fn is_allowed(&self) -> bool {
        !self.report.is_denied()
    }
}

/// A parsed `DATABASE_URL` and the environment the policy gives its server.
#[derive(Debug)]
pub struct DatabaseTarget {
    /// The URL, read with the strict grammar. Its password never prints.
    pub url: ConnUrl,
    /// The environment the policy gives this server, if any lists it.
    pub owner: Option<Environment>,
}

impl DatabaseTarget {
    /// `Neon endpoint ep-… (pooler)` or `host:port`: how findings name the server.
    pub fn describe(&self) -> String {
        describe(self.url.host(), self.url.port())
    }
}

fn describe(host: &Host, port: u16) -> String {
    match host {
        Host::Neon {
            endpoint, pooler, ..
        } => format!(
            "Neon endpoint {endpoint}{}",
            if *pooler { " (pooler)" } else { "" }
        ),
        Host::Unix(dir) => format!("Unix socket {dir} port {port}"),
        other => format!("{}:{port}", DisplayHost(other)),
    }
}

/// The environment the policy gives to the server at `host:port`: an explicit listing
/// first, then loopback and Unix sockets are local; anything else belongs to nobody.
pub fn identify(policy: &Policy, host: &Host, port: u16) -> Option<Environment> {
    Environment::ALL
        .into_iter()
        .find(|env| {
            let targets = policy.database.targets(*env);
            let by_endpoint = matches!(host, Host::Neon { endpoint, .. }
                if targets.neon_endpoints.iter().any(|e| e == endpoint));
            by_endpoint || targets.hosts.iter().any(|p| p.matches(host, port))
        })
        .or_else(|| host.is_loopback().then_some(Environment::Local))
}

/// Evaluates the variables against the policy and reports every violation, without
/// consulting a secrets registry (see [`evaluate_with`]).
pub fn evaluate(policy: &Policy, vars: &EnvVars) -> Evaluation {
    evaluate_with(policy, vars, &Registry::NotConsulted)
}

/// Evaluates the variables against the policy — the startup guard (§3, §4.1, §5.1) and
/// the secrets policy (§7, §9) — and reports every violation. `registry` is what the
/// caller found of the secrets registry.
pub fn evaluate_with(policy: &Policy, vars: &EnvVars, registry: &Registry<'_>) -> Evaluation {
    let mut findings = Vec::new();

    for name in vars.duplicates() {
        findings.push(rules::ENVIRONMENT_DUPLICATE_VARIABLE.error(format!(
            "{name} is set more than once in the environment; programs disagree on which value they read"
        )));
    }

    let environment = match vars.lookup("KOOMY_ENV") {
        Lookup::Missing => {
            findings.push(rules::KOOMY_ENV_MISSING.error("KOOMY_ENV is not set"));
            None
        }
        Lookup::NotUtf8 => {
            findings.push(rules::KOOMY_ENV_INVALID.error("KOOMY_ENV is not valid UTF-8"));
            None
        }
        Lookup::Value(v) => {
            let env = Environment::from_koomy_env(v.expose());
            if env.is_none() {
                let allowed = Environment::ALL.map(Environment::as_str);
                findings.push(invalid_value(
                    &rules::KOOMY_ENV_INVALID,
                    "KOOMY_ENV",
                    v.expose(),
                    &allowed,
                ));
            }
            env
        }
    };

    match vars.lookup("NODE_ENV") {
        Lookup::Missing => findings.push(rules::NODE_ENV_MISSING.error("NODE_ENV is not set")),
        Lookup::NotUtf8 => {
            findings.push(rules::NODE_ENV_INVALID.error("NODE_ENV is not valid UTF-8"))
        }
        Lookup::Value(v) => match NodeEnv::from_value(v.expose()) {
            None => {
                let allowed = NodeEnv::ALL.map(NodeEnv::as_str);
                findings.push(invalid_value(
                    &rules::NODE_ENV_INVALID,
                    "NODE_ENV",
                    v.expose(),
                    &allowed,
                ));
            }
            Some(NodeEnv::Development) if environment == Some(Environment::Production) => {
                findings.push(
                    rules::NODE_ENV_NOT_PRODUCTION
                        .error("KOOMY_ENV is production but NODE_ENV is development"),
                );
            }
            Some(_) => {}
        },
    }

    let pg_vars: Vec<&str> = vars.names().filter(|n| n.starts_with("PG")).collect();
    if !pg_vars.is_empty() {
        findings.push(rules::DATABASE_ENV_OVERRIDE.error(format!(
            "{} set beside DATABASE_URL; libpq and node-postgres would read {}",
            list_names(&pg_vars),
            if pg_vars.len() == 1 { "it" } else { "them" }
        )));
    }

    let database = match vars.lookup("DATABASE_URL") {
        Lookup::Missing => {
            findings.push(rules::DATABASE_URL_MISSING.error("DATABASE_URL is not set"));
            None
        }
        Lookup::NotUtf8 => {
            findings.push(rules::DATABASE_URL_INVALID.error("DATABASE_URL is not valid UTF-8"));
            None
        }
        Lookup::Value(v) => match gardefou_pgurl::parse(v.expose()) {
            Err(e) => {
                findings.push(
                    rules::DATABASE_URL_INVALID
                        .error_with_fix(format!("DATABASE_URL is refused: {e}"), e.fix()),
                );
                None
            }
            Ok(url) => {
                let owner = identify(policy, url.host(), url.port());
                Some(DatabaseTarget { url, owner })
            }
        },
    };

    if let Some(env) = environment {
        if env != Environment::Local && policy.database.targets(env).is_empty() {
            findings.push(rules::POLICY_DATABASE_UNCONFIGURED.error_with_fix(
                format!("the policy lists no {env} database, so no DATABASE_URL can be {env}"),
                format!("fill in [database.{env}] neon_endpoints (or hosts) in gardefou.toml"),
            ));
        }
    }

    if let Some(target) = &database {
        let what = target.describe();
        match (target.owner, environment) {
            (None, _) => {
                let env = environment.map_or("<environment>", Environment::as_str);
                let fix = match target.url.host() {
                    Host::Neon { endpoint, .. } => format!(
                        "if {endpoint} is the {env} database, add it to [database.{env}] neon_endpoints in gardefou.toml"
                    ),
                    _ => format!(
                        "if it is the {env} database, add it to [database.{env}] hosts in gardefou.toml"
                    ),
                };
                findings.push(rules::DATABASE_URL_UNLISTED.error_with_fix(
                    format!(
                        "DATABASE_URL points at {what}, which no environment of the policy lists"
                    ),
                    fix,
                ));
            }
            (Some(owner), Some(env)) if owner != env => {
                findings.push(rules::DATABASE_URL_ENVIRONMENT_MISMATCH.error_with_fix(
                    format!("KOOMY_ENV is {env} but DATABASE_URL points at the {owner} database ({what})"),
                    format!("point DATABASE_URL at a {env} database, or correct KOOMY_ENV if this really is {owner}"),
                ));
            }
            _ => {}
        }
        let encrypted = matches!(
            target.url.sslmode(),
            Some(SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull)
        );
        if !target.url.host().is_loopback() && !encrypted {
            findings.push(rules::DATABASE_URL_TLS_OPTIONAL.warning(format!(
                "DATABASE_URL reaches {what} without sslmode=require or stricter"
            )));
        }
    }

    findings.extend(crate::secrets::check(policy, vars, environment, registry));

    Evaluation {
        environment,
        database,
        report: Report::new(findings),
    }
}

/// A finding for a variable whose value is not allowed. The value itself is never shown;
/// when it differs from an allowed value only by case or spaces, that value is named.
fn invalid_value(
    rule: &rules::Rule,
    name: &str,
    value: &str,
    allowed: &[&str],
) -> gardefou_findings::Finding {
    let hint = match near_miss(value, allowed) {
        Some(a) => format!(" (it differs from `{a}` only by case or spaces)"),
        None => String::new(),
    };
    rule.error(format!(
        "{name} is not exactly one of {}{hint}",
        allowed.join(", ")
    ))
}

fn list_names(names: &[&str]) -> String {
    match names {
        [one] => format!("{one} is"),
        many => format!("{} are", many.join(", ")),
    }
}
