//! The sandbox-only debug routes under `/api/_debug/` (§8).
//!
//! They are not axum routes. [`DebugLayer`] wraps the application's router; a request
//! reaches a debug endpoint only when **all** of these hold:
//!
//! - the path is exactly one of the debug endpoints ([`ENDPOINTS`]);
//! - the method is `GET`;
//! - it carries exactly one `X-Debug-Secret` header whose value is `DEBUG_SECRET`
//!   (compared in constant time through keyed MACs, see `mac.rs`).
//!
//! Every other request, including a debug path with a wrong, missing or repeated secret,
//! another method, a trailing slash or an unknown endpoint, is handed **unchanged** to the
//! application's router, which finds no route for it and answers with its own fallback:
//! the response is the one of an unknown route because it *is* the one of an unknown
//! route — same status, same headers (no `allow`, no `vary`, same `content-type` and
//! `content-length`), same body. In production and local the layer is not installed at
//! all (see [`crate::GuardedConfig::mount`]).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use tower::{Layer, Service};

use crate::mac::SecretMac;
use crate::IdentityError;

/// The prefix of every debug path.
pub const PREFIX: &str = "/api/_debug/";

/// The header that carries the debug secret.
pub const SECRET_HEADER: &str = "x-debug-secret";

/// The debug endpoints, as exact paths.
pub const ENDPOINTS: &[&str] = &[DB_IDENTITY];

/// `GET /api/_debug/db-identity`: what the live database says it is.
pub const DB_IDENTITY: &str = "/api/_debug/db-identity";

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Produces the body of `db-identity`: a JSON object, or a message (without any secret)
/// saying why the database could not be asked.
pub(crate) type IdentitySource =
    Arc<dyn Fn() -> BoxFuture<Result<serde_json::Value, IdentityError>> + Send + Sync>;

struct State {
    mac: SecretMac,
    identity: IdentitySource,
}

/// Installs the debug endpoints in front of a router. Built only by
/// [`crate::GuardedConfig::mount`], only in sandbox.
#[derive(Clone)]
pub struct DebugLayer {
    state: Arc<State>,
}

impl DebugLayer {
    pub(crate) fn new(secret: &[u8], identity: IdentitySource) -> std::io::Result<Self> {
        Ok(DebugLayer {
            state: Arc::new(State {
                mac: SecretMac::new(secret)?,
                identity,
            }),
        })
    }
}

impl std::fmt::Debug for DebugLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DebugLayer(****)")
    }
}

impl<S> Layer<S> for DebugLayer {
    type Service = DebugService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        DebugService {
            inner,
            state: self.state.clone(),
        }
    }
}

/// The service [`DebugLayer`] wraps around a router.
#[derive(Clone)]
pub struct DebugService<S> {
    inner: S,
    state: Arc<State>,
}

pin_project_lite::pin_project! {
    /// The response future: the application's own, untouched, for every request the debug
    /// routes do not accept (no allocation, no extra poll), or the debug answer.
    // pin-project-lite takes no doc comments on variant fields: each is the variant's future.
    #[allow(missing_docs)]
    #[project = DebugFutureProj]
    pub enum DebugFuture<F> {
        /// Passed through to the application.
        Inner {
            #[pin]
            future: F,
        },
        /// A debug endpoint's answer.
        Debug {
            future: BoxFuture<Response>,
        },
    }
}

impl<F> Future for DebugFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            DebugFutureProj::Inner { future } => future.poll(cx),
            DebugFutureProj::Debug { future } => future.as_mut().poll(cx).map(Ok),
        }
    }
}

impl<S> Service<Request> for DebugService<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = DebugFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        match authorize(&self.state, &req) {
            Some(endpoint) => {
                let state = self.state.clone();
                DebugFuture::Debug {
                    future: Box::pin(async move { answer(&state, endpoint).await }),
                }
            }
            // The very service that was polled ready takes the request.
            None => DebugFuture::Inner {
                future: self.inner.call(req),
            },
        }
    }
}

/// The endpoint a request may reach, or `None` when it must be treated as an unknown route.
fn authorize(state: &State, req: &Request) -> Option<&'static str> {
    let path = req.uri().path();
    if !path.starts_with(PREFIX) {
        return None;
    }
    // The MAC is computed for every debug-looking request, whatever else is wrong with it,
    // so that timing does not tell which condition failed.
    let mut values = req.headers().get_all(SECRET_HEADER).iter();
    let presented = values.next();
    let single = values.next().is_none();
    let secret_ok = state
        .mac
        .verify(presented.map_or(&[][..], HeaderValue::as_bytes));
    let endpoint = ENDPOINTS.iter().find(|e| **e == path).copied();
    let allowed = secret_ok & single & presented.is_some() & (req.method() == Method::GET);
    if allowed {
        endpoint
    } else {
        None
    }
}

async fn answer(state: &State, endpoint: &'static str) -> Response {
    debug_assert_eq!(endpoint, DB_IDENTITY);
    let (status, body) = match (state.identity)().await {
        Ok(identity) => (StatusCode::OK, identity),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "error": reason.to_string() }),
        ),
    };
    let mut bytes = serde_json::to_vec_pretty(&body).unwrap_or_default();
    bytes.push(b'\n');
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    // Never cached by a proxy or a browser: a cached answer would be served without the
    // secret.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use axum::Router;
    use std::net::SocketAddr;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn secret() -> String {
        // 64 hex digits built at run time.
        (0..64u32)
            .map(|i| char::from_digit((i * 11 + 5) % 16, 16).unwrap())
            .collect()
    }

    fn app(custom_fallback: bool) -> Router {
        let r = Router::new()
            .route("/healthz", get(|| async { "ok" }))
            .route(
                "/api/orgs",
                get(|| async { "[]" }).post(|| async { "created" }),
            );
        if custom_fallback {
            r.fallback(|| async {
                (
                    StatusCode::NOT_FOUND,
                    [(header::CONTENT_TYPE, "application/json")],
                    "{\"error\":\"not found\"}",
                )
            })
        } else {
            r
        }
    }

    fn layer() -> DebugLayer {
        let source: IdentitySource =
            Arc::new(|| Box::pin(async { Ok(serde_json::json!({"database": "koomy_sandbox"})) }));
        DebugLayer::new(secret().as_bytes(), source).unwrap()
    }

    async fn serve(router: Router) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        addr
    }

    /// The raw bytes of the response, with the `date` value (which changes every second)
    /// masked.
    async fn raw(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut req = format!("{method} {path} HTTP/1.1\r\nhost: api-sandbox.koomy.app\r\n");
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("connection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.unwrap();
        let text = String::from_utf8(out).unwrap();
        text.lines()
            .map(|l| {
                if l.to_ascii_lowercase().starts_with("date:") {
                    "date: <masked>"
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];
    const PATHS: &[&str] = &[
        "/api/_debug/db-identity",
        "/api/_debug/db-identity/",
        "/api/_debug/db-identity?full=1",
        "/api/_debug/DB-IDENTITY",
        "/api/_debug/",
        "/api/_debug/nope",
        "/api/_debug/db-identity/../db-identity",
    ];

    #[tokio::test]
    async fn without_the_secret_every_debug_request_is_an_unknown_route() {
        let good = secret();
        let wrong = format!("{}0", &good[..63]);
        // (Leading and trailing blanks are not part of an HTTP header value: `" {good}"` is
        // the secret on the wire, so the look-alikes differ inside the value.)
        let padded = format!("{good}0");
        let upper = good.to_uppercase();
        for custom in [true, false] {
            let guarded = serve(app(custom).layer(layer())).await;
            let plain = serve(app(custom)).await;
            for method in METHODS {
                for path in PATHS {
                    let header_sets: Vec<Vec<(&str, &str)>> = vec![
                        vec![],
                        vec![("x-debug-secret", wrong.as_str())],
                        vec![("x-debug-secret", padded.as_str())],
                        vec![("X-Debug-Secret", "")],
                        vec![("x-debug-secret", upper.as_str())],
                        vec![("x-debug-secrets", good.as_str())],
                        vec![
                            ("x-debug-secret", good.as_str()),
                            ("x-debug-secret", good.as_str()),
                        ],
                        // The right secret opens only GET on an exact endpoint.
                        vec![("x-debug-secret", good.as_str())],
                    ];
                    for headers in &header_sets {
                        let opens = *method == "GET"
                            && (*path == DB_IDENTITY || *path == "/api/_debug/db-identity?full=1")
                            && headers.len() == 1
                            && headers[0] == ("x-debug-secret", good.as_str());
                        let got = raw(guarded, method, path, headers).await;
                        if opens {
                            assert!(got.starts_with("HTTP/1.1 200 OK"), "{got}");
                            continue;
                        }
                        let unknown = raw(plain, method, "/no/such/route", headers).await;
                        let same_path = raw(plain, method, path, headers).await;
                        assert_eq!(got, unknown, "{method} {path} {headers:?}");
                        assert_eq!(got, same_path, "{method} {path} {headers:?}");
                        assert!(got.starts_with("HTTP/1.1 404 Not Found"), "{got}");
                        assert!(!got.contains(&good));
                    }
                }
            }
        }
    }

    #[tokio::test]
    async fn the_right_secret_gets_the_identity_never_cached() {
        let addr = serve(app(true).layer(layer())).await;
        let got = raw(addr, "GET", DB_IDENTITY, &[("X-Debug-Secret", &secret())]).await;
        assert!(got.starts_with("HTTP/1.1 200 OK"), "{got}");
        assert!(got.contains("content-type: application/json"), "{got}");
        assert!(got.contains("cache-control: no-store"), "{got}");
        assert!(got.contains("\"database\": \"koomy_sandbox\""), "{got}");
        assert!(!got.contains(&secret()));
        // Other routes are untouched.
        let health = raw(addr, "GET", "/healthz", &[]).await;
        assert!(
            health.starts_with("HTTP/1.1 200 OK") && health.ends_with("ok"),
            "{health}"
        );
        let wrong_method = raw(addr, "DELETE", "/api/orgs", &[]).await;
        assert!(wrong_method.starts_with("HTTP/1.1 405"), "{wrong_method}");
    }

    #[test]
    fn debug_of_the_layer_shows_nothing() {
        assert_eq!(format!("{:?}", layer()), "DebugLayer(****)");
    }
}
