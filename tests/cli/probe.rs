//! The live guard end to end: `db stamp`, `db identity`, `check --probe`, `run` and `seed`
//! against real clusters: stamped production, stamped sandbox, unstamped, a forwarder that
//! reaches production from a sandbox port, a production dump restored into the sandbox
//! cluster, and an unreachable port.

use std::time::{Duration, Instant};

use gardefou_testkit::Forwarder;

use crate::support::{cluster, render, vars, Env};

fn policy(prod: u16, sandbox: &[u16]) -> String {
    let sandbox: Vec<String> = sandbox
        .iter()
        .map(|p| format!("\"127.0.0.1:{p}\""))
        .collect();
    format!(
        "[database.production]\nhosts = [\"127.0.0.1:{prod}\"]\n[database.sandbox]\nhosts = [{}]\n",
        sandbox.join(", ")
    )
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn production_sandbox_forwarder_and_restored_dump() {
    let env = Env::new();
    let (prod, prod_url) = cluster();
    let (sandbox, sandbox_url) = cluster();
    let forwarder = Forwarder::to(prod.port());
    let tunnel = forwarder.port();
    env.write_policy(
        "gardefou.toml",
        &policy(prod.port(), &[sandbox.port(), tunnel]),
    );

    // Stamping production needs KOOMY_ENV=production and a URL the policy gives to it.
    let out = env
        .cmd(&vars("sandbox", &prod_url))
        .args(["db", "stamp"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        render(&out, env.dir.path())
    );
    assert!(stdout(&out).contains("database-url-environment-mismatch"));
    assert!(stdout(&out).contains("not stamped"));
    for (e, url) in [("production", &prod_url), ("sandbox", &sandbox_url)] {
        let out = env
            .cmd(&vars(e, url))
            .args(["db", "stamp"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            render(&out, env.dir.path())
        );
        assert!(stdout(&out).starts_with(&format!("stamped {e}: database koomy")));
        assert!(
            !stdout(&out).contains(prod.password()) && !stdout(&out).contains(sandbox.password())
        );
    }
    let out = env
        .cmd(&vars("production", &prod_url))
        .args(["db", "stamp"])
        .output()
        .unwrap();
    assert!(stdout(&out).starts_with("already stamped production"));

    // Both start; the sandbox may seed.
    for (e, url) in [("production", &prod_url), ("sandbox", &sandbox_url)] {
        let out = env
            .cmd(&vars(e, url))
            .args(["check", "--probe"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            render(&out, env.dir.path())
        );
        let out = env
            .cmd(&vars(e, url))
            .args(["run", "--", "echo", "started"])
            .output()
            .unwrap();
        assert_eq!(
            stdout(&out),
            "started\n",
            "{}",
            render(&out, env.dir.path())
        );
    }
    let marker = env.path("seeded");
    let out = env
        .cmd(&vars("sandbox", &sandbox_url))
        .args(["seed", "--", "touch"])
        .arg(&marker)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        render(&out, env.dir.path())
    );
    assert!(marker.exists());
    std::fs::remove_file(&marker).unwrap();

    // A sandbox port that really reaches production: the URL passes, the server refuses.
    let tunnel_url = prod.url_at("127.0.0.1", tunnel, "koomy", "");
    let out = env
        .cmd(&vars("sandbox", &tunnel_url))
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "the static check cannot see through a tunnel"
    );
    let out = env
        .cmd(&vars("sandbox", &tunnel_url))
        .args(["run", "--", "echo", "started"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        render(&out, env.dir.path())
    );
    assert!(stdout(&out).is_empty(), "the server never started");
    assert!(stderr(&out).contains(&format!(
        "error[database-stamp-environment-mismatch] §5.1: KOOMY_ENV is sandbox, but the database koomy at 127.0.0.1:{tunnel} is stamped production"
    )), "{}", stderr(&out));
    let out = env
        .cmd(&vars("sandbox", &tunnel_url))
        .args(["seed", "--", "touch"])
        .arg(&marker)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!marker.exists(), "the seed ran against production");
    assert!(
        stderr(&out).contains("error[seed-production-marker] §6"),
        "{}",
        stderr(&out)
    );

    // Production dumped and restored into the sandbox cluster.
    prod.dump_into("koomy", &sandbox, "koomy_copy");
    let copy_url = sandbox.url("koomy_copy", "");
    let out = env
        .cmd(&vars("sandbox", &copy_url))
        .args(["check", "--probe", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            // The restore carried production's data marks: gardefou.lineage, schema public.
            "database-production-data",
            "database-production-data",
            "database-stamp-environment-mismatch",
            "database-stamp-identity-mismatch"
        ]
    );
    let out = env
        .cmd(&vars("sandbox", &copy_url))
        .args(["db", "stamp", "--replace", "production"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("error[stamp-production-permanent]"),
        "{}",
        stdout(&out)
    );
    let out = env
        .cmd(&vars("sandbox", &copy_url))
        .args(["seed", "--", "touch"])
        .arg(&marker)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!marker.exists());

    // `db identity` says what the server is, never the URL, user or password.
    let out = env
        .cmd(&vars("sandbox", &copy_url))
        .args(["db", "identity", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        render(&out, env.dir.path())
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["identity"]["database"], "koomy_copy");
    assert_eq!(doc["identity"]["server_port"], sandbox.port().to_string());
    assert_eq!(doc["stamp"]["environment"], "production");
    assert_ne!(
        doc["stamp"]["binding"]["system_identifier"],
        doc["identity"]["system_identifier"]
    );
    let text = stdout(&out);
    assert!(!text.contains(sandbox.password()) && !text.contains("postgresql://"));
    assert!(
        doc["stamp"].get("stamped_by").is_none(),
        "no user name: {text}"
    );
    let out = env
        .cmd(&vars("sandbox", &copy_url))
        .args(["db", "identity"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains(
            "stamp              production (written in another database: system identifier"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn unstamped_unreachable_and_forged_environments_are_refused() {
    let env = Env::new();
    let (pg, url) = cluster();
    let out = env
        .cmd(&vars("local", &url))
        .args(["check", "--probe"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("error[database-stamp-missing] §5.1"),
        "{}",
        stdout(&out)
    );
    // Without --probe, check stays static.
    let out = env.cmd(&vars("local", &url)).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    // The policy may let local databases run unstamped: a warning.
    env.write_policy(
        "gardefou.toml",
        "[database.local]\nallow_unstamped = true\n",
    );
    let out = env
        .cmd(&vars("local", &url))
        .args(["run", "--", "echo", "started"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out),
        "started\n",
        "{}",
        render(&out, env.dir.path())
    );
    assert!(stderr(&out).contains("warning[database-stamp-missing]"));
    // …but never to seed, and seeding locally must be allowed by the policy first.
    let out = env
        .cmd(&vars("local", &url))
        .args(["seed", "--", "echo", "seeded"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("error[seed-environment-refused] §6"),
        "{}",
        stderr(&out)
    );

    // PGOPTIONS and options=-c never reach the probe: the static check refuses them.
    let mut with_pgoptions = vars("local", &url).to_vec();
    with_pgoptions.push(("PGOPTIONS", "-c neon.branch_id=br-prod-1"));
    let out = env
        .cmd(&with_pgoptions)
        .args(["run", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("database-env-override"));
    let forged = format!("{url}?options=-c%20neon.branch_id%3Dbr-prod-1");
    let out = env
        .cmd(&vars("local", &forged))
        .args(["run", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("database-url-invalid"));
    // ALTER DATABASE … SET is seen and refused.
    pg.psql(
        "koomy",
        "alter database koomy set neon.branch_id = 'br-prod-1'",
    );
    let out = env
        .cmd(&vars("local", &url))
        .args(["run", "--", "echo", "started"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("error[database-identity-forged]"),
        "{}",
        stderr(&out)
    );
    drop(pg);

    // Nothing listens any more: refused, quickly, with the reason.
    let start = Instant::now();
    let out = env
        .cmd(&vars("local", &url))
        .args(["run", "--", "echo", "started"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out)
            .contains("error[database-unreachable] §5.1: cannot ask the database at 127.0.0.1:"),
        "{}",
        stderr(&out)
    );
    // A silent server: refused at the policy's timeout. Not a timing test: a bound for hangs.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    env.write_policy("gardefou.toml", "[database]\nconnect_timeout_ms = 200\n");
    let url = format!("postgresql://koomy@127.0.0.1:{port}/koomy");
    let out = env
        .cmd(&vars("local", &url))
        .args(["check", "--probe"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("no answer within 200 ms"),
        "{}",
        stdout(&out)
    );
    assert!(start.elapsed() < Duration::from_secs(60));
}

#[test]
fn tls_verify_full_with_the_clusters_ca() {
    let env = Env::new();
    let pg = gardefou_testkit::Cluster::builder().tls().start();
    pg.create_database("koomy");
    let ca = pg.ca_cert().unwrap().display().to_string();
    let stamp_url = pg.url_at("localhost", pg.port(), "koomy", "sslmode=require");
    let out = env
        .cmd(&vars("local", &stamp_url))
        .args(["db", "stamp"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        render(&out, env.dir.path())
    );
    for q in [
        "sslmode=require&channel_binding=require".to_owned(),
        format!("sslmode=verify-full&sslrootcert={ca}"),
    ] {
        let url = pg.url_at("localhost", pg.port(), "koomy", &q);
        let out = env
            .cmd(&vars("local", &url))
            .args(["check", "--probe"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{q}: {}",
            render(&out, env.dir.path())
        );
    }
    let url = pg.url_at("localhost", pg.port(), "koomy", "sslmode=verify-full");
    let out = env
        .cmd(&vars("local", &url))
        .args(["check", "--probe"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("database-unreachable"),
        "{}",
        stdout(&out)
    );
}

/// The psql seed of docs/identity.md, word for word (with `examples/seed/seed.sql`).
const PSQL_SEED: &str = r#"psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 --single-transaction -c "$GARDEFOU_ASSERT_SQL" -f examples/seed/seed.sql"#;

/// `pg` from the npm registry, installed once for the node-postgres seed.
fn node_pg() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("seed-node");
        if !dir.join("node_modules/pg/package.json").exists() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("package.json"), "{\"private\":true}\n").unwrap();
            let out = std::process::Command::new("npm")
                .current_dir(&dir)
                .args([
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--loglevel=error",
                    "pg@8",
                ])
                .output()
                .expect("npm (scripts/test.sh installs it)");
            assert!(out.status.success(), "{}", stderr(&out));
        }
        dir.join("node_modules")
    })
    .clone()
}

/// psycopg 3 from PyPI, in a virtual environment made once: its python.
fn python_psycopg() -> std::path::PathBuf {
    static PY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    PY.get_or_init(|| {
        let venv = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("seed-psycopg");
        let python = venv.join("bin/python");
        let ready = std::process::Command::new(&python)
            .args(["-c", "import psycopg"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !ready {
            let ok = std::process::Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .expect("python3 (scripts/test.sh installs it)");
            assert!(ok.success());
            let out = std::process::Command::new(venv.join("bin/pip"))
                .args([
                    "install",
                    "-q",
                    "--disable-pip-version-check",
                    "psycopg[binary]>=3.1,<4",
                ])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "pip install psycopg: {}",
                stderr(&out)
            );
        }
        python
    })
    .clone()
}

/// The example seeds (`examples/seed/`: psql, node-postgres, psycopg), each run by `gardefou
/// seed` as docs/identity.md shows: through a tunnel whose second connection reaches
/// production — the wrapper's probe sees the sandbox, the script's own connection
/// production — the SQL proof in the script's transaction refuses and production gets no
/// table; straight to the sandbox, the same script seeds.
#[test]
fn the_example_seeds_prove_in_their_own_transaction_and_refuse_a_switching_tunnel() {
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/identity.md")).unwrap();
    assert!(
        docs.contains(PSQL_SEED),
        "docs/identity.md shows another psql seed"
    );
    let env = Env::new();
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/seed");
    std::fs::create_dir_all(env.path("examples/seed")).unwrap();
    for file in ["seed.sql", "seed.js", "seed.py"] {
        std::fs::copy(examples.join(file), env.path("examples/seed").join(file)).unwrap();
    }
    std::os::unix::fs::symlink(node_pg(), env.path("node_modules")).unwrap();
    let python = python_psycopg();
    let (prod, prod_url) = cluster();
    let (sandbox, sandbox_url) = cluster();
    // Same database name and application password on both sides of the tunnel.
    prod.psql(
        "postgres",
        &format!(
            "ALTER ROLE {} PASSWORD '{}'",
            gardefou_testkit::Cluster::APP_USER,
            sandbox.password()
        ),
    );
    let prod_url = prod_url.replace(prod.password(), sandbox.password());
    let path = format!(
        "{}:{}",
        gardefou_testkit::bin_dir().unwrap().display(),
        std::env::var("PATH").unwrap()
    );
    let seeded = |pg: &gardefou_testkit::Cluster| {
        pg.psql(
            "koomy",
            "select count(*) from pg_catalog.pg_tables where tablename = 'seeded'",
        )
        .trim()
        .to_owned()
    };
    // One tunnel per seed: its first connection to the sandbox, the next ones to production.
    let tunnels: Vec<Forwarder> = (0..3)
        .map(|_| Forwarder::switching(sandbox.port(), 1, prod.port()))
        .collect();
    let mut sandbox_hosts = vec![sandbox.port()];
    sandbox_hosts.extend(tunnels.iter().map(Forwarder::port));
    env.write_policy("gardefou.toml", &policy(prod.port(), &sandbox_hosts));
    for (e, url) in [("production", &prod_url), ("sandbox", &sandbox_url)] {
        let out = env
            .cmd(&vars(e, url))
            .args(["db", "stamp"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            render(&out, env.dir.path())
        );
    }
    let python = python.display().to_string();
    let seeds: [(&str, Vec<&str>); 3] = [
        ("psql", vec!["sh", "-c", PSQL_SEED]),
        ("node-postgres", vec!["node", "examples/seed/seed.js"]),
        ("psycopg", vec![python.as_str(), "examples/seed/seed.py"]),
    ];
    for ((name, command), tunnel) in seeds.iter().zip(&tunnels) {
        let tunnel_url = sandbox.url_at("127.0.0.1", tunnel.port(), "koomy", "");
        let out = env
            .cmd(&vars("sandbox", &tunnel_url))
            .env("PATH", &path)
            .arg("seed")
            .arg("--")
            .args(command)
            .output()
            .unwrap();
        let text = render(&out, env.dir.path());
        assert_ne!(out.status.code(), Some(0), "{name}: {text}");
        assert!(
            stderr(&out).contains("is stamped production, not sandbox"),
            "{name}: {text}"
        );
        assert_eq!(
            tunnel.connections(),
            2,
            "{name}: the wrapper's probe, then the script's"
        );
        assert_eq!(seeded(&prod), "0", "{name} wrote into production: {text}");
        assert_eq!(seeded(&sandbox), "0", "{name}: {text}");
        assert!(!text.contains(sandbox.password()), "{name}: {text}");
        // Straight to the sandbox, the same script proves and seeds.
        let out = env
            .cmd(&vars("sandbox", &sandbox_url))
            .env("PATH", &path)
            .arg("seed")
            .arg("--")
            .args(command)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            render(&out, env.dir.path())
        );
        sandbox.psql("koomy", "DROP TABLE public.seeded");
    }
}

/// `db stamp --format json`: what was done, and the identity (never a URL, user or
/// password); a refusal is the usual report.
#[test]
fn db_stamp_speaks_json() {
    let env = Env::new();
    let (pg, url) = cluster();
    let stamp = || {
        let out = env
            .cmd(&vars("local", &url))
            .args(["db", "stamp", "--format", "json"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(!text.contains(pg.password()), "{text}");
        (
            out.status.code(),
            serde_json::from_str::<serde_json::Value>(text.trim()).unwrap(),
        )
    };
    let (code, doc) = stamp();
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["action"], "created");
    assert_eq!(doc["environment"], "local");
    assert_eq!(doc["identity"]["database"], "koomy");
    let (code, doc) = stamp();
    assert_eq!(code, Some(0));
    assert_eq!(doc["action"], "unchanged");
    // Refused: stamping it sandbox without --replace.
    let out = env
        .cmd(&vars("sandbox", &url))
        .args(["db", "stamp", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    assert_eq!(doc["verdict"], "deny");
}

/// `[database.production] system_identifiers` pins production's physical server: a
/// production process that reaches another server (a fail-over nobody vetted, a restored
/// copy on a new cluster behind production's address) is refused, and so is a sandbox
/// process that reaches the pinned server through an address the policy gives the sandbox
/// — even a database there that was never stamped production.
#[test]
fn the_pinned_production_server_is_production_whatever_the_address() {
    let env = Env::new();
    let (prod, _) = cluster();
    let (other, _) = cluster();
    prod.create_database("scratch");
    let system_id = |pg: &gardefou_testkit::Cluster| {
        pg.psql(
            "postgres",
            "select system_identifier from pg_control_system()",
        )
        .trim()
        .to_owned()
    };
    let pinned = system_id(&prod);
    assert_ne!(pinned, system_id(&other));
    let production_address = Forwarder::to(prod.port());
    let sandbox_address = Forwarder::to(prod.port());
    env.write_policy(
        "gardefou.toml",
        &format!(
            "[database.production]\nhosts = [\"127.0.0.1:{}\"]\nsystem_identifiers = [\"{pinned}\"]\n\
             [database.sandbox]\nhosts = [\"127.0.0.1:{}\"]\n",
            production_address.port(),
            sandbox_address.port()
        ),
    );
    let url_through = |fwd: &Forwarder, db: &str| prod.url_at("127.0.0.1", fwd.port(), db, "");
    let out = env
        .cmd(&vars(
            "production",
            &url_through(&production_address, "koomy"),
        ))
        .args(["db", "stamp"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        render(&out, env.dir.path())
    );
    let started = env.path("started");
    let run = |koomy_env: &str, url: &str| {
        let out = env
            .cmd(&vars(koomy_env, url))
            .args(["run", "--", "touch"])
            .arg(&started)
            .output()
            .unwrap();
        (out.status.code(), render(&out, env.dir.path()))
    };
    let (code, text) = run("production", &url_through(&production_address, "koomy"));
    assert_eq!(code, Some(0), "{text}");
    std::fs::remove_file(&started).unwrap();

    // A sandbox process whose sandbox address reaches the pinned server, on a database
    // that carries no production stamp of its own.
    let (code, text) = run("sandbox", &url_through(&sandbox_address, "scratch"));
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("which the policy pins to production"),
        "{text}"
    );
    assert!(!started.exists(), "the server started: {text}");
    let out = env
        .cmd(&vars("sandbox", &url_through(&sandbox_address, "scratch")))
        .args(["db", "stamp"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        render(&out, env.dir.path())
    );
    assert_eq!(
        prod.psql(
            "scratch",
            "select count(*) from pg_catalog.pg_namespace where nspname = 'gardefou'"
        )
        .trim(),
        "0",
        "a database on the pinned production server was stamped"
    );

    // Production's address now leads to another server: production refuses to start.
    production_address.point_to(other.port());
    other.psql(
        "postgres",
        &format!(
            "ALTER ROLE {} PASSWORD '{}'",
            gardefou_testkit::Cluster::APP_USER,
            prod.password()
        ),
    );
    let (code, text) = run("production", &url_through(&production_address, "koomy"));
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("not among the system identifiers"), "{text}");
    assert!(!started.exists(), "the server started: {text}");
    assert!(!text.contains(prod.password()), "{text}");
}

/// The fix printed for an unstamped database is a command line that works as printed,
/// from the directory and shell the refused command ran in (its `.env` included).
#[test]
fn regression_the_printed_stamp_fix_runs_as_printed() {
    let env = Env::new();
    let (pg, url) = cluster();
    env.write(
        ".env",
        &format!("KOOMY_ENV=sandbox\nNODE_ENV=production\nDATABASE_URL={url}\n"),
    );
    env.write("gardefou.toml", &policy(1, &[pg.port()]));
    let bin_dir = assert_cmd::cargo::cargo_bin("gardefou")
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    let out = env
        .cmd(&[])
        .env("PATH", &path)
        .args(["run", "--", "true"])
        .output()
        .unwrap();
    let text = render(&out, env.dir.path());
    assert_eq!(out.status.code(), Some(1), "{text}");
    let fix = text
        .lines()
        .find_map(|l| l.split_once("stamp it once: ").map(|(_, c)| c.to_owned()))
        .unwrap_or_else(|| panic!("no stamp fix printed: {text}"));
    let ran = std::process::Command::new("sh")
        .args(["-c", &fix])
        .current_dir(env.dir.path())
        .env_clear()
        .env("PATH", &path)
        .output()
        .unwrap();
    assert_eq!(
        ran.status.code(),
        Some(0),
        "{fix}: {}",
        render(&ran, env.dir.path())
    );
    let out = env
        .cmd(&[])
        .env("PATH", &path)
        .args(["run", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        render(&out, env.dir.path())
    );
}
