//! The SARIF 2.1.0 reporter, for code-scanning upload (GitHub, GitLab, Azure DevOps).
//!
//! One run, one tool component carrying a descriptor for every rule it was given (plus
//! any rule a finding names that was not given), one result per finding. A finding's
//! fingerprint becomes `partialFingerprints["gardefou/v1"]` so that code-scanning services
//! track an alert across commits; its commit, if any, is in the result's `properties`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{json, Map, Value};

use crate::{Finding, Report, Rule, Severity};

/// The tool that produced a report.
#[derive(Clone, Copy, Debug)]
pub struct Tool<'a> {
    /// e.g. `gardefou`.
    pub name: &'a str,
    /// e.g. `0.1.0`.
    pub version: &'a str,
    /// Where the tool is documented.
    pub information_uri: &'a str,
    /// Descriptors for the rules the run could report (findings' rules are looked up here).
    pub rules: &'a [Rule],
}

/// The SARIF schema the output conforms to.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Writes `report` as a SARIF 2.1.0 log followed by a newline.
pub fn write(out: &mut dyn Write, report: &Report, tool: &Tool<'_>) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report, tool))?;
    writeln!(out)
}

/// The SARIF log as a JSON value.
pub fn to_value(report: &Report, tool: &Tool<'_>) -> Value {
    let mut rules: Vec<Rule> = tool.rules.to_vec();
    for f in &report.findings {
        if !rules.iter().any(|r| r.id == f.rule) {
            rules.push(Rule {
                id: f.rule,
                policy: f.policy,
                weight: crate::Weight::ErrorOrWarning,
                summary: crate::Tr { en: "", fr: "" },
                fix: crate::Tr { en: "", fr: "" },
            });
        }
    }
    let index: BTreeMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let descriptors: Vec<Value> = rules.iter().map(descriptor).collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(f, index[f.rule]))
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": tool.name,
                    "version": tool.version,
                    "informationUri": tool.information_uri,
                    "rules": descriptors,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn descriptor(rule: &Rule) -> Value {
    let mut d = Map::new();
    d.insert("id".into(), rule.id.into());
    if !rule.summary.is_empty() {
        d.insert("shortDescription".into(), json!({ "text": rule.summary }));
    }
    if !rule.fix.is_empty() {
        d.insert("help".into(), json!({ "text": rule.fix }));
    }
    // The level a result of the rule takes unless it says its own (each result does).
    let level = match rule.weight {
        crate::Weight::Error => Some("error"),
        crate::Weight::Warning => Some("warning"),
        crate::Weight::ErrorOrWarning => None,
    };
    if let Some(level) = level {
        d.insert("defaultConfiguration".into(), json!({ "level": level }));
    }
    d.insert(
        "properties".into(),
        json!({ "policy": format!("§{}", rule.policy), "tags": ["security", format!("policy-{}", rule.policy)] }),
    );
    Value::Object(d)
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let mut r = Map::new();
    r.insert("ruleId".into(), f.rule.into());
    r.insert("ruleIndex".into(), rule_index.into());
    r.insert(
        "level".into(),
        match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
        .into(),
    );
    r.insert(
        "message".into(),
        json!({ "text": format!("§{}: {} Fix: {}", f.policy, f.message, f.fix) }),
    );
    if let Some(loc) = &f.location {
        let mut region = Map::new();
        if loc.line > 0 {
            region.insert("startLine".into(), loc.line.into());
        }
        if loc.column > 0 {
            region.insert("startColumn".into(), loc.column.into());
        }
        let mut physical = Map::new();
        physical.insert(
            "artifactLocation".into(),
            json!({ "uri": uri_reference(&loc.path) }),
        );
        if !region.is_empty() {
            physical.insert("region".into(), Value::Object(region));
        }
        r.insert(
            "locations".into(),
            json!([{ "physicalLocation": Value::Object(physical) }]),
        );
    }
    if let Some(fp) = &f.fingerprint {
        r.insert("partialFingerprints".into(), json!({ "gardefou/v1": fp }));
    }
    let mut props = Map::new();
    props.insert("policy".into(), format!("§{}", f.policy).into());
    if let Some(commit) = f.location.as_ref().and_then(|l| l.commit.as_ref()) {
        props.insert("commit".into(), commit.clone().into());
    }
    r.insert("properties".into(), Value::Object(props));
    Value::Object(r)
}

/// A relative URI reference for a path: `/` separators, everything outside RFC 3986's
/// unreserved set and `/` percent-encoded.
pub fn uri_reference(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_relative_uri_references() {
        assert_eq!(uri_reference("src/a b/é.js"), "src/a%20b/%C3%A9.js");
        assert_eq!(uri_reference(r"src\x.js"), "src/x.js");
    }
}
