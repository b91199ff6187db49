//! The OpenSSH allowed signers format (`ssh-keygen(1)`, ALLOWED SIGNERS): one signer a
//! line, `principals [options] keytype base64-key [comment]`.
//!
//! Read strictly: a line that cannot be read makes the whole text unusable (an error names
//! the line, never its key), where `ssh-keygen` would skip it. `namespaces="…"` is
//! honoured with OpenSSH's pattern lists; `cert-authority`, `valid-after` and
//! `valid-before` are refused, so that an entry never means less than it says.

use ssh_key::public::KeyData;
use ssh_key::{HashAlg, PublicKey};

/// One allowed signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedSigner {
    /// The principals, as the line writes them (comma-separated, e.g. `cto@koomy.app`).
    pub principals: String,
    /// The `namespaces="…"` pattern list, if the line restricts the key to some namespaces.
    pub namespaces: Option<String>,
    /// The 1-based line.
    pub line: usize,
    key: KeyData,
}

impl AllowedSigner {
    /// The key's fingerprint as `ssh-keygen -l` prints it (`SHA256:…`).
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.key)
    }

    /// The key.
    pub fn key(&self) -> &KeyData {
        &self.key
    }

    /// Whether this entry allows signatures in `namespace`: no `namespaces` option, or a
    /// pattern list that matches it.
    pub fn allows_namespace(&self, namespace: &str) -> bool {
        self.namespaces
            .as_deref()
            .is_none_or(|list| match_pattern_list(namespace, list))
    }
}

/// The key's SHA-256 fingerprint, `SHA256:` and unpadded base64, as OpenSSH prints it.
pub(crate) fn fingerprint(key: &KeyData) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// A whole allowed signers text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowedSigners {
    /// The entries, in file order.
    pub entries: Vec<AllowedSigner>,
}

/// Why an allowed signers text cannot be used. Displayed as `SOURCE:LINE: what`; never
/// quotes a key or an option's value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}: {kind}")]
pub struct SignersError {
    /// Where the text came from (a file, or the variable's name).
    pub source_name: String,
    /// 1-based line (0: the text as a whole).
    pub line: usize,
    /// What is wrong.
    pub kind: SignersErrorKind,
}

/// What is wrong with an allowed signers line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignersErrorKind {
    /// The text lists no signer at all.
    #[error("no allowed signer is listed (expected `principals [namespaces=\"…\"] keytype key`)")]
    Empty,
    /// A principal list that is quoted but never closed, or empty.
    #[error("the principals are empty or their quote is not closed")]
    Principals,
    /// An option gardefou does not know.
    #[error("unknown option `{0}` (known: namespaces)")]
    UnknownOption(String),
    /// An option that OpenSSH knows but gardefou refuses to half-honour.
    #[error("the option `{0}` is not supported: list plain keys, without it")]
    UnsupportedOption(&'static str),
    /// `namespaces=` without a quoted, non-empty list.
    #[error("namespaces must be a quoted, non-empty list (namespaces=\"gardefou-policy\")")]
    Namespaces,
    /// No key after the principals and options.
    #[error("no key after the principals")]
    MissingKey,
    /// The key does not parse.
    #[error("the key is not an OpenSSH public key")]
    Key,
}

impl AllowedSigners {
    /// Parses an allowed signers text; `source_name` names it in errors.
    pub fn parse(text: &str, source_name: &str) -> Result<AllowedSigners, SignersError> {
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let err = |kind| SignersError {
                source_name: source_name.to_owned(),
                line,
                kind,
            };
            let rest = raw.trim_start_matches([' ', '\t']);
            if rest.is_empty() || rest.starts_with('#') {
                continue;
            }
            let (principals, rest) =
                principals(rest).ok_or_else(|| err(SignersErrorKind::Principals))?;
            let rest = rest.trim_start_matches([' ', '\t']);
            let (options, rest) = if looks_like_key_type(rest) {
                (None, rest)
            } else {
                let (token, rest) = options_token(rest);
                (Some(token), rest.trim_start_matches([' ', '\t']))
            };
            let namespaces = match options {
                Some(opts) => parse_options(opts).map_err(err)?,
                None => None,
            };
            let mut fields = rest.split([' ', '\t']).filter(|f| !f.is_empty());
            let (Some(kind), Some(base64)) = (fields.next(), fields.next()) else {
                return Err(err(SignersErrorKind::MissingKey));
            };
            let key = PublicKey::from_openssh(&format!("{kind} {base64}"))
                .map_err(|_| err(SignersErrorKind::Key))?;
            entries.push(AllowedSigner {
                principals: principals.to_owned(),
                namespaces,
                line,
                key: key.key_data().clone(),
            });
        }
        if entries.is_empty() {
            return Err(SignersError {
                source_name: source_name.to_owned(),
                line: 0,
                kind: SignersErrorKind::Empty,
            });
        }
        Ok(AllowedSigners { entries })
    }

    /// The entries that list `key`.
    pub fn for_key<'a>(&'a self, key: &'a KeyData) -> impl Iterator<Item = &'a AllowedSigner> {
        self.entries.iter().filter(move |e| &e.key == key)
    }
}

/// The principals field: a quoted string, or a word; and what follows it.
fn principals(line: &str) -> Option<(&str, &str)> {
    let (value, rest) = if let Some(quoted) = line.strip_prefix('"') {
        let end = quoted.find('"')?;
        (&quoted[..end], &quoted[end + 1..])
    } else {
        let end = line.find([' ', '\t']).unwrap_or(line.len());
        (&line[..end], &line[end..])
    };
    (!value.is_empty()).then_some((value, rest))
}

/// The key types OpenSSH writes first in a public key line.
fn looks_like_key_type(field: &str) -> bool {
    ["ssh-", "ecdsa-", "sk-"]
        .iter()
        .any(|prefix| field.starts_with(prefix))
}

/// The options field: up to the first white space outside double quotes.
fn options_token(s: &str) -> (&str, &str) {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ' ' | '\t' if !quoted => return (&s[..i], &s[i..]),
            _ => {}
        }
    }
    (s, "")
}

/// The options gardefou honours: `namespaces="…"` only.
fn parse_options(opts: &str) -> Result<Option<String>, SignersErrorKind> {
    let mut namespaces = None;
    let mut rest = opts;
    while !rest.is_empty() {
        let (name, after) = rest.split_at(rest.find(['=', ',']).unwrap_or(rest.len()));
        let lower = name.to_ascii_lowercase();
        let (value, after) = match after.strip_prefix('=') {
            Some(v) => {
                let inner = v.strip_prefix('"').ok_or(SignersErrorKind::Namespaces)?;
                let end = inner.find('"').ok_or(SignersErrorKind::Namespaces)?;
                (Some(&inner[..end]), &inner[end + 1..])
            }
            None => (None, after),
        };
        match (lower.as_str(), value) {
            ("namespaces", Some(list)) if !list.trim().is_empty() => {
                namespaces = Some(list.to_owned())
            }
            ("namespaces", _) => return Err(SignersErrorKind::Namespaces),
            ("cert-authority", _) => {
                return Err(SignersErrorKind::UnsupportedOption("cert-authority"))
            }
            ("valid-after", _) => return Err(SignersErrorKind::UnsupportedOption("valid-after")),
            ("valid-before", _) => return Err(SignersErrorKind::UnsupportedOption("valid-before")),
            _ => {
                // The option's name only: its value could be anything.
                let shown: String = name.chars().take(40).collect();
                return Err(SignersErrorKind::UnknownOption(shown));
            }
        }
        rest = match after.strip_prefix(',') {
            Some(r) => r,
            None if after.is_empty() => after,
            None => return Err(SignersErrorKind::Namespaces),
        };
    }
    Ok(namespaces)
}

/// OpenSSH's `match_pattern_list`: a comma-separated list of `*`/`?` patterns, a `!`
/// pattern that matches excluding outright; true when some positive pattern matches and
/// no negated one does.
pub fn match_pattern_list(s: &str, list: &str) -> bool {
    let mut positive = false;
    for pattern in list.split(',') {
        let (negated, pattern) = match pattern.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, pattern),
        };
        if wildcard(s.as_bytes(), pattern.as_bytes()) {
            if negated {
                return false;
            }
            positive = true;
        }
    }
    positive
}

fn wildcard(s: &[u8], p: &[u8]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => (0..=s.len()).any(|i| wildcard(&s[i..], rest)),
        Some((b'?', rest)) => !s.is_empty() && wildcard(&s[1..], rest),
        Some((c, rest)) => s.first() == Some(c) && wildcard(&s[1..], rest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A public key line, built from fixed bytes.
    fn key() -> String {
        let key = ssh_key::public::Ed25519PublicKey([7; 32]);
        PublicKey::new(key.into(), "").to_openssh().unwrap()
    }

    #[test]
    fn reads_principals_options_and_comments() {
        let key = key();
        let text = format!(
            "# the CTO\n\ncto@koomy.app {key} laptop\n\"ops team,ops@koomy.app\" namespaces=\"gardefou-policy,git\" {key}\n"
        );
        let signers = AllowedSigners::parse(&text, "signers").unwrap();
        assert_eq!(signers.entries.len(), 2);
        assert_eq!(signers.entries[0].principals, "cto@koomy.app");
        assert_eq!(signers.entries[0].line, 3);
        assert!(signers.entries[0].allows_namespace("anything"));
        assert_eq!(signers.entries[1].principals, "ops team,ops@koomy.app");
        assert!(signers.entries[1].allows_namespace("gardefou-policy"));
        assert!(!signers.entries[1].allows_namespace("file"));
        assert!(signers.entries[0].fingerprint().starts_with("SHA256:"));
    }

    #[test]
    fn refuses_what_it_would_half_honour_naming_the_line_not_the_key() {
        let key = key();
        for (line, kind) in [
            (
                format!("cto cert-authority {key}"),
                SignersErrorKind::UnsupportedOption("cert-authority"),
            ),
            (
                format!("cto valid-before=\"20300101\" {key}"),
                SignersErrorKind::UnsupportedOption("valid-before"),
            ),
            (
                format!("cto namespaces=\"\" {key}"),
                SignersErrorKind::Namespaces,
            ),
            (
                format!("cto namespaces=gardefou {key}"),
                SignersErrorKind::Namespaces,
            ),
            (
                format!("cto restrict {key}"),
                SignersErrorKind::UnknownOption("restrict".into()),
            ),
            ("cto ssh-ed25519".to_owned(), SignersErrorKind::MissingKey),
            (
                "cto ssh-ed25519 AAAAnotakey".to_owned(),
                SignersErrorKind::Key,
            ),
            (format!("\"cto {key}"), SignersErrorKind::Principals),
        ] {
            let e = AllowedSigners::parse(&format!("# x\n{line}\n"), "S").unwrap_err();
            assert_eq!((e.line, &e.kind), (2, &kind), "{line}");
            assert!(!e.to_string().contains("AAAA"), "{e}");
        }
        let e = AllowedSigners::parse("# nobody\n\n", "S").unwrap_err();
        assert_eq!(e.kind, SignersErrorKind::Empty);
    }

    #[test]
    fn pattern_lists_match_as_openssh_does() {
        assert!(match_pattern_list("gardefou-policy", "gardefou-*"));
        assert!(match_pattern_list("gardefou-policy", "git,gardefou-polic?"));
        assert!(!match_pattern_list(
            "gardefou-policy",
            "gardefou-*,!gardefou-policy"
        ));
        assert!(!match_pattern_list("gardefou-policy", "git"));
        assert!(!match_pattern_list("gardefou-policy", "!git"));
    }
}
