//! `gardefou`: the command-line front of the gardefou crates.

mod cli;
mod cmd;
mod env_source;
mod env_vars;
mod policy_source;
mod registry_source;

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
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("gardefou: {err:#}");
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
