//! Closing a period (rule 8): the charges of every agreement from its accepted, uncharged
//! deliveries dated in the period, posted with their ledger entries. Running it again posts
//! nothing new; reopening a period reverses its closings.

use std::collections::HashMap;

use chrono::NaiveDate;
use synergies_domain::cost::{plan_closing, CostAccumulator};
use synergies_domain::delivery::DeliveryStatus;
use synergies_domain::ledger::JournalEntry;
use synergies_domain::{DomainError, Message, Period};
use synergies_store::{
    ChargeFilter, ClosingStatus, DeliveryFilter, NewCharge, NewClosing, Store, StoreError,
};

use crate::context::PricingContext;
use crate::{Actor, AuditAction};
use crate::{AppError, AppResult};
use synergies_domain::access::Action;

/// One agreement's closing as posted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClosingSummary {
    pub closing: i64,
    pub agreement: String,
    pub period: String,
    pub sequence: u32,
    pub deliveries: u64,
    pub currency: String,
    pub direct_minor: i64,
    pub charged_minor: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CloseReport {
    pub period: String,
    pub posted: Vec<ClosingSummary>,
    /// Agreements with nothing (new) to charge in the period.
    pub nothing_to_charge: Vec<String>,
}

/// How many times a close is attempted when other writers change the period meanwhile.
const ATTEMPTS: usize = 10;

/// Closes `period` for every agreement (or one). `posted_on` dates the closing records.
///
/// The period's accepted, uncharged deliveries are read in one pass, priced and summed per
/// agreement; the closings of all agreements are then posted in one transaction. When another
/// writer closes or changes the same period at the same moment, the close starts again from a
/// fresh read, so that when it returns every delivery it could see is charged exactly once.
///
/// `actor` is who closes: the closings and their audit event (`period.close`) are written in
/// one transaction.
pub fn close_period(
    store: &dyn Store,
    period: Period,
    only: Option<&str>,
    posted_on: NaiveDate,
    actor: &Actor,
) -> AppResult<CloseReport> {
    authorize_close(store, only, actor, "close")?;
    let mut report = CloseReport {
        period: period.to_string(),
        ..Default::default()
    };
    for _ in 0..ATTEMPTS {
        match close_once(store, period, only, posted_on, actor) {
            Ok((attempt, raced)) => {
                report.posted.extend(attempt.posted);
                report.nothing_to_charge = attempt.nothing_to_charge;
                if !raced {
                    report
                        .nothing_to_charge
                        .retain(|c| !report.posted.iter().any(|p| &p.agreement == c));
                    return Ok(report);
                }
            }
            Err(AppError::Store(StoreError::Conflict(_))) => {}
            Err(e) => return Err(e),
        }
    }
    Err(AppError::Store(StoreError::Conflict(format!(
        "{period} kept changing under other writers for {ATTEMPTS} attempts; run close again"
    ))))
}

/// The provider's finance officer closes and reopens its agreements' periods; only the
/// operator closes every agreement's at once.
fn authorize_close(
    store: &dyn Store,
    only: Option<&str>,
    actor: &Actor,
    what: &str,
) -> AppResult<()> {
    actor.must_name_agreement(only, what)?;
    if let Some(code) = only {
        let a = crate::deliveries::agreement(store, code)?;
        actor.authorize(&Action::close_period_of(&a))?;
    }
    Ok(())
}

/// One attempt: the report, and whether another writer posted a closing of the same
/// agreement, period and sequence first (so this attempt may have left deliveries uncharged).
fn close_once(
    store: &dyn Store,
    period: Period,
    only: Option<&str>,
    posted_on: NaiveDate,
    actor: &Actor,
) -> AppResult<(CloseReport, bool)> {
    let ctx = PricingContext::load(store)?;
    let priced_with = ctx.framework.pricing_terms();
    if let Some(code) = only {
        ctx.agreement(code)?;
    }
    let pricer = ctx.pricer();
    let filter = DeliveryFilter {
        agreement: only.map(str::to_string),
        from: Some(period.first_day()),
        to: Some(period.last_day()),
        status: Some(DeliveryStatus::Accepted),
        uncharged: true,
        exclude_disputed: true,
        ..DeliveryFilter::default()
    };
    // Per agreement: the exact costs and the highest delivery id read.
    let mut costs: HashMap<String, (CostAccumulator, i64)> = HashMap::new();
    store.for_each_delivery(&filter, &mut |d| {
        let code = &d.delivery.agreement;
        let priced = ctx.price(&pricer, &d.delivery).map_err(|i| {
            StoreError::Invalid(format!(
                "cannot close {code}: delivery {} ({}): {}: {}",
                d.delivery.external_id, d.delivery.date, i.column, i.reason
            ))
        })?;
        if !costs.contains_key(code) {
            let a = ctx
                .agreement(code)
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            costs.insert(code.clone(), (ctx.accumulator(a), 0));
        }
        let (acc, through) = costs.get_mut(code).expect("inserted above");
        acc.add(&priced).map_err(StoreError::Domain)?;
        *through = (*through).max(d.id);
        Ok(())
    })?;

    let mut report = CloseReport {
        period: period.to_string(),
        ..Default::default()
    };
    let mut sequences: HashMap<String, u32> = HashMap::new();
    for c in store.closings(only)? {
        if c.period == report.period {
            *sequences.entry(c.agreement).or_default() += 1;
        }
    }
    let mut codes: Vec<&String> = ctx.agreements.keys().collect();
    codes.sort();
    let mut closings = vec![];
    for code in codes {
        if only.is_some_and(|o| o != code) {
            continue;
        }
        let Some((acc, through)) = costs.get(code) else {
            report.nothing_to_charge.push(code.clone());
            continue;
        };
        let (a, v) = ctx.in_force(code).map_err(AppError::Invalid)?;
        let plan = plan_closing(a, v, acc, &ctx.fx)?;
        let sequence = sequences.get(code).copied().unwrap_or(0) + 1;
        let date = period.last_day();
        let charges = plan
            .charges
            .iter()
            .map(|c| NewCharge {
                payer_organisation: c.payer.organisation.clone(),
                payer_fund: c.payer.fund.clone(),
                direct_minor: c.amounts.direct_minor,
                psc_minor: c.amounts.psc_minor,
                total_minor: c.amounts.total_minor,
                entry: JournalEntry::for_charge(
                    format!("charge:{code}:{period}:{sequence}:{}", c.payer.fund),
                    date,
                    format!(
                        "{code} {period}: {} provided by {} to {} ({} deliveries)",
                        a.title, a.provider, c.payer.organisation, plan.deliveries
                    ),
                    &a.provider_fund,
                    &c.payer.fund,
                    a.currency,
                    &c.amounts,
                ),
            })
            .collect::<Vec<_>>();
        closings.push(NewClosing {
            agreement: code.clone(),
            version: v.number,
            period,
            sequence,
            posted_on,
            direct_exact: plan.direct_exact,
            direct_minor: plan.direct_minor,
            through_delivery_id: *through,
            deliveries: plan.deliveries,
            charges,
            priced_with: priced_with.clone(),
        });
    }
    if closings.is_empty() {
        return Ok((report, false));
    }
    let subject = match only {
        Some(code) => format!("{code}/{period}"),
        None => period.to_string(),
    };
    let planned: Vec<serde_json::Value> = closings
        .iter()
        .map(|c| {
            serde_json::json!({
                "agreement": c.agreement,
                "sequence": c.sequence,
                "deliveries": c.deliveries,
                "direct_minor": c.direct_minor,
                "charged_minor": c.charges.iter().map(|ch| ch.total_minor).sum::<i64>(),
            })
        })
        .collect();
    let audit = actor.audit(
        AuditAction::PeriodClose,
        &subject,
        serde_json::json!({"before": null, "after": {"period": report.period, "closings": planned}}),
    );
    let posted = store.post_closings(&closings, &audit)?;
    let raced = posted.iter().any(Option::is_none);
    for (closing, id) in closings.iter().zip(posted) {
        match id {
            Some(id) => report.posted.push(ClosingSummary {
                closing: id,
                agreement: closing.agreement.clone(),
                period: report.period.clone(),
                sequence: closing.sequence,
                deliveries: closing.deliveries,
                currency: ctx.agreements[&closing.agreement]
                    .currency
                    .code()
                    .to_string(),
                direct_minor: closing.direct_minor,
                charged_minor: closing.charges.iter().map(|c| c.total_minor).sum(),
            }),
            // Another closer posted the same closing first: nothing new.
            None => report.nothing_to_charge.push(closing.agreement.clone()),
        }
    }
    report.nothing_to_charge.sort();
    Ok((report, raced))
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReopenReport {
    pub period: String,
    pub reversed_closings: Vec<i64>,
    pub reversal_entries: u64,
}

/// Reopens `period`: reverses every posted closing whose period lies within it, so that its
/// deliveries can be corrected and closed again.
///
/// `actor` is who reopens: each reversal and its audit event (`period.reopen`) are written in
/// one transaction.
pub fn reopen_period(
    store: &dyn Store,
    period: Period,
    only: Option<&str>,
    actor: &Actor,
) -> AppResult<ReopenReport> {
    authorize_close(store, only, actor, "reopen")?;
    let mut report = ReopenReport {
        period: period.to_string(),
        ..Default::default()
    };
    for closing in store.closings(only)? {
        if closing.status != ClosingStatus::Posted {
            continue;
        }
        let p: Period = closing.period.parse().map_err(AppError::Domain)?;
        if p.first_day() < period.first_day() || p.last_day() > period.last_day() {
            continue;
        }
        let charges = store.charges(&ChargeFilter {
            agreement: Some(closing.agreement.clone()),
            period: Some(closing.period.clone()),
            include_reversed: false,
        })?;
        let mut reversals = vec![];
        for ch in charges.iter().filter(|c| c.closing == closing.id) {
            let original = store.entry(ch.entry)?.ok_or_else(|| {
                AppError::Domain(DomainError::Ledger(
                    Message::new("ledger-entry-missing").with("entry", ch.entry.to_string()),
                ))
            })?;
            reversals.push(original.reversal(
                format!("reversal:{}", original.key),
                original.date,
                format!("Reversal of: {}", original.description),
            ));
        }
        let audit = actor.audit(
            AuditAction::PeriodReopen,
            &format!("{}/{}", closing.agreement, closing.period),
            serde_json::json!({
                "before": {"closing": closing.id, "status": "posted"},
                "after": {"closing": closing.id, "status": "reversed",
                          "reversal_entries": reversals.len()},
            }),
        );
        store.reverse_closing(closing.id, &reversals, &audit)?;
        report.reversal_entries += reversals.len() as u64;
        report.reversed_closings.push(closing.id);
    }
    Ok(report)
}
