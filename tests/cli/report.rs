//! `gardefou report`, the isolation matrix, end to end: env files with secrets planted at run
//! time (production and sandbox share a JWT secret and a database), rendered as HTML and
//! opened in a real headless Chromium, as JSON and as a terminal table; exit codes; and
//! `--probe` against real clusters. No piece of a planted value (8 characters) may appear in
//! any output, nor the database user.

use std::path::{Path, PathBuf};

use gardefou_testkit::Forwarder;

use crate::support::{
    assert_contains, assert_lacks, cluster, findings, hosts_policy, report_row, sandbox_policy,
    strings_of, vars, Env, Run, Runs, R,
};

fn random(seed: u64, n: usize) -> String {
    gardefou_testkit::fake::alnum(seed, n)
}

/// The database user of every planted URL: it must never be shown.
const USER: &str = "app_rw_q7x";

/// Three environments' env files. Production and sandbox share `JWT_SECRET` and the
/// database (sandbox's `DIRECT_URL` reaches production's endpoint); everything else is each
/// environment's own. Returns the files and every planted secret.
struct Planted {
    files: Vec<(&'static str, PathBuf)>,
    secrets: Vec<String>,
}

fn plant(env: &Env, share: bool) -> Planted {
    let shared_jwt = random(7, 64);
    let account = format!("1{}", random(8, 15));
    let mut files = Vec::new();
    let mut secrets = vec![USER.to_owned()];
    for (i, name) in ["production", "sandbox", "local"].into_iter().enumerate() {
        let seed = 100 * (i as u64 + 1);
        let (mode, host, node) = match name {
            "production" => ("live", format!("ep-alpha-1-pooler{R}"), "production"),
            "sandbox" => ("test", format!("ep-beta-1{R}"), "production"),
            _ => ("test", "127.0.0.1:5432".to_owned(), "development"),
        };
        let pw = random(seed + 1, 24);
        let jwt = if share && name != "local" {
            shared_jwt.clone()
        } else {
            random(seed + 2, 64)
        };
        let stripe = ["sk_", mode, "_5", &account, &random(seed + 3, 80)].concat();
        let publishable = ["pk_", mode, "_5", &account, &random(seed + 4, 80)].concat();
        let webhook = ["whsec", "_", &random(seed + 5, 32)].concat();
        let sendgrid = ["SG.", &random(seed + 6, 22), ".", &random(seed + 7, 43)].concat();
        let session = random(seed + 8, 64);
        let mut text = format!(
            "KOOMY_ENV={name}\nNODE_ENV={node}\nDATABASE_URL=postgresql://{USER}:{pw}@{host}/neondb?sslmode=require\n\
             STRIPE_SECRET_KEY={stripe}\nSTRIPE_PUBLISHABLE_KEY={publishable}\nSTRIPE_WEBHOOK_SECRET={webhook}\n\
             SENDGRID_API_KEY={sendgrid}\nJWT_SECRET={jwt}\nSESSION_SECRET={session}\n"
        );
        if share && name == "sandbox" {
            let direct = random(seed + 9, 24);
            text.push_str(&format!(
                "DIRECT_URL=postgresql://{USER}:{direct}@ep-alpha-1{R}/neondb?sslmode=require\n"
            ));
            secrets.push(direct);
        }
        secrets.extend([pw, jwt, stripe, publishable, webhook, sendgrid, session]);
        files.push((name, env.write(&format!("{name}.env"), &text)));
    }
    secrets.sort();
    secrets.dedup();
    Planted { files, secrets }
}

impl Planted {
    /// `gardefou report --env NAME=FILE… OPTIONS` (`options` one line, split at spaces).
    fn report(&self, env: &Env, options: &str) -> Run {
        env.cmd(&[])
            .arg("report")
            .args(self.args())
            .args(options.split_ascii_whitespace())
            .run()
    }

    fn args(&self) -> Vec<String> {
        self.files
            .iter()
            .flat_map(|(name, path)| ["--env".to_owned(), format!("{name}={}", path.display())])
            .collect()
    }
}

/// No 8-character piece of any planted value appears in `text`.
fn assert_no_leak(what: &str, text: &str, planted: &[String]) {
    assert!(planted.len() > 10, "{planted:?}");
    for value in planted {
        crate::support::assert_no_piece_of(what, value, text);
    }
}

/// The directory CI keeps as artifacts: `target/report-artifacts`.
fn artifacts() -> PathBuf {
    let bin = assert_cmd::cargo::cargo_bin("gardefou");
    let target = bin.parent().and_then(Path::parent).unwrap();
    let dir = target.join("report-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Debian's `chromium` (or another name for it). In CI a missing browser fails the test;
/// elsewhere the test says loudly that it did not run.
fn chromium() -> Option<String> {
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        let found = std::process::Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if found {
            return Some(name.to_owned());
        }
    }
    let message =
        "chromium is not installed: scripts/test.sh installs it (apt-get install chromium)";
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    eprintln!("NOT RUN: {message}");
    None
}

/// Runs headless Chromium on `page` with `args`, as root with --no-sandbox.
fn run_chromium(browser: &str, profile: &Path, args: &[&str], page: &Path) -> Run {
    use std::os::unix::fs::MetadataExt;
    let mut cmd = std::process::Command::new(browser);
    cmd.args([
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    if std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0) {
        cmd.arg("--no-sandbox");
    }
    cmd.args(args)
        .arg(format!("file://{}", page.display()))
        .run()
        .success()
}

/// The `<tr data-row="ID">…</tr>` of a page.
fn row<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<tr data-row=\"{id}\">"))
        .unwrap_or_else(|| panic!("no row {id}"));
    let end = html[start..].find("</tr>").unwrap() + start;
    &html[start..end]
}

const ROWS: &[&str] = &[
    "environment",
    "registry",
    "database",
    "connection:DIRECT_URL",
    "stripe:STRIPE_SECRET_KEY",
    "stripe:STRIPE_PUBLISHABLE_KEY",
    "stripe-webhook:STRIPE_WEBHOOK_SECRET",
    "email:SENDGRID_API_KEY",
    "session:JWT_SECRET",
    "session:SESSION_SECRET",
    "domains",
    "deploy-branch",
    "debug",
    "other",
];

#[test]
fn report_html_in_headless_chromium_shows_every_environment_every_row_and_shared_secrets_without_a_value(
) {
    let env = Env::with_policy(sandbox_policy());
    let planted = plant(&env, true);
    let page = env.path("report.html");
    let out = env
        .cmd(&[])
        .arg("report")
        .args(planted.args())
        .args(["--output", page.to_str().unwrap()])
        .run()
        .refused();
    assert!(out.stdout.is_empty(), "--output takes the report");
    let html = std::fs::read_to_string(&page).unwrap();
    assert_no_leak("the HTML file", &html, &planted.secrets);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    // Self-contained: no script, stylesheet, image or font from anywhere.
    for outside in ["<script", "<link", "<img", "src=", "@import", "url("] {
        assert!(!html.contains(outside), "{outside}");
    }
    let artifacts = artifacts();
    std::fs::copy(&page, artifacts.join("report.html")).unwrap();

    let Some(browser) = chromium() else { return };
    let profile = env.path("chromium-profile");
    for (name, size) in [
        ("report.png", "1400,2600"),
        ("report-phone.png", "390,2600"),
    ] {
        let shot = artifacts.join(name);
        let _ = std::fs::remove_file(&shot);
        run_chromium(
            &browser,
            &profile,
            &[
                &format!("--screenshot={}", shot.display()),
                &format!("--window-size={size}"),
            ],
            &page,
        );
        let bytes = std::fs::read(&shot).unwrap();
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
            "{name}: {} bytes",
            bytes.len()
        );
    }
    let out = run_chromium(&browser, &profile, &["--dump-dom"], &page);
    let dom = out.stdout.clone();
    assert_no_leak("the DOM", &dom, &planted.secrets);
    assert_contains(&dom, "<html lang=\"en\">");
    assert!(dom.contains("<caption id=\"matrix-caption\">"));
    for env in ["production", "sandbox", "local"] {
        assert!(
            dom.contains(&format!("<th scope=\"col\" data-env=\"{env}\">{env}")),
            "no column {env}"
        );
    }
    for &id in ROWS {
        assert!(row(&dom, id).contains("<th scope=\"row\">"), "{id}");
    }
    // Shared, in words and not only in colour, on both sides.
    let jwt = row(&dom, "session:JWT_SECRET");
    assert_contains(jwt, "SHARED with sandbox");
    assert_contains(jwt, "SHARED with production");
    assert_contains(jwt, "VIOLATION");
    assert!(jwt.contains("<code>secret-shared-across-environments</code>"));
    let local_jwt = &jwt[jwt.find("data-env=\"local\"").unwrap()..];
    assert!(local_jwt.contains("holds") && !local_jwt.contains("SHARED"));
    let direct = row(&dom, "connection:DIRECT_URL");
    assert_contains(direct, "SHARED with production");
    assert!(row(&dom, "database").contains("SHARED with sandbox"));
    assert!(
        row(&dom, "session:SESSION_SECRET")
            .matches("SHARED")
            .count()
            == 0
    );
    // Every status is a word beside its symbol.
    assert!(dom.contains("<span aria-hidden=\"true\">✘</span> VIOLATION"));
    assert!(dom.contains("<span aria-hidden=\"true\">✔</span> holds"));
}

#[test]
fn report_json_and_human_show_the_matrix_without_a_value_and_exit_1_when_red() {
    let env = Env::with_policy(sandbox_policy());
    let planted = plant(&env, true);
    let out = planted.report(&env, "--format json").refused();
    assert_no_leak("the JSON report", &out.output(), &planted.secrets);
    let doc = out.json();
    assert_eq!(doc["verdict"], "deny");
    assert_eq!(doc["schema"], "gardefou-report/1");
    let envs: Vec<&str> = strings_of(&doc["environments"], "name");
    assert_eq!(envs, ["production", "sandbox", "local"]);
    let rows = doc["rows"].as_array().unwrap();
    let row = |id: &str| report_row(&doc, id);
    for &id in ROWS {
        let _ = row(id);
    }
    let jwt = &row("session:JWT_SECRET")["cells"];
    assert_eq!(jwt["sandbox"]["status"], "violation");
    assert_eq!(
        jwt["sandbox"]["shared_with"],
        serde_json::json!(["production"])
    );
    assert_eq!(
        jwt["production"]["shared_with"],
        serde_json::json!(["sandbox"])
    );
    assert_eq!(
        jwt["sandbox"]["fingerprint"]["value"], jwt["production"]["fingerprint"]["value"],
        "the same value, the same fingerprint"
    );
    assert_eq!(jwt["sandbox"]["fingerprint"]["scope"], "report");
    assert_ne!(
        jwt["local"]["fingerprint"]["value"],
        jwt["production"]["fingerprint"]["value"]
    );
    assert_eq!(jwt["local"]["status"], "ok");
    assert_eq!(
        jwt["sandbox"]["rules"],
        serde_json::json!(["secret-shared-across-environments"])
    );
    let stripe = &row("stripe:STRIPE_SECRET_KEY")["cells"];
    assert_eq!(stripe["production"]["facts"][0], "live secret key (sk_)");
    assert_eq!(stripe["sandbox"]["facts"][0], "test secret key (sk_)");
    assert_eq!(stripe["production"]["status"], "ok");
    let db = &row("database")["cells"];
    assert_eq!(
        db["production"]["facts"],
        serde_json::json!([
            "server Neon endpoint ep-alpha-1 (pooler)",
            "database neondb",
            "the policy lists it for production"
        ])
    );
    assert_eq!(
        db["production"]["shared_with"],
        serde_json::json!(["sandbox"])
    );
    assert_eq!(
        row("connection:DIRECT_URL")["cells"]["sandbox"]["rules"],
        serde_json::json!([
            "database-url-environment-mismatch",
            "database-shared-across-environments"
        ])
    );
    // Every finding of `check` on the sandbox file is in the report's sandbox column.
    let sandbox_file = &planted.files[1].1;
    let check = env.run_line_with(&[], "check --format json --env-file", sandbox_file);
    let check = check.json();
    let in_report: Vec<&serde_json::Value> = rows
        .iter()
        .flat_map(|r| r["cells"]["sandbox"]["findings"].as_array().unwrap())
        .collect();
    for f in findings(&check) {
        assert!(
            in_report.contains(&f),
            "check's {f} is missing from the report"
        );
    }

    // The terminal table: every column, the shared secret in words, no colour off a tty.
    let out = planted.report(&env, "").refused();
    let human = out.output();
    assert_no_leak("the human report", &human, &planted.secrets);
    assert!(
        human.starts_with("gardefou isolation report (policy gardefou.toml;"),
        "{human}"
    );
    let header = human.lines().nth(1).unwrap();
    for env in ["production", "sandbox", "local"] {
        assert_contains(header, env);
    }
    for label in [
        "Database (DATABASE_URL)",
        "Deploy branch",
        "Debug flags and",
    ] {
        assert!(human.contains(label), "{label}");
    }
    assert!(human.contains("SHARED with production"));
    assert!(human.contains("error[secret-shared-across-environments] §7.1: JWT_SECRET holds the same value as production's JWT_SECRET"));
    assert!(
        human.ends_with("gardefou: NOT isolated: 4 cells in violation, 3 warnings\n"),
        "{human}"
    );
    assert!(!human.contains('\x1b'));
    let out = env
        .cmd(&[])
        .args(["--color", "always", "report"])
        .args(planted.args())
        .run();
    assert_contains(&out.stdout, "\x1b[1;31m✘ VIOLATION");
}

#[test]
fn report_exits_0_when_isolated_and_2_on_usage_or_configuration_errors() {
    let env = Env::with_policy(sandbox_policy());
    let planted = plant(&env, false);
    planted.report(&env, "--output matrix.json").success();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("matrix.json")).unwrap()).unwrap();
    assert_eq!(
        doc["verdict"], "allow",
        "the format follows --output's extension"
    );
    assert_eq!(doc["summary"]["violation"], 0);
    assert_no_leak("the JSON file", &doc.to_string(), &planted.secrets);
    // The first row is the policy's own signature (§11), verified.
    assert_eq!(doc["rows"][0]["id"], "policy-signature");
    let facts = doc["rows"][0]["cells"]["production"]["facts"].to_string();
    assert_contains(&facts, "gardefou.toml signed by");

    // A file given for sandbox that configures production is red.
    let prod_file = planted.files[0].1.display().to_string();
    let out = env
        .run_line_with(
            &[],
            "report --format json --env",
            format!("sandbox={prod_file}"),
        )
        .refused();
    let doc = out.json();
    let environment_row = report_row(&doc, "environment");
    let cell = &environment_row["cells"]["sandbox"];
    assert_eq!(
        cell["rules"],
        serde_json::json!(["environment-file-mismatch"])
    );

    // The process environment for one of them.
    let prod_vars: Vec<(String, String)> = std::fs::read_to_string(&planted.files[0].1)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let prod_vars: Vec<(&str, &str)> = prod_vars
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let out = env
        .cmd(&prod_vars)
        .args([
            "report",
            "--format",
            "json",
            "--env",
            "production=-",
            "--env",
        ])
        .arg(format!("sandbox={}", planted.files[1].1.display()))
        .run()
        .success();
    let doc = out.json();
    assert_eq!(doc["environments"][0]["source"], "the process environment");

    for (args, needle) in [
        (vec!["report"], "--env"),
        (
            vec!["report", "--env", "staging=x.env"],
            "production, sandbox or local",
        ),
        (vec!["report", "--env", "production"], "ENV=FILE"),
        (
            vec!["report", "--env", "local=missing.env"],
            "does not exist",
        ),
        (
            vec!["report", "--env", "local=-", "--env", "local=-"],
            "more than once",
        ),
        (vec!["report", "--env", "local=-", "--format", "pdf"], "pdf"),
    ] {
        let out = env.run(&[], &args).usage_error();
        assert!(out.output().contains(needle), "{args:?}: {}", out.output());
    }
    // A configuration error under --format json is one JSON object.
    env.write("gardefou.toml", "[database.staging]\n");
    let out = env
        .run(&[], &["report", "--format", "json", "--env", "local=-"])
        .usage_error();
    let doc = out.json();
    assert_eq!(doc["verdict"], "error");
    assert!(doc["error"].as_str().unwrap().contains("gardefou.toml:1:"));
}

/// Production and sandbox on real clusters: a sandbox that points at production's database
/// (directly, and through a port listed as sandbox's that forwards to production, which
/// only the live identity shows) is shared and red; the sandbox's own database is not.
#[test]
fn report_probe_shows_a_sandbox_on_the_production_database_as_shared() {
    let (prod, prod_url) = cluster();
    let (sandbox, sandbox_url) = cluster();
    let forwarder = Forwarder::to(prod.port());
    let env = Env::with_policy(&hosts_policy(
        prod.port(),
        &[sandbox.port(), forwarder.port()],
    ));
    for (e, url) in [("production", &prod_url), ("sandbox", &sandbox_url)] {
        env.run(&vars(e, url), &["db", "stamp"]).success();
    }
    let file = |name: &str, e: &str, url: &str| {
        let [(_, koomy), (_, node), (_, url)] = vars(e, url);
        env.write(
            name,
            &format!("KOOMY_ENV={koomy}\nNODE_ENV={node}\nDATABASE_URL={url}\n"),
        )
    };
    let prod_file = file("production.env", "production", &prod_url);
    let secrets = [prod.password().to_owned(), sandbox.password().to_owned()];
    let report = |sandbox_file: &Path| {
        let out = env
            .cmd(&[])
            .args(["report", "--probe", "--format", "json", "--env"])
            .arg(format!("production={}", prod_file.display()))
            .arg("--env")
            .arg(format!("sandbox={}", sandbox_file.display()))
            .run();
        for s in &secrets {
            assert!(!out.output().contains(s.as_str()), "a password leaks");
        }
        out
    };
    let cell = |doc: &serde_json::Value, id: &str, e: &str| report_row(doc, id)["cells"][e].clone();

    // Each on its own database: isolated.
    let doc = report(&file("sandbox.env", "sandbox", &sandbox_url))
        .success()
        .json();
    assert_eq!(doc["probed"], true);
    let live = cell(&doc, "database-live", "sandbox");
    assert_eq!(live["status"], "ok", "{live:#}");
    assert!(
        live["facts"]
            .to_string()
            .contains("stamp sandbox, identity matches"),
        "{live:#}"
    );

    // Sandbox's file names production's database.
    let doc = report(&file("sandbox-direct.env", "sandbox", &prod_url))
        .refused()
        .json();
    for row in ["database", "database-live"] {
        let c = cell(&doc, row, "sandbox");
        assert_eq!(
            c["shared_with"],
            serde_json::json!(["production"]),
            "{row}: {c:#}"
        );
        assert!(c["rules"]
            .to_string()
            .contains("database-shared-across-environments"));
        let p = cell(&doc, row, "production");
        assert_eq!(
            p["shared_with"],
            serde_json::json!(["sandbox"]),
            "{row}: {p:#}"
        );
    }
    assert!(cell(&doc, "database-live", "sandbox")["rules"]
        .to_string()
        .contains("database-stamp-environment-mismatch"));

    // A sandbox port that forwards to production: the URLs differ, the live identity does not.
    let tunnel = prod.url_at("127.0.0.1", forwarder.port(), "koomy", "");
    let doc = report(&file("sandbox-tunnel.env", "sandbox", &tunnel))
        .refused()
        .json();
    let live = cell(&doc, "database-live", "sandbox");
    assert_eq!(
        live["shared_with"],
        serde_json::json!(["production"]),
        "{live:#}"
    );
    assert_eq!(live["status"], "violation");
    // Statically only the password is seen shared (the same credentials), not the database.
    assert_eq!(
        cell(&doc, "database", "sandbox")["rules"],
        serde_json::json!(["secret-shared-across-environments"])
    );
}

/// `--resolve` against a real DNS server on loopback: each environment's names with their
/// chains, and a sandbox name whose CNAME reaches production red in sandbox's column only.
#[test]
fn report_resolve_shows_the_dns_chains_and_a_sandbox_name_that_reaches_production() {
    use gardefou_domains::test_server::DnsServer;
    let zone = crate::domains::zone("api-sandbox 60 IN CNAME api.koomy.app.");
    let server = DnsServer::start(&[("koomy.app.", &zone)]);
    let env = Env::with_policy(sandbox_policy());
    let planted = plant(&env, false);
    let options = format!("--format json --resolve --nameserver {}", server.addr());
    let out = planted.report(&env, &options).refused();
    let doc = out.json();
    assert_eq!(doc["resolved"], true);
    let domains = report_row(&doc, "domains")["cells"].clone();
    assert_eq!(domains["production"]["status"], "ok", "{domains:#}");
    assert!(domains["production"]["facts"]
        .to_string()
        .contains("api: api.koomy.app → 203.0.113.12"));
    assert_eq!(domains["sandbox"]["status"], "violation");
    assert!(domains["sandbox"]["facts"]
        .to_string()
        .contains("api: api-sandbox.koomy.app → api.koomy.app → 203.0.113.12"));
    assert_eq!(
        domains["sandbox"]["rules"],
        serde_json::json!(["domain-sandbox-reaches-production"])
    );
    assert_eq!(domains["local"]["status"], "absent");
}

/// `--lang fr` (and a French locale): the report speaks French — the HTML says
/// `lang="fr"` and every row label is French — and still shows no value.
#[test]
fn report_in_french_has_french_row_labels_and_no_value() {
    let env = Env::with_policy(sandbox_policy());
    let planted = plant(&env, true);
    let page = env.path("rapport.html");
    env.cmd(&[])
        .args(["--lang", "fr", "report"])
        .args(planted.args())
        .args(["--output", page.to_str().unwrap()])
        .run()
        .refused();
    let html = std::fs::read_to_string(&page).unwrap();
    assert_no_leak("the French HTML report", &html, &planted.secrets);
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"),
        "{html}"
    );
    for label in [
        "Rapport d&#39;isolation gardefou",
        "Environnement (KOOMY_ENV, NODE_ENV)",
        "Registre des secrets",
        "Base de données (DATABASE_URL)",
        "Secret JWT / de session (JWT_SECRET)",
        "PARTAGÉ avec production",
        "Comment le lire",
    ] {
        assert!(
            html.contains(label) || html.contains(&label.replace("&#39;", "'")),
            "{label} missing from the French HTML"
        );
    }
    for english in [
        "Secrets registry",
        "Database (DATABASE_URL)",
        "How to read it",
    ] {
        assert!(!html.contains(english), "{english} in the French HTML");
    }

    let out = env
        .cmd(&[])
        .env("LANG", "fr_FR.UTF-8")
        .arg("report")
        .args(planted.args())
        .args(["--format", "human"])
        .run()
        .refused();
    let human = out.output();
    assert_no_leak("the French human report", &human, &planted.secrets);
    // Terminal cells wrap: labels short enough for one line.
    for label in [
        "Rapport d'isolation gardefou",
        "Registre des secrets",
        "Base de données",
        "PARTAGÉ avec",
        "NON isolés",
    ] {
        assert!(human.contains(label), "{label} missing:\n{human}");
    }
    assert_lacks(&human, "Secrets registry");
}
