//! Cooperation activities: a biennium's activities priced, a new activity, its status and each
//! organisation's own contribution.

use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use synergies_app::activities::PricedActivity;
use synergies_domain::activity::Activity;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{csrf, list, Answer, Body, Params};
use crate::auth::ApiCaller;
use crate::cooperation::{priced, set_activity_status, BienniumQuery};
use crate::error::ApiResult;
use crate::state::AppState;

/// This resource's routes and their descriptions.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_activities, add_activity))
        .routes(routes!(change_activity_status))
        .routes(routes!(record_contribution))
}

list!(
    /// The activities of a biennium, priced.
    ActivityList of PricedActivity,
    /// The biennium listed.
    biennium: String,
);

/// Cooperation activities of a biennium, priced at its rate cards, with their actual cost
/// where agreements carry it.
#[utoipa::path(get, path = "/api/v1/activities", tag = "activities", security(("token" = [])),
    params(BienniumQuery), responses((status = 200, body = ActivityList),
        (status = 404, body = crate::error::ProblemDocument, content_type = "application/problem+json")))]
pub async fn list_activities(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Params(q): Params<BienniumQuery>,
) -> ApiResult<Answer<ActivityList>> {
    c.must_read_business_data()?;
    let (biennium, items) = state.run(move |s| priced(s, q.biennium)).await?;
    Ok(Answer(ActivityList { items, biennium }))
}

/// Records a new cooperation activity (the JSON of an activity, as `GET /api/v1/activities`
/// lists them): an officer of its lead organisation.
#[utoipa::path(post, path = "/api/v1/activities", tag = "activities", security(("token" = [])),
    request_body = Activity,
    responses((status = 201, body = Activity),
              (status = 403, body = crate::error::ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = crate::error::ProblemDocument, content_type = "application/problem+json")))]
pub async fn add_activity(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(a): Body<Activity>,
) -> ApiResult<(axum::http::StatusCode, Answer<Activity>)> {
    csrf(&c, &headers)?;
    let created = state
        .act(move |s| {
            synergies_app::activities::create(s, &c.actor(), &a)?;
            Ok(a)
        })
        .await?;
    Ok((axum::http::StatusCode::CREATED, Answer(created)))
}

#[derive(Deserialize, ToSchema)]
pub struct ActivityStatusInput {
    pub code: String,
    /// Needed when the code is used in several bienniums.
    pub biennium: Option<String>,
    /// `planned`, `ongoing`, `completed`, `postponed` or `cancelled`.
    pub status: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ContributionInput {
    pub code: String,
    /// Needed when the code is used in several bienniums.
    pub biennium: Option<String>,
    /// `{"organisation": "BRS", "fund": "BC", "staff": [{"grade": "P-4", "days": "8"}],
    /// "non_staff_minor": 0}`: replaces what the organisation recorded from that fund.
    pub contribution: synergies_domain::activity::Contribution,
}

/// Records an organisation's own contribution to an activity it leads or takes part in (an
/// officer, finance officer or head of that organisation).
#[utoipa::path(post, path = "/api/v1/activities/contributions", tag = "activities", security(("token" = [])),
    request_body = ContributionInput,
    responses((status = 200, body = Activity),
              (status = 403, body = crate::error::ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = crate::error::ProblemDocument, content_type = "application/problem+json")))]
pub async fn record_contribution(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(a): Body<ContributionInput>,
) -> ApiResult<Answer<Activity>> {
    csrf(&c, &headers)?;
    let after = state
        .act(move |s| {
            synergies_app::activities::set_contribution(
                s,
                &a.code,
                a.biennium.as_deref(),
                a.contribution,
                &c.actor(),
            )
        })
        .await?;
    Ok(Answer(after))
}

/// Sets an activity's status (an officer of its lead organisation).
#[utoipa::path(post, path = "/api/v1/activities/status", tag = "activities", security(("token" = [])),
    request_body = ActivityStatusInput,
    responses((status = 200, body = Activity),
              (status = 403, body = crate::error::ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = crate::error::ProblemDocument, content_type = "application/problem+json")))]
pub async fn change_activity_status(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(a): Body<ActivityStatusInput>,
) -> ApiResult<Answer<Activity>> {
    csrf(&c, &headers)?;
    let after = state
        .act(move |s| set_activity_status(s, &c, &a.code, a.biennium.as_deref(), &a.status))
        .await?;
    Ok(Answer(after))
}
