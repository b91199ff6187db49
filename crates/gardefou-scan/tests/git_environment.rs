//! The caller's environment cannot change what `--git` reads. Its own test binary: the
//! one test here sets process-wide variables.

use gardefou_scan::{ScanOptions, Scanner};
use gardefou_testkit::{fake, git};

/// `GIT_DIR`, `GIT_OBJECT_DIRECTORY`, alternates, a shallow file, a namespace, replace refs
/// and configuration from the environment all point at another repository or history:
/// none of them may change which blobs are scanned, nor which commit is named.
#[test]
fn regression_git_environment_cannot_change_what_history_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let (scanned, other) = (dir.path().join("scanned"), dir.path().join("other"));
    for d in [&scanned, &other] {
        std::fs::create_dir(d).unwrap();
        git::init(d, "main");
    }
    let key = format!("{}_{}_{}", "sk", "live", fake::alnum(40, 24));
    git::commit(&scanned, "a.js", &format!("k = \"{key}\"\n"), "key");
    let leaky = git::run(&scanned, &["rev-parse", "HEAD"]).trim().to_owned();
    git::commit(&scanned, "a.js", "k = process.env.K\n", "fix");
    let fix = git::run(&scanned, &["rev-parse", "HEAD"]).trim().to_owned();
    let token = format!("{}_{}", "ghp", fake::alnum(41, 36));
    git::commit(&other, "b.js", &format!("t = \"{token}\"\n"), "other");
    let shallow = dir.path().join("shallow");
    std::fs::write(&shallow, format!("{fix}\n")).unwrap();

    let scan = || {
        let outcome = Scanner::new(ScanOptions::default())
            .unwrap()
            .scan_git_history(&scanned)
            .unwrap();
        outcome
            .report
            .findings
            .iter()
            .map(|f| {
                let l = f.location.as_ref().unwrap();
                (l.path.clone(), f.rule, l.commit.clone())
            })
            .collect::<Vec<_>>()
    };
    let expected = vec![("a.js".to_owned(), "stripe-secret-key", Some(leaky))];
    assert_eq!(scan(), expected, "without the variables");

    let other_git = other.join(".git");
    let other_objects = other_git.join("objects");
    for (name, value) in [
        ("GIT_DIR", other_git.to_str().unwrap()),
        ("GIT_WORK_TREE", other.to_str().unwrap()),
        ("GIT_COMMON_DIR", other_git.to_str().unwrap()),
        ("GIT_OBJECT_DIRECTORY", other_objects.to_str().unwrap()),
        (
            "GIT_ALTERNATE_OBJECT_DIRECTORIES",
            other_objects.to_str().unwrap(),
        ),
        // Would cut the history at the fix, before the key.
        ("GIT_SHALLOW_FILE", shallow.to_str().unwrap()),
        // Would show only refs under refs/namespaces/hidden/: none.
        ("GIT_NAMESPACE", "hidden"),
        ("GIT_REPLACE_REF_BASE", "refs/heads/"),
        ("GIT_CONFIG_COUNT", "1"),
        ("GIT_CONFIG_KEY_0", "core.useReplaceRefs"),
        ("GIT_CONFIG_VALUE_0", "true"),
        ("GIT_CEILING_DIRECTORIES", dir.path().to_str().unwrap()),
    ] {
        // One test in this binary: no other thread reads the environment meanwhile.
        std::env::set_var(name, value);
    }
    assert_eq!(scan(), expected, "the environment changed what was scanned");
}
