//! `gardefou report`: the isolation matrix. Reads each environment's variables, evaluates
//! them exactly as `check` does, optionally asks the live databases and the DNS, and hands
//! everything to `gardefou-report`, which compares the environments and renders the view.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use gardefou_findings::Finding;
use gardefou_pgprobe::verify::Purpose;
use gardefou_policy::secrets::{entropy, Registry as RegistryView, FINGERPRINT_MIN_BITS};
use gardefou_policy::{evaluate_start, EnvVars, Evaluation, Policy};
use gardefou_report::{ColumnInput, Fingerprint, Live, RegistryState, Scope};

use crate::cli::{ReportArgs, ReportFormat};
use crate::cmd::probe::probe_target;
use crate::{env_source, EXIT_REFUSED};

/// One environment as read.
struct Read {
    environment: gardefou_policy::Environment,
    source: String,
    vars: EnvVars,
    evaluation: Evaluation,
}

pub fn run(args: ReportArgs) -> Result<ExitCode> {
    let format = args.format();
    let mut seen = Vec::new();
    for e in &args.envs {
        if seen.contains(&e.environment) {
            bail!("--env {} is given more than once", e.environment);
        }
        seen.push(e.environment);
    }
    if args.envs.iter().filter(|e| e.file.is_none()).count() > 1 {
        bail!("only one --env may take the process environment (ENV=-)");
    }
    let (policy, policy_file, loaded) = gardefou_sources::load_policy_and_registry(
        args.sources.policy.policy.as_deref(),
        args.sources.registry.as_deref(),
    )?;
    let registry_path =
        gardefou_sources::registry_path(args.sources.registry.as_deref(), policy_file.as_deref());

    // Each environment, evaluated as `check` evaluates it.
    let mut read = Vec::new();
    for e in &args.envs {
        let (vars, modelled, source) = match &e.file {
            Some(file) => (
                env_source::dotenv_files(std::slice::from_ref(file))?,
                Vec::new(),
                file.display().to_string(),
            ),
            None => {
                let (vars, modelled) = env_source::server_environment(&Default::default(), &[])?;
                (vars, modelled, "the process environment".to_owned())
            }
        };
        let mut evaluation = loaded.with_view(|view| evaluate_start(&policy, &vars, view));
        evaluation.report.findings.extend(modelled);
        read.push(Read {
            environment: e.environment,
            source,
            vars,
            evaluation,
        });
    }

    let lives: Vec<Option<Live>> = if args.probe {
        std::thread::scope(|scope| {
            let handles: Vec<_> = read
                .iter()
                .map(|r| scope.spawn(|| live(&policy, r)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .map(Some)
                .collect()
        })
    } else {
        read.iter().map(|_| None).collect()
    };

    let (domain_findings, resolutions) = domains(&policy, &args)?;

    // Fingerprints: the registry's where it can be used, else a key drawn for this report.
    let ephemeral = gardefou_secrets::Key::ephemeral()?;
    let mut keyed = None;
    let view = loaded.view(&mut keyed);
    let state = match &view {
        RegistryView::NotConsulted | RegistryView::Missing => RegistryState::Missing,
        RegistryView::KeyMissing => RegistryState::KeyMissing,
        RegistryView::KeyRejected(_) => RegistryState::KeyRejected,
        RegistryView::Ready(_) => RegistryState::Ready,
    };
    let fingerprint = |value: &str| match &view {
        RegistryView::Ready(registry) if entropy::estimate(value).bits >= FINGERPRINT_MIN_BITS => {
            Fingerprint {
                value: registry.short_fingerprint(value),
                scope: Scope::Registry,
            }
        }
        _ => Fingerprint {
            value: ephemeral.short_fingerprint(value),
            scope: Scope::Report,
        },
    };

    let matrix = gardefou_report::build(&gardefou_report::Input {
        lang: gardefou_report::Lang::current(),
        policy: &policy,
        policy_file: policy_file.as_ref().map(|p| p.display().to_string()),
        registry: (state, registry_path.display().to_string()),
        columns: read
            .iter()
            .zip(lives)
            .map(|(r, live)| ColumnInput {
                environment: r.environment,
                source: r.source.clone(),
                vars: &r.vars,
                evaluation: &r.evaluation,
                live,
            })
            .collect(),
        fingerprint: &fingerprint,
        domain_findings: &domain_findings,
        resolutions: resolutions.as_ref(),
    });

    let mut text = Vec::new();
    match format {
        ReportFormat::Human => {
            let color = args.output.is_none() && crate::color::stdout();
            gardefou_report::human::write(&mut text, &matrix, color)?
        }
        ReportFormat::Json => gardefou_report::json::write(&mut text, &matrix)?,
        ReportFormat::Html => gardefou_report::html::write(&mut text, &matrix)?,
    }
    match &args.output {
        Some(path) => gardefou_sources::replace(path, &text)
            .with_context(|| format!("cannot write the report to {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&text)?;
            out.flush()?;
        }
    }
    Ok(if matrix.is_violated() {
        ExitCode::from(EXIT_REFUSED)
    } else {
        ExitCode::SUCCESS
    })
}

/// The live database of one environment: asked when its `DATABASE_URL` passes the grammar
/// and names a server the policy lists (whatever else the static check says: the report
/// shows what answers there), judged for its `KOOMY_ENV` (else the environment it is given
/// for) as `check --probe` judges it.
fn live(policy: &Policy, read: &Read) -> Live {
    let Some(target) = read
        .evaluation
        .database
        .as_ref()
        .filter(|t| t.owner.is_some())
    else {
        return Live::NotAsked;
    };
    let env = read.evaluation.environment.unwrap_or(read.environment);
    let (probe, findings) = probe_target(policy, env, target, Purpose::Run);
    Live::Asked {
        probe: probe.map(Box::new),
        findings,
    }
}

type Resolutions = std::collections::BTreeMap<String, gardefou_domains::Resolution>;

/// The §9 table's findings, and with --resolve its DNS chains and their findings (as
/// `domains check`).
fn domains(policy: &Policy, args: &ReportArgs) -> Result<(Vec<Finding>, Option<Resolutions>)> {
    let table = &policy.domains;
    let mut findings = gardefou_domains::check_table(table);
    if !args.resolve {
        return Ok((findings, None));
    }
    let options = args.dns.options()?;
    let resolved = gardefou_domains::resolve(table, &options)?;
    findings.extend(gardefou_domains::analyze(
        table,
        &resolved,
        table.shared_addresses,
    ));
    Ok((findings, Some(resolved)))
}
