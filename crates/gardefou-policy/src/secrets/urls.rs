//! The configured URLs of §9 (`APP_URL`, `API_URL`, …, `CORS_ORIGINS`), read with one
//! strict grammar so that the host a browser or HTTP client will reach is the host that is
//! compared with the domain table.
//!
//! Accepted: `https://host[:port][/path]` (an origin list takes no path), with `host` a
//! lower-case DNS name, or for local only `localhost`, `127.x.y.z` or `[::1]`, which may
//! also use `http://`. Refused, because clients read them differently or they hide the
//! real host: user info (`https://sandbox.koomy.app@api.koomy.app`), a backslash (WHATWG
//! reads it as `/`), percent-encoding or non-ASCII in the host, a trailing dot, upper
//! case, numeric hosts other than a canonical loopback address, query strings, fragments,
//! white space and control characters.

use std::net::Ipv4Addr;

/// A URL that passed the grammar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebUrl {
    /// `false` for `https`.
    pub http: bool,
    /// The host, lower case, IPv6 in brackets.
    pub host: String,
}

impl WebUrl {
    /// Whether the host is a loopback name or address.
    pub fn is_loopback(&self) -> bool {
        self.host == "localhost"
            || self.host == "[::1]"
            || self
                .host
                .parse::<Ipv4Addr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

/// Reads one URL. `origin` refuses any path (a CORS origin is `scheme://host[:port]`).
/// The error explains what is wrong without quoting the value.
pub fn parse(value: &str, origin: bool) -> Result<WebUrl, String> {
    if value.is_empty() {
        return Err("it is empty".into());
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it contains white space or control characters".into());
    }
    if !value.is_ascii() {
        return Err("it contains non-ASCII characters".into());
    }
    if value.contains('\\') {
        return Err("it contains a backslash, which browsers read as /".into());
    }
    let (http, rest) = if let Some(rest) = value.strip_prefix("https://") {
        (false, rest)
    } else if let Some(rest) = value.strip_prefix("http://") {
        (true, rest)
    } else if value.to_ascii_lowercase().starts_with("http") {
        return Err("its scheme must be written https:// (lower case, two slashes)".into());
    } else {
        return Err("it does not start with https://".into());
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if tail.contains(['?', '#']) {
        return Err("it has a query string or a fragment".into());
    }
    if origin && !tail.is_empty() {
        return Err("an origin has no path, not even a trailing /".into());
    }
    if authority.contains('@') || tail.contains('@') {
        return Err("it contains @ (user info hides the real host)".into());
    }
    if authority.contains('%') {
        return Err("its host is percent-encoded".into());
    }
    let (host, port) = if authority.starts_with('[') {
        let close = authority
            .find(']')
            .ok_or_else(|| "its IPv6 host has no closing ]".to_owned())?;
        (&authority[..=close], &authority[close + 1..])
    } else {
        let colon = authority.find(':').unwrap_or(authority.len());
        (&authority[..colon], &authority[colon..])
    };
    if !port.is_empty() {
        let digits = port
            .strip_prefix(':')
            .ok_or_else(|| "unexpected text after the host".to_owned())?;
        let ok = !digits.is_empty()
            && digits.len() <= 5
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
            && digits.parse::<u32>().is_ok_and(|p| p <= 65535);
        if !ok {
            return Err("its port is not a number from 1 to 65535".into());
        }
    }
    if host.is_empty() {
        return Err("it has no host".into());
    }
    if host.starts_with('[') {
        if host != "[::1]" {
            return Err("an IPv6 host is only accepted as [::1] (loopback)".into());
        }
    } else if host.ends_with('.') {
        return Err("its host ends with a dot".into());
    } else if host.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err("its host is not in lower case".into());
    } else if host
        .rsplit('.')
        .next()
        .is_some_and(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
    {
        // A host whose last label is numeric is read as an IPv4 address (WHATWG): only the
        // canonical dotted quad of a loopback address is accepted.
        let canonical = host
            .parse::<Ipv4Addr>()
            .ok()
            .filter(|ip| ip.to_string() == host);
        match canonical {
            Some(ip) if ip.is_loopback() => {}
            Some(_) => return Err("its host is an IP address, not a domain name".into()),
            None => {
                return Err("its host is a numeric form that is not a plain IPv4 address".into())
            }
        }
    } else if !(host == "localhost" || crate::file::is_domain_name(host)) {
        return Err("its host is not a valid domain name".into());
    }
    Ok(WebUrl {
        http,
        host: host.to_owned(),
    })
}

/// Splits a comma-separated origin list. Surrounding spaces around an entry are allowed,
/// empty entries are not.
pub fn split_list(value: &str) -> Result<Vec<&str>, String> {
    if value.trim().is_empty() {
        return Err("it is empty".into());
    }
    let entries: Vec<&str> = value.split(',').map(|e| e.trim_matches(' ')).collect();
    if entries.iter().any(|e| e.is_empty()) {
        return Err("it has an empty entry (a stray comma)".into());
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        for (v, origin, host, http) in [
            ("https://api.koomy.app", true, "api.koomy.app", false),
            ("https://api.koomy.app:8443", true, "api.koomy.app", false),
            ("https://koomy.app/", false, "koomy.app", false),
            ("https://koomy.app/app/v1", false, "koomy.app", false),
            ("http://localhost:3000", true, "localhost", true),
            ("http://127.0.0.1:5173", true, "127.0.0.1", true),
            ("http://[::1]:8080", true, "[::1]", true),
        ] {
            let u = parse(v, origin).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!((u.host.as_str(), u.http), (host, http), "{v}");
        }
    }

    #[test]
    fn look_alikes_and_ambiguous_forms_are_refused() {
        for (v, origin) in [
            ("https://sandbox.koomy.app@api.koomy.app", true),
            ("https://api.koomy.app@sandbox.koomy.app", false),
            ("https://user:pw@api.koomy.app", true),
            ("https://api.koomy.app\\@sandbox.koomy.app", false),
            ("https://sandbox.koomy.app\\.api.koomy.app", false),
            ("https://API.koomy.app", true),
            ("HTTPS://api.koomy.app", true),
            ("https:/api.koomy.app", true),
            ("//api.koomy.app", true),
            ("api.koomy.app", true),
            ("https://api.koomy.app.", true),
            ("https://api%2ekoomy.app", true),
            ("https://api.koomy.app/", true),
            ("https://api.koomy.app?x=1", false),
            ("https://api.koomy.app#frag", false),
            ("https://api.koomy.app:0", true),
            ("https://api.koomy.app:65536", true),
            ("https://api.koomy.app:", true),
            ("https://api.koomy.app:08443", true),
            ("https:// api.koomy.app", true),
            ("https://api.koomy.app\n", true),
            ("https://аpi.koomy.app", true),
            ("https://127.1", true),
            ("https://0x7f.0.0.1", true),
            ("https://2130706433", true),
            ("https://10.0.0.1", true),
            ("https://[::ffff:127.0.0.1]", true),
            ("https://[2001:db8::1]", true),
            ("https://", true),
            ("https://-bad.koomy.app", true),
            ("*", true),
            ("", true),
        ] {
            assert!(parse(v, origin).is_err(), "{v:?} was accepted");
        }
    }

    #[test]
    fn lists() {
        assert_eq!(
            split_list("https://a.koomy.app, https://b.koomy.app").unwrap(),
            ["https://a.koomy.app", "https://b.koomy.app"]
        );
        for bad in [
            "",
            " ",
            "https://a.koomy.app,",
            ",https://a.koomy.app",
            "a,,b",
        ] {
            assert!(split_list(bad).is_err(), "{bad:?}");
        }
    }
}
