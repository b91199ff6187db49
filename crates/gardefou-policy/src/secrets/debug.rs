//! DEBUG / INTERNAL switches (§7.2: forbidden in production).

/// Whether a variable name is a DEBUG or INTERNAL switch: one of its `_`-separated words
/// is `DEBUG` or `INTERNAL`, in any case. That covers `DEBUG`, `DEBUG_*`, `*_DEBUG`,
/// `*_DEBUG_*` (and the same for `INTERNAL`), `DEBUG_SECRET` and `NODE_DEBUG` included.
pub fn is_debug_name(name: &str) -> bool {
    name.split('_')
        .any(|w| w.eq_ignore_ascii_case("DEBUG") || w.eq_ignore_ascii_case("INTERNAL"))
}

/// The Node options in `NODE_OPTIONS` that open the inspector (debugger), normalised
/// (`--inspect-brk`, …), in order. Node splits `NODE_OPTIONS` at white space, honours
/// double quotes, accepts `_` for `-` in option names and `--opt=value`; this reads it
/// the same way and flags every option whose name starts with `--inspect` or `--debug`
/// (`--inspect`, `--inspect-brk`, `--inspect-wait`, `--inspect-port`, the alias
/// `--debug-port` and the old `--debug`, `--debug-brk`), in any case, with or without
/// a value.
pub fn inspector_options(node_options: &str) -> Vec<String> {
    let mut found = Vec::new();
    for token in split_node_options(node_options) {
        let name = token.split('=').next().unwrap_or_default();
        if !name.starts_with("--") {
            continue;
        }
        let normalised = name.replace('_', "-").to_ascii_lowercase();
        if normalised.starts_with("--inspect") || normalised.starts_with("--debug") {
            found.push(normalised);
        }
    }
    found
}

/// Splits like Node: white space separates, `"…"` groups, `\` escapes inside quotes.
fn split_node_options(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut chars = s.chars();
    let mut started = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                in_quotes = !in_quotes;
                started = true;
            }
            '\\' if in_quotes => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() && !in_quotes => {
                if started {
                    out.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            c => {
                cur.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_internal_names() {
        for n in [
            "DEBUG",
            "debug",
            "DEBUG_SECRET",
            "DEBUG_MODE",
            "APP_DEBUG",
            "NODE_DEBUG",
            "APP_DEBUG_SQL",
            "INTERNAL_API_TOKEN",
            "INTERNAL",
            "KOOMY_INTERNAL",
            "Debug_Endpoints",
        ] {
            assert!(is_debug_name(n), "{n}");
        }
        for n in [
            "DEBUGGER_HOST",
            "DEBUGGING",
            "NODE_ENV",
            "INTERNALS",
            "XDEBUG",
            "DEBUGX_Y",
            "INTERNATIONAL",
            "JWT_SECRET",
        ] {
            assert!(!is_debug_name(n), "{n}");
        }
    }

    #[test]
    fn every_spelling_node_accepts_opens_the_inspector() {
        for (v, expected) in [
            ("--inspect", vec!["--inspect"]),
            ("--inspect=0.0.0.0:9229", vec!["--inspect"]),
            (
                "--max-old-space-size=4096 --inspect-brk",
                vec!["--inspect-brk"],
            ),
            ("--inspect_brk=9230", vec!["--inspect-brk"]),
            ("--inspect-wait", vec!["--inspect-wait"]),
            ("--inspect-port=9229", vec!["--inspect-port"]),
            ("--debug-port=9229", vec!["--debug-port"]),
            ("--debug", vec!["--debug"]),
            ("--debug-brk", vec!["--debug-brk"]),
            ("\"--inspect\"", vec!["--inspect"]),
            ("--require ./a.js\t--inspect", vec!["--inspect"]),
            ("--INSPECT", vec!["--inspect"]),
            (
                "--inspect --inspect-brk",
                vec!["--inspect", "--inspect-brk"],
            ),
        ] {
            assert_eq!(inspector_options(v), expected, "{v:?}");
        }
        for v in [
            "",
            "--max-old-space-size=4096",
            "--enable-source-maps",
            "--title=inspect",
            "--require ./inspect.js",
            "\"--title=--inspect\"",
        ] {
            assert!(inspector_options(v).is_empty(), "{v:?}");
        }
    }
}
