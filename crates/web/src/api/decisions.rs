//! Decisions and their mandates: the registry, where each mandate stands, dated notes on them.

use axum::extract::State;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use synergies_app::decisions::MandateView;
use synergies_store::DecisionRecord;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{csrf, list, Answer, Body, Params};
use crate::auth::ApiCaller;
use crate::cooperation::track_mandate;
use crate::error::ApiResult;
use crate::state::AppState;

/// This resource's routes and their descriptions.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_decisions))
        .routes(routes!(list_mandates))
        .routes(routes!(add_mandate_note))
}

list!(
    /// The registry of decisions.
    DecisionList of DecisionRecord
);

list!(
    /// Mandates with what serves them.
    MandateList of MandateView
);

/// The mandate's note is recorded.
#[derive(Serialize, ToSchema)]
pub struct Recorded {
    /// Always `true`.
    pub recorded: bool,
}

/// The registry of decisions: number, treaty, type, meeting, status, adoption date, title and
/// structure per language.
#[utoipa::path(get, path = "/api/v1/decisions", tag = "decisions", security(("token" = [])),
    responses((status = 200, body = DecisionList)))]
pub async fn list_decisions(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Answer<DecisionList>> {
    c.must_read_business_data()?;
    let items = state.run(|s| Ok(s.decisions()?)).await?;
    Ok(Answer(DecisionList { items }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MandateQuery {
    /// One decision's mandates, e.g. `MC-6/20`.
    pub decision: Option<String>,
}

/// Mandates (what each operative paragraph asks), with their status and the agreements and
/// activities that serve them.
#[utoipa::path(get, path = "/api/v1/mandates", tag = "decisions", security(("token" = [])),
    params(MandateQuery), responses((status = 200, body = MandateList)))]
pub async fn list_mandates(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Params(q): Params<MandateQuery>,
) -> ApiResult<Answer<MandateList>> {
    c.must_read_business_data()?;
    let items = state
        .run(move |s| {
            Ok(synergies_app::decisions::mandates(
                s,
                q.decision.as_deref(),
            )?)
        })
        .await?;
    Ok(Answer(MandateList { items }))
}

#[derive(Deserialize, ToSchema)]
pub struct MandateNoteInput {
    pub decision: String,
    /// `3`, or `4(c)` for a sub-paragraph.
    pub paragraph: String,
    /// `active`, `implemented` or `superseded`.
    pub status: String,
    /// What was done: required.
    pub note: String,
}

/// Records where a mandate stands, with a dated note (an officer or the head of the
/// organisation that services the decision's treaty).
#[utoipa::path(post, path = "/api/v1/mandates/notes", tag = "decisions", security(("token" = [])),
    request_body = MandateNoteInput,
    responses((status = 200, body = Recorded),
              (status = 403, body = crate::error::ProblemDocument, content_type = "application/problem+json"),
              (status = 404, body = crate::error::ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = crate::error::ProblemDocument, content_type = "application/problem+json")))]
pub async fn add_mandate_note(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(n): Body<MandateNoteInput>,
) -> ApiResult<Answer<Recorded>> {
    csrf(&c, &headers)?;
    state
        .act(move |s| track_mandate(s, &c, &n.decision, &n.paragraph, &n.status, &n.note))
        .await?;
    Ok(Answer(Recorded { recorded: true }))
}
