//! The catalog of the §9 domain rules: one stable id, one policy section, one fix.
//!
//! A source of `docs/rules.md` (the `gardefou` crate's `docs` test regenerates it).

pub use gardefou_findings::Rule;

gardefou_findings::rules! {
    /// Every rule of `gardefou domains check`, in documentation order.
    ALL;
    /// Production and sandbox both need names.
    DOMAIN_TABLE_EMPTY = ("domain-table-empty", "9",
        "The domain table lists no name for production or for sandbox, so nothing can be checked.",
        "list the environment's names under [domains.<environment>] in gardefou.toml, or drop the table to use §9's",
        "Le tableau des domaines ne liste aucun nom pour la production ou pour la sandbox : rien ne peut être vérifié.",
        "lister les noms de l'environnement sous [domains.<environment>] dans gardefou.toml, ou retirer le tableau pour utiliser celui du §9");
    /// One strict grammar for names.
    DOMAIN_NAME_INVALID = ("domain-name-invalid", "9",
        "A name of the domain table is not a lower-case LDH domain name of at least two labels.",
        "write the name in lower case, letters, digits and dashes only, without a trailing dot",
        "Un nom du tableau des domaines n'est pas un nom de domaine LDH en minuscules d'au moins deux labels.",
        "écrire le nom en minuscules, avec seulement des lettres, des chiffres et des tirets, sans point final");
    /// A name belongs to one environment.
    DOMAIN_NAME_IN_TWO_ENVIRONMENTS = ("domain-name-in-two-environments", "9",
        "The same name is listed under two environments (a sandbox name equal to a production name is the worst case).",
        "give each environment its own names, as §9 does",
        "Le même nom est listé sous deux environnements (le pire cas : un nom de sandbox égal à un nom de production).",
        "donner à chaque environnement ses propres noms, comme le fait le §9");
    /// Fail closed: what cannot be resolved cannot be shown safe.
    DOMAIN_UNRESOLVABLE = ("domain-unresolvable", "9",
        "A name (or a name on its CNAME chain) does not resolve: NXDOMAIN, no address, SERVFAIL, REFUSED or a timeout (`--resolve`).",
        "fix the DNS records or the name in the policy; check --nameserver",
        "Un nom (ou un nom de sa chaîne de CNAME) ne se résout pas : NXDOMAIN, aucune adresse, SERVFAIL, REFUSED ou délai dépassé (`--resolve`).",
        "corriger les enregistrements DNS ou le nom dans la politique ; vérifier --nameserver");
    /// CNAME loops and over-long chains never reach an address.
    DOMAIN_CNAME_LOOP = ("domain-cname-loop", "9",
        "A CNAME chain loops back on itself or is longer than 16 links (`--resolve`).",
        "point the CNAME chain at a name that has addresses",
        "Une chaîne de CNAME revient sur elle-même ou compte plus de 16 maillons (`--resolve`).",
        "faire pointer la chaîne de CNAME sur un nom qui a des adresses");
    /// The heart of §9.
    DOMAIN_SANDBOX_REACHES_PRODUCTION = ("domain-sandbox-reaches-production", "9",
        "A sandbox name's CNAME chain reaches a production name, or a target that a production name's chain also reaches (`--resolve`).",
        "point the sandbox name at sandbox hosting only, never at a production name or a production target",
        "La chaîne de CNAME d'un nom de sandbox atteint un nom de production, ou une cible qu'atteint aussi la chaîne d'un nom de production (`--resolve`).",
        "faire pointer le nom de sandbox uniquement sur l'hébergement de la sandbox, jamais sur un nom ou une cible de production");
    /// Shared addresses are common with CDNs, so a warning unless the policy says otherwise.
    DOMAIN_SHARED_ADDRESS = ("domain-shared-address", "9",
        "A sandbox name and a production name resolve to a common address (a warning, or an error when `[domains] shared_addresses = \"error\"`; `--resolve`).",
        "check that the shared address is a CDN or load balancer that routes by name; give sandbox its own addresses otherwise",
        "Un nom de sandbox et un nom de production se résolvent en une adresse commune (avertissement, ou erreur quand `[domains] shared_addresses = \"error\"` ; `--resolve`).",
        "vérifier que l'adresse partagée est un CDN ou un répartiteur de charge qui route par nom ; sinon donner à la sandbox ses propres adresses", ErrorOrWarning);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_kebab_case_and_cite_section_9() {
        let mut seen = HashSet::new();
        for r in ALL {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(r.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
            assert_eq!(r.policy, gardefou_findings::Section::S9, "{}", r.id);
        }
    }
}
