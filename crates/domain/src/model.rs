//! The nouns of the brief: organisations, conventions, trust funds, biennia and budget lines,
//! services, rate cards, exchange rates. Agreements, deliveries and charges have their own
//! modules because they carry rules.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::Currency;
use crate::period::Month;

/// A secretariat or branch (MC, BRS, CHB). Owns its records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub code: String,
    pub name: String,
}

/// A convention administered by an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Convention {
    pub code: String,
    pub name: String,
    pub organisation: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
pub struct Fund {
    pub code: String,
    pub name: String,
    pub convention: String,
    pub organisation: String,
    pub kind: FundKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
pub struct Service {
    pub code: String,
    pub name: String,
    pub provider: String,
    pub category: ServiceCategory,
    pub unit: Unit,
}

/// A provider's rate card for one biennium: its currency and standard PSC rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
