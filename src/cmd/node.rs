//! `gardefou node register|prove`: the interface of the npm package, so that a Node
//! process is judged by gardefou's own rules (this binary), never by a second
//! implementation in JavaScript.
//!
//! - `register` judges the process that calls it: its environment (the real `process.env`,
//!   after the application loaded its env files), its Node options and whether its
//!   inspector is open (a JSON object on stdin), then proves the live database on a
//!   connection of its own, as `run` does. The human report goes to stderr; stdout gets one
//!   JSON object: the report, and what the package needs next — the cheap identity of the
//!   proven database, and whether the debug routes may be mounted.
//! - `prove` proves a connection the application opened itself, in that connection's own
//!   session: it writes `{"query": SQL}` lines to stdout, reads `{"rows": [[…]]}` or
//!   `{"error": {"server": BOOL, "message": TEXT}}` lines from stdin (the package runs each
//!   query on its connection), and ends with one JSON object: the report, the identity and
//!   the cheap identity to compare the next connections with.
//!
//! Both exit 0 when allowed, 1 when refused, 2 on a usage or configuration error.

use std::io::{BufRead, Read, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use gardefou_findings::{json, Report};
use gardefou_pgprobe::verify::{seed_environment, verify, Purpose};
use gardefou_pgprobe::{CheapIdentity, Identity, QueryFailure, Row, Session};
use gardefou_policy::{evaluate_start, Environment, Evaluation, Policy};
use serde_json::{json, Value};

use crate::cli::{NodeArgs, NodePurpose};
use crate::cmd::check::{environment_value, write_human};
use crate::cmd::probe::append_live_findings;
use crate::cmd::run::{inspector_findings, Files};
use crate::{env_source, EXIT_REFUSED};

/// The most stdin may hold for one message: the process facts, or one query's rows.
const MESSAGE_LIMIT: u64 = 4 << 20;

fn purpose(p: NodePurpose) -> Purpose {
    match p {
        NodePurpose::Run => Purpose::Run,
        NodePurpose::Seed => Purpose::Seed,
    }
}

/// What `register` is told about the process, beside its environment.
#[derive(Default)]
struct Facts {
    exec_argv: Vec<String>,
    script: Option<String>,
    inspector_open: bool,
}

fn read_facts() -> Result<Facts> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(MESSAGE_LIMIT)
        .read_line(&mut line)
        .context("cannot read the process facts on stdin")?;
    if line.trim().is_empty() {
        return Ok(Facts::default());
    }
    let v: Value = serde_json::from_str(&line).map_err(|e| {
        anyhow::anyhow!(
            "the process facts on stdin are not JSON (column {})",
            e.column()
        )
    })?;
    let strings = |key: &str| -> Result<Vec<String>> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    s.as_str()
                        .map(str::to_owned)
                        .with_context(|| format!("{key}[{i}] is not a string"))
                })
                .collect(),
            Some(_) => anyhow::bail!("{key} is not an array of strings"),
        }
    };
    Ok(Facts {
        exec_argv: strings("execArgv")?,
        script: v.get("script").and_then(Value::as_str).map(str::to_owned),
        inspector_open: match v.get("inspectorUrl") {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.is_empty(),
            Some(_) => anyhow::bail!("inspectorUrl is not a string"),
        },
    })
}

/// The static check of the process environment, with the registry.
fn evaluate_process(args: &NodeArgs) -> Result<(Policy, Option<std::path::PathBuf>, Evaluation)> {
    let (policy, policy_file, registry) = gardefou_sources::load_policy_and_registry(
        args.sources.policy.policy.as_deref(),
        args.sources.registry.as_deref(),
    )?;
    let vars = env_source::process();
    let mut evaluation = registry.with_view(|view| evaluate_start(&policy, &vars, view));
    if purpose(args.purpose) == Purpose::Seed {
        evaluation
            .report
            .findings
            .extend(seed_environment(&policy, evaluation.environment));
    }
    Ok((policy, policy_file, evaluation))
}

fn exit(report: &Report) -> ExitCode {
    if report.is_denied() {
        ExitCode::from(EXIT_REFUSED)
    } else {
        ExitCode::SUCCESS
    }
}

/// `gardefou node register`.
pub fn register(args: NodeArgs) -> Result<ExitCode> {
    let facts = read_facts()?;
    let (policy, policy_file, mut evaluation) = evaluate_process(&args)?;
    // The process environment already holds what its env files set: an env file that sets
    // the allowed signers is found in the files themselves.
    let files = env_source::server_environment(&Default::default(), &[])?.1;
    evaluation.report.findings.extend(
        files
            .into_iter()
            .filter(|f| f.rule == gardefou_policy::rules::POLICY_SIGNERS_INVALID.id),
    );
    if evaluation.environment == Some(Environment::Production) {
        // The process's own Node options, as `run` reads a command line (NODE_OPTIONS and
        // npm's configuration come from the environment), and the inspector as it is.
        let mut argv = vec!["node".to_owned()];
        argv.extend(facts.exec_argv.iter().cloned());
        argv.extend(facts.script.iter().cloned());
        let vars = env_source::process();
        let analysis = gardefou_policy::secrets::command::analyse(&argv, &Files { vars: &vars });
        evaluation
            .report
            .findings
            .extend(inspector_findings(&analysis));
        if facts.inspector_open {
            evaluation.report.findings.push(
                gardefou_policy::secrets::rules::NODE_INSPECTOR_IN_PRODUCTION.error(
                    gardefou_findings::tr!(
                        "Node's inspector is open in this production process",
                        "l'inspecteur de Node est ouvert dans ce processus de production"
                    ),
                ),
            );
        }
    }
    let identity = append_live_findings(&policy, &mut evaluation, purpose(args.purpose));
    let mut scratch = Vec::new();
    let debug_routes = evaluation.is_allowed()
        && gardefou_policy::debug_routes::mount_secret(
            evaluation.environment,
            &env_source::process(),
            &mut scratch,
        )
        .is_some();
    write_human(
        &mut std::io::stderr().lock(),
        &evaluation,
        policy_file.as_deref(),
        crate::color::stderr(),
    )?;
    reply(
        &evaluation,
        identity.as_ref(),
        vec![
            ("purpose", purpose_name(args.purpose).into()),
            (
                "target",
                evaluation
                    .database
                    .as_ref()
                    .map_or(Value::Null, |d| d.describe().into()),
            ),
            ("debug_routes", debug_routes.into()),
        ],
    )
}

/// The last JSON object of both commands: the report, `environment` first, the `extra`
/// fields, then `session` — the cheap identity of the proven database, only when allowed.
fn reply(
    evaluation: &Evaluation,
    identity: Option<&Identity>,
    extra: Vec<(&str, Value)>,
) -> Result<ExitCode> {
    let session = identity
        .filter(|_| evaluation.is_allowed())
        .and_then(CheapIdentity::of);
    let mut fields = vec![("environment", environment_value(evaluation))];
    fields.extend(extra);
    fields.push(("session", serde_json::to_value(session)?));
    let mut out = std::io::stdout().lock();
    json::write(&mut out, &evaluation.report, &fields)?;
    out.flush()?;
    Ok(exit(&evaluation.report))
}

fn purpose_name(p: NodePurpose) -> &'static str {
    match p {
        NodePurpose::Run => "run",
        NodePurpose::Seed => "seed",
    }
}

/// A connection held by the process on the other end of stdin/stdout.
struct Stdio;

impl Stdio {
    fn ask(&self, sql: &str) -> Result<Vec<Row>, QueryFailure> {
        let lost = |why: &str| QueryFailure {
            from_server: false,
            message: format!("the connection's holder {why}"),
        };
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, &json!({ "query": sql }))
            .map_err(|_| lost("cannot be written to"))?;
        out.write_all(b"\n")
            .and_then(|()| out.flush())
            .map_err(|_| lost("cannot be written to"))?;
        // Released before waiting for the answer: the watchdog may need it.
        drop(out);
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .take(MESSAGE_LIMIT)
            .read_line(&mut line)
            .map_err(|_| lost("cannot be read"))?;
        if !line.ends_with('\n') {
            return Err(lost("closed the exchange or sent too much"));
        }
        let answer: Value =
            serde_json::from_str(&line).map_err(|_| lost("did not answer with JSON"))?;
        if let Some(error) = answer.get("error") {
            return Err(QueryFailure {
                from_server: error.get("server").and_then(Value::as_bool) == Some(true),
                message: error
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("the query failed")
                    .to_owned(),
            });
        }
        let Some(Value::Array(rows)) = answer.get("rows") else {
            return Err(lost("answered neither rows nor an error"));
        };
        rows.iter()
            .map(|row| match row {
                Value::Array(cols) => cols
                    .iter()
                    .map(|c| match c {
                        Value::Null => Ok(None),
                        Value::String(s) => Ok(Some(s.clone())),
                        _ => Err(lost("sent a column that is not text")),
                    })
                    .collect(),
                _ => Err(lost("sent a row that is not an array")),
            })
            .collect()
    }
}

impl Session for Stdio {
    async fn simple_query(&self, sql: &str) -> Result<Vec<Row>, QueryFailure> {
        self.ask(sql)
    }
}

/// Ends the process with a refusal after `timeout`: the exchange with the connection's
/// holder reads stdin, which the async timeout of the probe cannot interrupt.
fn watchdog(timeout: std::time::Duration, environment: Value) {
    std::thread::spawn(move || {
        std::thread::sleep(timeout);
        let report = Report::new(vec![gardefou_pgprobe::rules::DATABASE_UNREACHABLE.error({
            let ms = timeout.as_millis();
            gardefou_findings::tr!(
                "the connection did not answer the proof within {ms} ms",
                "la connexion n'a pas répondu à la preuve dans les {ms} ms"
            )
        })]);
        let mut out = std::io::stdout().lock();
        let _ = json::write(
            &mut out,
            &report,
            &[
                ("environment", environment),
                ("identity", Value::Null),
                ("stamp", Value::Null),
                ("session", Value::Null),
            ],
        );
        let _ = out.flush();
        std::process::exit(i32::from(EXIT_REFUSED));
    });
}

/// `gardefou node prove`.
pub fn prove(args: NodeArgs) -> Result<ExitCode> {
    let (policy, _, mut evaluation) = evaluate_process(&args)?;
    if args.inspector_open && evaluation.environment == Some(Environment::Production) {
        evaluation.report.findings.push(
            gardefou_policy::secrets::rules::NODE_INSPECTOR_IN_PRODUCTION.error(
                gardefou_findings::tr!(
                    "Node's inspector is open in this production process",
                    "l'inspecteur de Node est ouvert dans ce processus de production"
                ),
            ),
        );
    }
    let mut identity: Option<Identity> = None;
    let mut stamp: Option<&'static str> = None;
    if let (Some(env), Some(target)) = (evaluation.environment, &evaluation.database) {
        let session = Stdio;
        let timeout =
            gardefou_pgprobe::timeout_for(&target.url, policy.database.connect_timeout_ms);
        watchdog(timeout, environment_value(&evaluation));
        let probe = gardefou_pgprobe::block_on(gardefou_pgprobe::read(&session), timeout);
        evaluation.report.findings.extend(verify(
            &policy,
            env,
            &target.describe(),
            &probe,
            purpose(args.purpose),
        ));
        if let Ok(p) = probe {
            if let gardefou_pgprobe::StampState::Present(s) = &p.stamp {
                stamp = Some(s.environment.as_str());
            }
            identity = Some(p.identity);
        }
    }
    reply(
        &evaluation,
        identity.as_ref(),
        vec![
            ("identity", serde_json::to_value(&identity)?),
            ("stamp", stamp.map_or(Value::Null, Value::from)),
        ],
    )
}
