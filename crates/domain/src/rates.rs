//! Effective-dated rates (rule 2) and monthly operational exchange rates through USD (rule 3).

use std::collections::HashMap;

use chrono::NaiveDate;
use num_bigint::BigInt;
use num_rational::BigRational;
use rust_decimal::Decimal;

use crate::model::{Rate, RateKey, Unit};
use crate::money::{decimal_to_rational, Currency};
use crate::period::Month;
use crate::DomainError;

/// The rate that applies, with its provenance for statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedRate {
    pub amount: Decimal,
    pub currency: Currency,
    pub effective_from: NaiveDate,
}

/// What a look-up prices, borrowed: a grade (staff time) or a unit-priced service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateRef<'a> {
    Grade(&'a str),
    Service(&'a str),
}

impl RateRef<'_> {
    fn describe(&self) -> String {
        match self {
            RateRef::Grade(g) => format!("grade {g}"),
            RateRef::Service(s) => format!("service {s}"),
        }
    }
}

/// One provider's rates: per grade or service, per unit, sorted by effective date.
#[derive(Debug, Default, Clone)]
struct ProviderRates {
    grades: HashMap<String, HashMap<Unit, Vec<AppliedRate>>>,
    services: HashMap<String, HashMap<Unit, Vec<AppliedRate>>>,
}

/// All dated rates, indexed for look-up by provider, key and unit without allocating.
#[derive(Debug, Default, Clone)]
pub struct RateBook {
    by_provider: HashMap<String, ProviderRates>,
}

impl RateBook {
    pub fn new<'a>(rates: impl IntoIterator<Item = &'a Rate>) -> RateBook {
        let mut by_provider: HashMap<String, ProviderRates> = HashMap::new();
        for r in rates {
            let p = by_provider.entry(r.provider.clone()).or_default();
            let by_code = match &r.key {
                RateKey::Grade(g) => p.grades.entry(g.clone()).or_default(),
                RateKey::Service(s) => p.services.entry(s.clone()).or_default(),
            };
            by_code.entry(r.unit).or_default().push(AppliedRate {
                amount: r.amount,
                currency: r.currency,
                effective_from: r.effective_from,
            });
        }
        for p in by_provider.values_mut() {
            for units in p.grades.values_mut().chain(p.services.values_mut()) {
                for list in units.values_mut() {
                    list.sort_by_key(|r| r.effective_from);
                }
            }
        }
        RateBook { by_provider }
    }

    /// The provider's rate for `key` per `unit` effective on `date`: the latest whose start date
    /// is on or before it.
    pub fn effective(
        &self,
        provider: &str,
        key: RateRef<'_>,
        unit: Unit,
        date: NaiveDate,
    ) -> Result<&AppliedRate, DomainError> {
        let no_rate = || DomainError::NoRate {
            provider: provider.to_string(),
            key: key.describe(),
            unit: unit.as_str().to_string(),
            date: date.to_string(),
        };
        let p = self.by_provider.get(provider).ok_or_else(no_rate)?;
        let units = match key {
            RateRef::Grade(g) => p.grades.get(g),
            RateRef::Service(s) => p.services.get(s),
        };
        let list = units.and_then(|u| u.get(&unit)).ok_or_else(no_rate)?;
        let idx = list.partition_point(|r| r.effective_from <= date);
        if idx == 0 {
            return Err(no_rate());
        }
        Ok(&list[idx - 1])
    }

    /// Whether any rate exists for this grade with this provider (for "unknown grade" errors).
    pub fn knows_grade(&self, provider: &str, grade: &str) -> bool {
        self.by_provider
            .get(provider)
            .is_some_and(|p| p.grades.contains_key(grade))
    }
}

/// Monthly operational rates: units of a currency per USD.
#[derive(Debug, Default, Clone)]
pub struct FxTable {
    per_usd: HashMap<(Currency, Month), Decimal>,
}

impl FxTable {
    pub fn new<'a>(rates: impl IntoIterator<Item = &'a crate::model::FxRate>) -> FxTable {
        FxTable {
            per_usd: rates
                .into_iter()
                .map(|r| ((r.currency, r.month), r.per_usd))
                .collect(),
        }
    }

    /// The operational rate of `currency` in `month`: its units per US dollar (1 for USD).
    pub fn per_usd(&self, currency: Currency, month: Month) -> Result<Decimal, DomainError> {
        if currency == Currency::USD {
            return Ok(Decimal::ONE);
        }
        self.per_usd
            .get(&(currency, month))
            .copied()
            .filter(|r| *r > Decimal::ZERO)
            .ok_or_else(|| DomainError::NoFxRate {
                currency: currency.code().to_string(),
                month: month.to_string(),
            })
    }

    /// Whether `from` converts into `to` in `month`: both have an operational rate (USD always).
    pub fn check(&self, from: Currency, to: Currency, month: Month) -> Result<(), DomainError> {
        if from != to {
            self.per_usd(from, month)?;
            self.per_usd(to, month)?;
        }
        Ok(())
    }

    /// The exact factor that converts an amount in `from` into `to` at the operational rates of
    /// `month`, through USD: `amount / per_usd(from) × per_usd(to)`.
    pub fn factor(
        &self,
        from: Currency,
        to: Currency,
        month: Month,
    ) -> Result<BigRational, DomainError> {
        if from == to {
            return Ok(BigRational::from_integer(BigInt::from(1)));
        }
        let from_rate = decimal_to_rational(self.per_usd(from, month)?);
        let to_rate = decimal_to_rational(self.per_usd(to, month)?);
        Ok(to_rate / from_rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn date(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).unwrap()
    }

    #[test]
    fn latest_rate_on_or_before_the_date_applies() {
        let rate = |from: &str, amount: &str| Rate {
            provider: "MC".into(),
            biennium: "2026-2027".into(),
            key: RateKey::Grade("P-4".into()),
            unit: Unit::StaffDay,
            effective_from: date(from),
            amount: d(amount),
            currency: Currency::USD,
        };
        let rates = [rate("2026-07-01", "700"), rate("2026-01-01", "650")];
        let book = RateBook::new(&rates);
        let key = RateRef::Grade("P-4");
        let on = |s| book.effective("MC", key, Unit::StaffDay, date(s));
        assert_eq!(on("2026-06-30").unwrap().amount, d("650"));
        assert_eq!(on("2026-07-01").unwrap().amount, d("700"));
        assert!(on("2025-12-31").is_err());
        assert!(book
            .effective("BRS", key, Unit::StaffDay, date("2026-03-01"))
            .is_err());
        assert!(book.knows_grade("MC", "P-4"));
        assert!(!book.knows_grade("MC", "P-5"));
    }

    #[test]
    fn conversion_goes_through_usd() {
        let chf = Currency::from_code("CHF").unwrap();
        let eur = Currency::from_code("EUR").unwrap();
        let m = Month::new(2026, 3).unwrap();
        let rates = [
            crate::model::FxRate {
                currency: chf,
                month: m,
                per_usd: d("0.8"),
            },
            crate::model::FxRate {
                currency: eur,
                month: m,
                per_usd: d("0.9"),
            },
        ];
        let fx = FxTable::new(&rates);
        // 100 CHF = 125 USD = 112.5 EUR.
        let f = fx.factor(chf, eur, m).unwrap();
        assert_eq!(
            decimal_to_rational(d("100")) * f,
            decimal_to_rational(d("112.5"))
        );
        let f = fx.factor(chf, Currency::USD, m).unwrap();
        assert_eq!(
            decimal_to_rational(d("100")) * f,
            decimal_to_rational(d("125"))
        );
        assert!(fx.factor(chf, Currency::USD, m.next()).is_err());
    }
}
