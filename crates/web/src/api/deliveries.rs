//! Deliveries: listed, recorded one by one or imported from CSV by the provider, accepted or
//! disputed by the recipient.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use synergies_app::import::ImportReport;
use synergies_domain::delivery::{DeliveryStatus, StoredDelivery};
use synergies_store::{DeliveryFilter, Page};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{csrf, list, today, Answer, Body, Params};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, Problem, ProblemDocument};
use crate::state::AppState;
use crate::views;

/// This resource's routes and their descriptions.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_deliveries, record_delivery))
        .routes(routes!(import_deliveries))
        .routes(routes!(accept_deliveries))
        .routes(routes!(dispute_delivery))
}

list!(
    /// A page of deliveries.
    DeliveryList of StoredDelivery,
    offset: u64,
    limit: u64,
);

/// How many deliveries were accepted.
#[derive(Serialize, ToSchema)]
pub struct Accepted {
    pub accepted: u64,
}

/// The delivery is disputed.
#[derive(Serialize, ToSchema)]
pub struct Disputed {
    /// Always `true`.
    pub disputed: bool,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// One agreement's deliveries, in the order of their external ids.
    pub agreement: Option<String>,
    /// `recorded`, `accepted` or `disputed`.
    pub status: Option<String>,
    /// Rows to skip.
    #[serde(default)]
    #[param(value_type = i64, minimum = 0, maximum = 4294967295_i64)]
    pub offset: u32,
    /// At most 500; 50 by default.
    pub limit: Option<u64>,
}

/// Deliveries, newest first or by agreement, filtered and paged.
#[utoipa::path(get, path = "/api/v1/deliveries", tag = "deliveries", security(("token" = [])),
    params(DeliveryQuery), responses((status = 200, body = DeliveryList),
        (status = 400, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json")))]
async fn list_deliveries(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Params(q): Params<DeliveryQuery>,
) -> ApiResult<Answer<DeliveryList>> {
    c.must_read_business_data()?;
    let limit = views::limit(q.limit)?;
    let status = q
        .status
        .as_deref()
        .map(|s| {
            DeliveryStatus::parse(s).ok_or_else(|| {
                Problem::bad_request(format!(
                    "{s:?} is not a delivery status (recorded, accepted, disputed)"
                ))
            })
        })
        .transpose()?;
    let filter = DeliveryFilter {
        agreement: q.agreement.clone(),
        status,
        ..DeliveryFilter::default()
    };
    let offset = u64::from(q.offset);
    let items = state
        .run(move |s| Ok(s.deliveries_page(&filter, Page { offset, limit })?))
        .await?;
    Ok(Answer(DeliveryList {
        items,
        offset,
        limit,
    }))
}

/// Records one delivery as the provider.
#[utoipa::path(post, path = "/api/v1/deliveries", tag = "deliveries", security(("token" = [])),
    request_body = synergies_app::deliveries::NewDelivery,
    responses((status = 201, body = ImportReport),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn record_delivery(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(d): Body<synergies_app::deliveries::NewDelivery>,
) -> ApiResult<(StatusCode, Answer<ImportReport>)> {
    csrf(&c, &headers)?;
    let report = state
        .act(move |s| synergies_app::deliveries::record(s, &c.actor(), &d))
        .await?;
    Ok((StatusCode::CREATED, Answer(report)))
}

/// Records deliveries from a CSV file (body `text/csv`, header
/// `agreement,service,date,quantity,grade,expense_amount,expense_currency,description,external_id`).
/// All or nothing: a bad row refuses the file, with every bad line listed.
#[utoipa::path(post, path = "/api/v1/deliveries/import", tag = "deliveries",
    security(("token" = [])), request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportReport),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn import_deliveries(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Answer<ImportReport>)> {
    csrf(&c, &headers)?;
    let report = state
        .act(move |s| {
            synergies_app::import::import_deliveries(
                s,
                &synergies_app::import::BytesSource {
                    name: "upload",
                    bytes: &body,
                },
                &mut |_| {},
                &c.actor(),
            )
        })
        .await?;
    Ok((StatusCode::CREATED, Answer(report)))
}

#[derive(Deserialize, ToSchema)]
pub struct Acceptance {
    pub agreement: String,
    /// Accept deliveries dated up to this day (YYYY-MM-DD); all when left out.
    pub through: Option<chrono::NaiveDate>,
}

/// The recipient accepts an agreement's recorded deliveries.
#[utoipa::path(post, path = "/api/v1/deliveries/accept", tag = "deliveries",
    security(("token" = [])), request_body = Acceptance,
    responses((status = 200, body = Accepted),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 404, body = ProblemDocument, content_type = "application/problem+json")))]
async fn accept_deliveries(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(a): Body<Acceptance>,
) -> ApiResult<Answer<Accepted>> {
    csrf(&c, &headers)?;
    let n = state
        .act(move |s| {
            synergies_app::deliveries::accept(s, Some(&a.agreement), a.through, today(), &c.actor())
        })
        .await?;
    Ok(Answer(Accepted { accepted: n }))
}

#[derive(Deserialize, ToSchema)]
pub struct Dispute {
    pub agreement: String,
    pub external_id: String,
    pub reason: String,
}

/// The recipient disputes one recorded delivery.
#[utoipa::path(post, path = "/api/v1/deliveries/dispute", tag = "deliveries",
    security(("token" = [])), request_body = Dispute,
    responses((status = 200, body = Disputed),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 404, body = ProblemDocument, content_type = "application/problem+json")))]
async fn dispute_delivery(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(d): Body<Dispute>,
) -> ApiResult<Answer<Disputed>> {
    csrf(&c, &headers)?;
    state
        .act(move |s| {
            synergies_app::deliveries::dispute(
                s,
                &d.agreement,
                &d.external_id,
                &d.reason,
                &c.actor(),
            )
        })
        .await?;
    Ok(Answer(Disputed { disputed: true }))
}
