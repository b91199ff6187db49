//! The terminal reporter: one table, resources down and environments across, then every
//! finding in full and the verdict. Colour styles the status words; the text is the same
//! without it.

use std::io::{self, Write};

use crate::{Cell, Matrix, Status};

/// Width of the resources column.
const LABEL: usize = 24;
/// Width of an environment's column.
const COLUMN: usize = 30;

/// The symbol and word of a status, in every reporter.
pub fn status_text(matrix: &Matrix, status: Status) -> String {
    let t = matrix.lang.text();
    match status {
        Status::Ok => format!("✔ {}", t.ok),
        Status::Warning => format!("⚠ {}", t.warning),
        Status::Violation => format!("✘ {}", t.violation),
        Status::Absent => format!("– {}", t.absent),
    }
}

fn paint(color: bool, status: Status, text: &str) -> String {
    if !color {
        return text.to_owned();
    }
    let code = match status {
        Status::Ok => "32",
        Status::Warning => "1;33",
        Status::Violation => "1;31",
        Status::Absent => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// Cuts `text` into lines of at most `width` characters, at spaces where it can.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let used = line.chars().count();
            let sep = usize::from(used > 0);
            if used + sep + word.len() <= width {
                if sep == 1 {
                    line.push(' ');
                }
                line.extend(word.iter());
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            // A word longer than the column: cut it.
            let rest = word.split_off(width);
            lines.push(word.iter().collect());
            word = rest;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The lines of one cell: its status, then what it is.
fn cell_lines(matrix: &Matrix, cell: &Cell) -> Vec<(String, Option<Status>)> {
    let t = matrix.lang.text();
    let status = cell.status();
    let mut out = vec![(status_text(matrix, status), Some(status))];
    let mut text: Vec<String> = cell.facts.clone();
    if let Some(fp) = &cell.fingerprint {
        text.push((t.fingerprint)(&fp.value, fp.scope));
    }
    if !cell.shared_with.is_empty() {
        let envs: Vec<&str> = cell.shared_with.iter().map(|e| e.as_str()).collect();
        text.push((t.shared_with)(&envs.join(", ")));
    }
    let rules = cell.rules();
    if !rules.is_empty() {
        text.push((t.rules)(&rules.join(", ")));
    }
    for line in text {
        let shared = line.starts_with(&(t.shared_with)(""));
        for piece in wrap(&line, COLUMN) {
            out.push((piece, shared.then_some(Status::Violation)));
        }
    }
    out
}

fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(n)))
}

/// Writes the table, the findings and the verdict; `color` for a terminal that wants it.
pub fn write(out: &mut dyn Write, matrix: &Matrix, color: bool) -> io::Result<()> {
    let t = matrix.lang.text();
    writeln!(
        out,
        "{} ({}; {}; {})",
        t.title,
        (t.policy)(matrix.policy_file.as_deref()),
        (t.probed)(matrix.probed),
        (t.resolved)(matrix.resolved)
    )?;
    let rule: String = std::iter::once("-".repeat(LABEL))
        .chain(matrix.columns.iter().map(|_| "-".repeat(COLUMN)))
        .collect::<Vec<_>>()
        .join("-+-");
    // Header: the environment, then where its variables come from.
    let mut head = vec![pad(t.resource, LABEL)];
    let sources: Vec<Vec<String>> = matrix
        .columns
        .iter()
        .map(|c| wrap(&(t.source)(&c.source), COLUMN))
        .collect();
    for c in &matrix.columns {
        head.push(pad(c.environment.as_str(), COLUMN));
    }
    writeln!(out, "{}", head.join(" | ").trim_end())?;
    for i in 0..sources.iter().map(Vec::len).max().unwrap_or(0) {
        let line: Vec<String> = std::iter::once(pad("", LABEL))
            .chain(
                sources
                    .iter()
                    .map(|s| pad(s.get(i).map_or("", String::as_str), COLUMN)),
            )
            .collect();
        writeln!(out, "{}", line.join(" | ").trim_end())?;
    }
    for row in &matrix.rows {
        writeln!(out, "{rule}")?;
        let mut label = wrap(&row.label, LABEL);
        label.push(format!("§{}", row.policy));
        let cells: Vec<Vec<(String, Option<Status>)>> =
            row.cells.iter().map(|c| cell_lines(matrix, c)).collect();
        let height = cells
            .iter()
            .map(Vec::len)
            .chain(std::iter::once(label.len()))
            .max()
            .unwrap_or(1);
        for i in 0..height {
            let mut parts = vec![pad(label.get(i).map_or("", String::as_str), LABEL)];
            for cell in &cells {
                let (text, status) = cell.get(i).cloned().unwrap_or_default();
                let padded = pad(&text, COLUMN);
                parts.push(match status {
                    Some(s) => paint(color, s, &padded),
                    None => padded,
                });
            }
            writeln!(out, "{}", parts.join(" | ").trim_end())?;
        }
    }
    writeln!(out, "{rule}")?;
    // Every finding in full, by environment.
    writeln!(out, "\n{}", t.findings)?;
    for (i, column) in matrix.columns.iter().enumerate() {
        let findings = findings_of(matrix, i);
        writeln!(
            out,
            "{}",
            (t.column_status)(
                column.environment.as_str(),
                &status_text(matrix, matrix.column_status(i))
            )
        )?;
        if findings.is_empty() {
            writeln!(out, "  {}", t.no_findings)?;
        }
        for f in findings {
            let level = match f.severity {
                gardefou_findings::Severity::Error => paint(color, Status::Violation, "error"),
                gardefou_findings::Severity::Warning => paint(color, Status::Warning, "warning"),
            };
            writeln!(out, "  {level}[{}] §{}: {}", f.rule, f.policy, f.message)?;
            writeln!(out, "    {} {}", t.fix, f.fix)?;
        }
    }
    let verdict = (t.verdict)(
        matrix.count(Status::Violation),
        matrix.count(Status::Warning),
        matrix.rows.len() * matrix.columns.len(),
    );
    let status = if matrix.is_violated() {
        Status::Violation
    } else {
        Status::Ok
    };
    writeln!(out, "\ngardefou: {}", paint(color, status, &verdict))
}

/// Every finding of a column, each once, in row order.
pub fn findings_of(matrix: &Matrix, column: usize) -> Vec<&gardefou_findings::Finding> {
    let mut out: Vec<&gardefou_findings::Finding> = Vec::new();
    for row in &matrix.rows {
        for f in &row.cells[column].findings {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_and_cuts_only_what_is_longer_than_a_line() {
        assert_eq!(wrap("a bb ccc", 4), ["a bb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
        for line in wrap(
            "server Neon endpoint ep-alpha-1 (pooler) database neondb",
            12,
        ) {
            assert!(line.chars().count() <= 12, "{line}");
        }
    }
}
