//! Helpers shared by the attack tests (`attacks.rs`, `bypasses.rs`): stamping, probing,
//! and SQL run by a given role over TCP, the way the application would.
#![allow(dead_code)]

use std::process::Output;
use std::time::Duration;

use gardefou_findings::Finding;
use gardefou_pgprobe::stamp::{self, Action, StampError, StampOptions};
use gardefou_pgprobe::verify::{verify, Purpose};
use gardefou_pgprobe::{probe, Probe, StampState};
use gardefou_policy::{Environment, Policy};
use gardefou_testkit::Cluster;

pub const T: Duration = Duration::from_secs(20);

pub fn url(s: &str) -> gardefou_pgurl::ConnUrl {
    gardefou_pgurl::parse(s).expect("test URL parses")
}

pub fn do_stamp_with(
    u: &str,
    env: Environment,
    options: StampOptions,
) -> Result<Action, StampError> {
    let u = url(u);
    gardefou_pgprobe::block_on(
        async {
            let c = gardefou_pgprobe::connect(&u).await?;
            Ok(stamp::write(&c, env, &options).await)
        },
        T,
    )
    .map_err(StampError::Probe)?
    .map(|s| s.action)
}

pub fn do_stamp(u: &str, env: Environment) -> Result<Action, StampError> {
    do_stamp_with(u, env, StampOptions::default())
}

/// `db stamp --replace OLD` (`None`: a plain stamp).
pub fn do_stamp_replacing(
    u: &str,
    env: Environment,
    replace: Option<Environment>,
) -> Result<Action, StampError> {
    let options = StampOptions {
        replace,
        grant: None,
    };
    do_stamp_with(u, env, options)
}

/// The rule that refused a stamp.
pub fn stamp_refusal(r: Result<Action, StampError>) -> &'static str {
    match r {
        Err(StampError::Refused(f)) => f.rule,
        other => panic!("the stamp was not refused by a rule: {other:?}"),
    }
}

pub fn probe_at(u: &str) -> Probe {
    probe(&url(u), T).expect("the probe reaches the server")
}

pub fn findings(u: &str, env: Environment, purpose: Purpose) -> Vec<Finding> {
    verify(&Policy::koomy(), env, "t", &Ok(probe_at(u)), purpose)
}

pub fn ids(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.rule).collect()
}

pub fn rules_of(u: &str, env: Environment, purpose: Purpose) -> Vec<&'static str> {
    ids(&findings(u, env, purpose))
}

pub fn invalid_reason(u: &str) -> String {
    match probe_at(u).stamp {
        StampState::Invalid(why) => why.en().to_owned(),
        other => panic!("the stamp is not invalid: {other:?}"),
    }
}

/// SQL run by `user` through psql over TCP to `port`, authenticated with `PGPASSWORD`.
pub fn sql_at(
    pg: &Cluster,
    port: u16,
    user: &str,
    password: &str,
    db: &str,
    sql: &str,
) -> Result<String, String> {
    pg.try_psql_at(port, user, password, db, sql)
        .map(|out| out.trim().to_owned())
}

/// SQL run by `user` on the cluster's own port.
pub fn sql_as(
    pg: &Cluster,
    user: &str,
    password: &str,
    db: &str,
    sql: &str,
) -> Result<String, String> {
    sql_at(pg, pg.port(), user, password, db, sql)
}

/// SQL run by the application role (the owner of the databases and of gardefou's objects).
pub fn app_sql(pg: &Cluster, db: &str, sql: &str) -> Result<String, String> {
    sql_as(pg, Cluster::APP_USER, pg.password(), db, sql)
}

/// The SQL proof, run by `user` in its own session.
pub fn proof_as(
    pg: &Cluster,
    user: &str,
    password: &str,
    db: &str,
    env: &str,
    purpose: &str,
) -> Result<String, String> {
    sql_as(
        pg,
        user,
        password,
        db,
        &format!("SELECT gardefou.assert_environment('{env}', '{purpose}')"),
    )
}

/// The SQL proof, run by the application role.
pub fn proof(pg: &Cluster, db: &str, env: &str, purpose: &str) -> Result<String, String> {
    proof_as(pg, Cluster::APP_USER, pg.password(), db, env, purpose)
}

pub fn assert_raises(r: Result<String, String>, needle: &str) {
    match r {
        Ok(s) => panic!("the SQL proof did not raise: {s}"),
        Err(e) => assert!(e.contains(needle), "expected {needle:?} in: {e}"),
    }
}

pub fn assert_proven(r: Result<String, String>, env: &str) {
    match r {
        Ok(s) => assert!(
            s.starts_with(&format!("gardefou: {env} proven: database ")),
            "{s}"
        ),
        Err(e) => panic!("the SQL proof raised: {e}"),
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
