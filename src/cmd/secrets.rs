//! `gardefou secrets register`: record this environment's secrets in the registry.

use gardefou_findings::tr;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use gardefou_findings::{human, Report};
use gardefou_policy::evaluate_start;
use gardefou_policy::secrets::{rules, secret_values, Registry as RegistryView};
use gardefou_secrets::{Keyed, Registered, Registry};

use crate::cli::{Format, RegisterArgs};
use crate::env_vars::GARDEFOU_SECRETS_KEY;
use crate::{env_source, EXIT_REFUSED};

/// A refusal: the JSON report on stdout, or the human one on stderr; exit 1.
fn refuse(format: Format, report: &Report, summary: &str) -> Result<ExitCode> {
    match format {
        Format::Json => gardefou_findings::json::write(&mut std::io::stdout().lock(), report, &[])?,
        Format::Human => human::write_colored(
            &mut std::io::stderr().lock(),
            report,
            Some(summary),
            crate::color::stderr(),
        )?,
    }
    Ok(ExitCode::from(EXIT_REFUSED))
}

pub fn register(args: RegisterArgs) -> Result<ExitCode> {
    let (policy, policy_file) =
        gardefou_sources::load_policy(args.sources.policy.policy.as_deref())?;
    let path =
        gardefou_sources::registry_path(args.sources.registry.as_deref(), policy_file.as_deref());
    let vars = if args.env_file.is_empty() {
        env_source::server_environment(&Default::default(), &[])?.0
    } else {
        env_source::dotenv_files(&args.env_file)?
    };
    let key = gardefou_sources::registry_key()
        .map_err(anyhow::Error::msg)?
        .with_context(|| {
            format!("{GARDEFOU_SECRETS_KEY} is not set: the registry's fingerprints are keyed with it (generate one once with `openssl rand -base64 32`, keep it in the secret manager of every environment)")
        })?;
    let existing = gardefou_sources::read_registry(&path)?;
    if let Some(r) = &existing {
        if !r.accepts(&key) {
            anyhow::bail!(
                "{GARDEFOU_SECRETS_KEY} is not the key the secrets registry {} was made with",
                path.display()
            );
        }
    }
    let mut registry = existing.unwrap_or_else(|| Registry::new(&key));

    // A refused environment is not registered: its secrets could belong elsewhere (a live
    // key in sandbox would otherwise be recorded as sandbox's).
    let evaluation = {
        let keyed = Keyed {
            registry: &registry,
            key: &key,
        };
        evaluate_start(&policy, &vars, &RegistryView::Ready(&keyed))
    };
    let Some(env) = evaluation.environment.filter(|_| evaluation.is_allowed()) else {
        // Registering is what fixes `secret-unregistered`: not worth repeating here.
        let mut report = evaluation.report;
        report
            .findings
            .retain(|f| f.rule != rules::SECRET_UNREGISTERED.id);
        return refuse(
            args.format,
            &report,
            &tr!(
                "not registered: the environment is refused",
                "non enregistré : l'environnement est refusé"
            ),
        );
    };

    let mut lines = Vec::new();
    let mut entries = Vec::new();
    let mut refused = Vec::new();
    for s in secret_values(&policy, &vars) {
        match registry.register(&key, env, &s.name, &s.value, s.estimate.bits) {
            Registered::Added(fp) => {
                lines.push(format!("  added      {:<28} {}", s.label, &fp[..8]));
                entries.push(serde_json::json!({"secret": s.label, "status": "added", "fingerprint": &fp[..8]}));
            }
            Registered::Unchanged(fp) => {
                lines.push(format!("  unchanged  {:<28} {}", s.label, &fp[..8]));
                entries.push(serde_json::json!({"secret": s.label, "status": "unchanged", "fingerprint": &fp[..8]}));
            }
            Registered::TooWeak(bits) => {
                lines.push(format!(
                    "  skipped    {:<28} about {bits} bits of entropy: too few to fingerprint safely",
                    s.label
                ));
                entries.push(
                    serde_json::json!({"secret": s.label, "status": "skipped", "bits": bits}),
                );
            }
            Registered::Elsewhere(fp, owners) => {
                for (other, var) in owners {
                    refused.push(
                        rules::SECRET_REGISTERED_ELSEWHERE
                            .error({
                                let (label, short) = (s.label_text(), &fp[..8]);
                                gardefou_findings::tr!(
                                    "{} (fingerprint {short}) is registered under {other} as {var}",
                                    "{} (empreinte {short}) est enregistrée sous {other} sous le nom {var}";
                                    label
                                )
                            })
                            .with_fingerprint(&fp[..8]),
                    );
                }
            }
        }
    }
    if !refused.is_empty() {
        return refuse(
            args.format,
            &Report::new(refused),
            &tr!(
                "not registered: nothing was written",
                "non enregistré : rien n'a été écrit"
            ),
        );
    }
    write_atomically(&path, &registry.to_toml())?;
    let mut out = std::io::stdout().lock();
    if args.format == Format::Json {
        let doc = serde_json::json!({
            "verdict": "allow",
            "environment": env.as_str(),
            "registry": path.display().to_string(),
            "secrets": entries,
            "findings": [],
        });
        writeln!(out, "{doc}")?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let path = path.display();
    writeln!(
        out,
        "{}",
        tr!("{env} secrets in {path}:", "secrets {env} dans {path} :")
    )?;
    for l in lines {
        writeln!(out, "{l}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the registry atomically (a reader never sees half of it), never through a symlink.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    gardefou_sources::replace(path, text.as_bytes())
        .with_context(|| format!("cannot write the secrets registry {}", path.display()))
}
