//! Gathers the variables the guard evaluates: the process environment, or a dotenv file.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use gardefou_policy::{EnvVars, Lookup};

use crate::env_vars::DOTENV_CONFIG_PATH;

pub use gardefou_sources::process_env as process;

/// A dotenv file, read the way Node's `dotenv` reads it (no `$VAR` expansion).
pub fn dotenv_file(path: &Path) -> Result<EnvVars> {
    let bytes = gardefou_sources::bounded::read(path, gardefou_sources::bounded::TEXT_LIMIT)
        .with_context(|| format!("cannot read the env file {}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("the env file {} is not valid UTF-8", path.display()))?;
    let parsed = gardefou_dotenv::parse(&text);
    Ok(parsed.iter().collect())
}

/// What a Node server started here will see: the process environment, plus the variables
/// of `./.env` (or `$DOTENV_CONFIG_PATH`) that it does not already set — exactly what
/// `require('dotenv').config()` adds, since dotenv never overrides a set variable. Without
/// this, a `.env` beside the server could add a live Stripe key or a `DEBUG_*` switch that
/// `run` never saw.
pub fn server_environment() -> Result<EnvVars> {
    let mut vars = process();
    let path = std::env::var_os(DOTENV_CONFIG_PATH)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".env"));
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vars),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read the env file {}", path.display()))
        }
        Ok(_) => {}
    }
    let bytes = gardefou_sources::bounded::read(&path, gardefou_sources::bounded::TEXT_LIMIT)
        .with_context(|| format!("cannot read the env file {}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("the env file {} is not valid UTF-8", path.display()))?;
    let file = gardefou_dotenv::parse(&text);
    let added: Vec<(String, String)> = file
        .iter()
        .filter(|(name, _)| matches!(vars.lookup(name), Lookup::Missing))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    for (name, value) in added {
        vars.insert(name, value);
    }
    Ok(vars)
}
