//! `gardefou db stamp` and `gardefou db identity`.

use gardefou_findings::tr;
use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use gardefou_findings::{human, json, Report};
use gardefou_pgprobe::stamp::{Action, StampError, StampOptions, Stamped};
use gardefou_pgprobe::{Identity, StampState};
use gardefou_policy::secrets::Registry as RegistryView;
use gardefou_policy::{evaluate, evaluate_start, Environment};
use serde_json::{json, Value};

use crate::cli::{DbCommand, Format, IdentityArgs, StampArgs};
use crate::cmd::check::print_evaluation;
use crate::{env_source, EXIT_REFUSED};

pub fn run(cmd: DbCommand) -> Result<ExitCode> {
    match cmd {
        DbCommand::Stamp(args) => stamp(args),
        DbCommand::Identity(args) => identity(args),
    }
}

fn stamp(args: StampArgs) -> Result<ExitCode> {
    let (policy, policy_file) = gardefou_sources::load_policy(args.policy.policy.as_deref())?;
    // The same view of the environment as check and run: the process and ./.env.
    let (vars, modelled) = env_source::server_environment(&Default::default(), &args.env_file)?;
    let mut evaluation = evaluate_start(&policy, &vars, &RegistryView::NotConsulted);
    evaluation.report.findings.extend(modelled);
    let mut out = std::io::stdout().lock();
    let (Some(env), Some(target), true) = (
        evaluation.environment,
        evaluation.database.as_ref(),
        evaluation.is_allowed(),
    ) else {
        print_evaluation(&evaluation, policy_file.as_deref(), args.format)?;
        if args.format == Format::Human {
            writeln!(
                out,
                "{}",
                tr!(
                    "not stamped: the static check must pass first",
                    "non tamponnée : la vérification statique doit d'abord passer"
                )
            )?;
        }
        return Ok(ExitCode::from(EXIT_REFUSED));
    };
    let replace = args
        .replace
        .as_deref()
        .and_then(Environment::from_koomy_env);
    let timeout = gardefou_pgprobe::timeout_for(&target.url, policy.database.connect_timeout_ms);
    let url = target.url.clone();
    let where_ = target.describe();
    let options = StampOptions {
        replace,
        grant: args.grant.clone(),
    };
    let result = gardefou_pgprobe::block_on(
        async {
            let client = gardefou_pgprobe::connect(&url).await?;
            Ok(gardefou_pgprobe::stamp::write(&client, env, &options).await)
        },
        timeout,
    );
    let outcome = match result {
        Ok(Ok(stamped)) => Ok(stamped),
        Ok(Err(StampError::Refused(f))) => Err(*f),
        Ok(Err(StampError::Probe(e))) | Err(e) => Err(
            gardefou_pgprobe::rules::DATABASE_UNREACHABLE.error(gardefou_findings::tr!(
                "cannot stamp the database at {where_}: {e}",
                "impossible de tamponner la base de {where_} : {e}"
            )),
        ),
    };
    match outcome {
        Ok(Stamped {
            action,
            identity: id,
            unmarked,
        }) => {
            if args.format == Format::Json {
                let (name, replaced) = match action {
                    Action::Nothing => ("unchanged", serde_json::Value::Null),
                    Action::Create => ("created", serde_json::Value::Null),
                    Action::Replace(old) => ("replaced", old.as_str().into()),
                };
                let doc = serde_json::json!({
                    "verdict": "allow",
                    "environment": env.as_str(),
                    "action": name,
                    "replaced": replaced,
                    "identity": id,
                    "unmarked": unmarked,
                    "granted": args.grant.is_some(),
                    "findings": [],
                });
                writeln!(out, "{doc}")?;
                return Ok(ExitCode::SUCCESS);
            }
            let what = match action {
                Action::Nothing => tr!("already stamped {env}", "déjà tamponnée {env}"),
                Action::Create => tr!("stamped {env}", "tamponnée {env}"),
                Action::Replace(old) => tr!(
                    "stamped {env} (replaced the {old} stamp, kept in gardefou.stamp_history)",
                    "tamponnée {env} (le tampon {old} est remplacé, conservé dans gardefou.stamp_history)"
                ),
            };
            let system = match id.system_identifier.as_deref() {
                Some(s) => s.to_owned(),
                None => tr!("unknown", "inconnu").to_string(),
            };
            let branch = id.neon.branch_id.as_deref().map_or(String::new(), |b| {
                tr!(", Neon branch {b}", ", branche Neon {b}").to_string()
            });
            let (database, oid) = (&id.database, id.database_oid);
            writeln!(
                out,
                "{}",
                tr!(
                    "{what}: database {database} (OID {oid}) of system {system}{branch} at {where_}",
                    "{what} : base {database} (OID {oid}) du système {system}{branch} à {where_}"
                )
            )?;
            if env == Environment::Production {
                writeln!(
                    out,
                    "production's marks: gardefou.lineage, the server pin, and the data mark on every application schema and table this role owns"
                )?;
                if !unmarked.is_empty() {
                    writeln!(
                        out,
                        "warning: {} not marked (owned by another role): a restore of only {} would not be recognised; run gardefou db stamp as the owner",
                        unmarked.join(", "),
                        if unmarked.len() == 1 { "it" } else { "them" }
                    )?;
                }
            }
            if args.grant.is_some() {
                writeln!(
                    out,
                    "{}",
                    tr!(
                        "granted the proof's privileges to the role given with --grant",
                        "droits de la preuve accordés au rôle donné par --grant"
                    )
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(f) => {
            evaluation.report.findings.push(f);
            print_evaluation(&evaluation, policy_file.as_deref(), args.format)?;
            Ok(ExitCode::from(EXIT_REFUSED))
        }
    }
}

fn identity(args: IdentityArgs) -> Result<ExitCode> {
    let policy = gardefou_sources::load_policy(args.policy.policy.as_deref())?.0;
    let evaluation = evaluate(
        &policy,
        &env_source::server_environment(&Default::default(), &args.env_file)?.0,
    );
    let mut out = std::io::stdout().lock();
    let Some(target) = &evaluation.database else {
        // Only the URL matters here; show why it cannot be used.
        let report = Report::new(
            evaluation
                .report
                .findings
                .iter()
                .filter(|f| f.rule.starts_with("database-"))
                .cloned()
                .collect(),
        );
        match args.format {
            Format::Human => human::write_colored(&mut out, &report, None, crate::color::stdout())?,
            Format::Json => json::write(&mut out, &report, &[])?,
        }
        return Ok(ExitCode::from(EXIT_REFUSED));
    };
    let timeout = gardefou_pgprobe::timeout_for(&target.url, policy.database.connect_timeout_ms);
    let probe = match gardefou_pgprobe::probe(&target.url, timeout) {
        Ok(p) => p,
        Err(e) => {
            let target = target.describe();
            let f = gardefou_pgprobe::rules::DATABASE_UNREACHABLE.error(gardefou_findings::tr!(
                "cannot ask the database at {target} what it is: {e}",
                "impossible de demander à la base de {target} ce qu'elle est : {e}"
            ));
            let report = Report::new(vec![f]);
            match args.format {
                Format::Human => {
                    human::write_colored(&mut out, &report, None, crate::color::stdout())?
                }
                Format::Json => json::write(&mut out, &report, &[])?,
            }
            return Ok(ExitCode::from(EXIT_REFUSED));
        }
    };
    match args.format {
        // One object on one line, in the envelope every command writes (docs/json.md).
        Format::Json => json::write(
            &mut out,
            &Report::new(Vec::new()),
            &[
                ("identity", identity_json(&probe.identity)),
                ("stamp", stamp_json(&probe.stamp)),
            ],
        )?,
        Format::Human => write_identity(&mut out, &probe.identity, &probe.stamp)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn identity_json(id: &Identity) -> Value {
    serde_json::to_value(id).unwrap_or(Value::Null)
}

fn stamp_json(s: &StampState) -> Value {
    match s {
        StampState::Absent => Value::Null,
        StampState::Present(stamp) => serde_json::to_value(stamp).unwrap_or(Value::Null),
        StampState::Invalid(why) => json!({ "invalid": why }),
        StampState::Outdated(which) => json!({ "outdated": which }),
        StampState::NotGranted(missing) => json!({ "not_granted": missing }),
    }
}

fn write_identity(out: &mut dyn Write, id: &Identity, stamp: &StampState) -> std::io::Result<()> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    writeln!(
        out,
        "database           {} (OID {})",
        id.database, id.database_oid
    )?;
    writeln!(
        out,
        "server             {}",
        match (&id.server_address, &id.server_port) {
            (Some(a), Some(p)) => format!("{a} port {p}"),
            _ => "Unix socket".into(),
        }
    )?;
    writeln!(out, "version            {}", id.server_version)?;
    writeln!(out, "system identifier  {}", opt(&id.system_identifier))?;
    if id.neon.is_neon() {
        writeln!(out, "neon project       {}", opt(&id.neon.project_id))?;
        writeln!(out, "neon branch        {}", opt(&id.neon.branch_id))?;
        writeln!(out, "neon timeline      {}", opt(&id.neon.timeline_id))?;
        writeln!(out, "neon endpoint      {}", opt(&id.neon.endpoint_id))?;
    }
    for f in &id.forged {
        writeln!(
            out,
            "forged setting     {} (set by {}; ignored)",
            f.name, f.source
        )?;
    }
    match stamp {
        StampState::Absent => writeln!(out, "stamp              none"),
        StampState::Invalid(why) => writeln!(out, "stamp              invalid: {why}"),
        StampState::Outdated(which) => writeln!(
            out,
            "stamp              written by an older gardefou ({which} missing): run gardefou db stamp"
        ),
        StampState::NotGranted(missing) => writeln!(
            out,
            "stamp              not readable by this role: {}",
            missing.join("; ")
        ),
        StampState::Present(s) => {
            let matches = s.binding == id.binding();
            writeln!(
                out,
                "stamp              {} ({}), stamped {}",
                s.environment,
                if matches {
                    "identity matches".to_owned()
                } else {
                    format!(
                        "written in another database: {}",
                        s.binding.differences(&id.binding()).join(", ")
                    )
                },
                s.stamped_at,
            )
        }
    }
}
