//! Properties: equivalent spellings of one target parse to the same target
//! (docs/threats.md T5, T10), the password cannot move the target (T11), the
//! redacted form parses back to the same target, and no input panics.

use std::net::{IpAddr, Ipv4Addr};

use gardefou_pgurl::{parse, ConnUrl, Host, Param};
use proptest::prelude::*;

/// Canonical hosts: a domain, localhost, Neon endpoints in both forms.
const HOSTS: &[&str] = &[
    "localhost",
    "db.example.com",
    "ep-beta-1.eu-west-2.aws.neon.tech",
    "ep-beta-12-pooler.eu-west-2.aws.neon.tech",
    "ep-cool-darkness-123456-pooler.c-2.us-east-2.aws.neon.tech",
    "ep-x.westus3.azure.neon.tech",
];

/// Writes `s` with each character in random case and randomly
/// percent-encoded (with random hex case), driven by `choices`.
fn respell(s: &str, choices: &[u8]) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        let k = choices.get(i).copied().unwrap_or(0);
        let c = if k & 1 == 1 {
            c.to_ascii_uppercase()
        } else {
            c
        };
        if k & 2 == 2 {
            if k & 4 == 4 {
                out.push_str(&format!("%{:02x}", c as u32));
            } else {
                out.push_str(&format!("%{:02X}", c as u32));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Percent-encodes every byte that is not unreserved.
fn encode_all(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn target(c: &ConnUrl) -> (Host, u16, String) {
    (c.host().clone(), c.port(), c.dbname().to_owned())
}

fn without_pooler(h: &Host) -> Host {
    match h {
        Host::Neon {
            endpoint, domain, ..
        } => Host::Neon {
            endpoint: endpoint.clone(),
            pooler: false,
            domain: domain.clone(),
        },
        other => other.clone(),
    }
}

/// One IPv4 address in an inet_aton spelling: `parts` numbers, each in
/// decimal, octal or hex.
fn aton_spelling(addr: u32, parts: usize, bases: &[u8]) -> String {
    let o = addr.to_be_bytes();
    let nums: Vec<u32> = match parts {
        1 => vec![addr],
        2 => vec![o[0].into(), addr & 0x00ff_ffff],
        3 => vec![o[0].into(), o[1].into(), addr & 0xffff],
        _ => o.iter().map(|&b| b.into()).collect(),
    };
    nums.iter()
        .enumerate()
        .map(|(i, &n)| match bases.get(i).copied().unwrap_or(0) % 4 {
            0 => n.to_string(),
            1 => format!("0{n:o}"),
            2 => format!("0x{n:x}"),
            _ => format!("0X{n:X}"),
        })
        .collect::<Vec<_>>()
        .join(".")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Case, percent-encoding, scheme, explicit default port and a trailing
    /// dot do not change the target; the pooler form is the same endpoint.
    #[test]
    fn spellings_of_one_host_agree(
        host_idx in 0..HOSTS.len(),
        host_choices in proptest::collection::vec(any::<u8>(), 80),
        db_choices in proptest::collection::vec(any::<u8>(), 16),
        postgres in any::<bool>(),
        explicit_port in any::<bool>(),
        trailing_dot in any::<bool>(),
        toggle_pooler in any::<bool>(),
    ) {
        let canonical_host = HOSTS[host_idx];
        let canonical = parse(&format!("postgresql://koomy@{canonical_host}/koomy_db")).unwrap();

        let mut host = canonical_host.to_owned();
        if toggle_pooler && host.starts_with("ep-") {
            let (first, rest) = host.split_once('.').unwrap();
            let first = match first.strip_suffix("-pooler") {
                Some(id) => id.to_owned(),
                None => format!("{first}-pooler"),
            };
            host = format!("{first}.{rest}");
        }
        if trailing_dot {
            host.push('.');
        }
        let url = format!(
            "{}://koomy@{}{}/{}",
            if postgres { "postgres" } else { "postgresql" },
            respell(&host, &host_choices),
            if explicit_port { ":5432" } else { "" },
            // the database name is case-sensitive: encode, never re-case
            respell("koomy_db", &db_choices.iter().map(|k| k & !1).collect::<Vec<_>>()),
        );
        let spelled = parse(&url).map_err(|e| TestCaseError::fail(format!("{url}: {e}")))?;
        prop_assert_eq!(without_pooler(spelled.host()), without_pooler(canonical.host()), "{}", url);
        if !toggle_pooler || !canonical_host.starts_with("ep-") {
            prop_assert_eq!(spelled.host(), canonical.host(), "{}", url);
        } else {
            prop_assert_ne!(spelled.host(), canonical.host(), "{}", url);
        }
        prop_assert_eq!(spelled.port(), 5432);
        prop_assert_eq!(spelled.dbname(), "koomy_db");
        prop_assert_eq!(spelled.user(), Some("koomy"));
    }

    /// Every inet_aton spelling of one IPv4 address, and its IPv4-mapped
    /// IPv6 forms, parse to that address.
    #[test]
    fn inet_aton_spellings_agree(
        addr in 0x0100_0000u32..=u32::MAX,
        parts in 1usize..=4,
        bases in proptest::collection::vec(any::<u8>(), 4),
        enc in proptest::collection::vec(any::<u8>(), 40),
        port in 1u16..,
    ) {
        let expected = Host::Ip(IpAddr::V4(Ipv4Addr::from(addr)));
        let spelled = respell(&aton_spelling(addr, parts, &bases), &enc);
        let url = format!("postgresql://koomy@{spelled}:{port}/koomy");
        let conn = parse(&url).map_err(|e| TestCaseError::fail(format!("{url}: {e}")))?;
        prop_assert_eq!(conn.host(), &expected, "{}", url);
        prop_assert_eq!(conn.port(), port);
        prop_assert_eq!(conn.host().is_loopback(), addr >> 24 == 127);

        let v4 = Ipv4Addr::from(addr);
        let [a, b, c, d] = v4.octets();
        for mapped in [
            format!("[::ffff:{v4}]"),
            format!("[::FFFF:{:x}:{:x}]", u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d])),
            format!("[0:0:0:0:0:ffff:{v4}]"),
        ] {
            let url = format!("postgresql://koomy@{mapped}/koomy");
            let conn = parse(&url).map_err(|e| TestCaseError::fail(format!("{url}: {e}")))?;
            prop_assert_eq!(conn.host(), &expected, "{}", url);
        }
    }

    /// The password cannot move the target (T11) and comes back intact.
    #[test]
    fn password_never_moves_the_target(
        pw in "[^\\x00-\\x1f\\x7f]{1,40}",
        host_idx in 0..HOSTS.len(),
    ) {
        prop_assume!(!pw.to_ascii_lowercase().starts_with("endpoint="));
        let host = HOSTS[host_idx];
        let url = format!("postgresql://koomy{}{}@{host}/neondb", ':', encode_all(&pw));
        let conn = parse(&url).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let reference = parse(&format!("postgresql://koomy@{host}/neondb")).unwrap();
        let shown = format!("{conn:?}");
        prop_assert!(shown.contains("Password(****)"));
        prop_assert_eq!(target(&conn), target(&reference));
        prop_assert_eq!(conn.user(), Some("koomy"));
        prop_assert_eq!(conn.password().map(|p| p.expose()), Some(pw.as_str()));
        // Debug is the reference's Debug but for the masked password.
        let shown = format!("{conn:?}").replacen("Some(Password(****))", "None", 1);
        prop_assert_eq!(shown, format!("{reference:?}"));
    }

    /// Arbitrary strings never panic.
    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        let _ = parse(&s);
    }

    /// URL-shaped noise never panics; whatever is accepted redacts to a URL
    /// that parses back to the same target, and every refusal has a fix.
    #[test]
    fn url_shaped_noise(
        postgres in any::<bool>(),
        rest in "[a-zA-Z0-9@:/?#%&=+,;.\\[\\]_~!$'()*-]{0,60}",
    ) {
        let url = format!("{}://{rest}", if postgres { "postgres" } else { "postgresql" });
        match parse(&url) {
            Ok(conn) => {
                let redacted = conn.redacted().to_string();
                let again = parse(&redacted).map_err(|e| TestCaseError::fail(format!("{url} -> {redacted}: {e}")))?;
                prop_assert_eq!(target(&again), target(&conn));
                prop_assert_eq!(again.user(), conn.user());
                let params: Vec<_> = conn.params().iter().filter(|(p, _)| *p != Param::Host).cloned().collect();
                prop_assert_eq!(again.params(), &params[..]);
            }
            Err(e) => {
                prop_assert!(!e.fix().is_empty());
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }

    /// Near-valid noise: a valid URL with random bytes spliced in never
    /// panics, and the redacted form of anything accepted re-parses.
    #[test]
    fn spliced_noise(
        at in 0usize..90,
        junk in "[\\x00-\\x7f]{1,4}|%[0-9a-fA-F]{2}|%[0-9a-zA-Z]{0,2}",
    ) {
        let base = "postgresql://koomy@ep-beta-1-pooler.eu-west-2.aws.neon.tech:5432/neondb?sslmode=require";
        let at = at.min(base.len());
        let url = format!("{}{junk}{}", &base[..at], &base[at..]);
        if let Ok(conn) = parse(&url) {
            let again = parse(&conn.redacted().to_string());
            prop_assert!(again.is_ok(), "{} -> {}", url, conn.redacted());
            prop_assert_eq!(target(&again.unwrap()), target(&conn));
        }
    }
}
