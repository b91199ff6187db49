//! `gardefou run -- CMD`: evaluate, then exec CMD only if allowed.

use std::os::unix::process::CommandExt;
use std::process::ExitCode;

use anyhow::{Context, Result};
use gardefou_findings::Finding;
use gardefou_policy::secrets::{debug, rules};
use gardefou_policy::{evaluate_with, Environment, Evaluation, Policy};

use crate::cli::RunArgs;
use crate::cmd::check::write_human;
use crate::cmd::probe::append_live_findings;
use crate::env_vars::GARDEFOU_SECRETS_KEY;
use crate::{env_source, EXIT_REFUSED};
use gardefou_pgprobe::verify::Purpose;

pub fn run(args: RunArgs) -> Result<ExitCode> {
    let command = args.command.clone();
    guard_then_exec(args, Purpose::Run, |_, evaluation| {
        if evaluation.environment == Some(Environment::Production) {
            if let Some(f) = inspector_on_command_line(&command) {
                evaluation.report.findings.push(f);
            }
        }
    })
}

/// What `run` and `seed` share: the static check (with the secrets registry and the
/// command's own `extra` rules), then the live probe for `purpose` only when it passes, the
/// report on stderr (the child owns stdout), and the exec — or exit 1, the child never
/// started.
pub fn guard_then_exec(
    args: RunArgs,
    purpose: Purpose,
    extra: impl FnOnce(&Policy, &mut Evaluation),
) -> Result<ExitCode> {
    let (policy, policy_file) = gardefou_sources::load_policy(args.policy.policy.as_deref())?;
    let registry =
        gardefou_sources::Loaded::load(args.registry.registry.as_deref(), policy_file.as_deref())?;
    let vars = env_source::server_environment()?;
    let mut evaluation = registry.with_view(|view| evaluate_with(&policy, &vars, view));
    drop(vars);
    extra(&policy, &mut evaluation);
    append_live_findings(&policy, &mut evaluation, purpose);
    write_human(&mut std::io::stderr().lock(), &evaluation)?;
    if !evaluation.is_allowed() {
        return Ok(ExitCode::from(EXIT_REFUSED));
    }
    let (program, rest) = args
        .command
        .split_first()
        .context("no command to run after --")?;
    // exec only returns on failure. The registry key is gardefou's, not the child's. The
    // child gets the statement that proves the database in its own sessions.
    let mut command = std::process::Command::new(program);
    command.args(rest).env_remove(GARDEFOU_SECRETS_KEY);
    if let Some(env) = evaluation.environment {
        command.env(ASSERT_SQL_VAR, assert_sql(env, purpose));
    }
    let err = command.exec();
    // Never the program's text: `run -- NAME=value cmd` would print a value.
    Err(err).context("cannot execute the command given after --")
}

/// The variable through which `run` and `seed` give the child the SQL proof.
pub const ASSERT_SQL_VAR: &str = "GARDEFOU_ASSERT_SQL";

/// The statement a child runs in its own session (and, for a seed, inside the transaction
/// that writes): it raises unless the database proves `env`.
fn assert_sql(env: Environment, purpose: Purpose) -> String {
    let purpose = match purpose {
        Purpose::Run => "run",
        Purpose::Seed => "seed",
    };
    format!(
        "SELECT {}('{env}', '{purpose}')",
        gardefou_pgprobe::objects::ASSERT_FUNCTION
    )
}

/// `node --inspect …` opens the debugger as surely as `NODE_OPTIONS=--inspect` (§7.2).
fn inspector_on_command_line(command: &[std::ffi::OsString]) -> Option<Finding> {
    let (program, rest) = command.split_first()?;
    let rest: Vec<String> = rest
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let found = debug::inspector_arguments(&program.to_string_lossy(), &rest);
    (!found.is_empty()).then(|| {
        rules::NODE_INSPECTOR_IN_PRODUCTION.error(format!(
            "the command line opens Node's inspector in production ({})",
            found.join(", ")
        ))
    })
}
