//! The policy file: `--policy FILE`, else `$GARDEFOU_POLICY`, else `./gardefou.toml`,
//! else the built-in policy — the same discovery as the `gardefou` command.

use std::path::{Path, PathBuf};

use anyhow::Result;
use gardefou_policy::Policy;

use crate::Usage;

/// Loads the policy. A named file that cannot be read or parsed is a configuration error:
/// never a fallback to a weaker policy.
pub fn load(explicit: Option<&Path>) -> Result<Policy> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => match std::env::var_os("GARDEFOU_POLICY") {
            Some(p) if p.is_empty() => {
                return Err(Usage("GARDEFOU_POLICY is set but empty".into()).into())
            }
            Some(p) => Some(PathBuf::from(p)),
            None => {
                let default = PathBuf::from("gardefou.toml");
                match default.symlink_metadata() {
                    Ok(_) => Some(default),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                    Err(e) => {
                        return Err(Usage(format!(
                            "cannot read the policy file gardefou.toml: {e}"
                        ))
                        .into())
                    }
                }
            }
        },
    };
    let Some(path) = path else {
        return Ok(Policy::koomy());
    };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Usage(format!("cannot read the policy file {shown}: {e}")))?;
    Policy::from_toml(&text, &shown).map_err(|e| Usage(e.to_string()).into())
}
