//! The audit trail: who did what, when, with the record before and after.

use axum::extract::State;
use serde::Deserialize;
use synergies_store::{AuditEvent, AuditFilter};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{list, Answer, Params};
use crate::auth::ApiCaller;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::views;

/// This resource's routes and their descriptions.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit_trail))
}

list!(
    /// A page of the audit trail, newest first.
    AuditList of AuditEvent,
    limit: u64,
);

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub subject: Option<String>,
    /// Events older than this id (the next page).
    pub before: Option<i64>,
    pub limit: Option<u64>,
}

/// The audit trail, newest first: who did what, when, with the record before and after.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("token" = [])),
    params(AuditQuery), responses((status = 200, body = AuditList)))]
async fn audit_trail(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Params(q): Params<AuditQuery>,
) -> ApiResult<Answer<AuditList>> {
    c.must_read_business_data()?;
    let limit = views::limit(q.limit)?;
    let filter = AuditFilter {
        actor: q.actor,
        subject: q.subject,
        before_id: q.before,
    };
    let items = state
        .run(move |s| Ok(s.audit_events(&filter, limit)?))
        .await?;
    Ok(Answer(AuditList { items, limit }))
}
