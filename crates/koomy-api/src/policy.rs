//! The policy file and the secrets registry, found the way the `gardefou` command finds
//! them: the policy from `--policy FILE`, else `$GARDEFOU_POLICY`, else `./gardefou.toml`,
//! else the built-in policy; the registry from `--registry FILE`, else
//! `gardefou.secrets.toml` beside the policy file, else in the current directory, with
//! its key in `GARDEFOU_SECRETS_KEY`.

use std::path::{Path, PathBuf};

use anyhow::Result;
use gardefou_policy::secrets::Registry as RegistryView;
use gardefou_policy::Policy;
use gardefou_redact::Secret;
use gardefou_secrets::{Key, Keyed, Registry};

use crate::Usage;

/// The registry's default file name.
const REGISTRY_NAME: &str = "gardefou.secrets.toml";

/// The policy and the secrets registry the guard consults.
pub struct Sources {
    pub policy: Policy,
    registry: Option<Registry>,
    key: Result<Option<Key>, String>,
}

impl Sources {
    /// Reads both. A named file that cannot be read or parsed is a configuration error:
    /// never a fallback to a weaker policy.
    pub fn load(policy: Option<&Path>, registry: Option<&Path>) -> Result<Sources> {
        let (policy, policy_file) = load_policy(policy)?;
        let path = match (registry, &policy_file) {
            (Some(p), _) => p.to_path_buf(),
            (None, Some(policy)) => policy
                .parent()
                .map_or_else(|| PathBuf::from(REGISTRY_NAME), |d| d.join(REGISTRY_NAME)),
            (None, None) => PathBuf::from(REGISTRY_NAME),
        };
        let shown = path.display().to_string();
        let registry_file = match std::fs::read(&path) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).map_err(|_| {
                    Usage(format!("the secrets registry {shown} is not valid UTF-8"))
                })?;
                Some(Registry::from_toml(&text, &shown).map_err(|e| Usage(e.to_string()))?)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if registry.is_some() {
                    return Err(
                        Usage(format!("the secrets registry {shown} does not exist")).into(),
                    );
                }
                None
            }
            Err(e) => {
                return Err(Usage(format!("cannot read the secrets registry {shown}: {e}")).into())
            }
        };
        Ok(Sources {
            policy,
            registry: registry_file,
            key: key(),
        })
    }

    /// The view of the registry that the secrets rules take. `keyed` holds the
    /// registry and key together while the view is in use.
    pub fn registry<'a>(&'a self, keyed: &'a mut Option<Keyed<'a>>) -> RegistryView<'a> {
        match (&self.registry, &self.key) {
            (None, _) => RegistryView::Missing,
            (Some(_), Err(why)) => RegistryView::KeyRejected(why.clone()),
            (Some(_), Ok(None)) => RegistryView::KeyMissing,
            (Some(r), Ok(Some(k))) if !r.accepts(k) => RegistryView::KeyRejected(
                "GARDEFOU_SECRETS_KEY is not the key the secrets registry was made with".into(),
            ),
            (Some(registry), Ok(Some(key))) => {
                RegistryView::Ready(keyed.insert(Keyed { registry, key }))
            }
        }
    }
}

/// The registry key from the process environment; why, when set but unusable. The message
/// never contains the key.
fn key() -> Result<Option<Key>, String> {
    match std::env::var_os("GARDEFOU_SECRETS_KEY") {
        None => Ok(None),
        Some(v) => {
            let v = v
                .into_string()
                .map_err(|_| "GARDEFOU_SECRETS_KEY is not valid UTF-8".to_owned())?;
            if v.is_empty() {
                return Err("GARDEFOU_SECRETS_KEY is set but empty".into());
            }
            Key::new(&Secret::from(v))
                .map(Some)
                .map_err(|e| e.to_string())
        }
    }
}

fn load_policy(explicit: Option<&Path>) -> Result<(Policy, Option<PathBuf>)> {
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
        return Ok((Policy::koomy(), None));
    };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Usage(format!("cannot read the policy file {shown}: {e}")))?;
    let policy = Policy::from_toml(&text, &shown).map_err(|e| Usage(e.to_string()))?;
    Ok((policy, Some(path)))
}
