//! Closing a period (rule 8): the charges of every agreement from its accepted, uncharged
//! deliveries dated in the period, posted with their ledger entries. Running it again posts
//! nothing new; reopening a period reverses its closings.

use chrono::NaiveDate;
use synergies_domain::cost::plan_closing;
use synergies_domain::ledger::JournalEntry;
use synergies_domain::{DomainError, Period};
use synergies_store::{
    ChargeFilter, ClosingStatus, DeliveryFilter, NewCharge, NewClosing, Store, StoreError,
};

use crate::context::PricingContext;
use crate::{AppError, AppResult};

/// One agreement's closing as posted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
pub struct CloseReport {
    pub period: String,
    pub posted: Vec<ClosingSummary>,
    /// Agreements with nothing (new) to charge in the period.
    pub nothing_to_charge: Vec<String>,
}

/// Closes `period` for every agreement (or one). `posted_on` dates the closing records.
pub fn close_period(
    store: &dyn Store,
    period: Period,
    only: Option<&str>,
    posted_on: NaiveDate,
) -> AppResult<CloseReport> {
    let ctx = PricingContext::load(store)?;
    if let Some(code) = only {
        ctx.agreement(code)?;
    }
    let pricer = ctx.pricer();
    let mut report = CloseReport {
        period: period.to_string(),
        ..Default::default()
    };
    let mut codes: Vec<&String> = ctx.agreements.keys().collect();
    codes.sort();
    for code in codes {
        if only.is_some_and(|o| o != code) {
            continue;
        }
        let a = &ctx.agreements[code];
        let mut costs = ctx.accumulator(a);
        let mut through = 0i64;
        let filter = DeliveryFilter {
            agreement: Some(code.clone()),
            from: Some(period.first_day()),
            to: Some(period.last_day()),
            status: Some(synergies_domain::delivery::DeliveryStatus::Accepted),
            uncharged: true,
            exclude_disputed: true,
        };
        store.for_each_delivery(&filter, &mut |d| {
            let priced = ctx.price(&pricer, &d.delivery).map_err(|i| {
                StoreError::Invalid(format!(
                    "cannot close {code}: delivery {} ({}): {}: {}",
                    d.delivery.external_id, d.delivery.date, i.column, i.reason
                ))
            })?;
            costs.add(&priced).map_err(StoreError::Domain)?;
            through = through.max(d.id);
            Ok(())
        })?;
        if costs.deliveries() == 0 {
            report.nothing_to_charge.push(code.clone());
            continue;
        }
        let (a, v) = ctx.in_force(code).map_err(AppError::Invalid)?;
        let plan = plan_closing(a, v, &costs, &ctx.fx)?;
        let sequence = store
            .closings(Some(code))?
            .iter()
            .filter(|c| c.period == report.period)
            .count() as u32
            + 1;
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
        let charged_minor = charges.iter().map(|c| c.total_minor).sum();
        let closing = NewClosing {
            agreement: code.clone(),
            version: v.number,
            period,
            sequence,
            posted_on,
            direct_exact: plan.direct_exact.clone(),
            direct_minor: plan.direct_minor,
            through_delivery_id: through,
            deliveries: plan.deliveries,
            charges,
        };
        match store.post_closing(&closing)? {
            Some(id) => report.posted.push(ClosingSummary {
                closing: id,
                agreement: code.clone(),
                period: report.period.clone(),
                sequence,
                deliveries: plan.deliveries,
                currency: a.currency.code().to_string(),
                direct_minor: plan.direct_minor,
                charged_minor,
            }),
            // Another closer posted the same closing first: nothing new.
            None => report.nothing_to_charge.push(code.clone()),
        }
    }
    Ok(report)
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReopenReport {
    pub period: String,
    pub reversed_closings: Vec<i64>,
    pub reversal_entries: u64,
}

/// Reopens `period`: reverses every posted closing whose period lies within it, so that its
/// deliveries can be corrected and closed again.
pub fn reopen_period(
    store: &dyn Store,
    period: Period,
    only: Option<&str>,
) -> AppResult<ReopenReport> {
    if let Some(code) = only {
        if store.agreement(code)?.is_none() {
            return Err(AppError::Invalid(format!("unknown agreement {code}")));
        }
    }
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
                AppError::Domain(DomainError::Ledger(format!(
                    "entry {} is missing",
                    ch.entry
                )))
            })?;
            reversals.push(original.reversal(
                format!("reversal:{}", original.key),
                original.date,
                format!("Reversal of: {}", original.description),
            ));
        }
        store.reverse_closing(closing.id, &reversals)?;
        report.reversal_entries += reversals.len() as u64;
        report.reversed_closings.push(closing.id);
    }
    Ok(report)
}
