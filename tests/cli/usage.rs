//! Usage errors: exit 2, and never an argument that could be a secret.

use crate::support::Env;

#[test]
fn usage_errors_do_not_echo_arguments_that_could_be_secrets() {
    // clap used to print the offending argument whole: `gardefou run VAR=value node` (the
    // `env` habit) put a live key in CI logs.
    let key = format!("sk_live_{}", "a".repeat(24));
    let url = format!("postgresql://koomy:{}@h/db", "p".repeat(16));
    let env = Env::new();
    for args in [
        vec![
            "run".to_owned(),
            format!("STRIPE_SECRET_KEY={key}"),
            "node".into(),
        ],
        vec!["check".into(), format!("DATABASE_URL={url}")],
        vec!["check".into(), "--format".into(), key.clone()],
        vec!["check".into(), format!("--format={key}")],
        vec![key.clone()],
    ] {
        let out = env.cmd(&[]).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains(&key[8..]), "{args:?}: {stderr}");
        assert!(!stderr.contains("pppp"), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    }
}

#[test]
fn usage_errors_still_name_a_mistyped_flag_or_value() {
    let env = Env::new();
    let out = env.cmd(&[]).args(["check", "--formt"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'--formt'"));
    let out = env
        .cmd(&[])
        .args(["check", "--format", "jsn"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'jsn'"));
    let out = env.cmd(&[]).arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: gardefou"));
}
