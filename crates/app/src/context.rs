//! The reference data a service needs to price deliveries, loaded once per command.

use std::collections::HashMap;

use chrono::NaiveDate;
use synergies_domain::agreement::{Agreement, AgreementVersion};
use synergies_domain::cost::{CostAccumulator, DeliveryIssue, PricedDelivery, Pricer};
use synergies_domain::delivery::Delivery;
use synergies_domain::model::Framework;
use synergies_domain::rates::{FxTable, RateBook};
use synergies_store::Store;

use crate::{AppError, AppResult};

/// Framework, agreements, rates and exchange rates, indexed for pricing.
pub struct PricingContext {
    pub framework: Framework,
    pub agreements: HashMap<String, Agreement>,
    pub rates: RateBook,
    pub fx: FxTable,
}

impl PricingContext {
    pub fn load(store: &dyn Store) -> AppResult<PricingContext> {
        let framework = store.framework()?;
        let rates = RateBook::new(&framework.rates);
        let fx = FxTable::new(&framework.fx_rates);
        let agreements = store
            .agreements()?
            .into_iter()
            .map(|a| (a.code.clone(), a))
            .collect();
        Ok(PricingContext {
            framework,
            agreements,
            rates,
            fx,
        })
    }

    pub fn pricer(&self) -> Pricer<'_> {
        Pricer::new(&self.framework, &self.rates, &self.fx)
    }

    pub fn agreement(&self, code: &str) -> AppResult<&Agreement> {
        self.agreements
            .get(code)
            .ok_or_else(|| AppError::Invalid(format!("unknown agreement {code}")))
    }

    /// The agreement's version in force, or a clear refusal.
    pub fn in_force(&self, code: &str) -> Result<(&Agreement, &AgreementVersion), String> {
        let a = self
            .agreements
            .get(code)
            .ok_or_else(|| format!("unknown agreement {code}"))?;
        let v = a.active_version().ok_or_else(|| {
            format!(
                "agreement {code} is not active (version {} is {})",
                a.latest().number,
                a.latest().status.as_str()
            )
        })?;
        Ok((a, v))
    }

    /// First and last day of the agreement's biennium.
    pub fn biennium_range(&self, a: &Agreement) -> AppResult<(NaiveDate, NaiveDate)> {
        let b = self.framework.biennium(&a.biennium).ok_or_else(|| {
            AppError::Invalid(format!("unknown biennium {} of {}", a.biennium, a.code))
        })?;
        Ok((b.start, b.end))
    }

    /// Prices one delivery under its agreement's version in force.
    pub fn price(&self, pricer: &Pricer, d: &Delivery) -> Result<PricedDelivery, DeliveryIssue> {
        let (a, v) = self
            .in_force(&d.agreement)
            .map_err(|r| DeliveryIssue::new("agreement", r))?;
        let range = self
            .biennium_range(a)
            .map_err(|e| DeliveryIssue::new("agreement", e.to_string()))?;
        pricer.price(a, v, range, d)
    }

    /// An empty accumulator in the agreement's currency.
    pub fn accumulator(&self, a: &Agreement) -> CostAccumulator {
        CostAccumulator::new(a.currency)
    }
}
