//! The help in French: clap's derive help (the doc comments of `cli.rs`) is English; with
//! `--lang fr` or a French locale, every subcommand's description and every argument's help
//! are replaced from the tables below, keyed by command path and argument id. The manual
//! page and the completions stay English.

use clap::Command;

/// `command` (built: clap's own `help` and `version` included) with French descriptions.
pub fn french(mut command: Command) -> Command {
    command.build();
    localise(command, "gardefou")
}

/// clap's layout with its English heading words in French ("Arguments" and "Options" are
/// the same words).
const TEMPLATE: &str =
    "{before-help}{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}";

fn localise(mut command: Command, path: &str) -> Command {
    command = command
        .help_template(TEMPLATE)
        .subcommand_help_heading("Commandes");
    if let Some((short, more)) = about(path) {
        command = command.about(short);
        command = match more {
            Some(more) => command.long_about(format!("{short}\n\n{more}")),
            None => command.long_about(None::<&str>),
        };
    }
    let ids: Vec<String> = command
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        if let Some((short, long)) = argument(path, &id) {
            command = command.mut_arg(id, |a| a.help(short).long_help(long));
        }
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    for name in names {
        let sub = format!("{path} {name}");
        command = command.mut_subcommand(name, |c| localise(c, &sub));
    }
    command
}

/// The command that `gardefou … help X` describes: `gardefou … X`.
fn described(path: &str) -> Option<String> {
    let (before, after) = path.split_once(" help ")?;
    Some(format!("{before} {after}"))
}

/// A subcommand's French description: the short one, and what the long one adds after it.
fn about(path: &str) -> Option<(&'static str, Option<&'static str>)> {
    if let Some(target) = described(path) {
        return about(&target).map(|(short, _)| (short, None));
    }
    if path.ends_with(" help") {
        return Some((
            "Afficher ce message ou l'aide des sous-commandes données",
            None,
        ));
    }
    let (short, long) = match path {
        "gardefou" => (
            "gardefou rend la politique environnements & secrets de Koomy impossible à enfreindre par accident.",
            None,
        ),
        "gardefou check" => (
            "Vérifier l'environnement au regard de la politique et afficher chaque violation.",
            Some("Code de sortie 0 si autorisé, 1 si refusé, 2 en cas d'erreur d'utilisation ou de configuration."),
        ),
        "gardefou run" => (
            "Vérifier l'environnement, puis lancer le serveur seulement si tout est respecté.",
            Some("En cas de succès, gardefou se remplace par CMD (même PID : les signaux atteignent directement le serveur et son code de sortie est celui du processus). En cas de refus, CMD ne démarre jamais : code de sortie 1."),
        ),
        "gardefou deploy" => ("Règles de mise en production du §10 : quelle branche se déploie où.", None),
        "gardefou deploy check" => (
            "Vérifier que ce checkout peut être déployé vers TARGET et afficher chaque violation.",
            Some("La branche est --branch, sinon celle des variables de la CI (GitHub Actions, GitLab CI, CircleCI, Bitbucket, Buildkite, Azure Pipelines, Jenkins, Vercel, Netlify), sinon la branche extraite. La production exige la branche de production de la politique (main), que chaque commit absent de staging ait l'arbre d'un commit de staging (merges et squash merges de staging), un arbre de travail propre et une branche identique à sa branche amont. Code de sortie 0 si autorisé, 1 si refusé, 2 en cas d'erreur d'utilisation, de configuration ou de git."),
        ),
        "gardefou domains" => ("Règles de domaines du §9 : aucun nom de sandbox ne pointe vers la production.", None),
        "gardefou domains check" => (
            "Vérifier le tableau des domaines de la politique et afficher chaque violation.",
            Some("Sans --resolve : aucun nom dans deux environnements, des noms valides, des noms de production et de sandbox présents. Avec --resolve : suivre aussi chaque nom de production et de sandbox dans le DNS (chaînes de CNAME, A, AAAA) et refuser un nom de sandbox qui atteint un nom ou une cible de production, un nom qui ne se résout pas et une boucle de CNAME. Code de sortie 0 si autorisé, 1 si refusé, 2 en cas d'erreur d'utilisation ou de configuration."),
        ),
        "gardefou report" => (
            "La matrice d'isolation (§2, §11) : chaque ressource de chaque environnement, côte à côte.",
            Some("Une colonne par environnement (--env production=FICHIER --env sandbox=FICHIER --env local=FICHIER), une ligne par ressource : la base de données (et avec --probe son identité et son tampon), chaque autre chaîne de connexion, les clés Stripe et leur mode, le secret de webhook, la clé d'e-mail, les secrets JWT et de session, les URL configurées, les domaines du §9 (et avec --resolve leurs chaînes DNS), la branche de déploiement, les options et routes de debug. Chaque cellule dit ce qu'est la ressource (noms et empreintes à clé, jamais une valeur ni un utilisateur) et si la politique y est respectée, avec les identifiants de règle de ses constats ; un secret ou une base de données que deux environnements partagent est marqué partagé, en violation. Code de sortie 0 si chaque cellule est respectée, 1 si l'une est en violation, 2 en cas d'erreur d'utilisation ou de configuration."),
        ),
        "gardefou secrets" => ("Gérer le registre des secrets (un secret = un environnement, politique §7.1).", None),
        "gardefou secrets register" => (
            "Enregistrer les empreintes à clé des secrets de cet environnement dans le registre.",
            Some("Évalue d'abord l'environnement (un environnement refusé n'est pas enregistré), puis ajoute l'empreinte de chaque secret d'entropie suffisante sous l'environnement de KOOMY_ENV. Un secret déjà enregistré sous un autre environnement est refusé et rien n'est écrit. Nécessite GARDEFOU_SECRETS_KEY. Code de sortie 0 si écrit, 1 si refusé, 2 en cas d'erreur d'utilisation ou de configuration."),
        ),
        "gardefou db" => ("Demander à la base de données ce qu'elle est, et la tamponner avec son environnement.", None),
        "gardefou db stamp" => (
            "Écrire KOOMY_ENV dans la base de données, lié à son identité physique.",
            Some("S'exécute après le succès de la vérification statique. Un tampon de production est définitif ; remplacer tout autre tampon exige --replace avec son environnement. Code de sortie 0 si la base porte le tampon, 1 si refusé."),
        ),
        "gardefou db identity" => (
            "Afficher ce que le serveur dit être : base, adresse, version, identifiant système, identifiants Neon et tampon. Jamais l'URL, l'utilisateur ni un mot de passe.",
            None,
        ),
        "gardefou seed" => (
            "Lancer un script de seed uniquement sur une base sandbox tamponnée qui ne montre aucun signe de production.",
            Some("Exige KOOMY_ENV=sandbox (ou un environnement qu'ajoute `[seed] environments`), la vérification statique, et une base interrogée, tamponnée pour cet environnement, dont l'identité correspond, sans tampon de production ni endpoint Neon listé comme production. Sinon CMD ne démarre jamais : code de sortie 1."),
        ),
        "gardefou scan" => (
            "Trouver les secrets écrits en dur (§7.1) dans des fichiers, l'historique git ou les modifications indexées.",
            Some("N'affiche jamais un secret : chaque constat nomme la règle, le type de secret, son emplacement et une courte empreinte. Code de sortie 0 si rien n'est trouvé, 1 en cas de constats, 2 en cas d'erreur."),
        ),
        "gardefou init" => (
            "Écrire un premier gardefou.toml à partir des fichiers d'environnement de l'entreprise.",
            Some("Déduit la base de données de chaque environnement (endpoint Neon ou hôte) de sa DATABASE_URL, les secrets que définit chaque environnement déployé (`required`) et les variables contenant un secret de type inconnu ; écrit en clés commentées ce que seule une personne sait. N'écrit jamais une valeur. Code de sortie 0 si écrit, 1 si les fichiers se contredisent (rien n'est écrit), 2 en cas d'erreur d'utilisation ou de fichier existant sans --force."),
        ),
        "gardefou policy" => (
            "La politique signée (§11) : signer gardefou.toml avec la clé SSH du CTO, vérifier la signature, voir ce qu'un changement autorise avant de le signer.",
            None,
        ),
        "gardefou policy sign" => (
            "Signer le fichier de politique avec une clé privée SSH : FICHIER.sig à côté de lui.",
            Some("La signature est celle que produit `ssh-keygen -Y sign -n gardefou-policy -f KEY FILE` (chacune vérifie l'autre). Clés Ed25519 ou RSA (≥ 2048 bits) sans phrase de passe ; pour une clé avec phrase de passe, ou détenue par ssh-agent ou un jeton matériel, lancer plutôt cette commande ssh-keygen. Affiche la ligne de signataire autorisé de la clé. Code de sortie 0 si signé, 2 en cas d'erreur d'utilisation ou de configuration."),
        ),
        "gardefou policy verify" => (
            "Vérifier la signature du fichier de politique avec les signataires autorisés et dire qui a signé.",
            Some("Les signataires autorisés viennent de --allowed-signers, sinon de $GARDEFOU_ALLOWED_SIGNERS (le texte), sinon de $GARDEFOU_ALLOWED_SIGNERS_FILE — jamais d'un fichier du dépôt. Code de sortie 0 si vérifiée, 1 si refusée, 2 en cas d'erreur d'utilisation ou de configuration (aucun signataire autorisé, ou des signataires inutilisables)."),
        ),
        "gardefou policy diff" => (
            "Dire, en mots, ce que le fichier de politique autorise et que la dernière version signée n'autorisait pas.",
            Some("La dernière version signée est la plus récente de l'historique git du fichier dont le .sig commité se vérifie avec les signataires autorisés (la politique intégrée s'il n'y en a pas), ou --against FICHIER. Code de sortie 0 si rien n'est élargi, 1 si quelque chose l'est, 2 en cas d'erreur d'utilisation, de configuration ou de git."),
        ),
        "gardefou rules" => (
            "Chaque règle que signale gardefou : son identifiant, sa section de la politique, ce qu'elle refuse et la correction.",
            None,
        ),
        "gardefou rules list" => ("Lister toutes les règles, groupées par la partie de gardefou qui les signale.", None),
        "gardefou rules explain" => (
            "Expliquer une règle : sa section de la politique, ce qu'elle refuse, comment corriger.",
            None,
        ),
        "gardefou completions" => (
            "Afficher le script de complétion du shell (par ex. `gardefou completions bash > /etc/bash_completion.d/gardefou`).",
            None,
        ),
        "gardefou man" => ("Afficher la page de manuel, en roff (`gardefou man | man -l -`).", None),
        "gardefou node" => (
            "L'interface du paquet npm : juger un processus Node de l'intérieur, prouver les connexions qu'il ouvre. Voir docs/node.md.",
            None,
        ),
        "gardefou node register" => (
            "Juger le processus Node appelant (son environnement, ses options Node et son inspecteur, en objet JSON sur l'entrée standard), puis prouver la base de données. JSON sur la sortie standard.",
            None,
        ),
        "gardefou node prove" => (
            "Prouver une connexion que détient le processus appelant, dans sa propre session, par un échange de requêtes sur l'entrée et la sortie standard (lignes JSON).",
            None,
        ),
        _ => return None,
    };
    Some((short, long))
}

/// An argument's French help: (short, long).
fn argument(path: &str, id: &str) -> Option<(&'static str, Option<&'static str>)> {
    let command = path.strip_prefix("gardefou").unwrap_or(path).trim();
    let short = match (command, id) {
        (_, "help") => "Afficher l'aide",
        (_, "version") => "Afficher la version",
        (_, "color") => "Couleur des rapports lisibles : auto (sur un terminal, sauf si NO_COLOR est définie), always, never.",
        (_, "lang") => "Langue des messages et des rapports [défaut : d'après LC_ALL, LC_MESSAGES ou LANG, sinon en].",
        (_, "policy") => "Le fichier de politique [défaut : $GARDEFOU_POLICY, sinon le gardefou.toml le plus proche en remontant, sinon la politique intégrée].",
        (_, "registry") => "Le registre des secrets [défaut : gardefou.secrets.toml à côté du fichier de politique, sinon dans le répertoire courant].",
        ("rules list", "format") => "Format de sortie (markdown : le texte de docs/rules.md).",
        ("run" | "seed", "format") => "Format du rapport, sur la sortie d'erreur (la commande garde la sortie standard).",
        ("secrets register", "format") => "Format de sortie (JSON sur la sortie standard ; un refus est le rapport habituel).",
        ("report", "format") => "Format de sortie [défaut : d'après l'extension de --output (.html, .htm, .json), sinon human].",
        (_, "format") => "Format de sortie.",
        ("check", "env_file") => "Évaluer ces fichiers dotenv (lus comme les lit le dotenv de Node ; répétable, le premier fichier qui définit une variable l'emporte) au lieu de ce que verrait le serveur : l'environnement du processus et ./.env (ou $DOTENV_CONFIG_PATH), comme les lit `run`.",
        ("run" | "seed", "env_file") => "Les fichiers d'environnement que charge le serveur (répétable, dans son ordre : le premier fichier qui définit une variable l'emporte, et l'environnement du processus l'emporte sur tous), au lieu de ./.env (ou $DOTENV_CONFIG_PATH).",
        ("secrets register", "env_file") => "Enregistrer les secrets de ces fichiers dotenv (répétable ; le premier fichier qui définit une variable l'emporte) au lieu de ce que verrait le serveur (l'environnement du processus et ./.env).",
        ("db stamp", "env_file") => "Les fichiers d'environnement à lire au lieu de ./.env (répétable, le premier fichier l'emporte ; l'environnement du processus l'emporte sur tous), comme pour `run`.",
        (_, "env_file") => "Les fichiers d'environnement à lire au lieu de ./.env (répétable, le premier fichier l'emporte), comme pour `run`.",
        ("check", "probe") => "Demander aussi à la base de données ce qu'elle est : son tampon doit être celui de KOOMY_ENV et son identité doit correspondre (ce que fait toujours `run`).",
        ("report", "probe") => "Demander aussi à la base de données de chaque environnement ce qu'elle est (identité et tampon, comme `check --probe`) : deux environnements sur la même base sont partagés.",
        ("run" | "seed", "command") => "La commande à lancer — le serveur pour `run`, le script de seed pour `seed` — et ses arguments.",
        ("policy sign", "key") => "La clé privée SSH avec laquelle signer (un fichier de clé OpenSSH, par ex. ~/.ssh/id_ed25519).",
        ("policy verify", "allowed_signers") => "Le fichier des signataires autorisés (hors du dépôt) [défaut : $GARDEFOU_ALLOWED_SIGNERS, sinon $GARDEFOU_ALLOWED_SIGNERS_FILE].",
        ("policy diff", "allowed_signers") => "Le fichier des signataires autorisés (hors du dépôt), pour trouver la dernière version signée [défaut : $GARDEFOU_ALLOWED_SIGNERS, sinon $GARDEFOU_ALLOWED_SIGNERS_FILE].",
        ("policy diff", "against") => "Comparer avec cette version antérieure de la politique au lieu de la dernière version signée de l'historique git.",
        ("init", "env") => "Un fichier d'environnement et son environnement, sous la forme ENV=FICHIER (production, sandbox ou local) ; répétable [défaut : les fichiers .env.production, .env.prod, .env.sandbox, .env.staging, .env.local, .env.development et .env d'ici, chacun selon son KOOMY_ENV ou son nom]",
        ("init", "output") => "Où écrire la politique (`-` : la sortie standard).",
        ("init", "force") => "Remplacer un fichier existant.",
        ("completions", "shell") => "Le shell.",
        ("rules explain", "id") => "L'identifiant de la règle, tel que l'affichent les constats (par ex. database-url-environment-mismatch).",
        ("node register" | "node prove", "purpose") => "Ce qu'est le processus : un serveur (`run`) ou un script de seed (`seed`, §6).",
        ("node register" | "node prove", "inspector_open") => "(`prove`) L'inspecteur du processus appelant est ouvert en ce moment.",
        ("scan", "paths") => "Fichiers ou répertoires à analyser [défaut : .]. Avec --git ou --staged : le dépôt.",
        ("scan", "git") => "Analyser une fois chaque blob de l'historique git accessible depuis une référence ou le HEAD d'un arbre de travail.",
        ("scan", "staged") => "Analyser ce qui est indexé pour le prochain commit (l'index), par ex. dans un hook pre-commit.",
        ("scan", "baseline") => "Ne pas signaler les constats dont ce fichier de baseline accepte les empreintes.",
        ("scan", "write_baseline") => "Accepter tous les constats actuels : écrire leurs empreintes dans FICHIER et sortir avec 0.",
        ("deploy check", "target") => "Où va le déploiement.",
        ("deploy check", "branch") => "La branche déployée [défaut : d'après les variables de la CI, sinon la branche extraite].",
        ("deploy check", "repo") => "Un répertoire à l'intérieur du dépôt à vérifier.",
        ("domains check", "resolve") => "Résoudre les noms par le DNS.",
        ("report", "resolve") => "Suivre aussi les domaines du §9 dans le DNS (comme `domains check --resolve`).",
        (_, "nameserver") => "Le serveur de noms à interroger : IP, IP:PORT ou [IPv6]:PORT [défaut : le résolveur du système].",
        (_, "timeout") => "Secondes d'attente pour chaque réponse DNS (chaque requête est tentée deux fois).",
        ("db stamp", "replace") => "Remplacer un tampon existant de cet environnement (jamais un tampon de production par un autre environnement).",
        ("db stamp", "grant") => "Donner aussi à ce rôle de base de données ce dont la preuve a besoin (USAGE sur le schéma gardefou, SELECT sur gardefou.stamp et gardefou.lineage, EXECUTE sur gardefou.assert_environment) : pour un rôle applicatif qui ne possède pas la base.",
        ("report", "envs") => "Un environnement et ses variables (répétable, chaque environnement au plus une fois) : ENV=FICHIER lit un fichier dotenv comme le fait le dotenv de Node ; ENV=- prend ce que verrait un serveur démarré ici (l'environnement du processus et ./.env ou $DOTENV_CONFIG_PATH, comme le lit `check`). ENV vaut production, sandbox ou local.",
        ("report", "output") => "Écrire le rapport dans FICHIER au lieu de la sortie standard.",
        _ => return None,
    };
    Some((short, None))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// Every description and argument help of `command` (hidden ones excepted), by path.
    fn texts(command: &Command, path: &str, out: &mut Vec<(String, String)>) {
        let about = command
            .get_long_about()
            .or(command.get_about())
            .map(|s| s.to_string())
            .unwrap_or_default();
        out.push((path.to_owned(), about));
        for arg in command.get_arguments().filter(|a| !a.is_hide_set()) {
            let help = arg
                .get_long_help()
                .or(arg.get_help())
                .map(|s| s.to_string())
                .unwrap_or_default();
            out.push((format!("{path} --{}", arg.get_id()), help));
        }
        for sub in command.get_subcommands().filter(|c| !c.is_hide_set()) {
            texts(sub, &format!("{path} {}", sub.get_name()), out);
        }
    }

    #[test]
    fn every_subcommand_and_argument_has_a_french_description_that_is_not_the_english_one() {
        let mut english = crate::cli::Cli::command();
        english.build();
        let mut en = Vec::new();
        texts(&english, "gardefou", &mut en);
        let mut fr = Vec::new();
        texts(&french(crate::cli::Cli::command()), "gardefou", &mut fr);
        assert!(en.len() > 80, "{} texts", en.len());
        assert_eq!(
            en.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            fr.iter().map(|(p, _)| p).collect::<Vec<_>>()
        );
        let mut missing = Vec::new();
        for ((path, en), (_, fr)) in en.iter().zip(&fr) {
            assert!(!en.trim().is_empty(), "{path} has no English help");
            if fr.trim().is_empty() || fr == en {
                missing.push(format!("{path}: {en}"));
            }
        }
        assert!(missing.is_empty(), "not in French:\n{}", missing.join("\n"));
    }
}
