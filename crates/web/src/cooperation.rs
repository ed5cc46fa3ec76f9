//! Decisions and their mandates, cooperation activities and the joint task force: what their
//! API endpoints ([`crate::api`]) and their pages ([`crate::pages`]) read the same way — a
//! status named in a form or a request, the biennium asked for — and the application service
//! each change calls (which authorises and audits it).

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use synergies_app::activities::{ActivityChange, PricedActivity};
use synergies_app::{AppError, AppResult};
use synergies_domain::activity::{Activity, ActivityStatus};
use synergies_domain::cooperation::{ActionItem, ActionStatus};
use synergies_domain::mandate::MandateStatus;
use synergies_store::Store;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::Problem;

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

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
