//! The one way gardefou runs `git`, and (feature `gix`) the one way it opens a repository
//! in-process.
//!
//! The caller's environment could otherwise choose another repository, object store or
//! history than the directory given (`GIT_DIR`, `GIT_OBJECT_DIRECTORY`, replace refs,
//! grafts…): for the `git` command those variables are cleared, replace refs are ignored,
//! nothing is localised, paged or prompted for, and paths print verbatim. [`open`] gives
//! the same guarantees to `gix`: no environment variable and no configuration outside the
//! repository is read, and replace refs are not applied.

use std::path::Path;
use std::process::Command;

/// Variables that would let the caller's environment choose another repository, object
/// store or history for git than the directory given.
const CLEARED: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_REPLACE_REF_BASE",
    "GIT_GRAFT_FILE",
    "GIT_SHALLOW_FILE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
];

/// Which index git reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Index {
    /// The repository's own index: `GIT_INDEX_FILE` is cleared too.
    Repository,
    /// The one the caller names in `GIT_INDEX_FILE`, if any: what git gives a pre-commit
    /// hook during `git commit -a` or `git commit PATHS` (a temporary index of what is
    /// about to be committed).
    Callers,
}

/// `git -C dir` in a controlled environment; add the arguments and run it.
#[allow(clippy::disallowed_methods)] // the one home of git
pub fn command(dir: &Path, index: Index) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir).args(["-c", "core.quotePath=false"]);
    for var in CLEARED {
        cmd.env_remove(var);
    }
    if index == Index::Repository {
        cmd.env_remove("GIT_INDEX_FILE");
    }
    cmd.env("GIT_NO_REPLACE_OBJECTS", "1")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_PAGER", "cat")
        .env("LC_ALL", "C");
    cmd
}

/// The repository holding `dir` (found as `git -C dir` finds it: `dir` or its nearest
/// parent with a `.git`, or `dir` itself if it is a bare repository), opened in-process and
/// isolated from the caller's environment: no `GIT_*` variable (`GIT_DIR`,
/// `GIT_OBJECT_DIRECTORY`, `GIT_ALTERNATE_OBJECT_DIRECTORIES`, `GIT_SHALLOW_FILE`,
/// `GIT_NAMESPACE`, `GIT_CONFIG_*`…), no user or system configuration, replace refs not
/// applied. The repository's own configuration is read, whoever owns it: nothing it says
/// is run, and its objects are only read.
#[cfg(feature = "gix")]
pub fn open(dir: &Path) -> Result<gix::Repository, gix::Error> {
    gix::discover_opts(dir, gix::discover::upwards::Options::default(), isolated())
}

/// The repository whose git directory is `git_dir` (as [`gix::Repository::git_dir`] names
/// it), opened as [`open`] does: for a thread that needs its own view of the objects.
#[cfg(feature = "gix")]
pub fn open_git_dir(git_dir: &Path) -> Result<gix::Repository, gix::Error> {
    gix::open_opts(git_dir, isolated().open_path_as_is(true))
}

#[cfg(feature = "gix")]
fn isolated() -> gix::open::Options {
    // `isolated()` reads no environment variable and only the repository's configuration;
    // replace refs are on by default in git and gix alike, and are turned off here as
    // `GIT_NO_REPLACE_OBJECTS` does for the command.
    gix::open::Options::isolated().cli_overrides(["core.useReplaceRefs=false"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_callers_variables_cannot_choose_another_repository() {
        let cmd = command(Path::new("/repo"), Index::Repository);
        let envs: Vec<_> = cmd.get_envs().collect();
        for var in CLEARED.iter().chain(&["GIT_INDEX_FILE"]) {
            assert!(
                envs.iter()
                    .any(|(k, v)| k.to_str() == Some(var) && v.is_none()),
                "{var} is not cleared"
            );
        }
        let cmd = command(Path::new("/repo"), Index::Callers);
        assert!(!cmd.get_envs().any(|(k, _)| k == "GIT_INDEX_FILE"));
        assert!(cmd
            .get_envs()
            .any(|(k, v)| k == "GIT_NO_REPLACE_OBJECTS" && v.is_some()));
    }
}
