//! Every secret kind's examples and negative examples, through `check`: the definitions
//! `gardefou scan` uses on files are the ones `check` uses on environment values.
//!
//! For each specific kind (not generic, not scoped to a kind of file), every example
//! written as an assignment (`NAME=value`, as in a `.env` file) is set in the environment:
//! under its own name it is recognised as that kind; declared of that kind in the policy
//! file, under any name, it is accepted; where the provider has live and test keys, it is
//! refused in exactly one of production and sandbox. Each negative example written as an
//! assignment is not recognised as the kind, and declared of that kind it is refused.

use gardefou_findings::Severity;
use gardefou_kinds::{builtin, Mode, SecretKind};
use gardefou_policy::{evaluate, EnvVars, Evaluation, Policy};

/// `NAME=value`, `export NAME="value"`, `NAME = 'value'`: the name and the unquoted value.
fn assignment(line: &str) -> Option<(&str, &str)> {
    let line = line.trim().strip_prefix("export ").unwrap_or(line.trim());
    let (name, value) = line.split_once('=')?;
    let name = name.trim();
    let ok = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !ok {
        return None;
    }
    let value = value.trim();
    if let Some(quoted) = ['"', '\'']
        .iter()
        .find_map(|q| value.strip_prefix(*q)?.strip_suffix(*q))
    {
        return (!quoted.is_empty() && !quoted.contains(['"', '\''])).then_some((name, quoted));
    }
    (!value.is_empty() && !value.contains([' ', '"', '\''])).then_some((name, value))
}

/// Kinds that live in files or code rather than in one variable: their examples are
/// tested by the scanner only.
const FILE_SHAPED: &[(&str, &str)] = &[
    ("gcp-service-account-key", "a JSON key file"),
    ("netrc-machine-password", "a .netrc line"),
    (
        "jwt-signing-literal",
        "a literal passed to jwt.sign in code",
    ),
];

/// Rules that judge a value's format: the only ones an example may not trigger.
fn judges_format(rule: &str) -> bool {
    rule.ends_with("-malformed") || rule == "secret-placeholder"
}

fn kinds() -> impl Iterator<Item = &'static SecretKind> {
    builtin()
        .iter()
        .filter(|k| !k.generic && k.applies_to(".env"))
}

const DECLARED: &str = "KOOMY_TEST_VALUE";

fn policy(kind: Option<&str>) -> Policy {
    let mut text = String::from(
        "[database.production]\nneon_endpoints = [\"ep-alpha-1\"]\n[database.sandbox]\nneon_endpoints = [\"ep-beta-1\"]\n",
    );
    if let Some(kind) = kind {
        text.push_str(&format!("[secrets.vars.{DECLARED}]\nkind = \"{kind}\"\n"));
    }
    Policy::from_toml(&text, "gardefou.toml").unwrap()
}

fn eval(policy: &Policy, env: &str, name: &str, value: &str) -> Evaluation {
    let (node, host) = match env {
        "production" => ("production", "ep-alpha-1"),
        _ => ("production", "ep-beta-1"),
    };
    let mut vars: EnvVars = [
        ("KOOMY_ENV", env.to_owned()),
        ("NODE_ENV", node.to_owned()),
        (
            "DATABASE_URL",
            format!("postgresql://koomy@{host}.eu-west-2.aws.neon.tech/neondb?sslmode=require"),
        ),
    ]
    .into_iter()
    .collect();
    vars.insert(name, value.to_owned());
    let e = evaluate(policy, &vars);
    let shown = format!("{:?}", e.report);
    assert!(!shown.contains(value), "{name}'s value leaked: {shown}");
    e
}

/// The errors that name `name`.
fn errors_on(e: &Evaluation, name: &str) -> Vec<&'static str> {
    e.report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.message.en().contains(name))
        .map(|f| f.rule)
        .collect()
}

#[test]
fn every_kind_example_is_recognised_by_check_and_every_negative_example_is_not() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for kind in kinds() {
        let examples: Vec<_> = kind.examples.iter().filter_map(|l| assignment(l)).collect();
        if examples.is_empty() && !FILE_SHAPED.iter().any(|(id, _)| *id == kind.id) {
            failures.push(format!("{}: no example written as NAME=value", kind.id));
        }
        let declared = policy(Some(kind.id));
        for (name, value) in examples {
            checked += 1;
            match gardefou_kinds::identify(name, value) {
                Some(found) if found.kind.id == kind.id => {}
                other => failures.push(format!(
                    "{}: {name}=… identified as {:?}",
                    kind.id,
                    other.map(|f| f.kind.id)
                )),
            }
            if gardefou_kinds::accepts(kind, value).is_none() {
                failures.push(format!(
                    "{}: {name}'s value not accepted as declared",
                    kind.id
                ));
            }
            let mode = gardefou_kinds::identify(name, value).and_then(|f| f.mode);
            if kind.has_modes() && mode.is_none() {
                failures.push(format!("{}: {name}=… has no mode", kind.id));
            }
            for env in ["production", "sandbox"] {
                for (policy, var) in [(&policy(None), name), (&declared, DECLARED)] {
                    let errors = errors_on(&eval(policy, env, var, value), var);
                    let refused_here = match mode {
                        Some(Mode::Live) => env != "production",
                        Some(Mode::Test) => env == "production",
                        None => false,
                    };
                    let mismatch = errors.iter().any(|r| r.ends_with("-key-mode-mismatch"));
                    if mismatch != refused_here {
                        failures.push(format!(
                            "{}: {var} in {env}: mode mismatch {mismatch}, expected {refused_here} ({errors:?})",
                            kind.id
                        ));
                    }
                    if errors.iter().any(|r| judges_format(r)) {
                        failures.push(format!("{}: {var} in {env}: {errors:?}", kind.id));
                    }
                }
            }
        }
        for (name, value) in kind.negative_examples.iter().filter_map(|l| assignment(l)) {
            checked += 1;
            if let Some(found) = gardefou_kinds::identify(name, value) {
                if found.kind.id == kind.id {
                    failures.push(format!("{}: negative {name}=… identified", kind.id));
                }
            }
            // Some negative examples differ by their name only (a search-only key under
            // `ALGOLIA_SEARCH_KEY`): declared of the kind, their value is one.
            if gardefou_kinds::accepts(kind, value).is_some() {
                continue;
            }
            let errors = errors_on(&eval(&declared, "sandbox", DECLARED, value), DECLARED);
            if !errors.iter().any(|r| judges_format(r)) {
                failures.push(format!(
                    "{}: negative value accepted when declared of the kind",
                    kind.id
                ));
            }
        }
    }
    assert!(checked >= 60, "only {checked} examples checked");
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// A kind added to the catalogue is a kind the policy file can declare.
#[test]
fn every_specific_kind_can_be_declared_in_the_policy_file() {
    for kind in builtin().iter().filter(|k| !k.generic) {
        let p = policy(Some(kind.id));
        assert_eq!(
            p.secrets.vars.get(DECLARED),
            Some(&gardefou_policy::secrets::Kind::of_catalogue(kind)),
            "{}",
            kind.id
        );
    }
    let err = Policy::from_toml(
        &format!("[secrets.vars.{DECLARED}]\nkind = \"generic-secret-assignment\"\n"),
        "gardefou.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("unknown kind"), "{err}");
}
