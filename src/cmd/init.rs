//! `gardefou init`: a first `gardefou.toml` from the company's env files. The inference is
//! `gardefou_policy::draft`'s; this module finds and reads the files and writes the result.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use gardefou_findings::{tr, Report};
use gardefou_policy::draft::{self, Source};
use gardefou_policy::{EnvVars, Environment, Policy};
use serde_json::{json, Value};

use crate::cli::{Format, InitArgs};
use crate::EXIT_REFUSED;

/// The env files looked for when none is named, and the environment each name implies.
const DISCOVERED: [(&str, Option<Environment>); 7] = [
    (".env.production", Some(Environment::Production)),
    (".env.prod", Some(Environment::Production)),
    (".env.sandbox", Some(Environment::Sandbox)),
    (".env.staging", Some(Environment::Sandbox)),
    (".env.local", Some(Environment::Local)),
    (".env.development", Some(Environment::Local)),
    (".env", None),
];

struct EnvFile {
    label: String,
    environment: Environment,
    vars: EnvVars,
    lines: BTreeMap<String, usize>,
}

pub fn run(args: InitArgs) -> Result<ExitCode> {
    let to_stdout = args.output == Path::new("-");
    let json = args.format == Format::Json;
    if !to_stdout && !args.force && std::fs::symlink_metadata(&args.output).is_ok() {
        let output = args.output.display();
        bail!(
            "{}",
            tr!(
                "{output} exists: nothing written (--force replaces it)",
                "{output} existe : rien n'est écrit (--force le remplace)"
            )
        );
    }
    let files = if args.env.is_empty() {
        discover()?
    } else {
        named(&args.env)?
    };
    let sources: Vec<Source<'_>> = files
        .iter()
        .map(|f| Source {
            label: &f.label,
            environment: f.environment,
            vars: &f.vars,
            lines: &f.lines,
        })
        .collect();
    let draft = draft::draft(&sources);
    let mut notes = Vec::new();
    if files.is_empty() {
        notes.push(tr!(
            "no env file found (.env.production, .env.sandbox…): the databases are left to fill in; name files with --env ENV=FILE",
            "aucun fichier d'environnement trouvé (.env.production, .env.sandbox…) : les bases restent à renseigner ; nommez les fichiers avec --env ENV=FICHIER"
        ));
    }
    notes.extend(draft.notes.iter().cloned());
    for file in &files {
        if declared(&file.vars).is_none() {
            let (label, env) = (&file.label, file.environment);
            notes.push(tr!(
                "{label} sets no KOOMY_ENV: the server it configures needs KOOMY_ENV={env} (§3)",
                "{label} ne définit pas KOOMY_ENV : le serveur qu'il configure a besoin de KOOMY_ENV={env} (§3)"
            ));
        }
    }
    let report = Report::new(draft.conflicts.clone());
    if report.is_denied() {
        // Nothing is written when the files contradict each other.
        if json {
            let mut out = std::io::stdout().lock();
            gardefou_findings::json::write(&mut out, &report, &[("written", Value::Null)])?;
        } else {
            let mut err = std::io::stderr().lock();
            gardefou_findings::human::write_colored(
                &mut err,
                &report,
                Some(&tr!("nothing written", "rien n'est écrit")),
                crate::color::stderr(),
            )?;
        }
        return Ok(ExitCode::from(EXIT_REFUSED));
    }
    // What init writes, the policy reader accepts: a draft that does not parse is a bug.
    Policy::from_toml(&draft.toml, "the drafted gardefou.toml")
        .map_err(|e| anyhow::anyhow!("the drafted policy does not parse: {e}"))?;
    if !to_stdout {
        gardefou_sources::replace(&args.output, draft.toml.as_bytes())
            .with_context(|| format!("cannot write {}", args.output.display()))?;
    }
    if json {
        let mut extra = vec![
            (
                "written",
                if to_stdout {
                    Value::Null
                } else {
                    json!(args.output.display().to_string())
                },
            ),
            ("notes", json!(notes)),
        ];
        if to_stdout {
            extra.push(("policy", json!(draft.toml)));
        }
        let mut out = std::io::stdout().lock();
        gardefou_findings::json::write(&mut out, &report, &extra)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut err = std::io::stderr().lock();
    for note in &notes {
        writeln!(err, "{}", tr!("note: {note}", "remarque : {note}"))?;
    }
    if to_stdout {
        std::io::stdout().lock().write_all(draft.toml.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let output = args.output.display();
    writeln!(
        err,
        "{}",
        tr!(
            "gardefou: wrote {output}: review it, then check each environment (gardefou check --env-file FILE)",
            "gardefou : {output} écrit : relisez-le, puis vérifiez chaque environnement (gardefou check --env-file FICHIER)"
        )
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `--env ENV=FILE`…: each file must exist; a KOOMY_ENV inside that names another
/// environment is a usage error.
fn named(entries: &[String]) -> Result<Vec<EnvFile>> {
    let mut out = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let Some((env, file)) = entry.split_once('=') else {
            bail!(
                "--env #{}: expected ENV=FILE (e.g. production=.env.production)",
                i + 1
            );
        };
        let Some(environment) = Environment::from_koomy_env(env) else {
            bail!(
                "--env #{}: {env:?} is not an environment: production, sandbox or local",
                i + 1
            );
        };
        let path = PathBuf::from(file);
        let (vars, lines) = read(&path)?
            .with_context(|| format!("--env #{}: {} does not exist", i + 1, path.display()))?;
        if let Some(own) = declared(&vars) {
            if own != environment {
                bail!(
                    "--env #{}: {} sets KOOMY_ENV={own} (line {}), not {environment}",
                    i + 1,
                    path.display(),
                    lines.get("KOOMY_ENV").copied().unwrap_or(0)
                );
            }
        }
        out.push(EnvFile {
            label: path.display().to_string(),
            environment,
            vars,
            lines,
        });
    }
    Ok(out)
}

/// The env files of the current directory, each by its KOOMY_ENV, else by its name; a
/// file whose environment cannot be told is left out with a note.
fn discover() -> Result<Vec<EnvFile>> {
    let mut out = Vec::new();
    for (name, by_name) in DISCOVERED {
        let path = Path::new(name);
        let Some((vars, lines)) = read(path)? else {
            continue;
        };
        let environment = match (declared(&vars), by_name) {
            (Some(own), _) => own,
            (None, Some(env)) => env,
            (None, None) => {
                eprintln!(
                    "{}",
                    tr!(
                        "note: {name} left out: it sets no KOOMY_ENV, so its environment is unknown (name it with --env ENV={name})",
                        "remarque : {name} ignoré : il ne définit pas KOOMY_ENV, son environnement est donc inconnu (nommez-le avec --env ENV={name})"
                    )
                );
                continue;
            }
        };
        out.push(EnvFile {
            label: name.to_owned(),
            environment,
            vars,
            lines,
        });
    }
    Ok(out)
}

/// The file's `KOOMY_ENV`, when it is one of the three.
fn declared(vars: &EnvVars) -> Option<Environment> {
    vars.get("KOOMY_ENV")
        .and_then(|v| Environment::from_koomy_env(v.expose()))
}

/// Reads an env file the way dotenv does (the reader `check` uses): its variables and their
/// lines (`None`: no file).
fn read(path: &Path) -> Result<Option<(EnvVars, BTreeMap<String, usize>)>> {
    let Some(text) = crate::env_source::read_env_file(path)? else {
        return Ok(None);
    };
    let parsed = gardefou_dotenv::parse(&text);
    let mut vars = EnvVars::new();
    let mut lines = BTreeMap::new();
    for (name, value) in parsed.iter() {
        vars.insert(name, value);
        if let Some(line) = parsed.line_of(name) {
            lines.insert(name.to_owned(), line);
        }
    }
    Ok(Some((vars, lines)))
}
