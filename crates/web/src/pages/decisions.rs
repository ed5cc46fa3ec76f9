//! The decisions page: the registry and where each mandate stands, with the form that records
//! a dated note.

use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use synergies_app::decisions::MandateView;
use synergies_domain::mandate::MandateStatus;
use synergies_store::DecisionRecord;

use super::common::{confirmed, render, Chrome, PageCaller, PageResult};
use crate::cooperation::track_mandate;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/decisions", get(decisions_page))
        .route("/mandates/notes", post(mandate_note))
}

#[derive(Template)]
#[template(path = "decisions.html")]
struct DecisionsPage {
    c: Chrome,
    decisions: Vec<DecisionRecord>,
    mandates: Vec<MandateView>,
    statuses: Vec<&'static str>,
}

async fn decisions_page(State(state): State<AppState>, pc: PageCaller) -> PageResult {
    pc.business()?;
    let (decisions, mandates) = state
        .run(|s| Ok((s.decisions()?, synergies_app::decisions::mandates(s, None)?)))
        .await
        .map_err(|p| pc.problem(p))?;
    Ok(render(&DecisionsPage {
        c: pc.chrome(),
        decisions,
        mandates,
        statuses: MandateStatus::ALL.iter().map(|s| s.as_str()).collect(),
    }))
}

#[derive(Deserialize)]
pub struct MandateNoteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    paragraph: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
}

async fn mandate_note(
    State(state): State<AppState>,
    pc: PageCaller,
    Form(f): Form<MandateNoteForm>,
) -> PageResult {
    pc.csrf(&f.csrf)?;
    let caller = pc.caller.clone();
    let mandate = format!("{} {}", f.decision, f.paragraph);
    state
        .act(move |s| track_mandate(s, &caller, &f.decision, &f.paragraph, &f.status, &f.note))
        .await
        .map_err(|p| pc.problem(p))?;
    Ok(confirmed(
        &state,
        "/decisions",
        "done-mandate-updated",
        &mandate,
    ))
}
