//! `gardefou check`: evaluate and report.

use gardefou_findings::tr;
use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use gardefou_findings::{human, json};
use gardefou_policy::{evaluate_start, Evaluation};
use serde_json::Value;

use crate::cli::{CheckArgs, Format};
use crate::cmd::probe::append_live_findings;
use crate::{env_source, EXIT_REFUSED};
use gardefou_pgprobe::verify::Purpose;

pub fn run(args: CheckArgs) -> Result<ExitCode> {
    let (policy, policy_file, registry) = gardefou_sources::load_policy_and_registry(
        args.sources.policy.policy.as_deref(),
        args.sources.registry.as_deref(),
    )?;
    // What the server would see, or the env files named.
    let (vars, modelled) = if args.env_file.is_empty() {
        env_source::server_environment(&Default::default(), &[])?
    } else {
        (env_source::dotenv_files(&args.env_file)?, Vec::new())
    };
    let mut evaluation = registry.with_view(|view| evaluate_start(&policy, &vars, view));
    evaluation.report.findings.extend(modelled);
    if args.probe {
        let _ = append_live_findings(&policy, &mut evaluation, Purpose::Run);
    }
    print_evaluation(&evaluation, policy_file.as_deref(), args.format)?;
    let code = if evaluation.is_allowed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_REFUSED)
    };
    // The process ends here: freeing a policy of tens of thousands of hosts and a registry
    // of as many fingerprints, piece by piece, would only cost time. The key is dropped
    // (and zeroed) as usual; only public data is left to the exit.
    let gardefou_sources::Loaded { registry, key } = registry;
    drop(key);
    std::mem::forget(registry);
    std::mem::forget(policy);
    Ok(code)
}

/// `KOOMY_ENV`'s environment as a JSON value (`null` when missing or invalid).
pub fn environment_value(evaluation: &Evaluation) -> Value {
    evaluation
        .environment
        .map_or(Value::Null, |e| Value::from(e.as_str()))
}

/// [`write_evaluation`] on stdout, coloured when it is a terminal, flushed.
pub fn print_evaluation(
    evaluation: &Evaluation,
    policy_file: Option<&std::path::Path>,
    format: Format,
) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    write_evaluation(
        &mut out,
        evaluation,
        policy_file,
        format,
        crate::color::stdout(),
    )?;
    out.flush()
}

/// The evaluation's report in `format`: [`write_human`], or the JSON object with the
/// environment (`{"verdict", "environment", "findings"}`).
pub fn write_evaluation(
    out: &mut dyn Write,
    evaluation: &Evaluation,
    policy_file: Option<&std::path::Path>,
    format: Format,
    color: bool,
) -> std::io::Result<()> {
    match format {
        Format::Human => write_human(out, evaluation, policy_file, color),
        Format::Json => json::write(
            out,
            &evaluation.report,
            &[("environment", environment_value(evaluation))],
        ),
    }
}

/// The human report, with a summary naming the environment and the database it identified.
/// The report, then the verdict line, which names the environment, the database and the
/// policy file that decided (or the built-in policy).
pub fn write_human(
    out: &mut dyn Write,
    evaluation: &Evaluation,
    policy_file: Option<&std::path::Path>,
    color: bool,
) -> std::io::Result<()> {
    let policy = match policy_file {
        Some(p) => tr!("policy {}", "politique {}", p.display()).to_string(),
        None => tr!("built-in policy", "politique intégrée").to_string(),
    };
    human::write_colored(
        out,
        &evaluation.report,
        Some(&tr!("{}; {policy}", "{} ; {policy}", subject(evaluation))),
        color,
    )
}

fn subject(evaluation: &Evaluation) -> String {
    let env = evaluation.environment.map_or(
        tr!(
            "KOOMY_ENV unset or invalid",
            "KOOMY_ENV absente ou invalide"
        )
        .to_string(),
        |e| format!("KOOMY_ENV={e}"),
    );
    match &evaluation.database {
        Some(db) => {
            let owner = match db.owner {
                Some(o) => o.as_str().to_owned(),
                None => tr!("unlisted", "non listée").to_string(),
            };
            let db = db.describe_text();
            let (db_en, db_fr) = (db.en(), db.fr());
            tr!(
                "{env}; database: {db_en}, {owner}",
                "{env} ; base de données : {db_fr}, {owner}"
            )
            .to_string()
        }
        None => env,
    }
}
