//! Finds and reads the policy file: `--policy FILE`, else `$GARDEFOU_POLICY`, else
//! `./gardefou.toml`, else the built-in policy.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use gardefou_policy::Policy;

use crate::env_vars::GARDEFOU_POLICY;

/// Loads the policy. An explicit file that cannot be read or parsed is an error (exit 2):
/// gardefou never falls back to a weaker policy than the one asked for.
#[allow(dead_code)] // kept for subcommands that do not need the path
pub fn load(explicit: Option<&Path>) -> Result<Policy> {
    Ok(load_with_path(explicit)?.0)
}

/// Loads the policy, with the path of the file it came from (`None`: built-in).
pub fn load_with_path(explicit: Option<&Path>) -> Result<(Policy, Option<PathBuf>)> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => match std::env::var_os(GARDEFOU_POLICY) {
            Some(p) if p.is_empty() => anyhow::bail!("{GARDEFOU_POLICY} is set but empty"),
            Some(p) => Some(PathBuf::from(p)),
            None => {
                let default = PathBuf::from("gardefou.toml");
                // Only "does not exist" falls back to the built-in policy; a file that
                // exists but cannot be read is an error below.
                match default.symlink_metadata() {
                    Ok(_) => Some(default),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                    Err(e) => return Err(e).context("cannot read the policy file gardefou.toml"),
                }
            }
        },
    };
    let Some(path) = path else {
        return Ok((Policy::koomy(), None));
    };
    let bytes = crate::bounded::read(&path, crate::bounded::TEXT_LIMIT)
        .with_context(|| format!("cannot read the policy file {}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("the policy file {} is not valid UTF-8", path.display()))?;
    let policy = Policy::from_toml(&text, &path.display().to_string())?;
    Ok((policy, Some(path)))
}
