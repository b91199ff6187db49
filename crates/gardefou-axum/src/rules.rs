//! The HTTP guard's rules (§8): one stable id, one policy section, one fix.
//!
//! This list is a source of `docs/rules.md`.

pub use gardefou_findings::Rule;

gardefou_findings::rules! {
    /// Every rule of the HTTP guard, in documentation order.
    ALL;
    /// The debug secret must be unguessable.
    DEBUG_SECRET_WEAK = ("debug-secret-weak", "8",
        "`DEBUG_SECRET` is set with fewer than 256 bits of estimated entropy (too short, patterned, or a well-known value).",
        "generate one with `openssl rand -hex 32` and store it in the sandbox's secret manager");
    /// Without a secret the debug routes stay closed.
    DEBUG_SECRET_UNSET = ("debug-secret-unset", "8",
        "Warning: `KOOMY_ENV=sandbox` without `DEBUG_SECRET`, so the debug routes under `/api/_debug/` are not mounted.",
        "set DEBUG_SECRET (256 bits, e.g. `openssl rand -hex 32`) to use the sandbox debug routes");
    /// Debug endpoints are forbidden in production.
    DEBUG_SECRET_IN_PRODUCTION = ("debug-secret-in-production", "8",
        "`DEBUG_SECRET` is set in production, where debug endpoints are forbidden.",
        "remove DEBUG_SECRET from the production environment");
}
