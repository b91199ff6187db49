//! Equivalent spellings of one target get one verdict: whatever way a URL writes the same
//! server (case, percent-encoding, pooler host, scheme, default port, trailing dot, numeric
//! loopback forms), the guard reaches the same decision and the same owner — for the
//! clients that decode the host (libpq, node-postgres, tokio-postgres). With every client
//! in use (the default), a spelling some client reads differently is refused: never
//! allowed with another owner.

use gardefou_policy::{evaluate, EnvVars, Environment, Policy};
use proptest::prelude::*;

const POLICY: &str = include_str!("fixtures/equivalence.toml");

/// How one server may be written.
#[derive(Clone, Debug)]
struct Spelling {
    upper: Vec<bool>,
    encode: Vec<bool>,
    postgres_scheme: bool,
    explicit_port: bool,
}

fn spelling() -> impl Strategy<Value = Spelling> {
    (
        proptest::collection::vec(any::<bool>(), 64),
        proptest::collection::vec(proptest::bool::weighted(0.2), 64),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(upper, encode, postgres_scheme, explicit_port)| Spelling {
            upper,
            encode,
            postgres_scheme,
            explicit_port,
        })
}

fn write_host(host: &str, s: &Spelling) -> String {
    host.chars()
        .enumerate()
        .map(|(i, c)| {
            let c = if s.upper[i % 64] {
                c.to_ascii_uppercase()
            } else {
                c
            };
            if s.encode[i % 64] {
                format!("%{:02X}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn url(host: &str, port: Option<u16>, s: &Spelling) -> String {
    let scheme = if s.postgres_scheme {
        "postgres"
    } else {
        "postgresql"
    };
    let port = match port {
        Some(p) => format!(":{p}"),
        None if s.explicit_port => ":5432".to_owned(),
        None => String::new(),
    };
    format!(
        "{scheme}://koomy@{}{port}/koomy?sslmode=require",
        write_host(host, s)
    )
}

fn verdict(koomy: &str, db: &str) -> (bool, Option<Environment>, Vec<&'static str>) {
    verdict_with(POLICY, koomy, db)
}

fn verdict_with(
    policy: &str,
    koomy: &str,
    db: &str,
) -> (bool, Option<Environment>, Vec<&'static str>) {
    let policy = Policy::from_toml(policy, "test.toml").unwrap();
    let vars: EnvVars = [
        ("KOOMY_ENV", koomy),
        ("NODE_ENV", "production"),
        ("DATABASE_URL", db),
    ]
    .into_iter()
    .collect();
    let e = evaluate(&policy, &vars);
    let rules = e.report.findings.iter().map(|f| f.rule).collect();
    (e.is_allowed(), e.database.and_then(|d| d.owner), rules)
}

proptest! {
    #[test]
    fn one_server_one_verdict(
        s in spelling(),
        koomy in prop::sample::select(vec!["production", "sandbox", "local"]),
        (canonical, variants) in prop::sample::select(vec![
            ("ep-alpha-1.eu-west-2.aws.neon.tech", vec!["ep-alpha-1-pooler.eu-west-2.aws.neon.tech", "ep-alpha-1.c-2.eu-west-2.aws.neon.tech"]),
            ("ep-beta-1.eu-west-2.aws.neon.tech", vec!["ep-beta-1-pooler.eu-west-2.aws.neon.tech", "ep-beta-1-pooler.eu-west-2.aws.neon.tech."]),
            ("db.koomy.internal", vec!["db.koomy.internal."]),
            ("localhost", vec!["127.0.0.1", "127.1", "[::1]", "[::ffff:127.0.0.1]", "2130706433", "0x7f.0.0.1"]),
        ]),
        port in prop::sample::select(vec![None, Some(6543)]),
    ) {
        let reference = verdict(koomy, &url(canonical, port, &Spelling { upper: vec![false; 64], encode: vec![false; 64], postgres_scheme: false, explicit_port: false }));
        for v in variants.iter().copied().chain([canonical]) {
            // Brackets are structure, not host text: never case-fold or encode them.
            let written = if v.starts_with('[') {
                url(v, port, &Spelling { upper: vec![false; 64], encode: vec![false; 64], ..s.clone() })
            } else {
                url(v, port, &s)
            };
            prop_assert_eq!(&verdict(koomy, &written), &reference, "{} vs {}", written, canonical);
            // Every client: the same verdict, or refused as read differently.
            let all_clients = POLICY.replace("clients = [\"libpq\", \"pg\", \"tokio-postgres\"]", "");
            let strict = verdict_with(&all_clients, koomy, &written);
            prop_assert!(
                strict == reference || (!strict.0 && strict.2.contains(&"database-url-invalid")),
                "{} vs {}: {:?}", written, canonical, strict
            );
        }
    }
}

#[test]
fn the_reference_verdicts_differ_so_the_property_has_teeth() {
    // Without this, a guard that allowed everything would pass the property above.
    let s = Spelling {
        upper: vec![false; 64],
        encode: vec![false; 64],
        postgres_scheme: false,
        explicit_port: false,
    };
    let prod = url("ep-alpha-1.eu-west-2.aws.neon.tech", None, &s);
    assert!(verdict("production", &prod).0);
    assert!(!verdict("sandbox", &prod).0);
    let tunnel = url("127.1", Some(6543), &s);
    assert_eq!(verdict("local", &tunnel).1, Some(Environment::Sandbox));
}
