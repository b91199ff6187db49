//! The start-up guard for a backend: every rule, then the live identity, then
//! configuration that cannot print a secret.

use std::fmt;
use std::sync::Arc;

use axum::Router;
use gardefou_findings::{Finding, Report};
use gardefou_pgurl::ConnUrl;
use gardefou_policy::secrets::Registry;
use gardefou_policy::{evaluate_start, EnvVars, Environment, Lookup, Policy};
use gardefou_redact::Secret;
use serde::Serialize;

use gardefou_pgprobe::verify::seed_environment;
pub use gardefou_pgprobe::verify::Purpose;
pub use gardefou_pgprobe::{Health, NeonIds, PoolError, ProvenClient, ProvenPool};

use crate::debug::{DebugLayer, IdentitySource};
use crate::probe;

/// The minimum strength of `DEBUG_SECRET`, in bits.
pub use gardefou_policy::debug_routes::DEBUG_SECRET_MIN_BITS;

/// Configuration that passed the whole guard. Its `Debug` never shows a value: only the
/// environment, the database's public coordinates and whether debug routes are on.
pub struct GuardedConfig {
    environment: Environment,
    database: ConnUrl,
    vars: EnvVars,
    debug_secret: Option<Secret>,
    identity: LiveIdentity,
    warnings: Report,
    policy: Policy,
}

/// What the live database server says it is, as the debug route shows it. An allowlist
/// of public facts: no URL, no user, no password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LiveIdentity {
    /// The environment the process runs as (`KOOMY_ENV`).
    pub environment: String,
    /// `current_database()`.
    pub database: String,
    /// The host the process connects to (the URL's host alone, never the URL).
    pub host: String,
    /// The port it connects to.
    pub port: u16,
    /// `server_version`.
    pub server_version: String,
    /// The cluster's system identifier, in decimal (a string: it does not fit a JSON
    /// number exactly); `None` when the role may not read it.
    pub system_identifier: Option<String>,
    /// The database's OID.
    pub database_oid: String,
    /// The environment stamp the database carries, if any.
    pub stamp: Option<StampView>,
    /// Neon's ids, as the server's configuration sets them (trusted ones only).
    pub neon: NeonIds,
}

/// The public part of an environment stamp.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StampView {
    /// The stamped environment (`None` for a stamp gardefou did not write).
    pub environment: Option<String>,
    /// When it was stamped.
    pub stamped_at: Option<String>,
    /// Whether the stamp is one gardefou wrote (a single, protected row).
    pub valid: bool,
}

/// Why the guard refused the start. `Display` renders every finding, ready to print on
/// stderr before exiting non-zero; it contains no secret value.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration or the live database violates the policy.
    #[error("{}", render(.0))]
    Refused(Report),
}

/// Why [`GuardedConfig::live_identity`] cannot say what the database is; no secret in it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The server could not be asked: the probe's reasons, one per finding.
    #[error("{}", .reasons.join("; "))]
    Unreachable {
        /// Each finding's message.
        reasons: Vec<String>,
    },
    /// The identity could not be written as JSON.
    #[error("the identity cannot be written as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

fn render(report: &Report) -> String {
    let mut out = Vec::new();
    let _ = gardefou_findings::human::write(&mut out, report, Some("start-up guard"));
    String::from_utf8_lossy(&out).trim_end().to_owned()
}

impl GuardedConfig {
    /// [`GuardedConfig::start_with`] without consulting a secrets registry: every rule
    /// but "one secret = one environment" (§7.1), which needs the registry.
    pub async fn start(policy: Policy, vars: EnvVars) -> Result<GuardedConfig, StartError> {
        GuardedConfig::start_with(policy, vars, &Registry::NotConsulted).await
    }

    /// Runs the whole guard over `vars`: the static rules of the policy (environment
    /// variables, `DATABASE_URL`, the secrets policy with `registry`), the HTTP guard's
    /// rules (`DEBUG_SECRET`), then the live identity of the database. Every violation is
    /// reported at once; the live probe runs only once the static rules pass.
    pub async fn start_with(
        policy: Policy,
        vars: EnvVars,
        registry: &Registry<'_>,
    ) -> Result<GuardedConfig, StartError> {
        let evaluation = evaluate_start(&policy, &vars, registry);
        let mut findings = evaluation.report.findings;
        let environment = evaluation.environment;
        let debug_secret =
            gardefou_policy::debug_routes::mount_secret(environment, &vars, &mut findings);

        let denied = |f: &[Finding]| Report::new(f.to_vec()).is_denied();
        let (Some(environment), Some(target)) = (environment, evaluation.database) else {
            return Err(StartError::Refused(Report::new(findings)));
        };
        if denied(&findings) {
            return Err(StartError::Refused(Report::new(findings)));
        }
        let probed = probe::identify(&policy, environment, &target.url, Purpose::Run).await;
        let denied = probed.is_denied();
        findings.extend(probed.findings);
        let identity = match probed.identity {
            Some(identity) if !denied => identity,
            _ => return Err(StartError::Refused(Report::new(findings))),
        };
        Ok(GuardedConfig {
            environment,
            database: target.url,
            vars: without_guard_keys(&vars),
            debug_secret,
            identity,
            warnings: Report::new(findings),
            policy,
        })
    }

    /// Reads the process environment, then [`GuardedConfig::start`].
    pub async fn from_process_env(policy: Policy) -> Result<GuardedConfig, StartError> {
        GuardedConfig::start(policy, process_env()).await
    }

    /// The environment this process runs as.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The database URL that passed the guard (its password never prints).
    pub fn database_url(&self) -> &ConnUrl {
        &self.database
    }

    /// The policy the guard applied.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The identity the database proved at start-up.
    pub fn identity(&self) -> &LiveIdentity {
        &self.identity
    }

    /// Warnings the guard reported (the start was allowed).
    pub fn warnings(&self) -> &Report {
        &self.warnings
    }

    /// A validated variable, as a [`Secret`].
    pub fn var(&self, name: &str) -> Option<&Secret> {
        self.vars.get(name)
    }

    /// Whether the debug routes are mounted: sandbox with a strong `DEBUG_SECRET`.
    pub fn debug_routes_enabled(&self) -> bool {
        self.debug_secret.is_some()
    }

    /// Installs the debug routes in front of `router` in sandbox; in production and local
    /// returns `router` unchanged, so the routes do not exist. Call it last, after every
    /// route and the fallback are added: a request the debug routes do not accept is
    /// answered by `router`'s fallback, exactly like any unknown route.
    pub fn mount<S>(self: &Arc<Self>, router: Router<S>) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        match self.debug_layer() {
            Some(layer) => router.layer(layer),
            None => router,
        }
    }

    /// The debug layer, in sandbox with a `DEBUG_SECRET` only.
    pub fn debug_layer(self: &Arc<Self>) -> Option<DebugLayer> {
        let secret = self.debug_secret.as_ref()?;
        let config = Arc::clone(self);
        let source: IdentitySource = Arc::new(move || {
            let config = Arc::clone(&config);
            Box::pin(async move { config.live_identity().await })
        });
        // `start` already drew randomness once; a failure here means the OS has none left.
        DebugLayer::new(secret.expose().as_bytes(), source).ok()
    }

    /// Asks the database again what it is and verifies it again: what
    /// `GET /api/_debug/db-identity` answers (the identity, `verdict` and any `findings`
    /// by rule id and message). When the server cannot be asked, why — without secrets.
    pub async fn live_identity(&self) -> Result<serde_json::Value, IdentityError> {
        let probed =
            probe::identify(&self.policy, self.environment, &self.database, Purpose::Run).await;
        let denied = probed.is_denied();
        let findings: Vec<serde_json::Value> = probed
            .findings
            .iter()
            .map(|f| serde_json::json!({ "rule": f.rule, "severity": f.severity, "message": f.message }))
            .collect();
        let Some(identity) = probed.identity else {
            return Err(IdentityError::Unreachable {
                reasons: probed
                    .findings
                    .iter()
                    .map(|f| f.message.as_str().to_owned())
                    .collect(),
            });
        };
        let mut value = serde_json::to_value(identity)?;
        if let Some(object) = value.as_object_mut() {
            object.insert(
                "verdict".into(),
                (if denied { "deny" } else { "allow" }).into(),
            );
            object.insert("findings".into(), findings.into());
        }
        Ok(value)
    }

    /// A pool of connections to the database the guard approved, each proven in its own
    /// session before it is handed out (see [`ProvenPool`]): the first, and every new one
    /// after it — pool growth, reconnects, fail-over. `purpose` is [`Purpose::Seed`] for a
    /// seed (the §6 markers are checked too).
    pub fn pool(&self, purpose: Purpose, max_size: usize) -> ProvenPool {
        ProvenPool::new(
            self.database.clone(),
            self.policy.clone(),
            self.environment,
            purpose,
            self.target(),
            max_size,
        )
    }

    /// Proves again, inside the open transaction of `client` (a connection of
    /// [`GuardedConfig::pool`]), that its database is this environment's, for `purpose`:
    /// what a seed calls in the transaction that writes, right before writing.
    pub async fn prove_in_transaction(
        &self,
        client: &(impl tokio_postgres::GenericClient + Sync),
        purpose: Purpose,
    ) -> Result<(), StartError> {
        let mut findings: Vec<Finding> = match purpose {
            Purpose::Seed => seed_environment(&self.policy, Some(self.environment))
                .into_iter()
                .collect(),
            Purpose::Run => Vec::new(),
        };
        let target = self.target();
        let probe = gardefou_pgprobe::read_in_transaction(client).await;
        // A session can give itself `neon.*` values that PostgreSQL does not list in
        // pg_settings (placeholders): in a transaction they must be the ones the start-up
        // proof read on a fresh session.
        if let Ok(p) = &probe {
            if p.identity.neon != self.identity.neon {
                findings.push(gardefou_pgprobe::rules::DATABASE_IDENTITY_FORGED.error(
                    gardefou_findings::tr!(
                        "the Neon ids this transaction sees at {target} are not the ones the start-up proof read",
                        "les identifiants Neon que cette transaction voit sur {target} ne sont pas ceux que la preuve de démarrage a lus"
                    ),
                ));
            }
        }
        findings.extend(gardefou_pgprobe::verify::verify(
            &self.policy,
            self.environment,
            &target,
            &probe,
            purpose,
        ));
        let report = Report::new(findings);
        if report.is_denied() {
            Err(StartError::Refused(report))
        } else {
            Ok(())
        }
    }

    /// How findings name the database server.
    fn target(&self) -> String {
        gardefou_policy::DatabaseTarget {
            url: self.database.clone(),
            owner: None,
        }
        .describe()
    }
}

impl fmt::Debug for GuardedConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardedConfig")
            .field("environment", &self.environment)
            .field("database", &self.identity.database)
            .field("host", &self.identity.host)
            .field("port", &self.identity.port)
            .field("variables", &self.vars)
            .field("debug_routes", &self.debug_routes_enabled())
            .finish_non_exhaustive()
    }
}

/// The variables the application may read: all but gardefou's own keys (the secrets
/// registry's key belongs to the guard, not to the application).
fn without_guard_keys(vars: &EnvVars) -> EnvVars {
    let mut out = EnvVars::new();
    for name in vars
        .names()
        .filter(|n| *n != gardefou_sources::GARDEFOU_SECRETS_KEY)
    {
        match vars.lookup(name) {
            Lookup::Value(v) => out.insert(name, v.clone()),
            Lookup::NotUtf8 => out.insert_not_utf8(name),
            Lookup::Missing => {}
        }
    }
    out
}

/// The process environment as the guard evaluates it (duplicated names refused).
pub use gardefou_sources::process_env;

#[cfg(test)]
mod tests {
    use super::*;

    fn planted() -> (String, String) {
        let password = format!("pw{}", "Zq8".repeat(8));
        // 64 pseudo-random hex digits (an LCG), not a repeated block.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let debug: String = (0..64)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                char::from_digit((x >> 60) as u32, 16).unwrap()
            })
            .collect();
        (password, debug)
    }

    /// A backend that builds its policy itself (the built-in one, or text it parsed) never
    /// had its signature checked: production refuses it before the database is asked.
    #[tokio::test]
    async fn production_refuses_a_policy_whose_signature_was_not_verified() {
        let url = "postgresql://koomy@ep-alpha-1.eu-west-2.aws.neon.tech/neondb?sslmode=require";
        let vars: EnvVars = [
            ("KOOMY_ENV", "production"),
            ("NODE_ENV", "production"),
            ("DATABASE_URL", url),
        ]
        .into_iter()
        .collect();
        let text = "[database.production]\nneon_endpoints = [\"ep-alpha-1\"]\n";
        let from_text = Policy::from_toml(text, "gardefou.toml").unwrap();
        let mut unsigned = from_text.clone();
        unsigned.origin = gardefou_policy::signature::Origin::File {
            path: "gardefou.toml".into(),
            signature: gardefou_policy::signature::SignatureCheck::Missing {
                signature_file: "gardefou.toml.sig".into(),
            },
        };
        for policy in [Policy::koomy(), from_text, unsigned] {
            let Err(StartError::Refused(report)) = GuardedConfig::start(policy, vars.clone()).await
            else {
                panic!("started in production without a verified policy");
            };
            assert!(
                report.findings.iter().any(|f| f.rule == "policy-unsigned"),
                "{report:?}"
            );
        }
    }

    #[test]
    fn debug_of_the_config_shows_no_value() {
        let (password, debug) = planted();
        let url_text =
            format!("postgresql://koomy:{password}@127.0.0.1:5432/koomy_sandbox?sslmode=disable");
        let vars: EnvVars = [
            ("KOOMY_ENV", "sandbox".to_owned()),
            ("DATABASE_URL", url_text.clone()),
            ("DEBUG_SECRET", debug.clone()),
        ]
        .into_iter()
        .collect();
        let config = GuardedConfig {
            environment: Environment::Sandbox,
            database: gardefou_pgurl::parse(&url_text).unwrap(),
            debug_secret: vars.get("DEBUG_SECRET").cloned(),
            vars,
            identity: LiveIdentity {
                environment: "sandbox".into(),
                database: "koomy_sandbox".into(),
                host: "127.0.0.1".into(),
                port: 5432,
                server_version: "17.2".into(),
                system_identifier: Some("7".into()),
                database_oid: "16385".into(),
                stamp: None,
                neon: NeonIds::default(),
            },
            warnings: Report::default(),
            policy: Policy::koomy(),
        };
        for shown in [format!("{config:?}"), format!("{config:#?}")] {
            assert!(
                shown.contains("koomy_sandbox") && shown.contains("DEBUG_SECRET"),
                "{shown}"
            );
            for secret in [&password, &debug, &url_text] {
                assert!(!shown.contains(secret.as_str()), "{shown}");
            }
            assert!(!shown.contains("koomy:"), "no user: {shown}");
        }
        assert!(config.debug_routes_enabled());
    }
}
