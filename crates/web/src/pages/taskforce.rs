//! The task-force page: members, meetings with minutes, action items and their status.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use synergies_app::cooperation::TaskForce;
use synergies_domain::access::Action;
use synergies_domain::cooperation::ActionStatus;

use super::common::{confirmed, key_of, render, Chrome, PageCaller, PageError, PageResult};
use crate::cooperation::set_action_status;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/taskforce", get(taskforce_page))
        .route("/taskforce/actions/status", post(action_status))
}

#[derive(Template)]
#[template(path = "taskforce.html")]
struct TaskForcePage {
    c: Chrome,
    tf: TaskForce,
    can_manage: bool,
}

impl TaskForcePage {
    fn status(&self, s: &ActionStatus) -> String {
        key_of(s)
    }
}

async fn taskforce_page(State(state): State<AppState>, pc: PageCaller) -> PageResult {
    pc.business()?;
    let tf = state
        .run(|s| Ok(synergies_app::cooperation::task_force(s)?))
        .await
        .map_err(|p| pc.problem(p))?;
    let can_manage = pc.caller.actor().may(&Action::ManageActionItems);
    Ok(render(&TaskForcePage {
        c: pc.chrome(),
        tf,
        can_manage,
    }))
}

#[derive(Deserialize)]
pub struct ActionStatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    status: String,
}

async fn action_status(
    State(state): State<AppState>,
    pc: PageCaller,
    Form(f): Form<ActionStatusForm>,
) -> Result<Response, PageError> {
    pc.csrf(&f.csrf)?;
    let caller = pc.caller.clone();
    let code = f.code.clone();
    state
        .act(move |s| set_action_status(s, &caller, &f.code, &f.status))
        .await
        .map_err(|p| pc.problem(p))?;
    Ok(confirmed(
        &state,
        "/taskforce",
        "done-action-updated",
        &code,
    ))
}
