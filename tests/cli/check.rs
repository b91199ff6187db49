//! The `gardefou` binary end to end: exit codes, human and JSON output (snapshots), the
//! policy file lookup, `--env-file`, and `run`'s exec.

use crate::support::{
    assert_contains, assert_lacks, assert_no_piece_of, assignments, fake_password, render,
    sandbox_policy, stamped_local, stripe_keys, vars, vars_with, words, Env, Run, Runs, R,
};

/// Production on a loopback port where nothing listens, sandbox on another: a start that
/// passes the static check is refused only because no database answers.
pub(crate) const TWO_DATABASES: &str = "[database.production]\nhosts = [\"127.0.0.1:9\"]\n[database.sandbox]\nhosts = [\"localhost:6543\"]\n";
/// Production alone, on the loopback port where nothing listens.
const PRODUCTION_ONLY: &str = "[database.production]\nhosts = [\"127.0.0.1:9\"]\n";
/// Production on Neon, the sandbox on a local port where nothing listens.
const NEON_PRODUCTION_LOCAL_SANDBOX: &str = "[database.production]\nneon_endpoints = [\"ep-alpha-1\"]\n[database.sandbox]\nhosts = [\"localhost:6543\"]\n";
const PRODUCTION_URL: &str = "postgresql://koomy@127.0.0.1:9/koomy";
const SANDBOX_URL: &str = "postgresql://koomy@localhost:6543/koomy";

/// An env for the red-team rounds: the [`TWO_DATABASES`] policy, a server `s.js` that says
/// when it starts, and `start.sh`, which sets `DATABASE_URL` where gardefou cannot follow.
fn red_team() -> Env {
    let env = Env::with_policy(TWO_DATABASES);
    env.write("s.js", "console.log('server started');\n");
    env.write("start.sh", "export DATABASE_URL=x\nnode s.js\n");
    env
}

/// A URL on the Neon `endpoint` (`ep-alpha-1` is production's, `ep-beta-1` the sandbox's;
/// a `-pooler` suffix names the same endpoint's pooler).
fn sandbox_url(endpoint: &str) -> String {
    format!(
        "postgresql://koomy:{}@{endpoint}{R}/neondb?sslmode=require",
        fake_password()
    )
}

/// An env with the [`sandbox_policy`], and a URL on the Neon `endpoint`.
fn on_neon(endpoint: &str) -> (Env, String) {
    (Env::with_policy(sandbox_policy()), sandbox_url(endpoint))
}

#[test]
fn check_allows_a_consistent_sandbox_start() {
    let (env, url) = on_neon("ep-beta-1-pooler");
    let out = env.run(&vars("sandbox", &url), &["check"]);
    insta::assert_snapshot!(render(&out, env.dir.path()));
    assert_lacks(&out.stdout, &fake_password());
}

#[test]
fn check_refuses_sandbox_on_the_production_database_with_every_violation() {
    let (env, url) = on_neon("ep-alpha-1");
    let mut every_violation = assignments("KOOMY_ENV=sandbox NODE_ENV=dev");
    every_violation.extend([("DATABASE_URL", url.as_str()), ("PGHOST", "elsewhere")]);
    let out = env.run(&every_violation, &["check"]);
    insta::assert_snapshot!(render(&out, env.dir.path()));
    assert_lacks(&out.stdout, &fake_password());
}

#[test]
fn check_json_has_the_documented_shape() {
    let (env, url) = on_neon("ep-alpha-1");
    let out = env
        .run_line(&vars("sandbox", &url), "check --format json")
        .refused();
    let doc = out.json();
    assert_eq!(doc["verdict"], "deny");
    assert_eq!(doc["environment"], "sandbox");
    let keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    let f = &doc["findings"][0];
    assert_eq!(f["rule"], "database-url-environment-mismatch");
    assert_eq!(f["policy"], "5.1");
    assert_eq!(f["severity"], "error");
    assert!(f["message"].as_str().unwrap().contains("production"));
    assert!(!f["fix"].as_str().unwrap().is_empty());
    insta::assert_snapshot!(render(&out, env.dir.path()));

    let out = env.run_line(&[], "check --format json");
    let doc = out.json();
    assert_eq!(doc["environment"], serde_json::Value::Null);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 3);
}

#[test]
fn check_reads_an_env_file_as_node_dotenv_does() {
    let (env, url) = on_neon("ep-beta-1");
    let file = env.write(
        "prod.env",
        &format!("# sandbox\nexport KOOMY_ENV=sandbox\nNODE_ENV = \"production\" # built\nDATABASE_URL='{url}'\n"),
    );
    // The process environment is not consulted with --env-file.
    env.run_line_with(&[("KOOMY_ENV", "production")], "check --env-file", &file)
        .success();

    let file = env.write(
        "bad.env",
        "KOOMY_ENV=sandbox\nNODE_ENV=production\nDATABASE_URL=$PROD_URL\n",
    );
    // No $VAR expansion: the URL is the literal text.
    let out = env.run_line_with(&[], "check --env-file", &file).refused();
    assert_contains(&out.stdout, "database-url-invalid");
}

#[test]
fn configuration_errors_exit_2_with_line_and_column() {
    let env = Env::new();
    let policy = env.write("p.toml", "[database.production]\nneon_endpoint = []\n");
    let out = env.cmd(&[]).arg("check").arg("--policy").arg(&policy).run();
    insta::assert_snapshot!(render(&out, env.dir.path()));

    // Missing explicit file, GARDEFOU_POLICY, ./gardefou.toml, usage errors: all exit 2.
    env.run(&[], &["check", "--policy", "nope.toml"])
        .usage_error();
    let out = env
        .run(&[("GARDEFOU_POLICY", "nope.toml")], &["check"])
        .usage_error();
    assert_contains(&out.stderr, "nope.toml");
    env.write_policy("gardefou.toml", "[database.sandbox]\nneon_endpoints = [\"ep-b-1\"]\n[database.local]\nhosts = [\"ep-b-1.eu-west-2.aws.neon.tech\"]\n");
    let out = env.run(&[], &["check"]).usage_error();
    assert_contains(&out.stderr, "gardefou.toml:4:");
    env.run(&[], &["check", "--format", "xml"]).usage_error();
    env.run(&[], &["check", "--env-file", "missing.env"])
        .usage_error();
}

#[test]
fn the_policy_lookup_order_is_flag_then_variable_then_cwd() {
    let env = Env::new();
    let url = sandbox_url("ep-beta-1");
    let vars = vars("sandbox", &url);
    // No file anywhere: the built-in policy, which lists no sandbox database.
    let out = env.run(&vars, &["check"]).refused();
    assert_contains(&out.stdout, "[database.sandbox] neon_endpoints");
    // ./gardefou.toml
    env.write_policy("gardefou.toml", sandbox_policy());
    env.run(&vars, &["check"]).success();
    // $GARDEFOU_POLICY beats ./gardefou.toml
    let other = env.write_policy(
        "other.toml",
        "[database.production]\nneon_endpoints = [\"ep-beta-1\"]\n",
    );
    let other_str = other.display().to_string();
    let with_var = vars_with(&vars, &[("GARDEFOU_POLICY", &other_str)]);
    env.run(&with_var, &["check"]).refused();
    // --policy beats $GARDEFOU_POLICY
    env.cmd(&with_var)
        .arg("check")
        .arg("--policy")
        .arg(env.path("gardefou.toml"))
        .run()
        .success();
}

#[test]
fn run_refuses_without_starting_the_child() {
    let env = Env::with_policy(sandbox_policy());
    let marker = env.path("started");
    let url = sandbox_url("ep-alpha-1");
    let out = env
        .run_line_with(&vars("sandbox", &url), "run -- touch", &marker)
        .refused();
    assert!(!marker.exists(), "the child ran");
    assert!(out.stdout.is_empty(), "run speaks on stderr only");
    assert_contains(&out.stderr, "error[database-url-environment-mismatch] §5.1");
}

#[test]
fn run_execs_the_command_and_passes_its_exit_code() {
    let env = Env::new();
    let (_pg, url) = stamped_local(&env);
    let vars = vars("local", &url);
    let out = env
        .run(&vars, &["run", "--", "sh", "-c", "echo child-ran; exit 7"])
        .exit(7);
    assert_eq!(out.stdout, "child-ran\n");
    let out = env
        .run(&vars, &["run", "--", "/nonexistent/server"])
        .usage_error();
    assert_contains(&out.stderr, "cannot execute the command given after --");
    // `run -- NAME=value cmd` (a shell habit) fails to exec: the value is never printed.
    let planted = ["Zq8", "pW3x", "Lm9Kt2", "Rv7"].concat();
    let arg = format!("DATABASE_URL=postgresql://koomy:{planted}@db.example/koomy");
    let out = env
        .run(&vars, &["run", "--", &arg, "node", "server.js"])
        .usage_error();
    let shown = out.output();
    assert_no_piece_of("the output", &planted, &shown);
    // A command is required.
    env.run(&vars, &["run"]).usage_error();
}

#[test]
fn check_refuses_a_variable_set_twice_in_the_environment_block() {
    // libc's getenv (libpq, Node) reads the first DATABASE_URL, production; gardefou used to
    // read the last one, sandbox, and allow.
    let env = Env::with_policy(sandbox_policy());
    let out = crate::support::raw_environment_cmd(
        env.dir.path(),
        &["check"],
        &[
            "KOOMY_ENV=sandbox".into(),
            "NODE_ENV=production".into(),
            format!("DATABASE_URL={}", sandbox_url("ep-alpha-1")),
            format!("DATABASE_URL={}", sandbox_url("ep-beta-1")),
        ],
    )
    .run()
    .refused();
    let stdout = &out.stdout;
    assert!(
        stdout.contains("environment-duplicate-variable")
            && stdout.contains("DATABASE_URL is set more than once"),
        "{stdout}"
    );
    assert_lacks(stdout, &fake_password());
}

#[test]
fn check_refuses_an_endless_env_file_policy_or_registry_instead_of_reading_it_all() {
    // Stands for /dev/zero or a runaway file: gardefou used to read the whole thing into
    // memory (on /dev/zero, until the OOM killer). A sparse file costs no disk.
    let env = Env::new();
    let huge = env.write_sparse("huge", 64 << 20);
    let huge = huge.to_str().unwrap();
    for args in [
        vec!["check", "--env-file", huge],
        vec!["check", "--policy", huge],
        vec!["check", "--registry", huge],
    ] {
        let out = env.run(&[], &args).usage_error();
        let stderr = &out.stderr;
        assert!(stderr.contains("larger than"), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    }
}

#[test]
fn a_refusal_does_not_exit_0_when_the_report_cannot_be_written() {
    // `gardefou check | head -0`, or `run` with a closed stderr: gardefou used to treat the
    // broken pipe as success and exit 0 on a refusal.
    let env = Env::new();
    for (args, stdout) in [(&["check"][..], true), (&["run", "--", "true"][..], false)] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut cmd = env.cmd(&[("KOOMY_ENV", "prod")]);
        cmd.args(args);
        if stdout {
            cmd.stdout(writer);
        } else {
            cmd.stderr(writer);
        }
        let status = cmd.status().unwrap();
        assert_eq!(status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn regression_run_refuses_node_inspect_on_the_command_line_in_production() {
    // A production server on a loopback port where nothing listens: if the static check
    // missed the flag, the probe would refuse for another reason (database-unreachable).
    let env = Env::with_policy(PRODUCTION_ONLY);
    let marker = env.path("started.js");
    let url = PRODUCTION_URL;
    let out = env
        .run_line_with(
            &vars("production", url),
            "run -- node --inspect=0.0.0.0:9229",
            &marker,
        )
        .refused();
    let stderr = &out.stderr;
    assert_contains(stderr, "error[node-inspector-in-production]");
    assert_lacks(stderr, "database-unreachable");
    // The same flag after the script is the script's argument, not Node's.
    let out = env
        .cmd(&vars("production", url))
        .args(["run", "--", "node"])
        .arg(&marker)
        .arg("--inspect")
        .run();
    let stderr = &out.stderr;
    assert_lacks(stderr, "node-inspector-in-production");
}

#[test]
fn regression_a_fifo_as_policy_or_registry_is_refused_not_waited_on() {
    let env = Env::new();
    let fifo = env.path("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    for args in [
        vec!["check", "--policy", fifo],
        vec!["check", "--registry", fifo],
        vec!["check", "--env-file", fifo],
    ] {
        // Nothing ever writes to the FIFO: a gardefou that opened it would block forever,
        // so the child is killed after a generous bound and the test fails.
        let mut child = env
            .cmd(&[])
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                child.kill().unwrap();
                panic!("{args:?}: gardefou blocked on a FIFO");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let out = Run::from(child.wait_with_output().unwrap()).usage_error();
        assert!(out.stderr.contains("not a regular file"), "{args:?}: {out}");
    }
}

#[test]
fn regression_run_sees_the_dotenv_file_the_node_server_would_load() {
    // A server calling require('dotenv').config() adds ./.env's variables that the
    // environment does not set; run used to check the environment alone.
    // Production on a port where nothing listens: a static refusal must come first.
    let env = Env::with_policy(PRODUCTION_ONLY);
    let url = PRODUCTION_URL;
    env.write(".env", "DEBUG_SQL=1\nKOOMY_ENV=sandbox\n");
    let out = env
        .run(&vars("production", url), &["run", "--", "true"])
        .refused();
    let stderr = &out.stderr;
    assert_contains(stderr, "error[debug-in-production]");
    assert_contains(stderr, "DEBUG_SQL");
    // dotenv never overrides a set variable: KOOMY_ENV stays production.
    assert_contains(stderr, "KOOMY_ENV=production");
    assert_lacks(stderr, "database-url-environment-mismatch");

    // DOTENV_CONFIG_PATH names another file, as dotenv/config reads it.
    std::fs::remove_file(env.path(".env")).unwrap();
    env.write("conf.env", "INTERNAL_TOOLS=on\n");
    let with_path = vars_with(
        &vars("production", url),
        &[("DOTENV_CONFIG_PATH", "conf.env")],
    );
    let out = env.run(&with_path, &["run", "--", "true"]);
    let stderr = &out.stderr;
    assert_contains(stderr, "INTERNAL_TOOLS");
}

#[test]
fn regression_run_finds_the_inspector_in_npm_scripts_shells_and_npm_config() {
    let env = Env::with_policy(PRODUCTION_ONLY);
    env.write(
        "package.json",
        r#"{"scripts": {"start": "node -r dotenv/config --inspect server.js", "serve": "node server.js", "odd": "node server.js; echo"}}"#,
    );
    let url = PRODUCTION_URL;
    // Every run here is refused (by the static check, else by the database no one runs):
    // its stderr.
    let refused = |args: &[&str], extra: &[(&str, &str)]| {
        env.run_guarded(&vars_with(&vars("production", url), extra), args)
            .refused()
            .stderr
    };
    for (args, extra, rule) in [
        (vec!["npm", "start"], vec![], "node-inspector-in-production"),
        (
            vec!["node", "--title", "koomy", "--inspect", "server.js"],
            vec![],
            "node-inspector-in-production",
        ),
        (
            vec!["env", "NODE_ENV=production", "node", "--inspect", "s.js"],
            vec![],
            "node-inspector-in-production",
        ),
        (
            vec!["sh", "-c", "exec node --inspect server.js"],
            vec![],
            "node-inspector-in-production",
        ),
        (
            vec!["npm", "run", "serve"],
            vec![("npm_config_node_options", "--inspect")],
            "node-inspector-in-production",
        ),
        (
            vec!["npm", "run", "odd"],
            vec![],
            "node-command-unanalysable",
        ),
        (
            vec!["sh", "-c", "node $FLAGS server.js"],
            vec![],
            "node-command-unanalysable",
        ),
    ] {
        let stderr = refused(&args, &extra);
        assert_refused_statically(&stderr, rule, &args);
    }
    // A plain script passes the static check (and then meets the unreachable database).
    let stderr = refused(&["npm", "run", "serve"], &[]);
    assert!(
        !stderr.contains("node-inspector") && !stderr.contains("unanalysable"),
        "{stderr}"
    );
    assert_contains(&stderr, "database-unreachable");
}

#[test]
fn regression_run_reads_what_dotenv_and_node_env_file_would_load() {
    let env = Env::with_policy(NEON_PRODUCTION_LOCAL_SANDBOX);
    let child = ["sh", "-c", "echo child-ran"];
    let sandbox = SANDBOX_URL;
    let (production_key, test_key) = stripe_keys("Zq8pW3xLm9Kt2Rv7Bn4Hc6Jd");
    let run = |files: &[(&str, String)], extra: &[(&str, &str)], command: &[&str]| {
        for (name, text) in files {
            env.write(name, text);
        }
        let out = env.run_guarded(&vars_with(&vars("sandbox", sandbox), extra), command);
        for (name, _) in files {
            let _ = std::fs::remove_file(env.path(name));
        }
        // Every run here is refused.
        let out = out.refused();
        (out.stdout, out.stderr)
    };
    // DOTENV_CONFIG_OVERRIDE=false is true to dotenv: the file's live key overrides.
    let live = format!("STRIPE_SECRET_KEY={production_key}\n");
    // Without the override the environment's test key stays: the static check passes
    // and the live probe runs (nothing listens there: that is the only refusal).
    let (_, err) = run(
        &[(".env", live.clone())],
        &[("STRIPE_SECRET_KEY", &test_key)],
        &child,
    );
    assert!(
        err.contains("error[database-unreachable]") && !err.contains("stripe"),
        "{err}"
    );
    let (out, err) = run(
        &[(".env", live.clone())],
        &[
            ("DOTENV_CONFIG_OVERRIDE", "false"),
            ("STRIPE_SECRET_KEY", &test_key),
        ],
        &child,
    );
    assert!(
        err.contains("stripe-key-mode-mismatch") && out.is_empty(),
        "{err}"
    );
    // Options dotenv reads that gardefou does not model, a ~ path, dotenv-expand.
    let (_, err) = run(
        &[],
        &[(
            "DOTENV_KEY",
            "dotenv://:key_x@dotenvx.com/vault/.env.vault?environment=production",
        )],
        &child,
    );
    assert!(
        err.contains("error[env-file-unmodelled]") && err.contains("DOTENV_KEY"),
        "{err}"
    );
    let home = env.path("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("koomy.env"), &live).unwrap();
    let (_, err) = run(
        &[],
        &[
            ("HOME", home.to_str().unwrap()),
            ("DOTENV_CONFIG_PATH", "~/koomy.env"),
        ],
        &child,
    );
    assert_contains(&err, "stripe-key-mode-mismatch");
    let (_, err) = run(
        &[(
            ".env",
            "Q=?host=/tmp\nOTHER_URL=postgresql://koomy@localhost:6543/koomy$Q\n".into(),
        )],
        &[],
        &child,
    );
    assert_contains(&err, "dotenv-expand");
    // node --env-file: its variables count, and forms Node reads differently are refused.
    let (_, err) = run(
        &[("prod.env", live.clone())],
        &[],
        &["node", "--env-file=prod.env", "server.js"],
    );
    assert_contains(&err, "stripe-key-mode-mismatch");
    let (_, err) = run(
        &[("odd.env", "A=1\n   \nSTRIPE_SECRET_KEY: x\n".into())],
        &[],
        &["node", "--env-file", "odd.env", "server.js"],
    );
    assert!(
        err.contains("error[env-file-unmodelled]") && err.contains("white-space-only"),
        "{err}"
    );
    assert_no_piece_of("the output", &production_key, &err);
}

#[test]
fn the_policy_is_found_from_a_subdirectory_and_named() {
    let env = Env::with_policy(NEON_PRODUCTION_LOCAL_SANDBOX);
    let sub = env.path("src/server");
    std::fs::create_dir_all(&sub).unwrap();
    let out = env
        .cmd(&vars("sandbox", SANDBOX_URL))
        .arg("check")
        .current_dir(&sub)
        .run()
        // The built-in policy lists no sandbox database: allowed only with the project's.
        .success();
    let text = render(&out, env.dir.path());
    assert_lacks(&text, "error[");
    assert_contains(&text, "; policy [TMP]/gardefou.toml)");
}

#[test]
fn every_command_reads_the_environment_the_server_will_see() {
    let env = Env::with_policy(TWO_DATABASES);
    // ./.env says sandbox; the process environment says nothing.
    env.write(
        ".env",
        "KOOMY_ENV=sandbox\nNODE_ENV=production\nDATABASE_URL=postgresql://koomy@localhost:6543/koomy\n",
    );
    // check reads ./.env.
    env.run(&[], &["check"]).success();
    // db reads it too: it asks the sandbox server (where nothing listens).
    let out = env.run(&[], &["db", "identity"]);
    let text = render(&out, env.dir.path());
    assert!(text.contains("localhost:6543"), "db reads ./.env: {text}");
    // --env-file, repeatable: the first file that sets a variable wins.
    env.write("a.env", "KOOMY_ENV=production\n");
    env.write(
        "b.env",
        "KOOMY_ENV=sandbox\nNODE_ENV=production\nDATABASE_URL=postgresql://koomy@127.0.0.1:9/koomy\n",
    );
    let out = env
        .run_line(&[], "check --env-file a.env --env-file b.env")
        .success();
    let text = render(&out, env.dir.path());
    assert_contains(
        &text,
        "KOOMY_ENV=production; database: 127.0.0.1:9, production",
    );
    // run takes the server's env files instead of ./.env; a missing one is an error.
    let out = env.run_line(&[], "run --env-file b.env -- true");
    let text = render(&out, env.dir.path());
    assert!(
        text.contains("database-url-environment-mismatch"),
        "run reads b.env: {text}"
    );
    env.run_line(&[], "run --env-file missing.env -- true")
        .usage_error();
}

#[test]
fn regression_red_team_ways_around_the_environment_and_inspector_checks() {
    let env = Env::with_policy(TWO_DATABASES);
    let (live, test) = stripe_keys("Zq8pW3xLm9Kt2Rv7Bn4Hc6Jd");
    for (name, key) in [("a.env", &test), ("b.env", &live), ("home/foo/.env", &live)] {
        env.write_stripe_key(name, key);
    }
    env.write(
        "package.json",
        r#"{"scripts": {"start": "node --env-file=b.env s.js", "serve": "node s.js"}}"#,
    );
    env.write("flags.npmrc", "node-options=--inspect\n");
    // The server: it says so when it starts.
    env.write("s.js", "console.log('server started');\n");
    let home = env.path("home");
    let home = home.to_str().unwrap();
    let sandbox = vars_with(&vars("sandbox", SANDBOX_URL), &[("HOME", home)]);
    let production = vars_with(&vars("production", PRODUCTION_URL), &[("HOME", home)]);
    let key_assignment = format!("STRIPE_SECRET_KEY={live}");
    let shell = format!("STRIPE_SECRET_KEY={live} node s.js");
    let exported = format!("export STRIPE_SECRET_KEY={live} && node s.js");
    let prod_url = "DATABASE_URL=postgresql://koomy@127.0.0.1:9/koomy".to_owned();
    let (stripe, mismatch, unmodelled, inspector, unanalysable) = (
        "stripe-key-mode-mismatch",
        "database-url-environment-mismatch",
        "env-file-unmodelled",
        "node-inspector-in-production",
        "node-command-unanalysable",
    );
    // `gardefou run -- COMMAND` with `vars` is refused by `rule` in the static check (not by
    // the database no one runs), and shows no piece of the key.
    let refused = |vars: &[(&str, &str)], command: &[&str], rule: &str| {
        let out = env.run_guarded(vars, command).refused();
        assert_refused_statically(&out.stderr, rule, command);
        assert_lacks(&out.stderr, "Zq8pW3xL");
    };
    for (command, rule) in [
        (vec!["env", &key_assignment, "node", "s.js"], stripe),
        (vec!["env", &prod_url, "node", "s.js"], mismatch),
        (vec!["sh", "-c", &shell], stripe),
        (vec!["sh", "-c", &exported], stripe),
        (vec!["cross-env-shell", &shell], stripe),
        (words("node --env-file=a.env --env-file=b.env s.js"), stripe),
        (words("node -r ./s.js --env-file=b.env s.js"), stripe),
        (words("npm start"), stripe),
        (
            words("node -r dotenv/config s.js dotenv_config_path=b.env"),
            unmodelled,
        ),
    ] {
        refused(&sandbox, &command, rule);
    }
    let home_env = vars_with(&sandbox, &[("DOTENV_CONFIG_PATH", "~foo/.env")]);
    refused(&home_env, &["node", "s.js"], stripe);
    for (command, rule) in [
        ("dumb-init node --inspect s.js", inspector),
        (
            "node --dns-result-order ipv4first --inspect s.js",
            inspector,
        ),
        ("node --some-new-flag value --inspect s.js", unanalysable),
        ("npm --node-options=--inspect run serve", inspector),
    ] {
        refused(&production, &words(command), rule);
    }
    let npm_options = vars_with(&production, &[("npm_Config_Node_Options", "--inspect")]);
    refused(&npm_options, &["npm", "run", "serve"], inspector);
    let npm_userconfig = vars_with(&production, &[("NPM_CONFIG_USERCONFIG", "flags.npmrc")]);
    refused(&npm_userconfig, &["npm", "run", "serve"], unanalysable);
}

/// The environment as the server builds it, in order: the command line's `env -i`, `-u` and
/// assignments, then Node's `--env-file`s, then dotenv with the options that environment
/// holds. Each case was allowed before (gardefou read the files in another order, or
/// ignored `-i`/`-u`/`-C`); each ends refused before the server starts.
#[test]
fn regression_env_i_u_chdir_and_the_order_env_files_are_loaded_in() {
    let env = Env::with_policy(TWO_DATABASES);
    let (live, test) = stripe_keys("Wd5rT8yUk2Nm6Qp3Xs9Fg4Lh");
    for (name, key) in [
        (".env", &live),
        ("a.env", &test),
        ("b.env", &live),
        ("d.env", &live),
    ] {
        env.write_stripe_key(name, key);
    }
    env.write("c.env", "DOTENV_CONFIG_PATH=d.env\n");
    std::fs::create_dir_all(env.path("sub")).unwrap();
    env.write("s.js", "console.log('server started');\n");
    let sandbox = vars("sandbox", SANDBOX_URL).to_vec();
    let with_test_key = vars_with(&sandbox, &[("STRIPE_SECRET_KEY", &test)]);
    let assignments: Vec<String> = sandbox.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let env_i = format!("env -i {} node s.js", assignments.join(" "));
    let a_env = vars_with(&sandbox, &[("DOTENV_CONFIG_PATH", "a.env")]);
    let (stripe, unmodelled) = ("stripe-key-mode-mismatch", "env-file-unmodelled");
    // `gardefou run -- COMMAND` (one line, split at spaces) is refused by `rule`, and shows
    // no piece of the live key.
    let refused = |vars: &[(&str, &str)], command: &str, rule: &str| {
        let stderr = assert_run_refused(&env, vars, &words(command), &[rule]);
        assert_lacks(&stderr, "Wd5rT8yU");
    };
    // -u removes the test key: dotenv then adds .env's live one.
    refused(&with_test_key, "env -u STRIPE_SECRET_KEY node s.js", stripe);
    refused(
        &with_test_key,
        "env --unset=STRIPE_SECRET_KEY node s.js",
        stripe,
    );
    // -i starts from nothing but the assignments: .env's key is added.
    refused(&with_test_key, &env_i, stripe);
    // -C: another directory, another .env.
    refused(&sandbox, "env -C sub node s.js", unmodelled);
    // dotenv's options set by the command line or by Node's --env-file.
    refused(
        &with_test_key,
        "env DOTENV_CONFIG_OVERRIDE=1 node s.js",
        stripe,
    );
    refused(&a_env, "env DOTENV_CONFIG_PATH=b.env node s.js", stripe);
    // Node's --env-file is loaded before dotenv: its value is the one that stays.
    refused(&a_env, "node --env-file=b.env s.js", stripe);
    // Controls: the same commands with the test key everywhere are not refused for it.
    env.write_stripe_key(".env", &test);
    env.write_stripe_key("b.env", &test);
    let out = env.run_line(&with_test_key, "run -- env -u STRIPE_SECRET_KEY node s.js");
    let stderr = &out.stderr;
    assert_lacks(stderr, "stripe-key-mode-mismatch");
    // With ./.env harmless: DOTENV_CONFIG_PATH given by Node's --env-file sends dotenv to
    // d.env, whose key is live.
    let out = env
        .run(&sandbox, &["run", "--", "node", "--env-file=c.env", "s.js"])
        .refused();
    let stderr = &out.stderr;
    assert_contains(stderr, "error[stripe-key-mode-mismatch]");
}

/// npm's global configuration (`<prefix>/etc/npmrc`, the prefix above the `node` on PATH)
/// can carry `node-options`: read like the project's and the user's.
#[test]
fn regression_node_options_in_npm_global_config_are_read() {
    let env = Env::with_policy(PRODUCTION_ONLY);
    env.write("package.json", r#"{"scripts": {"serve": "node s.js"}}"#);
    env.write("s.js", "console.log('server started');\n");
    std::fs::create_dir_all(env.path("prefix/etc")).unwrap();
    env.write("prefix/bin/node", "#!/bin/sh\n");
    let path = format!(
        "{}:{}",
        env.path("prefix/bin").display(),
        std::env::var("PATH").unwrap()
    );
    let production = vars_with(&vars("production", PRODUCTION_URL), &[("PATH", &path)]);
    let run = || env.run_line(&production, "run -- npm run serve");
    let stderr = run().stderr;
    assert_lacks(&stderr, "node-inspector-in-production");
    env.write("prefix/etc/npmrc", "node-options = \"--inspect\"\n");
    let out = run().refused();
    assert_lacks(&out.stdout, "server started");
    assert!(
        out.stderr.contains("error[node-inspector-in-production]"),
        "{out}"
    );
}

/// In production, a program gardefou has no rule for is read by its `#!` line: a shell
/// script that starts Node with the inspector is refused, never started.
#[test]
fn regression_a_start_script_cannot_hide_the_inspector_in_production() {
    let env = Env::with_policy(PRODUCTION_ONLY);
    env.write("s.js", "console.log('server started');\n");
    env.write_executable("start", "#!/bin/sh\nexec node --inspect s.js\n");
    env.write_executable(
        "direct.js",
        "#!/usr/bin/env node\nconsole.log('server started');\n",
    );
    let production = vars("production", PRODUCTION_URL);
    let out = env.run(&production, &["run", "--", "./start"]).refused();
    let stderr = &out.stderr;
    assert_lacks(&out.stdout, "server started");
    assert_contains(stderr, "error[node-command-unanalysable]");
    // A Node script run by `#!/usr/bin/env node` alone is `node ./direct.js`: it passes the
    // static check (and is then refused only because no database answers here).
    let out = env.run(&production, &["run", "--", "./direct.js"]);
    let stderr = &out.stderr;
    assert_lacks(stderr, "node-command-unanalysable");
    assert_contains(stderr, "database-unreachable");
}

/// Second red-team round on the command analysis. Each way around ends refused before the
/// server starts; the ordinary forms next to them still pass the static check.
#[test]
fn regression_scoped_assignments_privilege_wrappers_cd_loaders_and_npm_arguments() {
    let env = red_team();
    env.write_executable(
        "node_modules/.bin/serve",
        "#!/bin/sh\nexec node --inspect \"$@\"\n",
    );
    let p = PRODUCTION_URL;
    let s = SANDBOX_URL;
    env.write(
        "package.json",
        &format!(
            r#"{{"scripts": {{"prestart": "KOOMY_ENV=sandbox DATABASE_URL={s} node -e 0", "start": "node --inspect s.js", "local": "serve s.js", "maps": "node --enable-source-maps", "plain": "node s.js"}}}}"#
        ),
    );
    let sandbox_on_prod = vars("sandbox", p);
    let sandbox = vars("sandbox", s);
    let production = vars("production", p);
    let one_command = format!("DATABASE_URL={s} node -e 0 && node s.js");
    let sudo_url = format!("DATABASE_URL={p}");
    let (inspector, unanalysable, unmodelled) = (
        "node-inspector-in-production",
        "node-command-unanalysable",
        "env-file-unmodelled",
    );
    // `gardefou run -- COMMAND` (one line, split at spaces) is refused by `rule`.
    let refused = |vars: &[(&str, &str)], command: &str, rule: &str| {
        assert_run_refused(&env, vars, &words(command), &[rule]);
    };
    // `gardefou run -- sh -c SCRIPT` is refused by `rule`.
    let refused_sh = |vars: &[(&str, &str)], script: &str, rule: &str| {
        assert_run_refused(&env, vars, &["sh", "-c", script], &[rule]);
    };
    refused_sh(&sandbox_on_prod, &one_command, unmodelled);
    refused(&production, "npm start", inspector);
    refused(&production, "npm start", unmodelled);
    refused(&production, "gosu node node --inspect s.js", inspector);
    refused(&production, "su-exec node node --inspect s.js", inspector);
    refused(
        &sandbox,
        &format!("sudo -u app {sudo_url} node s.js"),
        unmodelled,
    );
    refused(&production, "npm run local", unanalysable);
    refused_sh(&sandbox, "cd api && node s.js", unmodelled);
    refused_sh(
        &sandbox,
        "true && npx dotenv-cli -e x -- node s.js",
        unmodelled,
    );
    assert_run_refused(&env, &sandbox, &["bash", "-lc", "node s.js"], &[unmodelled]);
    refused(&sandbox, "sh start.sh", unmodelled);
    refused(&sandbox, "env-cmd -f x.env node s.js", unmodelled);
    refused(&production, "npm run maps -- --inspect s.js", inspector);
    // The ordinary forms: only the absent database refuses them.
    let controls: Vec<Vec<&str>> = vec![
        vec!["sh", "-c", "node -e 0 && node s.js"],
        vec!["sh", "-c", "export NODE_ENV=production && node s.js"],
        vec!["gosu", "app", "node", "s.js"],
        vec!["npm", "run", "plain"],
        vec!["npm", "run", "plain", "--", "--port", "3000"],
    ];
    for command in controls {
        assert_only_the_database_refuses(&env, &sandbox, &command);
    }
}

/// Third red-team round: programs that start other programs, wrapper options, npm options
/// after the script name, Node options with values, PATH, and (in every environment)
/// assignments hidden where gardefou cannot follow. Each ends refused, the server never
/// started.
#[test]
fn regression_launchers_wrapper_options_and_hidden_assignments() {
    let env = red_team();
    std::fs::create_dir_all(env.path("bin")).unwrap();
    env.write_executable("serve", "#!/bin/sh\nexec node --inspect \"$@\"\n");
    env.write_executable(
        "node_modules/.bin/concurrently",
        "#!/usr/bin/env node\n// starts its arguments\n",
    );
    env.write(
        "package.json",
        r#"{"scripts": {"conc": "concurrently \"node --inspect s.js\"", "start": "node s.js"}}"#,
    );
    let p = PRODUCTION_URL;
    let s = SANDBOX_URL;
    let production = vars("production", p);
    let sandbox = vars("sandbox", s);
    let to_prod = format!("DATABASE_URL={p}");
    let split = format!("{to_prod} node s.js");
    let piped = format!("timeout 1d env {to_prod} node s.js | cat");
    let inspector: &[&str] = &["node-inspector-in-production", "node-command-unanalysable"];
    let hidden: &[&str] = &["env-file-unmodelled", "database-url-environment-mismatch"];
    // In production: the inspector, or a program gardefou cannot read.
    for command in [
        words("xargs -a /dev/null node --inspect s.js"),
        words("flock L node --inspect s.js"),
        words("prlimit --nofile=1024 node --inspect s.js"),
        words("nice ./serve s.js"),
        words("timeout 1d ./serve s.js"),
        words("npm run conc"),
        vec!["bash", "-c", "exec -a true node --inspect s.js"],
        words("env PATH=./bin:/usr/bin node s.js"),
        words("node --experimental-permission --allow-fs-read / --inspect s.js"),
        words("npm start -w api"),
        words("./target/release/koomy-api serve"),
    ] {
        assert_run_refused(&env, &production, &command, inspector);
    }
    // In the sandbox: an assignment hidden where gardefou cannot follow.
    for command in [
        vec!["env", "-S", &split],
        vec!["env", "--ignore-signal=PIPE", &to_prod, "node", "s.js"],
        vec!["time", "-f", "%e", "env", &to_prod, "node", "s.js"],
        vec!["xargs", "-a", "/dev/null", "env", &to_prod, "node", "s.js"],
        vec!["sh", "-c", &piped],
        vec!["sh", "-c", "cd api; node s.js"],
        words("tini -- ./start.sh"),
    ] {
        assert_run_refused(&env, &sandbox, &command, hidden);
    }
    // Everyday forms still pass the static check (only the absent database refuses them).
    let env_i = format!(
        "env -i PATH=/usr/bin:/bin KOOMY_ENV=sandbox NODE_ENV=production DATABASE_URL={s} node s.js"
    );
    env.write(
        "package.json",
        r#"{"scripts": {"prestart": "mkdir -p logs", "start": "NODE_ENV=production node s.js", "build": "NODE_OPTIONS=--max-old-space-size=4096 node -e 0"}}"#,
    );
    for command in [
        vec!["npm", "start"],
        vec!["sh", "-c", "npm run build && node s.js"],
        words(&env_i),
    ] {
        assert_only_the_database_refuses(&env, &sandbox, &command);
    }
}

/// `gardefou run -- COMMAND` with `vars`: refused (exit 1) by one of `rules`, the server
/// never started; the report, for the caller's own checks.
fn assert_run_refused(
    env: &Env,
    vars: &[(&str, &str)],
    command: &[&str],
    rules: &[&str],
) -> String {
    let out = env.run_guarded(vars, command).refused();
    let stderr = out.stderr.clone();
    assert!(!out.stdout.contains("server started"), "{command:?}");
    assert!(
        rules
            .iter()
            .any(|r| stderr.contains(&format!("error[{r}]"))),
        "{command:?}: {stderr}"
    );
    stderr
}

/// `stderr`, of `gardefou run -- COMMAND`, names `rule` as an error, and not the database no
/// one runs here: the static check refused the command.
fn assert_refused_statically(stderr: &str, rule: &str, command: &[&str]) {
    assert!(
        stderr.contains(&format!("error[{rule}]")),
        "{command:?}: {stderr}"
    );
    assert!(
        !stderr.contains("database-unreachable"),
        "{command:?} passed the static check: {stderr}"
    );
}

/// `gardefou run -- COMMAND` passes the static check: the only error is the database no
/// one runs here.
fn assert_only_the_database_refuses(env: &Env, vars: &[(&str, &str)], command: &[&str]) {
    let out = env.run_guarded(vars, command);
    let stderr = &out.stderr;
    assert!(
        stderr.contains("error[database-unreachable]"),
        "{command:?}: {stderr}"
    );
    assert_eq!(stderr.matches("error[").count(), 1, "{command:?}: {stderr}");
}
