//! What a changed policy allows that an earlier one did not (§11: the CTO approves the
//! policy, so they must see what they sign).
//!
//! [`changes`] compares two policies as models — not as text, so that a reordered or
//! reformatted file shows no change and a one-line move shows exactly one — and says each
//! change in a sentence, marking those that **widen** what is allowed. When in doubt a
//! change is a widening: a change that only narrows is one that can only refuse more.
//!
//! ```
//! use gardefou_policy::{diff, Policy};
//!
//! let old = Policy::from_toml("[database.production]\nneon_endpoints = [\"ep-alpha-1\"]\n", "old").unwrap();
//! let new = Policy::from_toml("[database.sandbox]\nneon_endpoints = [\"ep-alpha-1\"]\n", "new").unwrap();
//! let changes = diff::changes(&old, &new);
//! assert_eq!(changes.len(), 1);
//! assert!(changes[0].widens);
//! assert_eq!(
//!     changes[0].sentence,
//!     "the Neon endpoint ep-alpha-1 moved from production to sandbox: sandbox may now connect to it"
//! );
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{DatabaseTargets, SharedAddresses};
use crate::{Environment, Policy};

/// One difference between two policies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Whether the new policy allows something the old one refused.
    pub widens: bool,
    /// The policy key concerned, as the file writes it (`database.sandbox.neon_endpoints`).
    pub key: String,
    /// The change in words.
    pub sentence: String,
}

/// Every difference between `old` and `new` in what they allow, widenings and narrowings,
/// grouped by section. Where each policy came from ([`Policy::origin`]) is not compared.
pub fn changes(old: &Policy, new: &Policy) -> Vec<Change> {
    let mut out = Changes::default();
    database(&mut out, old, new);
    domains(&mut out, old, new);
    release(&mut out, old, new);
    secrets(&mut out, old, new);
    seed(&mut out, old, new);
    scan(&mut out, old, new);
    signature(&mut out, old, new);
    out.0
}

#[derive(Default)]
struct Changes(Vec<Change>);

impl Changes {
    fn widen(&mut self, key: impl Into<String>, sentence: impl Into<String>) {
        self.push(true, key, sentence);
    }

    fn narrow(&mut self, key: impl Into<String>, sentence: impl Into<String>) {
        self.push(false, key, sentence);
    }

    /// What a list gained and lost: an item only in `new` widens, an item only in `old`
    /// narrows; `sentence` says either, given `now` or `no longer`.
    fn gained_and_lost<T: PartialEq>(
        &mut self,
        key: &str,
        (old, new): (&[T], &[T]),
        sentence: impl Fn(&T, &str) -> String,
    ) {
        for item in new.iter().filter(|i| !old.contains(i)) {
            self.widen(key, sentence(item, "now"));
        }
        for item in old.iter().filter(|i| !new.contains(i)) {
            self.narrow(key, sentence(item, "no longer"));
        }
    }

    fn push(&mut self, widens: bool, key: impl Into<String>, sentence: impl Into<String>) {
        self.0.push(Change {
            widens,
            key: key.into(),
            sentence: sentence.into(),
        });
    }
}

/// One kind of listing under `[database.<environment>]`.
struct Listing {
    key: &'static str,
    noun: &'static str,
    items: fn(&DatabaseTargets) -> Vec<(String, bool)>,
    /// A pin restricts an environment to its listed servers and refuses them elsewhere.
    pin: bool,
}

const LISTINGS: [Listing; 4] = [
    Listing {
        key: "neon_endpoints",
        noun: "the Neon endpoint",
        items: |t| {
            t.neon_endpoints
                .iter()
                .map(|e| (e.clone(), false))
                .collect()
        },
        pin: false,
    },
    Listing {
        key: "hosts",
        noun: "the server",
        items: |t| {
            t.hosts
                .iter()
                .map(|h| (h.to_string(), h.host.is_loopback()))
                .collect()
        },
        pin: false,
    },
    Listing {
        key: "system_identifiers",
        noun: "the system identifier",
        items: |t| {
            t.system_identifiers
                .iter()
                .map(|s| (s.clone(), false))
                .collect()
        },
        pin: true,
    },
    Listing {
        key: "neon_branches",
        noun: "the Neon branch",
        items: |t| t.neon_branches.iter().map(|b| (b.clone(), false)).collect(),
        pin: true,
    },
];

fn database(out: &mut Changes, old: &Policy, new: &Policy) {
    for listing in &LISTINGS {
        let owners = |p: &Policy| -> BTreeMap<String, (Environment, bool)> {
            Environment::ALL
                .into_iter()
                .flat_map(|env| {
                    (listing.items)(p.database.targets(env))
                        .into_iter()
                        .map(move |(item, local_default)| (item, (env, local_default)))
                })
                .collect()
        };
        let (before, after) = (owners(old), owners(new));
        let noun = listing.noun;
        for (item, (env, _)) in &after {
            let key = format!("database.{env}.{}", listing.key);
            match before.get(item) {
                Some((was, _)) if was == env => {}
                Some((was, _)) => out.widen(
                    key,
                    format!("{noun} {item} moved from {was} to {env}: {env} may now connect to it"),
                ),
                None if listing.pin => {
                    let had_pins = !(listing.items)(old.database.targets(*env)).is_empty();
                    if had_pins {
                        out.widen(key, format!("{env} now also accepts {noun} {item}"));
                    } else {
                        out.narrow(
                            key,
                            format!("{env} now accepts only {noun} {item} (its first pin)"),
                        );
                    }
                }
                None => out.widen(
                    key,
                    format!("{env} may now connect to {noun} {item}, which no environment listed"),
                ),
            }
        }
        for (item, (env, local_default)) in &before {
            if after.contains_key(item) {
                continue;
            }
            let key = format!("database.{env}.{}", listing.key);
            if listing.pin {
                out.widen(key, format!(
                    "{noun} {item} is no longer pinned to {env}: other environments no longer refuse it, and {env} accepts servers it did not"
                ));
            } else if *local_default && *env != Environment::Local {
                out.widen(key, format!(
                    "{noun} {item} is no longer listed by {env}: as a loopback address it is now local's by default"
                ));
            } else {
                out.narrow(
                    key,
                    format!("{noun} {item} is no longer listed by {env}: it is refused everywhere"),
                );
            }
        }
    }
    for env in Environment::ALL {
        let (was, is) = (
            old.database.targets(env).allow_unstamped,
            new.database.targets(env).allow_unstamped,
        );
        let key = format!("database.{env}.allow_unstamped");
        match (was, is) {
            (false, true) => out.widen(
                key,
                format!("a {env} database without gardefou's stamp may now run"),
            ),
            (true, false) => out.narrow(
                key,
                format!("a {env} database must now carry gardefou's stamp"),
            ),
            _ => {}
        }
    }
    let (was, is) = (
        old.database.connect_timeout_ms,
        new.database.connect_timeout_ms,
    );
    if was != is {
        out.narrow(
            "database.connect_timeout_ms",
            format!("the live probe now waits {is} ms (was {was} ms)"),
        );
    }
    let names =
        |p: &Policy| -> BTreeSet<&str> { p.database.clients.iter().map(|c| c.as_str()).collect() };
    let (before, after) = (names(old), names(new));
    for client in before.difference(&after) {
        out.widen(
            "database.clients",
            format!(
            "URLs that {client} would read differently from the other clients are no longer refused"
        ),
        );
    }
    for client in after.difference(&before) {
        out.narrow(
            "database.clients",
            format!("URLs that {client} would read differently are now refused"),
        );
    }
}

fn domains(out: &mut Changes, old: &Policy, new: &Policy) {
    for env in Environment::ALL {
        let (before, after) = (old.domains.names(env), new.domains.names(env));
        let key = |role: &str| format!("domains.{env}.{role}");
        for (role, name) in after {
            match before.get(role) {
                Some(was) if was == name => {}
                Some(was) => out.widen(
                    key(role),
                    format!(
                    "{env}'s {role} name is now {name} (was {was}): {env}'s URLs may point to it"
                ),
                ),
                None => out.widen(
                    key(role),
                    format!("{env} has a new {role} name, {name}: {env}'s URLs may point to it"),
                ),
            }
        }
        for (role, name) in before {
            if !after.contains_key(role) {
                out.narrow(
                    key(role),
                    format!("{env} no longer has a {role} name ({name})"),
                );
            }
        }
    }
    match (old.domains.shared_addresses, new.domains.shared_addresses) {
        (SharedAddresses::Error, SharedAddresses::Warning) => out.widen(
            "domains.shared_addresses",
            "an address shared by a sandbox name and a production name is now only a warning",
        ),
        (SharedAddresses::Warning, SharedAddresses::Error) => out.narrow(
            "domains.shared_addresses",
            "an address shared by a sandbox name and a production name is now refused",
        ),
        _ => {}
    }
}

fn release(out: &mut Changes, old: &Policy, new: &Policy) {
    for (key, env, was, is) in [
        (
            "release.production_branch",
            Environment::Production,
            &old.release.production_branch,
            &new.release.production_branch,
        ),
        (
            "release.sandbox_branch",
            Environment::Sandbox,
            &old.release.sandbox_branch,
            &new.release.sandbox_branch,
        ),
    ] {
        if was != is {
            out.widen(
                key,
                format!("{env} now deploys from the branch {is} (was {was})"),
            );
        }
    }
}

fn secrets(out: &mut Changes, old: &Policy, new: &Policy) {
    let (before, after) = (&old.secrets.vars, &new.secrets.vars);
    for (name, kind) in after {
        let key = format!("secrets.vars.{name}");
        match before.get(name) {
            Some(was) if was == kind => {}
            Some(was) => out.widen(
                key,
                format!(
                    "{name} is now checked as {} (was {})",
                    kind.as_str(),
                    was.as_str()
                ),
            ),
            None => out.narrow(key, format!("{name} is now checked as {}", kind.as_str())),
        }
    }
    for name in before.keys().filter(|n| !after.contains_key(*n)) {
        out.widen(
            format!("secrets.vars.{name}"),
            format!("{name} is no longer checked"),
        );
    }
    let required = |p: &Policy, env: Option<Environment>| -> BTreeSet<String> {
        match env {
            None => p.secrets.required.iter().cloned().collect(),
            Some(e) => p
                .secrets
                .per_environment
                .get(&e)
                .map(|s| s.required.iter().cloned().collect())
                .unwrap_or_default(),
        }
    };
    for env in [
        None,
        Some(Environment::Production),
        Some(Environment::Sandbox),
        Some(Environment::Local),
    ] {
        let (key, place) = match env {
            None => ("secrets.required".to_owned(), String::new()),
            Some(e) => (format!("secrets.{e}.required"), format!(" in {e}")),
        };
        let (before, after) = (required(old, env), required(new, env));
        for name in before.difference(&after) {
            out.widen(key.clone(), format!("{name} is no longer required{place}"));
        }
        for name in after.difference(&before) {
            out.narrow(key.clone(), format!("{name} is now required{place}"));
        }
    }
    // Sorted and once each.
    let debug = |p: &Policy| -> Vec<String> {
        let set: BTreeSet<String> = p
            .secrets
            .per_environment
            .get(&Environment::Production)
            .map(|s| s.allowed_debug.iter().cloned().collect())
            .unwrap_or_default();
        set.into_iter().collect()
    };
    out.gained_and_lost(
        "secrets.production.allowed_debug",
        (&debug(old), &debug(new)),
        |name, now| format!("the debug variable {name} is {now} allowed in production"),
    );
}

fn seed(out: &mut Changes, old: &Policy, new: &Policy) {
    out.gained_and_lost(
        "seed.environments",
        (&old.seed.environments, &new.seed.environments),
        |env, now| format!("seed scripts may {now} run in {env}"),
    );
}

fn scan(out: &mut Changes, old: &Policy, new: &Policy) {
    out.gained_and_lost(
        "scan.allow_paths",
        (&old.scan.allow_paths, &new.scan.allow_paths),
        |path, now| format!("the scanner {now} accepts secrets found in {path}"),
    );
    let (was, is) = (old.scan.max_file_size, new.scan.max_file_size);
    if is < was {
        out.widen(
            "scan.max_file_size",
            format!("the scanner now skips files larger than {is} bytes (was {was})"),
        );
    } else if is > was {
        out.narrow(
            "scan.max_file_size",
            format!("the scanner now reads files up to {is} bytes (was {was})"),
        );
    }
}

fn signature(out: &mut Changes, old: &Policy, new: &Policy) {
    for env in Environment::ALL {
        match (
            old.signature.required_in(env),
            new.signature.required_in(env),
        ) {
            (true, false) => out.widen(
                "policy.require_signature",
                format!(
                "{env} no longer requires a signed policy (an unsigned one is only a warning there)"
            ),
            ),
            (false, true) => out.narrow(
                "policy.require_signature",
                format!("{env} now requires a signed policy"),
            ),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> Policy {
        Policy::from_toml(text, "test.toml").unwrap()
    }

    fn sentences(old: &str, new: &str) -> Vec<(bool, String)> {
        changes(&policy(old), &policy(new))
            .into_iter()
            .map(|c| (c.widens, c.sentence))
            .collect()
    }

    const BASE: &str = r#"
[database.production]
neon_endpoints = ["ep-alpha-1"]
system_identifiers = ["7000000000000000001"]
[database.sandbox]
neon_endpoints = ["ep-beta-1"]
hosts = ["localhost:6543"]
"#;

    #[test]
    fn the_same_policy_reordered_or_reformatted_has_no_change() {
        let reordered = r#"
[database.sandbox]
hosts = [ "localhost:6543" ]
neon_endpoints = ["ep-beta-1"]

[database.production]   # the CTO's
system_identifiers = ["7000000000000000001"]
neon_endpoints = ["ep-alpha-1"]
"#;
        assert_eq!(sentences(BASE, reordered), []);
    }

    #[test]
    fn production_moved_to_sandbox_is_one_widening_in_words() {
        let moved = BASE
            .replace("neon_endpoints = [\"ep-alpha-1\"]", "neon_endpoints = []")
            .replace("[\"ep-beta-1\"]", "[\"ep-beta-1\", \"ep-alpha-1\"]");
        assert_eq!(
            sentences(BASE, &moved),
            [(true, "the Neon endpoint ep-alpha-1 moved from production to sandbox: sandbox may now connect to it".to_owned())]
        );
    }

    #[test]
    fn each_kind_of_change_is_weighed() {
        let cases: &[(&str, &str, bool, &str)] = &[
            ("", "[database.sandbox]\nhosts = [\"db.example.com\"]", true, "sandbox may now connect to the server db.example.com, which no environment listed"),
            ("[database.sandbox]\nhosts = [\"db.example.com\"]", "", false, "the server db.example.com is no longer listed by sandbox: it is refused everywhere"),
            ("[database.sandbox]\nhosts = [\"localhost:6543\"]", "", true, "the server localhost:6543 is no longer listed by sandbox: as a loopback address it is now local's by default"),
            ("[database.production]\nsystem_identifiers = [\"1\"]", "", true, "the system identifier 1 is no longer pinned to production: other environments no longer refuse it, and production accepts servers it did not"),
            ("", "[database.local]\nallow_unstamped = true", true, "a local database without gardefou's stamp may now run"),
            ("", "[database]\nclients = [\"libpq\", \"pg\", \"tokio-postgres\", \"postgres.js\", \"@neondatabase/serverless\"]", true, "URLs that prisma would read differently from the other clients are no longer refused"),
            ("", "[domains.sandbox]\napp = \"sandbox.koomy.app\"\napi = \"api.koomy.app\"", true, "sandbox's api name is now api.koomy.app (was api-sandbox.koomy.app): sandbox's URLs may point to it"),
            ("", "[release]\nproduction_branch = \"hotfix\"", true, "production now deploys from the branch hotfix (was main)"),
            ("[secrets]\nrequired = [\"JWT_SECRET\"]", "", true, "JWT_SECRET is no longer required"),
            ("", "[secrets.production]\nallowed_debug = [\"REPLIT_DEBUG_PROXY\"]", true, "the debug variable REPLIT_DEBUG_PROXY is now allowed in production"),
            ("[secrets.vars.PARTNER_TOKEN]\nkind = \"random\"", "[secrets.vars.PARTNER_TOKEN]\nkind = \"opaque\"", true, "PARTNER_TOKEN is now checked as opaque (was random)"),
            ("", "[seed]\nenvironments = [\"sandbox\", \"local\"]", true, "seed scripts may now run in local"),
            ("", "[scan]\nallow_paths = [\"fixtures/**\"]", true, "the scanner now accepts secrets found in fixtures/**"),
            ("[policy]\nrequire_signature = [\"sandbox\"]", "", true, "sandbox no longer requires a signed policy (an unsigned one is only a warning there)"),
            ("", "[policy]\nrequire_signature = [\"sandbox\"]", false, "sandbox now requires a signed policy"),
        ];
        for (old, new, widens, sentence) in cases {
            let found = sentences(old, new);
            assert!(
                found.contains(&(*widens, (*sentence).to_owned())),
                "{old:?} -> {new:?}: {found:#?}"
            );
        }
    }

    #[test]
    fn the_origin_is_not_a_change() {
        assert!(changes(&Policy::koomy(), &policy("")).is_empty());
    }
}
