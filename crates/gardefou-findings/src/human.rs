//! The human reporter: short, one block per finding, naming the rule and policy section.

use std::io::{self, Write};

use crate::{Lang, Report, Severity};

/// The reporter's own words: (English, French).
fn word(en: &'static str, fr: &'static str) -> &'static str {
    match Lang::current() {
        Lang::En => en,
        Lang::Fr => fr,
    }
}

/// Writes `report` for a person. `subject` names what was checked and is printed in the
/// summary line, e.g. `KOOMY_ENV=sandbox`.
pub fn write(out: &mut dyn Write, report: &Report, subject: Option<&str>) -> io::Result<()> {
    write_colored(out, report, subject, false)
}

/// ANSI styles, or nothing.
struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// [`write()`], with colour when `color` (a terminal that wants it): the level in bold red or
/// yellow, the verdict in bold red or green. The text is the same either way.
pub fn write_colored(
    out: &mut dyn Write,
    report: &Report,
    subject: Option<&str>,
    color: bool,
) -> io::Result<()> {
    let paint = Paint(color);
    for f in &report.findings {
        let level = match f.severity {
            Severity::Error => paint.wrap("1;31", word("error", "erreur")),
            Severity::Warning => paint.wrap("1;33", word("warning", "avertissement")),
        };
        write!(
            out,
            "{level}{} §{}: {}",
            paint.wrap("1", &format!("[{}]", f.rule)),
            f.policy,
            f.message
        )?;
        if let Some(loc) = &f.location {
            write!(out, "\n  --> {}:{}:{}", loc.path, loc.line, loc.column)?;
            if let Some(commit) = &loc.commit {
                write!(out, " (commit {commit})")?;
            }
        }
        if let Some(fp) = &f.fingerprint {
            write!(out, "\n  {} {fp}", word("fingerprint:", "empreinte :"))?;
        }
        writeln!(
            out,
            "\n  {} {}",
            paint.wrap("32", word("fix:", "correction :")),
            f.fix
        )?;
    }
    let subject = subject.map(|s| format!(" ({s})")).unwrap_or_default();
    let (errors, warnings) = (report.errors(), report.warnings());
    if report.is_denied() {
        writeln!(
            out,
            "gardefou: {}{subject}: {errors} {}{}",
            paint.wrap("1;31", word("refused", "refusé")),
            plural(errors, "violation", "violation"),
            warning_suffix(warnings)
        )
    } else {
        writeln!(
            out,
            "gardefou: {}{subject}{}",
            paint.wrap("1;32", word("allowed", "autorisé")),
            warning_suffix(warnings)
        )
    }
}

/// `word` in the current language, with an `s` unless there is one (French: unless there
/// are fewer than two).
fn plural(n: usize, en: &'static str, fr: &'static str) -> String {
    let singular = match Lang::current() {
        Lang::En => n == 1,
        Lang::Fr => n < 2,
    };
    let w = word(en, fr);
    if singular {
        w.to_owned()
    } else {
        format!("{w}s")
    }
}

fn warning_suffix(warnings: usize) -> String {
    match warnings {
        0 => String::new(),
        n => format!(", {n} {}", plural(n, "warning", "avertissement")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Location, Text};

    crate::rules! {
        #[allow(dead_code)]
        ALL;
        A_RULE = ("a-rule", "5.1", "s", "f", "s fr", "f fr");
        B_RULE = ("b-rule", "3", "s", "f", "s fr", "f fr", Warning);
    }

    fn render(report: &Report, subject: Option<&str>) -> String {
        let mut out = Vec::new();
        write(&mut out, report, subject).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_finding_is_printed_with_rule_section_and_fix() {
        let report = Report::new(vec![
            A_RULE.error_with_fix(
                Text::new("first problem", "premier problème"),
                Text::new("first fix", "premier correctif"),
            ),
            B_RULE
                .warning_with_fix(
                    Text::new("second problem", "second problème"),
                    Text::new("second fix", "second correctif"),
                )
                .at(Location {
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

    #[test]
    fn colour_changes_the_style_never_the_text() {
        let report = Report::new(vec![
            A_RULE.error(Text::new("m1", "m1")),
            B_RULE.warning(Text::new("m2", "m2")),
        ]);
        let mut plain = Vec::new();
        write(&mut plain, &report, Some("s")).unwrap();
        let mut colored = Vec::new();
        write_colored(&mut colored, &report, Some("s"), true).unwrap();
        let colored = String::from_utf8(colored).unwrap();
        assert!(colored.contains("\x1b[1;31merror\x1b[0m"), "{colored}");
        let mut stripped = String::new();
        let mut chars = colored.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                stripped.push(c);
            }
        }
        assert_eq!(stripped, String::from_utf8(plain).unwrap());
    }
}
