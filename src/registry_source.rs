//! Finds and reads the secrets registry and its key: `--registry FILE`, else
//! `gardefou.secrets.toml` beside the policy file, else in the current directory; the key
//! from `GARDEFOU_SECRETS_KEY`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use gardefou_policy::secrets::Registry as RegistryView;
use gardefou_redact::Secret;
use gardefou_secrets::{Key, Keyed, Registry};

use crate::env_vars::GARDEFOU_SECRETS_KEY;

/// The registry's default file name.
pub const DEFAULT_NAME: &str = "gardefou.secrets.toml";

/// Where the registry is (or would be written).
pub fn path(explicit: Option<&Path>, policy_file: Option<&Path>) -> PathBuf {
    match (explicit, policy_file) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(policy)) => policy
            .parent()
            .map_or_else(|| PathBuf::from(DEFAULT_NAME), |d| d.join(DEFAULT_NAME)),
        (None, None) => PathBuf::from(DEFAULT_NAME),
    }
}

/// The registry file, if it exists. An explicit `--registry` that does not exist is an
/// error for `check` (a typo must not silently disable the check); the caller decides.
/// A file that exists but cannot be read or parsed is always an error.
pub fn read(path: &Path) -> Result<Option<Registry>> {
    let text = match crate::bounded::read(path, crate::bounded::REGISTRY_LIMIT) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
            anyhow::anyhow!("the secrets registry {} is not valid UTF-8", path.display())
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(e)
                .with_context(|| format!("cannot read the secrets registry {}", path.display()))
        }
    };
    Ok(Some(Registry::from_toml(
        &text,
        &path.display().to_string(),
    )?))
}

/// The key from the process environment: `None` when unset; why, when set but unusable
/// (empty, not UTF-8, too weak). The message never contains the key.
pub fn key() -> Result<Option<Key>, String> {
    match std::env::var_os(GARDEFOU_SECRETS_KEY) {
        None => Ok(None),
        Some(v) => {
            let v = v
                .into_string()
                .map_err(|_| format!("{GARDEFOU_SECRETS_KEY} is not valid UTF-8"))?;
            if v.is_empty() {
                return Err(format!("{GARDEFOU_SECRETS_KEY} is set but empty"));
            }
            Key::new(&Secret::from(v))
                .map(Some)
                .map_err(|e| e.to_string())
        }
    }
}

/// The registry and key as `check` and `run` consult them.
pub struct Loaded {
    /// The registry file, if found.
    pub registry: Option<Registry>,
    /// The key, or why it is unusable.
    pub key: Result<Option<Key>, String>,
}

impl Loaded {
    /// Finds the registry (an explicit `--registry` must exist) and reads the key.
    pub fn load(explicit: Option<&Path>, policy_file: Option<&Path>) -> Result<Loaded> {
        let path = path(explicit, policy_file);
        let registry = read(&path)?;
        if registry.is_none() && explicit.is_some() {
            anyhow::bail!("the secrets registry {} does not exist", path.display());
        }
        Ok(Loaded {
            registry,
            key: key(),
        })
    }

    /// Calls `f` with the view of the registry that the secrets checks take.
    pub fn with_view<R>(&self, f: impl FnOnce(&RegistryView<'_>) -> R) -> R {
        match (&self.registry, &self.key) {
            (None, _) => f(&RegistryView::Missing),
            (Some(_), Err(why)) => f(&RegistryView::KeyRejected(why.clone())),
            (Some(_), Ok(None)) => f(&RegistryView::KeyMissing),
            (Some(r), Ok(Some(k))) if !r.accepts(k) => f(&RegistryView::KeyRejected(format!(
                "{GARDEFOU_SECRETS_KEY} is not the key the secrets registry was made with"
            ))),
            (Some(registry), Ok(Some(key))) => {
                let keyed = Keyed { registry, key };
                f(&RegistryView::Ready(&keyed))
            }
        }
    }
}
