//! The joint task force: members, meetings with minutes, action items and their status.

use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use synergies_app::cooperation::TaskForce;
use synergies_domain::cooperation::{ActionItem, TaskForceMeeting};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{csrf, Answer, Body};
use crate::auth::ApiCaller;
use crate::cooperation::set_action_status;
use crate::error::ApiResult;
use crate::state::AppState;

/// This resource's routes and their descriptions.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_meeting))
        .routes(routes!(add_action))
        .routes(routes!(task_force))
        .routes(routes!(change_action_status))
}

/// The joint task force: members, meetings with minutes, action items.
#[utoipa::path(get, path = "/api/v1/taskforce", tag = "cooperation", security(("token" = [])),
    responses((status = 200, body = TaskForce)))]
pub async fn task_force(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Answer<TaskForce>> {
    c.must_read_business_data()?;
    let tf = state
        .run(|s| Ok(synergies_app::cooperation::task_force(s)?))
        .await?;
    Ok(Answer(tf))
}

/// Records a task-force meeting with its minutes (task-force members).
#[utoipa::path(post, path = "/api/v1/taskforce/meetings", tag = "cooperation",
    security(("token" = [])), request_body = TaskForceMeeting,
    responses((status = 201, body = TaskForceMeeting),
              (status = 403, body = crate::error::ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = crate::error::ProblemDocument, content_type = "application/problem+json")))]
pub async fn add_meeting(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(m): Body<TaskForceMeeting>,
) -> ApiResult<(axum::http::StatusCode, Answer<TaskForceMeeting>)> {
    csrf(&c, &headers)?;
    let created = state
        .act(move |s| {
            synergies_app::cooperation::add_meeting(s, m.clone(), &c.actor())?;
            Ok(m)
        })
        .await?;
    Ok((axum::http::StatusCode::CREATED, Answer(created)))
}

/// Records a task-force action item with its owner and due date (task-force members).
#[utoipa::path(post, path = "/api/v1/taskforce/actions", tag = "cooperation",
    security(("token" = [])), request_body = ActionItem,
    responses((status = 201, body = ActionItem),
              (status = 403, body = crate::error::ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = crate::error::ProblemDocument, content_type = "application/problem+json")))]
pub async fn add_action(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(item): Body<ActionItem>,
) -> ApiResult<(axum::http::StatusCode, Answer<ActionItem>)> {
    csrf(&c, &headers)?;
    let created = state
        .act(move |s| {
            synergies_app::cooperation::add_action(s, item.clone(), &c.actor())?;
            Ok(item)
        })
        .await?;
    Ok((axum::http::StatusCode::CREATED, Answer(created)))
}

#[derive(Deserialize, ToSchema)]
pub struct ActionStatusInput {
    pub code: String,
    /// `open`, `done` or `cancelled`.
    pub status: String,
}

/// Sets a task-force action item's status (task-force members).
#[utoipa::path(post, path = "/api/v1/taskforce/actions/status", tag = "cooperation",
    security(("token" = [])), request_body = ActionStatusInput,
    responses((status = 200, body = ActionItem),
              (status = 403, body = crate::error::ProblemDocument, content_type = "application/problem+json"),
              (status = 404, body = crate::error::ProblemDocument, content_type = "application/problem+json")))]
pub async fn change_action_status(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(a): Body<ActionStatusInput>,
) -> ApiResult<Answer<ActionItem>> {
    csrf(&c, &headers)?;
    let after = state
        .act(move |s| set_action_status(s, &c, &a.code, &a.status))
        .await?;
    Ok(Answer(after))
}
