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

use gardefou_findings::{tr, Text};

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
pub fn parse(value: &str, origin: bool) -> Result<WebUrl, Text> {
    if value.is_empty() {
        return Err(tr!("it is empty", "elle est vide"));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(tr!(
            "it contains white space or control characters",
            "elle contient des espaces ou des caractères de contrôle"
        ));
    }
    if !value.is_ascii() {
        return Err(tr!(
            "it contains non-ASCII characters",
            "elle contient des caractères non ASCII"
        ));
    }
    if value.contains('\\') {
        return Err(tr!(
            "it contains a backslash, which browsers read as /",
            "elle contient une barre oblique inverse, que les navigateurs lisent comme /"
        ));
    }
    let (http, rest) = if let Some(rest) = value.strip_prefix("https://") {
        (false, rest)
    } else if let Some(rest) = value.strip_prefix("http://") {
        (true, rest)
    } else if value.to_ascii_lowercase().starts_with("http") {
        return Err(tr!(
            "its scheme must be written https:// (lower case, two slashes)",
            "son schéma doit s'écrire https:// (en minuscules, deux barres obliques)"
        ));
    } else {
        return Err(tr!(
            "it does not start with https://",
            "elle ne commence pas par https://"
        ));
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if tail.contains(['?', '#']) {
        return Err(tr!(
            "it has a query string or a fragment",
            "elle a une chaîne de requête ou un fragment"
        ));
    }
    if origin && !tail.is_empty() {
        return Err(tr!(
            "an origin has no path, not even a trailing /",
            "une origine n'a pas de chemin, pas même un / final"
        ));
    }
    if authority.contains('@') || tail.contains('@') {
        return Err(tr!(
            "it contains @ (user info hides the real host)",
            "elle contient @ (les informations d'utilisateur cachent le vrai hôte)"
        ));
    }
    if authority.contains('%') {
        return Err(tr!(
            "its host is percent-encoded",
            "son hôte est encodé en pourcentage"
        ));
    }
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']').ok_or_else(|| {
            tr!(
                "its IPv6 host has no closing ]",
                "son hôte IPv6 n'a pas de ] fermant"
            )
        })?;
        (&authority[..=close], &authority[close + 1..])
    } else {
        let colon = authority.find(':').unwrap_or(authority.len());
        (&authority[..colon], &authority[colon..])
    };
    if !port.is_empty() {
        let digits = port.strip_prefix(':').ok_or_else(|| {
            tr!(
                "unexpected text after the host",
                "texte inattendu après l'hôte"
            )
        })?;
        let ok = !digits.is_empty()
            && digits.len() <= 5
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
            && digits.parse::<u32>().is_ok_and(|p| p <= 65535);
        if !ok {
            return Err(tr!(
                "its port is not a number from 1 to 65535",
                "son port n'est pas un nombre de 1 à 65535"
            ));
        }
    }
    if host.is_empty() {
        return Err(tr!("it has no host", "elle n'a pas d'hôte"));
    }
    if host.starts_with('[') {
        if host != "[::1]" {
            return Err(tr!(
                "an IPv6 host is only accepted as [::1] (loopback)",
                "un hôte IPv6 n'est accepté que sous la forme [::1] (loopback)"
            ));
        }
    } else if host.ends_with('.') {
        return Err(tr!(
            "its host ends with a dot",
            "son hôte se termine par un point"
        ));
    } else if host.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(tr!(
            "its host is not in lower case",
            "son hôte n'est pas en minuscules"
        ));
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
            Some(_) => {
                return Err(tr!(
                    "its host is an IP address, not a domain name",
                    "son hôte est une adresse IP, pas un nom de domaine"
                ))
            }
            None => {
                return Err(tr!(
                    "its host is a numeric form that is not a plain IPv4 address",
                    "son hôte est une forme numérique qui n'est pas une simple adresse IPv4"
                ))
            }
        }
    } else if !(host == "localhost" || crate::file::is_domain_name(host)) {
        return Err(tr!(
            "its host is not a valid domain name",
            "son hôte n'est pas un nom de domaine valide"
        ));
    }
    Ok(WebUrl {
        http,
        host: host.to_owned(),
    })
}

/// Splits a comma-separated origin list. Surrounding spaces around an entry are allowed,
/// empty entries are not.
pub fn split_list(value: &str) -> Result<Vec<&str>, Text> {
    if value.trim().is_empty() {
        return Err(tr!("it is empty", "elle est vide"));
    }
    let entries: Vec<&str> = value.split(',').map(|e| e.trim_matches(' ')).collect();
    if entries.iter().any(|e| e.is_empty()) {
        return Err(tr!(
            "it has an empty entry (a stray comma)",
            "elle a une entrée vide (une virgule en trop)"
        ));
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
