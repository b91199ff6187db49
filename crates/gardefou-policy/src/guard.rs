//! The startup guard's evaluation (§3, §4.1, §5.1, §12): environment variables in,
//! every finding out. Pure: the caller gathers the variables.

use gardefou_findings::{tr, Report, Text};
use gardefou_pgurl::{ConnUrl, Host, SslMode};

use crate::environment::{near_miss, showable, NearMiss};
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

    /// [`DatabaseTarget::describe`] in both languages.
    pub fn describe_text(&self) -> Text {
        describe_text(self.url.host(), self.url.port())
    }
}

pub(crate) fn describe(host: &Host, port: u16) -> String {
    describe_text(host, port).en().to_owned()
}

/// [`describe`] in both languages.
pub(crate) fn describe_text(host: &Host, port: u16) -> Text {
    match host {
        Host::Neon {
            endpoint, pooler, ..
        } => {
            let pooler = if *pooler { " (pooler)" } else { "" };
            tr!(
                "Neon endpoint {endpoint}{pooler}",
                "l'endpoint Neon {endpoint}{pooler}"
            )
        }
        Host::Unix(dir) => tr!(
            "Unix socket {dir} port {port}",
            "le socket Unix {dir} port {port}"
        ),
        other => {
            let at = format!("{}:{port}", DisplayHost(other));
            Text::new(at.clone(), at)
        }
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

/// What a start is judged by: [`evaluate_with`], then the policy's own signature
/// ([`crate::signature::findings`]: production refuses a policy whose signature did not
/// verify, sandbox and local warn unless the policy requires it there). Every command and
/// backend that lets something start calls this one.
pub fn evaluate_start(policy: &Policy, vars: &EnvVars, registry: &Registry<'_>) -> Evaluation {
    let mut evaluation = evaluate_with(policy, vars, registry);
    evaluation
        .report
        .findings
        .extend(crate::signature::findings(policy, evaluation.environment));
    evaluation
}

/// Evaluates the variables against the policy — the startup guard (§3, §4.1, §5.1) and
/// the secrets policy (§7, §9) — and reports every violation. `registry` is what the
/// caller found of the secrets registry.
pub fn evaluate_with(policy: &Policy, vars: &EnvVars, registry: &Registry<'_>) -> Evaluation {
    let mut findings = Vec::new();

    for name in vars.duplicates() {
        findings.push(rules::ENVIRONMENT_DUPLICATE_VARIABLE.error(tr!(
            "{name} is set more than once in the environment; programs disagree on which value they read",
            "{name} est définie plusieurs fois dans l'environnement ; les programmes ne lisent pas tous la même valeur"
        )));
    }

    let environment = match vars.lookup("KOOMY_ENV") {
        Lookup::Missing => {
            findings.push(
                rules::KOOMY_ENV_MISSING
                    .error(tr!("KOOMY_ENV is not set", "KOOMY_ENV n'est pas définie")),
            );
            None
        }
        Lookup::NotUtf8 => {
            findings.push(rules::KOOMY_ENV_INVALID.error(tr!(
                "KOOMY_ENV is not valid UTF-8",
                "KOOMY_ENV n'est pas de l'UTF-8 valide"
            )));
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
        Lookup::Missing => findings.push(
            rules::NODE_ENV_MISSING.error(tr!("NODE_ENV is not set", "NODE_ENV n'est pas définie")),
        ),
        Lookup::NotUtf8 => findings.push(rules::NODE_ENV_INVALID.error(tr!(
            "NODE_ENV is not valid UTF-8",
            "NODE_ENV n'est pas de l'UTF-8 valide"
        ))),
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
                findings.push(rules::NODE_ENV_NOT_PRODUCTION.error(tr!(
                    "KOOMY_ENV is production but NODE_ENV is development",
                    "KOOMY_ENV vaut production mais NODE_ENV vaut development"
                )));
            }
            Some(_) => {}
        },
    }

    let database = match vars.lookup("DATABASE_URL") {
        Lookup::Missing => {
            findings.push(rules::DATABASE_URL_MISSING.error(tr!(
                "DATABASE_URL is not set",
                "DATABASE_URL n'est pas définie"
            )));
            None
        }
        Lookup::NotUtf8 => {
            findings.push(rules::DATABASE_URL_INVALID.error(tr!(
                "DATABASE_URL is not valid UTF-8",
                "DATABASE_URL n'est pas de l'UTF-8 valide"
            )));
            None
        }
        Lookup::Value(v) => match gardefou_pgurl::parse(v.expose()).and_then(|url| {
            gardefou_pgurl::check_clients(v.expose(), &policy.database.clients).map(|()| url)
        }) {
            Err(e) => {
                findings.push(rules::DATABASE_URL_INVALID.error_with_fix(
                    tr!(
                        "DATABASE_URL is refused: {e}",
                        "DATABASE_URL est refusée : {e}"
                    ),
                    url_fix(&e),
                ));
                None
            }
            Ok(url) => {
                let owner = identify(policy, url.host(), url.port());
                Some(DatabaseTarget { url, owner })
            }
        },
    };

    findings.extend(pg_variables(vars, database.as_ref()));
    findings.extend(other_connection_strings(policy, vars, environment));

    if let Some(env) = environment {
        if env != Environment::Local && policy.database.targets(env).is_empty() {
            findings.push(rules::POLICY_DATABASE_UNCONFIGURED.error_with_fix(
                tr!(
                    "the policy lists no {env} database, so no DATABASE_URL can be {env}",
                    "la politique ne liste aucune base {env} : aucune DATABASE_URL ne peut donc être {env}"
                ),
                tr!(
                    "fill in [database.{env}] neon_endpoints (or hosts) in gardefou.toml",
                    "renseignez [database.{env}] neon_endpoints (ou hosts) dans gardefou.toml"
                ),
            ));
        }
    }

    if let Some(target) = &database {
        let what = describe_text(target.url.host(), target.url.port());
        match (target.owner, environment) {
            (None, _) => {
                let env = environment.map_or("<environment>", Environment::as_str);
                let fix = match target.url.host() {
                    Host::Neon { endpoint, .. } => tr!(
                        "if {endpoint} is the {env} database, add it to [database.{env}] neon_endpoints in gardefou.toml",
                        "si {endpoint} est la base {env}, ajoutez-le à [database.{env}] neon_endpoints dans gardefou.toml"
                    ),
                    _ => tr!(
                        "if it is the {env} database, add it to [database.{env}] hosts in gardefou.toml",
                        "si c'est la base {env}, ajoutez-la à [database.{env}] hosts dans gardefou.toml"
                    ),
                };
                findings.push(
                    rules::DATABASE_URL_UNLISTED
                        .error_with_fix(unlisted("DATABASE_URL", &what), fix),
                );
            }
            (Some(owner), Some(env)) if owner != env => {
                findings.push(rules::DATABASE_URL_ENVIRONMENT_MISMATCH.error_with_fix(
                    mismatch("DATABASE_URL", &what, owner, env),
                    tr!(
                        "point DATABASE_URL at a {env} database, or correct KOOMY_ENV if this really is {owner}",
                        "faites pointer DATABASE_URL vers une base {env}, ou corrigez KOOMY_ENV s'il s'agit vraiment de {owner}"
                    ),
                ));
            }
            _ => {}
        }
        let encrypted = matches!(
            target.url.sslmode(),
            Some(SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull | SslMode::NoVerify)
        );
        if !target.url.host().is_loopback() && !encrypted {
            findings.push(rules::DATABASE_URL_TLS_OPTIONAL.warning(tr!(
                "DATABASE_URL reaches {} without sslmode=require or stricter",
                "DATABASE_URL joint {} sans sslmode=require ou plus strict";
                what
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

/// A PostgreSQL URL in `name` reaches a server that no environment lists.
fn unlisted(name: &str, what: &Text) -> Text {
    tr!(
        "{name} points at {}, which no environment of the policy lists",
        "{name} pointe vers {}, qu'aucun environnement de la politique ne liste";
        what
    )
}

/// A PostgreSQL URL in `name` reaches the `owner` environment's server in `env`.
fn mismatch(name: &str, what: &Text, owner: Environment, env: Environment) -> Text {
    tr!(
        "KOOMY_ENV is {env} but {name} points at the {owner} database ({})",
        "KOOMY_ENV vaut {env} mais {name} pointe vers la base {owner} ({})";
        what
    )
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
        Some(NearMiss::CaseOrSpace(a)) => tr!(
            " (it differs from `{a}` only by case or spaces)",
            " (elle ne diffère de `{a}` que par la casse ou des espaces)"
        ),
        Some(NearMiss::Probably(a)) => {
            tr!(" (did you mean `{a}`?)", " (vouliez-vous dire `{a}` ?)")
        }
        None => Text::new("", ""),
    };
    // A short plain word is shown (`prod` is no secret); anything else never is.
    let shown = if showable(value) {
        format!("{name}={value}")
    } else {
        name.to_owned()
    };
    let allowed = allowed.join(", ");
    rule.error(tr!(
        "{shown} is not exactly one of {allowed}{}",
        "{shown} n'est pas exactement l'une des valeurs {allowed}{}";
        hint
    ))
}

/// The fix for a URL the strict grammar refuses. The grammar's own texts
/// (`gardefou_pgurl`) exist in English only: the French sentence quotes them.
pub(crate) fn url_fix(e: &gardefou_pgurl::UrlError) -> Text {
    let fix = e.fix();
    tr!("{fix}", "corrigez l'URL ({fix})")
}

/// `PG*` variables no PostgreSQL client reads, or that cannot change which server,
/// database or role a client reaches: allowed beside `DATABASE_URL`.
pub const PG_HARMLESS: [&str; 8] = [
    "PGDATA",
    "PGBIN",
    "PGAPPNAME",
    "PGCONNECT_TIMEOUT",
    "PGCLIENTENCODING",
    "PGDATESTYLE",
    "PGTZ",
    "PGLOCALEDIR",
];

/// `PG*` variables beside `DATABASE_URL`. libpq and node-postgres fill what the URL leaves
/// out from them, so one that says something else could redirect the connection. Platforms
/// (Replit, Vercel) set `PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`, `PGPASSWORD` to what
/// `DATABASE_URL` says: those are allowed when they agree with it exactly, and the harmless
/// ones always; every other `PG*` variable is refused. Never prints a value.
fn pg_variables(
    vars: &EnvVars,
    database: Option<&DatabaseTarget>,
) -> Vec<gardefou_findings::Finding> {
    let mut out = Vec::new();
    for name in vars.names().filter(|n| n.starts_with("PG")) {
        if PG_HARMLESS.contains(&name) {
            continue;
        }
        let refuse = |why: Text| {
            rules::DATABASE_ENV_OVERRIDE.error_with_fix(
                tr!(
                    "{name} is set beside DATABASE_URL and {}; libpq and node-postgres read it",
                    "{name} est définie à côté de DATABASE_URL et {} ; libpq et node-postgres la lisent";
                    why
                ),
                tr!(
                    "unset {name}, or make it say exactly what DATABASE_URL says",
                    "supprimez {name}, ou faites-lui dire exactement ce que dit DATABASE_URL"
                ),
            )
        };
        let compared = [
            "PGHOST",
            "PGPORT",
            "PGDATABASE",
            "PGUSER",
            "PGPASSWORD",
            "PGSSLMODE",
        ];
        if !compared.contains(&name) {
            out.push(refuse(tr!(
                "could redirect the connection around the guard",
                "pourrait détourner la connexion du garde-fou"
            )));
            continue;
        }
        let Some(url) = database.map(|d| &d.url) else {
            out.push(refuse(tr!(
                "DATABASE_URL cannot be read to compare it with",
                "DATABASE_URL ne peut pas être lue pour la comparer"
            )));
            continue;
        };
        let Lookup::Value(value) = vars.lookup(name) else {
            out.push(refuse(tr!(
                "is not valid UTF-8",
                "n'est pas de l'UTF-8 valide"
            )));
            continue;
        };
        let v = value.expose();
        let agrees = match name {
            "PGHOST" => pg_host_agrees(v, url.host()),
            "PGPORT" => v.parse::<u16>().ok() == Some(url.port()),
            "PGDATABASE" => v == url.dbname(),
            "PGUSER" => url.user() == Some(v),
            "PGPASSWORD" => url.password().is_some_and(|p| p.expose() == v),
            _ => url.sslmode().is_some_and(|m| m.as_str() == v),
        };
        if !agrees {
            let no_sslmode = name == "PGSSLMODE" && url.sslmode().is_none();
            out.push(refuse(Text::new(
                format!(
                    "says something else than DATABASE_URL{}",
                    if no_sslmode {
                        " (which sets no sslmode)"
                    } else {
                        ""
                    }
                ),
                format!(
                    "dit autre chose que DATABASE_URL{}",
                    if no_sslmode {
                        " (qui ne fixe aucun sslmode)"
                    } else {
                        ""
                    }
                ),
            )));
        }
    }
    out
}

/// Whether `PGHOST` names the server of `DATABASE_URL`'s host, read with the same grammar:
/// the same socket directory, address or name; for Neon, the same endpoint.
fn pg_host_agrees(value: &str, host: &Host) -> bool {
    if value.starts_with('/') {
        return matches!(host, Host::Unix(dir) if dir == value.trim_end_matches('/') || dir == value);
    }
    let bracketed = value.starts_with('[');
    if value.is_empty()
        || value.contains(['/', '@', '?', '#', ',', '%', '\\'])
        || (value.contains(':') && !bracketed)
    {
        return false;
    }
    let Ok(parsed) = gardefou_pgurl::parse(&format!("postgresql://u@{value}/d")) else {
        return false;
    };
    match (parsed.host(), host) {
        (Host::Neon { endpoint: a, .. }, Host::Neon { endpoint: b, .. }) => a == b,
        (a, b) => a == b,
    }
}

/// Whether a value is a PostgreSQL connection URL, as a client would take it: the
/// `postgres://` and `postgresql://` schemes, and the spellings some clients also take
/// (postgres.js reads any scheme; `pg://`, `pgsql://`, SQLAlchemy's `postgresql+driver://`).
/// The strict grammar accepts only the first two: the others are refused wherever they
/// appear, since which server a client would reach cannot be vouched for.
pub fn is_postgres_url(value: &str) -> bool {
    let v = value.trim_start();
    let Some((scheme, _)) = v.split_once("://") else {
        return false;
    };
    let scheme = scheme.to_ascii_lowercase();
    let base = scheme.split('+').next().unwrap_or_default();
    matches!(base, "postgres" | "postgresql" | "pg" | "pgsql")
        && (scheme == base || base.starts_with("postgres"))
}

/// Every variable but `DATABASE_URL` that holds a PostgreSQL URL (Prisma's `DIRECT_URL`,
/// Neon's `DATABASE_URL_UNPOOLED`, Vercel's `POSTGRES_URL`, or any other name) obeys the
/// same rules: the strict grammar, and a server that belongs to `KOOMY_ENV`'s environment.
fn other_connection_strings(
    policy: &Policy,
    vars: &EnvVars,
    environment: Option<Environment>,
) -> Vec<gardefou_findings::Finding> {
    let mut out = Vec::new();
    for name in vars.names().filter(|n| *n != "DATABASE_URL") {
        let declared = policy.secrets.vars.get(name) == Some(&crate::secrets::Kind::PostgresUrl);
        let Lookup::Value(value) = vars.lookup(name) else {
            continue;
        };
        if !declared && !is_postgres_url(value.expose()) {
            continue;
        }
        let url = match gardefou_pgurl::parse(value.expose()).and_then(|url| {
            gardefou_pgurl::check_clients(value.expose(), &policy.database.clients).map(|()| url)
        }) {
            Ok(url) => url,
            Err(e) => {
                out.push(rules::DATABASE_URL_INVALID.error_with_fix(
                    tr!("{name} is refused: {e}", "{name} est refusée : {e}"),
                    url_fix(&e),
                ));
                continue;
            }
        };
        let what = describe_text(url.host(), url.port());
        match (identify(policy, url.host(), url.port()), environment) {
            (None, _) => out.push(rules::DATABASE_URL_UNLISTED.error(unlisted(name, &what))),
            (Some(owner), Some(env)) if owner != env => {
                out.push(rules::DATABASE_URL_ENVIRONMENT_MISMATCH.error_with_fix(
                    mismatch(name, &what, owner, env),
                    tr!(
                        "point {name} at a {env} database, or unset it",
                        "faites pointer {name} vers une base {env}, ou supprimez-la"
                    ),
                ))
            }
            _ => {}
        }
    }
    out
}
