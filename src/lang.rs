//! The language of messages and reports: `--lang`, else the locale (`LC_ALL`, then
//! `LC_MESSAGES`, then `LANG`, the first one set and not empty), else English.

use gardefou_findings::Lang;

use crate::cli::LangChoice;

/// Chooses the language of this process, once, before anything is reported.
pub fn init(choice: Option<LangChoice>) {
    let lang = match choice {
        Some(LangChoice::En) => Lang::En,
        Some(LangChoice::Fr) => Lang::Fr,
        None => ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|var| {
                std::env::var(var)
                    .ok()
                    .and_then(|value| Lang::from_locale(&value))
            })
            .unwrap_or_default(),
    };
    lang.set();
}

/// The `--lang` of raw arguments (`--lang fr`, `--lang=fr`), before clap parses them: the
/// help must already speak the language. Anything after `--` is the child's.
pub fn from_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> Option<LangChoice> {
    let mut args = args.into_iter().skip(1);
    let choice = |v: &str| match v {
        "fr" => Some(LangChoice::Fr),
        "en" => Some(LangChoice::En),
        _ => None,
    };
    while let Some(arg) = args.next() {
        let arg = arg.to_string_lossy().into_owned();
        if arg == "--" {
            break;
        }
        if arg == "--lang" {
            return args.next().and_then(|v| choice(&v.to_string_lossy()));
        }
        if let Some(v) = arg.strip_prefix("--lang=") {
            return choice(v);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(args: &[&str]) -> Option<LangChoice> {
        from_args(args.iter().map(std::ffi::OsString::from))
    }

    #[test]
    fn lang_is_read_from_raw_arguments_before_parsing() {
        assert_eq!(
            lang(&["gardefou", "--lang", "fr", "check"]),
            Some(LangChoice::Fr)
        );
        assert_eq!(
            lang(&["gardefou", "check", "--lang=fr", "--help"]),
            Some(LangChoice::Fr)
        );
        assert_eq!(lang(&["gardefou", "--lang=en"]), Some(LangChoice::En));
        assert_eq!(lang(&["gardefou", "check"]), None);
        assert_eq!(
            lang(&["gardefou", "run", "--", "node", "--lang", "fr"]),
            None
        );
    }
}
