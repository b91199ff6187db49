//! From the checks' results to the matrix: rows, cells, and where each finding goes.

use std::collections::{BTreeMap, BTreeSet};

use gardefou_domains::{Outcome, Resolution};
use gardefou_findings::Finding;
use gardefou_pgprobe::{Probe, StampState};
use gardefou_policy::isolation::{self, Column as IsolationColumn, Holder};
use gardefou_policy::secrets::formats::{self, StripeType};
use gardefou_policy::secrets::{self, debug, entropy, urls, Kind, SecretValue};
use gardefou_policy::{debug_routes, EnvVars, Environment, Evaluation, Lookup, NodeEnv, Policy};

use crate::text::Text;
use crate::{Cell, Column, Fingerprint, Lang, Matrix, Row};

/// What the caller found of the secrets registry (the same states `check` reports on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistryState {
    /// No registry file.
    Missing,
    /// A registry, no `GARDEFOU_SECRETS_KEY`.
    KeyMissing,
    /// A registry, and a key that is not its own or unusable.
    KeyRejected,
    /// A registry and its key.
    Ready,
}

/// What the live database of one environment said (`--probe`).
#[derive(Clone, Debug)]
pub enum Live {
    /// Not asked: no `DATABASE_URL` that passes the grammar, on a server the policy lists.
    NotAsked,
    /// Asked: what the server said (`None` when it could not be asked) and the findings of
    /// the live proof about it.
    Asked {
        /// The probe.
        probe: Option<Box<Probe>>,
        /// Its findings (`gardefou_pgprobe::verify::verify`).
        findings: Vec<Finding>,
    },
}

/// One environment's results.
pub struct ColumnInput<'a> {
    /// The environment the variables are given for.
    pub environment: Environment,
    /// Where they come from, for people.
    pub source: String,
    /// The variables.
    pub vars: &'a EnvVars,
    /// Their evaluation, exactly as `gardefou check` makes it.
    pub evaluation: &'a Evaluation,
    /// The live database, with `--probe`.
    pub live: Option<Live>,
}

/// Everything the matrix is made from.
pub struct Input<'a> {
    /// The language of the report.
    pub lang: Lang,
    /// The policy.
    pub policy: &'a Policy,
    /// Its file, as the verdict names it (`None`: built in).
    pub policy_file: Option<String>,
    /// The registry's state and where it is.
    pub registry: (RegistryState, String),
    /// The environments, in any order (the matrix sorts them).
    pub columns: Vec<ColumnInput<'a>>,
    /// Fingerprints a value (never returns it).
    pub fingerprint: &'a dyn Fn(&str) -> Fingerprint,
    /// The domain table's findings (static, and with `--resolve` the DNS ones).
    pub domain_findings: &'a [Finding],
    /// The names' DNS chains, with `--resolve`.
    pub resolutions: Option<&'a BTreeMap<String, Resolution>>,
}

/// Findings that concern a whole row whatever they name, by rule id.
fn fixed_row(rule: &str) -> Option<&'static str> {
    use gardefou_policy::rules as g;
    use gardefou_policy::secrets::rules as s;
    let environment = [
        g::KOOMY_ENV_MISSING.id,
        g::KOOMY_ENV_INVALID.id,
        g::NODE_ENV_MISSING.id,
        g::NODE_ENV_INVALID.id,
        g::NODE_ENV_NOT_PRODUCTION.id,
        g::ENVIRONMENT_DUPLICATE_VARIABLE.id,
        g::ENV_FILE_UNMODELLED.id,
        isolation::ENVIRONMENT_FILE_MISMATCH.id,
    ];
    let registry = [
        s::SECRET_REGISTRY_MISSING.id,
        s::SECRET_REGISTRY_KEY_MISSING.id,
        s::SECRET_REGISTRY_KEY_MISMATCH.id,
    ];
    let database = [
        g::DATABASE_URL_MISSING.id,
        g::POLICY_DATABASE_UNCONFIGURED.id,
        g::DATABASE_ENV_OVERRIDE.id,
    ];
    let debug = [
        s::DEBUG_IN_PRODUCTION.id,
        s::NODE_INSPECTOR_IN_PRODUCTION.id,
        s::NODE_COMMAND_UNANALYSABLE.id,
        debug_routes::DEBUG_SECRET_WEAK.id,
        debug_routes::DEBUG_SECRET_UNSET.id,
    ];
    let signature = [
        g::POLICY_UNSIGNED.id,
        g::POLICY_SIGNATURE_INVALID.id,
        g::POLICY_SIGNERS_MISSING.id,
        g::POLICY_SIGNERS_INVALID.id,
    ];
    if signature.contains(&rule) {
        Some(ROW_POLICY)
    } else if environment.contains(&rule) {
        Some(ROW_ENVIRONMENT)
    } else if registry.contains(&rule) {
        Some(ROW_REGISTRY)
    } else if database.contains(&rule) {
        Some(ROW_DATABASE)
    } else if debug.contains(&rule) {
        Some(ROW_DEBUG)
    } else {
        None
    }
}

const ROW_POLICY: &str = "policy-signature";
const ROW_ENVIRONMENT: &str = "environment";
const ROW_REGISTRY: &str = "registry";
const ROW_DATABASE: &str = "database";
const ROW_LIVE: &str = "database-live";
const ROW_DOMAINS: &str = "domains";
const ROW_DEPLOY: &str = "deploy-branch";
const ROW_DEBUG: &str = "debug";
const ROW_OTHER: &str = "other";

/// The secret rows shown even when no environment sets them: what §7.2 names.
const ALWAYS: [&str; 6] = [
    "STRIPE_SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "SENDGRID_API_KEY",
    "JWT_SECRET",
    "SESSION_SECRET",
];

/// Which family of rows a variable's row belongs to, in the matrix's order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Family {
    Connection,
    Stripe,
    Webhook,
    Email,
    Session,
    Secret,
    Url,
    DebugSecret,
}

fn family(name: &str, kind: Kind) -> Family {
    match kind {
        Kind::PostgresUrl => Family::Connection,
        Kind::StripeSecret | Kind::StripeRestricted | Kind::StripePublishable => Family::Stripe,
        Kind::StripeWebhook => Family::Webhook,
        Kind::Sendgrid => Family::Email,
        Kind::Random if name == "DEBUG_SECRET" => Family::DebugSecret,
        Kind::Random => Family::Session,
        Kind::Opaque | Kind::Provider(_) => Family::Secret,
        Kind::Url | Kind::OriginList => Family::Url,
    }
}

fn family_row(t: &Text, family: Family, name: &str) -> (String, String, &'static str) {
    let (prefix, label, section) = match family {
        Family::Connection => ("connection", (t.row_connection)(name), "4.1"),
        Family::Stripe => ("stripe", (t.row_stripe)(name), "7.2"),
        Family::Webhook => ("stripe-webhook", (t.row_webhook)(name), "7.2"),
        Family::Email => ("email", (t.row_email)(name), "7.2"),
        Family::Session => ("session", (t.row_session)(name), "7.2"),
        Family::Secret => ("secret", (t.row_secret)(name), "7.1"),
        Family::Url => ("url", (t.row_url)(name), "9"),
        Family::DebugSecret => ("debug-secret", (t.row_debug_secret)(name), "8"),
    };
    (format!("{prefix}:{name}"), label, section)
}

/// One column's secrets, by variable.
struct Secrets(Vec<SecretValue>);

impl Secrets {
    fn of(policy: &Policy, vars: &EnvVars) -> Secrets {
        let mut all = secrets::secret_values(policy, vars);
        all.extend(secrets::undeclared_values(policy, vars));
        Secrets(all)
    }

    fn get(&self, name: &str) -> Option<&SecretValue> {
        self.0.iter().find(|s| s.name == name)
    }
}

/// Builds the matrix. Every finding of every input lands in at least one cell (the `other`
/// row takes what no resource row names).
pub fn build(input: &Input<'_>) -> Matrix {
    let t = input.lang.text();
    let policy = input.policy;
    let mut columns: Vec<&ColumnInput<'_>> = input.columns.iter().collect();
    columns.sort_by_key(|c| c.environment);
    let n = columns.len();
    let secrets: Vec<Secrets> = columns
        .iter()
        .map(|c| Secrets::of(policy, c.vars))
        .collect();
    let probed = columns.iter().any(|c| c.live.is_some());

    // Every variable that gets a row of its own, with its family and whether the policy
    // declares it.
    let mut variables: BTreeMap<String, (Family, bool)> = BTreeMap::new();
    for name in ALWAYS {
        if let Some(kind) = policy.secrets.vars.get(name) {
            variables.insert(name.to_owned(), (family(name, *kind), true));
        }
    }
    for (column, found) in columns.iter().zip(&secrets) {
        for (name, kind) in &policy.secrets.vars {
            if name != "DATABASE_URL" && !matches!(column.vars.lookup(name), Lookup::Missing) {
                variables.insert(name.clone(), (family(name, *kind), true));
            }
        }
        for s in found.0.iter().filter(|s| !s.declared) {
            variables
                .entry(s.name.clone())
                .or_insert((family(&s.name, s.kind), false));
        }
        for (name, _) in isolation::connection_targets(policy, column.vars) {
            if name != "DATABASE_URL" {
                let declared = policy.secrets.vars.contains_key(&name);
                variables.insert(name, (Family::Connection, declared));
            }
        }
    }
    let mut ordered: Vec<(&String, &(Family, bool))> = variables.iter().collect();
    // §7.2's variables first in each family, in ALWAYS' order, then the others by name.
    ordered.sort_by_key(|(name, (family, _))| {
        let known = ALWAYS
            .iter()
            .position(|a| a == name)
            .unwrap_or(ALWAYS.len());
        (*family, known, name.as_str())
    });

    let mut rows: Vec<Row> = Vec::new();
    let empty = || vec![Cell::default(); n];
    let mut push = |id: &str, label: String, policy: &'static str| {
        rows.push(Row {
            id: id.to_owned(),
            label,
            policy,
            cells: empty(),
        });
    };
    push(ROW_POLICY, t.row_policy.to_owned(), "11");
    push(ROW_ENVIRONMENT, t.row_environment.to_owned(), "3");
    push(ROW_REGISTRY, t.row_registry.to_owned(), "7.1");
    push(ROW_DATABASE, t.row_database.to_owned(), "4.1");
    if probed {
        push(ROW_LIVE, t.row_live.to_owned(), "5.1");
    }
    let mut debug_secret_rows = Vec::new();
    for (name, (family, _)) in &ordered {
        let (id, label, section) = family_row(t, *family, name);
        if *family == Family::DebugSecret {
            debug_secret_rows.push((id, label, section));
        } else {
            push(&id, label, section);
        }
    }
    push(ROW_DOMAINS, t.row_domains.to_owned(), "9");
    push(ROW_DEPLOY, t.row_deploy.to_owned(), "10");
    push(ROW_DEBUG, t.row_debug.to_owned(), "7.2");
    for (id, label, section) in debug_secret_rows {
        push(&id, label, section);
    }
    push(ROW_OTHER, t.row_other.to_owned(), "12");

    let index: BTreeMap<String, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), i))
        .collect();
    // The row of each variable, for attribution.
    let mut by_variable: BTreeMap<String, usize> = BTreeMap::new();
    by_variable.insert("DATABASE_URL".into(), index[ROW_DATABASE]);
    for (name, (family, _)) in &ordered {
        by_variable.insert((*name).clone(), index[&family_row(t, *family, name).0]);
    }
    let row_of = |id: &str| index[id];

    for (c, column) in columns.iter().enumerate() {
        let env = column.environment;
        let vars = column.vars;
        // Environment.
        {
            let cell = &mut rows[row_of(ROW_ENVIRONMENT)].cells[c];
            cell.present = true;
            // `NAME=value`, and whether the value is one the guard accepts.
            let fact = |name: &str, valid: fn(&str) -> bool| match vars.lookup(name) {
                Lookup::Value(v) => (t.variable_is)(name, Some(v.expose()), valid(v.expose())),
                Lookup::NotUtf8 => (t.variable_is)(name, Some(""), false),
                Lookup::Missing => (t.variable_is)(name, None, false),
            };
            cell.facts = vec![
                fact("KOOMY_ENV", |v| Environment::from_koomy_env(v).is_some()),
                fact("NODE_ENV", |v| NodeEnv::from_value(v).is_some()),
            ];
            cell.findings.extend(isolation::environment_mismatch(
                env,
                column.evaluation.environment,
            ));
        }

        // The policy's signature: the same file for every column, weighed per environment
        // by its findings.
        {
            let cell = &mut rows[row_of(ROW_POLICY)].cells[c];
            cell.present = true;
            cell.facts = vec![(t.signature)(&policy.origin)];
        }

        // Registry.
        {
            let cell = &mut rows[row_of(ROW_REGISTRY)].cells[c];
            cell.present = input.registry.0 != RegistryState::Missing;
            cell.facts = vec![(t.registry)(&input.registry.0, &input.registry.1)];
        }

        // Database and other connection strings.
        for (name, target) in isolation::connection_targets(policy, vars) {
            let Some(&i) = by_variable.get(&name) else {
                continue;
            };
            let cell = &mut rows[i].cells[c];
            cell.present = true;
            match target {
                Some(target) => {
                    cell.facts.push((t.server)(&target.server));
                    cell.facts.push((t.database)(&target.database));
                    cell.facts
                        .push((t.listed_for)(target.owner.map(Environment::as_str)));
                }
                None => cell.facts.push(t.url_refused.to_owned()),
            }
            match secrets[c].get(&name) {
                Some(s) => cell.fingerprint = Some((input.fingerprint)(s.value.expose())),
                None => cell.facts.push(t.no_password.to_owned()),
            }
        }

        // Live identity.
        if probed {
            let cell = &mut rows[row_of(ROW_LIVE)].cells[c];
            match &column.live {
                None | Some(Live::NotAsked) => cell.facts.push(t.live_not_probed.to_owned()),
                Some(Live::Asked { probe, findings }) => {
                    cell.present = true;
                    cell.findings.extend(findings.iter().cloned());
                    match probe {
                        None => cell.facts.push(t.live_unreachable.to_owned()),
                        Some(p) => cell.facts.extend(live_facts(t, p)),
                    }
                }
            }
        }

        // Secrets and keys, URLs.
        for (name, (family, declared)) in &ordered {
            if *family == Family::Connection {
                continue;
            }
            let i = by_variable[*name];
            let value = match vars.lookup(name) {
                Lookup::Missing => continue,
                Lookup::NotUtf8 => None,
                Lookup::Value(v) => Some(v.expose()),
            };
            let cell = &mut rows[i].cells[c];
            cell.present = true;
            let found = secrets[c].get(name);
            let v = value.unwrap_or_default();
            match family {
                Family::Stripe => match formats::stripe_key(v) {
                    Ok((ty, mode)) => {
                        cell.facts
                            .push((t.stripe_key)(mode.as_str(), ty.describe()));
                        if let Some(account) = stripe_account(v) {
                            let fp = (input.fingerprint)(account);
                            cell.facts.push((t.stripe_account)(&fp.value));
                        }
                        if ty == StripeType::Publishable {
                            // Public: no fingerprint needed to compare it.
                            continue;
                        }
                    }
                    Err(_) => cell.facts.push(t.not_stripe.to_owned()),
                },
                Family::Webhook => cell
                    .facts
                    .push((t.webhook)(formats::stripe_webhook_secret(v).is_ok()).to_owned()),
                Family::Email => cell
                    .facts
                    .push((t.sendgrid)(formats::sendgrid_key(v).is_ok()).to_owned()),
                Family::Session | Family::Secret | Family::DebugSecret => {
                    let bits = found.map_or_else(|| entropy::estimate(v).bits, |s| s.estimate.bits);
                    cell.facts.push((t.bits)(bits));
                }
                Family::Url => {
                    cell.facts.extend(url_facts(t, policy, name, v));
                    continue;
                }
                Family::Connection => {}
            }
            if !declared {
                cell.facts.push(t.undeclared.to_owned());
            }
            if let Some(s) = found {
                cell.fingerprint = Some((input.fingerprint)(s.value.expose()));
            }
        }

        // Domains.
        {
            let cell = &mut rows[row_of(ROW_DOMAINS)].cells[c];
            let names = policy.domains.names(env);
            cell.present = !names.is_empty();
            if names.is_empty() {
                cell.facts.push(t.no_domains.to_owned());
            }
            for (role, name) in names {
                let chain = match input.resolutions.and_then(|r| r.get(name)) {
                    None => name.clone(),
                    Some(r) => match &r.outcome {
                        Outcome::Addresses(a) => format!(
                            "{} → {}",
                            r.path(),
                            a.iter()
                                .map(|ip| ip.to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        Outcome::Unresolvable { reason, .. } => format!("{}: {reason}", r.path()),
                        Outcome::Loop => format!("{}: CNAME loop", r.path()),
                        Outcome::TooLong => format!("{}: CNAME chain too long", r.path()),
                    },
                };
                cell.facts.push((t.domain)(role, &chain));
            }
            for f in input.domain_findings {
                if domain_finding_names(f, env) {
                    cell.findings.push(f.clone());
                }
            }
        }

        // Deploy branch.
        {
            let cell = &mut rows[row_of(ROW_DEPLOY)].cells[c];
            cell.present = true;
            cell.facts.push(match env {
                Environment::Production => (t.deploys_from)(&policy.release.production_branch),
                Environment::Sandbox => (t.deploys_from)(&policy.release.sandbox_branch),
                Environment::Local => t.not_deployed.to_owned(),
            });
        }

        // Debug switches and routes.
        let mut findings = column.evaluation.report.findings.clone();
        {
            let cell = &mut rows[row_of(ROW_DEBUG)].cells[c];
            cell.present = true;
            let approved: &[String] = policy
                .secrets
                .per_environment
                .get(&env)
                .map(|h| h.allowed_debug.as_slice())
                .unwrap_or_default();
            let flags: Vec<String> = vars
                .names()
                .filter(|n| debug::is_debug_name(n))
                .map(|n| (t.debug_variable)(n, approved.iter().any(|a| a == n)))
                .collect();
            if flags.is_empty() {
                cell.facts.push(t.no_debug_variable.to_owned());
            }
            cell.facts.extend(flags);
            if let Lookup::Value(v) = vars.lookup("NODE_OPTIONS") {
                if !debug::inspector_options(v.expose()).is_empty() {
                    cell.facts.push(t.inspector.to_owned());
                }
            }
            let before = findings.len();
            let mounted =
                debug_routes::mount_secret(column.evaluation.environment, vars, &mut findings)
                    .is_some();
            cell.facts.push((t.debug_routes)(mounted).to_owned());
            cell.findings.extend(findings.drain(before..));
        }

        // The evaluation's findings, each where it belongs.
        for f in findings {
            let mut targets: BTreeSet<usize> = BTreeSet::new();
            if let Some(id) = fixed_row(f.rule) {
                targets.insert(row_of(id));
            } else {
                for word in f
                    .message
                    .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                {
                    if let Some(&i) = by_variable.get(word) {
                        targets.insert(i);
                    }
                }
            }
            if targets.is_empty() {
                targets.insert(row_of(ROW_OTHER));
            }
            for i in targets {
                rows[i].cells[c].findings.push(f.clone());
            }
        }
    }

    // Between environments: shared secrets, shared databases, shared live identities.
    let position = |env: Environment| columns.iter().position(|c| c.environment == env);
    let iso: Vec<IsolationColumn<'_>> = columns
        .iter()
        .map(|c| IsolationColumn {
            environment: c.environment,
            vars: c.vars,
        })
        .collect();
    let mark = |rows: &mut Vec<Row>, holder: &Holder, others: Vec<Environment>, f: Finding| {
        let (Some(c), Some(&i)) = (position(holder.environment), by_variable.get(&holder.name))
        else {
            return;
        };
        let cell = &mut rows[i].cells[c];
        for o in others {
            if !cell.shared_with.contains(&o) {
                cell.shared_with.push(o);
            }
        }
        cell.findings.push(f);
    };
    for shared in isolation::shared_secrets(policy, &iso) {
        for h in &shared.holders {
            let others = shared.others(h.environment);
            if others.is_empty() {
                continue;
            }
            let f = shared.secret_finding(h);
            mark(&mut rows, h, others, f);
        }
    }
    for (target, shared) in isolation::shared_databases(policy, &iso) {
        for h in &shared.holders {
            let others = shared.others(h.environment);
            if others.is_empty() {
                continue;
            }
            let f = shared.database_finding(h, &target);
            mark(&mut rows, h, others, f);
        }
    }
    if probed {
        let live_row = row_of(ROW_LIVE);
        let identities: Vec<(Holder, gardefou_pgprobe::Binding)> = columns
            .iter()
            .filter_map(|c| match &c.live {
                Some(Live::Asked { probe: Some(p), .. })
                    if p.identity.system_identifier.is_some()
                        || p.identity.neon.branch_id.is_some() =>
                {
                    Some((
                        Holder {
                            environment: c.environment,
                            name: "DATABASE_URL".into(),
                            label: "the live database".into(),
                        },
                        p.identity.binding(),
                    ))
                }
                _ => None,
            })
            .collect();
        for (binding, shared) in isolation::group(identities, |a, b| a == b) {
            for h in &shared.holders {
                let others = shared.others(h.environment);
                let Some(c) = position(h.environment) else {
                    continue;
                };
                let cell = &mut rows[live_row].cells[c];
                cell.shared_with.extend(others.iter().copied());
                cell.shared_with.dedup();
                let envs: Vec<&str> = others.iter().map(|e| e.as_str()).collect();
                let (sysid, oid) = (
                    binding.system_identifier.as_deref().unwrap_or("none"),
                    &binding.database_oid,
                );
                let (en_envs, fr_envs) = (envs.join("'s and "), envs.join(" et de "));
                cell.findings
                    .push(isolation::DATABASE_SHARED_ACROSS_ENVIRONMENTS.error(gardefou_findings::tr!(
                        "the server behind DATABASE_URL is the same database as {en_envs}'s (system identifier {sysid}, database OID {oid})",
                        "le serveur derrière DATABASE_URL est la même base que celle de {fr_envs} (identifiant système {sysid}, OID de base {oid})"
                    )));
            }
        }
    }
    for cell in &mut rows[row_of(ROW_OTHER)].cells {
        cell.present = true;
        if cell.findings.is_empty() {
            cell.facts.push(t.nothing_else.to_owned());
        }
    }
    // Domain findings that name no column's environment still show, in the first column.
    if n > 0 {
        for f in input.domain_findings {
            if !columns
                .iter()
                .any(|c| domain_finding_names(f, c.environment))
            {
                rows[row_of(ROW_DOMAINS)].cells[0].findings.push(f.clone());
            }
        }
    }

    Matrix {
        lang: input.lang,
        columns: columns
            .iter()
            .map(|c| Column {
                environment: c.environment,
                source: c.source.clone(),
            })
            .collect(),
        rows,
        policy_file: input.policy_file.clone(),
        probed,
        resolved: input.resolutions.is_some(),
    }
}

/// Whether a domain finding is about `env`'s names (the checks name places as
/// `domains.<environment>.<role>`, and an empty table as `no <environment> name`).
fn domain_finding_names(f: &Finding, env: Environment) -> bool {
    f.message.contains(&format!("domains.{env}.")) || f.message.contains(&format!(" no {env} name"))
}

/// The live identity and stamp, as facts.
fn live_facts(t: &Text, p: &Probe) -> Vec<String> {
    let id = &p.identity;
    let mut out = vec![
        (t.live_database)(&id.database, &id.database_oid),
        (t.live_system)(id.system_identifier.as_deref()),
    ];
    if let Some(b) = &id.neon.branch_id {
        out.push((t.live_neon_branch)(b));
    }
    out.push(match &p.stamp {
        StampState::Present(s) => {
            (t.stamp_present)(s.environment.as_str(), s.binding == id.binding())
        }
        StampState::Absent => t.stamp_absent.to_owned(),
        _ => t.stamp_unusable.to_owned(),
    });
    out
}

/// A configured URL's hosts, as the secrets policy reads them.
fn url_facts(t: &Text, policy: &Policy, name: &str, value: &str) -> Vec<String> {
    let origin = policy.secrets.vars.get(name) == Some(&Kind::OriginList);
    let entries = if origin {
        match urls::split_list(value) {
            Ok(e) => e,
            Err(_) => return vec![t.url_invalid.to_owned()],
        }
    } else {
        vec![value]
    };
    entries
        .into_iter()
        .map(|e| match urls::parse(e, origin) {
            Ok(u) => (t.host)(&u.host),
            Err(_) => t.url_invalid.to_owned(),
        })
        .collect()
}

/// The account part of a Stripe key, when the key has the form Stripe's current keys take
/// (`…_live_51` then the 16 characters of the account id after `acct_`); it is never
/// shown, only fingerprinted. Undocumented by Stripe: a key without it shows no account.
fn stripe_account(key: &str) -> Option<&str> {
    let body = key.splitn(3, '_').nth(2)?;
    let account = body.strip_prefix('5')?.get(..16)?;
    (account.starts_with('1') && account.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stripe_account_is_read_only_from_the_current_key_form() {
        let account = format!("1{}", "Ab3".repeat(5));
        let key = ["sk", "_live_5", &account, &"x9".repeat(40)].concat();
        assert_eq!(stripe_account(&key), Some(account.as_str()));
        let old = ["sk", "_test_", &"Q7".repeat(12)].concat();
        assert_eq!(stripe_account(&old), None);
    }
}
