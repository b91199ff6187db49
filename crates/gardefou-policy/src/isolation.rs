//! Isolation between environments (§2, §4.1, §7.1): what two environments' variables share.
//!
//! [`evaluate_with`](crate::evaluate_with) judges one environment at a time; the secrets
//! registry catches a secret reused in another environment once both are registered.
//! These comparisons take the variables of several environments at once (the env files of
//! `gardefou report`) and find, in memory, what one environment shares with another: the
//! same secret value, the same database. Pure: nothing is read, nothing printed, and no
//! value leaves the functions (holders are named by variable).
//!
//! ```
//! use gardefou_policy::isolation::{shared_secrets, Column};
//! use gardefou_policy::{EnvVars, Environment, Policy};
//!
//! let secret = "Zq9".repeat(16);
//! let prod: EnvVars = [("JWT_SECRET", secret.as_str())].into_iter().collect();
//! let sandbox: EnvVars = [("SESSION_SECRET", secret.as_str())].into_iter().collect();
//! let columns = [
//!     Column { environment: Environment::Production, vars: &prod },
//!     Column { environment: Environment::Sandbox, vars: &sandbox },
//! ];
//! let shared = shared_secrets(&Policy::koomy(), &columns);
//! assert_eq!(shared.len(), 1);
//! assert_eq!(shared[0].holders[1].name, "SESSION_SECRET");
//! ```

use gardefou_findings::{tr, Finding, Lang, Text};
use gardefou_pgurl::{ConnUrl, Host};

use crate::secrets::{secret_values, undeclared_values, Kind};
use crate::{EnvVars, Environment, Lookup, Policy};

pub use gardefou_findings::Rule;

gardefou_findings::rules! {
    /// Every rule of the comparison between environments, in documentation order.
    ALL;
    /// The column an env file is given for is the environment it configures.
    ENVIRONMENT_FILE_MISMATCH = ("environment-file-mismatch", "2",
        "The variables given for one environment (`gardefou report --env sandbox=FILE`) set `KOOMY_ENV` to another environment: what is called sandbox runs as production, or the reverse.",
        "give each environment its own env file, with KOOMY_ENV set to that environment",
        "Les variables données pour un environnement (`gardefou report --env sandbox=FICHIER`) fixent `KOOMY_ENV` à un autre environnement : ce qu'on appelle sandbox tourne comme la production, ou l'inverse.",
        "donner à chaque environnement son propre fichier d'environnement, avec KOOMY_ENV fixée à cet environnement");
    /// §7.1: one secret = one environment, compared in memory.
    SECRET_SHARED_ACROSS_ENVIRONMENTS = ("secret-shared-across-environments", "7.1",
        "The same secret value is set in two environments (`gardefou report`, compared in memory whatever the variables' names: a Stripe key, a webhook or SendGrid secret, a JWT or session secret, a database password, any high-entropy value).",
        "rotate the secret and give each environment its own value",
        "La même valeur de secret est définie dans deux environnements (`gardefou report`, comparaison en mémoire quel que soit le nom des variables : clé Stripe, secret de webhook ou SendGrid, secret JWT ou de session, mot de passe de base de données, toute valeur à forte entropie).",
        "faire tourner le secret et donner à chaque environnement sa propre valeur");
    /// §4.1: no environment reaches another's database.
    DATABASE_SHARED_ACROSS_ENVIRONMENTS = ("database-shared-across-environments", "4.1",
        "Two environments reach the same database (`gardefou report`): their `DATABASE_URL`s (or other PostgreSQL URLs) name the same server and database, or, with `--probe`, the live servers say they are the same database (system identifier, database OID and Neon branch).",
        "point each environment at its own database (§4.1: production on Neon main, sandbox on the development branch, local on a local database)",
        "Deux environnements atteignent la même base de données (`gardefou report`) : leurs `DATABASE_URL` (ou autres URL PostgreSQL) désignent le même serveur et la même base, ou, avec `--probe`, les serveurs interrogés disent être la même base (identifiant système, OID de la base et branche Neon).",
        "faire pointer chaque environnement sur sa propre base de données (§4.1 : la production sur la branche Neon main, la sandbox sur la branche development, le local sur une base locale)");
}

/// One environment's variables, as the comparison takes them.
#[derive(Clone, Copy)]
pub struct Column<'a> {
    /// The environment the variables are given for.
    pub environment: Environment,
    /// Its variables.
    pub vars: &'a EnvVars,
}

/// Where a shared value is held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    /// The environment.
    pub environment: Environment,
    /// The variable (for a URL's password, the URL's variable).
    pub name: String,
    /// How messages name the value: `JWT_SECRET`, `DATABASE_URL's password`.
    pub label: String,
}

impl Holder {
    /// [`Holder::label`] in both languages.
    pub fn label_text(&self) -> Text {
        let name = &self.name;
        if self.label == *name {
            Text::new(name, name)
        } else if self.label == format!("{name}'s password") {
            tr!("{name}'s password", "le mot de passe de {name}")
        } else {
            // A label given by the caller (`the live database`): its own words.
            Text::new(&self.label, &self.label)
        }
    }
}

/// One value held by more than one environment. `holders` are in column order, at least
/// two environments among them (a value also held twice within one environment lists both).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared {
    /// Every place the value is held.
    pub holders: Vec<Holder>,
}

impl Shared {
    /// The environments other than `env` that hold the value.
    pub fn others(&self, env: Environment) -> Vec<Environment> {
        let mut out: Vec<Environment> = self
            .holders
            .iter()
            .map(|h| h.environment)
            .filter(|e| *e != env)
            .collect();
        out.dedup();
        out
    }

    /// The holders outside `env`, in both languages: `production's JWT_SECRET, local's
    /// SESSION_SECRET` / `JWT_SECRET de production, SESSION_SECRET de local`.
    pub fn describe_others_text(&self, env: Environment) -> Text {
        let join = |lang| {
            self.holders
                .iter()
                .filter(|h| h.environment != env)
                .map(|h| {
                    let (e, label) = (h.environment, h.label_text());
                    match lang {
                        Lang::En => format!("{e}'s {}", label.en()),
                        Lang::Fr => format!("{} de {e}", label.fr()),
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        Text::new(join(Lang::En), join(Lang::Fr))
    }

    /// The finding for `h`, a holder of a secret value other environments hold too.
    pub fn secret_finding(&self, h: &Holder) -> Finding {
        let (label, others) = (h.label_text(), self.describe_others_text(h.environment));
        SECRET_SHARED_ACROSS_ENVIRONMENTS.error(tr!(
            "{} holds the same value as {}",
            "{} contient la même valeur que {}";
            label, others
        ))
    }

    /// The finding for `h`, a holder of a URL that reaches `target`, a database other
    /// environments reach too.
    pub fn database_finding(&self, h: &Holder, target: &Target) -> Finding {
        let others = self.describe_others_text(h.environment);
        let (name, server, database) = (&h.name, &target.server, &target.database);
        DATABASE_SHARED_ACROSS_ENVIRONMENTS.error(tr!(
            "{name} reaches the same database as {} ({server}, database {database})",
            "{name} atteint la même base que {} ({server}, base {database})";
            others
        ))
    }
}

/// Every secret value that two environments share: the secrets the policy declares (the
/// passwords of PostgreSQL URLs included) and, whatever the variable's name, every value
/// that could be a secret (provider keys by their shape, high-entropy values). Compared
/// by value; empty values never match.
pub fn shared_secrets(policy: &Policy, columns: &[Column<'_>]) -> Vec<Shared> {
    let mut values: Vec<(Holder, gardefou_redact::Secret)> = Vec::new();
    for column in columns {
        let mut here = secret_values(policy, column.vars);
        here.extend(undeclared_values(policy, column.vars));
        for s in here {
            values.push((
                Holder {
                    environment: column.environment,
                    name: s.name,
                    label: s.label,
                },
                s.value,
            ));
        }
    }
    group(values, |a, b| a.expose() == b.expose())
        .into_iter()
        .map(|(_, shared)| shared)
        .collect()
}

/// The database a PostgreSQL URL reaches, as far as the URL can tell: the server (a Neon
/// endpoint whatever its pooler, a host and port, a socket) and the database name. Never
/// the user or the password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// `Neon endpoint ep-… (pooler)`, `host:port`, `Unix socket /dir port 5432`.
    pub server: String,
    /// The database name.
    pub database: String,
    /// The environment the policy gives the server, if any lists it.
    pub owner: Option<Environment>,
    key: (String, String),
}

impl Target {
    /// The target of a URL that passed the strict grammar.
    pub fn of(policy: &Policy, url: &ConnUrl) -> Target {
        let server = crate::guard::describe(url.host(), url.port());
        // A Neon endpoint is one server whether reached through its pooler or not.
        let server_key = match url.host() {
            Host::Neon { endpoint, .. } => format!("neon {endpoint}"),
            _ => server.clone(),
        };
        Target {
            owner: crate::identify(policy, url.host(), url.port()),
            database: url.dbname().to_owned(),
            key: (server_key, url.dbname().to_owned()),
            server,
        }
    }

    /// Whether two URLs reach the same database.
    pub fn same_database(&self, other: &Target) -> bool {
        self.key == other.key
    }
}

/// Every variable holding a PostgreSQL URL (`DATABASE_URL` first, when set), with its
/// target when the URL passes the strict grammar.
pub fn connection_targets(policy: &Policy, vars: &EnvVars) -> Vec<(String, Option<Target>)> {
    let mut out = Vec::new();
    let names = std::iter::once("DATABASE_URL").chain(vars.names().filter(|n| {
        *n != "DATABASE_URL"
            && (policy.secrets.vars.get(*n) == Some(&Kind::PostgresUrl)
                || matches!(vars.lookup(n), Lookup::Value(v) if crate::guard::is_postgres_url(v.expose())))
    }));
    for name in names {
        let target = match vars.lookup(name) {
            Lookup::Missing => continue,
            Lookup::NotUtf8 => None,
            Lookup::Value(v) => gardefou_pgurl::parse(v.expose())
                .ok()
                .map(|url| Target::of(policy, &url)),
        };
        out.push((name.to_owned(), target));
    }
    out
}

/// Every database that two environments' PostgreSQL URLs both reach, with the holders'
/// variables (a holder's label is its variable).
pub fn shared_databases(policy: &Policy, columns: &[Column<'_>]) -> Vec<(Target, Shared)> {
    let mut targets = Vec::new();
    for column in columns {
        for (name, target) in connection_targets(policy, column.vars) {
            let Some(target) = target else { continue };
            targets.push((
                Holder {
                    environment: column.environment,
                    label: name.clone(),
                    name,
                },
                target,
            ));
        }
    }
    group(targets, Target::same_database)
}

/// Groups the items that are `same` and held by more than one environment, in the order
/// of their first holder, each with its first item.
pub fn group<T>(items: Vec<(Holder, T)>, same: impl Fn(&T, &T) -> bool) -> Vec<(T, Shared)> {
    let mut groups: Vec<(T, Vec<Holder>)> = Vec::new();
    for (holder, item) in items {
        match groups.iter_mut().find(|(g, _)| same(g, &item)) {
            Some((_, holders)) => holders.push(holder),
            None => groups.push((item, vec![holder])),
        }
    }
    groups
        .into_iter()
        .filter(|(_, holders)| {
            holders
                .iter()
                .any(|h| h.environment != holders[0].environment)
        })
        .map(|(item, holders)| (item, Shared { holders }))
        .collect()
}

/// The finding for a column whose `KOOMY_ENV` names another environment; `None` when it
/// names the column's own (a missing or invalid `KOOMY_ENV` is the guard's finding).
pub fn environment_mismatch(
    column: Environment,
    koomy_env: Option<Environment>,
) -> Option<Finding> {
    match koomy_env {
        Some(actual) if actual != column => Some(ENVIRONMENT_FILE_MISMATCH.error(gardefou_findings::tr!(
            "the variables given for {column} set KOOMY_ENV={actual}: they configure {actual}, not {column}",
            "les variables données pour {column} fixent KOOMY_ENV={actual} : elles configurent {actual}, pas {column}"
        ))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random(seed: u64, n: usize) -> String {
        gardefou_testkit::fake::alnum(seed, n)
    }

    fn vars(pairs: &[(&str, &str)]) -> EnvVars {
        pairs.iter().copied().collect()
    }

    #[test]
    fn a_secret_in_two_environments_is_shared_whatever_the_names() {
        let jwt = random(1, 48);
        let pw = random(2, 24);
        let prod = vars(&[
            ("JWT_SECRET", jwt.as_str()),
            (
                "DATABASE_URL",
                format!("postgresql://u:{pw}@ep-alpha-1.eu-west-2.aws.neon.tech/neondb").as_str(),
            ),
        ]);
        let sandbox = vars(&[
            ("OLD_TOKEN", jwt.as_str()),
            ("SESSION_SECRET", random(3, 48).as_str()),
            (
                "DIRECT_URL",
                format!("postgresql://u:{pw}@ep-beta-1.eu-west-2.aws.neon.tech/neondb").as_str(),
            ),
        ]);
        let local = vars(&[("SESSION_SECRET", random(4, 48).as_str())]);
        let columns = [
            Column {
                environment: Environment::Production,
                vars: &prod,
            },
            Column {
                environment: Environment::Sandbox,
                vars: &sandbox,
            },
            Column {
                environment: Environment::Local,
                vars: &local,
            },
        ];
        let shared = shared_secrets(&Policy::koomy(), &columns);
        let labels: Vec<Vec<String>> = shared
            .iter()
            .map(|s| s.holders.iter().map(|h| h.label.clone()).collect())
            .collect();
        assert_eq!(
            labels,
            [
                vec!["DATABASE_URL's password", "DIRECT_URL's password"],
                vec!["JWT_SECRET", "OLD_TOKEN"],
            ]
        );
        assert_eq!(
            shared[1].describe_others_text(Environment::Sandbox).en(),
            "production's JWT_SECRET"
        );
        assert_eq!(
            shared[1].others(Environment::Production),
            [Environment::Sandbox]
        );
        // The findings, in both languages (the English is the report's wording).
        let f = shared[0].secret_finding(&shared[0].holders[1]);
        assert_eq!(
            f.message.en(),
            "DIRECT_URL's password holds the same value as production's DATABASE_URL's password"
        );
        assert_eq!(
            f.message.fr(),
            "le mot de passe de DIRECT_URL contient la même valeur que le mot de passe de DATABASE_URL de production"
        );
        // Within one environment only: not shared across environments.
        let one = [Column {
            environment: Environment::Production,
            vars: &vars(&[
                ("JWT_SECRET", jwt.as_str()),
                ("SESSION_SECRET", jwt.as_str()),
            ]),
        }];
        assert!(shared_secrets(&Policy::koomy(), &one).is_empty());
        // Debug output names holders only.
        assert!(!format!("{shared:?}").contains(&jwt[..8]));
    }

    #[test]
    fn the_same_server_and_database_is_shared_pooler_or_not_user_aside() {
        let a = vars(&[(
            "DATABASE_URL",
            "postgresql://a@ep-alpha-1-pooler.eu-west-2.aws.neon.tech/neondb",
        )]);
        let b = vars(&[(
            "DATABASE_URL_UNPOOLED",
            "postgresql://b@ep-alpha-1.eu-west-2.aws.neon.tech/neondb",
        )]);
        let c = vars(&[(
            "DATABASE_URL",
            "postgresql://a@ep-alpha-1.eu-west-2.aws.neon.tech/other",
        )]);
        let columns = |x, y| {
            [
                Column {
                    environment: Environment::Production,
                    vars: x,
                },
                Column {
                    environment: Environment::Sandbox,
                    vars: y,
                },
            ]
        };
        let shared = shared_databases(&Policy::koomy(), &columns(&a, &b));
        assert_eq!(shared.len(), 1);
        assert_eq!(shared[0].1.holders[1].name, "DATABASE_URL_UNPOOLED");
        assert!(shared_databases(&Policy::koomy(), &columns(&a, &c)).is_empty());
        let target = connection_targets(&Policy::koomy(), &a)[0]
            .1
            .clone()
            .unwrap();
        assert_eq!(target.server, "Neon endpoint ep-alpha-1 (pooler)");
        assert_eq!(target.database, "neondb");
    }

    #[test]
    fn a_file_for_one_environment_that_configures_another_is_a_finding() {
        let f = environment_mismatch(Environment::Sandbox, Some(Environment::Production));
        assert_eq!(f.unwrap().rule, "environment-file-mismatch");
        assert!(environment_mismatch(Environment::Sandbox, Some(Environment::Sandbox)).is_none());
        assert!(environment_mismatch(Environment::Sandbox, None).is_none());
    }
}
