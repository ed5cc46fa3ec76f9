//! Decisions and their mandates, cooperation activities, training of chairs and negotiators,
//! and the joint task force, on the web: their pages, and what their pages and their API
//! endpoints ([`crate::api`]) read the same way and call the application services with (which
//! authorise and audit every change).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use synergies_app::activities::{ActivityChange, PricedActivity};
use synergies_app::cooperation::TaskForce;
use synergies_app::decisions::MandateView;
use synergies_app::{AppError, AppResult};
use synergies_domain::access::Action;
use synergies_domain::activity::{Activity, ActivityStatus};
use synergies_domain::cooperation::{ActionItem, ActionStatus, TrainingEvent};
use synergies_domain::mandate::MandateStatus;
use synergies_store::{DecisionRecord, Store};
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::Problem;
use crate::pages::common::{render, see_other, Chrome, PageCaller, PageError, PageResult};
use crate::state::AppState;

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

// ---------------------------------------------------------------- input

/// The status a form or a request names, or its field's problem. The services decide who may
/// change what, and audit it.
fn mandate_status(status: &str) -> AppResult<MandateStatus> {
    MandateStatus::parse(status)
        .ok_or_else(|| AppError::field("status", "the status is active, implemented or superseded"))
}

fn parse_activity_status(status: &str) -> AppResult<ActivityStatus> {
    serde_json::from_value(json!(status)).map_err(|_| {
        AppError::field(
            "status",
            "the status is planned, ongoing, completed, postponed or cancelled",
        )
    })
}

fn parse_action_status(status: &str) -> AppResult<ActionStatus> {
    ActionStatus::parse(status)
        .ok_or_else(|| AppError::field("status", "the status is open, done or cancelled"))
}

/// Records where a mandate stands, with a dated note of today.
pub(crate) fn track_mandate(
    store: &dyn Store,
    caller: &Caller,
    decision: &str,
    paragraph: &str,
    status: &str,
    note: &str,
) -> AppResult<()> {
    synergies_app::decisions::update_mandate(
        store,
        decision,
        paragraph,
        mandate_status(status)?,
        note,
        today(),
        &caller.actor(),
    )
}

/// Sets an activity's status.
pub(crate) fn set_activity_status(
    store: &dyn Store,
    caller: &Caller,
    code: &str,
    biennium: Option<&str>,
    status: &str,
) -> AppResult<Activity> {
    let change = ActivityChange {
        status: Some(parse_activity_status(status)?),
        ..ActivityChange::default()
    };
    synergies_app::activities::update(store, code, biennium, &change, &caller.actor())
}

/// Sets a task-force action item's status.
pub(crate) fn set_action_status(
    store: &dyn Store,
    caller: &Caller,
    code: &str,
    status: &str,
) -> AppResult<ActionItem> {
    let status = parse_action_status(status)?;
    synergies_app::cooperation::set_action_status(store, code, status, &caller.actor())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BienniumQuery {
    /// e.g. `2026-2027`; the open biennium when left out.
    pub biennium: Option<String>,
}

fn open_biennium(store: &dyn Store) -> Result<String, Problem> {
    let f = store.framework()?;
    f.bienniums
        .iter()
        .find(|b| b.status == synergies_domain::model::BienniumStatus::Open)
        .or_else(|| f.bienniums.first())
        .map(|b| b.code.clone())
        .ok_or_else(|| Problem::not_found("the framework has no biennium"))
}

pub(crate) fn priced(
    store: &dyn Store,
    biennium: Option<String>,
) -> Result<(String, Vec<PricedActivity>), Problem> {
    let b = match biennium {
        Some(b) => b,
        None => open_biennium(store)?,
    };
    if store.framework()?.biennium(&b).is_none() {
        return Err(Problem::not_found(format!("unknown biennium {b}")));
    }
    let list = synergies_app::activities::priced(store, &b)?;
    Ok((b, list))
}

// ---------------------------------------------------------------- pages

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/decisions", get(decisions_page))
        .route("/mandates/notes", post(mandate_note))
        .route("/activities", get(activities_page))
        .route("/activities/status", post(activity_status))
        .route("/training", get(training_page))
        .route("/taskforce", get(taskforce_page))
        .route("/taskforce/actions/status", post(action_status))
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
    state
        .act(move |s| track_mandate(s, &caller, &f.decision, &f.paragraph, &f.status, &f.note))
        .await
        .map_err(|p| pc.problem(p))?;
    Ok(see_other("/decisions"))
}

#[derive(Template)]
#[template(path = "activities.html")]
struct ActivitiesPage {
    c: Chrome,
    biennium: String,
    bienniums: Vec<String>,
    items: Vec<PricedActivity>,
    statuses: Vec<&'static str>,
}

impl ActivitiesPage {
    fn title(&self, a: &PricedActivity) -> String {
        if self.c.lang == "fr" && !a.activity.title_fr.is_empty() {
            a.activity.title_fr.clone()
        } else {
            a.activity.title_en.clone()
        }
    }

    fn money(&self, minor: &i64, a: &PricedActivity) -> String {
        self.c.t.minor(minor, a.currency.code())
    }

    fn actual(&self, a: &PricedActivity) -> String {
        match a.actual_minor {
            Some(m) => self.money(&m, a),
            None => "—".into(),
        }
    }

    fn status(&self, a: &PricedActivity) -> String {
        serde_json::to_value(a.activity.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    fn key(&self, value: &impl serde::Serialize) -> String {
        serde_json::to_value(value)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

async fn activities_page(
    State(state): State<AppState>,
    pc: PageCaller,
    Query(q): Query<BienniumQuery>,
) -> PageResult {
    pc.business()?;
    let (biennium, items, bienniums) = state
        .run(move |s| {
            let (b, items) = priced(s, q.biennium.filter(|b| !b.is_empty()))?;
            let bienniums = s
                .framework()?
                .bienniums
                .iter()
                .map(|b| b.code.clone())
                .collect();
            Ok((b, items, bienniums))
        })
        .await
        .map_err(|p| pc.problem(p))?;
    Ok(render(&ActivitiesPage {
        c: pc.chrome(),
        biennium,
        bienniums,
        items,
        statuses: vec!["planned", "ongoing", "completed", "postponed", "cancelled"],
    }))
}

#[derive(Deserialize)]
pub struct ActivityStatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    biennium: String,
    #[serde(default)]
    status: String,
}

async fn activity_status(
    State(state): State<AppState>,
    pc: PageCaller,
    Form(f): Form<ActivityStatusForm>,
) -> PageResult {
    pc.csrf(&f.csrf)?;
    let caller = pc.caller.clone();
    let biennium = f.biennium.clone();
    state
        .act(move |s| set_activity_status(s, &caller, &f.code, Some(&f.biennium), &f.status))
        .await
        .map_err(|p| pc.problem(p))?;
    Ok(see_other(&format!("/activities?biennium={biennium}")))
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

fn key_of(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
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
    state
        .act(move |s| set_action_status(s, &caller, &f.code, &f.status))
        .await
        .map_err(|p| pc.problem(p))?;
    Ok(see_other("/taskforce"))
}
