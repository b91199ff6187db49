//! The formats of the provider keys gardefou knows: Stripe and SendGrid.
//!
//! Stripe API keys are `<type>_<mode>_<body>`: type `sk` (secret), `rk` (restricted) or
//! `pk` (publishable), mode `live` or `test`, and an alphanumeric body (24 characters for
//! older keys, about 99 for current ones; Stripe allows keys up to 255 characters).
//! Webhook signing secrets are `whsec_` and an alphanumeric body (32 characters from the
//! Dashboard, 64 from the Stripe CLI). The prefix is matched exactly, in lower case, at
//! the start: `sk_test_…live…` is a test key, `xsk_live_…` and `SK_LIVE_…` are not keys.
//!
//! SendGrid API keys are `SG.<22>.<43>`: two base64url parts of exactly 22 and 43
//! characters.

use gardefou_findings::{tr, Text, Tr};

/// Stripe's key types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StripeType {
    /// `sk_`
    Secret,
    /// `rk_`
    Restricted,
    /// `pk_`
    Publishable,
}

impl StripeType {
    /// How messages name it, in English.
    pub fn describe(self) -> &'static str {
        self.describe_tr().en
    }

    /// How messages name it, in both languages.
    pub fn describe_tr(self) -> Tr {
        match self {
            StripeType::Secret => Tr {
                en: "secret key (sk_)",
                fr: "clé secrète (sk_)",
            },
            StripeType::Restricted => Tr {
                en: "restricted key (rk_)",
                fr: "clé restreinte (rk_)",
            },
            StripeType::Publishable => Tr {
                en: "publishable key (pk_)",
                fr: "clé publiable (pk_)",
            },
        }
    }
}

/// Live or test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StripeMode {
    /// `_live_`: real money.
    Live,
    /// `_test_`: sandbox data.
    Test,
}

impl StripeMode {
    /// `live` or `test`.
    pub fn as_str(self) -> &'static str {
        match self {
            StripeMode::Live => "live",
            StripeMode::Test => "test",
        }
    }
}

const STRIPE_BODY: std::ops::RangeInclusive<usize> = 24..=247;
const WEBHOOK_BODY: std::ops::RangeInclusive<usize> = 32..=128;

/// Reads a Stripe API key. The error says what is wrong without quoting the value.
pub fn stripe_key(value: &str) -> Result<(StripeType, StripeMode), Text> {
    if let Some(why) = wrapping(value) {
        return Err(why);
    }
    let prefixes = [
        ("sk_live_", StripeType::Secret, StripeMode::Live),
        ("sk_test_", StripeType::Secret, StripeMode::Test),
        ("rk_live_", StripeType::Restricted, StripeMode::Live),
        ("rk_test_", StripeType::Restricted, StripeMode::Test),
        ("pk_live_", StripeType::Publishable, StripeMode::Live),
        ("pk_test_", StripeType::Publishable, StripeMode::Test),
    ];
    let Some((body, ty, mode)) = prefixes
        .iter()
        .find_map(|(p, t, m)| value.strip_prefix(p).map(|b| (b, *t, *m)))
    else {
        let lower = value.to_ascii_lowercase();
        if prefixes.iter().any(|(p, ..)| lower.starts_with(p)) {
            return Err(tr!(
                "its prefix is not in lower case",
                "son préfixe n'est pas en minuscules"
            ));
        }
        if prefixes.iter().any(|(p, ..)| lower.contains(p)) {
            return Err(tr!(
                "something precedes the sk_/rk_/pk_ prefix",
                "quelque chose précède le préfixe sk_/rk_/pk_"
            ));
        }
        return Err(tr!(
            "it does not start with sk_live_, sk_test_, rk_live_, rk_test_, pk_live_ or pk_test_",
            "la valeur ne commence ni par sk_live_, sk_test_, rk_live_, rk_test_, pk_live_ ni par pk_test_"
        ));
    };
    alphanumeric_body(body, STRIPE_BODY)?;
    Ok((ty, mode))
}

/// Reads a Stripe webhook signing secret.
pub fn stripe_webhook_secret(value: &str) -> Result<(), Text> {
    alphanumeric_body(after_prefix(value, "whsec_")?, WEBHOOK_BODY)
}

/// Reads a SendGrid API key: `SG.` + 22 + `.` + 43 base64url characters.
pub fn sendgrid_key(value: &str) -> Result<(), Text> {
    let rest = after_prefix(value, "SG.")?;
    let parts: Vec<&str> = rest.split('.').collect();
    let b64url = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    match parts.as_slice() {
        [id, key] if id.len() == 22 && key.len() == 43 && b64url(id) && b64url(key) => Ok(()),
        [id, key] => {
            let (a, b) = (id.len(), key.len());
            let clean = b64url(id) && b64url(key);
            Err(Text::new(
                format!(
                    "expected SG. then 22 and 43 base64url characters separated by a dot, found {a} and {b}{}",
                    if clean { "" } else { " with characters outside A-Z a-z 0-9 - _" }
                ),
                format!(
                    "attendu SG. puis 22 et 43 caractères base64url séparés par un point, trouvé {a} et {b}{}",
                    if clean { "" } else { " avec des caractères hors de A-Z a-z 0-9 - _" }
                ),
            ))
        }
        _ => Err(tr!(
            "expected exactly two dot-separated parts after SG.",
            "attendu exactement deux parties séparées par un point après SG."
        )),
    }
}

/// Whether the value is a placeholder rather than a value (shared with the scanner: see
/// [`gardefou_kinds::detect::is_placeholder_value`]).
pub fn is_placeholder(value: &str) -> bool {
    gardefou_kinds::detect::is_placeholder_value(value)
}

/// Quotes, white space or control characters around or inside a key: the way a copy and
/// paste or a shell quoting mistake corrupts it.
fn wrapping(value: &str) -> Option<Text> {
    if value.is_empty() {
        return Some(tr!("it is empty", "la valeur est vide"));
    }
    if value.trim() != value {
        return Some(tr!(
            "it has leading or trailing white space",
            "la valeur a des espaces au début ou à la fin"
        ));
    }
    if value.starts_with(['"', '\'']) || value.ends_with(['"', '\'']) {
        return Some(tr!(
            "it is wrapped in quotes",
            "la valeur est entourée de guillemets"
        ));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some(tr!(
            "it contains white space or control characters",
            "la valeur contient des espaces ou des caractères de contrôle"
        ));
    }
    None
}

/// What follows `prefix` in a value that [`wrapping`] does not refuse.
fn after_prefix<'a>(value: &'a str, prefix: &str) -> Result<&'a str, Text> {
    if let Some(why) = wrapping(value) {
        return Err(why);
    }
    value.strip_prefix(prefix).ok_or_else(|| {
        tr!(
            "it does not start with {prefix}",
            "la valeur ne commence pas par {prefix}"
        )
    })
}

fn alphanumeric_body(body: &str, len: std::ops::RangeInclusive<usize>) -> Result<(), Text> {
    if !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(tr!(
            "the part after the prefix has characters other than A-Z a-z 0-9",
            "la partie après le préfixe contient des caractères autres que A-Z a-z 0-9"
        ));
    }
    if !len.contains(&body.len()) {
        let (n, min, max) = (body.len(), len.start(), len.end());
        return Err(tr!(
            "the part after the prefix has {n} characters, expected {min} to {max}",
            "la partie après le préfixe a {n} caractères, {min} à {max} attendus"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kind of `id` of the shared catalogue takes `value` whole, and in which mode.
    fn shared_definition(id: &str, value: &str) -> Option<Option<gardefou_kinds::Mode>> {
        let kind = gardefou_kinds::by_id(id)?;
        gardefou_kinds::accepts(kind, value)
            .filter(|found| found.whole)
            .map(|found| found.mode)
    }

    /// These readers restate, in words a message can use, the shared definitions of
    /// `gardefou-kinds` (which the scanner uses, and `check` for every other kind): they
    /// must agree with them length by length and mode by mode, so that changing one
    /// without the other fails here.
    #[test]
    fn the_readers_agree_with_the_shared_definitions() {
        for n in 0..=300 {
            let b = body(n as u64 + 7, n);
            for (prefix, id, range) in [
                ("sk_live_", "stripe-secret-key", STRIPE_BODY),
                ("rk_test_", "stripe-restricted-key", STRIPE_BODY),
                ("pk_live_", "stripe-publishable-key", STRIPE_BODY),
                ("whsec_", "stripe-webhook-secret", WEBHOOK_BODY),
            ] {
                let key = format!("{prefix}{b}");
                let shared = shared_definition(id, &key);
                assert_eq!(
                    alphanumeric_body(&b, range).is_ok(),
                    shared.is_some(),
                    "{id}, body of {n}"
                );
                if let (Ok((_, mode)), Some(shared)) = (stripe_key(&key), shared) {
                    let shared = shared.map(|m| m.as_str());
                    assert_eq!(Some(mode.as_str()), shared, "{id}, body of {n}");
                }
            }
        }
        for (a, b) in [(22, 43), (21, 43), (22, 44), (23, 42)] {
            let key = format!("SG.{}.{}", body(a as u64, a), body(b as u64, b));
            assert_eq!(
                (a, b) == (22, 43),
                shared_definition("sendgrid-api-key", &key).is_some(),
                "SG. {a} {b}"
            );
            assert_eq!(
                sendgrid_key(&key).is_ok(),
                (a, b) == (22, 43),
                "SG. {a} {b}"
            );
        }
    }

    fn body(seed: u64, n: usize) -> String {
        gardefou_testkit::fake::alnum(seed, n)
    }

    #[test]
    fn stripe_keys_are_read_by_their_exact_prefix() {
        // Stripe's documented prefixes: `sk` secret, `rk` restricted, `pk` publishable.
        let types = [
            ("sk", StripeType::Secret),
            ("rk", StripeType::Restricted),
            ("pk", StripeType::Publishable),
        ];
        let modes = [("live", StripeMode::Live), ("test", StripeMode::Test)];
        for ((t, ty), (m, mode)) in types.iter().flat_map(|t| modes.map(|m| (*t, m))) {
            let prefix = format!("{t}_{m}_");
            for n in [24, 99, 247] {
                let key = format!("{prefix}{}", body(n as u64, n));
                assert_eq!(stripe_key(&key), Ok((ty, mode)), "{prefix} {n}");
                assert!(!is_placeholder(&key), "{prefix} {n}");
            }
        }
    }

    #[test]
    fn a_test_key_with_live_inside_is_a_test_key() {
        let key = format!("sk_test_{}live{}", body(1, 12), body(2, 12));
        assert_eq!(stripe_key(&key), Ok((StripeType::Secret, StripeMode::Test)));
        // `sk_test_live_…` is not a key at all: `_` is not in a key's body.
        let key = format!("sk_test_live_{}", body(3, 24));
        assert!(stripe_key(&key).is_err());
    }

    #[test]
    fn malformed_stripe_keys_are_refused() {
        let b = body(9, 24);
        for bad in [
            String::new(),
            format!("SK_LIVE_{b}"),
            format!("Sk_live_{b}"),
            format!("xsk_live_{b}"),
            format!(" sk_live_{b}"),
            format!("sk_live_{b} "),
            format!("\"sk_live_{b}\""),
            format!("sk_live_{}", &b[..23]),
            format!("sk_live_{}", body(4, 248)),
            format!("sk_live_{}-{}", &b[..12], &b[12..]),
            format!("sk_prod_{b}"),
            format!("sk_{b}"),
            format!("sk_live__{b}"),
            format!("whsec_{b}"),
            format!("sk_live_{}\n", b),
            "sk_live_xxx".to_owned(),
            "<your-key>".to_owned(),
        ] {
            assert!(stripe_key(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn placeholders_are_recognised_and_real_keys_are_not() {
        for p in [
            "sk_live_xxx".to_owned(),
            format!("sk_live_{}", "x".repeat(24)),
            format!("sk_test_{}", "X".repeat(30)),
            format!("sk_live_{}", "0".repeat(24)),
            format!("pk_live_{}", "ab12".repeat(6)),
            "<your-key>".to_owned(),
            "${STRIPE_SECRET_KEY}".to_owned(),
            "{{ stripe_key }}".to_owned(),
            "sk_live_...".to_owned(),
            "sk_live_****".to_owned(),
            "changeme".to_owned(),
            "TODO".to_owned(),
            format!("whsec_{}", "x".repeat(32)),
            format!("SG.{}.{}", "x".repeat(22), "x".repeat(43)),
        ] {
            assert!(is_placeholder(&p), "{p:?}");
        }
        for real in [
            format!("sk_live_{}", body(5, 24)),
            format!("whsec_{}", body(6, 32)),
            format!("SG.{}.{}", body(7, 22), body(8, 43)),
        ] {
            assert!(!is_placeholder(&real));
        }
    }

    #[test]
    fn webhook_secrets() {
        assert!(stripe_webhook_secret(&format!("whsec_{}", body(1, 32))).is_ok());
        assert!(stripe_webhook_secret(&format!("whsec_{}", body(1, 64))).is_ok());
        for bad in [
            format!("whsec_{}", body(1, 31)),
            format!("WHSEC_{}", body(1, 32)),
            format!("whsec-{}", body(1, 32)),
            format!("whsec_{}+", body(1, 32)),
            format!("sk_live_{}", body(1, 32)),
            format!(" whsec_{}", body(1, 32)),
        ] {
            assert!(stripe_webhook_secret(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sendgrid_keys() {
        let ok = format!("SG.{}.{}", body(1, 22), body(2, 43));
        assert!(sendgrid_key(&ok).is_ok());
        assert!(sendgrid_key(&format!("SG.{}-_.{}", body(1, 20), body(2, 43))).is_ok());
        for bad in [
            format!("SG.{}.{}", body(1, 21), body(2, 43)),
            format!("SG.{}.{}", body(1, 22), body(2, 44)),
            format!("sg.{}.{}", body(1, 22), body(2, 43)),
            format!("SG.{}{}", body(1, 22), body(2, 43)),
            format!("SG.{}.{}.x", body(1, 22), body(2, 43)),
            format!("SG.{}.{}+", body(1, 22), body(2, 42)),
            format!("SG.{}.{} ", body(1, 22), body(2, 43)),
            format!("XSG.{}.{}", body(1, 22), body(2, 43)),
        ] {
            assert!(sendgrid_key(&bad).is_err(), "{bad:?}");
        }
    }
}
