//! The catalog of the startup guard's rules: one stable id, one policy section, one fix.
//!
//! This list is a source of `docs/rules.md` (the `gardefou` crate's `docs` test regenerates
//! and compares it), so a rule that exists here is documented, and a documented rule exists.

pub use gardefou_findings::Rule;

gardefou_findings::rules! {
    /// Every rule of the startup guard, in documentation order.
    ALL;
    /// `KOOMY_ENV` is required.
    KOOMY_ENV_MISSING = ("koomy-env-missing", "3",
        "`KOOMY_ENV` is not set.",
        "set KOOMY_ENV to production, sandbox or local",
        "`KOOMY_ENV` n'est pas définie.",
        "définir KOOMY_ENV à production, sandbox ou local");
    /// `KOOMY_ENV` takes exactly one of the policy's values.
    KOOMY_ENV_INVALID = ("koomy-env-invalid", "3",
        "`KOOMY_ENV` is not exactly `production`, `sandbox` or `local` (no other case, no spaces, no synonyms such as `prod` or `staging`).",
        "set KOOMY_ENV to exactly production, sandbox or local",
        "`KOOMY_ENV` ne vaut pas exactement `production`, `sandbox` ou `local` (pas d'autre casse, pas d'espaces, pas de synonymes comme `prod` ou `staging`).",
        "définir KOOMY_ENV à exactement production, sandbox ou local");
    /// `NODE_ENV` is required.
    NODE_ENV_MISSING = ("node-env-missing", "3",
        "`NODE_ENV` is not set.",
        "set NODE_ENV to production or development",
        "`NODE_ENV` n'est pas définie.",
        "définir NODE_ENV à production ou development");
    /// `NODE_ENV` takes exactly one of the policy's values.
    NODE_ENV_INVALID = ("node-env-invalid", "3",
        "`NODE_ENV` is not exactly `production` or `development`.",
        "set NODE_ENV to exactly production or development",
        "`NODE_ENV` ne vaut pas exactement `production` ou `development`.",
        "définir NODE_ENV à exactement production ou development");
    /// Production runs production code.
    NODE_ENV_NOT_PRODUCTION = ("node-env-not-production", "3",
        "`KOOMY_ENV=production` with a `NODE_ENV` other than `production`.",
        "set NODE_ENV=production for a production start",
        "`KOOMY_ENV=production` avec un `NODE_ENV` autre que `production`.",
        "définir NODE_ENV=production pour un démarrage en production");
    /// A raw environment block can hold a name twice; clients disagree on which they read.
    ENVIRONMENT_DUPLICATE_VARIABLE = ("environment-duplicate-variable", "3",
        "A variable is set more than once in the process environment: the C library (libpq) and Node's `process.env` read the first value, gardefou's exec passes on the last, so the guard cannot know what the server will use.",
        "start the process with each variable set once (check the launcher that builds its environment)",
        "Une variable est définie plusieurs fois dans l'environnement du processus : la bibliothèque C (libpq) et le `process.env` de Node lisent la première valeur, l'exec de gardefou transmet la dernière, donc le garde ne peut pas savoir laquelle le serveur utilisera.",
        "lancer le processus avec chaque variable définie une seule fois (vérifier le lanceur qui construit son environnement)");
    /// `DATABASE_URL` is required.
    DATABASE_URL_MISSING = ("database-url-missing", "3",
        "`DATABASE_URL` is not set.",
        "set DATABASE_URL to this environment's PostgreSQL URL",
        "`DATABASE_URL` n'est pas définie.",
        "définir DATABASE_URL avec l'URL PostgreSQL de cet environnement");
    /// One strict grammar, read the way every client reads it.
    DATABASE_URL_INVALID = ("database-url-invalid", "5.1",
        "`DATABASE_URL` (or any other variable holding a PostgreSQL URL) is outside the strict grammar: a form that clients read differently, or that lets something other than the URL choose the server.",
        "write DATABASE_URL as postgresql://user:password@host[:port]/database[?sslmode=…]",
        "`DATABASE_URL` (ou toute autre variable contenant une URL PostgreSQL) sort de la grammaire stricte : une forme que les clients lisent différemment, ou qui laisse autre chose que l'URL choisir le serveur.",
        "écrire DATABASE_URL sous la forme postgresql://user:password@host[:port]/database[?sslmode=…]");
    /// libpq and node-postgres fill gaps from `PG*` variables.
    DATABASE_ENV_OVERRIDE = ("database-env-override", "5.1",
        "A `PG*` variable that libpq or node-postgres read is set beside `DATABASE_URL` and could redirect the connection around the guard: `PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`, `PGPASSWORD` and `PGSSLMODE` are allowed only when they say exactly what `DATABASE_URL` says, and `PGDATA`, `PGBIN`, `PGAPPNAME`, `PGCONNECT_TIMEOUT`, `PGCLIENTENCODING`, `PGDATESTYLE`, `PGTZ`, `PGLOCALEDIR` always; every other one is refused.",
        "unset the PG* variable, or make it say exactly what DATABASE_URL says",
        "Une variable `PG*` lue par libpq ou node-postgres est définie à côté de `DATABASE_URL` et pourrait détourner la connexion en contournant le garde : `PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`, `PGPASSWORD` et `PGSSLMODE` ne sont autorisées que si elles disent exactement ce que dit `DATABASE_URL`, et `PGDATA`, `PGBIN`, `PGAPPNAME`, `PGCONNECT_TIMEOUT`, `PGCLIENTENCODING`, `PGDATESTYLE`, `PGTZ`, `PGLOCALEDIR` toujours ; toute autre est refusée.",
        "supprimer la variable PG*, ou lui faire dire exactement ce que dit DATABASE_URL");
    /// The target must belong to `KOOMY_ENV`'s environment.
    DATABASE_URL_ENVIRONMENT_MISMATCH = ("database-url-environment-mismatch", "5.1",
        "`DATABASE_URL`, or any other variable holding a PostgreSQL URL (`DIRECT_URL`, `DATABASE_URL_UNPOOLED`, `POSTGRES_URL`…), points at a database that the policy gives to another environment than `KOOMY_ENV`.",
        "point DATABASE_URL at this environment's database, or correct KOOMY_ENV",
        "`DATABASE_URL`, ou toute autre variable contenant une URL PostgreSQL (`DIRECT_URL`, `DATABASE_URL_UNPOOLED`, `POSTGRES_URL`…), pointe sur une base de données que la politique attribue à un autre environnement que `KOOMY_ENV`.",
        "faire pointer DATABASE_URL sur la base de données de cet environnement, ou corriger KOOMY_ENV");
    /// Unknown targets are forbidden.
    DATABASE_URL_UNLISTED = ("database-url-unlisted", "12",
        "`DATABASE_URL`, or any other variable holding a PostgreSQL URL, points at a server that no environment of the policy lists (what is not explicitly allowed is forbidden).",
        "list the server under the right [database.<environment>] in gardefou.toml, or fix DATABASE_URL",
        "`DATABASE_URL`, ou toute autre variable contenant une URL PostgreSQL, pointe sur un serveur qu'aucun environnement de la politique ne liste (ce qui n'est pas explicitement autorisé est interdit).",
        "lister le serveur sous le bon [database.<environment>] dans gardefou.toml, ou corriger DATABASE_URL");
    /// What Node will read must be what gardefou read.
    ENV_FILE_UNMODELLED = ("env-file-unmodelled", "3",
        "Something changes which env files the server loads, or how it reads them, in a way gardefou does not model: a `DOTENV_*` / `DOTENV_CONFIG_*` option other than `DOTENV_CONFIG_PATH`, `DOTENV_CONFIG_OVERRIDE`, `DOTENV_CONFIG_DEBUG`, `DOTENV_CONFIG_QUIET` and a UTF-8 `DOTENV_CONFIG_ENCODING` (`DOTENV_KEY` decrypts a vault), a `$VAR` / `${VAR}` that dotenv-expand would expand, a `node --env-file` file with a form Node's parser reads differently from dotenv (a byte-order mark, a white-space-only line, `KEY: value`, a lone carriage return, a no-break space), or a command line that changes the server's variables out of sight: Node started more than once with different assignments, `cd`, `env --chdir`, `sudo`/`runuser`/`doas`/`chpst`, env loaders (`dotenv`, `env-cmd`, `npx dotenv-cli`), a shell script file, a login shell, or a shell string gardefou cannot parse that may set variables.",
        "remove the option, write the value without $ references, keep the env file to plain KEY=value lines, and start the server directly with the environment it needs (gardefou run -- node server.js)",
        "Quelque chose change les fichiers d'environnement que charge le serveur, ou la façon dont il les lit, d'une manière que gardefou ne modélise pas : une option `DOTENV_*` / `DOTENV_CONFIG_*` autre que `DOTENV_CONFIG_PATH`, `DOTENV_CONFIG_OVERRIDE`, `DOTENV_CONFIG_DEBUG`, `DOTENV_CONFIG_QUIET` et un `DOTENV_CONFIG_ENCODING` UTF-8 (`DOTENV_KEY` déchiffre un coffre), un `$VAR` / `${VAR}` que dotenv-expand développerait, un fichier `node --env-file` dont une forme est lue autrement par le parseur de Node que par dotenv (marque d'ordre d'octets, ligne faite seulement d'espaces, `KEY: value`, retour chariot isolé, espace insécable), ou une ligne de commande qui change les variables du serveur hors de vue : Node lancé plusieurs fois avec des affectations différentes, `cd`, `env --chdir`, `sudo`/`runuser`/`doas`/`chpst`, des chargeurs d'environnement (`dotenv`, `env-cmd`, `npx dotenv-cli`), un script shell, un shell de connexion, ou une chaîne shell que gardefou ne sait pas analyser et qui peut définir des variables.",
        "retirer l'option, écrire la valeur sans références $, limiter le fichier d'environnement à de simples lignes KEY=value, et lancer le serveur directement avec l'environnement dont il a besoin (gardefou run -- node server.js)");
    /// Production and sandbox need their databases declared.
    POLICY_DATABASE_UNCONFIGURED = ("policy-database-unconfigured", "4.1",
        "The policy lists no database for `KOOMY_ENV`'s environment, so nothing can match it.",
        "fill in [database.<environment>] neon_endpoints (or hosts) in gardefou.toml",
        "La politique ne liste aucune base de données pour l'environnement de `KOOMY_ENV` : rien ne peut y correspondre.",
        "renseigner neon_endpoints (ou hosts) sous [database.<environment>] dans gardefou.toml");
    /// The CTO approves the policy (§11): production needs it signed.
    POLICY_UNSIGNED = ("policy-unsigned", "11",
        "The policy file has no signature beside it (`gardefou.toml.sig`), or production would run on the built-in policy. Production always requires a policy file signed by the CTO; sandbox and local warn, unless `[policy] require_signature` lists them.",
        "have the CTO review the policy (gardefou policy diff) and sign it: gardefou policy sign --key ~/.ssh/id_ed25519",
        "Le fichier de politique n'a pas de signature à côté de lui (`gardefou.toml.sig`), ou la production tournerait avec la politique intégrée. La production exige toujours un fichier de politique signé par le CTO ; la sandbox et le local avertissent, sauf si `[policy] require_signature` les liste.",
        "faire relire la politique par le CTO (gardefou policy diff) et la lui faire signer : gardefou policy sign --key ~/.ssh/id_ed25519", ErrorOrWarning);
    /// A signature that does not verify is no approval (§11).
    POLICY_SIGNATURE_INVALID = ("policy-signature-invalid", "11",
        "The policy file's signature does not verify against the allowed signers: the file changed after it was signed, the key is not an allowed signer (or not for the `gardefou-policy` namespace), or the signature file is not an SSH signature. An error where a signature is required, a warning elsewhere.",
        "have the CTO review the change (gardefou policy diff) and sign it again: gardefou policy sign --key ~/.ssh/id_ed25519",
        "La signature du fichier de politique ne se vérifie pas avec les signataires autorisés : le fichier a changé après sa signature, la clé n'est pas un signataire autorisé (ou pas pour l'espace de noms `gardefou-policy`), ou le fichier de signature n'est pas une signature SSH. Erreur là où une signature est exigée, avertissement ailleurs.",
        "faire relire le changement par le CTO (gardefou policy diff) et le lui faire signer à nouveau : gardefou policy sign --key ~/.ssh/id_ed25519", ErrorOrWarning);
    /// Nothing to verify against: fail closed (§12).
    POLICY_SIGNERS_MISSING = ("policy-signers-missing", "12",
        "No allowed signers are configured, so the policy's signature cannot be verified: set `GARDEFOU_ALLOWED_SIGNERS` (the allowed signers text) or `GARDEFOU_ALLOWED_SIGNERS_FILE` (a file outside the repository) from the platform's secret store.",
        "set GARDEFOU_ALLOWED_SIGNERS in the platform's secret store to the allowed signers line that gardefou policy sign prints",
        "Aucun signataire autorisé n'est configuré, donc la signature de la politique ne peut pas être vérifiée : définir `GARDEFOU_ALLOWED_SIGNERS` (le texte des signataires autorisés) ou `GARDEFOU_ALLOWED_SIGNERS_FILE` (un fichier hors du dépôt) depuis le coffre de secrets de la plateforme.",
        "définir GARDEFOU_ALLOWED_SIGNERS dans le coffre de secrets de la plateforme avec la ligne de signataire autorisé qu'affiche gardefou policy sign", ErrorOrWarning);
    /// Allowed signers that cannot be trusted are none (§12).
    POLICY_SIGNERS_INVALID = ("policy-signers-invalid", "12",
        "The allowed signers cannot be used: both `GARDEFOU_ALLOWED_SIGNERS` and `GARDEFOU_ALLOWED_SIGNERS_FILE` are set, the file is inside the policy's repository (where a commit could change it), cannot be read, or a line does not parse.",
        "set exactly one of GARDEFOU_ALLOWED_SIGNERS or GARDEFOU_ALLOWED_SIGNERS_FILE, outside the repository, with valid allowed signers lines (gardefou policy verify names the line)",
        "Les signataires autorisés ne sont pas utilisables : `GARDEFOU_ALLOWED_SIGNERS` et `GARDEFOU_ALLOWED_SIGNERS_FILE` sont toutes deux définies, le fichier est dans le dépôt de la politique (où un commit pourrait le modifier), est illisible, ou une ligne ne s'analyse pas.",
        "définir une seule de GARDEFOU_ALLOWED_SIGNERS ou GARDEFOU_ALLOWED_SIGNERS_FILE, hors du dépôt, avec des lignes de signataires autorisés valides (gardefou policy verify indique la ligne)", ErrorOrWarning);
    /// Remote databases should be reached over TLS.
    DATABASE_URL_TLS_OPTIONAL = ("database-url-tls-optional", "1",
        "`DATABASE_URL` reaches a non-loopback server without `sslmode=require` or stricter (warning).",
        "add sslmode=require (or verify-full) to DATABASE_URL",
        "`DATABASE_URL` atteint un serveur qui n'est pas en loopback sans `sslmode=require` ou plus strict (avertissement).",
        "ajouter sslmode=require (ou verify-full) à DATABASE_URL", Warning);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for r in ALL {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(
                r.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{} is not kebab-case",
                r.id
            );
        }
    }
}
