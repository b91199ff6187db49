//! Helpers shared by the tests that play scenarios against real throwaway clusters
//! (`attacks.rs`, `bypasses.rs`, `live.rs`): the databases a scenario starts from, dumps
//! and restores, stamping, probing, SQL run by a given role over TCP the way the
//! application would, and the assertions a scenario ends with.
#![allow(dead_code)]

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use gardefou_findings::Finding;
use gardefou_pgprobe::stamp::{self, Action, StampError, StampOptions};
use gardefou_pgprobe::verify::{verify, Purpose};
use gardefou_pgprobe::{probe, Probe, ProvenPool, StampState};
use gardefou_policy::{Environment, Policy};
use gardefou_testkit::Cluster;

pub const T: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------
// The application's databases, as a scenario finds them.

/// The application's schema: one table of members.
pub const APP_SCHEMA: &str = "CREATE SCHEMA koomy_api; \
    CREATE TABLE koomy_api.members (id integer PRIMARY KEY, name text NOT NULL)";

/// The row a restore of production's data appends to `gardefou.lineage`: production's mark.
pub const PRODUCTION_LINEAGE_ROW: &str = "INSERT INTO gardefou.lineage \
    (environment, database_oid, database_name) VALUES ('production', 1, 'prod')";

/// What a copy of a production database on another server (its production stamp row,
/// lineage row and data marks, with the grants to read them) says to a sandbox seed.
pub const PRODUCTION_COPY_AS_SANDBOX_SEED: [&str; 7] = [
    "database-production-data",
    "database-production-data",
    "database-stamp-environment-mismatch",
    "database-stamp-identity-mismatch",
    "seed-production-marker",
    "seed-production-marker",
    "seed-production-marker",
];

/// What the SQL proof says when a gardefou table, trigger or function was changed.
pub const PROTECTION_CHANGED: &str = "the protection of gardefou.stamp was changed";

/// Stamps the database at `u` `env` for the first time: the stamp must be created.
#[track_caller]
pub fn stamp_new(u: &str, env: Environment) {
    assert_eq!(
        do_stamp(u, env).unwrap(),
        Action::Create,
        "the first {env} stamp of {}",
        db_of(u)
    );
}

/// A new database `db` on `pg`, owned by the application role, stamped `env`. Returns the
/// application role's URL to it.
pub fn stamped_db(pg: &Cluster, db: &str, env: Environment) -> String {
    pg.create_database(db);
    let u = pg.url(db, "sslmode=disable");
    stamp_new(&u, env);
    u
}

/// A new database `db` owned by the application role, with the application schema (created
/// before the stamp), stamped sandbox; the Rust probe finds nothing for a seed. Returns the
/// application role's URL to it.
pub fn sandbox_db(pg: &Cluster, db: &str) -> String {
    pg.create_database(db);
    app_sql(pg, db, APP_SCHEMA).unwrap();
    let u = pg.url(db, "sslmode=disable");
    stamp_new(&u, Environment::Sandbox);
    assert!(
        rules_of(&u, Environment::Sandbox, Purpose::Seed).is_empty(),
        "the new sandbox {db} is not proven"
    );
    u
}

/// A new database `koomy` on `pg` with the application schema and one real member
/// (`1 a real member`), written by the application role; not stamped. Returns the
/// application role's URL to it.
pub fn koomy_with_a_real_member(pg: &Cluster) -> String {
    pg.create_database("koomy");
    app_sql(
        pg,
        "koomy",
        &format!("{APP_SCHEMA}; INSERT INTO koomy_api.members VALUES (1, 'a real member')"),
    )
    .unwrap();
    pg.url("koomy", "sslmode=disable")
}

/// Production's `koomy` on `prod`: [`koomy_with_a_real_member`], stamped production (the
/// stamp marks its schemas). Returns the application role's URL to it.
pub fn production_koomy(prod: &Cluster) -> String {
    let u = koomy_with_a_real_member(prod);
    stamp_new(&u, Environment::Production);
    u
}

/// Gives the application role of `prod` the password it has on `sandbox`: the same
/// database name and credentials on both servers.
pub fn same_app_password(prod: &Cluster, sandbox: &Cluster) {
    prod.psql(
        "postgres",
        &format!(
            "ALTER ROLE {} PASSWORD '{}'",
            Cluster::APP_USER,
            sandbox.password()
        ),
    );
}

/// A URL for `user` with `password` over TCP to `127.0.0.1:<port>/<db>` of `pg`, TLS off.
pub fn role_url(pg: &Cluster, user: &str, password: &str, db: &str) -> String {
    format!(
        "postgresql://{user}:{password}@127.0.0.1:{}/{db}?sslmode=disable",
        pg.port()
    )
}

/// The database a URL names.
pub fn db_of(u: &str) -> String {
    url(u).dbname().to_owned()
}

// ---------------------------------------------------------------------------------------
// Dumps and restores.

/// `pg_dump -Fc -d koomy <dump_args>` of `prod`, in a new temporary directory (kept as long
/// as the returned guard).
pub fn dump_koomy(prod: &Cluster, dump_args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("koomy.dump");
    let out = prod
        .client_cmd("pg_dump")
        .args(["-Fc", "-d", "koomy"])
        .args(dump_args)
        .arg("-f")
        .arg(&dump)
        .output()
        .unwrap();
    assert!(out.status.success(), "pg_dump: {}", stderr(&out));
    (dir, dump)
}

/// `pg_restore --no-owner -d <db> <args> <dump>` as the superuser over the socket. On an
/// existing database errors are expected: pg_restore goes on and exits non-zero.
pub fn restore(pg: &Cluster, db: &str, dump: &Path, args: &[&str]) -> Output {
    pg.client_cmd("pg_restore")
        .args(["--no-owner", "-d", db])
        .args(args)
        .arg(dump)
        .output()
        .unwrap()
}

/// The same restore done with the application's own credentials, over TCP.
pub fn restore_as_app(pg: &Cluster, db: &str, dump: &Path, args: &[&str]) -> Output {
    pg.client_cmd("pg_restore")
        .env("PGHOST", "127.0.0.1")
        .env("PGUSER", Cluster::APP_USER)
        .env("PGPASSWORD", pg.password())
        .args(["--no-owner", "-d", db])
        .args(args)
        .arg(dump)
        .output()
        .unwrap()
}

/// `koomy_api.members` of `db`, as `id name,…` in id order.
pub fn members_of(pg: &Cluster, db: &str) -> String {
    pg_text(
        pg,
        db,
        "SELECT string_agg(id || ' ' || name, ',' ORDER BY id) FROM koomy_api.members",
    )
}

/// The restore (`out`) copied production's one real member into `db`.
#[track_caller]
pub fn assert_copied(pg: &Cluster, db: &str, out: &Output) {
    assert_eq!(
        members_of(pg, db),
        "1 a real member",
        "{db}: the restore did not copy production's row: {}",
        stderr(out)
    );
}

// ---------------------------------------------------------------------------------------
// Stamping.

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

/// The finding that refused a stamp.
#[track_caller]
pub fn stamp_refused(r: Result<Action, StampError>) -> Box<Finding> {
    match r {
        Err(StampError::Refused(f)) => f,
        other => panic!("the stamp was not refused by a rule: {other:?}"),
    }
}

/// The rule that refused a stamp.
#[track_caller]
pub fn stamp_refusal(r: Result<Action, StampError>) -> &'static str {
    stamp_refused(r).rule
}

// ---------------------------------------------------------------------------------------
// Probing.

pub fn probe_at(u: &str) -> Probe {
    probe(&url(u), T).expect("the probe reaches the server")
}

/// A probe of `u`, its error as text.
pub fn try_probe(u: &str) -> Result<Probe, String> {
    probe(&url(u), T).map_err(|e| e.to_string())
}

/// The findings of the probe `p` (target `target`), as `env` for `purpose` under `policy`.
pub fn verdict(
    policy: &Policy,
    env: Environment,
    target: &str,
    p: &Probe,
    purpose: Purpose,
) -> Vec<Finding> {
    verify(policy, env, target, &Ok(p.clone()), purpose)
}

/// [`verdict`] under the koomy policy, for a target named `t`.
pub fn koomy_verdict(env: Environment, p: &Probe, purpose: Purpose) -> Vec<Finding> {
    verdict(&Policy::koomy(), env, "t", p, purpose)
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

/// The probe reads the stamp of `u` as invalid, and says why: `reason`.
#[track_caller]
pub fn assert_invalid_because(u: &str, reason: &str) {
    let why = invalid_reason(u);
    assert!(
        why.contains(reason),
        "{}: the stamp is invalid, but not because {reason:?}: {why}",
        db_of(u)
    );
}

/// A pool of at most `size` connections to `u` that proves them sandbox for `purpose`
/// (target `target`) under the koomy policy.
pub fn sandbox_pool(u: &str, purpose: Purpose, target: &str, size: usize) -> ProvenPool {
    ProvenPool::new(
        url(u),
        Policy::koomy(),
        Environment::Sandbox,
        purpose,
        target.into(),
        size,
    )
}

/// A runtime for a test's own async steps.
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

// ---------------------------------------------------------------------------------------
// SQL, as a given role.

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

/// SQL run by the superuser over the socket (panics on error), trimmed.
pub fn pg_text(pg: &Cluster, db: &str, sql: &str) -> String {
    pg.psql(db, sql).trim().to_owned()
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

#[track_caller]
pub fn assert_raises(r: Result<String, String>, needle: &str) {
    match r {
        Ok(s) => panic!("the SQL proof did not raise: {s}"),
        Err(e) => assert!(e.contains(needle), "expected {needle:?} in: {e}"),
    }
}

#[track_caller]
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

// ---------------------------------------------------------------------------------------
// What a database tells the application role: a scenario's outcome.

/// What the database at `u` (the application role's URL) on `pg` tells the application
/// role asked as `env` for `purpose`. Each assertion returns `self`, to chain, and names
/// the database, the environment and the purpose when it fails.
pub fn asked<'a>(pg: &'a Cluster, u: &'a str, env: Environment, purpose: Purpose) -> Asked<'a> {
    Asked {
        pg,
        u,
        db: db_of(u),
        env,
        purpose,
    }
}

/// See [`asked`].
pub struct Asked<'a> {
    pg: &'a Cluster,
    u: &'a str,
    db: String,
    env: Environment,
    purpose: Purpose,
}

impl Asked<'_> {
    fn purpose_str(&self) -> &'static str {
        match self.purpose {
            Purpose::Run => "run",
            Purpose::Seed => "seed",
        }
    }

    /// The SQL proof, in a session of the application role.
    pub fn proof(&self) -> Result<String, String> {
        proof(self.pg, &self.db, self.env.as_str(), self.purpose_str())
    }

    /// The stamp row (`gardefou.stamp`, read by the superuser) names `env`.
    #[track_caller]
    pub fn stamp_reads(&self, env: &str) -> &Self {
        assert_eq!(
            pg_text(self.pg, &self.db, "SELECT environment FROM gardefou.stamp"),
            env,
            "{self}: the stamp row"
        );
        self
    }

    /// The Rust probe's findings name exactly `expected`, in order.
    #[track_caller]
    pub fn rules(&self, expected: &[&str]) -> &Self {
        assert_eq!(
            rules_of(self.u, self.env, self.purpose),
            expected,
            "{self}: the probe's rule ids"
        );
        self
    }

    /// The SQL proof raises an error that contains `needle`.
    #[track_caller]
    pub fn proof_raises(&self, needle: &str) -> &Self {
        match self.proof() {
            Ok(s) => panic!("{self}: the SQL proof did not raise: {s}"),
            Err(e) => assert!(e.contains(needle), "{self}: expected {needle:?} in: {e}"),
        }
        self
    }

    /// The Rust probe finds nothing and the SQL proof proves the environment.
    #[track_caller]
    pub fn proven(&self) -> &Self {
        self.rules(&[]);
        match self.proof() {
            Ok(s) => assert!(
                s.starts_with(&format!("gardefou: {} proven: database ", self.env)),
                "{self}: {s}"
            ),
            Err(e) => panic!("{self}: the SQL proof raised: {e}"),
        }
        self
    }
}

impl fmt::Display for Asked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (db, env, purpose) = (&self.db, self.env, self.purpose_str());
        write!(f, "database {db} asked as {env} for {purpose}")
    }
}
