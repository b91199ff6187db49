//! From a probe to findings: what `run`, `check --probe` and `seed` refuse. Pure.

use gardefou_findings::Finding;
use gardefou_policy::{Environment, Policy};

use crate::{rules, Identity, Probe, ProbeError, StampState};

/// Who asks: `seed` adds the production markers of §6 and never runs unstamped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// `gardefou run` and `gardefou check --probe`.
    Run,
    /// `gardefou seed`.
    Seed,
}

/// Findings about the identity itself: forged settings, nothing to bind to.
pub fn identity_findings(id: &Identity) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in &id.forged {
        out.push(rules::DATABASE_IDENTITY_FORGED.error(format!(
            "the server's {} was set by {}, not by the server's configuration: it proves nothing and is refused",
            f.name, f.source
        )));
    }
    if id.system_identifier.is_none() && id.neon.branch_id.is_none() {
        out.push(rules::DATABASE_IDENTITY_UNAVAILABLE.error(
            "the server shows neither its system identifier (pg_control_system() is not executable by this role) nor a Neon branch id",
        ));
    }
    out
}

/// `seed` runs only in the policy's seed environments (`sandbox`, and `local` if listed).
pub fn seed_environment(policy: &Policy, env: Option<Environment>) -> Option<Finding> {
    let allowed: Vec<&str> = policy
        .seed
        .environments
        .iter()
        .map(|e| e.as_str())
        .collect();
    match env {
        Some(e) if policy.seed.environments.contains(&e) => None,
        Some(e) => Some(rules::SEED_ENVIRONMENT_REFUSED.error(format!(
            "a seed may run only with KOOMY_ENV={}, not {e}",
            allowed.join(" or KOOMY_ENV=")
        ))),
        None => Some(rules::SEED_ENVIRONMENT_REFUSED.error(format!(
            "a seed may run only with KOOMY_ENV={}",
            allowed.join(" or KOOMY_ENV=")
        ))),
    }
}

/// Every finding about the live server of `KOOMY_ENV=env`. `target` names the server as
/// the static check does (`127.0.0.1:6543`, `Neon endpoint ep-…`).
pub fn verify(
    policy: &Policy,
    env: Environment,
    target: &str,
    probe: &Result<Probe, ProbeError>,
    purpose: Purpose,
) -> Vec<Finding> {
    let probe = match probe {
        Ok(p) => p,
        Err(e) => {
            return vec![rules::DATABASE_UNREACHABLE.error(format!(
                "cannot ask the database at {target} what it is: {e}"
            ))]
        }
    };
    let id = &probe.identity;
    let mut out = identity_findings(id);

    let mut production_marker = Vec::new();
    if let Some(ep) = &id.neon.endpoint_id {
        let owner = Environment::ALL.into_iter().find(|e| {
            policy
                .database
                .targets(*e)
                .neon_endpoints
                .iter()
                .any(|x| x == ep)
        });
        if owner != Some(env) {
            let whose = owner.map_or("no environment of the policy lists".to_owned(), |o| {
                format!("the policy gives to {o}")
            });
            out.push(rules::DATABASE_SERVER_ENVIRONMENT_MISMATCH.error(format!(
                "KOOMY_ENV is {env}, but the server at {target} says it is Neon endpoint {ep}, which {whose}"
            )));
        }
        if owner == Some(Environment::Production) {
            production_marker.push(format!("it is Neon endpoint {ep}, listed as production"));
        }
    }

    match &probe.stamp {
        StampState::Absent => {
            let allowed = env == Environment::Local
                && policy.database.local.allow_unstamped
                && purpose == Purpose::Run;
            let msg = format!(
                "the database {} at {target} carries no gardefou stamp",
                id.database
            );
            out.push(if allowed {
                rules::DATABASE_STAMP_MISSING.warning_with_fix(
                    format!("{msg} (allowed: [database.local] allow_unstamped = true)"),
                    "stamp it: KOOMY_ENV=local gardefou db stamp",
                )
            } else {
                rules::DATABASE_STAMP_MISSING.error_with_fix(
                    msg,
                    format!("if this really is the {env} database, stamp it once: KOOMY_ENV={env} gardefou db stamp"),
                )
            });
        }
        StampState::Invalid(why) => out.push(rules::DATABASE_STAMP_INVALID.error(why.clone())),
        StampState::Present(stamp) => {
            if stamp.environment != env {
                out.push(rules::DATABASE_STAMP_ENVIRONMENT_MISMATCH.error(format!(
                    "KOOMY_ENV is {env}, but the database {} at {target} is stamped {}",
                    id.database, stamp.environment
                )));
            }
            let live = id.binding();
            if stamp.binding != live {
                out.push(rules::DATABASE_STAMP_IDENTITY_MISMATCH.error(format!(
                    "the database {} at {target} carries a {} stamp written in another database ({}): it is a copy, a restore or a branch of that database",
                    id.database,
                    stamp.environment,
                    stamp.binding.differences(&live).join(", ")
                )));
            }
            if stamp.environment == Environment::Production {
                production_marker.push(if stamp.binding == live {
                    "it carries the production stamp".to_owned()
                } else {
                    "it carries a production stamp (a copy of production is production)".to_owned()
                });
            }
        }
    }

    if purpose == Purpose::Seed {
        for why in production_marker {
            out.push(rules::SEED_PRODUCTION_MARKER.error(format!(
                "the database {} at {target} looks like production: {why}",
                id.database
            )));
        }
    }
    out
}
