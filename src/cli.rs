//! The command line: every subcommand and flag, with its help text.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// gardefou makes Koomy's environment & secrets policy impossible to break by accident.
#[derive(Debug, Parser)]
#[command(name = "gardefou", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Colour in human reports: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Language of messages and reports [default: from LC_ALL, LC_MESSAGES or LANG, else en].
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangChoice>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LangChoice {
    /// English.
    En,
    /// Français.
    Fr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
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
    /// §10 release rules: which branch deploys where.
    #[command(subcommand)]
    Deploy(DeployCommand),
    /// §9 domain rules: no sandbox name points to production.
    #[command(subcommand)]
    Domains(DomainsCommand),
    /// The isolation matrix (§2, §11): every resource of every environment, side by side.
    ///
    /// One column per environment (--env production=FILE --env sandbox=FILE --env
    /// local=FILE), one row per resource: the database (and with --probe its live identity
    /// and stamp), every other connection string, Stripe keys and mode, the webhook secret,
    /// the e-mail key, JWT and session secrets, configured URLs, the §9 domains (and with
    /// --resolve their DNS chains), the deploy branch, debug switches and routes. Each cell
    /// says what the resource is (names and keyed fingerprints, never a value or a user) and
    /// whether the policy holds there, with the rule ids of its findings; a secret or a
    /// database two environments share is drawn as shared, in violation. Exit 0 when every
    /// cell holds, 1 when any is in violation, 2 on a usage or configuration error.
    Report(ReportArgs),
    /// Manage the secrets registry (one secret = one environment, policy §7.1).
    #[command(subcommand)]
    Secrets(SecretsCommand),
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
    /// Find hard-coded secrets (§7.1) in files, in git history or in staged changes.
    ///
    /// Never prints a secret: each finding names the rule, the kind of secret, where it is
    /// and a short fingerprint. Exit 0 when clean, 1 on findings, 2 on an error.
    Scan(ScanArgs),
    /// Write a first gardefou.toml from the company's env files.
    ///
    /// Infers each environment's database (Neon endpoint or host) from its DATABASE_URL, the
    /// secrets every deployed environment sets (`required`) and the variables holding a
    /// secret of no known kind; writes what only a person knows as commented keys. Never
    /// writes a value. Exit 0 written, 1 when the files contradict each other (nothing is
    /// written), 2 on a usage error or an existing file without --force.
    Init(InitArgs),
    /// The signed policy (§11): sign gardefou.toml with the CTO's SSH key, verify the
    /// signature, see what a change allows before signing it.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Every rule gardefou reports: its id, policy section, what it refuses and the fix.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print the shell completion script (e.g. `gardefou completions bash > /etc/bash_completion.d/gardefou`).
    Completions(CompletionsArgs),
    /// Print the manual page, in roff (`gardefou man | man -l -`).
    Man,
    /// The npm package's interface: judge a Node process from inside it, prove the
    /// connections it opens. See docs/node.md.
    #[command(subcommand, hide = true)]
    Node(NodeCommand),
}

impl Command {
    /// Whether the command was asked for JSON: its configuration errors are JSON too.
    pub fn wants_json(&self) -> bool {
        match self {
            Command::Check(a) => a.format == Format::Json,
            Command::Run(a) | Command::Seed(a) => a.format == Format::Json,
            Command::Scan(a) => a.format != ScanFormat::Human,
            Command::Deploy(DeployCommand::Check(a)) => a.format == Format::Json,
            Command::Domains(DomainsCommand::Check(a)) => a.format == Format::Json,
            Command::Rules(RulesCommand::List(a)) => a.format == RulesFormat::Json,
            Command::Rules(RulesCommand::Explain(a)) => a.format == RulesExplainFormat::Json,
            Command::Init(a) => a.format == Format::Json,
            Command::Node(_) => true,
            Command::Db(DbCommand::Stamp(a)) => a.format == Format::Json,
            Command::Secrets(SecretsCommand::Register(a)) => a.format == Format::Json,
            Command::Report(a) => a.format() == ReportFormat::Json,
            Command::Policy(PolicyCommand::Sign(a)) => a.format == Format::Json,
            Command::Policy(PolicyCommand::Verify(a)) => a.format == Format::Json,
            Command::Policy(PolicyCommand::Diff(a)) => a.format == Format::Json,
            _ => false,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Sign the policy file with an SSH private key: FILE.sig beside it.
    ///
    /// The signature is the one `ssh-keygen -Y sign -n gardefou-policy -f KEY FILE` makes
    /// (either verifies the other's). Ed25519 or RSA (≥ 2048 bits) keys without passphrase;
    /// for a key with a passphrase, or one held by ssh-agent or a hardware token, run that
    /// ssh-keygen command instead. Prints the allowed signers line for the key. Exit 0 when
    /// signed, 2 on a usage or configuration error.
    Sign(PolicySignArgs),
    /// Verify the policy file's signature against the allowed signers and say who signed.
    ///
    /// The allowed signers come from --allowed-signers, else $GARDEFOU_ALLOWED_SIGNERS (the
    /// text), else $GARDEFOU_ALLOWED_SIGNERS_FILE — never from a file in the repository.
    /// Exit 0 when verified, 1 when refused, 2 on a usage or configuration error (no allowed
    /// signers, or unusable ones).
    Verify(PolicyVerifyArgs),
    /// Say, in words, what the policy file allows that the last signed version did not.
    ///
    /// The last signed version is the newest one in the file's git history whose committed
    /// .sig verifies against the allowed signers (the built-in policy if there is none), or
    /// --against FILE. Exit 0 when nothing is widened, 1 when something is, 2 on a usage,
    /// configuration or git error.
    Diff(PolicyDiffArgs),
}

#[derive(Debug, Args)]
pub struct PolicySignArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The SSH private key to sign with (an OpenSSH key file, e.g. ~/.ssh/id_ed25519).
    #[arg(long, value_name = "PATH")]
    pub key: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct PolicyVerifyArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The allowed signers file (outside the repository) [default: $GARDEFOU_ALLOWED_SIGNERS,
    /// else $GARDEFOU_ALLOWED_SIGNERS_FILE].
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct PolicyDiffArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Compare with this earlier version of the policy instead of the last signed one in git
    /// history.
    #[arg(long, value_name = "FILE")]
    pub against: Option<PathBuf>,
    /// The allowed signers file (outside the repository), to find the last signed version
    /// [default: $GARDEFOU_ALLOWED_SIGNERS, else $GARDEFOU_ALLOWED_SIGNERS_FILE].
    #[arg(long, value_name = "FILE", conflicts_with = "against")]
    pub allowed_signers: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// An env file and its environment, as ENV=FILE (production, sandbox or local); may be
    /// repeated [default: the .env.production, .env.prod, .env.sandbox, .env.staging,
    /// .env.local, .env.development and .env files here, each by its KOOMY_ENV or its name]
    #[arg(long = "env", value_name = "ENV=FILE")]
    pub env: Vec<String>,
    /// Where to write the policy (`-`: standard output).
    #[arg(long, value_name = "FILE", default_value = "gardefou.toml")]
    pub output: std::path::PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
    /// Output format (json: one object with the findings, the file written and the notes;
    /// with `--output -`, the policy's text too).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule, grouped by the part of gardefou that reports it.
    List(RulesListArgs),
    /// Explain one rule: its section of the policy, what it refuses, how to fix it.
    Explain(RulesExplainArgs),
}

#[derive(Debug, Args)]
pub struct RulesListArgs {
    /// Output format (markdown: the text of docs/rules.md).
    #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
    pub format: RulesFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// One line per rule.
    Human,
    /// One JSON array.
    Json,
    /// The reference page, as docs/rules.md holds it.
    Markdown,
}

#[derive(Debug, Args)]
pub struct RulesExplainArgs {
    /// The rule id, as findings print it (e.g. database-url-environment-mismatch).
    pub id: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesExplainFormat::Human)]
    pub format: RulesExplainFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesExplainFormat {
    /// A few lines for people.
    Human,
    /// One JSON object, like an entry of `rules list --format json`.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum NodeCommand {
    /// Judge the calling Node process (its environment, its Node options and inspector as
    /// a JSON object on stdin), then prove the live database. JSON on stdout.
    Register(NodeArgs),
    /// Prove a connection the calling process holds, in its own session, by a query
    /// exchange over stdin/stdout (JSON lines).
    Prove(NodeArgs),
}

#[derive(Debug, Args)]
pub struct NodeArgs {
    #[command(flatten)]
    pub sources: SourcesArgs,
    /// What the process is: a server (`run`) or a seed script (`seed`, §6).
    #[arg(long, value_enum, default_value = "run")]
    pub purpose: NodePurpose,
    /// (`prove`) The calling process's inspector is open right now.
    #[arg(long)]
    pub inspector_open: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum NodePurpose {
    /// A server.
    Run,
    /// A seed script.
    Seed,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan [default: .]. With --git or --staged: the repository.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Scan every blob reachable from any ref or worktree HEAD in git history, each once.
    #[arg(long, conflicts_with = "staged")]
    pub git: bool,
    /// Scan what is staged for the next commit (the index), e.g. in a pre-commit hook.
    #[arg(long)]
    pub staged: bool,
    /// Do not report findings whose fingerprints this baseline file accepts.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Accept every current finding: write their fingerprints to FILE and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Human)]
    pub format: ScanFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// Short lines for people.
    Human,
    /// One JSON object.
    Json,
    /// SARIF 2.1.0, for code-scanning upload.
    Sarif,
}

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Record keyed fingerprints of this environment's secrets in the registry.
    ///
    /// Evaluates the environment first (a refused environment is not registered), then
    /// adds the fingerprint of every secret with enough entropy under KOOMY_ENV's
    /// environment. A secret already registered under another environment is refused and
    /// nothing is written. Needs GARDEFOU_SECRETS_KEY. Exit 0 when written, 1 when
    /// refused, 2 on a usage or configuration error.
    Register(RegisterArgs),
}

/// The policy file and the secrets registry, for the commands that judge secrets.
#[derive(Debug, Args)]
pub struct SourcesArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The secrets registry [default: gardefou.secrets.toml beside the policy file, else in
    /// the current directory].
    #[arg(long, value_name = "FILE")]
    pub registry: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    #[command(flatten)]
    pub sources: SourcesArgs,
    /// Output format (JSON on stdout; a refusal is the usual report).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Register the secrets of these dotenv files (repeatable; the first file that sets a
    /// variable wins) instead of what the server would see (the process environment and
    /// ./.env).
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DeployCommand {
    /// Check that this checkout may be deployed to TARGET and print every violation.
    ///
    /// The branch is --branch, else the CI's variables (GitHub Actions, GitLab CI, CircleCI,
    /// Bitbucket, Buildkite, Azure Pipelines, Jenkins, Vercel, Netlify), else the checked-out
    /// branch. Production requires the policy's production branch (main), every commit not on
    /// staging to have the tree of a staging commit (merges and squash merges of staging), a
    /// clean tree and a branch equal to its upstream. Exit 0 when allowed, 1 when refused, 2
    /// on a usage, configuration or git error.
    Check(DeployCheckArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DeployTarget {
    /// PROD: from the production branch, through staging.
    Production,
    /// SANDBOX: from the sandbox branch.
    Sandbox,
}

#[derive(Debug, Args)]
pub struct DeployCheckArgs {
    /// Where the deploy goes.
    #[arg(long, value_enum)]
    pub target: DeployTarget,
    /// The deployed branch [default: from the CI's variables, else the checked-out branch].
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// A directory inside the repository to check.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum DomainsCommand {
    /// Check the policy's domain table and print every violation.
    ///
    /// Without --resolve: no name in two environments, valid names, production and sandbox
    /// names present. With --resolve: also follow every production and sandbox name through
    /// DNS (CNAME chains, A, AAAA) and refuse a sandbox name that reaches a production name or
    /// a production target, a name that does not resolve and a CNAME loop. Exit 0 when
    /// allowed, 1 when refused, 2 on a usage or configuration error.
    Check(DomainsCheckArgs),
}

#[derive(Debug, Args)]
pub struct DomainsCheckArgs {
    /// Resolve the names through DNS.
    #[arg(long)]
    pub resolve: bool,
    #[command(flatten)]
    pub dns: DnsArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

// How names are followed through DNS: `--nameserver` and `--timeout`, which require the
// `--resolve` that each command declares with its own help. (A `//` comment: a doc comment
// here would become the commands' about text.)
#[derive(Debug, Args)]
pub struct DnsArgs {
    /// The nameserver to ask: IP, IP:PORT or [IPv6]:PORT [default: the system resolver].
    #[arg(long, value_name = "ADDR", requires = "resolve")]
    pub nameserver: Option<String>,
    /// Seconds to wait for each DNS answer (each query is tried twice).
    #[arg(long, value_name = "SECS", default_value_t = 3, requires = "resolve",
          value_parser = clap::value_parser!(u64).range(1..=60))]
    pub timeout: u64,
}

impl DnsArgs {
    /// The resolver options these flags name (the system resolver without --nameserver).
    pub fn options(&self) -> anyhow::Result<gardefou_domains::ResolveOptions> {
        let nameserver = match &self.nameserver {
            Some(addr) => gardefou_domains::Nameserver::parse(addr)
                .map_err(|e| anyhow::anyhow!("--nameserver: {e}"))?,
            None => gardefou_domains::Nameserver::System,
        };
        Ok(gardefou_domains::ResolveOptions {
            nameserver,
            timeout: Duration::from_secs(self.timeout),
        })
    }
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
    /// The env files to read instead of ./.env (repeatable, first file wins; the process
    /// environment wins over all), as for `run`.
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// Also give this database role what the proof needs (USAGE on schema gardefou,
    /// SELECT on gardefou.stamp and gardefou.lineage, EXECUTE on
    /// gardefou.assert_environment): for an application role that does not own the
    /// database.
    #[arg(long, value_name = "ROLE")]
    pub grant: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct IdentityArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The env files to read instead of ./.env (repeatable, first file wins), as for `run`.
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub sources: SourcesArgs,
    /// One environment and its variables (repeatable, each environment at most once):
    /// ENV=FILE reads a dotenv file as Node's dotenv does; ENV=- takes what a server started
    /// here would see (the process environment and ./.env or $DOTENV_CONFIG_PATH, as
    /// `check` reads it). ENV is production, sandbox or local.
    #[arg(long = "env", value_name = "ENV=FILE", required = true, value_parser = parse_env_source)]
    pub envs: Vec<EnvSource>,
    /// Also ask each environment's live database what it is (identity and stamp, as
    /// `check --probe`): two environments on the same database are shared.
    #[arg(long)]
    pub probe: bool,
    /// Also follow the §9 domains through DNS (as `domains check --resolve`).
    #[arg(long)]
    pub resolve: bool,
    #[command(flatten)]
    pub dns: DnsArgs,
    /// Output format [default: from --output's extension (.html, .htm, .json), else human].
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl ReportArgs {
    /// The format asked for, or the one --output's extension names, or human.
    pub fn format(&self) -> ReportFormat {
        if let Some(f) = self.format {
            return f;
        }
        let ext = self
            .output
            .as_ref()
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("html" | "htm") => ReportFormat::Html,
            Some("json") => ReportFormat::Json,
            _ => ReportFormat::Human,
        }
    }
}

/// `--env ENV=FILE`: an environment and where its variables come from.
#[derive(Clone, Debug)]
pub struct EnvSource {
    pub environment: gardefou_policy::Environment,
    /// `None`: what a server started here would see (`-`).
    pub file: Option<PathBuf>,
}

fn parse_env_source(text: &str) -> Result<EnvSource, String> {
    let (env, file) = text
        .split_once('=')
        .ok_or("expected ENV=FILE (ENV=- for the process environment)")?;
    let environment = gardefou_policy::Environment::from_koomy_env(env)
        .ok_or("ENV must be production, sandbox or local")?;
    if file.is_empty() {
        return Err("FILE is empty (ENV=- takes the process environment)".into());
    }
    Ok(EnvSource {
        environment,
        file: (file != "-").then(|| PathBuf::from(file)),
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A table for a terminal.
    Human,
    /// One JSON object (schema in docs/report.md).
    Json,
    /// One self-contained HTML page.
    Html,
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// The policy file [default: $GARDEFOU_POLICY, else the nearest gardefou.toml upwards, else built-in].
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub sources: SourcesArgs,
    /// Evaluate these dotenv files (read as Node's dotenv reads them; repeatable, the first
    /// file that sets a variable wins) instead of what the server would see: the process
    /// environment and ./.env (or $DOTENV_CONFIG_PATH), as `run` reads them.
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// Also ask the live database what it is: its stamp must be KOOMY_ENV's and its
    /// identity must match (what `run` always does).
    #[arg(long)]
    pub probe: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub sources: SourcesArgs,
    /// The env files the server loads (repeatable, in its order: the first file that sets a
    /// variable wins, and the process environment wins over all), instead of ./.env (or
    /// $DOTENV_CONFIG_PATH).
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// The report's format, on standard error (the command owns standard output).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The command to exec — the server for `run`, the seed script for `seed` — and its
    /// arguments.
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
