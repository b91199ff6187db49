//! The catalog of the secrets policy's rules (§7, §9): one stable id, one policy section,
//! one fix. A source of `docs/rules.md`.

pub use gardefou_findings::Rule;

gardefou_findings::rules! {
    /// Every rule of the secrets policy, in documentation order.
    ALL;
    /// The policy file can mark secrets as required.
    SECRET_REQUIRED_MISSING = ("secret-required-missing", "3",
        "A variable that the policy file marks as required (`[secrets] required`) is not set.",
        "set the variable, or remove it from [secrets] required in gardefou.toml",
        "Une variable que le fichier de politique déclare obligatoire (`[secrets] required`) n'est pas définie.",
        "définir la variable, ou la retirer de [secrets] required dans gardefou.toml");
    /// A value that is not a value.
    SECRET_PLACEHOLDER = ("secret-placeholder", "7.1",
        "A secret holds a placeholder instead of a real value: a template marker (`<your-key>`, `${…}`, `{{…}}`, `…`, `***`), a patterned random part (`sk_live_xxx`, `sk_live_000…`) or a word such as `changeme`.",
        "put the real secret of this environment in the variable",
        "Un secret contient un texte de remplacement au lieu d'une vraie valeur : un marqueur de modèle (`<your-key>`, `${…}`, `{{…}}`, `…`, `***`), une partie aléatoire répétitive (`sk_live_xxx`, `sk_live_000…`) ou un mot comme `changeme`.",
        "mettre dans la variable le vrai secret de cet environnement");
    /// Declared secrets must be usable values.
    SECRET_MALFORMED = ("secret-malformed", "7.2",
        "A secret variable is empty, not valid UTF-8, or (kind `postgres-url`) outside the strict PostgreSQL URL grammar.",
        "set the variable to this environment's real value",
        "Une variable de secret est vide, n'est pas de l'UTF-8 valide, ou (type `postgres-url`) sort de la grammaire stricte des URL PostgreSQL.",
        "donner à la variable la vraie valeur de cet environnement");
    /// Stripe API keys have one format.
    STRIPE_KEY_MALFORMED = ("stripe-key-malformed", "7.2",
        "A Stripe API key is not exactly `sk_|rk_|pk_` + `live_|test_` + 24 to 247 letters and digits, or is not the type its variable expects (a publishable key in `STRIPE_SECRET_KEY`, …).",
        "copy the key again from the Stripe Dashboard (Developers > API keys) without quotes or spaces",
        "Une clé d'API Stripe n'est pas exactement `sk_|rk_|pk_` + `live_|test_` + 24 à 247 lettres et chiffres, ou n'est pas du type qu'attend sa variable (une clé publiable dans `STRIPE_SECRET_KEY`, …).",
        "recopier la clé depuis le Dashboard Stripe (Developers > API keys), sans guillemets ni espaces");
    /// Live in production, test elsewhere.
    STRIPE_KEY_MODE_MISMATCH = ("stripe-key-mode-mismatch", "7.2",
        "A live Stripe key outside production, or a test key in production, in any variable: keys are recognised by their shape, whatever the variable's name.",
        "use the live key only in production and test keys in sandbox and local",
        "Une clé Stripe live hors de la production, ou une clé de test en production, dans n'importe quelle variable : les clés sont reconnues à leur forme, quel que soit le nom de la variable.",
        "n'utiliser la clé live qu'en production, et les clés de test en sandbox et en local");
    /// Every provider with live and test keys: live in production, test elsewhere.
    PROVIDER_KEY_MODE_MISMATCH = ("provider-key-mode-mismatch", "7.2",
        "A live key of a provider that has live and test keys (GoCardless…; Stripe has its own rule) outside production, or a test or sandbox key in production, in any variable: the key is recognised by the shared catalogue of secret kinds, whatever the variable's name.",
        "use the provider's live key only in production, and its test or sandbox key in sandbox and local",
        "Une clé live d'un fournisseur qui a des clés live et de test (GoCardless… ; Stripe a sa propre règle) hors de la production, ou une clé de test ou sandbox en production, dans n'importe quelle variable : la clé est reconnue par le catalogue partagé des types de secrets, quel que soit le nom de la variable.",
        "n'utiliser la clé live du fournisseur qu'en production, et sa clé de test ou sandbox en sandbox et en local");
    /// Webhook signing secrets have one format.
    STRIPE_WEBHOOK_SECRET_MALFORMED = ("stripe-webhook-secret-malformed", "7.2",
        "`STRIPE_WEBHOOK_SECRET` (or a `stripe-webhook` variable) is not `whsec_` + 32 to 128 letters and digits.",
        "copy this environment's endpoint signing secret from the Stripe Dashboard (Developers > Webhooks)",
        "`STRIPE_WEBHOOK_SECRET` (ou une variable de type `stripe-webhook`) n'est pas `whsec_` + 32 à 128 lettres et chiffres.",
        "recopier le secret de signature de l'endpoint de cet environnement depuis le Dashboard Stripe (Developers > Webhooks)");
    /// SendGrid keys have one format.
    SENDGRID_KEY_MALFORMED = ("sendgrid-key-malformed", "7.2",
        "`SENDGRID_API_KEY` (or a `sendgrid` variable) is not `SG.` + 22 + `.` + 43 base64url characters.",
        "create an API key for this environment in SendGrid (Settings > API Keys) and copy it whole",
        "`SENDGRID_API_KEY` (ou une variable de type `sendgrid`) n'est pas `SG.` + 22 + `.` + 43 caractères base64url.",
        "créer une clé d'API pour cet environnement dans SendGrid (Settings > API Keys) et la copier en entier");
    /// Framework defaults and documentation examples are public.
    SECRET_WELL_KNOWN = ("secret-well-known", "7.2",
        "A JWT, session or other random secret equals a well-known value (framework default, documentation example such as `keyboard cat` or `your-256-bit-secret`), compared case-insensitively.",
        "generate a new secret: openssl rand -base64 32",
        "Un secret JWT, de session ou un autre secret aléatoire est égal à une valeur connue de tous (valeur par défaut d'un framework, exemple de documentation comme `keyboard cat` ou `your-256-bit-secret`), sans tenir compte de la casse.",
        "générer un nouveau secret : openssl rand -base64 32");
    /// 256 bits of real entropy.
    SECRET_WEAK = ("secret-weak", "7.2",
        "A JWT, session or other random secret has less than 256 bits of estimated entropy (hex and base64 are decoded; patterned values count as 0; see docs/secrets.md).",
        "generate a new secret: openssl rand -base64 32",
        "Un secret JWT, de session ou un autre secret aléatoire a moins de 256 bits d'entropie estimée (l'hexadécimal et le base64 sont décodés ; une valeur répétitive compte pour 0 ; voir docs/secrets.md).",
        "générer un nouveau secret : openssl rand -base64 32");
    /// JWT and session secrets are unique.
    SECRET_SHARED_WITHIN_ENVIRONMENT = ("secret-shared-within-environment", "7.2",
        "A JWT, session or other random secret equals the value of another secret of the same environment (e.g. `JWT_SECRET` = `SESSION_SECRET`, or the database password).",
        "give each secret its own value: openssl rand -base64 32",
        "Un secret JWT, de session ou un autre secret aléatoire est égal à la valeur d'un autre secret du même environnement (par ex. `JWT_SECRET` = `SESSION_SECRET`, ou le mot de passe de la base de données).",
        "donner à chaque secret sa propre valeur : openssl rand -base64 32");
    /// One secret = one environment.
    SECRET_REGISTERED_ELSEWHERE = ("secret-registered-elsewhere", "7.1",
        "A secret's keyed fingerprint is registered under another environment in the secrets registry: the same secret serves two environments. Every variable is compared by value, whatever its name (a production JWT secret in `JWT_REFRESH_SECRET`, a URL's password in `DIRECT_URL`).",
        "rotate the secret and give this environment its own value",
        "L'empreinte à clé d'un secret est enregistrée sous un autre environnement dans le registre des secrets : le même secret sert deux environnements. Chaque variable est comparée par sa valeur, quel que soit son nom (un secret JWT de production dans `JWT_REFRESH_SECRET`, le mot de passe d'une URL dans `DIRECT_URL`).",
        "faire tourner le secret et donner à cet environnement sa propre valeur");
    /// The registry is what makes reuse visible.
    SECRET_REGISTRY_MISSING = ("secret-registry-missing", "7.1",
        "Production or sandbox starts with secrets but no secrets registry was found, so reuse across environments cannot be checked (warning).",
        "run `gardefou secrets register` in each environment and commit gardefou.secrets.toml",
        "La production ou la sandbox démarre avec des secrets mais aucun registre des secrets n'a été trouvé : la réutilisation d'un secret entre environnements ne peut pas être vérifiée (avertissement).",
        "lancer `gardefou secrets register` dans chaque environnement et commiter gardefou.secrets.toml", Warning);
    /// Without the key, fingerprints cannot be computed.
    SECRET_REGISTRY_KEY_MISSING = ("secret-registry-key-missing", "7.1",
        "A secrets registry exists but `GARDEFOU_SECRETS_KEY` is not set, so the secrets cannot be compared with it (an error in production and sandbox, a warning in local).",
        "set GARDEFOU_SECRETS_KEY to the registry's key (kept in the secret manager, never in the repository)",
        "Un registre des secrets existe mais `GARDEFOU_SECRETS_KEY` n'est pas définie : les secrets ne peuvent pas lui être comparés (erreur en production et en sandbox, avertissement en local).",
        "définir GARDEFOU_SECRETS_KEY avec la clé du registre (conservée dans le gestionnaire de secrets, jamais dans le dépôt)", ErrorOrWarning);
    /// A wrong key matches nothing: that would silently disable the check.
    SECRET_REGISTRY_KEY_MISMATCH = ("secret-registry-key-mismatch", "7.1",
        "`GARDEFOU_SECRETS_KEY` is not the key the registry was made with (its key check differs), or it is too weak to be a key.",
        "set GARDEFOU_SECRETS_KEY to the key the registry was made with",
        "`GARDEFOU_SECRETS_KEY` n'est pas la clé avec laquelle le registre a été créé (son contrôle de clé diffère), ou elle est trop faible pour être une clé.",
        "définir GARDEFOU_SECRETS_KEY avec la clé qui a servi à créer le registre");
    /// Register what runs.
    SECRET_UNREGISTERED = ("secret-unregistered", "7.1",
        "A production or sandbox secret is not in the registry under its environment, so another environment reusing it would not be caught (warning).",
        "run `gardefou secrets register` in this environment and commit gardefou.secrets.toml",
        "Un secret de production ou de sandbox n'est pas dans le registre sous son environnement : un autre environnement qui le réutiliserait passerait inaperçu (avertissement).",
        "lancer `gardefou secrets register` dans cet environnement et commiter gardefou.secrets.toml", Warning);
    /// Low-entropy secrets are never fingerprinted.
    SECRET_TOO_WEAK_TO_REGISTER = ("secret-too-weak-to-register", "7.1",
        "A production or sandbox secret (often the database password) has less than 64 bits of estimated entropy: fingerprinting it could let a registry reader guess it, so its reuse cannot be checked (warning).",
        "use a longer random value (openssl rand -base64 32; for the database, a password generated by Neon)",
        "Un secret de production ou de sandbox (souvent le mot de passe de la base de données) a moins de 64 bits d'entropie estimée : en enregistrer l'empreinte permettrait à qui lit le registre de le deviner, donc sa réutilisation ne peut pas être vérifiée (avertissement).",
        "utiliser une valeur aléatoire plus longue (openssl rand -base64 32 ; pour la base de données, un mot de passe généré par Neon)", Warning);
    /// §7.2: DEBUG / INTERNAL forbidden in production.
    DEBUG_IN_PRODUCTION = ("debug-in-production", "7.2",
        "A `DEBUG`, `DEBUG_*`, `*_DEBUG`, `INTERNAL_*` (any `_`-separated word DEBUG or INTERNAL, any case, any value, `DEBUG_SECRET` included) variable is set in production.",
        "unset the variable in production (DEBUG / INTERNAL are allowed in sandbox and local only)",
        "Une variable `DEBUG`, `DEBUG_*`, `*_DEBUG`, `INTERNAL_*` (tout mot DEBUG ou INTERNAL séparé par `_`, quelle que soit la casse ou la valeur, `DEBUG_SECRET` compris) est définie en production.",
        "supprimer la variable en production (DEBUG / INTERNAL ne sont autorisées qu'en sandbox et en local)");
    /// A debugger in production is a remote shell.
    NODE_INSPECTOR_IN_PRODUCTION = ("node-inspector-in-production", "7.2",
        "`NODE_OPTIONS`, or the command that `gardefou run` execs, opens Node's inspector in production (`--inspect`, `--inspect-brk`, `--inspect-wait`, `--inspect-port`, `--debug-port`, `--debug…`, any spelling Node accepts): on the `node` command line after any option, behind `env`/`cross-env`/`exec`, in a `sh -c` string, in an npm/pnpm/yarn script, in `NODE_OPTIONS` set there or in a `--env-file`, or in npm's `node-options` (`npm_config_node_options`, `.npmrc`).",
        "remove the --inspect / --debug options from NODE_OPTIONS, the command line, the scripts and the npm configuration in production",
        "`NODE_OPTIONS`, ou la commande que lance `gardefou run`, ouvre l'inspecteur de Node en production (`--inspect`, `--inspect-brk`, `--inspect-wait`, `--inspect-port`, `--debug-port`, `--debug…`, sous toute graphie acceptée par Node) : sur la ligne de commande de `node` après n'importe quelle option, derrière `env`/`cross-env`/`exec`, dans une chaîne `sh -c`, dans un script npm/pnpm/yarn, dans `NODE_OPTIONS` défini là ou dans un `--env-file`, ou dans l'option `node-options` de npm (`npm_config_node_options`, `.npmrc`).",
        "retirer les options --inspect / --debug de NODE_OPTIONS, de la ligne de commande, des scripts et de la configuration npm en production");
    /// What cannot be read for sure is refused in production.
    NODE_COMMAND_UNANALYSABLE = ("node-command-unanalysable", "7.2",
        "In production, the command `gardefou run` execs holds something gardefou cannot read for sure to rule out Node's inspector: shell syntax beyond words, quotes and `&&`/`||` (`$`, `;`, pipes, redirections), a program gardefou has no rule for (a binary such as `xargs` or `flock`, a script file whose `#!` line is not `node` alone: a shell script, pm2, a shebang with options), `PATH` set to other than system directories, `env -S`, `npx`, an npm command that is not a script run, `--prefix`, an unreadable `package.json`, `.npmrc` or env file.",
        "exec the server directly (gardefou run -- node dist/server.js), or keep the npm script to plain words",
        "En production, la commande que lance `gardefou run` contient quelque chose que gardefou ne peut pas lire avec certitude pour exclure l'inspecteur de Node : une syntaxe shell au-delà des mots, des guillemets et de `&&`/`||` (`$`, `;`, pipes, redirections), un programme pour lequel gardefou n'a pas de règle (un binaire comme `xargs` ou `flock`, un script dont la ligne `#!` n'est pas `node` seul : script shell, pm2, shebang avec options), un `PATH` qui contient autre chose que des répertoires système, `env -S`, `npx`, une commande npm qui ne lance pas un script, `--prefix`, un `package.json`, `.npmrc` ou fichier d'environnement illisible.",
        "lancer le serveur directement (gardefou run -- node dist/server.js), ou limiter le script npm à de simples mots");
    /// One grammar for configured URLs.
    CONFIGURED_URL_INVALID = ("configured-url-invalid", "9",
        "A configured URL (`APP_URL`, `API_URL`, `PUBLIC_SITE_URL`, `BACKOFFICE_URL`, `ADMIN_URL`, `CORS_ORIGINS`, or a `url` / `origin-list` variable) is outside the strict grammar: not https (http only for loopback in local), user info, backslash, upper case, trailing dot, numeric host, query, fragment, a path in an origin.",
        "write it as https://<this environment's domain>[:port][/path] (an origin without path)",
        "Une URL configurée (`APP_URL`, `API_URL`, `PUBLIC_SITE_URL`, `BACKOFFICE_URL`, `ADMIN_URL`, `CORS_ORIGINS`, ou une variable de type `url` / `origin-list`) sort de la grammaire stricte : pas en https (http seulement pour le loopback en local), informations d'utilisateur, barre oblique inverse, majuscules, point final, hôte numérique, query, fragment, chemin dans une origine.",
        "l'écrire sous la forme https://<domaine de cet environnement>[:port][/chemin] (une origine sans chemin)");
    /// §9: no sandbox domain points to production, and the reverse.
    CONFIGURED_URL_OTHER_ENVIRONMENT = ("configured-url-other-environment", "9",
        "A configured URL names a domain that the §9 table gives to another environment.",
        "use this environment's domain from the §9 table",
        "Une URL configurée désigne un domaine que le tableau du §9 attribue à un autre environnement.",
        "utiliser le domaine de cet environnement donné par le tableau du §9");
    /// What is not listed is forbidden.
    CONFIGURED_URL_UNLISTED = ("configured-url-unlisted", "9",
        "A configured URL names a host that is not one of the current environment's domains (local: loopback only, unless `[domains.local]` lists names).",
        "use one of this environment's domains, or add it to [domains.<environment>] in gardefou.toml",
        "Une URL configurée désigne un hôte qui n'est pas l'un des domaines de l'environnement courant (en local : loopback seulement, sauf si `[domains.local]` liste des noms).",
        "utiliser l'un des domaines de cet environnement, ou l'ajouter à [domains.<environment>] dans gardefou.toml");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for r in ALL
            .iter()
            .chain(crate::rules::ALL)
            .chain(crate::isolation::ALL)
        {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(r.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
        }
    }
}
