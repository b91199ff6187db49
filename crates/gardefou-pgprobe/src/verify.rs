//! From a probe to findings: what `run`, `check --probe` and `seed` refuse. Pure.

use gardefou_findings::{tr, Finding, Text};
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
        let (name, source) = (&f.name, &f.source);
        out.push(rules::DATABASE_IDENTITY_FORGED.error(tr!(
            "the server's {name} was set by {source}, not by the server's configuration: it proves nothing and is refused",
            "le {name} du serveur a été fixé par {source}, pas par la configuration du serveur : il ne prouve rien et est refusé"
        )));
    }
    if id.system_identifier.is_none() && id.neon.branch_id.is_none() {
        out.push(rules::DATABASE_IDENTITY_UNAVAILABLE.error(tr!(
            "the server shows neither its system identifier (pg_control_system() is not executable by this role) nor a Neon branch id",
            "le serveur ne montre ni son identifiant système (pg_control_system() n'est pas exécutable par ce rôle) ni un identifiant de branche Neon"
        )));
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
        Some(e) => Some(rules::SEED_ENVIRONMENT_REFUSED.error(Text::new(
            format!(
                "a seed may run only with KOOMY_ENV={}, not {e}",
                allowed.join(" or KOOMY_ENV=")
            ),
            format!(
                "un seed ne peut s'exécuter qu'avec KOOMY_ENV={}, pas {e}",
                allowed.join(" ou KOOMY_ENV=")
            ),
        ))),
        None => Some(rules::SEED_ENVIRONMENT_REFUSED.error(Text::new(
            format!(
                "a seed may run only with KOOMY_ENV={}",
                allowed.join(" or KOOMY_ENV=")
            ),
            format!(
                "un seed ne peut s'exécuter qu'avec KOOMY_ENV={}",
                allowed.join(" ou KOOMY_ENV=")
            ),
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
            return vec![rules::DATABASE_UNREACHABLE.error(tr!(
                "cannot ask the database at {target} what it is: {e}",
                "impossible de demander à la base de {target} ce qu'elle est : {e}"
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
            let whose = owner.map_or(
                tr!(
                    "no environment of the policy lists",
                    "qu'aucun environnement de la politique ne liste"
                ),
                |o| tr!("the policy gives to {o}", "que la politique attribue à {o}"),
            );
            let (whose_en, whose_fr) = (whose.en(), whose.fr());
            out.push(rules::DATABASE_SERVER_ENVIRONMENT_MISMATCH.error(tr!(
                "KOOMY_ENV is {env}, but the server at {target} says it is Neon endpoint {ep}, which {whose_en}",
                "KOOMY_ENV vaut {env}, mais le serveur de {target} se dit l'endpoint Neon {ep}, {whose_fr}"
            )));
        }
        if owner == Some(Environment::Production) {
            production_marker.push(tr!(
                "it is Neon endpoint {ep}, listed as production",
                "c'est l'endpoint Neon {ep}, listé comme production"
            ));
        }
    }
    // The policy's pins of physical servers: system identifiers and Neon branches.
    type PinList = fn(&gardefou_policy::DatabaseTargets) -> &Vec<String>;
    let pins: [(&str, &str, Option<&String>, PinList); 2] = [
        (
            "system identifier",
            "identifiant système",
            id.system_identifier.as_ref(),
            |t| &t.system_identifiers,
        ),
        (
            "Neon branch",
            "branche Neon",
            id.neon.branch_id.as_ref(),
            |t| &t.neon_branches,
        ),
    ];
    for (what, what_fr, live, list) in pins {
        let owner = live.and_then(|v| {
            Environment::ALL
                .into_iter()
                .find(|e| list(policy.database.targets(*e)).contains(v))
        });
        let live_text = live.map_or("none", String::as_str);
        let live_fr = live.map_or("aucun", String::as_str);
        match owner {
            Some(o) if o != env => out.push(rules::DATABASE_SERVER_ENVIRONMENT_MISMATCH.error(tr!(
                "KOOMY_ENV is {env}, but the server at {target} has {what} {live_text}, which the policy pins to {o}",
                "KOOMY_ENV vaut {env}, mais le serveur de {target} a pour {what_fr} {live_fr}, que la politique épingle à {o}"
            ))),
            None if !list(policy.database.targets(env)).is_empty() => {
                out.push(rules::DATABASE_SERVER_ENVIRONMENT_MISMATCH.error(tr!(
                    "the server at {target} has {what} {live_text}, which is not among the {what}s the policy pins to {env}",
                    "le serveur de {target} a pour {what_fr} {live_fr}, qui n'est pas parmi ceux que la politique épingle à {env}"
                )))
            }
            _ => {}
        }
        if owner == Some(Environment::Production) {
            production_marker.push(tr!(
                "its {what} is pinned to production by the policy",
                "son {what_fr} est épinglé(e) à la production par la politique"
            ));
        }
    }
    // Production's own marks, in the database and in the server's shared catalog.
    let cat = &probe.catalog;
    if env != Environment::Production {
        if !cat.foreign_access.is_empty() {
            let (db, access) = (&id.database, cat.foreign_access.join(", "));
            out.push(rules::DATABASE_FOREIGN_ACCESS.error(tr!(
                "the database {db} at {target} can reach other servers ({access})",
                "la base {db} de {target} peut joindre d'autres serveurs ({access})"
            )));
        }
        if !cat.pinned_databases.is_empty() {
            let pinned = cat.pinned_databases.join(", ");
            out.push(rules::DATABASE_PRODUCTION_SERVER.error(tr!(
                "KOOMY_ENV is {env}, but the server at {target} is production's: its database {pinned} carries production's server pin",
                "KOOMY_ENV vaut {env}, mais le serveur de {target} est celui de la production : sa base {pinned} porte l'épingle du serveur de production"
            )));
            production_marker.push(tr!(
                "its server carries production's pin",
                "son serveur porte l'épingle de la production"
            ));
        }
        if let Some(n) = probe.lineage_rows.filter(|n| *n > 0) {
            let (db, s) = (&id.database, if n == 1 { "" } else { "s" });
            out.push(rules::DATABASE_PRODUCTION_DATA.error(tr!(
                "the database {db} at {target} holds production data: gardefou.lineage has {n} production mark{s} (a production dump was restored here)",
                "la base {db} de {target} contient des données de production : gardefou.lineage a {n} marque{s} de production (un dump de production a été restauré ici)"
            )));
            production_marker.push(tr!(
                "gardefou.lineage marks production data",
                "gardefou.lineage marque des données de production"
            ));
        }
        if !cat.data_marks.is_empty() {
            let (db, marks) = (&id.database, cat.data_marks.join(", "));
            let one = cat.data_marks.len() == 1;
            let (ies, nt) = if one { ("ies", "") } else { ("y", "nt") };
            out.push(rules::DATABASE_PRODUCTION_DATA.error(tr!(
                "the database {db} at {target} holds production data: {marks} carr{ies} production's mark (a production dump was restored here)",
                "la base {db} de {target} contient des données de production : {marks} porte{nt} la marque de la production (un dump de production a été restauré ici)"
            )));
            production_marker.push(tr!(
                "production's data mark",
                "la marque des données de production"
            ));
        }
    }

    match &probe.stamp {
        StampState::Absent => {
            let allowed = env == Environment::Local
                && policy.database.local.allow_unstamped
                && purpose == Purpose::Run;
            let db = &id.database;
            let msg = tr!(
                "the database {db} at {target} carries no gardefou stamp",
                "la base {db} de {target} ne porte aucun tampon gardefou"
            );
            out.push(if allowed {
                rules::DATABASE_STAMP_MISSING.warning_with_fix(
                    tr!(
                        "{} (allowed: [database.local] allow_unstamped = true)",
                        "{} (autorisé : [database.local] allow_unstamped = true)";
                        msg
                    ),
                    tr!(
                        "stamp it: KOOMY_ENV=local gardefou db stamp",
                        "tamponnez-la : KOOMY_ENV=local gardefou db stamp"
                    ),
                )
            } else {
                rules::DATABASE_STAMP_MISSING.error_with_fix(
                    msg,
                    tr!(
                        "if this really is the {env} database, stamp it once: KOOMY_ENV={env} gardefou db stamp",
                        "si c'est vraiment la base {env}, tamponnez-la une fois : KOOMY_ENV={env} gardefou db stamp"
                    ),
                )
            });
        }
        StampState::Invalid(why) => out.push(rules::DATABASE_STAMP_INVALID.error(why.clone())),
        StampState::Outdated(which) => {
            let db = &id.database;
            out.push(rules::DATABASE_STAMP_OUTDATED.error(tr!(
                "the stamp of the database {db} at {target} was written by an older gardefou: {which} missing",
                "le tampon de la base {db} de {target} a été écrit par un gardefou plus ancien : {which} manquant"
            )))
        }
        StampState::NotGranted(missing) => {
            let db = &id.database;
            let lacks = missing
                .iter()
                .map(|g| {
                    g.trim_start_matches("GRANT ")
                        .trim_end_matches(" TO <role>")
                })
                .collect::<Vec<_>>()
                .join(", ");
            let grants = missing.join("; ");
            out.push(rules::DATABASE_PROOF_NOT_GRANTED.error_with_fix(
                tr!(
                    "the database role may not read the stamp of {db} at {target}; it lacks: {lacks}",
                    "le rôle de base de données ne peut pas lire le tampon de {db} de {target} ; il lui manque : {lacks}"
                ),
                tr!(
                    "as the role that stamped the database: KOOMY_ENV={env} gardefou db stamp --grant <role>, or run {grants}",
                    "avec le rôle qui a tamponné la base : KOOMY_ENV={env} gardefou db stamp --grant <role>, ou exécutez {grants}"
                ),
            ))
        }
        StampState::Present(stamp) => {
            if stamp.environment != env {
                let (db, stamped) = (&id.database, stamp.environment);
                out.push(rules::DATABASE_STAMP_ENVIRONMENT_MISMATCH.error(tr!(
                    "KOOMY_ENV is {env}, but the database {db} at {target} is stamped {stamped}",
                    "KOOMY_ENV vaut {env}, mais la base {db} de {target} est tamponnée {stamped}"
                )));
            }
            let live = id.binding();
            if stamp.binding != live {
                let (db, stamped) = (&id.database, stamp.environment);
                let differences = stamp.binding.differences(&live).join(", ");
                out.push(rules::DATABASE_STAMP_IDENTITY_MISMATCH.error(tr!(
                    "the database {db} at {target} carries a {stamped} stamp written in another database ({differences}): it is a copy, a restore or a branch of that database",
                    "la base {db} de {target} porte un tampon {stamped} écrit dans une autre base ({differences}) : c'est une copie, une restauration ou une branche de cette base"
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
                if !probe
                    .catalog
                    .own_pin
                    .as_deref()
                    .is_some_and(|p| p.contains(&pin))
                {
                    let db = &id.database;
                    let (why_en, why_fr) = if probe.catalog.own_pin.is_some() {
                        (
                            "the pin names another server",
                            "l'épingle nomme un autre serveur",
                        )
                    } else {
                        ("no pin", "pas d'épingle")
                    };
                    out.push(rules::DATABASE_PRODUCTION_SERVER.error_with_fix(
                        tr!(
                            "the database {db} at {target} is stamped production, but its server does not carry the pin of this server ({why_en})",
                            "la base {db} de {target} est tamponnée production, mais son serveur ne porte pas l'épingle de ce serveur ({why_fr})"
                        ),
                        tr!(
                            "if this really is production's server, pin it: KOOMY_ENV=production gardefou db stamp (needs the database's owner)",
                            "si c'est vraiment le serveur de la production, épinglez-le : KOOMY_ENV=production gardefou db stamp (il faut le propriétaire de la base)"
                        ),
                    ));
                }
            }
            if stamp.environment == Environment::Production {
                production_marker.push(if stamp.binding == live {
                    tr!(
                        "it carries the production stamp",
                        "elle porte le tampon de production"
                    )
                } else {
                    tr!(
                        "it carries a production stamp (a copy of production is production)",
                        "elle porte un tampon de production (une copie de la production est la production)"
                    )
                });
            }
        }
    }

    if purpose == Purpose::Seed {
        for why in production_marker {
            let db = &id.database;
            let (why_en, why_fr) = (why.en(), why.fr());
            out.push(rules::SEED_PRODUCTION_MARKER.error(tr!(
                "the database {db} at {target} looks like production: {why_en}",
                "la base {db} de {target} ressemble à une prod : {why_fr}"
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
