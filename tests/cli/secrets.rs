//! `gardefou secrets register`, and `check` / `run` reading the registry, end to end with
//! planted secrets: none of their values may appear in stdout, stderr, JSON or the
//! registry file.

use crate::support::{
    assert_contains, assert_lacks, cluster, finding, sandbox_policy, vars, Env, Runs, R,
};

fn random(seed: u64, n: usize) -> String {
    gardefou_testkit::fake::alnum(seed, n)
}

/// One environment's variables, every secret planted at run time from `seed`.
struct Planted {
    vars: Vec<(String, String)>,
}

impl Planted {
    fn new(env: &str, seed: u64) -> Planted {
        let (mode, ep, node) = match env {
            "production" => ("live", "ep-alpha-1", "production"),
            _ => ("test", "ep-beta-1", "production"),
        };
        let db_pw = random(seed + 1, 24);
        let vars = vec![
            ("KOOMY_ENV".into(), env.into()),
            ("NODE_ENV".into(), node.into()),
            (
                "DATABASE_URL".into(),
                format!("postgresql://koomy:{db_pw}@{ep}{R}/neondb?sslmode=require"),
            ),
            (
                "STRIPE_SECRET_KEY".into(),
                format!("sk_{mode}_{}", random(seed + 2, 99)),
            ),
            (
                "STRIPE_PUBLISHABLE_KEY".into(),
                format!("pk_{mode}_{}", random(seed + 3, 99)),
            ),
            (
                "STRIPE_WEBHOOK_SECRET".into(),
                format!("whsec_{}", random(seed + 4, 32)),
            ),
            (
                "SENDGRID_API_KEY".into(),
                format!("SG.{}.{}", random(seed + 5, 22), random(seed + 6, 43)),
            ),
            ("JWT_SECRET".into(), random(seed + 7, 64)),
            ("SESSION_SECRET".into(), random(seed + 8, 64)),
        ];
        Planted { vars }
    }

    fn get(&self, name: &str) -> &str {
        &self.vars.iter().find(|(k, _)| k == name).unwrap().1
    }

    fn set(&mut self, name: &str, value: &str) {
        self.vars.retain(|(k, _)| k != name);
        self.vars.push((name.into(), value.into()));
    }

    /// Every secret value, the database password on its own included.
    fn secrets(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .vars
            .iter()
            .filter(|(k, _)| !["KOOMY_ENV", "NODE_ENV", "DATABASE_URL"].contains(&k.as_str()))
            .map(|(_, v)| v.clone())
            .collect();
        let url = self.get("DATABASE_URL");
        let pw = url.split(':').nth(2).unwrap().split('@').next().unwrap();
        out.push(pw.to_owned());
        out.push(url.to_owned());
        out
    }

    fn with_key<'a>(&'a self, key: &'a str) -> Vec<(&'a str, &'a str)> {
        let mut v: Vec<(&str, &str)> = self
            .vars
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        v.push(("GARDEFOU_SECRETS_KEY", key));
        v
    }
}

fn assert_clean(what: &str, text: &str, planted: &[String]) {
    for p in planted {
        assert!(
            !text.contains(p.as_str()),
            "{what} leaks a planted value:\n{text}"
        );
        // Not even a long piece of it.
        if p.len() >= 24 {
            assert!(
                !text.contains(&p[4..20]),
                "{what} leaks part of a planted value"
            );
        }
    }
}

#[test]
fn no_command_leaks_a_planted_secret_and_reuse_across_environments_is_refused() {
    let env = Env::with_policy(sandbox_policy());
    let key = random(1000, 50);
    let prod = Planted::new("production", 100);
    let sandbox = Planted::new("sandbox", 200);
    let mut planted: Vec<String> = prod.secrets();
    planted.extend(sandbox.secrets());
    planted.push(key.clone());

    // Register production, then sandbox.
    for p in [&prod, &sandbox] {
        let out = env
            .run(&p.with_key(&key), &["secrets", "register"])
            .success();
        let text = out.output();
        assert!(
            text.contains("added") && text.contains("JWT_SECRET"),
            "{text}"
        );
        assert_contains(&text, "DATABASE_URL's password");
        assert_clean("register", &text, &planted);
    }
    let registry = std::fs::read_to_string(env.path("gardefou.secrets.toml")).unwrap();
    assert_clean("the registry file", &registry, &planted);
    assert!(registry.contains("[production]") && registry.contains("[sandbox]"));
    assert!(registry.contains("STRIPE_SECRET_KEY") && !registry.contains("STRIPE_PUBLISHABLE_KEY"));

    // Each environment checks clean against the registry.
    for p in [&prod, &sandbox] {
        env.run(&p.with_key(&key), &["check"]).success();
    }

    // Sandbox reusing production's JWT secret (as its session secret) and webhook secret.
    let mut reused = Planted::new("sandbox", 200);
    reused.set("SESSION_SECRET", prod.get("JWT_SECRET"));
    reused.set("STRIPE_WEBHOOK_SECRET", prod.get("STRIPE_WEBHOOK_SECRET"));
    let out = env.run(&reused.with_key(&key), &["check"]).refused();
    let text = out.output();
    assert_contains(&text, "error[secret-registered-elsewhere]");
    assert!(
        text.contains("SESSION_SECRET")
            && text.contains("registered under production as JWT_SECRET"),
        "{text}"
    );
    assert_contains(&text, "STRIPE_WEBHOOK_SECRET");
    assert_clean("check (human)", &text, &planted);

    let out = env
        .run(&reused.with_key(&key), &["check", "--format", "json"])
        .refused();
    let text = out.output();
    assert_clean("check (json)", &text, &planted);
    let doc = out.json();
    let f = finding(&doc, "secret-registered-elsewhere");
    assert_eq!(f["policy"], "7.1");
    assert_eq!(f["fingerprint"].as_str().unwrap().len(), 8);

    let out = env
        .run(
            &reused.with_key(&key),
            &["run", "--", "sh", "-c", "echo started"],
        )
        .refused();
    let text = out.output();
    assert_lacks(&text, "started");
    assert_clean("run", &text, &planted);

    // Registering the reused secret under sandbox is refused and writes nothing.
    let out = env
        .run(&reused.with_key(&key), &["secrets", "register"])
        .refused();
    let text = out.output();
    assert_clean("register (refused)", &text, &planted);
    assert_eq!(
        std::fs::read_to_string(env.path("gardefou.secrets.toml")).unwrap(),
        registry
    );

    // A wrong key is an error, not a silent pass; a missing key too in sandbox.
    let wrong = random(2000, 50);
    planted.push(wrong.clone());
    let out = env.run(&reused.with_key(&wrong), &["check"]).refused();
    let text = out.output();
    assert_contains(&text, "secret-registry-key-mismatch");
    assert_clean("check (wrong key)", &text, &planted);
    let no_key: Vec<(&str, &str)> = sandbox
        .vars
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let out = env.run(&no_key, &["check"]).refused();
    assert!(out.output().contains("secret-registry-key-missing"));
    // A weak key is refused by register (exit 2) without being echoed.
    let out = env
        .run(&sandbox.with_key("keyboard cat"), &["secrets", "register"])
        .usage_error();
    assert!(!out.output().contains("keyboard cat"));
}

#[test]
fn run_allows_a_clean_start_and_hides_the_registry_key_from_the_server() {
    // `run` probes the live database, so the sandbox is a real cluster, stamped sandbox.
    let (pg, url) = cluster();
    let env = Env::with_policy(&format!(
        "{}hosts = [\"127.0.0.1:{}\"]\n",
        sandbox_policy(),
        pg.port()
    ));
    env.run(&vars("sandbox", &url), &["db", "stamp"]).success();
    let key = random(3000, 50);
    let mut sandbox = Planted::new("sandbox", 300);
    for (name, value) in sandbox.vars.iter_mut() {
        if name == "DATABASE_URL" {
            *value = url.clone();
        }
    }
    env.run(&sandbox.with_key(&key), &["secrets", "register"])
        .success();
    let out = env
        .cmd(&sandbox.with_key(&key))
        .args([
            "run",
            "--",
            "sh",
            "-c",
            "if [ -n \"${GARDEFOU_SECRETS_KEY+x}\" ]; then echo key-visible; exit 3; fi; echo started",
        ])
        .run().success();
    let text = out.output();
    assert_contains(&text, "started");
    let mut planted = sandbox.secrets();
    planted.push(key);
    assert_clean("run (allowed)", &out.stderr, &planted);
}

#[test]
fn the_registry_lives_beside_the_policy_file_or_where_registry_says() {
    let env = Env::new();
    std::fs::create_dir(env.path("conf")).unwrap();
    env.write_policy("conf/koomy.toml", sandbox_policy());
    let key = random(4000, 50);
    let sandbox = Planted::new("sandbox", 400);
    env.run_line(
        &sandbox.with_key(&key),
        "secrets register --policy conf/koomy.toml",
    )
    .success();
    assert!(env.path("conf/gardefou.secrets.toml").exists());
    assert!(!env.path("gardefou.secrets.toml").exists());
    // An explicit --registry that does not exist is a configuration error for check.
    let out = env
        .run_line(
            &sandbox.with_key(&key),
            "check --policy conf/koomy.toml --registry nope.toml",
        )
        .usage_error();
    assert!(out.output().contains("does not exist"));
    // A corrupt registry is a configuration error with a position.
    env.write("bad.toml", "version = 1\nkey_check = 7\n");
    let out = env
        .run_line(
            &sandbox.with_key(&key),
            "check --policy conf/koomy.toml --registry bad.toml",
        )
        .usage_error();
    assert!(out.output().contains("bad.toml:2:"), "{}", out.output());
}

#[test]
fn a_refused_environment_is_not_registered() {
    let env = Env::with_policy(sandbox_policy());
    let key = random(5000, 50);
    let mut sandbox = Planted::new("sandbox", 500);
    // A live key in sandbox must not be recorded as sandbox's.
    let live = format!("sk_live_{}", random(501, 99));
    sandbox.set("STRIPE_SECRET_KEY", &live);
    let out = env
        .run(&sandbox.with_key(&key), &["secrets", "register"])
        .refused();
    let text = out.output();
    assert_contains(&text, "stripe-key-mode-mismatch");
    assert_lacks(&text, &live);
    assert!(!env.path("gardefou.secrets.toml").exists());
}

#[test]
fn regression_register_does_not_follow_a_symlink_planted_as_its_temporary_file() {
    let env = Env::with_policy(sandbox_policy());
    let victim = env.write("victim.txt", "untouched\n");
    std::os::unix::fs::symlink(&victim, env.path(".gardefou.secrets.toml.tmp")).unwrap();
    let key = random(6000, 50);
    let sandbox = Planted::new("sandbox", 600);
    env.run(&sandbox.with_key(&key), &["secrets", "register"])
        .success();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched\n");
    assert!(std::fs::read_to_string(env.path("gardefou.secrets.toml"))
        .unwrap()
        .contains("sandbox"));
}

/// `secrets register --format json`: each secret by label, status and short fingerprint,
/// never a value; then `unchanged` on a second run.
#[test]
fn register_speaks_json_without_values() {
    let env = Env::with_policy(sandbox_policy());
    let key = random(4100, 50);
    let sandbox = Planted::new("sandbox", 410);
    let register = || {
        let out = env
            .run_line(&sandbox.with_key(&key), "secrets register --format json")
            .success();
        let text = out.stdout.clone();
        let mut planted = sandbox.secrets();
        planted.push(key.clone());
        assert_clean("register --format json", &text, &planted);
        serde_json::from_str::<serde_json::Value>(text.trim()).unwrap()
    };
    let doc = register();
    assert_eq!(doc["environment"], "sandbox");
    let secrets = doc["secrets"].as_array().unwrap();
    assert!(!secrets.is_empty());
    assert!(secrets.iter().all(|s| s["status"] == "added"), "{doc}");
    let doc = register();
    assert!(doc["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["status"] == "unchanged"));
}
