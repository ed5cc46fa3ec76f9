//! The Reports page, which generates and downloads each report (the files of
//! [`crate::reports`], as the API serves them).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use super::common::{render, Chrome, PageCaller, PageResult};
use crate::reports::{generated, ReportQuery};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(reports_page))
        .route("/reports/{kind}", get(download))
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    c: Chrome,
    decisions: Vec<String>,
    bienniums: Vec<String>,
    agreements: Vec<String>,
    funds: Vec<String>,
    open: String,
    next: String,
}

async fn reports_page(State(state): State<AppState>, pc: PageCaller) -> PageResult {
    pc.business()?;
    let (decisions, framework, agreements) = state
        .run(|s| Ok((s.decisions()?, s.framework()?, s.agreements()?)))
        .await
        .map_err(|p| pc.problem(p))?;
    let mut numbers: Vec<String> = decisions.into_iter().map(|d| d.number).collect();
    numbers.dedup();
    let bienniums: Vec<String> = framework.bienniums.iter().map(|b| b.code.clone()).collect();
    let open = framework
        .bienniums
        .iter()
        .position(|b| b.status == synergies_domain::model::BienniumStatus::Open)
        .unwrap_or(0);
    Ok(render(&ReportsPage {
        c: pc.chrome(),
        decisions: numbers,
        open: bienniums.get(open).cloned().unwrap_or_default(),
        next: bienniums.get(open + 1).cloned().unwrap_or_default(),
        bienniums,
        agreements: agreements
            .iter()
            .filter(|a| a.is_active())
            .map(|a| a.code.clone())
            .collect(),
        funds: framework.funds.iter().map(|f| f.code.clone()).collect(),
    }))
}

async fn download(
    State(state): State<AppState>,
    pc: PageCaller,
    Path(kind): Path<String>,
    Query(q): Query<ReportQuery>,
) -> PageResult {
    let file = generated(&state, &pc.caller, kind, q)
        .await
        .map_err(|p| pc.problem(p))?;
    Ok(file.into_response())
}
