//! The scanner end to end on temporary trees and repositories. Every secret here is
//! built at run time: this repository must pass its own scan.

use std::path::{Path, PathBuf};
use std::process::Command;

use gardefou_findings::{human, json, sarif, Report};
use gardefou_scan::{Baseline, FingerprintKey, ScanOptions, Scanner};

fn stripe() -> String {
    format!("{}_{}_{}", "sk", "live", "4eC39HqLyjWDarjtT1zdp7dc9Zq8")
}
fn github() -> String {
    format!("{}_{}", "ghp", "Zq8Rf2XpL0wKd93mVbT7nHc1yGe5uJa4sDf6")
}
fn pg_password() -> String {
    format!("{}{}", "Tr0ub4dor", "-and-3x")
}

fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

fn scanner() -> Scanner {
    Scanner::new(ScanOptions::default()).unwrap()
}

/// Scans the tree under `root` with these options.
fn scan_tree(root: &Path, options: ScanOptions) -> gardefou_scan::Outcome {
    Scanner::new(options)
        .unwrap()
        .scan_paths(&[root.to_path_buf()])
        .unwrap()
}

fn rules_at(report: &Report) -> Vec<(String, &'static str, usize)> {
    report
        .findings
        .iter()
        .map(|f| {
            let l = f.location.as_ref().unwrap();
            (l.path.clone(), f.rule, l.line)
        })
        .collect()
}

fn everything_printed(report: &Report) -> String {
    let mut out = Vec::new();
    human::write(&mut out, report, None).unwrap();
    json::write(&mut out, report, &[]).unwrap();
    let rules = gardefou_scan::catalog();
    let tool = sarif::Tool {
        name: "gardefou",
        version: "0",
        information_uri: "https://example.org",
        rules: &rules,
    };
    sarif::write(&mut out, report, &tool).unwrap();
    let mut text = String::from_utf8(out).unwrap();
    text.push_str(&format!("{report:?}{report:#?}"));
    text
}

#[test]
fn a_tree_scan_finds_planted_secrets_and_prints_none_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "src/pay.js",
        format!("const s = new Stripe(\"{}\");\n", stripe()),
    );
    write(
        root,
        "deploy/ci.yml",
        format!("\n\n  token: {}\n", github()),
    );
    write(
        root,
        "db.py",
        format!(
            "URL = \"postgresql://app:{}@ep-x-1.eu-central-1.aws.neon.tech/k\"\n",
            pg_password()
        ),
    );
    let outcome = scanner().scan_paths(&[root.to_path_buf()]).unwrap();
    let found = rules_at(&outcome.report);
    let shown = |p: &str| {
        format!("{}/{p}", root.display())
            .trim_start_matches("./")
            .to_owned()
    };
    assert!(
        found.contains(&(shown("src/pay.js"), "stripe-secret-key", 1)),
        "{found:?}"
    );
    assert!(
        found.contains(&(shown("deploy/ci.yml"), "github-token", 3)),
        "{found:?}"
    );
    assert!(
        found.contains(&(shown("db.py"), "postgres-neon-url-password", 1)),
        "{found:?}"
    );
    assert_eq!(found.len(), 3, "{found:?}");
    let printed = everything_printed(&outcome.report);
    for secret in [stripe(), github(), pg_password()] {
        assert!(!printed.contains(&secret), "secret leaked");
        assert!(
            !printed.contains(&secret[4..secret.len() - 2]),
            "part leaked"
        );
    }
    assert!(!format!("{:?}", outcome.entries).contains(&stripe()));
    assert!(outcome.report.is_denied());
}

#[test]
fn columns_count_characters_and_lines_count_from_one() {
    let line = format!("é = \"{}\"", stripe());
    let f = scanner().scan_bytes("a.py", format!("x\n{line}\n").as_bytes());
    let l = f[0].location.as_ref().unwrap();
    assert_eq!((l.line, l.column), (2, 6));
}

#[test]
fn gitignored_binary_and_oversized_files_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".gitignore", "ignored/\n");
    write(root, "ignored/a.js", stripe());
    let mut binary = b"\x00\x01".to_vec();
    binary.extend(stripe().bytes());
    write(root, "blob.bin", binary);
    write(
        root,
        "big.txt",
        format!("{}\n{}", "x".repeat(2000), stripe()),
    );
    write(root, ".env", format!("STRIPE_SECRET_KEY={}\n", stripe()));
    let options = ScanOptions {
        max_file_size: 1000,
        ..ScanOptions::default()
    };
    let outcome = scan_tree(root, options);
    let found = rules_at(&outcome.report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].0.ends_with("/.env"),
        "hidden files are scanned: {found:?}"
    );
    assert_eq!(outcome.stats.skipped_binary, 1);
    assert_eq!(outcome.stats.skipped_large, 1);
}

#[test]
fn inline_allow_placeholders_and_references_are_not_findings() {
    let text = format!(
        "a = \"{}\" # gardefou:allow\nSTRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx\n\
         const k = process.env.STRIPE_SECRET_KEY;\nJWT_SECRET=${{JWT_SECRET}}\n\
         jwt_secret = os.environ[\"JWT_SECRET\"]\nSECRET=<your-key>\n",
        stripe()
    );
    assert!(scanner()
        .scan_bytes("config.txt", text.as_bytes())
        .is_empty());
}

#[test]
fn committed_dotenv_with_real_values_is_a_finding_and_an_example_with_placeholders_is_not() {
    let real = format!(
        "MAIL_PASSWORD={}{}\nNODE_ENV=production\n",
        "hunter2", "Hunter9"
    );
    let f = scanner().scan_bytes(".env", real.as_bytes());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule, "dotenv-secret");
    let example = "MAIL_PASSWORD=changeme\nJWT_SECRET=<generate>\nSTRIPE_SECRET_KEY=sk_live_xxx\n";
    assert!(scanner()
        .scan_bytes(".env.example", example.as_bytes())
        .is_empty());
}

#[test]
fn a_specific_rule_wins_over_generic_ones_on_the_same_value() {
    let f = scanner().scan_bytes(
        ".env",
        format!("STRIPE_SECRET_KEY={}\n", stripe()).as_bytes(),
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule, "stripe-secret-key");
}

#[test]
fn a_local_database_url_is_a_warning_and_a_remote_one_an_error() {
    let pw = pg_password();
    let local = format!("DATABASE_URL=postgresql://app:{pw}@localhost/k\n");
    let remote = format!("DATABASE_URL=postgresql://app:{pw}@db.internal/k\n");
    let s = scanner();
    assert_eq!(
        s.scan_bytes("a.yml", local.as_bytes())[0].severity,
        gardefou_findings::Severity::Warning
    );
    assert_eq!(
        s.scan_bytes("a.yml", remote.as_bytes())[0].severity,
        gardefou_findings::Severity::Error
    );
}

#[test]
fn a_baseline_accepts_known_findings_only_and_holds_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    write(&root, "a.js", format!("k = \"{}\"\n", stripe()));
    let key = FingerprintKey::random().unwrap();
    let first = Scanner::new(ScanOptions::default())
        .unwrap()
        .with_baseline(Baseline::empty(key.clone()))
        .scan_paths(std::slice::from_ref(&root))
        .unwrap();
    let file = dir.path().join("baseline.json");
    Baseline::write(&file, &key, first.entries.clone()).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains(&stripe()) && text.contains("stripe-secret-key"));
    write(&root, "b.js", format!("k = \"{}\"\n", github()));
    let second = scanner()
        .with_baseline(Baseline::read(&file).unwrap())
        .scan_paths(std::slice::from_ref(&root))
        .unwrap();
    let found = rules_at(&second.report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "github-token");
    assert_eq!(second.stats.baselined, 1);
    // Fingerprints are keyed by the baseline: without it they differ.
    let unkeyed = scanner().scan_paths(&[root]).unwrap();
    assert_ne!(
        unkeyed.report.findings[0].fingerprint,
        first.report.findings[0].fingerprint
    );
}

#[test]
fn allow_paths_hide_findings_in_matching_paths_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "rules/a.toml", stripe());
    write(root, "rules/deeper/b.toml", stripe());
    let options = ScanOptions {
        allow_paths: vec![format!("{}/rules/*.toml", root.display())],
        ..ScanOptions::default()
    };
    let outcome = scan_tree(root, options);
    let found = rules_at(&outcome.report);
    assert_eq!(found.len(), 1, "`*` does not cross `/`: {found:?}");
    assert!(found[0].0.ends_with("rules/deeper/b.toml"));
    assert_eq!(outcome.stats.allowed_by_path, 1);
}

fn git(dir: &Path, args: &[&str]) {
    gardefou_testkit::git::run(dir, args);
}

fn repo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    git(&root, &["init", "-q", "-b", "main"]);
    (dir, root)
}

#[test]
fn git_history_finds_a_secret_that_was_removed_and_names_its_commit() {
    let (_d, root) = repo();
    write(&root, "app.js", format!("const k = \"{}\";\n", stripe()));
    git(&root, &["add", "."]);
    git(&root, &["commit", "-qm", "add key"]);
    let out = Command::new("git")
        .arg("-C")
        .arg(&root)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    let first = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    // Later versions of the same file keep the key, then drop it.
    write(
        &root,
        "app.js",
        format!("// v2\nconst k = \"{}\";\n", stripe()),
    );
    git(&root, &["commit", "-qam", "touch"]);
    write(
        &root,
        "app.js",
        "const k = process.env.STRIPE_SECRET_KEY;\n",
    );
    git(&root, &["commit", "-qam", "remove key"]);
    assert!(scanner()
        .scan_paths(std::slice::from_ref(&root))
        .unwrap()
        .report
        .findings
        .is_empty());
    let outcome = scanner().scan_git_history(&root).unwrap();
    let f = &outcome.report.findings;
    assert_eq!(f.len(), 1, "one secret, one finding: {f:?}");
    let loc = f[0].location.as_ref().unwrap();
    assert_eq!(loc.path, "app.js");
    assert_eq!(loc.commit.as_deref(), Some(first.as_str()));
    assert!(!everything_printed(&outcome.report).contains(&stripe()));
}

#[test]
fn staged_mode_scans_the_index_not_the_work_tree() {
    let (_d, root) = repo();
    write(&root, "a.js", "ok\n");
    git(&root, &["add", "."]);
    git(&root, &["commit", "-qm", "init"]);
    write(&root, "a.js", format!("k = \"{}\"\n", github()));
    assert!(scanner()
        .scan_staged(&root)
        .unwrap()
        .report
        .findings
        .is_empty());
    git(&root, &["add", "a.js"]);
    write(&root, "a.js", "clean again in the work tree\n");
    let outcome = scanner().scan_staged(&root).unwrap();
    let found = rules_at(&outcome.report);
    assert_eq!(found, vec![("a.js".to_owned(), "github-token", 1)]);
    assert!(outcome.report.findings[0]
        .location
        .as_ref()
        .unwrap()
        .commit
        .is_none());
}

#[test]
fn regression_staged_mode_reports_only_the_lines_the_commit_adds() {
    // A file already committed with a secret (accepted or being dealt with) used to be
    // reported again by every commit that touched any other line of it.
    let (_d, root) = repo();
    write(&root, "a.js", format!("k = \"{}\"\nx = 1\n", github()));
    git(&root, &["add", "."]);
    git(&root, &["commit", "-qm", "init", "--no-verify"]);
    write(
        &root,
        "a.js",
        format!("k = \"{}\"\nx = 2\ns = \"{}\"\n", github(), stripe()),
    );
    write(&root, "b.py", format!("\n\nTOKEN = \"{}\"\n", github()));
    git(&root, &["add", "."]);
    let found = rules_at(&scanner().scan_staged(&root).unwrap().report);
    assert_eq!(
        found,
        vec![
            ("a.js".to_owned(), "stripe-secret-key", 3),
            ("b.py".to_owned(), "github-token", 3),
        ]
    );
    // Changing only the clean line reports nothing.
    git(&root, &["commit", "-qm", "more", "--no-verify"]);
    write(
        &root,
        "a.js",
        format!("k = \"{}\"\nx = 3\ns = \"{}\"\n", github(), stripe()),
    );
    git(&root, &["add", "."]);
    assert!(rules_at(&scanner().scan_staged(&root).unwrap().report).is_empty());
}

#[test]
fn errors_name_the_problem_not_the_content() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("baseline.json");
    std::fs::write(&file, format!("{{\"oops\": \"{}\"}}", stripe())).unwrap();
    let err = Baseline::read(&file).unwrap_err();
    assert!(!format!("{err} {err:?}").contains(&stripe()));
    let err = scanner().scan_git_history(dir.path()).unwrap_err();
    assert!(err.to_string().starts_with("git "), "{err}");
}

#[test]
fn a_huge_minified_line_with_many_keywords_is_scanned_once_per_rule() {
    // Each keyword hit must not rescan the whole line: this would be quadratic.
    let line = "password=x;".repeat(200_000);
    let f = scanner().scan_bytes("bundle.min.js", line.as_bytes());
    assert!(f.is_empty());
}
