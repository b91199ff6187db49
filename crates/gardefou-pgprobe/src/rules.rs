//! The catalog of the live probe's, the stamp's and the seed guard's rules.
//!
//! A source of `docs/rules.md` (the `gardefou` crate's `docs` test regenerates it).

pub use gardefou_findings::Rule;

gardefou_findings::rules! {
    /// Every rule of the live probe, the stamp and the seed guard, in documentation order.
    ALL;
    /// Fail closed: a server that does not answer is refused.
    DATABASE_UNREACHABLE = ("database-unreachable", "5.1",
        "The database server could not be asked what it is within the connect timeout: refused connection, DNS error, TLS or authentication failure, or a server that stays silent.",
        "start the database or fix DATABASE_URL; a server gardefou cannot ask is never assumed safe");
    /// Identity that a client or a copy could have set is no identity.
    DATABASE_IDENTITY_FORGED = ("database-identity-forged", "5.1",
        "A server setting that gardefou reads as identity (`neon.project_id`, `neon.branch_id`, `neon.endpoint_id`, `neon.tenant_id`, `neon.timeline_id`) was set by a client, a session, `ALTER DATABASE … SET` or `ALTER ROLE … SET`, not by the server's configuration.",
        "remove the setting (ALTER DATABASE … RESET / ALTER ROLE … RESET); identity comes from the server, never from a client");
    /// Nothing physical to bind a stamp to.
    DATABASE_IDENTITY_UNAVAILABLE = ("database-identity-unavailable", "5.1",
        "The server exposes neither a system identifier (`pg_control_system()`) nor a Neon branch id, so nothing a copy would lose can be checked.",
        "let the role execute pg_control_system(), or connect to a Neon compute that sets neon.branch_id");
    /// The live server must be the policy's server for this environment.
    DATABASE_SERVER_ENVIRONMENT_MISMATCH = ("database-server-environment-mismatch", "4.1",
        "The server says it is a Neon endpoint that the policy gives to another environment, or to none, or its system identifier or Neon branch is pinned to another environment (or is not among this environment's pins), whatever the URL's host (a tunnel or a forwarder in front of another database).",
        "point DATABASE_URL at this environment's database, or list the server under the right [database.<environment>] neon_endpoints, system_identifiers or neon_branches");
    /// A server that holds production holds only production.
    DATABASE_PRODUCTION_SERVER = ("database-production-server", "4.1",
        "A database of this server carries production's server pin (written by `gardefou db stamp` in production, in the server's shared catalog): every database on it is production, whatever its own stamp. In production: the server is not the one the production stamp pinned.",
        "point DATABASE_URL at a server of this environment; never create sandbox or local databases on production's server");
    /// Production data restored into another database is still production data.
    DATABASE_PRODUCTION_DATA = ("database-production-data", "4.1",
        "The database holds production's mark on its data: rows of `gardefou.lineage` or a schema comment written by the production stamp, carried here by a restore of a production dump.",
        "never restore production data outside production (§2); drop this database, create it empty and stamp it");
    /// Behind a transaction-mode pooler, a connection is not one session.
    DATABASE_CONNECTION_MOVED = ("database-connection-moved", "5.1",
        "A transaction on a connection the pool had proven reached another server or database than the one proven: a transaction-mode pooler (PgBouncer, Supavisor) gave it another session, after a re-point or a fail-over.",
        "point the pooler back at this environment's database; the pool proves new connections again once it is healthy");
    /// A proven session must not reach another server from inside the database.
    DATABASE_FOREIGN_ACCESS = ("database-foreign-access", "4.1",
        "Outside production, the database can reach other servers from inside a proven session: a foreign server (`postgres_fdw`), or the `postgres_fdw` or `dblink` extension. A query through it could read or write production whatever the session proved.",
        "DROP SERVER … CASCADE and DROP EXTENSION postgres_fdw / dblink in this database");
    /// The proof needs to read the stamp.
    DATABASE_PROOF_NOT_GRANTED = ("database-proof-not-granted", "5.1",
        "The database role may not read what the proof needs (`USAGE` on schema `gardefou`, `SELECT` on `gardefou.stamp` and `gardefou.lineage`, `EXECUTE` on `gardefou.assert_environment`), so the database cannot prove which environment it is.",
        "as the stamping role: gardefou db stamp --grant <role> (or run the GRANT statements the message lists)");
    /// The stamp predates the proof's objects.
    DATABASE_STAMP_OUTDATED = ("database-stamp-outdated", "5.1",
        "The stamp was written by an older gardefou: objects the proof needs (`gardefou.lineage`, `gardefou.assert_environment`) are missing.",
        "run gardefou db stamp again with the same KOOMY_ENV: it installs them and keeps the stamp");
    /// Every database carries its environment's stamp.
    DATABASE_STAMP_MISSING = ("database-stamp-missing", "5.1",
        "The database carries no gardefou stamp, so nothing says which environment it belongs to (a warning for local databases when `[database.local] allow_unstamped = true`).",
        "stamp it once: KOOMY_ENV=<environment> gardefou db stamp (see docs/identity.md)");
    /// The stamp names the environment.
    DATABASE_STAMP_ENVIRONMENT_MISMATCH = ("database-stamp-environment-mismatch", "5.1",
        "The database is stamped for another environment than `KOOMY_ENV`.",
        "point DATABASE_URL at this environment's database, or correct KOOMY_ENV");
    /// A stamp is bound to the physical database it was written in.
    DATABASE_STAMP_IDENTITY_MISMATCH = ("database-stamp-identity-mismatch", "4.1",
        "The stamp records another database's identity (system identifier, database OID, Neon project/branch/timeline): this database is a copy, a restore or a branch of the stamped one.",
        "do not use a copy of another environment's database; create this environment's database and stamp it");
    /// The stamp table must be gardefou's.
    DATABASE_STAMP_INVALID = ("database-stamp-invalid", "5.1",
        "The `gardefou.stamp` table cannot be read as gardefou wrote it: unknown format or environment, several rows, not a table, row security or rules on gardefou's tables, a trigger missing, disabled, `ENABLE REPLICA` or added, or a gardefou function whose body is not the one gardefou wrote.",
        "inspect the gardefou schema by hand; drop it only if you know which environment this database is, then stamp again");
    /// `gardefou db stamp` never changes a production stamp's environment.
    STAMP_PRODUCTION_PERMANENT = ("stamp-production-permanent", "4.1",
        "`gardefou db stamp` was asked to stamp a database that carries a production stamp as another environment. A production stamp is permanent, and a copy of production is production.",
        "use a database created for this environment, never a copy of production");
    /// Replacing a stamp is explicit.
    STAMP_REPLACE_REQUIRED = ("stamp-replace-required", "5.1",
        "`gardefou db stamp` found a stamp of another environment, or one bound to another identity, and `--replace` did not name that stamp's environment.",
        "check that this is the database you mean, then pass --replace <the stamp's environment>");
    /// A seed runs only where the policy allows it.
    SEED_ENVIRONMENT_REFUSED = ("seed-environment-refused", "6",
        "`gardefou seed` with a `KOOMY_ENV` that the policy does not allow to seed (only `sandbox`, and `local` when `[seed] environments` lists it).",
        "seed only with KOOMY_ENV=sandbox (or local when [seed] environments allows it)");
    /// A seed never touches anything that looks like production.
    SEED_PRODUCTION_MARKER = ("seed-production-marker", "6",
        "`gardefou seed` found a production marker on the server: a production stamp (even one bound to another identity: a copy of production), production's server pin or data mark, or a Neon endpoint, branch or system identifier the policy lists as production.",
        "never seed this database; seed a sandbox database created empty and stamped sandbox");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for r in ALL {
            assert!(seen.insert(r.id), "duplicate {}", r.id);
            assert!(r.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
        }
    }
}
