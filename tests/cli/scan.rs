//! `gardefou scan`: exit codes, formats, baselines, the policy's `[scan]` table, and no
//! secret in any output. Secrets are built at run time.

use crate::support::Env;

fn stripe() -> String {
    ["sk", "_live_", "4eC39HqLyjWDarjtT1zdp7dc9Zq8"].concat()
}

/// `git ARGS` in the test's directory, with a committer identity; it must succeed.
fn git(env: &Env, args: &[&str]) {
    gardefou_testkit::git::run(env.dir.path(), args);
}

fn run(env: &Env, args: &[&str]) -> (i32, String, String) {
    let out = env.cmd(&[]).arg("scan").args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn scan_exits_0_when_clean_1_on_findings_and_2_on_errors() {
    let env = Env::new();
    env.write("ok.js", "const k = process.env.STRIPE_SECRET_KEY;\n");
    let (code, out, _) = run(&env, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("gardefou: allowed (1 file"), "{out}");

    env.write("bad.js", &format!("const k = \"{}\";\n", stripe()));
    let (code, out, err) = run(&env, &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("error[stripe-secret-key] §7.1"), "{out}");
    assert!(out.contains("--> bad.js:1:12"), "{out}");
    assert!(out.contains("fingerprint: "), "{out}");
    assert!(!out.contains(&stripe()) && !err.contains(&stripe()));

    let (code, _, err) = run(&env, &["does-not-exist"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("gardefou: cannot access does-not-exist"),
        "{err}"
    );
    let (code, _, _) = run(&env, &["--format", "xml"]);
    assert_eq!(code, 2);
    let (code, _, err) = run(&env, &["--git"]);
    assert_eq!(code, 2, "not a repository: {err}");
}

#[test]
fn scan_json_and_sarif_carry_findings_without_the_secret() {
    let env = Env::new();
    env.write("bad.js", &format!("const k = \"{}\";\n", stripe()));
    let (code, out, _) = run(&env, &["--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verdict"], "deny");
    assert_eq!(v["mode"], "tree");
    assert_eq!(v["findings"][0]["rule"], "stripe-secret-key");
    assert_eq!(v["findings"][0]["location"]["line"], 1);
    assert!(!out.contains(&stripe()));

    let (code, out, _) = run(&env, &["--format", "sarif"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
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
    let (code, _, err) = run(&env, &["--write-baseline", "baseline.json"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 finding accepted"), "{err}");
    let baseline = std::fs::read_to_string(env.path("baseline.json")).unwrap();
    assert!(!baseline.contains(&stripe()));
    let (code, out, _) = run(&env, &["--baseline", "baseline.json", "bad.js"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 in the baseline"), "{out}");
    env.write("worse.js", &format!("x = \"{}\"\n", stripe()));
    let (code, out, _) = run(&env, &["--baseline", "baseline.json", "bad.js", "worse.js"]);
    assert_eq!(code, 1, "{out}");
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
    let (code, out, _) = run(&env, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 over the size limit"), "{out}");
    assert!(out.contains("1 in allowed paths"), "{out}");
}

#[test]
fn scan_staged_and_git_history_in_a_repository() {
    let env = Env::new();
    let git = |args: &[&str]| git(&env, args);
    git(&["init", "-q"]);
    env.write("a.js", &format!("k = \"{}\"\n", stripe()));
    git(&["add", "a.js"]);
    let (code, out, _) = run(&env, &["--staged"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("--> a.js:1:6"), "{out}");
    git(&["commit", "-qm", "oops"]);
    env.write("a.js", "k = process.env.K\n");
    git(&["commit", "-qam", "fix"]);
    let (code, _, _) = run(&env, &["--staged"]);
    assert_eq!(code, 0);
    let (code, out, _) = run(&env, &["--git"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("--> a.js:1:6 (commit "), "{out}");
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
    let out = clean
        .cmd(&[("GIT_DIR", git_dir.to_str().unwrap())])
        .args(["scan", "--git", "."])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the other repository was scanned: {stdout}"
    );
    // Without the variable, the leaky repository itself is found leaky (the test can fail).
    let out = leaky
        .cmd(&[])
        .args(["scan", "--git", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
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
            .output()
            .unwrap()
    };
    env.write("a.js", &format!("k = \"{}\"\n", stripe()));
    git(&["add", "a.js"]);
    let out = try_repo();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("stripe"), "{text}");
    assert!(!text.contains(&stripe()[8..]), "{text}");
    env.write("a.js", "k = process.env.K\n");
    git(&["add", "a.js"]);
    let out = try_repo();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn regression_a_stale_baseline_entry_and_an_unused_allow_glob_are_warnings() {
    // Both passed silently: an entry for a removed secret, a glob for a moved directory.
    let env = Env::new();
    env.write("bad.js", &format!("const k = \"{}\";\n", stripe()));
    env.write("gardefou.toml", "[scan]\nallow_paths = [\"fixtures/**\"]\n");
    let (code, _, err) = run(&env, &["--write-baseline", "baseline.json"]);
    assert_eq!(code, 0, "{err}");
    env.write("bad.js", "const k = process.env.STRIPE_SECRET_KEY;\n");
    let (code, out, _) = run(&env, &["--baseline", "baseline.json"]);
    assert_eq!(code, 0, "warnings do not refuse: {out}");
    assert!(out.contains("warning[scan-baseline-stale]"), "{out}");
    assert!(
        out.contains("the entry for stripe-secret-key in bad.js"),
        "{out}"
    );
    assert!(out.contains("warning[scan-allow-path-unused]"), "{out}");
    assert!(out.contains("\"fixtures/**\""), "{out}");
    // A scan of part of the tree cannot tell an unused glob; the stale entry still shows.
    let (code, out, _) = run(&env, &["--baseline", "baseline.json", "bad.js"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("scan-baseline-stale"), "{out}");
    assert!(!out.contains("scan-allow-path-unused"), "{out}");
    let (_, json, _) = run(&env, &["--baseline", "baseline.json", "--format", "json"]);
    assert!(
        json.contains("scan-baseline-stale") && !json.contains(&stripe()),
        "{json}"
    );
}
