//! Regression tests for the red team's bypasses of the proof (identity, stamp, marks,
//! proven pool), against real throwaway clusters. Each test replays one attack that once
//! succeeded and asserts its OUTCOME now: nothing lands in production, the exact rule ids,
//! the SQL proof raises, the pool's health. Attacks that stay open by design (documented
//! in docs/identity.md) are pinned down by `documented_limit_*` tests, so that a change of
//! behaviour is noticed either way; the defences that held keep their tests.
//! Run with `cargo test -p gardefou-pgprobe --test bypasses`.

mod support;

use support::*;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gardefou_findings::Report;
use gardefou_pgprobe::stamp::{Action, StampOptions};
use gardefou_pgprobe::verify::Purpose;
use gardefou_pgprobe::{
    probe, Health, PoolError, Probe, ProbeError, ProvenClient, ProvenPool, StampState,
};
use gardefou_policy::{Environment, Policy};
use gardefou_testkit::{Cluster, Forwarder};

/// What a full proof of production's `koomy` (stamped production, server pin, lineage row,
/// data marks on `koomy_api` and `koomy_api.members`) says to a sandbox seed.
const PRODUCTION_AS_SANDBOX_SEED: [&str; 8] = [
    "database-production-server",
    "database-production-data",
    "database-production-data",
    "database-stamp-environment-mismatch",
    "seed-production-marker",
    "seed-production-marker",
    "seed-production-marker",
    "seed-production-marker",
];

// ---------------------------------------------------------------------------------------
// Helpers of these tests (those shared with attacks.rs and live.rs: support/mod.rs)

/// The rules of a pool's refusal; panics when the pool handed a connection out.
fn refusal<T>(r: Result<T, PoolError>) -> Vec<&'static str> {
    match r {
        Err(PoolError::Refused(report)) => ids(&report.findings),
        Err(e) => panic!("not a refusal by the proof: {e}"),
        Ok(_) => panic!("the pool accepted"),
    }
}

/// The rules of the pool's last refusal; panics when it reports healthy.
fn health_rules(pool: &ProvenPool) -> Vec<&'static str> {
    match pool.health() {
        Health::Refused(findings) => ids(&findings),
        Health::Proven => panic!("the pool reports Proven"),
    }
}

fn first_value(messages: Vec<tokio_postgres::SimpleQueryMessage>) -> String {
    messages
        .iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap_or("").to_owned()),
            _ => None,
        })
        .expect("a row")
}

/// The first value `sql` returns through `c`.
async fn query_value(c: &tokio_postgres::Client, sql: &str) -> String {
    first_value(c.simple_query(sql).await.unwrap())
}

/// Both `r`, a pool's answer, and the pool's health are a refusal that names `expected`.
#[track_caller]
fn assert_pool_refused<T>(pool: &ProvenPool, r: Result<T, PoolError>, expected: &[&str]) {
    assert_eq!(refusal(r), expected, "the pool's answer");
    assert_eq!(health_rules(pool), expected, "the pool's health");
}

/// `gardefou_pgprobe::prove_in_transaction` of a sandbox seed, in `c`'s open transaction.
async fn prove_sandbox_seed_in(c: &tokio_postgres::Client) -> Result<Report, Report> {
    gardefou_pgprobe::prove_in_transaction(
        c,
        &Policy::koomy(),
        Environment::Sandbox,
        Purpose::Seed,
        "t",
    )
    .await
}

/// A production database (application schema, one real member, production stamp and
/// marks) dumped with `pg_dump -Fc <dump_args>`. The production cluster is gone after.
fn production_dump(dump_args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let prod = Cluster::start();
    production_koomy(&prod);
    dump_koomy(&prod, dump_args)
}

/// The production data is in a stamped sandbox and NOTHING notices it: the Rust probe
/// (run and seed), the SQL proof and `gardefou db stamp`.
#[track_caller]
fn assert_undetected(pg: &Cluster, u: &str) {
    asked(pg, u, Environment::Sandbox, Purpose::Seed).proven();
    assert_eq!(
        do_stamp(u, Environment::Sandbox).unwrap(),
        Action::Nothing,
        "{}",
        db_of(u)
    );
}

/// A changed gardefou object: the probe says `database-stamp-invalid` (and nothing else),
/// the SQL proof raises, and `gardefou db stamp` refuses instead of keeping it.
#[track_caller]
fn assert_protection_changed(pg: &Cluster, u: &str) {
    for purpose in [Purpose::Run, Purpose::Seed] {
        asked(pg, u, Environment::Sandbox, purpose)
            .rules(&["database-stamp-invalid"])
            .proof_raises(PROTECTION_CHANGED);
    }
    assert_eq!(
        stamp_refusal(do_stamp(u, Environment::Sandbox)),
        "database-stamp-invalid",
        "{}",
        db_of(u)
    );
}

/// Appends `line` first in `pg_hba.conf` and reloads.
fn hba_first(pg: &Cluster, line: &str) {
    let path = pg.data_dir().join("pg_hba.conf");
    let old = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{line}\n{old}")).unwrap();
    pg.psql("postgres", "SELECT pg_reload_conf()");
}

/// A server program (`pg_ctl`) run as the cluster's owner (`postgres` under root).
fn server_cmd(program: &str) -> Command {
    let bin = gardefou_testkit::bin_dir().unwrap().join(program);
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin);
        c
    } else {
        Command::new(bin)
    }
}

fn run_ok(mut c: Command, what: &str) {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
}

/// A seed's unit of work done the way `ProvenClient` documents for poolers: inside
/// `proven_transaction()`. Returns the refusal when the transaction is not proven.
async fn seed_in_proven_transaction(
    c: &mut ProvenClient,
    id: i32,
    name: &str,
) -> Result<(), PoolError> {
    let tx = c.proven_transaction().await?;
    tx.batch_execute(&format!(
        "INSERT INTO koomy_api.members VALUES ({id}, '{name}')"
    ))
    .await
    .expect("the insert runs");
    tx.commit().await.expect("the commit runs");
    Ok(())
}

/// A seed's unit of work with whatever connection the pool hands out.
async fn seed_through_pool(pool: &ProvenPool, id: i32, name: &str) -> Result<(), PoolError> {
    let c = pool.get().await?;
    c.batch_execute(&format!(
        "INSERT INTO koomy_api.members VALUES ({id}, '{name}')"
    ))
    .await
    .expect("the insert runs");
    Ok(())
}

// ---------------------------------------------------------------------------------------
// A transaction-mode pooler (what PgBouncer `pool_mode = transaction` and Supavisor are):
// the client's connection is to the pooler; each transaction borrows a server connection
// to the pooler's CURRENT upstream and gives it back at its end. `point_to` plays an
// operator editing `[databases]` and running `RELOAD`.

struct TxPooler {
    port: u16,
    state: Arc<Mutex<PoolerState>>,
    stop: Arc<AtomicBool>,
}

struct PoolerState {
    target: u16,
    password: String,
    idle: Vec<(u16, TcpStream)>,
    /// Transactions served, per upstream port.
    served: Vec<(u16, usize)>,
}

fn read_msg(s: &mut TcpStream) -> std::io::Result<(u8, Vec<u8>)> {
    let mut ty = [0u8; 1];
    s.read_exact(&mut ty)?;
    let mut len = [0u8; 4];
    s.read_exact(&mut len)?;
    let n = u32::from_be_bytes(len) as usize - 4;
    let mut body = vec![0; n];
    s.read_exact(&mut body)?;
    Ok((ty[0], body))
}

fn write_msg(s: &mut TcpStream, ty: u8, body: &[u8]) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(body.len() + 5);
    buf.push(ty);
    buf.extend(((body.len() + 4) as u32).to_be_bytes());
    buf.extend(body);
    s.write_all(&buf)
}

fn upstream(port: u16, params: &[(String, String)], password: &str) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut body = 196608u32.to_be_bytes().to_vec();
    for (k, v) in params {
        body.extend(k.as_bytes());
        body.push(0);
        body.extend(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut msg = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    msg.extend(body);
    s.write_all(&msg).unwrap();
    loop {
        let (ty, b) = read_msg(&mut s).unwrap();
        match ty {
            b'R' => match u32::from_be_bytes(b[..4].try_into().unwrap()) {
                0 => {}
                3 => {
                    let mut p = password.as_bytes().to_vec();
                    p.push(0);
                    write_msg(&mut s, b'p', &p).unwrap();
                }
                other => panic!("pooler: upstream asks for auth {other}; use hba_first"),
            },
            b'E' => panic!("pooler: upstream refused: {}", String::from_utf8_lossy(&b)),
            b'Z' => return s,
            _ => {}
        }
    }
}

impl TxPooler {
    fn new(target: u16, password: &str) -> TxPooler {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let state = Arc::new(Mutex::new(PoolerState {
            target,
            password: password.to_owned(),
            idle: Vec::new(),
            served: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            while !sp.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((c, _)) => {
                        let st = st.clone();
                        std::thread::spawn(move || {
                            let _ = serve_client(c, st);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        TxPooler { port, state, stop }
    }

    fn point_to(&self, port: u16) {
        self.state.lock().unwrap().target = port;
    }

    fn served(&self, port: u16) -> usize {
        let st = self.state.lock().unwrap();
        st.served
            .iter()
            .find(|(p, _)| *p == port)
            .map_or(0, |(_, n)| *n)
    }
}

impl Drop for TxPooler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve_client(mut c: TcpStream, st: Arc<Mutex<PoolerState>>) -> std::io::Result<()> {
    c.set_nonblocking(false)?;
    // Startup (answer an SSLRequest with 'N').
    let params = loop {
        let mut len = [0u8; 4];
        c.read_exact(&mut len)?;
        let mut body = vec![0; u32::from_be_bytes(len) as usize - 4];
        c.read_exact(&mut body)?;
        let code = u32::from_be_bytes(body[..4].try_into().unwrap());
        if code == 80877103 || code == 80877104 {
            c.write_all(b"N")?;
            continue;
        }
        let parts: Vec<String> = body[4..]
            .split(|b| *b == 0)
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect();
        let mut params = Vec::new();
        for kv in parts.chunks(2) {
            if kv.len() == 2 && !kv[0].is_empty() && (kv[0] == "user" || kv[0] == "database") {
                params.push((kv[0].clone(), kv[1].clone()));
            }
        }
        break params;
    };
    // The pooler authenticates its clients itself (auth_file); here: trust.
    write_msg(&mut c, b'R', &0u32.to_be_bytes())?;
    for (k, v) in [
        ("server_version", "15.0"),
        ("client_encoding", "UTF8"),
        ("standard_conforming_strings", "on"),
        ("integer_datetimes", "on"),
    ] {
        let mut b = k.as_bytes().to_vec();
        b.push(0);
        b.extend(v.as_bytes());
        b.push(0);
        write_msg(&mut c, b'S', &b)?;
    }
    write_msg(&mut c, b'K', &[0, 0, 0, 1, 0, 0, 0, 2])?;
    write_msg(&mut c, b'Z', b"I")?;
    let mut server: Option<(u16, TcpStream)> = None;
    loop {
        let (ty, body) = read_msg(&mut c)?;
        if ty == b'X' {
            if let Some(s) = server.take() {
                st.lock().unwrap().idle.push(s);
            }
            return Ok(());
        }
        if server.is_none() {
            let (target, password, reuse) = {
                let mut g = st.lock().unwrap();
                let target = g.target;
                let i = g.idle.iter().position(|(p, _)| *p == target);
                (target, g.password.clone(), i.map(|i| g.idle.remove(i)))
            };
            server = Some(reuse.unwrap_or_else(|| (target, upstream(target, &params, &password))));
            let mut g = st.lock().unwrap();
            match g.served.iter_mut().find(|(p, _)| *p == target) {
                Some((_, n)) => *n += 1,
                None => g.served.push((target, 1)),
            }
        }
        let s = &mut server.as_mut().unwrap().1;
        write_msg(s, ty, &body)?;
        if ty == b'Q' || ty == b'S' {
            loop {
                let (t, b) = read_msg(s)?;
                write_msg(&mut c, t, &b)?;
                if t == b'Z' {
                    if b[0] == b'I' {
                        let back = server.take().unwrap();
                        st.lock().unwrap().idle.push(back);
                    }
                    break;
                }
            }
        }
    }
}

/// Sandbox and production servers with the same database `koomy`, the same application
/// password and the same schema; production holds one real member.
fn sandbox_and_production() -> (Cluster, Cluster) {
    let sandbox = Cluster::start();
    let prod = Cluster::start();
    sandbox_db(&sandbox, "koomy");
    production_koomy(&prod);
    same_app_password(&prod, &sandbox);
    (sandbox, prod)
}

/// `koomy_api.members` of database `koomy`, as `id name,…`.
fn members(pg: &Cluster) -> String {
    members_of(pg, "koomy")
}

/// The pooler of `sandbox_and_production`, pointed at the sandbox, and a proven pool of at
/// most two connections through it (a seed).
fn pool_through_pooler(sandbox: &Cluster, prod: &Cluster) -> (TxPooler, ProvenPool) {
    for pg in [sandbox, prod] {
        hba_first(pg, "host all koomy 127.0.0.1/32 password");
    }
    let pooler = TxPooler::new(sandbox.port(), sandbox.password());
    let pool_url = sandbox.url_at("127.0.0.1", pooler.port, "koomy", "sslmode=disable");
    let pool = sandbox_pool(&pool_url, Purpose::Seed, "pooler", 2);
    (pooler, pool)
}

/// ATTACK 1 (fixed path) — a transaction-mode pooler re-pointed to production (PgBouncer
/// RELOAD) under a proven pool. Work done in `proven_transaction()` is proven inside the
/// transaction that does it: the re-pointed transaction is refused with
/// `database-connection-moved`, nothing reaches production, the pool turns unhealthy and
/// drops its idle connections (the next new one, to production, is refused in full).
#[test]
fn regression_a_transaction_pooler_repointed_to_production_is_refused_by_proven_transaction() {
    let (sandbox, prod) = sandbox_and_production();
    let (pooler, pool) = pool_through_pooler(&sandbox, &prod);
    rt().block_on(async {
        let mut c = pool
            .get()
            .await
            .expect("the sandbox is proven through the pooler");
        // A second proven connection, given back: idle.
        drop(
            pool.get()
                .await
                .expect("pool growth to the sandbox is proven"),
        );
        // Before the re-point, the proven transaction is accepted and writes the sandbox.
        seed_in_proven_transaction(&mut c, 5, "sandbox seed row")
            .await
            .expect("a proven transaction on the sandbox is accepted");
        assert_eq!(pool.health(), Health::Proven);
        assert_eq!(pooler.served(prod.port()), 0);

        // The operator re-points the pooler; the client connection stays open.
        pooler.point_to(prod.port());
        let refused = seed_in_proven_transaction(&mut c, 99, "written by a sandbox seed").await;
        assert_eq!(refusal(refused), ["database-connection-moved"]);
        assert!(
            pooler.served(prod.port()) >= 1,
            "the refused transaction did reach production through the pooler"
        );
        assert_eq!(health_rules(&pool), ["database-connection-moved"]);
        // Every later proven transaction on that connection is refused too.
        let again = seed_in_proven_transaction(&mut c, 100, "second try").await;
        assert_eq!(refusal(again), ["database-connection-moved"]);
        // The idle connection was dropped: the pool opens a new one, which the pooler
        // sends to production, and the full proof refuses it.
        assert_pool_refused(&pool, pool.get().await, &PRODUCTION_AS_SANDBOX_SEED);
    });
    assert_eq!(members(&prod), "1 a real member");
    assert_eq!(members(&sandbox), "5 sandbox seed row");
}

/// ATTACK 1 (documented limit) — behind a re-pointed transaction-mode pooler, queries sent
/// OUTSIDE `proven_transaction()` on a connection the pool proved are not proven again:
/// they read and write production, and the pool stays Proven until a full proof
/// (`check()`, a new connection) runs. docs/identity.md: "Queries sent outside such a
/// transaction behind such a pooler are not re-proven."
#[test]
fn documented_limit_plain_queries_behind_a_repointed_transaction_pooler_are_not_reproven() {
    let (sandbox, prod) = sandbox_and_production();
    let (pooler, pool) = pool_through_pooler(&sandbox, &prod);
    rt().block_on(async {
        let c = pool
            .get()
            .await
            .expect("the sandbox is proven through the pooler");
        assert_eq!(
            query_value(&c, "SELECT environment FROM gardefou.stamp").await,
            "sandbox"
        );
        pooler.point_to(prod.port());
        assert_eq!(
            query_value(&c, "SELECT environment FROM gardefou.stamp").await,
            "production",
            "a plain query on the proven connection reads production"
        );
        c.batch_execute("INSERT INTO koomy_api.members VALUES (99, 'written by a sandbox seed')")
            .await
            .expect("a plain query writes production");
        drop(c);
        // Given back and handed out again, unproven.
        let again = pool.get().await.expect("the idle connection is handed out");
        again
            .batch_execute(
                "UPDATE koomy_api.members SET name = 'overwritten by sandbox' WHERE id = 1",
            )
            .await
            .unwrap();
        assert_eq!(pool.health(), Health::Proven);
        // The periodic full proof is what notices.
        assert_pool_refused(&pool, pool.check().await, &PRODUCTION_AS_SANDBOX_SEED);
    });
    assert_eq!(
        members(&prod),
        "1 overwritten by sandbox,99 written by a sandbox seed"
    );
    assert!(pooler.served(prod.port()) >= 3);
}

// ---------------------------------------------------------------------------------------

/// Replaces `copy`'s data directory with a base backup of `of` (the same system
/// identifier, the same database OIDs, the same pg_class files) and restarts it on its
/// own port and socket. The application role's password is now `of`'s.
fn make_physical_clone(of: &Cluster, copy: &Cluster) {
    let data = copy.data_dir();
    let mut stop = server_cmd("pg_ctl");
    stop.arg("-D").arg(&data).args(["-m", "fast", "-w", "stop"]);
    run_ok(stop, "pg_ctl stop");
    std::fs::remove_dir_all(&data).unwrap();
    let hba = of.data_dir().join("pg_hba.conf");
    let old = std::fs::read_to_string(&hba).unwrap();
    std::fs::write(&hba, format!("{old}local replication all trust\n")).unwrap();
    of.psql("postgres", "SELECT pg_reload_conf()");
    let out = of
        .client_cmd("pg_basebackup")
        .arg("-D")
        .arg(&data)
        .args(["-X", "stream", "-c", "fast"])
        .output()
        .unwrap();
    assert!(out.status.success(), "pg_basebackup: {}", stderr(&out));
    let mut conf = std::fs::OpenOptions::new()
        .append(true)
        .open(data.join("postgresql.conf"))
        .unwrap();
    writeln!(
        conf,
        "\nport = {}\nunix_socket_directories = '{}'",
        copy.port(),
        copy.socket_dir().display()
    )
    .unwrap();
    let mut chown = Command::new("chown");
    chown.args(["-R", "postgres:postgres"]).arg(&data);
    let _ = chown.output();
    let _ = Command::new("chmod").arg("700").arg(&data).output();
    let mut start = server_cmd("pg_ctl");
    start
        .arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(data.parent().unwrap().join("server.log"))
        .args(["-w", "-t", "60", "start"]);
    run_ok(start, "pg_ctl start");
}

/// ATTACK 2 — production and sandbox are physical copies of one another (a staging server
/// made from a base backup / volume snapshot of production): the same system identifier,
/// database OIDs and `pg_class` file. A forwarder sends the pool's second connection to
/// production. The cheap identity now includes the postmaster's start time and the
/// server's address and port: the copy differs, the second connection gets the full proof
/// and is refused, nothing is written to production, the pool reports why.
#[test]
fn regression_a_physical_clone_behind_a_forwarder_is_refused_by_the_pool() {
    let prod = Cluster::start();
    let pu = koomy_with_a_real_member(&prod);
    let sandbox = Cluster::start();
    make_physical_clone(&prod, &sandbox);
    // The clone's data is emptied, as a staging server would be, then both are stamped.
    let su = prod.url_at("127.0.0.1", sandbox.port(), "koomy", "sslmode=disable");
    sql_at(
        &prod,
        sandbox.port(),
        Cluster::APP_USER,
        prod.password(),
        "koomy",
        "DELETE FROM koomy_api.members",
    )
    .unwrap();
    stamp_new(&pu, Environment::Production);
    stamp_new(&su, Environment::Sandbox);
    assert!(rules_of(&su, Environment::Sandbox, Purpose::Seed).is_empty());
    // The attack's premise: what the old cheap check compared is the same on both.
    let (ps, ss) = (probe_at(&pu), probe_at(&su));
    assert_eq!(ps.identity.system_identifier, ss.identity.system_identifier);
    assert_eq!(ps.identity.database_oid, ss.identity.database_oid);
    let file = |p: &Probe| {
        let path = p
            .identity
            .catalog_path
            .clone()
            .expect("the server instance");
        path.split('|').next().unwrap().to_owned()
    };
    assert_eq!(file(&ps), file(&ss));
    assert_ne!(ps.identity.catalog_path, ss.identity.catalog_path);

    let fwd = Forwarder::switching(sandbox.port(), 1, prod.port());
    let fwd_url = prod.url_at("127.0.0.1", fwd.port(), "koomy", "sslmode=disable");
    let pool = sandbox_pool(&fwd_url, Purpose::Seed, "fwd", 2);
    rt().block_on(async {
        let first = pool.get().await.expect("the sandbox is proven");
        assert_eq!(
            query_value(&first, "SELECT environment FROM gardefou.stamp").await,
            "sandbox"
        );
        // Pool growth: the forwarder sends the second connection to production.
        let second = seed_through_pool(&pool, 2, "sandbox seed row").await;
        assert_eq!(fwd.connections(), 2);
        assert_pool_refused(&pool, second, &PRODUCTION_AS_SANDBOX_SEED);
        // And every later new connection, while the forwarder points there.
        let third = seed_through_pool(&pool, 3, "sandbox seed row").await;
        assert_eq!(refusal(third), PRODUCTION_AS_SANDBOX_SEED);
        assert_eq!(fwd.connections(), 3);
        drop(first);
    });
    assert_eq!(members(&prod), "1 a real member");
}

// ---------------------------------------------------------------------------------------
// Production data into a stamped sandbox.

/// ATTACK 3 — the documented default restore, done by a least-privilege application role
/// (INSERT on the application's tables, the `--grant` privileges on gardefou's, owner of
/// nothing). Its COPY into gardefou.lineage used to be refused; `INSERT` on lineage is now
/// PUBLIC's (and `USAGE` on the schema): production's lineage row lands, the probe (as the
/// application role and as the owner) says `database-production-data`, the SQL proof
/// raises, and `gardefou db stamp` refuses to stamp the copy sandbox.
#[test]
fn regression_a_default_restore_by_a_least_privilege_role_carries_the_lineage_mark() {
    let (_dir, dump) = production_dump(&[]);
    let pg = Cluster::start();
    let pw = pg.password().to_owned();
    pg.psql(
        "postgres",
        &format!("CREATE ROLE sb_owner LOGIN PASSWORD '{pw}'"),
    );
    pg.psql("postgres", "CREATE DATABASE koomy OWNER sb_owner");
    sql_as(
        &pg,
        "sb_owner",
        &pw,
        "koomy",
        &format!(
            "{APP_SCHEMA}; GRANT USAGE ON SCHEMA koomy_api TO koomy; \
             GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA koomy_api TO koomy"
        ),
    )
    .unwrap();
    let owner_url = role_url(&pg, "sb_owner", &pw, "koomy");
    let options = StampOptions {
        grant: Some("koomy".into()),
        ..Default::default()
    };
    assert_eq!(
        do_stamp_with(&owner_url, Environment::Sandbox, options).unwrap(),
        Action::Create
    );
    let u = pg.url("koomy", "sslmode=disable");
    let as_sandbox_seed = asked(&pg, &u, Environment::Sandbox, Purpose::Seed);
    as_sandbox_seed.proven();

    // A developer restores production's dump with the application's own credentials.
    let out = restore_as_app(&pg, "koomy", &dump, &[]);
    assert_copied(&pg, "koomy", &out);
    let err = stderr(&out);
    // Comments still need the owner; lineage no longer does.
    assert!(err.contains("must be owner of"), "{err}");
    assert!(!err.contains("COPY gardefou.lineage"), "{err}");
    assert_eq!(
        pg_text(
            &pg,
            "koomy",
            "SELECT string_agg(environment, ',') FROM gardefou.lineage"
        ),
        "production"
    );
    let caught = ["database-production-data", "seed-production-marker"];
    as_sandbox_seed
        .rules(&caught)
        .proof_raises("gardefou.lineage shows production data");
    assert_eq!(
        rules_of(&owner_url, Environment::Sandbox, Purpose::Seed),
        caught,
        "as the owner"
    );
    asked(&pg, &u, Environment::Sandbox, Purpose::Run).rules(&["database-production-data"]);
    assert_eq!(
        stamp_refusal(do_stamp(&owner_url, Environment::Sandbox)),
        "stamp-production-permanent"
    );
}

/// ATTACK 4 (documented limit) — `pg_restore --no-comments -n koomy_api` (into a stamped
/// sandbox, or into a new database then stamped sandbox) carries neither lineage nor the
/// data marks, and nothing notices. docs/identity.md lists it as not recognised ("only
/// process prevents these"). The controls that are caught stay caught.
#[test]
fn documented_limit_a_no_comments_schema_restore_leaves_no_mark() {
    let (_dir, dump) = production_dump(&[]);
    let pg = Cluster::start();

    let a = sandbox_db(&pg, "koomy_a");
    let out = restore(&pg, "koomy_a", &dump, &["--no-comments", "-n", "koomy_api"]);
    assert_copied(&pg, "koomy_a", &out);
    assert_undetected(&pg, &a);

    // Into a NEW database whose schema a migration created, then stamped sandbox.
    pg.create_database("koomy_c");
    app_sql(&pg, "koomy_c", "CREATE SCHEMA koomy_api").unwrap();
    let out = restore_as_app(&pg, "koomy_c", &dump, &["--no-comments", "-n", "koomy_api"]);
    assert_copied(&pg, "koomy_c", &out);
    let c = pg.url("koomy_c", "sslmode=disable");
    stamp_new(&c, Environment::Sandbox);
    assert_undetected(&pg, &c);

    // Caught: `pg_restore -t members` brings the table's comment along (PostgreSQL 15)...
    let b = sandbox_db(&pg, "koomy_b");
    let out = restore(&pg, "koomy_b", &dump, &["-t", "members"]);
    assert_copied(&pg, "koomy_b", &out);
    asked(&pg, &b, Environment::Sandbox, Purpose::Run).rules(&["database-production-data"]);
    // ...and so does the same -n restore WITH comments.
    let d = sandbox_db(&pg, "koomy_d");
    let out = restore(&pg, "koomy_d", &dump, &["-n", "koomy_api"]);
    assert_copied(&pg, "koomy_d", &out);
    asked(&pg, &d, Environment::Sandbox, Purpose::Run).rules(&["database-production-data"]);
    asked(&pg, &d, Environment::Sandbox, Purpose::Seed).proof_raises("carries production's mark");
}

/// ATTACK 5 — the sandbox owner pre-arms gardefou.lineage so that a later `--data-only`
/// restore's lineage row is rejected: a NOT VALID CHECK constraint, or a NOT NULL column.
/// The probe now compares the gardefou tables' shapes and the SQL proof does too: the
/// change itself is `database-stamp-invalid`, before and after the restore, and
/// `gardefou db stamp` refuses instead of keeping it.
#[test]
fn regression_a_check_constraint_or_not_null_column_on_lineage_invalidates_the_stamp() {
    let (_dir, dump) = production_dump(&[]);
    let pg = Cluster::start();
    for (db, change, rejected) in [
        (
            "koomy",
            "ALTER TABLE gardefou.lineage ADD CONSTRAINT keep_out CHECK (false) NOT VALID",
            "keep_out",
        ),
        (
            "koomy_v",
            "ALTER TABLE gardefou.lineage ADD COLUMN guard integer NOT NULL",
            "guard",
        ),
    ] {
        let u = sandbox_db(&pg, db);
        app_sql(&pg, db, change).unwrap();
        assert_invalid_because(&u, "a gardefou table was altered");
        assert_protection_changed(&pg, &u);
        // The restore's lineage row is still rejected, but the database is refused anyway.
        let out = restore(&pg, db, &dump, &["--data-only"]);
        assert_copied(&pg, db, &out);
        assert!(stderr(&out).contains(rejected), "{db}: {}", stderr(&out));
        assert_eq!(
            pg_text(&pg, db, "SELECT count(*) FROM gardefou.lineage"),
            "0",
            "{db}"
        );
        assert_protection_changed(&pg, &u);
    }
}

/// ATTACK 5, every shape change the fix names: an extra (nullable) column, a column made
/// NOT NULL, an index, a unique constraint, a child table, a CHECK on another gardefou
/// table. Each is `database-stamp-invalid` for the probe and raises in the SQL proof.
#[test]
fn regression_any_added_column_constraint_index_or_child_on_gardefou_tables_invalidates_the_stamp()
{
    let pg = Cluster::start();
    let changes = [
        (
            "koomy_col",
            "ALTER TABLE gardefou.lineage ADD COLUMN note text",
        ),
        (
            "koomy_nn",
            "ALTER TABLE gardefou.lineage ALTER COLUMN system_identifier SET NOT NULL",
        ),
        (
            "koomy_idx",
            "CREATE INDEX lineage_by_name ON gardefou.lineage (database_name)",
        ),
        (
            "koomy_uniq",
            "ALTER TABLE gardefou.lineage ADD CONSTRAINT one_per_oid UNIQUE (database_oid)",
        ),
        (
            "koomy_child",
            "CREATE TABLE public.lineage_child () INHERITS (gardefou.lineage)",
        ),
        (
            "koomy_hist",
            "ALTER TABLE gardefou.stamp_history ADD CONSTRAINT no_history CHECK (false) NOT VALID",
        ),
    ];
    for (db, change) in changes {
        let u = sandbox_db(&pg, db);
        app_sql(&pg, db, change).unwrap();
        assert_invalid_because(&u, "a gardefou table was altered");
        assert_protection_changed(&pg, &u);
    }
}

/// ATTACK 6 — the owner swaps lineage's BEFORE DELETE OR UPDATE trigger for a BEFORE INSERT
/// one of the same name (protect_stamp raises on lineage): a later restore cannot append
/// lineage. The SQL proof used to check only "6 triggers calling protect_stamp()"; it now
/// compares every trigger's definition and raises, as the Rust probe does.
#[test]
fn regression_a_swapped_trigger_is_refused_by_the_sql_proof() {
    let (_dir, dump) = production_dump(&[]);
    let pg = Cluster::start();
    let u = sandbox_db(&pg, "koomy");
    app_sql(
        &pg,
        "koomy",
        "DROP TRIGGER gardefou_protect_lineage ON gardefou.lineage; \
         CREATE TRIGGER gardefou_protect_lineage BEFORE INSERT ON gardefou.lineage \
           FOR EACH ROW EXECUTE FUNCTION gardefou.protect_stamp()",
    )
    .unwrap();
    assert_protection_changed(&pg, &u);
    let out = restore(&pg, "koomy", &dump, &["--data-only"]);
    assert_copied(&pg, "koomy", &out);
    assert!(
        stderr(&out).contains("gardefou.lineage is append-only"),
        "{}",
        stderr(&out)
    );
    assert_protection_changed(&pg, &u);
}

/// ATTACK 7 — a proven pool used to keep handing out its idle connections after a full
/// proof (`check()`) found production's data restored into the SAME database. The refusal
/// now drops the idle connections: the next `get()` proves a new one, and is refused.
#[test]
fn regression_idle_connections_are_dropped_when_a_check_of_the_same_database_is_refused() {
    let pg = Cluster::start();
    let pool = sandbox_pool(&sandbox_db(&pg, "koomy"), Purpose::Run, "t", 2);
    rt().block_on(async {
        drop(pool.get().await.unwrap());
        pool.check().await.expect("the sandbox passes a full proof");
        // A restore of production data lands in this very database (its lineage row).
        app_sql(&pg, "koomy", PRODUCTION_LINEAGE_ROW).unwrap();
        assert_pool_refused(&pool, pool.check().await, &["database-production-data"]);
        assert_eq!(refusal(pool.get().await), ["database-production-data"]);
        assert_eq!(refusal(pool.get().await), ["database-production-data"]);
    });
}

/// ATTACK 1's and 7's last step — a connection that was IN USE (not idle) while a full
/// proof was refused goes back to the pool when dropped: is it handed out again, unproven,
/// while the pool reports Refused? (The original pooler attack did exactly this: `check()`
/// refused, then the connection held across it was handed out and wrote production.)
#[test]
fn regression_a_connection_in_use_during_a_refused_check_is_not_handed_out_again() {
    let pg = Cluster::start();
    let pool = sandbox_pool(&sandbox_db(&pg, "koomy"), Purpose::Run, "t", 2);
    rt().block_on(async {
        let held = pool.get().await.expect("the sandbox is proven");
        app_sql(&pg, "koomy", PRODUCTION_LINEAGE_ROW).unwrap();
        assert_pool_refused(&pool, pool.check().await, &["database-production-data"]);
        drop(held);
        match pool.get().await {
            Err(e) => assert_eq!(refusal::<()>(Err(e)), ["database-production-data"]),
            Ok(c) => {
                let marks = query_value(&c, "SELECT count(*) FROM gardefou.lineage").await;
                panic!(
                    "a connection proven before the refusal was handed out after it, while the pool reports {:?}; through it gardefou.lineage shows {marks} production mark(s)",
                    health_rules(&pool)
                );
            }
        }
    });
}

/// ATTACK 8 — a proven sandbox database that reaches production itself: a postgres_fdw
/// foreign server with a user mapping (where the owner may create extensions, as Neon's
/// neon_superuser can). Outside production the probe now says `database-foreign-access`,
/// the SQL proof raises, the pool refuses, and the seed's proven transaction writes
/// nothing to production.
#[test]
fn regression_a_foreign_server_in_the_sandbox_is_refused_and_production_is_untouched() {
    let (sandbox, prod) = sandbox_and_production();
    sandbox.psql(
        "koomy",
        "CREATE EXTENSION postgres_fdw; GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO koomy",
    );
    app_sql(
        &sandbox,
        "koomy",
        &format!(
            "CREATE SERVER mirror FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '{}', dbname 'koomy'); \
             CREATE USER MAPPING FOR koomy SERVER mirror OPTIONS (user 'koomy', password '{}'); \
             CREATE SCHEMA mirror; IMPORT FOREIGN SCHEMA koomy_api FROM SERVER mirror INTO mirror",
            prod.port(),
            sandbox.password()
        ),
    )
    .unwrap();
    // The attack's premise: the mirror does reach production.
    assert_eq!(
        app_sql(
            &sandbox,
            "koomy",
            "SELECT name FROM mirror.members WHERE id = 1"
        )
        .unwrap(),
        "a real member"
    );
    let u = sandbox.url("koomy", "sslmode=disable");
    let reach = ["database-foreign-access"];
    asked(&sandbox, &u, Environment::Sandbox, Purpose::Seed)
        .rules(&reach)
        .proof_raises("can reach other servers");
    asked(&sandbox, &u, Environment::Sandbox, Purpose::Run).rules(&reach);
    // A seed that proves in its transaction, then writes through the mirror.
    assert_raises(
        app_sql(
            &sandbox,
            "koomy",
            "BEGIN; SELECT gardefou.assert_environment('sandbox', 'seed'); \
             INSERT INTO mirror.members VALUES (7, 'seeded via fdw'); COMMIT",
        ),
        "can reach other servers",
    );
    let pool = sandbox_pool(&u, Purpose::Seed, "t", 1);
    rt().block_on(async {
        let r = pool.get().await;
        assert_eq!(refusal(r), reach);
    });
    assert_eq!(members(&prod), "1 a real member");

    // dblink alone, and a foreign server of any wrapper, are refused the same way.
    for (db, sql) in [
        ("koomy_dblink", "CREATE EXTENSION dblink"),
        (
            "koomy_srv",
            "CREATE FOREIGN DATA WRAPPER nowhere; CREATE SERVER elsewhere FOREIGN DATA WRAPPER nowhere",
        ),
    ] {
        let v = sandbox_db(&sandbox, db);
        sandbox.psql(db, sql);
        asked(&sandbox, &v, Environment::Sandbox, Purpose::Run)
            .rules(&reach)
            .proof_raises("can reach other servers");
    }
}

/// MINOR (documented limit) — a `neon.*` value that no loaded module defines is a
/// placeholder, hidden from pg_settings (`source` NULL, read as trusted). On a server that
/// sets neon.* in postgresql.conf without the neon module (the tests' simulation of Neon;
/// real Neon defines them PGC_POSTMASTER), a `SET LOCAL` earlier in the transaction forges
/// the identity. `GuardedConfig::prove_in_transaction` (gardefou-axum) compares the
/// transaction's Neon ids with the start-up proof's; the bare
/// `gardefou_pgprobe::prove_in_transaction` does not, nor does the SQL proof. Here the
/// server's branch changes (a reset), and a transaction forges the stamped branch back.
#[test]
fn documented_limit_bare_prove_in_transaction_trusts_a_placeholder_neon_setting() {
    let pg = Cluster::builder()
        .setting("neon.branch_id", "br-sandbox-1")
        .start();
    let u = sandbox_db(&pg, "koomy");
    assert_eq!(
        pg_text(
            &pg,
            "koomy",
            "SELECT count(*) FROM pg_settings WHERE name LIKE 'neon.%'"
        ),
        "0",
        "placeholders are not in pg_settings, even set by the configuration file"
    );
    // The server's branch is now another one: the stamp no longer matches.
    let mut conf = std::fs::OpenOptions::new()
        .append(true)
        .open(pg.data_dir().join("postgresql.conf"))
        .unwrap();
    writeln!(conf, "\nneon.branch_id = 'br-reset-2'").unwrap();
    pg.psql("postgres", "SELECT pg_reload_conf()");
    let mut seen = String::new();
    for _ in 0..100 {
        seen = pg_text(&pg, "koomy", "SHOW neon.branch_id");
        if seen == "br-reset-2" {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(seen, "br-reset-2");
    assert_eq!(
        rules_of(&u, Environment::Sandbox, Purpose::Seed),
        ["database-stamp-identity-mismatch"]
    );
    rt().block_on(async {
        let c = gardefou_pgprobe::connect(&url(&u)).await.unwrap();
        // Control: the same transaction without the forgery is refused.
        c.batch_execute("BEGIN").await.unwrap();
        let r = prove_sandbox_seed_in(&c).await;
        assert_eq!(
            ids(&r.expect_err("refused").findings),
            ["database-stamp-identity-mismatch"]
        );
        c.batch_execute("ROLLBACK").await.unwrap();

        c.batch_execute("BEGIN; SET LOCAL neon.branch_id = 'br-sandbox-1'")
            .await
            .unwrap();
        let p = gardefou_pgprobe::read_in_transaction(&c).await.unwrap();
        assert_eq!(p.identity.neon.branch_id.as_deref(), Some("br-sandbox-1"));
        assert!(p.identity.forged.is_empty(), "{:?}", p.identity.forged);
        let r = prove_sandbox_seed_in(&c).await;
        let report = r.expect("the bare proof accepts the forged branch");
        assert!(report.findings.is_empty(), "{:?}", ids(&report.findings));
        // So does the SQL proof, in the same transaction.
        let rows = c
            .simple_query("SELECT gardefou.assert_environment('sandbox', 'seed')")
            .await
            .expect("the SQL proof accepts the forged branch");
        assert!(first_value(rows).starts_with("gardefou: sandbox proven: database koomy"));
        c.batch_execute("ROLLBACK").await.unwrap();
    });
}

// ---------------------------------------------------------------------------------------
// Defences that held.

/// prove_in_transaction after the user's transaction prepared a shadow search_path, temp
/// tables named like catalogs and gardefou's tables, and a savepoint of the same name.
#[test]
fn prior_transaction_state_does_not_fool_prove_in_transaction() {
    let pg = Cluster::start();
    let u = sandbox_db(&pg, "koomy");
    // Production data arrived (lineage row): the proof must refuse.
    app_sql(&pg, "koomy", PRODUCTION_LINEAGE_ROW).unwrap();
    pg.psql(
        "koomy",
        "CREATE SCHEMA shadow; GRANT USAGE ON SCHEMA shadow TO PUBLIC; \
         CREATE FUNCTION shadow.current_database() RETURNS name LANGUAGE sql AS $$ SELECT 'x'::name $$; \
         CREATE FUNCTION shadow.strpos(text, text) RETURNS integer LANGUAGE sql AS $$ SELECT 0 $$;",
    );
    rt().block_on(async {
        let c = gardefou_pgprobe::connect(&url(&u)).await.unwrap();
        c.batch_execute(
            "BEGIN; SET LOCAL search_path = pg_temp, shadow, public; \
             CREATE TEMP TABLE pg_description (objoid oid, classoid oid, objsubid int, description text); \
             CREATE TEMP TABLE lineage (x int); CREATE TEMP TABLE stamp (x int); \
             CREATE TEMP TABLE pg_namespace (oid oid, nspname name); \
             SAVEPOINT gardefou_proof; SET LOCAL statement_timeout = 0",
        )
        .await
        .unwrap();
        let r = prove_sandbox_seed_in(&c).await;
        let report = r.expect_err("refused");
        assert!(ids(&report.findings).contains(&"database-production-data"));
        // The user's settings and savepoint survive.
        let rows = c.simple_query("SHOW search_path").await.unwrap();
        assert_eq!(first_value(rows), "pg_temp, shadow, public");
        c.batch_execute("ROLLBACK TO SAVEPOINT gardefou_proof; ROLLBACK").await.unwrap();
        // Outside a transaction block: refused (SAVEPOINT fails), never accepted.
        let r = prove_sandbox_seed_in(&c).await;
        assert!(r.is_err());
    });
}

/// The fallback of read_with: the combined query fails on a lock held on lineage (role
/// lock_timeout set by the owner); the fallback must not skip lineage.
#[test]
fn a_failing_combined_query_falls_back_closed() {
    let pg = Cluster::start();
    let u = sandbox_db(&pg, "koomy");
    app_sql(&pg, "koomy", "ALTER ROLE koomy SET lock_timeout = '200ms'").unwrap();
    let mut locker = pg
        .client_cmd("psql")
        .args([
            "-X",
            "-q",
            "-d",
            "koomy",
            "-c",
            "BEGIN; LOCK gardefou.lineage; SELECT pg_sleep(6); COMMIT",
        ])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let p = probe_at(&u);
    let f = koomy_verdict(Environment::Sandbox, &p, Purpose::Seed);
    assert_eq!(ids(&f), ["database-stamp-invalid"], "{:?}", p.stamp);
    let _ = locker.wait();
}

/// Nothing prints a password, the URL or the URL's user: probe errors, findings, the
/// pool's errors and Debug, stamp errors, and the Debug of a probe whose stamp was written
/// by that very user (`Stamp`'s Debug leaves `stamped_by` out).
///
/// Decided: a failing `--grant ROLE` may name ROLE (PostgreSQL's `role "…" does not
/// exist`): the operator typed it on the command line, it does not come from
/// DATABASE_URL, and the stamping role's own name (the URL's user) is never in it.
#[test]
fn nothing_prints_the_password_url_or_user() {
    let pg = Cluster::start();
    sandbox_db(&pg, "koomy");
    let user = "zz_leaky_user";
    // Generated at run time (letters and digits), distinct from the cluster's password.
    let pw: String = pg.password().chars().rev().collect();
    assert_ne!(pw, pg.password());
    pg.psql(
        "postgres",
        &format!("CREATE ROLE {user} LOGIN PASSWORD '{pw}'"),
    );
    let at = |db: &str, password: &str| role_url(&pg, user, password, db);
    let u = at("koomy", &pw);
    let bad = at("koomy", &format!("wrong{pw}"));
    let mut texts: Vec<String> = Vec::new();
    let mut add = |r: Result<Probe, ProbeError>| match r {
        Ok(p) => {
            texts.extend(
                koomy_verdict(Environment::Sandbox, &p, Purpose::Run)
                    .iter()
                    .map(|f| format!("{} {}", f.message, f.fix)),
            );
            texts.push(format!("DEBUG {p:?}"));
        }
        Err(e) => texts.push(e.to_string()),
    };
    add(probe(&url(&bad), T)); // wrong password
    add(probe(&url(&u), T)); // not granted
    pg.psql("postgres", &format!("ALTER ROLE {user} NOLOGIN"));
    add(probe(&url(&u), T));
    pg.psql(
        "postgres",
        &format!("ALTER ROLE {user} LOGIN CONNECTION LIMIT 0"),
    );
    add(probe(&url(&u), T));
    pg.psql(
        "postgres",
        &format!(
            "ALTER ROLE {user} CONNECTION LIMIT -1; REVOKE CONNECT ON DATABASE koomy FROM PUBLIC"
        ),
    );
    add(probe(&url(&u), T));
    pg.psql("postgres", "GRANT CONNECT ON DATABASE koomy TO PUBLIC");

    // A database this user owns and stamps: its stamp records the user (stamped_by).
    pg.psql("postgres", &format!("CREATE DATABASE leaky OWNER {user}"));
    let owned = at("leaky", &pw);
    stamp_new(&owned, Environment::Sandbox);
    let p = probe_at(&owned);
    match &p.stamp {
        StampState::Present(s) => assert_eq!(s.stamped_by, user, "the role is read"),
        other => panic!("no stamp: {other:?}"),
    }
    let stamped_debug = format!("{p:?}");
    assert!(!stamped_debug.contains("stamped_by: "), "{stamped_debug}");
    assert!(stamped_debug.contains("Stamp {"), "{stamped_debug}");
    add(Ok(p)); // its Debug and findings join the texts checked below

    // Stamp errors as that user: not granted on koomy, and a failing --grant on leaky.
    let not_granted = do_stamp(&u, Environment::Sandbox);
    texts.push(format!("{not_granted:?}"));
    assert_eq!(stamp_refusal(not_granted), "database-proof-not-granted");
    let grant_to = "zz_no_such_grantee";
    let failed_grant = do_stamp_with(
        &owned,
        Environment::Sandbox,
        StampOptions {
            grant: Some(grant_to.into()),
            ..Default::default()
        },
    );
    texts.push(format!("{failed_grant:?}"));
    let f = stamp_refused(failed_grant);
    assert_eq!(f.rule, "database-proof-not-granted");
    let grant_text = format!("{} {}", f.message, f.fix);
    assert!(grant_text.contains(grant_to), "{grant_text}");
    texts.push(grant_text);

    // A pool refusal, its Display, Debug and the pool's Debug.
    let pool = sandbox_pool(&u, Purpose::Run, "t", 1);
    rt().block_on(async {
        match pool.get().await {
            Err(e) => {
                texts.push(e.to_string());
                texts.push(format!("{e:?}"));
            }
            Ok(_) => panic!("the pool accepted a role that may not read the stamp"),
        }
        texts.push(format!("{pool:?}"));
    });
    assert!(texts.len() >= 12, "{}", texts.len());
    for t in &texts {
        assert!(!t.contains(&pw), "password in: {t}");
        assert!(!t.contains("postgresql://"), "URL in: {t}");
        assert!(!t.contains(user), "user in: {t}");
    }
}

/// Same cluster: no two databases share the pool's cheap identity (the server instance:
/// `pg_class`'s file `base/<database OID>/<file>`, the postmaster's start time, the
/// server's address and port). A TEMPLATE copy or another database differs, and an
/// owner's `VACUUM FULL pg_class` only changes the file (a full proof).
#[test]
fn the_cheap_identity_differs_across_databases_of_one_cluster() {
    let pg = Cluster::start();
    let u = sandbox_db(&pg, "koomy");
    pg.psql(
        "postgres",
        "CREATE DATABASE koomy_copy TEMPLATE koomy OWNER koomy",
    );
    pg.create_database("other");
    let instance = |db: &str| {
        probe_at(&pg.url(db, "sslmode=disable"))
            .identity
            .catalog_path
            .expect("the server instance is read")
    };
    let (a, b, c) = (instance("koomy"), instance("koomy_copy"), instance("other"));
    assert!(a != b && a != c && b != c, "{a} {b} {c}");
    let rest = |s: &str| s.split_once('|').map(|(_, r)| r.to_owned()).unwrap();
    // Same server, same start: only the database's file differs.
    assert_eq!(rest(&a), rest(&b));
    assert_eq!(rest(&a), rest(&c));
    assert_eq!(instance("koomy"), a, "stable across connections");
    app_sql(&pg, "koomy", "VACUUM FULL pg_catalog.pg_class").unwrap();
    let moved = instance("koomy");
    assert_ne!(moved, a);
    assert_eq!(rest(&moved), rest(&a));
    let dir = |s: &str| s.rsplit_once('/').map(|(d, _)| d.to_owned()).unwrap();
    let file = |s: &str| s.split('|').next().unwrap().to_owned();
    assert_eq!(dir(&file(&moved)), dir(&file(&a)), "the same database OID");
    // The copy carries the sandbox stamp bound to koomy's OID: refused.
    let cu = pg.url("koomy_copy", "sslmode=disable");
    assert_eq!(
        rules_of(&cu, Environment::Sandbox, Purpose::Run),
        ["database-stamp-identity-mismatch"]
    );
    assert!(rules_of(&u, Environment::Sandbox, Purpose::Run).is_empty());
}
