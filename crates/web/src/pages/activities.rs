//! The activities page: a biennium's cooperation activities priced, and their status.

use askama::Template;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use synergies_app::activities::PricedActivity;

use super::common::{confirmed, render, urlencode, Chrome, PageCaller, PageResult};
use crate::cooperation::{priced, set_activity_status, BienniumQuery};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/activities", get(activities_page))
        .route("/activities/status", post(activity_status))
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
