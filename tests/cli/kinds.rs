//! One definition per secret kind: what `gardefou scan` finds in a file, `gardefou check`
//! recognises in the environment, under any variable name, and judges by the same rule.

use crate::support::{assert_contains, assert_no_piece_of, sandbox_policy, vars, Env, R};

fn sandbox_url() -> String {
    format!(
        "postgresql://koomy:{}@ep-beta-1{R}/neondb?sslmode=require",
        crate::support::fake_password()
    )
}

#[test]
fn a_live_gocardless_token_is_found_in_code_and_refused_in_sandbox_whatever_its_name() {
    let env = Env::with_policy(sandbox_policy());
    let token = format!("live_{}", gardefou_testkit::fake::alnum(31, 40));
    let sandbox_token = format!("sandbox_{}", gardefou_testkit::fake::alnum(32, 40));
    let url = sandbox_url();
    let base = vars("sandbox", &url);

    // The scanner finds it in code, as the kind `gocardless-access-token`.
    env.write(
        "billing.js",
        &format!("const client = gocardless(\"{token}\", constants.Environments.Live);\n"),
    );
    let scan = env.run(&[], &["scan", "billing.js"]).refused();
    assert!(scan.output().contains("gocardless-access-token"), "{scan}");
    assert_no_piece_of("scan output", &token, &scan.output());

    // `check` recognises it in a variable gardefou has no declaration for.
    let mut vars = base.to_vec();
    vars.push(("GOCARDLESS_TOKEN", token.as_str()));
    let out = env.run(&vars, &["check"]).refused();
    let shown = out.output();
    assert_contains(&shown, "provider-key-mode-mismatch");
    assert_contains(&shown, "GOCARDLESS_TOKEN");
    assert_no_piece_of("check output", &token, &shown);

    // The sandbox token is sandbox's: allowed.
    let mut vars = base.to_vec();
    vars.push(("GOCARDLESS_TOKEN", sandbox_token.as_str()));
    let out = env.run(&vars, &["check"]).success();
    assert_no_piece_of("check output", &sandbox_token, &out.output());

    // Declared of the kind in the policy file, a name that says nothing still counts, and
    // a value that is not a GoCardless token is refused as malformed.
    env.write_policy(
        "gardefou.toml",
        &format!(
            "{}[secrets.vars.PAYMENTS]\nkind = \"gocardless-access-token\"\n",
            sandbox_policy()
        ),
    );
    let malformed = gardefou_testkit::fake::alnum(33, 40);
    for (value, rule) in [
        (token.as_str(), "provider-key-mode-mismatch"),
        (malformed.as_str(), "secret-malformed"),
    ] {
        let mut vars = base.to_vec();
        vars.push(("PAYMENTS", value));
        let shown = env.run(&vars, &["check"]).refused().output();
        assert!(shown.contains(rule), "{rule}: {shown}");
        assert_no_piece_of("check output", value, &shown);
    }
}
