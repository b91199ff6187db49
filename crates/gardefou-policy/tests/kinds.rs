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

/// `KOOMY_ENV`, `NODE_ENV` and a `DATABASE_URL` on `env`'s Neon endpoint.
fn base_vars(env: &str) -> EnvVars {
    let host = if env == "production" {
        "ep-alpha-1"
    } else {
        "ep-beta-1"
    };
    [
        ("KOOMY_ENV", env.to_owned()),
        ("NODE_ENV", "production".to_owned()),
        (
            "DATABASE_URL",
            format!("postgresql://koomy@{host}.eu-west-2.aws.neon.tech/neondb?sslmode=require"),
        ),
    ]
    .into_iter()
    .collect()
}

fn eval(policy: &Policy, env: &str, name: &str, value: &str) -> Evaluation {
    let mut vars = base_vars(env);
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
    assert!(err.contains(&format!("secrets.vars.{DECLARED}")), "{err}");
    assert!(err.contains("not a kind a variable holds"), "{err}");
}

// Ways around the judgement of a variable's keys, found by attacking it; each is refused.

fn live_gocardless(seed: u64) -> String {
    format!("live_{}", gardefou_testkit::fake::alnum(seed, 40))
}

fn sandbox_gocardless(seed: u64) -> String {
    format!("sandbox_{}", gardefou_testkit::fake::alnum(seed, 40))
}

fn stripe(mode: &str, seed: u64) -> String {
    format!("sk_{mode}_{}", gardefou_testkit::fake::alnum(seed, 99))
}

/// Every error rule of a sandbox start with `name=value` (and what `policy` declares).
fn sandbox_errors(policy: &Policy, name: &str, value: &str) -> Vec<&'static str> {
    errors_on(&eval(policy, "sandbox", name, value), name)
}

#[test]
fn regression_every_key_in_a_value_is_judged_not_only_the_first() {
    let two_stripe = format!("{},{}", stripe("test", 1), stripe("live", 2));
    let two_gc = format!("{} {}", sandbox_gocardless(3), live_gocardless(4));
    for (name, value) in [
        ("STRIPE_KEYS", two_stripe.as_str()),
        ("GOCARDLESS_TOKENS", two_gc.as_str()),
    ] {
        let errors = sandbox_errors(&policy(None), name, value);
        assert!(
            errors.iter().any(|r| r.ends_with("-key-mode-mismatch")),
            "{name}: {errors:?}"
        );
    }
}

#[test]
fn regression_random_and_opaque_variables_are_judged_by_their_mode_too() {
    let live = stripe("live", 5);
    let errors = sandbox_errors(&policy(None), "JWT_SECRET", &live);
    assert!(errors.contains(&"stripe-key-mode-mismatch"), "{errors:?}");
    let opaque = Policy::from_toml(
        "[database.sandbox]\nneon_endpoints = [\"ep-beta-1\"]\n[secrets.vars.PARTNER_API_TOKEN]\nkind = \"opaque\"\n",
        "gardefou.toml",
    )
    .unwrap();
    let value = format!("gocardless:{}", live_gocardless(6));
    let errors = sandbox_errors(&opaque, "PARTNER_API_TOKEN", &value);
    assert!(errors.contains(&"provider-key-mode-mismatch"), "{errors:?}");
}

#[test]
fn regression_gardefou_allow_in_a_value_exempts_nothing() {
    let value = format!(
        "{{\"key\":\"{}\",\"note\":\"gardefou:allow\"}}",
        stripe("live", 7)
    );
    let errors = sandbox_errors(&policy(None), "STRIPE_CONFIG", &value);
    assert!(errors.contains(&"stripe-key-mode-mismatch"), "{errors:?}");
}

#[test]
fn regression_a_value_that_is_not_utf8_is_judged_by_what_a_program_reads() {
    let live = stripe("live", 8);
    let mut vars = base_vars("sandbox");
    // The lossy UTF-8 form of `{"key":"sk_live_…","pad":"\xff"}`, as the guard reads it.
    vars.insert_not_utf8_lossy(
        "STRIPE_CONFIG",
        format!("{{\"key\":\"{live}\",\"pad\":\"\u{FFFD}\"}}"),
    );
    let e = evaluate(&policy(None), &vars);
    let errors = errors_on(&e, "STRIPE_CONFIG");
    assert!(errors.contains(&"stripe-key-mode-mismatch"), "{errors:?}");
    assert!(!format!("{:?}", e.report).contains(&live[8..20]));
}

#[test]
fn regression_a_gocardless_token_under_gc_access_token_or_in_a_config_blob() {
    let live = live_gocardless(9);
    let json = format!(
        "{{\"environment\":\"live\",\"webhook_endpoint_secret\":\"{}\",\"creditor_id\":\"CR000123\",\"access_token\":\"{live}\"}}",
        gardefou_testkit::fake::alnum(10, 40)
    );
    let lines = format!("environment=live\naccess_token={live}");
    for (name, value) in [
        ("GC_ACCESS_TOKEN", live.as_str()),
        ("GOCARDLESS_CONFIG", json.as_str()),
        ("GOCARDLESS_CONFIG", lines.as_str()),
    ] {
        let errors = sandbox_errors(&policy(None), name, value);
        assert!(
            errors.contains(&"provider-key-mode-mismatch"),
            "{name}: {errors:?}"
        );
    }
}

/// A Brevo API key (`xkeysib-<64 hex>-<16 alphanumerics>`) built from two seeds.
fn brevo_key(hex_seed: u64, alnum_seed: u64) -> String {
    format!(
        "xkeysib-{}-{}",
        gardefou_testkit::fake::hex(hex_seed, 64),
        gardefou_testkit::fake::alnum(alnum_seed, 16)
    )
}

struct Registered(String);

impl gardefou_policy::secrets::SecretRegistry for Registered {
    fn registrations(&self, value: &str) -> Vec<(gardefou_policy::Environment, String)> {
        if value == self.0 {
            vec![(
                gardefou_policy::Environment::Production,
                "MAILER_KEY".into(),
            )]
        } else {
            Vec::new()
        }
    }
    fn short_fingerprint(&self, _value: &str) -> String {
        "fp000000".into()
    }
}

#[test]
fn regression_a_wrapped_key_is_malformed_when_declared_and_compared_as_the_key_when_not() {
    let key = brevo_key(11, 12);
    let declared = policy(Some("brevo-api-key"));
    for wrapped in [format!("{key} "), format!("\"{key}\""), format!(" {key}")] {
        let errors = sandbox_errors(&declared, DECLARED, &wrapped);
        assert!(errors.contains(&"secret-malformed"), "{errors:?}");
    }
    // Undeclared, in sandbox, production's key with a trailing space is production's key.
    let registry = Registered(key.clone());
    let mut vars = base_vars("sandbox");
    vars.insert("OTHER_MAIL", format!("{key} "));
    let e = gardefou_policy::evaluate_with(
        &policy(None),
        &vars,
        &gardefou_policy::secrets::Registry::Ready(&registry),
    );
    let rules: Vec<&str> = e.report.findings.iter().map(|f| f.rule).collect();
    assert!(rules.contains(&"secret-registered-elsewhere"), "{rules:?}");
    assert!(!format!("{:?}", e.report).contains(&key[8..20]));
}

#[test]
fn regression_random_secrets_with_angle_brackets_or_braces_are_not_placeholders() {
    // Drawn from all of printable ASCII, as password managers do: `<`, `>`, `{`, `$` are
    // symbols like any other, not a template.
    let secrets = [
        "k9<Qm2X>v7Lp4Rt8Wz3Bn6Hc1Jd5Fg0Sy=Ta7Ue2Io4Pb8Nv!Zq8Rf2Xp&L0wKd93m",
        "Zq8Rf2XpL0wKd93m$Vb{T7nHc1}yGe5uJa4sDf6gHj8k9Qm2Xv7Lp4Rt8Wz3Bn6Hc1",
        "d5Fg0SyTa7Ue2Io4Pb8Nv{Zq8Rf2XpL0wKd93m}}VbT7nHc1yGe5uJa4sDf6gHj8k9Q",
    ];
    for secret in secrets {
        let errors = sandbox_errors(&policy(None), "JWT_SECRET", secret);
        assert!(!errors.contains(&"secret-placeholder"), "{errors:?}");
    }
    // The template forms still are.
    for hole in ["<your-jwt-secret>", "${JWT_SECRET}", "{{ jwt_secret }}"] {
        let errors = sandbox_errors(&policy(None), "JWT_SECRET", hole);
        assert!(errors.contains(&"secret-placeholder"), "{hole}: {errors:?}");
    }
}

/// A Brevo key (`xkeysib-<64 hex>-<16 alphanumerics>`) read as one mixed run looked
/// patterned (0 bits), so it was never fingerprinted nor compared across environments.
#[test]
fn regression_a_key_made_of_parts_is_strong_enough_to_fingerprint() {
    let key = brevo_key(13, 14);
    let kind = gardefou_policy::secrets::Kind::from_name("brevo-api-key").unwrap();
    let e = gardefou_policy::secrets::estimate_of(kind, &key);
    assert!(
        e.bits >= gardefou_policy::secrets::FINGERPRINT_MIN_BITS,
        "{e:?}"
    );
    // A person's text split on dashes is still judged as a whole.
    let opaque = gardefou_policy::secrets::Kind::Opaque;
    let words = "password-password-password-password";
    assert_eq!(gardefou_policy::secrets::estimate_of(opaque, words).bits, 0);
}
