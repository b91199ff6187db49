//! Asks the live PostgreSQL server what it is, and binds an environment to it.
//!
//! A URL says where a client will connect; only the server can say what answers there
//! (docs/threats.md T12, T13, T15). This crate connects with the URL that passed
//! `gardefou-pgurl`'s grammar and reads the database's **identity**: what a client cannot
//! forge and a copy does not keep —
//!
//! - the cluster's system identifier (`pg_control_system()`), new for every `initdb`;
//! - the database OID, new for every `CREATE DATABASE` (a dump restored elsewhere gets
//!   another one, and most often another cluster too);
//! - on Neon, `neon.project_id`, `neon.branch_id` and `neon.timeline_id` (a branch, a reset
//!   or a restore gets new ones) and `neon.endpoint_id`, trusted only when the server's
//!   configuration set them (see [`Identity::forged`]).
//!
//! The **stamp** ([`stamp`]) is one row in `gardefou.stamp` that names the environment and
//! records that identity. A copy keeps the row but not the identity, so it no longer
//! matches. [`verify`] turns a probe into findings for `run`/`check --probe` and `seed`.
//!
//! Connections follow `sslmode` as libpq does, with rustls (see the `tls` module's
//! documentation in `docs/identity.md`); the whole probe — TCP, TLS, authentication and
//! queries — is bounded by one timeout, so a silent server is refused, never waited on.
#![warn(missing_docs)]

mod identity;
pub mod objects;
pub mod pool;
pub mod rules;
pub mod session;
pub mod stamp;
mod tls;
pub mod verify;

use std::time::Duration;

use gardefou_pgurl::{ChannelBinding, ConnUrl, Host, Param, SslMode};

pub use identity::{Catalog, CheapIdentity, ForgedSetting, Identity, NeonIds, NEON_SETTINGS};
pub use pool::{prove_in_transaction, Health, PoolError, ProvenClient, ProvenPool};
pub use session::{QueryFailure, Row, Session};
pub use stamp::{Binding, Stamp, StampState};

/// Why the server could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The URL asks for something the probe cannot do (an unreadable `sslrootcert`, no
    /// user name).
    #[error("{0}")]
    Config(String),
    /// Connecting, TLS or authentication failed.
    #[error("cannot connect: {0}")]
    Connect(String),
    /// The server did not answer in time.
    #[error("no answer within {} ms", .0.as_millis())]
    Timeout(Duration),
    /// A query failed.
    #[error("the server refused a query: {0}")]
    Query(String),
}

/// What the server said: its identity, gardefou's objects as the catalog shows them, the
/// stamp and production's marks.
#[derive(Clone, Debug)]
pub struct Probe {
    /// The live identity.
    pub identity: Identity,
    /// The gardefou objects, this role's grants on them, production's marks and pins.
    pub catalog: Catalog,
    /// The stamp, if any.
    pub stamp: StampState,
    /// How many rows `gardefou.lineage` holds (production's mark on its data, written by a
    /// production stamp and carried by a restore); `None` when it cannot be read.
    pub lineage_rows: Option<u64>,
}

/// The probe's time limit for this URL: the policy's, or the URL's `connect_timeout` when
/// that is shorter (libpq reads values under 2 seconds as 2).
pub fn timeout_for(url: &ConnUrl, policy_ms: u64) -> Duration {
    let policy = Duration::from_millis(policy_ms);
    match url
        .param(Param::ConnectTimeout)
        .and_then(|s| s.parse::<u64>().ok())
    {
        Some(secs) if secs > 0 => policy.min(Duration::from_secs(secs.max(2))),
        _ => policy,
    }
}

/// Connects to the server of `url` and reads its identity and stamp, within `timeout`.
/// Builds a single-threaded runtime for the call.
pub fn probe(url: &ConnUrl, timeout: Duration) -> Result<Probe, ProbeError> {
    block_on(
        async {
            let client = connect(url).await?;
            read(&client).await
        },
        timeout,
    )
}

/// Reads identity, catalog and stamp on an open connection that is not inside a
/// transaction block. Name resolution is fixed for the read (`SET LOCAL search_path` in
/// the read's own implicit transaction): the session's settings are left as they were.
pub async fn read(client: &impl Session) -> Result<Probe, ProbeError> {
    read_with(client, Wrap::Implicit).await
}

/// [`read`] on a connection inside an open transaction block (a seed's write
/// transaction): the read runs in a savepoint rolled back afterwards, so the transaction's
/// settings and state are left as they were.
pub async fn read_in_transaction(client: &impl Session) -> Result<Probe, ProbeError> {
    read_with(client, Wrap::Savepoint).await
}

#[derive(Clone, Copy)]
enum Wrap {
    Implicit,
    Savepoint,
}

impl Wrap {
    fn around(self, body: &str) -> String {
        match self {
            Wrap::Implicit => format!("{}; {body}", identity::FIX_SEARCH_PATH),
            Wrap::Savepoint => format!(
                "SAVEPOINT gardefou_proof; {}; {body}; ROLLBACK TO SAVEPOINT gardefou_proof; RELEASE SAVEPOINT gardefou_proof",
                identity::FIX_SEARCH_PATH
            ),
        }
    }

    /// After a failed statement: the implicit transaction is gone; a savepoint must be
    /// rolled back for the enclosing transaction to go on.
    async fn recover(self, client: &impl Session) -> Result<(), ProbeError> {
        if let Wrap::Savepoint = self {
            client
                .simple_query(
                    "ROLLBACK TO SAVEPOINT gardefou_proof; RELEASE SAVEPOINT gardefou_proof",
                )
                .await
                .map_err(|e| ProbeError::Query(e.message))?;
        }
        Ok(())
    }
}

async fn read_with(client: &impl Session, wrap: Wrap) -> Result<Probe, ProbeError> {
    static IDENTITY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static BOTH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let ident = IDENTITY.get_or_init(identity::sql);
    // One round trip where everything is in place: identity, then stamp and lineage.
    let both = BOTH.get_or_init(|| format!("{ident}; {}", stamp::sql(true)));
    match client.simple_query(&wrap.around(both)).await {
        Ok(all) => {
            let Some((first, rest)) = all.split_first() else {
                return Err(ProbeError::Query(
                    "the identity query returned no row".into(),
                ));
            };
            let (identity, catalog) = identity::from_row(first);
            let (stamp, lineage_rows) = match stamp::precheck(&catalog) {
                Some(state) => (state, None),
                None => stamp::from_rows(rest, &catalog),
            };
            return Ok(Probe {
                identity,
                catalog,
                stamp,
                lineage_rows,
            });
        }
        Err(e) if e.from_server => wrap.recover(client).await?,
        Err(e) => return Err(ProbeError::Query(e.message)),
    }
    // Something is missing or not granted: the identity alone, then what can be read.
    let all = client
        .simple_query(&wrap.around(ident))
        .await
        .map_err(|e| ProbeError::Query(e.message))?;
    let first = all
        .first()
        .ok_or_else(|| ProbeError::Query("the identity query returned no row".into()))?;
    let (identity, catalog) = identity::from_row(first);
    let (stamp, lineage_rows) = match stamp::precheck(&catalog) {
        Some(state) => (state, None),
        None => {
            let sql = stamp::sql(catalog.lineage && catalog.lineage_select);
            match client.simple_query(&wrap.around(&sql)).await {
                Ok(rows) => stamp::from_rows(&rows, &catalog),
                Err(e) if e.from_server => {
                    wrap.recover(client).await?;
                    (
                        StampState::Invalid({
                            let e = &e.message;
                            gardefou_findings::tr!(
                                "gardefou.stamp cannot be read as gardefou wrote it: {e}",
                                "gardefou.stamp ne peut pas être lu tel que gardefou l'a écrit : {e}"
                            )
                        }),
                        None,
                    )
                }
                Err(e) => return Err(ProbeError::Query(e.message)),
            }
        }
    };
    Ok(Probe {
        identity,
        catalog,
        stamp,
        lineage_rows,
    })
}

/// Runs `fut` on a fresh current-thread runtime, bounded by `timeout`.
pub fn block_on<T>(
    fut: impl std::future::Future<Output = Result<T, ProbeError>>,
    timeout: Duration,
) -> Result<T, ProbeError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| ProbeError::Config(format!("cannot start the async runtime: {e}")))?;
    let result = rt.block_on(async {
        match tokio::time::timeout(timeout, fut).await {
            Ok(r) => r,
            Err(_) => Err(ProbeError::Timeout(timeout)),
        }
    });
    // Dropping a runtime waits for its blocking threads; a `getaddrinfo` stuck on a silent
    // nameserver would hold the refusal for the resolver's own timeout. Leave it behind.
    rt.shutdown_background();
    result
}

/// The tokio-postgres configuration for a URL that passed the grammar. tokio-postgres' own
/// parser is not used: it reads URLs differently and refuses `sslmode=verify-full`.
pub fn config(url: &ConnUrl) -> Result<tokio_postgres::Config, ProbeError> {
    use tokio_postgres::config::{ChannelBinding as Cb, SslMode as Tm};
    let mut c = tokio_postgres::Config::new();
    match url.host() {
        Host::Unix(dir) => {
            c.host_path(dir);
        }
        other => {
            // IPv6 without brackets; names as normalised by the grammar (SNI for Neon).
            let name = match other {
                Host::Ip(ip) => ip.to_string(),
                h => h.to_string(),
            };
            c.host(&name);
        }
    }
    c.port(url.port());
    c.dbname(url.dbname());
    let user = url.user().ok_or_else(|| {
        ProbeError::Config(
            "DATABASE_URL names no user; libpq would take PGUSER or the OS user, the probe does not guess"
                .into(),
        )
    })?;
    c.user(user);
    if let Some(p) = url.password() {
        c.password(p.expose());
    }
    c.application_name(url.param(Param::ApplicationName).unwrap_or("gardefou"));
    // libpq never uses TLS over a Unix socket.
    let unix = matches!(url.host(), Host::Unix(_));
    c.ssl_mode(match url.sslmode() {
        _ if unix => Tm::Disable,
        Some(SslMode::Disable) => Tm::Disable,
        Some(SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull | SslMode::NoVerify) => {
            Tm::Require
        }
        // node-postgres and postgres.js read `ssl=true` as TLS required.
        None if matches!(url.param(Param::Ssl), Some("true" | "1")) => Tm::Require,
        Some(SslMode::Allow | SslMode::Prefer) | None => Tm::Prefer,
    });
    c.channel_binding(match url.channel_binding() {
        Some(ChannelBinding::Disable) => Cb::Disable,
        Some(ChannelBinding::Require) => Cb::Require,
        Some(ChannelBinding::Prefer) | None => Cb::Prefer,
    });
    Ok(c)
}

/// Opens a connection (TLS per `sslmode`) and drives it on the current runtime. The
/// caller bounds the time (see [`block_on`]).
pub async fn connect(url: &ConnUrl) -> Result<tokio_postgres::Client, ProbeError> {
    let config = config(url)?;
    let tls = tls::MakeRustls(std::sync::Arc::new(tls::client_config(url)?));
    let (client, connection) = config
        .connect(tls)
        .await
        .map_err(|e| ProbeError::Connect(describe(&e, url)))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// A tokio-postgres error with its causes, and never the password.
pub(crate) fn describe(e: &tokio_postgres::Error, url: &ConnUrl) -> String {
    let mut text = match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => {
            let mut s = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                let c = cause.to_string();
                if !s.contains(&c) {
                    s.push_str(": ");
                    s.push_str(&c);
                }
                source = cause.source();
            }
            s
        }
    };
    if let Some(p) = url.password() {
        if !p.expose().is_empty() {
            text = text.replace(p.expose(), "****");
        }
    }
    // The server quotes the role it refused (`… for user "koomy"`): never the user either.
    if let Some(user) = url.user().filter(|u| !u.is_empty()) {
        text = text.replace(&format!("\"{user}\""), "(the URL's user)");
    }
    text
}
