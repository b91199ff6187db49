//! `--lang fr`: refused commands explain themselves in French (the rule ids, variables and
//! commands unchanged), and English stays the default, byte for byte. Secrets are built at
//! run time.

use crate::support::{
    assignments, fake_password, render, sandbox_policy, vars, vars_with, Env, Runs, R,
};

/// The output of `gardefou ARGS` (one line, split at spaces) with `vars`, in English
/// (default), with `--lang en`, and with `--lang fr`; the first two must be identical.
fn both(env: &Env, vars: &[(&str, &str)], args: &str) -> (String, String) {
    let run = |lang: &[&str]| {
        let out = env
            .cmd(vars)
            .args(lang)
            .args(args.split_ascii_whitespace())
            .run();
        render(&out, env.dir.path())
    };
    let default = run(&[]);
    assert_eq!(default, run(&["--lang", "en"]), "--lang en is the default");
    (default, run(&["--lang", "fr"]))
}

/// Both languages' whole output, as snapshots `NAME-en` and `NAME-fr`.
fn snapshots(name: &str, en: &str, fr: &str) {
    insta::assert_snapshot!(format!("{name}-en"), en);
    insta::assert_snapshot!(format!("{name}-fr"), fr);
}

fn assert_refused_in_both(en: &str, fr: &str, english: &[&str], french: &[&str]) {
    assert!(!en.starts_with("exit: 0"), "{en}");
    assert_eq!(en.lines().next(), fr.lines().next(), "same exit code");
    for s in english {
        assert!(en.contains(s), "English output lacks {s:?}:\n{en}");
        assert!(!fr.contains(s), "French output keeps {s:?}:\n{fr}");
    }
    for s in french {
        assert!(fr.contains(s), "French output lacks {s:?}:\n{fr}");
        assert!(!en.contains(s), "English output has {s:?}:\n{en}");
    }
}

fn sandbox_on_production() -> (Env, String) {
    let env = Env::with_policy(sandbox_policy());
    let url = format!(
        "postgresql://koomy:{}@ep-alpha-1{R}/neondb",
        fake_password()
    );
    (env, url)
}

#[test]
fn check_refuses_in_french_with_lang_fr() {
    let (env, url) = sandbox_on_production();
    let mut vars = assignments("KOOMY_ENV=sandbox NODE_ENV=dev");
    vars.extend([("DATABASE_URL", url.as_str()), ("DEBUG", "1")]);
    let (en, fr) = both(&env, &vars, "check");
    assert_refused_in_both(
        &en,
        &fr,
        &["KOOMY_ENV is sandbox but DATABASE_URL points at the production database"],
        &[
            "KOOMY_ENV vaut sandbox mais DATABASE_URL pointe vers la base production (l'endpoint Neon ep-alpha-1)",
            "NODE_ENV=dev n'est pas exactement l'une des valeurs",
            "sans sslmode=require ou plus strict",
        ],
    );
    assert!(!fr.contains(&fake_password()) && !en.contains(&fake_password()));
    insta::assert_snapshot!(fr);
    insta::assert_snapshot!("check-en", en);
}

#[test]
fn run_and_seed_refuse_in_french_with_lang_fr() {
    let (env, url) = sandbox_on_production();
    let vars = vars_with(&vars("production", &url), &[("NODE_OPTIONS", "--inspect")]);
    let (en, fr) = both(&env, &vars, "run -- node --inspect server.js");
    assert_refused_in_both(
        &en,
        &fr,
        &["NODE_OPTIONS opens Node's inspector in production"],
        &[
            "NODE_OPTIONS ouvre l'inspecteur de Node en production",
            "la commande ouvre l'inspecteur de Node en production (node --inspect dans la ligne de commande)",
        ],
    );
    snapshots("run", &en, &fr);
    let (en, fr) = both(&env, &vars, "seed -- true");
    let english = "a seed may run only with KOOMY_ENV=";
    let french = "un seed ne peut s'exécuter qu'avec KOOMY_ENV=";
    assert_refused_in_both(&en, &fr, &[english], &[french]);
    snapshots("seed", &en, &fr);
}

#[test]
fn deploy_check_refuses_in_french_with_lang_fr() {
    let env = Env::new();
    let dir = crate::deploy::repo(&env);
    crate::deploy::git(&dir, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(dir.join("scratch.txt"), "x").unwrap();
    let (en, fr) = both(&env, &[], "deploy check --target sandbox --repo repo");
    assert_refused_in_both(
        &en,
        &fr,
        &["1 uncommitted change: ?? scratch.txt"],
        &[
            "1 modification non commitée : ?? scratch.txt",
            "ne déploie que depuis staging, pas depuis feature",
        ],
    );
    snapshots("deploy-check", &en, &fr);
}

#[test]
fn domains_check_refuses_in_french_with_lang_fr() {
    let env = Env::with_policy(
        "[domains.sandbox]\napp = \"koomy.app\"\napi = \"api-sandbox.koomy.app\"\n",
    );
    let (en, fr) = both(&env, &[], "domains check");
    let (english, french) = ("both list koomy.app", "listent tous deux koomy.app");
    assert_refused_in_both(&en, &fr, &[english], &[french]);
    snapshots("domains-check", &en, &fr);
}

#[test]
fn scan_refuses_in_french_with_lang_fr() {
    let env = Env::new();
    let key = ["sk", "_live_", "4eC39HqLyjWDarjtT1zdp7dc9Zq8"].concat();
    env.write("pay.js", &format!("const k = \"{key}\";\n"));
    let (en, fr) = both(&env, &[], "scan");
    assert_refused_in_both(
        &en,
        &fr,
        &["hard-coded (36 characters, redacted)"],
        &["clé secrète Stripe en dur (36 caractères, valeur masquée)"],
    );
    assert!(!en.contains(&key) && !fr.contains(&key));
    snapshots("scan", &en, &fr);
}

/// The other commands that refuse — init, policy verify, db stamp, secrets register — in
/// both languages, whole outputs as snapshots.
#[test]
fn init_policy_db_and_secrets_refuse_in_french_with_lang_fr() {
    // init: two environments on one database server.
    let env = Env::new();
    let url = format!(
        "postgresql://koomy:{}@ep-alpha-1{R}/neondb",
        fake_password()
    );
    env.write(
        ".env.production",
        &format!("KOOMY_ENV=production\nDATABASE_URL={url}\n"),
    );
    env.write(
        ".env.sandbox",
        &format!("KOOMY_ENV=sandbox\nDATABASE_URL={url}\n"),
    );
    let (en, fr) = both(&env, &[], "init");
    assert_refused_in_both(
        &en,
        &fr,
        &["use the same database server"],
        &["utilisent le même serveur de base de données"],
    );
    snapshots("init", &en, &fr);

    // policy verify: a policy nobody signed.
    let env = Env::new();
    env.write("gardefou.toml", sandbox_policy());
    let (en, fr) = both(&env, &[], "policy verify");
    assert_eq!(en.lines().next(), Some("exit: 1"), "{en}");
    assert_ne!(en, fr);
    snapshots("policy-verify", &en, &fr);

    // db stamp and secrets register refuse a sandbox process on production's database
    // before connecting.
    let (env, url) = sandbox_on_production();
    let registry_key = gardefou_testkit::fake::alnum(11, 48);
    let vars = vars_with(
        &vars("sandbox", &url),
        &[("GARDEFOU_SECRETS_KEY", &registry_key)],
    );
    for (name, args) in [
        ("db-stamp", "db stamp"),
        ("secrets-register", "secrets register"),
    ] {
        let (en, fr) = both(&env, &vars, args);
        assert_refused_in_both(
            &en,
            &fr,
            &["KOOMY_ENV is sandbox but DATABASE_URL points at the production database"],
            &["KOOMY_ENV vaut sandbox mais DATABASE_URL pointe vers la base production"],
        );
        assert!(!fr.contains(&fake_password()) && !en.contains(&fake_password()));
        snapshots(name, &en, &fr);
    }
}
