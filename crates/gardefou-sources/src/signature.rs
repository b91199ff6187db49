//! The policy file's signature: `<policy>.sig` beside it (the SSHSIG format of
//! `ssh-keygen -Y sign -n gardefou-policy`), checked against allowed signers that come
//! from outside the repository.
//!
//! The allowed signers are, in this order:
//!
//! 1. a file named on the command line (`gardefou policy verify --allowed-signers FILE`);
//! 2. `$GARDEFOU_ALLOWED_SIGNERS`, the allowed signers text itself (a secret store's
//!    variable), or `$GARDEFOU_ALLOWED_SIGNERS_FILE`, a file — not both: two sources, one of
//!    which a start command or an env file could add, are refused.
//!
//! They are never looked for in the repository, and a file that lies inside the policy's
//! repository (or the current directory's) is refused: whoever can commit a policy change
//! could commit an allowed signer beside it.

use std::io;
use std::path::{Path, PathBuf};

use gardefou_policy::signature::SignatureCheck;
use gardefou_sshsig::{AllowedSigners, VerifyError};

use crate::bounded;

/// The allowed signers text, from the platform's secret store.
pub const GARDEFOU_ALLOWED_SIGNERS: &str = "GARDEFOU_ALLOWED_SIGNERS";
/// A file of allowed signers, outside the repository.
pub const GARDEFOU_ALLOWED_SIGNERS_FILE: &str = "GARDEFOU_ALLOWED_SIGNERS_FILE";
/// The SSHSIG namespace of a policy signature: a signature made for git commits or any
/// other purpose is not one.
pub const NAMESPACE: &str = "gardefou-policy";
/// The most a signature file may hold (an RSA-16384 signature is far below it).
pub const SIGNATURE_LIMIT: u64 = 64 << 10;
/// The most an allowed signers file may hold.
pub const SIGNERS_LIMIT: u64 = 1 << 20;

/// The signature file of a policy file: `gardefou.toml.sig`.
pub fn signature_path(policy: &Path) -> PathBuf {
    let mut name = policy.as_os_str().to_owned();
    name.push(".sig");
    PathBuf::from(name)
}

/// Allowed signers, read: `Ok(None)` when none are configured; `Err(why)` when they are
/// configured but unusable.
pub type Signers = Result<Option<AllowedSigners>, AllowedSignersError>;

/// Why configured allowed signers cannot be used. The message names the source (a variable
/// or a file) and the line, never a key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AllowedSignersError {
    /// Both `GARDEFOU_ALLOWED_SIGNERS` and `GARDEFOU_ALLOWED_SIGNERS_FILE` are set.
    #[error(
        "both {GARDEFOU_ALLOWED_SIGNERS} and {GARDEFOU_ALLOWED_SIGNERS_FILE} are set: set one"
    )]
    BothSources,
    /// `GARDEFOU_ALLOWED_SIGNERS_FILE` is set to nothing.
    #[error("{GARDEFOU_ALLOWED_SIGNERS_FILE} is set but empty")]
    EmptyFileName,
    /// `GARDEFOU_ALLOWED_SIGNERS` is not UTF-8.
    #[error("{GARDEFOU_ALLOWED_SIGNERS} is not valid UTF-8")]
    VariableNotUtf8,
    /// The file cannot be read (missing, not a regular file, too large…).
    #[error("cannot read the allowed signers file {}: {why}", file.display())]
    Unreadable {
        /// The file, as given.
        file: PathBuf,
        /// Why.
        why: io::Error,
    },
    /// The file is not UTF-8.
    #[error("the allowed signers file {} is not valid UTF-8", file.display())]
    FileNotUtf8 {
        /// The file, as given.
        file: PathBuf,
    },
    /// The file lies inside a repository, where a commit could change it.
    #[error(
        "the allowed signers file {} is inside the repository {} (a commit could change it): keep it outside, or use {GARDEFOU_ALLOWED_SIGNERS}",
        file.display(),
        repository.display()
    )]
    InsideRepository {
        /// The file, as given.
        file: PathBuf,
        /// The repository's root.
        repository: PathBuf,
    },
    /// A line is not an allowed signer gardefou accepts.
    #[error(transparent)]
    Malformed(#[from] gardefou_sshsig::SignersError),
}

/// The allowed signers for the policy file `policy`: `explicit` (a command-line file), else
/// the process environment. See the module documentation.
pub fn allowed_signers(explicit: Option<&Path>, policy: &Path) -> Signers {
    allowed_signers_from(explicit, policy, |name| std::env::var_os(name))
}

/// [`allowed_signers`] with the environment given.
pub fn allowed_signers_from(
    explicit: Option<&Path>,
    policy: &Path,
    var: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Signers {
    if let Some(file) = explicit {
        return read_signers_file(file, policy).map(Some);
    }
    match (
        var(GARDEFOU_ALLOWED_SIGNERS),
        var(GARDEFOU_ALLOWED_SIGNERS_FILE),
    ) {
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(AllowedSignersError::BothSources),
        (Some(text), None) => {
            let text = text
                .into_string()
                .map_err(|_| AllowedSignersError::VariableNotUtf8)?;
            Ok(Some(AllowedSigners::parse(
                &text,
                GARDEFOU_ALLOWED_SIGNERS,
            )?))
        }
        (None, Some(file)) if file.is_empty() => Err(AllowedSignersError::EmptyFileName),
        (None, Some(file)) => read_signers_file(Path::new(&file), policy).map(Some),
    }
}

fn read_signers_file(file: &Path, policy: &Path) -> Result<AllowedSigners, AllowedSignersError> {
    let unreadable = |why| AllowedSignersError::Unreadable {
        file: file.to_path_buf(),
        why,
    };
    let real = std::fs::canonicalize(file).map_err(unreadable)?;
    for root in repository_roots(policy) {
        if real.starts_with(&root) {
            return Err(AllowedSignersError::InsideRepository {
                file: file.to_path_buf(),
                repository: root,
            });
        }
    }
    let bytes = bounded::read_regular(&real, SIGNERS_LIMIT).map_err(unreadable)?;
    let text = String::from_utf8(bytes).map_err(|_| AllowedSignersError::FileNotUtf8 {
        file: file.to_path_buf(),
    })?;
    Ok(AllowedSigners::parse(&text, &file.display().to_string())?)
}

/// The trees an allowed signers file must not be in: the git repository holding the
/// policy file (the policy's directory when it is in none), and the git repository holding
/// the current directory, if any.
fn repository_roots(policy: &Path) -> Vec<PathBuf> {
    let policy_dir = policy
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let repository = |dir: &Path| {
        dir.ancestors()
            .find(|a| a.join(".git").symlink_metadata().is_ok())
            .map(Path::to_path_buf)
    };
    let mut roots = Vec::new();
    if let Ok(dir) = std::fs::canonicalize(policy_dir) {
        roots.push(repository(&dir).unwrap_or(dir));
    }
    if let Some(root) = std::env::current_dir()
        .ok()
        .and_then(|d| std::fs::canonicalize(d).ok())
        .and_then(|d| repository(&d))
    {
        if !roots.contains(&root) {
            roots.push(root);
        }
    }
    roots
}

/// Checks the policy file's bytes (exactly those that were parsed) against its signature
/// file and the allowed signers.
pub fn check(policy_bytes: &[u8], policy: &Path, signers: &Signers) -> SignatureCheck {
    let sig_path = signature_path(policy);
    let signature = match bounded::read_regular(&sig_path, SIGNATURE_LIMIT) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return SignatureCheck::Missing {
                signature_file: sig_path.display().to_string(),
            }
        }
        Err(e) => {
            return SignatureCheck::Invalid {
                why: format!("cannot read {}: {e}", sig_path.display()),
            }
        }
    };
    check_bytes(policy_bytes, &signature, signers)
}

/// Checks a policy's bytes against a signature's bytes (from a file or from git history).
pub fn check_bytes(policy_bytes: &[u8], signature: &[u8], signers: &Signers) -> SignatureCheck {
    let signers = match signers {
        Ok(Some(s)) => s,
        Ok(None) => return SignatureCheck::SignersMissing,
        Err(why) => {
            return SignatureCheck::SignersInvalid {
                why: why.to_string(),
            }
        }
    };
    let Ok(signature) = std::str::from_utf8(signature) else {
        return SignatureCheck::Invalid {
            why: VerifyError::Malformed.to_string(),
        };
    };
    match gardefou_sshsig::verify(policy_bytes, signature, NAMESPACE, signers) {
        Ok(signer) => SignatureCheck::Verified {
            principals: signer.principals,
            fingerprint: signer.fingerprint,
        },
        Err(e) => SignatureCheck::Invalid { why: e.to_string() },
    }
}

/// The newest version of a policy file in its git history whose committed signature
/// verifies.
#[derive(Debug)]
pub struct LastSigned {
    /// The commit.
    pub commit: String,
    /// The policy file's bytes at that commit.
    pub bytes: Vec<u8>,
    /// Who signed it (principals of the allowed signer).
    pub principals: String,
    /// The signing key's fingerprint.
    pub fingerprint: String,
}

/// Why the git history could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the git history of {}: {why}", path.display())]
pub struct HistoryError {
    /// The policy file.
    pub path: PathBuf,
    /// What git said, one line.
    pub why: String,
}

/// The most commits [`last_signed`] looks at.
pub const HISTORY_LIMIT: usize = 1000;

/// Walks the git history of the policy file `policy` (commits that changed it or its
/// `.sig`, newest first, at most [`HISTORY_LIMIT`]) to the newest version whose committed
/// signature verifies against `signers`. `Ok(None)`: no version is signed. Git runs only
/// through `gardefou_edges::git`.
pub fn last_signed(
    policy: &Path,
    signers: &AllowedSigners,
) -> Result<Option<LastSigned>, HistoryError> {
    use gardefou_edges::git;
    let err = |why: String| HistoryError {
        path: policy.to_path_buf(),
        why,
    };
    let dir = policy
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = policy
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| err("the file name is not UTF-8".into()))?;
    let sig_name = format!("{name}.sig");
    let out = git::command(dir, git::Index::Repository)
        .args(["log", "--no-renames", "--format=%H", "-n"])
        .arg(HISTORY_LIMIT.to_string())
        .args(["--", name, &sig_name])
        .output()
        .map_err(|e| err(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(err(stderr
            .lines()
            .next()
            .unwrap_or("git failed")
            .to_owned()));
    }
    let checked = Ok(Some(signers.clone()));
    for commit in String::from_utf8_lossy(&out.stdout).lines() {
        let (Some(bytes), Some(signature)) = (
            blob(dir, commit, name, bounded::TEXT_LIMIT),
            blob(dir, commit, &sig_name, SIGNATURE_LIMIT),
        ) else {
            continue;
        };
        if let SignatureCheck::Verified {
            principals,
            fingerprint,
        } = check_bytes(&bytes, &signature, &checked)
        {
            return Ok(Some(LastSigned {
                commit: commit.to_owned(),
                bytes,
                principals,
                fingerprint,
            }));
        }
    }
    Ok(None)
}

/// The file `name` (in `dir`) at `commit`, at most `limit` bytes; `None` when it does not
/// exist there or is larger.
fn blob(dir: &Path, commit: &str, name: &str, limit: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut child = gardefou_edges::git::command(dir, gardefou_edges::git::Index::Repository)
        .args(["cat-file", "blob", &format!("{commit}:./{name}")])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let mut bytes = Vec::new();
    let read = child
        .stdout
        .take()
        .map(|out| out.take(limit + 1).read_to_end(&mut bytes));
    if bytes.len() as u64 > limit {
        // Too large: git may still be writing.
        let _ = child.kill();
    }
    let status = child.wait().ok()?;
    (status.success() && matches!(read, Some(Ok(_))) && bytes.len() as u64 <= limit)
        .then_some(bytes)
}
