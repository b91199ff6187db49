//! Gathers the variables the guard evaluates: the process environment, or a dotenv file.

use std::path::Path;

use anyhow::{Context, Result};
use gardefou_policy::EnvVars;

/// The process environment, with values that are not UTF-8 recorded as such, and names
/// that the environment block holds more than once recorded as duplicates (refused).
pub fn process() -> EnvVars {
    let mut vars = EnvVars::new();
    let mut seen = std::collections::HashSet::new();
    for (name, value) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if !seen.insert(name.to_owned()) {
            vars.insert_duplicate(name);
        }
        match value.into_string() {
            Ok(v) => vars.insert(name, v),
            Err(_) => vars.insert_not_utf8(name),
        }
    }
    vars
}

/// A dotenv file, read the way Node's `dotenv` reads it (no `$VAR` expansion).
pub fn dotenv_file(path: &Path) -> Result<EnvVars> {
    let bytes = crate::bounded::read(path, crate::bounded::TEXT_LIMIT)
        .with_context(|| format!("cannot read the env file {}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("the env file {} is not valid UTF-8", path.display()))?;
    let parsed = gardefou_dotenv::parse(&text);
    Ok(parsed.iter().collect())
}
