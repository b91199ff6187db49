//! `action.yml`, run step by step the way the GitHub runner runs a composite action: each
//! `run` step in bash with its `env:` expressions evaluated, `GITHUB_OUTPUT` / `GITHUB_PATH`
//! carried to the next steps, `uses` steps (the SARIF upload) left out. The binary comes
//! from a release mirror on loopback, so the install step is the real one: archive,
//! `SHA256SUMS`, PATH.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{assert_contains, assert_no_piece_of, assignments, Env, Runs};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const ASSET: &str = "gardefou-x86_64-unknown-linux-musl.tar.gz";

/// A release mirror on loopback: `GET /v{VERSION}/{file}` answers the file from `dir`.
fn serve(dir: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).map_or(true, |n| n <= 2) {
                    break;
                }
            }
            let path = line.split(' ').nth(1).unwrap_or("");
            let prefix = format!("/v{VERSION}/");
            let body = path
                .strip_prefix(&prefix)
                .filter(|f| !f.contains('/'))
                .and_then(|f| std::fs::read(dir.join(f)).ok());
            let _ = match body {
                Some(body) => stream
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .and_then(|()| stream.write_all(&body)),
                None => stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                ),
            };
        }
    });
    port
}

/// The release for this runner, built from the binary under test, once.
fn release() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("action-release");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let bin = assert_cmd::cargo::cargo_bin("gardefou");
        Command::new("tar")
            .arg("-C")
            .arg(bin.parent().unwrap())
            .args(["-I", "gzip -1", "-cf"])
            .arg(dir.join(ASSET))
            .arg("gardefou")
            .run()
            .success();
        let sums = Command::new("sha256sum")
            .arg(ASSET)
            .current_dir(&dir)
            .run()
            .success();
        std::fs::write(dir.join("SHA256SUMS"), &sums.stdout).unwrap();
        dir
    })
    .clone()
}

struct ActionRun {
    /// Each step's name, exit code and output, in order.
    steps: Vec<(String, i32, String)>,
    /// What the job's log shows, every step.
    log: String,
    outputs: HashMap<String, HashMap<String, String>>,
}

impl ActionRun {
    fn step(&self, name: &str) -> Option<&(String, i32, String)> {
        self.steps.iter().find(|s| s.0.starts_with(name))
    }
}

/// Runs action.yml's steps in `workspace`, with the workflow's `with:` inputs and the step's
/// `env:` (the job's secrets), until a step fails.
fn run_action(
    workspace: &Path,
    temp: &Path,
    with: &[(&str, String)],
    env: &[(&str, &str)],
) -> ActionRun {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let action: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(root.join("action.yml")).unwrap()).unwrap();
    let mut inputs: HashMap<String, String> = HashMap::new();
    for (name, spec) in action["inputs"].as_mapping().unwrap() {
        let default = spec["default"].as_str().unwrap_or("").to_owned();
        inputs.insert(name.as_str().unwrap().to_owned(), default);
    }
    for (name, value) in with {
        assert!(inputs.contains_key(*name), "action.yml has no input {name}");
        inputs.insert((*name).to_owned(), value.clone());
    }
    let mut run = ActionRun {
        steps: Vec::new(),
        log: String::new(),
        outputs: HashMap::new(),
    };
    let mut path = vec!["/usr/bin".to_owned(), "/bin".to_owned()];
    for step in action["runs"]["steps"].as_sequence().unwrap() {
        let name = step["name"].as_str().unwrap().to_owned();
        let Some(script) = step["run"].as_str() else {
            assert!(step["uses"].is_string(), "{name}: neither run nor uses");
            continue;
        };
        assert_eq!(step["shell"].as_str(), Some("bash"), "{name}");
        assert!(!script.contains("${{"), "{name}: an expression in a script");
        let output = temp.join(format!("output-{}", run.steps.len()));
        let github_path = temp.join(format!("path-{}", run.steps.len()));
        std::fs::write(&output, "").unwrap();
        std::fs::write(&github_path, "").unwrap();
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(workspace)
            .env_clear()
            .env("PATH", path.join(":"))
            .env("HOME", temp)
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TEMP", temp)
            .env("GITHUB_ACTION_PATH", root)
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_PATH", &github_path)
            .envs(env.iter().copied());
        if let Some(vars) = step["env"].as_mapping() {
            for (k, v) in vars {
                let value = evaluate(v.as_str().unwrap(), &inputs, &run.outputs);
                cmd.env(k.as_str().unwrap(), value);
            }
        }
        let out = cmd.run();
        let text = out.output();
        run.log.push_str(&format!("## {name}\n{text}"));
        if let Some(id) = step["id"].as_str() {
            let values = std::fs::read_to_string(&output).unwrap();
            let map = values
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            run.outputs.insert(id.to_owned(), map);
        }
        for dir in std::fs::read_to_string(&github_path).unwrap().lines() {
            path.insert(0, dir.to_owned());
        }
        let code = out.code.unwrap_or(-1);
        run.steps.push((name, code, text));
        if code != 0 {
            break;
        }
    }
    run
}

/// The expressions action.yml's `env:` uses: `inputs.NAME` and `steps.ID.outputs.NAME`.
fn evaluate(
    text: &str,
    inputs: &HashMap<String, String>,
    outputs: &HashMap<String, HashMap<String, String>>,
) -> String {
    let Some(expr) = text
        .strip_prefix("${{ ")
        .and_then(|t| t.strip_suffix(" }}"))
    else {
        assert!(!text.contains("${{"), "unsupported expression {text}");
        return text.to_owned();
    };
    if let Some(name) = expr.strip_prefix("inputs.") {
        return inputs
            .get(name)
            .unwrap_or_else(|| panic!("no input {name}"))
            .clone();
    }
    let parts: Vec<&str> = expr.split('.').collect();
    match parts.as_slice() {
        ["steps", id, "outputs", name] => outputs
            .get(*id)
            .and_then(|o| o.get(*name))
            .cloned()
            .unwrap_or_default(),
        _ => panic!("unsupported expression {text}"),
    }
}

/// The runner: its `RUNNER_TEMP`, made in `env`, and the loopback port the release is
/// served on.
fn runner(env: &Env) -> (PathBuf, u16) {
    let temp = env.path("runner-temp");
    std::fs::create_dir(&temp).unwrap();
    (temp, serve(release()))
}

/// [`run_action`] deploying to the sandbox with the release served on loopback `port`.
fn run_sandbox_action(workspace: &Path, temp: &Path, port: u16, env: &[(&str, &str)]) -> ActionRun {
    let with = [
        ("environment", "sandbox".to_owned()),
        ("download-base", format!("http://127.0.0.1:{port}")),
    ];
    run_action(workspace, temp, &with, env)
}

fn git(dir: &Path, args: &[&str]) {
    gardefou_testkit::git::run(dir, args);
}

/// A checkout as the runner makes it: `main`, `staging` one feature ahead, the policy.
fn checkout(env: &Env, extra: &[(&str, &str)]) -> PathBuf {
    let dir = env.path("repo");
    std::fs::create_dir(&dir).unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("gardefou.toml"), crate::support::sandbox_policy()).unwrap();
    std::fs::write(
        dir.join("app.js"),
        "const key = process.env.STRIPE_SECRET_KEY;\n",
    )
    .unwrap();
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "Initial commit"]);
    git(&dir, &["checkout", "-q", "-b", "staging"]);
    for (file, text) in extra {
        std::fs::write(dir.join(file), text).unwrap();
    }
    std::fs::write(dir.join("feature.js"), "module.exports = 1;\n").unwrap();
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "Add the feature"]);
    dir
}

fn sandbox_url() -> String {
    format!(
        "postgresql://app:{}@ep-beta-1{}/koomy?sslmode=require",
        crate::support::fake_password(),
        crate::support::R
    )
}

/// The staging branch deploys to the sandbox with the sandbox's secrets: every step passes,
/// with the binary the install step put on PATH (the runner's PATH has none).
#[test]
fn the_action_allows_a_clean_sandbox_deploy_with_the_released_binary() {
    let env = Env::new();
    let repo = checkout(&env, &[]);
    let (temp, port) = runner(&env);
    let url = sandbox_url();
    let test_key = ["sk_", "test_", "Hq4Lm8Np2Rt6Vw9Xz3Bc7Df5"].concat();
    let mut secrets = assignments("GITHUB_REF=refs/heads/staging NODE_ENV=production");
    secrets.extend([
        ("DATABASE_URL", url.as_str()),
        ("STRIPE_SECRET_KEY", &test_key),
    ]);
    let run = run_sandbox_action(&repo, &temp, port, &secrets);
    let codes: Vec<i32> = run.steps.iter().map(|s| s.1).collect();
    assert_eq!(codes, [0, 0, 0, 0, 0], "{}", run.log);
    assert_contains(
        &run.log,
        &format!("gardefou {VERSION} for x86_64-unknown-linux-musl"),
    );
    assert_contains(&run.log, "gardefou: allowed");
    for id in ["scan", "check", "deploy"] {
        assert_eq!(run.outputs[id]["verdict"], "allowed", "{id}: {}", run.log);
    }
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&run.outputs["scan"]["sarif-file"]).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    for secret in [&crate::support::fake_password(), &test_key] {
        assert_no_piece_of("the log", own(secret), &run.log);
    }
}

/// A hard-coded key in the checkout, a live Stripe key in the sandbox's secrets and a
/// feature branch deployed to the sandbox: the three refusals are all reported, the SARIF is
/// written for the upload, the job fails, and no piece of either key is in the log.
#[test]
fn the_action_reports_every_refusal_at_once_and_never_a_value() {
    let env = Env::new();
    let planted = ["sk_", "live_", "Tg7Yh2Uj9Ik4Ol6Pm3Nb8Vc1"].concat();
    let code = format!("const stripe = require('stripe')('{planted}');\n");
    let repo = checkout(&env, &[("billing.js", &code)]);
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    let (temp, port) = runner(&env);
    let url = sandbox_url();
    let live = ["sk_", "live_", "Qw3Er5Ty7Ui9Op2As4Df6Gh8"].concat();
    let mut secrets = assignments("GITHUB_REF=refs/heads/feature NODE_ENV=production");
    secrets.extend([("DATABASE_URL", url.as_str()), ("STRIPE_SECRET_KEY", &live)]);
    let run = run_sandbox_action(&repo, &temp, port, &secrets);
    let codes: Vec<i32> = run.steps.iter().map(|s| s.1).collect();
    assert_eq!(codes, [0, 0, 0, 0, 1], "{}", run.log);
    for id in ["scan", "check", "deploy"] {
        assert_eq!(run.outputs[id]["verdict"], "refused", "{id}: {}", run.log);
    }
    let verdict = &run.step("Verdict").unwrap().2;
    for what in ["secrets scan", "environment check", "release rule"] {
        assert_contains(verdict, what);
    }
    let sarif = std::fs::read_to_string(&run.outputs["scan"]["sarif-file"]).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(
        doc["runs"][0]["results"].as_array().unwrap().len(),
        1,
        "{sarif}"
    );
    for secret in [&planted, &live, &crate::support::fake_password()] {
        assert_no_piece_of("the log", own(secret), &run.log);
        assert_no_piece_of("the SARIF", own(secret), &sarif);
    }
}

/// An archive that is not the release's (a tampered mirror, or not the one the workflow
/// pins) is not installed, and nothing after the install step runs.
#[test]
fn the_action_installs_only_the_archive_the_checksums_name() {
    let env = Env::new();
    let repo = checkout(&env, &[]);
    let (temp, port) = runner(&env);
    let base = format!("http://127.0.0.1:{port}");
    let pinned_elsewhere = "0".repeat(64);
    let run = run_action(
        &repo,
        &temp,
        &[
            ("environment", "sandbox".to_owned()),
            ("download-base", base.clone()),
            ("sha256", pinned_elsewhere),
        ],
        &[("GITHUB_REF", "refs/heads/staging")],
    );
    assert_eq!(run.steps.len(), 1, "{}", run.log);
    assert_ne!(run.steps[0].1, 0, "{}", run.log);
    assert_contains(&run.log, "not the one the workflow pins");
    assert!(!temp.join(format!("gardefou-{VERSION}/gardefou")).exists());

    // A mirror whose archive differs from its SHA256SUMS.
    let tampered = env.path("tampered");
    std::fs::create_dir(&tampered).unwrap();
    let mut archive = std::fs::read(release().join(ASSET)).unwrap();
    archive.push(0);
    std::fs::write(tampered.join(ASSET), archive).unwrap();
    std::fs::copy(release().join("SHA256SUMS"), tampered.join("SHA256SUMS")).unwrap();
    let port = serve(tampered);
    let run = run_sandbox_action(&repo, &temp, port, &[("GITHUB_REF", "refs/heads/staging")]);
    assert_eq!(run.steps.len(), 1, "{}", run.log);
    assert_ne!(run.steps[0].1, 0, "{}", run.log);
    assert_contains(&run.log, "does not match the release's SHA256SUMS");
    assert!(!temp.join(format!("gardefou-{VERSION}/gardefou")).exists());
    // And a mirror that is not https (nor the runner itself) is refused before any download.
    let run = run_action(
        &repo,
        &temp,
        &[
            ("environment", "sandbox".to_owned()),
            ("download-base", base.replace("127.0.0.1", "example.test")),
        ],
        &[("GITHUB_REF", "refs/heads/staging")],
    );
    assert_eq!(run.steps[0].1, 2, "{}", run.log);
}

/// A secret's own part: what follows a provider's public prefix such as `sk_live_`, which
/// rule texts may name.
fn own(secret: &str) -> &str {
    secret.rsplit('_').next().unwrap()
}
