//! Gathers the variables the guard evaluates: the process environment, a dotenv file, or
//! what a Node server started here will see.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use gardefou_findings::Finding;
use gardefou_policy::secrets::command::{Analysis, Scope};
use gardefou_policy::{rules, EnvVars, Lookup};

use crate::env_vars::DOTENV_CONFIG_PATH;

pub use gardefou_sources::process_env as process;

/// Dotenv files, read the way Node's `dotenv` reads them (no `$VAR` expansion), merged as
/// `dotenv.config({ path: [...] })` merges them: the first file that sets a variable wins.
/// A file that does not exist is an error.
pub fn dotenv_files(paths: &[PathBuf]) -> Result<EnvVars> {
    let mut vars = EnvVars::new();
    for path in paths {
        let text = read_env_file(path)?
            .with_context(|| format!("the env file {} does not exist", path.display()))?;
        let entries: Vec<(String, String)> = gardefou_dotenv::parse(&text)
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        merge(&mut vars, entries, false);
    }
    Ok(vars)
}

/// The env file's text; `None` when it does not exist. Bounded, regular files only (a FIFO
/// is refused, never waited on).
pub(crate) fn read_env_file(path: &Path) -> Result<Option<String>> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read the env file {}", path.display()))
        }
        Ok(_) => {}
    }
    let bytes =
        gardefou_sources::bounded::read_regular(path, gardefou_sources::bounded::TEXT_LIMIT)
            .with_context(|| format!("cannot read the env file {}", path.display()))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| anyhow::anyhow!("the env file {} is not valid UTF-8", path.display()))
}

/// The `dotenv/config` options gardefou models; every other `DOTENV_*` variable changes
/// what is loaded in a way it does not.
const DOTENV_MODELLED: [&str; 5] = [
    DOTENV_CONFIG_PATH,
    "DOTENV_CONFIG_OVERRIDE",
    "DOTENV_CONFIG_ENCODING",
    "DOTENV_CONFIG_DEBUG",
    "DOTENV_CONFIG_QUIET",
];

/// What a Node server started here will see, and what gardefou cannot model of it — in
/// the order the server builds it:
///
/// 1. the process environment, as the command line changes it before Node starts (`env -i`,
///    `env -u NAME`, then `NAME=value` assignments);
/// 2. the files of `node --env-file` / `--env-file-if-exists`, which Node loads at start-up:
///    their variables are added where the environment does not set them (among the files,
///    the later one wins);
/// 3. `./.env` (or `$DOTENV_CONFIG_PATH`, `~` being the home directory), which `dotenv`
///    loads at run time with the options the environment built so far holds: its variables
///    are added where that environment does not set them, or override them when
///    `DOTENV_CONFIG_OVERRIDE` is set to anything (dotenv reads any non-empty string as
///    true, `false` included).
///
/// Findings: another `DOTENV_*` option, a `$` reference dotenv-expand would expand, a form
/// Node's env-file parser reads differently, what the command line does that is not modelled.
pub fn server_environment(
    command: &Analysis,
    env_files: &[PathBuf],
) -> Result<(EnvVars, Vec<Finding>)> {
    let scope = Scope {
        clears: command.clears_environment,
        unset: command.unset.clone(),
        assignments: command.assignments.clone(),
        env_files: command.env_files.clone(),
    };
    let mut findings: Vec<Finding> = command
        .env_unmodelled
        .iter()
        .map(|why| rules::ENV_FILE_UNMODELLED.error(why.clone()))
        .collect();
    let (vars, more) = environment_of(&scope, env_files)?;
    findings.extend(more);
    Ok((vars, findings))
}

/// [`server_environment`] for every distinct environment a `node` of the command starts
/// with (the last one first: the fields of the analysis); each may be the server's.
pub fn server_environments(
    command: &Analysis,
    env_files: &[PathBuf],
) -> Result<Vec<(EnvVars, Vec<Finding>)>> {
    let mut out = vec![server_environment(command, env_files)?];
    let count = command.node_scopes.len();
    for scope in command.node_scopes.iter().take(count.saturating_sub(1)) {
        out.push(environment_of(scope, env_files)?);
    }
    Ok(out)
}

fn environment_of(command: &Scope, env_files: &[PathBuf]) -> Result<(EnvVars, Vec<Finding>)> {
    let mut vars = if command.clears {
        EnvVars::new()
    } else {
        process()
    };
    for name in &command.unset {
        vars.remove(name);
    }
    // What the command line itself sets (`env NAME=value`, a shell's `NAME=value`) is part
    // of the environment Node starts with.
    for (name, value) in &command.assignments {
        vars.insert(name.clone(), value.clone());
    }
    let mut findings = Vec::new();
    let unmodelled = |msg: gardefou_findings::Text| rules::ENV_FILE_UNMODELLED.error(msg);
    // node --env-file: the environment wins over the files; among the files, the later
    // one wins (Node loads them in order, each overriding the previous file's values).
    let mut node_entries: Vec<(String, String)> = Vec::new();
    for (path, optional) in &command.env_files {
        let Some(text) = read_env_file(Path::new(path))? else {
            if !optional {
                findings.push(unmodelled(gardefou_findings::tr!(
                    "node --env-file names {path}, which does not exist: Node would not start",
                    "node --env-file nomme {path}, qui n'existe pas : Node ne démarrerait pas"
                )));
            }
            continue;
        };
        if let Some(why) = gardefou_dotenv::node_divergence(&text) {
            findings.push(unmodelled(gardefou_findings::tr!(
                "the env file {path} given to node --env-file has {why}, which Node's parser reads differently",
                "le fichier d'environnement {path} donné à node --env-file contient {why}, que le parseur de Node lit autrement"
            )));
            continue;
        }
        findings.extend(signers_in_file(&text, path));
        for (n, v) in gardefou_dotenv::parse(&text).iter() {
            node_entries.retain(|(k, _)| k != n);
            node_entries.push((n.to_owned(), v.to_owned()));
        }
    }
    merge(&mut vars, node_entries, false);
    // dotenv, at run time, with the options of the environment built so far.
    for name in vars.names() {
        let upper = name.to_ascii_uppercase();
        if (upper.starts_with("DOTENV_") || upper == "DOTENV_KEY")
            && !DOTENV_MODELLED.contains(&name)
        {
            findings.push(unmodelled(gardefou_findings::tr!(
                "{name} is set: it changes what dotenv loads in a way gardefou does not model",
                "{name} est définie : elle change ce que charge dotenv d'une façon que gardefou ne modélise pas"
            )));
        }
    }
    if let Lookup::Value(enc) = vars.lookup("DOTENV_CONFIG_ENCODING") {
        if !["utf8", "utf-8"].contains(&enc.expose().to_ascii_lowercase().as_str()) {
            findings.push(unmodelled(gardefou_findings::tr!(
                "DOTENV_CONFIG_ENCODING is not UTF-8: dotenv would read the file differently",
                "DOTENV_CONFIG_ENCODING n'est pas UTF-8 : dotenv lirait le fichier autrement"
            )));
        }
    }
    let override_ =
        matches!(vars.lookup("DOTENV_CONFIG_OVERRIDE"), Lookup::Value(v) if !v.is_empty());
    let paths = if env_files.is_empty() {
        vec![match vars.lookup(DOTENV_CONFIG_PATH) {
            Lookup::Value(p) => expand_home(p.expose(), &vars),
            _ => PathBuf::from(".env"),
        }]
    } else {
        env_files.to_vec()
    };
    for path in paths {
        let Some(text) = read_env_file(&path)? else {
            if !env_files.is_empty() {
                anyhow::bail!("the env file {} does not exist", path.display());
            }
            continue;
        };
        findings.extend(signers_in_file(&text, &path.display().to_string()));
        let file = gardefou_dotenv::parse(&text);
        let mut entries = Vec::new();
        for (name, value) in file.iter() {
            if expands(value) {
                let path = path.display();
                findings.push(unmodelled(gardefou_findings::tr!(
                    "{name} in the env file {path} holds a $ reference that dotenv-expand would expand",
                    "{name} dans le fichier d'environnement {path} contient une référence $ que dotenv-expand développerait"
                )));
            }
            entries.push((name.to_owned(), value.to_owned()));
        }
        merge(&mut vars, entries, override_);
    }
    Ok((vars, findings))
}

fn merge(vars: &mut EnvVars, entries: Vec<(String, String)>, override_: bool) {
    for (name, value) in entries {
        if override_ || matches!(vars.lookup(&name), Lookup::Missing) {
            vars.insert(name, value);
        }
    }
}

/// dotenv resolves a leading `~` as the home directory joined with the rest of the path
/// (`~foo/.env` is `$HOME/foo/.env`, not another user's home).
fn expand_home(path: &str, vars: &EnvVars) -> PathBuf {
    match (path.strip_prefix('~'), vars.lookup("HOME")) {
        (Some(rest), Lookup::Value(home)) => {
            Path::new(home.expose()).join(rest.trim_start_matches('/'))
        }
        _ => PathBuf::from(path),
    }
}

/// Whether dotenv-expand would replace something in `value`: `$NAME` or `${…}` not escaped.
fn expands(value: &str) -> bool {
    let b = value.as_bytes();
    b.iter().enumerate().any(|(i, c)| {
        *c == b'$'
            && (i == 0 || b[i - 1] != b'\\')
            && b.get(i + 1)
                .is_some_and(|n| *n == b'{' || n.is_ascii_alphabetic() || *n == b'_')
    })
}

/// An env file that sets the allowed signers: they come from the platform's secret store,
/// never from a file the repository (or a commit) can change — the npm package's process
/// would otherwise hand them to `gardefou node register` as its own.
fn signers_in_file(text: &str, path: &str) -> Vec<Finding> {
    gardefou_dotenv::parse(text)
        .iter()
        .map(|(name, _)| name)
        .filter(|name| {
            [
                gardefou_sources::GARDEFOU_ALLOWED_SIGNERS,
                gardefou_sources::GARDEFOU_ALLOWED_SIGNERS_FILE,
            ]
            .contains(name)
        })
        .map(|name| {
            gardefou_policy::rules::POLICY_SIGNERS_INVALID.error_with_fix(
                gardefou_findings::tr!(
                    "the env file {path} sets {name}: the allowed signers come from the platform's secret store, never from a file",
                    "le fichier d'environnement {path} définit {name} : les signataires autorisés viennent du gestionnaire de secrets de la plateforme, jamais d'un fichier"
                ),
                gardefou_findings::tr!(
                    "remove {name} from {path} and set it in the platform's secret store",
                    "retirez {name} de {path} et définissez-la dans le gestionnaire de secrets de la plateforme"
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollar_references_are_what_dotenv_expand_expands() {
        for v in ["$Q", "a${B}", "neondb$Q", "${A:-x}"] {
            assert!(expands(v), "{v}");
        }
        for v in ["a$", "pa$$1", "\\$Q", "$1", "cost: 5$"] {
            assert!(!expands(v), "{v}");
        }
    }
}
