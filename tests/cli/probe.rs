//! The live guard end to end: `db stamp`, `db identity`, `check --probe`, `run` and `seed`
//! against real clusters: stamped production, stamped sandbox, unstamped, a forwarder that
//! reaches production from a sandbox port, a production dump restored into the sandbox
//! cluster, and an unreachable port.

use std::time::{Duration, Instant};

use gardefou_testkit::Forwarder;

use crate::support::{
    assert_contains, cluster, error_rules, hosts_policy, render, vars, Env, Run, Runs,
};

#[test]
fn production_sandbox_forwarder_and_restored_dump() {
    let (prod, prod_url) = cluster();
    let (sandbox, sandbox_url) = cluster();
    let forwarder = Forwarder::to(prod.port());
    let tunnel = forwarder.port();
    let env = Env::with_policy(&hosts_policy(prod.port(), &[sandbox.port(), tunnel]));

    // Stamping production needs KOOMY_ENV=production and a URL the policy gives to it.
    let out = env
        .run(&vars("sandbox", &prod_url), &["db", "stamp"])
        .refused();
    assert_contains(&out.stdout, "database-url-environment-mismatch");
    assert_contains(&out.stdout, "not stamped");
    for (e, url) in [("production", &prod_url), ("sandbox", &sandbox_url)] {
        let out = env.run(&vars(e, url), &["db", "stamp"]).success();
        assert!(out
            .stdout
            .starts_with(&format!("stamped {e}: database koomy")));
        assert!(!out.stdout.contains(prod.password()) && !out.stdout.contains(sandbox.password()));
    }
    let out = env.run(&vars("production", &prod_url), &["db", "stamp"]);
    assert!(out.stdout.starts_with("already stamped production"));

    // Both start; the sandbox may seed.
    for (e, url) in [("production", &prod_url), ("sandbox", &sandbox_url)] {
        env.run(&vars(e, url), &["check", "--probe"]).success();
        let out = env.run(&vars(e, url), &["run", "--", "echo", "started"]);
        assert_eq!(out.stdout, "started\n", "{}", render(&out, env.dir.path()));
    }
    let marker = env.path("seeded");
    env.run_line_with(&vars("sandbox", &sandbox_url), "seed -- touch", &marker)
        .success();
    assert!(marker.exists());
    std::fs::remove_file(&marker).unwrap();

    // A sandbox port that really reaches production: the URL passes, the server refuses.
    let tunnel_url = prod.url_at("127.0.0.1", tunnel, "koomy", "");
    // The static check cannot see through a tunnel.
    env.run(&vars("sandbox", &tunnel_url), &["check"]).success();
    let out = env
        .run_line(&vars("sandbox", &tunnel_url), "run -- echo started")
        .refused();
    assert!(out.stdout.is_empty(), "the server never started");
    assert_contains(&out.stderr, &format!(
        "error[database-stamp-environment-mismatch] §5.1: KOOMY_ENV is sandbox, but the database koomy at 127.0.0.1:{tunnel} is stamped production"
    ));
    let out = env
        .run_line_with(&vars("sandbox", &tunnel_url), "seed -- touch", &marker)
        .refused();
    assert!(!marker.exists(), "the seed ran against production");
    assert_contains(&out.stderr, "error[seed-production-marker] §6");

    // Production dumped and restored into the sandbox cluster.
    prod.dump_into("koomy", &sandbox, "koomy_copy");
    let copy_url = sandbox.url("koomy_copy", "");
    let out = env
        .run_line(&vars("sandbox", &copy_url), "check --probe --format json")
        .refused();
    let doc = out.json();
    let rules = error_rules(&doc);
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
        .run_line(&vars("sandbox", &copy_url), "db stamp --replace production")
        .refused();
    assert_contains(&out.stdout, "error[stamp-production-permanent]");
    env.run_line_with(&vars("sandbox", &copy_url), "seed -- touch", &marker)
        .refused();
    assert!(!marker.exists());

    // `db identity` says what the server is, never the URL, user or password.
    let out = env
        .run_line(&vars("sandbox", &copy_url), "db identity --format json")
        .success();
    let doc = out.json();
    assert_eq!(doc["identity"]["database"], "koomy_copy");
    assert_eq!(doc["identity"]["server_port"], sandbox.port().to_string());
    assert_eq!(doc["stamp"]["environment"], "production");
    assert_ne!(
        doc["stamp"]["binding"]["system_identifier"],
        doc["identity"]["system_identifier"]
    );
    let text = &out.stdout;
    assert!(!text.contains(sandbox.password()) && !text.contains("postgresql://"));
    assert!(
        doc["stamp"].get("stamped_by").is_none(),
        "no user name: {text}"
    );
    let out = env.run(&vars("sandbox", &copy_url), &["db", "identity"]);
    assert_contains(
        &out.stdout,
        "stamp              production (written in another database: system identifier",
    );
}

#[test]
fn unstamped_unreachable_and_forged_environments_are_refused() {
    let env = Env::new();
    let (pg, url) = cluster();
    let out = env
        .run(&vars("local", &url), &["check", "--probe"])
        .refused();
    assert_contains(&out.stdout, "error[database-stamp-missing] §5.1");
    // Without --probe, check stays static.
    env.run(&vars("local", &url), &["check"]).success();
    // The policy may let local databases run unstamped: a warning.
    env.write_policy(
        "gardefou.toml",
        "[database.local]\nallow_unstamped = true\n",
    );
    let out = env.run(&vars("local", &url), &["run", "--", "echo", "started"]);
    assert_eq!(out.stdout, "started\n", "{}", render(&out, env.dir.path()));
    assert_contains(&out.stderr, "warning[database-stamp-missing]");
    // …but never to seed, and seeding locally must be allowed by the policy first.
    let out = env
        .run(&vars("local", &url), &["seed", "--", "echo", "seeded"])
        .refused();
    assert_contains(&out.stderr, "error[seed-environment-refused] §6");

    // PGOPTIONS and options=-c never reach the probe: the static check refuses them.
    let mut with_pgoptions = vars("local", &url).to_vec();
    with_pgoptions.push(("PGOPTIONS", "-c neon.branch_id=br-prod-1"));
    let out = env.run(&with_pgoptions, &["run", "--", "true"]).refused();
    assert_contains(&out.stderr, "database-env-override");
    let forged = format!("{url}?options=-c%20neon.branch_id%3Dbr-prod-1");
    let out = env
        .run(&vars("local", &forged), &["run", "--", "true"])
        .refused();
    assert_contains(&out.stderr, "database-url-invalid");
    // ALTER DATABASE … SET is seen and refused.
    pg.psql(
        "koomy",
        "alter database koomy set neon.branch_id = 'br-prod-1'",
    );
    let out = env
        .run(&vars("local", &url), &["run", "--", "echo", "started"])
        .refused();
    assert_contains(&out.stderr, "error[database-identity-forged]");
    drop(pg);

    // Nothing listens any more: refused, quickly, with the reason.
    let start = Instant::now();
    let out = env
        .run(&vars("local", &url), &["run", "--", "echo", "started"])
        .refused();
    assert!(out.stdout.is_empty());
    assert_contains(
        &out.stderr,
        "error[database-unreachable] §5.1: cannot ask the database at 127.0.0.1:",
    );
    // A silent server: refused at the policy's timeout. Not a timing test: a bound for hangs.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    env.write_policy("gardefou.toml", "[database]\nconnect_timeout_ms = 200\n");
    let url = format!("postgresql://koomy@127.0.0.1:{port}/koomy");
    let out = env
        .run(&vars("local", &url), &["check", "--probe"])
        .refused();
    assert_contains(&out.stdout, "no answer within 200 ms");
    assert!(start.elapsed() < Duration::from_secs(60));
}

#[test]
fn tls_verify_full_with_the_clusters_ca() {
    let env = Env::new();
    let pg = gardefou_testkit::Cluster::builder().tls().start();
    pg.create_database("koomy");
    let ca = pg.ca_cert().unwrap().display().to_string();
    let stamp_url = pg.url_at("localhost", pg.port(), "koomy", "sslmode=require");
    env.run(&vars("local", &stamp_url), &["db", "stamp"])
        .success();
    for q in [
        "sslmode=require&channel_binding=require".to_owned(),
        format!("sslmode=verify-full&sslrootcert={ca}"),
    ] {
        let url = pg.url_at("localhost", pg.port(), "koomy", &q);
        env.run(&vars("local", &url), &["check", "--probe"])
            .success();
    }
    let url = pg.url_at("localhost", pg.port(), "koomy", "sslmode=verify-full");
    let out = env
        .run(&vars("local", &url), &["check", "--probe"])
        .refused();
    assert_contains(&out.stdout, "database-unreachable");
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
            Run::from(out).success();
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
            let venv_made = std::process::Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .output()
                .expect("python3 (scripts/test.sh installs it)");
            Run::from(venv_made).success();
            std::process::Command::new(venv.join("bin/pip"))
                .args(["install", "-q", "--disable-pip-version-check"])
                .arg("psycopg[binary]>=3.1,<4")
                .run()
                .success();
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
    env.write_policy("gardefou.toml", &hosts_policy(prod.port(), &sandbox_hosts));
    for (e, url) in [("production", &prod_url), ("sandbox", &sandbox_url)] {
        env.run(&vars(e, url), &["db", "stamp"]).success();
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
            .run()
            .failure();
        let text = out.to_string();
        assert!(
            out.stderr.contains("is stamped production, not sandbox"),
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
        env.cmd(&vars("sandbox", &sandbox_url))
            .env("PATH", &path)
            .arg("seed")
            .arg("--")
            .args(command)
            .run()
            .success();
        sandbox.psql("koomy", "DROP TABLE public.seeded");
    }
}

/// `db stamp --format json`: what was done, and the identity (never a URL, user or
/// password); a refusal is the usual report.
#[test]
fn db_stamp_speaks_json() {
    let env = Env::new();
    let (pg, url) = cluster();
    let stamp = |koomy_env: &str| {
        let out = env.run(&vars(koomy_env, &url), &["db", "stamp", "--format", "json"]);
        assert!(!out.stdout.contains(pg.password()), "{out}");
        out
    };
    let doc = stamp("local").success().json();
    assert_eq!(doc["action"], "created");
    assert_eq!(doc["environment"], "local");
    assert_eq!(doc["identity"]["database"], "koomy");
    let doc = stamp("local").success().json();
    assert_eq!(doc["action"], "unchanged");
    // Refused: stamping it sandbox without --replace.
    let doc = stamp("sandbox").refused().json();
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
    let production_url = url_through(&production_address, "koomy");
    let scratch_url = url_through(&sandbox_address, "scratch");
    env.run(&vars("production", &production_url), &["db", "stamp"])
        .success();
    let started = env.path("started");
    let run = |koomy_env: &str, url: &str| {
        let vars = vars(koomy_env, url);
        env.run_line_with(&vars, "run -- touch", &started)
    };
    run("production", &production_url).success();
    std::fs::remove_file(&started).unwrap();

    // A sandbox process whose sandbox address reaches the pinned server, on a database
    // that carries no production stamp of its own.
    let out = run("sandbox", &scratch_url).refused();
    assert!(
        out.output().contains("which the policy pins to production"),
        "{out}"
    );
    assert!(!started.exists(), "the server started: {out}");
    env.run(&vars("sandbox", &scratch_url), &["db", "stamp"])
        .refused();
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
    let out = run("production", &production_url).refused();
    let text = out.output();
    assert!(text.contains("not among the system identifiers"), "{out}");
    assert!(!started.exists(), "the server started: {out}");
    assert!(!text.contains(prod.password()), "{out}");
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
    env.write("gardefou.toml", &hosts_policy(1, &[pg.port()]));
    let bin_dir = assert_cmd::cargo::cargo_bin("gardefou")
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    let out = env
        .cmd(&[])
        .env("PATH", &path)
        .args(["run", "--", "true"])
        .run()
        .refused();
    let text = render(&out, env.dir.path());
    let fix = text
        .lines()
        .find_map(|l| l.split_once("stamp it once: ").map(|(_, c)| c.to_owned()))
        .unwrap_or_else(|| panic!("no stamp fix printed: {text}"));
    std::process::Command::new("sh")
        .args(["-c", &fix])
        .current_dir(env.dir.path())
        .env_clear()
        .env("PATH", &path)
        .run()
        .success();
    env.cmd(&[])
        .env("PATH", &path)
        .args(["run", "--", "true"])
        .run()
        .success();
}
