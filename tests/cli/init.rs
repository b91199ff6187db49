//! `gardefou init`: a first policy from a company's env files, which the other commands
//! then accept; contradictions and existing files are refused; no value is ever written.

use crate::support::{
    assert_contains, assert_no_piece_of, fake_password, render, strings_of, vars, Env, Runs, R,
};

fn url(endpoint: &str) -> String {
    format!(
        "postgresql://app:{}@{endpoint}{R}/koomy?sslmode=require",
        fake_password()
    )
}

/// Values of 64+ bits built at run time.
fn strong(seed: &str) -> String {
    [seed, "Lm8Np2Rt6Vw9Xz3Bc7Df5Gh1Jk0Mn2Pq4Rs6Tu9Yb3Ec5Fa8Hd"].concat()
}

fn write_company_env_files(env: &Env) -> Vec<String> {
    let (jwt_p, jwt_s, partner) = (strong("Hq4"), strong("Qz7"), strong("Wd5"));
    env.write(
        ".env.production",
        &format!(
            "KOOMY_ENV=production\nNODE_ENV=production\nDATABASE_URL={}\nJWT_SECRET={jwt_p}\nPARTNER_TOKEN={partner}\n",
            url("ep-alpha-12")
        ),
    );
    env.write(
        ".env.staging",
        &format!(
            "NODE_ENV=production\nDATABASE_URL={}\nJWT_SECRET={jwt_s}\n",
            url("ep-beta-3-pooler")
        ),
    );
    env.write(
        ".env.development",
        "KOOMY_ENV=local\nNODE_ENV=development\nDATABASE_URL=postgresql://koomy@localhost:5432/koomy_dev\n",
    );
    vec![jwt_p, jwt_s, partner, fake_password()]
}

#[test]
fn init_infers_the_databases_and_secrets_and_the_policy_it_writes_holds() {
    let env = Env::new();
    let secrets = write_company_env_files(&env);
    let out = env.run(&[], &["init"]).success();
    let text = render(&out, env.dir.path());
    let policy = std::fs::read_to_string(env.path("gardefou.toml")).unwrap();
    assert_contains(
        &policy,
        "[database.production]\nneon_endpoints = [\"ep-alpha-12\"]",
    );
    assert_contains(
        &policy,
        "[database.sandbox]\nneon_endpoints = [\"ep-beta-3\"]",
    );
    assert_contains(&policy, "[secrets]\nrequired = [\"JWT_SECRET\"]");
    assert_contains(&policy, "[secrets.vars.PARTNER_TOKEN]\nkind = \"opaque\"");
    assert_contains(&text, ".env.staging sets no KOOMY_ENV");
    for secret in &secrets {
        assert_no_piece_of("the policy written", secret, &policy);
        assert_no_piece_of("the output", secret, &text);
    }
    // The other commands read it: each environment's file is judged as that environment.
    env.write(".koomy-env-sandbox", "KOOMY_ENV=sandbox\n");
    for (files, koomy_env) in [
        (vec![".env.production"], "production"),
        (vec![".koomy-env-sandbox", ".env.staging"], "sandbox"),
    ] {
        let file = files.join(" ");
        let out = env
            .cmd(&[])
            .args(["check", "--format", "json"])
            .args(files.iter().flat_map(|f| ["--env-file", f]))
            .run();
        let doc = out.json();
        assert_eq!(
            doc["environment"],
            koomy_env,
            "{}",
            render(&out, env.dir.path())
        );
        let ids = strings_of(&doc["findings"], "rule");
        for unwanted in [
            "database-url-unlisted",
            "database-url-environment-mismatch",
            "policy-database-unconfigured",
        ] {
            assert!(!ids.contains(&unwanted), "{file}: {ids:?}");
        }
    }
    // The production database given to the sandbox is now refused.
    let production_url = url("ep-alpha-12");
    let out = env
        .run(&vars("sandbox", &production_url), &["check"])
        .refused();
    assert_contains(&out.stdout, "database-url-environment-mismatch");
}

#[test]
fn init_writes_nothing_when_two_environments_share_a_database() {
    let env = Env::new();
    let shared = url("ep-alpha-12");
    env.write(
        ".env.production",
        &format!("KOOMY_ENV=production\nDATABASE_URL={shared}\n"),
    );
    env.write(
        ".env.sandbox",
        &format!("KOOMY_ENV=sandbox\n\nDATABASE_URL={shared}\n"),
    );
    let out = env.run(&[], &["init"]).refused();
    let text = render(&out, env.dir.path());
    assert_contains(&text, "error[database-shared-across-environments] §4.1: .env.sandbox:3 (sandbox) and .env.production:2 (production) use the same database server Neon endpoint ep-alpha-12");
    assert!(!env.path("gardefou.toml").exists());
    assert_no_piece_of("the output", &fake_password(), &text);
    // The same, as JSON, and in French.
    let out = env
        .run(&[], &["--lang", "fr", "init", "--format", "json"])
        .refused();
    let doc = out.json();
    assert_eq!(doc["verdict"], "deny");
    assert_eq!(doc["written"], serde_json::Value::Null);
    assert_eq!(
        doc["findings"][0]["rule"],
        "database-shared-across-environments"
    );
    let message = doc["findings"][0]["message"].as_str().unwrap();
    assert_contains(message, "utilisent le même serveur");
    assert!(!env.path("gardefou.toml").exists());
}

#[test]
fn init_never_replaces_a_policy_without_force_nor_writes_through_a_symlink() {
    let env = Env::new();
    write_company_env_files(&env);
    env.write("gardefou.toml", "# the CTO's policy\n");
    env.run(&[], &["init"]).usage_error();
    let out = env.run(&[], &["init", "--format", "json"]).usage_error();
    let doc = out.json();
    assert_eq!(doc["verdict"], "error", "{doc}");
    assert_eq!(
        std::fs::read_to_string(env.path("gardefou.toml")).unwrap(),
        "# the CTO's policy\n"
    );
    // --force replaces the file itself, not what a symlink there points to.
    let elsewhere = env.write("elsewhere.txt", "untouched\n");
    std::fs::remove_file(env.path("gardefou.toml")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, env.path("gardefou.toml")).unwrap();
    env.run(&[], &["init", "--force"]).success();
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "untouched\n");
    let meta = std::fs::symlink_metadata(env.path("gardefou.toml")).unwrap();
    assert!(meta.is_file());
}

#[test]
fn init_with_named_files_refuses_a_file_whose_koomy_env_says_otherwise() {
    let env = Env::new();
    write_company_env_files(&env);
    let out = env.run_line(&[], "init --env sandbox=.env.production --output -");
    let text = env.render(&out.usage_error());
    let mismatch = "--env #1: .env.production sets KOOMY_ENV=production (line 1), not sandbox";
    assert_contains(&text, mismatch);
    let out = env
        .run_line(
            &[],
            "init --env production=.env.production --env staging=.env.staging",
        )
        .usage_error();
    assert_contains(&out.stderr, "\"staging\" is not an environment");
    // Named files, to standard output.
    let out = env
        .run_line(&[], "init --env production=.env.production --output -")
        .success();
    let policy = out.stdout.clone();
    gardefou_policy::Policy::from_toml(&policy, "stdout").unwrap();
    assert!(policy.contains("neon_endpoints = [\"ep-alpha-12\"]"));
    assert!(!env.path("gardefou.toml").exists());
}
