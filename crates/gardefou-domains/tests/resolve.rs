//! `--resolve` against a real authoritative DNS server on loopback, with good and bad zones.

use std::collections::BTreeMap;
use std::time::Duration;

use gardefou_domains::test_server::DnsServer;
use gardefou_domains::{analyze, resolve, Nameserver, Outcome, Resolution, ResolveOptions};
use gardefou_findings::{Finding, Severity};
use gardefou_policy::{DomainTable, SharedAddresses};

/// The §9 names, each on its own hosting: production on 203.0.113.0/24 and
/// `prod-host.test`, sandbox on 198.51.100.0/24, 2001:db8::/32 and `sandbox-host.test`.
const KOOMY_APP: &str = "\
@ 60 IN SOA ns.koomy.app. hostmaster.koomy.app. 1 60 60 60 60
@ 60 IN A 203.0.113.10
www 60 IN CNAME koomy.app.
api 60 IN CNAME api.prod-host.test.
backoffice 60 IN A 203.0.113.11
lorpesikoomyadmin 60 IN A 203.0.113.12
sandbox 60 IN A 198.51.100.10
sitepublic-sandbox 60 IN CNAME sandbox.koomy.app.
api-sandbox 60 IN CNAME api.sandbox-host.test.
backoffice-sandbox 60 IN AAAA 2001:db8::10
lorpesikoomyadmin-sandbox 60 IN A 198.51.100.12
";

const PROD_HOST: &str = "\
@ 60 IN SOA ns.prod-host.test. hostmaster.prod-host.test. 1 60 60 60 60
api 60 IN A 203.0.113.20
";

const SANDBOX_HOST: &str = "\
@ 60 IN SOA ns.sandbox-host.test. hostmaster.sandbox-host.test. 1 60 60 60 60
api 60 IN A 198.51.100.20
via 60 IN CNAME api.prod-host.test.
loop1 60 IN CNAME loop2.sandbox-host.test.
loop2 60 IN CNAME loop1.sandbox-host.test.
dangling 60 IN CNAME gone.sandbox-host.test.
textonly 60 IN TXT \"no address here\"
";

/// The good zones with one line of `koomy.app` replaced.
fn serve(replace: &[(&str, &str)]) -> DnsServer {
    let mut koomy = KOOMY_APP.to_owned();
    for (from, to) in replace {
        assert!(koomy.contains(from), "test bug: {from} not in the zone");
        koomy = koomy.replace(from, to);
    }
    DnsServer::start(&[
        ("koomy.app.", &koomy),
        ("prod-host.test.", PROD_HOST),
        ("sandbox-host.test.", SANDBOX_HOST),
    ])
}

fn options(server: &DnsServer) -> ResolveOptions {
    ResolveOptions {
        nameserver: Nameserver::Addr(server.addr()),
        timeout: Duration::from_secs(2),
    }
}

fn check(
    server: &DnsServer,
    shared: SharedAddresses,
) -> (BTreeMap<String, Resolution>, Vec<Finding>) {
    resolve_and_analyze(&options(server), shared)
}

/// Resolves the Koomy domain table with `options` and analyses the outcome.
fn resolve_and_analyze(
    options: &ResolveOptions,
    shared: SharedAddresses,
) -> (BTreeMap<String, Resolution>, Vec<Finding>) {
    let table = DomainTable::koomy();
    let resolutions = resolve(&table, options).unwrap();
    let findings = analyze(&table, &resolutions, shared);
    (resolutions, findings)
}

fn messages(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| format!("{} {}", f.rule, f.message))
        .collect()
}

/// The line of the good zone that points `api-sandbox` to its own hosting.
const API_SANDBOX_LINE: &str = "api-sandbox 60 IN CNAME api.sandbox-host.test.";

/// The findings, shared addresses a warning, once lines of `koomy.app` are replaced.
fn findings_with(replace: &[(&str, &str)]) -> Vec<Finding> {
    check(&serve(replace), SharedAddresses::Warning).1
}

/// The findings once `api-sandbox.koomy.app` is a CNAME to `target` instead.
fn findings_with_api_sandbox_to(target: &str) -> Vec<Finding> {
    let line = format!("api-sandbox 60 IN CNAME {target}");
    findings_with(&[(API_SANDBOX_LINE, &line)])
}

#[test]
fn separate_hosting_is_allowed_and_chains_are_followed() {
    let server = serve(&[]);
    let (resolutions, findings) = check(&server, SharedAddresses::Warning);
    assert_eq!(messages(&findings), Vec::<String>::new());
    let api = &resolutions["api.koomy.app"];
    assert_eq!(api.chain, ["api.koomy.app", "api.prod-host.test"]);
    assert_eq!(
        api.outcome,
        Outcome::Addresses(["203.0.113.20".parse().unwrap()].into())
    );
    let v6 = &resolutions["backoffice-sandbox.koomy.app"];
    assert_eq!(
        v6.addresses().unwrap().iter().next().unwrap().to_string(),
        "2001:db8::10"
    );
    assert_eq!(resolutions.len(), 10);
}

#[test]
fn a_sandbox_cname_to_a_production_name_is_refused() {
    let findings = findings_with_api_sandbox_to("api.koomy.app.");
    assert_eq!(
        messages(&findings),
        ["domain-sandbox-reaches-production domains.sandbox.api api-sandbox.koomy.app reaches the production name api.koomy.app: api-sandbox.koomy.app → api.koomy.app"]
    );
    assert_eq!(findings[0].severity, Severity::Error);
}

#[test]
fn a_sandbox_cname_to_a_production_target_is_refused() {
    let findings = findings_with_api_sandbox_to("api.prod-host.test.");
    assert_eq!(
        messages(&findings),
        ["domain-sandbox-reaches-production domains.sandbox.api api-sandbox.koomy.app reaches api.prod-host.test, which production name api.koomy.app also reaches: api-sandbox.koomy.app → api.prod-host.test"]
    );
}

#[test]
fn a_production_target_reached_through_an_intermediate_sandbox_name_is_refused() {
    let findings = findings_with_api_sandbox_to("via.sandbox-host.test.");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(findings[0]
        .message
        .ends_with("api-sandbox.koomy.app → via.sandbox-host.test → api.prod-host.test"));
}

#[test]
fn a_sandbox_name_chaining_to_the_production_apex_is_refused() {
    // www.koomy.app (production) is a CNAME to koomy.app: a sandbox name reaching the apex
    // reaches what two production names reach.
    let findings = findings_with(&[(
        "sitepublic-sandbox 60 IN CNAME sandbox.koomy.app.",
        "sitepublic-sandbox 60 IN CNAME koomy.app.",
    )]);
    assert_eq!(
        messages(&findings),
        ["domain-sandbox-reaches-production domains.sandbox.public_site sitepublic-sandbox.koomy.app reaches the production name koomy.app: sitepublic-sandbox.koomy.app → koomy.app"]
    );
}

#[test]
fn a_shared_address_is_a_warning_by_default_and_an_error_when_the_policy_says_so() {
    let server = serve(&[(
        "sandbox 60 IN A 198.51.100.10",
        "sandbox 60 IN A 203.0.113.10",
    )]);
    let (_, findings) = check(&server, SharedAddresses::Warning);
    // sitepublic-sandbox is a CNAME to sandbox.koomy.app, so it shares the address too.
    assert_eq!(
        messages(&findings),
        [
            "domain-shared-address domains.sandbox.app sandbox.koomy.app shares address 203.0.113.10 with production koomy.app, www.koomy.app",
            "domain-shared-address domains.sandbox.public_site sitepublic-sandbox.koomy.app shares address 203.0.113.10 with production koomy.app, www.koomy.app",
        ]
    );
    assert!(findings.iter().all(|f| f.severity == Severity::Warning));
    let (_, findings) = check(&server, SharedAddresses::Error);
    assert_eq!(findings.len(), 2);
    assert!(findings.iter().all(|f| f.severity == Severity::Error));
}

#[test]
fn a_missing_name_is_refused_as_nxdomain() {
    let findings = findings_with(&[("backoffice-sandbox 60 IN AAAA 2001:db8::10\n", "")]);
    assert_eq!(
        messages(&findings),
        ["domain-unresolvable domains.sandbox.backoffice backoffice-sandbox.koomy.app does not resolve: NXDOMAIN"]
    );
}

#[test]
fn a_name_without_addresses_and_a_dangling_cname_are_refused() {
    let findings = findings_with(&[
        (
            "backoffice-sandbox 60 IN AAAA 2001:db8::10",
            "backoffice-sandbox 60 IN CNAME textonly.sandbox-host.test.",
        ),
        (
            "lorpesikoomyadmin 60 IN A 203.0.113.12",
            "lorpesikoomyadmin 60 IN CNAME dangling.sandbox-host.test.",
        ),
    ]);
    assert_eq!(
        messages(&findings),
        [
            "domain-unresolvable domains.production.admin_console lorpesikoomyadmin.koomy.app does not resolve: NXDOMAIN for gone.sandbox-host.test (chain: lorpesikoomyadmin.koomy.app → dangling.sandbox-host.test → gone.sandbox-host.test)",
            "domain-unresolvable domains.sandbox.backoffice backoffice-sandbox.koomy.app does not resolve: no A or AAAA record for textonly.sandbox-host.test (chain: backoffice-sandbox.koomy.app → textonly.sandbox-host.test)",
        ]
    );
}

#[test]
fn a_name_outside_the_servers_zones_is_refused() {
    let findings = findings_with_api_sandbox_to("api.elsewhere.test.");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].rule, "domain-unresolvable");
    assert!(
        findings[0]
            .message
            .contains("REFUSED for api.elsewhere.test"),
        "{}",
        findings[0].message
    );
}

#[test]
fn a_cname_loop_is_refused() {
    let line = "api-sandbox 60 IN CNAME loop1.sandbox-host.test.";
    let server = serve(&[(API_SANDBOX_LINE, line)]);
    let (resolutions, findings) = check(&server, SharedAddresses::Warning);
    assert_eq!(resolutions["api-sandbox.koomy.app"].outcome, Outcome::Loop);
    assert_eq!(
        messages(&findings),
        ["domain-cname-loop domains.sandbox.api api-sandbox.koomy.app: the CNAME chain loops: api-sandbox.koomy.app → loop1.sandbox-host.test → loop2.sandbox-host.test → loop1.sandbox-host.test"]
    );
}

#[test]
fn a_silent_nameserver_is_refused_for_every_name_after_a_timeout() {
    // Bound but never answering: UDP queries time out, TCP connections are refused.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let options = ResolveOptions {
        nameserver: Nameserver::Addr(silent.local_addr().unwrap()),
        timeout: Duration::from_millis(300),
    };
    let (_, findings) = resolve_and_analyze(&options, SharedAddresses::Warning);
    assert_eq!(findings.len(), 10, "{findings:?}");
    assert!(findings
        .iter()
        .all(|f| f.rule == "domain-unresolvable" && f.severity == Severity::Error));
}

#[test]
fn nameserver_addresses_default_to_port_53() {
    assert_eq!(
        Nameserver::parse("127.0.0.1").unwrap(),
        Nameserver::Addr("127.0.0.1:53".parse().unwrap())
    );
    assert_eq!(
        Nameserver::parse("[::1]:5353").unwrap(),
        Nameserver::Addr("[::1]:5353".parse().unwrap())
    );
    let e = Nameserver::parse("dns.example").unwrap_err();
    assert_eq!(e.text, "dns.example");
    assert_eq!(
        e.to_string(),
        "not a nameserver address (IP, IP:PORT or [IPv6]:PORT): dns.example"
    );
    assert!(Nameserver::parse("127.0.0.1:99999").is_err());
}
