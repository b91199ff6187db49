//! The application's database connection.
//!
//! INTERIM until `gardefou-pgprobe` lands: a plain connection to the loopback server the
//! guard approved. TODO(issue 3): connect through gardefou-pgprobe (TLS per sslmode).

use std::time::Duration;

use anyhow::{bail, Context, Result};
use gardefou_pgurl::{ConnUrl, Host};
use tokio_postgres::Client;

/// Connects to the database the guard approved; the connection runs on its own task.
pub async fn connect(url: &ConnUrl) -> Result<Client> {
    let Host::Ip(ip) = url.host() else {
        bail!("this build connects to loopback IP databases only (gardefou-pgprobe pending)");
    };
    let mut config = tokio_postgres::Config::new();
    config
        .host(ip.to_string())
        .port(url.port())
        .dbname(url.dbname())
        .application_name("koomy-api")
        .connect_timeout(Duration::from_secs(5));
    if let Some(user) = url.user() {
        config.user(user);
    }
    if let Some(p) = url.password() {
        config.password(p.expose());
    }
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .context("cannot connect to the database")?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::error!(error = %e, "database connection lost");
        }
    });
    Ok(client)
}
