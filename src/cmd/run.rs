//! `gardefou run -- CMD`: evaluate, then exec CMD only if allowed.

use std::os::unix::process::CommandExt;
use std::process::ExitCode;

use anyhow::{Context, Result};
use gardefou_policy::evaluate;

use crate::cli::RunArgs;
use crate::cmd::check::write_human;
use crate::cmd::probe::append_live_findings;
use crate::{env_source, policy_source, EXIT_REFUSED};
use gardefou_pgprobe::verify::Purpose;

pub fn run(args: RunArgs) -> Result<ExitCode> {
    let policy = policy_source::load(args.policy.policy.as_deref())?;
    let mut evaluation = evaluate(&policy, &env_source::process());
    // The static check first; the live probe only when it passes.
    append_live_findings(&policy, &mut evaluation, Purpose::Run);
    // The server owns stdout; gardefou speaks on stderr.
    write_human(&mut std::io::stderr().lock(), &evaluation)?;
    if !evaluation.is_allowed() {
        return Ok(ExitCode::from(EXIT_REFUSED));
    }
    let (program, rest) = args
        .command
        .split_first()
        .context("no command to run after --")?;
    // exec only returns on failure.
    let err = std::process::Command::new(program).args(rest).exec();
    Err(err).with_context(|| format!("cannot execute {}", program.to_string_lossy()))
}
