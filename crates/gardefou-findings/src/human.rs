//! The human reporter: short, one block per finding, naming the rule and policy section.

use std::io::{self, Write};

use crate::{Report, Severity};

/// Writes `report` for a person. `subject` names what was checked and is printed in the
/// summary line, e.g. `KOOMY_ENV=sandbox`.
pub fn write(out: &mut dyn Write, report: &Report, subject: Option<&str>) -> io::Result<()> {
    for f in &report.findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(out, "{level}[{}] §{}: {}", f.rule, f.policy, f.message)?;
        if let Some(loc) = &f.location {
            write!(out, "\n  --> {}:{}:{}", loc.path, loc.line, loc.column)?;
            if let Some(commit) = &loc.commit {
                write!(out, " (commit {commit})")?;
            }
        }
        if let Some(fp) = &f.fingerprint {
            write!(out, "\n  fingerprint: {fp}")?;
        }
        writeln!(out, "\n  fix: {}", f.fix)?;
    }
    let subject = subject.map(|s| format!(" ({s})")).unwrap_or_default();
    let (errors, warnings) = (report.errors(), report.warnings());
    if report.is_denied() {
        writeln!(
            out,
            "gardefou: refused{subject}: {errors} {}{}",
            plural(errors, "violation"),
            warning_suffix(warnings)
        )
    } else {
        writeln!(
            out,
            "gardefou: allowed{subject}{}",
            warning_suffix(warnings)
        )
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

fn warning_suffix(warnings: usize) -> String {
    match warnings {
        0 => String::new(),
        n => format!(", {n} {}", plural(n, "warning")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Finding, Location};

    fn render(report: &Report, subject: Option<&str>) -> String {
        let mut out = Vec::new();
        write(&mut out, report, subject).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_finding_is_printed_with_rule_section_and_fix() {
        let report = Report::new(vec![
            Finding::error("a-rule", "5.1", "first problem", "first fix"),
            Finding::warning("b-rule", "3", "second problem", "second fix").at(Location {
                path: "src/x.js".into(),
                line: 3,
                column: 7,
                commit: None,
            }),
        ]);
        let text = render(&report, Some("KOOMY_ENV=sandbox"));
        assert_eq!(
            text,
            "error[a-rule] §5.1: first problem\n  fix: first fix\n\
             warning[b-rule] §3: second problem\n  --> src/x.js:3:7\n  fix: second fix\n\
             gardefou: refused (KOOMY_ENV=sandbox): 1 violation, 1 warning\n"
        );
    }

    #[test]
    fn an_empty_report_is_one_allowed_line() {
        assert_eq!(render(&Report::default(), None), "gardefou: allowed\n");
    }
}
