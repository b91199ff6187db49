//! The public API: last-wins lookup, order, duplicates, lines, redaction.

use gardefou_dotenv::parse;

/// Parsing `src` gives each key its expected value (`None`: not defined).
fn assert_values(src: &str, expected: &[(&str, Option<&str>)]) {
    let env = parse(src);
    for (key, value) in expected {
        assert_eq!(env.get(key), *value, "{key} in {src:?}");
    }
}

#[test]
fn last_definition_wins_and_order_is_first_seen() {
    let env = parse("B=1\nA=2\nB=3\n");
    assert_eq!(env.get("B"), Some("3"));
    assert_eq!(env.iter().collect::<Vec<_>>(), [("B", "3"), ("A", "2")]);
    assert_eq!(env.len(), 2);
    assert_eq!(env.get("C"), None);
}

#[test]
fn duplicates_list_every_definition_line() {
    let env = parse("KOOMY_ENV=production\nNODE_ENV=development\nKOOMY_ENV=sandbox\n\nKOOMY_ENV=local\nNODE_ENV=production\nOTHER=x\n");
    let dups: Vec<(&str, &[usize])> = env
        .duplicates()
        .iter()
        .map(|d| (d.key(), d.lines()))
        .collect();
    assert_eq!(
        dups,
        [("KOOMY_ENV", &[1, 3, 5][..]), ("NODE_ENV", &[2, 6][..])]
    );
    assert_eq!(env.line_of("KOOMY_ENV"), Some(5));
    assert_eq!(env.line_of("OTHER"), Some(7));
    assert_eq!(env.line_of("MISSING"), None);
}

#[test]
fn no_duplicates_when_each_key_is_defined_once() {
    assert!(parse("A=1\nB=2").duplicates().is_empty());
}

#[test]
fn lines_count_crlf_and_lone_cr_once_and_follow_multiline_values() {
    let env = parse("A=1\r\nB=2\rC=\"x\r\ny\nz\"\n\n  D=4\nE\n=5");
    assert_eq!(env.line_of("A"), Some(1));
    assert_eq!(env.line_of("B"), Some(2));
    assert_eq!(env.line_of("C"), Some(3));
    assert_eq!(env.get("C"), Some("x\ny\nz"));
    assert_eq!(env.line_of("D"), Some(7));
    // dotenv lets white space, newlines included, sit between key and `=`:
    // the line is the key's.
    assert_eq!(env.line_of("E"), Some(8));
    assert_eq!(env.get("E"), Some("5"));
}

#[test]
fn the_line_is_the_keys_even_when_blank_lines_precede_it() {
    let env = parse("\n\n   \n\tKEY=v");
    assert_eq!(env.line_of("KEY"), Some(4));
}

#[test]
fn debug_never_shows_a_value() {
    let env = parse(
        "PLANTED=planted-value-one\nPLANTED=\"planted-value-two\"\nMULTI='planted\nvalue-three'\nEMPTY=\n",
    );
    let debug = format!("{env:?}");
    let pretty = format!("{env:#?}");
    for out in [&debug, &pretty] {
        assert!(!out.contains("planted"), "a value leaked into Debug: {out}");
        assert!(out.contains("PLANTED") && out.contains("MULTI") && out.contains("EMPTY"));
    }
    for dup in env.duplicates() {
        assert!(!format!("{dup:?}").contains("planted"));
    }
}

#[test]
fn no_dollar_expansion() {
    assert_values(
        "A=1\nB=$A\nC=\"${A}\"\n",
        &[("B", Some("$A")), ("C", Some("${A}"))],
    );
}

#[test]
fn proto_is_dropped_like_a_js_object_does() {
    let src = "__proto__=x\nconstructor=y\n";
    assert_values(src, &[("__proto__", None), ("constructor", Some("y"))]);
    assert_eq!(parse(src).len(), 1);
}

#[test]
fn empty_input_defines_nothing() {
    for src in ["", "\n\n", "# only a comment", "   \t  ", "\u{feff}"] {
        assert!(parse(src).is_empty(), "{src:?}");
    }
}

// Quirks of dotenv's regex, each confirmed against dotenv 18.0.10 (and in
// the golden fixtures). They are here so that a "cleanup" cannot remove them.

#[test]
fn quirk_colon_at_line_end_takes_the_next_line() {
    assert_eq!(parse("KEY:\nnext line\n").get("KEY"), Some("next line"));
}

#[test]
fn quirk_empty_value_then_quoted_line_takes_the_quoted_line() {
    assert_values("A=\n'x'\nB=\nC=1", &[("A", Some("x")), ("B", Some(""))]);
}

#[test]
fn quirk_escapes_other_than_n_and_r_stay_literal() {
    assert_eq!(parse(r#"A="a\"b""#).get("A"), Some(r#"a\"b"#));
    assert_eq!(parse(r#"A="a\\nb""#).get("A"), Some("a\\\nb"));
    assert_eq!(parse(r"A='a\nb'").get("A"), Some(r"a\nb"));
}

#[test]
fn quirk_unterminated_double_quote_still_expands_newlines() {
    assert_eq!(parse(r#"A="abc\ndef"#).get("A"), Some("\"abc\ndef"));
}

#[test]
fn quirk_quoted_then_text_keeps_quotes_unless_both_ends_match() {
    assert_eq!(parse("A='x' y").get("A"), Some("'x' y"));
    assert_eq!(parse("A='x' 'y'").get("A"), Some("x' 'y"));
}

#[test]
fn quirk_space_before_colon_is_not_a_definition() {
    assert!(parse("KEY : v").is_empty());
    assert_eq!(parse("KEY = v").get("KEY"), Some("v"));
}

#[test]
fn quirk_an_escaped_closing_quote_can_end_the_value() {
    // The engine backtracks to the escaped quote when the real closing quote
    // is not followed by a line end or a comment.
    assert_eq!(parse(r"A='a\' # c'x").get("A"), Some(r"a\"));
}

#[test]
fn quirk_unicode_line_separators_end_comments_and_quotes() {
    assert_values(
        "A=x #c\u{2028}B=y\nC=x\u{2028}'y'",
        &[
            ("A", Some("x")),
            ("B", Some("y")),
            ("C", Some("x\u{2028}y")),
        ],
    );
}

/// Shapes that would make a naive regex walk quadratic. A `.env` file comes
/// from a repository gardefou checks, so it must not be able to stall it.
#[test]
fn pathological_inputs_parse_in_linear_time() {
    let n = 100_000;
    let inputs = [
        "A='\n".repeat(n),
        "A=\"x\\\"\n".repeat(n),
        format!("A='{}", "\\'".repeat(n)),
        format!("A=x{}", "\u{2028}'y'".repeat(n)),
        format!("A=\"{}", "\\n".repeat(n)),
        "\n".repeat(n),
        " ".repeat(n),
        "KEY\n".repeat(n),
        "export ".repeat(n),
        format!("A={}B", " ".repeat(n)),
    ];
    let start = std::time::Instant::now();
    for src in &inputs {
        let _ = parse(src);
    }
    // Generous even for a debug build on a loaded machine; quadratic takes hours.
    assert!(
        start.elapsed() < std::time::Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
}
