//! Cooperation activities of a biennium, their estimated cost per organisation (staff-days by
//! grade priced at that biennium's rate card, plus non-staff costs), and the carrying over of
//! continuing activities into the next biennium with both funding scenarios.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::{Biennium, Unit};
use crate::money::{decimal_to_rational, round_to_minor, Currency};
use crate::rates::{RateBook, RateRef};
use crate::text::{Issues, TextKind};
use crate::{DomainError, Message};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ActivityCategory {
    Administrative,
    Programmatic,
    Technical,
    TechnicalAssistance,
    Training,
    KnowledgeManagement,
    ConferenceServicing,
}

impl ActivityCategory {
    pub const ALL: [ActivityCategory; 7] = [
        ActivityCategory::Administrative,
        ActivityCategory::Programmatic,
        ActivityCategory::Technical,
        ActivityCategory::TechnicalAssistance,
        ActivityCategory::Training,
        ActivityCategory::KnowledgeManagement,
        ActivityCategory::ConferenceServicing,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FundingStatus {
    CoreBudget,
    SubjectToResources,
    VoluntaryFunding,
    Unfunded,
}

impl FundingStatus {
    pub const ALL: [FundingStatus; 4] = [
        FundingStatus::CoreBudget,
        FundingStatus::SubjectToResources,
        FundingStatus::VoluntaryFunding,
        FundingStatus::Unfunded,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ActivityStatus {
    Planned,
    Ongoing,
    Completed,
    Postponed,
    Cancelled,
}

impl ActivityStatus {
    pub const ALL: [ActivityStatus; 5] = [
        ActivityStatus::Planned,
        ActivityStatus::Ongoing,
        ActivityStatus::Completed,
        ActivityStatus::Postponed,
        ActivityStatus::Cancelled,
    ];
}

/// Staff time of one grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffTime {
    pub grade: String,
    pub days: Decimal,
}

/// What one organisation puts into an activity, from one of its funds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contribution {
    pub organisation: String,
    pub fund: String,
    #[serde(default)]
    pub staff: Vec<StaffTime>,
    /// Non-staff costs in minor units of the biennium's currency.
    #[serde(default)]
    pub non_staff_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activity {
    pub code: String,
    pub biennium: String,
    pub title_en: String,
    pub title_fr: String,
    pub category: ActivityCategory,
    pub lead: String,
    #[serde(default)]
    pub partners: Vec<String>,
    /// Mandates it serves, such as `MC-6/20 4(a)`.
    #[serde(default)]
    pub mandates: Vec<String>,
    /// Budget lines it draws on, such as `MCGTF 9`.
    #[serde(default)]
    pub budget_lines: Vec<String>,
    /// Agreements that carry its cost (their charges in its biennium are its actual cost).
    #[serde(default)]
    pub agreements: Vec<String>,
    pub contributions: Vec<Contribution>,
    pub funding: FundingStatus,
    pub status: ActivityStatus,
    #[serde(default)]
    pub outputs: Vec<String>,
    /// Whether it continues into the next biennium.
    #[serde(default)]
    pub continues: bool,
}

impl Activity {
    /// What the activity's own fields hold wrong, every problem at once: the text of every
    /// field (codes, titles, mandates, outputs), negative costs or staff-days.
    pub fn issues(&self) -> Issues {
        let mut i = Issues::new();
        let r = format!("activity {}", self.code);
        i.text(&r, "code", TextKind::Code, &self.code);
        i.text(&r, "biennium", TextKind::Code, &self.biennium);
        i.required(&r, "title_en", TextKind::Name, &self.title_en);
        i.text(&r, "title_fr", TextKind::Name, &self.title_fr);
        i.text(&r, "lead", TextKind::Code, &self.lead);
        i.each(&r, "partners", TextKind::Code, &self.partners);
        i.each(&r, "mandates", TextKind::Name, &self.mandates);
        i.each(&r, "budget_lines", TextKind::Name, &self.budget_lines);
        i.each(&r, "agreements", TextKind::Code, &self.agreements);
        i.each(&r, "outputs", TextKind::Text, &self.outputs);
        for c in &self.contributions {
            let cr = format!("{r}: contribution of {}", c.organisation);
            i.text(&cr, "organisation", TextKind::Code, &c.organisation);
            i.text(&cr, "fund", TextKind::Code, &c.fund);
            for s in &c.staff {
                i.text(&cr, "grade", TextKind::Code, &s.grade);
            }
            if c.non_staff_minor < 0 || c.staff.iter().any(|s| s.days.is_sign_negative()) {
                i.push(&cr, "", "costs and staff-days cannot be negative");
            }
        }
        i
    }
}

/// An organisation's estimated cost of an activity, priced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PricedContribution {
    pub organisation: String,
    pub fund: String,
    pub currency: Currency,
    pub staff_minor: i64,
    pub non_staff_minor: i64,
    pub total_minor: i64,
}

/// Prices each contribution: staff-days by grade at the organisation's staff-day rate in
/// force on the first day of `biennium` (its rate card for that biennium), rounded once per
/// contribution, half to even; plus the non-staff costs.
pub fn price_activity(
    a: &Activity,
    biennium: &Biennium,
    rates: &RateBook,
    currency: Currency,
) -> Result<Vec<PricedContribution>, DomainError> {
    a.contributions
        .iter()
        .map(|c| {
            let mut exact = decimal_to_rational(Decimal::ZERO);
            for s in &c.staff {
                let rate = rates.effective(
                    &c.organisation,
                    RateRef::Grade(&s.grade),
                    Unit::StaffDay,
                    biennium.start,
                )?;
                if rate.currency != currency {
                    return Err(DomainError::Agreement(
                        Message::new("activity-rate-card-currency")
                            .with("biennium", &biennium.code)
                            .with("organisation", &c.organisation)
                            .with("card", rate.currency.code())
                            .with("currency", currency.code()),
                    ));
                }
                exact += decimal_to_rational(s.days) * decimal_to_rational(rate.amount);
            }
            let staff_minor = round_to_minor(&exact, currency)?;
            Ok(PricedContribution {
                organisation: c.organisation.clone(),
                fund: c.fund.clone(),
                currency,
                staff_minor,
                non_staff_minor: c.non_staff_minor,
                total_minor: staff_minor
                    .checked_add(c.non_staff_minor)
                    .ok_or(DomainError::Overflow)?,
            })
        })
        .collect()
}

/// The activities of `from` that continue into `to`: planned or ongoing, marked to continue,
/// carried over as planned activities of `to` with the same contributions. Agreements belong
/// to one biennium, so the carried activities name none until new ones are linked.
pub fn carry_over(activities: &[Activity], to: &str) -> Vec<Activity> {
    activities
        .iter()
        .filter(|a| {
            a.continues && matches!(a.status, ActivityStatus::Planned | ActivityStatus::Ongoing)
        })
        .map(|a| Activity {
            biennium: to.to_string(),
            status: ActivityStatus::Planned,
            agreements: vec![],
            ..a.clone()
        })
        .collect()
}

/// Totals of two funding scenarios for the next biennium: the current level in nominal terms
/// (the activities as priced in the current biennium) and the projected needs (re-priced at
/// the next biennium's rate cards), per organisation and per fund.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioTotals {
    /// (organisation, fund) → (current level, projected needs), in minor units.
    pub by_fund: BTreeMap<String, (i64, i64)>,
    pub by_organisation: BTreeMap<String, (i64, i64)>,
    pub total: (i64, i64),
}

impl ScenarioTotals {
    pub fn add(&mut self, current: &[PricedContribution], projected: &[PricedContribution]) {
        for (c, p) in current.iter().zip(projected) {
            let fund = format!("{}/{}", c.organisation, c.fund);
            let f = self.by_fund.entry(fund).or_default();
            f.0 += c.total_minor;
            f.1 += p.total_minor;
            let o = self
                .by_organisation
                .entry(c.organisation.clone())
                .or_default();
            o.0 += c.total_minor;
            o.1 += p.total_minor;
            self.total.0 += c.total_minor;
            self.total.1 += p.total_minor;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BienniumStatus, Rate, RateKey};
    use chrono::NaiveDate;

    fn biennium(code: &str, year: i32) -> Biennium {
        Biennium {
            code: code.into(),
            start: NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
            end: NaiveDate::from_ymd_opt(year + 1, 12, 31).unwrap(),
            status: BienniumStatus::Planning,
        }
    }

    #[test]
    fn an_activity_carried_over_is_repriced_at_the_new_rate_card() {
        let rate = |from: &str, amount: i64| Rate {
            provider: "MC".into(),
            biennium: "x".into(),
            key: RateKey::Grade("P-4".into()),
            unit: Unit::StaffDay,
            effective_from: from.parse().unwrap(),
            amount: Decimal::new(amount, 2),
            currency: Currency::USD,
        };
        let rates = [rate("2026-01-01", 90_000), rate("2028-01-01", 95_850)];
        let book = RateBook::new(&rates);
        let a = Activity {
            code: "A1".into(),
            biennium: "2026-2027".into(),
            title_en: "Joint training".into(),
            title_fr: "Formation conjointe".into(),
            category: ActivityCategory::Training,
            lead: "MC".into(),
            partners: vec!["BRS".into()],
            mandates: vec!["MC-6/20 3".into()],
            budget_lines: vec![],
            agreements: vec!["JOINT-TRAIN-2026".into()],
            contributions: vec![Contribution {
                organisation: "MC".into(),
                fund: "MCGTF".into(),
                staff: vec![StaffTime {
                    grade: "P-4".into(),
                    days: Decimal::from(20),
                }],
                non_staff_minor: 150_000,
            }],
            funding: FundingStatus::SubjectToResources,
            status: ActivityStatus::Ongoing,
            outputs: vec![],
            continues: true,
        };
        let now = price_activity(&a, &biennium("2026-2027", 2026), &book, Currency::USD).unwrap();
        assert_eq!(now[0].staff_minor, 20 * 90_000);
        let next = carry_over(std::slice::from_ref(&a), "2028-2029");
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].status, ActivityStatus::Planned);
        assert!(
            next[0].agreements.is_empty(),
            "agreements stay in their biennium"
        );
        let later =
            price_activity(&next[0], &biennium("2028-2029", 2028), &book, Currency::USD).unwrap();
        // 20 P-4 staff-days cost 20 times the 2028-2029 P-4 rate.
        assert_eq!(later[0].staff_minor, 20 * 95_850);
        assert_eq!(later[0].total_minor, 20 * 95_850 + 150_000);
        let mut totals = ScenarioTotals::default();
        totals.add(&now, &later);
        assert_eq!(totals.total, (1_950_000, 2_067_000));
        assert_eq!(totals.by_fund["MC/MCGTF"], (1_950_000, 2_067_000));
    }
}
