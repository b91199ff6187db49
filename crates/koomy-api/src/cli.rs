//! Command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// A reference Rust backend for Koomy, guarded by gardefou.
#[derive(Debug, Parser)]
#[command(name = "koomy-api", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the guard, apply migrations, serve HTTP. Refuses to start on any violation.
    Serve(ServeArgs),
    /// Insert sandbox demo data (French associations and their members). Refused
    /// outside sandbox, and wherever the database does not prove to be sandbox.
    Seed(SeedArgs),
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// The gardefou policy file (default: $GARDEFOU_POLICY, else the nearest gardefou.toml upwards, else
    /// the built-in Koomy policy).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The secrets registry (default: gardefou.secrets.toml beside the policy file, else
    /// in the current directory); its key comes from GARDEFOU_SECRETS_KEY.
    #[arg(long, value_name = "FILE")]
    pub registry: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Address to listen on, e.g. 127.0.0.1:8080 (default: 0.0.0.0:$PORT).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Do not log a line per request (for load tests; start-up, refusals and errors are
    /// still logged).
    #[arg(long)]
    pub no_request_log: bool,
    /// At most this many database connections, each proven before use.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=512))]
    pub pool_size: u16,
    /// Open and prove a new database connection this often, so that /healthz notices a
    /// database that changed under the server (0: only when the pool grows).
    #[arg(long, value_name = "MS", default_value_t = 30_000)]
    pub proof_interval_ms: u64,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
}
