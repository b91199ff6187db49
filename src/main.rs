//! `gardefou`: the command-line front of the gardefou crates.
// The doc comments of `cli.rs` are the command-line help, not rustdoc: `[IPv6]:PORT` is text.
#![allow(rustdoc::broken_intra_doc_links)]

mod cli;
mod cmd;
mod color;
mod env_source;
mod env_vars;
mod help_fr;
mod lang;

use std::io::Write;
use std::process::ExitCode;

use std::ffi::OsString;

/// Exit code of a refusal: a policy violation or findings.
pub const EXIT_REFUSED: u8 = 1;
/// Exit code of a usage or configuration error.
pub const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    gardefou_edges::allocator::tune();
    // The help speaks the process's language, so the language is known before parsing:
    // `--lang` read from the raw arguments, else the locale.
    lang::init(lang::from_args(std::env::args_os()));
    let cli = match parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    color::init(cli.color);
    lang::init(cli.lang);
    let json = cli.command.wants_json();
    let result = match cli.command {
        cli::Command::Check(args) => cmd::check::run(args),
        cli::Command::Run(args) => cmd::run::run(args),
        cli::Command::Deploy(cli::DeployCommand::Check(args)) => cmd::deploy::run(args),
        cli::Command::Domains(cli::DomainsCommand::Check(args)) => cmd::domains::run(args),
        cli::Command::Secrets(cli::SecretsCommand::Register(args)) => cmd::secrets::register(args),
        cli::Command::Report(args) => cmd::report::run(args),
        cli::Command::Db(db) => cmd::db::run(db),
        cli::Command::Seed(args) => cmd::seed::run(args),
        cli::Command::Scan(args) => cmd::scan::run(args),
        cli::Command::Init(args) => cmd::init::run(args),
        cli::Command::Completions(args) => completions(args.shell),
        cli::Command::Man => man(),
        cli::Command::Policy(cli::PolicyCommand::Sign(args)) => cmd::policy::sign(args),
        cli::Command::Policy(cli::PolicyCommand::Verify(args)) => cmd::policy::verify(args),
        cli::Command::Policy(cli::PolicyCommand::Diff(args)) => cmd::policy::diff(args),
        cli::Command::Rules(cli::RulesCommand::List(args)) => cmd::rules::list(args),
        cli::Command::Rules(cli::RulesCommand::Explain(args)) => cmd::rules::explain(args),
        cli::Command::Node(cli::NodeCommand::Register(args)) => cmd::node::register(args),
        cli::Command::Node(cli::NodeCommand::Prove(args)) => cmd::node::prove(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            // A guard never turns a failure to report into success: with its output closed
            // (`gardefou check | head -0`), a refusal must not exit 0. Best effort on stderr,
            // which may be the closed one (eprintln! would panic).
            if json && !is_broken_pipe(&err) {
                // One JSON object on stdout, like a report: the same message, never a value.
                let doc = serde_json::json!({ "verdict": "error", "error": format!("{err:#}") });
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{doc}");
                let _ = out.flush();
            }
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

/// `gardefou completions SHELL`: generated from the CLI definition.
fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    use clap::CommandFactory;
    let mut command = cli::Cli::command();
    clap_complete::generate(
        shell,
        &mut command,
        "gardefou",
        &mut std::io::stdout().lock(),
    );
    Ok(ExitCode::SUCCESS)
}

/// The command line, with the help in the process's language.
fn parse() -> Result<cli::Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let command = match gardefou_findings::Lang::current() {
        gardefou_findings::Lang::En => cli::Cli::command(),
        gardefou_findings::Lang::Fr => help_fr::french(cli::Cli::command()),
    };
    cli::Cli::from_arg_matches(&command.try_get_matches()?)
}

/// `gardefou man`: the manual page, generated from the CLI definition.
fn man() -> anyhow::Result<ExitCode> {
    use clap::CommandFactory;
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(cli::Cli::command()).render(&mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Prints a clap error without the arguments that could be values: `gardefou run
/// STRIPE_SECRET_KEY=sk_live_… node` (the `env` habit) or `--format <a pasted key>` would
/// otherwise be echoed to stderr and into CI logs. Help and version print as clap does.
fn usage_error(e: clap::Error) -> ExitCode {
    if !e.use_stderr() {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let text = hide_values(e.render().to_string(), std::env::args_os().skip(1));
    // Asked for JSON: the usage error is the JSON error object too (its first line).
    if wants_json(std::env::args_os().skip(1)) {
        let first = text.lines().next().unwrap_or_default();
        let first = first.strip_prefix("error: ").unwrap_or(first);
        let doc = serde_json::json!({ "verdict": "error", "error": first });
        let _ = writeln!(std::io::stdout().lock(), "{doc}");
    }
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
    ExitCode::from(EXIT_ERROR)
}

/// Whether the raw command line asks for JSON (`--format json`, `--format=json`), for errors
/// found before it is parsed.
fn wants_json(args: impl Iterator<Item = OsString>) -> bool {
    let args: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).collect();
    args.iter().any(|a| a == "--format=json")
        || args
            .windows(2)
            .any(|w| w[0] == "--format" && w[1] == "json")
}

/// Replaces in `text` every argument that is not a short plain word or flag (`check`,
/// `--formt`, `jsn`) with `…`.
fn hide_values(mut text: String, args: impl Iterator<Item = OsString>) -> String {
    let mut hidden = Vec::new();
    for arg in args {
        let arg = arg.to_string_lossy().into_owned();
        // clap names the value of `--flag=VALUE` alone.
        if let Some((_, value)) = arg.split_once('=').filter(|_| arg.starts_with('-')) {
            if !is_plain_word(value) {
                hidden.push(value.to_owned());
            }
        }
        if !is_plain_word(&arg) {
            hidden.push(arg);
        }
    }
    // Longest first, so that an argument inside another is not left half-replaced.
    hidden.sort_by_key(|a| std::cmp::Reverse(a.len()));
    for arg in hidden {
        text = text.replace(&arg, "…");
    }
    text
}

fn is_plain_word(arg: &str) -> bool {
    let word = arg.trim_start_matches('-');
    arg.len() <= 20
        && arg.len() - word.len() <= 2
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
