//! Reference data: a whole framework loaded from a file (the operator's), a month's exchange
//! rate (any finance officer: the rates are shared) and a dated rate of a provider's rate card
//! (its finance officer). Every save goes through the domain's `check_framework_save` in the
//! store's transaction, so a rate that posted closings used never changes.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use synergies_domain::access::Action;
use synergies_domain::model::{Framework, FxRate, Rate, RateKey, Unit};
use synergies_domain::Month;
use synergies_store::Store;

use crate::form::{currency, date, decimal, required};
use crate::{Actor, AppError, AppResult, AuditAction};

/// Loads a whole framework (organisations, funds, services, rate cards, rates, exchange
/// rates) from the file `source`: the operator's, since it touches every organisation.
pub fn load_framework(
    store: &dyn Store,
    framework: &Framework,
    source: &str,
    actor: &Actor,
) -> AppResult<()> {
    actor.must_be_operator("load reference data from a file")?;
    store.save_framework(
        framework,
        &actor.audit(
            AuditAction::FrameworkLoad,
            source,
            json!({ "organisations": framework.organisations.len(),
                     "funds": framework.funds.len(), "rates": framework.rates.len(),
                     "fx_rates": framework.fx_rates.len() }),
        ),
    )?;
    Ok(())
}

/// A month's operational exchange rate as a finance officer enters it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewExchangeRate {
    /// ISO 4217 code, e.g. `CHF`.
    pub currency: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Units of the currency per US dollar, e.g. `0.8842`.
    pub per_usd: String,
}

/// Adds a month's exchange rate (any finance officer: the rates are shared reference data).
/// A month already rated keeps its rate: charges may have been priced with it.
pub fn add_exchange_rate(
    store: &dyn Store,
    actor: &Actor,
    r: &NewExchangeRate,
) -> AppResult<FxRate> {
    actor.authorize(&Action::EditExchangeRates)?;
    let currency = currency("currency", &r.currency)?;
    if currency.code() == "USD" {
        return Err(AppError::field(
            "currency",
            "the US dollar is the rates' base",
        ));
    }
    let month = Month::from_str(required("month", &r.month)?)
        .map_err(|e| AppError::field("month", e.to_string()))?;
    let per_usd = decimal("per_usd", &r.per_usd)?;
    if per_usd <= Decimal::ZERO {
        return Err(AppError::field("per_usd", "a rate is more than zero"));
    }
    let mut framework = store.framework()?;
    if framework
        .fx_rates
        .iter()
        .any(|f| f.currency == currency && f.month == month)
    {
        return Err(AppError::field(
            "month",
            format!(
                "{} already has a rate for {month}; a month's rate does not change",
                currency.code()
            ),
        ));
    }
    let rate = FxRate {
        currency,
        month,
        per_usd,
    };
    framework.fx_rates.push(rate.clone());
    store.save_framework(
        &framework,
        &actor.audit(
            AuditAction::ExchangeRateAdd,
            &format!("{} {month}", currency.code()),
            json!({ "before": null, "after": rate }),
        ),
    )?;
    Ok(rate)
}

/// A dated rate of a provider's rate card as its finance officer enters it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewRate {
    pub provider: String,
    pub biennium: String,
    /// A staff grade (`P-4`) for services priced by grade…
    #[serde(default)]
    pub grade: String,
    /// …or a service code for services priced per unit.
    #[serde(default)]
    pub service: String,
    /// `staff_day`, `staff_hour`, `meeting_day`, `page`, `month` or `lump_sum`.
    pub unit: String,
    /// YYYY-MM-DD: the rate applies from this day on.
    pub effective_from: String,
    /// In major units of the rate card's currency, e.g. `812.50`.
    pub amount: String,
}

/// Adds a dated rate to a provider's rate card (its finance officer). Rates are dated: a
/// change is a new rate from a later day, never an edit of one in use.
pub fn add_rate(store: &dyn Store, actor: &Actor, r: &NewRate) -> AppResult<Rate> {
    let provider = required("provider", &r.provider)?;
    actor.authorize(&Action::EditRates {
        provider: provider.to_string(),
    })?;
    let mut framework = store.framework()?;
    let biennium = required("biennium", &r.biennium)?;
    let card = framework
        .rate_card(provider, biennium)
        .ok_or_else(|| {
            AppError::field(
                "biennium",
                format!("{provider} has no rate card for {biennium}"),
            )
        })?
        .clone();
    let key = match (r.grade.trim(), r.service.trim()) {
        (g, "") if !g.is_empty() => RateKey::Grade(g.to_string()),
        ("", s) if !s.is_empty() => {
            if framework.service(s).is_none() {
                return Err(AppError::field("service", format!("unknown service {s}")));
            }
            RateKey::Service(s.to_string())
        }
        _ => {
            return Err(AppError::field(
                "grade",
                "give either a grade or a service, not both",
            ))
        }
    };
    let unit = Unit::parse(required("unit", &r.unit)?)
        .ok_or_else(|| AppError::field("unit", format!("{:?} is not a unit", r.unit)))?;
    let effective_from = date("effective_from", &r.effective_from)?;
    let amount = decimal("amount", &r.amount)?;
    if amount <= Decimal::ZERO {
        return Err(AppError::field("amount", "a rate is more than zero"));
    }
    card.currency
        .to_minor(amount)
        .map_err(|e| AppError::field("amount", e.to_string()))?;
    if framework.rates.iter().any(|x| {
        x.provider == provider
            && x.biennium == biennium
            && x.key == key
            && x.unit == unit
            && x.effective_from == effective_from
    }) {
        return Err(AppError::field(
            "effective_from",
            "a rate from that day exists; a change is a rate from a later day",
        ));
    }
    let rate = Rate {
        provider: provider.to_string(),
        biennium: biennium.to_string(),
        key,
        unit,
        effective_from,
        amount,
        currency: card.currency,
    };
    framework.rates.push(rate.clone());
    store.save_framework(
        &framework,
        &actor.audit(
            AuditAction::RateAdd,
            &format!("{provider} {biennium} {}", rate.key.to_text()),
            json!({ "before": null, "after": rate }),
        ),
    )?;
    Ok(rate)
}
