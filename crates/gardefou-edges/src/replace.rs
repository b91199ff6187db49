//! Writing a file gardefou produces (a registry, a policy draft, a signature): the new
//! content goes to a file created exclusively beside the target, then renamed over it, so a
//! reader never sees half a file and a symlink planted at the target — or at the temporary
//! name — is replaced, never followed.

use std::io::Write;
use std::path::Path;

/// Replaces (or creates) `path` with `bytes`, atomically.
#[allow(clippy::disallowed_methods)] // the one home of writes
pub fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"))?;
    let tmp_name = format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id());
    let tmp = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => dir.join(tmp_name),
        None => Path::new(&tmp_name).to_path_buf(),
    };
    // A leftover of a crashed run of this process id, or a symlink planted under the
    // temporary name, is removed (never followed): the new file is created exclusively.
    let _ = std::fs::remove_file(&tmp);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::replace;

    #[test]
    fn replaces_the_file_and_never_writes_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.toml");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, "untouched").unwrap();
        std::os::unix::fs::symlink(&elsewhere, &target).unwrap();
        replace(&target, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "untouched");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert!(std::fs::symlink_metadata(&target).unwrap().is_file());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    /// The temporary name is predictable (`.NAME.PID.tmp`): a symlink or a hard link
    /// planted there beforehand (policy sign once wrote through such a name with
    /// `fs::write`) is replaced, and what it points to is untouched.
    #[test]
    fn regression_links_planted_at_the_temporary_name_are_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("gardefou.toml.sig");
        let tmp = dir
            .path()
            .join(format!(".gardefou.toml.sig.{}.tmp", std::process::id()));
        let victim = dir.path().join("victim");
        for plant in [
            |from: &std::path::Path, to: &std::path::Path| std::os::unix::fs::symlink(from, to),
            |from: &std::path::Path, to: &std::path::Path| std::fs::hard_link(from, to),
        ] {
            std::fs::write(&victim, "untouched").unwrap();
            plant(&victim, &tmp).unwrap();
            replace(&target, b"signature").unwrap();
            assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
            assert_eq!(std::fs::read_to_string(&target).unwrap(), "signature");
            assert!(!tmp.exists());
            std::fs::remove_file(&victim).unwrap();
        }
    }

    #[test]
    fn a_directory_in_the_way_is_an_error_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("taken");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("inside"), "x").unwrap();
        assert!(replace(&target, b"new").is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
