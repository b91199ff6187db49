//! INTERIM adapter to the live identity probe.
//!
//! TODO(issue 3): replace the body of [`identify`] with `gardefou-pgprobe`'s verification
//! (stamp, system identifier, Neon ids, TLS per sslmode) as soon as it lands on `main`.
//! Until then this connects without TLS to loopback servers only, reads the public facts
//! and checks no stamp.

use std::time::Duration;

use gardefou_findings::Finding;
use gardefou_pgurl::{ConnUrl, Host};
use gardefou_policy::{Environment, Policy};

use crate::config::{LiveIdentity, NeonIds};

/// Asks the server what it is; refuses with findings when it cannot be asked.
pub(crate) async fn identify(
    _policy: &Policy,
    environment: Environment,
    url: &ConnUrl,
) -> Result<LiveIdentity, Vec<Finding>> {
    let unreachable = |why: String| {
        vec![Finding::error(
            "database-unreachable",
            "5.1",
            format!("cannot ask the database what it is: {why}"),
            "check that the database is up and that DATABASE_URL reaches it",
        )]
    };
    let Host::Ip(ip) = url.host() else {
        return Err(unreachable("interim probe: loopback IP only".into()));
    };
    let mut config = tokio_postgres::Config::new();
    config
        .host(ip.to_string())
        .port(url.port())
        .dbname(url.dbname())
        .connect_timeout(Duration::from_secs(5));
    if let Some(user) = url.user() {
        config.user(user);
    }
    if let Some(p) = url.password() {
        config.password(p.expose());
    }
    let connect = config.connect(tokio_postgres::NoTls);
    let (client, conn) = tokio::time::timeout(Duration::from_secs(5), connect)
        .await
        .map_err(|_| unreachable("no answer within 5 s".into()))?
        .map_err(|e| unreachable(e.to_string()))?;
    let task = tokio::spawn(conn);
    let row = client
        .query_one(
            "select current_database(), current_setting('server_version'), \
             (select system_identifier::text from pg_control_system()), \
             (select oid::int8 from pg_database where datname = current_database()), \
             current_setting('neon.endpoint_id', true), current_setting('neon.branch_id', true), \
             current_setting('neon.project_id', true)",
            &[],
        )
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    drop(client);
    let _ = task.await;
    let id = |s: Option<String>| s.filter(|s| !s.is_empty());
    Ok(LiveIdentity {
        environment: environment.as_str().to_owned(),
        database: row.get(0),
        host: ip.to_string(),
        port: url.port(),
        server_version: row.get(1),
        system_identifier: row.get(2),
        database_oid: u32::try_from(row.get::<_, i64>(3)).unwrap_or(0),
        stamp: None,
        neon: NeonIds {
            endpoint_id: id(row.get(4)),
            branch_id: id(row.get(5)),
            project_id: id(row.get(6)),
        },
    })
}
