//! Agreements: listed and read, drafted, proposed, approved by the head of every party, amended.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use synergies_domain::agreement::VersionStatus;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{csrf, list, today, Answer, Body, Params};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, Problem, ProblemDocument};
use crate::state::AppState;
use crate::views::{self, AgreementView};

/// This resource's routes and their descriptions.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_agreements, create_agreement))
        .routes(routes!(get_agreement))
        .routes(routes!(propose_agreement))
        .routes(routes!(approve_agreement))
        .routes(routes!(amend_agreement))
}

list!(
    /// A page of agreements.
    AgreementList of AgreementView,
    /// How many agreements match the filters.
    total: usize,
    offset: u32,
    limit: u64,
);

/// An agreement just approved, and whether the approval put it in force.
#[derive(Serialize, ToSchema)]
pub struct Approved {
    #[serde(flatten)]
    pub agreement: AgreementView,
    /// Whether this approval was the last one needed, so that the version is now in force.
    pub activated: bool,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgreementQuery {
    /// Only agreements where this organisation is provider or payer.
    pub organisation: Option<String>,
    /// `draft`, `proposed`, `active`, … (the latest version's status).
    pub status: Option<String>,
    /// Rows to skip.
    #[serde(default)]
    #[param(value_type = i64, minimum = 0, maximum = 4294967295_i64)]
    pub offset: u32,
    /// At most 500; 50 by default.
    pub limit: Option<u64>,
}

/// Agreements, filtered and paged.
#[utoipa::path(get, path = "/api/v1/agreements", tag = "agreements", security(("token" = [])),
    params(AgreementQuery), responses((status = 200, body = AgreementList),
        (status = 400, body = ProblemDocument, content_type = "application/problem+json")))]
async fn list_agreements(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Params(q): Params<AgreementQuery>,
) -> ApiResult<Answer<AgreementList>> {
    c.must_read_business_data()?;
    let limit = views::limit(q.limit)?;
    if let Some(s) = q
        .status
        .as_deref()
        .filter(|s| VersionStatus::parse(s).is_none())
    {
        return Err(Problem::bad_request(format!(
            "{s:?} is not an agreement status (draft, proposed, active, superseded, withdrawn)"
        )));
    }
    let list = state.run(|s| Ok(s.agreements()?)).await?;
    let filtered: Vec<_> = list
        .into_iter()
        .filter(|a| {
            q.organisation
                .as_ref()
                .is_none_or(|o| a.parties().contains(o))
        })
        .filter(|a| {
            q.status
                .as_ref()
                .is_none_or(|s| a.latest().status.as_str() == s)
        })
        .collect();
    let total = filtered.len();
    let items = filtered
        .iter()
        .skip(q.offset as usize)
        .take(limit as usize)
        .map(AgreementView::of)
        .collect();
    Ok(Answer(AgreementList {
        items,
        total,
        offset: q.offset,
        limit,
    }))
}

/// One agreement with every version and its approval trail.
#[utoipa::path(get, path = "/api/v1/agreements/{code}", tag = "agreements", security(("token" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = AgreementView),
              (status = 404, body = ProblemDocument, content_type = "application/problem+json")))]
async fn get_agreement(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Answer<AgreementView>> {
    c.must_read_business_data()?;
    let a = state
        .run(move |s| {
            s.agreement(&code)?
                .ok_or_else(|| Problem::not_found(format!("unknown agreement {code}")))
        })
        .await?;
    Ok(Answer(AgreementView::of(&a)))
}

/// Drafts an agreement with the caller's organisation as provider.
#[utoipa::path(post, path = "/api/v1/agreements", tag = "agreements", security(("token" = [])),
    request_body = synergies_app::agreements::NewAgreement,
    responses((status = 201, body = AgreementView),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn create_agreement(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(new): Body<synergies_app::agreements::NewAgreement>,
) -> ApiResult<(StatusCode, Answer<AgreementView>)> {
    csrf(&c, &headers)?;
    let a = state
        .act(move |s| synergies_app::agreements::draft(s, &c.actor(), &new))
        .await?;
    Ok((StatusCode::CREATED, Answer(AgreementView::of(&a))))
}

/// Proposes a draft to the heads of its parties.
#[utoipa::path(post, path = "/api/v1/agreements/{code}/propose", tag = "agreements",
    security(("token" = [])), params(("code" = String, Path)),
    responses((status = 200, body = AgreementView),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn propose_agreement(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> ApiResult<Answer<AgreementView>> {
    csrf(&c, &headers)?;
    let a = state
        .act(move |s| synergies_app::agreements::propose(s, &c.actor(), &code))
        .await?;
    Ok(Answer(AgreementView::of(&a)))
}

/// The caller approves as head of a party; the agreement becomes active when the heads of
/// every party have approved.
#[utoipa::path(post, path = "/api/v1/agreements/{code}/approve", tag = "agreements",
    security(("token" = [])), params(("code" = String, Path)),
    responses((status = 200, body = Approved),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn approve_agreement(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> ApiResult<Answer<Approved>> {
    csrf(&c, &headers)?;
    let (a, activated) = state
        .act(move |s| synergies_app::agreements::approve(s, &c.actor(), &code, None, today()))
        .await?;
    Ok(Answer(Approved {
        agreement: AgreementView::of(&a),
        activated,
    }))
}

/// A head of a party proposes new terms: a new version that every head must approve.
#[utoipa::path(post, path = "/api/v1/agreements/{code}/amend", tag = "agreements",
    security(("token" = [])), params(("code" = String, Path)), request_body = synergies_app::agreements::NewAgreement,
    responses((status = 200, body = AgreementView),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn amend_agreement(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Path(code): Path<String>,
    Body(terms): Body<synergies_app::agreements::NewAgreement>,
) -> ApiResult<Answer<AgreementView>> {
    csrf(&c, &headers)?;
    let a = state
        .act(move |s| synergies_app::agreements::amend_typed(s, &c.actor(), &code, &terms))
        .await?;
    Ok(Answer(AgreementView::of(&a)))
}
