//! The catalog of the §10 release rules: one stable id, one policy section, one fix.
//!
//! A source of `docs/rules.md` (the `gardefou` crate's `docs` test regenerates it).

pub use gardefou_findings::Rule;

gardefou_findings::rules! {
    /// Every rule of `gardefou deploy check`, in documentation order.
    ALL;
    /// Without a branch there is nothing to compare with §10.
    DEPLOY_BRANCH_UNKNOWN = ("deploy-branch-unknown", "10",
        "The deployed branch cannot be told for sure: a detached HEAD with no `--branch` or CI variable, a tag or pull/merge-request build, a CI that names no branch, or two sources that disagree.",
        "deploy from a branch build, or pass --branch NAME",
        "Impossible de savoir avec certitude quelle branche est déployée : HEAD détachée sans `--branch` ni variable de CI, build d'un tag ou d'une pull/merge request, CI qui ne nomme aucune branche, ou deux sources en désaccord.",
        "déployer depuis un build de branche, ou passer --branch NOM");
    /// §10: PROD from `main`, SANDBOX from `staging`.
    DEPLOY_BRANCH_NOT_ALLOWED = ("deploy-branch-not-allowed", "10",
        "The deployed branch is not the one the policy allows for the target (`main` for production, `staging` for sandbox by default).",
        "deploy production from main and sandbox from staging",
        "La branche déployée n'est pas celle que la politique autorise pour la cible (par défaut `main` pour la production, `staging` pour la sandbox).",
        "déployer la production depuis main et la sandbox depuis staging");
    /// The commit checked out must be the branch's.
    DEPLOY_HEAD_MISMATCH = ("deploy-head-mismatch", "10",
        "The checked-out commit is not the tip of the deployed branch (another branch is checked out, or the branch named by `--branch`/CI points elsewhere or was not fetched).",
        "check out the branch being deployed, at its tip",
        "Le commit extrait n'est pas le sommet de la branche déployée (une autre branche est extraite, ou la branche nommée par `--branch`/la CI pointe ailleurs ou n'a pas été récupérée).",
        "extraire la branche déployée, à son dernier commit");
    /// A local branch that differs from its remote deploys what nobody reviewed.
    DEPLOY_BRANCH_DIVERGED = ("deploy-branch-diverged", "10",
        "The deployed branch has a remote-tracking branch and differs from it (ahead, behind, or the remote-tracking branch is missing).",
        "push or pull until the branch equals its remote-tracking branch",
        "La branche déployée a une branche de suivi distante et en diffère (en avance, en retard, ou la branche de suivi distante manque).",
        "faire push ou pull jusqu'à ce que la branche soit identique à sa branche de suivi distante");
    /// Uncommitted files would be deployed without being on any branch.
    DEPLOY_WORKTREE_DIRTY = ("deploy-worktree-dirty", "10",
        "The working tree has changes or untracked files that are not committed.",
        "commit or remove the changes; deploy a clean checkout",
        "L'arbre de travail contient des modifications ou des fichiers non suivis qui ne sont pas commités.",
        "commiter ou supprimer les modifications ; déployer un checkout propre");
    /// The history must be there to be checked.
    DEPLOY_HISTORY_INCOMPLETE = ("deploy-history-incomplete", "10",
        "The repository's history cannot be trusted to be complete: a shallow clone, or grafts that rewrite parents.",
        "fetch the whole history (actions/checkout: fetch-depth: 0; git fetch --unshallow)",
        "Rien ne garantit que l'historique du dépôt soit complet : clone superficiel (shallow), ou grafts qui réécrivent les parents.",
        "récupérer tout l'historique (actions/checkout : fetch-depth: 0 ; git fetch --unshallow)");
    /// Staging must be known to compare with it.
    DEPLOY_STAGING_UNKNOWN = ("deploy-staging-unknown", "10",
        "Neither the sandbox branch's remote-tracking branch nor a local sandbox branch exists, so nothing can be shown to have gone through staging.",
        "fetch the sandbox branch (git fetch origin staging)",
        "Ni la branche de suivi distante de la branche sandbox ni une branche sandbox locale n'existe : rien ne permet de montrer que le changement est passé par staging.",
        "récupérer la branche sandbox (git fetch origin staging)");
    /// §10: no direct push to prod.
    DEPLOY_COMMIT_NOT_ON_STAGING = ("deploy-commit-not-on-staging", "10",
        "A commit that the production deploy would bring is not on the sandbox branch, and its tree is not the tree of any commit there (a merge or squash merge of staging is accepted).",
        "land the change on staging first, then merge staging into main (merging main into staging also brings a direct commit through staging)",
        "Un commit qu'apporterait le déploiement en production n'est pas sur la branche sandbox, et son arbre n'est celui d'aucun commit de cette branche (un merge ou un squash merge de staging est accepté).",
        "faire d'abord passer le changement sur staging, puis fusionner staging dans main (fusionner main dans staging fait aussi passer un commit direct par staging)");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_kebab_case_and_cite_section_10() {
        let mut seen = HashSet::new();
        for r in ALL {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(r.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
            assert_eq!(r.policy, gardefou_findings::Section::S10, "{}", r.id);
        }
    }
}
