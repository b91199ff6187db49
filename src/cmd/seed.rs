//! `gardefou seed -- CMD`: exec a seed script only on a matching sandbox stamp (§6).

use std::process::ExitCode;

use anyhow::Result;
use gardefou_pgprobe::verify::{seed_environment, Purpose};

use crate::cli::RunArgs;
use crate::cmd::run::guard_then_exec;

pub fn run(args: RunArgs) -> Result<ExitCode> {
    guard_then_exec(args, Purpose::Seed, |policy, evaluation, _| {
        if let Some(f) = seed_environment(policy, evaluation.environment) {
            evaluation.report.findings.push(f);
        }
    })
}
