//! Judging a candidate value: entropy, placeholders and references.

/// Fragments that mark a value as a placeholder or documentation rather than a secret.
const PLACEHOLDER_FRAGMENTS: &[&str] = &[
    // Four, not three: one real key in a few hundred holds `xxx` by chance.
    "xxxx",
    "***",
    "...",
    "<",
    ">",
    "${",
    "{{",
    "$(",
    "%(",
    "#{",
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "changethis",
    "replace_me",
    "replace-me",
    "replaceme",
    "your_",
    "your-",
    "yourkey",
    "yoursecret",
    "your.",
    "dummy",
    "redacted",
    "notasecret",
    "not_a_secret",
    "not-a-secret",
    "insert_",
    "insert-",
    // Masks as dashboards and docs print them: `sk_live_••••4242`, `ghp_…`, `●●●●`.
    "\u{2022}",
    "\u{2026}",
    "\u{25cf}",
];

/// Fragments that mark a value as a reference to where the secret really lives.
const REFERENCE_FRAGMENTS: &[&str] = &[
    "process.env",
    "import.meta.env",
    "os.environ",
    "os.getenv",
    "getenv(",
    "env::var",
    "env(",
    "env[",
    "env.fetch",
    "secrets.",
    "vault:",
    "arn:aws:",
];

/// Whether `value` is a placeholder (`xxx`, `<your-key>`, `changeme`, one repeated
/// character) or a reference (`${VAR}`, `$VAR`, `process.env.X`, `os.environ[...]`).
pub fn is_placeholder_or_reference(value: &[u8]) -> bool {
    let lower = value.to_ascii_lowercase();
    let has = |needle: &str| memchr::memmem::find(&lower, needle.as_bytes()).is_some();
    if PLACEHOLDER_FRAGMENTS.iter().any(|f| has(f)) || REFERENCE_FRAGMENTS.iter().any(|f| has(f)) {
        return true;
    }
    // A format-string hole (`{pw}`, `{password}`) or a bare word naming what belongs here.
    if lower.contains(&b'{') && lower.contains(&b'}') {
        return true;
    }
    if is_common_word(value) {
        return true;
    }
    // The name of another secret variable (`JWT_SECRET = SESSION_SECRET`, as docs write
    // it): a reference, not a value.
    if names_a_secret_variable(value) {
        return true;
    }
    // `$VAR`, `%VAR%`, `@VAR@`: shell, Windows and autoconf substitutions.
    if let Some(&first) = value.first() {
        if first == b'$' || ((first == b'%' || first == b'@') && value.last() == Some(&first)) {
            return true;
        }
    }
    // The whole body (after a known prefix such as `sk_live_`) is one repeated character,
    // or a short run of x (`sk_live_xxx`, `XXX`).
    let body = value
        .rsplit(|&b| b == b'_' || b == b'.' || b == b'-')
        .next();
    if let Some(body) = body {
        if body.len() >= 8 && body.iter().all(|&b| b == body[0]) {
            return true;
        }
        if body.len() >= 3 && body.iter().all(|&b| b == b'x' || b == b'X') {
            return true;
        }
    }
    false
}

/// The random part of a provider key: what follows the prefix one of the catalogue's kinds
/// announces it by (`sk_live_`, `whsec_`, `SG.`, `xkeysib-`, `glpat-`…). Used to tell a
/// real key from a placeholder such as `sk_live_xxxxxxxxxxxxxxxxxxxxxxxx`.
pub fn key_body(value: &str) -> &str {
    &value[key_prefix_len(value)..]
}

/// The length of the prefix [`key_body`] strips.
pub fn key_prefix_len(value: &str) -> usize {
    // The prefixes, longest first, gathered once from the catalogue.
    static PREFIXES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let prefixes = PREFIXES.get_or_init(|| {
        let mut all: Vec<&'static str> = crate::builtin()
            .iter()
            .filter(|k| !k.generic)
            .flat_map(|k| k.keywords.iter().copied())
            .filter(|w| w.len() >= 3 && w.ends_with(['_', '-', '.']))
            .collect();
        all.sort_unstable_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        all.dedup();
        all
    });
    prefixes
        .iter()
        .find(|w| {
            value
                .get(..w.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(w))
        })
        .map_or(0, |w| w.len())
}

/// A template's hole, in the forms templates write them: `<your-key>` (a few words in one
/// case between angle brackets), `${NAME}` / `${NAME:-…}`, `{{ … }}`. A `<`, `>`, `{` or `$`
/// alone is one of the symbols of a random secret drawn from all of ASCII.
fn has_template_marker(v: &str) -> bool {
    let b = v.as_bytes();
    let angle = b.iter().enumerate().any(|(i, &c)| {
        c == b'<'
            && b[i + 1..].iter().position(|&d| d == b'>').is_some_and(|n| {
                // Words in one case (`<your-key>`, `<API_TOKEN>`), not a mixed-case
                // random run that happens to sit between two brackets.
                let inside = &b[i + 1..i + 1 + n];
                let letters = inside.iter().filter(|d| d.is_ascii_alphabetic()).count();
                let lower = inside.iter().any(u8::is_ascii_lowercase);
                let upper = inside.iter().any(u8::is_ascii_uppercase);
                (1..=64).contains(&n)
                    && letters >= 3
                    && !(lower && upper)
                    && inside
                        .iter()
                        .all(|&d| d.is_ascii_alphanumeric() || b" _.-".contains(&d))
            })
    });
    let dollar = v.match_indices("${").any(|(i, _)| {
        let rest = &b[i + 2..];
        let n = rest
            .iter()
            .take_while(|&&d| d.is_ascii_alphanumeric() || d == b'_')
            .count();
        n > 0 && matches!(rest.get(n), Some(b'}' | b':'))
    });
    let braces = v.find("{{").is_some_and(|i| v[i + 2..].contains("}}"));
    angle || dollar || braces
}

/// Whether an environment value is a placeholder rather than a value: a template marker
/// (`<…>`, `${…}`, `{{…}}`, `…`, `***`), one of the [words](is_common_word) that stand
/// for a value (whole, or as the random part of a key: `sk_live_changeme`), or a random
/// part that is masked (`xxx`, `000…`) or patterned (`abcabc…`).
pub fn is_placeholder_value(value: &str) -> bool {
    let v = value.trim();
    if has_template_marker(v) || v.contains("...") || v.contains('\u{2026}') || v.contains("***") {
        return true;
    }
    let body = key_body(v);
    if is_common_word(v.as_bytes()) || is_common_word(body.as_bytes()) {
        return true;
    }
    // Runs of x / X / 0 / * in the random part: a redacted or template key.
    if body.len() >= 3
        && body
            .bytes()
            .all(|b| matches!(b, b'x' | b'X' | b'0' | b'*' | b'.' | b'_' | b'-'))
    {
        return true;
    }
    // A provider key whose random part is patterned.
    body.len() != v.len()
        && body.len() < 64
        && crate::entropy::estimate(body).form == crate::entropy::Form::Patterned
}

/// Words that name what belongs in a slot rather than fill it (`password`, `secret`,
/// `token`) or stand for a value to come (`changeme`, `your-api-key`), compared
/// case-insensitively with the whole value. One list for files and environment values.
const WORDS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "pw",
    "secret",
    "token",
    "key",
    "apikey",
    "api_key",
    "user",
    "username",
    "mypassword",
    "mysecret",
    "yourpassword",
    "none",
    "null",
    "undefined",
    "todo",
    "tbd",
    "fixme",
    "changeme",
    "change_me",
    "change-me",
    "replace_me",
    "replace-me",
    "replaceme",
    "placeholder",
    "your_key_here",
    "your-key-here",
    "yourkeyhere",
    "your_api_key",
    "your-api-key",
    "insert_key_here",
    // RFC 7617's Basic authentication example (`Aladdin:open sesame`).
    "opensesame",
];

/// Whether the whole value is one of the words that name a slot (`password`, `secret`).
pub fn is_common_word(value: &[u8]) -> bool {
    WORDS
        .iter()
        .any(|w| value.eq_ignore_ascii_case(w.as_bytes()))
}

/// Whether the file is documentation (Markdown, reStructuredText, AsciiDoc, HTML) or a
/// template (`.env.example`, `config.sample.yml`), where `postgres://user:password@host`
/// illustrates a form.
pub fn is_documentation(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if ["example", "sample", "template", ".dist"]
        .iter()
        .any(|t| lower.contains(t))
    {
        return true;
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(
        ext.as_deref(),
        Some("md" | "markdown" | "mdx" | "rst" | "adoc" | "html" | "htm")
    )
}

/// Whether a host is one documentation uses (`example.com`, `host`, `your-host`).
pub fn is_example_host(host: &[u8]) -> bool {
    let h = host.to_ascii_lowercase();
    let has = |needle: &[u8]| memchr::memmem::find(&h, needle).is_some();
    has(b"example") || has(b"your") || matches!(h.as_slice(), b"host" | b"hostname" | b"server")
}

/// Whether the value is shown masked: followed by `…`, `...`, `***` or `•`, or preceded
/// by `*`/`•` (a dashboard's `sk_live_4eC3…`, a log's `****abcd`).
pub fn is_masked(before: &[u8], after: &[u8]) -> bool {
    const MASKS: &[&[u8]] = &[b"...", b"***", "\u{2026}".as_bytes(), "\u{2022}".as_bytes()];
    MASKS.iter().any(|m| after.starts_with(m))
        || before.ends_with(b"*")
        || before.ends_with("\u{2022}".as_bytes())
}

/// Whether a secret-like name holds something that is not itself a secret: an id, a name,
/// a path, a type (`credentialsId`, `AWS_SECRET_NAME`, `tokenType`, `passwordField`), a
/// public value (`publicToken`, `NEXT_PUBLIC_API_KEY`) or an anti-CSRF token.
pub fn names_no_secret(name: &[u8]) -> bool {
    const NOT_SECRET: &[&str] = &["public", "publishable", "csrf", "xsrf"];
    const LAST: &[&str] = &[
        "id",
        "ids",
        "name",
        "names",
        "file",
        "filename",
        "path",
        "dir",
        "ref",
        "type",
        "field",
        "label",
        "length",
        "len",
        "url",
        "uri",
        "arn",
        "header",
        "prefix",
        "version",
        "count",
        "hint",
        "pattern",
        "regex",
        "ttl",
        "timeout",
        "expiry",
        "expires",
        "expiration",
        "at",
        "mode",
        "format",
        "size",
        "limit",
        "enabled",
        "required",
        "endpoint",
        "route",
        "placeholder",
        "input",
        "param",
    ];
    let words = words_of(name);
    if words.iter().any(|w| NOT_SECRET.contains(&w.as_str())) {
        return true;
    }
    words.last().is_some_and(|w| LAST.contains(&w.as_str()))
}

/// Splits an identifier into lower-case words at `_`, `-`, `.` and camelCase humps.
fn words_of(name: &[u8]) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for &b in name {
        if !b.is_ascii_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            prev_lower = false;
            continue;
        }
        if b.is_ascii_uppercase() && prev_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
        word.push(b.to_ascii_lowercase() as char);
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Whether a value is an application route (`/auth/forgot-password`, `/users/:id/token`):
/// a route map's keys end in `password` or `token` too.
pub fn looks_like_route(value: &[u8]) -> bool {
    value.first() == Some(&b'/')
        && value.iter().any(u8::is_ascii_lowercase)
        && value.iter().all(|&b| {
            b.is_ascii_lowercase()
                || b.is_ascii_digit()
                || matches!(b, b'/' | b'-' | b'_' | b':' | b'.')
        })
}

/// Whether a value is lower-case words joined by `-` or `_` (`secret-shared-within-env`,
/// `not_the_password`) or camel-case words (`DecodePrivateKey`): an identifier or a rule
/// name, not a random secret. Only generic
/// rules, which look for random values, ask this.
pub fn is_words(value: &[u8]) -> bool {
    if is_camel_words(value) {
        return true;
    }
    let mut words = 0;
    for word in value.split(|&b| b == b'-' || b == b'_') {
        if word.len() < 2 || !word.iter().all(u8::is_ascii_lowercase) {
            return false;
        }
        words += 1;
    }
    words >= 3
}

/// `DecodePrivateKey`, `bearerAccessToken`: letters only, each upper-case letter opening a
/// word of at least three letters. A random value of letters alone almost never is.
fn is_camel_words(value: &[u8]) -> bool {
    if !value.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let mut count = 0;
    for word in value.chunk_by(|_, b| !b.is_ascii_uppercase()) {
        if word.len() < 3 || !word[1..].iter().all(u8::is_ascii_lowercase) {
            return false;
        }
        count += 1;
    }
    count >= 2
}

/// Whether `value`, decoded as `decode` says, contains every one of `needles`.
pub fn decoded_contains(decode: crate::rules::Decode, value: &[u8], needles: &[&str]) -> bool {
    let encoded = match decode {
        crate::rules::Decode::Base64 => value,
        crate::rules::Decode::JwtPayload => match value.split(|&b| b == b'.').nth(1) {
            Some(payload) => payload,
            None => return false,
        },
    };
    let Some(decoded) = base64_decode(encoded) else {
        return false;
    };
    needles
        .iter()
        .all(|n| memchr::memmem::find(&decoded, n.as_bytes()).is_some())
}

/// Decodes standard or URL-safe base64, padding optional; `None` on any other byte.
fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    let text = text
        .strip_suffix(b"==")
        .or_else(|| text.strip_suffix(b"="))
        .unwrap_or(text);
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in text {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Whether `value` is spelled like an environment variable that holds a secret:
/// upper snake case with at least one `_`, ending in `_SECRET`, `_KEY`, `_TOKEN`,
/// `_PASSWORD`, `_PASS`, `_PWD`, `_URL` or `_DSN`.
fn names_a_secret_variable(value: &[u8]) -> bool {
    const SUFFIXES: &[&[u8]] = &[
        b"SECRET",
        b"KEY",
        b"TOKEN",
        b"PASSWORD",
        b"PASS",
        b"PWD",
        b"URL",
        b"DSN",
    ];
    let upper_snake = value.first().is_some_and(u8::is_ascii_uppercase)
        && value
            .iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    match value.iter().rposition(|&b| b == b'_') {
        Some(i) if upper_snake && i > 0 => SUFFIXES.contains(&&value[i + 1..]),
        _ => false,
    }
}

/// Whether an unquoted value in this file is code (an expression) rather than a literal.
/// In `.env`, YAML, INI, TOML or properties files an unquoted value is a literal; in
/// source code it is a variable, a call or an attribute.
pub fn unquoted_is_expression(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let ext = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => return false,
    };
    matches!(
        ext.as_str(),
        "js" | "mjs"
            | "cjs"
            | "jsx"
            | "ts"
            | "mts"
            | "cts"
            | "tsx"
            | "py"
            | "rb"
            | "go"
            | "rs"
            | "java"
            | "kt"
            | "kts"
            | "scala"
            | "cs"
            | "php"
            | "swift"
            | "c"
            | "h"
            | "cc"
            | "cpp"
            | "hpp"
            | "m"
            | "dart"
            | "lua"
            | "svelte"
            | "vue"
            | "ex"
            | "exs"
            | "groovy"
    )
}

/// Whether an unquoted value looks like an identifier or attribute path (`config.jwt.secret`,
/// `settings.SECRET_KEY`), i.e. code, in any kind of file.
pub fn looks_like_identifier_path(value: &[u8]) -> bool {
    let ident = |part: &[u8]| {
        !part.is_empty()
            && (part[0].is_ascii_alphabetic() || part[0] == b'_' || part[0] == b'$')
            && part
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$')
    };
    value.contains(&b'.') && value.split(|&b| b == b'.').all(ident)
}

/// Whether an unquoted value is a type name (`jwtSecret: string;`), not a value.
pub fn is_type_name(value: &[u8]) -> bool {
    const TYPES: &[&str] = &[
        "string",
        "str",
        "bytes",
        "buffer",
        "number",
        "unknown",
        "secret",
        "secretstring",
        "secretstr",
        "optional",
        "option",
        "required",
        "boolean",
        "undefined",
        "null",
    ];
    TYPES
        .iter()
        .any(|t| value.eq_ignore_ascii_case(t.as_bytes()))
}

/// Whether a database host is this machine (local databases are allowed by §4.1).
pub fn is_local_host(host: &[u8]) -> bool {
    let h = host.to_ascii_lowercase();
    h == b"localhost"
        || h.starts_with(b"127.")
        || h == b"0.0.0.0"
        || h == b"[::1]"
        || h == b"host.docker.internal"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_orders_values_as_expected() {
        assert_eq!(crate::entropy::shannon(b""), 0.0);
        assert_eq!(crate::entropy::shannon(b"aaaa"), 0.0);
        assert!((crate::entropy::shannon(b"abcd") - 2.0).abs() < 1e-9);
        assert!(crate::entropy::shannon(b"9fK2LmQ8xZ1pR7sT4vW6yB3n") > 4.0);
    }

    #[test]
    fn placeholders_and_references_of_the_issue_are_recognised() {
        for v in [
            "xxx",
            "sk_live_xxxxxxxxxxxxxxxx",
            "{pw}",
            "password",
            "<your-key>",
            "${VAR}",
            "$VAR",
            "process.env.X",
            "os.environ['X']",
            "changeme",
            "%DB_PASSWORD%",
            "sk_live_aaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert!(is_placeholder_or_reference(v.as_bytes()), "{v}");
        }
        let stripe = format!("{}_live_{}", "sk", "4eC39HqLyjWDarjtT1zdp7dc");
        // One real key in a few hundred holds `xxx` by chance: not a placeholder.
        let with_xxx = format!("{}_live_{}", "sk", "4eC39HqLyjWxxxT1zdp7dcQ8");
        for v in [
            "Zq8Rf2XpL0wKd93mVbT7",
            "hunter2hunter2",
            stripe.as_str(),
            with_xxx.as_str(),
        ] {
            assert!(!is_placeholder_or_reference(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn regression_a_secret_variable_named_as_the_value_is_a_reference() {
        // docs/rules.md wrote "`JWT_SECRET` = `SESSION_SECRET`" and was flagged.
        for v in [
            "SESSION_SECRET",
            "JWT_SECRET",
            "STRIPE_SECRET_KEY",
            "DATABASE_URL",
        ] {
            assert!(is_placeholder_or_reference(v.as_bytes()), "{v}");
        }
        for v in [
            "SESSIONSECRET9x",
            "Session_Secret",
            "_SECRET",
            "KT7_PQ2_VZ9M",
        ] {
            assert!(!names_a_secret_variable(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn identifier_paths_are_code() {
        assert!(looks_like_identifier_path(b"config.jwt.secret"));
        assert!(!looks_like_identifier_path(b"Zq8Rf2XpL0wKd93mVbT7"));
        assert!(!looks_like_identifier_path(b"a.b-c"));
        assert!(unquoted_is_expression("src/app.ts"));
        assert!(!unquoted_is_expression(".env"));
        assert!(!unquoted_is_expression("config/app.yaml"));
    }
}
