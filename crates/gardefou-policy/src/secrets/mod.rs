//! The secrets policy (§7) and the configuration side of the domain table (§9).
//!
//! Which variables are secrets, of which kind ([`SecretsPolicy`]), and the pure checks of
//! their values against the current environment ([`check`]), called by
//! [`evaluate_with`](crate::evaluate_with). The registry of fingerprints is consulted
//! through the [`SecretRegistry`] trait, so that this crate needs neither a key nor a file.

pub mod command;
pub mod debug;
pub mod formats;
pub mod rules;
pub mod urls;

/// How much entropy a value holds (shared with the scanner).
pub use gardefou_kinds::entropy;

use std::collections::BTreeMap;

use gardefou_findings::{tr, Finding, Text};
use gardefou_redact::Secret;

use crate::vars::Lookup;
use crate::{EnvVars, Environment, Policy};

use formats::{StripeMode, StripeType};

/// A random secret needs this many bits of estimated entropy.
pub const RANDOM_MIN_BITS: u32 = 256;
/// Only values with at least this many bits of estimated entropy are fingerprinted: below
/// it, someone who learned the registry key could guess the value from its fingerprint.
pub const FINGERPRINT_MIN_BITS: u32 = 64;

/// The well-known secret values (framework defaults, documentation examples), one a line.
pub const WELL_KNOWN: &str = include_str!("../../data/well-known-secrets.txt");

/// Whether `value` is one of the well-known secret values, compared case-insensitively
/// after trimming surrounding white space.
pub fn is_well_known(value: &str) -> bool {
    let v = value.trim();
    WELL_KNOWN
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l.eq_ignore_ascii_case(v))
}

/// What a variable holds, and so how it is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A Stripe secret or restricted key (`sk_`/`rk_`): live in production, test elsewhere.
    StripeSecret,
    /// A Stripe restricted key (`rk_` only).
    StripeRestricted,
    /// A Stripe publishable key (`pk_`): live in production, test elsewhere. Public, so
    /// not fingerprinted.
    StripePublishable,
    /// A Stripe webhook signing secret (`whsec_`).
    StripeWebhook,
    /// A SendGrid API key (`SG.…`).
    Sendgrid,
    /// A random secret (JWT, session): ≥ 256 bits, not well known, unique.
    Random,
    /// A secret of no known format: not a placeholder, not well known, fingerprinted.
    Opaque,
    /// A PostgreSQL URL whose password is a secret.
    PostgresUrl,
    /// A URL on this environment's domains.
    Url,
    /// A comma-separated list of origins on this environment's domains.
    OriginList,
    /// Any other kind the scanner knows (`brevo-api-key`, `openai-api-key`,
    /// `gocardless-access-token`…), named by its id: the value must have the kind's
    /// documented format, is in the right mode where the provider has live and test keys,
    /// and is fingerprinted like every secret.
    Provider(Provider),
}

/// A secret kind of the shared catalogue ([`gardefou_kinds`]), compared by id.
#[derive(Clone, Copy, Debug)]
pub struct Provider(pub &'static gardefou_kinds::SecretKind);

impl Provider {
    /// The kind's definition.
    pub fn kind(self) -> &'static gardefou_kinds::SecretKind {
        self.0
    }
}

impl PartialEq for Provider {
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
    }
}
impl Eq for Provider {}
impl PartialOrd for Provider {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Provider {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.id.cmp(other.0.id)
    }
}
impl std::hash::Hash for Provider {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.id.hash(state)
    }
}

impl Kind {
    /// Every kind, as written in the policy file.
    pub const ALL: [Kind; 10] = [
        Kind::StripeSecret,
        Kind::StripeRestricted,
        Kind::StripePublishable,
        Kind::StripeWebhook,
        Kind::Sendgrid,
        Kind::Random,
        Kind::Opaque,
        Kind::PostgresUrl,
        Kind::Url,
        Kind::OriginList,
    ];

    /// The name used in the policy file and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::StripeSecret => "stripe-secret",
            Kind::StripeRestricted => "stripe-restricted",
            Kind::StripePublishable => "stripe-publishable",
            Kind::StripeWebhook => "stripe-webhook",
            Kind::Sendgrid => "sendgrid",
            Kind::Random => "random",
            Kind::Opaque => "opaque",
            Kind::PostgresUrl => "postgres-url",
            Kind::Url => "url",
            Kind::OriginList => "origin-list",
            Kind::Provider(p) => p.0.id,
        }
    }

    /// The kind of a Stripe key of this type.
    pub fn of_stripe(ty: StripeType) -> Kind {
        match ty {
            StripeType::Secret => Kind::StripeSecret,
            StripeType::Restricted => Kind::StripeRestricted,
            StripeType::Publishable => Kind::StripePublishable,
        }
    }

    /// Reads a kind name: one of [`Kind::ALL`], or the id of a specific kind of the shared
    /// catalogue (`brevo-api-key`). The catalogue's Stripe and SendGrid ids name the
    /// built-in kinds (`stripe-secret-key` is `stripe-secret`).
    pub fn from_name(name: &str) -> Option<Kind> {
        if let Some(k) = Kind::ALL.into_iter().find(|k| k.as_str() == name) {
            return Some(k);
        }
        let kind = gardefou_kinds::by_id(name).filter(|k| !k.generic)?;
        Some(Kind::of_catalogue(kind))
    }

    /// The variable kind that checks a value of this catalogue kind.
    pub fn of_catalogue(kind: &'static gardefou_kinds::SecretKind) -> Kind {
        match kind.id {
            "stripe-secret-key" => Kind::StripeSecret,
            "stripe-restricted-key" => Kind::StripeRestricted,
            "stripe-publishable-key" => Kind::StripePublishable,
            "stripe-webhook-secret" => Kind::StripeWebhook,
            "sendgrid-api-key" => Kind::Sendgrid,
            _ => Kind::Provider(Provider(kind)),
        }
    }

    /// Every catalogue kind a policy file may name, beyond [`Kind::ALL`].
    pub fn catalogue_names() -> impl Iterator<Item = &'static str> {
        gardefou_kinds::builtin()
            .iter()
            .filter(|k| !k.generic && matches!(Kind::of_catalogue(k), Kind::Provider(_)))
            .map(|k| k.id)
    }

    /// Whether the value is a secret (fingerprinted, compared, never shown). Publishable
    /// keys and URLs are public.
    pub fn is_secret(self) -> bool {
        !matches!(self, Kind::StripePublishable | Kind::Url | Kind::OriginList)
    }
}

/// Which variables are secrets or configured URLs, and which are required.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretsPolicy {
    /// Variables that must be set (beyond `NODE_ENV`, `KOOMY_ENV`, `DATABASE_URL`).
    pub required: Vec<String>,
    /// Every checked variable and its kind: Koomy's built-ins plus the policy file's.
    pub vars: BTreeMap<String, Kind>,
    /// What one environment adds (`[secrets.<environment>]`).
    pub per_environment: BTreeMap<Environment, EnvironmentSecrets>,
}

/// `[secrets.<environment>]`: what holds in that environment only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvironmentSecrets {
    /// Variables that must be set there, beyond [`SecretsPolicy::required`].
    pub required: Vec<String>,
    /// Variables that look like DEBUG/INTERNAL switches but that the platform sets and the
    /// policy approves there, by exact name (`production` only).
    pub allowed_debug: Vec<String>,
}

impl SecretsPolicy {
    /// Koomy's variables (§7.2, §9). Nothing beyond §3 is required by default.
    pub fn koomy() -> Self {
        SecretsPolicy {
            required: Vec::new(),
            per_environment: BTreeMap::new(),
            vars: Self::builtin()
                .iter()
                .map(|(n, k)| ((*n).to_owned(), *k))
                .collect(),
        }
    }

    /// The built-in variables, which a policy file cannot redeclare.
    pub fn builtin() -> &'static [(&'static str, Kind)] {
        &[
            ("STRIPE_SECRET_KEY", Kind::StripeSecret),
            ("STRIPE_RESTRICTED_KEY", Kind::StripeRestricted),
            ("STRIPE_PUBLISHABLE_KEY", Kind::StripePublishable),
            ("STRIPE_WEBHOOK_SECRET", Kind::StripeWebhook),
            ("SENDGRID_API_KEY", Kind::Sendgrid),
            ("JWT_SECRET", Kind::Random),
            ("SESSION_SECRET", Kind::Random),
            ("DEBUG_SECRET", Kind::Random),
            ("DATABASE_URL", Kind::PostgresUrl),
            ("APP_URL", Kind::Url),
            ("API_URL", Kind::Url),
            ("PUBLIC_SITE_URL", Kind::Url),
            ("BACKOFFICE_URL", Kind::Url),
            ("ADMIN_URL", Kind::Url),
            ("CORS_ORIGINS", Kind::OriginList),
        ]
    }
}

impl Default for SecretsPolicy {
    fn default() -> Self {
        SecretsPolicy::koomy()
    }
}

/// The registry of fingerprints, as the checks see it: a way to ask where a value is
/// registered, without the checks ever holding a key.
pub trait SecretRegistry {
    /// Every `(environment, variable)` under which `value`'s fingerprint is registered.
    fn registrations(&self, value: &str) -> Vec<(Environment, String)>;
    /// A short fingerprint of `value` (keyed), safe to print.
    fn short_fingerprint(&self, value: &str) -> String;
}

/// What the caller found about the registry.
pub enum Registry<'a> {
    /// The caller did not look (library use): no registry finding at all.
    NotConsulted,
    /// No registry file exists.
    Missing,
    /// A registry exists but `GARDEFOU_SECRETS_KEY` is not set.
    KeyMissing,
    /// The key is not the registry's, or is unusable: why.
    KeyRejected(Text),
    /// Ready to answer.
    Ready(&'a dyn SecretRegistry),
}

impl SecretValue {
    /// [`SecretValue::label`] in both languages.
    pub fn label_text(&self) -> Text {
        if self.label == self.name {
            Text::new(self.name.clone(), self.name.clone())
        } else {
            let name = &self.name;
            tr!("{name}'s password", "le mot de passe de {name}")
        }
    }
}

/// One secret value of the environment, as the registry sees it.
pub struct SecretValue {
    /// The variable. For a URL, the variable whose password this is.
    pub name: String,
    /// How messages name the value: `JWT_SECRET`, `DATABASE_URL's password`.
    pub label: String,
    /// The value.
    pub value: Secret,
    /// Its estimated entropy.
    pub estimate: entropy::Estimate,
    /// The variable's kind.
    pub kind: Kind,
    /// Whether the policy declares the variable. An undeclared one (any other variable whose
    /// value is a connection URL, a provider key or high-entropy) is compared with the
    /// registry by value, but never reported as unregistered or weak.
    pub declared: bool,
}

/// Every secret value present in `vars` (the password of a PostgreSQL URL included),
/// sorted by variable. Empty values are left out.
pub fn secret_values(policy: &Policy, vars: &EnvVars) -> Vec<SecretValue> {
    let mut out = Vec::new();
    for (name, kind) in &policy.secrets.vars {
        if !kind.is_secret() {
            continue;
        }
        let Some(value) = vars.get(name) else {
            continue;
        };
        let (label, value) = if *kind == Kind::PostgresUrl {
            let Some(pw) = url_password(value.expose()) else {
                continue;
            };
            (format!("{name}'s password"), pw)
        } else if let Kind::Provider(p) = kind {
            // The key itself, as the registry and the other environments see it.
            (
                name.clone(),
                key_of(gardefou_kinds::accepts(p.kind(), value.expose()), value),
            )
        } else {
            (name.clone(), value.clone())
        };
        if value.is_empty() {
            continue;
        }
        let estimate = estimate_of(*kind, value.expose());
        out.push(SecretValue {
            name: name.clone(),
            label,
            value,
            estimate,
            kind: *kind,
            declared: true,
        });
    }
    out
}

/// How much entropy a secret of `kind` holds: a provider's key is judged part by part
/// ([`entropy::estimate_key`]), any other value as a whole.
pub fn estimate_of(kind: Kind, value: &str) -> entropy::Estimate {
    match kind {
        Kind::Random | Kind::Opaque | Kind::PostgresUrl | Kind::Url | Kind::OriginList => {
            entropy::estimate(value)
        }
        _ => entropy::estimate_key(value, gardefou_kinds::detect::key_prefix_len(value)),
    }
}

/// The key a variable holds: the part of `value` that `found` identified, else the whole.
fn key_of(found: Option<gardefou_kinds::Identified>, value: &Secret) -> Secret {
    found
        .and_then(|f| value.expose().get(f.span.0..f.span.1))
        .map_or_else(|| value.clone(), Secret::from)
}

/// The password of a PostgreSQL URL that passes the grammar.
fn url_password(url: &str) -> Option<Secret> {
    let url = gardefou_pgurl::parse(url).ok()?;
    url.password().map(|pw| Secret::from(pw.expose()))
}

/// The values of the variables the policy does not declare that could be another
/// environment's secret: the password of any PostgreSQL URL, Stripe and SendGrid keys by
/// their shape, and any value with at least [`FINGERPRINT_MIN_BITS`] of entropy. Compared
/// with the registry by value, whatever the variable's name.
pub fn undeclared_values(policy: &Policy, vars: &EnvVars) -> Vec<SecretValue> {
    let mut out = Vec::new();
    for name in vars.names() {
        if policy.secrets.vars.contains_key(name) || name == "KOOMY_ENV" || name == "NODE_ENV" {
            continue;
        }
        let Lookup::Value(v) = vars.lookup(name) else {
            continue;
        };
        let (label, value, kind) = if crate::guard::is_postgres_url(v.expose()) {
            let Some(pw) = url_password(v.expose()) else {
                continue;
            };
            (format!("{name}'s password"), pw, Kind::PostgresUrl)
        } else {
            let found = gardefou_kinds::identify(name, v.expose());
            let kind = found.map_or(Kind::Opaque, |f| Kind::of_catalogue(f.kind));
            if !kind.is_secret() {
                continue;
            }
            // A known kind is compared by the key itself: quotes, spaces or JSON around it
            // do not make it another environment's secret.
            (name.to_owned(), key_of(found, v), kind)
        };
        if value.is_empty() {
            continue;
        }
        let estimate = estimate_of(kind, value.expose());
        if estimate.bits < FINGERPRINT_MIN_BITS {
            continue;
        }
        out.push(SecretValue {
            name: name.to_owned(),
            label,
            value,
            estimate,
            kind,
            declared: false,
        });
    }
    out
}

/// Checks the secrets and configured URLs of `vars` for `env` (`None` when `KOOMY_ENV` is
/// missing or invalid: environment-dependent checks are skipped, the guard refuses anyway).
pub fn check(
    policy: &Policy,
    vars: &EnvVars,
    env: Option<Environment>,
    registry: &Registry<'_>,
) -> Vec<Finding> {
    let mut findings = Vec::new();

    let here = env.and_then(|e| policy.secrets.per_environment.get(&e));
    for name in &policy.secrets.required {
        if matches!(vars.lookup(name), Lookup::Missing) {
            findings.push(rules::SECRET_REQUIRED_MISSING.error(tr!(
                "{name} is required by the policy file but not set",
                "{name} est exigée par le fichier de politique mais n'est pas définie"
            )));
        }
    }
    for name in here.map(|h| h.required.as_slice()).unwrap_or_default() {
        if matches!(vars.lookup(name), Lookup::Missing) {
            let env = env.map_or("", |e| e.as_str());
            findings.push(rules::SECRET_REQUIRED_MISSING.error(tr!(
                "{name} is required in {env} by the policy file but not set",
                "{name} est exigée en {env} par le fichier de politique mais n'est pas définie"
            )));
        }
    }

    if env == Some(Environment::Production) {
        let approved = here.map(|h| h.allowed_debug.as_slice()).unwrap_or_default();
        let debug: Vec<&str> = vars
            .names()
            .filter(|n| debug::is_debug_name(n) && !approved.iter().any(|a| a == n))
            .collect();
        for name in debug {
            findings.push(rules::DEBUG_IN_PRODUCTION.error(tr!(
                "{name} is set in production: DEBUG / INTERNAL variables are forbidden there",
                "{name} est définie en production : les variables DEBUG / INTERNAL y sont interdites"
            )));
        }
        if let Lookup::Value(v) = vars.lookup("NODE_OPTIONS") {
            let opts = debug::inspector_options(v.expose());
            if !opts.is_empty() {
                let opts = opts.join(", ");
                findings.push(rules::NODE_INSPECTOR_IN_PRODUCTION.error(tr!(
                    "NODE_OPTIONS opens Node's inspector in production ({opts})",
                    "NODE_OPTIONS ouvre l'inspecteur de Node en production ({opts})"
                )));
            }
        } else if matches!(vars.lookup("NODE_OPTIONS"), Lookup::NotUtf8) {
            findings.push(
                rules::NODE_INSPECTOR_IN_PRODUCTION.error(tr!(
                    "NODE_OPTIONS is not valid UTF-8, so it cannot be shown free of --inspect",
                    "NODE_OPTIONS n'est pas de l'UTF-8 valide : impossible de montrer qu'elle est exempte de --inspect"
                )),
            );
        }
    }

    for (name, kind) in &policy.secrets.vars {
        let value = match vars.lookup(name) {
            Lookup::Missing => continue,
            Lookup::NotUtf8 => {
                let rule = if kind.is_secret() {
                    &rules::SECRET_MALFORMED
                } else {
                    &rules::CONFIGURED_URL_INVALID
                };
                findings.push(rule.error(tr!(
                    "{name} is not valid UTF-8",
                    "{name} n'est pas de l'UTF-8 valide"
                )));
                continue;
            }
            Lookup::Value(v) => v.expose(),
        };
        check_value(policy, name, *kind, value, env, &mut findings);
    }

    // Provider keys are judged by what they hold, whatever the variable's name or kind: a
    // Stripe key alone by Stripe's rules, and every key of a kind with live and test keys
    // (all of them, wherever they are in the value) by its mode. A value that is not UTF-8
    // is judged by what a program would read of it.
    for name in vars.names() {
        let declared = policy.secrets.vars.get(name).copied();
        if matches!(
            declared,
            Some(Kind::StripeSecret | Kind::StripeRestricted | Kind::StripePublishable)
        ) {
            continue; // checked above, by Stripe's rules
        }
        let Some(v) = vars.text(name) else { continue };
        let v = v.expose();
        if declared.is_none() {
            if let Ok((ty, _)) = formats::stripe_key(v) {
                check_stripe(name, Kind::of_stripe(ty), v, env, &mut findings);
                continue;
            }
        }
        let Some(env) = env else { continue };
        let provider = match declared {
            Some(Kind::Provider(p)) => Some(p.kind()),
            _ => None,
        };
        let mut judged = Vec::new();
        for found in gardefou_kinds::modes_in(name, v, provider) {
            let Some(mode) = found.mode else { continue };
            if !judged.contains(&(found.kind.id, mode)) {
                judged.push((found.kind.id, mode));
                check_mode(name, found.kind, mode, env, &mut findings);
            }
        }
    }

    let mut secrets = secret_values(policy, vars);
    check_shared(policy, &secrets, &mut findings);
    if let Some(env) = env {
        if let Registry::Ready(_) = registry {
            secrets.extend(undeclared_values(policy, vars));
        }
        check_registry(&secrets, env, registry, &mut findings);
    }
    findings
}

fn check_value(
    policy: &Policy,
    name: &str,
    kind: Kind,
    value: &str,
    env: Option<Environment>,
    findings: &mut Vec<Finding>,
) {
    if kind == Kind::Url || kind == Kind::OriginList {
        if let Some(env) = env {
            check_urls(policy, name, kind, value, env, findings);
        }
        return;
    }
    if kind == Kind::PostgresUrl {
        // Every PostgreSQL URL's grammar and environment are the guard's (`database-url-*`).
        return;
    }
    if value.is_empty() {
        findings.push(rules::SECRET_MALFORMED.error(tr!(
            "{name} is set but empty",
            "{name} est définie mais vide"
        )));
        return;
    }
    if formats::is_placeholder(value) {
        let kind = kind.as_str();
        findings.push(rules::SECRET_PLACEHOLDER.error(tr!(
            "{name} holds a placeholder ({kind}), not a real secret",
            "{name} contient un texte provisoire ({kind}), pas un vrai secret"
        )));
        return;
    }
    match kind {
        Kind::StripeSecret | Kind::StripeRestricted | Kind::StripePublishable => {
            check_stripe(name, kind, value, env, findings)
        }
        Kind::StripeWebhook => {
            if let Err(why) = formats::stripe_webhook_secret(value) {
                findings.push(rules::STRIPE_WEBHOOK_SECRET_MALFORMED.error(tr!(
                    "{name} is not a Stripe webhook signing secret: {}",
                    "{name} n'est pas un secret de signature de webhook Stripe : {}";
                    why
                )));
            }
        }
        Kind::Sendgrid => {
            if let Err(why) = formats::sendgrid_key(value) {
                findings.push(rules::SENDGRID_KEY_MALFORMED.error(tr!(
                    "{name} is not a SendGrid API key: {}",
                    "{name} n'est pas une clé d'API SendGrid : {}";
                    why
                )));
            }
        }
        Kind::Random | Kind::Opaque => {
            let trimmed = value.trim();
            if trimmed != value {
                let (lead, trail) = (
                    value.len() - value.trim_start().len(),
                    value.len() - value.trim_end().len(),
                );
                let (en, fr) = match (lead > 0, trail > 0) {
                    (true, true) => ("leading and trailing", "au début et à la fin"),
                    (true, false) => ("leading", "au début"),
                    _ => ("trailing", "à la fin"),
                };
                findings.push(rules::SECRET_MALFORMED.error_with_fix(
                    Text::new(
                        format!(
                            "{name} has {en} white space (often a pasted newline): it would be part of the secret"
                        ),
                        format!(
                            "{name} a des espaces {fr} (souvent un saut de ligne collé) : ils feraient partie du secret"
                        ),
                    ),
                    tr!(
                        "set {name} without the surrounding white space",
                        "définissez {name} sans les espaces qui l'entourent"
                    ),
                ));
            }
            let value = trimmed;
            if is_well_known(value) {
                findings.push(rules::SECRET_WELL_KNOWN.error(tr!(
                    "{name} is a well-known value (a framework default or documentation example)",
                    "{name} est une valeur bien connue (une valeur par défaut d'un framework ou un exemple de documentation)"
                )));
            } else if kind == Kind::Random {
                let e = entropy::estimate(value);
                if e.bits < RANDOM_MIN_BITS {
                    let (bits, form) = (e.bits, e.form.describe());
                    findings.push(rules::SECRET_WEAK.error(Text::new(
                        format!(
                            "{name} has about {bits} bits of entropy ({}), {RANDOM_MIN_BITS} are required",
                            form.en
                        ),
                        format!(
                            "{name} a environ {bits} bits d'entropie ({}), {RANDOM_MIN_BITS} sont exigés",
                            form.fr
                        ),
                    )));
                }
            }
        }
        Kind::Provider(p) => {
            let kind = p.kind();
            let trimmed = value.trim();
            if trimmed != value
                || trimmed.starts_with(['"', '\''])
                || trimmed.ends_with(['"', '\''])
            {
                findings.push(rules::SECRET_MALFORMED.error_with_fix(
                    tr!(
                        "{name} has white space or quotes around its value: they would be sent with the key",
                        "{name} a des espaces ou des guillemets autour de sa valeur : ils seraient envoyés avec la clé"
                    ),
                    tr!(
                        "set {name} to the key alone",
                        "définissez {name} avec la clé seule"
                    ),
                ));
            } else if gardefou_kinds::accepts(kind, value).is_none() {
                let (what, what_fr) = (kind.kind, kind.kind_fr);
                let doc = kind.references.first().copied().unwrap_or("");
                findings.push(rules::SECRET_MALFORMED.error_with_fix(
                    tr!(
                        "{name} is declared {} but does not hold a {what} in its documented format",
                        "{name} est déclarée {} mais ne contient pas de valeur de type « {what_fr} » au format documenté",
                        kind.id
                    ),
                    tr!(
                        "copy this environment's {what} again, whole (format: {doc})",
                        "recopier en entier la valeur « {what_fr} » de cet environnement (format : {doc})"
                    ),
                ));
            }
        }
        Kind::PostgresUrl | Kind::Url | Kind::OriginList => {}
    }
}

/// A provider key in the wrong mode for `env`: live outside production, test in production.
fn check_mode(
    name: &str,
    kind: &'static gardefou_kinds::SecretKind,
    mode: gardefou_kinds::Mode,
    env: Environment,
    findings: &mut Vec<Finding>,
) {
    let wanted = if env == Environment::Production {
        gardefou_kinds::Mode::Live
    } else {
        gardefou_kinds::Mode::Test
    };
    if mode == wanted {
        return;
    }
    let rule = if kind.id.starts_with("stripe-") {
        &rules::STRIPE_KEY_MODE_MISMATCH
    } else {
        &rules::PROVIDER_KEY_MODE_MISMATCH
    };
    let (what, what_fr) = (kind.kind, kind.kind_fr);
    let (mode, wanted) = (mode.as_str(), wanted.as_str());
    findings.push(rule.error_with_fix(
        tr!(
            "{name} holds a {mode} {what} but KOOMY_ENV is {env}",
            "{name} contient une valeur « {what_fr} » en mode {mode} mais KOOMY_ENV vaut {env}"
        ),
        tr!(
            "use the {wanted} {what} in {env}",
            "utilisez la valeur « {what_fr} » en mode {wanted} en {env}"
        ),
    ));
}

fn check_stripe(
    name: &str,
    kind: Kind,
    value: &str,
    env: Option<Environment>,
    findings: &mut Vec<Finding>,
) {
    let (ty, mode) = match formats::stripe_key(value) {
        Ok(read) => read,
        Err(why) => {
            findings.push(rules::STRIPE_KEY_MALFORMED.error(tr!(
                "{name} is not a Stripe API key: {}",
                "{name} n'est pas une clé d'API Stripe : {}";
                why
            )));
            return;
        }
    };
    let expected: &[StripeType] = match kind {
        Kind::StripeSecret => &[StripeType::Secret, StripeType::Restricted],
        Kind::StripeRestricted => &[StripeType::Restricted],
        _ => &[StripeType::Publishable],
    };
    if !expected.contains(&ty) {
        let (held, wanted) = (ty.describe_tr(), expected[0].describe_tr());
        findings.push(rules::STRIPE_KEY_MALFORMED.error_with_fix(
            Text::new(
                format!(
                    "{name} holds a Stripe {} but expects a {}",
                    held.en, wanted.en
                ),
                format!(
                    "{name} contient une {} Stripe mais attend une {}",
                    held.fr, wanted.fr
                ),
            ),
            Text::new(
                format!("put the Stripe {} in {name}", wanted.en),
                format!("mettez la {} Stripe dans {name}", wanted.fr),
            ),
        ));
        return;
    }
    let Some(env) = env else { return };
    let wanted = if env == Environment::Production {
        StripeMode::Live
    } else {
        StripeMode::Test
    };
    if mode != wanted {
        let (mode, wanted, ty) = (mode.as_str(), wanted.as_str(), ty.describe_tr());
        findings.push(rules::STRIPE_KEY_MODE_MISMATCH.error_with_fix(
            Text::new(
                format!("{name} is a {mode} Stripe {} but KOOMY_ENV is {env}", ty.en),
                format!(
                    "{name} est une {} Stripe {mode} mais KOOMY_ENV vaut {env}",
                    ty.fr
                ),
            ),
            Text::new(
                format!("use the {wanted} {} in {env}", ty.en),
                format!("utilisez la {} {wanted} en {env}", ty.fr),
            ),
        ));
    }
}

fn check_urls(
    policy: &Policy,
    name: &str,
    kind: Kind,
    value: &str,
    env: Environment,
    findings: &mut Vec<Finding>,
) {
    let entries = if kind == Kind::OriginList {
        match urls::split_list(value) {
            Ok(e) => e,
            Err(why) => {
                findings.push(rules::CONFIGURED_URL_INVALID.error(tr!(
                    "{name} is refused: {}",
                    "{name} est refusée : {}";
                    why
                )));
                return;
            }
        }
    } else {
        vec![value]
    };
    let many = entries.len() > 1;
    for (i, entry) in entries.iter().enumerate() {
        let what = if many || kind == Kind::OriginList {
            let n = i + 1;
            tr!("{name} entry {n}", "l'entrée {n} de {name}")
        } else {
            Text::new(name, name)
        };
        let url = match urls::parse(entry, kind == Kind::OriginList) {
            Ok(u) => u,
            Err(why) => {
                findings.push(rules::CONFIGURED_URL_INVALID.error(tr!(
                    "{} is refused: {}",
                    "{} est refusée : {}";
                    what, why
                )));
                continue;
            }
        };
        let listed = policy.domains.names(env).values().any(|d| *d == url.host);
        let local_loopback = env == Environment::Local && url.is_loopback();
        if url.http && !local_loopback {
            findings.push(rules::CONFIGURED_URL_INVALID.error(tr!(
                "{} uses http://, which is only accepted for loopback hosts in local",
                "{} utilise http://, qui n'est accepté que pour les hôtes loopback en local";
                what
            )));
            continue;
        }
        if listed || local_loopback {
            continue;
        }
        let owner = Environment::ALL
            .into_iter()
            .filter(|e| *e != env)
            .find(|e| policy.domains.names(*e).values().any(|d| *d == url.host));
        match owner {
            Some(owner) => findings.push(rules::CONFIGURED_URL_OTHER_ENVIRONMENT.error_with_fix(
                Text::new(
                    format!(
                        "{} names {}, a {owner} domain, but KOOMY_ENV is {env}",
                        what.en(),
                        url.host
                    ),
                    format!(
                        "{} nomme {}, un domaine {owner}, mais KOOMY_ENV vaut {env}",
                        what.fr(),
                        url.host
                    ),
                ),
                tr!(
                    "use the {env} domain from the §9 table",
                    "utilisez le domaine {env} du tableau du §9"
                ),
            )),
            None => {
                let local = env == Environment::Local;
                findings.push(rules::CONFIGURED_URL_UNLISTED.error(Text::new(
                    format!(
                        "{} names {}, which is not one of the {env} domains{}",
                        what.en(),
                        url.host,
                        if local {
                            " (local accepts loopback hosts only)"
                        } else {
                            ""
                        }
                    ),
                    format!(
                        "{} nomme {}, qui n'est pas l'un des domaines {env}{}",
                        what.fr(),
                        url.host,
                        if local {
                            " (local n'accepte que les hôtes loopback)"
                        } else {
                            ""
                        }
                    ),
                )))
            }
        }
    }
}

/// A random secret must not equal any other secret of the environment.
fn check_shared(policy: &Policy, secrets: &[SecretValue], findings: &mut Vec<Finding>) {
    for (i, a) in secrets.iter().enumerate() {
        for b in &secrets[i + 1..] {
            let random = |s: &SecretValue| policy.secrets.vars.get(&s.name) == Some(&Kind::Random);
            if (random(a) || random(b)) && a.value.expose() == b.value.expose() {
                let (a, b) = (a.label_text(), b.label_text());
                findings.push(rules::SECRET_SHARED_WITHIN_ENVIRONMENT.error(tr!(
                    "{} and {} hold the same value",
                    "{} et {} contiennent la même valeur";
                    a, b
                )));
            }
        }
    }
}

fn check_registry(
    secrets: &[SecretValue],
    env: Environment,
    registry: &Registry<'_>,
    findings: &mut Vec<Finding>,
) {
    let guarded = env != Environment::Local;
    match registry {
        Registry::NotConsulted => {}
        Registry::Missing => {
            if guarded && !secrets.is_empty() {
                findings.push(rules::SECRET_REGISTRY_MISSING.warning(tr!(
                    "no secrets registry was found, so the reuse of {env}'s secrets in another environment cannot be checked",
                    "aucun registre des secrets n'a été trouvé : impossible de vérifier que les secrets de {env} ne servent pas dans un autre environnement"
                )));
            }
        }
        Registry::KeyMissing => {
            let msg = tr!(
                "a secrets registry exists but GARDEFOU_SECRETS_KEY is not set",
                "un registre des secrets existe mais GARDEFOU_SECRETS_KEY n'est pas définie"
            );
            findings.push(if guarded {
                rules::SECRET_REGISTRY_KEY_MISSING.error(msg)
            } else {
                rules::SECRET_REGISTRY_KEY_MISSING.warning(msg)
            });
        }
        Registry::KeyRejected(why) => {
            findings.push(rules::SECRET_REGISTRY_KEY_MISMATCH.error(why.clone()));
        }
        Registry::Ready(reg) => {
            for s in secrets {
                if s.estimate.bits < FINGERPRINT_MIN_BITS {
                    // A weak random secret is already refused by `secret-weak`.
                    let random = s.kind == Kind::Random;
                    if guarded && !random {
                        let (label, bits) = (s.label_text(), s.estimate.bits);
                        findings.push(rules::SECRET_TOO_WEAK_TO_REGISTER.warning(tr!(
                            "{} has about {bits} bits of entropy, too few to fingerprint; its reuse in another environment cannot be checked",
                            "{} a environ {bits} bits d'entropie, trop peu pour en prendre l'empreinte ; impossible de vérifier qu'elle ne sert pas dans un autre environnement";
                            label
                        )));
                    }
                    continue;
                }
                let regs = reg.registrations(s.value.expose());
                let fp = reg.short_fingerprint(s.value.expose());
                for (other, var) in regs.iter().filter(|(e, _)| *e != env) {
                    let same = if *var == s.name {
                        Text::new("", "")
                    } else {
                        tr!(" as {var}", " sous le nom {var}")
                    };
                    let label = s.label_text();
                    let name = &s.name;
                    findings.push(
                        rules::SECRET_REGISTERED_ELSEWHERE
                            .error_with_fix(
                                tr!(
                                    "{} (fingerprint {fp}) is registered under {other}{}: one secret serves two environments",
                                    "{} (empreinte {fp}) est enregistrée sous {other}{} : un même secret sert deux environnements";
                                    label, same
                                ),
                                tr!(
                                    "rotate {name} and give {env} its own value",
                                    "renouvelez {name} et donnez à {env} sa propre valeur"
                                ),
                            )
                            .with_fingerprint(fp.clone()),
                    );
                }
                if guarded && regs.is_empty() && s.declared {
                    findings.push(
                        rules::SECRET_UNREGISTERED
                            .warning(tr!(
                                "{} (fingerprint {fp}) is not registered under {env}",
                                "{} (empreinte {fp}) n'est pas enregistrée sous {env}";
                                s.label_text()
                            ))
                            .with_fingerprint(fp),
                    );
                }
            }
        }
    }
}
