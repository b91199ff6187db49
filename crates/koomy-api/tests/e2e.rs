//! End to end: the real `koomy-api` binary against real PostgreSQL clusters, over
//! loopback. Every response and every log line is searched for the database URL, its
//! password and the debug secret.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use gardefou_policy::Environment;
use gardefou_testkit::run::{Run, Runs};
use gardefou_testkit::{Cluster, Forwarder};

/// A production cluster and a sandbox cluster, listed as such by a policy file.
struct World {
    prod: Cluster,
    sandbox: Cluster,
    dir: tempfile_dir::Dir,
    /// The allowed signers line of the key that signed the policy.
    signers: String,
    _keys: tempfile_dir::Dir,
}

mod tempfile_dir {
    /// A temporary directory removed on drop (std only).
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let p = std::env::temp_dir().join(format!(
                "koomy-api-e2e-{}-{}",
                std::process::id(),
                N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Stamps database `name` of `db` as `env`, the way `gardefou db stamp` does.
fn stamp(db: &Cluster, name: &str, env: Environment) {
    let url = gardefou_pgurl::parse(&db.url(name, "sslmode=disable")).unwrap();
    let written = gardefou_pgprobe::block_on(
        async {
            let client = gardefou_pgprobe::connect(&url).await?;
            Ok(gardefou_pgprobe::stamp::write(&client, env, &Default::default()).await)
        },
        Duration::from_secs(20),
    )
    .unwrap();
    assert!(written.is_ok(), "{written:?}");
}

fn debug_secret() -> String {
    // 64 hex digits, built at run time.
    let seed = std::process::id() as u64 ^ 0x9e37_79b9_7f4a_7c15;
    (0..64u64)
        .map(|i| char::from_digit(((seed >> (i % 60)) ^ (i * 7)) as u32 % 16, 16).unwrap())
        .collect()
}

impl World {
    fn new() -> World {
        let prod = Cluster::start();
        prod.create_database("koomy_production");
        stamp(&prod, "koomy_production", Environment::Production);
        let sandbox = Cluster::start();
        sandbox.create_database("koomy_sandbox");
        stamp(&sandbox, "koomy_sandbox", Environment::Sandbox);
        let dir = tempfile_dir::Dir::new();
        std::fs::write(
            dir.0.join("gardefou.toml"),
            format!(
                "[database.production]\nhosts = [\"127.0.0.1:{}\"]\n\n[database.sandbox]\nhosts = [\"127.0.0.1:{}\"]\n\n[database.local]\nallow_unstamped = true\n",
                prod.port(),
                sandbox.port()
            ),
        )
        .unwrap();
        // The CTO's signature on the policy: a throwaway ssh-keygen key, outside the
        // policy's directory; its allowed signers line goes to every command.
        let keys = tempfile_dir::Dir::new();
        let key = keys.0.join("cto");
        let out = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "cto@koomy.app", "-f"])
            .arg(&key)
            .output()
            .expect("ssh-keygen (openssh-client)");
        Run::from(out).success();
        Command::new("ssh-keygen")
            .args(["-Y", "sign", "-n", "gardefou-policy", "-f"])
            .arg(&key)
            .arg(dir.0.join("gardefou.toml"))
            .run()
            .success();
        let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
        let signers = format!(
            "cto@koomy.app namespaces=\"gardefou-policy\" {}",
            public.trim()
        );
        World {
            prod,
            sandbox,
            dir,
            signers,
            _keys: keys,
        }
    }

    fn policy(&self) -> PathBuf {
        self.dir.0.join("gardefou.toml")
    }

    /// Every string that must never appear in a response or a log.
    fn secrets(&self) -> Vec<String> {
        vec![
            self.prod.url("koomy_production", ""),
            self.sandbox.url("koomy_sandbox", ""),
            self.prod.password().to_owned(),
            self.sandbox.password().to_owned(),
            debug_secret(),
        ]
    }

    fn command(&self, args: &[&str], env: &[(&str, String)]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_koomy-api"));
        c.args(args)
            .arg("--policy")
            .arg(self.policy())
            .env_clear()
            .env("GARDEFOU_ALLOWED_SIGNERS", &self.signers)
            .current_dir(&self.dir.0)
            .stdin(Stdio::null());
        for (k, v) in env {
            c.env(k, v);
        }
        c
    }

    /// Each cluster's database, named for its role.
    fn dbname(&self, db: &Cluster) -> &'static str {
        if db.port() == self.prod.port() {
            "koomy_production"
        } else if db.port() == self.sandbox.port() {
            "koomy_sandbox"
        } else {
            "koomy_local"
        }
    }

    fn env(&self, koomy_env: &str, db: &Cluster) -> Vec<(&'static str, String)> {
        self.env_db(koomy_env, db, self.dbname(db))
    }

    fn env_db(&self, koomy_env: &str, db: &Cluster, name: &str) -> Vec<(&'static str, String)> {
        vec![
            ("KOOMY_ENV", koomy_env.to_owned()),
            ("NODE_ENV", "production".to_owned()),
            ("DATABASE_URL", db.url(name, "sslmode=disable")),
        ]
    }

    fn assert_no_leak(&self, what: &str, text: &str) {
        for s in self.secrets() {
            assert!(!text.contains(&s), "{what} leaks a secret:\n{text}");
        }
    }
}

/// A running server, its address and everything it logged.
struct Server {
    child: Child,
    addr: SocketAddr,
    logs: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Server {
    fn start(world: &World, env: &[(&str, String)]) -> Server {
        Server::start_with(world, env, &[])
    }

    fn start_with(world: &World, env: &[(&str, String)], extra: &[&str]) -> Server {
        let mut args = vec!["serve", "--listen", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let mut child = world
            .command(&args, env)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, logs) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        for stream in [Box::new(out) as Box<dyn Read + Send>, Box::new(err)] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        let mut seen = Vec::new();
        let addr = loop {
            let line = logs
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("the server did not start:\n{}", seen.join("\n")));
            seen.push(line.clone());
            if line.contains("\"message\":\"listening\"") {
                let v: serde_json::Value = serde_json::from_str(&line).unwrap();
                break v["fields"]["addr"].as_str().unwrap().parse().unwrap();
            }
        };
        Server {
            child,
            addr,
            logs,
            seen,
        }
    }

    /// Sends SIGTERM, waits for the exit, returns the status and every log line.
    fn stop(mut self) -> (std::process::ExitStatus, String) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let status = self.child.wait().unwrap();
        while let Ok(line) = self.logs.recv_timeout(Duration::from_secs(2)) {
            self.seen.push(line);
        }
        (status, self.seen.join("\n"))
    }
}

impl Drop for Server {
    /// A test that fails midway must not leave its server running.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The raw bytes of a response (status line, headers, body), with the `date` value, the
/// only part that changes with time, masked.
fn raw(addr: SocketAddr, method: &str, target: &str, headers: &[(&str, &str)]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req = format!("{method} {target} HTTP/1.1\r\nhost: api.koomy.app\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("connection: close\r\n\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    String::from_utf8(out)
        .unwrap()
        .split("\r\n")
        .map(|l| {
            if l.to_ascii_lowercase().starts_with("date:") {
                "date: <masked>"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];
const DEBUG_PATHS: &[&str] = &[
    "/api/_debug/db-identity",
    "/api/_debug/db-identity?verbose=1",
    "/api/_debug/db-identity/",
    "/api/_debug/",
    "/api/_debug/config",
    "/api/_debug/%64b-identity",
];

/// Asserts that every debug request is answered exactly like an unknown route, except a
/// `GET` of an endpoint with the right secret when `open` is true.
fn assert_debug_paths_are_unknown_routes(world: &World, addr: SocketAddr, open: bool) -> usize {
    let good = debug_secret();
    let wrong = format!(
        "{}{}",
        &good[..63],
        if good.ends_with('0') { '1' } else { '0' }
    );
    let header_sets: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("X-Debug-Secret", good.as_str())],
        vec![("x-debug-secret", wrong.as_str())],
        vec![("x-debug-secret", &good[..32])],
        vec![("x-debug-secret", "")],
        vec![
            ("x-debug-secret", good.as_str()),
            ("x-debug-secret", good.as_str()),
        ],
    ];
    let mut compared = 0;
    for method in METHODS {
        for path in DEBUG_PATHS {
            for headers in &header_sets {
                let got = raw(addr, method, path, headers);
                world.assert_no_leak("a debug response", &got);
                let opens = open
                    && *method == "GET"
                    && path.starts_with("/api/_debug/db-identity")
                    && !path.ends_with('/')
                    && headers.len() == 1
                    && headers[0].1 == good;
                if opens {
                    assert!(got.starts_with("HTTP/1.1 200 OK\r\n"), "{got}");
                    continue;
                }
                let unknown = raw(addr, method, "/api/no-such-route", headers);
                assert_eq!(
                    got,
                    unknown,
                    "{method} {path} with {} header(s)",
                    headers.len()
                );
                assert!(got.starts_with("HTTP/1.1 404 Not Found\r\n"), "{got}");
                compared += 1;
            }
        }
    }
    compared
}

#[test]
fn production_answers_every_debug_path_like_an_unknown_route() {
    let world = World::new();
    let server = Server::start(&world, &world.env("production", &world.prod));
    let n = assert_debug_paths_are_unknown_routes(&world, server.addr, false);
    assert_eq!(n, METHODS.len() * DEBUG_PATHS.len() * 6);
    let health = raw(server.addr, "GET", "/healthz", &[]);
    assert!(
        health.starts_with("HTTP/1.1 200 OK\r\n") && health.ends_with("ok\n"),
        "{health}"
    );
    let (status, logs) = server.stop();
    assert!(status.success(), "{status}");
    assert!(logs.contains("\"message\":\"stopped\""), "{logs}");
    world.assert_no_leak("the logs", &logs);
}

#[test]
fn local_has_no_debug_routes_even_with_a_secret() {
    let world = World::new();
    let local = Cluster::start();
    local.create_database("koomy_local");
    let mut env = world.env("local", &local);
    env.push(("NODE_ENV", "development".to_owned()));
    env.push(("DEBUG_SECRET", debug_secret()));
    let server = Server::start(&world, &env);
    assert_debug_paths_are_unknown_routes(&world, server.addr, false);
    let (status, logs) = server.stop();
    assert!(status.success());
    world.assert_no_leak("the logs", &logs);
    let mut all = world.secrets();
    all.push(local.url("koomy_local", ""));
    all.push(local.password().to_owned());
    for s in all {
        assert!(!logs.contains(&s));
    }
}

#[test]
fn sandbox_opens_the_identity_only_with_the_right_secret() {
    let world = World::new();
    let mut env = world.env("sandbox", &world.sandbox);
    env.push(("DEBUG_SECRET", debug_secret()));
    let server = Server::start(&world, &env);
    assert_debug_paths_are_unknown_routes(&world, server.addr, true);

    let got = raw(
        server.addr,
        "GET",
        "/api/_debug/db-identity",
        &[("X-Debug-Secret", &debug_secret())],
    );
    world.assert_no_leak("the identity", &got);
    assert!(got.contains("cache-control: no-store\r\n"), "{got}");
    let body = got.split("\r\n\r\n").nth(1).unwrap();
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["environment"], "sandbox");
    assert_eq!(v["database"], "koomy_sandbox");
    assert_eq!(v["host"], "127.0.0.1");
    assert_eq!(v["port"], world.sandbox.port());
    let sysid = world.sandbox.psql(
        "postgres",
        "select system_identifier from pg_control_system()",
    );
    assert_eq!(v["system_identifier"], sysid.trim());
    assert!(v["server_version"]
        .as_str()
        .unwrap()
        .chars()
        .next()
        .unwrap()
        .is_ascii_digit());
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "database",
            "database_oid",
            "environment",
            "findings",
            "host",
            "neon",
            "port",
            "server_version",
            "stamp",
            "system_identifier",
            "verdict"
        ],
        "an allowlist of fields; never the URL or the user"
    );
    assert!(
        !body.contains(&format!("\"{}\"", Cluster::APP_USER)),
        "the user is never shown: {body}"
    );

    let (status, logs) = server.stop();
    assert!(status.success());
    world.assert_no_leak("the logs", &logs);
}

/// Runs `koomy-api serve`, expecting a refusal: exit 1 before listening.
fn refused(world: &World, env: &[(&str, String)]) -> String {
    let out = world
        .command(&["serve", "--listen", "127.0.0.1:0"], env)
        .run()
        .refused();
    let stdout = &out.stdout;
    let stderr = &out.stderr;
    assert!(!stdout.contains("\"listening\""), "{stdout}");
    world.assert_no_leak("stdout", stdout);
    world.assert_no_leak("stderr", stderr);
    format!("{stdout}\n{stderr}")
}

/// `GuardedConfig` in production: a policy without signature, one changed after the
/// CTO signed it, and no allowed signers are each refused before listening.
#[test]
fn production_refuses_a_policy_that_is_unsigned_changed_or_unverifiable() {
    let world = World::new();
    let env = world.env("production", &world.prod);
    let sig = world.dir.0.join("gardefou.toml.sig");
    let mut env_without = env.clone();
    env_without.push(("GARDEFOU_ALLOWED_SIGNERS", String::new()));
    // An empty allowed signers text lists nobody.
    let out = refused(&world, &env_without);
    assert!(out.contains("error[policy-signers-invalid]"), "{out}");
    let text = std::fs::read_to_string(world.policy()).unwrap();
    std::fs::write(world.policy(), format!("{text}# edited\n")).unwrap();
    let out = refused(&world, &env);
    assert!(out.contains("error[policy-signature-invalid]"), "{out}");
    std::fs::remove_file(&sig).unwrap();
    let out = refused(&world, &env);
    assert!(out.contains("error[policy-unsigned]"), "{out}");
    // Sandbox only warns, and starts.
    let server = Server::start(&world, &world.env("sandbox", &world.sandbox));
    let (status, logs) = server.stop();
    assert!(status.success(), "{status}");
    assert!(logs.contains("policy-unsigned"), "{logs}");
}

#[test]
fn the_server_refuses_to_start_on_every_mismatch() {
    let world = World::new();
    let with = |mut env: Vec<(&'static str, String)>, extra: &[(&'static str, String)]| {
        env.extend(extra.iter().cloned());
        env
    };
    // Sandbox name, production database.
    let out = refused(&world, &world.env("sandbox", &world.prod));
    assert!(
        out.contains("error[database-url-environment-mismatch]"),
        "{out}"
    );
    // Production name, sandbox database.
    let out = refused(&world, &world.env("production", &world.sandbox));
    assert!(
        out.contains("error[database-url-environment-mismatch]"),
        "{out}"
    );
    // A debug secret in production.
    let env = with(
        world.env("production", &world.prod),
        &[("DEBUG_SECRET", debug_secret())],
    );
    let out = refused(&world, &env);
    assert!(out.contains("DEBUG_SECRET"), "{out}");
    // A weak debug secret in sandbox.
    let weak = "debug-me-please".to_owned();
    let env = with(
        world.env("sandbox", &world.sandbox),
        &[("DEBUG_SECRET", weak.clone())],
    );
    let out = refused(&world, &env);
    assert!(
        out.contains("error[secret-weak]") && !out.contains(&weak),
        "{out}"
    );
    // No KOOMY_ENV at all.
    let env: Vec<_> = world
        .env("sandbox", &world.sandbox)
        .into_iter()
        .filter(|(k, _)| *k != "KOOMY_ENV")
        .collect();
    let out = refused(&world, &env);
    assert!(out.contains("error[koomy-env-missing]"), "{out}");
    // A PG* variable beside DATABASE_URL.
    let env = with(
        world.env("sandbox", &world.sandbox),
        &[("PGHOST", "127.0.0.2".into())],
    );
    let out = refused(&world, &env);
    assert!(out.contains("error[database-env-override]"), "{out}");
    // A sandbox database without a stamp.
    world.sandbox.create_database("koomy_unstamped");
    let out = refused(
        &world,
        &world.env_db("sandbox", &world.sandbox, "koomy_unstamped"),
    );
    assert!(out.contains("error[database-stamp-missing]"), "{out}");
    // The production database dumped and restored into the sandbox cluster: it keeps the
    // production stamp, not the identity.
    world
        .prod
        .dump_into("koomy_production", &world.sandbox, "koomy_restored");
    let out = refused(
        &world,
        &world.env_db("sandbox", &world.sandbox, "koomy_restored"),
    );
    assert!(
        out.contains("error[database-stamp-environment-mismatch]"),
        "{out}"
    );
    assert!(
        out.contains("error[database-stamp-identity-mismatch]"),
        "{out}"
    );
    // The seed refuses it too, whatever the environment claims.
    let seed = world
        .command(
            &["seed"],
            &world.env_db("sandbox", &world.sandbox, "koomy_restored"),
        )
        .run()
        .refused();
    world.assert_no_leak("seed stderr", &seed.stderr);
    // A sandbox-listed port where no server answers.
    let port = gardefou_testkit::free_port().unwrap();
    std::fs::write(
        world.policy(),
        format!("[database.sandbox]\nhosts = [\"127.0.0.1:{port}\"]\n"),
    )
    .unwrap();
    let env = vec![
        ("KOOMY_ENV", "sandbox".to_owned()),
        ("NODE_ENV", "production".to_owned()),
        (
            "DATABASE_URL",
            world
                .sandbox
                .url_at("127.0.0.1", port, "koomy_sandbox", "sslmode=disable"),
        ),
    ];
    let out = refused(&world, &env);
    assert!(out.contains("error[database-unreachable]"), "{out}");
}

#[test]
fn seed_fills_the_sandbox_and_refuses_elsewhere() {
    let world = World::new();
    // Production: refused, and nothing is written.
    let out = world
        .command(&["seed"], &world.env("production", &world.prod))
        .run()
        .refused();
    let text = out.output();
    assert!(text.contains("error[seed-environment-refused]"), "{text}");
    world.assert_no_leak("seed output", &text);
    let tables = world.prod.psql(
        "koomy_production",
        "select count(*) from pg_tables where schemaname = 'koomy_api' and tablename = 'organisations'",
    );
    assert_eq!(tables.trim(), "0", "the refused seed created no table");

    // Local (allowed to run unstamped by this policy, but not to seed): refused.
    let local = Cluster::start();
    local.create_database("koomy_local");
    let mut env = world.env("local", &local);
    env.push(("NODE_ENV", "development".to_owned()));
    let out = world.command(&["seed"], &env).run().refused();
    let text = &out.stderr;
    assert!(text.contains("error[seed-environment-refused]"), "{text}");
    assert!(!text.contains(local.password()));

    // Sandbox: seeded, twice (idempotent), then served.
    for _ in 0..2 {
        let out = world
            .command(&["seed"], &world.env("sandbox", &world.sandbox))
            .run()
            .success();
        world.assert_no_leak("seed output", &out.output());
    }
    let count = world.sandbox.psql(
        "koomy_sandbox",
        "select (select count(*) from koomy_api.organisations) || ',' || (select count(*) from koomy_api.members)",
    );
    assert_eq!(count.trim(), "5,21");
    let server = Server::start(&world, &world.env("sandbox", &world.sandbox));
    let got = raw(server.addr, "GET", "/api/organisations", &[]);
    assert!(got.starts_with("HTTP/1.1 200 OK\r\n"), "{got}");
    assert!(got.contains("Les Amis du Vélo Nantais"), "{got}");
    let got = raw(
        server.addr,
        "GET",
        "/api/organisations/chorale-saint-michel/members",
        &[],
    );
    assert!(got.contains("\"Françoise\""), "{got}");
    let (status, logs) = server.stop();
    assert!(status.success());
    world.assert_no_leak("the logs", &logs);
}

#[test]
fn the_listen_address_comes_from_listen_or_port_else_a_usage_error() {
    let bin = env!("CARGO_BIN_EXE_koomy-api");
    for (env, want) in [
        (vec![], "give --listen ADDR or set PORT"),
        (vec![("PORT", "http")], "PORT is not a port number"),
        (vec![("PORT", "70000")], "PORT is not a port number"),
    ] {
        let out = Command::new(bin)
            .arg("serve")
            .env_clear()
            .envs(env.iter().copied())
            .run()
            .usage_error();
        assert!(out.stderr.contains(want), "{out:?}");
    }
    Command::new(bin)
        .args(["serve", "--listen", "not-an-address"])
        .env_clear()
        .run()
        .usage_error();
}

#[test]
fn sandbox_over_verified_tls() {
    let world = World::new();
    let tls = Cluster::builder().tls().start();
    tls.create_database("koomy_sandbox");
    let ca = tls.ca_cert().unwrap();
    let query = format!("sslmode=verify-full&sslrootcert={}", ca.display());
    // The policy lists the TLS cluster as sandbox; stamp it over TLS too.
    std::fs::write(
        world.policy(),
        format!(
            "[database.sandbox]\nhosts = [\"127.0.0.1:{}\"]\n",
            tls.port()
        ),
    )
    .unwrap();
    let url = gardefou_pgurl::parse(&tls.url("koomy_sandbox", &query)).unwrap();
    let written = gardefou_pgprobe::block_on(
        async {
            let client = gardefou_pgprobe::connect(&url).await?;
            Ok(
                gardefou_pgprobe::stamp::write(&client, Environment::Sandbox, &Default::default())
                    .await,
            )
        },
        Duration::from_secs(20),
    )
    .unwrap();
    assert!(written.is_ok(), "{written:?}");
    let env = vec![
        ("KOOMY_ENV", "sandbox".to_owned()),
        ("NODE_ENV", "production".to_owned()),
        ("DATABASE_URL", tls.url("koomy_sandbox", &query)),
        ("DEBUG_SECRET", debug_secret()),
    ];
    let server = Server::start(&world, &env);
    let got = raw(
        server.addr,
        "GET",
        "/api/_debug/db-identity",
        &[("X-Debug-Secret", &debug_secret())],
    );
    assert!(got.starts_with("HTTP/1.1 200 OK\r\n"), "{got}");
    assert!(got.contains("\"verdict\": \"allow\""), "{got}");
    assert!(!got.contains(tls.password()) && !got.contains(&debug_secret()));
    let (status, logs) = server.stop();
    assert!(status.success());
    assert!(!logs.contains(tls.password()), "{logs}");

    // A CA that did not sign the server's certificate: refused before listening.
    let other = Cluster::builder().tls().start();
    let wrong = format!(
        "sslmode=verify-full&sslrootcert={}",
        other.ca_cert().unwrap().display()
    );
    let env = vec![
        ("KOOMY_ENV", "sandbox".to_owned()),
        ("NODE_ENV", "production".to_owned()),
        ("DATABASE_URL", tls.url("koomy_sandbox", &wrong)),
    ];
    let out = refused(&world, &env);
    assert!(out.contains("error[database-unreachable]"), "{out}");
    assert!(!out.contains(tls.password()));
}

/// Production and sandbox databases of the same name and with the same application
/// password, behind a forwarder on a port the policy gives to the sandbox: the tunnel,
/// pooler or fail-over that sends some connections of a sandbox process to production.
/// Production holds an association that exists nowhere else.
struct Tunnel {
    world: World,
}

const PROD_ONLY: &str = "association-de-production-reelle";

impl Tunnel {
    fn new() -> Tunnel {
        let world = World::new();
        for (db, env) in [
            (&world.prod, Environment::Production),
            (&world.sandbox, Environment::Sandbox),
        ] {
            db.create_database("koomy");
            stamp(db, "koomy", env);
        }
        world.prod.psql(
            "postgres",
            &format!(
                "ALTER ROLE {} PASSWORD '{}'",
                Cluster::APP_USER,
                world.sandbox.password()
            ),
        );
        // Production's schema and one real association, owned by the application role.
        world.prod.psql(
            "koomy",
            &format!(
                "SET ROLE {}; CREATE SCHEMA koomy_api; {} {} \
                 INSERT INTO koomy_api.organisations (slug, name, city) VALUES ('{PROD_ONLY}', 'Production', 'Paris');",
                Cluster::APP_USER,
                include_str!("../migrations/0001_organisations_and_members.sql"),
                include_str!("../migrations/0002_membership_fees.sql"),
            ),
        );
        Tunnel { world }
    }

    /// The policy lists the forwarder's port as sandbox.
    fn forwarder(&self, to_sandbox_first: usize) -> Forwarder {
        let fwd = Forwarder::switching(
            self.world.sandbox.port(),
            to_sandbox_first,
            self.world.prod.port(),
        );
        std::fs::write(
            self.world.policy(),
            format!(
                "[database.production]\nhosts = [\"127.0.0.1:{}\"]\n\n[database.sandbox]\nhosts = [\"127.0.0.1:{}\", \"127.0.0.1:{}\"]\n",
                self.world.prod.port(),
                self.world.sandbox.port(),
                fwd.port()
            ),
        )
        .unwrap();
        fwd
    }

    fn env(&self, fwd: &Forwarder) -> Vec<(&'static str, String)> {
        vec![
            ("KOOMY_ENV", "sandbox".to_owned()),
            ("NODE_ENV", "production".to_owned()),
            (
                "DATABASE_URL",
                self.world
                    .sandbox
                    .url_at("127.0.0.1", fwd.port(), "koomy", "sslmode=disable"),
            ),
        ]
    }

    /// What production holds of the application: organisations, members, migrations.
    fn production_rows(&self) -> String {
        self.world
            .prod
            .psql(
                "koomy",
                "select (select count(*) from koomy_api.organisations) || ',' || (select count(*) from koomy_api.members) || ',' || (select count(*) from pg_catalog.pg_tables where schemaname = 'koomy_api' and tablename = 'schema_migrations')",
            )
            .trim()
            .to_owned()
    }
}

#[test]
fn a_tunnel_that_switches_to_production_never_receives_a_seed_row() {
    let tunnel = Tunnel::new();
    let before = tunnel.production_rows();
    assert_eq!(before, "1,0,0");
    // Whichever connection the tunnel re-points, the seed writes nothing into production.
    for first in 0..4 {
        let fwd = tunnel.forwarder(first);
        let out = tunnel.world.command(&["seed"], &tunnel.env(&fwd)).run();
        let text = out.output();
        tunnel.world.assert_no_leak("seed output", &text);
        assert_eq!(tunnel.production_rows(), before, "after {first}: {text}");
        if fwd.connections() > first {
            // A connection reached production: the seed was refused, by rule.
            assert_eq!(out.code, Some(1), "after {first}: {text}");
            assert!(
                text.contains("database-stamp-environment-mismatch"),
                "after {first}: {text}"
            );
        } else {
            assert_eq!(out.code, Some(0), "after {first}: {text}");
        }
    }
    // The connections that stayed on the sandbox did seed it.
    let seeded = tunnel
        .world
        .sandbox
        .psql("koomy", "select count(*) from koomy_api.organisations");
    assert_eq!(seeded.trim(), "5");
}

#[test]
fn a_tunnel_that_switches_while_serving_serves_nothing_from_production_and_turns_unhealthy() {
    let tunnel = Tunnel::new();
    // The guard's probe and the migrations' connection reach the sandbox; every later
    // connection reaches production.
    let fwd = tunnel.forwarder(2);
    let server = Server::start_with(
        &tunnel.world,
        &tunnel.env(&fwd),
        &["--proof-interval-ms", "100", "--pool-size", "4"],
    );
    let health = raw(server.addr, "GET", "/healthz", &[]);
    assert!(health.starts_with("HTTP/1.1 200 OK\r\n"), "{health}");
    // Concurrent requests make the pool grow into production: those connections fail
    // their proof and are never used.
    let answers: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..12)
            .map(|_| s.spawn(|| raw(server.addr, "GET", "/api/organisations", &[])))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for got in &answers {
        assert!(!got.contains(PROD_ONLY), "production data served: {got}");
        assert!(
            got.starts_with("HTTP/1.1 200 OK\r\n") || got.starts_with("HTTP/1.1 503 "),
            "{got}"
        );
    }
    assert!(
        fwd.connections() > 2,
        "the pool never opened a new connection"
    );
    // The periodic proof notices the switch even with idle proven connections.
    std::thread::sleep(Duration::from_millis(600));
    let health = raw(server.addr, "GET", "/healthz", &[]);
    assert!(health.starts_with("HTTP/1.1 503 "), "{health}");
    assert!(
        health.contains("database-stamp-environment-mismatch"),
        "{health}"
    );
    let (_, logs) = server.stop();
    assert!(logs.contains("failed its proof"), "{logs}");
    tunnel.world.assert_no_leak("the logs", &logs);
    assert_eq!(tunnel.production_rows(), "1,0,0");
}

/// A SIGTERM the moment the server says it listens (a redeploy right after a start) is a
/// graceful shutdown, not a kill: the handlers are installed before "listening" is said.
#[test]
fn regression_sigterm_right_after_listening_is_a_graceful_shutdown() {
    let world = World::new();
    for _ in 0..5 {
        let server = Server::start(&world, &world.env("sandbox", &world.sandbox));
        let (status, logs) = server.stop();
        assert!(status.success(), "{status}: {logs}");
        assert!(logs.contains("\"signal\":\"SIGTERM\""), "{logs}");
        assert!(logs.contains("\"message\":\"stopped\""), "{logs}");
    }
}
