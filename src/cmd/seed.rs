//! `gardefou seed -- CMD`: exec a seed script only on a matching sandbox stamp (§6).

use std::os::unix::process::CommandExt;
use std::process::ExitCode;

use anyhow::{Context, Result};
use gardefou_pgprobe::verify::{seed_environment, Purpose};
use gardefou_policy::evaluate_with;

use crate::cli::RunArgs;
use crate::cmd::check::write_human;
use crate::cmd::probe::append_live_findings;
use crate::env_vars::GARDEFOU_SECRETS_KEY;
use crate::{env_source, policy_source, registry_source, EXIT_REFUSED};

pub fn run(args: RunArgs) -> Result<ExitCode> {
    let (policy, policy_file) = policy_source::load_with_path(args.policy.policy.as_deref())?;
    let registry =
        registry_source::Loaded::load(args.registry.registry.as_deref(), policy_file.as_deref())?;
    let vars = env_source::process();
    let mut evaluation = registry.with_view(|view| evaluate_with(&policy, &vars, view));
    drop(vars);
    if let Some(f) = seed_environment(&policy, evaluation.environment) {
        evaluation.report.findings.push(f);
    }
    append_live_findings(&policy, &mut evaluation, Purpose::Seed);
    // The seed owns stdout; gardefou speaks on stderr.
    write_human(&mut std::io::stderr().lock(), &evaluation)?;
    if !evaluation.is_allowed() {
        return Ok(ExitCode::from(EXIT_REFUSED));
    }
    let (program, rest) = args
        .command
        .split_first()
        .context("no command to run after --")?;
    // The registry key is gardefou's, not the seed script's.
    let err = std::process::Command::new(program)
        .args(rest)
        .env_remove(GARDEFOU_SECRETS_KEY)
        .exec();
    Err(err).with_context(|| format!("cannot execute {}", program.to_string_lossy()))
}
