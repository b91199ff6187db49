//! The JSON reporter: one object, `{"verdict", <extra fields>, "findings"}`.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::{Finding, Report, Verdict};

/// Writes `report` as one JSON object followed by a newline. `extra` fields are placed
/// between `verdict` and `findings` (the startup guard adds `environment`).
pub fn write(out: &mut dyn Write, report: &Report, extra: &[(&str, Value)]) -> io::Result<()> {
    #[derive(Serialize)]
    struct Doc<'a> {
        verdict: Verdict,
        #[serde(flatten)]
        extra: Map<String, Value>,
        findings: &'a [Finding],
    }
    let doc = Doc {
        verdict: report.verdict(),
        extra: extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
        findings: &report.findings,
    };
    serde_json::to_writer(&mut *out, &doc)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::rules! {
        #[allow(dead_code)]
        ALL;
        R = ("r", "5.1", "s", "f", "s fr", "f fr");
    }

    #[test]
    fn shape_is_verdict_extra_findings() {
        let report = Report::new(vec![R.error(crate::Text::new("m", "m"))]);
        let mut out = Vec::new();
        write(&mut out, &report, &[("environment", Value::Null)]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"verdict\":\"deny\",\"environment\":null,\"findings\":[{\"rule\":\"r\",\"policy\":\"5.1\",\"severity\":\"error\",\"message\":\"m\",\"fix\":\"f\"}]}\n"
        );
    }
}
