//! `gardefou deploy check` end to end, on real repositories built with the `git` command.

use std::path::Path;

use crate::support::{assert_contains, assignments, render, Env, Runs};

pub(crate) fn git(dir: &Path, args: &[&str]) {
    gardefou_testkit::git::run(dir, args);
}

fn commit(dir: &Path, file: &str, message: &str) {
    gardefou_testkit::git::commit(dir, file, message, message);
}

/// `deploy check` of `repo/` to production.
pub(crate) const PRODUCTION_DEPLOY: &[&str] = &[
    "deploy",
    "check",
    "--target",
    "production",
    "--repo",
    "repo",
];

/// A repository in `env`'s `repo/`: `main`, and `staging` one feature ahead of it.
pub(crate) fn repo(env: &Env) -> std::path::PathBuf {
    let dir = env.path("repo");
    std::fs::create_dir(&dir).unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    commit(&dir, "app.js", "Initial commit");
    git(&dir, &["checkout", "-q", "-b", "staging"]);
    commit(&dir, "feature.js", "Add the feature");
    git(&dir, &["checkout", "-q", "main"]);
    dir
}

#[test]
fn deploy_check_refuses_a_direct_commit_on_main_naming_it() {
    let env = Env::new();
    let dir = repo(&env);
    commit(&dir, "hotfix.js", "Hotfix straight to prod");
    let out = env.run(&[], PRODUCTION_DEPLOY);
    insta::assert_snapshot!(render(&out, env.dir.path()));
}

#[test]
fn deploy_check_allows_a_merge_of_staging_and_reports_json() {
    let env = Env::new();
    let dir = repo(&env);
    git(
        &dir,
        &["merge", "-q", "--no-ff", "staging", "-m", "Merge staging"],
    );
    let out = env
        .cmd(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REF", "refs/heads/main"),
        ])
        .args(PRODUCTION_DEPLOY)
        .args(["--format", "json"])
        .run()
        .success();
    let doc = out.json();
    assert_eq!(doc["verdict"], "allow");
    assert_eq!(doc["target"], "production");
    assert_eq!(doc["branch"], "main");
    assert_eq!(doc["branch_source"], "GITHUB_REF=refs/heads/main");
    assert_eq!(doc["staging"], "staging");
    assert_eq!(doc["commit"].as_str().unwrap().len(), 40);
    assert_eq!(doc["findings"], serde_json::json!([]));
}

#[test]
fn deploy_check_refuses_a_pull_request_build_and_a_feature_branch_at_once() {
    let env = Env::new();
    let dir = repo(&env);
    git(&dir, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(dir.join("scratch.txt"), "x").unwrap();
    let pull_request =
        assignments("GITHUB_ACTIONS=true GITHUB_HEAD_REF=main GITHUB_REF=refs/pull/7/merge");
    let out = env.run_line(&pull_request, "deploy check --target sandbox --repo repo");
    insta::assert_snapshot!(render(&out, env.dir.path()));
}

#[test]
fn deploy_check_reads_branch_names_from_the_policy() {
    let env = Env::new();
    let dir = repo(&env);
    git(&dir, &["merge", "-q", "--ff-only", "staging"]);
    env.write_policy(
        "gardefou.toml",
        "[release]\nproduction_branch = \"prod\"\nsandbox_branch = \"staging\"\n",
    );
    let out = env.run(&[], PRODUCTION_DEPLOY).refused();
    assert_contains(
        &out.stdout,
        "production deploys only from prod, not from main (checkout)",
    );
}

#[test]
fn deploy_check_outside_a_repository_is_an_error() {
    let env = Env::new();
    let out = env.run(&[], &["deploy", "check", "--target", "production"]);
    insta::assert_snapshot!(render(&out, env.dir.path()));
}
