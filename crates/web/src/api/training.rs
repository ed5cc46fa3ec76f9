//! Training events for chairs and potential negotiators, with participants by UN regional group
//! and gender.

use axum::extract::State;
use axum::http::HeaderMap;
use serde::Serialize;
use synergies_domain::cooperation::{Gender, RegionalGroup, TrainingEvent};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{csrf, list, Answer, Body};
use crate::auth::ApiCaller;
use crate::error::ApiResult;
use crate::state::AppState;

/// This resource's routes and their descriptions.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_training, add_training_event))
}

list!(
    /// Training events with their participants counted.
    TrainingList of TrainingItem
);

/// A training event and how many of its participants are of each regional group and gender.
#[derive(Serialize, ToSchema)]
pub struct TrainingItem {
    pub event: TrainingEvent,
    pub participants_by_region_and_gender: Vec<ParticipantCount>,
}

/// How many participants of an event are of one regional group and gender.
#[derive(Serialize, ToSchema)]
pub struct ParticipantCount {
    pub region: RegionalGroup,
    pub gender: Gender,
    pub participants: u32,
}

/// Training events for chairs and potential negotiators, with participants by UN regional
/// group and gender.
#[utoipa::path(get, path = "/api/v1/training", tag = "cooperation", security(("token" = [])),
    responses((status = 200, body = TrainingList)))]
pub async fn list_training(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Answer<TrainingList>> {
    c.must_read_business_data()?;
    let events = state
        .run(|s| Ok(synergies_app::cooperation::events(s)?))
        .await?;
    let items = events
        .into_iter()
        .map(|event| TrainingItem {
            participants_by_region_and_gender: event
                .by_region_and_gender()
                .into_iter()
                .map(|((region, gender), participants)| ParticipantCount {
                    region,
                    gender,
                    participants,
                })
                .collect(),
            event,
        })
        .collect();
    Ok(Answer(TrainingList { items }))
}

/// Records a new training event (its JSON, as `GET /api/v1/training` lists them): an officer
/// of an organisation that contributes to it.
#[utoipa::path(post, path = "/api/v1/training", tag = "cooperation", security(("token" = [])),
    request_body = TrainingEvent,
    responses((status = 201, body = TrainingEvent),
              (status = 403, body = crate::error::ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = crate::error::ProblemDocument, content_type = "application/problem+json")))]
pub async fn add_training_event(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(e): Body<TrainingEvent>,
) -> ApiResult<(axum::http::StatusCode, Answer<TrainingEvent>)> {
    csrf(&c, &headers)?;
    let created = state
        .act(move |s| {
            synergies_app::cooperation::create_event(s, &c.actor(), &e)?;
            Ok(e)
        })
        .await?;
    Ok((axum::http::StatusCode::CREATED, Answer(created)))
}
