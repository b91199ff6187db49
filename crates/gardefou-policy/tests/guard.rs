//! The startup guard, table-driven: every threat category of docs/threats.md in both directions.
//!
//! `ep-alpha-1…` is production, `ep-beta-1…` is sandbox, `{R}` is `.eu-west-2.aws.neon.tech`.
//! Passwords are built at run time (`{pw}`) so that no secret-shaped literal is committed.

use gardefou_policy::{evaluate, EnvVars, Environment, Evaluation, Policy};

const R: &str = ".eu-west-2.aws.neon.tech";

/// The core clients, which decode hosts and read the socket idiom alike; the default (every
/// client) is tested by `forms_some_client_reads_differently_are_refused_by_default`.
const POLICY: &str = include_str!("fixtures/guard.toml");

fn password() -> String {
    // A runtime value: never a committed literal.
    ["pr0d", "Pass", "word", "9"].concat()
}

fn url(template: &str) -> String {
    template.replace("{pw}", &password()).replace("{R}", R)
}

fn eval_with(
    policy: &Policy,
    koomy: &str,
    node: &str,
    db: &str,
    extra: &[(&str, &str)],
) -> Evaluation {
    let mut vars: EnvVars = [("KOOMY_ENV", koomy), ("NODE_ENV", node)]
        .into_iter()
        .collect();
    vars.insert("DATABASE_URL", url(db));
    for (k, v) in extra {
        vars.insert(*k, *v);
    }
    evaluate(policy, &vars)
}

fn eval(koomy: &str, node: &str, db: &str) -> Evaluation {
    let policy = Policy::from_toml(POLICY, "test.toml").unwrap();
    eval_with(&policy, koomy, node, db, &[])
}

fn error_rules(e: &Evaluation) -> Vec<&'static str> {
    e.report
        .findings
        .iter()
        .filter(|f| f.severity == gardefou_findings::Severity::Error)
        .map(|f| f.rule)
        .collect()
}

#[test]
fn must_allow() {
    let cases: &[(&str, &str, &str)] = &[
        // Neon's own connection strings, both schemes, pooler and direct.
        ("sandbox", "production", "postgresql://koomy:{pw}@ep-beta-1-pooler{R}/neondb?sslmode=require&channel_binding=require"),
        ("sandbox", "production", "postgres://koomy:{pw}@ep-beta-1{R}/neondb?sslmode=require"),
        ("sandbox", "development", "postgresql://koomy:{pw}@ep-beta-1{R}:5432/neondb?sslmode=verify-full"),
        ("sandbox", "production", "postgresql://koomy:{pw}@EP-BETA-1-POOLER.EU-WEST-2.AWS.NEON.TECH/neondb?sslmode=require"),
        ("sandbox", "production", "postgresql://koomy:{pw}@ep-beta%2D1{R}/neondb?sslmode=require"),
        ("sandbox", "production", "postgresql://koomy:{pw}@ep-beta-1-pooler.c-2.us-east-2.aws.neon.tech/neondb?sslmode=require"),
        // Words in the wrong place do not matter: a user called production on sandbox.
        ("sandbox", "production", "postgresql://production:{pw}@ep-beta-1{R}/prod?sslmode=require"),
        // A tunnel the policy declares as sandbox, in any loopback spelling.
        ("sandbox", "production", "postgresql://koomy:{pw}@localhost:6543/koomy"),
        ("sandbox", "production", "postgresql://koomy:{pw}@127.0.0.1:6543/koomy"),
        ("sandbox", "production", "postgresql://koomy:{pw}@[::1]:6543/koomy"),
        ("sandbox", "production", "postgresql://koomy:{pw}@10.1.2.3:5433/koomy?sslmode=require"),
        ("production", "production", "postgresql://koomy:{pw}@ep-alpha-1-pooler{R}/neondb?sslmode=require&channel_binding=require"),
        ("production", "production", "postgresql://koomy:{pw}@db.koomy.internal:5432/koomy?sslmode=verify-full"),
        ("production", "production", "postgresql://koomy:{pw}@DB.Koomy.Internal./koomy?sslmode=verify-full"),
        // Local: loopback in every spelling, Unix sockets, a dedicated Neon database.
        ("local", "development", "postgresql://koomy@localhost/koomy_dev"),
        ("local", "development", "postgresql://koomy:{pw}@127.0.0.1:5432/koomy_dev?sslmode=disable"),
        ("local", "development", "postgresql://koomy@127.1/koomy_dev"),
        ("local", "development", "postgresql://koomy@[::1]:5433/koomy_dev"),
        ("local", "development", "postgresql://koomy@[::ffff:127.0.0.1]/koomy_dev"),
        ("local", "development", "postgresql://koomy@%2Fvar%2Frun%2Fpostgresql/koomy_dev"),
        ("local", "development", "postgresql:///koomy_dev?host=/var/run/postgresql"),
        ("local", "production", "postgresql://koomy:{pw}@ep-gamma-7{R}/neondb?sslmode=require"),
    ];
    for (koomy, node, db) in cases {
        let e = eval(koomy, node, db);
        assert!(
            e.is_allowed(),
            "{koomy} {db}: refused {:?}",
            e.report.findings
        );
        assert_eq!(e.environment.map(Environment::as_str), Some(*koomy));
    }
}

#[test]
fn must_refuse() {
    let cases: &[(&str, &str, &str, &str)] = &[
        // §5.1's own examples.
        (
            "sandbox",
            "production",
            "postgresql://koomy:{pw}@ep-alpha-1-pooler{R}/neondb?sslmode=require",
            "database-url-environment-mismatch",
        ),
        (
            "production",
            "production",
            "postgresql://koomy:{pw}@ep-beta-1{R}/neondb?sslmode=require",
            "database-url-environment-mismatch",
        ),
        // 1–7: where the client connects is not where a naive reader looks.
        (
            "sandbox",
            "production",
            "postgresql://koomy:{pw}@ep-beta-1{R}/neondb?host=ep-alpha-1{R}",
            "database-url-invalid",
        ),
        (
            "sandbox",
            "production",
            "postgresql://koomy:{pw}@ep-beta-1{R}/neondb?hostaddr=10.9.9.9",
            "database-url-invalid",
        ),
        (
            "sandbox",
            "production",
            "postgresql://koomy:{pw}@ep-beta-1{R},ep-alpha-1{R}/neondb",
            "database-url-invalid",
        ),
        (
            "sandbox",
            "production",
            "postgresql://koomy:{pw}@10.1.2.3/neondb?options=endpoint%3Dep-alpha-1&sslmode=require",
            "database-url-invalid",
        ),
        (
            "sandbox",
            "production",
            "postgresql://koomy:endpoint=ep-alpha-1;{pw}@10.1.2.3/neondb?sslmode=require",
            "database-url-invalid",
        ),
        (
            "sandbox",
            "production",
            "postgresql://koomy:{pw}@ep-alpha%2D1{R}/neondb?sslmode=require",
            "database-url-environment-mismatch",
        ),
        (
            "sandbox",
            "production",
            "postgresql://koomy:{pw}@ep-beta-1{R}@ep-alpha-1{R}/neondb",
            "database-url-invalid",
        ),
        (
            "sandbox",
            "production",
            "postgresql://koomy:{pw}@ep-beta-1{R}/neondb?dbname=other",
            "database-url-invalid",
        ),
        // 8: what the URL leaves out.
        (
            "sandbox",
            "production",
            "postgresql:///neondb",
            "database-url-invalid",
        ),
        (
            "sandbox",
            "production",
            "postgresql://koomy:{pw}@ep-beta-1{R}/neondb?service=prod",
            "database-url-invalid",
        ),
        // 9–11: names that look like something else.
        (
            "sandbox",
            "production",
            "postgresql://koomy:{pw}@ep-beta-12{R}/neondb?sslmode=require",
            "database-url-unlisted",
        ),
        (
            "local",
            "development",
            "postgresql://koomy@localhost.example.net/koomy",
            "database-url-unlisted",
        ),
        (
            "local",
            "development",
            "postgresql://koomy@db.prod.local/koomy",
            "database-url-unlisted",
        ),
        (
            "local",
            "development",
            "postgresql://koomy@127.0.0.1:6543/koomy",
            "database-url-environment-mismatch",
        ),
        (
            "sandbox",
            "production",
            "postgresql://sandbox:{pw}@ep-alpha-1{R}/sandbox?sslmode=require",
            "database-url-environment-mismatch",
        ),
        (
            "local",
            "development",
            "postgresql://koomy@db.koomy.internal/koomy",
            "database-url-environment-mismatch",
        ),
        // 14: values that are almost allowed.
        (
            "Sandbox",
            "production",
            "postgresql://koomy:{pw}@ep-beta-1{R}/neondb?sslmode=require",
            "koomy-env-invalid",
        ),
        (
            "sandbox ",
            "production",
            "postgresql://koomy:{pw}@ep-beta-1{R}/neondb?sslmode=require",
            "koomy-env-invalid",
        ),
        (
            "prod",
            "production",
            "postgresql://koomy:{pw}@ep-alpha-1{R}/neondb?sslmode=require",
            "koomy-env-invalid",
        ),
        (
            "staging",
            "production",
            "postgresql://koomy:{pw}@ep-beta-1{R}/neondb?sslmode=require",
            "koomy-env-invalid",
        ),
        (
            "sandbox",
            "dev",
            "postgresql://koomy:{pw}@ep-beta-1{R}/neondb?sslmode=require",
            "node-env-invalid",
        ),
        (
            "sandbox",
            "test",
            "postgresql://koomy:{pw}@ep-beta-1{R}/neondb?sslmode=require",
            "node-env-invalid",
        ),
        (
            "production",
            "development",
            "postgresql://koomy:{pw}@ep-alpha-1{R}/neondb?sslmode=require",
            "node-env-not-production",
        ),
        // Other grammars and parameters.
        (
            "local",
            "development",
            "host=localhost dbname=koomy",
            "database-url-invalid",
        ),
        (
            "local",
            "development",
            "postgresql://koomy@localhost/koomy?ssl=yes",
            "database-url-invalid",
        ),
        (
            "local",
            "development",
            "postgresql://koomy@0.0.0.0/koomy",
            "database-url-invalid",
        ),
        (
            "local",
            "development",
            "postgresql://koomy@localhost/koomy#frag",
            "database-url-invalid",
        ),
    ];
    for (koomy, node, db, rule) in cases {
        let e = eval(koomy, node, db);
        assert!(!e.is_allowed(), "{koomy} {db}: allowed");
        assert!(
            error_rules(&e).contains(rule),
            "{koomy} {db}: expected {rule}, got {:?}",
            error_rules(&e)
        );
    }
}

#[test]
fn pg_variables_beside_database_url_are_refused() {
    let policy = Policy::from_toml(POLICY, "test.toml").unwrap();
    for var in [
        "PGHOST",
        "PGHOSTADDR",
        "PGPORT",
        "PGDATABASE",
        "PGUSER",
        "PGOPTIONS",
        "PGSERVICE",
        "PGSERVICEFILE",
        "PGPASSFILE",
        "PGSSLMODE",
    ] {
        let e = eval_with(
            &policy,
            "local",
            "development",
            "postgresql://koomy@localhost/koomy",
            &[(var, "x")],
        );
        assert_eq!(error_rules(&e), ["database-env-override"], "{var}");
        assert!(e.report.findings[0].message.contains(var));
    }
}

#[test]
fn every_violation_is_reported_at_once() {
    let e = evaluate(&Policy::koomy(), &EnvVars::new());
    assert_eq!(
        error_rules(&e),
        [
            "koomy-env-missing",
            "node-env-missing",
            "database-url-missing"
        ]
    );
    let e = eval("sandbox ", "dev", "postgresql://u@ep-alpha-1{R}/db");
    assert_eq!(
        error_rules(&e),
        ["koomy-env-invalid", "node-env-invalid"],
        "an invalid KOOMY_ENV cannot mismatch, but the rest is still checked"
    );
}

#[test]
fn the_built_in_policy_refuses_production_and_sandbox_and_names_the_key() {
    for env in ["production", "sandbox"] {
        let e = eval_with(
            &Policy::koomy(),
            env,
            "production",
            "postgresql://k:{pw}@ep-alpha-1{R}/db?sslmode=require",
            &[],
        );
        let rules = error_rules(&e);
        assert!(rules.contains(&"policy-database-unconfigured"), "{rules:?}");
        let f = e
            .report
            .findings
            .iter()
            .find(|f| f.rule == "policy-database-unconfigured")
            .unwrap();
        assert!(
            f.fix.contains(&format!("[database.{env}] neon_endpoints")),
            "{}",
            f.fix
        );
    }
    // Local still works with no file at all.
    let e = eval_with(
        &Policy::koomy(),
        "local",
        "development",
        "postgresql://k@localhost/db",
        &[],
    );
    assert!(e.is_allowed(), "{:?}", e.report.findings);
}

#[test]
fn remote_without_tls_is_a_warning_not_a_refusal() {
    let e = eval(
        "sandbox",
        "production",
        "postgresql://koomy:{pw}@ep-beta-1{R}/neondb",
    );
    assert!(e.is_allowed());
    assert_eq!(e.report.findings.len(), 1);
    assert_eq!(e.report.findings[0].rule, "database-url-tls-optional");
}

#[test]
fn no_value_is_ever_echoed() {
    let planted = password();
    let policy = Policy::from_toml(POLICY, "test.toml").unwrap();
    let cases = [
        (
            format!("x{planted}"),
            format!("y{planted}"),
            format!("postgresql://u:{planted}@ep-alpha-1{R},x/db"),
        ),
        (
            "sandbox".into(),
            "production".into(),
            format!("postgresql://u:{planted}@ep-alpha-1{R}/db"),
        ),
        (
            "sandbox".into(),
            "production".into(),
            format!("{planted}://u@host/db"),
        ),
        (
            "sandbox".into(),
            "production".into(),
            format!("postgresql://u:{planted}@[::1/db"),
        ),
        (
            "sandbox".into(),
            "production".into(),
            format!("postgresql://u:{planted}@ep-beta-1{R}/db?options={planted}"),
        ),
    ];
    for (koomy, node, db) in cases {
        let mut vars: EnvVars = [
            ("KOOMY_ENV", koomy),
            ("NODE_ENV", node),
            ("DATABASE_URL", db),
        ]
        .into_iter()
        .collect();
        vars.insert("PGPASSWORD", planted.clone());
        let e = evaluate(&policy, &vars);
        let shown = format!("{:?} {:?}", e, e.report.findings);
        assert!(!shown.contains(&planted), "leaked: {shown}");
        assert!(!e.report.findings.is_empty());
    }
}

#[test]
fn pg_variables_that_say_what_database_url_says_are_allowed() {
    let policy = Policy::from_toml(POLICY, "test.toml").unwrap();
    let pw = password();
    let db = format!("postgresql://koomy:{pw}@localhost:6543/koomy?sslmode=disable");
    // What Replit and Vercel set beside DATABASE_URL, and variables no client reads.
    let agreeing: Vec<(&str, &str)> = vec![
        ("PGHOST", "localhost"),
        ("PGPORT", "6543"),
        ("PGDATABASE", "koomy"),
        ("PGUSER", "koomy"),
        ("PGPASSWORD", pw.as_str()),
        ("PGSSLMODE", "disable"),
        ("PGDATA", "/var/lib/postgresql/data"),
        ("PGAPPNAME", "koomy"),
    ];
    let e = eval_with(&policy, "sandbox", "production", &db, &agreeing);
    assert!(error_rules(&e).is_empty(), "{:?}", e.report);
    // Each one that says something else is refused, by name, without its value.
    for (var, other) in [
        ("PGHOST", "db.koomy.internal"),
        ("PGHOST", "127.0.0.1"),
        ("PGPORT", "5432"),
        ("PGDATABASE", "koomy_prod"),
        ("PGUSER", "koomy_admin"),
        ("PGPASSWORD", "not-the-password"),
        ("PGSSLMODE", "require"),
    ] {
        let mut extra = agreeing.clone();
        extra.retain(|(k, _)| *k != var);
        extra.push((var, other));
        let e = eval_with(&policy, "sandbox", "production", &db, &extra);
        assert_eq!(error_rules(&e), ["database-env-override"], "{var}={other}");
        let msg = &e.report.findings[0].message;
        assert!(msg.contains(var) && !msg.contains(other), "{msg}");
    }
}

#[test]
fn forms_some_client_reads_differently_are_refused_by_default() {
    let every_client = POLICY.replace("clients = [\"libpq\", \"pg\", \"tokio-postgres\"]", "");
    let policy = Policy::from_toml(&every_client, "test.toml").unwrap();
    for (db, client) in [
        (
            "postgresql://koomy@ep-beta%2D1{R}/neondb?sslmode=require",
            "postgres.js",
        ),
        (
            "postgresql://koomy@localhost:6543/koomy%5Fdev",
            "postgres.js",
        ),
        (
            "postgresql:///koomy_dev?host=/var/run/postgresql",
            "postgres.js",
        ),
        (
            "postgresql://koomy%3Aadmin@localhost:6543/koomy",
            "serverless",
        ),
    ] {
        let e = eval_with(&policy, "sandbox", "production", db, &[]);
        assert_eq!(error_rules(&e), ["database-url-invalid"], "{db}");
        assert!(
            e.report.findings[0].message.contains(client),
            "{db}: {}",
            e.report.findings[0].message
        );
    }
    // Other variables holding a URL obey the same clients.
    let e = eval_with(
        &policy,
        "sandbox",
        "production",
        "postgresql://koomy@localhost:6543/koomy",
        &[("DIRECT_URL", "postgresql:///koomy?host=/run/sandbox")],
    );
    assert_eq!(error_rules(&e), ["database-url-invalid"]);
    // An unknown client name is a configuration error at its position.
    let e = Policy::from_toml("[database]\nclients = [\"pg\", \"knex\"]\n", "p.toml").unwrap_err();
    assert!(e.to_string().contains("database.clients[1]"), "{e}");
}
