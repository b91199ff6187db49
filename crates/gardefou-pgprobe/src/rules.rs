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
        "start the database or fix DATABASE_URL; a server gardefou cannot ask is never assumed safe",
        "Le serveur de base de données n'a pas pu être interrogé sur son identité dans le délai de connexion : connexion refusée, erreur DNS, échec TLS ou d'authentification, ou serveur muet.",
        "démarrer la base de données ou corriger DATABASE_URL ; un serveur que gardefou ne peut pas interroger n'est jamais présumé sûr");
    /// Identity that a client or a copy could have set is no identity.
    DATABASE_IDENTITY_FORGED = ("database-identity-forged", "5.1",
        "A server setting that gardefou reads as identity (`neon.project_id`, `neon.branch_id`, `neon.endpoint_id`, `neon.tenant_id`, `neon.timeline_id`) was set by a client, a session, `ALTER DATABASE … SET` or `ALTER ROLE … SET`, not by the server's configuration.",
        "remove the setting (ALTER DATABASE … RESET / ALTER ROLE … RESET); identity comes from the server, never from a client",
        "Un paramètre serveur que gardefou lit comme identité (`neon.project_id`, `neon.branch_id`, `neon.endpoint_id`, `neon.tenant_id`, `neon.timeline_id`) a été fixé par un client, une session, `ALTER DATABASE … SET` ou `ALTER ROLE … SET`, et non par la configuration du serveur.",
        "supprimer le paramètre (ALTER DATABASE … RESET / ALTER ROLE … RESET) ; l'identité vient du serveur, jamais d'un client");
    /// Nothing physical to bind a stamp to.
    DATABASE_IDENTITY_UNAVAILABLE = ("database-identity-unavailable", "5.1",
        "The server exposes neither a system identifier (`pg_control_system()`) nor a Neon branch id, so nothing a copy would lose can be checked.",
        "let the role execute pg_control_system(), or connect to a Neon compute that sets neon.branch_id",
        "Le serveur n'expose ni identifiant système (`pg_control_system()`) ni identifiant de branche Neon : rien de ce qu'une copie perdrait ne peut être vérifié.",
        "autoriser le rôle à exécuter pg_control_system(), ou se connecter à un compute Neon qui définit neon.branch_id");
    /// The live server must be the policy's server for this environment.
    DATABASE_SERVER_ENVIRONMENT_MISMATCH = ("database-server-environment-mismatch", "4.1",
        "The server says it is a Neon endpoint that the policy gives to another environment, or to none, or its system identifier or Neon branch is pinned to another environment (or is not among this environment's pins), whatever the URL's host (a tunnel or a forwarder in front of another database).",
        "point DATABASE_URL at this environment's database, or list the server under the right [database.<environment>] neon_endpoints, system_identifiers or neon_branches",
        "Le serveur se présente comme un endpoint Neon que la politique attribue à un autre environnement, ou à aucun, ou son identifiant système ou sa branche Neon est épinglé à un autre environnement (ou ne fait pas partie des épingles de cet environnement), quel que soit l'hôte de l'URL (un tunnel ou un relais devant une autre base).",
        "faire pointer DATABASE_URL sur la base de données de cet environnement, ou lister le serveur sous le bon [database.<environment>] neon_endpoints, system_identifiers ou neon_branches");
    /// A server that holds production holds only production.
    DATABASE_PRODUCTION_SERVER = ("database-production-server", "4.1",
        "A database of this server carries production's server pin (written by `gardefou db stamp` in production, in the server's shared catalog): every database on it is production, whatever its own stamp. In production: the server is not the one the production stamp pinned.",
        "point DATABASE_URL at a server of this environment; never create sandbox or local databases on production's server",
        "Une base de ce serveur porte l'épingle serveur de la production (écrite par `gardefou db stamp` en production, dans le catalogue partagé du serveur) : toute base qu'il héberge est de la production, quel que soit son propre tampon. En production : le serveur n'est pas celui qu'a épinglé le tampon de production.",
        "faire pointer DATABASE_URL sur un serveur de cet environnement ; ne jamais créer de base sandbox ou locale sur le serveur de la production");
    /// Production data restored into another database is still production data.
    DATABASE_PRODUCTION_DATA = ("database-production-data", "4.1",
        "The database holds production's mark on its data: rows of `gardefou.lineage` or a schema comment written by the production stamp, carried here by a restore of a production dump.",
        "never restore production data outside production (§2); drop this database, create it empty and stamp it",
        "La base de données porte la marque de la production sur ses données : des lignes de `gardefou.lineage` ou un commentaire de schéma écrits par le tampon de production, arrivés ici par la restauration d'un dump de production.",
        "ne jamais restaurer de données de production hors de la production (§2) ; supprimer cette base, la recréer vide et la tamponner");
    /// Behind a transaction-mode pooler, a connection is not one session.
    DATABASE_CONNECTION_MOVED = ("database-connection-moved", "5.1",
        "A transaction on a connection the pool had proven reached another server or database than the one proven: a transaction-mode pooler (PgBouncer, Supavisor) gave it another session, after a re-point or a fail-over.",
        "point the pooler back at this environment's database; the pool proves new connections again once it is healthy",
        "Une transaction, sur une connexion que le pool avait prouvée, a atteint un autre serveur ou une autre base que celle prouvée : un pooler en mode transaction (PgBouncer, Supavisor) lui a donné une autre session, après un changement de cible ou une bascule.",
        "refaire pointer le pooler sur la base de données de cet environnement ; le pool prouve à nouveau les nouvelles connexions une fois rétabli");
    /// A proven session must not reach another server from inside the database.
    DATABASE_FOREIGN_ACCESS = ("database-foreign-access", "4.1",
        "Outside production, the database can reach other servers from inside a proven session: a foreign server (`postgres_fdw`), or the `postgres_fdw` or `dblink` extension. A query through it could read or write production whatever the session proved.",
        "DROP SERVER … CASCADE and DROP EXTENSION postgres_fdw / dblink in this database",
        "Hors production, la base de données peut atteindre d'autres serveurs depuis une session prouvée : un serveur distant (`postgres_fdw`), ou l'extension `postgres_fdw` ou `dblink`. Une requête passant par là pourrait lire ou écrire la production, quoi qu'ait prouvé la session.",
        "DROP SERVER … CASCADE et DROP EXTENSION postgres_fdw / dblink dans cette base");
    /// The proof needs to read the stamp.
    DATABASE_PROOF_NOT_GRANTED = ("database-proof-not-granted", "5.1",
        "The database role may not read what the proof needs (`USAGE` on schema `gardefou`, `SELECT` on `gardefou.stamp` and `gardefou.lineage`, `EXECUTE` on `gardefou.assert_environment`), so the database cannot prove which environment it is.",
        "as the stamping role: gardefou db stamp --grant <role> (or run the GRANT statements the message lists)",
        "Le rôle de base de données n'a pas le droit de lire ce dont la preuve a besoin (`USAGE` sur le schéma `gardefou`, `SELECT` sur `gardefou.stamp` et `gardefou.lineage`, `EXECUTE` sur `gardefou.assert_environment`) : la base ne peut pas prouver de quel environnement elle est.",
        "avec le rôle qui a tamponné : gardefou db stamp --grant <role> (ou exécuter les instructions GRANT que liste le message)");
    /// The stamp predates the proof's objects.
    DATABASE_STAMP_OUTDATED = ("database-stamp-outdated", "5.1",
        "The stamp was written by an older gardefou: objects the proof needs (`gardefou.lineage`, `gardefou.assert_environment`) are missing.",
        "run gardefou db stamp again with the same KOOMY_ENV: it installs them and keeps the stamp",
        "Le tampon a été écrit par une version plus ancienne de gardefou : des objets nécessaires à la preuve (`gardefou.lineage`, `gardefou.assert_environment`) manquent.",
        "relancer gardefou db stamp avec le même KOOMY_ENV : il les installe et conserve le tampon");
    /// Every database carries its environment's stamp.
    DATABASE_STAMP_MISSING = ("database-stamp-missing", "5.1",
        "The database carries no gardefou stamp, so nothing says which environment it belongs to (a warning for local databases when `[database.local] allow_unstamped = true`).",
        "stamp it once: KOOMY_ENV=<environment> gardefou db stamp (see docs/identity.md)",
        "La base de données ne porte aucun tampon gardefou : rien ne dit à quel environnement elle appartient (avertissement pour les bases locales quand `[database.local] allow_unstamped = true`).",
        "la tamponner une fois : KOOMY_ENV=<environment> gardefou db stamp (voir docs/identity.md)", ErrorOrWarning);
    /// The stamp names the environment.
    DATABASE_STAMP_ENVIRONMENT_MISMATCH = ("database-stamp-environment-mismatch", "5.1",
        "The database is stamped for another environment than `KOOMY_ENV`.",
        "point DATABASE_URL at this environment's database, or correct KOOMY_ENV",
        "La base de données est tamponnée pour un autre environnement que `KOOMY_ENV`.",
        "faire pointer DATABASE_URL sur la base de données de cet environnement, ou corriger KOOMY_ENV");
    /// A stamp is bound to the physical database it was written in.
    DATABASE_STAMP_IDENTITY_MISMATCH = ("database-stamp-identity-mismatch", "4.1",
        "The stamp records another database's identity (system identifier, database OID, Neon project/branch/timeline): this database is a copy, a restore or a branch of the stamped one.",
        "do not use a copy of another environment's database; create this environment's database and stamp it",
        "Le tampon enregistre l'identité d'une autre base (identifiant système, OID de la base, projet/branche/timeline Neon) : cette base est une copie, une restauration ou une branche de la base tamponnée.",
        "ne pas utiliser une copie de la base d'un autre environnement ; créer la base de cet environnement et la tamponner");
    /// The stamp table must be gardefou's.
    DATABASE_STAMP_INVALID = ("database-stamp-invalid", "5.1",
        "The `gardefou.stamp` table cannot be read as gardefou wrote it: unknown format or environment, several rows, not a table, row security or rules on gardefou's tables, a trigger missing, disabled, `ENABLE REPLICA` or added, or a gardefou function whose body is not the one gardefou wrote.",
        "inspect the gardefou schema by hand; drop it only if you know which environment this database is, then stamp again",
        "La table `gardefou.stamp` ne peut pas être lue telle que gardefou l'a écrite : format ou environnement inconnu, plusieurs lignes, pas une table, sécurité des lignes ou règles sur les tables de gardefou, trigger manquant, désactivé, en `ENABLE REPLICA` ou ajouté, ou fonction gardefou dont le corps n'est pas celui que gardefou a écrit.",
        "inspecter le schéma gardefou à la main ; ne le supprimer que si l'on sait de quel environnement est cette base, puis la tamponner à nouveau");
    /// `gardefou db stamp` never changes a production stamp's environment.
    STAMP_PRODUCTION_PERMANENT = ("stamp-production-permanent", "4.1",
        "`gardefou db stamp` was asked to stamp a database that carries a production stamp as another environment. A production stamp is permanent, and a copy of production is production.",
        "use a database created for this environment, never a copy of production",
        "On a demandé à `gardefou db stamp` de tamponner comme un autre environnement une base qui porte un tampon de production. Un tampon de production est définitif, et une copie de la production est de la production.",
        "utiliser une base créée pour cet environnement, jamais une copie de la production");
    /// Replacing a stamp is explicit.
    STAMP_REPLACE_REQUIRED = ("stamp-replace-required", "5.1",
        "`gardefou db stamp` found a stamp of another environment, or one bound to another identity, and `--replace` did not name that stamp's environment.",
        "check that this is the database you mean, then pass --replace <the stamp's environment>",
        "`gardefou db stamp` a trouvé un tampon d'un autre environnement, ou lié à une autre identité, et `--replace` ne nommait pas l'environnement de ce tampon.",
        "vérifier que c'est bien la base voulue, puis passer --replace <environnement du tampon>");
    /// A seed runs only where the policy allows it.
    SEED_ENVIRONMENT_REFUSED = ("seed-environment-refused", "6",
        "`gardefou seed` with a `KOOMY_ENV` that the policy does not allow to seed (only `sandbox`, and `local` when `[seed] environments` lists it).",
        "seed only with KOOMY_ENV=sandbox (or local when [seed] environments allows it)",
        "`gardefou seed` avec un `KOOMY_ENV` que la politique n'autorise pas à recevoir un seed (seulement `sandbox`, et `local` quand `[seed] environments` le liste).",
        "ne lancer un seed qu'avec KOOMY_ENV=sandbox (ou local quand [seed] environments l'autorise)");
    /// A seed never touches anything that looks like production.
    SEED_PRODUCTION_MARKER = ("seed-production-marker", "6",
        "`gardefou seed` found a production marker on the server: a production stamp (even one bound to another identity: a copy of production), production's server pin or data mark, or a Neon endpoint, branch or system identifier the policy lists as production.",
        "never seed this database; seed a sandbox database created empty and stamped sandbox",
        "`gardefou seed` a trouvé une marque de production sur le serveur : un tampon de production (même lié à une autre identité : une copie de la production), l'épingle serveur ou la marque de données de la production, ou un endpoint, une branche ou un identifiant système Neon que la politique liste comme production.",
        "ne jamais lancer de seed sur cette base ; le lancer sur une base sandbox créée vide et tamponnée sandbox");
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
