//! Synergies' web face: server-rendered pages in every language that has translations, and
//! the JSON API under `/api/v1` with its OpenAPI document. Handlers translate between HTTP and
//! the application services of `synergies_app` (every change: they authorise it with the
//! domain's `authorize` and audit it) and [`views`] (read models); a page shows a button only
//! when the caller's actor `may` do its action, the same answer the service gives.

pub mod api;
pub mod auth;
pub mod cooperation;
pub mod error;
pub mod pages;
pub mod reports;
pub mod state;
pub mod views;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, DefaultBodyLimit};
use axum::http::{header, HeaderValue, StatusCode};
use axum::Router;
use synergies_store::Store;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

pub use state::{AppState, Settings};

/// The largest request body: a CSV import of some tens of thousands of deliveries.
pub const MAX_BODY_BYTES: usize = 16 << 20;

/// The content security policy of every page: no inline script, nothing from elsewhere.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Swagger UI styles some elements inline; its page alone allows inline styles.
const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                        img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The whole application: pages, API, its document and Swagger UI, static files.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = api::router();
    let docs = Router::new()
        .merge(utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", openapi))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_CSP),
        ));
    let body_timeout = state.settings().body_timeout;
    let main = Router::new()
        .merge(pages::with_confirmations(pages::router(), state.clone()))
        .merge(api)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            mark_changes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            audit_refusals,
        ))
        // Pages, API answers and a new token's secret are the caller's own: no cache keeps
        // them (the static files say otherwise for themselves).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .with_state(state);
    Router::new()
        .merge(main)
        .merge(docs)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // A body that stops arriving ends the request (the server's connection settings bound
        // the headers).
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .layer(request_log())
}

/// The request log (`tracing`, target `synergies_web::request`): method, path without the query
/// (which may carry a secret), status, latency and client address. Headers (cookies,
/// `Authorization`) and bodies (passwords) are never logged.
#[allow(clippy::type_complexity)]
fn request_log() -> TraceLayer<
    tower_http::classify::SharedClassifier<tower_http::classify::ServerErrorsAsFailures>,
    impl Fn(&axum::http::Request<axum::body::Body>) -> tracing::Span + Clone,
    (),
    impl Fn(&axum::http::Response<axum::body::Body>, std::time::Duration, &tracing::Span) + Clone,
    (),
    (),
    (),
> {
    TraceLayer::new_for_http()
        .make_span_with(|request: &axum::http::Request<axum::body::Body>| {
            let client = request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_default();
            tracing::info_span!(
                target: "synergies_web::request",
                "request",
                method = %request.method(),
                path = request.uri().path(),
                client,
            )
        })
        .on_request(())
        .on_response(
            |response: &axum::http::Response<axum::body::Body>,
             latency: std::time::Duration,
             _: &tracing::Span| {
                tracing::info!(
                    target: "synergies_web::request",
                    status = response.status().as_u16(),
                    latency_ms = latency.as_millis() as u64,
                    "answered"
                );
            },
        )
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

/// Every refused action (403) is an audit event: who (when known), what was asked (method and
/// path, without the query), from which client.
async fn audit_refusals(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut credentials = axum::http::HeaderMap::new();
    for name in [header::AUTHORIZATION, header::COOKIE] {
        for v in request.headers().get_all(&name) {
            credentials.append(name.clone(), v.clone());
        }
    }
    let what = format!("{} {}", request.method(), request.uri().path());
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    let response = next.run(request).await;
    if response.status() == StatusCode::FORBIDDEN {
        let actor = match auth::caller(&state, &credentials).await {
            Ok(Some(c)) => c.user.username,
            _ => "anonymous".to_string(),
        };
        tracing::warn!(actor, what, client, "refused");
        let recorded = state
            .act(move |s| synergies_app::identity::record_refusal(s, &actor, &what, &client))
            .await;
        if let Err(p) = recorded {
            tracing::error!(detail = %p.detail, "a refusal could not be audited");
        }
    }
    response
}

/// Every request that may change data (anything but GET and HEAD) marks the cached read
/// models stale once it is done.
async fn mark_changes(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let changes = !matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    let response = next.run(request).await;
    if changes {
        state.data_changed();
    }
    response
}

/// Serves the application on `addr` until the process is interrupted. `ready` is called with
/// the bound address once the server accepts connections (port 0 picks a free port).
pub async fn serve(
    store: Arc<dyn Store>,
    addr: SocketAddr,
    settings: Settings,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    ready(listener.local_addr()?);
    serve_on(listener, AppState::new(store, settings), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

/// Serves the application on `listener` until `shutdown` completes, then lets the requests in
/// progress finish. Each connection (HTTP/1.1) has the settings' header timeout: a client that
/// has not sent a request's headers in time is disconnected, so half-sent requests cannot hold
/// the server's connections; handlers see the peer's address (`ConnectInfo`), which the
/// sign-in throttle counts by.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;

    let header_timeout = state.settings().header_timeout;
    let app = app(state);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, do not spin.
                    tracing::error!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service =
            app.clone()
                .map_request(move |mut r: axum::http::Request<hyper::body::Incoming>| {
                    r.extensions_mut().insert(ConnectInfo(peer));
                    r
                });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(
                TokioIo::new(stream),
                hyper_util::service::TowerToHyperService::new(service),
            );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    drop(listener);
    // Requests in progress finish; a client that will not let go is not waited for long.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(30), graceful.shutdown()).await;
    Ok(())
}
