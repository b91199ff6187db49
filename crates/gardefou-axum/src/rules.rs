//! The HTTP guard's rules (§8): one stable id, one policy section, one fix.
//!
//! This list is a source of `docs/rules.md`. `DEBUG_SECRET` in production is refused by the
//! secrets policy's `debug-in-production`; its strength is first checked by the secrets
//! policy (`secret-weak`, `secret-well-known`, …) and `debug-secret-weak` is reported only
//! when those did not already refuse it, so that the debug routes can never be mounted
//! behind a weak secret whatever the secrets policy says.

pub use gardefou_findings::Rule;

gardefou_findings::rules! {
    /// Every rule of the HTTP guard, in documentation order.
    ALL;
    /// The debug secret must be unguessable.
    DEBUG_SECRET_WEAK = ("debug-secret-weak", "8",
        "`DEBUG_SECRET` has fewer than 256 bits of estimated entropy, or is set in production, and the secrets policy did not already refuse it (defence in depth: the debug routes never open behind a weak secret).",
        "generate one with `openssl rand -hex 32` and store it in the sandbox's secret manager");
    /// Without a secret the debug routes stay closed.
    DEBUG_SECRET_UNSET = ("debug-secret-unset", "8",
        "Warning: `KOOMY_ENV=sandbox` without `DEBUG_SECRET`, so the debug routes under `/api/_debug/` are not mounted.",
        "set DEBUG_SECRET (256 bits, e.g. `openssl rand -hex 32`) to use the sandbox debug routes");
}
