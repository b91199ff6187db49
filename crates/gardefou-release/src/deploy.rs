//! `deploy check`: §10 against a real repository.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use gardefou_findings::{tr, Finding, Report};
use gardefou_policy::ReleasePolicy;

use crate::ci::{self, CiBranch};
use crate::git::{GitError, Repo};
use crate::rules;

/// At most this many commits are named one by one; the rest are counted.
pub const MAX_NAMED_COMMITS: usize = 50;

/// Where a deploy goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// PROD: from the production branch, through staging.
    Production,
    /// SANDBOX: from the sandbox branch.
    Sandbox,
}

impl Target {
    /// `production` or `sandbox`.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Production => "production",
            Target::Sandbox => "sandbox",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to check.
pub struct DeployRequest<'a> {
    /// The target environment.
    pub target: Target,
    /// `--branch`, which wins over CI variables and the checkout.
    pub branch: Option<&'a str>,
    /// A directory inside the work tree.
    pub repo: &'a Path,
    /// The policy's branches.
    pub release: &'a ReleasePolicy,
    /// Reads an environment variable (the CI's); the process environment in the binary.
    pub var: &'a dyn Fn(&str) -> Option<String>,
}

/// The outcome: what was identified, and every finding.
#[derive(Clone, Debug)]
pub struct DeployCheck {
    /// The target.
    pub target: Target,
    /// The deployed branch, when it could be told.
    pub branch: Option<String>,
    /// Where the branch name came from: `--branch`, `VAR=value`, `checkout`.
    pub branch_source: Option<String>,
    /// The checked-out commit.
    pub commit: Option<String>,
    /// The ref taken as staging (production only), e.g. `origin/staging`.
    pub staging: Option<String>,
    /// Every finding.
    pub report: Report,
}

/// Checks a deploy. Git failures that prevent any check (no repository, no git) are
/// errors; everything else is a finding.
pub fn check_deploy(req: &DeployRequest<'_>) -> Result<DeployCheck, GitError> {
    let repo = Repo::open(req.repo)?;
    let mut findings = Vec::new();
    let allowed = match req.target {
        Target::Production => &req.release.production_branch,
        Target::Sandbox => &req.release.sandbox_branch,
    };

    let head = repo.commit("HEAD")?;
    let checked_out = repo
        .try_run(&["symbolic-ref", "-q", "HEAD"])?
        .and_then(|r| r.trim().strip_prefix("refs/heads/").map(str::to_owned));
    if head.is_none() {
        findings.push(
            rules::DEPLOY_HEAD_MISMATCH
                .error(tr!("HEAD names no commit", "HEAD ne désigne aucun commit")),
        );
    }

    // Which branch.
    let (branch, branch_source) = match req.branch {
        Some(b) => (Some(b.to_owned()), Some("--branch".to_owned())),
        None => match ci::detect(req.var) {
            CiBranch::Branch { name, sources } => (Some(name), Some(sources.join(", "))),
            CiBranch::Refused(why) => {
                findings.push(rules::DEPLOY_BRANCH_UNKNOWN.error(why));
                (None, None)
            }
            CiBranch::NotCi => match &checked_out {
                Some(b) => (Some(b.clone()), Some("checkout".to_owned())),
                None => {
                    findings.push(rules::DEPLOY_BRANCH_UNKNOWN.error(tr!(
                        "HEAD is detached and neither --branch nor a CI variable names the branch",
                        "HEAD est détachée et ni --branch ni une variable de CI ne nomme la branche"
                    )));
                    (None, None)
                }
            },
        },
    };

    if let Some(b) = &branch {
        if b != allowed {
            let (target, source) = (req.target, branch_source.as_deref().unwrap_or(""));
            findings.push(rules::DEPLOY_BRANCH_NOT_ALLOWED.error(tr!(
                "{target} deploys only from {allowed}, not from {b} ({source})",
                "{target} ne déploie que depuis {allowed}, pas depuis {b} ({source})"
            )));
        }
        if let Some(c) = &checked_out {
            if c != b {
                let source = branch_source.as_deref().unwrap_or("");
                findings.push(rules::DEPLOY_HEAD_MISMATCH.error(tr!(
                    "{source} names {b} but {c} is checked out",
                    "{source} nomme {b} mais c'est {c} qui est extraite"
                )));
            }
        }
        if let Some(head) = &head {
            findings.extend(branch_tip(&repo, b, head)?);
        }
    }

    // History.
    let shallow = repo.run(&["rev-parse", "--is-shallow-repository"])?.trim() == "true";
    if shallow {
        findings.push(
            rules::DEPLOY_HISTORY_INCOMPLETE.error(tr!(
                "the repository is a shallow clone: commits missing from it cannot be checked",
                "le dépôt est un clone superficiel (shallow) : les commits qui y manquent ne peuvent pas être vérifiés"
            )),
        );
    }
    let grafts = repo.run(&["rev-parse", "--git-path", "info/grafts"])?;
    let grafts = repo.top().join(grafts.trim());
    let grafted = grafts.exists();
    if grafted {
        let grafts = grafts.display();
        findings.push(rules::DEPLOY_HISTORY_INCOMPLETE.error(tr!(
            "{grafts} rewrites commit parents: the history shown is not the history",
            "{grafts} réécrit les parents des commits : l'historique montré n'est pas l'historique"
        )));
    }

    findings.extend(dirty(&repo)?);

    let mut staging = None;
    let on_production_branch = branch.as_deref().is_none_or(|b| b == allowed);
    if req.target == Target::Production && on_production_branch && !shallow && !grafted {
        if let Some(head) = &head {
            let remote = branch
                .as_deref()
                .and_then(|b| {
                    repo.try_run(&["config", "--get", &format!("branch.{b}.remote")])
                        .ok()
                        .flatten()
                })
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty() && r != ".")
                .unwrap_or_else(|| "origin".to_owned());
            let sandbox = &req.release.sandbox_branch;
            let remote_ref = format!("refs/remotes/{remote}/{sandbox}");
            let local_ref = format!("refs/heads/{sandbox}");
            let staging_ref = if repo.has_ref(&remote_ref)? {
                Some(remote_ref)
            } else if repo.has_ref(&local_ref)? {
                Some(local_ref)
            } else {
                None
            };
            match staging_ref {
                None => findings.push(rules::DEPLOY_STAGING_UNKNOWN.error(tr!(
                    "neither {remote}/{sandbox} nor a local {sandbox} branch exists",
                    "ni {remote}/{sandbox} ni une branche locale {sandbox} n'existe"
                ))),
                Some(staging_ref) => {
                    findings.extend(not_through_staging(&repo, head, &staging_ref)?);
                    staging = Some(short_ref(&staging_ref).to_owned());
                }
            }
        }
    }

    Ok(DeployCheck {
        target: req.target,
        branch,
        branch_source,
        commit: head,
        staging,
        report: Report::new(findings),
    })
}

/// HEAD must be the branch's tip, and a branch with a remote-tracking branch must equal it.
fn branch_tip(repo: &Repo, branch: &str, head: &str) -> Result<Vec<Finding>, GitError> {
    let mut findings = Vec::new();
    let local_ref = format!("refs/heads/{branch}");
    match repo.commit(&local_ref)? {
        Some(local) => {
            if local != head {
                let (head, local) = (short(head), short(&local));
                findings.push(rules::DEPLOY_HEAD_MISMATCH.error(tr!(
                    "HEAD is at {head} but {branch} is at {local}",
                    "HEAD est sur {head} mais {branch} est sur {local}"
                )));
            }
            let upstream = repo
                .run(&["for-each-ref", "--format=%(upstream)", &local_ref])?
                .trim()
                .to_owned();
            if !upstream.is_empty() {
                let name = short_ref(&upstream);
                match repo.commit(&upstream)? {
                    None => findings.push(rules::DEPLOY_BRANCH_DIVERGED.error(tr!(
                        "{branch} tracks {name}, which is not fetched",
                        "{branch} suit {name}, qui n'a pas été récupérée (fetch)"
                    ))),
                    Some(remote) if remote != local => {
                        let counts = repo.run(&[
                            "rev-list",
                            "--left-right",
                            "--count",
                            &format!("{local}...{remote}"),
                        ])?;
                        let mut it = counts.split_whitespace();
                        let ahead = it.next().unwrap_or("?");
                        let behind = it.next().unwrap_or("?");
                        findings.push(rules::DEPLOY_BRANCH_DIVERGED.error(tr!(
                            "{branch} differs from {name}: {ahead} ahead, {behind} behind",
                            "{branch} diffère de {name} : {ahead} en avance, {behind} en retard"
                        )));
                    }
                    Some(_) => {}
                }
            }
        }
        None => {
            // A CI checkout with a detached HEAD: the fetched remote branch is the tip.
            let remote_ref = format!("refs/remotes/origin/{branch}");
            match repo.commit(&remote_ref)? {
                Some(remote) if remote != head => {
                    let (head, remote) = (short(head), short(&remote));
                    findings.push(rules::DEPLOY_HEAD_MISMATCH.error(tr!(
                        "HEAD is at {head} but origin/{branch} is at {remote}",
                        "HEAD est sur {head} mais origin/{branch} est sur {remote}"
                    )))
                }
                Some(_) => {}
                None => findings.push(rules::DEPLOY_HEAD_MISMATCH.error(tr!(
                    "neither a local {branch} nor origin/{branch} exists to show that HEAD is {branch}'s tip",
                    "ni {branch} locale ni origin/{branch} n'existe pour montrer que HEAD est le sommet de {branch}"
                ))),
            }
        }
    }
    Ok(findings)
}

fn dirty(repo: &Repo) -> Result<Vec<Finding>, GitError> {
    let status = repo.run(&["status", "--porcelain=v1", "-z", "--untracked-files=all"])?;
    let mut paths = Vec::new();
    let mut entries = status.split('\0').filter(|e| !e.is_empty());
    while let Some(entry) = entries.next() {
        let (code, path) = entry.split_at(entry.len().min(3));
        paths.push(format!("{} {}", code.trim(), clean(path, 120)));
        // A rename or copy is followed by its source path.
        if code.starts_with(['R', 'C']) {
            entries.next();
        }
    }
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let total = paths.len();
    let shown: Vec<String> = paths.into_iter().take(10).collect();
    let (more, more_fr) = if total > 10 {
        let n = total - 10;
        (format!(", and {n} more"), format!(", et {n} de plus"))
    } else {
        (String::new(), String::new())
    };
    let shown = shown.join(", ");
    let (change, modification) = if total == 1 {
        ("change", "modification non commitée")
    } else {
        ("changes", "modifications non commitées")
    };
    Ok(vec![rules::DEPLOY_WORKTREE_DIRTY.error(tr!(
        "{total} uncommitted {change}: {shown}{more}",
        "{total} {modification} : {shown}{more_fr}"
    ))])
}

/// The commits of HEAD that are not on staging and whose tree no staging commit has.
fn not_through_staging(
    repo: &Repo,
    head: &str,
    staging_ref: &str,
) -> Result<Vec<Finding>, GitError> {
    let staging_trees: HashSet<String> = repo
        .run(&["log", "--no-show-signature", "--format=%T", staging_ref])?
        .lines()
        .map(str::to_owned)
        .collect();
    let candidates = repo.run(&[
        "log",
        "--no-color",
        "--no-decorate",
        "--no-show-signature",
        "--format=%h%x1f%T%x1f%s",
        head,
        &format!("^{staging_ref}"),
    ])?;
    let staging = short_ref(staging_ref);
    let offenders: Vec<(&str, &str)> = candidates
        .lines()
        .filter_map(|line| {
            let mut f = line.splitn(3, '\x1f');
            let (short, tree, subject) = (f.next()?, f.next()?, f.next().unwrap_or(""));
            (!staging_trees.contains(tree)).then_some((short, subject))
        })
        .collect();
    let mut findings: Vec<Finding> = offenders
        .iter()
        .take(MAX_NAMED_COMMITS)
        .map(|(short, subject)| {
            let subject = clean(subject, 80);
            rules::DEPLOY_COMMIT_NOT_ON_STAGING.error(tr!(
                "commit {short} \"{subject}\" did not go through {staging}: it is not on {staging} and no commit there has its tree",
                "le commit {short} « {subject} » n'est pas passé par {staging} : il n'est pas sur {staging} et aucun commit de {staging} n'a son arbre"
            ))
        })
        .collect();
    if offenders.len() > MAX_NAMED_COMMITS {
        let n = offenders.len() - MAX_NAMED_COMMITS;
        findings.push(rules::DEPLOY_COMMIT_NOT_ON_STAGING.error(tr!(
            "and {n} more commits that did not go through {staging}",
            "et {n} autres commits qui ne sont pas passés par {staging}"
        )));
    }
    Ok(findings)
}

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

fn short_ref(r: &str) -> &str {
    r.strip_prefix("refs/remotes/")
        .or_else(|| r.strip_prefix("refs/heads/"))
        .unwrap_or(r)
}

/// Text from the repository (subjects, paths) on one line, control characters replaced.
fn clean(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(max)
        .collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}
