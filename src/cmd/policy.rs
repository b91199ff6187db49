//! `gardefou policy sign|verify|diff`: the CTO's signature on the policy file (§11).

use gardefou_findings::tr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use gardefou_findings::{human, json, Report};
use gardefou_policy::diff::{self, Change};
use gardefou_policy::signature::{Origin, SignatureCheck};
use gardefou_policy::{Environment, Policy};
use gardefou_redact::Secret;
use gardefou_sources::signature::{self as sig, NAMESPACE};
use gardefou_sshsig::{KeyError, SigningKey};
use serde_json::{json, Value};

use crate::cli::{Format, PolicyDiffArgs, PolicySignArgs, PolicyVerifyArgs};
use crate::EXIT_REFUSED;

/// The most a private key file may hold.
const KEY_LIMIT: u64 = 64 << 10;

/// The policy file the command works on: a file, never the built-in policy.
fn policy_file(explicit: Option<&Path>) -> Result<PathBuf> {
    gardefou_sources::policy_path(explicit)?.context(
        "there is no policy file to work on (no --policy, no $GARDEFOU_POLICY, no gardefou.toml here or above)",
    )
}

/// `gardefou policy sign`.
pub fn sign(args: PolicySignArgs) -> Result<ExitCode> {
    let path = policy_file(args.policy.policy.as_deref())?;
    // A policy that does not parse is not signed: the error names the line.
    let (_, bytes) = gardefou_sources::read_policy_bytes(&path)?;
    let equivalent = format!(
        "ssh-keygen -Y sign -n {NAMESPACE} -f {} {}",
        args.key.display(),
        path.display()
    );
    let key_bytes = gardefou_sources::bounded::read_regular(&args.key, KEY_LIMIT)
        .with_context(|| format!("cannot read the key file {}", args.key.display()))?;
    let text = Secret::from(String::from_utf8(key_bytes).map_err(|_| {
        anyhow::anyhow!(
            "the key file {} is not an OpenSSH private key",
            args.key.display()
        )
    })?);
    let key = match SigningKey::from_openssh(&text) {
        Ok(key) => key,
        Err(e @ (KeyError::Encrypted | KeyError::NotOpenssh)) => bail!(
            "{}: {e}; sign with ssh-keygen instead (it asks for the passphrase, or uses ssh-agent with a .pub file): {equivalent}",
            args.key.display()
        ),
        Err(e) => bail!("{}: {e}", args.key.display()),
    };
    drop(text);
    let signature = key
        .sign(&bytes, NAMESPACE)
        .with_context(|| format!("cannot sign with {}", args.key.display()))?;
    let sig_path = sig::signature_path(&path);
    gardefou_sources::replace(&sig_path, signature.as_bytes())
        .with_context(|| format!("cannot write {}", sig_path.display()))?;
    let principal = if key.comment().contains('@') && !key.comment().contains(char::is_whitespace) {
        key.comment().to_owned()
    } else {
        "cto@koomy.app".to_owned()
    };
    let signer_line = format!(
        "{principal} namespaces=\"{NAMESPACE}\" {}",
        key.public_key_line()
    );
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Human => {
            let (policy, algorithm, fingerprint, signature) = (
                path.display(),
                key.algorithm(),
                key.fingerprint(),
                sig_path.display(),
            );
            writeln!(
                out,
                "{}",
                tr!(
                    "signed {policy} with {algorithm} {fingerprint}: {signature}",
                    "{policy} signée avec {algorithm} {fingerprint} : {signature}"
                )
            )?;
            writeln!(
                out,
                "{}",
                tr!(
                    "allowed signers line for this key (GARDEFOU_ALLOWED_SIGNERS, in the platform's secret store):\n{signer_line}",
                    "ligne de signataire autorisé pour cette clé (GARDEFOU_ALLOWED_SIGNERS, dans le coffre de secrets de la plateforme) :\n{signer_line}"
                )
            )?;
        }
        Format::Json => {
            let doc = json!({
                "verdict": "allow",
                "signed": true,
                "policy": path.display().to_string(),
                "signature_file": sig_path.display().to_string(),
                "algorithm": key.algorithm(),
                "fingerprint": key.fingerprint(),
                "allowed_signers_line": signer_line,
            });
            writeln!(out, "{doc}")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The allowed signers, or a configuration error (exit 2): `verify` and `diff` cannot
/// answer without them.
fn required_signers(
    explicit: Option<&Path>,
    policy: &Path,
) -> Result<gardefou_sshsig::AllowedSigners> {
    match sig::allowed_signers(explicit, policy) {
        Ok(Some(signers)) => Ok(signers),
        Ok(None) => bail!(
            "no allowed signers: give --allowed-signers FILE, or set {} (the text) or {} (a file outside the repository)",
            sig::GARDEFOU_ALLOWED_SIGNERS,
            sig::GARDEFOU_ALLOWED_SIGNERS_FILE
        ),
        Err(why) => bail!("the allowed signers cannot be used: {why}"),
    }
}

/// `gardefou policy verify`.
pub fn verify(args: PolicyVerifyArgs) -> Result<ExitCode> {
    let path = policy_file(args.policy.policy.as_deref())?;
    let (mut policy, bytes) = gardefou_sources::read_policy_bytes(&path)?;
    let signers = required_signers(args.allowed_signers.as_deref(), &path)?;
    let check = sig::check(&bytes, &path, &Ok(Some(signers)));
    let signer = match &check {
        SignatureCheck::Verified {
            principals,
            fingerprint,
        } => json!({ "principals": principals, "fingerprint": fingerprint }),
        _ => Value::Null,
    };
    let verified = matches!(check, SignatureCheck::Verified { .. });
    policy.origin = Origin::File {
        path: path.display().to_string(),
        signature: check.clone(),
    };
    // Weighed as production weighs it: anything but a verified signature refuses.
    let report = Report::new(gardefou_policy::signature::findings(
        &policy,
        Some(Environment::Production),
    ));
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => json::write(
            &mut out,
            &report,
            &[
                ("policy", path.display().to_string().into()),
                ("signer", signer),
            ],
        )?,
        Format::Human => match &check {
            SignatureCheck::Verified {
                principals,
                fingerprint,
            } => {
                let policy = path.display();
                writeln!(
                    out,
                    "{}",
                    tr!(
                        "verified: {policy} is signed by {principals} ({fingerprint})",
                        "vérifiée : {policy} est signée par {principals} ({fingerprint})"
                    )
                )?
            }
            _ => human::write_colored(
                &mut out,
                &report,
                Some(tr!("policy {}", "politique {}", path.display()).as_str()),
                crate::color::stdout(),
            )?,
        },
    }
    out.flush()?;
    Ok(if verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_REFUSED)
    })
}

/// What the current policy is compared with.
enum Against {
    File(PathBuf),
    Commit {
        commit: String,
        principals: String,
        fingerprint: String,
    },
    BuiltIn,
}

impl Against {
    fn describe(&self, policy: &Path) -> String {
        match self {
            Against::File(f) => format!("{}", f.display()),
            Against::Commit {
                commit,
                principals,
                ..
            } => format!(
                "the last signed version of {} (commit {}, signed by {principals})",
                policy.display(),
                &commit[..commit.len().min(12)]
            ),
            Against::BuiltIn => format!(
                "the built-in policy (no version of {} in git history has a signature that verifies)",
                policy.display()
            ),
        }
    }

    fn json(&self) -> Value {
        match self {
            Against::File(f) => json!({ "source": "file", "file": f.display().to_string() }),
            Against::Commit {
                commit,
                principals,
                fingerprint,
            } => json!({
                "source": "git",
                "commit": commit,
                "signer": { "principals": principals, "fingerprint": fingerprint },
            }),
            Against::BuiltIn => json!({ "source": "built-in" }),
        }
    }
}

/// `gardefou policy diff`.
pub fn diff(args: PolicyDiffArgs) -> Result<ExitCode> {
    let path = policy_file(args.policy.policy.as_deref())?;
    let (new, _) = gardefou_sources::read_policy_bytes(&path)?;
    let (old, against) = match &args.against {
        Some(file) => (
            gardefou_sources::read_policy_bytes(file)?.0,
            Against::File(file.clone()),
        ),
        None => {
            let signers = required_signers(args.allowed_signers.as_deref(), &path)?;
            match sig::last_signed(&path, &signers)? {
                Some(last) => {
                    let text = String::from_utf8(last.bytes).map_err(|_| {
                        anyhow::anyhow!("the signed version at {} is not UTF-8", last.commit)
                    })?;
                    let name = format!("{}@{}", path.display(), &last.commit[..12]);
                    (
                        Policy::from_toml(&text, &name)?,
                        Against::Commit {
                            commit: last.commit,
                            principals: last.principals,
                            fingerprint: last.fingerprint,
                        },
                    )
                }
                None => (Policy::koomy(), Against::BuiltIn),
            }
        }
    };
    let changes = diff::changes(&old, &new);
    let widens = changes.iter().any(|c| c.widens);
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let direction = match (widens, changes.is_empty()) {
                (true, _) => "widens",
                (false, true) => "unchanged",
                (false, false) => "narrows",
            };
            let doc = json!({
                // One envelope for every command: a widening refuses (exit 1).
                "verdict": if widens { "deny" } else { "allow" },
                "direction": direction,
                "policy": path.display().to_string(),
                "against": against.json(),
                "changes": changes,
            });
            writeln!(out, "{doc}")?;
        }
        Format::Human => write_changes(&mut out, &path, &against, &changes)?,
    }
    out.flush()?;
    Ok(if widens {
        ExitCode::from(EXIT_REFUSED)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_changes(
    out: &mut dyn Write,
    path: &Path,
    against: &Against,
    changes: &[Change],
) -> std::io::Result<()> {
    let color = crate::color::stdout();
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    writeln!(
        out,
        "{} compared with {}:",
        path.display(),
        against.describe(path)
    )?;
    if changes.is_empty() {
        return writeln!(
            out,
            "{}",
            tr!(
                "no change in what the policy allows",
                "aucun changement dans ce que la politique autorise"
            )
        );
    }
    for change in changes {
        let tag = if change.widens {
            paint("1;31", "widens ")
        } else {
            paint("32", "narrows")
        };
        writeln!(out, "  {tag} {}: {}", change.key, change.sentence)?;
    }
    let widenings = changes.iter().filter(|c| c.widens).count();
    let narrowings = changes.len() - widenings;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    writeln!(
        out,
        "{}, {}{}",
        plural(widenings, "widening"),
        plural(narrowings, "narrowing"),
        if widenings > 0 {
            ": review each before signing (gardefou policy sign)"
        } else {
            ""
        }
    )
}
