//! `--resolve`: follow every production and sandbox name through DNS, then judge the chains.
//!
//! Resolution ([`resolve`]) is the only I/O; the judgement ([`analyze`]) is a pure function of
//! the table and the chains, so every rule is testable without a network.
//!
//! Chains are followed one link at a time (a `CNAME` query per name, then `A` and `AAAA` at
//! the end of the chain) rather than trusting a resolver to chase them, so that every
//! intermediate name is seen, loops are caught, and a name queried is always the absolute
//! name (trailing dot: no search domain of the machine is ever appended).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use gardefou_findings::Finding;
use gardefou_policy::{DomainTable, Environment, SharedAddresses};
use hickory_resolver::config::{NameServerConfig, ResolveHosts, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{Name, RData, RecordType};
use hickory_resolver::{Resolver, TokioResolver};

use crate::rules;

/// Longest CNAME chain followed; longer is refused like a loop.
pub const MAX_CHAIN: usize = 16;

/// Which nameserver answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Nameserver {
    /// The machine's resolver configuration (`/etc/resolv.conf`). Its search domains are
    /// never used: every query is for an absolute name.
    System,
    /// One server, over UDP with TCP fallback.
    Addr(SocketAddr),
}

/// A nameserver given as something other than an address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a nameserver address (IP, IP:PORT or [IPv6]:PORT): {text}")]
pub struct NameserverError {
    /// What was given.
    pub text: String,
}

impl Nameserver {
    /// Reads `IP`, `IP:PORT` or `[IPv6]:PORT` (port 53 by default).
    pub fn parse(text: &str) -> Result<Nameserver, NameserverError> {
        if let Ok(addr) = text.parse::<SocketAddr>() {
            return Ok(Nameserver::Addr(addr));
        }
        if let Ok(ip) = text.parse::<IpAddr>() {
            return Ok(Nameserver::Addr(SocketAddr::new(ip, 53)));
        }
        Err(NameserverError {
            text: text.to_owned(),
        })
    }
}

impl fmt::Display for Nameserver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Nameserver::System => f.write_str("the system resolver"),
            Nameserver::Addr(a) => write!(f, "{a}"),
        }
    }
}

/// How to resolve.
#[derive(Clone, Debug)]
pub struct ResolveOptions {
    /// Which nameserver.
    pub nameserver: Nameserver,
    /// Per-query timeout (each query is tried twice).
    pub timeout: Duration,
}

impl Default for ResolveOptions {
    fn default() -> Self {
        ResolveOptions {
            nameserver: Nameserver::System,
            timeout: Duration::from_secs(3),
        }
    }
}

/// Resolution could not even start (distinct from a name that does not resolve, which is a
/// finding).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// The system resolver configuration is missing or unreadable.
    #[error("cannot read the system resolver configuration: {0}")]
    SystemConfig(String),
    /// The resolver could not be built.
    #[error("cannot start the DNS resolver: {0}")]
    Resolver(String),
    /// The async runtime could not start.
    #[error("cannot start the DNS resolver: {0}")]
    Runtime(#[from] std::io::Error),
}

/// One name followed through DNS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    /// The name, then every CNAME target in order; lower case, without the trailing dot.
    pub chain: Vec<String>,
    /// Where the chain ended.
    pub outcome: Outcome,
}

/// How a chain ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The last name of the chain has these addresses (at least one).
    Addresses(BTreeSet<IpAddr>),
    /// A name of the chain did not resolve.
    Unresolvable {
        /// The name whose query failed (the last of the chain).
        name: String,
        /// Why, e.g. `NXDOMAIN`, `no A or AAAA record`, `timeout`.
        reason: String,
    },
    /// The chain came back to a name it had already passed (the last of the chain).
    Loop,
    /// The chain is longer than [`MAX_CHAIN`].
    TooLong,
}

impl Resolution {
    /// The chain as `a → b → c`.
    pub fn path(&self) -> String {
        self.chain.join(" → ")
    }

    /// The addresses, if the chain ended in some.
    pub fn addresses(&self) -> Option<&BTreeSet<IpAddr>> {
        match &self.outcome {
            Outcome::Addresses(a) => Some(a),
            _ => None,
        }
    }
}

/// Resolves every production and sandbox name of the table (local names are not resolved:
/// local uses loopback). Names that fail are [`Outcome::Unresolvable`], not errors.
pub fn resolve(
    table: &DomainTable,
    options: &ResolveOptions,
) -> Result<BTreeMap<String, Resolution>, ResolveError> {
    let names: BTreeSet<String> = [Environment::Production, Environment::Sandbox]
        .into_iter()
        .flat_map(|env| table.names(env).values().cloned())
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let resolver = build_resolver(options)?;
        let mut tasks = tokio::task::JoinSet::new();
        for name in names {
            let resolver = resolver.clone();
            tasks.spawn(async move {
                let resolution = follow(&resolver, &name).await;
                (name, resolution)
            });
        }
        let mut out = BTreeMap::new();
        while let Some(done) = tasks.join_next().await {
            let (name, resolution) = done.map_err(|e| ResolveError::Resolver(e.to_string()))?;
            out.insert(name, resolution);
        }
        Ok(out)
    })
}

fn build_resolver(options: &ResolveOptions) -> Result<TokioResolver, ResolveError> {
    let mut builder = match &options.nameserver {
        Nameserver::System => {
            TokioResolver::builder_tokio().map_err(|e| ResolveError::SystemConfig(e.to_string()))?
        }
        Nameserver::Addr(addr) => {
            let mut server = NameServerConfig::udp_and_tcp(addr.ip());
            for connection in &mut server.connections {
                connection.port = addr.port();
            }
            Resolver::builder_with_config(
                ResolverConfig::from_name_servers(vec![server]),
                TokioRuntimeProvider::default(),
            )
        }
    };
    let opts = builder.options_mut();
    opts.timeout = options.timeout;
    opts.attempts = 2;
    // /etc/hosts could make a name look safe (or unsafe) on this machine only.
    opts.use_hosts_file = ResolveHosts::Never;
    opts.try_tcp_on_error = true;
    opts.ndots = 0;
    builder
        .build()
        .map_err(|e| ResolveError::Resolver(e.to_string()))
}

async fn follow(resolver: &TokioResolver, start: &str) -> Resolution {
    let mut chain = vec![start.to_owned()];
    let unresolvable = |chain: Vec<String>, reason: String| {
        let name = chain.last().cloned().unwrap_or_default();
        Resolution {
            chain,
            outcome: Outcome::Unresolvable { name, reason },
        }
    };
    loop {
        let current = chain.last().expect("chain starts non-empty").clone();
        let Ok(query_name) = Name::from_ascii(format!("{current}.")) else {
            return unresolvable(chain, "not a domain name".into());
        };
        match resolver.lookup(query_name.clone(), RecordType::CNAME).await {
            Ok(lookup) => {
                let target = lookup.answers().iter().find_map(|r| match &r.data {
                    RData::CNAME(cname) if r.name == query_name => Some(normalise(&cname.0)),
                    _ => None,
                });
                if let Some(target) = target {
                    if chain.contains(&target) {
                        chain.push(target);
                        return Resolution {
                            chain,
                            outcome: Outcome::Loop,
                        };
                    }
                    chain.push(target);
                    if chain.len() > MAX_CHAIN + 1 {
                        return Resolution {
                            chain,
                            outcome: Outcome::TooLong,
                        };
                    }
                    continue;
                }
            }
            Err(e) => match no_data(&e) {
                Some(true) => {}
                _ => return unresolvable(chain, describe(&e)),
            },
        }
        // The end of the chain: its addresses.
        let mut addresses = BTreeSet::new();
        for record_type in [RecordType::A, RecordType::AAAA] {
            match resolver.lookup(query_name.clone(), record_type).await {
                Ok(lookup) => {
                    addresses.extend(lookup.answers().iter().filter_map(|r| match &r.data {
                        RData::A(a) if r.name == query_name => Some(IpAddr::V4(a.0)),
                        RData::AAAA(a) if r.name == query_name => Some(IpAddr::V6(a.0)),
                        _ => None,
                    }))
                }
                Err(e) if no_data(&e) == Some(true) => {}
                Err(e) => return unresolvable(chain, describe(&e)),
            }
        }
        if addresses.is_empty() {
            return unresolvable(chain, "no A or AAAA record".into());
        }
        return Resolution {
            chain,
            outcome: Outcome::Addresses(addresses),
        };
    }
}

/// `Some(true)` for "the name exists but has no record of this type" (NOERROR, no answer).
fn no_data(e: &NetError) -> Option<bool> {
    match e {
        NetError::Dns(DnsError::NoRecordsFound(nr)) => {
            Some(nr.response_code == ResponseCode::NoError)
        }
        _ => None,
    }
}

fn describe(e: &NetError) -> String {
    let code = |c: &ResponseCode| match c {
        ResponseCode::NXDomain => "NXDOMAIN".to_owned(),
        ResponseCode::ServFail => "SERVFAIL".to_owned(),
        ResponseCode::Refused => "REFUSED".to_owned(),
        other => other.to_string(),
    };
    match e {
        NetError::Dns(DnsError::NoRecordsFound(nr)) => code(&nr.response_code),
        NetError::Dns(DnsError::ResponseCode(c)) => code(c),
        NetError::Timeout => "timeout".to_owned(),
        other => other.to_string(),
    }
}

fn normalise(name: &Name) -> String {
    let mut s = name.to_ascii().to_ascii_lowercase();
    if s.ends_with('.') {
        s.pop();
    }
    s
}

/// Judges resolved chains against the table: unresolvable names and loops, sandbox names
/// that reach production, and shared addresses (weighed by `shared`).
pub fn analyze(
    table: &DomainTable,
    resolutions: &BTreeMap<String, Resolution>,
    shared: SharedAddresses,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let missing = |name: &str| Resolution {
        chain: vec![name.to_owned()],
        outcome: Outcome::Unresolvable {
            name: name.to_owned(),
            reason: "not resolved".into(),
        },
    };
    let lookup = |name: &str| {
        resolutions
            .get(name)
            .cloned()
            .unwrap_or_else(|| missing(name))
    };

    for env in [Environment::Production, Environment::Sandbox] {
        for (role, name) in table.names(env) {
            let r = lookup(name);
            let place = format!("domains.{env}.{role} {name}");
            match &r.outcome {
                Outcome::Addresses(_) => {}
                Outcome::Unresolvable { name: at, reason } if at == name => {
                    findings.push(rules::DOMAIN_UNRESOLVABLE.error(gardefou_findings::tr!(
                        "{place} does not resolve: {reason}",
                        "{place} ne se résout pas : {reason}"
                    )))
                }
                Outcome::Unresolvable { name: at, reason } => {
                    let chain = r.path();
                    findings.push(rules::DOMAIN_UNRESOLVABLE.error(gardefou_findings::tr!(
                        "{place} does not resolve: {reason} for {at} (chain: {chain})",
                        "{place} ne se résout pas : {reason} pour {at} (chaîne : {chain})"
                    )))
                }
                Outcome::Loop => findings.push(rules::DOMAIN_CNAME_LOOP.error({
                    let chain = r.path();
                    gardefou_findings::tr!(
                        "{place}: the CNAME chain loops: {chain}",
                        "{place} : la chaîne de CNAME boucle : {chain}"
                    )
                })),
                Outcome::TooLong => {
                    let chain = r.path();
                    findings.push(rules::DOMAIN_CNAME_LOOP.error(gardefou_findings::tr!(
                        "{place}: the CNAME chain is longer than {MAX_CHAIN} links: {chain}",
                        "{place} : la chaîne de CNAME dépasse {MAX_CHAIN} maillons : {chain}"
                    )))
                }
            }
        }
    }

    // Every name a production chain passes through, with the production names that reach it.
    let mut production_reach: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for name in table.production.values() {
        for hop in lookup(name).chain {
            production_reach.entry(hop).or_default().insert(name);
        }
    }
    for (role, name) in &table.sandbox {
        let r = lookup(name);
        let place = format!("domains.sandbox.{role} {name}");
        let hit = r
            .chain
            .iter()
            .enumerate()
            .find_map(|(i, hop)| production_reach.get(hop).map(|p| (i, hop, p)));
        if let Some((i, hop, production)) = hit {
            let via = &r.chain[..=i].join(" → ");
            let message = if production.contains(hop.as_str()) {
                gardefou_findings::tr!(
                    "{place} reaches the production name {hop}: {via}",
                    "{place} atteint le nom de production {hop} : {via}"
                )
            } else {
                let names: Vec<&str> = production.iter().copied().collect();
                let one = names.len() == 1;
                let (name_en, es) = if one { ("name", "es") } else { ("names", "") };
                let (name_fr, nt) = if one {
                    ("le nom", "")
                } else {
                    ("les noms", "nt")
                };
                let names = names.join(", ");
                gardefou_findings::tr!(
                    "{place} reaches {hop}, which production {name_en} {names} also reach{es}: {via}",
                    "{place} atteint {hop}, qu'atteigne{nt} aussi {name_fr} de production {names} : {via}"
                )
            };
            findings.push(rules::DOMAIN_SANDBOX_REACHES_PRODUCTION.error(message));
            // Its addresses are production's by construction: one finding says it.
            continue;
        }
        let Some(sandbox_addresses) = r.addresses() else {
            continue;
        };
        let mut common: BTreeSet<IpAddr> = BTreeSet::new();
        let mut with: Vec<&str> = Vec::new();
        for production in table.production.values() {
            if let Some(addresses) = lookup(production).addresses() {
                let shared_here: Vec<IpAddr> =
                    sandbox_addresses.intersection(addresses).copied().collect();
                if !shared_here.is_empty() {
                    common.extend(shared_here);
                    with.push(production);
                }
            }
        }
        if !with.is_empty() {
            with.sort_unstable();
            with.dedup();
            let list: Vec<String> = common.iter().map(IpAddr::to_string).collect();
            let (address, adresse) = if list.len() == 1 {
                ("address", "l'adresse")
            } else {
                ("addresses", "les adresses")
            };
            let (list, with) = (list.join(", "), with.join(", "));
            let message = gardefou_findings::tr!(
                "{place} shares {address} {list} with production {with}",
                "{place} partage {adresse} {list} avec la production {with}"
            );
            findings.push(match shared {
                SharedAddresses::Warning => rules::DOMAIN_SHARED_ADDRESS.warning(message),
                SharedAddresses::Error => rules::DOMAIN_SHARED_ADDRESS.error(message),
            });
        }
    }
    findings
}
