//! The policy file: every key, and every mistake reported with its line and column.

use gardefou_policy::{Environment, Policy};

fn error(text: &str) -> String {
    Policy::from_toml(text, "gardefou.toml")
        .unwrap_err()
        .to_string()
}

/// `text` is refused with an error that says `says`.
fn assert_error_says(text: &str, says: &str) -> String {
    let e = error(text);
    assert!(e.contains(says), "{text:?} gave {e}");
    e
}

/// `text` is refused at `at` (the `line:column: ` prefix, or `line:`) with an error that
/// says `says`.
fn assert_error_at(text: &str, at: &str, says: &str) {
    let e = assert_error_says(text, says);
    assert!(
        e.starts_with(&format!("gardefou.toml:{at}")),
        "{text:?} gave {e}"
    );
}

#[test]
fn the_documented_shape_parses() {
    let policy = Policy::from_toml(
        r#"
[database.production]
neon_endpoints = ["ep-alpha-1"]
hosts = ["db.koomy.internal", "10.0.0.5:5433", "[fd00::5]:5432", "/var/run/prod-pg"]
[database.sandbox]
neon_endpoints = ["ep-beta-1"]
[database.local]
neon_endpoints = []
hosts = []
[release]
production_branch = "main"
sandbox_branch = "staging"
[scan]
allow_paths = ["crates/gardefou-scan/rules/*.toml"]
max_file_size = 1048576
"#,
        "gardefou.toml",
    )
    .unwrap();
    assert_eq!(policy.database.production.neon_endpoints, ["ep-alpha-1"]);
    assert_eq!(policy.database.production.hosts.len(), 4);
    assert_eq!(policy.database.production.hosts[1].port, Some(5433));
    assert_eq!(policy.database.production.hosts[0].port, None);
    assert_eq!(policy.scan.max_file_size, 1048576);
    // The built-in §9 table stays when the file says nothing of domains.
    assert_eq!(
        policy.domains.names(Environment::Sandbox)["api"],
        "api-sandbox.koomy.app"
    );
}

#[test]
fn unknown_keys_are_errors_with_line_and_column() {
    assert_error_at(
        "[database.production]\nneon_endpoint = [\"ep-a-1\"]\n",
        "2:1: ",
        "neon_endpoint",
    );
    assert_error_at("[database.staging]\nhosts = []\n", "1:", "staging");
    assert_error_says("[databases]\n", "databases");
}

#[test]
fn a_target_under_two_environments_is_an_error_at_its_second_place() {
    assert_error_at("[database.production]\nneon_endpoints = [\"ep-a-1\"]\n[database.sandbox]\nneon_endpoints = [\"ep-b-1\", \"ep-a-1\"]\n", "4:29: ", "database.production and database.sandbox");
    // The pooler host of a listed endpoint is the same endpoint.
    assert_error_says("[database.production]\nneon_endpoints = [\"ep-a-1\"]\n[database.local]\nhosts = [\"ep-a-1-pooler.eu-west-2.aws.neon.tech\"]\n", "Neon endpoint ep-a-1");
    // A host with any port overlaps the same host with one port, in any spelling.
    assert_error_says("[database.production]\nhosts = [\"DB.example.net\"]\n[database.sandbox]\nhosts = [\"db.example.net:5433\"]\n", "database.production and database.sandbox");
    assert_error_says("[database.sandbox]\nhosts = [\"localhost:6543\"]\n[database.local]\nhosts = [\"127.0.0.1:6543\"]\n", "database.sandbox and database.local");
    // Different ports of one host are different servers.
    assert!(Policy::from_toml("[database.production]\nhosts = [\"db.example.net:5432\"]\n[database.sandbox]\nhosts = [\"db.example.net:5433\"]\n", "x").is_ok());
}

#[test]
fn malformed_values_are_errors() {
    for (text, needle) in [
        (
            "[database.production]\nneon_endpoints = [\"ep-a-1-pooler\"]\n",
            "Neon endpoint id",
        ),
        (
            "[database.production]\nneon_endpoints = [\"EP-A-1\"]\n",
            "Neon endpoint id",
        ),
        (
            "[database.production]\nneon_endpoints = [\"a-1\"]\n",
            "Neon endpoint id",
        ),
        ("[database.production]\nhosts = [\"db:99999\"]\n", "port"),
        ("[database.production]\nhosts = [\"u@db\"]\n", "host"),
        ("[database.production]\nhosts = [\"\"]\n", "empty"),
        ("[database.production]\nhosts = \"db\"\n", "sequence"),
        (
            "[release]\nproduction_branch = \"main\"\nsandbox_branch = \"main\"\n",
            "differ",
        ),
        ("[release]\nproduction_branch = \"-x\"\n", "branch"),
        ("[domains.sandbox]\napi = \"API.koomy.app\"\n", "domain"),
        ("[scan]\nmax_file_size = -1\n", "positive"),
        ("not toml at all", ""),
    ] {
        let e = error(text);
        assert!(e.starts_with("gardefou.toml:"), "{e}");
        assert!(e.contains(needle), "{text:?} gave {e}");
    }
}

#[test]
fn shared_addresses_is_warning_by_default_and_may_be_made_an_error() {
    use gardefou_policy::SharedAddresses;
    assert_eq!(
        Policy::koomy().domains.shared_addresses,
        SharedAddresses::Warning
    );
    let policy = Policy::from_toml(
        "[domains]\nshared_addresses = \"error\"\n[domains.sandbox]\napp = \"sandbox.koomy.app\"\n",
        "gardefou.toml",
    )
    .unwrap();
    assert_eq!(policy.domains.shared_addresses, SharedAddresses::Error);
    // The production table is untouched by a file that only replaces the sandbox one.
    assert_eq!(policy.domains.production["app"], "koomy.app");
    assert_eq!(
        error("[domains]\nshared_addresses = \"fatal\"\n"),
        "gardefou.toml:2:20: shared_addresses must be \"warning\" or \"error\": fatal"
    );
}
#[test]
fn the_probe_and_seed_keys_parse_with_safe_defaults() {
    let builtin = Policy::koomy();
    assert_eq!(builtin.database.connect_timeout_ms, 5_000);
    assert!(!builtin.database.local.allow_unstamped);
    assert_eq!(builtin.seed.environments, [Environment::Sandbox]);

    let policy = Policy::from_toml(
        "[database]\nconnect_timeout_ms = 1500\n[database.local]\nallow_unstamped = true\n[seed]\nenvironments = [\"sandbox\", \"local\", \"local\"]\n",
        "gardefou.toml",
    )
    .unwrap();
    assert_eq!(policy.database.connect_timeout_ms, 1500);
    assert!(policy.database.local.allow_unstamped);
    assert!(!policy.database.sandbox.allow_unstamped);
    assert_eq!(
        policy.seed.environments,
        [Environment::Sandbox, Environment::Local]
    );
}

#[test]
fn only_local_may_run_unstamped_and_no_seed_runs_in_production() {
    assert_error_at(
        "[database.sandbox]\nallow_unstamped = true\n",
        "2:19: ",
        "[database.local] only",
    );
    assert_error_says(
        "[database.production]\nallow_unstamped = true\n",
        "production database must carry its stamp",
    );
    // Saying `false` explicitly is harmless.
    assert!(Policy::from_toml("[database.production]\nallow_unstamped = false\n", "p").is_ok());

    assert_error_at(
        "[seed]\nenvironments = [\"sandbox\", \"production\"]\n",
        "2:28: ",
        "never runs in production",
    );
    assert_error_says(
        "[seed]\nenvironments = [\"Sandbox\"]\n",
        "not an environment",
    );
    assert_error_says("[seed]\nenvironments = []\n", "empty list");
    assert_error_says("[seed]\nenvironment = [\"sandbox\"]\n", "environment");
    for bad in ["0", "-5", "600001", "\"5s\""] {
        let e = error(&format!("[database]\nconnect_timeout_ms = {bad}\n"));
        assert!(e.starts_with("gardefou.toml:2:"), "{bad}: {e}");
    }
}

#[test]
fn policy_error_does_not_echo_a_secret_written_in_the_wrong_place() {
    // A developer writes the secret itself where the policy expects a kind table, a list
    // or a number; serde's message used to quote it back on stderr.
    let planted = format!("{}{}", "Zq9".repeat(12), "x\\\"y");
    for text in [
        format!("[secrets.vars]\nJWT_SECRET = \"{planted}\"\n"),
        format!("[database.production]\nneon_endpoints = \"{planted}\"\n"),
        format!("[database]\nconnect_timeout_ms = \"{planted}\"\n"),
        format!("[database]\nconnect_timeout_ms = '{planted}'\n"),
    ] {
        let e = error(&text);
        assert!(!e.contains("Zq9Zq9"), "{e}");
        assert!(e.starts_with("gardefou.toml:2:"), "{e}");
        assert!(e.contains("a string"), "{e}");
    }
}

#[test]
fn servers_are_pinned_by_system_identifier_and_neon_branch() {
    let policy = Policy::from_toml(
        "[database.production]\nsystem_identifiers = [\"7414000000000000001\"]\nneon_branches = [\"br-main-1\"]\n[database.sandbox]\nneon_branches = [\"br-dev-2\"]\n",
        "gardefou.toml",
    )
    .unwrap();
    assert_eq!(
        policy.database.production.system_identifiers,
        ["7414000000000000001"]
    );
    assert_eq!(policy.database.production.neon_branches, ["br-main-1"]);
    assert_eq!(policy.database.sandbox.neon_branches, ["br-dev-2"]);
    // A pin names one environment's server: twice is an error, at its second place.
    assert_error_at("[database.production]\nsystem_identifiers = [\"42\"]\n[database.sandbox]\nsystem_identifiers = [\"42\"]\n", "4:23: ", "both database.production and database.sandbox");
    // Malformed entries are named by position, never echoed: a URL pasted by mistake
    // must not be printed.
    let pasted = ["postgresql://koomy:", "hunter", "@db/koomy"].concat();
    for (key, value, position) in [
        ("system_identifiers", pasted.as_str(), 0),
        ("neon_branches", pasted.as_str(), 0),
        ("system_identifiers", "-1", 0),
        ("neon_branches", "ep-a-1", 1),
    ] {
        let list = if position == 0 {
            format!("[\"{value}\"]")
        } else {
            format!("[\"br-ok-1\", \"{value}\"]")
        };
        let e = error(&format!("[database.sandbox]\n{key} = {list}\n"));
        assert!(
            e.contains(&format!("database.sandbox.{key}[{position}]")),
            "{e}"
        );
        assert!(!e.contains(value), "{e}");
    }
}

#[test]
fn regression_a_value_pasted_in_the_wrong_key_is_never_echoed() {
    let pw = ["Zq8p", "W3xL", "m9Kt"].concat();
    let pasted = format!("postgresql://koomy:{pw}@ep-alpha-1.eu-west-2.aws.neon.tech/neondb");
    for text in [
        format!("[database.production]\nhosts = [\"db.koomy.internal\", \"{pasted}\"]\n"),
        format!("[database.production]\nneon_endpoints = [\"{pasted}\"]\n"),
        format!("[domains.production]\napi = \"{pasted}\"\n"),
        format!("[release]\nproduction_branch = \"{pasted}\"\n"),
        format!("[seed]\nenvironments = [\"{pasted}\"]\n"),
        format!("[secrets.vars.MY_URL]\nkind = \"{pasted}\"\n"),
    ] {
        let e = error(&text);
        assert!(e.starts_with("gardefou.toml:"), "{e}");
        for piece in pw.as_bytes().windows(8) {
            assert!(!e.contains(std::str::from_utf8(piece).unwrap()), "{e}");
        }
        assert!(!e.contains("koomy:"), "{e}");
    }
    let e = error(&format!(
        "[database.production]\nhosts = [\"db.koomy.internal\", \"{pasted}\"]\n"
    ));
    assert!(e.contains("database.production.hosts[1]"), "{e}");
}

#[test]
fn malformed_server_ids_are_named_with_their_index_and_position() {
    for (text, expected) in [
        (
            "[database.production]\nneon_endpoints = [\"ep-a-1\", \"ep-b-1-pooler\"]\n",
            "gardefou.toml:2:29: database.production.neon_endpoints[1] is not a Neon endpoint id (expected `ep-` and lower-case letters, digits and dashes, without `-pooler`)",
        ),
        (
            "[database.sandbox]\nsystem_identifiers = [\"74x\"]\n",
            "gardefou.toml:2:23: database.sandbox.system_identifiers[0] is not a system identifier (the decimal number pg_control_system() shows)",
        ),
        (
            "[database.production]\nsystem_identifiers = [\"99999999999999999999\"]\n",
            "gardefou.toml:2:23: database.production.system_identifiers[0] is not a system identifier (the decimal number pg_control_system() shows)",
        ),
        (
            "[database.local]\nneon_branches = [\"br-\"]\n",
            "gardefou.toml:2:18: database.local.neon_branches[0] is not a Neon branch id (`br-` and lower-case letters, digits and dashes)",
        ),
    ] {
        assert_eq!(error(text), expected);
    }
    // The same id under two environments is refused, whichever list holds it.
    let e = error("[database.production]\nneon_branches = [\"br-x-1\"]\n[database.sandbox]\nneon_branches = [\"br-x-1\"]\n");
    assert!(e.starts_with("gardefou.toml:4:"), "{e}");
}
