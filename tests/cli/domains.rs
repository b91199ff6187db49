//! `gardefou domains check` end to end; `--resolve` against a real DNS server on loopback.

use gardefou_domains::test_server::DnsServer;

use crate::support::{render, Env, Runs};

/// Every §9 name on its own address; `api-sandbox` may be redirected by `api_sandbox`.
pub(crate) fn zone(api_sandbox: &str) -> String {
    format!(
        "@ 60 IN SOA ns.koomy.app. hostmaster.koomy.app. 1 60 60 60 60
@ 60 IN A 203.0.113.10
www 60 IN A 203.0.113.11
api 60 IN A 203.0.113.12
backoffice 60 IN A 203.0.113.13
lorpesikoomyadmin 60 IN A 203.0.113.14
sandbox 60 IN A 198.51.100.10
sitepublic-sandbox 60 IN A 198.51.100.11
{api_sandbox}
backoffice-sandbox 60 IN A 198.51.100.13
lorpesikoomyadmin-sandbox 60 IN A 198.51.100.14
"
    )
}

#[test]
fn domains_check_allows_the_built_in_table() {
    let env = Env::new();
    let out = env.run(&[], &["domains", "check"]);
    insta::assert_snapshot!(render(&out, env.dir.path()));
}

#[test]
fn domains_check_refuses_a_sandbox_name_equal_to_a_production_name() {
    let env = Env::with_policy(
        "[domains.sandbox]\napp = \"koomy.app\"\napi = \"api-sandbox.koomy.app\"\n",
    );
    let out = env.run(&[], &["domains", "check"]);
    insta::assert_snapshot!(render(&out, env.dir.path()));
}

#[test]
fn domains_check_resolve_allows_separate_hosting() {
    let server = DnsServer::start(&[("koomy.app.", &zone("api-sandbox 60 IN A 198.51.100.12"))]);
    let env = Env::new();
    let ns = server.addr().to_string();
    let out = env
        .run(&[], &["domains", "check", "--resolve", "--nameserver", &ns])
        .success();
    assert_eq!(
        out.stdout,
        format!("gardefou: allowed (10 names, resolved via {ns})\n")
    );
}

#[test]
fn domains_check_resolve_refuses_a_sandbox_cname_to_production() {
    let server = DnsServer::start(&[(
        "koomy.app.",
        &zone("api-sandbox 60 IN CNAME api.koomy.app."),
    )]);
    let env = Env::new();
    let ns = server.addr().to_string();
    let out = env
        .cmd(&[])
        .args(["domains", "check", "--resolve", "--nameserver", &ns])
        .args(["--format", "json"])
        .run()
        .refused();
    let doc = out.json();
    assert_eq!(doc["verdict"], "deny");
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
    assert_eq!(
        doc["findings"][0]["rule"],
        "domain-sandbox-reaches-production"
    );
    assert_eq!(
        doc["resolutions"]["api-sandbox.koomy.app"]["chain"],
        serde_json::json!(["api-sandbox.koomy.app", "api.koomy.app"])
    );
    assert_eq!(
        doc["resolutions"]["api-sandbox.koomy.app"]["addresses"],
        serde_json::json!(["203.0.113.12"])
    );
}

#[test]
fn domains_check_resolve_fails_closed_on_a_missing_name_and_shared_addresses_can_be_errors() {
    let server = DnsServer::start(&[(
        "koomy.app.",
        &zone("api-sandbox 60 IN A 203.0.113.12")
            .replace("backoffice-sandbox 60 IN A 198.51.100.13\n", ""),
    )]);
    let env = Env::with_policy("[domains]\nshared_addresses = \"error\"\n");
    let ns = server.addr().to_string();
    let out = env.run(&[], &["domains", "check", "--resolve", "--nameserver", &ns]);
    insta::assert_snapshot!(render(&out, env.dir.path()));
}

#[test]
fn domains_check_refuses_a_malformed_nameserver() {
    let env = Env::new();
    let out = env.run_line(&[], "domains check --resolve --nameserver dns.example");
    insta::assert_snapshot!(render(&out, env.dir.path()));
}

#[test]
fn nameserver_and_timeout_need_resolve_in_both_commands() {
    let env = Env::new();
    for command in [&["domains", "check"][..], &["report"][..]] {
        for flag in [
            &["--nameserver", "127.0.0.1:53"][..],
            &["--timeout", "5"][..],
        ] {
            let args: Vec<&str> = command.iter().chain(flag).copied().collect();
            let out = env.run(&[], &args).usage_error();
            assert!(out.stderr.contains("--resolve"), "{args:?}: {}", out.stderr);
        }
    }
}
