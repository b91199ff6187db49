//! `gardefou domains check`: §9, statically and optionally through DNS.

use gardefou_findings::tr;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use gardefou_domains::{analyze, check_table, resolve, Outcome, Resolution};
use gardefou_findings::{human, json, Report};
use serde_json::{json, Value};

use crate::cli::{DomainsCheckArgs, Format};
use crate::EXIT_REFUSED;

pub fn run(args: DomainsCheckArgs) -> Result<ExitCode> {
    let policy = gardefou_sources::load_policy(args.policy.policy.as_deref())?.0;
    let table = &policy.domains;
    let mut findings = check_table(table);
    let mut resolutions = None;
    let options = args.dns.options()?;
    if args.resolve {
        let resolved = resolve(table, &options)?;
        findings.extend(analyze(table, &resolved, table.shared_addresses));
        resolutions = Some(resolved);
    }
    let report = Report::new(findings);
    let names = table.production.len() + table.sandbox.len() + table.local.len();
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Human => {
            let subject = if args.resolve {
                let nameserver = &options.nameserver;
                tr!(
                    "{names} names, resolved via {nameserver}",
                    "{names} noms, résolus via {nameserver}"
                )
            } else {
                tr!("{names} names, not resolved", "{names} noms, non résolus")
            };
            human::write_colored(
                &mut out,
                &report,
                Some(subject.as_str()),
                crate::color::stdout(),
            )?
        }
        Format::Json => json::write(
            &mut out,
            &report,
            &[(
                "resolutions",
                resolutions.as_ref().map_or(Value::Null, to_json),
            )],
        )?,
    }
    out.flush()?;
    Ok(if report.is_denied() {
        ExitCode::from(EXIT_REFUSED)
    } else {
        ExitCode::SUCCESS
    })
}

fn to_json(resolutions: &BTreeMap<String, Resolution>) -> Value {
    resolutions
        .iter()
        .map(|(name, r)| {
            let outcome = match &r.outcome {
                Outcome::Addresses(a) => json!({
                    "addresses": a.iter().map(|ip| ip.to_string()).collect::<Vec<_>>()
                }),
                Outcome::Unresolvable { name, reason } => {
                    json!({"error": format!("{reason} for {name}")})
                }
                Outcome::Loop => json!({"error": "CNAME loop"}),
                Outcome::TooLong => json!({"error": "CNAME chain too long"}),
            };
            let mut entry = json!({ "chain": r.chain });
            if let (Value::Object(e), Value::Object(o)) = (&mut entry, outcome) {
                e.extend(o);
            }
            (name.clone(), entry)
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}
