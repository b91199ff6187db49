//! Attacks on the stamp, the probe and the SQL proof, against real throwaway clusters.
//!
//! Each test plays one attack the way the role that does it could (the application role
//! `koomy`, which owns its database and gardefou's objects, over TCP; or a superuser where
//! said) and asserts the outcome: the rules the Rust probe's findings name, and whether the
//! SQL proof `gardefou.assert_environment` raises in a session of the application role.

mod support;

use support::*;

use gardefou_pgprobe::stamp::{Action, StampOptions};
use gardefou_pgprobe::verify::Purpose;
use gardefou_pgprobe::{Health, PoolError, ProvenPool, StampState};
use gardefou_policy::{Environment, Policy};
use gardefou_testkit::{Cluster, Forwarder};

/// A database `koomy` on `pg`, owned by the application role, stamped `env`.
fn stamped(pg: &Cluster, env: Environment) -> String {
    stamped_db(pg, "koomy", env)
}

const PRODUCTION_AS_SANDBOX_RUN: [&str; 4] = [
    // The server pin, gardefou.lineage and the public schema's data mark.
    "database-production-server",
    "database-production-data",
    "database-production-data",
    "database-stamp-invalid",
];

#[test]
fn enable_replica_trigger_by_the_owner_invalidates_the_stamp() {
    let pg = Cluster::start();
    let u = stamped(&pg, Environment::Production);
    let as_production = asked(&pg, &u, Environment::Production, Purpose::Run);
    as_production.proven();

    // ENABLE ALWAYS still fires in an origin session: allowed, and still protecting.
    app_sql(
        &pg,
        "koomy",
        "ALTER TABLE gardefou.stamp ENABLE ALWAYS TRIGGER gardefou_protect_stamp",
    )
    .unwrap();
    as_production.proven();
    assert!(app_sql(&pg, "koomy", "DELETE FROM gardefou.stamp")
        .unwrap_err()
        .contains("production stamp is permanent"));

    // ENABLE REPLICA: the trigger no longer fires in an ordinary session.
    app_sql(
        &pg,
        "koomy",
        "ALTER TABLE gardefou.stamp ENABLE REPLICA TRIGGER gardefou_protect_stamp",
    )
    .unwrap();
    as_production.rules(&["database-stamp-invalid"]);
    assert_invalid_because(
        &u,
        "trigger gardefou_protect_stamp is not enabled (tgenabled R",
    );
    as_production.proof_raises(PROTECTION_CHANGED);
    // The attack works on the row: the owner relabels production as sandbox…
    app_sql(
        &pg,
        "koomy",
        "UPDATE gardefou.stamp SET environment = 'sandbox'",
    )
    .unwrap();
    // …and is refused as sandbox all the same.
    asked(&pg, &u, Environment::Sandbox, Purpose::Run)
        .rules(&PRODUCTION_AS_SANDBOX_RUN)
        .proof_raises(PROTECTION_CHANGED);
    assert_eq!(
        stamp_refusal(do_stamp(&u, Environment::Sandbox)),
        "stamp-production-permanent"
    );
}

#[test]
fn an_emptied_protect_stamp_function_invalidates_the_stamp() {
    let pg = Cluster::start();
    let u = stamped(&pg, Environment::Production);
    let original = pg.psql(
        "koomy",
        "SELECT prosrc FROM pg_proc WHERE oid = 'gardefou.protect_stamp()'::regprocedure",
    );
    app_sql(
        &pg,
        "koomy",
        "CREATE OR REPLACE FUNCTION gardefou.protect_stamp() RETURNS trigger LANGUAGE plpgsql \
         SET search_path = pg_catalog, pg_temp AS $$ \
         BEGIN IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$",
    )
    .unwrap();
    asked(&pg, &u, Environment::Production, Purpose::Run).rules(&["database-stamp-invalid"]);
    assert_invalid_because(
        &u,
        "gardefou.protect_stamp() is not the function gardefou wrote",
    );

    // The triggers no longer protect anything: the owner relabels the row.
    app_sql(
        &pg,
        "koomy",
        "UPDATE gardefou.stamp SET environment = 'sandbox'",
    )
    .unwrap();
    let as_sandbox = asked(&pg, &u, Environment::Sandbox, Purpose::Run);
    as_sandbox
        .stamp_reads("sandbox")
        .rules(&PRODUCTION_AS_SANDBOX_RUN)
        .proof_raises("a database of this server is production");
    assert_eq!(
        stamp_refusal(do_stamp(&u, Environment::Sandbox)),
        "stamp-production-permanent"
    );

    // Putting gardefou's own body back hides the change from the fingerprint, but not
    // production's marks: the relabelled database is still refused as sandbox.
    app_sql(
        &pg,
        "koomy",
        &format!(
            "CREATE OR REPLACE FUNCTION gardefou.protect_stamp() RETURNS trigger LANGUAGE plpgsql \
             SET search_path = pg_catalog, pg_temp AS $gardefou${}$gardefou$",
            original.strip_suffix('\n').unwrap_or(&original)
        ),
    )
    .unwrap();
    as_sandbox.rules(&[
        "database-production-server",
        "database-production-data",
        "database-production-data",
    ]);
    asked(&pg, &u, Environment::Sandbox, Purpose::Seed)
        .proof_raises("a database of this server is production");
}

#[test]
fn a_replaced_assert_environment_is_seen_by_the_rust_probe() {
    let pg = Cluster::start();
    let u = stamped(&pg, Environment::Production);
    let as_sandbox_seed = asked(&pg, &u, Environment::Sandbox, Purpose::Seed);
    as_sandbox_seed.proof_raises("is stamped production, not sandbox");
    app_sql(
        &pg,
        "koomy",
        "CREATE OR REPLACE FUNCTION gardefou.assert_environment(expected text, purpose text DEFAULT 'run') \
         RETURNS text LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp \
         AS $$ BEGIN RETURN 'ok'; END $$",
    )
    .unwrap();
    // The SQL proof runs the owner's code: in SQL alone, the owner can make it say anything.
    assert_eq!(as_sandbox_seed.proof().unwrap(), "ok");
    // The Rust probe reads the catalog itself and compares the body.
    assert_invalid_because(
        &u,
        "gardefou.assert_environment() is not the function gardefou wrote",
    );
    asked(&pg, &u, Environment::Production, Purpose::Run).rules(&["database-stamp-invalid"]);
    as_sandbox_seed.rules(&[
        "database-production-server",
        "database-production-data",
        "database-production-data",
        "database-stamp-invalid",
        "seed-production-marker",
        "seed-production-marker",
        "seed-production-marker",
    ]);
}

#[test]
fn an_extra_trigger_on_the_lineage_table_invalidates_the_stamp() {
    let pg = Cluster::start();
    let u = stamped(&pg, Environment::Sandbox);
    let as_sandbox_seed = asked(&pg, &u, Environment::Sandbox, Purpose::Seed);
    assert_proven(as_sandbox_seed.proof(), "sandbox");
    // A trigger that swallows production's lineage rows when a dump is restored here.
    app_sql(
        &pg,
        "koomy",
        "CREATE FUNCTION public.swallow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$; \
         CREATE TRIGGER a_swallow BEFORE INSERT ON gardefou.lineage FOR EACH ROW EXECUTE FUNCTION public.swallow()",
    )
    .unwrap();
    pg.psql("koomy", PRODUCTION_LINEAGE_ROW);
    assert_eq!(
        pg_text(&pg, "koomy", "SELECT count(*) FROM gardefou.lineage"),
        "0",
        "the trigger swallows lineage rows"
    );
    asked(&pg, &u, Environment::Sandbox, Purpose::Run).rules(&["database-stamp-invalid"]);
    assert_invalid_because(&u, "a trigger gardefou did not write is on its tables");
    as_sandbox_seed.proof_raises(PROTECTION_CHANGED);
}

#[test]
fn a_shadow_search_path_does_not_change_what_the_probe_reads() {
    let pg = Cluster::start();
    pg.create_database("koomy");
    pg.create_database("koomy_prod");
    let u = pg.url("koomy", "sslmode=disable");
    stamp_new(&u, Environment::Sandbox);
    let sysid = pg_text(
        &pg,
        "koomy",
        "SELECT system_identifier FROM pg_catalog.pg_control_system()",
    );
    let oid = pg_text(
        &pg,
        "koomy",
        "SELECT oid FROM pg_catalog.pg_database WHERE datname = 'koomy'",
    );
    let other_oid = pg_text(
        &pg,
        "koomy",
        "SELECT oid FROM pg_catalog.pg_database WHERE datname = 'koomy_prod'",
    );
    // As a superuser: a schema whose objects answer like another database's catalog.
    pg.psql(
        "koomy",
        &format!(
            "CREATE SCHEMA shadow; GRANT USAGE ON SCHEMA shadow TO PUBLIC;
             CREATE FUNCTION shadow.current_database() RETURNS name LANGUAGE sql AS $$ SELECT 'koomy_prod'::name $$;
             CREATE FUNCTION shadow.pg_control_system(OUT pg_control_version integer, OUT catalog_version_no integer,
               OUT system_identifier bigint, OUT pg_control_last_modified timestamptz)
               LANGUAGE sql AS $$ SELECT 1300, 202209061, 42::bigint, now() $$;
             CREATE FUNCTION shadow.current_setting(text, boolean) RETURNS text LANGUAGE sql AS $$ SELECT 'br-prod-1' $$;
             CREATE FUNCTION shadow.current_setting(text) RETURNS text LANGUAGE sql AS $$ SELECT 'origin' $$;
             CREATE TABLE shadow.pg_database (oid oid, datname name);
             INSERT INTO shadow.pg_database VALUES ({other_oid}, 'koomy'), ({other_oid}, 'koomy_prod');
             CREATE TABLE shadow.pg_trigger (oid oid, tgrelid oid, tgname name, tgenabled \"char\", tgfoid oid, tgisinternal boolean);
             CREATE TABLE shadow.stamp (LIKE gardefou.stamp);
             INSERT INTO shadow.stamp SELECT * FROM gardefou.stamp;
             UPDATE shadow.stamp SET environment = 'production';
             CREATE FUNCTION shadow.text_eq(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
             CREATE OPERATOR shadow.= (LEFTARG = text, RIGHTARG = text, FUNCTION = shadow.text_eq);
             GRANT SELECT ON ALL TABLES IN SCHEMA shadow TO PUBLIC;
             ALTER ROLE koomy SET search_path = shadow, pg_catalog;"
        ),
    );
    // A naive session of the application role is fooled.
    assert_eq!(
        app_sql(
            &pg,
            "koomy",
            "SELECT current_database(), (SELECT system_identifier FROM pg_control_system()), \
             (SELECT oid FROM pg_database WHERE datname = current_database()), \
             current_setting('neon.branch_id', true), 'a' = 'b'"
        )
        .unwrap(),
        format!("koomy_prod|42|{other_oid}|br-prod-1|t")
    );
    assert_eq!(
        app_sql(&pg, "koomy", "SELECT environment FROM stamp").unwrap(),
        "production"
    );

    // The probe is not.
    let p = probe_at(&u);
    assert_eq!(p.identity.database, "koomy");
    assert_eq!(
        p.identity.system_identifier.as_deref(),
        Some(sysid.as_str())
    );
    assert_eq!(p.identity.database_oid, oid);
    assert_eq!(p.identity.neon, Default::default());
    assert!(p.identity.forged.is_empty(), "{:?}", p.identity.forged);
    let StampState::Present(s) = &p.stamp else {
        panic!("{:?}", p.stamp)
    };
    assert_eq!(s.environment, Environment::Sandbox);
    assert_eq!(s.binding, p.identity.binding());
    for purpose in [Purpose::Run, Purpose::Seed] {
        let f = koomy_verdict(Environment::Sandbox, &p, purpose);
        assert!(f.is_empty(), "{purpose:?}: {f:?}");
    }
    assert_eq!(
        ids(&koomy_verdict(Environment::Production, &p, Purpose::Run)),
        ["database-stamp-environment-mismatch"]
    );
    // Stamping again, under the same search_path, reads the same stamp.
    assert_eq!(do_stamp(&u, Environment::Sandbox).unwrap(), Action::Nothing);
    // The SQL proof fixes its own search_path.
    assert_proven(proof(&pg, "koomy", "sandbox", "seed"), "sandbox");
    asked(&pg, &u, Environment::Production, Purpose::Run)
        .proof_raises("is stamped sandbox, not production");
}

#[test]
fn a_least_privilege_role_needs_the_grants_and_then_proves() {
    let pg = Cluster::start();
    let u = stamped(&pg, Environment::Sandbox);
    let ro = "app_ro";
    let pw = pg.password();
    pg.psql(
        "postgres",
        &format!("CREATE ROLE {ro} LOGIN PASSWORD '{pw}'"),
    );
    let ro_url = role_url(&pg, ro, pw, "koomy");
    let p = probe_at(&ro_url);
    assert!(
        matches!(p.stamp, StampState::NotGranted(_)),
        "{:?}",
        p.stamp
    );
    let f = koomy_verdict(Environment::Sandbox, &p, Purpose::Run);
    assert_eq!(ids(&f), ["database-proof-not-granted"]);
    // USAGE on the schema is PUBLIC's (any role may add production's mark to lineage).
    for grant in [
        "GRANT SELECT ON gardefou.stamp TO <role>",
        "GRANT SELECT ON gardefou.lineage TO <role>",
        "GRANT EXECUTE ON FUNCTION gardefou.assert_environment(text, text) TO <role>",
    ] {
        assert!(f[0].fix.contains(grant), "{grant} not in {}", f[0].fix);
    }
    assert!(f[0].fix.contains("--grant <role>"), "{}", f[0].fix);
    assert_raises(
        proof_as(&pg, ro, pw, "koomy", "sandbox", "run"),
        "permission denied",
    );
    // The role cannot stamp either: it may not read what it would replace.
    assert_eq!(
        stamp_refusal(do_stamp(&ro_url, Environment::Sandbox)),
        "database-proof-not-granted"
    );

    let options = StampOptions {
        grant: Some(ro.into()),
        ..Default::default()
    };
    assert_eq!(
        do_stamp_with(&u, Environment::Sandbox, options).unwrap(),
        Action::Nothing
    );
    for purpose in [Purpose::Run, Purpose::Seed] {
        assert!(
            rules_of(&ro_url, Environment::Sandbox, purpose).is_empty(),
            "{purpose:?}"
        );
    }
    assert_proven(proof_as(&pg, ro, pw, "koomy", "sandbox", "run"), "sandbox");
    assert_raises(
        proof_as(&pg, ro, pw, "koomy", "local", "run"),
        "is stamped sandbox, not local",
    );
    // Read-only: the grants do not let it touch the stamp.
    assert!(sql_as(
        &pg,
        ro,
        pw,
        "koomy",
        "UPDATE gardefou.stamp SET environment = 'local'"
    )
    .unwrap_err()
    .contains("permission denied"));
}

/// A production database `koomy` with an application schema `koomy_api` (created by the
/// application role before the production stamp, one row), dumped with `pg_dump -Fc`,
/// restored by a superuser with `pg_restore --no-owner <args>` into an existing sandbox
/// database `koomy` of another cluster, which has the same schema and table (created
/// before its sandbox stamp) and no rows. Returns the sandbox cluster and its URL.
fn restore_production_dump(args: &[&str]) -> (Cluster, String) {
    restore_production_dump_with(&[], args)
}

/// [`restore_production_dump`], with `dump_args` given to `pg_dump` too.
fn restore_production_dump_with(dump_args: &[&str], args: &[&str]) -> (Cluster, String) {
    let prod = Cluster::start();
    production_koomy(&prod);
    let comment = prod.psql(
        "koomy",
        "SELECT obj_description('koomy_api'::regnamespace, 'pg_namespace')",
    );
    assert!(
        comment.contains("gardefou: production data"),
        "the production stamp marks the application schema: {comment}"
    );

    let sandbox = Cluster::start();
    let u = sandbox_db(&sandbox, "koomy");
    assert_proven(proof(&sandbox, "koomy", "sandbox", "seed"), "sandbox");

    let (_dir, dump) = dump_koomy(&prod, dump_args);
    drop(prod);
    let out = restore(&sandbox, "koomy", &dump, args);
    // The attack copied the data.
    assert_copied(&sandbox, "koomy", &out);
    (sandbox, u)
}

/// What every detected restore must lead to: the SQL proof raises for a sandbox seed, and
/// the database can never be stamped sandbox again.
#[track_caller]
fn assert_production_copy_is_refused(sandbox: &Cluster, u: &str) {
    assert!(proof(sandbox, "koomy", "sandbox", "seed").is_err());
    for replace in [None, Some(Environment::Sandbox)] {
        assert_eq!(
            stamp_refusal(do_stamp_replacing(u, Environment::Sandbox, replace)),
            "stamp-production-permanent",
            "replace {replace:?}"
        );
    }
}

#[test]
fn pg_restore_of_a_production_dump_into_a_stamped_sandbox() {
    let (sandbox, u) = restore_production_dump(&[]);
    asked(&sandbox, &u, Environment::Sandbox, Purpose::Seed)
        // The sandbox's row keeps its key.
        .stamp_reads("sandbox")
        .rules(&[
            // gardefou.lineage got production's row; koomy_api and public, its comments.
            "database-production-data",
            "database-production-data",
            "seed-production-marker",
            "seed-production-marker",
        ])
        .proof_raises("gardefou.lineage shows production data");
    assert_production_copy_is_refused(&sandbox, &u);
}

#[test]
fn pg_restore_clean_if_exists_of_a_production_dump_into_a_stamped_sandbox() {
    let (sandbox, u) = restore_production_dump(&["--clean", "--if-exists"]);
    let as_sandbox_seed = asked(&sandbox, &u, Environment::Sandbox, Purpose::Seed);
    // The sandbox's stamp was dropped and production's restored.
    as_sandbox_seed.stamp_reads("production");
    // --no-owner: the superuser who restored owns gardefou's objects now, and the dump's
    // REVOKE … FROM PUBLIC came with them, so the application role may not read the stamp.
    // The schema comments (catalog, readable by all) still show production's data mark.
    as_sandbox_seed
        .rules(&[
            "database-production-data",
            "database-proof-not-granted",
            "seed-production-marker",
        ])
        .proof_raises("permission denied for function assert_environment");
    // Production's marks are readable without the grants, and decide first.
    assert_eq!(
        stamp_refusal(do_stamp(&u, Environment::Sandbox)),
        "stamp-production-permanent"
    );
    // With the grants that finding asks for, the restored production stamp shows.
    sandbox.psql(
        "koomy",
        &gardefou_pgprobe::objects::grants(&gardefou_pgprobe::objects::quote_ident(
            Cluster::APP_USER,
        )),
    );
    as_sandbox_seed
        .rules(&PRODUCTION_COPY_AS_SANDBOX_SEED)
        .proof_raises("is stamped production, not sandbox");
    assert_production_copy_is_refused(&sandbox, &u);
}

#[test]
fn pg_restore_data_only_of_a_production_dump_into_a_stamped_sandbox() {
    let (sandbox, u) = restore_production_dump(&["--data-only"]);
    asked(&sandbox, &u, Environment::Sandbox, Purpose::Seed)
        .stamp_reads("sandbox")
        .rules(&["database-production-data", "seed-production-marker"])
        .proof_raises("gardefou.lineage shows production data");
    assert_production_copy_is_refused(&sandbox, &u);
}

#[test]
fn pg_restore_of_the_app_schema_only_of_a_production_dump_into_a_stamped_sandbox() {
    // `pg_restore -n koomy_api` restores the schema's tables, their data, constraints and
    // comments, but not the schema's own entries (CREATE SCHEMA, COMMENT ON SCHEMA):
    // entries without a namespace are filtered out. The tables' comments carry
    // production's data mark.
    let (sandbox, u) = restore_production_dump(&["-n", "koomy_api"]);
    asked(&sandbox, &u, Environment::Sandbox, Purpose::Seed)
        .rules(&["database-production-data", "seed-production-marker"])
        .proof_raises("carries production's mark");
    assert_production_copy_is_refused(&sandbox, &u);
}

#[test]
fn pg_dump_of_the_app_schema_only_restored_into_a_stamped_sandbox() {
    // Filtered when dumping, not when restoring: `pg_dump -n koomy_api` keeps the
    // schema's own entries, its comment (production's data mark) among them.
    let (sandbox, u) = restore_production_dump_with(&["-n", "koomy_api"], &[]);
    asked(&sandbox, &u, Environment::Sandbox, Purpose::Seed)
        .rules(&["database-production-data", "seed-production-marker"])
        .proof_raises("carries production's mark");
    assert_production_copy_is_refused(&sandbox, &u);
}

#[test]
fn pg_restore_data_only_of_the_app_schema_of_a_production_dump_is_not_detected() {
    // Rows of application tables alone carry no mark of production: neither
    // gardefou.lineage nor the schema's comment comes with them. docs/identity.md lists
    // this as what the stamp cannot detect; this test pins that outcome down.
    let (sandbox, u) = restore_production_dump(&["--data-only", "-n", "koomy_api"]);
    asked(&sandbox, &u, Environment::Sandbox, Purpose::Seed).proven();
    assert_eq!(do_stamp(&u, Environment::Sandbox).unwrap(), Action::Nothing);
}

#[test]
fn another_database_on_a_production_server_is_production() {
    let pg = Cluster::start();
    stamped(&pg, Environment::Production);
    pg.create_database("other");
    let other = pg.url("other", "sslmode=disable");
    for env in [Environment::Sandbox, Environment::Local] {
        assert_eq!(
            stamp_refusal(do_stamp(&other, env)),
            "stamp-production-permanent",
            "{env}"
        );
    }
    // The refusal wrote nothing.
    assert_eq!(
        pg_text(
            &pg,
            "other",
            "SELECT count(*) FROM pg_namespace WHERE nspname = 'gardefou'"
        ),
        "0"
    );
    assert_eq!(
        rules_of(&other, Environment::Sandbox, Purpose::Run),
        ["database-production-server", "database-stamp-missing"]
    );
    assert_eq!(
        rules_of(&other, Environment::Sandbox, Purpose::Seed),
        [
            "database-production-server",
            "database-stamp-missing",
            "seed-production-marker"
        ]
    );
}

#[test]
fn a_pool_refuses_a_new_connection_a_forwarder_sends_to_production() {
    let sandbox = Cluster::start();
    let prod = Cluster::start();
    let sandbox_url = stamped(&sandbox, Environment::Sandbox);
    stamped(&prod, Environment::Production);
    // The same database name and credentials on both servers.
    same_app_password(&prod, &sandbox);
    let sandbox_sysid = pg_text(
        &sandbox,
        "koomy",
        "SELECT system_identifier FROM pg_control_system()",
    );
    let fwd = Forwarder::switching(sandbox.port(), 1, prod.port());
    let policy = Policy::from_toml(
        &format!(
            "[database.production]\nhosts = [\"127.0.0.1:{}\"]\n[database.sandbox]\nhosts = [\"127.0.0.1:{}\", \"127.0.0.1:{}\"]\n",
            prod.port(),
            sandbox.port(),
            fwd.port()
        ),
        "gardefou.toml",
    )
    .unwrap();
    let target = format!("127.0.0.1:{}", fwd.port());
    let pool = ProvenPool::new(
        url(&sandbox.url_at("127.0.0.1", fwd.port(), "koomy", "sslmode=disable")),
        policy.clone(),
        Environment::Sandbox,
        Purpose::Run,
        target.clone(),
        2,
    );
    rt().block_on(async {
        let first = pool.get().await.expect("the sandbox is proven");
        assert_eq!(pool.health(), Health::Proven);
        // Pool growth: the forwarder sends the second connection to production.
        let report = match pool.get().await {
            Err(PoolError::Refused(report)) => report,
            Err(e) => panic!("the second connection failed otherwise: {e}"),
            Ok(_) => panic!("the forwarder's second connection, to production, was handed out"),
        };
        let expected = [
            "database-production-server",
            "database-production-data",
            "database-production-data",
            "database-stamp-environment-mismatch",
        ];
        assert_eq!(ids(&report.findings), expected);
        let Health::Refused(f) = pool.health() else {
            panic!("{:?}", pool.health())
        };
        assert_eq!(ids(&f), expected);
        assert_eq!(fwd.connections(), 2);

        // The first connection still reaches the sandbox and proves it in a transaction.
        first.batch_execute("BEGIN").await.unwrap();
        let proven = gardefou_pgprobe::prove_in_transaction(
            &*first,
            &policy,
            Environment::Sandbox,
            Purpose::Run,
            &target,
        )
        .await;
        assert!(
            proven.as_ref().is_ok_and(|r| r.findings.is_empty()),
            "{proven:?}"
        );
        let row = first
            .query_one(
                "SELECT (SELECT system_identifier FROM pg_catalog.pg_control_system())::text",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(row.get::<_, String>(0), sandbox_sysid);
        first.batch_execute("COMMIT").await.unwrap();
        // Given back after the pool refused a proof, it is not reused: the next connection
        // is new, reaches production through the forwarder, and is refused in turn.
        drop(first);
        assert!(matches!(pool.get().await, Err(PoolError::Refused(_))));
        assert_eq!(fwd.connections(), 3);
    });
    // Straight to the sandbox, the stamp is the sandbox's.
    assert!(rules_of(&sandbox_url, Environment::Sandbox, Purpose::Run).is_empty());
}
