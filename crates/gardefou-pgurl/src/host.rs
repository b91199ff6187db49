//! The host: what a client will connect to, normalised so that one target has
//! one value.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::UrlErrorKind as K;

/// Where the client connects, normalised.
///
/// `Display` writes the host as it appears in a URL authority: a Neon or
/// domain name as is, an IPv6 address in brackets, a Unix socket directory as
/// its path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A Neon endpoint host: `<endpoint>[-pooler].<domain>`.
    Neon {
        /// The endpoint id, `ep-…`, without `-pooler`.
        endpoint: String,
        /// Whether the host is the endpoint's connection pooler.
        pooler: bool,
        /// What follows the first label, e.g. `eu-west-2.aws.neon.tech` or
        /// `c-2.us-east-2.aws.neon.tech`.
        domain: String,
    },
    /// A DNS name: lower-case, no trailing dot, valid LDH labels.
    Domain(String),
    /// An IP address, canonical; an IPv4-mapped IPv6 address is stored as V4.
    Ip(IpAddr),
    /// An absolute Unix-socket directory (no trailing `/` except for `/`).
    Unix(String),
}

impl Host {
    /// `127.0.0.0/8`, `::1`, the name `localhost` and Unix sockets.
    ///
    /// This says where the connection goes, not what answers there: a local
    /// port can forward to production (docs/threats.md T12).
    pub fn is_loopback(&self) -> bool {
        match self {
            Host::Neon { .. } => false,
            Host::Domain(d) => d == "localhost",
            Host::Ip(ip) => ip.is_loopback(),
            Host::Unix(_) => true,
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Neon {
                endpoint,
                pooler,
                domain,
            } => {
                let pooler = if *pooler { "-pooler" } else { "" };
                write!(f, "{endpoint}{pooler}.{domain}")
            }
            Host::Domain(d) => f.write_str(d),
            Host::Ip(IpAddr::V4(ip)) => write!(f, "{ip}"),
            Host::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]"),
            Host::Unix(dir) => f.write_str(dir),
        }
    }
}

/// Reads the contents of `[…]`.
pub(crate) fn parse_bracketed_ipv6(inner: &str) -> Result<Host, K> {
    if inner.contains('%') {
        return Err(K::Ipv6ZoneId);
    }
    let ip: Ipv6Addr = inner.parse().map_err(|_| K::InvalidIpv6)?;
    let ip = match ip.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(ip),
    };
    check_specified(ip)?;
    Ok(Host::Ip(ip))
}

fn check_specified(ip: IpAddr) -> Result<(), K> {
    let unspecified = match ip {
        // 0.0.0.0/8 is "this host on this network"; 0.0.0.0 connects locally.
        IpAddr::V4(v4) => v4.octets()[0] == 0,
        IpAddr::V6(v6) => v6.is_unspecified(),
    };
    if unspecified {
        Err(K::UnspecifiedAddress)
    } else {
        Ok(())
    }
}

/// Classifies an already percent-decoded, ASCII, non-empty host that does not
/// start with `/`.
pub(crate) fn parse_named_host(decoded: &str) -> Result<Host, K> {
    if decoded.contains(':') {
        // `%3A%3A1` decodes to an IPv6 address the clients would use.
        return Err(K::InvalidIpv6);
    }
    let lower = decoded.to_ascii_lowercase();
    let (name, had_dot) = match lower.strip_suffix('.') {
        Some(n) => (n, true),
        None => (lower.as_str(), false),
    };
    if name.is_empty() {
        return Err(K::InvalidDomain);
    }
    let last = name.rsplit('.').next().unwrap_or(name);
    if looks_numeric(last) {
        // getaddrinfo reads a numeric host with inet_aton; a trailing dot
        // makes it a DNS name instead, which is a different reading.
        if had_dot {
            return Err(K::InvalidIpv4);
        }
        let ip = IpAddr::V4(inet_aton(name).ok_or(K::InvalidIpv4)?);
        check_specified(ip)?;
        return Ok(Host::Ip(ip));
    }
    validate_domain(name)?;
    if let Some(neon) = classify_neon(name)? {
        return Ok(neon);
    }
    Ok(Host::Domain(name.to_owned()))
}

/// The WHATWG rule: a host whose last label is a number is an IPv4 address or
/// nothing.
fn looks_numeric(label: &str) -> bool {
    if label.is_empty() {
        return false;
    }
    if let Some(hex) = label.strip_prefix("0x") {
        return hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    label.bytes().all(|b| b.is_ascii_digit())
}

/// IPv4 the way glibc's `inet_aton` (used by `getaddrinfo`) reads it: one to
/// four parts, each decimal, octal (`0` prefix) or hex (`0x` prefix); the last
/// part fills the remaining bytes. Stricter than glibc on one point: `0x`
/// without digits is refused.
pub(crate) fn inet_aton(s: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut values = Vec::with_capacity(parts.len());
    for part in &parts {
        values.push(parse_aton_part(part)?);
    }
    let (last, init) = values.split_last()?;
    if init.iter().any(|&v| v > 0xff) {
        return None;
    }
    let last_bits = 8 * (4 - init.len() as u32);
    if last_bits < 32 && *last >= (1u64 << last_bits) {
        return None;
    }
    if *last > u64::from(u32::MAX) {
        return None;
    }
    let mut addr: u64 = 0;
    for (i, v) in init.iter().enumerate() {
        addr |= v << (24 - 8 * i as u32);
    }
    addr |= last;
    Some(Ipv4Addr::from(u32::try_from(addr).ok()?))
}

fn parse_aton_part(part: &str) -> Option<u64> {
    let (digits, radix) = if let Some(hex) = part.strip_prefix("0x") {
        (hex, 16)
    } else if part.len() > 1 && part.starts_with('0') {
        (&part[1..], 8)
    } else {
        (part, 10)
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: u64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix)?;
        value = value
            .checked_mul(u64::from(radix))?
            .checked_add(u64::from(d))?;
        if value > u64::from(u32::MAX) {
            return None;
        }
    }
    Some(value)
}

/// LDH labels of 1–63 characters, not starting or ending with `-`, at most 253
/// characters in all. Input is lower-case without a trailing dot.
fn validate_domain(name: &str) -> Result<(), K> {
    if name.len() > 253 {
        return Err(K::InvalidDomain);
    }
    for label in name.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(K::InvalidDomain);
        }
    }
    Ok(())
}

/// `^(ep-[a-z0-9-]+?)(-pooler)?\.((?:[a-z0-9-]+\.)+)(aws|azure)\.neon\.tech$`,
/// on a validated domain. `Ok(None)`: not under `neon.tech`.
fn classify_neon(name: &str) -> Result<Option<Host>, K> {
    if name != "neon.tech" && !name.ends_with(".neon.tech") {
        return Ok(None);
    }
    let labels: Vec<&str> = name.split('.').collect();
    // first label, at least one middle label, cloud, "neon", "tech"
    if labels.len() < 5 {
        return Err(K::UnknownNeonHost);
    }
    let cloud = labels[labels.len() - 3];
    if cloud != "aws" && cloud != "azure" {
        return Err(K::UnknownNeonHost);
    }
    let first = labels[0];
    if !first.starts_with("ep-") || first.len() <= "ep-".len() {
        return Err(K::UnknownNeonHost);
    }
    let (endpoint, pooler) = match first.strip_suffix("-pooler") {
        Some(id) if id.len() > "ep-".len() => (id, true),
        _ => (first, false),
    };
    if endpoint.ends_with('-') {
        return Err(K::UnknownNeonHost);
    }
    let domain = &name[first.len() + 1..];
    Ok(Some(Host::Neon {
        endpoint: endpoint.to_owned(),
        pooler,
        domain: domain.to_owned(),
    }))
}

/// A Unix-socket directory, already decoded: absolute, segments of
/// `[A-Za-z0-9._:~+-]` that are neither `.` nor `..`, no empty segment; one
/// trailing `/` is dropped.
pub(crate) fn parse_socket_dir(decoded: &str) -> Result<Host, K> {
    if !decoded.starts_with('/') {
        return Err(K::InvalidSocketDir);
    }
    if decoded.contains(',') {
        return Err(K::MultipleHosts);
    }
    if decoded.len() > 255 {
        return Err(K::InvalidSocketDir);
    }
    if decoded == "/" {
        return Ok(Host::Unix("/".to_owned()));
    }
    let trimmed = decoded.strip_suffix('/').unwrap_or(decoded);
    for seg in trimmed[1..].split('/') {
        let ok = !seg.is_empty()
            && seg != "."
            && seg != ".."
            && seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._:~+-".contains(&b));
        if !ok {
            return Err(K::InvalidSocketDir);
        }
    }
    Ok(Host::Unix(trimmed.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_aton_forms() {
        let lo = Some(Ipv4Addr::new(127, 0, 0, 1));
        for s in [
            "127.0.0.1",
            "127.1",
            "127.0.1",
            "2130706433",
            "0x7f000001",
            "0x7f.0.0.1",
            "0177.0.0.1",
            "0177.0x0.00.01",
        ] {
            assert_eq!(inet_aton(s), lo, "{s}");
        }
        for s in [
            "127.0.0.256",
            "1.2.3.4.5",
            "4294967296",
            "08.1.1.1",
            "0x.1.1.1",
            "1..1",
            "256.1",
            "1.16777216",
            "",
        ] {
            assert_eq!(inet_aton(s), None, "{s}");
        }
        assert_eq!(
            inet_aton("1.16777215"),
            Some(Ipv4Addr::new(1, 255, 255, 255))
        );
        assert_eq!(inet_aton("4294967295"), Some(Ipv4Addr::BROADCAST));
    }

    #[test]
    fn neon_pooler_split() {
        let h = parse_named_host("ep-x-pooler.c-2.us-east-2.aws.neon.tech").unwrap();
        assert_eq!(
            h,
            Host::Neon {
                endpoint: "ep-x".into(),
                pooler: true,
                domain: "c-2.us-east-2.aws.neon.tech".into()
            }
        );
        assert_eq!(h.to_string(), "ep-x-pooler.c-2.us-east-2.aws.neon.tech");
        assert_eq!(
            parse_named_host("ep-x--pooler.r.aws.neon.tech"),
            Err(K::UnknownNeonHost)
        );
    }
}
