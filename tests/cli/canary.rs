//! Canary: values planted everywhere a user could put them — the database URL's password,
//! a live Stripe key, a JWT secret, `PGPASSWORD`, a connection string pasted into the policy
//! and the registry files, an env file, a file to scan — then every command, every output
//! format and every error path (configuration errors, authentication failures, refusals).
//! No 8-character piece of any planted value may appear in anything gardefou prints.

use gardefou_testkit::fake::{word, Rng};

use crate::support::{cluster, Env};

/// Printable values built at run time, distinct enough that any 8-character window is
/// unique to them.
fn planted() -> Vec<String> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ u64::from(std::process::id()));
    let mut word = |n: usize| word(&mut rng, n);
    vec![
        word(24), // the database password
        word(32), // a live Stripe key's random part
        word(48), // a JWT secret
        word(20), // PGPASSWORD
    ]
}

fn leaks(text: &str, values: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for v in values {
        for w in v.as_bytes().windows(8) {
            let piece = std::str::from_utf8(w).unwrap();
            if text.contains(piece) {
                found.push(piece.to_owned());
            }
        }
    }
    found
}

#[test]
fn no_planted_value_appears_in_any_output() {
    let env = Env::new();
    let (pg, _) = cluster();
    let values = planted();
    let (pw, jwt, pgpw) = (&values[0], &values[2], &values[3]);
    // The prefix is the format, public: only the random part is secret.
    let live = &["sk_", "live_", &values[1]].concat();
    // The right host and port, a wrong password: every probe fails authentication.
    let url = format!("postgresql://koomy:{pw}@127.0.0.1:{}/koomy", pg.port());
    let policy = format!(
        "[database.production]\nneon_endpoints = [\"ep-alpha-1\"]\n[database.sandbox]\nhosts = [\"127.0.0.1:{}\"]\n",
        pg.port()
    );
    env.write_policy("gardefou.toml", &policy);
    env.write(
        "bad-policy.toml",
        &format!("[database.sandbox]\nhosts = [\"127.0.0.1:1\", \"{url}\"]\n"),
    );
    env.write(
        "bad-registry.toml",
        &format!("version = 1\nkey_check = \"{jwt}\"\n[sandbox]\nJWT_SECRET = [\"{live}\"]\n"),
    );
    env.write(
        "app.env",
        &format!("KOOMY_ENV=sandbox\nNODE_ENV=production\nDATABASE_URL={url}\nSTRIPE_SECRET_KEY={live}\nJWT_SECRET={jwt}\n"),
    );
    std::fs::create_dir_all(env.path("src")).unwrap();
    env.write(
        "src/config.js",
        &format!("const stripe = '{live}';\nconst db = '{url}';\n"),
    );
    let key = "a".repeat(8) + &values[2];
    let vars: Vec<(&str, &str)> = vec![
        ("KOOMY_ENV", "sandbox"),
        ("NODE_ENV", "production"),
        ("DATABASE_URL", &url),
        ("STRIPE_SECRET_KEY", live),
        ("JWT_SECRET", jwt),
        ("PGPASSWORD", pgpw),
        ("GARDEFOU_SECRETS_KEY", &key),
    ];
    let runs: Vec<Vec<&str>> = vec![
        vec!["check"],
        vec!["check", "--format", "json"],
        vec!["check", "--probe"],
        vec!["check", "--probe", "--format", "json"],
        vec!["check", "--env-file", "app.env"],
        vec!["check", "--policy", "bad-policy.toml"],
        vec!["check", "--registry", "bad-registry.toml"],
        vec!["run", "--", "true"],
        vec!["seed", "--", "true"],
        vec!["db", "stamp"],
        vec!["db", "identity"],
        vec!["db", "identity", "--format", "json"],
        vec!["secrets", "register"],
        vec!["scan", "src"],
        vec!["scan", "src", "--format", "json"],
        vec!["scan", "src", "--format", "sarif"],
        vec!["domains", "check"],
    ];
    let mut outputs = 0;
    for args in runs {
        let out = env.run(&vars, &args);
        let text = out.output();
        assert!(!text.is_empty(), "{args:?} printed nothing");
        let found = leaks(&text, &values);
        assert!(found.is_empty(), "{args:?} leaks {found:?}:\n{text}");
        assert!(
            !text.contains("koomy:"),
            "{args:?} shows user info:\n{text}"
        );
        outputs += 1;
    }
    assert_eq!(outputs, 17);
}
