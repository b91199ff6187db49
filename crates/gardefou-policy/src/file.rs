//! Reading a `gardefou.toml` policy file over the built-in policy.
//!
//! Every mistake is a [`ConfigError`] with a line and column: an unknown key, a malformed
//! endpoint or host, a server listed under two environments. The file is text handed in by
//! the caller; this module does no I/O.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use gardefou_pgurl::Host;
use serde::Deserialize;
use toml::Spanned;

use crate::model::{HostPattern, SharedAddresses};
use crate::{Environment, Policy};

/// A configuration file (the policy, the secrets registry) that cannot be used. Displayed as
/// `FILE:LINE:COL: message`; the message names the entry, never its value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}:{column}: {message}")]
pub struct ConfigError {
    /// The file's name as the user gave it.
    pub source_name: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, one line.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    database: Option<RawDatabase>,
    domains: Option<RawDomains>,
    release: Option<RawRelease>,
    scan: Option<RawScan>,
    secrets: Option<RawSecrets>,
    seed: Option<RawSeed>,
    policy: Option<RawPolicySection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicySection {
    require_signature: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSecrets {
    required: Option<Vec<Spanned<String>>>,
    vars: Option<BTreeMap<Spanned<String>, RawSecretVar>>,
    production: Option<RawSecretsEnvironment>,
    sandbox: Option<RawSecretsEnvironment>,
    local: Option<RawSecretsEnvironment>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSecretsEnvironment {
    required: Option<Vec<Spanned<String>>>,
    allowed_debug: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSecretVar {
    kind: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeed {
    environments: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScan {
    allow_paths: Option<Vec<Spanned<String>>>,
    max_file_size: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDatabase {
    production: Option<RawTargets>,
    sandbox: Option<RawTargets>,
    local: Option<RawTargets>,
    connect_timeout_ms: Option<Spanned<i64>>,
    clients: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTargets {
    #[serde(default)]
    neon_endpoints: Vec<Spanned<String>>,
    #[serde(default)]
    hosts: Vec<Spanned<String>>,
    #[serde(default)]
    system_identifiers: Vec<Spanned<String>>,
    #[serde(default)]
    neon_branches: Vec<Spanned<String>>,
    allow_unstamped: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDomains {
    shared_addresses: Option<Spanned<String>>,
    production: Option<BTreeMap<String, Spanned<String>>>,
    sandbox: Option<BTreeMap<String, Spanned<String>>>,
    local: Option<BTreeMap<String, Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRelease {
    production_branch: Option<Spanned<String>>,
    sandbox_branch: Option<Spanned<String>>,
}

/// A TOML or serde error message on one line, without the values it quotes.
///
/// serde's messages quote the value they did not expect (`invalid type: string "…",
/// expected a sequence`): a secret written where a policy or registry key expects
/// something else (`[secrets.vars] JWT_SECRET = "<the secret>"`) would be printed. The
/// location (line:column) and the expectation are kept; the value becomes `a string`.
pub fn toml_message(message: &str) -> String {
    let message = message.trim().replace('\n', " ");
    let mut out = String::with_capacity(message.len());
    let mut rest = message.as_str();
    while let Some(i) = rest.find("string \"") {
        out.push_str(&rest[..i]);
        out.push_str("a string");
        let quoted = &rest[i + "string \"".len()..];
        let mut escaped = false;
        let end = quoted.char_indices().find_map(|(j, c)| {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => return Some(j + 1),
                _ => {}
            }
            None
        });
        // An unterminated quote: drop the rest rather than risk printing part of a value.
        rest = end.map_or("", |j| &quoted[j..]);
    }
    out.push_str(rest);
    out
}

/// A system identifier as `pg_control_system()` shows it: a decimal `u64`.
fn is_system_identifier(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 20
        && v.bytes().all(|b| b.is_ascii_digit())
        && v.parse::<u64>().is_ok()
}

/// Lower-case letters, digits and inner dashes, at least one character (a DNS label's
/// letters, and Neon's ids after their prefix).
fn is_lower_ldh(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// What follows `prefix` in a Neon id.
fn neon_id<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    s.strip_prefix(prefix).filter(|rest| is_lower_ldh(rest))
}

/// A Neon branch id: `br-…`.
fn is_branch_id(v: &str) -> bool {
    neon_id(v, "br-").is_some()
}

/// The values a list of names reads as, each once, in order: `read` turns the `i`th name
/// into its value or an error; an empty list is the error `empty` makes from its span.
fn distinct<T: PartialEq, E>(
    list: Spanned<Vec<Spanned<String>>>,
    mut read: impl FnMut(usize, &Spanned<String>) -> Result<T, E>,
    empty: impl FnOnce(Range<usize>) -> E,
) -> Result<Vec<T>, E> {
    let span = list.span();
    let mut out = Vec::new();
    for (i, name) in list.into_inner().iter().enumerate() {
        let value = read(i, name)?;
        if !out.contains(&value) {
            out.push(value);
        }
    }
    if out.is_empty() {
        return Err(empty(span));
    }
    Ok(out)
}

impl Policy {
    /// Reads a policy file's text over the built-in policy. `source_name` is used in errors.
    pub fn from_toml(text: &str, source_name: &str) -> Result<Policy, ConfigError> {
        let err = |span: Range<usize>, message: String| {
            let (line, column) = line_column(text, span.start);
            ConfigError {
                source_name: source_name.to_owned(),
                line,
                column,
                message,
            }
        };
        let raw: RawPolicy = toml::from_str(text)
            .map_err(|e| err(e.span().unwrap_or(0..0), toml_message(e.message())))?;

        let mut policy = Policy::koomy();
        policy.origin = crate::signature::Origin::Unchecked;
        if let Some(section) = raw.policy {
            for name in section.require_signature.unwrap_or_default() {
                let env = Environment::from_koomy_env(name.get_ref()).ok_or_else(|| {
                    err(
                        name.span(),
                        "policy.require_signature lists environments: production, sandbox or local"
                            .into(),
                    )
                })?;
                if !policy.signature.require_signature.contains(&env) {
                    policy.signature.require_signature.push(env);
                }
            }
        }
        if let Some(db) = raw.database {
            if let Some(ms) = db.connect_timeout_ms {
                policy.database.connect_timeout_ms = u64::try_from(*ms.get_ref())
                    .ok()
                    .filter(|ms| (1..=600_000).contains(ms))
                    .ok_or_else(|| {
                        err(
                            ms.span(),
                            "connect_timeout_ms must be between 1 and 600000 milliseconds".into(),
                        )
                    })?;
            }
            if let Some(clients) = db.clients {
                policy.database.clients = distinct(
                    clients,
                    |i, name| {
                        gardefou_pgurl::Client::from_name(name.get_ref()).ok_or_else(|| {
                            let known: Vec<&str> =
                                gardefou_pgurl::Client::ALL.iter().map(|c| c.as_str()).collect();
                            err(
                                name.span(),
                                format!(
                                    "database.clients[{i}] is not a client gardefou knows; expected one of {}",
                                    known.join(", ")
                                ),
                            )
                        })
                    },
                    |span| {
                        err(
                            span,
                            "database.clients is empty: name the clients the applications use"
                                .into(),
                        )
                    },
                )?;
            }
            let mut listed = ListedServers::default();
            for (env, targets) in Environment::each(db.production, db.sandbox, db.local) {
                let Some(targets) = targets else { continue };
                let out = policy.database.targets_mut(env);
                if let Some(allow) = targets.allow_unstamped {
                    if env != Environment::Local && *allow.get_ref() {
                        return Err(err(allow.span(), format!(
                            "allow_unstamped is for [database.local] only: a {env} database must carry its stamp"
                        )));
                    }
                    out.allow_unstamped = *allow.get_ref();
                }
                // Each id of `field`: well formed (else "… is not {what}"), listed by one
                // environment only, kept.
                let mut ids = |field: &str,
                               entries: Vec<Spanned<String>>,
                               (valid, what): (fn(&str) -> bool, &str),
                               listed_as: fn(String) -> Listed,
                               kept: &mut Vec<String>| {
                    for (i, id) in entries.into_iter().enumerate() {
                        if !valid(id.get_ref()) {
                            return Err(err(
                                id.span(),
                                format!("database.{env}.{field}[{i}] is not {what}"),
                            ));
                        }
                        let item = listed_as(id.get_ref().clone());
                        listed.insert(env, &item).map_err(|m| err(id.span(), m))?;
                        kept.push(id.into_inner());
                    }
                    Ok(())
                };
                ids(
                    "neon_endpoints",
                    targets.neon_endpoints,
                    (is_endpoint_id, "a Neon endpoint id (expected `ep-` and lower-case letters, digits and dashes, without `-pooler`)"),
                    Listed::Endpoint,
                    &mut out.neon_endpoints,
                )?;
                ids(
                    "system_identifiers",
                    targets.system_identifiers,
                    (
                        is_system_identifier,
                        "a system identifier (the decimal number pg_control_system() shows)",
                    ),
                    Listed::SystemIdentifier,
                    &mut out.system_identifiers,
                )?;
                ids(
                    "neon_branches",
                    targets.neon_branches,
                    (
                        is_branch_id,
                        "a Neon branch id (`br-` and lower-case letters, digits and dashes)",
                    ),
                    Listed::Branch,
                    &mut out.neon_branches,
                )?;
                for (i, h) in targets.hosts.into_iter().enumerate() {
                    let pattern = parse_host_pattern(h.get_ref())
                        .map_err(|m| err(h.span(), format!("database.{env}.hosts[{i}] is {m}")))?;
                    // A Neon host listed as a host is its endpoint.
                    let item = match &pattern.host {
                        Host::Neon { endpoint, .. } => Listed::Endpoint(endpoint.clone()),
                        _ => Listed::Host(pattern.clone()),
                    };
                    listed.insert(env, &item).map_err(|m| err(h.span(), m))?;
                    out.hosts.push(pattern);
                }
            }
        }
        if let Some(domains) = raw.domains {
            if let Some(weight) = domains.shared_addresses {
                policy.domains.shared_addresses = match weight.get_ref().as_str() {
                    "warning" => SharedAddresses::Warning,
                    "error" => SharedAddresses::Error,
                    other => {
                        return Err(err(
                            weight.span(),
                            format!("shared_addresses must be \"warning\" or \"error\": {other}"),
                        ))
                    }
                };
            }
            for (env, table) in
                Environment::each(domains.production, domains.sandbox, domains.local)
            {
                let Some(table) = table else { continue };
                let mut names = BTreeMap::new();
                for (role, name) in table {
                    if !is_domain_name(name.get_ref()) {
                        return Err(err(
                            name.span(),
                            format!("domains.{env}.{role} is not a lower-case domain name"),
                        ));
                    }
                    names.insert(role, name.into_inner());
                }
                match env {
                    Environment::Production => policy.domains.production = names,
                    Environment::Sandbox => policy.domains.sandbox = names,
                    Environment::Local => policy.domains.local = names,
                }
            }
        }
        if let Some(release) = raw.release {
            for (value, slot) in [
                (
                    release.production_branch,
                    &mut policy.release.production_branch,
                ),
                (release.sandbox_branch, &mut policy.release.sandbox_branch),
            ] {
                let Some(value) = value else { continue };
                if !is_branch_name(value.get_ref()) {
                    return Err(err(
                        value.span(),
                        "not a plain branch name (letters, digits, `/`, `-`, `_`, `.`)".into(),
                    ));
                }
                *slot = value.into_inner();
            }
            if policy.release.production_branch == policy.release.sandbox_branch {
                return Err(err(
                    0..0,
                    "release.production_branch and release.sandbox_branch must differ".into(),
                ));
            }
        }
        if let Some(seed) = raw.seed {
            if let Some(envs) = seed.environments {
                policy.seed.environments = distinct(
                    envs,
                    |_, name| match Environment::from_koomy_env(name.get_ref()) {
                        Some(e @ (Environment::Sandbox | Environment::Local)) => Ok(e),
                        Some(Environment::Production) => Err(err(
                            name.span(),
                            "a seed never runs in production (§4.1, §6)".into(),
                        )),
                        None => Err(err(
                            name.span(),
                            "not an environment (sandbox or local)".into(),
                        )),
                    },
                    |span| {
                        err(
                            span,
                            "an empty list would forbid every seed; list sandbox (and local)"
                                .into(),
                        )
                    },
                )?;
            }
        }
        if let Some(scan) = raw.scan {
            if let Some(paths) = scan.allow_paths {
                for p in &paths {
                    if p.get_ref().trim().is_empty() {
                        return Err(err(
                            p.span(),
                            "an empty path pattern would allow nothing useful".into(),
                        ));
                    }
                }
                policy.scan.allow_paths = paths.into_iter().map(Spanned::into_inner).collect();
            }
            if let Some(size) = scan.max_file_size {
                policy.scan.max_file_size = u64::try_from(*size.get_ref())
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| {
                        err(
                            size.span(),
                            "max_file_size must be a positive number of bytes".into(),
                        )
                    })?;
            }
        }
        if let Some(secrets) = raw.secrets {
            read_secrets(&mut policy, secrets, &err)?;
        }
        Ok(policy)
    }
}

/// `[secrets]`: extra variables with their kind, and required variables. Built-in
/// variables cannot be redeclared (a policy file cannot weaken them), and a required
/// variable must have a kind, so that its value is checked, not just its presence.
fn read_secrets(
    policy: &mut Policy,
    raw: RawSecrets,
    err: &dyn Fn(Range<usize>, String) -> ConfigError,
) -> Result<(), ConfigError> {
    use crate::secrets::{Kind, SecretsPolicy};
    const GUARD_VARS: [&str; 3] = ["KOOMY_ENV", "NODE_ENV", "NODE_OPTIONS"];
    for (name, var) in raw.vars.unwrap_or_default() {
        let n = name.get_ref();
        if !is_var_name(n) {
            return Err(err(name.span(), format!(
                "not an environment variable name (upper-case letters, digits and _, not starting with a digit): {n}"
            )));
        }
        if GUARD_VARS.contains(&n.as_str()) || n.starts_with("GARDEFOU_") {
            return Err(err(
                name.span(),
                format!("{n} is checked by the guard itself and cannot be declared"),
            ));
        }
        if SecretsPolicy::builtin()
            .iter()
            .any(|(b, _)| *b == n.as_str())
        {
            return Err(err(
                name.span(),
                format!(
                    "{n} is a built-in variable; its kind cannot be changed by the policy file"
                ),
            ));
        }
        let kind = Kind::from_name(var.kind.get_ref()).ok_or_else(|| {
            let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
            let generic = gardefou_kinds::by_id(var.kind.get_ref()).is_some_and(|k| k.generic);
            err(
                var.kind.span(),
                if generic {
                    format!(
                        "secrets.vars.{n}: this scanner rule finds secret-looking assignments in files; it is not a kind a variable holds (use opaque, or a specific kind)"
                    )
                } else {
                    format!(
                        "secrets.vars.{n}: unknown kind; expected one of {}, or the id of a specific secret kind of `gardefou scan` (`gardefou rules list`), e.g. brevo-api-key",
                        names.join(", ")
                    )
                },
            )
        })?;
        policy.secrets.vars.insert(name.into_inner(), kind);
    }
    policy.secrets.required = read_required(policy, raw.required, "secrets.required", err)?;
    for (env, table) in Environment::each(raw.production, raw.sandbox, raw.local) {
        let Some(table) = table else { continue };
        let mut here = crate::secrets::EnvironmentSecrets {
            required: read_required(
                policy,
                table.required,
                &format!("secrets.{env}.required"),
                err,
            )?,
            allowed_debug: Vec::new(),
        };
        for name in table.allowed_debug.unwrap_or_default() {
            let n = name.get_ref();
            if env != Environment::Production {
                return Err(err(name.span(), format!(
                    "allowed_debug applies to production only: DEBUG / INTERNAL variables are already allowed in {env}"
                )));
            }
            if !is_var_name(n) || !crate::secrets::debug::is_debug_name(n) {
                return Err(err(
                    name.span(),
                    format!("{n} is not a DEBUG / INTERNAL variable name: it needs no approval"),
                ));
            }
            // These switch debugging on in Node or in gardefou itself: never approved.
            if ["DEBUG", "NODE_DEBUG", "DEBUG_SECRET", "NODE_DEBUG_NATIVE"].contains(&n.as_str()) {
                return Err(err(name.span(), format!(
                    "{n} turns debugging on in the server itself: it cannot be approved in production"
                )));
            }
            if here.allowed_debug.contains(n) {
                return Err(err(name.span(), format!("{n} is listed twice")));
            }
            here.allowed_debug.push(name.into_inner());
        }
        policy.secrets.per_environment.insert(env, here);
    }
    Ok(())
}

/// A `required` list: each name once, each with a kind (so that its value is checked).
fn read_required(
    policy: &Policy,
    raw: Option<Vec<Spanned<String>>>,
    key: &str,
    err: &dyn Fn(Range<usize>, String) -> ConfigError,
) -> Result<Vec<String>, ConfigError> {
    let mut out: Vec<String> = Vec::new();
    for name in raw.unwrap_or_default() {
        let n = name.get_ref();
        let known =
            policy.secrets.vars.contains_key(n) || ["KOOMY_ENV", "NODE_ENV"].contains(&n.as_str());
        if !known {
            return Err(err(name.span(), format!(
                "{n} is required but has no kind: declare [secrets.vars.{n}] kind = \"…\" so that its value is checked"
            )));
        }
        if out.contains(n) {
            return Err(err(name.span(), format!("{n} is listed twice in {key}")));
        }
        out.push(name.into_inner());
    }
    Ok(out)
}

fn is_var_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

#[derive(Clone, Debug)]
enum Listed {
    Endpoint(String),
    Host(HostPattern),
    SystemIdentifier(String),
    Branch(String),
}

impl fmt::Display for Listed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Listed::Endpoint(e) => write!(f, "Neon endpoint {e}"),
            Listed::Host(h) => write!(f, "{h}"),
            Listed::SystemIdentifier(id) => write!(f, "system identifier {id}"),
            Listed::Branch(b) => write!(f, "Neon branch {b}"),
        }
    }
}

/// Every server the policy lists so far, bucketed by what identifies a server (a Neon
/// endpoint, the loopback interface, a host, a pin), so that checking a new entry against
/// the others costs its bucket, not the whole list: a policy of 80,000 hosts loads in
/// linear time.
#[derive(Default)]
struct ListedServers {
    /// Per server: the environment and the port (`None`: every port) of each entry.
    buckets: std::collections::HashMap<Bucket, Vec<(Environment, Option<u16>)>, crate::FastHash>,
}

/// What identifies a server, whatever else an entry says (its port).
#[derive(PartialEq, Eq, Hash)]
enum Bucket {
    Endpoint(String),
    Loopback,
    Host(Host),
    SystemIdentifier(String),
    Branch(String),
}

impl ListedServers {
    fn bucket(item: &Listed) -> (Bucket, Option<u16>) {
        match item {
            Listed::Endpoint(e) => (Bucket::Endpoint(e.clone()), None),
            Listed::Host(p) => (
                match &p.host {
                    Host::Neon { endpoint, .. } => Bucket::Endpoint(endpoint.clone()),
                    h if h.is_loopback() && !matches!(h, Host::Unix(_)) => Bucket::Loopback,
                    h => Bucket::Host(h.clone()),
                },
                p.port,
            ),
            Listed::SystemIdentifier(id) => (Bucket::SystemIdentifier(id.clone()), None),
            Listed::Branch(b) => (Bucket::Branch(b.clone()), None),
        }
    }

    /// Adds `item` under `env`, unless a server it overlaps is listed already: the same
    /// bucket, and a port in common (an entry without a port has every port).
    fn insert(&mut self, env: Environment, item: &Listed) -> Result<(), String> {
        let (key, port) = Self::bucket(item);
        let bucket = self.buckets.entry(key).or_default();
        for (other_env, other_port) in bucket.iter() {
            let overlap = match (other_port, port) {
                (Some(a), Some(b)) => *a == b,
                _ => true,
            };
            if overlap {
                return Err(if *other_env == env {
                    format!("{item} is listed twice under database.{env}")
                } else {
                    format!("{item} is listed under both database.{other_env} and database.{env}: a server belongs to one environment")
                });
            }
        }
        bucket.push((env, port));
        Ok(())
    }
}

/// Reads `host`, `host:port`, `[v6]`, `[v6]:port` or `/socket/dir` with the URL grammar
/// itself, so that a listed host is normalised exactly like the host of `DATABASE_URL`.
pub(crate) fn parse_host_pattern(entry: &str) -> Result<HostPattern, String> {
    let bad = |why: &str| format!("not a host or host:port ({why})");
    if entry.is_empty() {
        return Err(bad("empty"));
    }
    let (authority, port) = if entry.starts_with('/') {
        (entry.replace('%', "%25").replace('/', "%2F"), None)
    } else {
        let host_end = if entry.starts_with('[') {
            entry
                .find(']')
                .map(|i| i + 1)
                .ok_or_else(|| bad("unclosed ["))?
        } else {
            entry.find(':').unwrap_or(entry.len())
        };
        let rest = &entry[host_end..];
        let port = match rest.strip_prefix(':') {
            None if rest.is_empty() => None,
            None => return Err(bad("unexpected text after the host")),
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| bad("port out of range"))?,
            ),
            Some(_) => return Err(bad("the port must be a number")),
        };
        if entry.contains(['@', '/', '?', '#', '%']) {
            return Err(bad("only a host name, an IP address or a socket directory"));
        }
        (entry.to_owned(), port)
    };
    let host = gardefou_pgurl::parse_authority_host(&authority).map_err(|e| bad(&e.to_string()))?;
    Ok(HostPattern { host, port })
}

/// A Neon endpoint id: `ep-…`, no double dash, not the `-pooler` host's name.
fn is_endpoint_id(s: &str) -> bool {
    neon_id(s, "ep-").is_some_and(|rest| !rest.contains("--")) && !s.ends_with("-pooler")
}

/// Whether `s` is a lower-case LDH domain name of at least two labels, as the domain table
/// requires.
pub fn is_domain_name(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').count() >= 2
        && s.split('.')
            .all(|label| label.len() <= 63 && is_lower_ldh(label))
}

fn is_branch_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(['-', '/'])
        && !s.ends_with(['/', '.'])
        && !s.contains("..")
        && !s.contains("//")
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/' | b'.'))
}

/// 1-based line and column (in characters) of a byte offset, for errors in any TOML
/// file gardefou reads (the policy, the secrets registry).
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}
