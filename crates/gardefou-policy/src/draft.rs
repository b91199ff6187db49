//! A first `gardefou.toml`, inferred from a company's env files (`gardefou init`).
//!
//! What an env file says without doubt goes in: the database server each environment's
//! `DATABASE_URL` reaches (a Neon endpoint, else `host:port`), the secrets every deployed
//! environment sets (`required`), and the variables that hold a secret gardefou has no kind
//! for (declared `opaque`, so that their values are judged). What only a person knows
//! (pins, domains, branches) is written as commented keys to fill in. Values never appear
//! in the draft or its notes: only variable names, files and lines.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use gardefou_pgurl::Host;

use crate::secrets::{self, Kind, SecretsPolicy};
use crate::{EnvVars, Environment, Lookup};

/// One env file, read by the caller.
pub struct Source<'a> {
    /// How notes name it (a path).
    pub label: &'a str,
    /// The environment it configures.
    pub environment: Environment,
    /// Its variables.
    pub vars: &'a EnvVars,
    /// The line of each variable, for notes.
    pub lines: &'a BTreeMap<String, usize>,
}

/// The draft: the file's text, what was inferred, and what stops it from being written.
#[derive(Debug, Default)]
pub struct Draft {
    /// The `gardefou.toml` text (comments included).
    pub toml: String,
    /// What was inferred, from where, one line each.
    pub notes: Vec<gardefou_findings::Text>,
    /// Contradictions between the files (one database server in two environments…), as
    /// findings: a draft with conflicts must not be written.
    pub conflicts: Vec<gardefou_findings::Finding>,
}

/// A database server, as `[database.<env>]` lists it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Server {
    Neon(String),
    Host(String),
}

/// Drafts the policy file for `sources` (any number per environment).
pub fn draft(sources: &[Source<'_>]) -> Draft {
    let mut out = Draft::default();
    let mut servers: BTreeMap<Environment, BTreeSet<Server>> = BTreeMap::new();
    let mut owner: BTreeMap<Server, (Environment, String)> = BTreeMap::new();
    let builtin: BTreeMap<&str, _> = SecretsPolicy::builtin().iter().copied().collect();
    // Secret variables set in each deployed environment's files, and undeclared secrets.
    let mut set_in: BTreeMap<Environment, BTreeSet<String>> = BTreeMap::new();
    let mut undeclared: BTreeMap<String, (String, Kind)> = BTreeMap::new();

    for source in sources {
        let at = |name: &str| match source.lines.get(name) {
            Some(line) => format!("{}:{line}", source.label),
            None => source.label.to_owned(),
        };
        let env = source.environment;
        if let Some(url) = source.vars.get("DATABASE_URL") {
            match gardefou_pgurl::parse(url.expose()) {
                Err(e) => {
                    let (here, kind) = (at("DATABASE_URL"), e.kind());
                    out.notes.push(gardefou_findings::tr!(
                        "{here}: DATABASE_URL is not a URL gardefou accepts ({kind}): no database inferred",
                        "{here} : DATABASE_URL n'est pas une URL que gardefou accepte ({kind}) : aucune base déduite"
                    ))
                }
                Ok(url) => {
                    let server = match url.host() {
                        Host::Neon { endpoint, .. } => Some(Server::Neon(endpoint.clone())),
                        host if host.is_loopback() => None,
                        Host::Unix(_) => None,
                        host => Some(Server::Host(match url.explicit_port() {
                            Some(port) => format!("{}:{port}", crate::model::DisplayHost(host)),
                            None => crate::model::DisplayHost(host).to_string(),
                        })),
                    };
                    match server {
                        None => {
                            let here = at("DATABASE_URL");
                            out.notes.push(gardefou_findings::tr!(
                                "{here}: DATABASE_URL is on this machine, which is local without listing it",
                                "{here} : DATABASE_URL est sur cette machine, locale sans qu'il faille la lister"
                            ))
                        }
                        Some(server) => {
                            let here = at("DATABASE_URL");
                            match owner.get(&server) {
                                Some((other, there)) if *other != env => {
                                    let (server_en, server_fr) = server.describe_both();
                                    out.conflicts.push(
                                        crate::isolation::DATABASE_SHARED_ACROSS_ENVIRONMENTS.error(
                                            gardefou_findings::tr!(
                                                "{here} ({env}) and {there} ({other}) use the same database server {server_en}: one server belongs to one environment",
                                                "{here} ({env}) et {there} ({other}) utilisent le même serveur de base de données {server_fr} : un serveur appartient à un seul environnement"
                                            ),
                                        ),
                                    );
                                }
                                Some(_) => {}
                                None => {
                                    let (server_en, server_fr) = server.describe_both();
                                    out.notes.push(gardefou_findings::tr!(
                                        "{here}: {env}'s database is {server_en}",
                                        "{here} : la base de {env} est {server_fr}"
                                    ));
                                    owner.insert(server.clone(), (env, here));
                                }
                            }
                            servers.entry(env).or_default().insert(server);
                        }
                    }
                }
            }
        }
        for name in source.vars.names() {
            let Lookup::Value(value) = source.vars.lookup(name) else {
                continue;
            };
            if value.is_empty() || matches!(name, "KOOMY_ENV" | "NODE_ENV" | "DATABASE_URL") {
                continue;
            }
            match builtin.get(name) {
                Some(kind) if kind.is_secret() => {
                    set_in.entry(env).or_default().insert(name.to_owned());
                }
                _ => {}
            }
        }
        // The variables of no declared kind that hold a secret, found and classified as
        // `check` finds them for the registry (gardefou's own variables cannot be declared).
        for found in secrets::undeclared_values(&crate::Policy::koomy(), source.vars) {
            if !found.name.starts_with("GARDEFOU_") {
                undeclared
                    .entry(found.name.clone())
                    .or_insert_with(|| (at(&found.name), found.kind));
            }
        }
    }

    // Required: set in every deployed environment the files describe; or in production only.
    let deployed: Vec<Environment> = [Environment::Production, Environment::Sandbox]
        .into_iter()
        .filter(|e| sources.iter().any(|s| s.environment == *e))
        .collect();
    let empty = BTreeSet::new();
    let everywhere: BTreeSet<String> = match deployed.as_slice() {
        [] => BTreeSet::new(),
        [first, rest @ ..] => {
            rest.iter()
                .fold(set_in.get(first).cloned().unwrap_or_default(), |acc, e| {
                    acc.intersection(set_in.get(e).unwrap_or(&empty))
                        .cloned()
                        .collect()
                })
        }
    };
    let production_only: BTreeSet<String> = set_in
        .get(&Environment::Production)
        .map(|p| p.difference(&everywhere).cloned().collect())
        .unwrap_or_default();

    let t = &mut out.toml;
    t.push_str(
        "# gardefou's policy file for this company: what only the company knows, on top of the\n\
         # built-in policy (POLICY.md). Written by `gardefou init` from the env files below;\n\
         # review it, then commit it. Reference: docs/policy.md.\n",
    );
    for source in sources {
        let _ = writeln!(t, "#   {} ({})", source.label, source.environment);
    }
    for env in Environment::ALL {
        let (mut neon, mut hosts) = (Vec::new(), Vec::new());
        for server in servers.remove(&env).unwrap_or_default() {
            match server {
                Server::Neon(e) => neon.push(quote(&e)),
                Server::Host(h) => hosts.push(quote(&h)),
            }
        }
        let _ = writeln!(t, "\n# §4.1: the database servers of {env}.");
        let _ = writeln!(t, "[database.{env}]");
        if neon.is_empty() && hosts.is_empty() {
            let why = if env == Environment::Local {
                "loopback and Unix sockets are local without being listed"
            } else {
                "no env file of this environment names its database: fill it in"
            };
            let _ = writeln!(t, "# {why}");
        }
        let _ = writeln!(t, "neon_endpoints = [{}]", neon.join(", "));
        let _ = writeln!(t, "hosts = [{}]", hosts.join(", "));
        if env != Environment::Local {
            let _ = writeln!(
                t,
                "# Pin the physical servers too (`gardefou db identity` shows them):\n\
                 # neon_branches = [\"br-…\"]\n\
                 # system_identifiers = [\"…\"]"
            );
        }
    }
    let _ = writeln!(
        t,
        "\n# §3, §7: secrets every deployed environment must set."
    );
    let _ = writeln!(t, "[secrets]");
    let _ = writeln!(t, "required = [{}]", quoted(&everywhere));
    if !production_only.is_empty() {
        let _ = writeln!(t, "\n[secrets.production]");
        let _ = writeln!(t, "required = [{}]", quoted(&production_only));
    }
    for (name, (at, kind)) in &undeclared {
        let kind = kind.as_str();
        if kind == Kind::Opaque.as_str() {
            let _ = writeln!(
                t,
                "\n# {at}: holds a secret of no kind gardefou knows; declared so that its value is judged."
            );
            out.notes.push(gardefou_findings::tr!(
                "{at}: {name} holds a secret gardefou has no kind for: declared `opaque`",
                "{at} : {name} contient un secret d'un type que gardefou ne connaît pas : déclaré `opaque`"
            ));
        } else {
            let _ = writeln!(
                t,
                "\n# {at}: holds a {kind} value; declared so that it is judged as one."
            );
            out.notes.push(gardefou_findings::tr!(
                "{at}: {name} holds a {kind} value: declared `{kind}`",
                "{at} : {name} contient une valeur {kind} : déclarée `{kind}`"
            ));
        }
        let _ = writeln!(t, "[secrets.vars.{name}]\nkind = \"{kind}\"");
    }
    if !everywhere.is_empty() {
        let names = everywhere.iter().cloned().collect::<Vec<_>>().join(", ");
        out.notes.push(gardefou_findings::tr!(
            "required everywhere (set in every deployed environment's files): {names}",
            "requis partout (définis dans les fichiers de chaque environnement déployé) : {names}"
        ));
    }
    if !production_only.is_empty() {
        let names = production_only
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        out.notes.push(gardefou_findings::tr!(
            "required in production (set only in production's files): {names}",
            "requis en production (définis seulement dans les fichiers de production) : {names}"
        ));
    }
    t.push_str(
        "\n# §10: the branches that deploy (these are the built-in ones).\n\
         # [release]\n\
         # production_branch = \"main\"\n\
         # sandbox_branch = \"staging\"\n\
         \n\
         # §9: the domain names of each environment, if they are not Koomy's built-in ones.\n\
         # [domains.sandbox]\n\
         # app = \"sandbox.example.app\"\n",
    );
    out
}

impl Server {
    fn describe_both(&self) -> (String, String) {
        match self {
            Server::Neon(e) => (format!("Neon endpoint {e}"), format!("endpoint Neon {e}")),
            Server::Host(h) => (format!("host {h}"), format!("hôte {h}")),
        }
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn quoted(names: &BTreeSet<String>) -> String {
    names
        .iter()
        .map(|n| quote(n))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Policy;

    fn vars(pairs: &[(&str, &str)]) -> EnvVars {
        pairs.iter().copied().collect()
    }

    fn source<'a>(
        label: &'a str,
        environment: Environment,
        vars: &'a EnvVars,
        lines: &'a BTreeMap<String, usize>,
    ) -> Source<'a> {
        Source {
            label,
            environment,
            vars,
            lines,
        }
    }

    fn url(host: &str) -> String {
        format!(
            "postgresql://app:{}@{host}/koomy?sslmode=require",
            "Pw".repeat(6)
        )
    }

    #[test]
    fn endpoints_hosts_and_required_secrets_are_inferred_and_the_draft_parses() {
        let neon = ".eu-west-2.aws.neon.tech";
        let (p_url, s_url) = (
            url(&format!("ep-alpha-9{neon}")),
            url("db.sandbox.example:6543"),
        );
        let strong = ["k9Qm2Xv7Lp4Rt8Wz3Bn6Hc1J", "d5Fg0SyTa7Ue2Io4Pb8Nv"].concat();
        let stripe = ["sk_", "live_", "Zq8pW3xLm9Kt2Rv7Bn4Hc6Jd"].concat();
        let brevo = format!(
            "xkeysib-{}-{}",
            gardefou_testkit::fake::hex(3, 64),
            gardefou_testkit::fake::alnum(4, 16)
        );
        let production = vars(&[
            ("MAILER_KEY", &brevo),
            ("DATABASE_URL", &p_url),
            ("JWT_SECRET", &strong),
            ("SENDGRID_API_KEY", "SG.x"),
            ("PARTNER_TOKEN", &strong),
            ("BILLING_KEY", &stripe),
        ]);
        let sandbox = vars(&[("DATABASE_URL", &s_url), ("JWT_SECRET", &strong)]);
        let local = vars(&[("DATABASE_URL", &url("localhost:5432"))]);
        let lines = BTreeMap::new();
        let d = draft(&[
            source(
                ".env.production",
                Environment::Production,
                &production,
                &lines,
            ),
            source(".env.sandbox", Environment::Sandbox, &sandbox, &lines),
            source(".env.local", Environment::Local, &local, &lines),
        ]);
        assert!(d.conflicts.is_empty(), "{:?}", d.conflicts);
        let policy = Policy::from_toml(&d.toml, "draft").unwrap();
        assert_eq!(policy.database.production.neon_endpoints, ["ep-alpha-9"]);
        assert_eq!(policy.database.sandbox.hosts.len(), 1);
        assert!(policy.database.local.is_empty());
        assert_eq!(policy.secrets.required, ["JWT_SECRET"]);
        assert_eq!(
            policy.secrets.per_environment[&Environment::Production].required,
            ["SENDGRID_API_KEY"]
        );
        assert_eq!(
            policy.secrets.vars.get("PARTNER_TOKEN"),
            Some(&crate::secrets::Kind::Opaque)
        );
        // A provider's key in a variable of no declared kind is declared as that kind, so
        // that `check` judges its mode per environment.
        assert_eq!(
            policy.secrets.vars.get("BILLING_KEY"),
            Some(&crate::secrets::Kind::StripeSecret)
        );
        // Any kind of the shared catalogue, likewise (a Brevo key under another name).
        assert_eq!(
            policy.secrets.vars.get("MAILER_KEY").map(|k| k.as_str()),
            Some("brevo-api-key")
        );
        // Names and places only: no value, no user, no password.
        let notes: Vec<String> = d
            .notes
            .iter()
            .flat_map(|n| [n.en().to_owned(), n.fr().to_owned()])
            .collect();
        for text in [d.toml.clone(), notes.join("\n")] {
            assert!(!text.contains(&strong[..8]), "{text}");
            assert!(!text.contains(&stripe[8..16]), "{text}");
            assert!(!text.contains(&brevo[8..16]), "{text}");
            assert!(!text.contains("PwPw") && !text.contains("app:"), "{text}");
        }
    }

    #[test]
    fn one_server_in_two_environments_is_a_conflict() {
        let shared = url("ep-alpha-9.eu-west-2.aws.neon.tech");
        let (a, b) = (
            vars(&[("DATABASE_URL", &shared)]),
            vars(&[("DATABASE_URL", &shared)]),
        );
        let lines: BTreeMap<String, usize> = [("DATABASE_URL".to_owned(), 3)].into();
        let d = draft(&[
            source("prod.env", Environment::Production, &a, &lines),
            source("sandbox.env", Environment::Sandbox, &b, &lines),
        ]);
        assert_eq!(d.conflicts.len(), 1, "{:?}", d.conflicts);
        let message = &d.conflicts[0].message;
        assert_eq!(d.conflicts[0].rule, "database-shared-across-environments");
        assert!(message
            .en()
            .contains("sandbox.env:3 (sandbox) and prod.env:3 (production)"));
        assert!(message.fr().contains("utilisent le même serveur"));
        assert!(!message.en().contains("PwPw") && !message.fr().contains("PwPw"));
    }
}
