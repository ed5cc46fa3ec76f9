//! Read models shared by the pages and the API: the dashboard, a fund's statement, an
//! agreement with its status and parties, a page of journal entries. Each is built from the store's aggregates
//! (charges, closings, balances), never from a walk over the deliveries.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use synergies_domain::agreement::{Agreement, AgreementKind, AgreementVersion, VersionStatus};
use synergies_domain::ledger::{JournalEntry, TrialBalance};
use synergies_domain::model::BienniumStatus;
use synergies_domain::Currency;
use synergies_store::{ChargeFilter, ChargeRecord, Store};
use utoipa::ToSchema;

use crate::error::Problem;

pub const DEFAULT_PAGE: u64 = 50;
pub const MAX_PAGE: u64 = 500;

/// A page size from a request: 50 by default, at most 500.
pub fn limit(requested: Option<u64>) -> Result<u64, Problem> {
    match requested {
        None => Ok(DEFAULT_PAGE),
        Some(0) => Err(Problem::bad_request("limit must be at least 1")),
        Some(n) if n > MAX_PAGE => Err(Problem::bad_request(format!(
            "limit must be at most {MAX_PAGE}"
        ))),
        Some(n) => Ok(n),
    }
}

/// An agreement with what a reader needs beside its stored form: its status, parties, and
/// the approvals still missing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgreementView {
    pub code: String,
    pub title: String,
    pub kind: AgreementKind,
    /// The providing organisation.
    pub provider: String,
    pub provider_fund: String,
    pub biennium: String,
    pub currency: Currency,
    /// The latest version's status.
    pub status: VersionStatus,
    /// Whether a version is in force.
    pub active: bool,
    /// The organisations whose heads approve: the provider and the payers.
    pub parties: BTreeSet<String>,
    /// The parties yet to approve the proposed version (empty unless one is proposed).
    pub awaiting_approval_of: Vec<String>,
    /// Every version, the first first.
    pub versions: Vec<AgreementVersion>,
    /// Counts the agreement's changes.
    pub revision: u64,
}

impl AgreementView {
    pub fn of(a: &Agreement) -> AgreementView {
        let latest = a.latest();
        let missing: Vec<String> = a
            .required_approvers(latest)
            .into_iter()
            .filter(|o| !latest.approvals.iter().any(|ap| &ap.organisation == o))
            .collect();
        AgreementView {
            code: a.code.clone(),
            title: a.title.clone(),
            kind: a.kind,
            provider: a.provider.clone(),
            provider_fund: a.provider_fund.clone(),
            biennium: a.biennium.clone(),
            currency: a.currency,
            status: latest.status,
            active: a.is_active(),
            parties: a.parties(),
            awaiting_approval_of: if latest.status == VersionStatus::Proposed {
                missing
            } else {
                vec![]
            },
            versions: a.versions.clone(),
            revision: a.revision,
        }
    }
}

/// An amount with its currency, exact, for pages and JSON alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Amount {
    pub currency: String,
    pub minor: i64,
    /// In major units with the currency's decimals, e.g. `1250.00`.
    pub text: String,
}

impl Amount {
    pub fn new(currency: Currency, minor: i64) -> Amount {
        Amount {
            currency: currency.code().to_string(),
            minor,
            text: currency.format_minor(minor),
        }
    }
}

/// One line of a dashboard table: a label and an amount.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Line {
    pub label: String,
    pub amount: Amount,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CeilingUse {
    pub agreement: String,
    pub title: String,
    pub charged: Amount,
    pub ceiling: Amount,
    /// Used share in per cent, rounded down.
    pub percent: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpenApproval {
    pub agreement: String,
    pub title: String,
    pub version: u32,
    pub awaiting: Vec<String>,
}

/// One bar of the chart: a quarter (and a direction, when the bars split by one).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Bar {
    pub quarter: String,
    pub direction: String,
    pub minor: i64,
}

/// The open biennium at a glance.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    pub biennium: Option<String>,
    /// Costs recovered per direction (`MC → BRS`: MC provided, BRS paid), from the report model.
    pub by_direction: Vec<Line>,
    pub by_service: Vec<Line>,
    /// What each payer fund was charged.
    pub by_fund: Vec<Line>,
    pub ceilings: Vec<CeilingUse>,
    pub open_approvals: Vec<OpenApproval>,
    /// Costs recovered per quarter of the biennium, from the report model.
    pub chart: Vec<Bar>,
}

fn sum_into(map: &mut BTreeMap<(String, Currency), i64>, key: String, c: &ChargeRecord) {
    *map.entry((key, c.currency)).or_default() += c.total_minor;
}

fn lines(map: BTreeMap<(String, Currency), i64>) -> Vec<Line> {
    map.into_iter()
        .map(|((label, currency), minor)| Line {
            label,
            amount: Amount::new(currency, minor),
        })
        .collect()
}

impl Dashboard {
    pub fn load(store: &dyn Store) -> Result<Dashboard, Problem> {
        let framework = store.framework()?;
        let biennium = framework
            .bienniums
            .iter()
            .find(|b| b.status == BienniumStatus::Open)
            .or_else(|| framework.bienniums.first())
            .map(|b| b.code.clone());
        let agreements: BTreeMap<String, Agreement> = store
            .agreements()?
            .into_iter()
            .map(|a| (a.code.clone(), a))
            .collect();
        let in_biennium = |a: &Agreement| biennium.as_deref().is_none_or(|b| a.biennium == b);
        let charges = store.charges(&ChargeFilter::default())?;
        let (mut service, mut fund) = (BTreeMap::new(), BTreeMap::new());
        let mut charged: BTreeMap<String, i64> = BTreeMap::new();
        let service_names: BTreeMap<&str, &str> = framework
            .services
            .iter()
            .map(|s| (s.code.as_str(), s.name.as_str()))
            .collect();
        for c in &charges {
            let Some(a) = agreements.get(&c.agreement) else {
                continue;
            };
            if !in_biennium(a) {
                continue;
            }
            let services: Vec<&str> = a
                .latest()
                .lines
                .iter()
                .map(|l| {
                    *service_names
                        .get(l.service.as_str())
                        .unwrap_or(&l.service.as_str())
                })
                .collect();
            sum_into(&mut service, services.join(", "), c);
            sum_into(&mut fund, c.payer_fund.clone(), c);
            *charged.entry(c.agreement.clone()).or_default() += c.total_minor;
        }
        let ceilings = agreements
            .values()
            .filter(|a| in_biennium(a))
            .filter_map(|a| {
                let v = a.active_version()?;
                let used = charged.get(&a.code).copied().unwrap_or(0);
                Some(CeilingUse {
                    agreement: a.code.clone(),
                    title: a.title.clone(),
                    charged: Amount::new(a.currency, used),
                    ceiling: Amount::new(a.currency, v.ceiling_minor),
                    percent: if v.ceiling_minor > 0 {
                        (i128::from(used) * 100 / i128::from(v.ceiling_minor)) as i64
                    } else {
                        0
                    },
                })
            })
            .collect();
        let open_approvals = agreements
            .values()
            .filter(|a| a.latest().status == VersionStatus::Proposed)
            .map(|a| OpenApproval {
                agreement: a.code.clone(),
                title: a.title.clone(),
                version: a.latest().number,
                awaiting: a
                    .required_approvers(a.latest())
                    .into_iter()
                    .filter(|o| !a.latest().approvals.iter().any(|ap| &ap.organisation == o))
                    .collect(),
            })
            .collect();
        // Costs by direction and by quarter come from the report model, so that the dashboard
        // and the report to the Conference of the Parties show the same figures.
        let costs = match &biennium {
            Some(b) => Some(synergies_reports::model::costs(store, &framework, b)?.0),
            None => None,
        };
        let by_direction = costs
            .iter()
            .flat_map(|c| &c.by_direction)
            .map(|d| Line {
                label: format!("{} → {}", d.provider, d.recipient),
                amount: Amount::new(d.currency, d.amounts.total),
            })
            .collect();
        let chart = costs
            .iter()
            .flat_map(|c| c.quarters.iter().zip(&c.by_quarter))
            .map(|(quarter, amounts)| Bar {
                quarter: quarter.clone(),
                direction: String::new(),
                minor: amounts.total,
            })
            .collect();
        Ok(Dashboard {
            biennium,
            by_direction,
            by_service: lines(service),
            by_fund: lines(fund),
            ceilings,
            open_approvals,
            chart,
        })
    }

    /// The chart as an SVG image: one bar per quarter and direction, scaled to the largest.
    pub fn chart_svg(&self, title: &str) -> String {
        let max = self.chart.iter().map(|b| b.minor).max().unwrap_or(0).max(1);
        let bar_h = 22;
        let height = 30 + self.chart.len() as i64 * (bar_h + 6);
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 640 {height}\" \
             width=\"640\" height=\"{height}\"><title>{}</title>",
            escape(title)
        );
        for (i, b) in self.chart.iter().enumerate() {
            let y = 20 + i as i64 * (bar_h + 6);
            let w = (i128::from(b.minor) * 380 / i128::from(max)) as i64;
            svg.push_str(&format!(
                "<text x=\"0\" y=\"{}\" font-size=\"12\">{} {}</text>\
                 <rect x=\"200\" y=\"{y}\" width=\"{w}\" height=\"{bar_h}\" class=\"bar\"/>",
                y + 15,
                escape(&b.quarter),
                escape(&b.direction)
            ));
        }
        svg.push_str("</svg>");
        svg
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One charge as a fund's statement shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatementLine {
    pub agreement: String,
    pub period: String,
    pub counterpart: String,
    pub direct: Amount,
    pub psc: Amount,
    pub total: Amount,
    pub posted_on: String,
}

/// What a fund charged others (receivable), what it was charged (payable), and its balances.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundStatement {
    pub fund: String,
    pub name: String,
    pub organisation: String,
    pub charged_to_others: Vec<StatementLine>,
    pub charged_by_others: Vec<StatementLine>,
    pub balances: TrialBalance,
}

impl FundStatement {
    pub fn load(store: &dyn Store, code: &str) -> Result<FundStatement, Problem> {
        let framework = store.framework()?;
        let fund = framework
            .funds
            .iter()
            .find(|f| f.code == code)
            .ok_or_else(|| Problem::not_found(format!("unknown fund {code}")))?;
        let charges = store.charges(&ChargeFilter::default())?;
        let line = |c: &ChargeRecord, counterpart: &str| StatementLine {
            agreement: c.agreement.clone(),
            period: c.period.clone(),
            counterpart: counterpart.to_string(),
            direct: Amount::new(c.currency, c.direct_minor),
            psc: Amount::new(c.currency, c.psc_minor),
            total: Amount::new(c.currency, c.total_minor),
            posted_on: c.posted_on.to_string(),
        };
        Ok(FundStatement {
            fund: fund.code.clone(),
            name: fund.name.clone(),
            organisation: fund.organisation.clone(),
            charged_to_others: charges
                .iter()
                .filter(|c| c.provider_fund == code)
                .map(|c| line(c, &c.payer_fund))
                .collect(),
            charged_by_others: charges
                .iter()
                .filter(|c| c.payer_fund == code)
                .map(|c| line(c, &c.provider_fund))
                .collect(),
            balances: synergies_app::ledger::trial_balance(store, Some(code))?,
        })
    }
}

/// A page of journal entries in posting order.
pub fn entries_page(
    store: &dyn Store,
    offset: u64,
    limit: u64,
) -> Result<Vec<JournalEntry>, Problem> {
    let mut out = vec![];
    let mut seen = 0u64;
    store.for_each_entry(&mut |e| {
        if seen >= offset && (out.len() as u64) < limit {
            out.push(e);
        }
        seen += 1;
        Ok(())
    })?;
    Ok(out)
}
