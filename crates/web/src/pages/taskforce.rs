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

use axum::http::StatusCode;
use axum::response::IntoResponse;
use synergies_app::cooperation::NewActionItem;

use super::common::{
    confirmed, field, key_of, render, run, Chrome, Fields, FormState, PageCaller, PageError,
    PageResult,
};
use crate::cooperation::set_action_status;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/taskforce", get(taskforce_page))
        .route("/taskforce/actions", post(add_action))
        .route("/taskforce/actions/status", post(action_status))
}

#[derive(Template)]
#[template(path = "taskforce.html")]
struct TaskForcePage {
    c: Chrome,
    tf: TaskForce,
    can_manage: bool,
    /// The new action item's form: what was typed and why it was refused.
    f: FormState,
    organisations: Vec<String>,
}

impl TaskForcePage {
    fn status(&self, s: &ActionStatus) -> String {
        key_of(s)
    }
}

async fn taskforce_page(State(state): State<AppState>, pc: PageCaller) -> PageResult {
    taskforce_with(&state, &pc, FormState::default(), StatusCode::OK).await
}

async fn taskforce_with(
    state: &AppState,
    pc: &PageCaller,
    f: FormState,
    status: StatusCode,
) -> PageResult {
    pc.business()?;
    let (tf, organisations) = run(state, pc, |s| {
        Ok((
            synergies_app::cooperation::task_force(s)?,
            s.framework()?
                .organisations
                .into_iter()
                .map(|o| o.code)
                .collect(),
        ))
    })
    .await?;
    let can_manage = pc.caller.actor().may(&Action::ManageActionItems);
    Ok((
        status,
        render(&TaskForcePage {
            c: pc.chrome(),
            tf,
            can_manage,
            f,
            organisations,
        }),
    )
        .into_response())
}

/// Adds an action item (a member of the task force); a refused form comes back with every
/// problem beside its field.
async fn add_action(
    State(state): State<AppState>,
    pc: PageCaller,
    Form(values): Form<Fields>,
) -> PageResult {
    pc.csrf(&field(&values, "csrf"))?;
    let new = NewActionItem {
        code: field(&values, "code"),
        title: field(&values, "title"),
        owner: field(&values, "owner"),
        due: field(&values, "due"),
        meeting: field(&values, "meeting"),
        activity: field(&values, "activity"),
    };
    let actor = pc.caller.actor();
    let outcome = state
        .run(move |s| {
            Ok(new.item().and_then(|item| {
                synergies_app::cooperation::add_action(s, item.clone(), &actor)?;
                Ok(item)
            }))
        })
        .await
        .map_err(|p| pc.problem(p))?;
    match outcome {
        Ok(item) => Ok(confirmed(
            &state,
            "/taskforce",
            "done-action-created",
            &item.code,
        )),
        Err(e) => match FormState::of_fields(values, &e, pc.lang) {
            Some(form) => taskforce_with(&state, &pc, form, StatusCode::UNPROCESSABLE_ENTITY).await,
            None => Err(pc.problem(crate::error::Problem::from(e))),
        },
    }
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
