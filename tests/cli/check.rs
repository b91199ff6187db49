//! The `gardefou` binary end to end: exit codes, human and JSON output (snapshots), the
//! policy file lookup, `--env-file`, and `run`'s exec.

use crate::support::{
    assert_no_piece_of, fake_password, render, sandbox_policy, stamped_local, vars, Env, Run, Runs,
    R,
};

/// Production on a loopback port where nothing listens, sandbox on another: a start that
/// passes the static check is refused only because no database answers.
pub(crate) const TWO_DATABASES: &str = "[database.production]\nhosts = [\"127.0.0.1:9\"]\n[database.sandbox]\nhosts = [\"localhost:6543\"]\n";
const PRODUCTION_URL: &str = "postgresql://koomy@127.0.0.1:9/koomy";
const SANDBOX_URL: &str = "postgresql://koomy@localhost:6543/koomy";

/// An env for the red-team rounds: the [`TWO_DATABASES`] policy, a server `s.js` that says
/// when it starts, and `start.sh`, which sets `DATABASE_URL` where gardefou cannot follow.
fn red_team() -> Env {
    let env = Env::new();
    env.write_policy("gardefou.toml", TWO_DATABASES);
    env.write("s.js", "console.log('server started');\n");
    env.write("start.sh", "export DATABASE_URL=x\nnode s.js\n");
    env
}

fn sandbox_url(host: &str) -> String {
    format!(
        "postgresql://koomy:{}@{host}/neondb?sslmode=require",
        fake_password()
    )
}

#[test]
fn check_allows_a_consistent_sandbox_start() {
    let env = Env::new();
    env.write_policy("gardefou.toml", sandbox_policy());
    let url = sandbox_url(&format!("ep-beta-1-pooler{R}"));
    let out = env.run(
        &[
            ("KOOMY_ENV", "sandbox"),
            ("NODE_ENV", "production"),
            ("DATABASE_URL", &url),
        ],
        &["check"],
    );
    insta::assert_snapshot!(render(&out, env.dir.path()));
    assert!(!out.stdout.contains(&fake_password()));
}

#[test]
fn check_refuses_sandbox_on_the_production_database_with_every_violation() {
    let env = Env::new();
    env.write_policy("gardefou.toml", sandbox_policy());
    let url = sandbox_url(&format!("ep-alpha-1{R}"));
    let out = env.run(
        &[
            ("KOOMY_ENV", "sandbox"),
            ("NODE_ENV", "dev"),
            ("DATABASE_URL", &url),
            ("PGHOST", "elsewhere"),
        ],
        &["check"],
    );
    insta::assert_snapshot!(render(&out, env.dir.path()));
    assert!(!out.stdout.contains(&fake_password()));
}

#[test]
fn check_json_has_the_documented_shape() {
    let env = Env::new();
    env.write_policy("gardefou.toml", sandbox_policy());
    let url = sandbox_url(&format!("ep-alpha-1{R}"));
    let out = env
        .run(
            &[
                ("KOOMY_ENV", "sandbox"),
                ("NODE_ENV", "production"),
                ("DATABASE_URL", &url),
            ],
            &["check", "--format", "json"],
        )
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

    let out = env.run(&[], &["check", "--format", "json"]);
    let doc = out.json();
    assert_eq!(doc["environment"], serde_json::Value::Null);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 3);
}

#[test]
fn check_reads_an_env_file_as_node_dotenv_does() {
    let env = Env::new();
    env.write_policy("gardefou.toml", sandbox_policy());
    let url = sandbox_url(&format!("ep-beta-1{R}"));
    let file = env.write(
        "prod.env",
        &format!("# sandbox\nexport KOOMY_ENV=sandbox\nNODE_ENV = \"production\" # built\nDATABASE_URL='{url}'\n"),
    );
    // The process environment is not consulted with --env-file.
    env.cmd(&[("KOOMY_ENV", "production")])
        .args(["check", "--env-file"])
        .arg(&file)
        .run()
        .success();

    let file = env.write(
        "bad.env",
        "KOOMY_ENV=sandbox\nNODE_ENV=production\nDATABASE_URL=$PROD_URL\n",
    );
    // No $VAR expansion: the URL is the literal text.
    let out = env
        .cmd(&[])
        .args(["check", "--env-file"])
        .arg(&file)
        .run()
        .refused();
    assert!(out.stdout.contains("database-url-invalid"));
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
    assert!(out.stderr.contains("nope.toml"));
    env.write_policy("gardefou.toml", "[database.sandbox]\nneon_endpoints = [\"ep-b-1\"]\n[database.local]\nhosts = [\"ep-b-1.eu-west-2.aws.neon.tech\"]\n");
    let out = env.run(&[], &["check"]).usage_error();
    assert!(out.stderr.contains("gardefou.toml:4:"));
    env.run(&[], &["check", "--format", "xml"]).usage_error();
    env.run(&[], &["check", "--env-file", "missing.env"])
        .usage_error();
}

#[test]
fn the_policy_lookup_order_is_flag_then_variable_then_cwd() {
    let env = Env::new();
    let url = sandbox_url(&format!("ep-beta-1{R}"));
    let vars = [
        ("KOOMY_ENV", "sandbox"),
        ("NODE_ENV", "production"),
        ("DATABASE_URL", url.as_str()),
    ];
    // No file anywhere: the built-in policy, which lists no sandbox database.
    let out = env.run(&vars, &["check"]).refused();
    assert!(out.stdout.contains("[database.sandbox] neon_endpoints"));
    // ./gardefou.toml
    env.write_policy("gardefou.toml", sandbox_policy());
    env.run(&vars, &["check"]).success();
    // $GARDEFOU_POLICY beats ./gardefou.toml
    let other = env.write_policy(
        "other.toml",
        "[database.production]\nneon_endpoints = [\"ep-beta-1\"]\n",
    );
    let mut with_var = vars.to_vec();
    let other_str = other.display().to_string();
    with_var.push(("GARDEFOU_POLICY", &other_str));
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
    let env = Env::new();
    env.write_policy("gardefou.toml", sandbox_policy());
    let marker = env.path("started");
    let url = sandbox_url(&format!("ep-alpha-1{R}"));
    let out = env
        .cmd(&[
            ("KOOMY_ENV", "sandbox"),
            ("NODE_ENV", "production"),
            ("DATABASE_URL", &url),
        ])
        .args(["run", "--", "touch"])
        .arg(&marker)
        .run()
        .refused();
    assert!(!marker.exists(), "the child ran");
    assert!(out.stdout.is_empty(), "run speaks on stderr only");
    assert!(out
        .stderr
        .contains("error[database-url-environment-mismatch] §5.1"));
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
    assert!(out
        .stderr
        .contains("cannot execute the command given after --"));
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
    let env = Env::new();
    env.write_policy("gardefou.toml", sandbox_policy());
    let out = crate::support::raw_environment_cmd(
        env.dir.path(),
        &["check"],
        &[
            "KOOMY_ENV=sandbox".into(),
            "NODE_ENV=production".into(),
            format!("DATABASE_URL={}", sandbox_url(&format!("ep-alpha-1{R}"))),
            format!("DATABASE_URL={}", sandbox_url(&format!("ep-beta-1{R}"))),
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
    assert!(!stdout.contains(&fake_password()));
}

#[test]
fn check_refuses_an_endless_env_file_policy_or_registry_instead_of_reading_it_all() {
    // Stands for /dev/zero or a runaway file: gardefou used to read the whole thing into
    // memory (on /dev/zero, until the OOM killer). A sparse file costs no disk.
    let env = Env::new();
    let huge = env.path("huge");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(64 << 20)
        .unwrap();
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
    let env = Env::new();
    // A production server on a loopback port where nothing listens: if the static check
    // missed the flag, the probe would refuse for another reason (database-unreachable).
    env.write_policy(
        "gardefou.toml",
        "[database.production]\nhosts = [\"127.0.0.1:9\"]\n",
    );
    let marker = env.path("started.js");
    let url = PRODUCTION_URL;
    let out = env
        .cmd(&vars("production", url))
        .args(["run", "--", "node", "--inspect=0.0.0.0:9229"])
        .arg(&marker)
        .run()
        .refused();
    let stderr = &out.stderr;
    assert!(
        stderr.contains("error[node-inspector-in-production]"),
        "{stderr}"
    );
    assert!(!stderr.contains("database-unreachable"), "{stderr}");
    // The same flag after the script is the script's argument, not Node's.
    let out = env
        .cmd(&vars("production", url))
        .args(["run", "--", "node"])
        .arg(&marker)
        .arg("--inspect")
        .run();
    let stderr = &out.stderr;
    assert!(!stderr.contains("node-inspector-in-production"), "{stderr}");
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
    let env = Env::new();
    // Production on a port where nothing listens: a static refusal must come first.
    env.write_policy(
        "gardefou.toml",
        "[database.production]\nhosts = [\"127.0.0.1:9\"]\n",
    );
    let url = PRODUCTION_URL;
    env.write(".env", "DEBUG_SQL=1\nKOOMY_ENV=sandbox\n");
    let out = env
        .run(&vars("production", url), &["run", "--", "true"])
        .refused();
    let stderr = &out.stderr;
    assert!(stderr.contains("error[debug-in-production]"), "{stderr}");
    assert!(stderr.contains("DEBUG_SQL"), "{stderr}");
    // dotenv never overrides a set variable: KOOMY_ENV stays production.
    assert!(stderr.contains("KOOMY_ENV=production"), "{stderr}");
    assert!(
        !stderr.contains("database-url-environment-mismatch"),
        "{stderr}"
    );

    // DOTENV_CONFIG_PATH names another file, as dotenv/config reads it.
    std::fs::remove_file(env.path(".env")).unwrap();
    env.write("conf.env", "INTERNAL_TOOLS=on\n");
    let mut with_path = vars("production", url).to_vec();
    with_path.push(("DOTENV_CONFIG_PATH", "conf.env"));
    let out = env.run(&with_path, &["run", "--", "true"]);
    let stderr = &out.stderr;
    assert!(stderr.contains("INTERNAL_TOOLS"), "{stderr}");
}

#[test]
fn regression_run_finds_the_inspector_in_npm_scripts_shells_and_npm_config() {
    let env = Env::new();
    env.write_policy(
        "gardefou.toml",
        "[database.production]\nhosts = [\"127.0.0.1:9\"]\n",
    );
    env.write(
        "package.json",
        r#"{"scripts": {"start": "node -r dotenv/config --inspect server.js", "serve": "node server.js", "odd": "node server.js; echo"}}"#,
    );
    let url = PRODUCTION_URL;
    // Every run here is refused (by the static check, else by the database no one runs):
    // its stderr.
    let refused = |args: &[&str], extra: &[(&str, &str)]| {
        let mut v = vars("production", url).to_vec();
        v.extend_from_slice(extra);
        env.run_guarded(&v, args).refused().stderr
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
        assert!(
            stderr.contains(&format!("error[{rule}]")),
            "{args:?}: {stderr}"
        );
        assert!(
            !stderr.contains("database-unreachable"),
            "{args:?}: {stderr}"
        );
    }
    // A plain script passes the static check (and then meets the unreachable database).
    let stderr = refused(&["npm", "run", "serve"], &[]);
    assert!(
        !stderr.contains("node-inspector") && !stderr.contains("unanalysable"),
        "{stderr}"
    );
    assert!(stderr.contains("database-unreachable"), "{stderr}");
}

#[test]
fn regression_run_reads_what_dotenv_and_node_env_file_would_load() {
    let env = Env::new();
    env.write_policy(
        "gardefou.toml",
        "[database.production]\nneon_endpoints = [\"ep-alpha-1\"]\n[database.sandbox]\nhosts = [\"localhost:6543\"]\n",
    );
    let child = ["sh", "-c", "echo child-ran"];
    let sandbox = SANDBOX_URL;
    let production_key = ["sk_", "live_", "Zq8pW3xLm9Kt2Rv7Bn4Hc6Jd"].concat();
    let run = |files: &[(&str, String)], extra: &[(&str, &str)], command: &[&str]| {
        for (name, text) in files {
            env.write(name, text);
        }
        let mut v = vars("sandbox", sandbox).to_vec();
        v.extend_from_slice(extra);
        let out = env.run_guarded(&v, command);
        for (name, _) in files {
            let _ = std::fs::remove_file(env.path(name));
        }
        // Every run here is refused.
        let out = out.refused();
        (out.stdout, out.stderr)
    };
    // DOTENV_CONFIG_OVERRIDE=false is true to dotenv: the file's live key overrides.
    let live = format!("STRIPE_SECRET_KEY={production_key}\n");
    let test_key = ["sk_", "test_", "Zq8pW3xLm9Kt2Rv7Bn4Hc6Jd"].concat();
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
    assert!(err.contains("stripe-key-mode-mismatch"), "{err}");
    let (_, err) = run(
        &[(
            ".env",
            "Q=?host=/tmp\nOTHER_URL=postgresql://koomy@localhost:6543/koomy$Q\n".into(),
        )],
        &[],
        &child,
    );
    assert!(err.contains("dotenv-expand"), "{err}");
    // node --env-file: its variables count, and forms Node reads differently are refused.
    let (_, err) = run(
        &[("prod.env", live.clone())],
        &[],
        &["node", "--env-file=prod.env", "server.js"],
    );
    assert!(err.contains("stripe-key-mode-mismatch"), "{err}");
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
    let env = Env::new();
    env.write_policy(
        "gardefou.toml",
        "[database.production]\nneon_endpoints = [\"ep-alpha-1\"]\n[database.sandbox]\nhosts = [\"localhost:6543\"]\n",
    );
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
    assert!(!text.contains("error["), "{text}");
    assert!(text.contains("; policy [TMP]/gardefou.toml)"), "{text}");
}

#[test]
fn every_command_reads_the_environment_the_server_will_see() {
    let env = Env::new();
    env.write_policy("gardefou.toml", TWO_DATABASES);
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
        .run(
            &[],
            &["check", "--env-file", "a.env", "--env-file", "b.env"],
        )
        .success();
    let text = render(&out, env.dir.path());
    assert!(
        text.contains("KOOMY_ENV=production; database: 127.0.0.1:9, production"),
        "{text}"
    );
    // run takes the server's env files instead of ./.env; a missing one is an error.
    let out = env.run(&[], &["run", "--env-file", "b.env", "--", "true"]);
    let text = render(&out, env.dir.path());
    assert!(
        text.contains("database-url-environment-mismatch"),
        "run reads b.env: {text}"
    );
    env.run(&[], &["run", "--env-file", "missing.env", "--", "true"])
        .usage_error();
}

#[test]
fn regression_red_team_ways_around_the_environment_and_inspector_checks() {
    let env = Env::new();
    env.write_policy("gardefou.toml", TWO_DATABASES);
    let live = ["sk_", "live_", "Zq8pW3xLm9Kt2Rv7Bn4Hc6Jd"].concat();
    let test = ["sk_", "test_", "Zq8pW3xLm9Kt2Rv7Bn4Hc6Jd"].concat();
    env.write("a.env", &format!("STRIPE_SECRET_KEY={test}\n"));
    env.write("b.env", &format!("STRIPE_SECRET_KEY={live}\n"));
    env.write("home/foo/.env", &format!("STRIPE_SECRET_KEY={live}\n"));
    env.write(
        "package.json",
        r#"{"scripts": {"start": "node --env-file=b.env s.js", "serve": "node s.js"}}"#,
    );
    env.write("flags.npmrc", "node-options=--inspect\n");
    // The server: it says so when it starts.
    env.write("s.js", "console.log('server started');\n");
    let home = env.path("home");
    let home = home.to_str().unwrap();
    let sandbox = [
        ("KOOMY_ENV", "sandbox"),
        ("NODE_ENV", "production"),
        ("DATABASE_URL", "postgresql://koomy@localhost:6543/koomy"),
        ("HOME", home),
    ];
    let production = [
        ("KOOMY_ENV", "production"),
        ("NODE_ENV", "production"),
        ("DATABASE_URL", "postgresql://koomy@127.0.0.1:9/koomy"),
        ("HOME", home),
    ];
    let key_assignment = format!("STRIPE_SECRET_KEY={live}");
    let shell = format!("STRIPE_SECRET_KEY={live} node s.js");
    let exported = format!("export STRIPE_SECRET_KEY={live} && node s.js");
    let prod_url = "DATABASE_URL=postgresql://koomy@127.0.0.1:9/koomy".to_owned();
    // (base environment, extra variables, command, the rule that refuses it)
    type Case<'a> = (
        &'a [(&'a str, &'a str)],
        Vec<(&'a str, &'a str)>,
        Vec<&'a str>,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            &sandbox,
            vec![],
            vec!["env", &key_assignment, "node", "s.js"],
            "stripe-key-mode-mismatch",
        ),
        (
            &sandbox,
            vec![],
            vec!["env", &prod_url, "node", "s.js"],
            "database-url-environment-mismatch",
        ),
        (
            &sandbox,
            vec![],
            vec!["sh", "-c", &shell],
            "stripe-key-mode-mismatch",
        ),
        (
            &sandbox,
            vec![],
            vec!["sh", "-c", &exported],
            "stripe-key-mode-mismatch",
        ),
        (
            &sandbox,
            vec![],
            vec!["cross-env-shell", &shell],
            "stripe-key-mode-mismatch",
        ),
        (
            &sandbox,
            vec![],
            vec!["node", "--env-file=a.env", "--env-file=b.env", "s.js"],
            "stripe-key-mode-mismatch",
        ),
        (
            &sandbox,
            vec![],
            vec!["node", "-r", "./s.js", "--env-file=b.env", "s.js"],
            "stripe-key-mode-mismatch",
        ),
        (
            &sandbox,
            vec![],
            vec!["npm", "start"],
            "stripe-key-mode-mismatch",
        ),
        (
            &sandbox,
            vec![],
            vec![
                "node",
                "-r",
                "dotenv/config",
                "s.js",
                "dotenv_config_path=b.env",
            ],
            "env-file-unmodelled",
        ),
        (
            &sandbox,
            vec![("DOTENV_CONFIG_PATH", "~foo/.env")],
            vec!["node", "s.js"],
            "stripe-key-mode-mismatch",
        ),
        (
            &production,
            vec![],
            vec!["dumb-init", "node", "--inspect", "s.js"],
            "node-inspector-in-production",
        ),
        (
            &production,
            vec![],
            vec![
                "node",
                "--dns-result-order",
                "ipv4first",
                "--inspect",
                "s.js",
            ],
            "node-inspector-in-production",
        ),
        (
            &production,
            vec![],
            vec!["node", "--some-new-flag", "value", "--inspect", "s.js"],
            "node-command-unanalysable",
        ),
        (
            &production,
            vec![],
            vec!["npm", "--node-options=--inspect", "run", "serve"],
            "node-inspector-in-production",
        ),
        (
            &production,
            vec![("npm_Config_Node_Options", "--inspect")],
            vec!["npm", "run", "serve"],
            "node-inspector-in-production",
        ),
        (
            &production,
            vec![("NPM_CONFIG_USERCONFIG", "flags.npmrc")],
            vec!["npm", "run", "serve"],
            "node-command-unanalysable",
        ),
    ];
    for (base, extra, command, rule) in cases {
        let mut vars = base.to_vec();
        vars.extend(extra);
        let out = env.run_guarded(&vars, &command).refused();
        let stderr = &out.stderr;
        assert!(
            stderr.contains(&format!("error[{rule}]")),
            "{command:?}: {stderr}"
        );
        assert!(
            !stderr.contains("database-unreachable"),
            "{command:?} passed the static check: {stderr}"
        );
        assert!(!stderr.contains("Zq8pW3xL"), "{stderr}");
    }
}

/// The environment as the server builds it, in order: the command line's `env -i`, `-u` and
/// assignments, then Node's `--env-file`s, then dotenv with the options that environment
/// holds. Each case was allowed before (gardefou read the files in another order, or
/// ignored `-i`/`-u`/`-C`); each ends refused before the server starts.
#[test]
fn regression_env_i_u_chdir_and_the_order_env_files_are_loaded_in() {
    let env = Env::new();
    env.write_policy("gardefou.toml", TWO_DATABASES);
    let live = ["sk_", "live_", "Wd5rT8yUk2Nm6Qp3Xs9Fg4Lh"].concat();
    let test = ["sk_", "test_", "Wd5rT8yUk2Nm6Qp3Xs9Fg4Lh"].concat();
    env.write(".env", &format!("STRIPE_SECRET_KEY={live}\n"));
    env.write("a.env", &format!("STRIPE_SECRET_KEY={test}\n"));
    env.write("b.env", &format!("STRIPE_SECRET_KEY={live}\n"));
    env.write("c.env", "DOTENV_CONFIG_PATH=d.env\n");
    env.write("d.env", &format!("STRIPE_SECRET_KEY={live}\n"));
    std::fs::create_dir_all(env.path("sub")).unwrap();
    env.write("s.js", "console.log('server started');\n");
    let sandbox = vars("sandbox", SANDBOX_URL).to_vec();
    let with_test_key: Vec<(&str, &str)> = sandbox
        .iter()
        .copied()
        .chain([("STRIPE_SECRET_KEY", test.as_str())])
        .collect();
    let assignments: Vec<String> = sandbox.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut env_i = vec!["env", "-i"];
    env_i.extend(assignments.iter().map(String::as_str));
    env_i.extend(["node", "s.js"]);
    let a_env = [("DOTENV_CONFIG_PATH", "a.env")];
    type Case<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a str>, &'a str);
    let cases: Vec<Case> = vec![
        // -u removes the test key: dotenv then adds .env's live one.
        (
            with_test_key.clone(),
            vec!["env", "-u", "STRIPE_SECRET_KEY", "node", "s.js"],
            "stripe-key-mode-mismatch",
        ),
        (
            with_test_key.clone(),
            vec!["env", "--unset=STRIPE_SECRET_KEY", "node", "s.js"],
            "stripe-key-mode-mismatch",
        ),
        // -i starts from nothing but the assignments: .env's key is added.
        (with_test_key.clone(), env_i, "stripe-key-mode-mismatch"),
        // -C: another directory, another .env.
        (
            sandbox.clone(),
            vec!["env", "-C", "sub", "node", "s.js"],
            "env-file-unmodelled",
        ),
        // dotenv's options set by the command line or by Node's --env-file.
        (
            with_test_key.clone(),
            vec!["env", "DOTENV_CONFIG_OVERRIDE=1", "node", "s.js"],
            "stripe-key-mode-mismatch",
        ),
        (
            sandbox.iter().copied().chain(a_env).collect(),
            vec!["env", "DOTENV_CONFIG_PATH=b.env", "node", "s.js"],
            "stripe-key-mode-mismatch",
        ),
        // Node's --env-file is loaded before dotenv: its value is the one that stays.
        (
            sandbox.iter().copied().chain(a_env).collect(),
            vec!["node", "--env-file=b.env", "s.js"],
            "stripe-key-mode-mismatch",
        ),
    ];
    for (vars, command, rule) in cases {
        let stderr = assert_run_refused(&env, &vars, &command, &[rule]);
        assert!(!stderr.contains("Wd5rT8yU"), "{stderr}");
    }
    // Controls: the same commands with the test key everywhere are not refused for it.
    env.write(".env", &format!("STRIPE_SECRET_KEY={test}\n"));
    env.write("b.env", &format!("STRIPE_SECRET_KEY={test}\n"));
    let out = env.run(
        &with_test_key,
        &[
            "run",
            "--",
            "env",
            "-u",
            "STRIPE_SECRET_KEY",
            "node",
            "s.js",
        ],
    );
    let stderr = &out.stderr;
    assert!(!stderr.contains("stripe-key-mode-mismatch"), "{stderr}");
    // With ./.env harmless: DOTENV_CONFIG_PATH given by Node's --env-file sends dotenv to
    // d.env, whose key is live.
    let out = env
        .run(&sandbox, &["run", "--", "node", "--env-file=c.env", "s.js"])
        .refused();
    let stderr = &out.stderr;
    assert!(
        stderr.contains("error[stripe-key-mode-mismatch]"),
        "{stderr}"
    );
}

/// npm's global configuration (`<prefix>/etc/npmrc`, the prefix above the `node` on PATH)
/// can carry `node-options`: read like the project's and the user's.
#[test]
fn regression_node_options_in_npm_global_config_are_read() {
    let env = Env::new();
    env.write_policy(
        "gardefou.toml",
        "[database.production]\nhosts = [\"127.0.0.1:9\"]\n",
    );
    env.write("package.json", r#"{"scripts": {"serve": "node s.js"}}"#);
    env.write("s.js", "console.log('server started');\n");
    std::fs::create_dir_all(env.path("prefix/etc")).unwrap();
    env.write("prefix/bin/node", "#!/bin/sh\n");
    let path = format!(
        "{}:{}",
        env.path("prefix/bin").display(),
        std::env::var("PATH").unwrap()
    );
    let production = [
        ("KOOMY_ENV", "production"),
        ("NODE_ENV", "production"),
        ("DATABASE_URL", "postgresql://koomy@127.0.0.1:9/koomy"),
        ("PATH", path.as_str()),
    ];
    let run = || env.run(&production, &["run", "--", "npm", "run", "serve"]);
    let stderr = run().stderr;
    assert!(!stderr.contains("node-inspector-in-production"), "{stderr}");
    env.write("prefix/etc/npmrc", "node-options = \"--inspect\"\n");
    let out = run().refused();
    assert!(!out.stdout.contains("server started"));
    assert!(
        out.stderr.contains("error[node-inspector-in-production]"),
        "{out}"
    );
}

/// In production, a program gardefou has no rule for is read by its `#!` line: a shell
/// script that starts Node with the inspector is refused, never started.
#[test]
fn regression_a_start_script_cannot_hide_the_inspector_in_production() {
    let env = Env::new();
    env.write_policy(
        "gardefou.toml",
        "[database.production]\nhosts = [\"127.0.0.1:9\"]\n",
    );
    env.write("s.js", "console.log('server started');\n");
    env.write_executable("start", "#!/bin/sh\nexec node --inspect s.js\n");
    env.write_executable(
        "direct.js",
        "#!/usr/bin/env node\nconsole.log('server started');\n",
    );
    let production = vars("production", PRODUCTION_URL);
    let out = env.run(&production, &["run", "--", "./start"]).refused();
    let stderr = &out.stderr;
    assert!(!out.stdout.contains("server started"));
    assert!(
        stderr.contains("error[node-command-unanalysable]"),
        "{stderr}"
    );
    // A Node script run by `#!/usr/bin/env node` alone is `node ./direct.js`: it passes the
    // static check (and is then refused only because no database answers here).
    let out = env.run(&production, &["run", "--", "./direct.js"]);
    let stderr = &out.stderr;
    assert!(!stderr.contains("node-command-unanalysable"), "{stderr}");
    assert!(stderr.contains("database-unreachable"), "{stderr}");
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
    type Case<'a> = (&'a [(&'a str, &'a str)], Vec<&'a str>, &'a str);
    let cases: Vec<Case> = vec![
        (
            &sandbox_on_prod,
            vec!["sh", "-c", &one_command],
            "env-file-unmodelled",
        ),
        (
            &production,
            vec!["npm", "start"],
            "node-inspector-in-production",
        ),
        (&production, vec!["npm", "start"], "env-file-unmodelled"),
        (
            &production,
            vec!["gosu", "node", "node", "--inspect", "s.js"],
            "node-inspector-in-production",
        ),
        (
            &production,
            vec!["su-exec", "node", "node", "--inspect", "s.js"],
            "node-inspector-in-production",
        ),
        (
            &sandbox,
            vec!["sudo", "-u", "app", &sudo_url, "node", "s.js"],
            "env-file-unmodelled",
        ),
        (
            &production,
            vec!["npm", "run", "local"],
            "node-command-unanalysable",
        ),
        (
            &sandbox,
            vec!["sh", "-c", "cd api && node s.js"],
            "env-file-unmodelled",
        ),
        (
            &sandbox,
            vec!["sh", "-c", "true && npx dotenv-cli -e x -- node s.js"],
            "env-file-unmodelled",
        ),
        (
            &sandbox,
            vec!["bash", "-lc", "node s.js"],
            "env-file-unmodelled",
        ),
        (&sandbox, vec!["sh", "start.sh"], "env-file-unmodelled"),
        (
            &sandbox,
            vec!["env-cmd", "-f", "x.env", "node", "s.js"],
            "env-file-unmodelled",
        ),
        (
            &production,
            vec!["npm", "run", "maps", "--", "--inspect", "s.js"],
            "node-inspector-in-production",
        ),
    ];
    for (vars, command, rule) in cases {
        assert_run_refused(&env, vars, &command, &[rule]);
    }
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
    type Case<'a> = (&'a [(&'a str, &'a str)], Vec<&'a str>, &'a [&'a str]);
    let inspector: &[&str] = &["node-inspector-in-production", "node-command-unanalysable"];
    let hidden: &[&str] = &["env-file-unmodelled", "database-url-environment-mismatch"];
    let cases: Vec<Case> = vec![
        (
            &production,
            vec!["xargs", "-a", "/dev/null", "node", "--inspect", "s.js"],
            inspector,
        ),
        (
            &production,
            vec!["flock", "L", "node", "--inspect", "s.js"],
            inspector,
        ),
        (
            &production,
            vec!["prlimit", "--nofile=1024", "node", "--inspect", "s.js"],
            inspector,
        ),
        (&production, vec!["nice", "./serve", "s.js"], inspector),
        (
            &production,
            vec!["timeout", "1d", "./serve", "s.js"],
            inspector,
        ),
        (&production, vec!["npm", "run", "conc"], inspector),
        (
            &production,
            vec!["bash", "-c", "exec -a true node --inspect s.js"],
            inspector,
        ),
        (
            &production,
            vec!["env", "PATH=./bin:/usr/bin", "node", "s.js"],
            inspector,
        ),
        (
            &production,
            vec![
                "node",
                "--experimental-permission",
                "--allow-fs-read",
                "/",
                "--inspect",
                "s.js",
            ],
            inspector,
        ),
        (&production, vec!["npm", "start", "-w", "api"], inspector),
        (
            &production,
            vec!["./target/release/koomy-api", "serve"],
            inspector,
        ),
        (&sandbox, vec!["env", "-S", &split], hidden),
        (
            &sandbox,
            vec!["env", "--ignore-signal=PIPE", &to_prod, "node", "s.js"],
            hidden,
        ),
        (
            &sandbox,
            vec!["time", "-f", "%e", "env", &to_prod, "node", "s.js"],
            hidden,
        ),
        (
            &sandbox,
            vec!["xargs", "-a", "/dev/null", "env", &to_prod, "node", "s.js"],
            hidden,
        ),
        (&sandbox, vec!["sh", "-c", &piped], hidden),
        (&sandbox, vec!["sh", "-c", "cd api; node s.js"], hidden),
        (&sandbox, vec!["tini", "--", "./start.sh"], hidden),
    ];
    for (vars, command, rules) in cases {
        assert_run_refused(&env, vars, &command, rules);
    }
    // Everyday forms still pass the static check (only the absent database refuses them).
    env.write(
        "package.json",
        r#"{"scripts": {"prestart": "mkdir -p logs", "start": "NODE_ENV=production node s.js", "build": "NODE_OPTIONS=--max-old-space-size=4096 node -e 0"}}"#,
    );
    for command in [
        vec!["npm", "start"],
        vec!["sh", "-c", "npm run build && node s.js"],
        vec![
            "env",
            "-i",
            "PATH=/usr/bin:/bin",
            "KOOMY_ENV=sandbox",
            "NODE_ENV=production",
            &*format!("DATABASE_URL={s}"),
            "node",
            "s.js",
        ],
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
