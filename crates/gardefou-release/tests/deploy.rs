//! `check_deploy` against real repositories built with the `git` command in temp dirs.

use std::path::Path;

use gardefou_policy::ReleasePolicy;
use gardefou_release::{check_deploy, DeployCheck, DeployRequest, Target};

/// A repository in a temp dir; git runs with no user or system configuration.
struct Repo {
    dir: tempfile::TempDir,
}

fn git_in(dir: &Path, args: &[&str]) -> String {
    gardefou_testkit::git::run(dir, args)
}

impl Repo {
    /// `main` with one commit, `staging` branched from it with one feature commit, `main`
    /// checked out.
    fn new() -> Repo {
        let repo = Repo::empty();
        repo.git(&["init", "-q", "-b", "main"]);
        repo.commit("app.js", "v1\n", "Initial commit");
        repo.git(&["checkout", "-q", "-b", "staging"]);
        repo.commit("feature.js", "feature\n", "Add the feature");
        repo.git(&["checkout", "-q", "main"]);
        repo
    }

    /// An empty temp dir, for `git init` or `git clone … .`.
    fn empty() -> Repo {
        Repo {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A clone of `origin` (a path or URL), with these extra `git clone` options.
    fn clone_of(origin: &str, options: &[&str]) -> Repo {
        let clone = Repo::empty();
        let args: Vec<&str> = ["clone", "-q"]
            .iter()
            .chain(options)
            .chain(&[origin, "."])
            .copied()
            .collect();
        clone.git(&args);
        clone
    }

    /// `git merge --no-ff BRANCH -m MESSAGE`: a merge commit on the checked-out branch.
    fn merge_commit(&self, branch: &str, message: &str) {
        self.git(&["merge", "-q", "--no-ff", branch, "-m", message]);
    }

    /// Fast-forwards the checked-out branch to `staging`.
    fn fast_forward_to_staging(&self) {
        self.git(&["merge", "-q", "--ff-only", "staging"]);
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args)
    }

    fn commit(&self, file: &str, text: &str, message: &str) -> String {
        std::fs::write(self.path().join(file), text).unwrap();
        self.git(&["add", file]);
        self.git(&["commit", "-q", "-m", message]);
        self.git(&["rev-parse", "--short=7", "HEAD"])
            .trim()
            .to_owned()
    }

    /// The rules of the findings of a deploy check of this repository to `target`.
    fn rules(&self, target: Target) -> Vec<&'static str> {
        rules(&self.check(target))
    }

    fn check(&self, target: Target) -> DeployCheck {
        self.check_with(target, None, &[])
    }

    fn check_with(
        &self,
        target: Target,
        branch: Option<&str>,
        vars: &[(&str, &str)],
    ) -> DeployCheck {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let var = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        check_deploy(&DeployRequest {
            target,
            branch,
            repo: self.path(),
            release: &ReleasePolicy::default(),
            var: &var,
        })
        .unwrap()
    }
}

/// A production deploy check of `repo` under `release`, with no CI variables.
fn check_production(
    repo: &Path,
    release: &ReleasePolicy,
) -> Result<DeployCheck, gardefou_release::git::GitError> {
    check_deploy(&DeployRequest {
        target: Target::Production,
        branch: None,
        repo,
        release,
        var: &|_| None,
    })
}

fn rules(check: &DeployCheck) -> Vec<&'static str> {
    check.report.findings.iter().map(|f| f.rule).collect()
}

fn messages(check: &DeployCheck) -> Vec<String> {
    check
        .report
        .findings
        .iter()
        .map(|f| f.message.to_string())
        .collect()
}

#[test]
fn a_merge_of_staging_is_allowed() {
    let repo = Repo::new();
    repo.merge_commit("staging", "Merge branch 'staging'");
    let check = repo.check(Target::Production);
    assert_eq!(messages(&check), Vec::<String>::new());
    assert_eq!(check.branch.as_deref(), Some("main"));
    assert_eq!(check.branch_source.as_deref(), Some("checkout"));
    assert_eq!(check.staging.as_deref(), Some("staging"));
}

#[test]
fn a_fast_forward_to_staging_is_allowed() {
    let repo = Repo::new();
    repo.fast_forward_to_staging();
    assert_eq!(repo.rules(Target::Production), Vec::<&str>::new());
}

#[test]
fn a_squash_merge_of_staging_is_allowed() {
    let repo = Repo::new();
    repo.git(&["merge", "-q", "--squash", "staging"]);
    repo.git(&["commit", "-q", "-m", "Release the feature"]);
    assert_eq!(repo.rules(Target::Production), Vec::<&str>::new());
}

#[test]
fn a_direct_commit_on_main_is_refused_and_named() {
    let repo = Repo::new();
    let id = repo.commit("hotfix.js", "quick\n", "Hotfix straight to prod");
    let check = repo.check(Target::Production);
    assert_eq!(
        messages(&check),
        [format!("commit {id} \"Hotfix straight to prod\" did not go through staging: it is not on staging and no commit there has its tree")]
    );
    assert_eq!(rules(&check), ["deploy-commit-not-on-staging"]);
}

#[test]
fn a_commit_added_to_main_after_the_merge_is_refused_alone() {
    let repo = Repo::new();
    repo.merge_commit("staging", "Merge branch 'staging'");
    let id = repo.commit("late.js", "late\n", "One more thing");
    let check = repo.check(Target::Production);
    assert_eq!(check.report.findings.len(), 1, "{:?}", messages(&check));
    assert!(check.report.findings[0]
        .message
        .starts_with(&format!("commit {id} \"One more thing\"")));
}

#[test]
fn a_merge_that_mixes_a_direct_commit_is_refused_for_both() {
    let repo = Repo::new();
    let id = repo.commit("hotfix.js", "quick\n", "Hotfix");
    repo.merge_commit("staging", "Merge staging");
    let check = repo.check(Target::Production);
    let named: Vec<String> = messages(&check);
    assert_eq!(named.len(), 2, "{named:?}");
    assert!(named.iter().any(|m| m.contains("\"Merge staging\"")));
    assert!(named
        .iter()
        .any(|m| m.contains(&format!("commit {id} \"Hotfix\""))));
}

#[test]
fn bringing_a_direct_commit_through_staging_makes_it_allowed() {
    let repo = Repo::new();
    repo.commit("hotfix.js", "quick\n", "Hotfix");
    assert_eq!(
        repo.rules(Target::Production),
        ["deploy-commit-not-on-staging"]
    );
    repo.git(&["checkout", "-q", "staging"]);
    repo.merge_commit("main", "Bring the hotfix to staging");
    repo.git(&["checkout", "-q", "main"]);
    repo.merge_commit("staging", "Release");
    assert_eq!(repo.rules(Target::Production), Vec::<&str>::new());
}

#[test]
fn a_deploy_from_a_feature_branch_is_refused() {
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "-b", "feature/login"]);
    repo.commit("login.js", "login\n", "Login");
    let check = repo.check(Target::Production);
    assert_eq!(rules(&check), ["deploy-branch-not-allowed"]);
    assert_eq!(
        messages(&check),
        ["production deploys only from main, not from feature/login (checkout)"]
    );
    let check = repo.check(Target::Sandbox);
    assert_eq!(rules(&check), ["deploy-branch-not-allowed"]);
}

#[test]
fn sandbox_deploys_from_staging_only() {
    let repo = Repo::new();
    assert_eq!(repo.rules(Target::Sandbox), ["deploy-branch-not-allowed"]);
    repo.git(&["checkout", "-q", "staging"]);
    assert_eq!(repo.rules(Target::Sandbox), Vec::<&str>::new());
    assert_eq!(
        repo.rules(Target::Production),
        ["deploy-branch-not-allowed"]
    );
}

#[test]
fn a_dirty_tree_is_refused_naming_changed_and_untracked_files() {
    let repo = Repo::new();
    repo.fast_forward_to_staging();
    std::fs::write(repo.path().join("app.js"), "edited\n").unwrap();
    std::fs::write(repo.path().join("notes.txt"), "new\n").unwrap();
    let check = repo.check(Target::Production);
    assert_eq!(rules(&check), ["deploy-worktree-dirty"]);
    assert_eq!(
        messages(&check),
        ["2 uncommitted changes: M app.js, ?? notes.txt"]
    );
}

#[test]
fn ignored_files_do_not_make_the_tree_dirty() {
    let repo = Repo::new();
    repo.commit(".gitignore", "node_modules/\n", "Ignore node_modules");
    repo.git(&["checkout", "-q", "staging"]);
    repo.git(&["merge", "-q", "main", "-m", "Sync"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.fast_forward_to_staging();
    std::fs::create_dir(repo.path().join("node_modules")).unwrap();
    std::fs::write(repo.path().join("node_modules/x.js"), "x\n").unwrap();
    assert_eq!(repo.rules(Target::Production), Vec::<&str>::new());
}

#[test]
fn a_detached_head_without_a_branch_is_refused() {
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "--detach", "main"]);
    let check = repo.check(Target::Production);
    assert_eq!(rules(&check), ["deploy-branch-unknown"]);
    assert_eq!(check.branch, None);
}

#[test]
fn a_detached_ci_checkout_at_the_branch_tip_is_allowed() {
    let repo = Repo::new();
    repo.fast_forward_to_staging();
    repo.git(&["checkout", "-q", "--detach", "main"]);
    let ci = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_REF", "refs/heads/main"),
    ];
    let check = repo.check_with(Target::Production, None, &ci);
    assert_eq!(messages(&check), Vec::<String>::new());
    assert_eq!(
        check.branch_source.as_deref(),
        Some("GITHUB_REF=refs/heads/main")
    );
}

#[test]
fn a_branch_named_by_ci_or_flag_must_be_the_checkout() {
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let ci = [("GITLAB_CI", "true"), ("CI_COMMIT_BRANCH", "main")];
    let check = repo.check_with(Target::Production, None, &ci);
    assert_eq!(rules(&check), ["deploy-head-mismatch"]);
    assert_eq!(
        messages(&check)[0],
        "CI_COMMIT_BRANCH=main names main but feature is checked out"
    );
    let check = repo.check_with(Target::Production, Some("main"), &[]);
    assert_eq!(rules(&check), ["deploy-head-mismatch"]);
    // --branch wins over CI variables.
    let check = repo.check_with(Target::Production, Some("feature"), &ci);
    assert_eq!(rules(&check), ["deploy-branch-not-allowed"]);
}

#[test]
fn a_tag_build_is_refused() {
    let repo = Repo::new();
    repo.fast_forward_to_staging();
    let ci = [("GITHUB_ACTIONS", "true"), ("GITHUB_REF", "refs/tags/v1.0")];
    let check = repo.check_with(Target::Production, None, &ci);
    assert_eq!(rules(&check), ["deploy-branch-unknown"]);
}

/// A bare `origin` with `main` and `staging`, and a clone of it with `main` checked out.
fn with_origin() -> (Repo, tempfile::TempDir) {
    let upstream = Repo::new();
    upstream.fast_forward_to_staging();
    let origin = tempfile::tempdir().unwrap();
    git_in(
        origin.path(),
        &[
            "clone",
            "-q",
            "--bare",
            upstream.path().to_str().unwrap(),
            ".",
        ],
    );
    let clone = Repo::clone_of(origin.path().to_str().unwrap(), &[]);
    (clone, origin)
}

#[test]
fn a_branch_equal_to_its_upstream_is_allowed_and_staging_is_the_remote_one() {
    let (clone, _origin) = with_origin();
    let check = clone.check(Target::Production);
    assert_eq!(messages(&check), Vec::<String>::new());
    assert_eq!(check.staging.as_deref(), Some("origin/staging"));
}

#[test]
fn a_branch_ahead_of_its_upstream_is_refused() {
    let (clone, _origin) = with_origin();
    // Even a commit with staging's content: it was never pushed.
    clone.git(&["commit", "-q", "--allow-empty", "-m", "Local only"]);
    let check = clone.check(Target::Production);
    assert!(
        messages(&check).contains(&"main differs from origin/main: 1 ahead, 0 behind".to_owned()),
        "{:?}",
        messages(&check)
    );
    assert_eq!(rules(&check), ["deploy-branch-diverged"]);
}

#[test]
fn a_branch_behind_its_upstream_is_refused() {
    let (clone, origin) = with_origin();
    let other = Repo::clone_of(origin.path().to_str().unwrap(), &[]);
    other.merge_commit("origin/staging", "noop");
    other.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "Pushed by someone else",
    ]);
    other.git(&["push", "-q", "origin", "main"]);
    clone.git(&["fetch", "-q"]);
    let check = clone.check(Target::Production);
    assert_eq!(
        messages(&check),
        ["main differs from origin/main: 0 ahead, 1 behind"]
    );
}

#[test]
fn local_unpushed_staging_commits_do_not_count_as_staging() {
    let (clone, _origin) = with_origin();
    clone.git(&["checkout", "-q", "staging"]);
    clone.commit("wip.js", "wip\n", "Unpushed staging work");
    clone.git(&["checkout", "-q", "main"]);
    clone.git(&["branch", "-q", "--unset-upstream"]);
    clone.git(&["merge", "-q", "--ff-only", "staging"]);
    let check = clone.check(Target::Production);
    assert_eq!(rules(&check), ["deploy-commit-not-on-staging"]);
    assert!(messages(&check)[0].contains("did not go through origin/staging"));
}

#[test]
fn a_shallow_clone_is_refused() {
    let (_, origin) = with_origin();
    let url = format!("file://{}", origin.path().display());
    let shallow = Repo::clone_of(&url, &["--depth", "1"]);
    let check = shallow.check(Target::Production);
    assert_eq!(rules(&check), ["deploy-history-incomplete"]);
}

#[test]
fn a_missing_staging_branch_is_refused() {
    let repo = Repo::new();
    repo.git(&["branch", "-q", "-D", "staging"]);
    assert_eq!(repo.rules(Target::Production), ["deploy-staging-unknown"]);
}

#[test]
fn a_directory_outside_any_repository_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = check_production(dir.path(), &ReleasePolicy::default()).unwrap_err();
    assert!(err.to_string().starts_with("not a git work tree"), "{err}");
}

#[test]
fn branch_names_come_from_the_policy() {
    let repo = Repo::new();
    repo.git(&["branch", "-q", "-m", "main", "prod"]);
    repo.git(&["branch", "-q", "-m", "staging", "preprod"]);
    repo.git(&["merge", "-q", "--ff-only", "preprod"]);
    let release = ReleasePolicy {
        production_branch: "prod".into(),
        sandbox_branch: "preprod".into(),
    };
    let check = check_production(repo.path(), &release).unwrap();
    assert_eq!(check.report.findings, vec![]);
    assert_eq!(check.staging.as_deref(), Some("preprod"));
}

#[test]
fn a_staged_rename_is_one_change_named_by_its_new_path() {
    let repo = Repo::new();
    repo.fast_forward_to_staging();
    repo.git(&["mv", "app.js", "server.js"]);
    let check = repo.check(Target::Production);
    assert_eq!(messages(&check), ["1 uncommitted change: R server.js"]);
}
