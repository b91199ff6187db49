//! `gardefou`: the command-line front of the gardefou crates.

mod bounded;
mod cli;
mod cmd;
mod env_source;
mod env_vars;
mod policy_source;
mod registry_source;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// Exit code of a refusal: a policy violation or findings.
pub const EXIT_REFUSED: u8 = 1;
/// Exit code of a usage or configuration error.
pub const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Check(args) => cmd::check::run(args),
        cli::Command::Run(args) => cmd::run::run(args),
        cli::Command::Deploy(cli::DeployCommand::Check(args)) => cmd::deploy::run(args),
        cli::Command::Domains(cli::DomainsCommand::Check(args)) => cmd::domains::run(args),
        cli::Command::Secrets(cli::SecretsCommand::Register(args)) => cmd::secrets::register(args),
        cli::Command::Db(db) => cmd::db::run(db),
        cli::Command::Seed(args) => cmd::seed::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            // A guard never turns a failure to report into success: with its output closed
            // (`gardefou check | head -0`), a refusal must not exit 0. Best effort on stderr,
            // which may be the closed one (eprintln! would panic).
            let mut stderr = std::io::stderr().lock();
            let _ = if is_broken_pipe(&err) {
                writeln!(
                    stderr,
                    "gardefou: cannot write the report: the output was closed"
                )
            } else {
                writeln!(stderr, "gardefou: {err:#}")
            };
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
