//! `koomy-api serve`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gardefou_axum::{GuardedConfig, Health, PoolError, ProvenPool, Purpose};
use gardefou_findings::Severity;
use serde::Serialize;

use crate::cli::ServeArgs;
use crate::{migrate, policy, Refused, Usage};

/// The application's state: connections that each proved the database before use. Every
/// request works in a transaction that proves again, inside it, that it reached the proven
/// server and database (a transaction-mode pooler may hand each transaction another
/// session).
#[derive(Clone)]
pub struct App {
    db: ProvenPool,
}

/// Runs the guard, applies migrations, serves until SIGTERM or SIGINT.
pub async fn run(args: ServeArgs) -> Result<()> {
    let listen = listen_address(args.listen)?;
    let sources = policy::Sources::load(
        args.policy.policy.as_deref(),
        args.policy.registry.as_deref(),
    )?;
    let config = start_guard(sources).await?;
    let pool = config.pool(Purpose::Run, usize::from(args.pool_size));
    let applied = {
        let mut client = pool.get().await.map_err(refused)?;
        let tx = client.proven_transaction().await.map_err(refused)?;
        let applied = migrate::apply(&tx).await?;
        tx.commit().await?;
        applied
    };
    tracing::info!(applied, "schema up to date");
    if args.proof_interval_ms > 0 {
        tokio::spawn(reprove(
            pool.clone(),
            std::time::Duration::from_millis(args.proof_interval_ms),
        ));
    }

    let app = router(App { db: pool }, !args.no_request_log);
    let app = config.mount(app);

    // The signal handlers are installed before "listening" is said: a SIGTERM that comes
    // right after (a quick redeploy) shuts down gracefully instead of killing the process.
    let shutdown = shutdown_signal()?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    tracing::info!(
        addr = %addr,
        environment = %config.environment(),
        debug_routes = config.debug_routes_enabled(),
        "listening"
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .context("the server failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// The full guard; a refusal is logged by rule id (never a value) and returned for
/// printing on stderr.
pub async fn start_guard(sources: policy::Sources) -> Result<Arc<GuardedConfig>> {
    let vars = gardefou_axum::process_env();
    let mut keyed = None;
    let registry = sources.registry(&mut keyed);
    let result = GuardedConfig::start_with(sources.policy.clone(), vars, &registry).await;
    match result {
        Ok(config) => {
            for w in &config.warnings().findings {
                tracing::warn!(rule = w.rule, policy = w.policy.as_str(), "{}", w.message);
            }
            tracing::info!(
                environment = %config.environment(),
                database = %config.identity().database,
                system_identifier = config.identity().system_identifier.as_deref().unwrap_or("-"),
                stamp = config.identity().stamp.as_ref().and_then(|s| s.environment.as_deref()).unwrap_or("none"),
                "guard passed"
            );
            Ok(Arc::new(config))
        }
        Err(refused) => {
            let gardefou_axum::StartError::Refused(report) = &refused;
            tracing::error!(rules = ?error_rules(&report.findings), "refused to start");
            Err(Refused(refused.to_string()).into())
        }
    }
}

/// The rule ids of the errors among `findings`: what logs and health answers show.
fn error_rules(findings: &[gardefou_findings::Finding]) -> Vec<&'static str> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.rule)
        .collect()
}

/// A connection the pool would not hand out, as a refusal (exit 1), logged by rule.
pub fn refused(e: PoolError) -> anyhow::Error {
    log_pool_error(&e);
    match e {
        PoolError::Refused(report) => {
            Refused(gardefou_axum::StartError::Refused(report).to_string()).into()
        }
        busy => Refused(format!("koomy-api: {busy}")).into(),
    }
}

fn log_pool_error(e: &PoolError) {
    match e {
        PoolError::Refused(report) => {
            tracing::error!(
                rules = ?error_rules(&report.findings),
                "a new database connection failed its proof: closed, not used"
            );
        }
        PoolError::Busy(_) => tracing::error!(error = %e, "no database connection"),
    }
}

/// Opens and proves a new connection every `every`, so that a database that changed
/// under the server (a re-pointed tunnel, a fail-over) turns `/healthz` unhealthy even
/// while the idle connections keep working.
async fn reprove(pool: ProvenPool, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    loop {
        tick.tick().await;
        if let Err(e) = pool.check().await {
            log_pool_error(&e);
        }
    }
}

fn listen_address(explicit: Option<SocketAddr>) -> Result<SocketAddr> {
    if let Some(addr) = explicit {
        return Ok(addr);
    }
    match std::env::var("PORT") {
        Ok(p) => {
            let port: u16 = p
                .parse()
                .map_err(|_| Usage("PORT is not a port number (1-65535)".into()))?;
            Ok(SocketAddr::from(([0, 0, 0, 0], port)))
        }
        Err(_) => Err(Usage("give --listen ADDR or set PORT".into()).into()),
    }
}

/// Installs the SIGTERM and SIGINT handlers now; the future resolves at the first signal.
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    let mut int = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => tracing::info!(signal = "SIGTERM", "shutting down"),
            _ = int.recv() => tracing::info!(signal = "SIGINT", "shutting down"),
        }
    })
}

/// The routes. The fallback is the one answer for every unknown route, and so for every
/// debug path that is not opened (see `gardefou_axum::debug`).
pub fn router(app: App, log_requests: bool) -> Router {
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/api/organisations", get(organisations))
        .route("/api/organisations/{slug}/members", get(members))
        .fallback(not_found)
        .with_state(app);
    if log_requests {
        router.layer(middleware::from_fn(log_request))
    } else {
        router
    }
}

/// `200 ok` while the last proof held; `503` with the rules of the last failed proof.
async fn healthz(State(app): State<App>) -> Response {
    match app.db.health() {
        Health::Proven => (StatusCode::OK, "ok\n").into_response(),
        Health::Refused(findings) => {
            let rules = error_rules(&findings);
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "application/json")],
                format!(
                    "{}\n",
                    serde_json::json!({ "status": "unhealthy", "rules": rules })
                ),
            )
                .into_response()
        }
    }
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "application/json")],
        "{\"error\":\"not found\"}\n",
    )
        .into_response()
}

/// One line per request: method, path (never the query string, which may carry tokens),
/// status, duration. Headers are never logged.
async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let start = Instant::now();
    let response = next.run(req).await;
    tracing::info!(
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        micros = start.elapsed().as_micros() as u64,
        "request"
    );
    response
}

#[derive(Serialize)]
struct Organisation {
    slug: String,
    name: String,
    city: String,
    rna: Option<String>,
    yearly_fee_cents: i32,
    members: i64,
}

#[derive(Serialize)]
struct Member {
    first_name: String,
    last_name: String,
    role: String,
    joined_on: String,
}

struct ApiError;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "application/json")],
            "{\"error\":\"database unavailable\"}\n",
        )
            .into_response()
    }
}

impl From<PoolError> for ApiError {
    fn from(e: PoolError) -> Self {
        log_pool_error(&e);
        ApiError
    }
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(e: tokio_postgres::Error) -> Self {
        tracing::error!(error = %e, "database error");
        ApiError
    }
}

async fn organisations(State(app): State<App>) -> Result<Json<Vec<Organisation>>, ApiError> {
    let mut db = app.db.get().await?;
    let tx = db.proven_transaction().await?;
    let rows = tx
        .query(
            "SELECT o.slug, o.name, o.city, o.rna, o.yearly_fee_cents, count(m.id)
               FROM koomy_api.organisations o
               LEFT JOIN koomy_api.members m ON m.organisation_id = o.id
              GROUP BY o.id ORDER BY o.name",
            &[],
        )
        .await?;
    Ok(Json(
        rows.iter()
            .map(|r| Organisation {
                slug: r.get(0),
                name: r.get(1),
                city: r.get(2),
                rna: r.get(3),
                yearly_fee_cents: r.get(4),
                members: r.get(5),
            })
            .collect(),
    ))
}

async fn members(State(app): State<App>, Path(slug): Path<String>) -> Result<Response, ApiError> {
    let mut db = app.db.get().await?;
    let tx = db.proven_transaction().await?;
    let org = tx
        .query_opt(
            "SELECT id FROM koomy_api.organisations WHERE slug = $1",
            &[&slug],
        )
        .await?;
    let Some(org) = org else {
        return Ok(not_found().await);
    };
    let id: i64 = org.get(0);
    let rows = tx
        .query(
            "SELECT first_name, last_name, role, joined_on::text
               FROM koomy_api.members WHERE organisation_id = $1
              ORDER BY last_name, first_name",
            &[&id],
        )
        .await?;
    let members: Vec<Member> = rows
        .iter()
        .map(|r| Member {
            first_name: r.get(0),
            last_name: r.get(1),
            role: r.get(2),
            joined_on: r.get(3),
        })
        .collect();
    Ok(Json(members).into_response())
}
