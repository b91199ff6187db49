//! `gardefou deploy check`: §10 against the repository.

use gardefou_findings::tr;
use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use gardefou_findings::{human, json};
use gardefou_release::{check_deploy, DeployCheck, DeployRequest, Target};
use serde_json::Value;

use crate::cli::{DeployCheckArgs, DeployTarget, Format};
use crate::EXIT_REFUSED;

pub fn run(args: DeployCheckArgs) -> Result<ExitCode> {
    let policy = gardefou_sources::load_policy(args.policy.policy.as_deref())?.0;
    let target = match args.target {
        DeployTarget::Production => Target::Production,
        DeployTarget::Sandbox => Target::Sandbox,
    };
    // The CI variables read are declared in `gardefou_release::ci::CI_SYSTEMS`.
    let var = |name: &str| std::env::var(name).ok();
    let check = check_deploy(&DeployRequest {
        target,
        branch: args.branch.as_deref(),
        repo: &args.repo,
        release: &policy.release,
        var: &var,
    })?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Human => human::write_colored(
            &mut out,
            &check.report,
            Some(&subject(&check)),
            crate::color::stdout(),
        )?,
        Format::Json => {
            let opt = |v: &Option<String>| v.as_deref().map_or(Value::Null, Value::from);
            json::write(
                &mut out,
                &check.report,
                &[
                    ("target", Value::from(check.target.as_str())),
                    ("branch", opt(&check.branch)),
                    ("branch_source", opt(&check.branch_source)),
                    ("commit", opt(&check.commit)),
                    ("staging", opt(&check.staging)),
                ],
            )?
        }
    }
    out.flush()?;
    Ok(if check.report.is_denied() {
        ExitCode::from(EXIT_REFUSED)
    } else {
        ExitCode::SUCCESS
    })
}

fn subject(check: &DeployCheck) -> String {
    let target = check.target;
    let mut s = match (&check.branch, &check.branch_source) {
        (Some(b), Some(src)) => tr!(
            "{target} deploy of {b} ({src})",
            "déploiement {target} de {b} ({src})"
        ),
        _ => tr!(
            "{target} deploy of an unknown branch",
            "déploiement {target} d'une branche inconnue"
        ),
    }
    .to_string();
    if let Some(c) = &check.commit {
        let c = &c[..c.len().min(12)];
        s.push_str(&tr!(" at {c}", " à {c}"));
    }
    s
}
