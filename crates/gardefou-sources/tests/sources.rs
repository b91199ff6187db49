//! The lookup and the bounds, shared by the `gardefou` command and Rust backends.

use std::path::Path;

use gardefou_sources::{load_policy, read_registry, registry_path, Loaded, SourceError};

#[test]
fn a_named_policy_is_read_and_its_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.toml");
    std::fs::write(&p, "[database.sandbox]\nneon_endpoints = [\"ep-b-1\"]\n").unwrap();
    let (policy, from) = load_policy(Some(&p)).unwrap();
    assert_eq!(policy.database.sandbox.neon_endpoints, ["ep-b-1"]);
    assert_eq!(from.as_deref(), Some(p.as_path()));

    std::fs::write(&p, "[database.sandbox]\nneon_endpoint = []\n").unwrap();
    let e = load_policy(Some(&p)).unwrap_err();
    assert!(matches!(e, SourceError::Policy(_)));
    assert!(e.to_string().ends_with("p.toml:2:1: unknown field `neon_endpoint`, expected one of `neon_endpoints`, `hosts`, `system_identifiers`, `neon_branches`, `allow_unstamped`"), "{e}");

    let e = load_policy(Some(Path::new("/nonexistent/p.toml"))).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("cannot read the policy file /nonexistent/p.toml: "),
        "{e}"
    );
}

#[test]
fn regression_backends_refuse_endless_files_and_fifos_too() {
    // koomy-api had its own copy of the lookup, without the bounds the command got.
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(64 << 20)
        .unwrap();
    let e = load_policy(Some(&huge)).unwrap_err();
    assert!(e.to_string().contains("larger than 4 MiB"), "{e}");
    let e = read_registry(&huge).unwrap_err();
    assert!(e.to_string().contains("larger than 16 MiB"), "{e}");

    let fifo = dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let e = load_policy(Some(&fifo)).unwrap_err();
    assert!(e.to_string().contains("not a regular file"), "{e}");
    let e = read_registry(&fifo).unwrap_err();
    assert!(e.to_string().contains("not a regular file"), "{e}");
}

#[test]
fn the_registry_lives_beside_the_policy_and_a_named_one_must_exist() {
    assert_eq!(
        registry_path(None, Some(Path::new("conf/koomy.toml"))),
        Path::new("conf/gardefou.secrets.toml")
    );
    assert_eq!(
        registry_path(None, None),
        Path::new("gardefou.secrets.toml")
    );
    assert_eq!(
        registry_path(Some(Path::new("x.toml")), Some(Path::new("conf/k.toml"))),
        Path::new("x.toml")
    );
    let e = Loaded::load(Some(Path::new("/nonexistent/r.toml")), None)
        .err()
        .unwrap();
    assert_eq!(
        e.to_string(),
        "the secrets registry /nonexistent/r.toml does not exist"
    );
    assert!(read_registry(Path::new("/nonexistent/r.toml"))
        .unwrap()
        .is_none());
}
