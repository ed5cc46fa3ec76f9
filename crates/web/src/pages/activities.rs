//! The activities: a biennium's cooperation activities priced, with their status; one
//! activity with its contributions, mandates and agreements; the form that records a new one.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use synergies_app::activities::{NewActivity, PricedActivity};
use synergies_domain::access::Action;
use synergies_domain::activity::{ActivityCategory, ActivityStatus, FundingStatus};
use synergies_domain::model::Framework;

use super::common::{
    confirmed, key_of, render, run, urlencode, Chrome, FormState, PageCaller, PageResult,
};
use crate::cooperation::{priced, set_activity_status, BienniumQuery};
use crate::error::Problem;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/activities", get(activities_page).post(create_activity))
        .route("/activities/new", get(new_activity))
        .route("/activities/status", post(activity_status))
        .route("/activities/{biennium}/{code}", get(activity_page))
}

/// The title in the reader's language, the other language's when it has none.
fn title_in(lang: &str, a: &synergies_domain::activity::Activity) -> String {
    if lang == "fr" && !a.title_fr.is_empty() {
        a.title_fr.clone()
    } else {
        a.title_en.clone()
    }
}

#[derive(Template)]
#[template(path = "activities.html")]
struct ActivitiesPage {
    c: Chrome,
    biennium: String,
    bienniums: Vec<String>,
    items: Vec<PricedActivity>,
    statuses: Vec<&'static str>,
    /// The organisations whose activities the caller plans (and so edits).
    leads: Vec<String>,
}

impl ActivitiesPage {
    fn title(&self, a: &PricedActivity) -> String {
        title_in(&self.c.lang, &a.activity)
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
        key_of(&a.activity.status)
    }

    fn may_edit(&self, a: &PricedActivity) -> bool {
        self.leads.contains(&a.activity.lead)
    }

    fn key(&self, value: &impl serde::Serialize) -> String {
        key_of(value)
    }
}

/// The organisations for which the caller may plan an activity (its lead).
fn may_lead(pc: &PageCaller, framework: &Framework) -> Vec<String> {
    let actor = pc.caller.actor();
    framework
        .organisations
        .iter()
        .filter(|o| {
            actor.may(&Action::PlanActivity {
                organisation: o.code.clone(),
            })
        })
        .map(|o| o.code.clone())
        .collect()
}

async fn activities_page(
    State(state): State<AppState>,
    pc: PageCaller,
    Query(q): Query<BienniumQuery>,
) -> PageResult {
    pc.business()?;
    let (biennium, items, framework) = run(&state, &pc, move |s| {
        let (b, items) = priced(s, q.biennium.filter(|b| !b.is_empty()))?;
        Ok((b, items, s.framework()?))
    })
    .await?;
    Ok(render(&ActivitiesPage {
        leads: may_lead(&pc, &framework),
        c: pc.chrome(),
        biennium,
        bienniums: framework.bienniums.iter().map(|b| b.code.clone()).collect(),
        items,
        statuses: vec!["planned", "ongoing", "completed", "postponed", "cancelled"],
    }))
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    c: Chrome,
    a: PricedActivity,
}

impl ActivityPage {
    fn title(&self) -> String {
        title_in(&self.c.lang, &self.a.activity)
    }

    fn money(&self, minor: &i64) -> String {
        self.c.t.minor(minor, self.a.currency.code())
    }

    fn key(&self, value: &impl serde::Serialize) -> String {
        key_of(value)
    }

    /// The decision of a mandate reference (`MC-6/20 4(a)` → `MC-6/20`), for its link.
    fn decision_of(&self, mandate: &str) -> String {
        mandate
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string()
    }
}

async fn activity_page(
    State(state): State<AppState>,
    pc: PageCaller,
    Path((biennium, code)): Path<(String, String)>,
) -> PageResult {
    pc.business()?;
    let a = run(&state, &pc, move |s| {
        let (_, items) = priced(s, Some(biennium.clone()))?;
        items
            .into_iter()
            .find(|a| a.activity.code == code)
            .ok_or_else(|| Problem::not_found(format!("no activity {code} in {biennium}")))
    })
    .await?;
    Ok(render(&ActivityPage { c: pc.chrome(), a }))
}

#[derive(Template)]
#[template(path = "activity_form.html")]
struct ActivityFormPage {
    c: Chrome,
    f: FormState,
    framework: Framework,
    leads: Vec<String>,
    agreements: Vec<String>,
    categories: Vec<String>,
    fundings: Vec<String>,
    statuses: Vec<String>,
}

/// The fields of the form, each shown beside its message.
const ACTIVITY_FIELDS: &[&str] = &[
    "code",
    "biennium",
    "title_en",
    "title_fr",
    "category",
    "lead",
    "partners",
    "mandates",
    "agreements",
    "funding",
    "status",
    "outputs",
    "fund",
    "staff_grade",
    "staff_days",
    "non_staff",
];

impl ActivityFormPage {
    fn chosen(&self, field: &str, value: &str) -> bool {
        self.f.value(field).split('\u{1f}').any(|v| v == value)
    }

    fn elsewhere(&self) -> Vec<String> {
        self.f.elsewhere(ACTIVITY_FIELDS)
    }
}

async fn activity_form(
    state: &AppState,
    pc: &PageCaller,
    f: FormState,
    status: StatusCode,
) -> PageResult {
    pc.business()?;
    let (framework, agreements) = run(state, pc, |s| {
        Ok((
            s.framework()?,
            s.agreements()?
                .into_iter()
                .map(|a| a.code)
                .collect::<Vec<_>>(),
        ))
    })
    .await?;
    let leads = may_lead(pc, &framework);
    if leads.is_empty() {
        // Not an officer of any organisation: the service would refuse, so the page does.
        let actor = pc.caller.actor();
        let refusal = actor
            .authorize(&Action::PlanActivity {
                organisation: framework
                    .organisations
                    .first()
                    .map(|o| o.code.clone())
                    .unwrap_or_default(),
            })
            .err()
            .map(Problem::from)
            .unwrap_or_else(|| Problem::forbidden("no organisation"));
        return Err(pc.problem(refusal));
    }
    Ok((
        status,
        render(&ActivityFormPage {
            c: pc.chrome(),
            f,
            leads,
            agreements,
            categories: ActivityCategory::ALL.iter().map(key_of).collect(),
            fundings: FundingStatus::ALL.iter().map(key_of).collect(),
            statuses: ActivityStatus::ALL.iter().map(key_of).collect(),
            framework,
        }),
    )
        .into_response())
}

async fn new_activity(State(state): State<AppState>, pc: PageCaller) -> PageResult {
    activity_form(&state, &pc, FormState::default(), StatusCode::OK).await
}

/// The form's fields as they were typed; a field chosen several times (partners, agreements)
/// keeps every choice, joined by the unit separator.
fn typed(pairs: &[(String, String)]) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    for (k, v) in pairs {
        out.entry(k.clone())
            .and_modify(|e| {
                e.push('\u{1f}');
                e.push_str(v);
            })
            .or_insert_with(|| v.clone());
    }
    out
}

async fn create_activity(
    State(state): State<AppState>,
    pc: PageCaller,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let values = typed(&pairs);
    let one = |k: &str| values.get(k).cloned().unwrap_or_default();
    let many = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(n, v)| n == k && !v.trim().is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    };
    pc.csrf(&one("csrf"))?;
    let lang = pc.lang;
    let new = NewActivity {
        code: one("code"),
        biennium: one("biennium"),
        title_en: one("title_en"),
        title_fr: one("title_fr"),
        category: one("category"),
        lead: one("lead"),
        partners: many("partners"),
        mandates: one("mandates"),
        agreements: many("agreements"),
        funding: one("funding"),
        status: one("status"),
        outputs: one("outputs"),
        fund: one("fund"),
        staff_grade: one("staff_grade"),
        staff_days: super::common::typed_number(lang, &one("staff_days")),
        non_staff: super::common::typed_number(lang, &one("non_staff")),
    };
    let actor = pc.caller.actor();
    let outcome = state
        .run(move |s| {
            let framework = s.framework()?;
            Ok(new.activity(&framework).and_then(|a| {
                synergies_app::activities::create(s, &actor, &a)?;
                Ok(a)
            }))
        })
        .await
        .map_err(|p| pc.problem(p))?;
    match outcome {
        Ok(a) => Ok(confirmed(
            &state,
            &format!(
                "/activities/{}/{}",
                urlencode(&a.biennium),
                urlencode(&a.code)
            ),
            "done-activity-created",
            &a.code,
        )),
        Err(e) => match FormState::of_fields(values, &e, lang) {
            Some(form) => activity_form(&state, &pc, form, StatusCode::UNPROCESSABLE_ENTITY).await,
            None => Err(pc.problem(Problem::from(e))),
        },
    }
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
    let (biennium, code) = (f.biennium.clone(), f.code.clone());
    state
        .act(move |s| set_activity_status(s, &caller, &f.code, Some(&f.biennium), &f.status))
        .await
        .map_err(|p| pc.problem(p))?;
    Ok(confirmed(
        &state,
        &format!("/activities?biennium={}", urlencode(&biennium)),
        "done-activity-updated",
        &code,
    ))
}
