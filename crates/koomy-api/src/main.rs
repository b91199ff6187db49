//! koomy-api: a reference Rust backend for Koomy, guarded by gardefou.
//!
//! `koomy-api serve` refuses to start on any violation of the policy (static rules,
//! secrets, live database identity), applies the embedded migrations, then serves
//! `/healthz`, the organisations API and, in sandbox only, the debug routes.
//! `koomy-api seed` inserts demo data in sandbox and refuses everywhere else.
//!
//! Exit codes: 0 success, 1 refused by the guard or failed while running, 2 usage or
//! configuration error.

mod cli;
mod migrate;
mod policy;
mod seed;
mod server;

use std::process::ExitCode;

use clap::Parser;

/// A refusal by the guard: printed as is, exit 1.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// A usage or configuration error: exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("koomy-api: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            cli::Command::Serve(args) => server::run(args).await,
            cli::Command::Seed(args) => seed::run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(r) = e.downcast_ref::<Refused>() {
                eprintln!("{r}");
                ExitCode::from(1)
            } else if e.is::<Usage>() {
                eprintln!("koomy-api: {e}");
                ExitCode::from(2)
            } else {
                eprintln!("koomy-api: {e:#}");
                ExitCode::from(1)
            }
        }
    }
}

/// Structured logs: one JSON object per line on stdout. Nothing logs a request's query
/// string, a header or a variable's value.
fn init_logging() {
    tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::INFO)
        .with_current_span(false)
        .with_span_list(false)
        .with_writer(std::io::stdout)
        .init();
}
