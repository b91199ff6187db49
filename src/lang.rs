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
