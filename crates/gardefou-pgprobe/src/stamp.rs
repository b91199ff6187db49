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

use gardefou_findings::{tr, Finding, Text};
use gardefou_policy::Environment;
use serde::Serialize;
use tokio_postgres::Client;

use crate::identity::{query_error, Catalog};
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
        let show = |v: &Option<String>| v.as_deref().unwrap_or("none").to_owned();
        type Field = fn(&Binding) -> Option<String>;
        let fields: [(&str, Field); 5] = [
            ("system identifier", |b| b.system_identifier.clone()),
            ("database OID", |b| Some(b.database_oid.clone())),
            ("Neon project", |b| b.neon_project_id.clone()),
            ("Neon branch", |b| b.neon_branch_id.clone()),
            ("Neon timeline", |b| b.neon_timeline_id.clone()),
        ];
        fields
            .into_iter()
            .filter_map(|(name, field)| {
                let (stamped, now) = (show(&field(self)), show(&field(live)));
                (stamped != now).then(|| format!("{name} {now} (stamp: {stamped})"))
            })
            .collect()
    }
}

/// A stamp as read from the database. `Debug` leaves out `stamped_by` (a role name).
#[derive(Clone, PartialEq, Eq, Serialize)]
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

impl std::fmt::Debug for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stamp")
            .field("environment", &self.environment)
            .field("binding", &self.binding)
            .field("database_name", &self.database_name)
            .field("neon_endpoint_id", &self.neon_endpoint_id)
            .field("stamped_at", &self.stamped_at)
            .finish_non_exhaustive()
    }
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
    /// Something gardefou did not write, or protections that were changed (why).
    Invalid(Text),
    /// Written by an older gardefou: the proof's objects are missing (which).
    Outdated(String),
    /// The role may not read what the proof needs: the missing grants, as SQL.
    NotGranted(Vec<&'static str>),
}

/// The stamp and lineage columns, read after [`crate::identity::sql`]; `lineage` says
/// whether `gardefou.lineage` can be counted.
pub(crate) fn sql(lineage: bool) -> String {
    format!(
        "SELECT s.format::pg_catalog.text, s.environment::pg_catalog.text, s.system_identifier::pg_catalog.text, \
         s.database_oid::pg_catalog.text, s.database_name::pg_catalog.text, s.neon_project_id::pg_catalog.text, \
         s.neon_branch_id::pg_catalog.text, s.neon_timeline_id::pg_catalog.text, s.neon_endpoint_id::pg_catalog.text, \
         s.stamped_at::pg_catalog.text, s.stamped_by::pg_catalog.text, {} \
         FROM (SELECT 1) one LEFT JOIN gardefou.stamp s ON true",
        if lineage {
            "(SELECT pg_catalog.count(*) FROM gardefou.lineage)::pg_catalog.text"
        } else {
            "NULL::pg_catalog.text"
        }
    )
}

/// What the probe knows before reading the stamp: the grants it lacks, or that there is
/// nothing to read. `None` when the stamp (and lineage) can be read.
pub(crate) fn precheck(catalog: &Catalog) -> Option<StampState> {
    if !catalog.schema {
        return Some(StampState::Absent);
    }
    let mut missing = Vec::new();
    if !catalog.schema_usage {
        missing.push("GRANT USAGE ON SCHEMA gardefou TO <role>");
    }
    if catalog.stamp_kind.is_some() && !catalog.stamp_select {
        missing.push("GRANT SELECT ON gardefou.stamp TO <role>");
    }
    if catalog.lineage && !catalog.lineage_select {
        missing.push("GRANT SELECT ON gardefou.lineage TO <role>");
    }
    if catalog.assert_fn.is_some() && !catalog.assert_execute {
        missing.push("GRANT EXECUTE ON FUNCTION gardefou.assert_environment(text, text) TO <role>");
    }
    if !missing.is_empty() {
        return Some(StampState::NotGranted(missing));
    }
    match catalog.stamp_kind.as_deref() {
        None => Some(StampState::Absent),
        Some("r") => None,
        Some(_) => Some(StampState::Invalid(tr!(
            "gardefou.stamp is not a plain table",
            "gardefou.stamp n'est pas une simple table"
        ))),
    }
}

/// Reads the stamp from the rows of [`sql`]; returns it and the number of lineage rows.
pub(crate) fn from_rows(rows: &[crate::Row], catalog: &Catalog) -> (StampState, Option<u64>) {
    let [row] = rows else {
        return (
            StampState::Invalid({
                let n = rows.len();
                tr!(
                    "gardefou.stamp holds {n} rows; gardefou writes one",
                    "gardefou.stamp contient {n} lignes ; gardefou en écrit une"
                )
            }),
            None,
        );
    };
    let get = |i: usize| crate::session::column(row, i);
    let lineage = get(11).and_then(|n| n.parse().ok());
    let Some(format) = get(0) else {
        return (StampState::Absent, lineage);
    };
    if format != FORMAT.to_string() {
        return (
            StampState::Invalid(tr!(
                "gardefou.stamp has format {format}; this gardefou reads format {FORMAT}",
                "gardefou.stamp est au format {format} ; ce gardefou lit le format {FORMAT}"
            )),
            lineage,
        );
    }
    if let Some(state) = crate::objects::integrity(catalog) {
        return (state, lineage);
    }
    let Some(environment) = get(1).as_deref().and_then(Environment::from_koomy_env) else {
        return (
            StampState::Invalid(tr!(
                "gardefou.stamp names no known environment",
                "gardefou.stamp ne nomme aucun environnement connu"
            )),
            lineage,
        );
    };
    let stamp = Stamp {
        environment,
        binding: Binding {
            system_identifier: get(2),
            database_oid: get(3).unwrap_or_default(),
            neon_project_id: get(5),
            neon_branch_id: get(6),
            neon_timeline_id: get(7),
        },
        database_name: get(4).unwrap_or_default(),
        neon_endpoint_id: get(8),
        stamped_at: get(9).unwrap_or_default(),
        stamped_by: get(10).unwrap_or_default(),
    };
    (StampState::Present(stamp), lineage)
}

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
        StampState::Invalid(why) => Err(Box::new(rules::DATABASE_STAMP_INVALID.error(tr!(
            "cannot stamp: {}",
            "impossible de tamponner : {}";
            why
        )))),
        StampState::Outdated(which) => Err(Box::new(rules::DATABASE_STAMP_OUTDATED.error(tr!(
            "cannot stamp: {which} missing",
            "impossible de tamponner : {which} manquant"
        )))),
        StampState::NotGranted(missing) => {
            let missing = missing.join("; ");
            Err(Box::new(rules::DATABASE_PROOF_NOT_GRANTED.error(tr!(
                "cannot read the stamp: {missing}",
                "impossible de lire le tampon : {missing}"
            ))))
        }
        StampState::Absent => match replace {
            None => Ok(Action::Create),
            Some(old) => Err(Box::new(rules::STAMP_REPLACE_REQUIRED.error_with_fix(
                tr!(
                    "--replace {old} was given but the database carries no stamp",
                    "--replace {old} a été donné mais la base ne porte aucun tampon"
                ),
                tr!(
                    "run gardefou db stamp without --replace",
                    "lancez gardefou db stamp sans --replace"
                ),
            ))),
        },
        StampState::Present(stamp) => {
            let same_identity = stamp.binding == binding;
            if stamp.environment == Environment::Production && env != Environment::Production {
                let (copy, copy_fr) = if same_identity {
                    ("", "")
                } else {
                    (
                        " bound to another database: it is a copy of production, and a copy of production is production",
                        " lié à une autre base : c'est une copie de la production, et une copie de la production est la production",
                    )
                };
                return Err(Box::new(rules::STAMP_PRODUCTION_PERMANENT.error(tr!(
                    "this database carries a production stamp{copy}; it cannot be stamped {env}",
                    "cette base porte un tampon de production{copy_fr} ; elle ne peut pas être tamponnée {env}"
                ))));
            }
            if stamp.environment == env && same_identity {
                return Ok(Action::Nothing);
            }
            if replace == Some(stamp.environment) {
                return Ok(Action::Replace(stamp.environment));
            }
            let stamped = stamp.environment;
            let what = if stamped == env {
                let differences = stamp.binding.differences(&binding).join(", ");
                tr!(
                    "this database carries a {env} stamp bound to another database ({differences})",
                    "cette base porte un tampon {env} lié à une autre base ({differences})"
                )
            } else {
                tr!(
                    "this database is stamped {stamped}",
                    "cette base est tamponnée {stamped}"
                )
            };
            let (what_en, what_fr) = (what.en(), what.fr());
            Err(Box::new(rules::STAMP_REPLACE_REQUIRED.error_with_fix(
                tr!(
                    "{what_en}; replacing it needs --replace {stamped}",
                    "{what_fr} ; le remplacer exige --replace {stamped}"
                ),
                tr!(
                    "check that this is the database you mean, then run gardefou db stamp --replace {stamped}",
                    "vérifiez que c'est bien la base voulue, puis lancez gardefou db stamp --replace {stamped}"
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

/// What `gardefou db stamp` did.
#[derive(Clone, Debug)]
pub struct Stamped {
    /// The decision carried out.
    pub action: Action,
    /// The identity the stamp is bound to.
    pub identity: Identity,
    /// Application schemas and tables (`schema s`, `table s.t`) that production's data mark
    /// could not be written on (owned by another role): a restore of only those would not
    /// be recognised.
    pub unmarked: Vec<String>,
}

/// Options of `gardefou db stamp` beyond the environment.
#[derive(Clone, Debug, Default)]
pub struct StampOptions {
    /// `--replace <old-env>`.
    pub replace: Option<Environment>,
    /// `--grant ROLE`: give this role what the proof needs.
    pub grant: Option<String>,
}

const APP_SCHEMAS: &str = "ns.nspname NOT IN ('pg_catalog', 'information_schema', 'gardefou') AND ns.nspname NOT LIKE 'pg\\_%'";

/// Stamps the database `client` is connected to as `env`, in one transaction with the
/// decision (an advisory lock serialises concurrent stampers). Installs (or upgrades) the
/// proof's objects; in production also writes production's marks: a `gardefou.lineage`
/// row, a comment on every application schema the role owns, and the server pin on the
/// database's own row in the shared catalog.
pub async fn write(
    client: &Client,
    env: Environment,
    options: &StampOptions,
) -> Result<Stamped, StampError> {
    let result = write_in_transaction(client, env, options).await;
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    // A failed COMMIT means nothing was written: report it; a failed ROLLBACK changes
    // nothing either way.
    let closed = client.batch_execute(end).await;
    let stamped = result?;
    closed.map_err(|e| StampError::Probe(ProbeError::Query(query_error(&e))))?;
    Ok(stamped)
}

async fn write_in_transaction(
    client: &Client,
    env: Environment,
    options: &StampOptions,
) -> Result<Stamped, StampError> {
    let q = |e: tokio_postgres::Error| StampError::Probe(ProbeError::Query(query_error(&e)));
    let refuse = |f: Finding| StampError::Refused(Box::new(f));
    client
        .batch_execute("BEGIN; SELECT pg_catalog.pg_advisory_xact_lock(7415927100042)")
        .await
        .map_err(q)?;
    let mut probe = crate::read_in_transaction(client).await?;
    if let Some(f) = crate::verify::identity_findings(&probe.identity)
        .into_iter()
        .next()
    {
        return Err(refuse(f));
    }
    if let StampState::Outdated(_) = probe.stamp {
        client
            .batch_execute(&crate::objects::install())
            .await
            .map_err(q)?;
        probe = crate::read_in_transaction(client).await?;
    }
    // Production's pin and data marks are readable by every role: they decide first.
    if env != Environment::Production {
        let cat = &probe.catalog;
        let mut why = Vec::new();
        let mut why_fr = Vec::new();
        if !cat.pinned_databases.is_empty() {
            why.push("its server carries production's pin");
            why_fr.push("son serveur porte l'épingle de la production");
        }
        if probe.lineage_rows.is_some_and(|n| n > 0) || !cat.data_marks.is_empty() {
            why.push("it holds production's data mark");
            why_fr.push("elle porte la marque des données de production");
        }
        if !why.is_empty() {
            let (why, why_fr) = (why.join(" and "), why_fr.join(" et "));
            return Err(refuse(rules::STAMP_PRODUCTION_PERMANENT.error(tr!(
                "this database is production's ({why}): a copy of production is production; it cannot be stamped {env}",
                "cette base est celle de la production ({why_fr}) : une copie de la production est la production ; elle ne peut pas être tamponnée {env}"
            ))));
        }
    }
    if let StampState::NotGranted(missing) = &probe.stamp {
        return Err(refuse(rules::DATABASE_PROOF_NOT_GRANTED.error_with_fix(
            tr!(
                "the role that stamps may not read the gardefou schema",
                "le rôle qui tamponne ne peut pas lire le schéma gardefou"
            ),
            {
                let missing = missing.join("; ");
                tr!(
                    "stamp as the role that owns the gardefou schema, or run {missing}",
                    "tamponnez avec le rôle propriétaire du schéma gardefou, ou exécutez {missing}"
                )
            },
        )));
    }
    let live = probe.identity;
    let action = decide(&probe.stamp, &live, env, options.replace).map_err(StampError::Refused)?;
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
    if !probe.catalog.schema {
        client
            .batch_execute(crate::objects::TABLES)
            .await
            .map_err(q)?;
    }
    client
        .batch_execute(&crate::objects::install())
        .await
        .map_err(q)?;
    match action {
        Action::Nothing => {}
        Action::Create => {
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
    let mut unmarked = Vec::new();
    if env == Environment::Production {
        mark_production(client, &live).await?;
        let rows = client
            .query(
                &format!(
                    "SELECT 'schema ' || ns.nspname::text FROM pg_catalog.pg_namespace ns WHERE {APP_SCHEMAS} \
                     AND pg_catalog.strpos(COALESCE(pg_catalog.obj_description(ns.oid, 'pg_namespace'), ''), $1) = 0 \
                     UNION ALL \
                     SELECT 'table ' || ns.nspname::text || '.' || c.relname::text FROM pg_catalog.pg_class c \
                     JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace WHERE {APP_SCHEMAS} \
                     AND c.relkind IN ('r', 'p') AND NOT c.relispartition \
                     AND pg_catalog.strpos(COALESCE(pg_catalog.obj_description(c.oid, 'pg_class'), ''), $1) = 0 \
                     ORDER BY 1"
                ),
                &[&crate::objects::DATA_MARK],
            )
            .await
            .map_err(q)?;
        unmarked = rows.iter().map(|r| r.get(0)).collect();
    }
    if let Some(role) = &options.grant {
        client
            .batch_execute(&crate::objects::grants(&crate::objects::quote_ident(role)))
            .await
            .map_err(|e| {
                let e = query_error(&e);
                refuse(rules::DATABASE_PROOF_NOT_GRANTED.error(tr!(
                    "cannot grant the proof's privileges to the role given with --grant: {e}",
                    "impossible d'accorder les privilèges de la preuve au rôle donné par --grant : {e}"
                )))
            })?;
    }
    Ok(Stamped {
        action,
        identity: live,
        unmarked,
    })
}

/// Production's marks: a lineage row for this identity, the data mark on every
/// application schema this role owns, and the server pin on this database's row of the
/// shared catalog (which needs the database's owner).
async fn mark_production(client: &Client, live: &Identity) -> Result<(), StampError> {
    let q = |e: tokio_postgres::Error| StampError::Probe(ProbeError::Query(query_error(&e)));
    let b = live.binding();
    client
        .execute(
            "INSERT INTO gardefou.lineage (environment, system_identifier, database_oid, database_name, neon_project_id, neon_branch_id) \
             SELECT 'production', $1::text, $2::text::oid, $3::text, $4::text, $5::text \
             WHERE NOT EXISTS (SELECT 1 FROM gardefou.lineage l WHERE l.database_oid = $2::text::oid \
               AND l.system_identifier IS NOT DISTINCT FROM $1::text AND l.neon_branch_id IS NOT DISTINCT FROM $5::text)",
            &[
                &b.system_identifier,
                &b.database_oid,
                &live.database,
                &b.neon_project_id,
                &b.neon_branch_id,
            ],
        )
        .await
        .map_err(q)?;
    let mark = format!(
        "{} (database OID {}); see docs/identity.md",
        crate::objects::DATA_MARK,
        b.database_oid
    );
    let pin =
        crate::objects::server_pin(b.system_identifier.as_deref(), b.neon_branch_id.as_deref());
    client
        .batch_execute(&format!(
            "DO $gardefou$ DECLARE n record; mark text := {mark}; BEGIN
  FOR n IN SELECT ns.nspname, pg_catalog.obj_description(ns.oid, 'pg_namespace') AS d FROM pg_catalog.pg_namespace ns
     WHERE {APP_SCHEMAS} AND pg_catalog.pg_has_role(ns.nspowner, 'USAGE') LOOP
    IF n.d IS NULL OR pg_catalog.strpos(n.d, {data}) = 0 THEN
      EXECUTE pg_catalog.format('COMMENT ON SCHEMA %I IS %L', n.nspname,
        CASE WHEN COALESCE(n.d, '') = '' THEN mark ELSE n.d || E'\\n' || mark END);
    END IF;
  END LOOP;
  FOR n IN SELECT ns.nspname, c.relname, pg_catalog.obj_description(c.oid, 'pg_class') AS d
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace
     WHERE {APP_SCHEMAS} AND c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND pg_catalog.pg_has_role(c.relowner, 'USAGE') LOOP
    IF n.d IS NULL OR pg_catalog.strpos(n.d, {data}) = 0 THEN
      EXECUTE pg_catalog.format('COMMENT ON TABLE %I.%I IS %L', n.nspname, n.relname,
        CASE WHEN COALESCE(n.d, '') = '' THEN mark ELSE n.d || E'\\n' || mark END);
    END IF;
  END LOOP;
END $gardefou$",
            mark = crate::objects::literal(&mark),
            data = crate::objects::literal(crate::objects::DATA_MARK),
        ))
        .await
        .map_err(q)?;
    client
        .batch_execute(&format!(
            "DO $gardefou$ DECLARE d text; pin text := {pin}; BEGIN
  d := pg_catalog.shobj_description((SELECT x.oid FROM pg_catalog.pg_database x WHERE x.datname = pg_catalog.current_database()), 'pg_database');
  IF d IS NULL OR pg_catalog.strpos(d, pin) = 0 THEN
    EXECUTE pg_catalog.format('COMMENT ON DATABASE %I IS %L', pg_catalog.current_database(),
      CASE WHEN COALESCE(d, '') = '' THEN pin ELSE d || E'\\n' || pin END);
  END IF;
END $gardefou$",
            pin = crate::objects::literal(&pin)
        ))
        .await
        .map_err(|e| {
            StampError::Refused(Box::new(rules::DATABASE_PRODUCTION_SERVER.error_with_fix(
                {
                    let e = query_error(&e);
                    tr!(
                        "cannot pin production's server (COMMENT ON DATABASE): {e}",
                        "impossible d'épingler le serveur de la production (COMMENT ON DATABASE) : {e}"
                    )
                },
                tr!(
                    "stamp production as the database's owner: the pin marks the whole server as production",
                    "tamponnez la production en tant que propriétaire de la base : l'épingle marque tout le serveur comme production"
                ),
            )))
        })?;
    Ok(())
}
