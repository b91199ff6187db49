//! The environment stamp: `gardefou.stamp`, one row bound to the database's identity.
//!
//! ```sql
//! gardefou.stamp (
//!   singleton         boolean PRIMARY KEY DEFAULT true CHECK (singleton),  -- one row
//!   format            integer NOT NULL CHECK (format = 1),
//!   environment       text    NOT NULL CHECK (environment IN ('production','sandbox','local')),
//!   system_identifier text,        -- pg_control_system(), decimal
//!   database_oid      oid     NOT NULL,
//!   database_name     text    NOT NULL,
//!   neon_project_id   text, neon_branch_id text, neon_timeline_id text,
//!   neon_endpoint_id  text,        -- informative: endpoints come and go
//!   server_version    text    NOT NULL,
//!   stamped_at        timestamptz NOT NULL DEFAULT now(),
//!   stamped_by        text    NOT NULL DEFAULT current_user)
//! ```
//!
//! Triggers refuse `UPDATE` and `DELETE` of a production row that would stop it being
//! production, and `TRUNCATE` while it holds one; `gardefou.stamp_history` keeps every
//! replaced row and refuses changes. See `docs/identity.md` for what an owner or a superuser
//! can still do.

use gardefou_findings::Finding;
use gardefou_policy::Environment;
use serde::Serialize;
use tokio_postgres::{Client, SimpleQueryMessage};

use crate::identity::{one_row, query_error};
use crate::{rules, Identity, ProbeError};

/// The stamp format this version writes and reads.
pub const FORMAT: i32 = 1;

/// What a stamp binds to: the identity a copy does not keep.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Binding {
    /// The cluster's system identifier.
    pub system_identifier: Option<String>,
    /// The database's OID.
    pub database_oid: String,
    /// `neon.project_id`
    pub neon_project_id: Option<String>,
    /// `neon.branch_id`
    pub neon_branch_id: Option<String>,
    /// `neon.timeline_id`
    pub neon_timeline_id: Option<String>,
}

impl Identity {
    /// The part of the identity a stamp records and compares.
    pub fn binding(&self) -> Binding {
        Binding {
            system_identifier: self.system_identifier.clone(),
            database_oid: self.database_oid.clone(),
            neon_project_id: self.neon.project_id.clone(),
            neon_branch_id: self.neon.branch_id.clone(),
            neon_timeline_id: self.neon.timeline_id.clone(),
        }
    }
}

impl Binding {
    /// `field: live (stamp: recorded)` for every field that differs.
    pub fn differences(&self, live: &Binding) -> Vec<String> {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
        let mut out = Vec::new();
        let mut cmp = |name: &str, stamped: String, now: String| {
            if stamped != now {
                out.push(format!("{name} {now} (stamp: {stamped})"));
            }
        };
        cmp(
            "system identifier",
            show(&self.system_identifier),
            show(&live.system_identifier),
        );
        cmp(
            "database OID",
            self.database_oid.clone(),
            live.database_oid.clone(),
        );
        cmp(
            "Neon project",
            show(&self.neon_project_id),
            show(&live.neon_project_id),
        );
        cmp(
            "Neon branch",
            show(&self.neon_branch_id),
            show(&live.neon_branch_id),
        );
        cmp(
            "Neon timeline",
            show(&self.neon_timeline_id),
            show(&live.neon_timeline_id),
        );
        out
    }
}

/// A stamp as read from the database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stamp {
    /// The stamped environment.
    #[serde(serialize_with = "serialize_env")]
    pub environment: Environment,
    /// The identity recorded when stamping.
    pub binding: Binding,
    /// The database name when stamping (informative: a rename keeps the stamp).
    pub database_name: String,
    /// The Neon endpoint when stamping (informative).
    pub neon_endpoint_id: Option<String>,
    /// When.
    pub stamped_at: String,
    /// By which role (kept out of `db identity`, which never shows a user).
    #[serde(skip)]
    pub stamped_by: String,
}

fn serialize_env<S: serde::Serializer>(env: &Environment, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(env.as_str())
}

/// The stamp of a database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StampState {
    /// No `gardefou.stamp` table, or an empty one.
    Absent,
    /// One valid row.
    Present(Stamp),
    /// Something gardefou did not write (why).
    Invalid(String),
}

const READ: &str = "SELECT c.relkind::text, \
    (SELECT count(*) FROM pg_catalog.pg_trigger t WHERE t.tgrelid = c.oid AND t.tgenabled <> 'D' \
       AND t.tgname IN ('gardefou_protect_stamp', 'gardefou_protect_stamp_truncate'))::text, \
    s.format::text, s.environment::text, s.system_identifier::text, s.database_oid::text, \
    s.database_name::text, s.neon_project_id::text, s.neon_branch_id::text, \
    s.neon_timeline_id::text, s.neon_endpoint_id::text, s.stamped_at::text, s.stamped_by::text \
    FROM pg_catalog.pg_class c LEFT JOIN gardefou.stamp s ON true \
    WHERE c.oid = 'gardefou.stamp'::regclass";

/// Reads `gardefou.stamp` (which exists).
pub(crate) async fn read(client: &Client) -> Result<StampState, ProbeError> {
    let messages = match client.simple_query(READ).await {
        Ok(m) => m,
        // A table without gardefou's columns is not gardefou's stamp.
        Err(e) if e.as_db_error().is_some() => {
            return Ok(StampState::Invalid(format!(
                "gardefou.stamp cannot be read: {}",
                query_error(&e)
            )))
        }
        Err(e) => return Err(ProbeError::Query(query_error(&e))),
    };
    let rows: Vec<_> = messages
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(r),
            _ => None,
        })
        .collect();
    let [row] = rows.as_slice() else {
        return Ok(StampState::Invalid(format!(
            "gardefou.stamp holds {} rows; gardefou writes one",
            rows.len()
        )));
    };
    let get = |i: usize| row.get(i).filter(|s| !s.is_empty()).map(str::to_owned);
    if get(0).as_deref() != Some("r") {
        return Ok(StampState::Invalid(
            "gardefou.stamp is not a plain table".into(),
        ));
    }
    let Some(format) = get(2) else {
        return Ok(StampState::Absent);
    };
    if format != FORMAT.to_string() {
        return Ok(StampState::Invalid(format!(
            "gardefou.stamp has format {format}; this gardefou reads format {FORMAT}"
        )));
    }
    if get(1).as_deref() != Some("2") {
        return Ok(StampState::Invalid(
            "the triggers that protect gardefou.stamp are missing or disabled".into(),
        ));
    }
    let Some(environment) = get(3).as_deref().and_then(Environment::from_koomy_env) else {
        return Ok(StampState::Invalid(
            "gardefou.stamp names no known environment".into(),
        ));
    };
    Ok(StampState::Present(Stamp {
        environment,
        binding: Binding {
            system_identifier: get(4),
            database_oid: get(5).unwrap_or_default(),
            neon_project_id: get(7),
            neon_branch_id: get(8),
            neon_timeline_id: get(9),
        },
        database_name: get(6).unwrap_or_default(),
        neon_endpoint_id: get(10),
        stamped_at: get(11).unwrap_or_default(),
        stamped_by: get(12).unwrap_or_default(),
    }))
}

const SCHEMA: &str = r#"
CREATE SCHEMA gardefou;
COMMENT ON SCHEMA gardefou IS 'gardefou: the environment stamp of this database (docs/identity.md). Do not copy it by hand.';
CREATE TABLE gardefou.stamp (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  format integer NOT NULL CHECK (format = 1),
  environment text NOT NULL CHECK (environment IN ('production', 'sandbox', 'local')),
  system_identifier text,
  database_oid oid NOT NULL,
  database_name text NOT NULL,
  neon_project_id text,
  neon_branch_id text,
  neon_timeline_id text,
  neon_endpoint_id text,
  server_version text NOT NULL,
  stamped_at timestamptz NOT NULL DEFAULT now(),
  stamped_by text NOT NULL DEFAULT current_user
);
CREATE TABLE gardefou.stamp_history (
  LIKE gardefou.stamp,
  replaced_at timestamptz NOT NULL DEFAULT now(),
  replaced_by text NOT NULL DEFAULT current_user
);
CREATE FUNCTION gardefou.protect_stamp() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_TABLE_NAME = 'stamp_history' THEN
    RAISE EXCEPTION 'gardefou: the stamp history is append-only';
  END IF;
  IF TG_OP = 'TRUNCATE' THEN
    IF EXISTS (SELECT 1 FROM gardefou.stamp WHERE environment = 'production') THEN
      RAISE EXCEPTION 'gardefou: the production stamp is permanent';
    END IF;
    RETURN NULL;
  END IF;
  IF OLD.environment = 'production' AND (TG_OP = 'DELETE' OR NEW.environment <> 'production') THEN
    RAISE EXCEPTION 'gardefou: the production stamp is permanent';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER gardefou_protect_stamp BEFORE UPDATE OR DELETE ON gardefou.stamp
  FOR EACH ROW EXECUTE FUNCTION gardefou.protect_stamp();
CREATE TRIGGER gardefou_protect_stamp_truncate BEFORE TRUNCATE ON gardefou.stamp
  FOR EACH STATEMENT EXECUTE FUNCTION gardefou.protect_stamp();
CREATE TRIGGER gardefou_protect_history BEFORE UPDATE OR DELETE ON gardefou.stamp_history
  FOR EACH ROW EXECUTE FUNCTION gardefou.protect_stamp();
CREATE TRIGGER gardefou_protect_history_truncate BEFORE TRUNCATE ON gardefou.stamp_history
  FOR EACH STATEMENT EXECUTE FUNCTION gardefou.protect_stamp();
REVOKE ALL ON SCHEMA gardefou FROM PUBLIC;
"#;

/// What `gardefou db stamp` decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The database carries the right stamp already.
    Nothing,
    /// Write the first stamp.
    Create,
    /// Replace a stamp of this environment (kept in `gardefou.stamp_history`).
    Replace(Environment),
}

/// Decides what stamping `env` means for a database with `existing` stamp and `live`
/// identity. Pure. `replace` is `--replace <old-env>`.
pub fn decide(
    existing: &StampState,
    live: &Identity,
    env: Environment,
    replace: Option<Environment>,
) -> Result<Action, Box<Finding>> {
    let binding = live.binding();
    match existing {
        StampState::Invalid(why) => Err(Box::new(
            rules::DATABASE_STAMP_INVALID.error(format!("cannot stamp: {why}")),
        )),
        StampState::Absent => match replace {
            None => Ok(Action::Create),
            Some(old) => Err(Box::new(rules::STAMP_REPLACE_REQUIRED.error_with_fix(
                format!("--replace {old} was given but the database carries no stamp"),
                "run gardefou db stamp without --replace",
            ))),
        },
        StampState::Present(stamp) => {
            let same_identity = stamp.binding == binding;
            if stamp.environment == Environment::Production && env != Environment::Production {
                let copy = if same_identity {
                    ""
                } else {
                    " bound to another database: it is a copy of production, and a copy of production is production"
                };
                return Err(Box::new(rules::STAMP_PRODUCTION_PERMANENT.error(format!(
                    "this database carries a production stamp{copy}; it cannot be stamped {env}"
                ))));
            }
            if stamp.environment == env && same_identity {
                return Ok(Action::Nothing);
            }
            if replace == Some(stamp.environment) {
                return Ok(Action::Replace(stamp.environment));
            }
            let what = if stamp.environment == env {
                format!(
                    "this database carries a {env} stamp bound to another database ({})",
                    stamp.binding.differences(&binding).join(", ")
                )
            } else {
                format!("this database is stamped {}", stamp.environment)
            };
            Err(Box::new(rules::STAMP_REPLACE_REQUIRED.error_with_fix(
                format!("{what}; replacing it needs --replace {}", stamp.environment),
                format!(
                    "check that this is the database you mean, then run gardefou db stamp --replace {}",
                    stamp.environment
                ),
            )))
        }
    }
}

/// Why stamping did not happen.
#[derive(Debug)]
pub enum StampError {
    /// Refused by a rule: the database is left as it was.
    Refused(Box<Finding>),
    /// The server could not be asked or written to.
    Probe(ProbeError),
}

impl From<ProbeError> for StampError {
    fn from(e: ProbeError) -> Self {
        StampError::Probe(e)
    }
}

/// Stamps the database `client` is connected to as `env`, in one transaction with the
/// decision (an advisory lock serialises concurrent stampers). Returns what was done and
/// the identity written.
pub async fn write(
    client: &Client,
    env: Environment,
    replace: Option<Environment>,
) -> Result<(Action, Identity), StampError> {
    let q = |e: tokio_postgres::Error| StampError::Probe(ProbeError::Query(query_error(&e)));
    client
        .batch_execute("BEGIN; SELECT pg_advisory_xact_lock(7415927100042)")
        .await
        .map_err(q)?;
    let probe = crate::read(client).await?;
    let live = probe.identity;
    if let Some(f) = crate::verify::identity_findings(&live).into_iter().next() {
        return Err(StampError::Refused(Box::new(f)));
    }
    let action = decide(&probe.stamp, &live, env, replace).map_err(StampError::Refused)?;
    let table_exists = one_row(
        client,
        "SELECT (to_regclass('gardefou.stamp') IS NOT NULL)::text",
    )
    .await?
    .get(0)
        == Some("true");
    let b = live.binding();
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 9] = [
        &env.as_str(),
        &b.system_identifier,
        &b.database_oid,
        &live.database,
        &b.neon_project_id,
        &b.neon_branch_id,
        &b.neon_timeline_id,
        &live.neon.endpoint_id,
        &live.server_version,
    ];
    const COLS: &str = "format, environment, system_identifier, database_oid, database_name, neon_project_id, neon_branch_id, neon_timeline_id, neon_endpoint_id, server_version";
    const VALUES: &str = "1, $1::text, $2::text, $3::text::oid, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text";
    match action {
        Action::Nothing => {}
        Action::Create => {
            if !table_exists {
                client.batch_execute(SCHEMA).await.map_err(q)?;
            }
            client
                .execute(
                    &format!("INSERT INTO gardefou.stamp ({COLS}) VALUES ({VALUES})"),
                    &params,
                )
                .await
                .map_err(q)?;
        }
        Action::Replace(_) => {
            client
                .batch_execute(&format!(
                    "INSERT INTO gardefou.stamp_history ({COLS}, singleton, stamped_at, stamped_by) SELECT {COLS}, singleton, stamped_at, stamped_by FROM gardefou.stamp"
                ))
                .await
                .map_err(q)?;
            client
                .execute(
                    &format!(
                        "UPDATE gardefou.stamp SET ({COLS}, stamped_at, stamped_by) = ({VALUES}, now(), current_user)"
                    ),
                    &params,
                )
                .await
                .map_err(q)?;
        }
    }
    client.batch_execute("COMMIT").await.map_err(q)?;
    Ok((action, live))
}
