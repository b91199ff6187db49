//! `docs/rules.md` is generated from the rule catalogs of every crate: a rule that exists
//! is documented, and a documented rule exists. `GARDEFOU_UPDATE_DOCS=1` rewrites it.

use std::collections::HashSet;

use gardefou_findings::{Rule, POLICY_SECTIONS};

/// Every catalog, with its heading.
fn catalogs() -> Vec<(&'static str, &'static [Rule])> {
    vec![
        (
            "Startup guard (`gardefou check`, `gardefou run`)",
            gardefou_policy::rules::ALL,
        ),
        (
            "Secret scanner (`gardefou scan`; rules in `crates/gardefou-scan/rules/*.toml`)",
            Box::leak(gardefou_scan::rules::catalog().into_boxed_slice()),
        ),
        (
            "Secrets and configured domains (`gardefou check`, `gardefou run`, `gardefou secrets register`; see `docs/secrets.md`)",
            gardefou_policy::secrets::rules::ALL,
        ),
        (
            "HTTP guard (`gardefou-axum`, `koomy-api serve`; see `docs/http.md`)",
            gardefou_axum::rules::ALL,
        ),
        (
            "Release rules (`gardefou deploy check`)",
            gardefou_release::rules::ALL,
        ),
        (
            "Domain rules (`gardefou domains check`)",
            gardefou_domains::rules::ALL,
        ),
        (
            "Live database identity (`gardefou check --probe`, `run`, `db stamp`, `seed`)",
            gardefou_pgprobe::rules::ALL,
        ),
    ]
}

fn markdown() -> String {
    let mut out = String::from(
        "# Rules\n\n\
         Every finding gardefou reports carries one of these stable rule ids and the section of\n\
         Koomy's policy ([POLICY.md](../POLICY.md)) that it enforces. This file is generated from the\n\
         rule catalogs (`crates/*/src/rules.rs`, `crates/gardefou-policy/src/secrets/rules.rs`) by `cargo test --test cli docs` (set\n\
         `GARDEFOU_UPDATE_DOCS=1` to rewrite it).\n",
    );
    for (heading, rules) in catalogs() {
        out.push_str(&format!(
            "\n## {heading}\n\n| rule | policy | refuses | fix |\n|---|---|---|---|\n"
        ));
        for r in rules {
            out.push_str(&format!(
                "| `{}` | §{} | {} | {} |\n",
                r.id, r.policy, r.summary, r.fix
            ));
        }
    }
    out
}

#[test]
fn rule_ids_are_unique_across_catalogs_and_cite_real_sections() {
    let mut seen = HashSet::new();
    for (_, rules) in catalogs() {
        for r in rules {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(
                POLICY_SECTIONS.contains(&r.policy),
                "{}: §{}",
                r.id,
                r.policy
            );
        }
    }
}

#[test]
fn docs_rules_md_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
    let expected = markdown();
    if std::env::var_os("GARDEFOU_UPDATE_DOCS").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is stale: run GARDEFOU_UPDATE_DOCS=1 cargo test --test cli docs"
    );
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
        let mut ids: Vec<&str> = catalogs()
            .iter()
            .flat_map(|(_, rules)| rules.iter())
            .filter(|r| r.policy == section)
            .map(|r| r.id)
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
    if std::env::var_os("GARDEFOU_UPDATE_DOCS").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(path).unwrap();
    assert!(
        actual == expected,
        "POLICY.md is stale: run GARDEFOU_UPDATE_DOCS=1 cargo test --test cli docs"
    );
    // Every section a rule may cite has its heading.
    for section in POLICY_SECTIONS {
        assert!(
            actual.contains(&format!("\n## §{section} "))
                || actual.contains(&format!("\n### §{section} ")),
            "POLICY.md has no heading for §{section}"
        );
    }
}

/// Every `§N` or `§N.N` written anywhere in the repository (code, docs, tests, the npm
/// package) names a section that POLICY.md states: the repository stands alone.
#[test]
fn every_section_reference_resolves_in_policy_md() {
    let root = env!("CARGO_MANIFEST_DIR");
    let policy = std::fs::read_to_string(format!("{root}/POLICY.md")).unwrap();
    let files = std::process::Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root)
        .output()
        .expect("git");
    assert!(files.status.success());
    let mut checked = 0;
    for name in files.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name).into_owned();
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
