//! Every finding speaks French and English: for environments that produce many different
//! findings, each message differs between the two languages (an English-only text would be
//! the same in both). The rules' own fixes come from the rule catalogs, checked apart.
//!
//! Secret-shaped values are built at run time, so that none is committed.

use std::collections::BTreeSet;

use gardefou_findings::Finding;
use gardefou_policy::secrets::{command, Registry};
use gardefou_policy::{evaluate, evaluate_with, EnvVars, Policy};
use gardefou_testkit::fake::alnum;

const R: &str = ".eu-west-2.aws.neon.tech";
const POLICY: &str = "[database.production]\nneon_endpoints = [\"ep-alpha-1\"]\n[database.sandbox]\nneon_endpoints = [\"ep-beta-1\"]\n";

fn vars(pairs: &[(&str, String)]) -> EnvVars {
    pairs.iter().map(|(k, v)| (*k, v.clone())).collect()
}

fn url(ep: &str, sslmode: &str) -> String {
    format!(
        "postgresql://koomy:{}@{ep}{R}/neondb{sslmode}",
        alnum(7, 20)
    )
}

/// Environments that, together, produce most of the guard's and the secrets policy's
/// findings.
fn environments() -> Vec<EnvVars> {
    let live = format!("sk_live_{}", alnum(1, 99));
    let test = format!("sk_test_{}", alnum(2, 99));
    let mut duplicated = vars(&[
        ("KOOMY_ENV", "Production ".into()),
        ("NODE_ENV", "prod".into()),
    ]);
    duplicated.insert_duplicate("KOOMY_ENV");
    let mut not_utf8 = vars(&[]);
    not_utf8.insert_not_utf8("KOOMY_ENV");
    not_utf8.insert_not_utf8("NODE_ENV");
    not_utf8.insert_not_utf8("DATABASE_URL");
    vec![
        vars(&[]),
        duplicated,
        not_utf8,
        vars(&[
            ("KOOMY_ENV", "sandbox".into()),
            ("NODE_ENV", "production".into()),
            ("DATABASE_URL", url("ep-alpha-1", "")),
            ("PGHOST", "elsewhere.example".into()),
            ("PGSERVICE", "x".into()),
            ("DIRECT_URL", url("ep-gamma-1", "?sslmode=require")),
            ("STRIPE_SECRET_KEY", live.clone()),
            ("STRIPE_PUBLISHABLE_KEY", test.clone()),
            ("STRIPE_WEBHOOK_SECRET", "whsec_short".into()),
            ("SENDGRID_API_KEY", "SG.abc.def".into()),
            ("JWT_SECRET", "changeme".into()),
            ("SESSION_SECRET", format!(" {} ", alnum(3, 64))),
            (
                "DEBUG_SECRET",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into(),
            ),
            ("APP_URL", "http://koomy.app".into()),
            ("API_URL", "https://api.koomy.app".into()),
            ("ADMIN_URL", "https://unknown.example".into()),
            ("CORS_ORIGINS", "https://sandbox.koomy.app,,".into()),
        ]),
        vars(&[
            ("KOOMY_ENV", "production".into()),
            ("NODE_ENV", "development".into()),
            ("DATABASE_URL", url("ep-beta-1", "?sslmode=require")),
            ("STRIPE_SECRET_KEY", test),
            ("DEBUG", "1".into()),
            ("DEBUG_SECRET", alnum(4, 64)),
            ("NODE_OPTIONS", "--inspect=0.0.0.0:9229".into()),
            ("JWT_SECRET", alnum(5, 64)),
            ("SESSION_SECRET", alnum(5, 64)),
            (
                "BACKOFFICE_URL",
                "https://backoffice-sandbox.koomy.app".into(),
            ),
        ]),
        vars(&[
            ("KOOMY_ENV", "local".into()),
            ("NODE_ENV", "development".into()),
            (
                "DATABASE_URL",
                "postgres://u@db.example/d?sslmode=bogus".into(),
            ),
            ("SENDGRID_API_KEY", "YOUR_API_KEY".into()),
            ("STRIPE_RESTRICTED_KEY", live),
        ]),
    ]
}

fn assert_bilingual(findings: &[Finding]) -> BTreeSet<&'static str> {
    let mut rules = BTreeSet::new();
    for f in findings {
        assert_ne!(
            f.message.fr(),
            f.message.en(),
            "{}: the message has no French",
            f.rule
        );
        rules.insert(f.rule);
    }
    rules
}

#[test]
fn every_finding_of_the_guard_and_the_secrets_policy_speaks_french_and_english() {
    let policy = Policy::from_toml(POLICY, "gardefou.toml").unwrap();
    let mut rules = BTreeSet::new();
    for v in environments() {
        rules.extend(assert_bilingual(&evaluate(&policy, &v).report.findings));
        rules.extend(assert_bilingual(
            &evaluate_with(&policy, &v, &Registry::Missing)
                .report
                .findings,
        ));
    }
    // The test covers many rules, so that a new English-only message is likely to show.
    assert!(rules.len() >= 25, "only {} rules: {rules:?}", rules.len());
}

#[test]
fn the_command_analysis_speaks_french_and_english() {
    struct Nothing(EnvVars);
    impl command::Surroundings for Nothing {
        fn npm_script(&self, _: &str) -> Result<Option<String>, String> {
            Ok(Some("node --inspect server.js && sh -c 'A=$B node'".into()))
        }
        fn npmrc_node_options(&self) -> Result<Vec<String>, String> {
            Ok(Vec::new())
        }
        fn environment(&self) -> &EnvVars {
            &self.0
        }
        fn env_file_var(&self, _: &str, _: &str) -> Result<Option<String>, String> {
            Ok(None)
        }
        fn interpreter(&self, _: &str) -> Result<Option<String>, String> {
            Ok(None)
        }
    }
    let ctx = Nothing(EnvVars::new());
    for line in [
        "npm start",
        "sudo node server.js",
        "env -S 'node x' server.js",
        "dotenv -- node server.js",
        "./serve --port 1",
    ] {
        let argv: Vec<String> = line.split(' ').map(str::to_owned).collect();
        let a = command::analyse(&argv, &ctx);
        let texts: Vec<_> = a
            .inspector
            .iter()
            .chain(&a.unanalysable)
            .chain(&a.env_unmodelled)
            .collect();
        assert!(!texts.is_empty(), "{line}: nothing to check");
        for t in texts {
            assert_ne!(t.fr(), t.en(), "{line}: no French");
        }
    }
}
