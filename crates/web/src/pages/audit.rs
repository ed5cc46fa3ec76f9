//! The audit trail page, filtered by actor and subject, newest first.

use askama::Template;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use synergies_store::{AuditEvent, AuditFilter};

use super::common::{render, run, Chrome, PageCaller, PageResult};
use crate::state::AppState;
use crate::views;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/audit", get(audit))
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    subject: String,
    before: Option<i64>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    actor: String,
    subject: String,
    events: Vec<AuditEvent>,
    older: Option<i64>,
}

impl AuditPage {
    fn detail(&self, e: &AuditEvent) -> String {
        serde_json::to_string(&e.detail).unwrap_or_default()
    }
}

async fn audit(
    State(state): State<AppState>,
    pc: PageCaller,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    pc.business()?;
    let filter = AuditFilter {
        actor: (!q.actor.is_empty()).then(|| q.actor.clone()),
        subject: (!q.subject.is_empty()).then(|| q.subject.clone()),
        before_id: q.before,
    };
    let events = run(&state, &pc, move |s| {
        Ok(s.audit_events(&filter, views::DEFAULT_PAGE)?)
    })
    .await?;
    let older = (events.len() as u64 == views::DEFAULT_PAGE)
        .then(|| events.last().map(|e| e.id))
        .flatten();
    Ok(render(&AuditPage {
        c: pc.chrome(),
        actor: q.actor,
        subject: q.subject,
        events,
        older,
    }))
}
