//! Kinds as data: the TOML files under `rules/`, compiled into the binary.

use std::sync::OnceLock;

use gardefou_findings::Severity;
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;

use crate::RuleError;

/// The rule files, in priority order: when two rules report the same value, the one
/// that comes first wins (and `generic` rules always lose to specific ones).
pub const RULE_FILES: &[(&str, &str)] = &[
    ("stripe.toml", include_str!("../rules/stripe.toml")),
    ("sendgrid.toml", include_str!("../rules/sendgrid.toml")),
    ("ai.toml", include_str!("../rules/ai.toml")),
    ("email.toml", include_str!("../rules/email.toml")),
    ("cloud.toml", include_str!("../rules/cloud.toml")),
    ("chat.toml", include_str!("../rules/chat.toml")),
    ("saas.toml", include_str!("../rules/saas.toml")),
    ("postgres.toml", include_str!("../rules/postgres.toml")),
    ("urls.toml", include_str!("../rules/urls.toml")),
    (
        "private-key.toml",
        include_str!("../rules/private-key.toml"),
    ),
    ("tokens.toml", include_str!("../rules/tokens.toml")),
    ("jwt.toml", include_str!("../rules/jwt.toml")),
    ("generic.toml", include_str!("../rules/generic.toml")),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    rules: Vec<RuleSpec>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Groups {
    One(usize),
    Many(Vec<usize>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    kind: String,
    description: String,
    description_fr: String,
    fix: String,
    fix_fr: String,
    #[serde(default = "default_policy")]
    policy: String,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    pattern: String,
    #[serde(default)]
    secret_group: Option<Groups>,
    #[serde(default)]
    quote_group: Option<usize>,
    #[serde(default)]
    host_group: Option<usize>,
    #[serde(default)]
    name_group: Option<Groups>,
    #[serde(default)]
    name_excludes: Vec<String>,
    #[serde(default)]
    entropy: Option<f64>,
    #[serde(default)]
    decode: Option<String>,
    #[serde(default)]
    decoded_contains: Vec<String>,
    #[serde(default)]
    common_word_secrets: bool,
    #[serde(default)]
    example_path: Option<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    multiline: bool,
    #[serde(default)]
    generic: bool,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    negative_examples: Vec<String>,
    #[serde(default)]
    modes: Option<ModesSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModesSpec {
    live: Vec<String>,
    test: Vec<String>,
}

fn default_policy() -> String {
    "7.1".to_owned()
}

/// How a matched value is decoded before [`SecretKind::decoded_contains`] is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decode {
    /// The whole value is base64 (standard or URL-safe alphabet, padding optional).
    Base64,
    /// The value is a JWT: its second dot-separated part is base64url JSON.
    JwtPayload,
}

/// Which of a provider's environments a key belongs to, where the provider's key format
/// says so (Stripe's `sk_live_` / `sk_test_`, GoCardless's `live_` / `sandbox_`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Real money, real customers: production's alone.
    Live,
    /// The provider's test or sandbox mode: never production's.
    Test,
}

impl Mode {
    /// `live` or `test`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Live => "live",
            Mode::Test => "test",
        }
    }
}

/// One secret kind, compiled: how to find it in text, how to judge a candidate, and which
/// mode a found value is in.
#[derive(Debug)]
pub struct SecretKind {
    /// Stable id, e.g. `stripe-secret-key`.
    pub id: &'static str,
    /// What was found, in a few words, e.g. `Stripe secret key`.
    pub kind: &'static str,
    /// One sentence describing the rule, in English and French.
    pub description: gardefou_findings::Tr,
    /// How to fix a finding, in English and French.
    pub fix: gardefou_findings::Tr,
    /// The policy section it enforces.
    pub policy: gardefou_findings::Section,
    /// Error (refuses) or warning (informs).
    pub severity: Severity,
    /// Literals of which at least one must occur (ASCII case-insensitively) for the
    /// regex to run. Empty for path-scoped rules, which run on every file they apply to.
    pub keywords: Vec<&'static str>,
    /// Whether a match may span lines (the regex then runs from the keyword's line on).
    pub multiline: bool,
    /// Generic rules yield to specific ones on the same value.
    pub generic: bool,
    /// Position in the rule set: earlier rules win ties on the same value.
    pub order: usize,
    /// Minimum Shannon entropy (bits per byte) of the secret.
    pub entropy: Option<f64>,
    /// How the value is decoded before `decoded_contains` is checked.
    pub decode: Option<Decode>,
    /// Strings that must all occur in the decoded value (e.g. `PRIVATE KEY` in a
    /// base64-wrapped PEM block).
    pub decoded_contains: Vec<&'static str>,
    /// Whether a common word used as a password (`password`, `secret`) is still reported
    /// outside documentation: in configuration and code it is a real, weak password.
    pub common_word_secrets: bool,
    /// The file name the rule's examples are tested as (path-scoped rules).
    pub example_path: &'static str,
    /// The provider's documentation of the format.
    pub references: Vec<&'static str>,
    pattern: &'static str,
    /// Compiled on first use: `check` needs only the kinds whose keywords a value holds.
    regex: OnceLock<Regex>,
    pub(crate) secret_groups: Vec<usize>,
    pub(crate) quote_group: Option<usize>,
    pub(crate) host_group: Option<usize>,
    pub(crate) name_groups: Vec<usize>,
    /// Words that, in the captured name, mean the value is not this kind (`search` in an
    /// Algolia search-only key's name).
    pub(crate) name_excludes: Vec<&'static str>,
    pub(crate) paths: Option<GlobSet>,
    /// The value prefixes of each mode, for kinds whose provider has live and test keys.
    pub(crate) modes: Option<(Vec<&'static str>, Vec<&'static str>)>,
    /// Lines that must match.
    pub examples: Vec<&'static str>,
    /// Lines that must not match.
    pub negative_examples: Vec<&'static str>,
}

impl SecretKind {
    /// Whether this rule applies to a file of this path (path-scoped rules only apply to
    /// matching file names).
    pub fn applies_to(&self, path: &str) -> bool {
        match &self.paths {
            None => true,
            Some(set) => {
                let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
                set.is_match(name)
            }
        }
    }

    /// The mode of a value of this kind, read from its prefix; `None` for kinds whose
    /// provider has no live and test keys, or a value with neither prefix.
    pub fn mode_of(&self, value: &str) -> Option<Mode> {
        let (live, test) = self.modes.as_ref()?;
        if live.iter().any(|p| value.starts_with(p)) {
            Some(Mode::Live)
        } else if test.iter().any(|p| value.starts_with(p)) {
            Some(Mode::Test)
        } else {
            None
        }
    }

    /// Whether the provider distinguishes live and test keys by their format.
    pub fn has_modes(&self) -> bool {
        self.modes.is_some()
    }

    /// The regex source, e.g. for running the same patterns through another tool.
    pub fn pattern(&self) -> &str {
        self.pattern
    }

    /// The compiled pattern. Built-in patterns are parsed when loaded and each is compiled
    /// by the test suite, so compiling cannot fail here.
    pub(crate) fn regex(&self) -> &Regex {
        self.regex
            .get_or_init(|| compile(self.pattern).expect("built-in patterns compile"))
    }
}

/// Compiles a pattern as every rule is: ASCII-only (`\b`, `\w`, `\s` are ASCII).
pub(crate) fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(32 << 20)
        .build()
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Parses and compiles one rule file. Rule strings are leaked once: rules live for the
/// whole process and findings borrow their ids as `&'static str`.
pub(crate) fn parse_rules(
    file: &str,
    text: &str,
    validate: bool,
) -> Result<Vec<SecretKind>, RuleError> {
    let parsed: RuleFile = toml::from_str(text).map_err(|e| RuleError {
        file: file.to_owned(),
        message: e.to_string(),
    })?;
    let mut rules = Vec::new();
    for spec in parsed.rules {
        let bad = |message: String| RuleError {
            file: format!("{file}: {}", spec.id),
            message,
        };
        let policy = gardefou_findings::Section::parse(&spec.policy).ok_or_else(|| {
            bad(format!(
                "policy = {:?} is not a section of the policy",
                spec.policy
            ))
        })?;
        for (field, en, fr) in [
            ("description_fr", &spec.description, &spec.description_fr),
            ("fix_fr", &spec.fix, &spec.fix_fr),
        ] {
            if fr.trim().is_empty() || fr == en {
                return Err(bad(format!(
                    "{field} must be the French text, written, not empty or copied from English"
                )));
            }
        }
        // Compiled on first use; a file that is not built in (and the built-in ones, by the
        // test suite) has its pattern parsed here so that its errors and groups are known.
        let captures_len = if validate {
            regex_syntax::ParserBuilder::new()
                .unicode(false)
                .utf8(false)
                .build()
                .parse(&spec.pattern)
                .map_err(|e| bad(e.to_string()))?
                .properties()
                .explicit_captures_len()
                + 1
        } else {
            usize::MAX
        };
        let secret_groups = match spec.secret_group {
            None => vec![1],
            Some(Groups::One(g)) => vec![g],
            Some(Groups::Many(g)) => g,
        };
        let name_groups = match spec.name_group {
            None => vec![],
            Some(Groups::One(g)) => vec![g],
            Some(Groups::Many(g)) => g,
        };
        for &g in secret_groups
            .iter()
            .chain(spec.quote_group.iter())
            .chain(spec.host_group.iter())
            .chain(name_groups.iter())
        {
            if g == 0 || g >= captures_len {
                return Err(bad(format!("capture group {g} does not exist")));
            }
        }
        let severity = match spec.severity.as_deref() {
            None | Some("error") => Severity::Error,
            Some("warning") => Severity::Warning,
            Some(other) => return Err(bad(format!("unknown severity: {other}"))),
        };
        let decode = match spec.decode.as_deref() {
            None => None,
            Some("base64") => Some(Decode::Base64),
            Some("jwt-payload") => Some(Decode::JwtPayload),
            Some(other) => return Err(bad(format!("unknown decode: {other}"))),
        };
        if decode.is_some() == spec.decoded_contains.is_empty() {
            return Err(bad("decode and decoded_contains go together".to_owned()));
        }
        if spec.keywords.is_empty() && spec.paths.is_empty() {
            return Err(bad("a rule needs keywords or paths".to_owned()));
        }
        let modes = match spec.modes {
            None => None,
            Some(m) if m.live.is_empty() || m.test.is_empty() => {
                return Err(bad("modes needs live and test prefixes".to_owned()))
            }
            Some(m) => Some((
                m.live.into_iter().map(leak).collect(),
                m.test.into_iter().map(leak).collect(),
            )),
        };
        let paths = if spec.paths.is_empty() {
            None
        } else {
            let mut b = GlobSetBuilder::new();
            for p in &spec.paths {
                b.add(Glob::new(p).map_err(|e| bad(e.to_string()))?);
            }
            Some(b.build().map_err(|e| bad(e.to_string()))?)
        };
        rules.push(SecretKind {
            id: leak(spec.id.clone()),
            kind: leak(spec.kind),
            description: gardefou_findings::Tr {
                en: leak(spec.description),
                fr: leak(spec.description_fr),
            },
            fix: gardefou_findings::Tr {
                en: leak(spec.fix),
                fr: leak(spec.fix_fr),
            },
            policy,
            severity,
            keywords: spec.keywords.into_iter().map(leak).collect(),
            multiline: spec.multiline,
            generic: spec.generic,
            order: 0,
            entropy: spec.entropy,
            decode,
            decoded_contains: spec.decoded_contains.into_iter().map(leak).collect(),
            common_word_secrets: spec.common_word_secrets,
            example_path: leak(spec.example_path.unwrap_or_else(|| {
                if spec.paths.is_empty() {
                    "config.txt".to_owned()
                } else {
                    ".env".to_owned()
                }
            })),
            references: spec.references.into_iter().map(leak).collect(),
            pattern: leak(spec.pattern),
            regex: OnceLock::new(),
            secret_groups,
            quote_group: spec.quote_group,
            host_group: spec.host_group,
            name_groups,
            name_excludes: spec
                .name_excludes
                .into_iter()
                .map(|w| leak(w.to_ascii_lowercase()))
                .collect(),
            paths,
            modes,
            examples: spec.examples.into_iter().map(leak).collect(),
            negative_examples: spec.negative_examples.into_iter().map(leak).collect(),
        });
    }
    Ok(rules)
}

/// The built-in rules, compiled once.
pub fn builtin() -> &'static [SecretKind] {
    static RULES: OnceLock<Vec<SecretKind>> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut all = Vec::new();
        for (file, text) in RULE_FILES {
            // The built-in files are tested; failing here is a build defect, not input.
            all.extend(parse_rules(file, text, false).expect("built-in rules load"));
        }
        for (i, rule) in all.iter_mut().enumerate() {
            rule.order = i;
        }
        all
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule file dropped into `rules/` and not listed in `RULE_FILES` would never be
    /// loaded: every file there is listed, and every listed file exists.
    #[test]
    fn every_rule_file_is_loaded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = RULE_FILES.iter().map(|(n, _)| (*n).to_owned()).collect();
        listed.sort();
        assert_eq!(on_disk, listed);
        // And each loads at least one rule.
        for (file, text) in RULE_FILES {
            assert!(!parse_rules(file, text, true).unwrap().is_empty(), "{file}");
        }
    }

    /// Patterns are compiled on first use: each built-in one must compile, and its capture
    /// groups must be the ones the loader counted.
    fn parse_rules_checked(file: &str, text: &str) -> Result<Vec<SecretKind>, RuleError> {
        parse_rules(file, text, true)
    }

    #[test]
    fn every_built_in_pattern_compiles() {
        for (file, text) in RULE_FILES {
            parse_rules(file, text, true).unwrap_or_else(|e| panic!("{e}"));
        }
        for kind in builtin() {
            let regex = compile(kind.pattern).unwrap_or_else(|e| panic!("{}: {e}", kind.id));
            for &g in &kind.secret_groups {
                assert!(g < regex.captures_len(), "{}", kind.id);
            }
        }
    }

    const RULE: &str = r#"
[[rules]]
id = "demo-token"
kind = "demo token"
description = "A demo token is hard-coded."
description_fr = "Un jeton de démonstration est écrit en dur."
fix = "revoke the token"
fix_fr = "révoquer le jeton"
keywords = ["demo_"]
pattern = '\b(demo_[a-z]{8})'
"#;

    #[test]
    fn a_rule_file_with_both_languages_loads() {
        let rules = parse_rules_checked("demo.toml", RULE).unwrap();
        assert_eq!(
            rules[0].description.fr,
            "Un jeton de démonstration est écrit en dur."
        );
        assert_eq!(rules[0].fix.fr, "révoquer le jeton");
    }

    #[test]
    fn a_rule_file_without_french_is_refused() {
        for field in ["description_fr", "fix_fr"] {
            let text: String = RULE
                .lines()
                .filter(|l| !l.starts_with(field))
                .map(|l| format!("{l}\n"))
                .collect();
            let err = parse_rules_checked("demo.toml", &text)
                .unwrap_err()
                .to_string();
            assert!(err.contains(field), "{field}: {err}");
        }
    }

    #[test]
    fn a_rule_file_whose_french_copies_the_english_is_refused() {
        let copied = RULE.replace(
            "description_fr = \"Un jeton de démonstration est écrit en dur.\"",
            "description_fr = \"A demo token is hard-coded.\"",
        );
        let err = parse_rules_checked("demo.toml", &copied)
            .unwrap_err()
            .to_string();
        assert!(err.contains("description_fr"), "{err}");
        let empty = RULE.replace("fix_fr = \"révoquer le jeton\"", "fix_fr = \" \"");
        let err = parse_rules_checked("demo.toml", &empty)
            .unwrap_err()
            .to_string();
        assert!(err.contains("fix_fr"), "{err}");
    }
}
