//! The command line: every subcommand and flag, with its help text.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// gardefou makes Koomy's environment & secrets policy impossible to break by accident.
#[derive(Debug, Parser)]
#[command(name = "gardefou", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the environment against the policy and print every violation.
    ///
    /// Exit 0 when allowed, 1 when refused, 2 on a usage or configuration error.
    Check(CheckArgs),
    /// Check the environment, then exec the server only if everything holds.
    ///
    /// On success gardefou replaces itself with CMD (same PID: signals reach the server
    /// directly and its exit code is the process's). On refusal CMD never starts: exit 1.
    Run(RunArgs),
    /// Ask the live database what it is, and stamp it with its environment.
    #[command(subcommand)]
    Db(DbCommand),
    /// Exec a seed script only on a stamped sandbox database that shows no sign of
    /// production.
    ///
    /// Requires KOOMY_ENV=sandbox (or an environment that `[seed] environments` adds), the
    /// static check, and a live database stamped for that environment whose identity
    /// matches, with no production stamp and no Neon endpoint listed as production.
    /// Otherwise CMD never starts: exit 1.
    Seed(RunArgs),
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Write KOOMY_ENV into the database, bound to its physical identity.
    ///
    /// Runs after the static check passes. A production stamp is permanent; replacing any
    /// other stamp needs --replace naming its environment. Exit 0 when the database
    /// carries the stamp, 1 when refused.
    Stamp(StampArgs),
    /// Print what the server says it is: database, address, version, system identifier,
    /// Neon ids and stamp. Never the URL, the user or a password.
    Identity(IdentityArgs),
}

#[derive(Debug, Args)]
pub struct StampArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Replace an existing stamp of this environment (never a production stamp with
    /// another environment).
    #[arg(long, value_name = "OLD_ENV", value_parser = ["production", "sandbox", "local"])]
    pub replace: Option<String>,
}

#[derive(Debug, Args)]
pub struct IdentityArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// The policy file [default: $GARDEFOU_POLICY, else ./gardefou.toml, else built-in].
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Evaluate this dotenv file (read as Node's dotenv reads it) instead of the process
    /// environment.
    #[arg(long, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also ask the live database what it is: its stamp must be KOOMY_ENV's and its
    /// identity must match (what `run` always does).
    #[arg(long)]
    pub probe: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The server to exec, and its arguments.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Short lines for people.
    Human,
    /// One JSON object.
    Json,
}
