//! Deliveries: the provider records them (one from a form here, a file through
//! [`crate::import`]), the paying party accepts what was delivered (so that a close can charge
//! it) or disputes one delivery. Each action is authorised by the domain, and written with its
//! audit event, under one action name whichever face asks, in one transaction.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use synergies_domain::access::Action;
use synergies_domain::agreement::Agreement;
use synergies_domain::text::{Issues, TextKind};
use synergies_store::Store;

use crate::form::{date, decimal, required};
use crate::import::{import_deliveries_audited, BytesSource, ImportReport, COLUMNS};
use crate::{Actor, AppError, AppResult, AuditAction};

/// The agreement `code`, or `NotFound`.
pub fn agreement(store: &dyn Store, code: &str) -> AppResult<Agreement> {
    store
        .agreement(code)?
        .ok_or_else(|| AppError::NotFound(format!("unknown agreement {code}")))
}

/// Accepts the recorded deliveries of `agreement` up to `through` (every date when `None`),
/// on `on`: the finance officer of a paying organisation does. Only the operator may accept
/// the deliveries of every agreement at once (`agreement` `None`). Returns how many were
/// accepted.
pub fn accept(
    store: &dyn Store,
    agreement: Option<&str>,
    through: Option<NaiveDate>,
    on: NaiveDate,
    actor: &Actor,
) -> AppResult<u64> {
    actor.must_name_agreement(agreement, "accept")?;
    if let Some(code) = agreement {
        let a = self::agreement(store, code)?;
        actor.authorize(&Action::accept_deliveries_of(&a))?;
    }
    let audit = actor.audit(
        AuditAction::DeliveriesAccept,
        agreement.unwrap_or("*"),
        json!({
            "before": {"status": "recorded"},
            "after": {"status": "accepted", "through": through, "accepted_on": on},
        }),
    );
    Ok(store.accept_deliveries(agreement, through, on, &audit)?)
}

/// Disputes one recorded delivery of `agreement`, for `reason` (a text within the domain's
/// limits: no control characters, at most a long text's length): the same people as accept.
pub fn dispute(
    store: &dyn Store,
    agreement: &str,
    external_id: &str,
    reason: &str,
    actor: &Actor,
) -> AppResult<()> {
    let a = self::agreement(store, agreement)?;
    actor.authorize(&Action::dispute_deliveries_of(&a))?;
    let reason = required("reason", reason)?;
    let mut issues = Issues::new();
    issues.required(
        &format!("delivery {agreement}/{external_id}"),
        "reason",
        TextKind::Text,
        reason,
    );
    issues.into_result()?;
    let audit = actor.audit(
        AuditAction::DeliveryDispute,
        &format!("{agreement}/{external_id}"),
        json!({
            "before": {"status": "recorded"},
            "after": {"status": "disputed", "reason": reason},
        }),
    );
    Ok(store.dispute_delivery(agreement, external_id, reason, &audit)?)
}

/// One delivery as a person records it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewDelivery {
    pub agreement: String,
    pub service: String,
    /// YYYY-MM-DD
    pub date: String,
    /// In the service's unit (days, hours, pages…).
    pub quantity: String,
    /// The staff grade for services priced by grade, e.g. `P-4`.
    #[serde(default)]
    pub grade: String,
    /// A non-staff expense, in major units, for services charged at cost.
    #[serde(default)]
    pub expense_amount: String,
    #[serde(default)]
    pub expense_currency: String,
    pub description: String,
    /// The provider's own reference, unique within the agreement.
    pub external_id: String,
}

/// Records one delivery: the same checks as an import of one row, and its own audit event
/// (`delivery.record`); a problem names its field rather than a line of a file.
pub fn record(store: &dyn Store, actor: &Actor, d: &NewDelivery) -> AppResult<ImportReport> {
    let a = self::agreement(store, required("agreement", &d.agreement)?)?;
    actor.authorize(&Action::RecordDeliveries {
        provider: a.provider.clone(),
    })?;
    required("service", &d.service)?;
    date("date", &d.date)?;
    decimal("quantity", &d.quantity)?;
    required("description", &d.description)?;
    required("external_id", &d.external_id)?;
    let mut w = csv::Writer::from_writer(vec![]);
    let row = [
        d.agreement.trim(),
        d.service.trim(),
        d.date.trim(),
        d.quantity.trim(),
        d.grade.trim(),
        d.expense_amount.trim(),
        d.expense_currency.trim(),
        d.description.trim(),
        d.external_id.trim(),
    ];
    w.write_record(COLUMNS)
        .and_then(|_| w.write_record(row))
        .map_err(|e| AppError::Io(e.to_string()))?;
    let bytes = w.into_inner().map_err(|e| AppError::Io(e.to_string()))?;
    let subject = format!("{}/{}", d.agreement.trim(), d.external_id.trim());
    let report = import_deliveries_audited(
        store,
        &BytesSource {
            name: "delivery",
            bytes: &bytes,
        },
        &mut |_| {},
        actor,
        &|_| {
            actor.audit(
                AuditAction::DeliveryRecord,
                &subject,
                json!({ "before": null, "after": d }),
            )
        },
    )
    .map_err(|e| match e {
        AppError::Rejected { issues, .. } if !issues.is_empty() => {
            AppError::field(&issues[0].column, issues[0].reason.clone())
        }
        other => other,
    })?;
    if report.inserted == 0 {
        return Err(AppError::field(
            "external_id",
            format!(
                "{} {} is already recorded with the same content",
                d.agreement.trim(),
                d.external_id.trim()
            ),
        ));
    }
    Ok(report)
}
