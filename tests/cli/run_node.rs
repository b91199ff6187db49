//! `gardefou run` in front of a real Node.js server: it is exec'd (same PID), its exit code
//! is the process's, and a SIGTERM sent to that PID reaches Node's handler.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use crate::support::{stamped_local, vars, Env};

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
        .std_cmd(&vars("local", &url))
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
    let out = env
        .cmd(&vars("local", &url))
        .args(["run", "--", "node"])
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
}
