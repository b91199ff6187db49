//! Every rule's examples match it and its negative examples do not (each rule alone).

use gardefou_scan::{builtin_rules, Matcher};

fn path_for(rule: &gardefou_scan::ScanRule) -> &'static str {
    if rule.applies_to("example.txt") {
        "example.txt"
    } else {
        ".env"
    }
}

#[test]
fn every_example_matches_its_rule_and_no_negative_example_does() {
    let rules = builtin_rules();
    assert!(rules.len() >= 18, "{} rules", rules.len());
    let mut failures = Vec::new();
    for rule in rules {
        let alone = Matcher::new(std::slice::from_ref(rule));
        assert!(!rule.examples.is_empty(), "{} has no example", rule.id);
        assert!(
            !rule.negative_examples.is_empty(),
            "{} has no negative example",
            rule.id
        );
        for ex in &rule.examples {
            if alone.find(path_for(rule), ex.as_bytes()).is_empty() {
                failures.push(format!("{}: example does not match: {ex}", rule.id));
            }
        }
        for ex in &rule.negative_examples {
            let found = alone.find(path_for(rule), ex.as_bytes());
            if !found.is_empty() {
                failures.push(format!("{}: negative example matches: {ex}", rule.id));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_rule_is_policy_7_1_with_a_unique_id_and_keywords_or_paths() {
    let mut ids = std::collections::HashSet::new();
    for rule in builtin_rules() {
        assert!(ids.insert(rule.id), "duplicate id {}", rule.id);
        assert_eq!(rule.policy, gardefou_findings::Section::S7_1, "{}", rule.id);
        assert!(!rule.keywords.is_empty() || !rule.applies_to("example.txt"));
        // The hot path is ASCII-only: no rule may ask for Unicode classes back.
        assert!(!rule.pattern().contains("(?u"), "{}", rule.id);
    }
}

#[test]
fn every_example_is_found_by_the_full_rule_set_too() {
    let all = Matcher::new(builtin_rules());
    for rule in builtin_rules() {
        for ex in &rule.examples {
            assert!(
                !all.find(path_for(rule), ex.as_bytes()).is_empty(),
                "{}: {ex}",
                rule.id
            );
        }
    }
}

#[test]
fn the_rule_families_of_the_issue_are_all_present() {
    let ids: Vec<&str> = builtin_rules().iter().map(|r| r.id).collect();
    for id in [
        "stripe-secret-key",
        "stripe-restricted-key",
        "stripe-webhook-secret",
        "stripe-publishable-key",
        "sendgrid-api-key",
        "postgres-url-password",
        "postgres-neon-url-password",
        "postgres-conninfo-password",
        "jwt-session-secret",
        "jwt-signing-literal",
        "jwt-token",
        "private-key",
        "aws-access-key-id",
        "aws-secret-access-key",
        "github-token",
        "npm-token",
        "slack-token",
        "slack-webhook-url",
        "doppler-token",
        "generic-secret-assignment",
        "dotenv-secret",
    ] {
        assert!(ids.contains(&id), "missing {id}");
    }
}
