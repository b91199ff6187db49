//! The grammar itself. Every branch either narrows the input to one reading
//! or refuses it.

use crate::error::{UrlError, UrlErrorKind as K};
use crate::host::{parse_bracketed_ipv6, parse_named_host, parse_socket_dir, Host};
use crate::{ChannelBinding, ConnUrl, Param, Password, Scheme, SslMode};

const MAX_LEN: usize = 4096;

fn err(kind: K) -> UrlError {
    UrlError::new(kind)
}

/// RFC 3986 unreserved.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// RFC 3986 sub-delims.
fn is_sub_delim(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

/// Percent-decodes `raw`. `%` must be followed by two hex digits; `%00` is
/// refused. Returns bytes: callers decide what they accept.
fn decode_bytes(raw: &str) -> Result<Vec<u8>, K> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = bytes.get(i + 1).and_then(|&b| (b as char).to_digit(16));
            let lo = bytes.get(i + 2).and_then(|&b| (b as char).to_digit(16));
            match (hi, lo) {
                (Some(hi), Some(lo)) => {
                    let b = (hi * 16 + lo) as u8;
                    if b == 0 {
                        return Err(K::EncodedNul);
                    }
                    out.push(b);
                    i += 3;
                }
                _ => return Err(K::InvalidPercentEncoding),
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// Percent-decodes to text: no control characters, valid UTF-8.
fn decode_text(raw: &str) -> Result<String, K> {
    let bytes = decode_bytes(raw)?;
    if bytes.iter().any(|&b| b < 0x20 || b == 0x7f) {
        return Err(K::EncodedControl);
    }
    String::from_utf8(bytes).map_err(|_| K::InvalidUtf8)
}

/// Percent-decodes a host: ASCII only, no control characters.
fn decode_host(raw: &str) -> Result<String, K> {
    let bytes = decode_bytes(raw)?;
    if bytes.iter().any(|&b| b >= 0x80) {
        return Err(K::NonAscii);
    }
    if bytes.iter().any(|&b| b < 0x20 || b == 0x7f) {
        return Err(K::EncodedControl);
    }
    String::from_utf8(bytes).map_err(|_| K::InvalidUtf8)
}

/// Checks the string as a whole and returns the scheme and what follows `://`.
fn split_scheme(input: &str) -> Result<(Scheme, &str), K> {
    if input.is_empty() {
        return Err(K::Empty);
    }
    if input.len() > MAX_LEN {
        return Err(K::TooLong);
    }
    let first = input.as_bytes()[0];
    let last = input.as_bytes()[input.len() - 1];
    if first.is_ascii_whitespace() || last.is_ascii_whitespace() {
        return Err(K::SurroundingWhitespace);
    }
    let scheme = if let Some(rest) = input.strip_prefix("postgresql://") {
        Some((Scheme::Postgresql, rest))
    } else {
        input
            .strip_prefix("postgres://")
            .map(|rest| (Scheme::Postgres, rest))
    };
    let Some((scheme, rest)) = scheme else {
        let lower_prefix = |p: &str| {
            input.len() >= p.len() && input.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
        };
        if lower_prefix("postgresql://") || lower_prefix("postgres://") {
            return Err(K::SchemeNotLowercase);
        }
        if !input.contains("://") && input.contains('=') {
            return Err(K::ConninfoForm);
        }
        return Err(K::UnsupportedScheme);
    };
    for &b in input.as_bytes() {
        match b {
            0x80.. => return Err(K::NonAscii),
            0..=0x20 | 0x7f => return Err(K::WhitespaceOrControl),
            b'\\' => return Err(K::Backslash),
            b'#' => return Err(K::Fragment),
            _ => {}
        }
    }
    Ok((scheme, rest))
}

struct Userinfo {
    user: String,
    password: Option<Password>,
}

fn parse_userinfo(raw: &str) -> Result<Userinfo, K> {
    if !raw
        .bytes()
        .all(|b| is_unreserved(b) || is_sub_delim(b) || b == b':' || b == b'%')
    {
        return Err(K::UserinfoRawChar);
    }
    let (user_raw, pw_raw) = match raw.split_once(':') {
        Some((u, p)) => (u, Some(p)),
        None => (raw, None),
    };
    if user_raw.is_empty() {
        return Err(K::EmptyUser);
    }
    let user = decode_text(user_raw)?;
    let password = match pw_raw {
        None => None,
        Some("") => return Err(K::EmptyPassword),
        Some(p) => {
            let pw = decode_text(p)?;
            // Neon's proxy routes by `endpoint=<id>;…`, and by the older `project=<id>;…`.
            let starts = |p: &[u8]| {
                pw.as_bytes()
                    .get(..p.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(p))
            };
            if starts(b"endpoint=") || starts(b"project=") {
                return Err(K::NeonEndpointPassword);
            }
            Some(Password(pw.into()))
        }
    };
    Ok(Userinfo { user, password })
}

/// The authority's host, before the query is known.
enum AuthHost {
    Empty,
    Host(Host),
}

fn parse_port(raw: &str) -> Result<u16, K> {
    let ok = (1..=5).contains(&raw.len())
        && raw.bytes().all(|b| b.is_ascii_digit())
        && !raw.starts_with('0');
    if !ok {
        return Err(K::InvalidPort);
    }
    raw.parse::<u16>().map_err(|_| K::InvalidPort)
}

fn parse_hostport(raw: &str) -> Result<(AuthHost, Option<u16>), K> {
    if raw.is_empty() {
        return Ok((AuthHost::Empty, None));
    }
    if let Some(after_bracket) = raw.strip_prefix('[') {
        let Some((inner, tail)) = after_bracket.split_once(']') else {
            return Err(K::InvalidIpv6);
        };
        let port = match tail {
            "" => None,
            t => match t.strip_prefix(':') {
                Some(p) => Some(parse_port(p)?),
                None => return Err(K::InvalidIpv6),
            },
        };
        return Ok((AuthHost::Host(parse_bracketed_ipv6(inner)?), port));
    }
    if raw.contains(',') {
        return Err(K::MultipleHosts);
    }
    if raw.bytes().filter(|&b| b == b':').count() > 1 {
        return Err(K::InvalidIpv6);
    }
    let (host_raw, port) = match raw.split_once(':') {
        Some((h, p)) => (h, Some(parse_port(p)?)),
        None => (raw, None),
    };
    if host_raw.is_empty() {
        // `:5432` with no host: libpq uses a socket, node fails.
        return Err(K::EmptyHost);
    }
    if !host_raw.bytes().all(|b| is_unreserved(b) || b == b'%') {
        if host_raw.contains(['[', ']']) {
            return Err(K::InvalidIpv6);
        }
        return Err(K::InvalidDomain);
    }
    let decoded = decode_host(host_raw)?;
    if decoded.contains(',') {
        // libpq splits the decoded host list on ','.
        return Err(K::MultipleHosts);
    }
    let host = if decoded.starts_with('/') {
        parse_socket_dir(&decoded)?
    } else {
        parse_named_host(&decoded)?
    };
    Ok((AuthHost::Host(host), port))
}

/// The host of a URL authority (`host`, `host:port`, `[v6]:port`, `%2Fsocket%2Fdir`), read
/// exactly as [`parse`] reads it.
pub(crate) fn authority_host(raw: &str) -> Result<Host, UrlError> {
    match parse_hostport(raw).map_err(err)? {
        (AuthHost::Host(h), _) => Ok(h),
        (AuthHost::Empty, _) => Err(err(K::EmptyHost)),
    }
}

fn parse_dbname(raw: &str) -> Result<String, K> {
    if raw.is_empty() {
        return Err(K::MissingDbname);
    }
    if raw.contains('/') {
        return Err(K::InvalidDbname);
    }
    if !raw
        .bytes()
        .all(|b| is_unreserved(b) || is_sub_delim(b) || b == b':' || b == b'%')
    {
        return Err(K::MustBeEncoded);
    }
    // node-postgres decodes the path with decodeURI, which leaves these
    // escapes encoded; libpq and tokio-postgres decode them.
    let mut rest = raw;
    while let Some(i) = rest.find('%') {
        let esc = rest.get(i + 1..i + 3).ok_or(K::InvalidPercentEncoding)?;
        let byte = u8::from_str_radix(esc, 16).map_err(|_| K::InvalidPercentEncoding)?;
        if b";/?:@&=+$,#".contains(&byte) {
            return Err(K::InvalidDbname);
        }
        rest = &rest[i + 3..];
    }
    let name = decode_text(raw)?;
    // WHATWG parsers drop `.` and `..` path segments (also spelled %2e).
    if name == "." || name == ".." {
        return Err(K::InvalidDbname);
    }
    Ok(name)
}

fn parse_query(raw: &str) -> Result<Vec<(Param, String)>, UrlError> {
    if raw.is_empty() {
        return Err(err(K::MalformedQuery));
    }
    let mut out: Vec<(Param, String)> = Vec::new();
    for pair in raw.split('&') {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(err(K::MalformedQuery));
        };
        if key.is_empty() || value.contains('=') {
            return Err(err(K::MalformedQuery));
        }
        for b in key.bytes().chain(value.bytes()) {
            if b == b'+' {
                return Err(err(K::PlusInQuery));
            }
            if !(is_unreserved(b) || is_sub_delim(b) || matches!(b, b':' | b'/' | b'?' | b'%')) {
                return Err(err(K::MustBeEncoded));
            }
        }
        let param = match key {
            "sslmode" => Param::SslMode,
            "channel_binding" => Param::ChannelBinding,
            "connect_timeout" => Param::ConnectTimeout,
            "application_name" => Param::ApplicationName,
            "sslrootcert" => Param::SslRootCert,
            "sslcert" => Param::SslCert,
            "sslkey" => Param::SslKey,
            "sslsni" => Param::SslSni,
            "host" => Param::Host,
            "schema" => Param::Schema,
            "pgbouncer" => Param::PgBouncer,
            "connection_limit" => Param::ConnectionLimit,
            "pool_timeout" => Param::PoolTimeout,
            "target_session_attrs" => Param::TargetSessionAttrs,
            "keepalives" => Param::Keepalives,
            "sslnegotiation" => Param::SslNegotiation,
            "client_encoding" => Param::ClientEncoding,
            "ssl" => Param::Ssl,
            "hostaddr" => return Err(err(K::HostaddrParam)),
            "port" => return Err(err(K::PortParam)),
            "dbname" => return Err(err(K::DbnameParam)),
            "user" => return Err(err(K::UserParam)),
            "password" => return Err(err(K::PasswordParam)),
            "options" => return Err(err(K::OptionsParam)),
            "service" => return Err(err(K::ServiceParam)),
            "passfile" => return Err(err(K::PassfileParam)),
            other => return Err(UrlError::unknown_param(other)),
        };
        if out.iter().any(|(p, _)| *p == param) {
            return Err(UrlError::with_param(K::DuplicateParam, param));
        }
        if value.is_empty() {
            return Err(UrlError::with_param(K::EmptyParamValue, param));
        }
        let value = decode_text(value).map_err(err)?;
        let valid = match param {
            Param::SslMode => SslMode::from_str_exact(&value).is_some(),
            Param::ChannelBinding => ChannelBinding::from_str_exact(&value).is_some(),
            Param::ConnectTimeout => value.len() <= 9 && value.bytes().all(|b| b.is_ascii_digit()),
            Param::SslSni => value == "1",
            Param::Schema => {
                value.len() <= 63
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    && !value.as_bytes()[0].is_ascii_digit()
            }
            Param::PgBouncer => matches!(value.as_str(), "true" | "false"),
            Param::ConnectionLimit | Param::PoolTimeout => {
                value.len() <= 6 && value.bytes().all(|b| b.is_ascii_digit())
            }
            Param::TargetSessionAttrs => matches!(
                value.as_str(),
                "any" | "read-write" | "read-only" | "primary" | "standby" | "prefer-standby"
            ),
            Param::Keepalives => matches!(value.as_str(), "0" | "1"),
            Param::SslNegotiation => matches!(value.as_str(), "postgres" | "direct"),
            Param::ClientEncoding => {
                value.len() <= 32
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            }
            Param::Ssl => matches!(value.as_str(), "true" | "false" | "1" | "0"),
            Param::ApplicationName | Param::SslRootCert | Param::SslCert | Param::SslKey => true,
            // checked by the caller, which knows the authority
            Param::Host => true,
        };
        if !valid {
            return Err(UrlError::with_param(K::InvalidParamValue, param));
        }
        out.push((param, value));
    }
    Ok(out)
}

pub(crate) fn parse(input: &str) -> Result<ConnUrl, UrlError> {
    let (scheme, rest) = split_scheme(input).map_err(err)?;

    // At most one raw '@', and it must end the authority's user info:
    // libpq splits at the first '@' before a '/', tokio-postgres at the first
    // '@' anywhere, WHATWG parsers at the last '@' before '/', '?' or '#'.
    let mut ats = rest.match_indices('@');
    let (userinfo, after_userinfo) = match (ats.next(), ats.next()) {
        (Some(_), Some(_)) => return Err(err(K::MultipleAt)),
        (Some((at, _)), None) => {
            if rest[..at].contains(['/', '?']) {
                return Err(err(K::AmbiguousAt));
            }
            (
                Some(parse_userinfo(&rest[..at]).map_err(err)?),
                &rest[at + 1..],
            )
        }
        (None, _) => (None, rest),
    };

    let auth_end = after_userinfo
        .find(['/', '?'])
        .unwrap_or(after_userinfo.len());
    let (authority, after_auth) = after_userinfo.split_at(auth_end);
    let (auth_host, port) = parse_hostport(authority).map_err(err)?;

    let (path, query) = match after_auth.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (after_auth, None),
    };
    let dbname = match path.strip_prefix('/') {
        Some(db) => parse_dbname(db).map_err(err)?,
        None => return Err(err(K::MissingDbname)),
    };
    let params = match query {
        Some(q) => parse_query(q)?,
        None => Vec::new(),
    };

    let host_param = params.iter().find(|(p, _)| *p == Param::Host);
    let host = match (auth_host, host_param) {
        (AuthHost::Host(_), Some(_)) => return Err(err(K::HostParamOverride)),
        (AuthHost::Host(h), None) => h,
        (AuthHost::Empty, None) => return Err(err(K::EmptyHost)),
        (AuthHost::Empty, Some((_, dir))) => {
            if !dir.starts_with('/') {
                return Err(err(K::HostParamNotSocket));
            }
            if !dir.is_ascii() {
                return Err(err(K::NonAscii));
            }
            parse_socket_dir(dir).map_err(err)?
        }
    };

    let sslmode = params
        .iter()
        .find(|(p, _)| *p == Param::SslMode)
        .and_then(|(_, v)| SslMode::from_str_exact(v));
    let channel_binding = params
        .iter()
        .find(|(p, _)| *p == Param::ChannelBinding)
        .and_then(|(_, v)| ChannelBinding::from_str_exact(v));

    let (user, password) = match userinfo {
        Some(u) => (Some(u.user), u.password),
        None => (None, None),
    };
    Ok(ConnUrl {
        scheme,
        user,
        password,
        host,
        port,
        dbname,
        sslmode,
        channel_binding,
        params,
    })
}
