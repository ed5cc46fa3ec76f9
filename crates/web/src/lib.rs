//! Synergies' web face: server-rendered pages in every language that has translations, and
//! the JSON API under `/api/v1` with its OpenAPI document. Handlers translate between HTTP and
//! the operations of [`ops`] (changes) and [`views`] (read models); the rules of who may do
//! what are the domain's `authorize`, applied in `ops`.

pub mod accounts;
pub mod api;
pub mod auth;
pub mod cooperation;
pub mod error;
pub mod ops;
pub mod pages;
pub mod reports;
pub mod state;
pub mod views;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::Router;
use synergies_store::Store;
use tower_http::set_header::SetResponseHeaderLayer;

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
    let main = Router::new()
        .merge(pages::router())
        .merge(cooperation::router())
        .merge(reports::router())
        .merge(api)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            mark_changes,
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
    let app = app(AppState::new(store, settings));
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
