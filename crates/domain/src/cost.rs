//! The cost engine, rules 2-7 of the brief.
//!
//! A delivery's exact cost is `quantity × rate` (the rate effective on its date) plus its
//! expense, each part in its own currency. Parts in the agreement's currency are summed as exact
//! decimals; parts in another currency are summed per currency and month and converted once, at
//! the end, through USD at that month's operational rate, as exact rationals. The sum is rounded
//! once, half to even (rule 4); PSC is rounded once on the rounded direct cost. A sharing
//! agreement splits the rounded direct cost by largest remainder (rule 5) before PSC.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use num_rational::BigRational;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::agreement::{Agreement, AgreementVersion, Participant};
use crate::allocation::split_largest_remainder;
use crate::delivery::Delivery;
use crate::model::{Framework, Service};
use crate::money::{apply_rate, decimal_to_rational, rational_text, round_to_minor, Currency};
use crate::period::Month;
use crate::rates::{FxTable, RateBook, RateRef};
use crate::{DomainError, Message};

/// Why a delivery cannot be priced or recorded, and which of its fields is at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryIssue {
    pub column: &'static str,
    pub reason: String,
}

impl DeliveryIssue {
    pub fn new(column: &'static str, reason: impl Into<String>) -> DeliveryIssue {
        DeliveryIssue {
            column,
            reason: reason.into(),
        }
    }
}

/// A part of a delivery's cost in one currency, dated by the month whose FX rate converts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostPart {
    pub currency: Currency,
    pub month: Month,
    pub amount: Decimal,
}

/// A delivery's exact cost: the service part (quantity × rate) and the expense part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PricedDelivery {
    pub service: Option<CostPart>,
    pub expense: Option<CostPart>,
    /// The rate applied to the service part.
    pub rate: Option<Decimal>,
}

/// Prices deliveries against the framework's catalogue, rates and exchange rates.
pub struct Pricer<'a> {
    services: HashMap<&'a str, &'a Service>,
    rates: &'a RateBook,
    fx: &'a FxTable,
}

impl<'a> Pricer<'a> {
    pub fn new(framework: &'a Framework, rates: &'a RateBook, fx: &'a FxTable) -> Pricer<'a> {
        Pricer {
            services: framework
                .services
                .iter()
                .map(|s| (s.code.as_str(), s))
                .collect(),
            rates,
            fx,
        }
    }

    pub fn fx(&self) -> &FxTable {
        self.fx
    }

    /// Checks a delivery against its agreement's version in force and prices it exactly.
    pub fn price(
        &self,
        agreement: &Agreement,
        version: &AgreementVersion,
        biennium: (NaiveDate, NaiveDate),
        d: &Delivery,
    ) -> Result<PricedDelivery, DeliveryIssue> {
        if d.date < biennium.0 || d.date > biennium.1 {
            return Err(DeliveryIssue::new(
                "date",
                format!(
                    "{} is outside the biennium {} of agreement {} ({} to {})",
                    d.date, agreement.biennium, agreement.code, biennium.0, biennium.1
                ),
            ));
        }
        let service = self.services.get(d.service.as_str()).ok_or_else(|| {
            DeliveryIssue::new("service", format!("unknown service {}", d.service))
        })?;
        if !version.covers(&d.service) {
            return Err(DeliveryIssue::new(
                "service",
                format!(
                    "service {} is not a line of agreement {}",
                    d.service, agreement.code
                ),
            ));
        }
        if d.quantity < Decimal::ZERO {
            return Err(DeliveryIssue::new(
                "quantity",
                format!("quantity {} is negative", d.quantity),
            ));
        }
        if d.quantity == Decimal::ZERO && d.expense.is_none() {
            return Err(DeliveryIssue::new(
                "quantity",
                "quantity is zero and there is no expense",
            ));
        }
        let month = Month::of(d.date);
        let key = if service.unit.is_staff_time() {
            match &d.grade {
                None => {
                    return Err(DeliveryIssue::new(
                        "grade",
                        format!(
                            "service {} is staff time: a grade is required",
                            service.code
                        ),
                    ))
                }
                Some(g) if !self.rates.knows_grade(&agreement.provider, g) => {
                    return Err(DeliveryIssue::new(
                        "grade",
                        format!(
                            "unknown grade {g} on the rate card of {}",
                            agreement.provider
                        ),
                    ))
                }
                Some(g) => RateRef::Grade(g),
            }
        } else {
            if let Some(g) = &d.grade {
                return Err(DeliveryIssue::new(
                    "grade",
                    format!(
                        "service {} is priced per {}: leave the grade empty (got {g})",
                        service.code,
                        service.unit.as_str()
                    ),
                ));
            }
            RateRef::Service(&service.code)
        };
        let mut priced = PricedDelivery::default();
        if d.quantity > Decimal::ZERO {
            let rate = self
                .rates
                .effective(&agreement.provider, key, service.unit, d.date)
                .map_err(|e| DeliveryIssue::new("date", e.to_string()))?;
            let amount = d
                .quantity
                .checked_mul(rate.amount)
                .ok_or_else(|| DeliveryIssue::new("quantity", "quantity × rate is out of range"))?;
            self.check_fx(rate.currency, agreement.currency, month, "date")?;
            priced.rate = Some(rate.amount);
            priced.service = Some(CostPart {
                currency: rate.currency,
                month,
                amount,
            });
        }
        if let Some(expense) = d.expense {
            if expense.minor < 0 {
                return Err(DeliveryIssue::new(
                    "expense_amount",
                    "an expense cannot be negative",
                ));
            }
            self.check_fx(
                expense.currency,
                agreement.currency,
                month,
                "expense_currency",
            )?;
            priced.expense = Some(CostPart {
                currency: expense.currency,
                month,
                amount: expense.currency.to_major(expense.minor),
            });
        }
        Ok(priced)
    }

    fn check_fx(
        &self,
        from: Currency,
        to: Currency,
        month: Month,
        column: &'static str,
    ) -> Result<(), DeliveryIssue> {
        self.fx
            .check(from, to, month)
            .map_err(|e| DeliveryIssue::new(column, e.to_string()))
    }
}

/// Exact sum of delivery costs for one agreement: decimals in the agreement currency, and
/// per-currency, per-month decimal sums of the parts in other currencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostAccumulator {
    currency: Currency,
    in_currency: Decimal,
    foreign: BTreeMap<(Currency, Month), Decimal>,
    deliveries: u64,
}

impl CostAccumulator {
    pub fn new(currency: Currency) -> CostAccumulator {
        CostAccumulator {
            currency,
            in_currency: Decimal::ZERO,
            foreign: BTreeMap::new(),
            deliveries: 0,
        }
    }

    pub fn deliveries(&self) -> u64 {
        self.deliveries
    }

    pub fn add(&mut self, priced: &PricedDelivery) -> Result<(), DomainError> {
        for part in [priced.service, priced.expense].into_iter().flatten() {
            let slot = if part.currency == self.currency {
                &mut self.in_currency
            } else {
                self.foreign
                    .entry((part.currency, part.month))
                    .or_insert(Decimal::ZERO)
            };
            *slot = slot.checked_add(part.amount).ok_or(DomainError::Overflow)?;
        }
        self.deliveries += 1;
        Ok(())
    }

    /// The exact direct cost in the agreement currency (major units).
    pub fn exact(&self, fx: &FxTable) -> Result<BigRational, DomainError> {
        let mut total = decimal_to_rational(self.in_currency);
        for ((currency, month), amount) in &self.foreign {
            total += decimal_to_rational(*amount) * fx.factor(*currency, self.currency, *month)?;
        }
        Ok(total)
    }
}

/// Direct cost, PSC and total of one charge, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeAmounts {
    pub direct_minor: i64,
    pub psc_minor: i64,
    pub total_minor: i64,
}

impl ChargeAmounts {
    /// Rule 4: PSC = round-half-even(direct × PSC rate); total = direct + PSC.
    pub fn from_direct(direct_minor: i64, psc_rate: Decimal) -> Result<ChargeAmounts, DomainError> {
        let psc_minor = apply_rate(direct_minor, psc_rate)?;
        let total_minor = direct_minor
            .checked_add(psc_minor)
            .ok_or(DomainError::Overflow)?;
        Ok(ChargeAmounts {
            direct_minor,
            psc_minor,
            total_minor,
        })
    }
}

/// What one payer is charged at a closing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeDraft {
    pub payer: Participant,
    pub amounts: ChargeAmounts,
}

/// The outcome of closing one agreement for one period: the exact and rounded joint direct
/// cost and the charge of each payer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosingPlan {
    pub direct_exact: String,
    pub direct_minor: i64,
    pub deliveries: u64,
    pub charges: Vec<ChargeDraft>,
}

/// Computes the charges of one agreement for one period from its accumulated deliveries.
pub fn plan_closing(
    agreement: &Agreement,
    version: &AgreementVersion,
    costs: &CostAccumulator,
    fx: &FxTable,
) -> Result<ClosingPlan, DomainError> {
    let exact = costs.exact(fx)?;
    let direct_minor = round_to_minor(&exact, agreement.currency)?;
    let weights: Vec<Decimal> = version.participants.iter().map(|p| p.weight).collect();
    let parts = split_largest_remainder(direct_minor, &weights)?;
    assert_eq!(
        parts.iter().sum::<i64>(),
        direct_minor,
        "a split adds up to the whole"
    );
    let mut charges = vec![];
    for (participant, part) in version.participants.iter().zip(parts) {
        if participant.fund == agreement.provider_fund || part == 0 {
            continue; // the provider's own share stays where it is; nothing to charge on zero
        }
        let amounts = ChargeAmounts::from_direct(part, version.psc_rate)?;
        charges.push(ChargeDraft {
            payer: participant.clone(),
            amounts,
        });
    }
    Ok(ClosingPlan {
        direct_exact: rational_text(&exact),
        direct_minor,
        deliveries: costs.deliveries(),
        charges,
    })
}

/// Rule 7: what an agreement has committed, charged or not, against its ceiling.
/// `charged_minor` is the total of its posted (not reversed) charges; `pending` the exact
/// cost of its deliveries not yet charged (disputed ones excluded).
pub fn committed_minor(
    agreement: &Agreement,
    version: &AgreementVersion,
    charged_minor: i64,
    pending: &CostAccumulator,
    fx: &FxTable,
) -> Result<i64, DomainError> {
    if pending.deliveries() == 0 {
        return Ok(charged_minor);
    }
    let plan = plan_closing(agreement, version, pending, fx)?;
    // The ceiling bounds what the provider recovers from all payers together.
    let pending_total: i64 = plan.charges.iter().map(|c| c.amounts.total_minor).sum();
    charged_minor
        .checked_add(pending_total)
        .ok_or(DomainError::Overflow)
}

/// Refuses a commitment past the ceiling with the figures a finance officer needs.
pub fn check_ceiling(
    agreement: &Agreement,
    version: &AgreementVersion,
    committed_minor: i64,
) -> Result<(), DomainError> {
    if committed_minor > version.ceiling_minor {
        let c = agreement.currency;
        return Err(DomainError::Delivery(
            Message::new("delivery-past-ceiling")
                .with("agreement", &agreement.code)
                .with("committed", c.format_minor(committed_minor))
                .with("ceiling", c.format_minor(version.ceiling_minor))
                .with("currency", c.code())
                .with("version", version.number.to_string()),
        ));
    }
    Ok(())
}
