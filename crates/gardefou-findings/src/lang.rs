//! The language findings and reports speak: English or French, chosen once per process
//! (`gardefou --lang`, else the locale), English for libraries that never choose.
//!
//! Every text a user reads exists in both languages: rules carry both ([`Tr`]), findings
//! carry both ([`Text`]) and show the current language wherever they are displayed or
//! serialised. Rule ids, sections and JSON keys are the same in both.

use std::fmt;
use std::ops::Deref;
use std::sync::atomic::{AtomicU8, Ordering};

static CURRENT: AtomicU8 = AtomicU8::new(0);

/// A language gardefou speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// French.
    Fr,
}

impl Lang {
    /// The language of this process.
    pub fn current() -> Lang {
        match CURRENT.load(Ordering::Relaxed) {
            1 => Lang::Fr,
            _ => Lang::En,
        }
    }

    /// Makes `self` the language of this process (the binary does it once, at start).
    pub fn set(self) {
        CURRENT.store(
            match self {
                Lang::En => 0,
                Lang::Fr => 1,
            },
            Ordering::Relaxed,
        );
    }

    /// The language a POSIX locale value names (`fr_FR.UTF-8`, `fr`, `en_GB`, `C`…); `None`
    /// for an empty value, so that the next variable is consulted.
    pub fn from_locale(value: &str) -> Option<Lang> {
        let language = value
            .split(['_', '.', '@', ':'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match language.as_str() {
            "" => None,
            "fr" => Some(Lang::Fr),
            _ => Some(Lang::En),
        }
    }

    /// The ISO 639-1 code: `en`, `fr`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }
}

/// A text written by gardefou (a finding's message or fix), in both languages. Displays,
/// dereferences and serialises as the current language.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Text {
    en: String,
    fr: String,
}

impl Text {
    /// The same text in English and in French.
    pub fn new(en: impl Into<String>, fr: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            fr: fr.into(),
        }
    }

    /// The English text.
    pub fn en(&self) -> &str {
        &self.en
    }

    /// The French text.
    pub fn fr(&self) -> &str {
        &self.fr
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Fr => &self.fr,
        }
    }

    /// The text in the current language.
    pub fn as_str(&self) -> &str {
        self.get(Lang::current())
    }
}

impl From<Tr> for Text {
    fn from(t: Tr) -> Text {
        Text::new(t.en, t.fr)
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

/// A rule's fixed text (its summary, its usual fix), in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tr {
    /// English.
    pub en: &'static str,
    /// French.
    pub fr: &'static str,
}

impl Tr {
    /// The text in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Fr => self.fr,
        }
    }
}

impl Deref for Tr {
    type Target = str;
    fn deref(&self) -> &'static str {
        self.get(Lang::current())
    }
}

impl fmt::Display for Tr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get(Lang::current()))
    }
}

impl serde::Serialize for Tr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.get(Lang::current()))
    }
}

/// A [`Text`] from two format strings, English then French, with the same arguments:
/// `tr!("{name} is not set", "{name} n'est pas définie")`. Arguments after a `;` are
/// [`Text`]s themselves, each formatted in the language of its string:
/// `tr!("{name} is refused: {}", "{name} est refusée : {}"; why)`.
///
/// ```
/// use gardefou_findings::{tr, Text};
///
/// let name = "STRIPE_SECRET_KEY";
/// let why = tr!("it is empty", "elle est vide");
/// let text = tr!("{name} is refused: {}", "{name} est refusée : {}"; why);
/// assert_eq!(text.en(), "STRIPE_SECRET_KEY is refused: it is empty");
/// assert_eq!(text.fr(), "STRIPE_SECRET_KEY est refusée : elle est vide");
/// ```
#[macro_export]
macro_rules! tr {
    ($en:literal, $fr:literal $(,)?) => {
        $crate::Text::new(format!($en), format!($fr))
    };
    ($en:literal, $fr:literal; $($text:expr),+ $(,)?) => {
        $crate::Text::new(format!($en, $($text.en()),+), format!($fr, $($text.fr()),+))
    };
    ($en:literal, $fr:literal, $($args:tt)+) => {
        $crate::Text::new(format!($en, $($args)+), format!($fr, $($args)+))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_name_their_language() {
        assert_eq!(Lang::from_locale("fr_FR.UTF-8"), Some(Lang::Fr));
        assert_eq!(Lang::from_locale("fr"), Some(Lang::Fr));
        assert_eq!(Lang::from_locale("FR_ca"), Some(Lang::Fr));
        assert_eq!(Lang::from_locale("en_GB.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::from_locale("C"), Some(Lang::En));
        assert_eq!(Lang::from_locale(""), None);
    }

    #[test]
    fn tr_formats_both_languages_with_the_same_arguments() {
        let name = "JWT_SECRET";
        let t = crate::tr!("{name} is not set", "{name} n'est pas définie");
        assert_eq!(t.en(), "JWT_SECRET is not set");
        assert_eq!(t.fr(), "JWT_SECRET n'est pas définie");
        let n = 3;
        let t = crate::tr!("{} of {n}", "{} sur {n}", 2);
        assert_eq!((t.en(), t.fr()), ("2 of 3", "2 sur 3"));
    }
}
