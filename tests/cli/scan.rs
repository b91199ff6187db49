//! `gardefou scan`: exit codes, formats, baselines, the policy's `[scan]` table, and no
//! secret in any output. Secrets are built at run time.

use crate::support::{assert_contains, assert_lacks, Env, Run, Runs};

fn stripe() -> String {
    ["sk", "_live_", "4eC39HqLyjWDarjtT1zdp7dc9Zq8"].concat()
}

/// `git ARGS` in the test's directory, with a committer identity; it must succeed.
fn git(env: &Env, args: &[&str]) {
    gardefou_testkit::git::run(env.dir.path(), args);
}

/// `gardefou scan ARGS` in the test's directory.
fn scan(env: &Env, args: &[&str]) -> Run {
    env.cmd(&[]).arg("scan").args(args).run()
}

#[test]
fn scan_exits_0_when_clean_1_on_findings_and_2_on_errors() {
    let env = Env::new();
    env.write("ok.js", "const k = process.env.STRIPE_SECRET_KEY;\n");
    let out = scan(&env, &[]).success().stdout;
    assert!(out.starts_with("gardefou: allowed (1 file"), "{out}");

    env.write("bad.js", &format!("const k = \"{}\";\n", stripe()));
    let run = scan(&env, &[]).refused();
    let out = &run.stdout;
    assert_contains(out, "error[stripe-secret-key] §7.1");
    assert_contains(out, "--> bad.js:1:12");
    assert_contains(out, "fingerprint: ");
    assert!(!run.output().contains(&stripe()));

    let err = scan(&env, &["does-not-exist"]).usage_error().stderr;
    assert!(
        err.starts_with("gardefou: cannot access does-not-exist"),
        "{err}"
    );
    scan(&env, &["--format", "xml"]).usage_error();
    // Not a repository.
    scan(&env, &["--git"]).usage_error();
}

#[test]
fn scan_json_and_sarif_carry_findings_without_the_secret() {
    let env = Env::new();
    env.write("bad.js", &format!("const k = \"{}\";\n", stripe()));
    let run = scan(&env, &["--format", "json"]).refused();
    let (out, v) = (&run.stdout, run.json());
    assert_eq!(v["verdict"], "deny");
    assert_eq!(v["mode"], "tree");
    assert_eq!(v["findings"][0]["rule"], "stripe-secret-key");
    assert_eq!(v["findings"][0]["location"]["line"], 1);
    assert!(!out.contains(&stripe()));

    let run = scan(&env, &["--format", "sarif"]).refused();
    let (out, v) = (&run.stdout, run.json());
    assert_eq!(v["version"], "2.1.0");
    let result = &v["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "stripe-secret-key");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "bad.js"
    );
    assert!(result["partialFingerprints"]["gardefou/v1"].is_string());
    assert!(!out.contains(&stripe()));
}

#[test]
fn write_baseline_accepts_current_findings_and_new_ones_still_fail() {
    let env = Env::new();
    env.write("bad.js", &format!("const k = \"{}\";\n", stripe()));
    let err = scan(&env, &["--write-baseline", "baseline.json"])
        .success()
        .stderr;
    assert_contains(&err, "1 finding accepted");
    let baseline = std::fs::read_to_string(env.path("baseline.json")).unwrap();
    assert!(!baseline.contains(&stripe()));
    let out = scan(&env, &["--baseline", "baseline.json", "bad.js"])
        .success()
        .stdout;
    assert_contains(&out, "1 in the baseline");
    env.write("worse.js", &format!("x = \"{}\"\n", stripe()));
    let out = scan(&env, &["--baseline", "baseline.json", "bad.js", "worse.js"])
        .refused()
        .stdout;
    assert!(
        out.contains("worse.js") && !out.contains("--> bad.js"),
        "{out}"
    );
}

#[test]
fn the_policy_file_scan_table_allows_paths_and_limits_sizes() {
    let env = Env::new();
    std::fs::create_dir_all(env.path("rules")).unwrap();
    env.write("rules/examples.toml", &stripe());
    env.write("big.txt", &format!("{}{}", "x".repeat(100), stripe()));
    env.write(
        "gardefou.toml",
        "[scan]\nallow_paths = [\"rules/*.toml\"]\nmax_file_size = 90\n",
    );
    let out = scan(&env, &[]).success().stdout;
    assert_contains(&out, "1 over the size limit");
    assert_contains(&out, "1 in allowed paths");
}

#[test]
fn scan_staged_and_git_history_in_a_repository() {
    let env = Env::new();
    let git = |args: &[&str]| git(&env, args);
    git(&["init", "-q"]);
    env.write("a.js", &format!("k = \"{}\"\n", stripe()));
    git(&["add", "a.js"]);
    let out = scan(&env, &["--staged"]).refused().stdout;
    assert_contains(&out, "--> a.js:1:6");
    git(&["commit", "-qm", "oops"]);
    env.write("a.js", "k = process.env.K\n");
    git(&["commit", "-qam", "fix"]);
    scan(&env, &["--staged"]).success();
    let out = scan(&env, &["--git"]).refused().stdout;
    assert_contains(&out, "--> a.js:1:6 (commit ");
    assert!(!out.contains(&stripe()));
}

/// The caller's environment cannot point the history scan at another repository
/// (`GIT_DIR`, `GIT_OBJECT_DIRECTORY`…): the repository scanned is the one named.
#[test]
fn regression_git_dir_cannot_swap_the_repository_scanned() {
    let leaky = Env::new();
    let clean = Env::new();
    for (env, text) in [
        (&leaky, format!("k = \"{}\"\n", stripe())),
        (&clean, "k = process.env.K\n".to_owned()),
    ] {
        env.write("a.js", &text);
        for args in [
            &["init", "-q"][..],
            &["add", "a.js"],
            &["commit", "-qm", "x"],
        ] {
            git(env, args);
        }
    }
    let git_dir = leaky.path(".git");
    // The other repository is not scanned.
    clean
        .run_line(&[("GIT_DIR", git_dir.to_str().unwrap())], "scan --git .")
        .success();
    // Without the variable, the leaky repository itself is found leaky (the test can fail).
    leaky.run(&[], &["scan", "--git", "."]).refused();
}

/// The hook definition in `.pre-commit-hooks.yaml`, run by the real pre-commit tool (from
/// PyPI): a staged secret refuses, a clean change passes, and the secret is never printed.
#[test]
fn the_pre_commit_hook_refuses_a_staged_secret_through_pre_commit() {
    let tools = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-venv");
    if !tools.join("bin/pre-commit").exists() {
        let ok = std::process::Command::new("python3")
            .args(["-m", "venv"])
            .arg(&tools)
            .status()
            .expect("python3 (scripts/test.sh installs it)");
        assert!(ok.success());
        let ok = std::process::Command::new(tools.join("bin/pip"))
            .args(["install", "-q", "--disable-pip-version-check", "pre-commit"])
            .status()
            .unwrap();
        assert!(ok.success(), "pip install pre-commit");
    }
    let bin_dir = assert_cmd::cargo::cargo_bin("gardefou")
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}:{}",
        bin_dir.display(),
        tools.join("bin").display(),
        std::env::var("PATH").unwrap()
    );
    let env = Env::new();
    let git = |args: &[&str]| git(&env, args);
    git(&["init", "-q"]);
    let try_repo = || {
        std::process::Command::new(tools.join("bin/pre-commit"))
            .current_dir(env.dir.path())
            .args(["try-repo", env!("CARGO_MANIFEST_DIR"), "gardefou-system"])
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", tools.join("cache"))
            .run()
    };
    env.write("a.js", &format!("k = \"{}\"\n", stripe()));
    git(&["add", "a.js"]);
    let out = try_repo().failure();
    let text = out.output();
    assert_contains(&text, "stripe");
    assert_lacks(&text, &stripe()[8..]);
    env.write("a.js", "k = process.env.K\n");
    git(&["add", "a.js"]);
    try_repo().success();
}

#[test]
fn regression_a_stale_baseline_entry_and_an_unused_allow_glob_are_warnings() {
    // Both passed silently: an entry for a removed secret, a glob for a moved directory.
    let env = Env::new();
    env.write("bad.js", &format!("const k = \"{}\";\n", stripe()));
    env.write("gardefou.toml", "[scan]\nallow_paths = [\"fixtures/**\"]\n");
    scan(&env, &["--write-baseline", "baseline.json"]).success();
    env.write("bad.js", "const k = process.env.STRIPE_SECRET_KEY;\n");
    // Warnings do not refuse.
    let out = scan(&env, &["--baseline", "baseline.json"])
        .success()
        .stdout;
    assert_contains(&out, "warning[scan-baseline-stale]");
    assert_contains(&out, "the entry for stripe-secret-key in bad.js");
    assert_contains(&out, "warning[scan-allow-path-unused]");
    assert_contains(&out, "\"fixtures/**\"");
    // A scan of part of the tree cannot tell an unused glob; the stale entry still shows.
    let out = scan(&env, &["--baseline", "baseline.json", "bad.js"])
        .success()
        .stdout;
    assert_contains(&out, "scan-baseline-stale");
    assert_lacks(&out, "scan-allow-path-unused");
    let json = scan(&env, &["--baseline", "baseline.json", "--format", "json"]).stdout;
    assert!(
        json.contains("scan-baseline-stale") && !json.contains(&stripe()),
        "{json}"
    );
}
