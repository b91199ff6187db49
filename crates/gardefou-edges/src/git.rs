//! The one way gardefou runs `git`.
//!
//! The caller's environment could otherwise choose another repository, object store or
//! history than the directory given (`GIT_DIR`, `GIT_OBJECT_DIRECTORY`, replace refs,
//! grafts…): those variables are cleared, replace refs are ignored, nothing is localised,
//! paged or prompted for, and paths print verbatim.

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
