//! Rules as data: the TOML files under `rules/`, compiled into the binary.

use std::sync::OnceLock;

use gardefou_findings::Severity;
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;

use crate::Error;

/// The rule files, in priority order: when two rules report the same value, the one
/// that comes first wins (and `generic` rules always lose to specific ones).
pub(crate) const RULE_FILES: &[(&str, &str)] = &[
    ("stripe.toml", include_str!("../rules/stripe.toml")),
    ("sendgrid.toml", include_str!("../rules/sendgrid.toml")),
    ("postgres.toml", include_str!("../rules/postgres.toml")),
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
    fix: String,
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
    entropy: Option<f64>,
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
}

fn default_policy() -> String {
    "7.1".to_owned()
}

/// One compiled detection rule.
#[derive(Debug)]
pub struct ScanRule {
    /// Stable id, e.g. `stripe-secret-key`.
    pub id: &'static str,
    /// What was found, in a few words, e.g. `Stripe secret key`.
    pub kind: &'static str,
    /// One sentence describing the rule.
    pub description: &'static str,
    /// How to fix a finding.
    pub fix: &'static str,
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
    pub(crate) regex: Regex,
    pub(crate) secret_groups: Vec<usize>,
    pub(crate) quote_group: Option<usize>,
    pub(crate) host_group: Option<usize>,
    pub(crate) paths: Option<GlobSet>,
    /// Lines that must match.
    pub examples: Vec<&'static str>,
    /// Lines that must not match.
    pub negative_examples: Vec<&'static str>,
}

impl ScanRule {
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

    /// The regex source, e.g. for running the same patterns through another tool.
    pub fn pattern(&self) -> &str {
        self.regex.as_str()
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Parses and compiles one rule file. Rule strings are leaked once: rules live for the
/// whole process and findings borrow their ids as `&'static str`.
pub(crate) fn parse_rules(file: &str, text: &str) -> Result<Vec<ScanRule>, Error> {
    let parsed: RuleFile = toml::from_str(text).map_err(|e| Error::Rule {
        file: file.to_owned(),
        message: e.to_string(),
    })?;
    let mut rules = Vec::new();
    for spec in parsed.rules {
        let bad = |message: String| Error::Rule {
            file: format!("{file}: {}", spec.id),
            message,
        };
        let policy = gardefou_findings::Section::parse(&spec.policy).ok_or_else(|| {
            bad(format!(
                "policy = {:?} is not a section of the policy",
                spec.policy
            ))
        })?;
        let regex = RegexBuilder::new(&spec.pattern)
            .unicode(false)
            .size_limit(32 << 20)
            .build()
            .map_err(|e| bad(e.to_string()))?;
        let secret_groups = match spec.secret_group {
            None => vec![1],
            Some(Groups::One(g)) => vec![g],
            Some(Groups::Many(g)) => g,
        };
        for &g in secret_groups
            .iter()
            .chain(spec.quote_group.iter())
            .chain(spec.host_group.iter())
        {
            if g == 0 || g >= regex.captures_len() {
                return Err(bad(format!("capture group {g} does not exist")));
            }
        }
        let severity = match spec.severity.as_deref() {
            None | Some("error") => Severity::Error,
            Some("warning") => Severity::Warning,
            Some(other) => return Err(bad(format!("unknown severity: {other}"))),
        };
        if spec.keywords.is_empty() && spec.paths.is_empty() {
            return Err(bad("a rule needs keywords or paths".to_owned()));
        }
        let paths = if spec.paths.is_empty() {
            None
        } else {
            let mut b = GlobSetBuilder::new();
            for p in &spec.paths {
                b.add(Glob::new(p).map_err(|e| bad(e.to_string()))?);
            }
            Some(b.build().map_err(|e| bad(e.to_string()))?)
        };
        rules.push(ScanRule {
            id: leak(spec.id.clone()),
            kind: leak(spec.kind),
            description: leak(spec.description),
            fix: leak(spec.fix),
            policy,
            severity,
            keywords: spec.keywords.into_iter().map(leak).collect(),
            multiline: spec.multiline,
            generic: spec.generic,
            order: 0,
            entropy: spec.entropy,
            regex,
            secret_groups,
            quote_group: spec.quote_group,
            host_group: spec.host_group,
            paths,
            examples: spec.examples.into_iter().map(leak).collect(),
            negative_examples: spec.negative_examples.into_iter().map(leak).collect(),
        });
    }
    Ok(rules)
}

/// The built-in rules, compiled once.
pub fn builtin() -> &'static [ScanRule] {
    static RULES: OnceLock<Vec<ScanRule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut all = Vec::new();
        for (file, text) in RULE_FILES {
            // The built-in files are tested; failing here is a build defect, not input.
            all.extend(parse_rules(file, text).expect("built-in rules compile"));
        }
        for (i, rule) in all.iter_mut().enumerate() {
            rule.order = i;
        }
        all
    })
}

/// The built-in rules as [`gardefou_findings::Rule`] descriptors (for SARIF and the docs).
pub fn catalog() -> Vec<gardefou_findings::Rule> {
    builtin()
        .iter()
        .map(|r| gardefou_findings::Rule {
            id: r.id,
            policy: r.policy,
            summary: r.description,
            fix: r.fix,
        })
        .collect()
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
            assert!(!parse_rules(file, text).unwrap().is_empty(), "{file}");
        }
    }
}
