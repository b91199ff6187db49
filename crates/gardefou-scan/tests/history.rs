//! `--git`: the history read in-process, on real repositories built with git. Every
//! secret is built at run time: this repository must pass its own scan.

use std::collections::BTreeSet;
use std::path::Path;

use gardefou_findings::Report;
use gardefou_scan::{Outcome, ScanOptions, Scanner};
use gardefou_testkit::{fake, git};

/// A Stripe live key, different for each seed.
fn stripe(seed: u64) -> String {
    format!("{}_{}_{}", "sk", "live", fake::alnum(seed, 24))
}

fn scanner() -> Scanner {
    Scanner::new(ScanOptions::default()).unwrap()
}

fn history(repo: &Path) -> Outcome {
    scanner().scan_git_history(repo).unwrap()
}

/// The history scanned with blobs over `max` bytes skipped.
fn history_up_to(repo: &Path, max: u64) -> Outcome {
    let options = ScanOptions {
        max_file_size: max,
        ..ScanOptions::default()
    };
    Scanner::new(options)
        .unwrap()
        .scan_git_history(repo)
        .unwrap()
}

/// (path, rule, commit) of each finding.
fn found(report: &Report) -> Vec<(String, &'static str, Option<String>)> {
    report
        .findings
        .iter()
        .map(|f| {
            let l = f.location.as_ref().unwrap();
            (l.path.clone(), f.rule, l.commit.clone())
        })
        .collect()
}

fn head(repo: &Path) -> String {
    git::run(repo, &["rev-parse", "HEAD"]).trim().to_owned()
}

/// A JavaScript line assigning a Stripe live key (seed `seed`).
fn stripe_line(seed: u64) -> String {
    format!("k = \"{}\"\n", stripe(seed))
}

/// A Stripe key finding: (path, rule, commit), as `found` lists it.
fn stripe_at(path: &str, commit: Option<String>) -> (String, &'static str, Option<String>) {
    (path.to_owned(), "stripe-secret-key", commit)
}

/// A temporary directory holding a fresh repository on `main`.
fn new_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git::init(dir.path(), "main");
    dir
}

/// A new repository whose one commit adds a Stripe key (seed `seed`) in `a.js`: (its
/// directory, that commit).
fn repo_with_a_key_in_a_js(seed: u64) -> (tempfile::TempDir, String) {
    let dir = new_repo();
    git::commit(dir.path(), "a.js", &stripe_line(seed), "key");
    let commit = head(dir.path());
    (dir, commit)
}

/// The scan read everything it met without error.
fn assert_no_errors(outcome: &Outcome) {
    assert!(
        outcome.stats.errors.is_empty(),
        "{:?}",
        outcome.stats.errors
    );
}

/// The blobs `git rev-list --objects --all` lists with a path: what the scan must read.
fn blobs_with_a_path(repo: &Path) -> BTreeSet<String> {
    let listed = git::run(repo, &["rev-list", "--objects", "--all"]);
    let types = git::run(
        repo,
        &[
            "cat-file",
            "--batch-check=%(objectname) %(objecttype)",
            "--batch-all-objects",
        ],
    );
    let blobs: BTreeSet<&str> = types
        .lines()
        .filter_map(|l| l.strip_suffix(" blob"))
        .collect();
    listed
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(oid, path)| !path.is_empty() && blobs.contains(oid))
        .map(|(oid, _)| oid.to_owned())
        .collect()
}

#[test]
fn every_blob_of_a_long_history_is_read_once_and_each_secret_reported_once() {
    // 2,000 commits (git fast-import): a config file that keeps the same key while another
    // line changes in every commit (2,000 blobs, one fingerprint), a file that never
    // changes (one blob), and churn in ten other files.
    let dir = new_repo();
    let repo = dir.path();
    let key = stripe(1);
    let mut stream = String::new();
    for i in 1..=2000u32 {
        let mut files = vec![
            (
                "config/app.js".to_owned(),
                format!("const key = \"{key}\";\nconst build = {i};\n"),
            ),
            (format!("src/f{}.txt", i % 10), format!("line {i}\n")),
        ];
        if i == 1 {
            files.push((
                "keep/fixed.py".to_owned(),
                format!("KEY = \"{}\"\n", stripe(2)),
            ));
        }
        stream.push_str(&format!(
            "commit refs/heads/main\nmark :{i}\ncommitter T <t@example.test> {} +0000\ndata 4\nc{:03}\n",
            1_700_000_000 + u64::from(i),
            i % 1000
        ));
        if i > 1 {
            stream.push_str(&format!("from :{}\n", i - 1));
        }
        for (path, text) in files {
            stream.push_str(&format!(
                "M 100644 inline {path}\ndata {}\n{text}\n",
                text.len()
            ));
        }
    }
    fast_import(repo, &stream);
    let first = git::run(repo, &["rev-list", "--max-parents=0", "HEAD"])
        .trim()
        .to_owned();
    assert_eq!(
        git::run(repo, &["rev-list", "--count", "--all"]).trim(),
        "2000"
    );

    let outcome = history(repo);
    let expected = blobs_with_a_path(repo);
    assert_eq!(
        outcome.stats.scanned,
        expected.len() as u64,
        "each blob once"
    );
    assert_no_errors(&outcome);
    let mut found = found(&outcome.report);
    found.sort();
    assert_eq!(
        found,
        vec![
            stripe_at("config/app.js", Some(first.clone())),
            stripe_at("keep/fixed.py", Some(first)),
        ],
        "one finding per secret and path, at the commit that introduced it"
    );
}

fn fast_import(repo: &Path, stream: &str) {
    use std::io::Write;
    let mut child = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["fast-import", "--quiet"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
}

#[test]
fn tags_merges_the_stash_packs_and_loose_objects_are_read_and_gitlinks_skipped() {
    let dir = new_repo();
    let repo = dir.path();
    git::commit(repo, "README.md", "hello\n", "init");
    // Packed history, then loose objects on top of it.
    git::run(repo, &["gc", "-q"]);

    // A side branch, merged; its secret is introduced on the branch.
    git::run(repo, &["checkout", "-q", "-b", "side"]);
    git::commit(repo, "side.js", &stripe_line(10), "side key");
    let side = head(repo);
    git::run(repo, &["checkout", "-q", "main"]);
    git::commit(repo, "main.txt", "main\n", "main work");
    git::run(repo, &["merge", "-q", "--no-ff", "-m", "merge", "side"]);
    git::run(repo, &["branch", "-q", "-D", "side"]);

    // A commit that only an annotated tag reaches.
    git::run(repo, &["checkout", "-q", "--detach"]);
    git::commit(repo, "tagged.js", &stripe_line(11), "tagged only");
    let tagged = head(repo);
    git::run(repo, &["tag", "-a", "-m", "release", "v1"]);
    git::run(repo, &["checkout", "-q", "main"]);

    // A tag naming a tree directly: its blobs have a path but no commit.
    std::fs::create_dir_all(repo.join("t")).unwrap();
    std::fs::write(repo.join("t/in-tree.js"), stripe_line(12)).unwrap();
    git::run(repo, &["add", "t/in-tree.js"]);
    let tree = git::run(repo, &["write-tree", "--prefix=t/"])
        .trim()
        .to_owned();
    git::run(repo, &["reset", "-q"]);
    std::fs::remove_dir_all(repo.join("t")).unwrap();
    git::run(repo, &["tag", "a-tree", &tree]);

    // A submodule entry (a commit of another repository, absent here), a symlink, a binary
    // file and one over the size limit.
    let other = "1234567890123456789012345678901234567890";
    git::run(
        repo,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{other},vendor/lib"),
        ],
    );
    std::os::unix::fs::symlink("README.md", repo.join("link")).unwrap();
    let mut binary = stripe_line(13).into_bytes();
    binary.push(0);
    std::fs::write(repo.join("blob.bin"), binary).unwrap();
    std::fs::write(
        repo.join("big.js"),
        format!("{}k = \"{}\"\n", "x".repeat(5000), stripe(14)),
    )
    .unwrap();
    git::run(repo, &["add", "link", "blob.bin", "big.js"]);
    git::run(repo, &["commit", "-qm", "shapes"]);

    // A secret left in the stash only.
    std::fs::write(repo.join("main.txt"), stripe_line(15)).unwrap();
    git::run(repo, &["stash", "-q"]);
    // The change was not staged: the stash's own commit (not its index commit) holds it.
    let stash = git::run(repo, &["rev-parse", "stash@{0}"])
        .trim()
        .to_owned();

    let outcome = history_up_to(repo, 4096);
    assert_no_errors(&outcome);
    assert_eq!(outcome.stats.skipped_binary, 1);
    assert_eq!(outcome.stats.skipped_large, 1);
    let mut found = found(&outcome.report);
    found.sort();
    assert_eq!(
        found,
        vec![
            stripe_at("in-tree.js", None),
            stripe_at("main.txt", Some(stash)),
            stripe_at("side.js", Some(side)),
            stripe_at("tagged.js", Some(tagged)),
        ]
    );
    // Every blob with a path but the binary and the oversized one was scanned, once.
    assert_eq!(
        outcome.stats.scanned,
        blobs_with_a_path(repo).len() as u64 - 2
    );
}

#[test]
fn a_shallow_clone_is_read_up_to_its_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let origin = dir.path().join("origin");
    std::fs::create_dir(&origin).unwrap();
    git::init(&origin, "main");
    git::commit(&origin, "old.js", &stripe_line(20), "old");
    git::commit(&origin, "new.js", &stripe_line(21), "new");
    let url = format!("file://{}", origin.display());
    git::run(
        dir.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let shallow = dir.path().join("shallow");
    assert!(shallow.join(".git/shallow").exists());
    let outcome = history(&shallow);
    assert_no_errors(&outcome);
    let mut paths: Vec<String> = found(&outcome.report).into_iter().map(|f| f.0).collect();
    paths.sort();
    // Both files are in the one commit the clone has; nothing before it is looked for.
    assert_eq!(paths, ["new.js", "old.js"]);
    assert_eq!(
        found(&outcome.report)[0].2.as_deref(),
        Some(head(&shallow).as_str())
    );
}

/// A replace ref swaps an object for another when git reads it: honouring one would let a
/// clean commit stand in for the one that added a secret.
#[test]
fn regression_replace_refs_cannot_hide_a_secret_in_history() {
    let (dir, leaky) = repo_with_a_key_in_a_js(30);
    let repo = dir.path();
    git::commit(repo, "a.js", "k = process.env.K\n", "fix");
    // A clean commit, with no parent, that replaces the leaky one.
    let clean_tree = git::run(repo, &["rev-parse", "HEAD^{tree}"])
        .trim()
        .to_owned();
    let clean = git::run(repo, &["commit-tree", "-m", "clean", &clean_tree])
        .trim()
        .to_owned();
    git::run(repo, &["replace", &leaky, &clean]);
    // git itself now sees no secret in the history.
    let log = git::run(repo, &["log", "-p", "--all"]);
    assert!(!log.contains(&stripe(30)));

    let found = found(&history(repo).report);
    assert_eq!(found, vec![stripe_at("a.js", Some(leaky))]);
}

#[test]
fn a_directory_that_is_not_a_repository_is_an_error_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = scanner().scan_git_history(dir.path()).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("git history of "), "{text}");
    assert!(text.contains(&dir.path().display().to_string()), "{text}");
}

#[test]
fn a_moved_secret_is_named_where_its_first_commit_put_it() {
    // The commit and the path agree: `git show <commit>:<path>` shows the secret.
    let (dir, first) = repo_with_a_key_in_a_js(50);
    let repo = dir.path();
    std::fs::create_dir(repo.join("lib")).unwrap();
    git::run(repo, &["mv", "a.js", "lib/a.js"]);
    git::run(repo, &["commit", "-qm", "move"]);
    assert_eq!(
        found(&history(repo).report),
        vec![stripe_at("a.js", Some(first))]
    );
}

/// One commit of a `git fast-import` stream: `mark`, committed at `time` on `branch`,
/// after `from` (a mark), writing each (path, text).
fn commit_at(
    stream: &mut String,
    (mark, time, branch, from): (u32, u64, &str, Option<u32>),
    files: &[(&str, &str)],
) {
    stream.push_str(&format!(
        "commit refs/heads/{branch}\nmark :{mark}\ncommitter T <t@example.test> {time} +0000\ndata 2\nc\n"
    ));
    if let Some(from) = from {
        stream.push_str(&format!("from :{from}\n"));
    }
    for (path, text) in files {
        stream.push_str(&format!(
            "M 100644 inline {path}\ndata {}\n{text}\n",
            text.len()
        ));
    }
}

/// A commit for `imported_repo`: ((mark, time, branch, from), the (path, text) it writes).
type Commit<'a> = ((u32, u64, &'a str, Option<u32>), &'a [(&'a str, &'a str)]);

/// The `git fast-import` stream of these commits, in order.
fn stream_of(commits: &[Commit]) -> String {
    let mut stream = String::new();
    for (commit, files) in commits {
        commit_at(&mut stream, *commit, files);
    }
    stream
}

/// A new repository (see `new_repo`) holding these commits, imported in order.
fn imported_repo(commits: &[Commit]) -> tempfile::TempDir {
    let dir = new_repo();
    fast_import(dir.path(), &stream_of(commits));
    dir
}

/// A finding as `found_at` lists it: (path, rule, commit, line).
fn finding_at(
    path: &str,
    rule: &'static str,
    commit: String,
    line: usize,
) -> (String, &'static str, Option<String>, usize) {
    (path.to_owned(), rule, Some(commit), line)
}

/// `const key = "<a Stripe key>";`, a line of `f.js`.
fn key_declaration(seed: u64) -> String {
    format!("const key = \"{}\";\n", stripe(seed))
}

/// The scan found one Stripe key, in `f.js` at line 1, and named `commit` for it.
fn assert_key_found_in_f_js_at(report: &Report, commit: String) {
    assert_eq!(
        found_at(report),
        vec![finding_at("f.js", "stripe-secret-key", commit, 1)]
    );
}

/// The commit a `fast-import` mark names.
fn marked(repo: &Path, branch: &str, back: usize) -> String {
    git::run(repo, &["rev-parse", &format!("{branch}~{back}")])
        .trim()
        .to_owned()
}

/// (path, rule, commit, line) of each finding.
fn found_at(report: &Report) -> Vec<(String, &'static str, Option<String>, usize)> {
    report
        .findings
        .iter()
        .map(|f| {
            let l = f.location.as_ref().unwrap();
            (l.path.clone(), f.rule, l.commit.clone(), l.line)
        })
        .collect()
}

#[test]
fn a_side_branch_meeting_an_older_version_first_keeps_the_first_commit() {
    // main: c1 adds the key, c2 edits another line of the file. side (newest, from c1)
    // keeps c1's version of the file: the key, in both versions, is reported once, at c1.
    let key = stripe(60);
    let (v1, v2) = (
        format!("const key = \"{key}\";\nconst v = 1;\n"),
        format!("const key = \"{key}\";\nconst v = 2;\n"),
    );
    let dir = imported_repo(&[
        ((1, 1_000, "main", None), &[("f.js", &v1), ("o.txt", "1")]),
        ((2, 2_000, "main", Some(1)), &[("f.js", &v2)]),
        ((3, 3_000, "side", Some(1)), &[("o.txt", "2")]),
    ]);
    let repo = dir.path();
    let first = marked(repo, "main", 1);
    assert_key_found_in_f_js_at(&history(repo).report, first);
}

#[test]
fn regression_a_child_dated_before_its_parent_is_not_named_for_the_parent_s_secret() {
    // P (t=3000) adds the key; C (t=1500: a skewed clock) is P's child on a side branch,
    // merged later. Walking commits by date alone meets C before P, and would name C.
    let dir = new_repo();
    let repo = dir.path();
    let key = key_declaration(62);
    let mut stream = stream_of(&[
        ((1, 1_000, "main", None), &[("o.txt", "0")]),
        ((2, 3_000, "main", Some(1)), &[("f.js", &key)]),
        ((3, 1_500, "side", Some(2)), &[("o.txt", "side")]),
        ((4, 3_500, "main", Some(2)), &[("o.txt", "main")]),
    ]);
    stream.push_str(
        "commit refs/heads/main\nmark :5\ncommitter T <t@example.test> 4000 +0000\ndata 2\nm\nfrom :4\nmerge :3\n",
    );
    fast_import(repo, &stream);
    let parent = marked(repo, "main", 2);
    assert_eq!(
        marked(repo, "side", 0),
        git::run(repo, &["rev-parse", "main^2"]).trim()
    );
    assert_key_found_in_f_js_at(&history(repo).report, parent);
}

#[test]
fn a_secret_pushed_down_its_file_is_reported_at_its_first_commit_and_line() {
    let line = key_declaration(61);
    let later = format!("// one\n// two\n// three\n{line}// four\n");
    let dir = imported_repo(&[
        ((1, 1_000, "main", None), &[("f.js", &line)]),
        ((2, 2_000, "main", Some(1)), &[("f.js", &later)]),
    ]);
    let repo = dir.path();
    let outcome = history(repo);
    assert_eq!(outcome.stats.scanned, 2, "both versions are read");
    assert_key_found_in_f_js_at(&outcome.report, marked(repo, "main", 1));
}

#[test]
fn a_private_key_changed_in_its_middle_is_found_in_both_versions() {
    // Two keys that differ in one line: each version's block is read whole, and each key
    // is reported at the commit that wrote it.
    let pem = |middle: &str| {
        let body: Vec<String> = (0..4).map(|i| fake::alnum(70 + i, 64)).collect();
        format!(
            "-----BEGIN {kind}-----\n{}\n{}\n{middle}\n{}\n{}\n-----END {kind}-----\n",
            body[0],
            body[1],
            body[2],
            body[3],
            kind = "PRIVATE KEY"
        )
    };
    let (a, b) = (fake::alnum(80, 64), fake::alnum(81, 64));
    let dir = imported_repo(&[
        ((1, 1_000, "main", None), &[("deploy/key.pem", &pem(&a))]),
        ((2, 2_000, "main", Some(1)), &[("deploy/key.pem", &pem(&b))]),
    ]);
    let repo = dir.path();
    let mut found = found_at(&history(repo).report);
    found.sort_by_key(|f| f.2.clone());
    let mut expected = vec![
        finding_at("deploy/key.pem", "private-key", marked(repo, "main", 1), 2),
        finding_at("deploy/key.pem", "private-key", marked(repo, "main", 0), 2),
    ];
    expected.sort_by_key(|f| f.2.clone());
    assert_eq!(found, expected);
}

/// A repository `main` under `dir` and a linked worktree `other` whose detached HEAD is a
/// commit on no branch adding a Stripe key (seed `seed`) in `a.js`: (main, other, that
/// commit).
fn detached_worktree(dir: &Path, seed: u64) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let repo = dir.join("main");
    std::fs::create_dir(&repo).unwrap();
    git::init(&repo, "main");
    git::commit(&repo, "README", "hello\n", "first");
    let other = dir.join("other");
    git::run(
        &repo,
        &["worktree", "add", "-q", "--detach", other.to_str().unwrap()],
    );
    git::commit(&other, "a.js", &stripe_line(seed), "key");
    let detached = head(&other);
    (repo, other, detached)
}

#[test]
fn regression_a_detached_head_in_another_worktree_is_read() {
    // A commit made on a detached HEAD in a linked worktree is reachable from no ref: only
    // that worktree's HEAD names it (`git rev-list --all` reads it).
    let dir = tempfile::tempdir().unwrap();
    let (repo, other, detached) = detached_worktree(dir.path(), 62);
    assert!(
        git::run(&repo, &["branch", "--contains", &detached])
            .trim()
            .is_empty(),
        "the commit is on no branch"
    );
    for from in [&repo, &other] {
        assert_eq!(
            found(&history(from).report),
            vec![stripe_at("a.js", Some(detached.clone()))],
            "scanned from {}",
            from.display()
        );
    }
    // The main worktree's own detached HEAD is read from the linked one too.
    git::run(&repo, &["checkout", "-q", "--detach"]);
    git::commit(&repo, "b.js", &stripe_line(63), "key 2");
    let main_detached = head(&repo);
    git::run(&other, &["checkout", "-q", "--detach", "HEAD~1"]);
    let commits: Vec<Option<String>> = found(&history(&other).report)
        .into_iter()
        .map(|f| f.2)
        .collect();
    assert_eq!(
        commits,
        vec![Some(main_detached)],
        "the main worktree's HEAD from the linked one"
    );
}

#[test]
fn a_worktree_entry_without_its_gitdir_file_is_read_and_an_unreadable_head_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, _, detached) = detached_worktree(dir.path(), 64);
    // Git itself skips an entry whose `gitdir` file is gone: its HEAD is still read here.
    let entry = repo.join(".git/worktrees/other");
    std::fs::remove_file(entry.join("gitdir")).unwrap();
    assert_eq!(
        found(&history(&repo).report),
        vec![stripe_at("a.js", Some(detached))]
    );
    std::fs::write(entry.join("HEAD"), "not a commit\n").unwrap();
    let outcome = history(&repo);
    assert!(
        outcome
            .stats
            .errors
            .iter()
            .any(|e| e.contains("worktrees/other") && e.contains("neither a commit id nor a ref")),
        "{:?}",
        outcome.stats.errors
    );
}

/// A history with secrets, moves, and versions over `max` bytes: text files that change in
/// every commit, so that a pack stores them as delta chains.
fn varied_history(repo: &Path) {
    git::init(repo, "main");
    let key = stripe(90);
    let mut notes = String::new();
    for i in 0..30u64 {
        notes.push_str(&format!(
            "note {i}: {}\n",
            "word ".repeat(i as usize % 9 + 1)
        ));
        git::commit(repo, "notes.md", &notes, "notes");
        let config = format!("const key = \"{key}\";\nconst build = {i};\n{notes}");
        git::commit(repo, "config.js", &config, "config");
        if i % 10 == 5 {
            // A new key every ten commits, in a file that grows past the size limit.
            let big = format!("{notes}{notes}{notes}KEY = \"{}\"\n", stripe(91 + i));
            git::commit(repo, "big.py", &big, "big");
        }
        if i == 20 {
            std::fs::create_dir(repo.join("lib")).unwrap();
            git::run(repo, &["mv", "config.js", "lib/config.js"]);
            git::run(repo, &["commit", "-qm", "move"]);
        }
    }
}

/// Everything a history scan reports, with every finding's fingerprint.
type Everything = (
    Vec<(String, &'static str, Option<String>, usize, Option<String>)>,
    gardefou_scan::Stats,
);

fn everything(outcome: &Outcome) -> Everything {
    let findings = outcome
        .report
        .findings
        .iter()
        .map(|f| {
            let l = f.location.as_ref().unwrap();
            (
                l.path.clone(),
                f.rule,
                l.commit.clone(),
                l.line,
                f.fingerprint.clone(),
            )
        })
        .collect();
    (findings, outcome.stats.clone())
}

#[test]
fn a_repacked_history_reads_as_its_loose_objects() {
    // The same history as loose objects (read through gix), repacked with deltas on
    // earlier entries (read from the pack, chains resolved once), and with deltas on bases
    // named by id (left to gix again): the same findings, commits, lines and counts.
    let dir = tempfile::tempdir().unwrap();
    let loose = dir.path().join("loose");
    std::fs::create_dir(&loose).unwrap();
    varied_history(&loose);
    let copy = |name: &str| {
        let to = dir.path().join(name);
        let status = std::process::Command::new("cp")
            .args(["-a", loose.to_str().unwrap(), to.to_str().unwrap()])
            .status()
            .unwrap();
        assert!(status.success());
        to
    };
    let (packed, by_id) = (copy("packed"), copy("by-id"));
    git::run(&packed, &["repack", "-adq", "--depth=50", "--window=50"]);
    git::run(
        &by_id,
        &["-c", "repack.useDeltaBaseOffset=false", "repack", "-adq"],
    );
    // Some versions of big.py are over the limit: counted, not read, and the bases of
    // smaller ones.
    let scan = |repo: &Path| everything(&history_up_to(repo, 2048));
    let expected = scan(&loose);
    assert!(expected.1.errors.is_empty(), "{:?}", expected.1.errors);
    assert!(
        expected.1.skipped_large > 0 && expected.1.scanned > 60,
        "{:?}",
        expected.1
    );
    let rules: BTreeSet<&str> = expected.0.iter().map(|f| f.1).collect();
    assert!(rules.contains("stripe-secret-key"), "{expected:?}");
    assert_eq!(scan(&packed), expected, "read from the pack");
    assert_eq!(scan(&by_id), expected, "deltas on bases named by id");
}

#[test]
fn a_corrupt_object_in_a_pack_is_an_error_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    varied_history(repo);
    git::run(repo, &["repack", "-adq", "--depth=50", "--window=50"]);
    let pack_dir = repo.join(".git/objects/pack");
    let idx = std::fs::read_dir(&pack_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .unwrap();
    // A blob stored as a delta: `id blob size size-in-pack offset depth base`.
    let listed = git::run(repo, &["verify-pack", "-v", idx.to_str().unwrap()]);
    let (id, in_pack, at) = listed
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|f| f.len() == 7 && f[1] == "blob")
        .map(|f| {
            (
                f[0].to_owned(),
                f[3].parse::<usize>().unwrap(),
                f[4].parse::<usize>().unwrap(),
            )
        })
        .max_by_key(|e| e.1)
        .unwrap();
    let pack = idx.with_extension("pack");
    let mut bytes = std::fs::read(&pack).unwrap();
    // The middle of its compressed data, past its header.
    bytes[at + in_pack / 2 + 2] ^= 0x55;
    let mut perms = std::fs::metadata(&pack).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&pack, perms).unwrap();
    std::fs::write(&pack, bytes).unwrap();
    let outcome = history(repo);
    assert!(
        outcome.stats.errors.iter().any(|e| e.contains(&id)),
        "{id}: {:?}",
        outcome.stats.errors
    );
}
