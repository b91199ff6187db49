//! `gardefou rules list|explain`: every rule that ships in this binary, from the catalogs
//! of the crates that report them. `docs/rules.md` is `rules list --format markdown`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use gardefou_findings::Rule;
use serde_json::json;

use crate::cli::{RulesExplainArgs, RulesExplainFormat, RulesFormat, RulesListArgs};

/// Every catalog, with the part of gardefou that reports its rules.
pub fn catalogs() -> Vec<(&'static str, Vec<Rule>)> {
    vec![
        (
            "Startup guard (`gardefou check`, `gardefou run`)",
            gardefou_policy::rules::ALL.to_vec(),
        ),
        (
            "Secret scanner (`gardefou scan`; rules in `crates/gardefou-kinds/rules/*.toml`)",
            gardefou_scan::catalog(),
        ),
        (
            "Secrets and configured domains (`gardefou check`, `gardefou run`, `gardefou secrets register`; see `docs/secrets.md`)",
            gardefou_policy::secrets::rules::ALL.to_vec(),
        ),
        (
            "Debug routes (`gardefou-axum`, `koomy-api serve`, the npm package's `gardefou/express`; see `docs/http.md`)",
            gardefou_policy::debug_routes::ALL.to_vec(),
        ),
        (
            "Release rules (`gardefou deploy check`)",
            gardefou_release::rules::ALL.to_vec(),
        ),
        (
            "Domain rules (`gardefou domains check`)",
            gardefou_domains::rules::ALL.to_vec(),
        ),
        (
            "Isolation between environments (`gardefou report`; see `docs/report.md`)",
            gardefou_policy::isolation::ALL.to_vec(),
        ),
        (
            "Live database identity (`gardefou check --probe`, `run`, `db stamp`, `seed`, the npm package)",
            gardefou_pgprobe::rules::ALL.to_vec(),
        ),
    ]
}

fn markdown(catalogs: &[(&str, Vec<Rule>)]) -> String {
    let mut out = String::from(
        "# Rules\n\n\
         Every finding gardefou reports carries one of these stable rule ids and the section of\n\
         Koomy's policy ([POLICY.md](../POLICY.md)) that it enforces. This page is the output of\n\
         `gardefou rules list --format markdown` (`gardefou rules explain ID` shows one rule);\n\
         `GARDEFOU_UPDATE_DOCS=1 cargo test --test cli docs` rewrites it.\n",
    );
    for (heading, rules) in catalogs {
        out.push_str(&format!(
            "\n## {heading}\n\n| rule | policy | severity | refuses | fix |\n|---|---|---|---|---|\n"
        ));
        for r in rules {
            out.push_str(&format!(
                "| `{}` | §{} | {} | {} | {} |\n",
                r.id,
                r.policy,
                r.weight.text(),
                r.summary,
                r.fix
            ));
        }
    }
    out
}

/// `gardefou rules list`.
pub fn list(args: RulesListArgs) -> Result<ExitCode> {
    let catalogs = catalogs();
    let mut out = std::io::stdout().lock();
    match args.format {
        RulesFormat::Markdown => out.write_all(markdown(&catalogs).as_bytes())?,
        RulesFormat::Json => {
            let rules: Vec<_> = catalogs
                .iter()
                .flat_map(|(group, rules)| {
                    rules.iter().map(move |r| {
                        json!({"id": r.id, "policy": r.policy, "severity": r.weight, "group": group, "summary": r.summary, "fix": r.fix})
                    })
                })
                .collect();
            serde_json::to_writer(&mut out, &rules)?;
            writeln!(out)?;
        }
        RulesFormat::Human => {
            for (group, rules) in &catalogs {
                writeln!(out, "{group}")?;
                for r in rules {
                    let section = format!("§{}", r.policy);
                    writeln!(out, "  {:<40} {section:<5} {}", r.id, r.weight.text())?;
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `gardefou rules explain ID`.
pub fn explain(args: RulesExplainArgs) -> Result<ExitCode> {
    let catalogs = catalogs();
    let found = catalogs
        .iter()
        .find_map(|(group, rules)| rules.iter().find(|r| r.id == args.id).map(|r| (group, r)));
    let Some((group, rule)) = found else {
        // The id is a word the user typed, never a value: safe to repeat when it is one.
        let shown = if args.id.len() <= 60
            && args
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            args.id.as_str()
        } else {
            "that id"
        };
        // The caller's JSON error object (main.rs) says the same.
        anyhow::bail!("no rule is named {shown}; `gardefou rules list` shows them all");
    };
    let mut out = std::io::stdout().lock();
    if args.format == RulesExplainFormat::Json {
        let doc = json!({"id": rule.id, "policy": rule.policy, "severity": rule.weight, "group": group, "summary": rule.summary, "fix": rule.fix});
        writeln!(out, "{doc}")?;
        return Ok(ExitCode::SUCCESS);
    }
    let (id, section, summary, fix) = (rule.id, rule.policy, rule.summary, rule.fix);
    let weight = rule.weight.text();
    let text = gardefou_findings::tr!(
        "{id} — §{section} of the policy (POLICY.md)\nreported by: {group}\nseverity: {weight}\nrefuses: {summary}\nfix: {fix}",
        "{id} — §{section} de la politique (POLICY.md)\nsignalée par : {group}\ngravité : {weight}\nrefuse : {summary}\ncorrection : {fix}"
    );
    writeln!(out, "{text}")?;
    Ok(ExitCode::SUCCESS)
}
