//! The sandbox debug routes (§8): whether they may be mounted, decided once for every
//! front (the axum guard, the npm package's Express routes). Pure.
//!
//! `DEBUG_SECRET` in production is refused by the secrets policy's `debug-in-production`;
//! its strength is first checked by the secrets policy (`secret-weak`,
//! `secret-well-known`, …) and `debug-secret-weak` is reported only when those did not
//! already refuse it, so that the debug routes can never be mounted behind a weak secret
//! whatever the secrets policy says.

use gardefou_findings::{Finding, Severity};
use gardefou_redact::Secret;

use crate::secrets::entropy;
use crate::{EnvVars, Environment, Lookup};

pub use gardefou_findings::Rule;

/// The fewest bits of estimated entropy a `DEBUG_SECRET` must carry.
pub const DEBUG_SECRET_MIN_BITS: u32 = 256;

gardefou_findings::rules! {
    /// Every rule of the HTTP guard, in documentation order.
    ALL;
    /// The debug secret must be unguessable.
    DEBUG_SECRET_WEAK = ("debug-secret-weak", "8",
        "`DEBUG_SECRET` has fewer than 256 bits of estimated entropy, or is set in production, and the secrets policy did not already refuse it (defence in depth: the debug routes never open behind a weak secret).",
        "generate one with `openssl rand -hex 32` and store it in the sandbox's secret manager",
        "`DEBUG_SECRET` a moins de 256 bits d'entropie estimée, ou est définie en production, sans que la politique des secrets ne l'ait déjà refusée (défense en profondeur : les routes de debug ne s'ouvrent jamais derrière un secret faible).",
        "en générer un avec `openssl rand -hex 32` et le ranger dans le gestionnaire de secrets de la sandbox");
    /// Without a secret the debug routes stay closed.
    DEBUG_SECRET_UNSET = ("debug-secret-unset", "8",
        "Warning: `KOOMY_ENV=sandbox` without `DEBUG_SECRET`, so the debug routes under `/api/_debug/` are not mounted.",
        "set DEBUG_SECRET (256 bits, e.g. `openssl rand -hex 32`) to use the sandbox debug routes",
        "Avertissement : `KOOMY_ENV=sandbox` sans `DEBUG_SECRET`, donc les routes de debug sous `/api/_debug/` ne sont pas montées.",
        "définir DEBUG_SECRET (256 bits, par ex. `openssl rand -hex 32`) pour utiliser les routes de debug de la sandbox", Warning);
}

/// `DEBUG_SECRET`: at least 256 bits wherever it is set (production refuses it through the
/// secrets policy's `debug-in-production`). Returns the secret when it is set and strong.
pub fn debug_secret(
    environment: Option<Environment>,
    vars: &EnvVars,
    findings: &mut Vec<Finding>,
) -> Option<Secret> {
    let secret = match vars.lookup("DEBUG_SECRET") {
        Lookup::Missing => None,
        Lookup::NotUtf8 => {
            findings.push(DEBUG_SECRET_WEAK.error(gardefou_findings::tr!(
                "DEBUG_SECRET is not valid UTF-8",
                "DEBUG_SECRET n'est pas de l'UTF-8 valide"
            )));
            return None;
        }
        Lookup::Value(v) => Some(v),
    };
    // Whether the secrets policy already refused this value (weak, well known, shared…).
    let refused = findings
        .iter()
        .any(|f| f.severity == Severity::Error && f.message.contains("DEBUG_SECRET"));
    match (environment, secret) {
        (Some(Environment::Production), Some(_)) => {
            if !refused {
                // Defence in depth: the secrets policy's `debug-in-production` says it.
                findings.push(DEBUG_SECRET_WEAK.error(gardefou_findings::tr!(
                    "DEBUG_SECRET is set, but KOOMY_ENV is production: debug endpoints are forbidden there",
                    "DEBUG_SECRET est définie, mais KOOMY_ENV vaut production : les endpoints de debug y sont interdits"
                )));
            }
            None
        }
        (Some(Environment::Sandbox), None) => {
            findings.push(DEBUG_SECRET_UNSET.warning(gardefou_findings::tr!(
                "DEBUG_SECRET is not set: the debug routes under /api/_debug/ are not mounted",
                "DEBUG_SECRET n'est pas définie : les routes de debug sous /api/_debug/ ne sont pas montées"
            )));
            None
        }
        (_, Some(_)) if refused => None,
        (_, Some(secret)) => {
            let bits = entropy::estimate(secret.expose()).bits;
            if bits < DEBUG_SECRET_MIN_BITS {
                let len = secret.len();
                findings.push(DEBUG_SECRET_WEAK.error(gardefou_findings::tr!(
                    "DEBUG_SECRET has about {bits} bits of entropy (length {len}), fewer than {DEBUG_SECRET_MIN_BITS}",
                    "DEBUG_SECRET a environ {bits} bits d'entropie (longueur {len}), moins de {DEBUG_SECRET_MIN_BITS}"
                )));
                None
            } else {
                Some(secret.clone())
            }
        }
        (_, None) => None,
    }
}

/// The secret the debug routes are mounted behind: only in sandbox (§8), and only when
/// [`debug_secret`] accepts it. `None`: the routes are not mounted, every debug path is an
/// unknown route.
pub fn mount_secret(
    environment: Option<Environment>,
    vars: &EnvVars,
    findings: &mut Vec<Finding>,
) -> Option<Secret> {
    debug_secret(environment, vars, findings).filter(|_| environment == Some(Environment::Sandbox))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 64 hex digits built at run time (no secret-shaped literal).
    fn strong() -> String {
        let bytes = gardefou_testkit::fake::bytes(1, 32);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sandbox_without_debug_secret_warns_and_mounts_nothing() {
        let vars: EnvVars = [("KOOMY_ENV", "sandbox")].into_iter().collect();
        let mut findings = Vec::new();
        let secret = debug_secret(Some(Environment::Sandbox), &vars, &mut findings);
        assert!(secret.is_none());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule, "debug-secret-unset");
        assert_eq!(findings[0].severity, Severity::Warning);
    }

    #[test]
    fn a_weak_debug_secret_is_refused_even_if_nothing_else_did() {
        // Called alone, without the secrets policy's findings: the routes still stay shut.
        for weak in ["debug", &"ab".repeat(40), &"a1b2c3d4".repeat(3)] {
            let vars: EnvVars = [("DEBUG_SECRET", weak)].into_iter().collect();
            let mut findings = Vec::new();
            let secret = debug_secret(Some(Environment::Sandbox), &vars, &mut findings);
            assert!(secret.is_none(), "{weak}");
            assert_eq!(findings[0].rule, "debug-secret-weak");
            assert!(!findings[0].message.contains(weak));
        }
        let strong = strong();
        let vars: EnvVars = [("DEBUG_SECRET", strong.as_str())].into_iter().collect();
        let mut findings = Vec::new();
        let secret = debug_secret(Some(Environment::Sandbox), &vars, &mut findings);
        assert!(secret.is_some() && findings.is_empty(), "{findings:?}");
        // Local: accepted as a secret, never mounted.
        let mut findings = Vec::new();
        assert!(debug_secret(Some(Environment::Local), &vars, &mut findings).is_some());
        assert!(mount_secret(Some(Environment::Local), &vars, &mut findings).is_none());
        assert!(mount_secret(Some(Environment::Sandbox), &vars, &mut findings).is_some());
        // Production: never mounted, always refused.
        let mut findings = Vec::new();
        let secret = debug_secret(Some(Environment::Production), &vars, &mut findings);
        assert!(secret.is_none());
        assert_eq!(findings[0].severity, Severity::Error);
    }
}
