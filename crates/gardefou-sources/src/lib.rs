//! Finds and reads what gardefou is pointed at, the same way for the `gardefou` command and
//! for a Rust backend (`gardefou-axum`, `koomy-api`):
//!
//! - the policy: `--policy FILE`, else `$GARDEFOU_POLICY`, else the nearest `gardefou.toml` upwards, else the
//!   built-in policy ([`load_policy`]);
//! - the secrets registry: `--registry FILE`, else `gardefou.secrets.toml` beside the policy
//!   file, else in the current directory ([`registry_path`], [`read_registry`]), with its key
//!   from `GARDEFOU_SECRETS_KEY` ([`registry_key`]); [`Loaded`] holds both for the checks.
//!
//! A policy file is read with its signature: `gardefou.toml.sig` beside it, checked against
//! the allowed signers of the process environment ([`signature`]); the outcome is the
//! policy's `Origin` ([`gardefou_policy::signature::Origin`]), which the guard weighs
//! (production refuses anything but a verified signature).
//!
//! [`process_env`] reads the process environment the way the guard evaluates it.
//!
//! Every read is bounded and the policy and registry must be regular files ([`bounded`]):
//! `/dev/zero` or a FIFO is an error, never an endless read or a hang. A file that is named
//! but cannot be read or parsed is an error: never a fallback to a weaker policy.
#![warn(missing_docs)]

pub use gardefou_edges::{bounded, replace};

pub mod signature;
pub use signature::{GARDEFOU_ALLOWED_SIGNERS, GARDEFOU_ALLOWED_SIGNERS_FILE};

use std::io;
use std::path::{Path, PathBuf};

use gardefou_findings::{tr, Text};
use gardefou_policy::secrets::Registry as RegistryView;
use gardefou_policy::signature::Origin;
use gardefou_policy::{ConfigError, EnvVars, Policy};
use gardefou_redact::Secret;
use gardefou_secrets::{Key, KeyError, Keyed, Registry, RegistryError};

/// The variable naming the policy file when no `--policy` is given.
pub const GARDEFOU_POLICY: &str = "GARDEFOU_POLICY";
/// The variable holding the registry's key (at least 256 random bits, never in the repo).
pub const GARDEFOU_SECRETS_KEY: &str = "GARDEFOU_SECRETS_KEY";
/// The registry's default file name.
pub const REGISTRY_NAME: &str = "gardefou.secrets.toml";

/// A file gardefou was pointed at and cannot use. Messages name the file, never a value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// `$GARDEFOU_POLICY` is set to the empty string.
    #[error("{GARDEFOU_POLICY} is set but empty")]
    PolicyVariableEmpty,
    /// The policy file exists but cannot be read (or is not a regular file, or too large).
    #[error("cannot read the policy file {}: {cause}", path.display())]
    PolicyUnreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: io::Error,
    },
    /// The policy file is not UTF-8.
    #[error("the policy file {} is not valid UTF-8", .0.display())]
    PolicyNotUtf8(PathBuf),
    /// The policy file does not parse, with its line and column.
    #[error(transparent)]
    Policy(#[from] ConfigError),
    /// The registry exists but cannot be read.
    #[error("cannot read the secrets registry {}: {cause}", path.display())]
    RegistryUnreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: io::Error,
    },
    /// The registry is not UTF-8.
    #[error("the secrets registry {} is not valid UTF-8", .0.display())]
    RegistryNotUtf8(PathBuf),
    /// The registry does not parse.
    #[error(transparent)]
    Registry(RegistryError),
    /// An explicitly named registry does not exist (a typo must not disable the check).
    #[error("the secrets registry {} does not exist", .0.display())]
    RegistryMissing(PathBuf),
}

/// The process environment as the guard evaluates it: values that are not UTF-8 recorded
/// as such, and a name that the environment block holds more than once recorded as a
/// duplicate (refused: libpq and Node read the first value, a map keeps the last).
pub fn process_env() -> EnvVars {
    let mut vars = EnvVars::new();
    let mut seen = std::collections::HashSet::new();
    for (name, value) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if !seen.insert(name.to_owned()) {
            vars.insert_duplicate(name);
        }
        match value.into_string() {
            Ok(v) => vars.insert(name, v),
            Err(raw) => vars.insert_not_utf8_lossy(name, raw.to_string_lossy().into_owned()),
        }
    }
    vars
}

/// The first `gardefou.toml` in the current directory or one of its parents (as Cargo
/// finds `Cargo.toml`): a command run in a subdirectory of the project uses the project's
/// policy, not the built-in one. Only "does not exist" moves on; a file that exists but
/// cannot be inspected is an error.
fn find_upwards() -> Result<Option<PathBuf>, SourceError> {
    let start = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    for dir in start.ancestors() {
        let candidate = dir.join("gardefou.toml");
        match candidate.symlink_metadata() {
            Ok(_) => {
                // Named relative to where the command runs when it is here.
                return Ok(Some(if dir == start {
                    PathBuf::from("gardefou.toml")
                } else {
                    candidate
                }));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(cause) => {
                return Err(SourceError::PolicyUnreadable {
                    path: candidate,
                    cause,
                })
            }
        }
    }
    Ok(None)
}

/// Loads the policy, with the path of the file it came from (`None`: built-in): `explicit`,
/// else `$GARDEFOU_POLICY`, else the nearest `gardefou.toml` upwards from the current
/// directory, else the built-in policy.
pub fn load_policy(explicit: Option<&Path>) -> Result<(Policy, Option<PathBuf>), SourceError> {
    read_policy(policy_path(explicit)?)
}

/// Where the policy comes from (see [`load_policy`]); `None`: the built-in policy.
pub fn policy_path(explicit: Option<&Path>) -> Result<Option<PathBuf>, SourceError> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => match std::env::var_os(GARDEFOU_POLICY) {
            Some(p) if p.is_empty() => return Err(SourceError::PolicyVariableEmpty),
            Some(p) => Some(PathBuf::from(p)),
            None => find_upwards()?,
        },
    };
    Ok(path)
}

/// Reads and parses the policy file at `path` (`None`: the built-in policy), and checks its
/// signature against the allowed signers of the process environment.
pub fn read_policy(path: Option<PathBuf>) -> Result<(Policy, Option<PathBuf>), SourceError> {
    read_policy_with(path, None)
}

/// [`read_policy`], with the allowed signers from `signers_file` when given.
pub fn read_policy_with(
    path: Option<PathBuf>,
    signers_file: Option<&Path>,
) -> Result<(Policy, Option<PathBuf>), SourceError> {
    let Some(path) = path else {
        return Ok((Policy::koomy(), None));
    };
    let (mut policy, bytes) = read_policy_bytes(&path)?;
    let signers = signature::allowed_signers(signers_file, &path);
    policy.origin = Origin::File {
        path: path.display().to_string(),
        signature: signature::check(&bytes, &path, &signers),
    };
    Ok((policy, Some(path)))
}

/// The policy file parsed, and the exact bytes that were (the bytes a signature covers).
/// Its origin is [`Origin::Unchecked`]: [`read_policy`] checks the signature.
pub fn read_policy_bytes(path: &Path) -> Result<(Policy, Vec<u8>), SourceError> {
    let bytes = match bounded::read_regular(path, bounded::TEXT_LIMIT) {
        Ok(bytes) => bytes,
        Err(cause) => {
            return Err(SourceError::PolicyUnreadable {
                path: path.to_path_buf(),
                cause,
            })
        }
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Err(SourceError::PolicyNotUtf8(path.to_path_buf()));
    };
    let policy = Policy::from_toml(text, &path.display().to_string())?;
    Ok((policy, bytes))
}

/// The policy and the registry together: once the policy file is found, both files are
/// parsed at once, on two threads (a large policy and a large registry each take a while).
/// A policy error is reported before a registry error.
pub fn load_policy_and_registry(
    policy: Option<&Path>,
    registry: Option<&Path>,
) -> Result<(Policy, Option<PathBuf>, Loaded), SourceError> {
    let path = policy_path(policy)?;
    let (policy, loaded) = std::thread::scope(|scope| {
        let registry_thread = scope.spawn(|| Loaded::load(registry, path.as_deref()));
        let policy = read_policy(path.clone());
        let loaded = registry_thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (policy, loaded)
    });
    let (policy, file) = policy?;
    Ok((policy, file, loaded?))
}

/// Where the registry is (or would be written).
pub fn registry_path(explicit: Option<&Path>, policy_file: Option<&Path>) -> PathBuf {
    match (explicit, policy_file) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(policy)) => policy
            .parent()
            .map_or_else(|| PathBuf::from(REGISTRY_NAME), |d| d.join(REGISTRY_NAME)),
        (None, None) => PathBuf::from(REGISTRY_NAME),
    }
}

/// The registry file, if it exists. A file that exists but cannot be read or parsed is an
/// error; whether a missing one is, the caller decides.
pub fn read_registry(path: &Path) -> Result<Option<Registry>, SourceError> {
    let bytes = match bounded::read_regular(path, bounded::REGISTRY_LIMIT) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(cause) => {
            return Err(SourceError::RegistryUnreadable {
                path: path.to_path_buf(),
                cause,
            })
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(SourceError::RegistryNotUtf8(path.to_path_buf()));
    };
    Registry::from_toml(&text, &path.display().to_string())
        .map(Some)
        .map_err(SourceError::Registry)
}

/// The key from the process environment: `None` when unset; why, when set but unusable
/// (empty, not UTF-8, too weak). The message never contains the key.
pub fn registry_key() -> Result<Option<Key>, Text> {
    match std::env::var_os(GARDEFOU_SECRETS_KEY) {
        None => Ok(None),
        Some(v) => {
            let v = v.into_string().map_err(|_| {
                tr!(
                    "{GARDEFOU_SECRETS_KEY} is not valid UTF-8",
                    "{GARDEFOU_SECRETS_KEY} n'est pas de l'UTF-8 valide"
                )
            })?;
            if v.is_empty() {
                return Err(tr!(
                    "{GARDEFOU_SECRETS_KEY} is set but empty",
                    "{GARDEFOU_SECRETS_KEY} est définie mais vide"
                ));
            }
            Key::new(&Secret::from(v)).map(Some).map_err(|e| match e {
                KeyError::Weak { bits } => tr!(
                    "{e}",
                    "{GARDEFOU_SECRETS_KEY} a environ {bits} bits d'entropie estimée ; une clé de registre en exige 256 (générez-en une avec : openssl rand -base64 32)"
                ),
                KeyError::Random => tr!(
                    "{e}",
                    "impossible de tirer une clé aléatoire du système"
                ),
            })
        }
    }
}

/// The registry and its key, as the checks consult them.
pub struct Loaded {
    /// The registry file, if found.
    pub registry: Option<Registry>,
    /// The key, or why it is unusable.
    pub key: Result<Option<Key>, Text>,
}

impl Loaded {
    /// Finds the registry (an explicit one must exist) and reads the key.
    pub fn load(
        explicit: Option<&Path>,
        policy_file: Option<&Path>,
    ) -> Result<Loaded, SourceError> {
        let path = registry_path(explicit, policy_file);
        let registry = read_registry(&path)?;
        if registry.is_none() && explicit.is_some() {
            return Err(SourceError::RegistryMissing(path));
        }
        Ok(Loaded {
            registry,
            key: registry_key(),
        })
    }

    /// The view of the registry that the secrets rules take. `keyed` holds the registry and
    /// key together while the view is in use.
    pub fn view<'a>(&'a self, keyed: &'a mut Option<Keyed<'a>>) -> RegistryView<'a> {
        match (&self.registry, &self.key) {
            (None, _) => RegistryView::Missing,
            (Some(_), Err(why)) => RegistryView::KeyRejected(why.clone()),
            (Some(_), Ok(None)) => RegistryView::KeyMissing,
            (Some(r), Ok(Some(k))) if !r.accepts(k) => RegistryView::KeyRejected(tr!(
                "{GARDEFOU_SECRETS_KEY} is not the key the secrets registry was made with",
                "{GARDEFOU_SECRETS_KEY} n'est pas la clé avec laquelle le registre des secrets a été créé"
            )),
            (Some(registry), Ok(Some(key))) => {
                RegistryView::Ready(keyed.insert(Keyed { registry, key }))
            }
        }
    }

    /// Calls `f` with [`Loaded::view`].
    pub fn with_view<R>(&self, f: impl FnOnce(&RegistryView<'_>) -> R) -> R {
        let mut keyed = None;
        f(&self.view(&mut keyed))
    }
}
