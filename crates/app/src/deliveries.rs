//! The paying party's review of deliveries: accepting what was delivered (so that a close can
//! charge it) and disputing one delivery. Each change is written with its audit event, under
//! one action name whichever face asks, in one transaction.

use chrono::NaiveDate;
use serde_json::json;
use synergies_domain::text::{Issues, TextKind};
use synergies_store::{Audit, Store};

use crate::AppResult;

/// Accepts the recorded deliveries of `agreement` (of every agreement when `None`) up to
/// `through` (every date when `None`), on `on`. Returns how many were accepted.
pub fn accept(
    store: &dyn Store,
    agreement: Option<&str>,
    through: Option<NaiveDate>,
    on: NaiveDate,
    actor: &str,
) -> AppResult<u64> {
    let audit = Audit::new(
        actor,
        "deliveries.accept",
        agreement.unwrap_or("*"),
        json!({
            "before": {"status": "recorded"},
            "after": {"status": "accepted", "through": through, "accepted_on": on},
        }),
    );
    Ok(store.accept_deliveries(agreement, through, on, &audit)?)
}

/// Disputes one recorded delivery of `agreement`, for `reason` (a text within the domain's
/// limits: no control characters, at most a long text's length).
pub fn dispute(
    store: &dyn Store,
    agreement: &str,
    external_id: &str,
    reason: &str,
    actor: &str,
) -> AppResult<()> {
    let mut issues = Issues::new();
    issues.required(
        &format!("delivery {agreement}/{external_id}"),
        "reason",
        TextKind::Text,
        reason,
    );
    issues.into_result()?;
    let audit = Audit::new(
        actor,
        "delivery.dispute",
        &format!("{agreement}/{external_id}"),
        json!({
            "before": {"status": "recorded"},
            "after": {"status": "disputed", "reason": reason},
        }),
    );
    Ok(store.dispute_delivery(agreement, external_id, reason, &audit)?)
}
