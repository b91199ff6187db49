//! `docs/rules.md` is the binary's `rules list --format markdown`, and POLICY.md lists the
//! rules of each section: a rule that exists is documented, and a documented rule exists.
//! `GARDEFOU_UPDATE_DOCS=1` rewrites both.

use std::collections::HashSet;

use gardefou_findings::Section;

use crate::support::{assert_contains, assert_lacks, Runs};

/// `gardefou ARGS`, its environment empty.
fn cmd(args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("gardefou"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap());
    cmd
}

/// `gardefou ARGS`' standard output; it must succeed and write UTF-8.
fn gardefou(args: &[&str]) -> String {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("gardefou"))
        .args(args)
        .run()
        .success()
        .utf8()
        .stdout
}

/// Every rule the binary ships: (id, policy section).
fn rules() -> Vec<(String, String)> {
    let list: serde_json::Value =
        serde_json::from_str(&gardefou(&["rules", "list", "--format", "json"])).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["policy"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn rule_ids_are_unique_across_catalogs_and_cite_real_sections() {
    let mut seen = HashSet::new();
    let rules = rules();
    assert!(rules.len() > 80, "{}", rules.len());
    for (id, policy) in rules {
        assert!(seen.insert(id.clone()), "duplicate rule id {id}");
        assert!(Section::parse(&policy).is_some(), "{id}: §{policy}");
    }
}

/// `path` holds `expected` (rewritten first when `GARDEFOU_UPDATE_DOCS` is set); `name` is
/// how the failure names it.
fn assert_up_to_date(path: &str, name: &str, expected: &str) {
    if std::env::var_os("GARDEFOU_UPDATE_DOCS").is_some() {
        std::fs::write(path, expected).unwrap();
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "{name} is stale: run GARDEFOU_UPDATE_DOCS=1 cargo test --test cli docs"
    );
}

#[test]
fn docs_rules_md_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
    let expected = gardefou(&["rules", "list", "--format", "markdown"]);
    assert_up_to_date(path, "docs/rules.md", &expected);
}

#[test]
fn rules_explain_names_the_section_and_the_fix_and_refuses_unknown_ids() {
    let text = gardefou(&["rules", "explain", "database-url-environment-mismatch"]);
    assert!(
        text.starts_with("database-url-environment-mismatch — §5.1"),
        "{text}"
    );
    assert_contains(&text, "\nfix: ");
    cmd(&["rules", "explain", "no-such-rule"])
        .run()
        .usage_error();
    let doc: serde_json::Value = serde_json::from_str(&gardefou(&[
        "rules",
        "explain",
        "seed-production-marker",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(doc["id"], "seed-production-marker");
    assert_eq!(doc["policy"], "6");
    assert!(doc["fix"].as_str().unwrap().len() > 10, "{doc}");
    let out = cmd(&["rules", "explain", "no-such-rule", "--format", "json"])
        .run()
        .usage_error();
    assert_eq!(out.json()["verdict"], "error");
}

/// POLICY.md with each section's generated block of rules.
fn policy_md(current: &str) -> String {
    let mut out = String::new();
    let mut rest = current;
    while let Some(start) = rest.find("<!-- rules §") {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let head_end = from.find("-->").expect("an open marker ends") + 3;
        let section = from["<!-- rules §".len()..head_end - 3].trim().to_owned();
        let end = from.find("<!-- end rules -->").expect("an end marker");
        out.push_str(&from[..head_end]);
        out.push('\n');
        let mut ids: Vec<String> = rules()
            .into_iter()
            .filter(|(_, policy)| *policy == section)
            .map(|(id, _)| id)
            .collect();
        ids.sort_unstable();
        if ids.is_empty() {
            out.push_str("Enforced by the rules of its subsections, or by how gardefou works: no rule of its own.\n");
        } else {
            out.push_str("Rules: ");
            out.push_str(
                &ids.iter()
                    .map(|id| format!("`{id}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            out.push_str(".\n");
        }
        rest = &from[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn policy_md_lists_the_rules_of_every_section() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/POLICY.md");
    let actual = std::fs::read_to_string(path).unwrap();
    let expected = policy_md(&actual);
    assert_up_to_date(path, "POLICY.md", &expected);
    // Every section a rule may cite has its heading.
    for section in Section::ALL {
        assert!(
            actual.contains(&format!("\n## §{section} "))
                || actual.contains(&format!("\n### §{section} ")),
            "POLICY.md has no heading for §{section}"
        );
    }
}

/// The files git tracks in the repository, by their path from its root.
fn tracked_files() -> Vec<String> {
    let out = std::process::Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .run()
        .success();
    out.stdout
        .split('\0')
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Every `§N` or `§N.N` written anywhere in the repository (code, docs, tests, the npm
/// package) names a section that POLICY.md states: the repository stands alone.
#[test]
fn every_section_reference_resolves_in_policy_md() {
    let root = env!("CARGO_MANIFEST_DIR");
    let policy = std::fs::read_to_string(format!("{root}/POLICY.md")).unwrap();
    let mut checked = 0;
    for name in tracked_files() {
        let text_like = [
            ".rs", ".md", ".js", ".mjs", ".ts", ".toml", ".sh", ".yml", ".json",
        ]
        .iter()
        .any(|e| name.ends_with(e));
        if !text_like {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(format!("{root}/{name}")) else {
            continue;
        };
        for (i, _) in text.match_indices('§') {
            let after = &text[i + '§'.len_utf8()..];
            let section: String = after
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let section = section.trim_end_matches('.');
            if section.is_empty() {
                continue;
            }
            checked += 1;
            let heading = |level: &str| format!("\n{level} §{section} ");
            assert!(
                policy.contains(&heading("##")) || policy.contains(&heading("###")),
                "{name}: §{section} is not a section of POLICY.md"
            );
        }
    }
    assert!(checked > 100, "only {checked} references found");
}

/// Every rule as `gardefou --lang LANG rules list --format json` shows it:
/// (id, section, summary, fix).
fn rules_in(lang: &str) -> Vec<(String, String, String, String)> {
    let list: serde_json::Value = serde_json::from_str(&gardefou(&[
        "--lang", lang, "rules", "list", "--format", "json",
    ]))
    .unwrap();
    let field = |r: &serde_json::Value, k: &str| r[k].as_str().unwrap_or_default().to_owned();
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                field(r, "id"),
                field(r, "policy"),
                field(r, "summary"),
                field(r, "fix"),
            )
        })
        .collect()
}

/// Every rule speaks both languages: the same ids and sections in French and English, a
/// summary and a fix in each, and no French text copied from the English one.
#[test]
fn every_rule_has_its_french_and_english_texts() {
    let en = rules_in("en");
    let fr = rules_in("fr");
    assert!(en.len() > 100, "{} rules", en.len());
    let ids = |rules: &[(String, String, String, String)]| -> Vec<(String, String)> {
        rules
            .iter()
            .map(|(id, section, _, _)| (id.clone(), section.clone()))
            .collect()
    };
    assert_eq!(
        ids(&en),
        ids(&fr),
        "ids and sections differ between en and fr"
    );
    let mut untranslated = Vec::new();
    for ((id, _, summary_en, fix_en), (_, _, summary_fr, fix_fr)) in en.iter().zip(&fr) {
        for (what, en, fr) in [("summary", summary_en, summary_fr), ("fix", fix_en, fix_fr)] {
            assert!(!en.trim().is_empty(), "{id}: English {what} is empty");
            assert!(!fr.trim().is_empty(), "{id}: French {what} is empty");
            if en == fr {
                untranslated.push(format!("{id} ({what}): {en}"));
            }
        }
    }
    assert!(
        untranslated.is_empty(),
        "French copies the English:\n{}",
        untranslated.join("\n")
    );
}

/// The help speaks French with `--lang fr` (before or after the subcommand) or a French
/// locale, and English otherwise; the manual page stays English.
#[test]
fn help_is_french_with_lang_fr_or_a_french_locale() {
    let fr = gardefou(&["--lang", "fr", "check", "--help"]);
    assert_contains(&fr, "Vérifier l'environnement au regard de la politique");
    assert_contains(&fr, "Le fichier de politique");
    assert_lacks(&fr, "Check the environment against the policy");
    assert_eq!(fr, gardefou(&["check", "--lang=fr", "--help"]));
    let top = cmd(&["--help"])
        .env("LANG", "fr_FR.UTF-8")
        .run()
        .utf8()
        .stdout;
    assert_contains(&top, "Vérifier l'environnement");
    let en = gardefou(&["--lang", "en", "check", "--help"]);
    assert_contains(&en, "Check the environment against the policy");
    assert!(gardefou(&["--lang", "fr", "man"]).contains("Check the environment"));
}

/// The verdict line and the reporter's words follow the language; English stays as it was.
#[test]
fn verdict_lines_speak_french_with_lang_fr() {
    let dir = tempfile::tempdir().unwrap();
    let url = "DATABASE_URL=postgresql://app@127.0.0.1:5432/app\n";
    std::fs::write(
        dir.path().join("ok.env"),
        format!("KOOMY_ENV=local\nNODE_ENV=development\n{url}"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bad.env"),
        format!("KOOMY_ENV=prod\nNODE_ENV=development\n{url}"),
    )
    .unwrap();
    let check = |lang: &str, file: &str| {
        cmd(&["--lang", lang, "check", "--env-file", file])
            .current_dir(dir.path())
            .run()
            .utf8()
    };
    let fr = check("fr", "ok.env").success().stdout;
    assert_eq!(
        fr,
        "gardefou: autorisé (KOOMY_ENV=local ; base de données : 127.0.0.1:5432, local ; politique intégrée)\n"
    );
    let fr = check("fr", "bad.env").refused().stdout;
    assert!(fr.starts_with("erreur[koomy-env-invalid] §3: "), "{fr}");
    assert_contains(
        &fr,
        "\n  correction : définir KOOMY_ENV à exactement production, sandbox ou local\n",
    );
    assert!(fr.ends_with("gardefou: refusé (KOOMY_ENV absente ou invalide ; base de données : 127.0.0.1:5432, local ; politique intégrée): 1 violation\n"), "{fr}");
    let en = check("en", "bad.env").refused().stdout;
    assert!(en.ends_with("gardefou: refused (KOOMY_ENV unset or invalid; database: 127.0.0.1:5432, local; built-in policy): 1 violation\n"), "{en}");
}

/// Every rule that ships is shown at work by a test: its id stands in a test (the command's
/// tests and snapshots, each crate's `tests/` and unit tests) or, for a scanner rule, in its
/// rule file, whose examples `gardefou-scan`'s tests run. A rule no test names has no
/// example of what it refuses.
#[test]
fn every_rule_is_named_by_a_test() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut tests = String::new();
    for name in tracked_files() {
        let in_tests = name.starts_with("tests/") || name.contains("/tests/");
        let rule_file = name.starts_with("crates/gardefou-scan/rules/") && name.ends_with(".toml");
        let source = name.ends_with(".rs") && (name.starts_with("src/") || name.contains("/src/"));
        if !(in_tests || rule_file || source) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(format!("{root}/{name}")) else {
            continue;
        };
        match (in_tests || rule_file, text.find("#[cfg(test)]")) {
            (true, _) => tests.push_str(&text),
            // A source file counts from its test module on.
            (false, Some(at)) => tests.push_str(&text[at..]),
            (false, None) => {}
        }
        tests.push('\n');
    }
    // The id as a whole word: `database-stamp` is not `database-stamp-missing`.
    let named = |id: &str| {
        let part = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-');
        tests.match_indices(id).any(|(at, _)| {
            !part(tests[..at].chars().next_back()) && !part(tests[at + id.len()..].chars().next())
        })
    };
    let unnamed: Vec<String> = rules()
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| !named(id))
        .collect();
    assert!(unnamed.is_empty(), "no test names these rules: {unnamed:?}");
}
