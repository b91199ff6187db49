//! The live guard end to end: `db stamp`, `db identity`, `check --probe`, `run` and `seed`
//! against real clusters: stamped production, stamped sandbox, unstamped, a forwarder that
//! reaches production from a sandbox port, a production dump restored into the sandbox
//! cluster, and an unreachable port.

use std::time::{Duration, Instant};

use gardefou_testpg::Forwarder;

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
    let pg = gardefou_testpg::Cluster::builder().tls().start();
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

#[test]
fn a_seed_script_that_proves_in_its_own_transaction_is_refused_through_a_switching_tunnel() {
    let env = Env::new();
    let (prod, prod_url) = cluster();
    let (sandbox, sandbox_url) = cluster();
    // Same database name and application password on both sides of the tunnel.
    prod.psql(
        "postgres",
        &format!(
            "ALTER ROLE {} PASSWORD '{}'",
            gardefou_testpg::Cluster::APP_USER,
            sandbox.password()
        ),
    );
    let prod_url = prod_url.replace(prod.password(), sandbox.password());
    let psql = gardefou_testpg::bin_dir().unwrap().join("psql");
    // A seed script as a team writes one: psql, one transaction, the proof first.
    let script = format!(
        "{} \"$DATABASE_URL\" -X -q -v ON_ERROR_STOP=1 -c \"BEGIN; $GARDEFOU_ASSERT_SQL; CREATE TABLE public.seeded (x int); INSERT INTO public.seeded VALUES (1); COMMIT\"",
        psql.display()
    );
    let seeded = |pg: &gardefou_testpg::Cluster| {
        pg.psql(
            "koomy",
            "select count(*) from pg_catalog.pg_tables where tablename = 'seeded'",
        )
        .trim()
        .to_owned()
    };
    // The wrapper's probe reaches the sandbox; the script's own connection, production.
    let tunnel = Forwarder::switching(sandbox.port(), 1, prod.port());
    env.write_policy(
        "gardefou.toml",
        &policy(prod.port(), &[sandbox.port(), tunnel.port()]),
    );
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
    let tunnel_url = sandbox.url_at("127.0.0.1", tunnel.port(), "koomy", "");
    let out = env
        .cmd(&vars("sandbox", &tunnel_url))
        .args(["seed", "--", "sh", "-c", &script])
        .output()
        .unwrap();
    let text = render(&out, env.dir.path());
    assert_ne!(out.status.code(), Some(0), "{text}");
    assert!(
        stderr(&out).contains("is stamped production, not sandbox"),
        "{text}"
    );
    assert_eq!(
        tunnel.connections(),
        2,
        "the wrapper's probe, then the script's"
    );
    assert_eq!(
        seeded(&prod),
        "0",
        "the script wrote into production: {text}"
    );
    assert!(!text.contains(sandbox.password()), "{text}");
    // Straight to the sandbox, the same script proves and seeds.
    let out = env
        .cmd(&vars("sandbox", &sandbox_url))
        .args(["seed", "--", "sh", "-c", &script])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        render(&out, env.dir.path())
    );
    assert_eq!(seeded(&sandbox), "1");
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
