//! The secrets policy (§7, §9), rule by rule, in both directions, with look-alikes.
//!
//! Every secret-shaped value is built at run time from a deterministic generator, so that
//! no secret-shaped literal is committed.

use std::collections::HashMap;

use gardefou_findings::{Finding, Severity};
use gardefou_policy::secrets::{Registry, SecretRegistry};
use gardefou_policy::{evaluate, evaluate_with, EnvVars, Environment, Evaluation, Policy};
use gardefou_testkit::fake::bytes;

const R: &str = ".eu-west-2.aws.neon.tech";
const POLICY: &str = "[database.production]\nneon_endpoints = [\"ep-alpha-1\"]\n[database.sandbox]\nneon_endpoints = [\"ep-beta-1\"]\n";

/// `n` letters and digits from [`bytes`] (not `fake::alnum`'s: these tests were written
/// for these values).
fn alnum(seed: u64, n: usize) -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    bytes(seed, n)
        .iter()
        .map(|b| alphabet[*b as usize % alphabet.len()] as char)
        .collect()
}

fn hex32(seed: u64) -> String {
    bytes(seed, 32).iter().map(|b| format!("{b:02x}")).collect()
}

fn stripe(prefix: &str, seed: u64) -> String {
    format!("{prefix}{}", alnum(seed, 99))
}

fn db_password() -> String {
    alnum(77, 20)
}

fn base(env: &str) -> Vec<(String, String)> {
    let (node, ep) = match env {
        "production" => ("production", "ep-alpha-1"),
        "sandbox" => ("production", "ep-beta-1"),
        _ => ("development", "localhost"),
    };
    let host = if ep == "localhost" {
        "localhost".to_owned()
    } else {
        format!("{ep}{R}")
    };
    vec![
        ("KOOMY_ENV".into(), env.into()),
        ("NODE_ENV".into(), node.into()),
        (
            "DATABASE_URL".into(),
            format!(
                "postgresql://koomy:{}@{host}/neondb?sslmode=require",
                db_password()
            ),
        ),
    ]
}

fn vars(env: &str, extra: &[(&str, String)]) -> EnvVars {
    let mut v: EnvVars = base(env).into_iter().collect();
    for (k, val) in extra {
        v.insert(*k, val.clone());
    }
    v
}

fn policy() -> Policy {
    Policy::from_toml(POLICY, "gardefou.toml").unwrap()
}

fn eval(env: &str, extra: &[(&str, String)]) -> Evaluation {
    eval_under(&policy(), env, extra)
}

/// `eval` under another policy: the evaluation, checked for leaked values.
fn eval_under(policy: &Policy, env: &str, extra: &[(&str, String)]) -> Evaluation {
    let e = evaluate(policy, &vars(env, extra));
    assert_no_value_leaks(&e, extra);
    e
}

/// The rules of the findings of this severity.
fn rules_of(e: &Evaluation, severity: Severity) -> Vec<&'static str> {
    e.report
        .findings
        .iter()
        .filter(|f| f.severity == severity)
        .map(|f| f.rule)
        .collect()
}

fn errors(e: &Evaluation) -> Vec<&'static str> {
    rules_of(e, Severity::Error)
}

fn warnings(e: &Evaluation) -> Vec<&'static str> {
    rules_of(e, Severity::Warning)
}

/// The first finding of `rule`; there must be one.
fn finding<'a>(e: &'a Evaluation, rule: &str) -> &'a Finding {
    let found = e.report.findings.iter().find(|f| f.rule == rule);
    found.unwrap_or_else(|| panic!("no {rule} finding: {:?}", e.report))
}

/// Whether some finding's message satisfies `what`.
fn any_message(e: &Evaluation, what: impl Fn(&str) -> bool) -> bool {
    e.report.findings.iter().any(|f| what(&f.message))
}

/// No finding quotes a planted value (URLs are configuration, not secrets, and may name
/// their host).
fn assert_no_value_leaks(e: &Evaluation, extra: &[(&str, String)]) {
    let shown = format!("{:?}", e.report);
    for (name, v) in extra {
        if name.ends_with("_URL") || ["CORS_ORIGINS", "NODE_OPTIONS"].contains(name) || v.len() < 6
        {
            continue;
        }
        assert!(
            !shown.contains(v.as_str()),
            "{name}'s value leaked: {shown}"
        );
    }
    assert!(!shown.contains(&db_password()));
}

#[test]
fn a_clean_environment_passes_in_each_environment() {
    for (env, mode) in [
        ("production", "live"),
        ("sandbox", "test"),
        ("local", "test"),
    ] {
        let extra = [
            ("STRIPE_SECRET_KEY", stripe(&format!("sk_{mode}_"), 1)),
            ("STRIPE_PUBLISHABLE_KEY", stripe(&format!("pk_{mode}_"), 2)),
            ("STRIPE_RESTRICTED_KEY", stripe(&format!("rk_{mode}_"), 3)),
            ("STRIPE_WEBHOOK_SECRET", format!("whsec_{}", alnum(4, 32))),
            (
                "SENDGRID_API_KEY",
                format!("SG.{}.{}", alnum(5, 22), alnum(6, 43)),
            ),
            ("JWT_SECRET", hex32(7)),
            ("SESSION_SECRET", hex32(8)),
        ];
        let e = eval(env, &extra);
        assert!(errors(&e).is_empty(), "{env}: {:?}", e.report);
    }
}

#[test]
fn stripe_live_only_in_production_and_test_only_elsewhere() {
    for var in [
        "STRIPE_SECRET_KEY",
        "STRIPE_PUBLISHABLE_KEY",
        "STRIPE_RESTRICTED_KEY",
    ] {
        let ty = match var {
            "STRIPE_SECRET_KEY" => "sk",
            "STRIPE_PUBLISHABLE_KEY" => "pk",
            _ => "rk",
        };
        for (env, mode, ok) in [
            ("production", "live", true),
            ("production", "test", false),
            ("sandbox", "live", false),
            ("sandbox", "test", true),
            ("local", "live", false),
            ("local", "test", true),
        ] {
            let e = eval(env, &[(var, stripe(&format!("{ty}_{mode}_"), 11))]);
            let expected: Vec<&str> = if ok {
                vec![]
            } else {
                vec!["stripe-key-mode-mismatch"]
            };
            assert_eq!(errors(&e), expected, "{var} {mode} in {env}");
        }
    }
}

#[test]
fn a_test_key_with_live_inside_it_is_a_test_key() {
    let key = format!("sk_test_{}live{}", alnum(1, 20), alnum(2, 20));
    assert!(errors(&eval("sandbox", &[("STRIPE_SECRET_KEY", key.clone())])).is_empty());
    assert_eq!(
        errors(&eval("production", &[("STRIPE_SECRET_KEY", key)])),
        ["stripe-key-mode-mismatch"]
    );
    // `sk_test_live_…` is not a key shape at all.
    let key = format!("sk_test_live_{}", alnum(3, 30));
    assert_eq!(
        errors(&eval("sandbox", &[("STRIPE_SECRET_KEY", key)])),
        ["stripe-key-malformed"]
    );
}

#[test]
fn stripe_placeholders_and_malformed_keys_are_refused() {
    for (v, rule) in [
        ("sk_live_xxx".to_owned(), "secret-placeholder"),
        (format!("sk_live_{}", "x".repeat(24)), "secret-placeholder"),
        ("<your-key>".to_owned(), "secret-placeholder"),
        ("${STRIPE_SECRET_KEY}".to_owned(), "secret-placeholder"),
        (format!("SK_LIVE_{}", alnum(1, 30)), "stripe-key-malformed"),
        (format!("sk_live_{}", alnum(1, 23)), "stripe-key-malformed"),
        (format!(" sk_live_{}", alnum(1, 30)), "stripe-key-malformed"),
        (
            format!("'sk_live_{}'", alnum(1, 30)),
            "stripe-key-malformed",
        ),
        (stripe("pk_live_", 1), "stripe-key-malformed"),
        (format!("whsec_{}", alnum(1, 32)), "stripe-key-malformed"),
        (String::new(), "secret-malformed"),
    ] {
        let e = eval("production", &[("STRIPE_SECRET_KEY", v.clone())]);
        assert_eq!(errors(&e), [rule], "{v:?}");
    }
    // A secret key in the publishable variable is refused.
    let e = eval(
        "production",
        &[("STRIPE_PUBLISHABLE_KEY", stripe("sk_live_", 2))],
    );
    assert_eq!(errors(&e), ["stripe-key-malformed"]);
    // A restricted key is a valid STRIPE_SECRET_KEY.
    let e = eval(
        "production",
        &[("STRIPE_SECRET_KEY", stripe("rk_live_", 2))],
    );
    assert!(errors(&e).is_empty());
}

#[test]
fn webhook_and_sendgrid_formats() {
    let ok = [
        ("STRIPE_WEBHOOK_SECRET", format!("whsec_{}", alnum(1, 32))),
        (
            "SENDGRID_API_KEY",
            format!("SG.{}.{}", alnum(2, 22), alnum(3, 43)),
        ),
    ];
    assert!(errors(&eval("sandbox", &ok)).is_empty());
    for (var, v, rule) in [
        (
            "STRIPE_WEBHOOK_SECRET",
            format!("whsec_{}", alnum(1, 20)),
            "stripe-webhook-secret-malformed",
        ),
        (
            "STRIPE_WEBHOOK_SECRET",
            stripe("sk_test_", 1),
            "stripe-webhook-secret-malformed",
        ),
        (
            "STRIPE_WEBHOOK_SECRET",
            format!("whsec_{}", "x".repeat(32)),
            "secret-placeholder",
        ),
        (
            "SENDGRID_API_KEY",
            format!("SG.{}.{}", alnum(2, 22), alnum(3, 42)),
            "sendgrid-key-malformed",
        ),
        (
            "SENDGRID_API_KEY",
            format!("sg.{}.{}", alnum(2, 22), alnum(3, 43)),
            "sendgrid-key-malformed",
        ),
        (
            "SENDGRID_API_KEY",
            "SG.xxx.yyy".to_owned(),
            "secret-placeholder",
        ),
        (
            "SENDGRID_API_KEY",
            format!("SG.{}", alnum(4, 66)),
            "sendgrid-key-malformed",
        ),
        (
            "SENDGRID_API_KEY",
            "<sendgrid-key>".to_owned(),
            "secret-placeholder",
        ),
    ] {
        assert_eq!(
            errors(&eval("sandbox", &[(var, v.clone())])),
            [rule],
            "{var}={v:?}"
        );
    }
}

#[test]
fn jwt_and_session_secrets_need_256_real_bits() {
    for var in ["JWT_SECRET", "SESSION_SECRET"] {
        assert!(errors(&eval("production", &[(var, hex32(1))])).is_empty());
        for (v, rule) in [
            ("keyboard cat".to_owned(), "secret-well-known"),
            ("Your-256-Bit-Secret".to_owned(), "secret-well-known"),
            ("Shhhhh".to_owned(), "secret-well-known"),
            ("changeme".to_owned(), "secret-placeholder"),
            (alnum(1, 40), "secret-weak"),
            (hex32(2)[..62].to_owned(), "secret-weak"),
            ("a".repeat(200), "secret-weak"),
            ("abc123".repeat(20), "secret-weak"),
            ("correct horse battery staple".to_owned(), "secret-weak"),
        ] {
            assert_eq!(
                errors(&eval("sandbox", &[(var, v.clone())])),
                [rule],
                "{var}={v:?}"
            );
        }
    }
}

#[test]
fn jwt_and_session_secrets_are_unique_in_the_environment() {
    let s = hex32(5);
    let e = eval(
        "sandbox",
        &[("JWT_SECRET", s.clone()), ("SESSION_SECRET", s)],
    );
    assert_eq!(errors(&e), ["secret-shared-within-environment"]);
    let msg = &e.report.findings.last().unwrap().message;
    assert!(
        msg.contains("JWT_SECRET") && msg.contains("SESSION_SECRET"),
        "{msg}"
    );
    // Equal to the database password.
    let e = eval("sandbox", &[("JWT_SECRET", db_password())]);
    assert_eq!(
        errors(&e),
        ["secret-weak", "secret-shared-within-environment"]
    );
    assert!(any_message(&e, |m| m.contains("DATABASE_URL's password")));
    // Two provider keys that happen to be equal are not this rule's business.
    let e = eval(
        "sandbox",
        &[("JWT_SECRET", hex32(5)), ("SESSION_SECRET", hex32(6))],
    );
    assert!(errors(&e).is_empty());
}

#[test]
fn debug_and_internal_are_forbidden_in_production_only() {
    for (name, value) in [
        ("DEBUG", "false"),
        ("DEBUG", "express:*"),
        ("DEBUG_SECRET", "x"),
        ("APP_DEBUG", "1"),
        ("INTERNAL_API", "1"),
        ("NODE_DEBUG", "http"),
    ] {
        let extra = [(name, value.to_owned())];
        let p = eval("production", &extra);
        assert!(
            errors(&p).contains(&"debug-in-production"),
            "{name} in production"
        );
        for env in ["sandbox", "local"] {
            assert!(
                !errors(&eval(env, &extra)).contains(&"debug-in-production"),
                "{name} in {env}"
            );
        }
    }
    for name in ["DEBUGGER", "XDEBUG_MODE_X", "INTERNATIONAL"] {
        assert!(
            errors(&eval("production", &[(name, "1".to_owned())])).is_empty(),
            "{name}"
        );
    }
}

#[test]
fn the_node_inspector_is_forbidden_in_production_only() {
    for opts in [
        "--inspect",
        "--inspect=0.0.0.0:9229",
        "--max-old-space-size=512 --inspect-brk",
        "--inspect_wait",
        "--inspect-port=9230",
        "--debug-port=9230",
        "\"--inspect\"",
    ] {
        let extra = [("NODE_OPTIONS", opts.to_owned())];
        assert_eq!(
            errors(&eval("production", &extra)),
            ["node-inspector-in-production"],
            "{opts}"
        );
        assert!(errors(&eval("sandbox", &extra)).is_empty());
        assert!(errors(&eval("local", &extra)).is_empty());
    }
    let extra = [(
        "NODE_OPTIONS",
        "--max-old-space-size=512 --enable-source-maps".to_owned(),
    )];
    assert!(errors(&eval("production", &extra)).is_empty());
}

#[test]
fn configured_urls_stay_on_their_environment() {
    let cases: &[(&str, &str, &str, Option<&str>)] = &[
        ("production", "APP_URL", "https://koomy.app", None),
        ("production", "API_URL", "https://api.koomy.app/v1", None),
        (
            "production",
            "ADMIN_URL",
            "https://lorpesikoomyadmin.koomy.app",
            None,
        ),
        ("sandbox", "API_URL", "https://api-sandbox.koomy.app", None),
        (
            "sandbox",
            "PUBLIC_SITE_URL",
            "https://sitepublic-sandbox.koomy.app",
            None,
        ),
        ("local", "APP_URL", "http://localhost:5173", None),
        ("local", "API_URL", "http://127.0.0.1:3000", None),
        ("local", "API_URL", "https://[::1]:3000", None),
        (
            "sandbox",
            "API_URL",
            "https://api.koomy.app",
            Some("configured-url-other-environment"),
        ),
        (
            "production",
            "APP_URL",
            "https://sandbox.koomy.app",
            Some("configured-url-other-environment"),
        ),
        (
            "local",
            "APP_URL",
            "https://sandbox.koomy.app",
            Some("configured-url-other-environment"),
        ),
        (
            "production",
            "API_URL",
            "https://api.koomy.app.evil.com",
            Some("configured-url-unlisted"),
        ),
        (
            "production",
            "API_URL",
            "https://evilapi.koomy.app",
            Some("configured-url-unlisted"),
        ),
        (
            "production",
            "API_URL",
            "https://koomy.app.evil.com",
            Some("configured-url-unlisted"),
        ),
        (
            "local",
            "APP_URL",
            "http://localhost.evil.com",
            Some("configured-url-invalid"),
        ),
        (
            "local",
            "APP_URL",
            "https://localhost.evil.com",
            Some("configured-url-unlisted"),
        ),
        (
            "production",
            "API_URL",
            "https://sandbox.koomy.app@api.koomy.app",
            Some("configured-url-invalid"),
        ),
        (
            "production",
            "API_URL",
            "https://api.koomy.app\\@sandbox.koomy.app",
            Some("configured-url-invalid"),
        ),
        (
            "production",
            "API_URL",
            "http://api.koomy.app",
            Some("configured-url-invalid"),
        ),
        (
            "sandbox",
            "API_URL",
            "http://localhost:3000",
            Some("configured-url-invalid"),
        ),
        (
            "production",
            "API_URL",
            "https://API.koomy.app",
            Some("configured-url-invalid"),
        ),
        (
            "production",
            "API_URL",
            "https://api.koomy.app.",
            Some("configured-url-invalid"),
        ),
        (
            "production",
            "BACKOFFICE_URL",
            "",
            Some("configured-url-invalid"),
        ),
    ];
    for (env, var, url, rule) in cases {
        let e = eval(env, &[(var, (*url).to_owned())]);
        let expected: Vec<&str> = rule.iter().copied().collect();
        assert_eq!(errors(&e), expected, "{var}={url:?} in {env}");
    }
}

#[test]
fn cors_origins_are_checked_entry_by_entry() {
    let ok = "https://koomy.app, https://backoffice.koomy.app,https://www.koomy.app";
    assert!(errors(&eval("production", &[("CORS_ORIGINS", ok.into())])).is_empty());
    let bad = "https://koomy.app,https://sandbox.koomy.app,https://koomy.app/,*";
    let e = eval("production", &[("CORS_ORIGINS", bad.into())]);
    assert_eq!(
        errors(&e),
        [
            "configured-url-other-environment",
            "configured-url-invalid",
            "configured-url-invalid"
        ]
    );
    assert!(e.report.findings[0].message.contains("entry 2"));
    assert_eq!(
        errors(&eval(
            "production",
            &[("CORS_ORIGINS", "https://koomy.app,".into())]
        )),
        ["configured-url-invalid"]
    );
}

#[test]
fn the_policy_file_declares_kinds_and_required_variables() {
    let text = format!(
        "{POLICY}[secrets]\nrequired = [\"STRIPE_SECRET_KEY\", \"MY_TOKEN\", \"WEBHOOK_URL\"]\n[secrets.vars.MY_TOKEN]\nkind = \"random\"\n[secrets.vars.WEBHOOK_URL]\nkind = \"url\"\n"
    );
    let policy = Policy::from_toml(&text, "gardefou.toml").unwrap();
    let e = evaluate(&policy, &vars("production", &[]));
    assert_eq!(
        errors(&e),
        [
            "secret-required-missing",
            "secret-required-missing",
            "secret-required-missing"
        ]
    );
    let good = vars(
        "production",
        &[
            ("STRIPE_SECRET_KEY", stripe("sk_live_", 1)),
            ("MY_TOKEN", hex32(3)),
            ("WEBHOOK_URL", "https://api.koomy.app/hooks".into()),
        ],
    );
    assert!(errors(&evaluate(&policy, &good)).is_empty());
    let bad = vars(
        "production",
        &[
            ("STRIPE_SECRET_KEY", stripe("sk_live_", 1)),
            ("MY_TOKEN", "keyboard cat".into()),
            ("WEBHOOK_URL", "https://api-sandbox.koomy.app/hooks".into()),
        ],
    );
    assert_eq!(
        errors(&evaluate(&policy, &bad)),
        ["secret-well-known", "configured-url-other-environment"]
    );
    // Without the file, nothing beyond §3 is required.
    assert!(errors(&eval("production", &[])).is_empty());
}

#[test]
fn the_policy_file_cannot_weaken_or_misname() {
    for (text, needle) in [
        ("[secrets.vars.JWT_SECRET]\nkind = \"opaque\"\n", "built-in"),
        (
            "[secrets.vars.MY_TOKEN]\nkind = \"randomish\"\n",
            "unknown kind",
        ),
        (
            "[secrets.vars.my_token]\nkind = \"random\"\n",
            "not an environment variable name",
        ),
        (
            "[secrets.vars.NODE_OPTIONS]\nkind = \"opaque\"\n",
            "guard itself",
        ),
        ("[secrets]\nrequired = [\"REDIS_URL\"]\n", "has no kind"),
        (
            "[secrets]\nrequired = [\"JWT_SECRET\", \"JWT_SECRET\"]\n",
            "twice",
        ),
        ("[secrets]\nrequire = [\"JWT_SECRET\"]\n", "unknown field"),
        (
            "[secrets.vars.MY_TOKEN]\nkind = \"random\"\nrequired = true\n",
            "unknown field",
        ),
    ] {
        let err = Policy::from_toml(text, "gardefou.toml").unwrap_err();
        assert!(err.to_string().contains(needle), "{text:?}: {err}");
        assert!(err.line >= 1);
    }
}

/// A registry answering from a table, as `gardefou-secrets` does with real fingerprints.
struct Table(HashMap<String, Vec<(Environment, String)>>);

impl SecretRegistry for Table {
    fn registrations(&self, value: &str) -> Vec<(Environment, String)> {
        self.0.get(value).cloned().unwrap_or_default()
    }
    fn short_fingerprint(&self, _value: &str) -> String {
        "fp123456".into()
    }
}

#[test]
fn a_secret_registered_under_another_environment_is_refused() {
    let prod_jwt = hex32(42);
    let table = Table(HashMap::from([
        (
            prod_jwt.clone(),
            vec![(Environment::Production, "JWT_SECRET".to_owned())],
        ),
        (
            db_password(),
            vec![(Environment::Sandbox, "DATABASE_URL".to_owned())],
        ),
    ]));
    let reg = Registry::Ready(&table);
    // Sandbox reusing production's JWT secret, as its session secret.
    let v = vars("sandbox", &[("SESSION_SECRET", prod_jwt.clone())]);
    let e = evaluate_with(&policy(), &v, &reg);
    assert_eq!(errors(&e), ["secret-registered-elsewhere"]);
    let f = finding(&e, "secret-registered-elsewhere");
    assert!(
        f.message.contains("SESSION_SECRET")
            && f.message.contains("production")
            && f.message.contains("as JWT_SECRET"),
        "{}",
        f.message
    );
    assert_eq!(f.fingerprint.as_deref(), Some("fp123456"));
    assert!(!format!("{:?}", e.report).contains(&prod_jwt));
    // The same value in production, where it is registered: allowed.
    let v = vars("production", &[("JWT_SECRET", prod_jwt)]);
    let e = evaluate_with(&policy(), &v, &reg);
    // … but the database password belongs to sandbox.
    assert_eq!(errors(&e), ["secret-registered-elsewhere"]);
    assert!(any_message(&e, |m| m.contains("DATABASE_URL's password")
        && m.contains("sandbox")));
}

#[test]
fn registry_states_are_reported() {
    let p = policy();
    let v = |env| vars(env, &[("JWT_SECRET", hex32(9))]);
    let e = evaluate_with(&p, &v("sandbox"), &Registry::Missing);
    assert_eq!(
        (errors(&e), warnings(&e)),
        (vec![], vec!["secret-registry-missing"])
    );
    let e = evaluate_with(&p, &v("local"), &Registry::Missing);
    assert!(warnings(&e).is_empty());
    let e = evaluate_with(&p, &v("production"), &Registry::KeyMissing);
    assert_eq!(errors(&e), ["secret-registry-key-missing"]);
    let e = evaluate_with(&p, &v("local"), &Registry::KeyMissing);
    assert_eq!(
        (errors(&e), warnings(&e)),
        (vec![], vec!["secret-registry-key-missing"])
    );
    let e = evaluate_with(
        &p,
        &v("local"),
        &Registry::KeyRejected(gardefou_findings::Text::new("wrong key", "mauvaise clé")),
    );
    assert_eq!(errors(&e), ["secret-registry-key-mismatch"]);
    // Unregistered and low-entropy secrets are warnings in production and sandbox.
    let empty = Table(HashMap::new());
    let mut weak = vars("sandbox", &[("JWT_SECRET", hex32(9))]);
    weak.insert(
        "DATABASE_URL",
        format!(
            "postgresql://koomy:{}@ep-beta-1{R}/neondb?sslmode=require",
            "Ab3dE"
        ),
    );
    let e = evaluate_with(&p, &weak, &Registry::Ready(&empty));
    assert_eq!(
        warnings(&e),
        ["secret-too-weak-to-register", "secret-unregistered"]
    );
    assert!(errors(&e).is_empty());
    // Without a registry consulted (library use), nothing is said about it.
    assert!(warnings(&evaluate(&p, &v("sandbox"))).is_empty());
}

#[test]
fn every_variable_is_judged_by_what_it_holds() {
    // Production's URL, live key and registered JWT secret under names the policy does not
    // declare: each is refused in sandbox by its value.
    let prod_password = alnum(5, 24);
    let prod_url =
        format!("postgresql://koomy:{prod_password}@ep-alpha-1{R}/neondb?sslmode=require");
    let prod_jwt = hex32(43);
    let table = Table(HashMap::from([(
        prod_jwt.clone(),
        vec![(Environment::Production, "JWT_SECRET".to_owned())],
    )]));
    let live = ["sk_", "live_", &alnum(8, 32)].concat();
    let cases = [
        (
            "DIRECT_URL",
            &prod_url,
            &prod_password,
            "database-url-environment-mismatch",
        ),
        (
            "DATABASE_URL_UNPOOLED",
            &prod_url,
            &prod_password,
            "database-url-environment-mismatch",
        ),
        (
            "POSTGRES_PRISMA_URL",
            &prod_url,
            &prod_password,
            "database-url-environment-mismatch",
        ),
        ("STRIPE_API_KEY", &live, &live, "stripe-key-mode-mismatch"),
        (
            "JWT_REFRESH_SECRET",
            &prod_jwt,
            &prod_jwt,
            "secret-registered-elsewhere",
        ),
    ];
    for (name, value, secret, rule) in cases {
        let v = vars("sandbox", &[(name, value.clone())]);
        let e = evaluate_with(&policy(), &v, &Registry::Ready(&table));
        assert_eq!(errors(&e), [rule], "{name}");
        let f = finding(&e, rule);
        assert!(f.message.contains(name), "{}", f.message);
        let shown = format!("{:?}", e.report);
        for piece in secret.as_bytes().windows(8) {
            assert!(
                !shown.contains(std::str::from_utf8(piece).unwrap()),
                "{shown}"
            );
        }
    }
    // The same names with sandbox values pass; an unlisted or malformed URL does not.
    let sandbox_url = format!(
        "postgres://koomy:{}@ep-beta-1-pooler{R}/neondb?sslmode=require",
        alnum(6, 24)
    );
    let e = eval("sandbox", &[("DIRECT_URL", sandbox_url)]);
    assert!(errors(&e).is_empty(), "{:?}", e.report);
    let e = eval(
        "sandbox",
        &[(
            "REPLICA_URL",
            "postgresql://koomy@db.elsewhere.example/koomy".to_owned(),
        )],
    );
    assert_eq!(errors(&e), ["database-url-unlisted"]);
    let e = eval(
        "sandbox",
        &[(
            "OTHER_URL",
            format!("postgresql://koomy@ep-beta-1{R}/db?host=/tmp"),
        )],
    );
    assert_eq!(errors(&e), ["database-url-invalid"]);
    // Schemes that some clients also read as PostgreSQL (postgres.js takes any scheme):
    // refused, since the strict grammar cannot vouch for them; other schemes are not URLs
    // of a PostgreSQL client.
    for scheme in ["pg", "PGSQL", "postgresql+psycopg", "postgres+asyncpg"] {
        let url = format!("{scheme}://koomy@ep-alpha-1{R}/neondb?sslmode=require");
        let e = eval("sandbox", &[("OTHER_URL", url)]);
        assert_eq!(errors(&e), ["database-url-invalid"], "{scheme}");
    }
    for value in [
        format!("redis://default@ep-alpha-1{R}:6379"),
        format!("pgx://koomy@ep-alpha-1{R}/neondb"),
        "https://pg.example/".to_owned(),
    ] {
        let e = eval("sandbox", &[("OTHER_URL", value.clone())]);
        assert!(errors(&e).is_empty(), "{value}: {:?}", e.report);
    }
    // High-entropy values of unknown variables are compared with the registry, never
    // reported as unregistered.
    let e = evaluate_with(
        &policy(),
        &vars("sandbox", &[("SOME_BUILD_ID", hex32(44))]),
        &Registry::Ready(&Table(HashMap::new())),
    );
    assert!(errors(&e).is_empty());
    assert!(
        !any_message(&e, |m| m.contains("SOME_BUILD_ID")),
        "{:?}",
        e.report
    );
}

#[test]
fn regression_trailing_white_space_in_a_secret_is_named_not_scored_as_zero_bits() {
    let e = eval("sandbox", &[("JWT_SECRET", format!("{}\n", hex32(7)))]);
    assert_eq!(errors(&e), ["secret-malformed"]);
    let f = &e.report.findings[0];
    assert!(f.message.contains("trailing white space"), "{}", f.message);
    assert!(!any_message(&e, |m| m.contains("bits")));
    // A weak value is still weak once trimmed.
    let e = eval("sandbox", &[("JWT_SECRET", " short ".to_owned())]);
    assert_eq!(errors(&e), ["secret-malformed", "secret-weak"]);
}

/// `[secrets.<environment>]`: variables required in one environment only, and platform
/// variables that look like DEBUG switches, approved by exact name in production.
#[test]
fn per_environment_required_and_approved_platform_debug_variables() {
    let text = format!(
        "{POLICY}\n[secrets.production]\nrequired = [\"STRIPE_WEBHOOK_SECRET\"]\nallowed_debug = [\"REPLIT_DEBUG_PROXY\"]\n"
    );
    let policy = Policy::from_toml(&text, "gardefou.toml").unwrap();
    let run = |env: &str, extra: &[(&str, String)]| eval_under(&policy, env, extra);
    let mut prod: Vec<(&str, String)> = Vec::new();
    // Without the webhook secret: required in production…
    let e = run("production", &prod);
    assert!(
        errors(&e).contains(&"secret-required-missing"),
        "{:?}",
        e.report
    );
    // …not in sandbox.
    let e = run("sandbox", &[]);
    assert!(
        !errors(&e).contains(&"secret-required-missing"),
        "{:?}",
        e.report
    );
    prod.push(("STRIPE_WEBHOOK_SECRET", ["whsec_", &alnum(77, 32)].concat()));
    prod.push(("REPLIT_DEBUG_PROXY", "1".to_owned()));
    let e = run("production", &prod);
    assert!(errors(&e).is_empty(), "{:?}", e.report);
    // The approval is by exact name: another debug variable is still refused.
    prod.push(("REPLIT_DEBUG_OTHER", "1".to_owned()));
    let e = run("production", &prod);
    assert_eq!(errors(&e), ["debug-in-production"], "{:?}", e.report);
    // Without the approval the platform's variable is refused too (the test can fail).
    let e = evaluate(
        &Policy::from_toml(POLICY, "gardefou.toml").unwrap(),
        &vars("production", &prod[..2]),
    );
    assert!(
        errors(&e).contains(&"debug-in-production"),
        "{:?}",
        e.report
    );
    // What cannot be approved, with its position.
    for (table, why) in [
        (
            "[secrets.production]\nallowed_debug = [\"DEBUG\"]\n",
            "turns debugging on",
        ),
        (
            "[secrets.production]\nallowed_debug = [\"REPLIT_PROXY\"]\n",
            "needs no approval",
        ),
        (
            "[secrets.sandbox]\nallowed_debug = [\"APP_DEBUG\"]\n",
            "production only",
        ),
        (
            "[secrets.local]\nrequired = [\"UNKNOWN_THING\"]\n",
            "has no kind",
        ),
    ] {
        let err = Policy::from_toml(&format!("{POLICY}\n{table}"), "gardefou.toml").unwrap_err();
        assert!(err.to_string().contains(why), "{err}");
        assert!(err.line > 1, "{err}");
    }
}
