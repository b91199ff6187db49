//! Usage errors: exit 2, and never an argument that could be a secret.

use crate::support::{assert_contains, assert_lacks, finding, Env, Runs};

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
        let out = env.cmd(&[]).args(&args).run().usage_error();
        let stderr = &out.stderr;
        assert!(!stderr.contains(&key[8..]), "{args:?}: {stderr}");
        assert!(!stderr.contains("pppp"), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    }
}

#[test]
fn usage_errors_still_name_a_mistyped_flag_or_value() {
    let env = Env::new();
    let out = env.run(&[], &["check", "--formt"]).usage_error();
    assert_contains(&out.stderr, "'--formt'");
    let out = env.run(&[], &["check", "--format", "jsn"]).usage_error();
    assert_contains(&out.stderr, "'jsn'");
    let out = env.run(&[], &["--help"]).success();
    assert_contains(&out.stdout, "Usage: gardefou");
}

/// The completion script loads in bash and completes gardefou's subcommands; the manual
/// page is roff generated from the same definition (and renders with `man -l` when man
/// is installed).
#[test]
fn completions_load_in_bash_and_the_manual_page_renders() {
    let bin = assert_cmd::cargo::cargo_bin("gardefou");
    let script = format!(
        "source <('{}' completions bash) && complete -p gardefou && COMP_WORDS=(gardefou ch) && COMP_CWORD=1 && _gardefou gardefou ch gardefou && echo \"${{COMPREPLY[@]}}\"",
        bin.display()
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .run()
        .success();
    let stdout = &out.stdout;
    assert_contains(stdout, "-F _gardefou gardefou");
    assert!(
        stdout
            .lines()
            .last()
            .unwrap_or_default()
            .split(' ')
            .any(|w| w == "check"),
        "{stdout}"
    );
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let out = std::process::Command::new(&bin)
            .args(["completions", shell])
            .run()
            .success();
        assert!(!out.stdout.is_empty(), "{shell}");
    }
    let page = std::process::Command::new(&bin).arg("man").run();
    let roff = &page.stdout;
    assert_contains(roff, ".TH gardefou 1");
    assert!(roff.contains("check") && roff.contains("run"), "{roff}");
    if std::process::Command::new("man")
        .arg("--version")
        .output()
        .is_ok()
    {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gardefou.1");
        std::fs::write(&path, &page.stdout).unwrap();
        let out = std::process::Command::new("man")
            .arg("-l")
            .arg(&path)
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .run()
            .success();
        assert_contains(&out.stdout, "gardefou");
    }
}

/// `--color always|never|auto`: colour only when asked or on a terminal (never here: the
/// output is a pipe), and `NO_COLOR` turns auto off; the text is the same.
#[test]
fn colour_follows_the_flag_and_no_color() {
    let run = |args: &[&str], no_color: bool| {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("gardefou"));
        cmd.args(args).env_clear().env("KOOMY_ENV", "prod");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let out = cmd.run().refused();
        out.stdout.clone()
    };
    let always = run(&["check", "--color", "always"], false);
    assert_contains(&always, "\u{1b}[1;31merror\u{1b}[0m");
    let never = run(&["check", "--color", "never"], false);
    let auto = run(&["check"], false);
    let no_color = run(&["--color", "auto", "check"], true);
    assert!(!never.contains('\u{1b}') && !auto.contains('\u{1b}') && !no_color.contains('\u{1b}'));
    assert_eq!(never, auto);
    assert_eq!(never, no_color);
}

/// `--format json` covers configuration errors (one object on stdout, exit 2, no value) and
/// `run`/`seed`, whose report goes to stderr as JSON.
#[test]
fn json_covers_configuration_errors_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("gardefou.toml");
    let secret = ["postgresql://u:", "Sup3rS3cretPw", "@h/d"].concat();
    std::fs::write(
        &bad,
        format!("[database.production]\nhosts = [\"{secret}\"]\n"),
    )
    .unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("gardefou"))
        .args(["check", "--format", "json", "--policy"])
        .arg(&bad)
        .env_clear()
        .run()
        .usage_error();
    let stdout = &out.stdout;
    let doc = out.json();
    assert_eq!(doc["verdict"], "error");
    assert!(
        doc["error"].as_str().unwrap().contains("gardefou.toml:2:"),
        "{doc}"
    );
    assert_lacks(stdout, "S3cret");
    // The policy named by GARDEFOU_POLICY does not exist: a configuration error, as JSON.
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("gardefou"))
        .args(["run", "--format", "json", "--", "true"])
        .current_dir(dir.path())
        .env_clear()
        .env("GARDEFOU_POLICY", "/dev/null/none")
        .env("KOOMY_ENV", "prod")
        .run()
        .usage_error();
    let doc = out.json();
    assert_eq!(doc["verdict"], "error");
    let clean = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("gardefou"))
        .args(["run", "--format", "json", "--", "true"])
        .current_dir(clean.path())
        .env_clear()
        .env("KOOMY_ENV", "prod")
        .run()
        .refused();
    let report = out.stderr_json();
    assert_eq!(report["verdict"], "deny");
    finding(&report, "koomy-env-invalid");
}

/// A usage error under `--format json` is the JSON error object on standard output (and
/// the usual text on standard error), without the argument that could be a secret.
#[test]
fn usage_errors_under_format_json_are_the_json_error_object() {
    let key = ["sk_", "live_", &"b".repeat(24)].concat();
    let env = Env::new();
    for args in [
        vec!["check", "--format", "json", "--bogus"],
        vec!["scan", "--format=json", "--nope", key.as_str()],
        vec!["init", "--format", "json", "--env"],
    ] {
        let out = env.run(&[], &args).usage_error();
        let doc = out.json();
        assert_eq!(doc["verdict"], "error", "{args:?}");
        assert!(!doc["error"].as_str().unwrap().is_empty(), "{args:?}");
        assert_lacks(&out.stdout, &key[8..]);
        assert_lacks(&out.stderr, &key[8..]);
    }
    // Without JSON, standard output stays empty.
    let out = env.run(&[], &["check", "--bogus"]);
    assert!(out.stdout.is_empty());
}
