//! Git access through the `git` command's plumbing.
//!
//! Why the CLI and not `gix`: the checks need `status` (index, `.gitignore`, submodules,
//! untracked files exactly as the developer's own git sees them), upstream resolution from
//! `branch.*` config and revision ranges; the git CLI gives all of them with the behaviour
//! the team already trusts, and a deploy machine has git anyway. Every call runs with a
//! controlled environment: no `GIT_DIR`-style variable can point it at another repository,
//! replace refs are ignored (`GIT_NO_REPLACE_OBJECTS`), nothing is localised or paged.

use std::path::{Path, PathBuf};

/// A git invocation that failed, or git could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GitError {
    /// `git` is not installed or cannot be run.
    #[error("cannot run git: {0}")]
    Spawn(#[source] std::io::Error),
    /// The directory is not inside a git work tree.
    #[error("not a git work tree: {0}")]
    NotARepository(PathBuf),
    /// A git command failed.
    #[error("git {args} failed: {stderr}")]
    Failed {
        /// The arguments, space-separated.
        args: String,
        /// git's first line of error output.
        stderr: String,
    },
}

/// A work tree, by its top-level directory.
#[derive(Clone, Debug)]
pub struct Repo {
    top: PathBuf,
}

impl Repo {
    /// Opens the work tree containing `dir`.
    pub fn open(dir: &Path) -> Result<Repo, GitError> {
        let out = raw(dir, &["rev-parse", "--show-toplevel"])?;
        match out {
            Ok(top) => Ok(Repo {
                top: PathBuf::from(top.trim_end_matches('\n')),
            }),
            Err(_) => Err(GitError::NotARepository(dir.to_path_buf())),
        }
    }

    /// Runs git and returns stdout, or the failure.
    pub fn run(&self, args: &[&str]) -> Result<String, GitError> {
        raw(&self.top, args)?.map_err(|stderr| GitError::Failed {
            args: args.join(" "),
            stderr,
        })
    }

    /// Runs git; `None` when it exits non-zero (e.g. a ref that does not exist).
    pub fn try_run(&self, args: &[&str]) -> Result<Option<String>, GitError> {
        Ok(raw(&self.top, args)?.ok())
    }

    /// The commit id a revision names, if it names a commit.
    pub fn commit(&self, rev: &str) -> Result<Option<String>, GitError> {
        Ok(self
            .try_run(&[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ])?
            .map(|s| s.trim().to_owned()))
    }

    /// Whether a full ref exists.
    pub fn has_ref(&self, full_ref: &str) -> Result<bool, GitError> {
        Ok(self.commit(full_ref)?.is_some())
    }

    /// The top-level directory.
    pub fn top(&self) -> &Path {
        &self.top
    }
}

fn raw(dir: &Path, args: &[&str]) -> Result<Result<String, String>, GitError> {
    let mut cmd = gardefou_edges::git::command(dir, gardefou_edges::git::Index::Repository);
    cmd.args(args);
    let out = cmd.output().map_err(GitError::Spawn)?;
    if out.status.success() {
        Ok(Ok(String::from_utf8_lossy(&out.stdout).into_owned()))
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        Ok(Err(stderr.lines().next().unwrap_or("").trim().to_owned()))
    }
}
