//! Judging a candidate value: entropy, placeholders and references.

/// Shannon entropy of `bytes`, in bits per byte.
pub fn entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// Fragments that mark a value as a placeholder or documentation rather than a secret.
const PLACEHOLDER_FRAGMENTS: &[&str] = &[
    "xxx",
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
    ];
    if WORDS.iter().any(|w| lower == w.as_bytes()) {
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
    // The whole body is one repeated character (after a known prefix such as `sk_live_`).
    let body = value
        .rsplit(|&b| b == b'_' || b == b'.' || b == b'-')
        .next();
    if let Some(body) = body {
        if body.len() >= 8 && body.iter().all(|&b| b == body[0]) {
            return true;
        }
    }
    false
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
        assert_eq!(entropy(b""), 0.0);
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!(entropy(b"9fK2LmQ8xZ1pR7sT4vW6yB3n") > 4.0);
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
        for v in ["Zq8Rf2XpL0wKd93mVbT7", "hunter2hunter2", stripe.as_str()] {
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
