//! The live identity: one query, text results.

use serde::Serialize;

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
    /// The server instance (see `INSTANCE_PARTS`): what a pool's later connections compare
    /// cheaply with the fully proven one.
    #[serde(skip)]
    pub catalog_path: Option<String>,
}

/// The gardefou objects as the catalog shows them to this session: whether they exist,
/// whether this role may use them, and whether they are the ones gardefou wrote. Read by
/// the identity query from catalogs every role can read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    /// The `gardefou` schema exists.
    pub schema: bool,
    /// This role has `USAGE` on it.
    pub schema_usage: bool,
    /// `gardefou.stamp`'s `relkind`, when it exists.
    pub stamp_kind: Option<String>,
    /// This role may `SELECT` from `gardefou.stamp`.
    pub stamp_select: bool,
    /// `gardefou.lineage` exists.
    pub lineage: bool,
    /// This role may `SELECT` from `gardefou.lineage`.
    pub lineage_select: bool,
    /// Every trigger on a table of the schema: `tgenabled` then `pg_get_triggerdef`, by name.
    pub triggers: Vec<String>,
    /// Tables of the schema with row security or rules, and relations that are not tables.
    pub altered_relations: Vec<String>,
    /// `gardefou.protect_stamp()`'s fingerprint (see `objects::function_fingerprint`).
    pub protect_fn: Option<String>,
    /// `gardefou.assert_environment(text, text)`'s fingerprint.
    pub assert_fn: Option<String>,
    /// This role may execute `gardefou.assert_environment`.
    pub assert_execute: bool,
    /// Schemas and tables whose comment carries production's data mark (`schema s`,
    /// `table s.t`).
    pub data_marks: Vec<String>,
    /// Databases of this server whose comment carries production's server pin.
    pub pinned_databases: Vec<String>,
    /// This database's own comment, when it carries a pin.
    pub own_pin: Option<String>,
    /// `session_replication_role` (`origin` unless a superuser changed it).
    pub replication_role: String,
    /// The gardefou tables' definitions (see `objects::shapes_sql`).
    pub shapes: Option<String>,
    /// Ways this database reaches other servers: foreign servers, `postgres_fdw`, `dblink`.
    pub foreign_access: Vec<String>,
}

/// What tells one running server and database from another, cheaply: the file of
/// `pg_class` (`base/<database OID>/<file>`) and when the postmaster started (as seconds
/// since the epoch: a `numeric`, whose text does not follow the session's `TimeZone` or
/// `DateStyle`). A physical copy (`pg_basebackup`, a snapshot) keeps the system identifier
/// and the OIDs, not its start time; a restart only costs one full proof.
const INSTANCE_PARTS: [&str; 2] = [
    "pg_catalog.pg_relation_filepath('1259')",
    "EXTRACT(epoch FROM pg_catalog.pg_postmaster_start_time())",
];

/// [`INSTANCE_PARTS`] as one value of the full identity query.
fn server_instance() -> String {
    format!("pg_catalog.concat_ws('|', {})", INSTANCE_PARTS.join(", "))
}

/// Fixes the name resolution of the statements that follow in the same implicit
/// transaction: catalog functions, operators and types cannot be shadowed by a schema
/// earlier in a role's `search_path`, nor by temporary objects.
pub(crate) const FIX_SEARCH_PATH: &str = "SET LOCAL search_path TO pg_catalog, pg_temp";

/// The identity query. Every function and relation is schema-qualified, and it runs after
/// [`FIX_SEARCH_PATH`].
pub(crate) fn sql() -> String {
    let mut cols = vec![
        "pg_catalog.current_database()".to_owned(),
        "(SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())::pg_catalog.text".into(),
        "pg_catalog.current_setting('server_version')".into(),
        "pg_catalog.host(pg_catalog.inet_server_addr())".into(),
        "pg_catalog.inet_server_port()::pg_catalog.text".into(),
        "pg_catalog.current_setting('session_replication_role')".into(),
        "CASE WHEN pg_catalog.has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE') THEN (SELECT c.system_identifier FROM pg_catalog.pg_control_system() c)::pg_catalog.text END".into(),
        // Settings that `ALTER DATABASE … SET` / `ALTER ROLE … SET` give this session.
        "(SELECT pg_catalog.string_agg(pg_catalog.split_part(c, '=', 1), ',') FROM pg_catalog.pg_db_role_setting s, pg_catalog.unnest(s.setconfig) c \
          WHERE s.setdatabase IN (0, (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())) \
          AND s.setrole IN (0, (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = pg_catalog.\"session_user\"())))".into(),
    ];
    for name in NEON_SETTINGS {
        cols.push(format!("pg_catalog.current_setting('{name}', true)"));
        cols.push(format!(
            "(SELECT s.source FROM pg_catalog.pg_settings s WHERE s.name = '{name}')"
        ));
    }
    let fingerprint = |name: &str, args: &str| {
        format!(
            "(SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(p.prosrc, 'UTF8')), 'hex') \
               || '|' || CASE WHEN p.prosecdef THEN 't' ELSE 'f' END \
               || '|' || COALESCE(pg_catalog.array_to_string(p.proconfig, ','), '') \
               || '|' || l.lanname \
             FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang \
             WHERE p.pronamespace = g.oid AND p.proname = '{name}' AND p.proargtypes::pg_catalog.text = '{args}')"
        )
    };
    cols.extend([
        "(g.oid IS NOT NULL)::pg_catalog.text".to_owned(),
        "pg_catalog.has_schema_privilege(g.oid, 'USAGE')::pg_catalog.text".into(),
        "st.relkind::pg_catalog.text".into(),
        "pg_catalog.has_table_privilege(st.oid, 'SELECT')::pg_catalog.text".into(),
        "(li.oid IS NOT NULL)::pg_catalog.text".into(),
        "pg_catalog.has_table_privilege(li.oid, 'SELECT')::pg_catalog.text".into(),
        "(SELECT pg_catalog.string_agg(t.tgenabled::pg_catalog.text || ' ' || pg_catalog.pg_get_triggerdef(t.oid), E'\\n' ORDER BY t.tgname) \
           FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid \
           WHERE c.relnamespace = g.oid AND NOT t.tgisinternal)".into(),
        "(SELECT pg_catalog.string_agg(c.relname::pg_catalog.text, ',' ORDER BY c.relname) FROM pg_catalog.pg_class c \
           WHERE c.relnamespace = g.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
           AND (c.relkind <> 'r' OR c.relrowsecurity OR c.relhasrules))".into(),
        fingerprint("protect_stamp", ""),
        fingerprint("assert_environment", "25 25"),
        "(SELECT pg_catalog.has_function_privilege(p.oid, 'EXECUTE') FROM pg_catalog.pg_proc p \
           WHERE p.pronamespace = g.oid AND p.proname = 'assert_environment' AND p.proargtypes::pg_catalog.text = '25 25')::pg_catalog.text".into(),
        format!(
            "(SELECT pg_catalog.string_agg(m.name, ',' ORDER BY m.name) FROM ( \
               SELECT 'schema ' || n.nspname::pg_catalog.text AS name FROM pg_catalog.pg_description d \
                 JOIN pg_catalog.pg_namespace n ON n.oid = d.objoid \
                 WHERE d.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND d.objsubid = 0 \
                 AND pg_catalog.strpos(d.description, '{mark}') > 0 \
               UNION ALL \
               SELECT 'table ' || n.nspname::pg_catalog.text || '.' || c.relname::pg_catalog.text FROM pg_catalog.pg_description d \
                 JOIN pg_catalog.pg_class c ON c.oid = d.objoid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 WHERE d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = 0 \
                 AND pg_catalog.strpos(d.description, '{mark}') > 0) m)",
            mark = crate::objects::DATA_MARK
        ),
        format!(
            "(SELECT pg_catalog.string_agg(db.datname::pg_catalog.text, ',' ORDER BY db.datname) FROM pg_catalog.pg_shdescription d \
               JOIN pg_catalog.pg_database db ON db.oid = d.objoid \
               WHERE d.classoid = 'pg_catalog.pg_database'::pg_catalog.regclass \
               AND pg_catalog.strpos(d.description, '{pin}') > 0)",
            pin = crate::objects::PIN_MARK
        ),
        format!(
            "(SELECT d.description FROM pg_catalog.pg_shdescription d \
               WHERE d.classoid = 'pg_catalog.pg_database'::pg_catalog.regclass \
               AND d.objoid = (SELECT x.oid FROM pg_catalog.pg_database x WHERE x.datname = pg_catalog.current_database()) \
               AND pg_catalog.strpos(d.description, '{pin}') > 0)",
            pin = crate::objects::PIN_MARK
        ),
        server_instance(),
        format!("({})", crate::objects::shapes_sql("g.oid")),
        "(SELECT pg_catalog.string_agg(x.what, ',' ORDER BY x.what) FROM ( \
           SELECT 'foreign server ' || s.srvname::pg_catalog.text AS what FROM pg_catalog.pg_foreign_server s \
           UNION ALL SELECT 'extension ' || e.extname::pg_catalog.text FROM pg_catalog.pg_extension e \
             WHERE e.extname IN ('postgres_fdw', 'dblink')) x)".into(),
    ]);
    format!(
        "SELECT {} FROM (SELECT 1) one \
         LEFT JOIN pg_catalog.pg_namespace g ON g.nspname = 'gardefou' \
         LEFT JOIN pg_catalog.pg_class st ON st.relnamespace = g.oid AND st.relname = 'stamp' \
         LEFT JOIN pg_catalog.pg_class li ON li.relnamespace = g.oid AND li.relname = 'lineage'",
        cols.join(", ")
    )
}

/// Reads the identity and the catalog from the identity query's row.
pub(crate) fn from_row(row: &[Option<String>]) -> (Identity, Catalog) {
    let get = |i: usize| crate::session::column(row, i);
    let flag = |i: usize| get(i).as_deref() == Some("true");
    let list = |i: usize| -> Vec<String> {
        get(i)
            .map(|s| s.split(',').map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let db_role = list(7);
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
        catalog_path: None,
    };
    let c = 8 + 2 * NEON_SETTINGS.len();
    let catalog = Catalog {
        replication_role: get(5).unwrap_or_default(),
        schema: flag(c),
        schema_usage: flag(c + 1),
        stamp_kind: get(c + 2),
        stamp_select: flag(c + 3),
        lineage: flag(c + 4),
        lineage_select: flag(c + 5),
        triggers: get(c + 6)
            .map(|s| s.lines().map(str::to_owned).collect())
            .unwrap_or_default(),
        altered_relations: list(c + 7),
        protect_fn: get(c + 8),
        assert_fn: get(c + 9),
        assert_execute: flag(c + 10),
        data_marks: list(c + 11),
        pinned_databases: list(c + 12),
        own_pin: get(c + 13),
        shapes: get(c + 15),
        foreign_access: list(c + 16),
    };
    let identity = Identity {
        catalog_path: get(c + 14),
        ..identity
    };

    (identity, catalog)
}

/// The part of the identity that tells one database from another, read cheaply: what a
/// new connection of a pool compares with the identity a full proof established (see
/// [`crate::pool`]). A fresh backend pays for every catalog a query touches; this one
/// touches `pg_database` (already read at connection start-up), the control file and,
/// only on a Neon compute, `pg_settings` (to refuse identity a session could have set).
///
/// A query and the row it must return, column for column (`None`: NULL or empty): the
/// comparison is plain equality, so a connection held by another process (the npm
/// package's) is compared exactly as this crate's pool compares its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheapIdentity {
    /// The statement, one round trip, no operator and no `SET`: it may run inside the
    /// caller's transaction, and nothing a role's `search_path` holds can shadow it.
    pub sql: String,
    /// The row the proven database returns.
    pub expect: crate::Row,
}

impl CheapIdentity {
    /// The cheap identity of a fully proven database; `None` when it has none to compare
    /// (then every new connection takes the full proof).
    pub fn of(proven: &Identity) -> Option<CheapIdentity> {
        let path = proven.catalog_path.as_deref()?;
        let (file, started) = path.split_once('|')?;
        let neon = proven.neon.is_neon() || proven.neon.project_id.is_some();
        // Every name qualified: the file path of `pg_class` (OID 1259, an untyped literal
        // read by `regclass`'s input without a cast) is `base/<database OID>/<file>`: the
        // database, without planning a query over a catalog a fresh backend has not read.
        let mut sql = format!("SELECT {}, c.system_identifier", INSTANCE_PARTS.join(", "));
        let some = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
        let mut expect = vec![some(file), some(started), proven.system_identifier.clone()];
        if neon {
            // On Neon, branches can share the system identifier: the ids, as the server's
            // own configuration set them, and no `neon.` setting from anywhere else.
            for name in NEON_SETTINGS {
                sql.push_str(&format!(", pg_catalog.current_setting('{name}', true)"));
            }
            sql.push_str(&format!(
                ", (SELECT pg_catalog.count(*) FROM pg_catalog.pg_settings s WHERE pg_catalog.starts_with(s.name, 'neon.') \
                   AND pg_catalog.array_position(ARRAY[{}]::pg_catalog.text[], s.source) IS NULL)",
                TRUSTED_SOURCES.map(|t| format!("'{t}'")).join(", ")
            ));
            let n = &proven.neon;
            expect.extend([
                n.project_id.clone(),
                n.branch_id.clone(),
                n.timeline_id.clone(),
                n.tenant_id.clone(),
                n.endpoint_id.clone(),
                Some("0".to_owned()),
            ]);
        }
        sql.push_str(" FROM pg_catalog.pg_control_system() c");
        Some(CheapIdentity { sql, expect })
    }

    /// Whether `row` is the proven database's.
    pub fn matches(&self, row: &[Option<String>]) -> bool {
        row.len() == self.expect.len()
            && (0..row.len()).all(|i| crate::session::column(row, i) == self.expect[i])
    }
}

/// Whether the database behind `client` is the `proven` one, by [`CheapIdentity`].
pub(crate) async fn same_database(client: &impl crate::Session, proven: &Identity) -> bool {
    let Some(cheap) = CheapIdentity::of(proven) else {
        return false;
    };
    match client.simple_query(&cheap.sql).await {
        Ok(rows) => rows.len() == 1 && cheap.matches(&rows[0]),
        Err(_) => false,
    }
}

pub(crate) fn query_error(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => e.to_string(),
    }
}
