//! The HTML reporter: one self-contained page — inline CSS, no script, no external asset —
//! that works offline, prints (landscape, colours kept, headers repeated) and reads on a
//! phone (the table scrolls, and under 48rem each row becomes a card whose cells name their
//! environment). Accessible: a real `<table>` with a `<caption>` and `<th scope>`, each
//! status said in words beside its symbol, never by colour alone. Every interpolated string
//! is escaped.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::human::{findings_of, status_text};
use crate::{Cell, Matrix, Status};

/// Escapes text for HTML content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { color-scheme: light; --ok:#0b5d1e; --ok-bg:#e3f3e6; --bad:#8a1020; --bad-bg:#fde4e7;
  --warn:#5c4300; --warn-bg:#fff1c2; --absent:#4a4a4a; --absent-bg:#f2f2f2; --line:#9a9a9a; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; background: #fff; }
main { padding: 1rem; max-width: 110rem; margin: 0 auto; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
.meta { margin: 0 0 .75rem; color: #333; }
.verdict { display: inline-block; font-weight: 700; padding: .4rem .75rem; border: 2px solid; border-radius: .3rem; }
.scroll { overflow-x: auto; border: 1px solid var(--line); margin-top: .75rem; }
.scroll:focus { outline: 3px solid #1a4fd6; outline-offset: 2px; }
table { border-collapse: collapse; min-width: 100%; }
caption { text-align: left; padding: .5rem .75rem; font-size: .95rem; color: #222; }
th, td { border: 1px solid var(--line); padding: .45rem .6rem; vertical-align: top; text-align: left; }
thead th { background: #e9edf3; position: sticky; top: 0; }
thead th .src { display: block; font-weight: 400; font-size: .85rem; color: #333; word-break: break-all; }
tbody th { background: #f7f8fa; min-width: 12rem; font-weight: 600; }
.sec { font-weight: 400; color: #444; white-space: nowrap; }
td { min-width: 15rem; }
td ul { margin: .25rem 0 0; padding-left: 1.1rem; }
td p { margin: .2rem 0 0; }
.status { font-weight: 700; margin: 0; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; overflow-wrap: anywhere; }
.s-ok { background: var(--ok-bg); } .s-ok .status, .v-ok { color: var(--ok); }
.s-warning { background: var(--warn-bg); } .s-warning .status, .v-warning { color: var(--warn); }
.s-violation { background: var(--bad-bg); } .s-violation .status, .v-violation { color: var(--bad); }
.s-absent { background: var(--absent-bg); } .s-absent .status { color: var(--absent); font-weight: 400; }
.shared { font-weight: 700; color: var(--bad); border: 2px dashed var(--bad); padding: .1rem .3rem; display: inline-block; }
.findings li { margin: .3rem 0; }
.fix { color: #333; }
footer { margin-top: 2rem; font-size: .85rem; color: #444; }
@media (max-width: 48rem) {
  .scroll { overflow: visible; border: 0; }
  table, thead, tbody, tr, th, td, caption { display: block; min-width: 0; }
  caption { padding: 0 0 .75rem; }
  thead tr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  tbody tr { border: 1px solid var(--line); margin: 0 0 1rem; }
  tbody th { border: 0; border-bottom: 1px solid var(--line); }
  td { border: 0; border-top: 1px solid var(--line); }
  td::before { content: attr(data-env); display: block; font-weight: 700; text-transform: uppercase; font-size: .8rem; letter-spacing: .04em; }
}
@media print {
  @page { size: A4 landscape; margin: 1cm; }
  body { font-size: 8.5pt; }
  main { padding: 0; max-width: none; }
  .scroll { overflow: visible; border: 0; }
  thead { display: table-header-group; }
  thead th { position: static; }
  tr, td, th, li { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

fn status_class(status: Status) -> &'static str {
    match status {
        Status::Ok => "s-ok",
        Status::Warning => "s-warning",
        Status::Violation => "s-violation",
        Status::Absent => "s-absent",
    }
}

/// `✘ VIOLATION` with the symbol hidden from screen readers (the word says it).
fn status_html(matrix: &Matrix, status: Status) -> String {
    let text = status_text(matrix, status);
    let (symbol, word) = text.split_once(' ').unwrap_or(("", &text));
    format!(
        "<span aria-hidden=\"true\">{}</span> {}",
        escape(symbol),
        escape(word)
    )
}

fn cell_html(matrix: &Matrix, env: &str, cell: &Cell) -> String {
    let t = matrix.lang.text();
    let status = cell.status();
    let mut out = format!(
        "<td class=\"{}\" data-env=\"{}\" data-status=\"{}\">",
        status_class(status),
        escape(env),
        status.as_str()
    );
    let _ = write!(
        out,
        "<p class=\"status\">{}</p>",
        status_html(matrix, status)
    );
    if !cell.facts.is_empty() {
        out.push_str("<ul>");
        for fact in &cell.facts {
            let _ = write!(out, "<li>{}</li>", escape(fact));
        }
        out.push_str("</ul>");
    }
    if let Some(fp) = &cell.fingerprint {
        let _ = write!(
            out,
            "<p class=\"fp\" data-fingerprint=\"{}\">{}</p>",
            escape(&fp.value),
            escape(&(t.fingerprint)(&fp.value, fp.scope))
        );
    }
    if !cell.shared_with.is_empty() {
        let envs: Vec<&str> = cell.shared_with.iter().map(|e| e.as_str()).collect();
        let _ = write!(
            out,
            "<p><strong class=\"shared\" data-shared-with=\"{}\"><span aria-hidden=\"true\">⇄</span> {}</strong></p>",
            escape(&envs.join(" ")),
            escape(&(t.shared_with)(&envs.join(", ")))
        );
    }
    let rules = cell.rules();
    if !rules.is_empty() {
        let list: Vec<String> = rules
            .iter()
            .map(|r| format!("<code>{}</code>", escape(r)))
            .collect();
        let _ = write!(
            out,
            "<p class=\"rules\">{}</p>",
            (t.rules)(&list.join(", "))
        );
    }
    out.push_str("</td>");
    out
}

/// Writes the page.
pub fn write(out: &mut dyn Write, matrix: &Matrix) -> io::Result<()> {
    let t = matrix.lang.text();
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        matrix.lang.tag(),
        escape(t.title),
        escape(t.title)
    );
    let _ = writeln!(
        page,
        "<p class=\"meta\">{}; {}; {}</p>",
        escape(&(t.policy)(matrix.policy_file.as_deref())),
        escape((t.probed)(matrix.probed)),
        escape((t.resolved)(matrix.resolved))
    );
    let overall = if matrix.is_violated() {
        Status::Violation
    } else {
        Status::Ok
    };
    let verdict = (t.verdict)(
        matrix.count(Status::Violation),
        matrix.count(Status::Warning),
        matrix.rows.len() * matrix.columns.len(),
    );
    let symbol = status_text(matrix, overall);
    let _ = writeln!(
        page,
        "<p class=\"verdict v-{}\" role=\"status\"><span aria-hidden=\"true\">{}</span> {}</p>",
        overall.as_str(),
        escape(symbol.split(' ').next().unwrap_or_default()),
        escape(&verdict)
    );
    page.push_str("<div class=\"scroll\" role=\"region\" aria-labelledby=\"matrix-caption\" tabindex=\"0\">\n<table>\n");
    let _ = write!(
        page,
        "<caption id=\"matrix-caption\">{}</caption>\n<thead>\n<tr><th scope=\"col\">{}</th>",
        escape(t.caption),
        escape(t.resource)
    );
    for (i, c) in matrix.columns.iter().enumerate() {
        let _ = write!(
            page,
            "<th scope=\"col\" data-env=\"{env}\">{env}<span class=\"src\">{}</span><span class=\"src\">{}</span></th>",
            escape(&(t.source)(&c.source)),
            status_html(matrix, matrix.column_status(i)),
            env = escape(c.environment.as_str()),
        );
    }
    page.push_str("</tr>\n</thead>\n<tbody>\n");
    for row in &matrix.rows {
        let _ = write!(
            page,
            "<tr data-row=\"{}\"><th scope=\"row\">{} <span class=\"sec\">§{}</span></th>",
            escape(&row.id),
            escape(&row.label),
            escape(row.policy)
        );
        for (c, cell) in matrix.columns.iter().zip(&row.cells) {
            page.push_str(&cell_html(matrix, c.environment.as_str(), cell));
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody>\n</table>\n</div>\n");

    let _ = writeln!(
        page,
        "<section aria-labelledby=\"findings\">\n<h2 id=\"findings\">{}</h2>",
        escape(t.findings)
    );
    for (i, c) in matrix.columns.iter().enumerate() {
        let _ = writeln!(
            page,
            "<h3>{} — {}</h3>",
            escape(c.environment.as_str()),
            status_html(matrix, matrix.column_status(i))
        );
        let findings = findings_of(matrix, i);
        if findings.is_empty() {
            let _ = writeln!(page, "<p>{}</p>", escape(t.no_findings));
            continue;
        }
        page.push_str("<ul class=\"findings\">\n");
        for f in findings {
            let level = match f.severity {
                gardefou_findings::Severity::Error => "error",
                gardefou_findings::Severity::Warning => "warning",
            };
            let _ = writeln!(
                page,
                "<li><strong>{level}</strong> <code>{}</code> §{}: {}<br><span class=\"fix\">{} {}</span></li>",
                escape(f.rule),
                escape(f.policy.as_str()),
                escape(&f.message),
                escape(t.fix),
                escape(&f.fix)
            );
        }
        page.push_str("</ul>\n");
    }
    page.push_str("</section>\n");
    let _ = writeln!(
        page,
        "<section aria-labelledby=\"legend\">\n<h2 id=\"legend\">{}</h2>\n<ul>",
        escape(t.legend)
    );
    for line in t.legend_lines {
        let _ = writeln!(page, "<li>{}</li>", escape(line));
    }
    page.push_str("</ul>\n</section>\n");
    let _ = writeln!(
        page,
        "<footer>{}</footer>\n</main>\n</body>\n</html>",
        escape(t.generated)
    );
    out.write_all(page.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_special_character_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
