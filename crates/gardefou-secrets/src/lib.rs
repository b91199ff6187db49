//! The secrets registry: which secret belongs to which environment, as keyed fingerprints
//! that can be committed (§7.1: one secret = one environment).
//!
//! A fingerprint is `HMAC-SHA256(K_fp, value)` truncated to 64 bits (16 hex digits), where
//! `K_fp = HMAC-SHA256(K, "gardefou fingerprint v1")` and `K` is `GARDEFOU_SECRETS_KEY`, a
//! random key of at least 256 bits kept in the secret manager, never in the repository.
//! The registry file stores a *key check* (`HMAC-SHA256(K, "gardefou key check v1")`,
//! truncated to 64 bits) so that a wrong key is detected instead of silently matching
//! nothing. Only values of at least [`FINGERPRINT_MIN_BITS`] bits of estimated entropy are
//! fingerprinted. See `docs/secrets.md` for the threat model.
//!
//! This crate does no I/O: it reads and writes the registry's text.
#![warn(missing_docs)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use gardefou_policy::secrets::{entropy, SecretRegistry, FINGERPRINT_MIN_BITS};
use gardefou_policy::{Environment, FastHash};
use gardefou_redact::Secret;
use ring::hmac;
use serde::Deserialize;

/// The registry format's version.
pub const VERSION: i64 = 1;

/// The key, from `GARDEFOU_SECRETS_KEY`. `Debug` prints nothing of it.
pub struct Key {
    fingerprint: hmac::Key,
    check: String,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(****)")
    }
}

/// A key that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// Less than 256 bits of estimated entropy.
    #[error("GARDEFOU_SECRETS_KEY has about {bits} bits of estimated entropy; a registry key needs 256 (generate one with: openssl rand -base64 32)")]
    Weak {
        /// The estimate.
        bits: u32,
    },
    /// The system's random source failed ([`Key::ephemeral`]).
    #[error("cannot draw a random key from the system")]
    Random,
}

impl Key {
    /// Reads a key. It must carry at least 256 bits of estimated entropy.
    pub fn new(value: &Secret) -> Result<Key, KeyError> {
        let bits = entropy::estimate(value.expose()).bits;
        if bits < 256 {
            return Err(KeyError::Weak { bits });
        }
        let root = hmac::Key::new(hmac::HMAC_SHA256, value.expose().as_bytes());
        let derive = |label: &str| hmac::sign(&root, label.as_bytes());
        let fp = derive("gardefou fingerprint v1");
        Ok(Key {
            fingerprint: hmac::Key::new(hmac::HMAC_SHA256, fp.as_ref()),
            check: hex(&derive("gardefou key check v1").as_ref()[..8]),
        })
    }

    /// A key of 256 random bits drawn for one run and never stored: fingerprints made with it
    /// tell whether two values of that run are equal, and nobody can recompute them later
    /// (`gardefou report` without the registry's key, and for values too weak to fingerprint
    /// with it).
    pub fn ephemeral() -> Result<Key, KeyError> {
        let mut bytes = gardefou_edges::random::key().map_err(|_| KeyError::Random)?;
        let key = Key::new(&Secret::from(hex(&bytes)));
        bytes.fill(0);
        key
    }

    /// The short fingerprint of a value (the first 8 of [`Key::fingerprint`]'s 16 hex digits),
    /// as findings print it.
    pub fn short_fingerprint(&self, value: &str) -> String {
        self.fingerprint(value)[..8].to_owned()
    }

    /// The key check stored in the registry.
    pub fn check(&self) -> &str {
        &self.check
    }

    /// The 64-bit fingerprint of a value, as 16 lower-case hex digits.
    pub fn fingerprint(&self, value: &str) -> String {
        hex(&hmac::sign(&self.fingerprint, value.as_bytes()).as_ref()[..8])
    }
}

use gardefou_edges::hex::encode as hex;

/// A registry file that cannot be used: the same positioned error as a policy file's
/// (`FILE:LINE:COL: message`, never a value).
pub use gardefou_policy::ConfigError as RegistryError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegistry {
    version: toml::Spanned<i64>,
    key_check: toml::Spanned<String>,
    production: Option<BTreeMap<toml::Spanned<String>, Vec<toml::Spanned<String>>>>,
    sandbox: Option<BTreeMap<toml::Spanned<String>, Vec<toml::Spanned<String>>>>,
    local: Option<BTreeMap<toml::Spanned<String>, Vec<toml::Spanned<String>>>>,
}

/// The registry: per environment, per variable, the fingerprints ever registered (a
/// rotated secret stays registered: it belonged to its environment and must never serve
/// another).
#[derive(Clone, Debug)]
pub struct Registry {
    key_check: String,
    entries: BTreeMap<Environment, BTreeMap<String, Vec<String>>>,
    /// Every fingerprint's registrations, so that a lookup costs one hash, not a scan.
    index: HashMap<u64, Vec<(Environment, String)>, FastHash>,
}

impl PartialEq for Registry {
    /// The same key and the same entries (the index follows from them).
    fn eq(&self, other: &Registry) -> bool {
        self.key_check == other.key_check && self.entries == other.entries
    }
}

impl Eq for Registry {}

/// What [`Registry::register`] did with one value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Registered {
    /// A new fingerprint was recorded.
    Added(String),
    /// The fingerprint was already recorded under this environment and variable.
    Unchanged(String),
    /// Too little entropy to fingerprint safely: not recorded.
    TooWeak(u32),
    /// Registered under other environments: refused, nothing recorded.
    Elsewhere(String, Vec<(Environment, String)>),
}

impl Registry {
    /// An empty registry for this key.
    pub fn new(key: &Key) -> Registry {
        Registry {
            key_check: key.check.clone(),
            entries: BTreeMap::new(),
            index: HashMap::default(),
        }
    }

    /// Reads a registry file's text.
    pub fn from_toml(text: &str, source_name: &str) -> Result<Registry, RegistryError> {
        let err = |span: std::ops::Range<usize>, message: String| {
            let (line, column) = gardefou_policy::file::line_column(text, span.start);
            RegistryError {
                source_name: source_name.to_owned(),
                line,
                column,
                message,
            }
        };
        let raw: RawRegistry = toml::from_str(text).map_err(|e| {
            err(
                e.span().unwrap_or(0..0),
                gardefou_policy::file::toml_message(e.message()),
            )
        })?;
        if *raw.version.get_ref() != VERSION {
            return Err(err(
                raw.version.span(),
                format!("unsupported registry version (this gardefou reads version {VERSION})"),
            ));
        }
        if !is_fp(raw.key_check.get_ref()) {
            return Err(err(
                raw.key_check.span(),
                "key_check must be 16 lower-case hex digits".into(),
            ));
        }
        let mut entries = BTreeMap::new();
        for (env, table) in Environment::each(raw.production, raw.sandbox, raw.local) {
            let Some(table) = table else { continue };
            let mut vars = BTreeMap::new();
            for (name, fps) in table {
                if !is_var_name(name.get_ref()) {
                    return Err(err(name.span(), "not an environment variable name".into()));
                }
                let mut list = Vec::with_capacity(fps.len());
                let mut seen: HashSet<u64, FastHash> =
                    HashSet::with_capacity_and_hasher(fps.len(), FastHash);
                for fp in fps {
                    if !is_fp(fp.get_ref()) {
                        return Err(err(
                            fp.span(),
                            "a fingerprint is 16 lower-case hex digits".into(),
                        ));
                    }
                    if !seen.insert(fp_bits(fp.get_ref())) {
                        return Err(err(fp.span(), "fingerprint listed twice".into()));
                    }
                    list.push(fp.into_inner());
                }
                vars.insert(name.into_inner(), list);
            }
            entries.insert(env, vars);
        }
        let mut index: HashMap<u64, Vec<(Environment, String)>, FastHash> = HashMap::default();
        for (env, vars) in &entries {
            for (name, fps) in vars {
                for fp in fps {
                    index
                        .entry(fp_bits(fp))
                        .or_default()
                        .push((*env, name.clone()));
                }
            }
        }
        Ok(Registry {
            key_check: raw.key_check.into_inner(),
            entries,
            index,
        })
    }

    /// Whether `key` is the key this registry was made with.
    pub fn accepts(&self, key: &Key) -> bool {
        // Not secret-dependent timing worth guarding: the check is public in the file.
        self.key_check == key.check
    }

    /// Every `(environment, variable)` holding this fingerprint.
    pub fn lookup(&self, fingerprint: &str) -> Vec<(Environment, String)> {
        let mut out = self
            .index
            .get(&fp_bits(fingerprint))
            .cloned()
            .unwrap_or_default();
        out.sort();
        out
    }

    /// Records `value` as `env`'s `name`, unless it is too weak to fingerprint or already
    /// registered under another environment. The caller checks [`Registry::accepts`] first.
    /// `bits` is the value's estimated entropy, as the secrets policy measured it for its
    /// kind (a provider's key part by part).
    pub fn register(
        &mut self,
        key: &Key,
        env: Environment,
        name: &str,
        value: &Secret,
        bits: u32,
    ) -> Registered {
        if bits < FINGERPRINT_MIN_BITS {
            return Registered::TooWeak(bits);
        }
        let fp = key.fingerprint(value.expose());
        let elsewhere: Vec<_> = self
            .lookup(&fp)
            .into_iter()
            .filter(|(e, _)| *e != env)
            .collect();
        if !elsewhere.is_empty() {
            return Registered::Elsewhere(fp, elsewhere);
        }
        let list = self
            .entries
            .entry(env)
            .or_default()
            .entry(name.to_owned())
            .or_default();
        if list.contains(&fp) {
            Registered::Unchanged(fp)
        } else {
            list.push(fp.clone());
            self.index
                .entry(fp_bits(&fp))
                .or_default()
                .push((env, name.to_owned()));
            Registered::Added(fp)
        }
    }

    /// The registry file's text: deterministic, sorted, with a header that says what it is.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# gardefou secrets registry: which secret belongs to which environment (policy §7.1).\n\
             # Written by `gardefou secrets register`; commit it. Each value is a 64-bit\n\
             # HMAC-SHA256 fingerprint keyed with GARDEFOU_SECRETS_KEY (never stored here);\n\
             # see docs/secrets.md for what a reader of this file can and cannot learn.\n",
        );
        let _ = writeln!(out, "version = {VERSION}");
        let _ = writeln!(out, "key_check = \"{}\"", self.key_check);
        for (env, vars) in &self.entries {
            let _ = write!(out, "\n[{env}]\n");
            for (name, fps) in vars {
                let list: Vec<String> = fps.iter().map(|f| format!("\"{f}\"")).collect();
                let _ = writeln!(out, "{name} = [{}]", list.join(", "));
            }
        }
        out
    }
}

/// A registry with its key: what the checks consult.
pub struct Keyed<'a> {
    /// The registry.
    pub registry: &'a Registry,
    /// Its key.
    pub key: &'a Key,
}

impl SecretRegistry for Keyed<'_> {
    fn registrations(&self, value: &str) -> Vec<(Environment, String)> {
        self.registry.lookup(&self.key.fingerprint(value))
    }

    fn short_fingerprint(&self, value: &str) -> String {
        self.key.short_fingerprint(value)
    }
}

/// A fingerprint (16 hex digits, checked by [`is_fp`]) as the number it spells.
fn fp_bits(fp: &str) -> u64 {
    u64::from_str_radix(fp, 16).unwrap_or(u64::MAX)
}

fn is_fp(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_var_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(value: &Secret) -> u32 {
        entropy::estimate(value.expose()).bits
    }

    /// Registers `value` with its own estimate.
    fn add(
        reg: &mut Registry,
        k: &Key,
        env: Environment,
        name: &str,
        value: &Secret,
    ) -> Registered {
        reg.register(k, env, name, value, bits(value))
    }

    fn random(seed: u64, n: usize) -> String {
        gardefou_testkit::fake::alnum(seed, n)
    }

    fn key(seed: u64) -> Key {
        Key::new(&Secret::from(random(seed, 50))).unwrap()
    }

    #[test]
    fn weak_keys_are_refused() {
        for weak in ["secret", "a".repeat(100).as_str(), &random(1, 20)] {
            assert!(matches!(
                Key::new(&Secret::from(weak)),
                Err(KeyError::Weak { .. })
            ));
        }
    }

    #[test]
    fn fingerprints_are_keyed_truncated_and_stable() {
        let (k1, k2) = (key(1), key(2));
        let v = random(9, 40);
        assert_eq!(k1.fingerprint(&v), k1.fingerprint(&v));
        assert_eq!(k1.fingerprint(&v).len(), 16);
        assert_ne!(k1.fingerprint(&v), k2.fingerprint(&v));
        assert_ne!(k1.check(), k2.check());
        assert!(!k1.fingerprint(&v).contains(&v[..8]));
        assert_eq!(format!("{k1:?}"), "Key(****)");
    }

    #[test]
    fn ephemeral_keys_are_strong_and_each_run_draws_another() {
        let (a, b) = (Key::ephemeral().unwrap(), Key::ephemeral().unwrap());
        let v = random(9, 40);
        assert_eq!(a.short_fingerprint(&v), a.short_fingerprint(&v));
        assert_eq!(a.short_fingerprint(&v).len(), 8);
        assert_ne!(a.fingerprint(&v), b.fingerprint(&v));
        assert_ne!(a.check(), b.check());
    }

    #[test]
    fn register_round_trips_and_refuses_reuse() {
        let k = key(3);
        let mut reg = Registry::new(&k);
        let prod = Secret::from(random(10, 40));
        let sand = Secret::from(random(11, 40));
        assert!(matches!(
            add(&mut reg, &k, Environment::Production, "JWT_SECRET", &prod),
            Registered::Added(_)
        ));
        assert!(matches!(
            add(&mut reg, &k, Environment::Production, "JWT_SECRET", &prod),
            Registered::Unchanged(_)
        ));
        assert!(matches!(
            add(&mut reg, &k, Environment::Sandbox, "JWT_SECRET", &sand),
            Registered::Added(_)
        ));
        match add(&mut reg, &k, Environment::Sandbox, "SESSION_SECRET", &prod) {
            Registered::Elsewhere(_, owners) => {
                assert_eq!(owners, [(Environment::Production, "JWT_SECRET".to_owned())])
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            add(
                &mut reg,
                &k,
                Environment::Sandbox,
                "X",
                &Secret::from("short1")
            ),
            Registered::TooWeak(_)
        ));
        let text = reg.to_toml();
        assert!(!text.contains(prod.expose()) && !text.contains(sand.expose()));
        let back = Registry::from_toml(&text, "r.toml").unwrap();
        assert_eq!(back, reg);
        assert!(back.accepts(&k));
        assert!(!back.accepts(&key(4)));
        let keyed = Keyed {
            registry: &back,
            key: &k,
        };
        assert_eq!(
            keyed.registrations(prod.expose()),
            [(Environment::Production, "JWT_SECRET".to_owned())]
        );
        assert!(Keyed {
            registry: &back,
            key: &key(4)
        }
        .registrations(prod.expose())
        .is_empty());
    }

    #[test]
    fn malformed_registries_are_errors_with_positions() {
        let fp = "0123456789abcdef";
        for (text, needle) in [
            (format!("version = 2\nkey_check = \"{fp}\"\n"), "version"),
            ("version = 1\nkey_check = \"xyz\"\n".to_owned(), "key_check"),
            (
                format!("version = 1\nkey_check = \"{fp}\"\n[staging]\nA = []\n"),
                "unknown field",
            ),
            (
                format!(
                    "version = 1\nkey_check = \"{fp}\"\n[production]\nA = [\"{}\"]\n",
                    "G".repeat(16)
                ),
                "fingerprint",
            ),
            (
                format!(
                    "version = 1\nkey_check = \"{fp}\"\n[production]\nA = [\"{fp}\", \"{fp}\"]\n"
                ),
                "twice",
            ),
            (
                format!("version = 1\nkey_check = \"{fp}\"\n[production]\nlower = []\n"),
                "variable name",
            ),
            (format!("key_check = \"{fp}\"\n"), "version"),
        ] {
            let e = Registry::from_toml(&text, "r.toml").unwrap_err();
            assert!(e.to_string().contains(needle), "{text}: {e}");
        }
    }

    #[test]
    fn registry_error_does_not_echo_a_secret_written_in_the_wrong_place() {
        let fp = "0123456789abcdef";
        let planted = "Zq9".repeat(12);
        for text in [
            format!(
                "version = 1\nkey_check = \"{fp}\"\n[production]\nJWT_SECRET = \"{planted}\"\n"
            ),
            format!("version = \"{planted}\"\nkey_check = \"{fp}\"\n"),
        ] {
            let e = Registry::from_toml(&text, "r.toml")
                .unwrap_err()
                .to_string();
            assert!(!e.contains(&planted), "{e}");
            assert!(e.contains("a string"), "{e}");
        }
    }
}
