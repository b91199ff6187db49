//! `gardefou policy sign|verify|diff`, and the signed policy as every start enforces it:
//! real `ssh-keygen` keys made at run time, real git repositories, real PostgreSQL.

use std::path::Path;
use std::process::Command as StdCommand;

use crate::support::*;

const NS: &str = "gardefou-policy";

/// The allowed signers line of the key at `key`, for `principal`.
fn allowed(key: &Path, principal: &str, namespaces: &str) -> String {
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    // The key type and the key, without the comment.
    let key: Vec<&str> = public.split_whitespace().take(2).collect();
    format!("{principal} namespaces=\"{namespaces}\" {}", key.join(" "))
}

fn keys_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn sign_then_verify_names_the_signer_for_ed25519_and_rsa_keys_and_ssh_keygen_agrees() {
    let keys = keys_dir();
    for (name, args) in [
        ("ed", &["-t", "ed25519", "-N", ""][..]),
        ("rsa", &["-t", "rsa", "-b", "3072", "-N", ""][..]),
    ] {
        let env = Env::new();
        let key = ssh_keygen_with(keys.path(), name, args);
        env.write("gardefou.toml", sandbox_policy());
        let out = env.run_line_with(&[], "policy sign --key", &key).success();
        let stdout = &out.stdout;
        // The allowed signers line it prints is the public key, never the private one.
        let line = allowed(&key, &format!("{name}@koomy.app"), NS);
        assert_contains(stdout, &line);
        assert_lacks(stdout, "PRIVATE");
        let signers = [("GARDEFOU_ALLOWED_SIGNERS", line.as_str())];
        let out = env.run(&signers, &["policy", "verify"]).success();
        let fingerprint = StdCommand::new("ssh-keygen")
            .arg("-lf")
            .arg(&key)
            .run()
            .success()
            .stdout
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_owned();
        assert_eq!(
            out.stdout,
            format!("verified: gardefou.toml is signed by {name}@koomy.app ({fingerprint})\n")
        );
        let doc = env
            .run(&signers, &["policy", "verify", "--format", "json"])
            .json();
        assert_eq!(doc["verdict"], "allow");
        assert_eq!(doc["signer"]["fingerprint"], fingerprint.as_str());
        // ssh-keygen verifies gardefou's signature.
        let signers_file = keys.path().join(format!("{name}.allowed"));
        std::fs::write(&signers_file, &line).unwrap();
        StdCommand::new("ssh-keygen")
            .args([
                "-Y",
                "verify",
                "-n",
                NS,
                "-I",
                &format!("{name}@koomy.app"),
                "-f",
            ])
            .arg(&signers_file)
            .arg("-s")
            .arg(env.path("gardefou.toml.sig"))
            .stdin(std::fs::File::open(env.path("gardefou.toml")).unwrap())
            .run()
            .success();
        // gardefou verifies ssh-keygen's, given as --allowed-signers FILE.
        std::fs::remove_file(env.path("gardefou.toml.sig")).unwrap();
        StdCommand::new("ssh-keygen")
            .args(["-Y", "sign", "-n", NS, "-f"])
            .arg(&key)
            .arg(env.path("gardefou.toml"))
            .run()
            .success();
        env.run_line_with(&[], "policy verify --allowed-signers", &signers_file)
            .success();
        // One changed byte: refused.
        let policy = std::fs::read(env.path("gardefou.toml")).unwrap();
        // ep-alpha-1 becomes ep-alpha-3: one byte, still a valid policy.
        let at = policy.windows(7).position(|w| w == b"alpha-1").unwrap() + 6;
        let mut changed = policy.clone();
        changed[at] ^= 0x02;
        std::fs::write(env.path("gardefou.toml"), &changed).unwrap();
        let out = env.run(&signers, &["policy", "verify"]).refused();
        assert!(
            out.stdout.contains("error[policy-signature-invalid]"),
            "{out}"
        );
    }
}

#[test]
fn verify_refuses_an_unknown_key_a_namespace_not_allowed_and_a_missing_signature() {
    let keys = keys_dir();
    let env = Env::new();
    let cto = ssh_keygen(keys.path(), "cto");
    let intruder = ssh_keygen(keys.path(), "intruder");
    env.write("gardefou.toml", sandbox_policy());
    let verify = |signers: &str| {
        let signers = [("GARDEFOU_ALLOWED_SIGNERS", signers)];
        env.run(&signers, &["policy", "verify", "--format", "json"])
    };
    // The message of a refusal's first finding.
    let refusal = |out: Run| {
        let message = out.refused().json()["findings"][0]["message"].clone();
        message.as_str().unwrap_or_default().to_owned()
    };
    // No signature at all.
    let message = refusal(verify(&allowed(&cto, "cto", NS)));
    assert_contains(&message, "is not signed");
    sign_file(&env.path("gardefou.toml"), &intruder);
    let message = refusal(verify(&allowed(&cto, "cto", NS)));
    assert_contains(&message, "is not among the allowed signers");
    sign_file(&env.path("gardefou.toml"), &cto);
    let message = refusal(verify(&allowed(&cto, "cto", "git,file")));
    assert_contains(&message, "is not allowed to sign `gardefou-policy`");
    verify(&allowed(&cto, "cto", NS)).success();
}

#[test]
fn verify_without_usable_allowed_signers_is_a_configuration_error() {
    let keys = keys_dir();
    let env = Env::new();
    let cto = ssh_keygen(keys.path(), "cto");
    env.write_policy("gardefou.toml", sandbox_policy());
    let file = keys.path().join("allowed");
    std::fs::write(&file, allowed(&cto, "cto", NS)).unwrap();
    let file = file.display().to_string();
    for vars in [
        vec![("GARDEFOU_ALLOWED_SIGNERS_FILE", "")],
        vec![("GARDEFOU_ALLOWED_SIGNERS_FILE", "/nonexistent/allowed")],
        vec![("GARDEFOU_ALLOWED_SIGNERS", "cto restrict ssh-ed25519 AAAA")],
        vec![
            ("GARDEFOU_ALLOWED_SIGNERS", signer().allowed.as_str()),
            ("GARDEFOU_ALLOWED_SIGNERS_FILE", file.as_str()),
        ],
    ] {
        let out = env.run(&vars, &["policy", "verify"]).usage_error();
        assert!(!out.stderr.contains("AAAA"), "{out}");
    }
    // No allowed signers at all (the support's default removed).
    let mut cmd = env.cmd(&[]);
    cmd.env_remove("GARDEFOU_ALLOWED_SIGNERS");
    let out = cmd.args(["policy", "verify"]).run().usage_error();
    assert_contains(&out.stderr, "no allowed signers");
}

/// An attacker with commit access commits their key as allowed signers beside the policy
/// they signed. Never found on its own; named through the file variable or the flag, it is
/// refused because it is inside the repository (a symlink out of the repository into it
/// too) — in `policy verify` and in a production `check`.
#[test]
fn regression_an_allowed_signers_file_planted_in_the_repository_is_never_trusted() {
    let keys = keys_dir();
    let env = Env::new();
    let attacker = ssh_keygen(keys.path(), "attacker");
    gardefou_testkit::git::run(env.dir.path(), &["init", "-q"]);
    std::fs::create_dir_all(env.path("config/.ssh")).unwrap();
    let line = allowed(&attacker, "cto@koomy.app", NS);
    for planted in [
        "allowed_signers",
        ".allowed_signers",
        "config/.ssh/allowed_signers",
        "gardefou.allowed_signers",
    ] {
        env.write(planted, &line);
    }
    let policy = "[database.production]\nhosts = [\"127.0.0.1:5999\"]\n".to_owned();
    env.write("gardefou.toml", &policy);
    sign_file(&env.path("gardefou.toml"), &attacker);
    // Nothing configured: the planted files are not looked at.
    let mut cmd = env.cmd(&[]);
    cmd.env_remove("GARDEFOU_ALLOWED_SIGNERS");
    cmd.args(["policy", "verify"]).run().usage_error();
    let prod = vars("production", "postgresql://koomy@127.0.0.1:5999/koomy");
    let mut cmd = env.cmd(&prod);
    cmd.env_remove("GARDEFOU_ALLOWED_SIGNERS");
    let out = cmd.arg("check").run().refused();
    assert_contains(&out.stdout, "error[policy-signers-missing]");
    // Named: refused as inside the repository, from a subdirectory and through a symlink.
    let outside = keys.path().join("link");
    std::os::unix::fs::symlink(env.path("config/.ssh/allowed_signers"), &outside).unwrap();
    for file in [
        env.path("allowed_signers"),
        env.path("config/.ssh/allowed_signers"),
        outside,
    ] {
        let file = file.display().to_string();
        let out = env
            .run_line(&[("GARDEFOU_ALLOWED_SIGNERS_FILE", &file)], "policy verify")
            .usage_error();
        assert!(out.stderr.contains("inside the repository"), "{out}");
        env.run(&[], &["policy", "verify", "--allowed-signers", &file])
            .usage_error();
        let mut with_file = prod.to_vec();
        with_file.push(("GARDEFOU_ALLOWED_SIGNERS_FILE", &file));
        let out = env.run(&with_file, &["check"]).refused();
        assert!(
            out.stdout.contains("error[policy-signers-invalid]"),
            "{out}"
        );
    }
    // A .env that sets the allowed signers is refused too (the npm package's process
    // would read it as its own).
    env.write(".env", &format!("GARDEFOU_ALLOWED_SIGNERS='{line}'\n"));
    let mut cmd = env.cmd(&prod);
    cmd.env_remove("GARDEFOU_ALLOWED_SIGNERS");
    let out = cmd.arg("check").run();
    assert!(
        out.stdout
            .contains("the env file .env sets GARDEFOU_ALLOWED_SIGNERS"),
        "{out}"
    );
}

#[test]
fn sign_fails_closed_on_an_encrypted_key_or_a_public_key_pointing_to_ssh_keygen() {
    let keys = keys_dir();
    let env = Env::new();
    env.write("gardefou.toml", sandbox_policy());
    let encrypted = ssh_keygen_with(
        keys.path(),
        "enc",
        &["-t", "ed25519", "-N", "correct horse"],
    );
    let private_text = std::fs::read_to_string(&encrypted).unwrap();
    for key in [encrypted.clone(), encrypted.with_extension("pub")] {
        let out = env
            .run_line_with(&[], "policy sign --key", &key)
            .usage_error();
        let stderr = &out.stderr;
        assert_contains(
            stderr,
            &format!(
                "ssh-keygen -Y sign -n gardefou-policy -f {} gardefou.toml",
                key.display()
            ),
        );
        for line in private_text.lines().filter(|l| !l.starts_with("-----")) {
            assert_lacks(stderr, line);
        }
    }
    assert!(!env.path("gardefou.toml.sig").exists());
    // The built-in policy has no file to sign; a policy that does not parse is not signed.
    let empty = Env::new();
    let key = ssh_keygen(keys.path(), "k");
    empty
        .run_line_with(&[], "policy sign --key", &key)
        .usage_error();
    empty.write(
        "gardefou.toml",
        "[database.production]\nneon_endpoint = []\n",
    );
    let out = empty
        .run_line_with(&[], "policy sign --key", &key)
        .usage_error();
    assert!(out.stderr.contains("gardefou.toml:2:1"), "{out}");
}

/// A production cluster and a sandbox cluster, each stamped, listed by a signed policy.
struct Stamped {
    env: Env,
    prod: gardefou_testkit::Cluster,
    prod_url: String,
    sandbox: gardefou_testkit::Cluster,
    sandbox_url: String,
    policy: String,
}

impl Stamped {
    fn new() -> Stamped {
        let (prod, prod_url) = cluster();
        let (sandbox, sandbox_url) = cluster();
        let policy = hosts_policy(prod.port(), &[sandbox.port()]);
        let env = Env::with_policy(&policy);
        for (name, url) in [("production", &prod_url), ("sandbox", &sandbox_url)] {
            env.run(&vars(name, url), &["db", "stamp"]).success();
        }
        Stamped {
            env,
            prod,
            prod_url,
            sandbox,
            sandbox_url,
            policy,
        }
    }

    /// `gardefou run -- touch MARKER` (or `seed`): the run and whether the child ran.
    fn start(
        &self,
        sub: &str,
        koomy_env: &str,
        extra: &[(&str, &str)],
        remove_signers: bool,
    ) -> (Run, bool) {
        let url = if koomy_env == "production" {
            &self.prod_url
        } else {
            &self.sandbox_url
        };
        let marker = self.env.path("ran");
        let _ = std::fs::remove_file(&marker);
        let mut all = vars(koomy_env, url).to_vec();
        all.extend_from_slice(extra);
        let mut cmd = self.env.cmd(&all);
        if remove_signers {
            cmd.env_remove("GARDEFOU_ALLOWED_SIGNERS");
        }
        let out = cmd.args([sub, "--", "touch"]).arg(&marker).run();
        (out, marker.exists())
    }
}

#[test]
fn production_run_and_check_refuse_an_unsigned_changed_or_unverifiable_policy_and_the_server_never_starts(
) {
    let world = Stamped::new();
    let _ = (&world.prod, &world.sandbox);
    // Signed: production starts.
    let (out, ran) = world.start("run", "production", &[], false);
    assert!(ran, "a signed policy must let production start: {out}");
    // Changed after signing (one line moving production into sandbox would be worse).
    world
        .env
        .write("gardefou.toml", &format!("{}# edited\n", world.policy));
    let (out, ran) = world.start("run", "production", &[], false);
    assert!(!ran, "{out}");
    assert!(out
        .refused()
        .stderr
        .contains("error[policy-signature-invalid]"));
    // Signed again, but no allowed signers in the environment.
    world.env.write_policy("gardefou.toml", &world.policy);
    let (out, ran) = world.start("run", "production", &[], true);
    assert!(
        !ran && out.output().contains("error[policy-signers-missing]"),
        "{out}"
    );
    // Both sources at once.
    let (out, ran) = world.start(
        "run",
        "production",
        &[("GARDEFOU_ALLOWED_SIGNERS_FILE", "/etc/hostname")],
        false,
    );
    assert!(
        !ran && out.output().contains("error[policy-signers-invalid]"),
        "{out}"
    );
    // No signature.
    std::fs::remove_file(world.env.path("gardefou.toml.sig")).unwrap();
    let (out, ran) = world.start("run", "production", &[], false);
    assert!(
        !ran && out.output().contains("error[policy-unsigned]"),
        "{out}"
    );
    // check says the same, with the rest of its findings, in JSON too.
    let out = world
        .env
        .run_line(&vars("production", &world.prod_url), "check --format json")
        .refused();
    let doc = out.json();
    let unsigned = finding(&doc, "policy-unsigned");
    assert_eq!(
        (unsigned["severity"].as_str(), unsigned["policy"].as_str()),
        (Some("error"), Some("11"))
    );
    assert_eq!(
        unsigned["fix"],
        "have the CTO review it (gardefou policy diff) and sign it: gardefou policy sign --key ~/.ssh/id_ed25519"
    );
    // Sandbox warns and runs.
    let (out, ran) = world.start("run", "sandbox", &[], false);
    assert!(ran, "sandbox must run on an unsigned policy: {out}");
    assert!(out.output().contains("warning[policy-unsigned]"), "{out}");
    world
        .env
        .run(&vars("sandbox", &world.sandbox_url), &["check"])
        .success();
    // Unless the policy requires it there: then neither run nor seed starts.
    world.env.write(
        "gardefou.toml",
        &format!(
            "{}[policy]\nrequire_signature = [\"sandbox\"]\n",
            world.policy
        ),
    );
    for sub in ["run", "seed"] {
        let (out, ran) = world.start(sub, "sandbox", &[], false);
        assert!(
            !ran && out.output().contains("error[policy-unsigned]"),
            "{sub}: {out}"
        );
    }
}

#[test]
fn production_on_the_built_in_policy_is_refused() {
    let env = Env::new();
    let out = env
        .run_line(
            &vars("production", "postgresql://koomy@127.0.0.1:5999/koomy"),
            "check",
        )
        .refused();
    assert!(
        out.stdout.contains(
            "error[policy-unsigned] §11: production runs on the built-in policy: production requires a gardefou.toml signed by the CTO"
        ),
        "{out}"
    );
}

const SIGNED: &str = "[database.production]\nneon_endpoints = [\"ep-alpha-1\"]\n[database.sandbox]\nneon_endpoints = [\"ep-beta-1\"]\n";
const MOVED: &str = "[database.production]\nneon_endpoints = []\n[database.sandbox]\nneon_endpoints = [\"ep-beta-1\", \"ep-alpha-1\"]\n";

#[test]
fn diff_reports_production_moved_to_sandbox_as_a_widening_in_words() {
    let env = Env::new();
    env.write("old.toml", SIGNED);
    env.write("gardefou.toml", MOVED);
    let out = env
        .run(&[], &["policy", "diff", "--against", "old.toml"])
        .refused();
    assert_eq!(out.stdout,
        "gardefou.toml compared with old.toml:\n  widens  database.sandbox.neon_endpoints: the Neon endpoint ep-alpha-1 moved from production to sandbox: sandbox may now connect to it\n1 widening, 0 narrowings: review each before signing (gardefou policy sign)\n"
    );
    let doc = env
        .run_line(&[], "policy diff --against old.toml --format json")
        .json();
    assert_eq!(doc["verdict"], "deny");
    assert_eq!(doc["direction"], "widens");
    assert_eq!(doc["changes"][0]["widens"], true);
    assert_eq!(doc["changes"][0]["key"], "database.sandbox.neon_endpoints");
    // Moving it back widens production; dropping it only narrows: exit 0.
    env.write(
        "new.toml",
        "[database.sandbox]\nneon_endpoints = [\"ep-beta-1\"]\n",
    );
    let args = [
        "policy",
        "diff",
        "--policy",
        "new.toml",
        "--against",
        "gardefou.toml",
    ];
    let out = env.run(&[], &args).success();
    assert!(out.stdout.contains("0 widenings, 1 narrowing"), "{out}");
}

#[test]
fn diff_finds_the_last_signed_version_in_git_history() {
    let keys = keys_dir();
    let env = Env::new();
    let intruder = ssh_keygen(keys.path(), "intruder");
    let git = |args: &[&str]| {
        gardefou_testkit::git::run(env.dir.path(), args)
            .trim()
            .to_owned()
    };
    git(&["init", "-q"]);
    // 1. The CTO signs the policy and its signature is committed.
    env.write_policy("gardefou.toml", SIGNED);
    git(&["add", "gardefou.toml", "gardefou.toml.sig"]);
    git(&["commit", "-qm", "policy, signed"]);
    let signed = git(&["rev-parse", "HEAD"]);
    // 2. A change the CTO did not sign (the old .sig stays), 3. one signed by a key that
    // is not an allowed signer.
    env.write(
        "gardefou.toml",
        &format!("{SIGNED}[seed]\nenvironments = [\"sandbox\", \"local\"]\n"),
    );
    git(&["commit", "-qam", "seeds in local"]);
    env.write("gardefou.toml", MOVED);
    sign_file(&env.path("gardefou.toml"), &intruder);
    git(&["commit", "-qam", "move"]);
    let doc = env
        .run(&[], &["policy", "diff", "--format", "json"])
        .refused()
        .json();
    assert_eq!(doc["against"]["source"], "git");
    assert_eq!(doc["against"]["commit"], signed.as_str());
    assert_eq!(doc["against"]["signer"]["principals"], "gardefou-tests");
    let sentences: Vec<&str> = strings_of(&doc["changes"], "sentence");
    assert_eq!(
        sentences,
        ["the Neon endpoint ep-alpha-1 moved from production to sandbox: sandbox may now connect to it"]
    );
    // Run from elsewhere, naming the file: the same answer.
    let out = Env::new()
        .run_line_with(&[], "policy diff --policy", env.path("gardefou.toml"))
        .refused();
    assert!(
        out.stdout.contains(&format!("commit {}", &signed[..12])),
        "{out}"
    );
    // The caller's GIT_DIR cannot point the walk at another history.
    let elsewhere = Env::new();
    let git_dir = elsewhere.path(".git").display().to_string();
    let out = env.run_line(&[("GIT_DIR", &git_dir)], "policy diff --format json");
    assert_eq!(out.json()["against"]["commit"], signed.as_str(), "{out}");
}
