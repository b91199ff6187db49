//! `gardefou run -- CMD`: evaluate, then exec CMD only if allowed.

use std::os::unix::process::CommandExt;
use std::process::ExitCode;

use anyhow::{Context, Result};
use gardefou_findings::{tr, Finding, Lang, Text};
use std::path::{Path, PathBuf};

use gardefou_policy::secrets::{command, rules};
use gardefou_policy::{evaluate_start, EnvVars, Environment, Evaluation, Lookup, Policy};

use crate::cli::RunArgs;
use crate::cmd::check::write_evaluation;
use crate::cmd::probe::append_live_findings;
use crate::env_vars::GARDEFOU_SECRETS_KEY;
use crate::{env_source, EXIT_REFUSED};
use gardefou_pgprobe::verify::Purpose;

pub fn run(args: RunArgs) -> Result<ExitCode> {
    guard_then_exec(args, Purpose::Run, |_, evaluation, analysis| {
        if evaluation.environment == Some(Environment::Production) {
            evaluation
                .report
                .findings
                .extend(inspector_findings(analysis));
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
    extra: impl FnOnce(&Policy, &mut Evaluation, &command::Analysis),
) -> Result<ExitCode> {
    let (policy, policy_file, registry) = gardefou_sources::load_policy_and_registry(
        args.sources.policy.policy.as_deref(),
        args.sources.registry.as_deref(),
    )?;
    // What the command will run, read once: what it does to the environment (assignments,
    // node --env-file anywhere, dotenv arguments) and, for `extra`, Node's inspector. npm
    // reads its configuration from the environment it starts with, not from ./.env.
    let argv: Vec<String> = args
        .command
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let process = env_source::process();
    let analysis = command::analyse(&argv, &Files { vars: &process });
    drop(process);
    let mut environments = env_source::server_environments(&analysis, &args.env_file)?.into_iter();
    let (vars, modelled) = environments.next().context("no environment")?;
    let mut evaluation = registry.with_view(|view| evaluate_start(&policy, &vars, view));
    evaluation.report.findings.extend(modelled);
    // Every other Node the command starts may be the server: each is judged too.
    for (other_vars, other_modelled) in environments {
        let other = registry.with_view(|view| evaluate_start(&policy, &other_vars, view));
        if other_vars.get("DATABASE_URL").map(|v| v.expose())
            != vars.get("DATABASE_URL").map(|v| v.expose())
        {
            evaluation.report.findings.push(gardefou_policy::rules::ENV_FILE_UNMODELLED.error(
                gardefou_findings::tr!(
                    "the command starts Node more than once with different DATABASE_URLs; give every command the same database",
                    "la commande démarre Node plusieurs fois avec des DATABASE_URL différentes ; donnez la même base à toutes les commandes"
                ),
            ));
        }
        for f in other.report.findings.into_iter().chain(other_modelled) {
            let known = evaluation
                .report
                .findings
                .iter()
                .any(|g| g.rule == f.rule && g.message == f.message);
            if !known {
                evaluation.report.findings.push(f);
            }
        }
    }
    extra(&policy, &mut evaluation, &analysis);
    drop(vars);
    let _ = append_live_findings(&policy, &mut evaluation, purpose);
    write_evaluation(
        &mut std::io::stderr().lock(),
        &evaluation,
        policy_file.as_deref(),
        args.format,
        crate::color::stderr(),
    )?;
    if !evaluation.is_allowed() {
        return Ok(ExitCode::from(EXIT_REFUSED));
    }
    let (program, rest) = args
        .command
        .split_first()
        .context("no command to run after --")?;
    // exec only returns on failure. The registry key is gardefou's, not the child's. The
    // child gets the statement that proves the database in its own sessions.
    #[allow(clippy::disallowed_methods)] // the wrapper's one spawn: the command it guards
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

/// Node's inspector anywhere in what the command will run (§7.2), and what cannot be read
/// for sure: both refuse a production start.
pub fn inspector_findings(analysis: &command::Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    if !analysis.inspector.is_empty() {
        let join = |lang| {
            analysis
                .inspector
                .iter()
                .map(|t| t.get(lang))
                .collect::<Vec<_>>()
                .join("; ")
        };
        out.push(rules::NODE_INSPECTOR_IN_PRODUCTION.error(Text::new(
            format!(
                "the command opens Node's inspector in production ({})",
                join(Lang::En)
            ),
            format!(
                "la commande ouvre l'inspecteur de Node en production ({})",
                join(Lang::Fr)
            ),
        )));
    }
    for why in &analysis.unanalysable {
        out.push(rules::NODE_COMMAND_UNANALYSABLE.error(tr!(
            "cannot rule out Node's inspector in production: {}",
            "impossible d'exclure l'inspecteur de Node en production : {}";
            why
        )));
    }
    out
}

/// The files the command analysis reads: `./package.json`, `./.npmrc`, `~/.npmrc` and the
/// env files given to `node --env-file`, each bounded and regular.
pub struct Files<'a> {
    pub vars: &'a EnvVars,
}

fn read_text(path: &Path) -> Result<Option<String>, String> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
        Ok(_) => {}
    }
    let bytes =
        gardefou_sources::bounded::read_regular(path, gardefou_sources::bounded::TEXT_LIMIT)
            .map_err(|e| e.to_string())?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| "not valid UTF-8".into())
}

/// The values of `key` in an npmrc file (`key=value` lines, any case, quotes dropped).
fn npmrc_values(text: &str, key: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .filter(|(k, _)| k.trim().eq_ignore_ascii_case(key))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .collect()
}

impl Files<'_> {
    /// The first `name` on the environment's PATH, resolved (npm runs under the `node`
    /// that `#!/usr/bin/env node` finds; its `process.execPath` is the resolved file).
    fn on_path(&self, name: &str) -> Option<PathBuf> {
        let Lookup::Value(path) = self.vars.lookup("PATH") else {
            return None;
        };
        std::env::split_paths(path.expose())
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
            .and_then(|p| std::fs::canonicalize(p).ok())
    }

    /// npm's built-in configuration (`npmrc` at the root of the npm package), the global
    /// configuration it may name (`globalconfig=`), and the default global one,
    /// `<prefix>/etc/npmrc`, the prefix being the directory above `node`'s.
    fn npm_global_configs(&self) -> Result<Vec<PathBuf>, String> {
        let mut files = Vec::new();
        if let Some(cli) = self.on_path("npm") {
            // …/npm/bin/npm-cli.js: the package root is two levels up.
            if let Some(root) = cli.parent().and_then(Path::parent) {
                let builtin = root.join("npmrc");
                if let Some(text) = read_text(&builtin)? {
                    files.extend(
                        npmrc_values(&text, "globalconfig")
                            .into_iter()
                            .map(PathBuf::from),
                    );
                }
                files.push(builtin);
            }
        }
        if let Some(node) = self.on_path("node") {
            if let Some(prefix) = node.parent().and_then(Path::parent) {
                files.push(prefix.join("etc").join("npmrc"));
            }
        }
        Ok(files)
    }
}

impl command::Surroundings for Files<'_> {
    fn npm_script(&self, name: &str) -> Result<Option<String>, String> {
        let Some(text) = read_text(Path::new("package.json"))? else {
            return Err("there is no package.json here".into());
        };
        let doc: serde_json::Value =
            serde_json::from_str(&text).map_err(|_| "package.json is not valid JSON".to_owned())?;
        match doc.get("scripts").and_then(|s| s.get(name)) {
            None => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("the script {name} is not a string")),
        }
    }

    fn npmrc_node_options(&self) -> Result<Vec<String>, String> {
        // The project's .npmrc (npm finds it upwards, at the package root), then the user's,
        // then npm's global and built-in configuration files.
        let mut files: Vec<PathBuf> = std::env::current_dir()
            .map(|d| d.ancestors().map(|a| a.join(".npmrc")).collect())
            .unwrap_or_else(|_| vec![PathBuf::from(".npmrc")]);
        if let Lookup::Value(home) = self.vars.lookup("HOME") {
            // Unless the project lies under the home directory: then it is read already.
            let user = Path::new(home.expose()).join(".npmrc");
            if !files.contains(&user) {
                files.push(user);
            }
        }
        files.extend(self.npm_global_configs()?);
        let mut out = Vec::new();
        for f in files {
            let Some(text) = read_text(&f)? else { continue };
            out.extend(npmrc_values(&text, "node-options"));
        }
        Ok(out)
    }

    fn environment(&self) -> &EnvVars {
        self.vars
    }

    fn interpreter(&self, program: &str) -> Result<Option<String>, String> {
        // Shell builtins (no file to read, nothing that starts Node).
        const BUILTINS: &[&str] = &[
            ":", "true", "false", "echo", "printf", "test", "[", "exit", "wait", "trap", "ulimit",
            "umask", "sleep",
        ];
        if BUILTINS.contains(&program) {
            return Ok(None);
        }
        // A bare name as npm's scripts find it: node_modules/.bin of the package and its
        // parents first, then PATH.
        let path = if program.contains('/') {
            Some(PathBuf::from(program))
        } else {
            std::env::current_dir()
                .ok()
                .and_then(|dir| {
                    dir.ancestors()
                        .map(|a| a.join("node_modules/.bin").join(program))
                        .find(|p| p.is_file())
                })
                .or_else(|| self.on_path(program))
        };
        let Some(path) = path.filter(|p| p.is_file()) else {
            return Err(format!(
                "{program} is found neither in node_modules/.bin nor on PATH"
            ));
        };
        let head = gardefou_sources::bounded::read_head(&path, 256).map_err(|e| e.to_string())?;
        if head.starts_with(b"\x7fELF") {
            return Ok(None);
        }
        if !head.starts_with(b"#!") {
            // Without a `#!` line, exec runs a text file with /bin/sh.
            return Ok(Some("#!/bin/sh (no #! line)".to_owned()));
        }
        let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
        Ok(Some(String::from_utf8_lossy(line).into_owned()))
    }

    fn env_file_var(&self, path: &str, name: &str) -> Result<Option<String>, String> {
        let Some(text) = read_text(Path::new(path))? else {
            return Err("the env file does not exist".into());
        };
        Ok(gardefou_dotenv::parse(&text)
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned()))
    }
}
