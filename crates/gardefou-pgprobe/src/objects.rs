//! The objects `gardefou db stamp` installs in the `gardefou` schema, and what the probe
//! expects to find: the same triggers, enabled the normal way, bound to functions whose
//! bodies are the ones written here.
//!
//! - `gardefou.stamp`, `gardefou.stamp_history`: the environment stamp (see [`crate::stamp`]).
//! - `gardefou.lineage`: production's mark on its data. A table without a key: restoring a
//!   production dump into an existing database appends its rows (where the stamp's row
//!   fails on its primary key), so the copy says where its data came from.
//! - `gardefou.protect_stamp()`: the trigger function that keeps the production stamp
//!   permanent and the history and lineage append-only.
//! - `gardefou.assert_environment(expected, purpose)`: the proof any client can run in its
//!   own session (see `docs/identity.md`).

use std::fmt::Write as _;

use crate::identity::Catalog;
use gardefou_findings::{tr, Text};

use crate::StampState;

/// The schema, tables and the stamp's row format, created when the database carries no
/// `gardefou` schema.
pub(crate) const TABLES: &str = r#"
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
"#;

/// The body of `gardefou.protect_stamp()`.
pub(crate) const PROTECT_BODY: &str = r#"
BEGIN
  IF TG_TABLE_NAME IN ('stamp_history', 'lineage') THEN
    RAISE EXCEPTION 'gardefou: gardefou.% is append-only', TG_TABLE_NAME;
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
"#;

/// The body of `gardefou.assert_environment(expected text, purpose text)`. It recomputes
/// the live identity on the server and raises unless the session's database carries a
/// valid stamp of `expected` bound to it, with none of production's marks when `expected`
/// is not production. The same decision as the Rust probe's, minus what only the policy
/// file knows (which Neon endpoints and pinned servers belong to which environment).
const ASSERT_TEMPLATE: &str = r#"
DECLARE
  st gardefou.stamp%ROWTYPE;
  n integer;
  live_sysid text;
  live_oid oid;
  neon text[] := ARRAY[NULL, NULL, NULL]::text[];
  names text[] := ARRAY['neon.project_id', 'neon.branch_id', 'neon.timeline_id'];
  src text;
  pin text;
BEGIN
  IF expected IS NULL OR expected NOT IN ('production', 'sandbox', 'local') THEN
    RAISE EXCEPTION 'gardefou: refused: the expected environment must be production, sandbox or local';
  END IF;
  IF purpose IS NULL OR purpose NOT IN ('run', 'seed') THEN
    RAISE EXCEPTION 'gardefou: refused: the purpose must be run or seed';
  END IF;
  IF purpose = 'seed' AND expected = 'production' THEN
    RAISE EXCEPTION 'gardefou: refused: a seed never runs in production';
  END IF;
  IF current_setting('session_replication_role') <> 'origin' THEN
    RAISE EXCEPTION 'gardefou: refused: session_replication_role is not origin, so the stamp''s triggers do not fire';
  END IF;
  IF (SELECT string_agg(t.tgname || ' ' || pg_get_triggerdef(t.oid), E'\n' ORDER BY t.tgname COLLATE "C")
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       WHERE c.relnamespace = 'gardefou'::regnamespace AND NOT t.tgisinternal AND t.tgenabled IN ('O', 'A'))
       IS DISTINCT FROM (SELECT string_agg(t.tgname || ' ' || pg_get_triggerdef(t.oid), E'\n' ORDER BY t.tgname COLLATE "C")
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       WHERE c.relnamespace = 'gardefou'::regnamespace AND NOT t.tgisinternal)
     OR (SELECT string_agg(t.tgname || ' ' || pg_get_triggerdef(t.oid), E'\n' ORDER BY t.tgname COLLATE "C")
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       WHERE c.relnamespace = 'gardefou'::regnamespace AND NOT t.tgisinternal) IS DISTINCT FROM @TRIGGERS@
     OR (@SHAPES_SQL@) IS DISTINCT FROM @SHAPES@
     OR EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = 'gardefou'::regnamespace
         AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND (c.relkind <> 'r' OR c.relrowsecurity OR c.relhasrules))
     OR EXISTS (SELECT 1 FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
         WHERE c.relnamespace = 'gardefou'::regnamespace) THEN
    RAISE EXCEPTION 'gardefou: refused: the protection of gardefou.stamp was changed (triggers, table definitions, rules or row security)';
  END IF;
  live_sysid := (SELECT system_identifier::text FROM pg_control_system());
  live_oid := (SELECT oid FROM pg_database WHERE datname = current_database());
  FOR i IN 1..3 LOOP
    SELECT source INTO src FROM pg_settings WHERE name = names[i];
    IF src IS NOT NULL AND src NOT IN ('default', 'configuration file', 'command line', 'environment variable') THEN
      RAISE EXCEPTION 'gardefou: refused: % was set by %, not by the server''s configuration', names[i], src;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_db_role_setting s, unnest(s.setconfig) cfg
        WHERE s.setdatabase IN (0, live_oid)
          AND s.setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = session_user))
          AND split_part(cfg, '=', 1) = names[i]) THEN
      RAISE EXCEPTION 'gardefou: refused: % was set by ALTER DATABASE/ROLE … SET', names[i];
    END IF;
    neon[i] := NULLIF(current_setting(names[i], true), '');
  END LOOP;
  IF live_sysid IS NULL AND neon[2] IS NULL THEN
    RAISE EXCEPTION 'gardefou: refused: the server shows neither its system identifier nor a Neon branch';
  END IF;
  SELECT count(*) INTO n FROM gardefou.stamp;
  IF n <> 1 THEN
    RAISE EXCEPTION 'gardefou: refused: the database % carries no stamp', current_database();
  END IF;
  SELECT * INTO st FROM gardefou.stamp;
  IF st.environment IS DISTINCT FROM expected THEN
    RAISE EXCEPTION 'gardefou: refused: the database % is stamped %, not %', current_database(), st.environment, expected;
  END IF;
  IF st.system_identifier IS DISTINCT FROM live_sysid OR st.database_oid IS DISTINCT FROM live_oid
     OR st.neon_project_id IS DISTINCT FROM neon[1] OR st.neon_branch_id IS DISTINCT FROM neon[2]
     OR st.neon_timeline_id IS DISTINCT FROM neon[3] THEN
    RAISE EXCEPTION 'gardefou: refused: the stamp of % was written in another database: this is a copy, a restore or a branch', current_database();
  END IF;
  pin := 'gardefou: production server; system_identifier=' || coalesce(live_sysid, '-')
      || '; neon_branch_id=' || coalesce(neon[2], '-');
  IF expected = 'production' THEN
    IF NOT EXISTS (SELECT 1 FROM pg_shdescription d WHERE d.classoid = 'pg_database'::regclass
        AND d.objoid = live_oid AND strpos(d.description, pin) > 0) THEN
      RAISE EXCEPTION 'gardefou: refused: this server is not the one production''s stamp pinned';
    END IF;
  ELSE
    IF EXISTS (SELECT 1 FROM pg_foreign_server)
       OR EXISTS (SELECT 1 FROM pg_extension WHERE extname IN ('postgres_fdw', 'dblink')) THEN
      RAISE EXCEPTION 'gardefou: refused: % can reach other servers (postgres_fdw or dblink)', current_database();
    END IF;
    IF EXISTS (SELECT 1 FROM pg_shdescription d WHERE d.classoid = 'pg_database'::regclass
        AND strpos(d.description, 'gardefou: production server') > 0) THEN
      RAISE EXCEPTION 'gardefou: refused: a database of this server is production: every database on it is production';
    END IF;
    IF EXISTS (SELECT 1 FROM gardefou.lineage) THEN
      RAISE EXCEPTION 'gardefou: refused: gardefou.lineage shows production data restored into %', current_database();
    END IF;
    IF EXISTS (SELECT 1 FROM pg_description d WHERE d.classoid IN ('pg_namespace'::regclass, 'pg_class'::regclass)
        AND d.objsubid = 0 AND strpos(d.description, 'gardefou: production data') > 0) THEN
      RAISE EXCEPTION 'gardefou: refused: a schema or table of % carries production''s mark: production data was restored here', current_database();
    END IF;
  END IF;
  RETURN 'gardefou: ' || expected || ' proven: database ' || current_database() || ' (OID ' || live_oid || ')';
END
"#;

/// The triggers, as `pg_get_triggerdef` prints them, one per line in name order.
pub(crate) const TRIGGERS: [(&str, &str); 6] = [
    (
        "gardefou_protect_history",
        "CREATE TRIGGER gardefou_protect_history BEFORE DELETE OR UPDATE ON gardefou.stamp_history FOR EACH ROW EXECUTE FUNCTION gardefou.protect_stamp()",
    ),
    (
        "gardefou_protect_history_truncate",
        "CREATE TRIGGER gardefou_protect_history_truncate BEFORE TRUNCATE ON gardefou.stamp_history FOR EACH STATEMENT EXECUTE FUNCTION gardefou.protect_stamp()",
    ),
    (
        "gardefou_protect_lineage",
        "CREATE TRIGGER gardefou_protect_lineage BEFORE DELETE OR UPDATE ON gardefou.lineage FOR EACH ROW EXECUTE FUNCTION gardefou.protect_stamp()",
    ),
    (
        "gardefou_protect_lineage_truncate",
        "CREATE TRIGGER gardefou_protect_lineage_truncate BEFORE TRUNCATE ON gardefou.lineage FOR EACH STATEMENT EXECUTE FUNCTION gardefou.protect_stamp()",
    ),
    (
        "gardefou_protect_stamp",
        "CREATE TRIGGER gardefou_protect_stamp BEFORE DELETE OR UPDATE ON gardefou.stamp FOR EACH ROW EXECUTE FUNCTION gardefou.protect_stamp()",
    ),
    (
        "gardefou_protect_stamp_truncate",
        "CREATE TRIGGER gardefou_protect_stamp_truncate BEFORE TRUNCATE ON gardefou.stamp FOR EACH STATEMENT EXECUTE FUNCTION gardefou.protect_stamp()",
    ),
];

/// Each gardefou table as the catalog describes it: `name:columns (! for NOT NULL):check,
/// unique, primary, exclusion and foreign-key constraints:inheritance links:indexes`, one per
/// line by name. A constraint, column, index or child added by hand (which could make a
/// restore's lineage row fail to insert, silently) changes it.
pub(crate) fn shapes_sql(schema: &str) -> String {
    format!(
        "SELECT pg_catalog.string_agg(c.relname::pg_catalog.text || ':' || \
           (SELECT pg_catalog.string_agg(a.attname::pg_catalog.text || CASE WHEN a.attnotnull THEN '!' ELSE '' END, ',' ORDER BY a.attnum) \
              FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) || ':' || \
           (SELECT pg_catalog.count(*) FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid AND k.contype IN ('c', 'u', 'p', 'x', 'f', 't')) || ':' || \
           (SELECT pg_catalog.count(*) FROM pg_catalog.pg_inherits i WHERE i.inhparent = c.oid OR i.inhrelid = c.oid) || ':' || \
           (SELECT pg_catalog.count(*) FROM pg_catalog.pg_index x WHERE x.indrelid = c.oid), \
           E'\\n' ORDER BY c.relname COLLATE \"C\") \
         FROM pg_catalog.pg_class c WHERE c.relnamespace = {schema} AND c.relkind IN ('r', 'p')"
    )
}

/// [`shapes_sql`]'s value for the tables gardefou creates.
pub(crate) const SHAPES: &str = "lineage:environment!,system_identifier,database_oid!,database_name!,neon_project_id,neon_branch_id,marked_at!:1:0:0\n\
stamp:singleton!,format!,environment!,system_identifier,database_oid!,database_name!,neon_project_id,neon_branch_id,neon_timeline_id,neon_endpoint_id,server_version!,stamped_at!,stamped_by!:4:0:1\n\
stamp_history:singleton!,format!,environment!,system_identifier,database_oid!,database_name!,neon_project_id,neon_branch_id,neon_timeline_id,neon_endpoint_id,server_version!,stamped_at!,stamped_by!,replaced_at!,replaced_by!:0:0:0";

/// The body of `gardefou.assert_environment(expected text, purpose text)`: it recomputes
/// the live identity on the server and raises unless the session's database carries a
/// valid stamp of `expected` bound to it — the triggers and tables as gardefou wrote them —
/// with none of production's marks and no way to reach other servers when `expected` is
/// not production. The same decision as the Rust probe's, minus what only the policy file
/// knows (which Neon endpoints and pinned servers belong to which environment).
pub(crate) fn assert_body() -> String {
    let triggers: Vec<String> = TRIGGERS
        .iter()
        .map(|(name, def)| format!("{name} {def}"))
        .collect();
    ASSERT_TEMPLATE
        .replace("@TRIGGERS@", &literal(&triggers.join("\n")))
        .replace(
            "@SHAPES_SQL@",
            &shapes_sql("'gardefou'::pg_catalog.regnamespace"),
        )
        .replace("@SHAPES@", &literal(SHAPES))
}

/// A SQL string literal.
pub(crate) fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The SQL proof function: `SELECT gardefou.assert_environment('sandbox', 'seed')` raises
/// unless the session's database proves that environment for that purpose.
pub const ASSERT_FUNCTION: &str = "gardefou.assert_environment";

/// What every `gardefou db stamp` (re)installs, idempotently: the lineage table, both
/// functions with the bodies above, and exactly the triggers above. Older stamps are
/// upgraded by it; the stamp row is left alone.
pub(crate) fn install() -> String {
    let mut sql = String::from(
        "CREATE TABLE IF NOT EXISTS gardefou.lineage (
  environment text NOT NULL CHECK (environment = 'production'),
  system_identifier text,
  database_oid oid NOT NULL,
  database_name text NOT NULL,
  neon_project_id text,
  neon_branch_id text,
  marked_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE gardefou.lineage IS 'gardefou: production''s mark on its data; a restore of a production dump appends it (docs/identity.md)';
",
    );
    let _ = write!(
        sql,
        "CREATE OR REPLACE FUNCTION gardefou.protect_stamp() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $gardefou${PROTECT_BODY}$gardefou$;\n\
         CREATE OR REPLACE FUNCTION gardefou.assert_environment(expected text, purpose text DEFAULT 'run') RETURNS text LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $gardefou${}$gardefou$;\n",
        assert_body()
    );
    // Exactly gardefou's triggers: any other trigger on these tables goes.
    sql.push_str(
        "DO $gardefou$ DECLARE t record; BEGIN
  FOR t IN SELECT tg.tgname, c.relname FROM pg_catalog.pg_trigger tg JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
     WHERE c.relnamespace = 'gardefou'::pg_catalog.regnamespace AND NOT tg.tgisinternal LOOP
    EXECUTE pg_catalog.format('DROP TRIGGER %I ON gardefou.%I', t.tgname, t.relname);
  END LOOP;
END $gardefou$;\n",
    );
    for (_, def) in TRIGGERS {
        sql.push_str(def);
        sql.push_str(";\n");
    }
    sql.push_str(
        "-- Any role may add production's mark (a restore run by a least-privilege role must carry
-- it): an insert can only make a database refuse. Reading the stamp needs the grants.
REVOKE ALL ON SCHEMA gardefou FROM PUBLIC;
GRANT USAGE ON SCHEMA gardefou TO PUBLIC;
REVOKE ALL ON gardefou.stamp, gardefou.stamp_history, gardefou.lineage FROM PUBLIC;
GRANT INSERT ON gardefou.lineage TO PUBLIC;
REVOKE ALL ON FUNCTION gardefou.assert_environment(text, text) FROM PUBLIC;
ALTER TABLE gardefou.stamp DISABLE ROW LEVEL SECURITY;
ALTER TABLE gardefou.stamp_history DISABLE ROW LEVEL SECURITY;
ALTER TABLE gardefou.lineage DISABLE ROW LEVEL SECURITY;
",
    );
    sql
}

/// The grants that let a least-privilege role run the proof (read the stamp and the
/// lineage, call the SQL proof), with `role` already quoted as an identifier.
pub fn grants(role: &str) -> String {
    format!(
        "GRANT USAGE ON SCHEMA gardefou TO {role};\n\
         GRANT SELECT ON gardefou.stamp, gardefou.lineage TO {role};\n\
         GRANT EXECUTE ON FUNCTION gardefou.assert_environment(text, text) TO {role};\n"
    )
}

/// `name` as a quoted SQL identifier.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Fingerprints of function bodies that earlier gardefou versions wrote: a database
/// stamped by one reads as outdated (`gardefou db stamp` upgrades it), not as tampered.
/// Changing [`PROTECT_BODY`] or [`assert_body`] means adding the old fingerprint here.
pub(crate) const PREVIOUS_FINGERPRINTS: &[&str] = &[];

/// The fingerprint the probe compares a function against: SHA-256 (hex) of its body,
/// then `|`, its `SECURITY DEFINER` flag and its settings, as the identity query builds it.
pub(crate) fn function_fingerprint(body: &str, definer: bool) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, body.as_bytes());
    let hex = gardefou_edges::hex::encode(digest.as_ref());
    format!(
        "{hex}|{}|search_path=pg_catalog, pg_temp|plpgsql",
        if definer { "t" } else { "f" }
    )
}

/// What is wrong with the objects the probe relies on, if anything: `Outdated` when an
/// older gardefou stamped the database (objects missing), `Invalid` when they were changed.
pub(crate) fn integrity(c: &Catalog) -> Option<StampState> {
    let mut missing = Vec::new();
    if !c.lineage {
        missing.push("gardefou.lineage");
    }
    if c.assert_fn.is_none() {
        missing.push("gardefou.assert_environment()");
    }
    if c.protect_fn.is_none() {
        missing.push("gardefou.protect_stamp()");
    }
    for (name, current) in [
        ("gardefou.protect_stamp()", &c.protect_fn),
        ("gardefou.assert_environment()", &c.assert_fn),
    ] {
        if current
            .as_deref()
            .is_some_and(|f| PREVIOUS_FINGERPRINTS.contains(&f))
        {
            missing.push(name);
        }
    }
    if !missing.is_empty() {
        return Some(StampState::Outdated(missing.join(", ")));
    }
    let mut changed = Vec::new();
    if c.protect_fn.as_deref() != Some(function_fingerprint(PROTECT_BODY, false).as_str()) {
        changed.push(tr!(
            "gardefou.protect_stamp() is not the function gardefou wrote",
            "gardefou.protect_stamp() n'est pas la fonction que gardefou a écrite"
        ));
    }
    if c.assert_fn.as_deref() != Some(function_fingerprint(&assert_body(), true).as_str()) {
        changed.push(tr!(
            "gardefou.assert_environment() is not the function gardefou wrote",
            "gardefou.assert_environment() n'est pas la fonction que gardefou a écrite"
        ));
    }
    // Each trigger enabled the normal way (`O`: origin and local, `A`: always), bound to
    // gardefou's function, and no other trigger on gardefou's tables.
    let mut seen = Vec::new();
    for line in &c.triggers {
        let (enabled, def) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        match TRIGGERS.iter().find(|(_, d)| *d == def) {
            Some((name, _)) if enabled == "O" || enabled == "A" => seen.push(*name),
            Some((name, _)) => changed.push(tr!(
                "trigger {name} is not enabled (tgenabled {enabled}: ENABLE REPLICA or DISABLE)",
                "le trigger {name} n'est pas activé (tgenabled {enabled} : ENABLE REPLICA ou DISABLE)"
            )),
            None => {
                let trigger = def.split(" ON ").next().unwrap_or(def);
                changed.push(tr!(
                    "a trigger gardefou did not write is on its tables: {trigger}",
                    "un trigger que gardefou n'a pas écrit est sur ses tables : {trigger}"
                ))
            }
        }
    }
    for (name, _) in TRIGGERS {
        if !seen.contains(&name) && !changed.iter().any(|m: &Text| m.en().contains(name)) {
            changed.push(tr!(
                "trigger {name} is missing or changed",
                "le trigger {name} est absent ou modifié"
            ));
        }
    }
    if c.shapes.as_deref() != Some(SHAPES) {
        changed.push(tr!(
            "a gardefou table was altered (a column, constraint, index or child table added or removed)",
            "une table de gardefou a été modifiée (une colonne, une contrainte, un index ou une table enfant ajouté ou retiré)"
        ));
    }
    if !c.altered_relations.is_empty() {
        let altered = c.altered_relations.join(", ");
        changed.push(tr!(
            "row security, rules or a non-table in the gardefou schema: {altered}",
            "sécurité par ligne, règles ou objet autre qu'une table dans le schéma gardefou : {altered}"
        ));
    }
    if c.replication_role != "origin" {
        let role = &c.replication_role;
        changed.push(tr!(
            "session_replication_role is {role}, so the stamp's triggers do not fire",
            "session_replication_role vaut {role} : les triggers du tampon ne se déclenchent pas"
        ));
    }
    if changed.is_empty() {
        None
    } else {
        let join = |lang| {
            changed
                .iter()
                .map(|t| t.get(lang))
                .collect::<Vec<_>>()
                .join("; ")
        };
        Some(StampState::Invalid(Text::new(
            format!(
                "the protection of gardefou.stamp was changed: {}",
                join(gardefou_findings::Lang::En)
            ),
            format!(
                "la protection de gardefou.stamp a été modifiée : {}",
                join(gardefou_findings::Lang::Fr)
            ),
        )))
    }
}

/// The server pin text written on production's database row (`COMMENT ON DATABASE`).
pub(crate) fn server_pin(system_identifier: Option<&str>, neon_branch: Option<&str>) -> String {
    format!(
        "gardefou: production server; system_identifier={}; neon_branch_id={}",
        system_identifier.unwrap_or("-"),
        neon_branch.unwrap_or("-")
    )
}

/// The mark production's stamp writes on each application schema and table (`COMMENT ON
/// SCHEMA`, `COMMENT ON TABLE`); a restore that recreates their comments carries it
/// (`pg_restore -n` keeps table comments, not the schema's).
pub(crate) const DATA_MARK: &str = "gardefou: production data";
/// The start of every server pin.
pub(crate) const PIN_MARK: &str = "gardefou: production server";
