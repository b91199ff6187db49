//! The matching engine: one Aho-Corasick pass over a file finds the lines where any rule's
//! keyword occurs; only those lines are handed to the rules' own regexes.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use gardefou_findings::Severity;
use gardefou_redact::Secret;

use crate::detect;
use crate::rules::SecretKind;

/// A secret found in some bytes, before it is turned into a [`gardefou_findings::Finding`].
/// The value is held in a [`Secret`] so that this type cannot print it.
#[derive(Debug)]
pub struct Candidate {
    /// The rule that matched.
    pub rule: &'static SecretKind,
    /// Severity, possibly lowered from the rule's (a local database host).
    pub severity: Severity,
    /// 1-based line of the secret.
    pub line: usize,
    /// 1-based column of the secret, in characters.
    pub column: usize,
    /// Byte range of the secret in the scanned bytes.
    pub span: (usize, usize),
    /// The secret itself, for fingerprinting only.
    pub secret: Secret,
}

/// Matches a fixed set of rules against bytes. Cheap to share between threads.
pub struct Matcher {
    rules: &'static [SecretKind],
    prefilter: AhoCorasick,
    /// For each prefilter pattern, the rules it triggers.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules with no keyword: they run on every file they apply to (path-scoped).
    always: Vec<usize>,
    /// Whether a line carrying `gardefou:allow` is skipped (files: yes; environment
    /// values: no, a value cannot exempt itself).
    honour_allow: bool,
}

/// Multi-line rules look this far from the start of the keyword's line.
const MULTILINE_WINDOW: usize = 32 * 1024;

const ALLOW_MARKER: &[u8] = b"gardefou:allow";

impl Matcher {
    /// A matcher for these rules.
    pub fn new(rules: &'static [SecretKind]) -> Self {
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            if rule.keywords.is_empty() {
                always.push(i);
            }
            for kw in &rule.keywords {
                let kw = kw.to_ascii_lowercase();
                match keywords.iter().position(|k| *k == kw) {
                    Some(p) => keyword_rules[p].push(i),
                    None => {
                        keywords.push(kw);
                        keyword_rules.push(vec![i]);
                    }
                }
            }
        }
        let prefilter = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&keywords)
            .expect("keywords build an automaton");
        Matcher {
            rules,
            prefilter,
            keyword_rules,
            always,
            honour_allow: true,
        }
    }

    /// A matcher for environment values: the same rules, but `gardefou:allow` in a value
    /// exempts nothing (the marker is for reviewed lines of committed files).
    pub fn for_values(rules: &'static [SecretKind]) -> Self {
        Matcher {
            honour_allow: false,
            ..Matcher::new(rules)
        }
    }

    /// The rules this matcher runs.
    pub fn rules(&self) -> &'static [SecretKind] {
        self.rules
    }

    /// Every secret in `haystack`, a file whose path is `path` (used for path-scoped rules
    /// and to tell code from configuration). Lines carrying `gardefou:allow` are skipped.
    pub fn find(&self, path: &str, haystack: &[u8]) -> Vec<Candidate> {
        // Per rule, the start of the last line handed to it, so that each line is searched
        // at most once per rule however many keywords it holds (minified files).
        let mut last_line: Vec<usize> = vec![usize::MAX; self.rules.len()];
        let mut line = (0usize, 0usize);
        let mut out = Vec::new();
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        for m in self.prefilter.find_overlapping_iter(haystack) {
            let at = m.start();
            if at >= line.1 || (at < line.0) {
                line = line_bounds(haystack, at);
            }
            for &r in &self.keyword_rules[m.pattern().as_usize()] {
                if last_line[r] == line.0 {
                    continue;
                }
                last_line[r] = line.0;
                let rule = &self.rules[r];
                if !rule.applies_to(path) {
                    continue;
                }
                let end = if rule.multiline {
                    haystack.len().min(line.0 + MULTILINE_WINDOW).max(line.1)
                } else {
                    line.1
                };
                spans.push((r, line.0, end));
            }
        }
        for &r in &self.always {
            if self.rules[r].applies_to(path) {
                spans.push((r, 0, haystack.len()));
            }
        }
        for (r, start, end) in spans {
            self.run_rule(&self.rules[r], path, haystack, start, end, &mut out);
        }
        dedupe(&mut out);
        if !out.is_empty() {
            locate(haystack, &mut out);
        }
        out
    }

    fn run_rule(
        &self,
        rule: &'static SecretKind,
        path: &str,
        haystack: &[u8],
        start: usize,
        end: usize,
        out: &mut Vec<Candidate>,
    ) {
        let region = &haystack[start..end];
        for caps in rule.regex().captures_iter(region) {
            let Some(secret) = rule.secret_groups.iter().find_map(|&g| caps.get(g)) else {
                continue;
            };
            let value = secret.as_bytes();
            let host = rule.host_group.and_then(|g| caps.get(g));
            if detect::is_placeholder_or_reference(value) {
                // `postgres://app:secret@…` in configuration is a weak password,
                // not a placeholder; in documentation or for an example host it is one.
                let weak_password = rule.common_word_secrets
                    && detect::is_common_word(value)
                    && !detect::is_documentation(path)
                    && !host.is_some_and(|h| detect::is_example_host(h.as_bytes()));
                if !weak_password {
                    continue;
                }
            }
            if detect::is_masked(&region[..secret.start()], &region[secret.end()..]) {
                continue;
            }
            if let Some(floor) = rule.entropy {
                if crate::entropy::shannon(value) < floor {
                    continue;
                }
            }
            if let Some(name) = rule.name_groups.iter().find_map(|&g| caps.get(g)) {
                let name = name.as_bytes();
                if detect::names_no_secret(name)
                    || detect::looks_like_route(value)
                    || detect::is_words(value)
                    || rule.name_excludes.iter().any(|w| {
                        memchr::memmem::find(&name.to_ascii_lowercase(), w.as_bytes()).is_some()
                    })
                {
                    continue;
                }
            }
            if let Some(decode) = rule.decode {
                if !detect::decoded_contains(decode, value, &rule.decoded_contains) {
                    continue;
                }
            }
            if let Some(q) = rule.quote_group {
                let quoted = caps.get(q).is_some_and(|m| !m.is_empty());
                let next = region.get(secret.end()).copied();
                if !quoted
                    && (detect::unquoted_is_expression(path)
                        || detect::looks_like_identifier_path(value)
                        || detect::is_type_name(value)
                        || matches!(next, Some(b'(' | b'[' | b'.')))
                {
                    continue;
                }
            }
            let severity = match host {
                Some(host) if detect::is_local_host(host.as_bytes()) => Severity::Warning,
                _ => rule.severity,
            };
            let abs = (start + secret.start(), start + secret.end());
            let (ls, le) = line_bounds(haystack, start + caps.get(0).map_or(0, |m| m.start()));
            if self.honour_allow && memchr::memmem::find(&haystack[ls..le], ALLOW_MARKER).is_some()
            {
                continue;
            }
            out.push(Candidate {
                rule,
                severity,
                line: 0,
                column: 0,
                span: abs,
                secret: Secret::new(String::from_utf8_lossy(value).into_owned()),
            });
        }
    }
}

/// The line holding byte `at`: `[start, end)` without the newline.
fn line_bounds(haystack: &[u8], at: usize) -> (usize, usize) {
    let start = memchr::memrchr(b'\n', &haystack[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &haystack[at..]).map_or(haystack.len(), |i| at + i);
    (start, end)
}

/// One finding per value: when spans overlap, the rule that comes first wins (specific
/// rules before generic ones, then in rule-file order).
fn dedupe(out: &mut Vec<Candidate>) {
    out.sort_by_key(|c| (c.rule.generic, c.rule.order, c.span.0, c.span.1));
    let mut kept: Vec<Candidate> = Vec::with_capacity(out.len());
    // Spans kept so far, sorted by start.
    let mut taken: Vec<(usize, usize)> = Vec::with_capacity(out.len());
    for c in out.drain(..) {
        let at = taken.partition_point(|t| t.0 < c.span.1);
        let clash = taken[..at].iter().rev().take(64).any(|t| t.1 > c.span.0);
        if !clash {
            taken.insert(at, c.span);
            kept.push(c);
        }
    }
    *out = kept;
}

/// Fills in line and column, walking the haystack once for all candidates.
fn locate(haystack: &[u8], out: &mut [Candidate]) {
    out.sort_by_key(|c| c.span.0);
    let (mut line, mut line_start, mut pos) = (1usize, 0usize, 0usize);
    for c in out.iter_mut() {
        for nl in memchr::memchr_iter(b'\n', &haystack[pos..c.span.0]) {
            line += 1;
            line_start = pos + nl + 1;
        }
        pos = c.span.0;
        c.line = line;
        // Characters, not bytes: count every byte that does not continue a UTF-8 sequence.
        c.column = 1 + haystack[line_start..c.span.0]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count();
    }
}
