//! The live identity: one query, text results.

use serde::Serialize;
use tokio_postgres::{Client, SimpleQueryMessage, SimpleQueryRow};

use crate::ProbeError;

/// The Neon settings read as identity, in [`NeonIds`] order.
pub const NEON_SETTINGS: [&str; 5] = [
    "neon.project_id",
    "neon.branch_id",
    "neon.timeline_id",
    "neon.tenant_id",
    "neon.endpoint_id",
];

/// `pg_settings.source` values that only the server's own configuration produces.
/// Everything else (`client`, `session`, `database`, `user`, `database user`, `global`,
/// `interactive`, …) can be set by a client or travels with a database.
const TRUSTED_SOURCES: [&str; 4] = [
    "default",
    "configuration file",
    "command line",
    "environment variable",
];

/// Neon's ids, as the compute's configuration sets them. Empty values are `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NeonIds {
    /// `neon.project_id`
    pub project_id: Option<String>,
    /// `neon.branch_id`
    pub branch_id: Option<String>,
    /// `neon.timeline_id`: changes when the branch is reset or restored.
    pub timeline_id: Option<String>,
    /// `neon.tenant_id`
    pub tenant_id: Option<String>,
    /// `neon.endpoint_id`: the compute, `ep-…` (the pooler is the same endpoint).
    pub endpoint_id: Option<String>,
}

impl NeonIds {
    /// Whether the server is a Neon compute (it names its branch or endpoint).
    pub fn is_neon(&self) -> bool {
        self.branch_id.is_some() || self.endpoint_id.is_some() || self.timeline_id.is_some()
    }
}

/// An identity setting that did not come from the server's configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ForgedSetting {
    /// The setting, e.g. `neon.branch_id`.
    pub name: String,
    /// Where it came from: a `pg_settings.source`, or `ALTER DATABASE/ROLE … SET`.
    pub source: String,
}

/// What the server says it is. Holds no URL, user or password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// `current_database()`
    pub database: String,
    /// The database's OID in `pg_database`.
    pub database_oid: String,
    /// `pg_control_system().system_identifier`, in decimal; `None` when the role may not
    /// read it.
    pub system_identifier: Option<String>,
    /// `server_version`
    pub server_version: String,
    /// `inet_server_addr()`; `None` over a Unix socket.
    pub server_address: Option<String>,
    /// `inet_server_port()`; `None` over a Unix socket.
    pub server_port: Option<String>,
    /// Neon's ids, trusted ones only.
    pub neon: NeonIds,
    /// Identity settings that a client, a session or the database itself set: never
    /// trusted, always refused.
    pub forged: Vec<ForgedSetting>,
}

fn sql() -> String {
    let mut cols = vec![
        "current_database()".to_owned(),
        "(SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())::text".into(),
        "current_setting('server_version')".into(),
        "host(inet_server_addr())".into(),
        "inet_server_port()::text".into(),
        "(to_regclass('gardefou.stamp') IS NOT NULL)::text".into(),
        "CASE WHEN has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE') THEN (SELECT system_identifier FROM pg_catalog.pg_control_system())::text END".into(),
        // Settings that `ALTER DATABASE … SET` / `ALTER ROLE … SET` give this session.
        "(SELECT string_agg(split_part(c, '=', 1), ',') FROM pg_catalog.pg_db_role_setting s, unnest(s.setconfig) c \
          WHERE s.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())) \
          AND s.setrole IN (0, (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = session_user)))".into(),
    ];
    for name in NEON_SETTINGS {
        cols.push(format!("current_setting('{name}', true)"));
        cols.push(format!(
            "(SELECT source FROM pg_catalog.pg_settings WHERE name = '{name}')"
        ));
    }
    format!("SELECT {}", cols.join(", "))
}

/// Reads the identity and whether `gardefou.stamp` exists.
pub(crate) async fn read(client: &Client) -> Result<(Identity, bool), ProbeError> {
    let row = one_row(client, &sql()).await?;
    let get = |i: usize| row.get(i).filter(|s| !s.is_empty()).map(str::to_owned);
    let db_role: Vec<String> = get(7)
        .map(|s| s.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    let mut forged = Vec::new();
    let mut values = Vec::new();
    for (k, name) in NEON_SETTINGS.iter().enumerate() {
        let value = get(8 + 2 * k);
        let source = get(9 + 2 * k);
        let mut trusted = true;
        if let Some(src) = &source {
            if !TRUSTED_SOURCES.contains(&src.as_str()) {
                forged.push(ForgedSetting {
                    name: (*name).into(),
                    source: src.clone(),
                });
                trusted = false;
            }
        }
        if db_role.iter().any(|n| n == name) {
            forged.push(ForgedSetting {
                name: (*name).into(),
                source: "ALTER DATABASE/ROLE … SET".into(),
            });
            trusted = false;
        }
        values.push(if trusted { value } else { None });
    }
    let mut values = values.into_iter();
    let mut next = || values.next().flatten();
    let neon = NeonIds {
        project_id: next(),
        branch_id: next(),
        timeline_id: next(),
        tenant_id: next(),
        endpoint_id: next(),
    };
    let identity = Identity {
        database: get(0).unwrap_or_default(),
        database_oid: get(1).unwrap_or_default(),
        server_version: get(2).unwrap_or_default(),
        server_address: get(3),
        server_port: get(4),
        system_identifier: get(6),
        neon,
        forged,
    };
    Ok((identity, get(5).as_deref() == Some("true")))
}

/// The single row of a simple query.
pub(crate) async fn one_row(client: &Client, sql: &str) -> Result<SimpleQueryRow, ProbeError> {
    let messages = client
        .simple_query(sql)
        .await
        .map_err(|e| ProbeError::Query(query_error(&e)))?;
    messages
        .into_iter()
        .find_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(r),
            _ => None,
        })
        .ok_or_else(|| ProbeError::Query("the identity query returned no row".into()))
}

pub(crate) fn query_error(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => e.to_string(),
    }
}
