//! The nouns of the brief: organisations, conventions, trust funds, biennia and budget lines,
//! services, rate cards, exchange rates. Agreements, deliveries and charges have their own
//! modules because they carry rules.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::Currency;
use crate::period::Month;
use crate::text::{Issues, TextKind};
use crate::DomainError;

/// A secretariat or branch (MC, BRS, CHB). Owns its records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    pub code: String,
    pub name: String,
}

/// A convention administered by an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Convention {
    pub code: String,
    pub name: String,
    pub organisation: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FundKind {
    General,
    Special,
    SpecificProgramme,
    Voluntary,
}

impl FundKind {
    pub const ALL: [FundKind; 4] = [
        FundKind::General,
        FundKind::Special,
        FundKind::SpecificProgramme,
        FundKind::Voluntary,
    ];
    pub fn as_str(&self) -> &'static str {
        match self {
            FundKind::General => "general",
            FundKind::Special => "special",
            FundKind::SpecificProgramme => "specific_programme",
            FundKind::Voluntary => "voluntary",
        }
    }
    pub fn parse(s: &str) -> Option<FundKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A trust fund: a self-balancing entity of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fund {
    pub code: String,
    pub name: String,
    pub convention: String,
    pub organisation: String,
    pub kind: FundKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BienniumStatus {
    Planning,
    Open,
    Closing,
    Closed,
}

impl BienniumStatus {
    pub const ALL: [BienniumStatus; 4] = [
        BienniumStatus::Planning,
        BienniumStatus::Open,
        BienniumStatus::Closing,
        BienniumStatus::Closed,
    ];
    pub fn as_str(&self) -> &'static str {
        match self {
            BienniumStatus::Planning => "planning",
            BienniumStatus::Open => "open",
            BienniumStatus::Closing => "closing",
            BienniumStatus::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<BienniumStatus> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A budget period of two years, such as `2026-2027`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Biennium {
    pub code: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub status: BienniumStatus,
}

impl Biennium {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// A line of a fund's budget for a biennium (a programme-of-work activity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetLine {
    pub fund: String,
    pub biennium: String,
    pub activity: String,
    pub title: String,
    pub currency: Currency,
    pub amount_minor: i64,
    pub staff_days: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Unit {
    StaffDay,
    StaffHour,
    MeetingDay,
    Page,
    Month,
    LumpSum,
}

impl Unit {
    pub const ALL: [Unit; 6] = [
        Unit::StaffDay,
        Unit::StaffHour,
        Unit::MeetingDay,
        Unit::Page,
        Unit::Month,
        Unit::LumpSum,
    ];
    pub fn as_str(&self) -> &'static str {
        match self {
            Unit::StaffDay => "staff_day",
            Unit::StaffHour => "staff_hour",
            Unit::MeetingDay => "meeting_day",
            Unit::Page => "page",
            Unit::Month => "month",
            Unit::LumpSum => "lump_sum",
        }
    }
    pub fn parse(s: &str) -> Option<Unit> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// Staff time is priced by grade; other units by a unit rate of the service.
    pub fn is_staff_time(&self) -> bool {
        matches!(self, Unit::StaffDay | Unit::StaffHour)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ServiceCategory {
    ConferenceServicing,
    Legal,
    KnowledgeManagement,
    ItWeb,
    Communications,
    AdministrationFinance,
    TechnicalAssistance,
    Training,
    Secretariat,
}

impl ServiceCategory {
    pub const ALL: [ServiceCategory; 9] = [
        ServiceCategory::ConferenceServicing,
        ServiceCategory::Legal,
        ServiceCategory::KnowledgeManagement,
        ServiceCategory::ItWeb,
        ServiceCategory::Communications,
        ServiceCategory::AdministrationFinance,
        ServiceCategory::TechnicalAssistance,
        ServiceCategory::Training,
        ServiceCategory::Secretariat,
    ];
    pub fn as_str(&self) -> &'static str {
        match self {
            ServiceCategory::ConferenceServicing => "conference_servicing",
            ServiceCategory::Legal => "legal",
            ServiceCategory::KnowledgeManagement => "knowledge_management",
            ServiceCategory::ItWeb => "it_web",
            ServiceCategory::Communications => "communications",
            ServiceCategory::AdministrationFinance => "administration_finance",
            ServiceCategory::TechnicalAssistance => "technical_assistance",
            ServiceCategory::Training => "training",
            ServiceCategory::Secretariat => "secretariat",
        }
    }
    pub fn parse(s: &str) -> Option<ServiceCategory> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A service of an organisation's catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Service {
    pub code: String,
    pub name: String,
    pub provider: String,
    pub category: ServiceCategory,
    pub unit: Unit,
}

/// A provider's rate card for one biennium: its currency and standard PSC rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RateCard {
    pub provider: String,
    pub biennium: String,
    pub currency: Currency,
    /// Programme support cost rate, e.g. 0.13 for 13 %.
    pub psc_rate: Decimal,
}

/// What a rate prices: staff time of a grade, or a unit of a unit-priced service.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RateKey {
    Grade(String),
    Service(String),
}

impl RateKey {
    /// `grade:P-4` or `service:CONF-INT`, the stored form.
    pub fn to_text(&self) -> String {
        match self {
            RateKey::Grade(g) => format!("grade:{g}"),
            RateKey::Service(s) => format!("service:{s}"),
        }
    }
    pub fn from_text(s: &str) -> Option<RateKey> {
        if let Some(g) = s.strip_prefix("grade:") {
            Some(RateKey::Grade(g.to_string()))
        } else {
            s.strip_prefix("service:")
                .map(|c| RateKey::Service(c.to_string()))
        }
    }
}

/// One dated rate of a rate card: from `effective_from` on, one `unit` of `key` costs `amount`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rate {
    pub provider: String,
    pub biennium: String,
    pub key: RateKey,
    pub unit: Unit,
    pub effective_from: NaiveDate,
    pub amount: Decimal,
    pub currency: Currency,
}

/// A monthly UN operational rate: units of `currency` per US dollar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FxRate {
    pub currency: Currency,
    pub month: Month,
    pub per_usd: Decimal,
}

/// All reference data of the framework, loaded and saved as one document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Framework {
    #[serde(default)]
    pub organisations: Vec<Organisation>,
    #[serde(default)]
    pub conventions: Vec<Convention>,
    #[serde(default)]
    pub funds: Vec<Fund>,
    #[serde(default)]
    pub bienniums: Vec<Biennium>,
    #[serde(default)]
    pub budget_lines: Vec<BudgetLine>,
    #[serde(default)]
    pub services: Vec<Service>,
    #[serde(default)]
    pub rate_cards: Vec<RateCard>,
    #[serde(default)]
    pub rates: Vec<Rate>,
    #[serde(default)]
    pub fx_rates: Vec<FxRate>,
}

impl Framework {
    /// What a charge is priced with: the rate cards (their PSC rates and currencies), the dated
    /// rates and the exchange rates, as one canonical text (sorted, so the order they were read
    /// in does not matter). Two frameworks price every delivery alike when these are equal. The
    /// text is for comparing within one program, not for storing.
    pub fn pricing_terms(&self) -> String {
        let mut lines: Vec<String> = self
            .rate_cards
            .iter()
            .map(|x| format!("{x:?}"))
            .chain(self.rates.iter().map(|x| format!("{x:?}")))
            .chain(self.fx_rates.iter().map(|x| format!("{x:?}")))
            .collect();
        lines.sort();
        lines.join("\n")
    }

    pub fn organisation(&self, code: &str) -> Option<&Organisation> {
        self.organisations.iter().find(|o| o.code == code)
    }
    pub fn fund(&self, code: &str) -> Option<&Fund> {
        self.funds.iter().find(|f| f.code == code)
    }
    pub fn biennium(&self, code: &str) -> Option<&Biennium> {
        self.bienniums.iter().find(|b| b.code == code)
    }
    pub fn service(&self, code: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.code == code)
    }
    pub fn rate_card(&self, provider: &str, biennium: &str) -> Option<&RateCard> {
        self.rate_cards
            .iter()
            .find(|c| c.provider == provider && c.biennium == biennium)
    }
}

/// A closing that was posted: the provider whose rates priced it, the biennium of its
/// agreement and the days of its period. What posted closings used is frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostedPeriod {
    pub provider: String,
    pub biennium: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl PostedPeriod {
    /// Whether the period has a day in `[from, until)` (`until` `None`: no end).
    fn overlaps(&self, from: NaiveDate, until: Option<NaiveDate>) -> bool {
        self.end >= from && until.is_none_or(|u| self.start < u)
    }
}

fn rate_name(r: &Rate) -> String {
    format!(
        "rate {} {} per {} from {}",
        r.provider,
        r.key.to_text(),
        r.unit.as_str(),
        r.effective_from
    )
}

fn same_rate_key(a: &Rate, b: &Rate) -> bool {
    a.provider == b.provider && a.key == b.key && a.unit == b.unit
}

/// Reports every key that appears more than once among `keys`.
fn duplicates<K: Ord + Clone>(
    issues: &mut Issues,
    what: &str,
    keys: impl IntoIterator<Item = (K, String)>,
) {
    let mut seen = std::collections::BTreeSet::new();
    for (k, name) in keys {
        if !seen.insert(k) {
            issues.push(
                format!("{what} {name}"),
                "",
                "is given more than once in the same document",
            );
        }
    }
}

impl Framework {
    /// `update` applied to this framework as the store saves it: a record of `update` replaces
    /// the record with the same key, other records stay.
    pub fn merged(&self, update: &Framework) -> Framework {
        fn merge<T: Clone, K: PartialEq>(old: &[T], new: &[T], key: impl Fn(&T) -> K) -> Vec<T> {
            let mut out: Vec<T> = old
                .iter()
                .filter(|o| !new.iter().any(|n| key(n) == key(o)))
                .cloned()
                .collect();
            out.extend(new.iter().cloned());
            out
        }
        Framework {
            organisations: merge(&self.organisations, &update.organisations, |o| {
                o.code.clone()
            }),
            conventions: merge(&self.conventions, &update.conventions, |c| c.code.clone()),
            funds: merge(&self.funds, &update.funds, |f| f.code.clone()),
            bienniums: merge(&self.bienniums, &update.bienniums, |b| b.code.clone()),
            budget_lines: merge(&self.budget_lines, &update.budget_lines, |l| {
                (l.fund.clone(), l.biennium.clone(), l.activity.clone())
            }),
            services: merge(&self.services, &update.services, |s| s.code.clone()),
            rate_cards: merge(&self.rate_cards, &update.rate_cards, |c| {
                (c.provider.clone(), c.biennium.clone())
            }),
            rates: merge(&self.rates, &update.rates, |r| {
                (r.provider.clone(), r.key.clone(), r.unit, r.effective_from)
            }),
            fx_rates: merge(&self.fx_rates, &update.fx_rates, |x| (x.currency, x.month)),
        }
    }

    /// Checks a framework document on its own: the text of every field, no key given twice,
    /// rates and exchange rates more than zero, PSC rates from 0 to less than 1, bienniums that
    /// end after they start, no negative budget.
    pub fn validate_document(&self) -> Issues {
        let mut i = Issues::new();
        for o in &self.organisations {
            let r = format!("organisation {}", o.code);
            i.text(&r, "code", TextKind::Code, &o.code);
            i.required(&r, "name", TextKind::Name, &o.name);
        }
        duplicates(
            &mut i,
            "organisation",
            self.organisations
                .iter()
                .map(|o| (o.code.clone(), o.code.clone())),
        );
        for c in &self.conventions {
            let r = format!("convention {}", c.code);
            i.text(&r, "code", TextKind::Code, &c.code);
            i.required(&r, "name", TextKind::Name, &c.name);
            i.text(&r, "organisation", TextKind::Code, &c.organisation);
        }
        duplicates(
            &mut i,
            "convention",
            self.conventions
                .iter()
                .map(|c| (c.code.clone(), c.code.clone())),
        );
        for f in &self.funds {
            let r = format!("fund {}", f.code);
            i.text(&r, "code", TextKind::Code, &f.code);
            i.required(&r, "name", TextKind::Name, &f.name);
            i.text(&r, "convention", TextKind::Code, &f.convention);
            i.text(&r, "organisation", TextKind::Code, &f.organisation);
        }
        duplicates(
            &mut i,
            "fund",
            self.funds.iter().map(|f| (f.code.clone(), f.code.clone())),
        );
        for b in &self.bienniums {
            let r = format!("biennium {}", b.code);
            i.text(&r, "code", TextKind::Code, &b.code);
            if b.end < b.start {
                i.push(&r, "end", "is before its start");
            }
        }
        duplicates(
            &mut i,
            "biennium",
            self.bienniums
                .iter()
                .map(|b| (b.code.clone(), b.code.clone())),
        );
        for l in &self.budget_lines {
            let r = format!("budget line {} {} {}", l.fund, l.biennium, l.activity);
            i.text(&r, "fund", TextKind::Code, &l.fund);
            i.text(&r, "biennium", TextKind::Code, &l.biennium);
            i.text(&r, "activity", TextKind::Code, &l.activity);
            i.required(&r, "title", TextKind::Name, &l.title);
            if l.amount_minor < 0 {
                i.push(&r, "amount_minor", "cannot be negative");
            }
            if l.staff_days.is_sign_negative() {
                i.push(&r, "staff_days", "cannot be negative");
            }
        }
        duplicates(
            &mut i,
            "budget line",
            self.budget_lines.iter().map(|l| {
                let k = (l.fund.clone(), l.biennium.clone(), l.activity.clone());
                (k, format!("{} {} {}", l.fund, l.biennium, l.activity))
            }),
        );
        for s in &self.services {
            let r = format!("service {}", s.code);
            i.text(&r, "code", TextKind::Code, &s.code);
            i.required(&r, "name", TextKind::Name, &s.name);
            i.text(&r, "provider", TextKind::Code, &s.provider);
        }
        duplicates(
            &mut i,
            "service",
            self.services
                .iter()
                .map(|s| (s.code.clone(), s.code.clone())),
        );
        for c in &self.rate_cards {
            let r = format!("rate card {} {}", c.provider, c.biennium);
            i.text(&r, "provider", TextKind::Code, &c.provider);
            i.text(&r, "biennium", TextKind::Code, &c.biennium);
            if c.psc_rate.is_sign_negative() || c.psc_rate >= Decimal::ONE {
                i.push(
                    &r,
                    "psc_rate",
                    format!("{} is not a rate from 0 to less than 1", c.psc_rate),
                );
            }
        }
        duplicates(
            &mut i,
            "rate card",
            self.rate_cards.iter().map(|c| {
                let k = (c.provider.clone(), c.biennium.clone());
                (k, format!("{} {}", c.provider, c.biennium))
            }),
        );
        for x in &self.rates {
            let r = rate_name(x);
            i.text(&r, "provider", TextKind::Code, &x.provider);
            i.text(&r, "biennium", TextKind::Code, &x.biennium);
            let (RateKey::Grade(k) | RateKey::Service(k)) = &x.key;
            i.text(&r, "key", TextKind::Code, k);
            if x.amount <= Decimal::ZERO {
                i.push(&r, "amount", format!("{} is not more than zero", x.amount));
            }
        }
        duplicates(
            &mut i,
            "",
            self.rates.iter().map(|x| (rate_name(x), rate_name(x))),
        );
        for x in &self.fx_rates {
            let r = format!("exchange rate {} {}", x.currency.code(), x.month);
            if x.per_usd <= Decimal::ZERO {
                i.push(
                    &r,
                    "per_usd",
                    format!("{} is not more than zero", x.per_usd),
                );
            }
        }
        duplicates(
            &mut i,
            "exchange rate",
            self.fx_rates.iter().map(|x| {
                let k = format!("{} {}", x.currency.code(), x.month);
                (k.clone(), k)
            }),
        );
        i
    }

    /// Checks what the framework's records name: the organisation of each convention, fund and
    /// service, the convention of each fund, the rate card of each rate (and its currency), the
    /// service a service rate prices.
    pub fn validate_references(&self) -> Issues {
        let mut i = Issues::new();
        let org = |i: &mut Issues, r: &str, code: &str| {
            if self.organisation(code).is_none() {
                i.push(r, "organisation", format!("unknown organisation {code}"));
            }
        };
        for c in &self.conventions {
            org(&mut i, &format!("convention {}", c.code), &c.organisation);
        }
        for f in &self.funds {
            let r = format!("fund {}", f.code);
            org(&mut i, &r, &f.organisation);
            if !self.conventions.iter().any(|c| c.code == f.convention) {
                i.push(
                    &r,
                    "convention",
                    format!("unknown convention {}", f.convention),
                );
            }
        }
        for s in &self.services {
            org(&mut i, &format!("service {}", s.code), &s.provider);
        }
        for l in &self.budget_lines {
            let r = format!("budget line {} {} {}", l.fund, l.biennium, l.activity);
            if self.fund(&l.fund).is_none() {
                i.push(&r, "fund", format!("unknown fund {}", l.fund));
            }
            if self.biennium(&l.biennium).is_none() {
                i.push(&r, "biennium", format!("unknown biennium {}", l.biennium));
            }
        }
        for c in &self.rate_cards {
            let r = format!("rate card {} {}", c.provider, c.biennium);
            org(&mut i, &r, &c.provider);
            if self.biennium(&c.biennium).is_none() {
                i.push(&r, "biennium", format!("unknown biennium {}", c.biennium));
            }
        }
        for x in &self.rates {
            let r = rate_name(x);
            match self.rate_card(&x.provider, &x.biennium) {
                None => i.push(
                    &r,
                    "biennium",
                    format!("{} has no rate card for {}", x.provider, x.biennium),
                ),
                Some(c) if c.currency != x.currency => i.push(
                    &r,
                    "currency",
                    format!(
                        "is {}, the rate card's currency is {}",
                        x.currency.code(),
                        c.currency.code()
                    ),
                ),
                Some(_) => {}
            }
            if let RateKey::Service(s) = &x.key {
                if self.service(s).is_none() {
                    i.push(&r, "key", format!("unknown service {s}"));
                }
            }
        }
        i
    }
}

/// Checks that saving `update` over `stored` changes nothing that a posted closing used: the
/// amount, currency or biennium of a rate that priced a day of a posted period, a rate card's
/// PSC rate or currency in a biennium with posted closings of its provider, and the exchange
/// rate of a month that a posted period covers. A new dated rate that would take over days of a
/// posted period from the rate that priced them is refused too: a correction is a new rate from
/// a day after the posted periods (rates apply from their date on). New exchange rates, and
/// new rates for what had no rate, change no posted closing and are accepted.
pub fn check_reference_change(
    stored: &Framework,
    update: &Framework,
    posted: &[PostedPeriod],
) -> Issues {
    let mut i = Issues::new();
    let frozen = "was used by a posted closing and does not change; a correction is a new \
                  dated rate from a day after the closed periods";
    for new in &update.rates {
        let of_provider = || posted.iter().filter(|p| p.provider == new.provider);
        // The stored rates of the same provider, key and unit.
        let siblings: Vec<&Rate> = stored
            .rates
            .iter()
            .filter(|r| same_rate_key(r, new))
            .collect();
        let next_after = |day: NaiveDate| {
            siblings
                .iter()
                .map(|r| r.effective_from)
                .filter(|d| *d > day)
                .min()
        };
        match siblings
            .iter()
            .find(|r| r.effective_from == new.effective_from)
        {
            Some(old) => {
                if old.amount == new.amount
                    && old.currency == new.currency
                    && old.biennium == new.biennium
                {
                    continue;
                }
                let until = next_after(old.effective_from);
                if of_provider().any(|p| p.overlaps(old.effective_from, until)) {
                    i.push(rate_name(new), "amount", frozen);
                }
            }
            None => {
                // The days it takes over were priced by the rate before it, if there was one.
                let had_rate = siblings
                    .iter()
                    .any(|r| r.effective_from < new.effective_from);
                let until = next_after(new.effective_from);
                if had_rate && of_provider().any(|p| p.overlaps(new.effective_from, until)) {
                    i.push(
                        rate_name(new),
                        "effective_from",
                        "would change the rate of days that posted closings charged; a \
                         correction is a rate from a day after the closed periods",
                    );
                }
            }
        }
    }
    for new in &update.rate_cards {
        let Some(old) = stored.rate_card(&new.provider, &new.biennium) else {
            continue;
        };
        if old.psc_rate == new.psc_rate && old.currency == new.currency {
            continue;
        }
        if posted
            .iter()
            .any(|p| p.provider == new.provider && p.biennium == new.biennium)
        {
            i.push(
                format!("rate card {} {}", new.provider, new.biennium),
                if old.psc_rate != new.psc_rate {
                    "psc_rate"
                } else {
                    "currency"
                },
                "was used by a posted closing and does not change",
            );
        }
    }
    for new in &update.fx_rates {
        let Some(old) = stored
            .fx_rates
            .iter()
            .find(|x| x.currency == new.currency && x.month == new.month)
        else {
            continue;
        };
        if old.per_usd == new.per_usd {
            continue;
        }
        let (first, last) = (new.month.first_day(), new.month.last_day());
        if posted.iter().any(|p| p.start <= last && p.end >= first) {
            i.push(
                format!("exchange rate {} {}", new.currency.code(), new.month),
                "per_usd",
                "was used by a posted closing and does not change (a month's rate is fixed)",
            );
        }
    }
    i
}

/// The one check of a framework about to be saved over `stored`, shared by every importer,
/// form and API route (the store runs it in the transaction that saves): the document itself,
/// what the result names, and nothing that posted closings used changed.
pub fn check_framework_save(
    stored: &Framework,
    update: &Framework,
    posted: &[PostedPeriod],
) -> Result<(), DomainError> {
    let mut i = update.validate_document();
    if i.is_empty() {
        i.extend(stored.merged(update).validate_references());
        i.extend(check_reference_change(stored, update, posted));
    }
    i.into_result()
}
