//! The JSON API under `/api/v1`. Each handler is declared once, with its OpenAPI description
//! beside it (`#[utoipa::path]`), in the module of its resource, whose router registers it
//! through `OpenApiRouter`; this module merges them, so the document at `/api/v1/openapi.json`
//! lists exactly the routes the server has. What the resources share (extractors, answers,
//! the list macro) is [`common`]'s; no resource module uses another.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::error::{Problem, ProblemDocument};
use crate::state::AppState;

pub mod common;

mod activities;
mod agreements;
mod audit;
mod decisions;
mod deliveries;
mod identity;
mod ledger;
mod reference;
mod reports;
mod taskforce;
mod training;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Synergies API",
        description = "Cost recovery and cooperation between treaty secretariats. Scripts \
                       authenticate with a personal API token (`Authorization: Bearer …`), which \
                       `POST /api/v1/auth/token` gives for a username and password. Errors are \
                       RFC 9457 problem documents.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    components(schemas(ProblemDocument))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "token",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

/// The API's routes and their OpenAPI document.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(identity::router())
        .merge(reference::router())
        .merge(agreements::router())
        .merge(deliveries::router())
        .merge(ledger::router())
        .merge(audit::router())
        .merge(decisions::router())
        .merge(activities::router())
        .merge(training::router())
        .merge(taskforce::router())
        .merge(reports::router())
        .route("/api/v1/{*rest}", axum::routing::any(unknown_route))
        .layer(axum::middleware::map_response(problem_documents))
        .split_for_parts();
    let mut openapi = openapi;
    document_common_problems(&mut openapi);
    describe_every_response(&mut openapi);
    (router, openapi)
}

/// OpenAPI requires a description of every response: one that its operation does not describe
/// is described by its status's reason phrase (`OK`, `Created`, `Not Found`, …).
fn describe_every_response(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.head,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for op in operations.into_iter().flatten() {
            for (status, response) in op.responses.responses.iter_mut() {
                if let RefOr::T(r) = response {
                    if r.description.is_empty() {
                        r.description = status
                            .parse::<u16>()
                            .ok()
                            .and_then(|n| StatusCode::from_u16(n).ok())
                            .and_then(|s| s.canonical_reason())
                            .unwrap_or("the answer")
                            .to_string();
                    }
                }
            }
        }
    }
}

/// Documents on every operation the problems that its shape alone can give, whatever its
/// handler does: 401 where a token is needed, 403 where a signed-in caller changes data (the
/// rules of who may do what, the CSRF token of a session), 400 where a path or query parameter
/// or a body may not parse, 404 where a path names a resource, 413/415/422 where a body is
/// read (too large, another content type, wrong types). Statuses an operation documents itself
/// keep their description.
fn document_common_problems(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    fn add(op: &mut Operation, status: u16, description: &str) {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content(
                            "application/problem+json",
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("ProblemDocument")))
                                .build(),
                        )
                        .build(),
                )
            });
    }
    fn has(op: &Operation, place: ParameterIn) -> bool {
        op.parameters.iter().flatten().any(|p| match p {
            RefOr::T(Parameter { parameter_in, .. }) => *parameter_in == place,
            RefOr::Ref(_) => false,
        })
    }
    for item in openapi.paths.paths.values_mut() {
        let reads = [&mut item.get, &mut item.head]
            .into_iter()
            .flatten()
            .map(|op| (op, false));
        let writes = [
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        .map(|op| (op, true));
        for (op, changes) in reads.chain(writes) {
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            if secured {
                add(
                    op,
                    401,
                    "no valid credentials: sign in or send a personal API token",
                );
                if changes {
                    add(op, 403, "the caller may not do this");
                }
            }
            if has(op, ParameterIn::Path) {
                add(op, 400, "a path parameter that does not parse");
                add(op, 404, "no such resource");
            }
            if has(op, ParameterIn::Query) {
                add(op, 400, "a query parameter that does not parse");
                add(op, 422, "a query parameter out of its range");
            }
            if op.request_body.is_some() {
                add(op, 400, "a body that does not parse");
                add(op, 413, "a body over the size limit");
                add(op, 415, "a body of another content type");
                add(
                    op,
                    422,
                    "a body that does not hold what the operation takes",
                );
            }
        }
    }
}

async fn unknown_route() -> Problem {
    Problem::not_found("there is no such resource in the API; its document is /api/v1/openapi.json")
}

/// Makes every error of the API a problem document, including those that axum answers by
/// itself (a path segment that is not UTF-8, a body over the limit, a method the route has
/// not), whose detail is axum's text or else the status.
async fn problem_documents(response: Response) -> Response {
    use axum::http::header::{ALLOW, CONTENT_TYPE};
    let status = response.status();
    let is_problem = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v == "application/problem+json");
    if is_problem || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let detail = match (text.is_empty(), status) {
        (false, _) => text,
        (true, StatusCode::METHOD_NOT_ALLOWED) => "this resource does not take that method".into(),
        (true, _) => status.canonical_reason().unwrap_or("error").to_string(),
    };
    let mut problem = Problem::new(status, detail).into_response();
    if let Some(allow) = parts.headers.get(ALLOW) {
        problem.headers_mut().insert(ALLOW, allow.clone());
    }
    problem
}
