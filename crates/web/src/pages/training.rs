//! The training page: events with their participants by UN regional group and gender.

use askama::Template;
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use synergies_domain::cooperation::TrainingEvent;

use super::common::{key_of, render, Chrome, PageCaller, PageResult};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/training", get(training_page))
}

/// One event with its participants counted by region and gender.
pub struct EventView {
    pub event: TrainingEvent,
    pub stats: Vec<(String, String, u32)>,
}

#[derive(Template)]
#[template(path = "training.html")]
struct TrainingPage {
    c: Chrome,
    events: Vec<EventView>,
}

async fn training_page(State(state): State<AppState>, pc: PageCaller) -> PageResult {
    pc.business()?;
    let events = state
        .run(|s| Ok(synergies_app::cooperation::events(s)?))
        .await
        .map_err(|p| pc.problem(p))?;
    let events = events
        .into_iter()
        .map(|e| EventView {
            stats: e
                .by_region_and_gender()
                .into_iter()
                .map(|((r, g), n)| (key_of(&r), key_of(&g), n))
                .collect(),
            event: e,
        })
        .collect();
    Ok(render(&TrainingPage {
        c: pc.chrome(),
        events,
    }))
}
