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
    // The policy's pins of physical servers: system identifiers and Neon branches.
    type PinList = fn(&gardefou_policy::DatabaseTargets) -> &Vec<String>;
    let pins: [(&str, Option<&String>, PinList); 2] = [
        ("system identifier", id.system_identifier.as_ref(), |t| {
            &t.system_identifiers
        }),
        ("Neon branch", id.neon.branch_id.as_ref(), |t| {
            &t.neon_branches
        }),
    ];
    for (what, live, list) in pins {
        let owner = live.and_then(|v| {
            Environment::ALL
                .into_iter()
                .find(|e| list(policy.database.targets(*e)).contains(v))
        });
        let live_text = live.map_or("none", String::as_str);
        match owner {
            Some(o) if o != env => out.push(rules::DATABASE_SERVER_ENVIRONMENT_MISMATCH.error(format!(
                "KOOMY_ENV is {env}, but the server at {target} has {what} {live_text}, which the policy pins to {o}"
            ))),
            None if !list(policy.database.targets(env)).is_empty() => {
                out.push(rules::DATABASE_SERVER_ENVIRONMENT_MISMATCH.error(format!(
                    "the server at {target} has {what} {live_text}, which is not among the {what}s the policy pins to {env}"
                )))
            }
            _ => {}
        }
        if owner == Some(Environment::Production) {
            production_marker.push(format!("its {what} is pinned to production by the policy"));
        }
    }
    // Production's own marks, in the database and in the server's shared catalog.
    let cat = &probe.catalog;
    if env != Environment::Production {
        if !cat.foreign_access.is_empty() {
            out.push(rules::DATABASE_FOREIGN_ACCESS.error(format!(
                "the database {} at {target} can reach other servers ({})",
                id.database,
                cat.foreign_access.join(", ")
            )));
        }
        if !cat.pinned_databases.is_empty() {
            out.push(rules::DATABASE_PRODUCTION_SERVER.error(format!(
                "KOOMY_ENV is {env}, but the server at {target} is production's: its database {} carries production's server pin",
                cat.pinned_databases.join(", ")
            )));
            production_marker.push("its server carries production's pin".into());
        }
        if let Some(n) = probe.lineage_rows.filter(|n| *n > 0) {
            out.push(rules::DATABASE_PRODUCTION_DATA.error(format!(
                "the database {} at {target} holds production data: gardefou.lineage has {n} production mark{} (a production dump was restored here)",
                id.database,
                if n == 1 { "" } else { "s" }
            )));
            production_marker.push("gardefou.lineage marks production data".into());
        }
        if !cat.data_marks.is_empty() {
            out.push(rules::DATABASE_PRODUCTION_DATA.error(format!(
                "the database {} at {target} holds production data: {} carr{} production's mark (a production dump was restored here)",
                id.database,
                cat.data_marks.join(", "),
                if cat.data_marks.len() == 1 { "ies" } else { "y" }
            )));
            production_marker.push("production's data mark".into());
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
        StampState::Outdated(which) => out.push(rules::DATABASE_STAMP_OUTDATED.error(format!(
            "the stamp of the database {} at {target} was written by an older gardefou: {which} missing",
            id.database
        ))),
        StampState::NotGranted(missing) => out.push(rules::DATABASE_PROOF_NOT_GRANTED.error_with_fix(
            format!(
                "the database role may not read the stamp of {} at {target}; it lacks: {}",
                id.database,
                missing
                    .iter()
                    .map(|g| g.trim_start_matches("GRANT ").trim_end_matches(" TO <role>"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!(
                "as the role that stamped the database: KOOMY_ENV={env} gardefou db stamp --grant <role>, or run {}",
                missing.join("; ")
            ),
        )),
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
            if env == Environment::Production
                && stamp.environment == Environment::Production
                && stamp.binding == live
            {
                let pin = crate::objects::server_pin(
                    live.system_identifier.as_deref(),
                    live.neon_branch_id.as_deref(),
                );
                if !probe.catalog.own_pin.as_deref().is_some_and(|p| p.contains(&pin)) {
                    out.push(rules::DATABASE_PRODUCTION_SERVER.error_with_fix(
                        format!(
                            "the database {} at {target} is stamped production, but its server does not carry the pin of this server ({})",
                            id.database,
                            if probe.catalog.own_pin.is_some() { "the pin names another server" } else { "no pin" }
                        ),
                        "if this really is production's server, pin it: KOOMY_ENV=production gardefou db stamp (needs the database's owner)",
                    ));
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Catalog, NeonIds, Stamp};

    /// A sandbox database that passes every check, on server `sysid`.
    fn sandbox_probe(sysid: &str) -> Probe {
        let identity = Identity {
            database: "koomy".into(),
            database_oid: "16384".into(),
            system_identifier: Some(sysid.into()),
            server_version: "15".into(),
            server_address: None,
            server_port: None,
            neon: NeonIds::default(),
            forged: Vec::new(),
            catalog_path: Some("base/16384/1259".into()),
        };
        let stamp = Stamp {
            environment: Environment::Sandbox,
            binding: identity.binding(),
            database_name: "koomy".into(),
            neon_endpoint_id: None,
            stamped_at: "now".into(),
            stamped_by: "koomy".into(),
        };
        Probe {
            identity,
            catalog: Catalog {
                replication_role: "origin".into(),
                ..Catalog::default()
            },
            stamp: StampState::Present(stamp),
            lineage_rows: Some(0),
        }
    }

    fn rules(policy: &str, env: Environment, probe: Probe, purpose: Purpose) -> Vec<&'static str> {
        let policy = Policy::from_toml(policy, "p").unwrap();
        verify(&policy, env, "t", &Ok(probe), purpose)
            .iter()
            .map(|f| f.rule)
            .collect()
    }

    #[test]
    fn a_server_pinned_to_production_is_production_whatever_its_stamp() {
        let pinned = "[database.production]\nsystem_identifiers = [\"111\"]\n";
        assert!(rules(
            pinned,
            Environment::Sandbox,
            sandbox_probe("222"),
            Purpose::Run
        )
        .is_empty());
        assert_eq!(
            rules(
                pinned,
                Environment::Sandbox,
                sandbox_probe("111"),
                Purpose::Seed
            ),
            [
                "database-server-environment-mismatch",
                "seed-production-marker"
            ]
        );
        // Production listing its servers refuses a production start elsewhere.
        let mut moved = sandbox_probe("333");
        if let StampState::Present(s) = &mut moved.stamp {
            s.environment = Environment::Production;
        }
        moved.catalog.own_pin = Some(crate::objects::server_pin(Some("333"), None));
        assert_eq!(
            rules(pinned, Environment::Production, moved, Purpose::Run),
            ["database-server-environment-mismatch"]
        );
    }

    #[test]
    fn production_marks_refuse_every_other_environment() {
        let mut restored = sandbox_probe("222");
        restored.lineage_rows = Some(2);
        restored.catalog.data_marks = vec!["schema koomy_api".into()];
        restored.catalog.pinned_databases = vec!["koomy_production".into()];
        assert_eq!(
            rules("", Environment::Sandbox, restored, Purpose::Seed),
            [
                "database-production-server",
                "database-production-data",
                "database-production-data",
                "seed-production-marker",
                "seed-production-marker",
                "seed-production-marker"
            ]
        );
    }

    #[test]
    fn production_needs_the_pin_of_its_own_server() {
        let mut prod = sandbox_probe("111");
        if let StampState::Present(s) = &mut prod.stamp {
            s.environment = Environment::Production;
        }
        assert_eq!(
            rules("", Environment::Production, prod.clone(), Purpose::Run),
            ["database-production-server"]
        );
        prod.catalog.own_pin = Some(crate::objects::server_pin(Some("999"), None));
        assert_eq!(
            rules("", Environment::Production, prod.clone(), Purpose::Run),
            ["database-production-server"]
        );
        prod.catalog.own_pin = Some(format!(
            "notes\n{}",
            crate::objects::server_pin(Some("111"), None)
        ));
        assert!(rules("", Environment::Production, prod, Purpose::Run).is_empty());
    }

    #[test]
    fn a_role_without_the_grants_gets_its_own_rule_naming_them() {
        let mut probe = sandbox_probe("222");
        probe.stamp = StampState::NotGranted(vec!["GRANT USAGE ON SCHEMA gardefou TO <role>"]);
        let policy = Policy::koomy();
        let f = verify(&policy, Environment::Sandbox, "t", &Ok(probe), Purpose::Run);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, "database-proof-not-granted");
        assert!(
            f[0].message.contains("USAGE ON SCHEMA gardefou"),
            "{}",
            f[0].message
        );
        assert!(f[0].fix.contains("--grant"), "{}", f[0].fix);
    }
}
