//! Embedded SQL migrations, applied at start in one transaction.
//!
//! The applied versions live in `koomy_api.schema_migrations` with the SHA-256 of each
//! file. A database that records a migration this binary does not have (a newer release
//! ran against it) or whose recorded checksum differs from the embedded file (a migration
//! was edited after it shipped) is refused: the schema is not what this code expects.

use anyhow::{bail, Context, Result};
use tokio_postgres::Transaction;

/// One migration: version, name, SQL.
pub struct Migration {
    pub version: i32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order. Versions are dense from 1.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "organisations_and_members",
        sql: include_str!("../migrations/0001_organisations_and_members.sql"),
    },
    Migration {
        version: 2,
        name: "membership_fees",
        sql: include_str!("../migrations/0002_membership_fees.sql"),
    },
];

/// Serialises concurrent starts: `pg_advisory_xact_lock` on a fixed key.
const LOCK_KEY: i64 = 0x6b6f_6f6d_795f_6170; // "koomy_ap"

fn checksum(sql: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, sql.as_bytes());
    gardefou_edges::hex::encode(digest.as_ref())
}

/// Applies the pending migrations inside `tx` (the caller commits); returns how many were
/// applied.
pub async fn apply(tx: &Transaction<'_>) -> Result<usize> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await?;
    tx.batch_execute(
        "CREATE SCHEMA IF NOT EXISTS koomy_api;
         CREATE TABLE IF NOT EXISTS koomy_api.schema_migrations (
             version    integer PRIMARY KEY,
             name       text NOT NULL,
             checksum   text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         );",
    )
    .await
    .context("cannot create koomy_api.schema_migrations")?;
    let applied = tx
        .query(
            "SELECT version, name, checksum FROM koomy_api.schema_migrations ORDER BY version",
            &[],
        )
        .await?;
    for (i, row) in applied.iter().enumerate() {
        let (version, name, sum): (i32, String, String) = (row.get(0), row.get(1), row.get(2));
        if version != i as i32 + 1 {
            bail!("koomy_api.schema_migrations is not a dense sequence from 1 (found {version} at position {}): the schema was altered by hand", i + 1);
        }
        match MIGRATIONS.iter().find(|m| m.version == version) {
            None => bail!(
                "the database has migration {version} ({name}), which this koomy-api does not know: run a newer release"
            ),
            Some(m) if checksum(m.sql) != sum || m.name != name => bail!(
                "migration {version} ({name}) in the database differs from the one in this koomy-api: a shipped migration was edited"
            ),
            Some(_) => {}
        }
    }
    let mut count = 0;
    for m in MIGRATIONS.iter().skip(applied.len()) {
        tx.batch_execute(m.sql)
            .await
            .with_context(|| format!("migration {} ({}) failed", m.version, m.name))?;
        tx.execute(
            "INSERT INTO koomy_api.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            &[&m.version, &m.name, &checksum(m.sql)],
        )
        .await?;
        tracing::info!(version = m.version, name = m.name, "migration applied");
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_dense_and_ordered() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i32 + 1, "{}", m.name);
            assert!(!m.sql.trim().is_empty());
        }
    }
}
