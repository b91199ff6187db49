//! The static check: the domain table itself is consistent.

use std::collections::BTreeMap;

use gardefou_findings::Finding;
use gardefou_policy::file::is_domain_name;
use gardefou_policy::{DomainTable, Environment};

use crate::rules;

/// The environments of the table, in the order findings name them.
pub(crate) const ENVIRONMENTS: [Environment; 3] = [
    Environment::Production,
    Environment::Sandbox,
    Environment::Local,
];

/// Checks the table without any network access: production and sandbox have names, every
/// name is a valid domain name, and no name is listed under two environments.
pub fn check_table(table: &DomainTable) -> Vec<Finding> {
    let mut findings = Vec::new();
    for env in [Environment::Production, Environment::Sandbox] {
        if table.names(env).is_empty() {
            findings.push(rules::DOMAIN_TABLE_EMPTY.error(gardefou_findings::tr!(
                "the domain table lists no {env} name, so no {env} name can be checked",
                "la table des domaines ne liste aucun nom {env} : aucun nom {env} ne peut donc être vérifié"
            )));
        }
    }
    // name -> every (environment, role) that lists it.
    let mut owners: BTreeMap<&str, Vec<(Environment, &str)>> = BTreeMap::new();
    for env in ENVIRONMENTS {
        for (role, name) in table.names(env) {
            if !is_domain_name(name) {
                findings.push(rules::DOMAIN_NAME_INVALID.error(gardefou_findings::tr!(
                    "domains.{env}.{role} is not a lower-case domain name: {name:?}",
                    "domains.{env}.{role} n'est pas un nom de domaine en minuscules : {name:?}"
                )));
            }
            owners.entry(name.as_str()).or_default().push((env, role));
        }
    }
    for (name, listed) in owners {
        let mut envs: Vec<Environment> = listed.iter().map(|(e, _)| *e).collect();
        envs.dedup();
        if envs.len() > 1 {
            let places: Vec<String> = listed
                .iter()
                .map(|(env, role)| format!("domains.{env}.{role}"))
                .collect();
            let (both, tous) = if places.len() == 2 {
                ("both", "tous deux")
            } else {
                ("all", "tous")
            };
            let places = places.join(", ");
            findings.push(
                rules::DOMAIN_NAME_IN_TWO_ENVIRONMENTS.error(gardefou_findings::tr!(
                    "{places} {both} list {name}",
                    "{places} listent {tous} {name}"
                )),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_table_is_consistent() {
        assert_eq!(check_table(&DomainTable::koomy()), vec![]);
    }

    #[test]
    fn a_sandbox_name_equal_to_a_production_name_is_refused_naming_both_places() {
        let mut table = DomainTable::koomy();
        table.sandbox.insert("api".into(), "api.koomy.app".into());
        let findings = check_table(&table);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].rule, "domain-name-in-two-environments");
        assert_eq!(
            findings[0].message,
            "domains.production.api, domains.sandbox.api both list api.koomy.app"
        );
    }

    #[test]
    fn a_local_name_equal_to_a_sandbox_name_is_refused() {
        let mut table = DomainTable::koomy();
        table.local.insert("app".into(), "sandbox.koomy.app".into());
        let findings = check_table(&table);
        assert_eq!(findings[0].rule, "domain-name-in-two-environments");
    }

    #[test]
    fn two_roles_of_one_environment_may_share_a_name() {
        let mut table = DomainTable::koomy();
        table
            .sandbox
            .insert("alias".into(), "sandbox.koomy.app".into());
        assert_eq!(check_table(&table), vec![]);
    }

    #[test]
    fn invalid_names_and_empty_tables_are_all_reported_at_once() {
        let mut table = DomainTable::koomy();
        table.production.clear();
        table
            .sandbox
            .insert("bad".into(), "Sandbox.Koomy.App.".into());
        let rules: Vec<&str> = check_table(&table).iter().map(|f| f.rule).collect();
        assert_eq!(rules, ["domain-table-empty", "domain-name-invalid"]);
    }
}
