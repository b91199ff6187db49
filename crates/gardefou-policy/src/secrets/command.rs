//! What the command `gardefou run` execs will really run, as far as Node's inspector is
//! concerned (§7.2): the `node` options wherever they hide — after options that take a
//! value (`-r dotenv/config --inspect`, `--title x --inspect`), behind `env`, in a
//! `sh -c` string, in an npm, pnpm or yarn script of `package.json` (with npm's `pre`/`post`
//! scripts), in `NODE_OPTIONS` set on the command line, in `--env-file`, or in npm's
//! `node-options` configuration (`npm_config_node_options`, `.npmrc`).
//!
//! Allowlist: a form this cannot read for sure (shell syntax beyond words, quotes and
//! `&&`/`||`, `env -S`, `npx`, a shell script file, an npm command that runs no script) is
//! reported as unanalysable, which production refuses. Pure: files are read by the caller
//! through [`Surroundings`].

use gardefou_findings::{tr, Text};

use super::debug::inspector_options;
use crate::vars::Lookup;
use crate::EnvVars;

/// The values npm reads for its configuration key `key` from the environment:
/// `npm_config_<key>` in any case, `_` and `-` alike.
fn npm_config(env: &EnvVars, key: &str) -> Vec<String> {
    let want = format!("npm_config_{}", key.replace('-', "_"));
    env.names()
        .filter(|n| n.to_ascii_lowercase().replace('-', "_") == want)
        .filter_map(|n| match env.lookup(n) {
            Lookup::Value(v) => Some(v.expose().to_owned()),
            _ => None,
        })
        .collect()
}

/// `where_: what` in both languages (`where_` is itself a [`Text`]).
macro_rules! at {
    ($where_:expr, $en:literal, $fr:literal) => {{
        let w: &Text = $where_;
        Text::new(
            format!("{}: {}", w.en(), format!($en)),
            format!("{} : {}", w.fr(), format!($fr)),
        )
    }};
}

/// `en`/`fr` followed by `where_` in the same language (`… in {where_}`).
fn ending(where_: &Text, en: String, fr: String) -> Text {
    tr!("{en}{}", "{fr}{}"; where_)
}

/// What the analysis needs from outside.
pub trait Surroundings {
    /// The script `name` of `./package.json`: `Ok(None)` when there is no such script,
    /// `Err(why)` when `package.json` cannot be read.
    fn npm_script(&self, name: &str) -> Result<Option<String>, String>;
    /// The `node-options` values of npm's configuration files (`./.npmrc`, `~/.npmrc`).
    fn npmrc_node_options(&self) -> Result<Vec<String>, String>;
    /// The environment the command starts with (npm reads its `npm_config_*` there).
    fn environment(&self) -> &EnvVars;
    /// The variable `name` of the env file `path`, as `node --env-file` reads it.
    fn env_file_var(&self, path: &str, name: &str) -> Result<Option<String>, String>;
    /// The `#!` line of `program` (a path, or a name found on the environment's `PATH`)
    /// when it is a script; `Ok(None)` for a binary or a program that cannot be found.
    fn interpreter(&self, program: &str) -> Result<Option<String>, String>;
}

/// What the command line holds.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Where the inspector is opened: `node --inspect`, `NODE_OPTIONS in npm script start`.
    pub inspector: Vec<Text>,
    /// What could not be read for sure, and why.
    pub unanalysable: Vec<Text>,
    /// `env -i`: the server starts from an empty environment (then the assignments).
    pub clears_environment: bool,
    /// `env -u NAME`: variables removed from the environment before the assignments.
    pub unset: Vec<String>,
    /// Variables the command line sets for the server (`env NAME=value`, `cross-env`, a
    /// shell's leading `NAME=value`), in order: they override the environment.
    pub assignments: Vec<(String, String)>,
    /// What changes the server's environment in a way gardefou does not model
    /// (`dotenv_config_…` arguments): refused in every environment.
    pub env_unmodelled: Vec<Text>,
    /// The env files a `node` of the command line loads (`--env-file`, anywhere), in order,
    /// and whether each may be missing (`--env-file-if-exists`).
    pub env_files: Vec<(String, bool)>,
    /// Every distinct environment a `node` of the command line starts with (what the
    /// command line changes, and the env files that `node` loads); the last one is the
    /// fields above. Each must be allowed: any of them may be the server.
    pub node_scopes: Vec<Scope>,
}

/// What the command line changes in the environment of one command that starts Node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// `env -i`, `exec -c`: the environment starts empty.
    pub clears: bool,
    /// `env -u NAME`.
    pub unset: Vec<String>,
    /// `NAME=value`, in order.
    pub assignments: Vec<(String, String)>,
    /// The env files this `node` loads (`--env-file`, `--env-file-if-exists`).
    pub env_files: Vec<(String, bool)>,
}

impl Analysis {
    /// Something that may set the server's variables where gardefou cannot see: the
    /// environment is not modelled, and the command line is not read for sure.
    fn hides_environment(&mut self, why: Text) {
        self.env_unmodelled.push(why.clone());
        self.unanalysable.push(why);
    }

    fn scope(&self) -> Scope {
        Scope {
            clears: self.clears_environment,
            unset: self.unset.clone(),
            assignments: self.assignments.clone(),
            env_files: Vec::new(),
        }
    }

    fn restore(&mut self, scope: Scope) {
        self.clears_environment = scope.clears;
        self.unset = scope.unset;
        self.assignments = scope.assignments;
    }

    /// A `node` starts here, with the environment changes in force.
    fn node_starts(&mut self) {
        let scope = self.scope();
        self.node_scopes.push(scope);
    }

    /// An env file the `node` that started last loads.
    fn node_env_file(&mut self, path: String, optional: bool) {
        if let Some(scope) = self.node_scopes.last_mut() {
            scope.env_files.push((path.clone(), optional));
        }
        self.env_files.push((path, optional));
    }
}

/// Node's options that take their value as the next argument when written without `=`.
const NODE_VALUE_OPTIONS: &[&str] = &[
    "-r",
    "--require",
    "--import",
    "--loader",
    "--experimental-loader",
    "--title",
    "-e",
    "--eval",
    "-p",
    "--print",
    "--env-file",
    "--env-file-if-exists",
    "-C",
    "--conditions",
    "--input-type",
    "--redirect-warnings",
    "--test-reporter",
    "--test-reporter-destination",
    "--watch-path",
    "--disable-warning",
    "--icu-data-dir",
    "--openssl-config",
    "--tls-keylog",
    "--diagnostic-dir",
    "--report-dir",
    "--report-directory",
    "--report-filename",
    "--report-signal",
    "--heapsnapshot-signal",
    "--cpu-prof-dir",
    "--cpu-prof-name",
    "--heap-prof-dir",
    "--heap-prof-name",
    "--trace-event-categories",
    "--trace-event-file-pattern",
    "--unhandled-rejections",
    "--experimental-default-type",
    "--localstorage-file",
    "--secure-heap",
    "--secure-heap-min",
    "--stack-trace-limit",
    "--dns-result-order",
    "--max-http-header-size",
    "--test-name-pattern",
    "--test-skip-pattern",
    "--test-concurrency",
    "--test-timeout",
    "--test-shard",
    "--watch-kill-signal",
    "--run",
    "--env-file-if-exists",
    "--experimental-sea-config",
    "--snapshot-blob",
    "--build-snapshot-config",
    "--policy-integrity",
    "--experimental-policy",
    "--inspect-publish-uid",
    "--trace-require-module",
    "--network-family-autoselection-attempt-timeout",
    "--max-old-space-size",
    "--max-semi-space-size",
    "--stack-size",
    "--v8-pool-size",
    "--use-largepages",
    "--tls-cipher-list",
    "--tls-min-v1.0",
    "--unhandled-rejections",
    // From `node --help` (Node 20-22): options written `--opt=...` there also take the
    // next word as their value.
    "--allow-fs-read",
    "--allow-fs-write",
    "--cpu-prof-interval",
    "--disable-proto",
    "--heap-prof-interval",
    "--heapsnapshot-near-heap-limit",
    "--experimental-config-file",
];

/// Programs that run their arguments as a command after options of their own
/// (`dumb-init node …`, `tini -- node …`, `timeout 60 node …`).
const EXEC_WRAPPERS: &[&str] = &[
    "dumb-init",
    "tini",
    "nice",
    "timeout",
    "setsid",
    "stdbuf",
    "ionice",
    "chrt",
    "taskset",
    "catatonit",
];

/// The programs this analysis reads; a wrapper's command starts at the first of them.
fn analysed(program: &str) -> bool {
    let name = base(program);
    name.starts_with("node")
        || matches!(
            name,
            "env"
                | "cross-env"
                | "exec"
                | "nohup"
                | "command"
                | "time"
                | "sh"
                | "bash"
                | "dash"
                | "zsh"
                | "ash"
                | "ksh"
                | "npm"
                | "pnpm"
                | "yarn"
                | "npx"
                | "pnpx"
                | "bunx"
                | "dotenv"
                | "dotenvx"
                | "env-cmd"
        )
        || NODE_WRAPPERS.contains(&name)
}

/// Programs that pass Node's options through (`tsx --inspect`, `nodemon --inspect`).
const NODE_WRAPPERS: &[&str] = &["tsx", "ts-node", "ts-node-dev", "nodemon"];

const MAX_DEPTH: usize = 8;

/// Analyses `argv` (program first).
pub fn analyse(argv: &[String], ctx: &dyn Surroundings) -> Analysis {
    let mut out = Analysis::default();
    let here = tr!("the command line", "la ligne de commande");
    argv_in(argv, ctx, &here, 0, &mut out);
    // The environment the server gets is the one in force where its Node starts.
    // Assignments scoped to one command (`A=1 cmd && node s.js`, a `prestart` script) do
    // not reach the others; which Node is the server cannot be told, so each distinct
    // environment is judged. The fields above describe the last one.
    let mut scopes: Vec<Scope> = Vec::new();
    for scope in std::mem::take(&mut out.node_scopes) {
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    if let Some(last) = scopes.last().cloned() {
        out.env_files = last.env_files.clone();
        out.restore(last);
    }
    out.node_scopes = scopes;
    out
}

fn base(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

fn node_options_value(value: &str, where_: &Text, out: &mut Analysis) {
    for opt in inspector_options(value) {
        out.inspector.push(ending(
            where_,
            format!("{opt} in NODE_OPTIONS set by "),
            format!("{opt} dans NODE_OPTIONS défini par "),
        ));
    }
}

fn argv_in(
    argv: &[String],
    ctx: &dyn Surroundings,
    where_: &Text,
    depth: usize,
    out: &mut Analysis,
) {
    let Some((program, args)) = argv.split_first() else {
        return;
    };
    if depth > MAX_DEPTH {
        out.unanalysable.push(at!(
            where_,
            "scripts nest deeper than {MAX_DEPTH} levels",
            "les scripts s'imbriquent sur plus de {MAX_DEPTH} niveaux"
        ));
        return;
    }
    let name = base(program);
    match name {
        "node" | "nodejs" => node(args, ctx, where_, out),
        // `node20`, `node-18`: Node by another name.
        n if n.starts_with("node") && !NODE_WRAPPERS.contains(&n) => node(args, ctx, where_, out),
        // `gosu USER CMD…`, `su-exec USER[:GROUP] CMD…`: the user, then the command (the
        // user may well be named `node`).
        "gosu" | "su-exec" => {
            if let Some((_, command)) = args.split_first() {
                argv_in(command, ctx, where_, depth + 1, out);
            }
        }
        // They reset or rebuild the environment (sudo's env_reset, login shells, chpst -e):
        // not modelled.
        "sudo" | "doas" | "runuser" | "su" | "chpst" | "setpriv" => {
            out.env_unmodelled.push(at!(
                where_,
                "{name} changes the server's environment (reset, login shell or loaded files) in ways gardefou does not model; use gosu or su-exec, or set the user in the container",
                "{name} change l'environnement du serveur (réinitialisation, shell de connexion ou fichiers chargés) d'une façon que gardefou ne modélise pas ; utilisez gosu ou su-exec, ou fixez l'utilisateur dans le conteneur"
            ));
            out.unanalysable.push(at!(
                where_,
                "{name}'s command line is not read",
                "la ligne de commande de {name} n'est pas lue"
            ));
        }
        // The directory changes: ./.env and relative env files would be other files.
        "cd" | "pushd" => out.env_unmodelled.push(at!(
            where_,
            "{name} changes the directory the server reads ./.env and its env files from; run gardefou from that directory, or give the server's paths from here",
            "{name} change le répertoire d'où le serveur lit ./.env et ses fichiers d'environnement ; lancez gardefou depuis ce répertoire, ou donnez les chemins du serveur depuis ici"
        )),
        w if EXEC_WRAPPERS.contains(&w) => {
            // The command starts at the first program this analysis reads, else at the
            // first word that is not an option (`nice ./serve`, `timeout 1d serve`).
            let start = args
                .iter()
                .position(|a| analysed(a))
                .or_else(|| args.iter().position(|a| !a.starts_with('-')));
            if let Some(i) = start {
                argv_in(&args[i..], ctx, where_, depth + 1, out);
            }
        }
        "env" | "cross-env" => env(args, ctx, where_, depth, out),
        // Its arguments are one shell command.
        "cross-env-shell" => shell_string(&args.join(" "), ctx, where_, depth + 1, out),
        // Run their arguments as a command: `exec node …`, `nohup node …`.
        "exec" | "nohup" | "command" | "time" => {
            let mut i = 0;
            while let Some(a) = args.get(i).filter(|a| a.starts_with('-') && a.len() > 1) {
                match (name, a.as_str()) {
                    // `exec -a NAME`, GNU `time -f FORMAT` / `-o FILE`: a value follows.
                    ("exec", "-a") | ("time", "-f" | "-o" | "--format" | "--output") => i += 1,
                    // `exec -c`: the command starts with an empty environment.
                    ("exec", f) if f.contains('c') => {
                        out.clears_environment = true;
                        out.unset.clear();
                        out.assignments.clear();
                        if f.contains('l') {
                            out.env_unmodelled.push(at!(
                                where_,
                                "exec -l starts a login shell's environment",
                                "exec -l démarre l'environnement d'un shell de connexion"
                            ));
                        }
                    }
                    ("exec", f) if f.contains('l') => out.env_unmodelled.push(at!(
                        where_,
                        "exec -l starts a login shell's environment",
                        "exec -l démarre l'environnement d'un shell de connexion"
                    )),
                    _ => {}
                }
                i += 1;
            }
            argv_in(&args[i.min(args.len())..], ctx, where_, depth + 1, out)
        }
        "dotenv" | "dotenvx" | "env-cmd" => {
            out.hides_environment(at!(
                where_,
                "{name} loads variables gardefou does not read",
                "{name} charge des variables que gardefou ne lit pas"
            ));
        }
        "sh" | "bash" | "dash" | "zsh" | "ash" | "ksh" => {
            shell(name, args, ctx, where_, depth, out)
        }
        "npm" | "pnpm" | "yarn" => package_manager(name, args, ctx, where_, depth, out),
        "npx" | "pnpx" | "bunx" => {
            // A package that loads env files (dotenv-cli, env-cmd, dotenvx) changes the
            // server's variables in every environment.
            let package = args.iter().find(|a| !a.starts_with('-')).map(|a| base(a));
            if package.is_some_and(|p| {
                let p = p.split('@').next().unwrap_or(p);
                p.starts_with("dotenv") || p.starts_with("env-cmd") || p.starts_with("@dotenvx")
            }) || args.iter().any(|a| a.starts_with("@dotenvx"))
            {
                out.env_unmodelled.push(at!(
                    where_,
                    "{name} runs a package that loads variables gardefou does not read",
                    "{name} lance un paquet qui charge des variables que gardefou ne lit pas"
                ));
            }
            out.unanalysable.push(at!(
                where_,
                "{name} runs a package gardefou cannot see into",
                "{name} lance un paquet dont gardefou ne voit pas le contenu"
            ));
        }
        w if NODE_WRAPPERS.contains(&w) => {
            out.node_starts();
            for a in args.iter().take_while(|a| *a != "--") {
                for opt in inspector_options(a) {
                    out.inspector.push(ending(
                        where_,
                        format!("{w} {opt} in "),
                        format!("{w} {opt} dans "),
                    ));
                }
            }
        }
        // Any other program: a binary is not Node; a script is read by its `#!` line.
        _ if HARMLESS.contains(&name) => {}
        _ => match ctx.interpreter(program) {
            // A program gardefou has no rule for: it may start anything. In production
            // only programs gardefou reads may start the server; in every environment, an
            // assignment among its arguments is an environment gardefou does not see.
            Ok(None) => opaque(name, args, where_, out),
            Ok(Some(line)) => {
                let words: Vec<&str> = line.trim_start_matches("#!").split_whitespace().collect();
                let node_alone = match words.as_slice() {
                    [interp] => matches!(base(interp), "node" | "nodejs"),
                    [env, interp] => base(env) == "env" && matches!(*interp, "node" | "nodejs"),
                    _ => false,
                };
                if node_alone {
                    // `./server.js` with `#!/usr/bin/env node`: `node ./server.js`. A tool
                    // written in Node (concurrently, pm2) may start what its arguments say.
                    let mut with_script = vec![program.clone()];
                    with_script.extend(args.iter().cloned());
                    node(&with_script, ctx, where_, out);
                    scan_arguments(name, args, where_, out);
                } else {
                    let line = line.trim();
                    let why = at!(
                        where_,
                        "{name} is a script run by `{line}`, which gardefou does not read",
                        "{name} est un script lancé par `{line}`, que gardefou ne lit pas"
                    );
                    // A shell script may set variables before it starts the server.
                    if ["sh", "bash", "dash", "zsh", "ash", "ksh"]
                        .iter()
                        .any(|sh| words.iter().any(|w| base(w) == *sh))
                    {
                        out.env_unmodelled.push(why.clone());
                    }
                    out.unanalysable.push(why);
                }
            }
            Err(why) => out
                .unanalysable
                .push(at!(where_, "{name}: {why}", "{name} : {why}")),
        },
    }
}

fn node(args: &[String], ctx: &dyn Surroundings, where_: &Text, out: &mut Analysis) {
    out.node_starts();
    // dotenv/config also reads `dotenv_config_<option>=value` from the arguments.
    if args
        .iter()
        .any(|a| a.to_ascii_lowercase().starts_with("dotenv_config_"))
    {
        out.env_unmodelled.push(at!(
            where_,
            "a dotenv_config_… argument changes what dotenv loads",
            "un argument dotenv_config_… change ce que charge dotenv"
        ));
    }
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--" || !a.starts_with('-') || a == "-" {
            break;
        }
        for opt in inspector_options(a) {
            out.inspector.push(ending(
                where_,
                format!("node {opt} in "),
                format!("node {opt} dans "),
            ));
        }
        let (opt_name, inline) = match a.split_once('=') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (a, None),
        };
        let normalised = opt_name.replace('_', "-");
        let takes_value = NODE_VALUE_OPTIONS.contains(&normalised.as_str());
        let value = match (&inline, takes_value) {
            (Some(v), _) => Some(v.clone()),
            (None, true) => {
                i += 1;
                args.get(i).cloned()
            }
            (None, false) => {
                // An option this list does not know, followed by a word that does not look
                // like a script: it may be the option's value, with more options after it.
                if let Some(next) = args.get(i + 1) {
                    let script_like = next.contains('/') || next.contains('.');
                    if opt_name.starts_with("--") && !next.starts_with('-') && !script_like {
                        out.unanalysable.push(at!(
                            where_,
                            "node {opt_name} {next}: an option gardefou does not know, with what may be its value",
                            "node {opt_name} {next} : une option que gardefou ne connaît pas, suivie de ce qui est peut-être sa valeur"
                        ));
                        return;
                    }
                }
                None
            }
        };
        if normalised == "--env-file" || normalised == "--env-file-if-exists" {
            if let Some(path) = value {
                out.node_env_file(path.clone(), normalised == "--env-file-if-exists");
                match ctx.env_file_var(&path, "NODE_OPTIONS") {
                    Ok(Some(v)) => node_options_value(
                        &v,
                        &tr!("the env file {path}", "le fichier d'environnement {path}"),
                        out,
                    ),
                    Ok(None) => {}
                    Err(why) => out.unanalysable.push(at!(
                        where_,
                        "node {normalised} {path}: {why}",
                        "node {normalised} {path} : {why}"
                    )),
                }
            }
        }
        i += 1;
    }
}

/// Records `word` when it is a `NAME=value` assignment (and checks a `NODE_OPTIONS` one for
/// the inspector); whether it was one. A shell takes only identifiers as names (`shell`);
/// `env` takes any name before the first `=`.
fn assignment(word: &str, shell: bool, where_: &Text, out: &mut Analysis) -> bool {
    let Some((name, value)) = word.split_once('=') else {
        return false;
    };
    let identifier =
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if shell && !identifier {
        return false;
    }
    if name == "NODE_OPTIONS" {
        node_options_value(value, where_, out);
    }
    // PATH made of system directories only finds the system's `node`; any other entry
    // (`./bin`) may hold a `node` that is something else.
    const SYSTEM: &[&str] = &[
        "/usr/local/bin",
        "/usr/bin",
        "/bin",
        "/usr/local/sbin",
        "/usr/sbin",
        "/sbin",
    ];
    if name == "PATH" && !value.split(':').all(|d| SYSTEM.contains(&d)) {
        out.unanalysable.push(at!(
            where_,
            "PATH is set to other than system directories: which `node` runs is not known",
            "PATH contient autre chose que des répertoires système : on ne sait pas quel `node` s'exécute"
        ));
    }
    out.assignments.push((name.to_owned(), value.to_owned()));
    true
}

/// Programs that never start another program nor change the environment of one: shell
/// builtins and common file utilities, as they appear in npm scripts (`mkdir -p logs &&`).
const HARMLESS: &[&str] = &[
    ":", "true", "false", "echo", "printf", "test", "[", "exit", "wait", "sleep", "mkdir", "rm",
    "cp", "mv", "ln", "touch", "cat", "ls", "chmod", "chown", "date", "pwd", "whoami", "id",
    "uname", "rmdir",
];

/// Inspector options and assignments anywhere in the arguments of a program that may
/// start another (`concurrently "node --inspect s.js"`, `xargs env DATABASE_URL=… node`).
fn scan_arguments(name: &str, args: &[String], where_: &Text, out: &mut Analysis) {
    let mut previous_is_option = false;
    let mut sets = None;
    for arg in args {
        for token in arg.split_whitespace() {
            for opt in inspector_options(token) {
                out.inspector.push(ending(
                    where_,
                    format!("{opt} in the arguments of {name} in "),
                    format!("{opt} dans les arguments de {name} dans "),
                ));
            }
            let assignment = token.split_once('=').is_some_and(|(n, _)| {
                n.bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                    && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            });
            if (assignment && !previous_is_option)
                || matches!(token, "env" | "cross-env" | "export" | "source")
            {
                sets.get_or_insert_with(|| token.split('=').next().unwrap_or(token).to_owned());
            }
            previous_is_option = token.starts_with('-');
        }
    }
    if let Some(what) = sets {
        out.env_unmodelled.push(at!(
            where_,
            "{name} is given {what}… among its arguments: it may start the server with variables gardefou does not see",
            "{name} reçoit {what}… parmi ses arguments : il peut démarrer le serveur avec des variables que gardefou ne voit pas"
        ));
    }
}

/// A program gardefou has no rule for.
fn opaque(name: &str, args: &[String], where_: &Text, out: &mut Analysis) {
    out.unanalysable.push(at!(
        where_,
        "{name} is a program gardefou does not read (it may start the server itself)",
        "{name} est un programme que gardefou ne lit pas (il peut démarrer le serveur lui-même)"
    ));
    scan_arguments(name, args, where_, out);
}

/// `env -u NAME`: the variable is gone from the server's environment, whatever set it before.
fn unset(name: &str, out: &mut Analysis) {
    out.assignments.retain(|(n, _)| n != name);
    out.unset.push(name.to_owned());
}

fn env(args: &[String], ctx: &dyn Surroundings, where_: &Text, depth: usize, out: &mut Analysis) {
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "--" => {
                i += 1;
                break;
            }
            "-i" | "--ignore-environment" | "-" => {
                out.clears_environment = true;
                out.unset.clear();
                out.assignments.clear();
            }
            "-0" | "--null" | "-v" | "--debug" => {}
            "-u" | "--unset" => {
                i += 1;
                if let Some(name) = args.get(i) {
                    unset(name, out);
                }
            }
            _ if a.starts_with("--unset=") => unset(&a["--unset=".len()..], out),
            _ if a.starts_with("-u") => unset(&a[2..], out),
            "-C" | "--chdir" => {
                out.env_unmodelled.push(at!(
                    where_,
                    "env --chdir moves the server to a directory whose env files gardefou does not read",
                    "env --chdir place le serveur dans un répertoire dont gardefou ne lit pas les fichiers d'environnement"
                ));
                i += 1;
            }
            _ if a.starts_with("--chdir=") || a.starts_with("-C") => {
                out.env_unmodelled.push(at!(
                    where_,
                    "env --chdir moves the server to a directory whose env files gardefou does not read",
                    "env --chdir place le serveur dans un répertoire dont gardefou ne lit pas les fichiers d'environnement"
                ));
            }
            _ if a == "-S" || a.starts_with("-S") || a.starts_with("--split-string") => {
                out.hides_environment(at!(
                    where_,
                    "env -S splits a string gardefou does not read",
                    "env -S découpe une chaîne que gardefou ne lit pas"
                ));
                return;
            }
            _ if a.starts_with('-') => {
                out.hides_environment(at!(
                    where_,
                    "an env option gardefou does not know",
                    "une option de env que gardefou ne connaît pas"
                ));
                return;
            }
            _ if assignment(a, false, where_, out) => {}
            _ => break,
        }
        i += 1;
    }
    argv_in(&args[i.min(args.len())..], ctx, where_, depth + 1, out);
}

fn shell(
    name: &str,
    args: &[String],
    ctx: &dyn Surroundings,
    where_: &Text,
    depth: usize,
    out: &mut Analysis,
) {
    login_shell(name, args, where_, out);
    // `sh -c STRING`, the flags possibly grouped (`-ec`, `-lc`).
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a.starts_with('-') && a.len() > 1 && !a.starts_with("--") {
            if a.contains('c') {
                match args.get(i + 1) {
                    Some(code) => {
                        let inner =
                            ending(where_, format!("{name} -c in "), format!("{name} -c dans "));
                        shell_string(code, ctx, &inner, depth + 1, out)
                    }
                    None => out.unanalysable.push(at!(
                        where_,
                        "{name} -c without a command",
                        "{name} -c sans commande"
                    )),
                }
                return;
            }
            i += 1;
            continue;
        }
        break;
    }
    // The script may set variables before it starts the server.
    out.hides_environment(at!(
        where_,
        "{name} runs a script file gardefou does not read",
        "{name} lance un fichier de script que gardefou ne lit pas"
    ));
}

/// A login or interactive shell first reads profile files that may set variables.
fn login_shell(name: &str, args: &[String], where_: &Text, out: &mut Analysis) {
    let login = args.iter().take_while(|a| a.starts_with('-')).any(|a| {
        a == "--login"
            || (a.starts_with('-') && !a.starts_with("--") && (a.contains('l') || a.contains('i')))
    });
    if login {
        out.env_unmodelled.push(at!(
            where_,
            "{name} -l/-i reads profile files that may set the server's variables",
            "{name} -l/-i lit des fichiers de profil qui peuvent définir les variables du serveur"
        ));
    }
}

/// Reads a shell command string made of words, quotes, leading `NAME=value` assignments
/// and `&&` / `||` between commands; anything else is unanalysable.
pub fn shell_string(
    code: &str,
    ctx: &dyn Surroundings,
    where_: &Text,
    depth: usize,
    out: &mut Analysis,
) {
    let commands = match split_shell(code) {
        Ok(c) => c,
        Err(why) => {
            out.unanalysable.push(tr!("{}: {}", "{} : {}"; where_, why));
            if let Some(what) = may_set_variables(code) {
                // Not only the inspector: the server's environment is unknown. Refused in
                // every environment.
                let (why_en, why_fr) = (why.en(), why.fr());
                out.env_unmodelled.push(at!(
                    where_,
                    "a shell string gardefou cannot read ({why_en}) may set the server's variables ({what}); keep it to words, quotes, `&&`, `||` and leading NAME=value",
                    "une chaîne shell que gardefou ne sait pas lire ({why_fr}) peut définir les variables du serveur ({what}) ; limitez-la à des mots, des guillemets, `&&`, `||` et des NAME=value en tête"
                ));
            }
            return;
        }
    };
    for words in commands {
        // `export NAME=value …` sets variables for the commands that follow.
        if words.first().map(String::as_str) == Some("export") {
            for w in &words[1..] {
                if !assignment(w, true, where_, out) {
                    out.unanalysable.push(at!(
                        where_,
                        "an export gardefou does not read",
                        "un export que gardefou ne lit pas"
                    ));
                }
            }
            continue;
        }
        // `NAME=value cmd` sets NAME for cmd only.
        let before = out.scope();
        let mut rest = words.as_slice();
        while let Some((first, tail)) = rest.split_first() {
            if !assignment(first, true, where_, out) {
                break;
            }
            rest = tail;
        }
        argv_in(rest, ctx, where_, depth, out);
        if !rest.is_empty() {
            out.restore(before);
        }
    }
}

/// What in a shell string gardefou cannot parse could change the environment of the
/// commands it runs: a command that starts with `NAME=value`, or a builtin that sets,
/// loads or removes variables (`export`, `source`, `.`, `eval`, `set`, `unset`…). Commands
/// are cut at every shell separator, quotes not honoured: an argument such as
/// `psql -v ON_ERROR_STOP=1` is not a command's first word and does not count.
fn may_set_variables(code: &str) -> Option<String> {
    const BUILTINS: &[&str] = &[
        "export",
        "source",
        ".",
        "eval",
        "set",
        "unset",
        "declare",
        "typeset",
        "readonly",
        "local",
        "read",
        "env",
        "exec",
        "cd",
        "pushd",
        "cross-env",
    ];
    // Words that may come before a command's first word.
    const PREFIXES: &[&str] = &[
        "then", "do", "else", "elif", "if", "while", "until", "!", "time",
    ];
    let separators = |c: char| ";|&(){}`\n\r".contains(c);
    for segment in code.split(separators) {
        let mut words = segment
            .split(|c: char| c.is_whitespace() || c == '\'' || c == '"')
            .filter(|w| !w.is_empty())
            .skip_while(|w| PREFIXES.contains(w))
            .peekable();
        if let Some(first) = words.peek() {
            if BUILTINS.contains(first) {
                return Some(format!("`{first}`"));
            }
        }
        // An assignment anywhere but as an option's value (`psql -v ON_ERROR_STOP=1`):
        // `timeout 5 env DATABASE_URL=… node`, `nice cross-env A=1 node`.
        let mut previous_is_option = false;
        for word in words {
            if let Some((name, _)) = word.split_once('=') {
                let identifier = name
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                    && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
                if identifier && !previous_is_option {
                    return Some(format!("{name}=…"));
                }
            }
            if matches!(word, "env" | "cross-env" | "export") {
                return Some(format!("`{word}`"));
            }
            previous_is_option = word.starts_with('-');
        }
    }
    None
}

/// Splits a shell string into commands (at `&&` and `||`) of words. Refuses what a shell
/// would expand or redirect: `$`, backquotes, `;`, `|`, `&`, `<`, `>`, `(`, `)`, `{`, `}`,
/// `\`, newlines, globs are harmless and kept as words.
fn split_shell(code: &str) -> Result<Vec<Vec<String>>, Text> {
    let mut commands = vec![Vec::new()];
    // The word being read, if any (`''` is a word, an empty one).
    let mut word: Option<String> = None;
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => w.push(ch),
                        None => return Err(tr!("an unterminated quote", "un guillemet non fermé")),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('$' | '`' | '\\') => {
                            return Err(tr!(
                                "an expansion or escape inside double quotes",
                                "une expansion ou un échappement entre guillemets doubles"
                            ))
                        }
                        Some(ch) => w.push(ch),
                        None => return Err(tr!("an unterminated quote", "un guillemet non fermé")),
                    }
                }
            }
            ' ' | '\t' => end_word(&mut commands, &mut word),
            '&' | '|' if chars.peek() == Some(&c) => {
                chars.next();
                end_word(&mut commands, &mut word);
                commands.push(Vec::new());
            }
            '$' | '`' | ';' | '|' | '&' | '<' | '>' | '(' | ')' | '{' | '}' | '\\' | '\n'
            | '\r' => {
                return Err(tr!(
                    "shell syntax ({c:?}) gardefou does not read",
                    "une syntaxe shell ({c:?}) que gardefou ne lit pas"
                ));
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    end_word(&mut commands, &mut word);
    if commands.iter().any(Vec::is_empty) {
        return Err(tr!("an empty command", "une commande vide"));
    }
    Ok(commands)
}

/// Ends the word being read, if any: the last command's next word.
fn end_word(commands: &mut [Vec<String>], word: &mut Option<String>) {
    if let (Some(w), Some(last)) = (word.take(), commands.last_mut()) {
        last.push(w);
    }
}

fn package_manager(
    name: &str,
    args: &[String],
    ctx: &dyn Surroundings,
    where_: &Text,
    depth: usize,
    out: &mut Analysis,
) {
    if name == "npm" || name == "pnpm" {
        // npm (and pnpm) pass their `node-options` configuration to every script as
        // NODE_OPTIONS: from `npm_config_node_options` in any case, `--node-options`, .npmrc.
        for v in npm_config(ctx.environment(), "node-options") {
            let here = Text::new("npm_config_node_options", "npm_config_node_options");
            node_options_value(&v, &here, out);
        }
        for key in ["userconfig", "globalconfig", "prefix"] {
            if !npm_config(ctx.environment(), key).is_empty() {
                out.unanalysable.push(at!(
                    where_,
                    "npm's {key} is set: npm reads configuration gardefou does not",
                    "le {key} de npm est défini : npm lit une configuration que gardefou ne lit pas"
                ));
            }
        }
        let mut words = args.iter().peekable();
        while let Some(a) = words.next() {
            let a = a.replace('_', "-");
            if let Some(v) = a.strip_prefix("--node-options=") {
                let here = format!("{name} --node-options");
                node_options_value(v, &Text::new(here.clone(), here), out);
            } else if a == "--node-options" {
                if let Some(v) = words.next() {
                    let here = format!("{name} --node-options");
                    node_options_value(v, &Text::new(here.clone(), here), out);
                }
            }
        }
        match ctx.npmrc_node_options() {
            Ok(values) => {
                for v in values {
                    if v.contains("${") {
                        out.unanalysable.push(at!(
                            where_,
                            ".npmrc node-options expands a variable",
                            "node-options de .npmrc développe une variable"
                        ));
                    }
                    let here = tr!(".npmrc node-options", "node-options de .npmrc");
                    node_options_value(&v, &here, out);
                }
            }
            Err(why) => out
                .unanalysable
                .push(at!(where_, ".npmrc: {why}", ".npmrc : {why}")),
        }
    }
    // Options that run another package.json, anywhere before `--`.
    for a in args.iter().take_while(|a| *a != "--") {
        let a = a.as_str();
        if matches!(
            a,
            "--prefix"
                | "-C"
                | "--cwd"
                | "--dir"
                | "-w"
                | "--workspace"
                | "--workspaces"
                | "-ws"
                | "--filter"
                | "-r"
                | "--recursive"
                | "--include-workspace-root"
        ) || [
            "--prefix=",
            "--cwd=",
            "--dir=",
            "--workspace=",
            "--workspaces=",
            "--filter=",
        ]
        .iter()
        .any(|p| a.starts_with(p))
        {
            out.hides_environment(at!(
                where_,
                "{name} {a} runs a package.json gardefou does not read",
                "{name} {a} lance un package.json que gardefou ne lit pas"
            ));
            return;
        }
    }
    let mut words = args.iter().map(String::as_str);
    let mut sub = None;
    for a in words.by_ref() {
        if a.starts_with('-') {
            continue;
        }
        sub = Some(a);
        break;
    }
    // `npm run X -- ARGS`: npm appends ARGS to the script's command.
    let mut extra = String::new();
    if let Some(i) = args.iter().position(|a| a == "--") {
        for a in &args[i + 1..] {
            if a.contains('\'') {
                out.unanalysable.push(at!(
                    where_,
                    "an argument after -- holds a quote gardefou does not rewrite",
                    "un argument après -- contient un guillemet que gardefou ne réécrit pas"
                ));
                return;
            }
            extra.push_str(&format!(" '{a}'"));
        }
    }
    let script = match sub {
        Some("start") => "start".to_owned(),
        Some("test" | "t" | "tst") => "test".to_owned(),
        Some("run" | "run-script" | "rum" | "urn") => match words.find(|a| !a.starts_with('-')) {
            Some(s) => s.to_owned(),
            None => return,
        },
        // yarn and pnpm run a script named as the subcommand.
        Some(s) if name != "npm" && ctx.npm_script(s).ok().flatten().is_some() => s.to_owned(),
        Some(s) => {
            out.unanalysable.push(at!(
                where_,
                "{name} {s} is not a script run gardefou reads",
                "{name} {s} n'est pas un lancement de script que gardefou lit"
            ));
            return;
        }
        None => return,
    };
    let mut scripts = vec![script.clone()];
    if name == "npm" {
        scripts.insert(0, format!("pre{script}"));
        scripts.push(format!("post{script}"));
    }
    for s in scripts {
        match ctx.npm_script(&s) {
            Ok(Some(code)) => {
                // Each script runs in a shell of its own: its assignments end with it.
                let before = out.scope();
                let code = if s == script && !extra.is_empty() {
                    format!("{code} {extra}")
                } else {
                    code
                };
                let here = tr!("{name} script {s}", "le script {s} de {name}");
                shell_string(&code, ctx, &here, depth + 1, out);
                out.restore(before);
            }
            Ok(None) => {}
            Err(why) => {
                out.unanalysable
                    .push(at!(where_, "package.json: {why}", "package.json : {why}"));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[derive(Default)]
    struct Ctx {
        scripts: HashMap<String, String>,
        npmrc: Vec<String>,
        env: EnvVars,
        env_files: HashMap<String, String>,
        programs: HashMap<String, String>,
    }

    impl Surroundings for Ctx {
        fn npm_script(&self, name: &str) -> Result<Option<String>, String> {
            Ok(self.scripts.get(name).cloned())
        }
        fn npmrc_node_options(&self) -> Result<Vec<String>, String> {
            Ok(self.npmrc.clone())
        }
        fn environment(&self) -> &EnvVars {
            &self.env
        }
        fn env_file_var(&self, path: &str, name: &str) -> Result<Option<String>, String> {
            match self.env_files.get(path) {
                Some(v) if name == "NODE_OPTIONS" => Ok(Some(v.clone())),
                Some(_) => Ok(None),
                None => Err("no such file".into()),
            }
        }
        fn interpreter(&self, program: &str) -> Result<Option<String>, String> {
            Ok(self.programs.get(program).cloned())
        }
    }

    fn argv(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_owned).collect()
    }

    /// `sh -c CODE`: a shell string, as a server manifest may give it.
    fn sh_c(code: &str) -> Vec<String> {
        ["sh", "-c", code].map(str::to_owned).to_vec()
    }

    fn opened(cmd: &str, ctx: &Ctx) -> bool {
        let a = analyse(&argv(cmd), ctx);
        assert!(a.unanalysable.is_empty(), "{cmd}: {a:?}");
        !a.inspector.is_empty()
    }

    /// Every command in `cmds` is analysed and opens the inspector.
    fn assert_all_open(ctx: &Ctx, cmds: &[&str]) {
        for cmd in cmds {
            assert!(opened(cmd, ctx), "{cmd}: the inspector stays closed");
        }
    }

    /// Every command in `cmds` is analysed and leaves the inspector closed.
    fn assert_none_open(ctx: &Ctx, cmds: &[&str]) {
        for cmd in cmds {
            assert!(!opened(cmd, ctx), "{cmd}: the inspector opens");
        }
    }

    /// A context whose `package.json` holds these npm scripts.
    fn with_scripts(scripts: &[(&str, &str)]) -> Ctx {
        let mut ctx = Ctx::default();
        for (name, body) in scripts {
            ctx.scripts.insert((*name).into(), (*body).into());
        }
        ctx
    }

    /// Shell strings that may set the server's variables: unreadable, and unmodelled.
    const MAY_SET_VARIABLES: &[&str] = &[
        "true; DATABASE_URL=x node s.js",
        "cd app; export KOOMY_ENV=sandbox; node s.js",
        ". ./prod.env; node s.js",
        "source .env.production && node s.js | tee log",
        "eval \"$(cat vars)\"; node s.js",
        "set -a; node s.js",
        "cd dist; node s.js",
        "timeout 1d env DATABASE_URL=x node s.js | cat",
        "cross-env DATABASE_URL=x node s.js > log",
    ];

    /// Shell strings that only run commands: unreadable, but the environment is modelled.
    const ONLY_RUN_COMMANDS: &[&str] = &["npm run build; node s.js", "node s.js | tee log"];

    /// A shell string gardefou cannot parse may still set the server's variables (`;`
    /// hides `NAME=value`, `source` loads a file): refused in every environment. One that
    /// only runs commands stays a production-only matter (the inspector).
    #[test]
    fn regression_unreadable_shell_strings_that_may_set_variables() {
        let ctx = Ctx::default();
        for (codes, sets_variables) in [(MAY_SET_VARIABLES, true), (ONLY_RUN_COMMANDS, false)] {
            for code in codes {
                let a = analyse(&sh_c(code), &ctx);
                assert_eq!(
                    !a.env_unmodelled.is_empty(),
                    sets_variables,
                    "{code}: {a:?}"
                );
                assert!(!a.unanalysable.is_empty(), "{code}");
            }
        }
    }

    /// A program gardefou has no rule for is read by its `#!` line: Node alone is analysed
    /// as `node SCRIPT`, any other script (a shell script, pm2, a shebang with options) is
    /// unanalysable; a binary is not Node.
    #[test]
    fn scripts_are_read_by_their_interpreter_line() {
        let mut ctx = Ctx::default();
        for (p, line) in [
            ("./server.js", "#!/usr/bin/env node"),
            ("./direct.js", "#!/usr/bin/node"),
            ("./start", "#!/bin/sh"),
            (
                "pm2-runtime",
                "#!/usr/bin/env node --max-old-space-size=512",
            ),
            ("./sneaky.js", "#!/usr/bin/env -S node --inspect"),
        ] {
            ctx.programs.insert(p.into(), line.into());
        }
        let a = analyse(&argv("./server.js --port 3000"), &ctx);
        assert!(a.unanalysable.is_empty() && a.inspector.is_empty(), "{a:?}");
        let a = analyse(&argv("./direct.js"), &ctx);
        assert!(a.unanalysable.is_empty(), "{a:?}");
        // A Node program's own arguments may be passed on to a Node it starts
        // (`concurrently "node --inspect s.js"`): an inspector option there counts.
        let a = analyse(&argv("./server.js --inspect"), &ctx);
        assert!(!a.inspector.is_empty(), "{a:?}");
        for cmd in ["./start", "pm2-runtime start app.js", "./sneaky.js"] {
            let a = analyse(&argv(cmd), &ctx);
            assert!(!a.unanalysable.is_empty(), "{cmd}: {a:?}");
        }
        let a = analyse(&argv("./target/release/koomy-api serve"), &ctx);
        assert!(
            !a.unanalysable.is_empty() && a.inspector.is_empty(),
            "{a:?}"
        );
    }

    /// `env -i`, `-u`, `-C`: what the server's environment starts from.
    #[test]
    fn env_clears_unsets_and_changes_directory() {
        let ctx = Ctx::default();
        let a = analyse(&argv("env A=1 env -i B=2 node s.js"), &ctx);
        assert!(a.clears_environment);
        assert_eq!(a.assignments, vec![("B".to_owned(), "2".to_owned())]);
        let a = analyse(&argv("env A=1 -u A -uB --unset=C node s.js"), &ctx);
        assert!(!a.clears_environment);
        assert_eq!(a.unset, ["A", "B", "C"]);
        assert!(a.assignments.is_empty());
        let a = analyse(&argv("env -C /elsewhere node s.js"), &ctx);
        assert!(!a.env_unmodelled.is_empty());
    }

    #[test]
    fn regression_inspector_behind_options_that_take_a_value() {
        let ctx = Ctx::default();
        assert_all_open(
            &ctx,
            &[
                "node -r dotenv/config --inspect server.js",
                "node --title x --inspect server.js",
                "node --require ./a.js --inspect-brk=0.0.0.0:9229 server.js",
                "/usr/bin/node -e 1 --inspect",
                "env NODE_ENV=production node --inspect server.js",
                "env NODE_OPTIONS=--inspect node server.js",
                "env -i PATH=/usr/bin node --inspect s.js",
                "tsx --inspect server.ts",
            ],
        );
        assert_none_open(
            &ctx,
            &[
                "node -r dotenv/config server.js",
                "node server.js --inspect",
                "node --title inspect server.js",
                "env NODE_ENV=production node server.js",
            ],
        );
        // A program without a rule may start anything: unanalysable (refused in production).
        let a = analyse(&argv("./koomy-api serve"), &ctx);
        assert!(!a.unanalysable.is_empty(), "{a:?}");
    }

    #[test]
    fn regression_inspector_in_shell_strings_and_npm_scripts() {
        let mut ctx = with_scripts(&[
            ("start", "node -r dotenv/config --inspect dist/server.js"),
            (
                "serve",
                "npm run build && NODE_OPTIONS='--inspect' node dist/server.js",
            ),
            ("build", "tsc -p ."),
            ("prestart2", "node --inspect x.js"),
            ("start2", "node x.js"),
        ]);
        ctx.programs
            .insert("tsc".into(), "#!/usr/bin/env node".into());
        assert_all_open(
            &ctx,
            &[
                "npm start",
                "npm run serve",
                "yarn start",
                "pnpm run serve",
                "npm run start2",
            ],
        );
        for code in [
            "exec node --inspect server.js",
            "nohup node --inspect server.js",
            "cross-env NODE_OPTIONS=--inspect node server.js",
        ] {
            let a = analyse(&sh_c(code), &ctx);
            assert!(
                a.unanalysable.is_empty() && a.inspector.len() == 1,
                "{code}: {a:?}"
            );
        }
        let a = analyse(&sh_c("node --inspect server.js"), &ctx);
        assert_eq!(a.inspector.len(), 1, "{a:?}");
        assert!(!opened("npm run build", &ctx));
    }

    #[test]
    fn regression_inspector_in_npm_configuration_and_env_files() {
        let mut ctx = with_scripts(&[("start", "node server.js")]);
        ctx.env.insert("npm_config_node_options", "--inspect");
        assert!(opened("npm start", &ctx));
        let mut ctx = with_scripts(&[("start", "node server.js")]);
        ctx.npmrc.push("--inspect-brk".into());
        assert!(opened("npm start", &ctx));
        let mut ctx = Ctx::default();
        ctx.env_files
            .insert(".env.production".into(), "--inspect".into());
        assert!(opened("node --env-file=.env.production server.js", &ctx));
        assert!(opened("node --env-file .env.production server.js", &ctx));
    }

    #[test]
    fn what_cannot_be_read_for_sure_is_unanalysable() {
        let ctx = Ctx::default();
        for argv in [
            vec!["sh", "-c", "node $FLAGS server.js"],
            vec!["sh", "-c", "node server.js; node --inspect x.js"],
            vec!["bash", "-c", "node `cat flags` s.js"],
            vec!["sh", "start.sh"],
            vec!["env", "-S", "node --inspect s.js"],
            vec!["npx", "node", "s.js"],
            vec!["npm", "--prefix", "app", "start"],
            vec!["node", "--env-file=missing.env", "s.js"],
        ] {
            let argv: Vec<String> = argv.into_iter().map(str::to_owned).collect();
            let a = analyse(&argv, &ctx);
            assert!(!a.unanalysable.is_empty(), "{argv:?}: {a:?}");
        }
    }
}
