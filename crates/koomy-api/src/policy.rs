//! The policy file and the secrets registry, found the way the `gardefou` command finds
//! them: the policy from `--policy FILE`, else `$GARDEFOU_POLICY`, else the nearest `gardefou.toml` upwards,
//! else the built-in policy; the registry from `--registry FILE`, else
//! `gardefou.secrets.toml` beside the policy file, else in the current directory, with
//! its key in `GARDEFOU_SECRETS_KEY`.

use std::path::Path;

use anyhow::Result;
use gardefou_policy::secrets::Registry as RegistryView;
use gardefou_policy::Policy;
use gardefou_secrets::Keyed;
use gardefou_sources::Loaded;

use crate::Usage;

/// The policy and the secrets registry the guard consults.
pub struct Sources {
    pub policy: Policy,
    registry: Loaded,
}

impl Sources {
    /// Reads both, exactly as the `gardefou` command does (`gardefou-sources`). A named file
    /// that cannot be read or parsed is a configuration error: never a fallback to a weaker
    /// policy.
    pub fn load(policy: Option<&Path>, registry: Option<&Path>) -> Result<Sources> {
        let usage = |e: gardefou_sources::SourceError| Usage(e.to_string());
        let (policy, policy_file) = gardefou_sources::load_policy(policy).map_err(usage)?;
        let registry = Loaded::load(registry, policy_file.as_deref()).map_err(usage)?;
        Ok(Sources { policy, registry })
    }

    /// The view of the registry that the secrets rules take. `keyed` holds the
    /// registry and key together while the view is in use.
    pub fn registry<'a>(&'a self, keyed: &'a mut Option<Keyed<'a>>) -> RegistryView<'a> {
        self.registry.view(keyed)
    }
}
