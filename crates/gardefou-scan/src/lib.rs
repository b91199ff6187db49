//! The secret scanner behind `gardefou scan` (policy §7.1: no secret hard-coded in the code).
//!
//! - **Rules are data**, the one definition of each secret kind, shared with `check`: the
//!   TOML files of [`gardefou_kinds`], compiled into the binary. Each rule has an id, a
//!   kind, the policy section, keywords, a pattern, the capture group holding the secret,
//!   an optional entropy floor and `examples`/`negative_examples` that the test suite runs.
//! - **One prefilter pass**: an ASCII case-insensitive Aho-Corasick automaton over every
//!   rule's keywords finds the lines worth looking at; only those lines meet the rules'
//!   own regexes, compiled without Unicode (`\b`, `\w`, `\s` are ASCII), which keeps the
//!   hot path at memory speed.
//! - **Judging a candidate**: placeholders (`xxx`, `<your-key>`, `changeme`), masked
//!   values (`sk_live_4eC3…`) and references (`${VAR}`, `$VAR`, `process.env.X`,
//!   `os.environ[...]`, an unquoted name in code) are not secrets; names that hold no
//!   secret (`credentialsId`, `SECRET_NAME`, `publicToken`) and routes are not reported
//!   by generic rules; entropy floors keep generic rules quiet; some rules decode the value
//!   (base64, a JWT's payload) and check what it holds; a line carrying `gardefou:allow`
//!   is skipped; a specific rule wins over a generic one on the same value.
//! - **Inputs**: a tree ([`Scanner::scan_paths`], parallel, honouring `.gitignore`,
//!   skipping binary and oversized files), git history ([`Scanner::scan_git_history`],
//!   every reachable blob once) and the index ([`Scanner::scan_staged`], only the lines
//!   the commit adds).
//! - **Exemptions that did nothing** (stale baseline entries, `allow_paths` globs that
//!   hid nothing) are reported as warnings ([`Outcome::exemption_warnings`]).
//! - **Nothing leaks**: a secret is held in a [`gardefou_redact::Secret`] from the moment it
//!   is matched and only ever leaves as a keyed fingerprint (see [`fingerprint`]).
//!
//! Git history is read in-process, opened through `gardefou_edges::git::open` so that no
//! variable of the caller's environment can point it at another repository or history and
//! replace refs are not applied: one walk of the commits, parents first, meets every blob
//! reachable from any ref or worktree HEAD once, in the commit that introduced it; the
//! blobs are then read straight from the packs, each delta chain resolved once, and what
//! the packs do not hold through `gix`. Memory is a few dozen bytes per blob and per
//! object of the largest pack, plus bounded buffers, not the size of the history. Staged
//! changes are read through git itself (`diff --cached`, `cat-file --batch`): the index, a
//! hook's `GIT_INDEX_FILE` and what a commit adds are git's.
//!
//! ```
//! use gardefou_scan::{ScanOptions, Scanner};
//!
//! let scanner = Scanner::new(ScanOptions::default()).unwrap();
//! let line = format!("STRIPE_SECRET_KEY={}_{}_{}", "sk", "live", "4eC39HqLyjWDarjtT1zdp7dc9Zq8");
//! let findings = scanner.scan_bytes("config.js", line.as_bytes());
//! assert_eq!(findings.len(), 1);
//! assert_eq!(findings[0].rule, "stripe-secret-key");
//! // The finding names the rule, the place and a fingerprint: never the value.
//! assert!(!format!("{:?}", findings[0]).contains("4eC39"));
//! ```
#![warn(missing_docs)]

pub mod baseline;
pub mod fingerprint;
mod git;
mod history;
mod packs;
mod walk;

use std::path::{Path, PathBuf};

use gardefou_findings::{Finding, Location, Report, Severity};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

pub use baseline::Baseline;
pub use fingerprint::FingerprintKey;
pub use gardefou_kinds::{builtin as builtin_rules, detect, Candidate, Matcher, SecretKind};

/// Every rule `gardefou scan` can report, as [`gardefou_findings::Rule`] descriptors (for
/// SARIF and the docs): each built-in kind, then the warnings about exemptions that did
/// nothing.
pub fn catalog() -> Vec<gardefou_findings::Rule> {
    builtin_rules()
        .iter()
        .map(rule_of)
        .chain([BASELINE_STALE, ALLOW_PATH_UNUSED])
        .collect()
}

/// A secret kind as the catalog states its rule.
fn rule_of(k: &SecretKind) -> gardefou_findings::Rule {
    gardefou_findings::Rule {
        id: k.id,
        policy: k.policy,
        // A value on a local database host is a warning (see `Matcher::find`).
        weight: match (k.severity, k.lowered_on_local_hosts()) {
            (Severity::Warning, _) => gardefou_findings::Weight::Warning,
            (Severity::Error, true) => gardefou_findings::Weight::ErrorOrWarning,
            (Severity::Error, false) => gardefou_findings::Weight::Error,
        },
        summary: k.description,
        fix: k.fix,
    }
}

/// Files larger than this are skipped unless configured otherwise (`[scan] max_file_size`).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// Why a scan could not be carried out. Never contains a scanned value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A rule file does not parse or compile.
    #[error("invalid rule in {file}: {message}")]
    Rule {
        /// Rule file (and rule id).
        file: String,
        /// What is wrong.
        message: String,
    },
    /// An `allow_paths` glob is invalid.
    #[error("invalid allow_paths glob {glob:?}: {message}")]
    Glob {
        /// The glob.
        glob: String,
        /// What is wrong.
        message: String,
    },
    /// A file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A baseline file is malformed.
    #[error("invalid baseline {path}: {message}")]
    Baseline {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The git history could not be read (not a repository, a damaged one…).
    #[error("git history of {path} cannot be read: {message}")]
    GitHistory {
        /// The directory given.
        path: String,
        /// What went wrong (gix's message; never an object's content).
        message: String,
    },
    /// A git command failed.
    #[error("git {command} failed: {message}")]
    Git {
        /// The subcommand, e.g. `rev-list`.
        command: &'static str,
        /// git's own message, or the exit status.
        message: String,
    },
}

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Files (and blobs) larger than this many bytes are skipped.
    pub max_file_size: u64,
    /// Globs of paths never reported (e.g. rule example files), matched against the path
    /// as displayed, relative to the scanned root. `*` does not cross `/`; use `**`.
    pub allow_paths: Vec<String>,
    /// Worker threads; 0 picks the number of CPUs.
    pub threads: usize,
    /// Draw a progress bar on stderr (set it only when stderr is a terminal).
    pub progress: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            allow_paths: Vec::new(),
            threads: 0,
            progress: false,
        }
    }
}

/// What a scan looked at, for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Files or blobs scanned.
    pub scanned: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Skipped because they hold a NUL byte in their first 8 KiB.
    pub skipped_binary: u64,
    /// Skipped because they exceed `max_file_size`.
    pub skipped_large: u64,
    /// Findings not reported because their path is in `allow_paths`.
    pub allowed_by_path: u64,
    /// Findings not reported because the baseline accepts them.
    pub baselined: u64,
    /// Files that could not be read (path and reason; never content).
    pub errors: Vec<String>,
}

/// The result of a scan.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Findings left after allowlists and baseline, sorted by path, line and column.
    pub report: Report,
    /// Every finding before the baseline was applied, as baseline entries, for
    /// `--write-baseline`.
    pub entries: Vec<baseline::Entry>,
    /// What was scanned and skipped.
    pub stats: Stats,
    /// Baseline entries for a file that was scanned but that no finding matches any more:
    /// the secret was removed (or the file rewritten), and the entry only hides a future
    /// one with the same fingerprint.
    pub stale_baseline: Vec<baseline::Entry>,
    /// `allow_paths` globs that hid no finding in this scan.
    pub unused_allow_paths: Vec<String>,
}

/// The rule of a baseline entry that matches no finding any more (a warning).
pub const BASELINE_STALE: gardefou_findings::Rule = gardefou_findings::Rule {
    id: "scan-baseline-stale",
    policy: gardefou_findings::Section::S7_1,
    weight: gardefou_findings::Weight::Warning,
    summary: gardefou_findings::Tr {
        en: "A baseline entry matches no finding in a file that was scanned (warning): the secret was removed or the file rewritten, and the stale entry would hide a new finding with the same fingerprint.",
        fr: "Une entrée de la baseline ne correspond plus à aucun constat dans un fichier analysé (avertissement) : le secret a été retiré ou le fichier réécrit, et l'entrée périmée masquerait un nouveau constat de même empreinte.",
    },
    fix: gardefou_findings::Tr {
        en: "rewrite the baseline (gardefou scan --write-baseline FILE) or delete the entry",
        fr: "réécrire la baseline (gardefou scan --write-baseline FICHIER) ou supprimer l'entrée",
    },
};

/// The rule of an `allow_paths` glob that hid nothing (a warning).
pub const ALLOW_PATH_UNUSED: gardefou_findings::Rule = gardefou_findings::Rule {
    id: "scan-allow-path-unused",
    policy: gardefou_findings::Section::S7_1,
    weight: gardefou_findings::Weight::Warning,
    summary: gardefou_findings::Tr {
        en: "An `[scan] allow_paths` glob hid no finding in a scan of the whole tree or history (warning): it no longer matches what it was written for, and would silently hide whatever lands there.",
        fr: "Un glob de `[scan] allow_paths` n'a masqué aucun constat lors d'une analyse de tout l'arbre ou de tout l'historique (avertissement) : il ne correspond plus à ce pour quoi il a été écrit, et masquerait en silence tout ce qui arriverait là.",
    },
    fix: gardefou_findings::Tr {
        en: "remove the glob from [scan] allow_paths in gardefou.toml, or correct it",
        fr: "retirer le glob de [scan] allow_paths dans gardefou.toml, ou le corriger",
    },
};

impl Outcome {
    /// The exemptions that did nothing, as warnings: stale baseline entries always, and
    /// unused `allow_paths` globs when `whole` (the scan covered the whole tree or
    /// history, so a glob that hid nothing hides nothing anywhere). Warnings do not change
    /// the verdict.
    pub fn exemption_warnings(&self, baseline: Option<&str>, whole: bool) -> Vec<Finding> {
        let mut out = Vec::new();
        for e in &self.stale_baseline {
            out.push(
                BASELINE_STALE
                    .warning({
                        let (rule, path) = (&e.rule, &e.path);
                        let (file, fichier) = match baseline {
                            Some(b) => (b, b),
                            None => ("baseline", "baseline"),
                        };
                        gardefou_findings::Text::new(
                            format!("{file}: the entry for {rule} in {path} matches no finding any more"),
                            format!("{fichier} : l'entrée de {rule} dans {path} ne correspond plus à aucun constat"),
                        )
                    })
                    .with_fingerprint(e.fingerprint.clone()),
            );
        }
        if whole {
            for glob in &self.unused_allow_paths {
                out.push(ALLOW_PATH_UNUSED.warning(gardefou_findings::tr!(
                    "allow_paths glob {glob:?} hid no finding",
                    "le glob allow_paths {glob:?} n'a masqué aucun constat"
                )));
            }
        }
        out
    }
}

/// A configured scanner.
pub struct Scanner {
    matcher: Matcher,
    allow: GlobSet,
    /// The globs of `allow`, in order, for reporting the unused ones.
    allow_globs: Vec<String>,
    options: ScanOptions,
    baseline: Baseline,
}

/// Where a finding was made, beyond its path.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Origin<'a> {
    pub commit: Option<&'a str>,
}

impl Scanner {
    /// A scanner with the built-in rules.
    pub fn new(options: ScanOptions) -> Result<Self, Error> {
        let mut allow = GlobSetBuilder::new();
        for glob in &options.allow_paths {
            let g = GlobBuilder::new(glob.trim_start_matches("./"))
                .literal_separator(true)
                .build()
                .map_err(|e| Error::Glob {
                    glob: glob.clone(),
                    message: e.kind().to_string(),
                })?;
            allow.add(g);
        }
        Ok(Scanner {
            matcher: Matcher::new(gardefou_kinds::builtin()),
            allow: allow.build().map_err(|e| Error::Glob {
                glob: String::new(),
                message: e.to_string(),
            })?,
            allow_globs: options.allow_paths.clone(),
            options,
            baseline: Baseline::default(),
        })
    }

    /// Uses `baseline`: its findings are not reported, and its key makes the fingerprints.
    pub fn with_baseline(mut self, baseline: Baseline) -> Self {
        self.baseline = baseline;
        self
    }

    /// The key fingerprints are made with.
    pub fn fingerprint_key(&self) -> &FingerprintKey {
        &self.baseline.key
    }

    /// The options in force.
    pub fn options(&self) -> &ScanOptions {
        &self.options
    }

    /// Findings in one buffer, as if it were the file `path`. Allowlists and the baseline
    /// are not applied.
    pub fn scan_bytes(&self, path: &str, bytes: &[u8]) -> Vec<Finding> {
        self.matcher
            .find(path, bytes)
            .into_iter()
            .map(|c| self.to_finding(path, Origin::default(), &c))
            .collect()
    }

    /// Scans files and directories.
    pub fn scan_paths(&self, paths: &[PathBuf]) -> Result<Outcome, Error> {
        walk::scan_paths(self, paths)
    }

    /// Scans every blob reachable from any ref or worktree HEAD of the repository at `repo`, once.
    pub fn scan_git_history(&self, repo: &Path) -> Result<Outcome, Error> {
        history::scan(self, repo)
    }

    /// Scans what is staged in the index of the repository at `repo`.
    pub fn scan_staged(&self, repo: &Path) -> Result<Outcome, Error> {
        git::scan_staged(self, repo)
    }

    pub(crate) fn threads(&self) -> usize {
        match self.options.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }

    pub(crate) fn is_allowed_path(&self, path: &str) -> bool {
        !self.allow.is_empty() && self.allow.is_match(path)
    }

    pub(crate) fn is_binary(bytes: &[u8]) -> bool {
        memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
    }

    fn to_finding(&self, path: &str, origin: Origin<'_>, c: &Candidate) -> Finding {
        let fingerprint =
            self.baseline
                .key
                .fingerprint(c.rule.id, path, c.secret.expose().as_bytes());
        let local = c.severity == Severity::Warning && c.rule.severity == Severity::Error;
        let (kind, n) = (c.rule.kind, c.secret.expose().chars().count());
        let kind_fr = c.rule.kind_fr;
        let (how, how_fr) = if c.rule.severity == Severity::Warning {
            ("in the code", "dans le code")
        } else {
            ("hard-coded", "en dur")
        };
        let (local, local_fr) = if local {
            (" for a local database", " pour une base de données locale")
        } else {
            ("", "")
        };
        let message = gardefou_findings::tr!(
            "{kind} {how} ({n} characters, redacted){local}",
            "{kind_fr} {how_fr} ({n} caractères, valeur masquée){local_fr}"
        );
        rule_of(c.rule)
            .finding(c.severity, message, c.rule.fix.into())
            .at(Location {
                path: path.to_owned(),
                line: c.line,
                column: c.column,
                commit: origin.commit.map(str::to_owned),
            })
            .with_fingerprint(fingerprint)
    }

    /// Matches one file's bytes and files the findings into `sink`, applying the path
    /// allowlist and the baseline.
    pub(crate) fn scan_into(&self, path: &str, origin: Origin<'_>, bytes: &[u8], sink: &mut Sink) {
        sink.stats.scanned += 1;
        sink.stats.bytes += bytes.len() as u64;
        if !self.baseline.entries().is_empty() && !sink.scanned_paths.contains(path) {
            sink.scanned_paths.insert(path.to_owned());
        }
        let candidates = self.matcher.find(path, bytes);
        if candidates.is_empty() {
            return;
        }
        if self.is_allowed_path(path) {
            sink.stats.allowed_by_path += candidates.len() as u64;
            for i in self.allow.matches(path) {
                sink.allow_hits.insert(i);
            }
            return;
        }
        for c in &candidates {
            let f = self.to_finding(path, origin, c);
            let fp = f.fingerprint.clone().unwrap_or_default();
            sink.entries.push(baseline::Entry {
                rule: f.rule.to_owned(),
                path: path.to_owned(),
                fingerprint: fp.clone(),
            });
            if self.baseline.contains(&fp) {
                sink.stats.baselined += 1;
            } else {
                sink.findings.push(f);
            }
        }
    }
}

/// Per-thread accumulator of findings and counts.
#[derive(Default)]
pub(crate) struct Sink {
    pub findings: Vec<Finding>,
    pub entries: Vec<baseline::Entry>,
    pub stats: Stats,
    /// Paths scanned (kept only when a baseline has entries to check).
    pub scanned_paths: std::collections::HashSet<String>,
    /// Indices of the `allow_paths` globs that hid a finding.
    pub allow_hits: std::collections::BTreeSet<usize>,
}

impl Sink {
    pub fn merge(&mut self, other: Sink) {
        self.findings.extend(other.findings);
        self.entries.extend(other.entries);
        self.scanned_paths.extend(other.scanned_paths);
        self.allow_hits.extend(other.allow_hits);
        let (s, o) = (&mut self.stats, other.stats);
        s.scanned += o.scanned;
        s.bytes += o.bytes;
        s.skipped_binary += o.skipped_binary;
        s.skipped_large += o.skipped_large;
        s.allowed_by_path += o.allowed_by_path;
        s.baselined += o.baselined;
        s.errors.extend(o.errors);
    }

    /// The outcome, with the exemptions of `scanner` that matched nothing.
    pub fn finish(mut self, scanner: &Scanner) -> Outcome {
        let found: std::collections::HashSet<&str> = self
            .entries
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let stale_baseline = scanner
            .baseline
            .entries()
            .iter()
            .filter(|e| {
                self.scanned_paths.contains(&e.path) && !found.contains(e.fingerprint.as_str())
            })
            .cloned()
            .collect();
        let unused_allow_paths = scanner
            .allow_globs
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.allow_hits.contains(i))
            .map(|(_, g)| g.clone())
            .collect();
        self.findings.sort_by(|a, b| {
            let key = |f: &Finding| {
                f.location
                    .as_ref()
                    .map(|l| (l.path.clone(), l.line, l.column, l.commit.clone()))
            };
            key(a).cmp(&key(b)).then(a.rule.cmp(b.rule))
        });
        self.entries.sort();
        self.entries.dedup();
        self.stats.errors.sort();
        Outcome {
            report: Report::new(self.findings),
            entries: self.entries,
            stats: self.stats,
            stale_baseline,
            unused_allow_paths,
        }
    }
}

pub(crate) fn progress_bar(enabled: bool, what: &'static str) -> indicatif::ProgressBar {
    if !enabled {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} {human_pos} {msg} ({elapsed})")
    {
        bar.set_style(style);
    }
    bar.set_message(what);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}
