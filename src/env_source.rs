//! Gathers the variables the guard evaluates: the process environment, a dotenv file, or
//! what a Node server started here will see.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use gardefou_findings::Finding;
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
fn read_env_file(path: &Path) -> Result<Option<String>> {
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

/// What a Node server started here will see, and what gardefou cannot model of it:
///
/// - the process environment;
/// - `./.env` (or `$DOTENV_CONFIG_PATH`, `~` being the home directory), read as `dotenv`
///   reads it: its variables are added where the environment does not set them, or
///   override them when `DOTENV_CONFIG_OVERRIDE` is set to anything (dotenv reads any
///   non-empty string as true, `false` included);
/// - the files of `node --env-file` / `--env-file-if-exists` on the command line, whose
///   variables are added where the environment does not set them.
///
/// Findings: another `DOTENV_*` option, a `$` reference dotenv-expand would expand, a form
/// Node's env-file parser reads differently.
pub fn server_environment(
    command: &[OsString],
    env_files: &[PathBuf],
) -> Result<(EnvVars, Vec<Finding>)> {
    let mut vars = process();
    let mut findings = Vec::new();
    let unmodelled = |msg: String| rules::ENV_FILE_UNMODELLED.error(msg);
    for name in vars.names() {
        let upper = name.to_ascii_uppercase();
        if (upper.starts_with("DOTENV_") || upper == "DOTENV_KEY")
            && !DOTENV_MODELLED.contains(&name)
        {
            findings.push(unmodelled(format!(
                "{name} is set: it changes what dotenv loads in a way gardefou does not model"
            )));
        }
    }
    if let Lookup::Value(enc) = vars.lookup("DOTENV_CONFIG_ENCODING") {
        if !["utf8", "utf-8"].contains(&enc.expose().to_ascii_lowercase().as_str()) {
            findings.push(unmodelled(
                "DOTENV_CONFIG_ENCODING is not UTF-8: dotenv would read the file differently"
                    .into(),
            ));
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
        let file = gardefou_dotenv::parse(&text);
        let mut entries = Vec::new();
        for (name, value) in file.iter() {
            if expands(value) {
                findings.push(unmodelled(format!(
                    "{name} in the env file {} holds a $ reference that dotenv-expand would expand",
                    path.display()
                )));
            }
            entries.push((name.to_owned(), value.to_owned()));
        }
        merge(&mut vars, entries, override_);
    }
    for file in node_env_files(command) {
        let Some(text) = read_env_file(Path::new(&file.path))? else {
            if !file.optional {
                findings.push(unmodelled(format!(
                    "node --env-file names {}, which does not exist: Node would not start",
                    file.path
                )));
            }
            continue;
        };
        if let Some(why) = gardefou_dotenv::node_divergence(&text) {
            findings.push(unmodelled(format!(
                "the env file {} given to node --env-file has {why}, which Node's parser reads differently",
                file.path
            )));
            continue;
        }
        let entries = gardefou_dotenv::parse(&text)
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        merge(&mut vars, entries, false);
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

/// dotenv resolves a leading `~` to the home directory.
fn expand_home(path: &str, vars: &EnvVars) -> PathBuf {
    match (path.strip_prefix('~'), vars.lookup("HOME")) {
        (Some(rest), Lookup::Value(home)) if rest.is_empty() || rest.starts_with('/') => {
            PathBuf::from(format!("{}{rest}", home.expose()))
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

struct NodeEnvFile {
    path: String,
    optional: bool,
}

/// The `--env-file` / `--env-file-if-exists` files of a `node` command line (the program
/// itself, or behind `env`).
fn node_env_files(command: &[OsString]) -> Vec<NodeEnvFile> {
    let args: Vec<String> = command
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let Some(start) = args
        .iter()
        .position(|a| matches!(a.rsplit('/').next(), Some("node" | "nodejs")))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut i = start + 1;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--" || !a.starts_with('-') {
            break;
        }
        for (flag, optional) in [("--env-file", false), ("--env-file-if-exists", true)] {
            if a == flag {
                if let Some(p) = args.get(i + 1) {
                    out.push(NodeEnvFile {
                        path: p.clone(),
                        optional,
                    });
                }
                i += 1;
            } else if let Some(p) = a.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
                out.push(NodeEnvFile {
                    path: p.to_owned(),
                    optional,
                });
            }
        }
        i += 1;
    }
    out
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

    #[test]
    fn env_files_on_the_node_command_line() {
        let argv = |s: &str| -> Vec<OsString> { s.split(' ').map(OsString::from).collect() };
        let files = node_env_files(&argv("env A=1 node --env-file .env.prod --env-file-if-exists=.env.local -r x s.js --env-file=no"));
        let got: Vec<(&str, bool)> = files
            .iter()
            .map(|f| (f.path.as_str(), f.optional))
            .collect();
        assert_eq!(got, [(".env.prod", false), (".env.local", true)]);
    }
}
