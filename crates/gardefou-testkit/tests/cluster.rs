//! The helper itself: a cluster starts, answers, and is removed on drop.

use gardefou_testkit::Cluster;

#[test]
fn a_cluster_starts_answers_and_is_removed() {
    let pg = Cluster::builder()
        .setting("neon.branch_id", "br-test-1")
        .start();
    pg.create_database("koomy");
    assert_eq!(pg.psql("koomy", "select 1").trim(), "1");
    assert_eq!(
        pg.psql("koomy", "select current_setting('neon.branch_id', true)")
            .trim(),
        "br-test-1"
    );
    // The application role has a password over TCP and can read the system identifier.
    let out = pg
        .client_cmd("psql")
        .env("PGHOST", "127.0.0.1")
        .env("PGUSER", Cluster::APP_USER)
        .env("PGPASSWORD", pg.password())
        .args(["-X", "-A", "-t", "-d", "koomy", "-c"])
        .arg("select system_identifier > 0, current_user from pg_control_system()")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "t|koomy",
        "{out:?}"
    );
    let dir = pg.data_dir();
    assert!(dir.join("PG_VERSION").exists());
    drop(pg);
    assert!(!dir.exists(), "the cluster's directory is removed");
}

#[test]
fn two_clusters_have_different_system_identifiers() {
    let a = Cluster::start();
    let b = Cluster::builder().tls().start();
    let q = "select system_identifier from pg_control_system()";
    assert_ne!(a.psql("postgres", q), b.psql("postgres", q));
    assert!(b.ca_cert().unwrap().exists());
    assert_eq!(b.psql("postgres", "show ssl").trim(), "on");
}
