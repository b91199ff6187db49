//! `gardefou scan`: find hard-coded secrets (§7.1) in a tree, git history or the index.

use gardefou_findings::tr;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use gardefou_findings::{human, json, sarif, Report};
use gardefou_scan::{Baseline, FingerprintKey, Outcome, ScanOptions, Scanner};
use serde_json::{json, Value};

use crate::cli::{ScanArgs, ScanFormat};
use crate::{EXIT_ERROR, EXIT_REFUSED};

pub fn run(args: ScanArgs) -> Result<ExitCode> {
    let policy = gardefou_sources::load_policy(None)?.0;
    let options = ScanOptions {
        max_file_size: policy.scan.max_file_size,
        allow_paths: policy.scan.allow_paths.clone(),
        threads: 0,
        progress: std::io::stderr().is_terminal(),
    };
    let baseline = match &args.baseline {
        Some(path) => Baseline::read(path)?,
        None => Baseline::default(),
    };
    // A new baseline gets a fresh random key, so that its fingerprints (and every
    // fingerprint printed while it is in use) cannot confirm a guessed secret.
    let baseline = if args.write_baseline.is_some() && args.baseline.is_none() {
        Baseline::empty(FingerprintKey::random().context("cannot read /dev/urandom")?)
    } else {
        baseline
    };
    let scanner = Scanner::new(options)?.with_baseline(baseline);
    let mode = if args.git {
        "git"
    } else if args.staged {
        "staged"
    } else {
        "tree"
    };
    let outcome = match mode {
        "tree" => scanner.scan_paths(&args.paths)?,
        _ => {
            let repo = match args.paths.as_slice() {
                [] => PathBuf::from("."),
                [one] => one.clone(),
                _ => anyhow::bail!("--{mode} takes one repository path"),
            };
            if mode == "git" {
                scanner.scan_git_history(&repo)?
            } else {
                scanner.scan_staged(&repo)?
            }
        }
    };
    for error in &outcome.stats.errors {
        eprintln!(
            "{}",
            tr!(
                "gardefou: warning: not scanned: {error}",
                "gardefou : avertissement : non analysé : {error}"
            )
        );
    }
    if let Some(path) = &args.write_baseline {
        Baseline::write(path, scanner.fingerprint_key(), outcome.entries.clone())?;
        let (path, n) = (path.display(), outcome.entries.len());
        eprintln!(
            "{}",
            if n == 1 {
                tr!(
                    "gardefou: wrote {path}: {n} finding accepted",
                    "gardefou : {path} écrit : {n} constat accepté"
                )
            } else {
                tr!(
                    "gardefou: wrote {path}: {n} findings accepted",
                    "gardefou : {path} écrit : {n} constats acceptés"
                )
            }
        );
        let accepted = Outcome {
            report: Report::default(),
            ..outcome
        };
        write(&accepted, mode, args.format)?;
        return Ok(ExitCode::SUCCESS);
    }
    // Exemptions that did nothing are warnings (cargo-deny's "not encountered"): a stale
    // baseline entry or allow_paths glob would silently hide a future secret. A glob is
    // judged only by a scan of the whole tree or history.
    let whole = mode == "git"
        || (mode == "tree"
            && (args.paths.is_empty()
                || (args.paths.len() == 1 && matches!(args.paths[0].to_str(), Some("." | "./")))));
    let baseline_name = args.baseline.as_ref().map(|p| p.display().to_string());
    let mut outcome = outcome;
    let warnings = outcome.exemption_warnings(baseline_name.as_deref(), whole);
    if !warnings.is_empty() {
        let mut findings = std::mem::take(&mut outcome.report.findings);
        findings.extend(warnings);
        outcome.report = Report::new(findings);
    }
    write(&outcome, mode, args.format)?;
    Ok(if outcome.report.is_denied() {
        ExitCode::from(EXIT_REFUSED)
    } else if !outcome.stats.errors.is_empty() {
        ExitCode::from(EXIT_ERROR)
    } else {
        ExitCode::SUCCESS
    })
}

fn write(outcome: &Outcome, mode: &str, format: ScanFormat) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        ScanFormat::Human => human::write_colored(
            &mut out,
            &outcome.report,
            Some(&summary(outcome)),
            crate::color::stdout(),
        )?,
        ScanFormat::Json => {
            let s = &outcome.stats;
            json::write(
                &mut out,
                &outcome.report,
                &[
                    ("mode", Value::from(mode)),
                    (
                        "stats",
                        json!({
                            "scanned": s.scanned,
                            "bytes": s.bytes,
                            "skipped_binary": s.skipped_binary,
                            "skipped_large": s.skipped_large,
                            "allowed_by_path": s.allowed_by_path,
                            "baselined": s.baselined,
                            "errors": s.errors.len(),
                        }),
                    ),
                ],
            )?
        }
        ScanFormat::Sarif => {
            let rules = gardefou_scan::catalog();
            sarif::write(
                &mut out,
                &outcome.report,
                &sarif::Tool {
                    name: "gardefou",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://github.com/koomy/gardefou",
                    rules: &rules,
                },
            )?
        }
    }
    out.flush()?;
    Ok(())
}

/// `1234 files, 31.4 MB scanned; skipped: 3 binary, 1 over the size limit; 2 baselined`
fn summary(outcome: &Outcome) -> String {
    let s = &outcome.stats;
    let (n, mb) = (s.scanned, s.bytes as f64 / 1e6);
    let mut text = if n == 1 {
        tr!(
            "{n} file ({mb:.1} MB) scanned",
            "{n} fichier ({mb:.1} Mo) analysé"
        )
    } else {
        tr!(
            "{n} files ({mb:.1} MB) scanned",
            "{n} fichiers ({mb:.1} Mo) analysés"
        )
    }
    .to_string();
    let mut skipped = Vec::new();
    if s.skipped_binary > 0 {
        let n = s.skipped_binary;
        skipped.push(tr!("{n} binary", "{n} binaire(s)").to_string());
    }
    if s.skipped_large > 0 {
        let n = s.skipped_large;
        skipped.push(tr!("{n} over the size limit", "{n} au-delà de la taille limite").to_string());
    }
    if !skipped.is_empty() {
        let skipped = skipped.join(", ");
        text.push_str(&tr!("; skipped {skipped}", " ; ignorés : {skipped}"));
    }
    if s.baselined > 0 {
        let n = s.baselined;
        text.push_str(&tr!("; {n} in the baseline", " ; {n} dans la baseline"));
    }
    if s.allowed_by_path > 0 {
        let n = s.allowed_by_path;
        text.push_str(&tr!(
            "; {n} in allowed paths",
            " ; {n} dans des chemins autorisés"
        ));
    }
    if !s.errors.is_empty() {
        let n = s.errors.len();
        text.push_str(&tr!("; {n} unreadable", " ; {n} illisible(s)"));
    }
    text
}
