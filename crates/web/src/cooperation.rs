//! Decisions and their mandates, cooperation activities, training of chairs and negotiators,
//! and the joint task force, on the web: their API endpoints and their pages, which read the
//! input and call the application services (which authorise and audit every change).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use synergies_app::activities::{ActivityChange, PricedActivity};
use synergies_app::cooperation::TaskForce;
use synergies_app::decisions::MandateView;
use synergies_app::{AppError, AppResult};
use synergies_domain::access::Action;
use synergies_domain::activity::{Activity, ActivityStatus};
use synergies_domain::cooperation::{
    ActionItem, ActionStatus, Gender, RegionalGroup, TaskForceMeeting, TrainingEvent,
};
use synergies_domain::mandate::MandateStatus;
use synergies_store::{DecisionRecord, Store};
use utoipa::{IntoParams, ToSchema};

use crate::api::common::{list, Answer, Body, Document, Params};
use crate::auth::{check_csrf, ApiCaller, Caller};
use crate::error::{ApiResult, Problem};
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
fn track_mandate(
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
fn set_activity_status(
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
fn set_action_status(
    store: &dyn Store,
    caller: &Caller,
    code: &str,
    status: &str,
) -> AppResult<ActionItem> {
    let status = parse_action_status(status)?;
    synergies_app::cooperation::set_action_status(store, code, status, &caller.actor())
}

// ---------------------------------------------------------------- API

list!(
    /// The registry of decisions.
    DecisionList of DecisionRecord
);
list!(
    /// Mandates with what serves them.
    MandateList of MandateView
);
list!(
    /// The activities of a biennium, priced.
    ActivityList of PricedActivity,
    /// The biennium listed.
    biennium: String,
);
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

/// The mandate's note is recorded.
#[derive(Serialize, ToSchema)]
pub struct Recorded {
    /// Always `true`.
    pub recorded: bool,
}

fn csrf(caller: &Caller, headers: &HeaderMap) -> ApiResult<()> {
    check_csrf(
        caller,
        headers.get("x-csrf-token").and_then(|v| v.to_str().ok()),
    )
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

fn priced(
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
    #[schema(value_type = Object)]
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

/// Records a new cooperation activity (the JSON of an activity, as `GET /api/v1/activities`
/// lists them): an officer of its lead organisation.
#[utoipa::path(post, path = "/api/v1/activities", tag = "activities", security(("token" = [])),
    request_body = Document,
    responses((status = 201, body = Activity),
              (status = 403, body = crate::error::ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = crate::error::ProblemDocument, content_type = "application/problem+json")))]
pub async fn add_activity(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(a): Body<synergies_domain::activity::Activity>,
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

/// Records a new training event (its JSON, as `GET /api/v1/training` lists them): an officer
/// of an organisation that contributes to it.
#[utoipa::path(post, path = "/api/v1/training", tag = "cooperation", security(("token" = [])),
    request_body = Document,
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

/// Records a task-force meeting with its minutes (task-force members).
#[utoipa::path(post, path = "/api/v1/taskforce/meetings", tag = "cooperation",
    security(("token" = [])), request_body = Document,
    responses((status = 201, body = TaskForceMeeting),
              (status = 403, body = crate::error::ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = crate::error::ProblemDocument, content_type = "application/problem+json")))]
pub async fn add_meeting(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(m): Body<synergies_domain::cooperation::TaskForceMeeting>,
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
    security(("token" = [])), request_body = Document,
    responses((status = 201, body = ActionItem),
              (status = 403, body = crate::error::ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = crate::error::ProblemDocument, content_type = "application/problem+json")))]
pub async fn add_action(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(item): Body<synergies_domain::cooperation::ActionItem>,
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
