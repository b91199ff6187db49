//! The probe and the stamp against real throwaway clusters.

mod support;

use std::time::{Duration, Instant};

use gardefou_findings::Severity;
use gardefou_pgprobe::stamp::Action;
use gardefou_pgprobe::verify::{verify, Purpose};
use gardefou_pgprobe::{probe, ProbeError, StampState};
use gardefou_policy::{Environment, Policy};
use gardefou_testkit::Cluster;

use support::{
    do_stamp, do_stamp_replacing, ids, pg_text, probe_at, role_url, rules_of, stamp_new,
    stamp_refused, stamped_db, try_probe, url, verdict, PRODUCTION_COPY_AS_SANDBOX_SEED, T,
};

#[test]
fn identity_is_read_and_a_stamp_binds_to_it() {
    let pg = Cluster::start();
    pg.create_database("koomy");
    let u = pg.url("koomy", "sslmode=disable");
    let p = probe_at(&u);
    let id = &p.identity;
    assert_eq!(id.database, "koomy");
    let sysid = pg_text(
        &pg,
        "koomy",
        "select system_identifier from pg_control_system()",
    );
    assert_eq!(id.system_identifier.as_deref(), Some(sysid.as_str()));
    let oid = pg_text(
        &pg,
        "koomy",
        "select oid from pg_database where datname = 'koomy'",
    );
    assert_eq!(id.database_oid, oid);
    assert_eq!(id.server_address.as_deref(), Some("127.0.0.1"));
    assert_eq!(id.server_port, Some(pg.port().to_string()));
    assert!(id.forged.is_empty() && !id.neon.is_neon());
    assert_eq!(p.stamp, StampState::Absent);

    let policy = Policy::koomy();
    let f = verdict(&policy, Environment::Local, "t", &p, Purpose::Run);
    assert_eq!(ids(&f), ["database-stamp-missing"]);
    assert_eq!(f[0].severity, Severity::Error);
    let lenient = Policy::from_toml("[database.local]\nallow_unstamped = true\n", "p").unwrap();
    let f = verdict(&lenient, Environment::Local, "t", &p, Purpose::Run);
    assert_eq!(f[0].severity, Severity::Warning);
    // A seed never runs unstamped, even locally.
    let f = verdict(&lenient, Environment::Local, "t", &p, Purpose::Seed);
    assert_eq!(f[0].severity, Severity::Error);

    stamp_new(&u, Environment::Sandbox);
    assert_eq!(do_stamp(&u, Environment::Sandbox).unwrap(), Action::Nothing);
    let p = probe_at(&u);
    let StampState::Present(s) = &p.stamp else {
        panic!("{:?}", p.stamp)
    };
    assert_eq!(s.environment, Environment::Sandbox);
    assert_eq!(s.binding, p.identity.binding());
    assert_eq!(s.stamped_by, Cluster::APP_USER);
    let ok = verdict(&policy, Environment::Sandbox, "t", &p, Purpose::Seed);
    assert!(ok.is_empty(), "{ok:?}");
    let f = verdict(&policy, Environment::Production, "t", &p, Purpose::Run);
    assert_eq!(ids(&f), ["database-stamp-environment-mismatch"]);

    // Replacing a stamp names the old environment; the old row is kept.
    let f = stamp_refused(do_stamp(&u, Environment::Local));
    assert_eq!(f.rule, "stamp-replace-required");
    assert!(f.message.contains("stamped sandbox"), "{}", f.message);
    let f = stamp_refused(do_stamp_replacing(
        &u,
        Environment::Local,
        Some(Environment::Local),
    ));
    assert_eq!(f.rule, "stamp-replace-required");
    assert_eq!(
        do_stamp_replacing(&u, Environment::Local, Some(Environment::Sandbox)).unwrap(),
        Action::Replace(Environment::Sandbox)
    );
    assert_eq!(
        pg_text(
            &pg,
            "koomy",
            "select environment from gardefou.stamp_history"
        ),
        "sandbox"
    );
    assert!(pg
        .try_psql("koomy", "delete from gardefou.stamp_history")
        .unwrap_err()
        .contains("append-only"));
}

#[test]
fn the_production_stamp_is_permanent() {
    let pg = Cluster::start();
    pg.create_database("prod");
    let u = pg.url("prod", "");
    stamp_new(&u, Environment::Production);
    for env in [Environment::Sandbox, Environment::Local] {
        for replace in [None, Some(Environment::Production)] {
            let f = stamp_refused(do_stamp_replacing(&u, env, replace));
            assert_eq!(f.rule, "stamp-production-permanent", "{env} {replace:?}");
        }
    }
    // By hand, even as a superuser: no UPDATE to another environment, no DELETE, no TRUNCATE.
    for sql in [
        "update gardefou.stamp set environment = 'sandbox'",
        "delete from gardefou.stamp",
        "truncate gardefou.stamp",
    ] {
        let e = pg.try_psql("prod", sql).unwrap_err();
        assert!(e.contains("production stamp is permanent"), "{sql}: {e}");
    }
    // A second row cannot be slipped in.
    assert!(pg
        .try_psql(
            "prod",
            "insert into gardefou.stamp (format, environment, database_oid, database_name, server_version) values (1, 'sandbox', 1, 'x', '15')"
        )
        .is_err());
    // Disabling the protection makes the stamp invalid, not silently accepted.
    pg.psql(
        "prod",
        "alter table gardefou.stamp disable trigger gardefou_protect_stamp",
    );
    let p = probe_at(&u);
    assert!(
        matches!(p.stamp, StampState::Invalid(ref w) if w.contains("gardefou_protect_stamp is not enabled")),
        "{:?}",
        p.stamp
    );
}

#[test]
fn a_production_dump_restored_elsewhere_is_refused_and_cannot_be_restamped() {
    let prod = Cluster::start();
    let sandbox = Cluster::start();
    prod.create_database("koomy");
    let prod_url = prod.url("koomy", "");
    do_stamp(&prod_url, Environment::Production).unwrap();
    prod.dump_into("koomy", &sandbox, "koomy_copy");

    let copy_url = sandbox.url("koomy_copy", "");
    let p = probe_at(&copy_url);
    let StampState::Present(s) = &p.stamp else {
        panic!("{:?}", p.stamp)
    };
    assert_eq!(
        s.environment,
        Environment::Production,
        "the row travelled with the dump"
    );
    let policy = Policy::koomy();
    let f = verdict(&policy, Environment::Sandbox, "copy", &p, Purpose::Seed);
    // gardefou.lineage and the public schema's data mark travelled too.
    assert_eq!(ids(&f), PRODUCTION_COPY_AS_SANDBOX_SEED);
    assert!(
        f[3].message.contains("system identifier"),
        "{}",
        f[3].message
    );
    // Even as production, the copy is not the production database.
    let f = verdict(&policy, Environment::Production, "copy", &p, Purpose::Run);
    assert_eq!(ids(&f), ["database-stamp-identity-mismatch"]);
    let f = stamp_refused(do_stamp_replacing(
        &copy_url,
        Environment::Sandbox,
        Some(Environment::Production),
    ));
    assert_eq!(f.rule, "stamp-production-permanent");
    assert!(f.message.contains("copy of production"), "{}", f.message);
    // Within one cluster, a copy by template keeps the system identifier but not the OID.
    prod.psql(
        "postgres",
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = 'koomy'",
    );
    prod.psql(
        "postgres",
        "create database koomy_tpl template koomy owner koomy",
    );
    let p = probe_at(&prod.url("koomy_tpl", ""));
    let f = verdict(&policy, Environment::Production, "tpl", &p, Purpose::Run);
    assert_eq!(ids(&f), ["database-stamp-identity-mismatch"]);
    assert!(f[0].message.contains("database OID"), "{}", f[0].message);
}

#[test]
fn a_hand_made_stamp_does_not_match_and_forged_settings_are_refused() {
    let pg = Cluster::builder()
        .setting("neon.branch_id", "br-real-1")
        .setting("neon.endpoint_id", "ep-beta-1")
        .start();
    pg.create_database("koomy");
    let u = pg.url("koomy", "");
    // Configuration-file settings are trusted.
    let p = probe_at(&u);
    assert_eq!(p.identity.neon.branch_id.as_deref(), Some("br-real-1"));
    assert!(p.identity.forged.is_empty());
    do_stamp(&u, Environment::Sandbox).unwrap();

    // A forged row: the owner rewrites the stamp with another database's identity.
    pg.psql(
        "koomy",
        "update gardefou.stamp set system_identifier = '42'",
    );
    let p = probe_at(&u);
    let policy = Policy::from_toml(
        "[database.sandbox]\nneon_endpoints = [\"ep-beta-1\"]\n",
        "p",
    )
    .unwrap();
    let f = verdict(&policy, Environment::Sandbox, "t", &p, Purpose::Run);
    assert_eq!(ids(&f), ["database-stamp-identity-mismatch"]);
    pg.psql("koomy", "update gardefou.stamp set system_identifier = (select system_identifier::text from pg_control_system())");

    // SET in another session changes nothing for the probe's own session.
    let cu = url(&u);
    let (seen_by_setter, probed) = gardefou_pgprobe::block_on(
        async {
            let setter = gardefou_pgprobe::connect(&cu).await?;
            setter
                .batch_execute("SET neon.branch_id = 'br-prod-1'")
                .await
                .unwrap();
            let seen = gardefou_pgprobe::read(&setter).await?;
            let fresh = gardefou_pgprobe::connect(&cu).await?;
            Ok((seen, gardefou_pgprobe::read(&fresh).await?))
        },
        T,
    )
    .unwrap();
    assert_eq!(
        seen_by_setter.identity.neon.branch_id.as_deref(),
        Some("br-prod-1")
    );
    assert_eq!(probed.identity.neon.branch_id.as_deref(), Some("br-real-1"));
    // ALTER DATABASE … SET and ALTER ROLE … SET travel with the database or the role.
    pg.psql(
        "koomy",
        "alter database koomy set neon.branch_id = 'br-prod-1'",
    );
    let p = probe_at(&u);
    assert_eq!(
        p.identity.neon.branch_id, None,
        "a forged value is never used"
    );
    let f = verdict(&policy, Environment::Sandbox, "t", &p, Purpose::Run);
    assert!(ids(&f).contains(&"database-identity-forged"), "{f:?}");
    assert!(f[0].message.contains("neon.branch_id"), "{}", f[0].message);
    pg.psql("koomy", "alter database koomy reset neon.branch_id");
    pg.psql(
        "koomy",
        "alter role koomy set neon.endpoint_id = 'ep-alpha-1'",
    );
    let p = probe_at(&u);
    assert_eq!(p.identity.forged.len(), 1, "{:?}", p.identity.forged);
    assert_eq!(p.identity.forged[0].name, "neon.endpoint_id");
    pg.psql("koomy", "alter role koomy reset neon.endpoint_id");

    // PGOPTIONS is not read by the probe (and the static check refuses PG* variables).
    std::env::set_var("PGOPTIONS", "-c neon.branch_id=br-prod-1");
    let p = probe(&url(&u), T);
    std::env::remove_var("PGOPTIONS");
    let p = p.unwrap();
    assert_eq!(p.identity.neon.branch_id.as_deref(), Some("br-real-1"));
    let f = verdict(&policy, Environment::Sandbox, "t", &p, Purpose::Run);
    assert!(f.is_empty(), "{f:?}");

    // The server's own endpoint id decides, whatever the URL says.
    let policy = Policy::from_toml(
        "[database.production]\nneon_endpoints = [\"ep-beta-1\"]\n",
        "p",
    )
    .unwrap();
    let p = probe_at(&u);
    let f = verdict(&policy, Environment::Sandbox, "t", &p, Purpose::Seed);
    assert_eq!(
        ids(&f),
        [
            "database-server-environment-mismatch",
            "seed-production-marker"
        ]
    );
}

#[test]
fn unreachable_and_silent_servers_are_refused_within_the_timeout() {
    let port = gardefou_testkit::free_port().unwrap();
    let start = Instant::now();
    let r = probe(
        &url(&format!("postgresql://koomy@127.0.0.1:{port}/koomy")),
        Duration::from_secs(5),
    );
    assert!(matches!(r, Err(ProbeError::Connect(_))), "{r:?}");
    // A listener that accepts and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let r = probe(
        &url(&format!("postgresql://koomy@127.0.0.1:{port}/koomy")),
        Duration::from_millis(300),
    );
    assert!(matches!(r, Err(ProbeError::Timeout(_))), "{r:?}");
    let koomy = Policy::koomy();
    let f = verify(&koomy, Environment::Local, "127.0.0.1:1", &r, Purpose::Run);
    assert_eq!(ids(&f), ["database-unreachable"]);
    assert!(
        f[0].message.contains("no answer within 300 ms"),
        "{}",
        f[0].message
    );
    // Not a timing test: only a bound that catches a hang.
    assert!(start.elapsed() < Duration::from_secs(60));
}

#[test]
fn tls_follows_sslmode_like_libpq() {
    let pg = Cluster::builder().tls().start();
    pg.create_database("koomy");
    let ca = pg.ca_cert().unwrap().display().to_string();
    let ok = |q: &str, host: &str| {
        try_probe(&pg.url_at(host, pg.port(), "koomy", q)).map(|p| p.identity.database)
    };
    // require encrypts without verifying; channel binding proves the TLS session.
    assert_eq!(
        ok("sslmode=require&channel_binding=require", "127.0.0.1").unwrap(),
        "koomy"
    );
    assert_eq!(
        ok(
            &format!("sslmode=verify-full&sslrootcert={ca}"),
            "localhost"
        )
        .unwrap(),
        "koomy"
    );
    assert_eq!(
        ok(
            &format!("sslmode=verify-full&sslrootcert={ca}&channel_binding=require"),
            "127.0.0.1"
        )
        .unwrap(),
        "koomy"
    );
    // The Mozilla roots do not know the test CA.
    let e = ok("sslmode=verify-full", "localhost").unwrap_err();
    assert!(e.contains("certificate"), "{e}");
    let e = ok("sslmode=verify-ca", "localhost").unwrap_err();
    assert!(e.contains("certificate"), "{e}");

    // A certificate for another name: verify-ca accepts the chain, verify-full refuses.
    let other = Cluster::builder().tls_names("DNS:db.koomy.test").start();
    other.create_database("koomy");
    let ca = other.ca_cert().unwrap().display().to_string();
    let at = |q: &str| try_probe(&other.url("koomy", q)).map(|_| ());
    at(&format!("sslmode=verify-ca&sslrootcert={ca}")).unwrap();
    let e = at(&format!("sslmode=verify-full&sslrootcert={ca}")).unwrap_err();
    assert!(
        e.contains("not valid for name") || e.contains("NotValidForName"),
        "{e}"
    );

    // A plain server: require fails, prefer falls back, channel binding cannot be had.
    let plain = Cluster::start();
    plain.create_database("koomy");
    let p = |q: &str| try_probe(&plain.url("koomy", q)).map(|_| ());
    assert!(p("sslmode=require").is_err());
    p("sslmode=prefer").unwrap();
    p("").unwrap();
    assert!(p("sslmode=disable&channel_binding=require").is_err());
}

#[test]
fn a_unix_socket_url_is_probed_without_tls() {
    let pg = Cluster::start();
    pg.create_database("koomy");
    let dir = pg.socket_dir().display().to_string();
    let userinfo = [Cluster::APP_USER, pg.password()].join(":");
    let u = format!(
        "postgresql://{userinfo}@{}:{}/koomy",
        dir.replace('/', "%2F"),
        pg.port()
    );
    let p = probe_at(&u);
    assert_eq!(p.identity.server_address, None);
    assert_eq!(p.identity.database, "koomy");
}

#[test]
fn errors_never_show_the_password() {
    let pg = Cluster::start();
    pg.create_database("koomy");
    let wrong = format!("{}{}", "Wr0ng", "Pass4x9");
    let u = format!(
        "postgresql://{}:{wrong}@127.0.0.1:{}/koomy",
        Cluster::APP_USER,
        pg.port()
    );
    let e = try_probe(&u).unwrap_err();
    assert!(e.contains("password authentication failed"), "{e}");
    assert!(!e.contains(&wrong));
}

#[test]
fn regression_an_authentication_error_names_neither_the_user_nor_the_password() {
    let pg = Cluster::start();
    pg.create_database("koomy");
    pg.psql(
        "postgres",
        "CREATE ROLE zz_app_role LOGIN PASSWORD 'right-one-xyz'",
    );
    let wrong = ["Zq8p", "W3xL", "m9Kt"].concat();
    for user in ["zz_app_role", "zz_no_such_role"] {
        let e = try_probe(&role_url(&pg, user, &wrong, "koomy")).unwrap_err();
        assert!(e.contains("(the URL's user)"), "{e}");
        assert!(!e.contains("zz_"), "{e}");
        // No 8-character piece of the wrong password.
        for piece in wrong.as_bytes().windows(8) {
            assert!(
                !e.contains(std::str::from_utf8(piece).unwrap()),
                "{user}: {e}"
            );
        }
    }
}

/// A database stamped by an older gardefou (an object it relies on is missing) is refused
/// as outdated until it is stamped again, which brings the objects up to date.
#[test]
fn a_stamp_written_by_an_older_gardefou_is_outdated_until_stamped_again() {
    let pg = Cluster::start();
    let u = stamped_db(&pg, "koomy", Environment::Sandbox);
    pg.psql("koomy", "DROP TABLE gardefou.lineage");
    assert_eq!(
        rules_of(&u, Environment::Sandbox, Purpose::Run),
        ["database-stamp-outdated"]
    );
    do_stamp(&u, Environment::Sandbox).unwrap();
    assert!(rules_of(&u, Environment::Sandbox, Purpose::Run).is_empty());
}

/// A server that shows neither its system identifier nor a Neon branch id leaves nothing to
/// bind a stamp to: refused.
#[test]
fn an_identity_without_a_system_identifier_or_neon_branch_is_refused() {
    let pg = Cluster::start();
    pg.create_database("koomy");
    let mut identity = probe_at(&pg.url("koomy", "sslmode=disable")).identity;
    assert!(gardefou_pgprobe::verify::identity_findings(&identity).is_empty());
    identity.system_identifier = None;
    assert_eq!(
        ids(&gardefou_pgprobe::verify::identity_findings(&identity)),
        ["database-identity-unavailable"]
    );
}

/// A role that may not call `pg_control_system()` is refused, never let through: the
/// probe cannot complete (PostgreSQL checks the function's privilege when the query
/// starts, whatever guards it), and an unfinished probe refuses.
#[test]
fn a_role_that_may_not_read_the_system_identifier_is_refused() {
    let pg = Cluster::start();
    pg.create_database("koomy");
    let u = pg.url("koomy", "sslmode=disable");
    // Function privileges live in each database's catalog.
    pg.psql(
        "koomy",
        "REVOKE EXECUTE ON FUNCTION pg_catalog.pg_control_system() FROM PUBLIC",
    );
    let probed = probe(&url(&u), T);
    let koomy = Policy::koomy();
    let findings = verify(&koomy, Environment::Sandbox, "t", &probed, Purpose::Run);
    assert!(
        findings.iter().any(|f| f.severity == Severity::Error),
        "{findings:?}"
    );
    assert!(do_stamp(&u, Environment::Sandbox).is_err());
}
