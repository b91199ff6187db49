//! `gardefou run` in front of a real Node.js server: it is exec'd (same PID), its exit code
//! is the process's, and a SIGTERM sent to that PID reaches Node's handler.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use crate::support::{stamped_local, stripe_keys, vars, Env, Run, Runs};

// The handler is installed before the PID is announced, so the test's SIGTERM cannot
// arrive before Node listens for it.
const SERVER: &str = r#"
process.on('SIGTERM', () => {
  process.stdout.write('got SIGTERM\n');
  process.exit(42);
});
process.stdout.write(`pid ${process.pid}\n`);
setInterval(() => {}, 1000);
"#;

#[test]
fn node_is_execed_with_the_same_pid_and_receives_sigterm() {
    let env = Env::new();
    let (_pg, url) = stamped_local(&env);
    let script = env.write("server.js", SERVER);
    let mut child = env
        .cmd(&vars("local", &url))
        .arg("run")
        .arg("--")
        .arg("node")
        .arg(&script)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node must be installed (.ci/run installs it)");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(
        line.trim(),
        format!("pid {}", child.id()),
        "node must run in gardefou's process"
    );

    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "node did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert_eq!(rest, "got SIGTERM\n");
    assert_eq!(status.code(), Some(42), "node's exit code is the process's");
}

#[test]
fn node_exit_code_is_the_process_exit_code() {
    let env = Env::new();
    let (_pg, url) = stamped_local(&env);
    let script = env.write("exit.js", "process.exitCode = 7;\n");
    env.run_line_with(&vars("local", &url), "run -- node", &script)
        .exit(7);
}

/// What a Koomy-like Node server sees: the Stripe key's mode and whether Node's inspector
/// is open. It prints one line and exits.
const PROBE_SERVER: &str = r#"
const key = process.env.STRIPE_SECRET_KEY || '';
const mode = key.startsWith('sk_live_') ? 'live' : key.startsWith('sk_test_') ? 'test' : 'none';
const inspector = require('inspector').url() ? 'open' : 'closed';
process.stdout.write(`stripe=${mode} inspector=${inspector}\n`);
"#;

/// Each bypass of issue "every variable, every env file": run without gardefou, the real Node
/// server sees the production value or opens its inspector; under `gardefou run` the server
/// never starts.
#[test]
fn regression_bypasses_reach_a_real_node_server_only_without_gardefou() {
    let env = Env::with_policy(crate::check::TWO_DATABASES);
    // dotenv, installed from the npm registry, as the server uses it.
    let install = std::process::Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--silent",
            "dotenv@16",
        ])
        .current_dir(env.dir.path())
        .output()
        .expect("npm must be installed (scripts/test.sh installs it)");
    Run::from(install).success();
    let server = env.write("server.js", PROBE_SERVER);
    let (live, test) = stripe_keys("Zq8pW3xLm9Kt2Rv7Bn4Hc6Jd");
    env.write_stripe_key(".env", &live);
    env.write_stripe_key("prod.env", &live);
    let sandbox: Vec<(&str, &str)> = vec![
        ("KOOMY_ENV", "sandbox"),
        ("NODE_ENV", "production"),
        ("DATABASE_URL", "postgresql://koomy@localhost:6543/koomy"),
        ("STRIPE_SECRET_KEY", &test),
    ];
    let production: Vec<(&str, &str)> = vec![
        ("KOOMY_ENV", "production"),
        ("NODE_ENV", "production"),
        ("DATABASE_URL", "postgresql://koomy@127.0.0.1:9/koomy"),
    ];
    let server = server.to_str().unwrap();
    // (what, environment, command, what the server shows when the bypass works)
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<&'a str>, &'a str);
    let cases: Vec<Case> = vec![
        (
            "DOTENV_CONFIG_OVERRIDE=false overrides",
            [sandbox.clone(), vec![("DOTENV_CONFIG_OVERRIDE", "false")]].concat(),
            vec!["node", "-r", "dotenv/config", server],
            "stripe=live",
        ),
        (
            "node --env-file (the environment does not set the key)",
            sandbox[..3].to_vec(),
            vec!["node", "--env-file=prod.env", server],
            "stripe=live",
        ),
        (
            "-r dotenv/config --inspect",
            production.clone(),
            vec![
                "node",
                "-r",
                "dotenv/config",
                "--inspect=127.0.0.1:0",
                server,
            ],
            "inspector=open",
        ),
        (
            "env node --inspect",
            production.clone(),
            vec![
                "env",
                "NODE_ENV=production",
                "node",
                "--inspect=127.0.0.1:0",
                server,
            ],
            "inspector=open",
        ),
    ];
    for (what, vars, command, bad) in cases {
        // Without gardefou: the bypass is real.
        let (program, args) = command.split_first().unwrap();
        let out = std::process::Command::new(program)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap())
            .envs(vars.iter().copied())
            .current_dir(env.dir.path())
            .run();
        let seen = &out.stdout;
        assert!(
            seen.contains(bad),
            "{what}: without gardefou the server should see it: {seen}"
        );
        // Under gardefou run: refused, the server never starts.
        let out = env.run_guarded(&vars, &command).refused();
        let stdout = &out.stdout;
        let stderr = &out.stderr;
        assert!(stdout.is_empty(), "{what}: the server ran: {stdout}");
        assert!(
            !stderr.contains("database-unreachable"),
            "{what}: refused statically: {stderr}"
        );
        assert!(!stderr.contains("Zq8pW3xL"), "{what}: {stderr}");
    }
}
