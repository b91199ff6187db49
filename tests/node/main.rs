//! The npm package, end to end: `npm/pack.sh` tarballs installed with express, pg and
//! dotenv from the npm registry into a real Express app, run against real PostgreSQL
//! clusters. Each attack is checked by its outcome: the server never listened, no
//! production row was served or written, the debug routes answer as unknown routes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use gardefou_policy::Environment;
use gardefou_testkit::run::{Run, Runs};
use gardefou_testkit::{Cluster, Forwarder};

/// The throwaway policy signer (shared with the command's tests).
#[path = "../cli/support.rs"]
mod support;

/// The app: dotenv is loaded by the command line (`-r dotenv/config`) or not at all;
/// `gardefou/register` judges the process; `gardefou/pg` proves each connection.
const SERVER: &str = r#"
require('gardefou/register');
// An env file loaded after the guard judged the process (what a red team tried).
if (process.env.LATE_ENV_FILE) {
  require('dotenv').config({ path: process.env.LATE_ENV_FILE, override: true });
}
const express = require('express');
const { Pool } = require('gardefou/pg');
const { debugRoutes } = require('gardefou/express');
const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: 2,
  idleTimeoutMillis: Number(process.env.POOL_IDLE_MS || 10000),
});
pool.on('error', () => {});
const app = express();
if (!process.env.PLAIN_APP) app.use(debugRoutes({ pool }));
const failed = (res, e) =>
  res.status(503).json({ error: e.code || 'error', rules: (e.findings || []).map((f) => f.rule) });
app.get('/orgs', async (req, res) => {
  try {
    const r = await pool.query('SELECT slug FROM app.orgs ORDER BY slug');
    res.json(r.rows.map((x) => x.slug));
  } catch (e) { failed(res, e); }
});
app.post('/orgs', async (req, res) => {
  try {
    await pool.query("INSERT INTO app.orgs (slug) VALUES ('written-by-app')");
    res.json('ok');
  } catch (e) { failed(res, e); }
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
"#;

/// The app directory: the packed tarballs, express, pg and dotenv, installed once.
fn app() -> &'static Path {
    static APP: OnceLock<PathBuf> = OnceLock::new();
    APP.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("node-app");
        let _ = std::fs::remove_dir_all(&root);
        let packs = root.join("packs");
        std::fs::create_dir_all(&packs).unwrap();
        let bin = Path::new(env!("CARGO_BIN_EXE_gardefou")).parent().unwrap();
        let out = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/npm/pack.sh"))
            .arg(&packs)
            .env("GARDEFOU_BINARY_DIR", bin)
            .output()
            .expect("npm/pack.sh");
        Run::from(out).success();
        let app = root.join("app");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(
            app.join("package.json"),
            "{\"name\":\"app\",\"private\":true}\n",
        )
        .unwrap();
        let mut install = Command::new("npm");
        install
            .current_dir(&app)
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"]);
        for entry in std::fs::read_dir(&packs).unwrap() {
            install.arg(entry.unwrap().path());
        }
        let out = install
            .args(["express@4", "pg@8", "dotenv@16"])
            .args([
                "typescript@5",
                "@types/pg@8",
                "@types/express@4",
                "@types/node@20",
            ])
            .output()
            .expect("npm must be installed (scripts/test.sh installs it)");
        Run::from(out).success();
        std::fs::write(app.join("server.js"), SERVER).unwrap();
        app
    })
}

/// Stamps database `appdb` of `db` as `env`, as `gardefou db stamp` does.
fn stamp(db: &Cluster, env: Environment) {
    let url = gardefou_pgurl::parse(&db.url("appdb", "sslmode=disable")).unwrap();
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

/// A cluster whose database `appdb` holds `app.orgs` with one row, `slug`, stamped `env`.
fn database(env: Environment, slug: &str) -> Cluster {
    let db = Cluster::start();
    db.create_database("appdb");
    db.psql(
        "appdb",
        &format!(
            "SET ROLE {}; CREATE SCHEMA app; CREATE TABLE app.orgs (slug text); INSERT INTO app.orgs VALUES ('{slug}');",
            Cluster::APP_USER
        ),
    );
    stamp(&db, env);
    db
}

const PROD_ONLY: &str = "prod-only-row";
const SANDBOX_ROW: &str = "sandbox-demo-row";

struct World {
    prod: Cluster,
    sandbox: Cluster,
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let world = World {
            prod: database(Environment::Production, PROD_ONLY),
            sandbox: database(Environment::Sandbox, SANDBOX_ROW),
            dir: tempfile::tempdir().unwrap(),
        };
        world.policy(&[]);
        world
    }

    /// The policy (`GARDEFOU_POLICY` names it to the server); `extra_sandbox` ports are listed as sandbox too.
    fn policy(&self, extra_sandbox: &[u16]) {
        let sandbox: Vec<String> = std::iter::once(self.sandbox.port())
            .chain(extra_sandbox.iter().copied())
            .map(|p| format!("\"127.0.0.1:{p}\""))
            .collect();
        std::fs::write(
            self.dir.path().join("gardefou.toml"),
            format!(
                "[database.production]\nhosts = [\"127.0.0.1:{}\"]\n\n[database.sandbox]\nhosts = [{}]\n",
                self.prod.port(),
                sandbox.join(", ")
            ),
        )
        .unwrap();
        support::sign_file(
            &self.dir.path().join("gardefou.toml"),
            &support::signer().key,
        );
    }

    fn url(&self, db: &Cluster) -> String {
        db.url("appdb", "sslmode=disable")
    }

    fn env(&self, koomy_env: &str, db: &Cluster) -> Vec<(String, String)> {
        vec![
            ("KOOMY_ENV".into(), koomy_env.into()),
            ("NODE_ENV".into(), "production".into()),
            ("DATABASE_URL".into(), self.url(db)),
            (
                "GARDEFOU_POLICY".into(),
                self.dir.path().join("gardefou.toml").display().to_string(),
            ),
            (
                "GARDEFOU_ALLOWED_SIGNERS".into(),
                support::signer().allowed.clone(),
            ),
        ]
    }

    fn production_rows(&self) -> String {
        self.prod
            .psql(
                "appdb",
                "SELECT string_agg(slug, ',' ORDER BY slug) FROM app.orgs",
            )
            .trim()
            .to_owned()
    }

    /// Every string that must never appear in an output or a response.
    fn secrets(&self) -> Vec<String> {
        let mut out = vec![
            self.prod.password().to_owned(),
            self.sandbox.password().to_owned(),
        ];
        // The user with its password, as a URL writes them (the host and port are public,
        // and findings name them).
        for db in [&self.prod, &self.sandbox] {
            out.push(format!("{}:{}", Cluster::APP_USER, db.password()));
        }
        out
    }

    fn assert_no_leak(&self, text: &str) {
        for s in self.secrets() {
            for piece in s.as_bytes().windows(8) {
                let piece = String::from_utf8_lossy(piece);
                assert!(
                    !text.contains(&*piece),
                    "a piece of a secret leaked: {text}"
                );
            }
        }
    }
}

/// A started server, or how it ended.
struct Server {
    child: Child,
    port: Option<u16>,
    stderr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `node ARGS server.js` in the app with exactly `env` (PATH aside); waits for
/// "listening PORT" or the process's end.
fn start(node_args: &[&str], env: &[(String, String)]) -> Server {
    let mut argv = vec!["node"];
    argv.extend(node_args);
    argv.push("server.js");
    start_argv(&argv, env)
}

/// Starts `argv` in the app, as [`start`] does.
fn start_argv(argv: &[&str], env: &[(String, String)]) -> Server {
    let mut cmd = Command::new(argv[0]);
    cmd.current_dir(app())
        .args(&argv[1..])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("node");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let _ = stdout.read_line(&mut line);
    let port = line
        .trim()
        .strip_prefix("listening ")
        .and_then(|p| p.parse().ok());
    let mut stderr = String::new();
    if port.is_none() {
        let deadline = Instant::now() + Duration::from_secs(30);
        while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
    }
    Server {
        child,
        port,
        stderr,
    }
}

/// Runs `node SCRIPT` in the app to its end, with exactly `env` (PATH aside).
fn run_node(script: &str, env: &[(String, String)]) -> Run {
    let mut cmd = Command::new("node");
    cmd.current_dir(app())
        .arg(script)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.run()
}

impl Server {
    fn exit_code(&mut self) -> Option<i32> {
        self.child.try_wait().unwrap().and_then(|s| s.code())
    }
}

/// One HTTP/1.1 request; the whole response, with the `Date` header's value blanked.
fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("Content-Length: 0\r\n\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.lines()
        .map(|l| {
            if l.to_ascii_lowercase().starts_with("date:") {
                "Date: -"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn body(response: &str) -> &str {
    response.split_once("\n\n").map_or("", |(_, b)| b)
}

#[test]
fn sandbox_app_on_the_sandbox_database_starts_serves_and_writes_there() {
    let world = World::new();
    let mut server = start(&[], &world.env("sandbox", &world.sandbox));
    let port = server
        .port
        .unwrap_or_else(|| panic!("did not start: {}", server.stderr));
    let got = http(port, "GET", "/orgs", &[]);
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    assert_eq!(body(&got), format!("[\"{SANDBOX_ROW}\"]"));
    assert!(http(port, "POST", "/orgs", &[]).starts_with("HTTP/1.1 200"));
    let rows = world.sandbox.psql(
        "appdb",
        "SELECT count(*) FROM app.orgs WHERE slug = 'written-by-app'",
    );
    assert_eq!(rows.trim(), "1");
    assert_eq!(world.production_rows(), PROD_ONLY);
    assert!(server.exit_code().is_none());
}

#[test]
fn sandbox_app_on_the_production_database_exits_1_before_listening() {
    let world = World::new();
    let mut server = start(&[], &world.env("sandbox", &world.prod));
    assert_eq!(server.port, None, "the server listened");
    assert_eq!(server.exit_code(), Some(1), "{}", server.stderr);
    assert!(server.stderr.contains("database-"), "{}", server.stderr);
    world.assert_no_leak(&server.stderr);
    assert_eq!(world.production_rows(), PROD_ONLY);
}

/// Production through the npm package (`gardefou node register`): a policy without
/// signature, one changed after signing, no allowed signers, and allowed signers planted
/// in the app's `.env` (which dotenv hands to the process) — the server never listens and
/// no production row is served.
#[test]
fn production_app_refuses_an_unsigned_or_changed_policy_before_listening() {
    let world = World::new();
    let policy = world.dir.path().join("gardefou.toml");
    let sig = world.dir.path().join("gardefou.toml.sig");
    let env = world.env("production", &world.prod);
    // Signed: the production app starts.
    let server = start(&[], &env);
    assert!(server.port.is_some(), "did not start: {}", server.stderr);
    drop(server);
    let without_signers: Vec<_> = env
        .iter()
        .filter(|(k, _)| k != "GARDEFOU_ALLOWED_SIGNERS")
        .cloned()
        .collect();
    /// The rule, what is done to the policy first, the environment.
    type Refusal<'a> = (&'a str, &'a dyn Fn(), &'a [(String, String)]);
    let refusals: [Refusal; 3] = [
        ("policy-signers-missing", &|| {}, &without_signers),
        (
            "policy-signature-invalid",
            &|| {
                let text = std::fs::read_to_string(&policy).unwrap();
                std::fs::write(
                    &policy,
                    text.replace("[database.sandbox]", "[database.sandbox]\n# edited"),
                )
                .unwrap();
            },
            &env,
        ),
        (
            "policy-unsigned",
            &|| std::fs::remove_file(&sig).unwrap(),
            &env,
        ),
    ];
    for (rule, tamper, env) in refusals {
        tamper();
        let mut server = start(&[], env);
        assert_eq!(server.port, None, "{rule}: the server listened");
        assert_eq!(server.exit_code(), Some(1), "{rule}: {}", server.stderr);
        assert!(server.stderr.contains(rule), "{rule}: {}", server.stderr);
        world.assert_no_leak(&server.stderr);
    }
    assert_eq!(world.production_rows(), PROD_ONLY);
}

/// An attacker's key in the app's `.env` (loaded by `-r dotenv/config` before the guard):
/// the process environment holds it, the platform set no allowed signers. Refused, the
/// server never listens.
#[test]
fn regression_allowed_signers_from_a_dotenv_file_are_refused_from_inside() {
    let world = World::new();
    let env: Vec<_> = world
        .env("production", &world.prod)
        .into_iter()
        .filter(|(k, _)| k != "GARDEFOU_ALLOWED_SIGNERS")
        .collect();
    // The policy is signed by the test signer; the .env names it as the allowed signer.
    let dotenv = world.dir.path().join("attacker.env");
    std::fs::write(
        &dotenv,
        format!("GARDEFOU_ALLOWED_SIGNERS='{}'\n", support::signer().allowed),
    )
    .unwrap();
    let mut env = env;
    env.push(("DOTENV_CONFIG_PATH".into(), dotenv.display().to_string()));
    let mut server = start(&["-r", "dotenv/config"], &env);
    assert_eq!(server.port, None, "the server listened");
    assert_eq!(server.exit_code(), Some(1), "{}", server.stderr);
    assert!(
        server.stderr.contains("policy-signers-invalid"),
        "{}",
        server.stderr
    );
    assert_eq!(world.production_rows(), PROD_ONLY);
}

/// dotenv with `DOTENV_CONFIG_OVERRIDE`: the `.env` replaces the sandbox URL with
/// production's. Judged from inside, after dotenv ran: refused.
#[test]
fn regression_dotenv_override_to_production_is_refused_from_inside() {
    let world = World::new();
    let env_file = world.dir.path().join("prod.env");
    std::fs::write(
        &env_file,
        format!("DATABASE_URL={}\n", world.url(&world.prod)),
    )
    .unwrap();
    let mut env = world.env("sandbox", &world.sandbox);
    env.push(("DOTENV_CONFIG_OVERRIDE".into(), "true".into()));
    env.push(("DOTENV_CONFIG_PATH".into(), env_file.display().to_string()));
    let mut server = start(&["-r", "dotenv/config"], &env);
    assert_eq!(server.port, None, "the server listened");
    assert_eq!(server.exit_code(), Some(1), "{}", server.stderr);
    world.assert_no_leak(&server.stderr);
    // Control: without the override, dotenv keeps the sandbox URL and the app starts.
    env.retain(|(k, _)| k != "DOTENV_CONFIG_OVERRIDE");
    let server = start(&["-r", "dotenv/config"], &env);
    assert!(server.port.is_some(), "{}", server.stderr);
}

/// `node --env-file`, read with Node's own grammar: what the process holds is judged.
#[test]
fn regression_node_env_file_to_production_is_refused_from_inside() {
    let world = World::new();
    let env_file = world.dir.path().join("node.env");
    // Node's grammar: `KEY: value` is not a line dotenv reads the same way.
    std::fs::write(
        &env_file,
        format!(
            "KOOMY_ENV=sandbox\nNODE_ENV=production\nDATABASE_URL: {}\n",
            world.url(&world.prod)
        ),
    )
    .unwrap();
    let arg = format!("--env-file={}", env_file.display());
    let policy = world.env("sandbox", &world.sandbox).pop().unwrap();
    let mut server = start(&[&arg], &[policy]);
    assert_eq!(server.port, None, "the server listened");
    assert_eq!(server.exit_code(), Some(1), "{}", server.stderr);
    world.assert_no_leak(&server.stderr);
    assert_eq!(world.production_rows(), PROD_ONLY);
}

#[test]
fn regression_inspector_in_production_is_refused_from_inside() {
    let world = World::new();
    let env = world.env("production", &world.prod);
    // Control: the production app starts and serves production.
    let server = start(&[], &env);
    assert!(server.port.is_some(), "{}", server.stderr);
    drop(server);
    let inspect = "--inspect=127.0.0.1:0";
    type Variant<'a> = (Vec<&'a str>, Vec<(String, String)>);
    let variants: Vec<Variant> = vec![
        (vec![inspect], vec![]),
        (vec!["-r", "dotenv/config", inspect], vec![]),
        (vec!["--title", "x", inspect], vec![]),
        (vec![], vec![("NODE_OPTIONS".into(), inspect.into())]),
        (vec!["--inspect-port=0"], vec![]),
    ];
    for (args, extra) in variants {
        let mut env = env.clone();
        env.extend(extra);
        let mut server = start(&args, &env);
        assert_eq!(server.port, None, "{args:?}: the server listened");
        assert_eq!(server.exit_code(), Some(1), "{args:?}: {}", server.stderr);
        assert!(
            server.stderr.contains("node-inspector-in-production"),
            "{args:?}: {}",
            server.stderr
        );
    }
    // Through npm's configuration and a shell: the process finds its inspector open.
    let sh = format!("node {inspect} server.js");
    let npm_option = ("npm_config_node_options".to_owned(), inspect.to_owned());
    let launches: Vec<Variant> = vec![
        (vec!["npm", "start"], vec![npm_option]),
        (vec!["sh", "-c", &sh], vec![]),
        (vec!["env", "node", inspect, "server.js"], vec![]),
    ];
    for (argv, extra) in launches {
        let mut env = env.clone();
        env.extend(extra);
        let mut server = start_argv(&argv, &env);
        assert_eq!(server.port, None, "{argv:?}: the server listened");
        assert_ne!(server.exit_code(), Some(0), "{argv:?}");
        assert!(
            server.stderr.contains("node-inspector-in-production"),
            "{argv:?}: {}",
            server.stderr
        );
    }
}

/// A forwarder listed as sandbox: the first connections (register's probe, maybe the
/// pool's first) reach the sandbox, the next ones production. Each new connection of
/// `gardefou/pg` proves itself: production is never served nor written.
#[test]
fn regression_switching_forwarder_never_serves_or_writes_production_rows() {
    let world = World::new();
    // The worst case: the same role and password on both servers, so that a connection
    // that reaches production logs in.
    world.prod.psql(
        "postgres",
        &format!(
            "ALTER ROLE {} PASSWORD '{}'",
            Cluster::APP_USER,
            world.sandbox.password()
        ),
    );
    for first in 1..=3 {
        let fwd = Forwarder::switching(world.sandbox.port(), first, world.prod.port());
        world.policy(&[fwd.port()]);
        let mut env = world.env("sandbox", &world.sandbox);
        env[2].1 = world
            .sandbox
            .url_at("127.0.0.1", fwd.port(), "appdb", "sslmode=disable");
        // Every request on a new connection.
        env.push(("POOL_IDLE_MS".into(), "1".into()));
        let server = start(&[], &env);
        let port = server
            .port
            .unwrap_or_else(|| panic!("first={first}: did not start: {}", server.stderr));
        let mut refused = 0;
        for _ in 0..4 {
            for (method, path) in [("GET", "/orgs"), ("POST", "/orgs")] {
                let got = http(port, method, path, &[]);
                assert!(
                    !got.contains(PROD_ONLY),
                    "first={first}: production served: {got}"
                );
                if got.starts_with("HTTP/1.1 503") {
                    assert!(got.contains("database-"), "{got}");
                    refused += 1;
                }
                world.assert_no_leak(&got);
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        assert!(refused > 0, "first={first}: production was never reached");
        assert!(
            fwd.connections() > first,
            "first={first}: no connection went to production"
        );
        assert_eq!(world.production_rows(), PROD_ONLY, "first={first}");
    }
}

fn debug_secret() -> String {
    // 256 random bits as hex, drawn at run time.
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .unwrap();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn debug_routes_answer_only_the_right_sandbox_get_and_are_unknown_routes_elsewhere() {
    let world = World::new();
    let secret = debug_secret();
    let wrong = format!("{}0", &secret[1..]);
    let methods = ["GET", "HEAD", "POST", "DELETE", "OPTIONS"];
    let paths = [
        "/api/_debug/db-identity",
        "/api/_debug/db-identity/",
        "/api/_debug/DB-IDENTITY",
        "/api/_debug/",
        "/api/_debug/nope",
    ];
    let header_sets: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("X-Debug-Secret", secret.as_str())],
        vec![("X-Debug-Secret", wrong.as_str())],
        vec![
            ("X-Debug-Secret", secret.as_str()),
            ("X-Debug-Secret", secret.as_str()),
        ],
    ];
    let local = database(Environment::Local, "local-row");
    for (koomy_env, db) in [
        ("production", &world.prod),
        ("local", &local),
        ("sandbox", &world.sandbox),
    ] {
        let mut env = world.env(koomy_env, db);
        if koomy_env == "local" {
            env[1].1 = "development".into();
            // A strong secret is not enough outside the sandbox.
            env.push(("DEBUG_SECRET".into(), secret.clone()));
        }
        if koomy_env == "sandbox" {
            env.push(("DEBUG_SECRET".into(), secret.clone()));
        }
        let with = start(&[], &env);
        let mut plain_env = env.clone();
        plain_env.push(("PLAIN_APP".into(), "1".into()));
        let without = start(&[], &plain_env);
        let (Some(a), Some(b)) = (with.port, without.port) else {
            panic!("{koomy_env}: {} {}", with.stderr, without.stderr);
        };
        for method in methods {
            for path in paths {
                for headers in &header_sets {
                    let right = koomy_env == "sandbox"
                        && method == "GET"
                        && path == "/api/_debug/db-identity"
                        && headers.len() == 1
                        && headers[0].1 == secret;
                    let got = http(a, method, path, headers);
                    world.assert_no_leak(&got);
                    if right {
                        assert!(got.starts_with("HTTP/1.1 200"), "{got}");
                        assert!(got.to_ascii_lowercase().contains("cache-control: no-store"));
                        let json: serde_json::Value = serde_json::from_str(body(&got)).unwrap();
                        assert_eq!(json["database"], "appdb");
                        assert_eq!(json["stamp"], "sandbox");
                        assert_eq!(json["verdict"], "allow");
                        // Never the role the application connects as.
                        assert!(!got.contains(Cluster::APP_USER), "{got}");
                        assert!(!got.contains(&secret));
                    } else {
                        let unknown = http(b, method, path, headers);
                        assert_eq!(got, unknown, "{koomy_env} {method} {path} {headers:?}");
                    }
                }
            }
        }
    }
}

const SEED: &str = r#"
require('gardefou/seed');
const { Pool } = require('gardefou/pg');
const pool = new Pool({ connectionString: process.env.DATABASE_URL });
pool
  .query("INSERT INTO app.orgs (slug) VALUES ('seeded-demo')")
  .then(() => pool.end())
  .then(() => process.stdout.write('seeded\n'));
"#;

fn seed(env: &[(String, String)]) -> (Option<i32>, String) {
    std::fs::write(app().join("seed.js"), SEED).unwrap();
    let out = run_node("seed.js", env);
    (out.code, out.output())
}

#[test]
fn seed_writes_only_into_a_proven_sandbox() {
    let world = World::new();
    let (code, out) = seed(&world.env("sandbox", &world.sandbox));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("seeded"), "{out}");
    let rows = world.sandbox.psql(
        "appdb",
        "SELECT count(*) FROM app.orgs WHERE slug = 'seeded-demo'",
    );
    assert_eq!(rows.trim(), "1");
    // Production, and sandbox pointed at production: refused before any write.
    for (koomy_env, db) in [("production", &world.prod), ("sandbox", &world.prod)] {
        let (code, out) = seed(&world.env(koomy_env, db));
        assert_eq!(code, Some(1), "{koomy_env}: {out}");
        assert!(!out.contains("seeded"), "{out}");
        world.assert_no_leak(&out);
    }
    assert_eq!(world.production_rows(), PROD_ONLY);
}

/// `gardefou node prove` decides from the answers of the connection's holder: an answer
/// that is missing, empty, an error or not JSON ends in a refusal, never in an allow.
#[test]
fn node_prove_refuses_whatever_a_broken_holder_answers() {
    let world = World::new();
    let answers = [
        "",
        "{\"rows\": []}\n",
        "{\"error\": {\"server\": true, \"message\": \"ERROR: nope\"}}\n",
        "{\"rows\": [[1, 2]]}\n",
        "not json\n",
        "{\"rows\": [[null]]}\n",
    ];
    for answer in answers {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gardefou"));
        cmd.args(["node", "prove"])
            .current_dir(world.dir.path())
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in world.env("sandbox", &world.sandbox) {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        // The same answer to every query, then the end of input.
        let mut stdin = child.stdin.take().unwrap();
        let text = answer.repeat(8);
        let _ = stdin.write_all(text.as_bytes());
        drop(stdin);
        let out = Run::from(child.wait_with_output().unwrap()).refused();
        let stdout = &out.stdout;
        let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
        assert_eq!(last["verdict"], "deny", "{answer:?}: {stdout}");
        assert!(stdout.lines().next().unwrap().contains("\"query\""));
        world.assert_no_leak(stdout);
    }
}

/// ESM: `import 'gardefou/register'` runs, in import order, before the server's code.
#[test]
fn esm_import_register_refuses_before_the_server_code_runs() {
    let world = World::new();
    std::fs::write(
        app().join("esm.mjs"),
        "import 'gardefou/register';\nimport { writeFileSync } from 'node:fs';\nwriteFileSync('esm-ran', 'yes');\nprocess.stdout.write('listening 1\\n');\n",
    )
    .unwrap();
    let marker = app().join("esm-ran");
    let _ = std::fs::remove_file(&marker);
    let run = |env: &[(String, String)]| run_node("esm.mjs", env);
    run(&world.env("sandbox", &world.prod)).refused();
    assert!(!marker.exists(), "the module's code ran");
    run(&world.env("sandbox", &world.sandbox)).success();
    assert!(marker.exists());
}

/// `npx gardefou` is the binary, for a teammate who only ran `npm install`.
#[test]
fn npx_gardefou_runs_the_installed_binary() {
    let out = Command::new("npx")
        .current_dir(app())
        .args(["--offline", "gardefou", "--version"])
        .run()
        .success();
    assert!(out.stdout.starts_with("gardefou "));
    // Its exit code is the binary's: a refusal is 1, a usage error 2.
    Command::new("npx")
        .current_dir(app())
        .args(["--offline", "gardefou", "check"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("HOME", app())
        .run()
        .refused();
    Command::new("npx")
        .current_dir(app())
        .args(["--offline", "gardefou", "--no-such-flag"])
        .run()
        .usage_error();
}

/// The TypeScript types that ship with the package describe its API: a correct use
/// compiles under `strict`, a wrong one does not.
#[test]
fn typescript_types_describe_the_api() {
    let good = r#"
import { register, state, GardefouError } from 'gardefou';
import { Pool, Client } from 'gardefou/pg';
import { debugRoutes, DB_IDENTITY } from 'gardefou/express';
import express from 'express';
import 'gardefou/register';

const s = register('seed');
const env: 'production' | 'sandbox' | 'local' | null = s.environment;
const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const client = new Client();
const app = express();
app.use(debugRoutes({ pool }));
const path: string = DB_IDENTITY;
pool.query('SELECT 1').catch((e: unknown) => {
  if (e instanceof GardefouError) console.log(e.findings.map((f) => f.rule), e.code);
});
console.log(env, path, client, state()?.debugRoutes);
"#;
    let bad = "import { register } from 'gardefou';\nregister('prod');\n";
    let tsc = |name: &str, text: &str| {
        std::fs::write(app().join(name), text).unwrap();
        Command::new(app().join("node_modules/.bin/tsc"))
            .current_dir(app())
            .args([
                "--noEmit",
                "--strict",
                "--esModuleInterop",
                "--skipLibCheck",
                "--module",
                "node16",
                "--moduleResolution",
                "node16",
                name,
            ])
            .run()
    };
    tsc("good.mts", good).success();
    let out = tsc("bad.mts", bad).failure();
    assert!(out.stdout.contains("prod"));
}

/// After `register` judged the process sandbox, the app loads an env file that says
/// production (`KOOMY_ENV`, `DATABASE_URL`, a weak `DEBUG_SECRET`). Every later proof is
/// made against the environment that was judged: production is neither served nor written,
/// and the debug route still wants the judged secret.
#[test]
fn regression_env_reloaded_after_register_cannot_turn_proofs_to_production() {
    let world = World::new();
    let late = world.dir.path().join("late.env");
    std::fs::write(
        &late,
        format!(
            "KOOMY_ENV=production\nDATABASE_URL={}\nDEBUG_SECRET=changeme\n",
            world.url(&world.prod)
        ),
    )
    .unwrap();
    let secret = debug_secret();
    let mut env = world.env("sandbox", &world.sandbox);
    env.push(("DEBUG_SECRET".into(), secret.clone()));
    env.push(("LATE_ENV_FILE".into(), late.display().to_string()));
    let server = start(&[], &env);
    let port = server.port.unwrap_or_else(|| panic!("{}", server.stderr));
    for (method, path) in [("GET", "/orgs"), ("POST", "/orgs")] {
        let got = http(port, method, path, &[]);
        assert!(got.starts_with("HTTP/1.1 503"), "{got}");
        assert!(!got.contains(PROD_ONLY), "{got}");
        world.assert_no_leak(&got);
    }
    assert_eq!(world.production_rows(), PROD_ONLY);
    // The late, weak secret opens nothing: an unknown route.
    let weak = http(
        port,
        "GET",
        "/api/_debug/db-identity",
        &[("X-Debug-Secret", "changeme")],
    );
    assert!(weak.starts_with("HTTP/1.1 404"), "{weak}");
    // The judged secret gets the proof of the connection, which refuses production.
    let right = http(
        port,
        "GET",
        "/api/_debug/db-identity",
        &[("X-Debug-Secret", &secret)],
    );
    assert!(right.starts_with("HTTP/1.1 "), "{right}");
    assert!(!right.contains("\"verdict\": \"allow\""), "{right}");
    assert!(!right.contains(PROD_ONLY));
    world.assert_no_leak(&right);
}

/// SIGUSR1 (what `process._debugProcess` sends) opens Node's inspector in a running process:
/// in production, the guarded process ignores it and keeps serving.
#[test]
fn regression_sigusr1_cannot_open_the_inspector_in_production() {
    let world = World::new();
    let mut server = start(&[], &world.env("production", &world.prod));
    let port = server.port.unwrap_or_else(|| panic!("{}", server.stderr));
    let pid = server.child.id().to_string();
    let sent = Command::new("kill").args(["-USR1", &pid]).status().unwrap();
    assert!(sent.success());
    std::thread::sleep(Duration::from_millis(500));
    assert!(server.exit_code().is_none(), "the server died");
    assert!(
        TcpStream::connect(("127.0.0.1", 9229)).is_err(),
        "an inspector listens on 9229"
    );
    let got = http(port, "GET", "/orgs", &[]);
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    let _ = server.child.kill();
    let mut stderr = String::new();
    let _ = server
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr);
    assert!(!stderr.contains("Debugger listening"), "{stderr}");
    assert!(stderr.contains("SIGUSR1 ignored"), "{stderr}");
}

/// With a secrets registry, `register` takes the key out of `process.env`; the later full
/// proofs (here, the debug route's) still judge with it instead of refusing.
#[test]
fn regression_registry_key_is_kept_for_the_proofs_after_register() {
    let world = World::new();
    let secret = debug_secret();
    let key: String = debug_secret().chars().rev().collect();
    let mut env = world.env("sandbox", &world.sandbox);
    env.push(("DEBUG_SECRET".into(), secret.clone()));
    env.push(("GARDEFOU_SECRETS_KEY".into(), key));
    let mut register = Command::new(env!("CARGO_BIN_EXE_gardefou"));
    register
        .args(["secrets", "register"])
        .current_dir(world.dir.path())
        .env_clear();
    for (k, v) in &env {
        register.env(k, v);
    }
    register.run().success();
    assert!(world.dir.path().join("gardefou.secrets.toml").exists());
    let server = start(&[], &env);
    let port = server.port.unwrap_or_else(|| panic!("{}", server.stderr));
    let got = http(
        port,
        "GET",
        "/api/_debug/db-identity",
        &[("X-Debug-Secret", &secret)],
    );
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    assert!(got.contains("\"verdict\": \"allow\""), "{got}");
}

/// A holder that never answers: `node prove` ends with a refusal when the policy's time is
/// up instead of waiting forever.
#[test]
fn regression_node_prove_is_bounded_by_the_policy_timeout() {
    let world = World::new();
    let policy = world.dir.path().join("gardefou.toml");
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(
        &policy,
        format!("{text}\n[database]\nconnect_timeout_ms = 1000\n"),
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gardefou"));
    cmd.args(["node", "prove"])
        .current_dir(world.dir.path())
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    for (k, v) in world.env("sandbox", &world.sandbox) {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    // stdin stays open and silent.
    let _stdin = child.stdin.take();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "node prove never ended");
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = Run::from(child.wait_with_output().unwrap()).refused();
    let stdout = &out.stdout;
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["verdict"], "deny");
    assert!(stdout.contains("database-unreachable"), "{stdout}");
}

/// node-postgres names the role in authentication errors; through `gardefou/pg` it does not.
#[test]
fn connection_errors_do_not_name_the_role() {
    let world = World::new();
    let wrong = world
        .url(&world.sandbox)
        .replace(world.sandbox.password(), "WrongPassw0rdForTest");
    std::fs::write(
        app().join("wrong.js"),
        "require('gardefou/register');\nconst { Client } = require('gardefou/pg');\nconst c = new Client(process.env.OTHER_CONN);\nc.connect().then(() => console.log('connected'), (e) => console.log(`failed ${e.code} ${e.message}`));\n",
    )
    .unwrap();
    let mut env = world.env("sandbox", &world.sandbox);
    env.push(("OTHER_CONN".into(), wrong));
    let out = run_node("wrong.js", &env);
    let stdout = &out.stdout;
    assert!(stdout.contains("failed 28P01"), "{stdout}");
    assert!(
        !stdout.contains(&format!("\"{}\"", Cluster::APP_USER)),
        "{stdout}"
    );
}

/// `import { open } from 'node:inspector'` is linked before `gardefou/register` runs: the
/// named binding must see the closed door too.
#[test]
fn regression_esm_named_import_of_inspector_open_is_closed_in_production() {
    let world = World::new();
    std::fs::write(
        app().join("esm-open.mjs"),
        "import 'gardefou/register';\nimport { open, url } from 'node:inspector';\ntry { open(0, '127.0.0.1'); console.log(`opened ${url()}`); } catch (e) { console.log(`refused ${e.code}`); }\n",
    )
    .unwrap();
    let out = run_node("esm-open.mjs", &world.env("production", &world.prod));
    let stdout = &out.stdout;
    let stderr = &out.stderr;
    assert!(
        stdout.contains("refused GARDEFOU_REFUSED"),
        "{stdout}{stderr}"
    );
    assert!(!stderr.contains("Debugger listening"), "{stderr}");
}

/// A worker started after the app reloaded a production env file gets the environment
/// that was judged: its own `gardefou/pg` pool stays on the sandbox.
#[test]
fn regression_worker_threads_get_the_judged_environment() {
    let world = World::new();
    let late = world.dir.path().join("late-worker.env");
    std::fs::write(
        &late,
        format!(
            "KOOMY_ENV=production\nDATABASE_URL={}\n",
            world.url(&world.prod)
        ),
    )
    .unwrap();
    std::fs::write(
        app().join("worker-main.js"),
        "require('gardefou/register');\nrequire('dotenv').config({ path: process.env.LATE_ENV_FILE, override: true });\nconst { Worker } = require('worker_threads');\nconst w = new Worker(`const { Pool } = require('gardefou/pg');\nconst p = new Pool({ connectionString: process.env.DATABASE_URL });\np.query('SELECT slug FROM app.orgs').then((r) => { console.log('rows ' + r.rows.map((x) => x.slug).join(',')); return p.end(); }, (e) => console.log('refused ' + e.code));`, { eval: true });\nw.on('exit', () => process.exit(0));\n",
    )
    .unwrap();
    let mut env = world.env("sandbox", &world.sandbox);
    env.push(("LATE_ENV_FILE".into(), late.display().to_string()));
    let out = run_node("worker-main.js", &env);
    let stdout = &out.stdout;
    let stderr = &out.stderr;
    assert!(!stdout.contains(PROD_ONLY), "{stdout}");
    assert!(
        stdout.contains(&format!("rows {SANDBOX_ROW}")),
        "{stdout}{stderr}"
    );
    assert_eq!(world.production_rows(), PROD_ONLY);
}

/// Third red-team round: a worker of a production process, `inspector/promises` loaded
/// before register, and the internal binding cannot open the inspector.
#[test]
fn regression_workers_promises_and_binding_cannot_open_the_inspector_in_production() {
    let world = World::new();
    std::fs::write(
        app().join("doors.js"),
        "const ip = require('inspector/promises');\nrequire('gardefou/register');\nconst { Worker } = require('worker_threads');\nconst tries = [\n  ['promises', () => ip.open(0, '127.0.0.1')],\n  ['binding', () => process.binding('inspector').open(0, '127.0.0.1', false)],\n];\nfor (const [what, f] of tries) { try { f(); console.log(`opened ${what}`); } catch (e) { console.log(`refused ${what}`); } }\nconst w = new Worker(\"try { require('inspector').open(0, '127.0.0.1'); console.log('opened worker ' + require('inspector').url()); } catch (e) { console.log('refused worker'); }\", { eval: true });\nw.on('exit', () => process.exit(0));\n",
    )
    .unwrap();
    let out = run_node("doors.js", &world.env("production", &world.prod));
    let stdout = &out.stdout;
    let stderr = &out.stderr;
    for what in ["promises", "binding", "worker"] {
        assert!(
            stdout.contains(&format!("refused {what}")),
            "{what}: {stdout}{stderr}"
        );
    }
    assert!(!stdout.contains("opened"), "{stdout}");
    assert!(!stderr.contains("Debugger listening"), "{stderr}");
}
