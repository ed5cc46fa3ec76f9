//! Cooperation activities: recording them, pricing them at their biennium's rate cards, and
//! planning the next biennium from those that continue.

use synergies_domain::activity::{
    carry_over, price_activity, Activity, PricedContribution, ScenarioTotals,
};
use synergies_domain::model::Framework;
use synergies_domain::rates::RateBook;
use synergies_domain::Currency;
use synergies_store::Store;

use crate::{AppError, AppResult};

/// The currency of a biennium's rate cards (USD when none says otherwise).
fn currency_of(framework: &Framework, biennium: &str) -> Currency {
    framework
        .rate_cards
        .iter()
        .find(|c| c.biennium == biennium)
        .map(|c| c.currency)
        .unwrap_or(Currency::USD)
}

/// Prices an activity at its biennium's rate cards, or says why it cannot be.
fn price(
    framework: &Framework,
    rates: &RateBook,
    a: &Activity,
    biennium: &str,
) -> AppResult<Vec<PricedContribution>> {
    let b = framework
        .biennium(biennium)
        .ok_or_else(|| AppError::Invalid(format!("{}: unknown biennium {biennium}", a.code)))?;
    price_activity(a, b, rates, currency_of(framework, biennium))
        .map_err(|e| AppError::Invalid(format!("{} ({biennium}): {e}", a.code)))
}

fn validate(framework: &Framework, rates: &RateBook, a: &Activity) -> AppResult<()> {
    let bad = |why: String| AppError::Invalid(format!("activity {}: {why}", a.code));
    if a.code.trim().is_empty() {
        return Err(bad("an activity needs a code".into()));
    }
    for org in std::iter::once(&a.lead).chain(&a.partners) {
        if framework.organisation(org).is_none() {
            return Err(bad(format!("unknown organisation {org}")));
        }
    }
    for c in &a.contributions {
        match framework.fund(&c.fund) {
            Some(f) if f.organisation == c.organisation => {}
            Some(f) => {
                return Err(bad(format!(
                    "fund {} belongs to {}, not {}",
                    c.fund, f.organisation, c.organisation
                )))
            }
            None => return Err(bad(format!("unknown fund {}", c.fund))),
        }
        if c.non_staff_minor < 0 || c.staff.iter().any(|s| s.days.is_sign_negative()) {
            return Err(bad("costs and staff-days cannot be negative".into()));
        }
    }
    price(framework, rates, a, &a.biennium).map(|_| ())
}

/// Records activities, all or none: each must name known organisations and funds and be
/// priceable at its biennium's rate cards.
pub fn import_activities(store: &dyn Store, activities: &[Activity]) -> AppResult<usize> {
    let framework = store.framework()?;
    let rates = RateBook::new(&framework.rates);
    for a in activities {
        validate(&framework, &rates, a)?;
    }
    store.save_activities(activities)?;
    Ok(activities.len())
}

/// An activity with its estimated cost.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PricedActivity {
    pub activity: Activity,
    pub costs: Vec<PricedContribution>,
}

/// The activities of a biennium, priced at its rate cards.
pub fn priced(store: &dyn Store, biennium: &str) -> AppResult<Vec<PricedActivity>> {
    let framework = store.framework()?;
    let rates = RateBook::new(&framework.rates);
    store
        .activities(Some(biennium))?
        .into_iter()
        .map(|a| {
            let costs = price(&framework, &rates, &a, biennium)?;
            Ok(PricedActivity { activity: a, costs })
        })
        .collect()
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Plan {
    pub from: String,
    pub to: String,
    pub currency: Currency,
    /// Codes of the activities carried over.
    pub carried: Vec<String>,
    /// Current level in nominal terms (priced in `from`) against projected needs (re-priced
    /// at the rate cards of `to`).
    pub scenarios: ScenarioTotals,
}

/// Carries the continuing activities of `from` into `to`, re-priced at the rate cards of
/// `to`, and compares the two funding scenarios. Running it again replaces the same plan.
pub fn plan(store: &dyn Store, from: &str, to: &str) -> AppResult<Plan> {
    let framework = store.framework()?;
    let rates = RateBook::new(&framework.rates);
    if framework.biennium(to).is_none() {
        return Err(AppError::Invalid(format!("unknown biennium {to}")));
    }
    let current = store.activities(Some(from))?;
    let carried = carry_over(&current, to);
    let mut scenarios = ScenarioTotals::default();
    for (now, next) in current
        .iter()
        .filter(|a| carried.iter().any(|c| c.code == a.code))
        .zip(&carried)
    {
        scenarios.add(
            &price(&framework, &rates, now, from)?,
            &price(&framework, &rates, next, to)?,
        );
    }
    store.save_activities(&carried)?;
    store.audit(
        "cli",
        "activities.plan",
        &format!("{from} -> {to}"),
        &serde_json::json!({ "carried": carried.len() }),
    )?;
    Ok(Plan {
        from: from.to_string(),
        to: to.to_string(),
        currency: currency_of(&framework, to),
        carried: carried.into_iter().map(|a| a.code).collect(),
        scenarios,
    })
}
