//! The signed policy (§11, §12): which environments require the CTO's signature on the
//! policy file, where a [`Policy`] came from ([`Origin`]), and the findings that follow
//! ([`findings`]).
//!
//! Production always requires a policy file whose signature verifies against the allowed
//! signers; `[policy] require_signature` can add sandbox and local, never remove production.
//! Elsewhere a policy that is unsigned, or whose signature does not verify, is a warning.
//! The check itself (reading the `.sig`, the allowed signers, the cryptography) happens
//! where the file is read (`gardefou-sources`); this module only weighs its outcome.

use gardefou_findings::{tr, Finding, Text};

use crate::{rules, Environment, Policy};

/// `[policy]`: what the policy requires of itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignaturePolicy {
    /// The environments, beyond production, where the policy file must be signed.
    pub require_signature: Vec<Environment>,
}

impl SignaturePolicy {
    /// Whether `env` requires a verified signature: production always.
    pub fn required_in(&self, env: Environment) -> bool {
        env == Environment::Production || self.require_signature.contains(&env)
    }
}

impl Default for SignaturePolicy {
    fn default() -> Self {
        SignaturePolicy {
            require_signature: vec![Environment::Production],
        }
    }
}

/// Where a [`Policy`] came from, and what its signature check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// [`Policy::koomy`]: no file.
    BuiltIn,
    /// Read from text whose signature nobody checked ([`Policy::from_toml`]): production
    /// refuses it. `gardefou-sources` reads the file and checks its signature.
    Unchecked,
    /// A policy file, and what its signature check found.
    File {
        /// The file, as the user named it.
        path: String,
        /// The check.
        signature: SignatureCheck,
    },
}

/// What the check of a policy file's signature found. Holds no key material: principals,
/// fingerprints and reasons only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureCheck {
    /// The signature verifies against the allowed signers.
    Verified {
        /// The allowed signer's principals (`cto@koomy.app`).
        principals: String,
        /// The signing key's fingerprint (`SHA256:…`).
        fingerprint: String,
    },
    /// There is no signature file beside the policy.
    Missing {
        /// The signature file that does not exist.
        signature_file: String,
    },
    /// The signature does not verify, or cannot be read.
    Invalid {
        /// Why, one line.
        why: String,
    },
    /// No allowed signers are configured: nothing to verify against.
    SignersMissing,
    /// The allowed signers are configured but cannot be used.
    SignersInvalid {
        /// Why, one line.
        why: String,
    },
}

/// The findings about the policy's own signature for a start in `environment`: errors
/// where a signature is required (production always), warnings elsewhere, nothing for a
/// verified signature or the built-in policy outside production.
pub fn findings(policy: &Policy, environment: Option<Environment>) -> Vec<Finding> {
    let required = environment.is_some_and(|e| policy.signature.required_in(e));
    let env = environment.map_or(Text::new("this environment", "cet environnement"), |e| {
        Text::new(e.as_str(), e.as_str())
    });
    let finding = |rule: &gardefou_findings::Rule, message: Text, fix: gardefou_findings::Text| {
        if required {
            rule.error_with_fix(message, fix)
        } else {
            rule.warning_with_fix(message, fix)
        }
    };
    let sign = |path: &str| {
        let policy = if path == "gardefou.toml" {
            String::new()
        } else {
            format!(" --policy {path}")
        };
        tr!(
            "have the CTO review it (gardefou policy diff{policy}) and sign it: gardefou policy sign{policy} --key ~/.ssh/id_ed25519",
            "faites-la relire par le CTO (gardefou policy diff{policy}) et signer : gardefou policy sign{policy} --key ~/.ssh/id_ed25519"
        )
    };
    let (path, check) = match &policy.origin {
        Origin::BuiltIn if environment == Some(Environment::Production) => {
            return vec![rules::POLICY_UNSIGNED.error_with_fix(
                tr!(
                    "production runs on the built-in policy: production requires a gardefou.toml signed by the CTO",
                    "la production tourne sur la politique intégrée : la production exige un gardefou.toml signé par le CTO"
                ),
                tr!(
                    "write gardefou.toml (docs/policy.md), then sign it: gardefou policy sign --key ~/.ssh/id_ed25519",
                    "écrivez gardefou.toml (docs/policy.md), puis signez-le : gardefou policy sign --key ~/.ssh/id_ed25519"
                ),
            )]
        }
        Origin::BuiltIn => return Vec::new(),
        Origin::Unchecked => {
            return vec![finding(
                &rules::POLICY_UNSIGNED,
                tr!(
                    "the policy's signature was not checked, which {} requires: it was not read through gardefou-sources",
                    "la signature de la politique n'a pas été vérifiée, ce que {} exige : elle n'a pas été lue par gardefou-sources";
                    env
                ),
                tr!(
                    "load the policy with gardefou_sources::load_policy, which checks its signature",
                    "chargez la politique avec gardefou_sources::load_policy, qui vérifie sa signature"
                ),
            )]
            .into_iter()
            .filter(|_| required)
            .collect()
        }
        Origin::File { path, signature } => (path.as_str(), signature),
    };
    let requirement = if required {
        tr!("{} requires the CTO's signature", "{} exige la signature du CTO"; env)
    } else {
        tr!("{} does not require it yet", "{} ne l'exige pas encore"; env)
    };
    let (req_en, req_fr) = (requirement.en(), requirement.fr());
    match check {
        SignatureCheck::Verified { .. } => Vec::new(),
        SignatureCheck::Missing { signature_file } => vec![finding(
            &rules::POLICY_UNSIGNED,
            tr!(
                "the policy {path} is not signed (no {signature_file}); {req_en}",
                "la politique {path} n'est pas signée (pas de {signature_file}) ; {req_fr}"
            ),
            sign(path),
        )],
        SignatureCheck::Invalid { why } => vec![finding(
            &rules::POLICY_SIGNATURE_INVALID,
            tr!(
                "the signature of the policy {path} is refused: {why}; {req_en}",
                "la signature de la politique {path} est refusée : {why} ; {req_fr}"
            ),
            sign(path),
        )],
        SignatureCheck::SignersMissing => vec![finding(
            &rules::POLICY_SIGNERS_MISSING,
            tr!(
                "no allowed signers are configured to verify the policy {path}; {req_en}",
                "aucun signataire autorisé n'est configuré pour vérifier la politique {path} ; {req_fr}"
            ),
            rules::POLICY_SIGNERS_MISSING.fix.into(),
        )],
        SignatureCheck::SignersInvalid { why } => vec![finding(
            &rules::POLICY_SIGNERS_INVALID,
            tr!(
                "the allowed signers cannot be used: {why}; {req_en}",
                "les signataires autorisés sont inutilisables : {why} ; {req_fr}"
            ),
            rules::POLICY_SIGNERS_INVALID.fix.into(),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gardefou_findings::Severity;

    fn with(origin: Origin, also: &[Environment]) -> Policy {
        let mut p = Policy::koomy();
        p.origin = origin;
        p.signature.require_signature.extend(also);
        p
    }

    fn file(signature: SignatureCheck) -> Origin {
        Origin::File {
            path: "gardefou.toml".into(),
            signature,
        }
    }

    fn weighed(p: &Policy, env: Environment) -> Vec<(&'static str, Severity)> {
        findings(p, Some(env))
            .into_iter()
            .map(|f| (f.rule, f.severity))
            .collect()
    }

    #[test]
    fn production_requires_a_verified_signature_the_others_warn_unless_asked() {
        use Environment::*;
        let unsigned = with(
            file(SignatureCheck::Missing {
                signature_file: "gardefou.toml.sig".into(),
            }),
            &[],
        );
        assert_eq!(
            weighed(&unsigned, Production),
            [("policy-unsigned", Severity::Error)]
        );
        assert_eq!(
            weighed(&unsigned, Sandbox),
            [("policy-unsigned", Severity::Warning)]
        );
        assert_eq!(
            weighed(&unsigned, Local),
            [("policy-unsigned", Severity::Warning)]
        );
        let strict = with(unsigned.origin.clone(), &[Sandbox]);
        assert_eq!(
            weighed(&strict, Sandbox),
            [("policy-unsigned", Severity::Error)]
        );
        assert_eq!(
            weighed(&strict, Local),
            [("policy-unsigned", Severity::Warning)]
        );
        for (check, rule) in [
            (
                SignatureCheck::Invalid { why: "x".into() },
                "policy-signature-invalid",
            ),
            (SignatureCheck::SignersMissing, "policy-signers-missing"),
            (
                SignatureCheck::SignersInvalid { why: "x".into() },
                "policy-signers-invalid",
            ),
        ] {
            let p = with(file(check), &[]);
            assert_eq!(weighed(&p, Production), [(rule, Severity::Error)]);
            assert_eq!(weighed(&p, Sandbox), [(rule, Severity::Warning)]);
        }
        let signed = with(
            file(SignatureCheck::Verified {
                principals: "cto".into(),
                fingerprint: "SHA256:x".into(),
            }),
            &[Sandbox, Local],
        );
        for env in Environment::ALL {
            assert!(findings(&signed, Some(env)).is_empty());
        }
    }

    #[test]
    fn the_built_in_policy_and_an_unchecked_one_are_refused_in_production_only() {
        let built_in = Policy::koomy();
        assert_eq!(
            weighed(&built_in, Environment::Production),
            [("policy-unsigned", Severity::Error)]
        );
        assert!(findings(&built_in, Some(Environment::Sandbox)).is_empty());
        let text = Policy::from_toml("", "gardefou.toml").unwrap();
        assert_eq!(text.origin, Origin::Unchecked);
        assert_eq!(
            weighed(&text, Environment::Production),
            [("policy-unsigned", Severity::Error)]
        );
        assert!(findings(&text, Some(Environment::Local)).is_empty());
    }

    #[test]
    fn require_signature_lists_environments_and_cannot_drop_production() {
        use Environment::*;
        let p = Policy::from_toml("[policy]\nrequire_signature = [\"sandbox\"]\n", "t").unwrap();
        assert!(p.signature.required_in(Production) && p.signature.required_in(Sandbox));
        assert!(!p.signature.required_in(Local));
        let p = Policy::from_toml("[policy]\nrequire_signature = []\n", "t").unwrap();
        assert!(p.signature.required_in(Production));
        let e = Policy::from_toml("[policy]\nrequire_signature = [\"prod\"]\n", "t").unwrap_err();
        assert_eq!((e.line, e.column), (2, 22), "{e}");
        assert!(Policy::from_toml("[policy]\nrequire = true\n", "t").is_err());
    }

    #[test]
    fn the_fix_names_the_file_when_it_is_not_the_default() {
        let p = with(
            Origin::File {
                path: "conf/koomy.toml".into(),
                signature: SignatureCheck::Missing {
                    signature_file: "conf/koomy.toml.sig".into(),
                },
            },
            &[],
        );
        let f = &findings(&p, Some(Environment::Production))[0];
        assert!(
            f.fix
                .ends_with("gardefou policy sign --policy conf/koomy.toml --key ~/.ssh/id_ed25519"),
            "{}",
            f.fix
        );
    }
}
