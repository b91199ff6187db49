//! The policy model: what only the company knows, on top of the policy's fixed rules.

use std::collections::BTreeMap;
use std::fmt;

use gardefou_pgurl::Host;

use crate::Environment;

/// Koomy's policy, as data. [`Policy::koomy`] is the built-in default; a `gardefou.toml`
/// (see [`crate::file`]) overlays it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Which database servers belong to which environment (§4.1).
    pub database: DatabasePolicy,
    /// The domain table of §9.
    pub domains: DomainTable,
    /// The branches of §10.
    pub release: ReleasePolicy,
    /// What the secret scanner may skip.
    pub scan: ScanPolicy,
    /// Secrets and configured URLs (§7, §9): which variables, of which kind, required.
    pub secrets: crate::secrets::SecretsPolicy,
    /// Where seed scripts may run (§6).
    pub seed: SeedPolicy,
    /// Where the policy file must be signed (`[policy]`, §11).
    pub signature: crate::signature::SignaturePolicy,
    /// Where this policy came from and what its signature check found. Not part of what
    /// the policy says: [`crate::diff`] ignores it.
    pub origin: crate::signature::Origin,
}

impl Policy {
    /// Koomy's built-in policy. It lists no database: only the company knows its Neon
    /// endpoints, and until they are filled in nothing can be production or sandbox.
    pub fn koomy() -> Self {
        Policy {
            database: DatabasePolicy::default(),
            domains: DomainTable::koomy(),
            release: ReleasePolicy::default(),
            scan: ScanPolicy::default(),
            secrets: crate::secrets::SecretsPolicy::koomy(),
            seed: SeedPolicy::default(),
            signature: crate::signature::SignaturePolicy::default(),
            origin: crate::signature::Origin::BuiltIn,
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::koomy()
    }
}

/// The live probe's default time limit: connecting, TLS, authentication and the identity
/// queries together (`[database] connect_timeout_ms`).
pub const DEFAULT_CONNECT_TIMEOUT_MS: u64 = 5_000;

/// Database targets per environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabasePolicy {
    /// PROD: Neon branch `main` / `production`.
    pub production: DatabaseTargets,
    /// SANDBOX: Neon branch `development`.
    pub sandbox: DatabaseTargets,
    /// LOCAL: a local database or a dedicated Neon database. Loopback addresses and Unix
    /// sockets are local unless another environment lists them.
    pub local: DatabaseTargets,
    /// How long the live probe may take in all before the server is refused as
    /// unreachable, in milliseconds.
    pub connect_timeout_ms: u64,
    /// The PostgreSQL clients the applications use: a URL any of them would read
    /// differently is refused. Default: every client gardefou knows.
    pub clients: Vec<gardefou_pgurl::Client>,
}

impl Default for DatabasePolicy {
    fn default() -> Self {
        DatabasePolicy {
            production: DatabaseTargets::default(),
            sandbox: DatabaseTargets::default(),
            local: DatabaseTargets::default(),
            connect_timeout_ms: DEFAULT_CONNECT_TIMEOUT_MS,
            clients: gardefou_pgurl::Client::ALL.to_vec(),
        }
    }
}

impl DatabasePolicy {
    /// The targets of one environment.
    pub fn targets(&self, env: Environment) -> &DatabaseTargets {
        match env {
            Environment::Production => &self.production,
            Environment::Sandbox => &self.sandbox,
            Environment::Local => &self.local,
        }
    }

    pub(crate) fn targets_mut(&mut self, env: Environment) -> &mut DatabaseTargets {
        match env {
            Environment::Production => &mut self.production,
            Environment::Sandbox => &mut self.sandbox,
            Environment::Local => &mut self.local,
        }
    }
}

/// The database servers of one environment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DatabaseTargets {
    /// Neon endpoint ids (`ep-…`); the endpoint's `-pooler` host is the same endpoint.
    pub neon_endpoints: Vec<String>,
    /// Other servers: a host (any port) or a host and port.
    pub hosts: Vec<HostPattern>,
    /// The physical servers of this environment, pinned by the system identifier their
    /// `initdb` chose (decimal): the live probe refuses a server listed under another
    /// environment, and, when the list is not empty, a server of this environment that is
    /// not on it.
    pub system_identifiers: Vec<String>,
    /// The same pin for Neon: branch ids (`br-…`).
    pub neon_branches: Vec<String>,
    /// Whether a database without gardefou's stamp may run. Only `[database.local]` may
    /// say so; the policy file refuses it elsewhere.
    pub allow_unstamped: bool,
}

impl DatabaseTargets {
    /// Whether nothing is listed.
    pub fn is_empty(&self) -> bool {
        self.neon_endpoints.is_empty() && self.hosts.is_empty()
    }
}

/// A listed server: a normalised host and, optionally, one port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPattern {
    /// Normalised with the same grammar as `DATABASE_URL`.
    pub host: Host,
    /// `None` matches every port.
    pub port: Option<u16>,
}

impl HostPattern {
    /// Whether a connection to `host:port` is this server.
    pub fn matches(&self, host: &Host, port: u16) -> bool {
        same_server(&self.host, host) && self.port.is_none_or(|p| p == port)
    }

    /// Whether some connection matches both patterns.
    pub fn overlaps(&self, other: &HostPattern) -> bool {
        same_server(&self.host, &other.host)
            && match (self.port, other.port) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", DisplayHost(&self.host))?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        Ok(())
    }
}

/// Two hosts name the same server: Neon hosts by endpoint id (the pooler is the same
/// endpoint), others by their normalised form.
///
/// Every TCP loopback spelling (`localhost`, `127.0.0.1`, `127.1`, `[::1]`,
/// `[::ffff:127.0.0.1]`) is one server: a listener on a loopback port is reached by all of
/// them, so a tunnel declared as `localhost:6543` is also `127.0.0.1:6543`.
pub fn same_server(a: &Host, b: &Host) -> bool {
    let loopback_tcp = |h: &Host| h.is_loopback() && !matches!(h, Host::Unix(_));
    match (a, b) {
        (Host::Neon { endpoint: x, .. }, Host::Neon { endpoint: y, .. }) => x == y,
        _ if loopback_tcp(a) && loopback_tcp(b) => true,
        _ => a == b,
    }
}

/// Shows a host the way a person writes it: `[::1]`, `ep-x-pooler.region.aws.neon.tech`,
/// `/var/run/postgresql`.
pub struct DisplayHost<'a>(pub &'a Host);

impl fmt::Display for DisplayHost<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Host::Neon {
                endpoint,
                pooler,
                domain,
            } => write!(
                f,
                "{endpoint}{}.{domain}",
                if *pooler { "-pooler" } else { "" }
            ),
            Host::Domain(d) => f.write_str(d),
            Host::Ip(std::net::IpAddr::V6(ip)) => write!(f, "[{ip}]"),
            Host::Ip(ip) => write!(f, "{ip}"),
            Host::Unix(dir) => f.write_str(dir),
        }
    }
}

/// The §9 domain table: role → domain name, per environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainTable {
    /// Production names by role.
    pub production: BTreeMap<String, String>,
    /// Sandbox names by role.
    pub sandbox: BTreeMap<String, String>,
    /// Local names by role (none by default: local uses loopback).
    pub local: BTreeMap<String, String>,
    /// How `gardefou domains check --resolve` weighs an address that a sandbox name and a
    /// production name both resolve to (CDNs share addresses, so a warning by default).
    pub shared_addresses: SharedAddresses,
}

/// The weight of an address shared by a sandbox name and a production name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SharedAddresses {
    /// Reported, does not refuse (the default: CDNs and load balancers share addresses).
    #[default]
    Warning,
    /// Refuses.
    Error,
}

impl DomainTable {
    /// The table of §9.
    pub fn koomy() -> Self {
        let table = |rows: [(&str, &str); 5]| {
            rows.into_iter()
                .map(|(role, name)| (role.to_owned(), name.to_owned()))
                .collect()
        };
        DomainTable {
            production: table([
                ("public_site", "www.koomy.app"),
                ("app", "koomy.app"),
                ("api", "api.koomy.app"),
                ("backoffice", "backoffice.koomy.app"),
                ("admin_console", "lorpesikoomyadmin.koomy.app"),
            ]),
            sandbox: table([
                ("public_site", "sitepublic-sandbox.koomy.app"),
                ("app", "sandbox.koomy.app"),
                ("api", "api-sandbox.koomy.app"),
                ("backoffice", "backoffice-sandbox.koomy.app"),
                ("admin_console", "lorpesikoomyadmin-sandbox.koomy.app"),
            ]),
            local: BTreeMap::new(),
            shared_addresses: SharedAddresses::Warning,
        }
    }

    /// The names of one environment.
    pub fn names(&self, env: Environment) -> &BTreeMap<String, String> {
        match env {
            Environment::Production => &self.production,
            Environment::Sandbox => &self.sandbox,
            Environment::Local => &self.local,
        }
    }
}

/// §10: which branch deploys where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleasePolicy {
    /// PROD deploys only from this branch (`main`).
    pub production_branch: String,
    /// SANDBOX deploys only from this branch (`staging`).
    pub sandbox_branch: String,
}

impl Default for ReleasePolicy {
    fn default() -> Self {
        ReleasePolicy {
            production_branch: "main".to_owned(),
            sandbox_branch: "staging".to_owned(),
        }
    }
}

/// §6: the environments where `gardefou seed` may run a seed script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedPolicy {
    /// `sandbox` by default; the policy may add `local`. Never `production`.
    pub environments: Vec<Environment>,
}

impl Default for SeedPolicy {
    fn default() -> Self {
        SeedPolicy {
            environments: vec![Environment::Sandbox],
        }
    }
}

/// The scanner's part of the policy (§7.1): explicit exceptions only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanPolicy {
    /// Glob patterns of paths (relative to the scanned root) whose findings are allowed,
    /// e.g. the scanner's own rule example files.
    pub allow_paths: Vec<String>,
    /// Files larger than this many bytes are skipped.
    pub max_file_size: u64,
}

impl Default for ScanPolicy {
    fn default() -> Self {
        ScanPolicy {
            allow_paths: Vec::new(),
            // The scanner's own default (`gardefou_scan::DEFAULT_MAX_FILE_SIZE`): one figure.
            max_file_size: 4 * 1024 * 1024,
        }
    }
}
