//! Connections proven before use: a small pool that hands out only connections whose own
//! session has proven the database's identity and stamp for the process's environment.
//!
//! A proof on one connection says nothing about the next: a forwarder, a pooler, a
//! re-pointed tunnel or a fail-over can send the next connection elsewhere. So every new
//! physical connection — the first, pool growth, reconnects after a drop — proves in its
//! own session, before it is handed out, which database it reached; one that fails is
//! closed, never used, and the pool's [`Health`] says why until a later proof succeeds.
//! A connection proven once stays proven: a session cannot change database. Reusing it
//! costs nothing.
//!
//! Two levels, so that the proof costs little more than the connection:
//! - the **full proof** (the probe: identity, gardefou's objects, stamp, production's
//!   marks, then `verify`) runs on the pool's first connection, on every
//!   [`ProvenPool::check`], and on any connection whose identity differs from the last
//!   one it accepted;
//! - every other new connection proves its **identity** (database OID, system
//!   identifier, Neon ids and, on Neon, that no session set them) equals the one the full
//!   proof accepted: the same physical database, whose stamp was proven. A stamp or mark
//!   that changes inside that same database while the pool runs (a restore into it) is
//!   seen by the next full proof: call [`ProvenPool::check`] periodically.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gardefou_findings::{tr, Finding, Report};
use gardefou_pgurl::ConnUrl;
use gardefou_policy::{Environment, Policy};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_postgres::Client;

use crate::verify::{verify, Purpose};
use crate::{Identity, Probe, ProbeError};

/// Why the pool gave no connection. `Display` names rules and servers, never a value.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// The new connection's session did not prove the database (or could not be opened):
    /// it was closed unused.
    #[error("{}", summary(.0))]
    Refused(Report),
    /// Every connection is in use and none came back within the time limit.
    #[error("no database connection free within {} ms", .0.as_millis())]
    Busy(Duration),
}

fn summary(report: &Report) -> String {
    let parts: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity == gardefou_findings::Severity::Error)
        .map(|f| format!("{} (§{}): {}", f.rule, f.policy, f.message))
        .collect();
    format!("connection refused by the proof: {}", parts.join("; "))
}

/// What the last proof said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Health {
    /// The last new connection proved the database (or none was opened yet after a
    /// successful start).
    Proven,
    /// The last new connection failed its proof: the findings.
    Refused(Vec<Finding>),
}

struct Inner {
    url: ConnUrl,
    policy: Policy,
    environment: Environment,
    purpose: Purpose,
    target: String,
    timeout: Duration,
    idle: Mutex<Vec<Client>>,
    permits: Arc<Semaphore>,
    health: Mutex<Health>,
    /// The identity of the database the last full proof accepted.
    proven: Mutex<Option<Identity>>,
    /// Bumped by every refused proof: a connection handed out before it does not go back
    /// to the idle ones (what it was proven against may be what was just refused).
    generation: std::sync::atomic::AtomicU64,
}

/// A pool of proven connections to the database of `url`. Cheap to clone.
#[derive(Clone)]
pub struct ProvenPool {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ProvenPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProvenPool")
            .field("environment", &self.inner.environment)
            .field("target", &self.inner.target)
            .field("health", &self.health())
            .finish_non_exhaustive()
    }
}

impl ProvenPool {
    /// A pool of at most `max_size` connections for a process running as `environment`.
    /// `target` names the server in findings (as the static check does); the policy's
    /// timeout bounds connecting and proving each connection.
    pub fn new(
        url: ConnUrl,
        policy: Policy,
        environment: Environment,
        purpose: Purpose,
        target: String,
        max_size: usize,
    ) -> ProvenPool {
        let timeout = crate::timeout_for(&url, policy.database.connect_timeout_ms);
        ProvenPool {
            inner: Arc::new(Inner {
                url,
                policy,
                environment,
                purpose,
                target,
                timeout,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(max_size.max(1))),
                health: Mutex::new(Health::Proven),
                proven: Mutex::new(None),
                generation: std::sync::atomic::AtomicU64::new(0),
            }),
        }
    }

    /// The environment every connection is proven for.
    pub fn environment(&self) -> Environment {
        self.inner.environment
    }

    /// What the last proof said.
    pub fn health(&self) -> Health {
        lock(&self.inner.health).clone()
    }

    /// A proven connection: an idle one, or a new one that has just proven the database
    /// in its own session.
    pub async fn get(&self) -> Result<ProvenClient, PoolError> {
        let permit = tokio::time::timeout(
            self.inner.timeout,
            Arc::clone(&self.inner.permits).acquire_owned(),
        )
        .await
        .map_err(|_| PoolError::Busy(self.inner.timeout))?
        .map_err(|_| PoolError::Busy(self.inner.timeout))?;
        loop {
            let Some(client) = lock(&self.inner.idle).pop() else {
                break;
            };
            if !client.is_closed() {
                return Ok(self.wrap(client, permit));
            }
        }
        let client = self.open().await?;
        Ok(self.wrap(client, permit))
    }

    /// Opens a new connection and runs the full proof on it now, whatever is idle (for a
    /// health check): the stamp, production's marks and the gardefou objects are read
    /// again. A proven connection joins the idle ones.
    pub async fn check(&self) -> Result<(), PoolError> {
        let client = self.open_with(true).await?;
        lock(&self.inner.idle).push(client);
        Ok(())
    }

    fn wrap(&self, client: Client, permit: OwnedSemaphorePermit) -> ProvenClient {
        ProvenClient {
            client: Some(client),
            generation: self
                .inner
                .generation
                .load(std::sync::atomic::Ordering::SeqCst),
            pool: Arc::clone(&self.inner),
            _permit: permit,
        }
    }

    async fn open(&self) -> Result<Client, PoolError> {
        self.open_with(false).await
    }

    /// A new connection, proven: in full (identity, catalog, stamp, marks, then `verify`)
    /// when `full` or when no full proof was accepted yet; otherwise by comparing its
    /// identity with the one the last full proof accepted — the same database, whose
    /// stamp was proven — falling back to the full proof when they differ.
    async fn open_with(&self, full: bool) -> Result<Client, PoolError> {
        let inner = &self.inner;
        let known = if full {
            None
        } else {
            lock(&inner.proven).clone()
        };
        let opened: Result<(Client, Option<Probe>), ProbeError> =
            match tokio::time::timeout(inner.timeout, async {
                let client = crate::connect(&inner.url).await?;
                if let Some(known) = &known {
                    if crate::identity::same_database(&client, known).await {
                        return Ok((client, None));
                    }
                }
                let probe = crate::read(&client).await?;
                Ok((client, Some(probe)))
            })
            .await
            {
                Ok(r) => r,
                Err(_) => Err(ProbeError::Timeout(inner.timeout)),
            };
        let (client, probe) = match opened {
            Ok((client, None)) => {
                *lock(&inner.health) = Health::Proven;
                return Ok(client);
            }
            Ok((client, Some(probe))) => (Some(client), Ok(probe)),
            Err(e) => (None, Err(e)),
        };
        let mut findings: Vec<Finding> = match inner.purpose {
            Purpose::Seed => {
                crate::verify::seed_environment(&inner.policy, Some(inner.environment))
                    .into_iter()
                    .collect()
            }
            Purpose::Run => Vec::new(),
        };
        findings.extend(verify(
            &inner.policy,
            inner.environment,
            &inner.target,
            &probe,
            inner.purpose,
        ));
        let report = Report::new(findings);
        match (client, probe) {
            (Some(client), Ok(probe)) if !report.is_denied() => {
                *lock(&inner.health) = Health::Proven;
                *lock(&inner.proven) = Some(probe.identity);
                Ok(client)
            }
            // Dropping the client closes the connection: it is never used.
            _ => {
                *lock(&inner.health) = Health::Refused(report.findings.clone());
                // What was proven before may be what just failed (a restore into the same
                // database): idle and in-use connections go too, the next one proves anew.
                forget_proven(inner);
                Err(PoolError::Refused(report))
            }
        }
    }
}

/// Proves, inside the open transaction of `client`, that its database is `environment`'s
/// for `purpose` — what a seed runs right before it writes, in the transaction that writes.
/// The transaction's state and settings are left as they were.
pub async fn prove_in_transaction(
    client: &(impl tokio_postgres::GenericClient + Sync),
    policy: &Policy,
    environment: Environment,
    purpose: Purpose,
    target: &str,
) -> Result<Report, Report> {
    let probe = crate::read_in_transaction(client).await;
    let report = Report::new(verify(policy, environment, target, &probe, purpose));
    if report.is_denied() {
        Err(report)
    } else {
        Ok(report)
    }
}

/// A connection from a [`ProvenPool`]; goes back to the pool when dropped (unless closed).
pub struct ProvenClient {
    client: Option<Client>,
    generation: u64,
    pool: Arc<Inner>,
    _permit: OwnedSemaphorePermit,
}

impl ProvenClient {
    /// Closes the connection instead of returning it to the pool.
    pub fn discard(mut self) {
        self.client = None;
    }

    /// Opens a transaction and proves, inside it, that it reached the server and database
    /// the pool proved (one round trip). A connection is one server session — except
    /// behind a transaction-mode pooler (PgBouncer `pool_mode = transaction`, Supavisor),
    /// which may give every transaction another server session, on another server if the
    /// pooler was re-pointed. Behind such a pooler, do every unit of work in a transaction
    /// from this method. On a mismatch the transaction is rolled back, the pool turns
    /// unhealthy and drops its idle connections.
    pub async fn proven_transaction(
        &mut self,
    ) -> Result<tokio_postgres::Transaction<'_>, PoolError> {
        let known = lock(&self.pool.proven).clone();
        let pool = Arc::clone(&self.pool);
        let client = self.client.as_mut().expect("present until dropped");
        let tx = client.transaction().await.map_err(|e| {
            let (target, e) = (&pool.target, crate::identity::query_error(&e));
            PoolError::Refused(Report::new(vec![crate::rules::DATABASE_UNREACHABLE.error(
                tr!(
                    "cannot open a transaction at {target}: {e}",
                    "impossible d'ouvrir une transaction sur {target} : {e}"
                ),
            )]))
        })?;
        let same = match &known {
            Some(identity) => crate::identity::same_database(&tx, identity).await,
            None => false,
        };
        if same {
            return Ok(tx);
        }
        let _ = tx.rollback().await;
        let target = &pool.target;
        let report = Report::new(vec![crate::rules::DATABASE_CONNECTION_MOVED.error(tr!(
            "a transaction on a proven connection to {target} reached another server session than the one proven (a transaction-mode pooler re-pointed?)",
            "une transaction sur une connexion prouvée vers {target} a atteint une autre session serveur que celle prouvée (un pooler en mode transaction a-t-il changé de cible ?)"
        ))]);
        *lock(&pool.health) = Health::Refused(report.findings.clone());
        forget_proven(&pool);
        Err(PoolError::Refused(report))
    }
}

impl Deref for ProvenClient {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("present until dropped")
    }
}

impl DerefMut for ProvenClient {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("present until dropped")
    }
}

impl Drop for ProvenClient {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let current = self
                .pool
                .generation
                .load(std::sync::atomic::Ordering::SeqCst);
            if !client.is_closed() && current == self.generation {
                lock(&self.pool.idle).push(client);
            }
        }
    }
}

/// After a refused proof: nothing proven before goes on being used.
fn forget_proven(inner: &Inner) {
    inner
        .generation
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    *lock(&inner.proven) = None;
    lock(&inner.idle).clear();
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
