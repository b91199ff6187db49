//! Every command's whole output, in its human form and under `--format json`, as snapshots:
//! what a user and a script see, byte for byte, with the temp dir, the ports the system
//! hands out and the values that change from run to run (a report's keys, a signer's key)
//! replaced by placeholders. The planted secrets are built at run time and none may appear.

use std::path::Path;

use crate::support::{fake_password, sandbox_policy, scrub, signer, vars, Env, Run, R};

/// The JSON document a run printed (on stdout, or on stderr for `run` and `seed`) as a
/// snapshot shows it: checked to be one valid JSON object on one line, re-indented with its
/// keys in the order written, then [`scrub`]bed.
fn render_json(run: &Run, dir: &Path) -> String {
    let (stream, text, other, rest) = if run.stdout.is_empty() {
        ("stderr", &run.stderr, "stdout", &run.stdout)
    } else {
        ("stdout", &run.stdout, "stderr", &run.stderr)
    };
    assert!(
        text.ends_with('\n') && text.trim_end().lines().count() == 1,
        "one JSON object on one line:\n{run}"
    );
    let doc: serde_json::Value = serde_json::from_str(text).unwrap();
    assert!(doc.is_object() || doc.is_array(), "{run}");
    let pretty = pretty(text);
    let code = run.code.map_or("signal".to_owned(), |c| c.to_string());
    scrub(
        &format!("exit: {code}\n--- {stream} (JSON)\n{pretty}\n--- {other}\n{rest}"),
        dir,
    )
}

/// One valid JSON document re-indented by two spaces, its keys in the order written.
fn pretty(json: &str) -> String {
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    let mut out = String::new();
    let (mut depth, mut in_string, mut escaped) = (0, false, false);
    let mut chars = json.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' if matches!(chars.peek(), Some('}' | ']')) => {
                out.push(c);
                out.extend(chars.next());
            }
            '{' | '[' => {
                out.push(c);
                depth += 1;
                newline(&mut out, depth);
            }
            '}' | ']' => {
                depth -= 1;
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// `args` with `--format json` (before `--`, for `run` and `seed`).
fn json_args<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let at = args.iter().position(|a| *a == "--").unwrap_or(args.len());
    let mut with = args[..at].to_vec();
    with.extend(["--format", "json"]);
    with.extend(&args[at..]);
    with
}

/// `gardefou ARGS` in its human form and with `--format json`, snapshots `NAME` and
/// `NAME-json`; both must exit alike. The two runs, for further assertions.
fn snapshots(
    env: &Env,
    vars: &[(&str, &str)],
    args: &[&str],
    name: &str,
    per_run: &[(&str, &str)],
) -> (Run, Run) {
    let human = env.run(vars, args);
    let json = env.run(vars, &json_args(args));
    assert_eq!(human.code, json.code, "{human}\n{json}");
    let [human_text, json_text] = redact(
        [env.render(&human), render_json(&json, env.dir.path())],
        per_run,
    );
    insta::assert_snapshot!(name, human_text);
    insta::assert_snapshot!(format!("{name}-json"), json_text);
    (human, json)
}

/// Panics if any of `secrets` shows in either run.
fn assert_no_secret(runs: &(Run, Run), secrets: &[String]) {
    for run in [&runs.0, &runs.1] {
        for secret in secrets {
            crate::support::assert_no_piece_of("the output", secret, &run.output());
        }
    }
}

fn sandbox_url(endpoint: &str) -> String {
    format!(
        "postgresql://koomy:{}@{endpoint}{R}/neondb?sslmode=require",
        fake_password()
    )
}

#[test]
fn check_allowed_and_refused() {
    let env = Env::with_policy(sandbox_policy());
    let url = sandbox_url("ep-beta-1");
    let runs = snapshots(
        &env,
        &vars("sandbox", &url),
        &["check"],
        "check-allowed",
        &[],
    );
    runs.0.success();
    let url = sandbox_url("ep-alpha-1");
    let mut refused = vars("sandbox", &url).to_vec();
    refused.push(("DEBUG", "1"));
    let runs = snapshots(&env, &refused, &["check"], "check-refused", &[]);
    assert_no_secret(&runs, &[fake_password()]);
    runs.1.refused();
}

#[test]
fn run_and_seed_report_on_stderr() {
    let env = Env::with_policy(sandbox_policy());
    let url = sandbox_url("ep-alpha-1");
    let vars = vars("sandbox", &url);
    let runs = snapshots(&env, &vars, &["run", "--", "true"], "run-refused", &[]);
    assert!(runs.1.stdout.is_empty(), "{}", runs.1);
    let runs = snapshots(&env, &vars, &["seed", "--", "true"], "seed-refused", &[]);
    assert!(runs.1.stdout.is_empty(), "{}", runs.1);
    assert_no_secret(&runs, &[fake_password()]);
}

/// A live Stripe key, built at run time.
fn live_key() -> String {
    ["sk", "_live_", &gardefou_testkit::fake::alnum(21, 32)].concat()
}

#[test]
fn scan_human_json_and_sarif() {
    let env = Env::new();
    env.write("ok.js", "const k = process.env.STRIPE_SECRET_KEY;\n");
    snapshots(&env, &[], &["scan"], "scan-clean", &[])
        .1
        .success();
    let key = live_key();
    env.write("src/pay.js", &format!("const k = \"{key}\";\n"));
    let runs = snapshots(&env, &[], &["scan"], "scan-refused", &[]);
    // SARIF: the results (the rules it also lists are docs/rules.md's).
    let sarif = env.run(&[], &["scan", "--format", "sarif"]).refused();
    let results = &sarif.json()["runs"][0]["results"];
    insta::assert_snapshot!(
        "scan-refused-sarif-results",
        serde_json::to_string_pretty(results).unwrap()
    );
    // The key's random part (its prefix is in the rules' docs).
    let random = key["sk_live_".len()..].to_owned();
    crate::support::assert_no_piece_of("SARIF", &random, &sarif.output());
    assert_no_secret(&runs, &[random]);
}

#[test]
fn secrets_register_human_and_json() {
    let env = Env::with_policy(sandbox_policy());
    let alnum = gardefou_testkit::fake::alnum;
    let (stripe, jwt, key) = (
        ["sk", "_test_", &alnum(31, 32)].concat(),
        alnum(32, 64),
        alnum(33, 48),
    );
    let url = sandbox_url("ep-beta-1");
    let mut vars = vars("sandbox", &url).to_vec();
    vars.extend([
        ("STRIPE_SECRET_KEY", stripe.as_str()),
        ("JWT_SECRET", jwt.as_str()),
        ("GARDEFOU_SECRETS_KEY", key.as_str()),
    ]);
    let human = env.run(&vars, &["secrets", "register"]).success();
    insta::assert_snapshot!("secrets-register-added", env.render(&human));
    let json = env
        .run(&vars, &["secrets", "register", "--format", "json"])
        .success();
    insta::assert_snapshot!(
        "secrets-register-unchanged-json",
        render_json(&json, env.dir.path())
    );
    let runs = (human, json);
    assert_no_secret(&runs, &[stripe, jwt, key, fake_password()]);
}

#[test]
fn deploy_check_human_and_json() {
    let env = Env::new();
    let dir = crate::deploy::repo(&env);
    crate::deploy::git(
        &dir,
        &["merge", "-q", "--no-ff", "staging", "-m", "Merge staging"],
    );
    let args = crate::deploy::PRODUCTION_DEPLOY;
    snapshots(&env, &[], args, "deploy-check-allowed", &[])
        .0
        .success();
    crate::deploy::git(&dir, &["checkout", "-q", "-b", "feature"]);
    let ci = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_REF", "refs/heads/feature"),
    ];
    snapshots(&env, &ci, args, "deploy-check-refused", &[])
        .0
        .refused();
}

#[test]
fn domains_check_human_and_json() {
    let env = Env::new();
    snapshots(
        &env,
        &[],
        &["domains", "check"],
        "domains-check-allowed",
        &[],
    )
    .0
    .success();
    env.write_policy(
        "gardefou.toml",
        "[domains.sandbox]\napp = \"koomy.app\"\napi = \"api-sandbox.koomy.app\"\n",
    );
    snapshots(
        &env,
        &[],
        &["domains", "check"],
        "domains-check-refused",
        &[],
    )
    .0
    .refused();
}

#[test]
fn init_human_and_json() {
    let env = Env::new();
    let (jwt_p, jwt_s) = (
        gardefou_testkit::fake::alnum(41, 64),
        gardefou_testkit::fake::alnum(42, 64),
    );
    env.write(
        ".env.production",
        &format!(
            "KOOMY_ENV=production\nNODE_ENV=production\nDATABASE_URL={}\nJWT_SECRET={jwt_p}\n",
            sandbox_url("ep-alpha-12")
        ),
    );
    env.write(
        ".env.staging",
        &format!(
            "NODE_ENV=production\nDATABASE_URL={}\nJWT_SECRET={jwt_s}\n",
            sandbox_url("ep-beta-3-pooler")
        ),
    );
    let runs = snapshots(&env, &[], &["init", "--output", "-"], "init", &[]);
    assert_no_secret(&runs, &[jwt_p, jwt_s, fake_password()]);
    let policy = runs.0.success().stdout;
    // What it writes is the text it prints.
    let written = env.run(&[], &["init"]).success();
    insta::assert_snapshot!("init-written", env.render(&written));
    assert_eq!(
        std::fs::read_to_string(env.path("gardefou.toml")).unwrap(),
        policy
    );
}

#[test]
fn rules_explain_human_and_json() {
    let env = Env::new();
    let args = ["rules", "explain", "database-url-environment-mismatch"];
    snapshots(&env, &[], &args, "rules-explain", &[])
        .0
        .success();
    let unknown = ["rules", "explain", "no-such-rule"];
    snapshots(&env, &[], &unknown, "rules-explain-unknown", &[])
        .0
        .usage_error();
}

#[test]
fn policy_sign_verify_and_diff_human_and_json() {
    let env = Env::new();
    let keys = tempfile::tempdir().unwrap();
    let key = crate::support::ssh_keygen(keys.path(), "cto");
    env.write("gardefou.toml", sandbox_policy());
    let key_arg = key.display().to_string();
    // The key is made per run: its fingerprint and public key are not the snapshot's.
    let made_per_run = [
        (r"SHA256:[A-Za-z0-9+/]{43}", "SHA256:[KEY]"),
        (r"ssh-ed25519 AAAA[A-Za-z0-9+/=]+", "ssh-ed25519 [KEY]"),
    ];
    let sign = ["policy", "sign", "--key", key_arg.as_str()];
    let (_, json) = snapshots(&env, &[], &sign, "policy-sign", &made_per_run);
    let allowed = json.success().json()["allowed_signers_line"]
        .as_str()
        .unwrap()
        .to_owned();
    let signers = [("GARDEFOU_ALLOWED_SIGNERS", allowed.as_str())];
    let verify = ["policy", "verify"];
    snapshots(&env, &signers, &verify, "policy-verify", &made_per_run[..1])
        .0
        .success();
    // The CTO's signer is not the test signer every other command trusts.
    assert_ne!(allowed, signer().allowed);

    env.write("old.toml", sandbox_policy());
    env.write(
        "gardefou.toml",
        "[database.production]\nneon_endpoints = []\n[database.sandbox]\nneon_endpoints = [\"ep-beta-1\", \"ep-alpha-1\"]\n",
    );
    let diff = ["policy", "diff", "--against", "old.toml"];
    snapshots(&env, &[], &diff, "policy-diff-widens", &[])
        .0
        .refused();
}

/// `texts` with what changes from run to run replaced: each pattern (a regex) by its
/// replacement. Panics when a pattern matches none of them (a stale redaction).
fn redact<const N: usize>(mut texts: [String; N], patterns: &[(&str, &str)]) -> [String; N] {
    for (pattern, replacement) in patterns {
        let re = regex::Regex::new(pattern).unwrap();
        assert!(
            texts.iter().any(|t| re.is_match(t)),
            "{pattern} matches nothing in:\n{}",
            texts.join("\n")
        );
        for text in &mut texts {
            *text = re.replace_all(text, *replacement).into_owned();
        }
    }
    texts
}

#[test]
fn report_human_and_json() {
    let env = Env::new();
    // Unsigned: a signature would show the test signer's key, made per run.
    env.write("gardefou.toml", sandbox_policy());
    let alnum = gardefou_testkit::fake::alnum;
    let shared_jwt = alnum(51, 64);
    let mut secrets = vec![fake_password(), shared_jwt.clone()];
    let mut args = vec!["report".to_owned()];
    for (name, endpoint, node, stripe) in [
        ("production", "ep-alpha-1", "production", "live"),
        ("sandbox", "ep-beta-1", "production", "test"),
    ] {
        let stripe = ["sk_", stripe, "_", &alnum(52, 40)].concat();
        let url = sandbox_url(endpoint);
        env.write(
            &format!("{name}.env"),
            &format!(
                "KOOMY_ENV={name}\nNODE_ENV={node}\nDATABASE_URL={url}\nSTRIPE_SECRET_KEY={stripe}\nJWT_SECRET={shared_jwt}\n"
            ),
        );
        secrets.push(stripe[8..].to_owned());
        args.extend(["--env".to_owned(), format!("{name}={name}.env")]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // Fingerprints keyed for this report only.
    let per_report = [
        (
            r"fingerprint [0-9a-f]{8} \(this",
            "fingerprint xxxxxxxx (this",
        ),
        (r#""value": "[0-9a-f]{8}""#, r#""value": "xxxxxxxx""#),
    ];
    let runs = snapshots(&env, &[], &args, "report", &per_report);
    assert_no_secret(&runs, &secrets);
    runs.0.refused();
}

#[test]
fn db_stamp_and_identity_human_and_json() {
    let env = Env::new();
    let (_pg, url) = crate::support::cluster();
    let vars = vars("local", &url);
    // What the server is changes with every cluster: its ids, version, port and time.
    let per_cluster = [
        (r"(?-u:\b)[0-9]{15,20}(?-u:\b)", "[SYSTEM-ID]"),
        (r"OID [0-9]+", "OID [OID]"),
        (r#""database_oid": "[0-9]+""#, r#""database_oid": "[OID]""#),
        (
            r#""server_version": "[^"]*""#,
            r#""server_version": "[VERSION]""#,
        ),
        (r#""server_port": "[0-9]+""#, r#""server_port": "[PORT]""#),
        (r"version            .*", "version            [VERSION]"),
        (r"port [0-9]+", "port [PORT]"),
        (r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+\+[0-9]{2}", "[TIME]"),
    ];
    // The first stamp creates it, in human form; the JSON run finds it unchanged.
    let stamp = ["db", "stamp"];
    snapshots(&env, &vars, &stamp, "db-stamp", &per_cluster[..5])
        .0
        .success();
    let identity = ["db", "identity"];
    snapshots(&env, &vars, &identity, "db-identity", &per_cluster)
        .0
        .success();
}

#[test]
fn pretty_keeps_the_order_and_the_strings() {
    assert_eq!(
        pretty("{\"b\":1,\"a\":[],\"s\":\"x,\\\"{[:\",\"o\":{\"k\":[true,null]}}\n"),
        "{\n  \"b\": 1,\n  \"a\": [],\n  \"s\": \"x,\\\"{[:\",\n  \"o\": {\n    \"k\": [\n      true,\n      null\n    ]\n  }\n}"
    );
}
