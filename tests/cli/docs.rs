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
         Koomy's policy (`shared/policy/`) that it enforces. This file is generated from the\n\
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
