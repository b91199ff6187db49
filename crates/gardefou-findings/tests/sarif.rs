//! The SARIF reporter: a golden file, and a structural validation against the SARIF 2.1.0
//! schema's rules for every object gardefou emits (required properties, no additional
//! properties, enums, minimums, URI and fingerprint shapes).
//!
//! The OASIS schema file itself is not vendored; the checks below transcribe, for each
//! object type used, the `required`, `properties` (all SARIF objects are
//! `additionalProperties: false`), `enum` and `minimum` constraints of
//! `sarif-schema-2.1.0.json`.

use gardefou_findings::sarif::{self, Tool};
use gardefou_findings::{Location, Report, Rule, Text};
use serde_json::Value;

gardefou_findings::rules! {
    /// The rules of the findings below; the tool lists the first only.
    ALL;
    STRIPE_SECRET_KEY = ("stripe-secret-key", "7.1",
        "A Stripe secret API key is hard-coded.",
        "move the key to the secret store and roll it",
        "Une clé secrète d'API Stripe est écrite en dur.",
        "déplacer la clé dans le coffre à secrets et la renouveler");
    POSTGRES_URL_PASSWORD = ("postgres-url-password", "7.1", "s", "f", "s fr", "f fr", Warning);
    KOOMY_ENV_MISSING = ("koomy-env-missing", "3", "s", "f", "s fr", "f fr");
}

const RULES: &[Rule] = &[STRIPE_SECRET_KEY];

fn tool() -> Tool<'static> {
    Tool {
        name: "gardefou",
        version: "0.1.0",
        information_uri: "https://github.com/koomy/gardefou",
        rules: RULES,
    }
}

fn report() -> Report {
    Report::new(vec![
        STRIPE_SECRET_KEY
            .error_with_fix(
                Text::new(
                    "Stripe secret key hard-coded (32 characters, redacted)",
                    "clé secrète Stripe en dur (32 caractères, masquée)",
                ),
                Text::new(
                    "move the key to the secret store and roll it",
                    "déplacez la clé dans le coffre à secrets et renouvelez-la",
                ),
            )
            .at(Location {
                path: "src/pay ment.js".into(),
                line: 3,
                column: 17,
                commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            })
            .with_fingerprint("00112233aabbccdd"),
        POSTGRES_URL_PASSWORD
            .warning_with_fix(
                Text::new("local database URL", "URL de base de données locale"),
                Text::new("use env", "utilisez l'environnement"),
            )
            .at(Location {
                path: "docker-compose.yml".into(),
                line: 1,
                column: 1,
                commit: None,
            }),
        KOOMY_ENV_MISSING.error_with_fix(
            Text::new("KOOMY_ENV is not set", "KOOMY_ENV n'est pas définie"),
            Text::new("set it", "définissez-la"),
        ),
    ])
}

#[test]
fn sarif_output_matches_the_golden_file() {
    let mut out = Vec::new();
    sarif::write(&mut out, &report(), &tool()).unwrap();
    let text = String::from_utf8(out).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/sarif.json");
    if std::env::var_os("GARDEFOU_UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let golden = std::fs::read_to_string(path).unwrap();
    assert_eq!(text, golden, "run with GARDEFOU_UPDATE_GOLDEN=1 to update");
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    for report in [report(), Report::default()] {
        let value = sarif::to_value(&report, &tool());
        let mut errors = Vec::new();
        check(&value, "sarifLog", "$", &mut errors);
        assert!(errors.is_empty(), "{}", errors.join("\n"));
    }
}

#[test]
fn the_validator_rejects_what_the_schema_rejects() {
    let good = sarif::to_value(&report(), &tool());
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    bad["runs"][0]["results"][0]["extra"] = true.into();
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    bad["version"] = "2.0.0".into();
    let mut errors = Vec::new();
    check(&bad, "sarifLog", "$", &mut errors);
    assert_eq!(errors.len(), 4, "{errors:#?}");
}

/// (object type, required properties, allowed properties with the type of each value)
fn schema(
    kind: &str,
) -> (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
) {
    match kind {
        "sarifLog" => (
            &["version", "runs"],
            &[
                ("$schema", "uri"),
                ("version", "version"),
                ("runs", "[run]"),
                ("properties", "propertyBag"),
            ],
        ),
        "run" => (
            &["tool"],
            &[
                ("tool", "tool"),
                ("results", "[result]"),
                ("columnKind", "columnKind"),
                ("properties", "propertyBag"),
            ],
        ),
        "tool" => (
            &["driver"],
            &[("driver", "toolComponent"), ("properties", "propertyBag")],
        ),
        "toolComponent" => (
            &["name"],
            &[
                ("name", "string"),
                ("version", "string"),
                ("informationUri", "uri"),
                ("rules", "[reportingDescriptor]"),
                ("properties", "propertyBag"),
            ],
        ),
        "reportingDescriptor" => (
            &["id"],
            &[
                ("id", "string"),
                ("name", "string"),
                ("shortDescription", "multiformatMessageString"),
                ("fullDescription", "multiformatMessageString"),
                ("help", "multiformatMessageString"),
                ("defaultConfiguration", "reportingConfiguration"),
                ("properties", "propertyBag"),
            ],
        ),
        "reportingConfiguration" => (&[], &[("level", "level"), ("properties", "propertyBag")]),
        "multiformatMessageString" => (&["text"], &[("text", "string"), ("markdown", "string")]),
        "result" => (
            &["message"],
            &[
                ("ruleId", "string"),
                ("ruleIndex", "index"),
                ("level", "level"),
                ("message", "message"),
                ("locations", "[location]"),
                ("partialFingerprints", "stringMap"),
                ("properties", "propertyBag"),
            ],
        ),
        "message" => (&[], &[("text", "string"), ("id", "string")]),
        "location" => (&[], &[("physicalLocation", "physicalLocation")]),
        "physicalLocation" => (
            &[],
            &[
                ("artifactLocation", "artifactLocation"),
                ("region", "region"),
            ],
        ),
        "artifactLocation" => (&[], &[("uri", "uri"), ("uriBaseId", "string")]),
        "region" => (
            &[],
            &[
                ("startLine", "positive"),
                ("startColumn", "positive"),
                ("endLine", "positive"),
                ("endColumn", "positive"),
            ],
        ),
        other => panic!("no schema for {other}"),
    }
}

fn check(v: &Value, kind: &str, at: &str, errors: &mut Vec<String>) {
    let mut fail = |m: String| errors.push(format!("{at}: {m}"));
    if let Some(item) = kind.strip_prefix('[').and_then(|k| k.strip_suffix(']')) {
        match v.as_array() {
            Some(items) => {
                for (i, x) in items.iter().enumerate() {
                    check(x, item, &format!("{at}[{i}]"), errors);
                }
            }
            None => fail(format!("expected an array of {item}")),
        }
        return;
    }
    match kind {
        "string" => {
            if !v.is_string() {
                fail("expected a string".into());
            }
        }
        "uri" => match v.as_str() {
            Some(s) if !s.is_empty() && !s.contains(' ') && !s.contains('\\') => {}
            _ => fail(format!("not a URI reference: {v}")),
        },
        "version" => {
            if v != "2.1.0" {
                fail(format!("version must be 2.1.0, not {v}"));
            }
        }
        "columnKind" => {
            if !matches!(v.as_str(), Some("utf16CodeUnits" | "unicodeCodePoints")) {
                fail(format!("bad columnKind {v}"));
            }
        }
        "level" => {
            if !matches!(v.as_str(), Some("none" | "note" | "warning" | "error")) {
                fail(format!("bad level {v}"));
            }
        }
        "index" => {
            if v.as_i64().is_none_or(|n| n < -1) {
                fail(format!("bad index {v}"));
            }
        }
        "positive" => {
            if v.as_i64().is_none_or(|n| n < 1) {
                fail(format!("must be >= 1, not {v}"));
            }
        }
        "stringMap" => match v.as_object() {
            Some(m) if m.values().all(Value::is_string) => {}
            _ => fail("expected an object of strings".into()),
        },
        "propertyBag" => match v.as_object() {
            Some(m) => {
                if let Some(tags) = m.get("tags") {
                    let ok = tags.as_array().is_some_and(|t| {
                        let mut seen = std::collections::HashSet::new();
                        t.iter()
                            .all(|x| x.is_string() && seen.insert(x.to_string()))
                    });
                    if !ok {
                        fail("tags must be unique strings".into());
                    }
                }
            }
            None => fail("expected an object".into()),
        },
        object => {
            let Some(map) = v.as_object() else {
                fail(format!("expected a {object} object"));
                return;
            };
            let (required, allowed) = schema(object);
            for r in required {
                if !map.contains_key(*r) {
                    fail(format!("{object} misses required {r}"));
                }
            }
            if object == "message" && !map.contains_key("text") && !map.contains_key("id") {
                fail("message needs text or id".into());
            }
            for (k, x) in map {
                match allowed.iter().find(|(name, _)| name == k) {
                    Some((_, t)) => check(x, t, &format!("{at}.{k}"), errors),
                    None => errors.push(format!("{at}: {object} has no property {k}")),
                }
            }
        }
    }
}

#[test]
fn rule_indexes_point_at_their_rules() {
    let v = sarif::to_value(&report(), &tool());
    let run = &v["runs"][0];
    for r in run["results"].as_array().unwrap() {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][i]["id"], r["ruleId"]);
    }
}
