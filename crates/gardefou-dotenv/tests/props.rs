//! Property tests: no input panics; simple files round-trip.

use gardefou_dotenv::parse;
use proptest::prelude::*;

/// Characters that steer dotenv's regex, mixed with ordinary ones.
fn nasty_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "A",
        "KEY",
        "k.e-y",
        "export ",
        "export",
        "=",
        ":",
        ": ",
        " ",
        "\t",
        "\n",
        "\r",
        "\r\n",
        "#",
        "'",
        "\"",
        "`",
        "\\",
        "\\n",
        "\\r",
        "x",
        "\u{a0}",
        "\u{feff}",
        "\u{2028}",
        "é",
        "__proto__",
    ]);
    prop::collection::vec(pieces, 0..64).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_strings_never_panic(src in any::<String>()) {
        let env = parse(&src);
        let _ = format!("{env:?}");
        for (k, _) in env.iter() {
            prop_assert!(env.get(k).is_some());
            prop_assert!(env.line_of(k).is_some());
        }
    }

    #[test]
    fn nasty_inputs_never_panic_and_stay_consistent(src in nasty_text()) {
        let env = parse(&src);
        let lines = src.replace("\r\n", "\n").replace('\r', "\n").matches('\n').count() + 1;
        for (k, v) in env.iter() {
            prop_assert_eq!(env.get(k), Some(v));
            let line = env.line_of(k).unwrap();
            prop_assert!((1..=lines).contains(&line));
        }
        for dup in env.duplicates() {
            prop_assert!(dup.lines().len() >= 2);
            // Non-decreasing, not strictly increasing: dotenv's multi-line
            // regex also ends a line at U+2028/U+2029, so two definitions
            // can share one `\n`-counted line (`A=#\u{2028}A=`).
            prop_assert!(dup.lines().windows(2).all(|w| w[0] <= w[1]));
            prop_assert_eq!(env.line_of(dup.key()), dup.lines().last().copied());
        }
    }

    /// `KEY=value` lines whose value is written the way a person would
    /// quote it come back unchanged, line numbers included.
    #[test]
    fn simple_files_round_trip(
        defs in prop::collection::btree_map("[A-Za-z_][A-Za-z0-9_.-]{0,12}", (value(), 0..4usize), 1..8)
    ) {
        let defs: Vec<(String, String, usize)> = defs
            .into_iter()
            .map(|(k, (v, q))| (k, v, q))
            .collect();
        let mut src = String::new();
        for (key, value, quoting) in &defs {
            let written = match quoting {
                0 => value.clone(),
                1 => format!("'{value}'"),
                2 => format!("\"{value}\""),
                _ => format!("`{value}`"),
            };
            src.push_str(&format!("{key}={written}\n"));
        }
        let env = parse(&src);
        prop_assert_eq!(env.len(), defs.len());
        for (i, (key, value, _)) in defs.iter().enumerate() {
            prop_assert_eq!(env.get(key), Some(value.as_str()));
            prop_assert_eq!(env.line_of(key), Some(i + 1));
        }
    }
}

/// Values that survive every quoting style: no quotes, `#`, backslashes or
/// line breaks, and no white space at either end (unquoted values are trimmed).
fn value() -> impl Strategy<Value = String> {
    "([A-Za-z0-9_./:@=+,;%?&-]([A-Za-z0-9 _./:@=+,;%?&-]{0,20}[A-Za-z0-9_./:@=+,;%?&-])?)?"
}

/// Found by the property above: U+2028 ends a dotenv line but not a
/// counted one, so both definitions are reported on line 1, in order.
#[test]
fn regression_line_separator_puts_two_definitions_on_one_counted_line() {
    let env = parse("A=#\u{2028}A=");
    let dup = env.duplicates();
    assert_eq!(dup.len(), 1);
    assert_eq!(dup[0].lines(), &[1, 1][..]);
    assert_eq!(env.line_of("A"), Some(1));
}
