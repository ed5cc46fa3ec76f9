//! The report model: plain structs built from the store's records and aggregates — charges
//! (one per agreement, period and payer, as posted to the ledger), the trial balance, the
//! agreements, mandates, activities and training events. Nothing here walks the deliveries:
//! the cost of a biennium with a million deliveries is read from its few hundred charges.
//!
//! Every figure of every rendering is computed here, once; the layout only arranges and
//! translates, and the renderers only draw.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use synergies_app::activities::{priced, PricedActivity};
use synergies_app::cooperation;
use synergies_app::{AppError, AppResult};
use synergies_domain::activity::{ActivityCategory, ActivityStatus, FundingStatus};
use synergies_domain::agreement::{AgreementKind, VersionStatus};
use synergies_domain::cooperation::{ActionItem, Gender, RegionalGroup};
use synergies_domain::ledger::Account;
use synergies_domain::mandate::{MandateStatus, Tracking};
use synergies_domain::model::Framework;
use synergies_domain::{Currency, Period};
use synergies_store::{ChargeFilter, ChargeRecord, Store};

/// What the implementation report is asked for.
#[derive(Debug, Clone)]
pub struct ImplementationOptions {
    /// The decision whose implementation is reported, e.g. `MC-6/20`.
    pub decision: String,
    /// The biennium reported on, e.g. `2026-2027`.
    pub biennium: String,
    /// The biennium whose planned activities form the annex, e.g. `2028-2029`.
    pub next: String,
    /// The document symbol; by default an illustrative one for the next meeting.
    pub symbol: Option<String>,
    /// The date printed on the cover.
    pub date: NaiveDate,
}

/// The meeting that the report is presented to, as the command line or the database gives it;
/// what is not given is derived from the decision (the next meeting of its body) or left out.
#[derive(Debug, Clone, Default)]
pub struct MeetingOptions {
    /// The meeting's number (default: the decision's meeting plus one).
    pub number: Option<u32>,
    /// Where it is held, e.g. `Geneva`.
    pub venue: Option<String>,
    /// Its first and last days.
    pub dates: Option<(NaiveDate, NaiveDate)>,
    /// The agenda item, e.g. `5 (b)`.
    pub agenda_item: Option<String>,
    /// The agenda item's title (default: the decision's title).
    pub agenda_title: Option<String>,
    /// The symbol of the provisional agenda (default: the document's symbol ending in `/1`).
    pub provisional_agenda: Option<String>,
}

/// The meeting of the report, as it is printed in its heading block.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Meeting {
    pub number: u32,
    pub venue: Option<String>,
    pub dates: Option<(NaiveDate, NaiveDate)>,
    pub agenda_item: Option<String>,
    /// `None`: the decision's title in the reader's language.
    pub agenda_title: Option<String>,
    pub provisional_agenda: String,
}

/// Direct cost, programme support costs and their total, in minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Amounts {
    pub direct: i64,
    pub psc: i64,
    pub total: i64,
}

impl Amounts {
    fn add_charge(&mut self, c: &ChargeRecord) {
        self.direct += c.direct_minor;
        self.psc += c.psc_minor;
        self.total += c.total_minor;
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MandateRow {
    pub paragraph: String,
    pub actor: Option<String>,
    pub tracking: Tracking,
    pub status: MandateStatus,
    pub deliverable: Option<String>,
    pub due_meeting: Option<u32>,
    pub text: String,
    /// The latest dated note, if any.
    pub last_note: Option<(NaiveDate, String)>,
    /// Codes of the activities of the biennium that serve it.
    pub activities: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AgreementRow {
    pub code: String,
    pub title: String,
    pub kind: AgreementKind,
    pub provider: String,
    pub provider_fund: String,
    /// (organisation, fund) of each party that pays.
    pub recipients: Vec<(String, String)>,
    /// Names of the services it covers.
    pub services: Vec<String>,
    pub currency: Currency,
    pub ceiling_minor: i64,
    pub psc_rate: Decimal,
    pub version: u32,
    pub status: VersionStatus,
}

/// The charges of one agreement to one paying organisation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AgreementCost {
    pub agreement: String,
    pub provider: String,
    pub recipient: String,
    pub services: Vec<String>,
    pub currency: Currency,
    /// One amount (total) per quarter of [`Costs::quarters`].
    pub by_quarter: Vec<i64>,
    pub amounts: Amounts,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DirectionCost {
    pub provider: String,
    pub recipient: String,
    pub currency: Currency,
    pub amounts: Amounts,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct FundPairCost {
    pub provider_fund: String,
    pub payer_fund: String,
    pub currency: Currency,
    pub amounts: Amounts,
}

/// Costs recovered in the biennium, from its posted (not reversed) charges.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Costs {
    /// The quarters of the biennium, `2026-Q1` …
    pub quarters: Vec<String>,
    pub by_direction: Vec<DirectionCost>,
    pub by_agreement: Vec<AgreementCost>,
    pub by_fund: Vec<FundPairCost>,
    /// Totals per quarter, in the order of `quarters`.
    pub by_quarter: Vec<Amounts>,
    pub total: Amounts,
    pub charges: usize,
    pub deliveries: u64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ActivityRow {
    pub code: String,
    pub title_en: String,
    pub title_fr: String,
    pub category: ActivityCategory,
    pub lead: String,
    pub partners: Vec<String>,
    pub mandates: Vec<String>,
    pub funding: FundingStatus,
    pub status: ActivityStatus,
    /// Estimated cost per organisation.
    pub by_organisation: BTreeMap<String, i64>,
    pub total: i64,
    /// For the annex: the cost at the current biennium's rate cards (current level in
    /// nominal terms), `None` for an activity new in the next biennium.
    pub current_level: Option<i64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct StatusCount {
    pub status: ActivityStatus,
    pub count: u32,
    pub total: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct EventRow {
    pub code: String,
    pub title: String,
    pub bodies: Vec<String>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub place: Option<String>,
    pub participants: u32,
    pub women: u32,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct GenderCounts {
    pub female: u32,
    pub male: u32,
    pub other: u32,
    pub total: u32,
}

impl GenderCounts {
    fn add(&mut self, g: Gender, n: u32) {
        match g {
            Gender::Female => self.female += n,
            Gender::Male => self.male += n,
            Gender::Other => self.other += n,
        }
        self.total += n;
    }
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Training {
    pub events: Vec<EventRow>,
    pub by_region: Vec<(RegionalGroup, GenderCounts)>,
    pub total: GenderCounts,
    /// Organisation → (staff-days, amount in minor units).
    pub contributions: Vec<(String, Decimal, i64)>,
}

/// What the biennium means for one fund.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FundRow {
    pub fund: String,
    pub organisation: String,
    pub name: String,
    /// The fund's budget lines of the biennium, summed.
    pub budget: i64,
    /// Cost-recovery income (direct) and PSC income from the charges it made.
    pub income_direct: i64,
    pub income_psc: i64,
    /// What it was charged for services received.
    pub services_received: i64,
    /// Income less services received.
    pub net: i64,
    /// Estimated cost of the biennium's cooperation activities it funds.
    pub activities: i64,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ScenarioRow {
    pub key: String,
    pub current_level: i64,
    pub projected_needs: i64,
    pub difference: i64,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Annex {
    pub organisations: Vec<String>,
    pub activities: Vec<ActivityRow>,
    /// Totals per organisation, in the order of `organisations`.
    pub by_organisation: Vec<i64>,
    pub total_projected: i64,
    pub total_current: i64,
    pub by_fund: Vec<ScenarioRow>,
    pub scenarios_total: ScenarioRow,
}

/// The report on the implementation of a decision, for the next meeting of the governing body.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImplementationReport {
    pub decision: String,
    pub decision_title: String,
    /// The decision's title in each language it is recorded in.
    pub decision_titles: BTreeMap<String, String>,
    pub treaty: String,
    /// The convention's mark, the prefix of its decisions' numbers (`MC`).
    pub mark: String,
    /// The number of the meeting the report is for (the decision's meeting plus one unless
    /// given).
    pub meeting: u32,
    pub meeting_info: Meeting,
    pub symbol: String,
    pub date: NaiveDate,
    pub biennium: String,
    pub next: String,
    pub currency: Currency,
    pub mandates: Vec<MandateRow>,
    pub agreements: Vec<AgreementRow>,
    pub costs: Costs,
    pub activities: Vec<ActivityRow>,
    pub activities_total: i64,
    pub by_status: Vec<StatusCount>,
    pub action_items: Vec<ActionItem>,
    pub training: Training,
    pub funds: Vec<FundRow>,
    pub funds_total: FundRow,
    pub annex: Annex,
}

impl ImplementationReport {
    /// The agreements in force: those whose terms were approved by every party. The table of
    /// agreements also lists those still in draft or awaiting approval, with their status.
    pub fn agreements_in_force(&self) -> usize {
        self.agreements
            .iter()
            .filter(|a| a.status == VersionStatus::Active)
            .count()
    }
}

/// The currency of a biennium's rate cards (USD when none says otherwise).
fn currency_of(framework: &Framework, biennium: &str) -> Currency {
    framework
        .rate_cards
        .iter()
        .find(|c| c.biennium == biennium)
        .map(|c| c.currency)
        .unwrap_or(Currency::USD)
}

/// The quarter (`2026-Q3`) of a closing period (`2026-08` or `2026-Q3`).
pub fn quarter_of(period: &str) -> Option<String> {
    let p: Period = period.parse().ok()?;
    let d = p.first_day();
    Some(format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1))
}

/// The quarters from `start` to `end`.
fn quarters(start: NaiveDate, end: NaiveDate) -> Vec<String> {
    let mut out = vec![];
    let (mut y, mut q) = (start.year(), (start.month() - 1) / 3 + 1);
    let (ey, eq) = (end.year(), (end.month() - 1) / 3 + 1);
    while (y, q) <= (ey, eq) {
        out.push(format!("{y}-Q{q}"));
        q += 1;
        if q > 4 {
            q = 1;
            y += 1;
        }
    }
    out
}

/// The posted charges of the agreements of a biennium, with the agreements' codes.
pub(crate) fn charges_of_biennium(
    store: &dyn Store,
    biennium: &str,
) -> AppResult<Vec<ChargeRecord>> {
    let codes: BTreeSet<String> = store
        .agreements()?
        .into_iter()
        .filter(|a| a.biennium == biennium)
        .map(|a| a.code)
        .collect();
    Ok(store
        .charges(&ChargeFilter::default())?
        .into_iter()
        .filter(|c| codes.contains(&c.agreement))
        .collect())
}

fn organisation_of(framework: &Framework, fund: &str) -> String {
    framework
        .fund(fund)
        .map(|f| f.organisation.clone())
        .unwrap_or_else(|| fund.to_string())
}

/// Costs recovered in a biennium, from its charges.
pub fn costs(
    store: &dyn Store,
    framework: &Framework,
    biennium: &str,
) -> AppResult<(Costs, Vec<ChargeRecord>)> {
    let b = framework
        .biennium(biennium)
        .ok_or_else(|| AppError::Invalid(format!("unknown biennium {biennium}")))?;
    let charges = charges_of_biennium(store, biennium)?;
    let agreements: BTreeMap<String, _> = store
        .agreements()?
        .into_iter()
        .map(|a| (a.code.clone(), a))
        .collect();
    let qs = quarters(b.start, b.end);
    let mut out = Costs {
        by_quarter: vec![Amounts::default(); qs.len()],
        quarters: qs,
        charges: charges.len(),
        ..Default::default()
    };
    let mut by_direction: BTreeMap<(String, String, Currency), Amounts> = BTreeMap::new();
    let mut by_fund: BTreeMap<(String, String, Currency), Amounts> = BTreeMap::new();
    let mut by_agreement: BTreeMap<(String, String), AgreementCost> = BTreeMap::new();
    let mut closings = BTreeSet::new();
    for c in &charges {
        let provider = agreements
            .get(&c.agreement)
            .map(|a| a.provider.clone())
            .unwrap_or_else(|| organisation_of(framework, &c.provider_fund));
        by_direction
            .entry((provider.clone(), c.payer_organisation.clone(), c.currency))
            .or_default()
            .add_charge(c);
        by_fund
            .entry((c.provider_fund.clone(), c.payer_fund.clone(), c.currency))
            .or_default()
            .add_charge(c);
        let q = quarter_of(&c.period).and_then(|q| out.quarters.iter().position(|x| *x == q));
        let row = by_agreement
            .entry((c.agreement.clone(), c.payer_organisation.clone()))
            .or_insert_with(|| AgreementCost {
                agreement: c.agreement.clone(),
                provider: provider.clone(),
                recipient: c.payer_organisation.clone(),
                services: agreements
                    .get(&c.agreement)
                    .map(|a| service_names(framework, a))
                    .unwrap_or_default(),
                currency: c.currency,
                by_quarter: vec![0; out.quarters.len()],
                amounts: Amounts::default(),
            });
        row.amounts.add_charge(c);
        if let Some(q) = q {
            row.by_quarter[q] += c.total_minor;
            out.by_quarter[q].add_charge(c);
        }
        out.total.add_charge(c);
        if closings.insert(c.closing) {
            out.deliveries += c.deliveries;
        }
    }
    out.by_direction = by_direction
        .into_iter()
        .map(|((provider, recipient, currency), amounts)| DirectionCost {
            provider,
            recipient,
            currency,
            amounts,
        })
        .collect();
    out.by_fund = by_fund
        .into_iter()
        .map(
            |((provider_fund, payer_fund, currency), amounts)| FundPairCost {
                provider_fund,
                payer_fund,
                currency,
                amounts,
            },
        )
        .collect();
    out.by_agreement = by_agreement.into_values().collect();
    Ok((out, charges))
}

fn service_names(framework: &Framework, a: &synergies_domain::agreement::Agreement) -> Vec<String> {
    let v = a.active_version().unwrap_or_else(|| a.latest());
    v.lines
        .iter()
        .map(|l| {
            framework
                .service(&l.service)
                .map(|s| s.name.clone())
                .unwrap_or_else(|| l.service.clone())
        })
        .collect()
}

fn activity_row(p: &PricedActivity, current_level: Option<i64>) -> ActivityRow {
    let a = &p.activity;
    let mut by_organisation: BTreeMap<String, i64> = BTreeMap::new();
    for c in &p.costs {
        *by_organisation.entry(c.organisation.clone()).or_default() += c.total_minor;
    }
    ActivityRow {
        code: a.code.clone(),
        title_en: a.title_en.clone(),
        title_fr: a.title_fr.clone(),
        category: a.category,
        lead: a.lead.clone(),
        partners: a.partners.clone(),
        mandates: a.mandates.clone(),
        funding: a.funding,
        status: a.status,
        total: p.costs.iter().map(|c| c.total_minor).sum(),
        by_organisation,
        current_level,
    }
}

pub const STATUSES: [ActivityStatus; 5] = [
    ActivityStatus::Planned,
    ActivityStatus::Ongoing,
    ActivityStatus::Completed,
    ActivityStatus::Postponed,
    ActivityStatus::Cancelled,
];

const REGIONS: [RegionalGroup; 5] = [
    RegionalGroup::African,
    RegionalGroup::AsiaPacific,
    RegionalGroup::EasternEuropean,
    RegionalGroup::LatinAmericanCaribbean,
    RegionalGroup::WesternEuropeanOthers,
];

/// Builds the implementation report from the store, for the next meeting of the decision's
/// body, with no venue, dates or agenda item.
pub fn implementation(
    store: &dyn Store,
    opts: &ImplementationOptions,
) -> AppResult<ImplementationReport> {
    implementation_for(store, opts, &MeetingOptions::default())
}

/// Builds the implementation report from the store, for the meeting described by `meeting`.
pub fn implementation_for(
    store: &dyn Store,
    opts: &ImplementationOptions,
    meeting_opts: &MeetingOptions,
) -> AppResult<ImplementationReport> {
    let framework = store.framework()?;
    for b in [&opts.biennium, &opts.next] {
        if framework.biennium(b).is_none() {
            return Err(AppError::Invalid(format!("unknown biennium {b}")));
        }
    }
    let records: Vec<_> = store
        .decisions()?
        .into_iter()
        .filter(|d| d.number == opts.decision)
        .collect();
    let Some(record) = records.first() else {
        let known: Vec<String> = store.decisions()?.into_iter().map(|d| d.number).collect();
        return Err(AppError::Invalid(format!(
            "unknown decision {} (recorded: {})",
            opts.decision,
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        )));
    };
    let meeting = meeting_opts.number.unwrap_or(record.meeting + 1);
    let mark = record
        .number
        .split('-')
        .next()
        .unwrap_or(&record.number)
        .to_string();
    let symbol = opts
        .symbol
        .clone()
        .unwrap_or_else(|| format!("UNEP/{mark}/COP.{meeting}/xx"));
    let provisional_agenda =
        meeting_opts
            .provisional_agenda
            .clone()
            .unwrap_or_else(|| match symbol.rsplit_once('/') {
                Some((stem, _)) => format!("{stem}/1"),
                None => format!("{symbol}/1"),
            });
    if let Some((start, end)) = meeting_opts.dates {
        if end < start {
            return Err(AppError::Invalid(format!(
                "the meeting ends ({end}) before it starts ({start})"
            )));
        }
    }
    let meeting_info = Meeting {
        number: meeting,
        venue: meeting_opts.venue.clone(),
        dates: meeting_opts.dates,
        agenda_item: meeting_opts.agenda_item.clone(),
        agenda_title: meeting_opts.agenda_title.clone(),
        provisional_agenda,
    };
    let decision_titles = records
        .iter()
        .map(|r| (r.language.clone(), r.title.clone()))
        .collect();

    // Activities of the biennium, priced at its rate cards.
    let current = priced(store, &opts.biennium)?;
    let activities: Vec<ActivityRow> = current.iter().map(|p| activity_row(p, None)).collect();
    let activities_total = activities.iter().map(|a| a.total).sum();
    let by_status = STATUSES
        .iter()
        .map(|s| {
            let of: Vec<_> = activities.iter().filter(|a| a.status == *s).collect();
            StatusCount {
                status: *s,
                count: of.len() as u32,
                total: of.iter().map(|a| a.total).sum(),
            }
        })
        .collect();

    // Mandates and their tracking.
    let mut mandates = vec![];
    for m in store.mandates(Some(&opts.decision))? {
        let notes = store.mandate_notes(&m.decision, &m.paragraph)?;
        let reference = format!("{} {}", m.decision, m.paragraph);
        mandates.push(MandateRow {
            activities: activities
                .iter()
                .filter(|a| a.mandates.contains(&reference))
                .map(|a| a.code.clone())
                .collect(),
            last_note: notes.last().map(|n| (n.noted_on, n.note.clone())),
            paragraph: m.paragraph,
            actor: m.actor,
            tracking: m.tracking,
            status: m.status,
            deliverable: m.deliverable,
            due_meeting: m.due_meeting,
            text: m.text,
        });
    }

    // The stable framework: the biennium's agreements.
    let agreements = store
        .agreements()?
        .into_iter()
        .filter(|a| a.biennium == opts.biennium)
        .map(|a| {
            let v = a.active_version().unwrap_or_else(|| a.latest());
            AgreementRow {
                services: service_names(&framework, &a),
                recipients: v
                    .participants
                    .iter()
                    .map(|p| (p.organisation.clone(), p.fund.clone()))
                    .collect(),
                ceiling_minor: v.ceiling_minor,
                psc_rate: v.psc_rate,
                version: v.number,
                status: v.status,
                code: a.code,
                title: a.title,
                kind: a.kind,
                provider: a.provider,
                provider_fund: a.provider_fund,
                currency: a.currency,
            }
        })
        .collect();

    let (costs, charges) = costs(store, &framework, &opts.biennium)?;

    // Training events held in the biennium.
    let b = framework.biennium(&opts.biennium).expect("checked above");
    let mut training = Training::default();
    let mut regions: BTreeMap<RegionalGroup, GenderCounts> = BTreeMap::new();
    let mut contributions: BTreeMap<String, (Decimal, i64)> = BTreeMap::new();
    for e in cooperation::events(store)?
        .into_iter()
        .filter(|e| b.contains(e.start))
    {
        for ((region, gender), n) in e.by_region_and_gender() {
            regions.entry(region).or_default().add(gender, n);
            training.total.add(gender, n);
        }
        for c in &e.contributions {
            let x = contributions.entry(c.organisation.clone()).or_default();
            x.0 += c.staff_days;
            x.1 += c.amount_minor;
        }
        training.events.push(EventRow {
            participants: e.participants.len() as u32,
            women: e
                .participants
                .iter()
                .filter(|p| p.gender == Gender::Female)
                .count() as u32,
            code: e.code,
            title: e.title,
            bodies: e.bodies,
            start: e.start,
            end: e.end,
            place: e.place,
        });
    }
    training.by_region = REGIONS
        .iter()
        .map(|r| (*r, regions.remove(r).unwrap_or_default()))
        .collect();
    training.contributions = contributions
        .into_iter()
        .map(|(o, (d, a))| (o, d, a))
        .collect();

    // Budget implications per fund.
    let mut funds: Vec<FundRow> = framework
        .funds
        .iter()
        .map(|f| FundRow {
            fund: f.code.clone(),
            organisation: f.organisation.clone(),
            name: f.name.clone(),
            budget: framework
                .budget_lines
                .iter()
                .filter(|l| l.fund == f.code && l.biennium == opts.biennium)
                .map(|l| l.amount_minor)
                .sum(),
            ..Default::default()
        })
        .collect();
    for c in &charges {
        for f in funds.iter_mut() {
            if f.fund == c.provider_fund {
                f.income_direct += c.direct_minor;
                f.income_psc += c.psc_minor;
            }
            if f.fund == c.payer_fund {
                f.services_received += c.total_minor;
            }
        }
    }
    for p in &current {
        for c in &p.costs {
            if let Some(f) = funds.iter_mut().find(|f| f.fund == c.fund) {
                f.activities += c.total_minor;
            }
        }
    }
    let mut funds_total = FundRow::default();
    for f in funds.iter_mut() {
        f.net = f.income_direct + f.income_psc - f.services_received;
        funds_total.budget += f.budget;
        funds_total.income_direct += f.income_direct;
        funds_total.income_psc += f.income_psc;
        funds_total.services_received += f.services_received;
        funds_total.net += f.net;
        funds_total.activities += f.activities;
    }

    let annex = annex(store, &framework, &current, &opts.next)?;

    Ok(ImplementationReport {
        decision: record.number.clone(),
        decision_title: record.title.clone(),
        decision_titles,
        treaty: record.treaty.clone(),
        mark,
        meeting,
        meeting_info,
        symbol,
        date: opts.date,
        biennium: opts.biennium.clone(),
        next: opts.next.clone(),
        currency: currency_of(&framework, &opts.biennium),
        mandates,
        agreements,
        costs,
        activities,
        activities_total,
        by_status,
        action_items: cooperation::task_force(store)?.action_items,
        training,
        funds,
        funds_total,
        annex,
    })
}

/// The planned activities of the next biennium with both funding scenarios: the current level
/// in nominal terms (as priced in the current biennium) and the projected needs (at the next
/// biennium's rate cards).
fn annex(
    store: &dyn Store,
    framework: &Framework,
    current: &[PricedActivity],
    next: &str,
) -> AppResult<Annex> {
    let planned = priced(store, next)?;
    let organisations: Vec<String> = framework
        .organisations
        .iter()
        .map(|o| o.code.clone())
        .collect();
    let mut out = Annex {
        by_organisation: vec![0; organisations.len()],
        ..Default::default()
    };
    let mut by_fund: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for p in &planned {
        let now = current.iter().find(|c| c.activity.code == p.activity.code);
        let current_level = now.map(|c| c.costs.iter().map(|x| x.total_minor).sum::<i64>());
        let row = activity_row(p, current_level);
        for (i, o) in organisations.iter().enumerate() {
            out.by_organisation[i] += row.by_organisation.get(o).copied().unwrap_or(0);
        }
        for c in &p.costs {
            by_fund
                .entry(format!("{}/{}", c.organisation, c.fund))
                .or_default()
                .1 += c.total_minor;
        }
        if let Some(now) = now {
            for c in &now.costs {
                by_fund
                    .entry(format!("{}/{}", c.organisation, c.fund))
                    .or_default()
                    .0 += c.total_minor;
            }
        }
        out.total_projected += row.total;
        out.total_current += row.current_level.unwrap_or(0);
        out.activities.push(row);
    }
    out.by_fund = by_fund
        .into_iter()
        .map(|(key, (c, p))| ScenarioRow {
            key,
            current_level: c,
            projected_needs: p,
            difference: p - c,
        })
        .collect();
    out.scenarios_total = ScenarioRow {
        key: String::new(),
        current_level: out.total_current,
        projected_needs: out.total_projected,
        difference: out.total_projected - out.total_current,
    };
    out.organisations = organisations;
    Ok(out)
}

/// The total balance of an account kind per fund in the trial balance, for the fund report
/// and for checks: receivables from and payables to each other fund.
pub fn balances_with_other_funds(
    store: &dyn Store,
    fund: &str,
) -> AppResult<Vec<(String, Currency, i64, i64)>> {
    let tb = store.trial_balance()?.for_fund(fund);
    let mut out: BTreeMap<(String, Currency), (i64, i64)> = BTreeMap::new();
    for r in &tb.rows {
        match &r.account {
            Account::ReceivableFrom(other) => {
                out.entry((other.clone(), r.currency)).or_default().0 += r.balance_minor
            }
            Account::PayableTo(other) => {
                out.entry((other.clone(), r.currency)).or_default().1 -= r.balance_minor
            }
            _ => {}
        }
    }
    Ok(out
        .into_iter()
        .map(|((f, c), (rec, pay))| (f, c, rec, pay))
        .collect())
}
