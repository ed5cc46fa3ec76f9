//! The cost-recovery statement that a provider sends the recipient for one agreement and one
//! period (the one place where deliveries are listed: those of one agreement and period), and
//! the statement of a fund for a biennium (budget against actual, balances with other funds).

use chrono::NaiveDate;
use num_bigint::BigInt;
use num_rational::BigRational;
use rust_decimal::Decimal;
use synergies_app::context::PricingContext;
use synergies_app::{AppError, AppResult};
use synergies_domain::money::{decimal_to_rational, round_half_even};
use synergies_domain::{Currency, Period};
use synergies_i18n::Lang;
use synergies_store::{ChargeFilter, ChargeRecord, DeliveryFilter, Store};

use crate::doc::{Block, Cell, Cover, Document, Section};
use crate::layout::{table, text, typeset, Writer};
use crate::model::{balances_with_other_funds, charges_of_biennium};

#[derive(Debug, Clone, serde::Serialize)]
pub struct StatementLine {
    pub date: NaiveDate,
    pub service: String,
    pub description: String,
    pub external_id: String,
    pub quantity: Decimal,
    pub grade: Option<String>,
    pub rate: Option<Decimal>,
    /// Expense amount and currency, if any.
    pub expense: Option<(i64, Currency)>,
    /// The operational rates that converted the expense into the agreement's currency, when it
    /// is in another one.
    pub fx: Option<ExchangeUsed>,
    /// The delivery's exact cost in the agreement's currency, to 4 decimals.
    pub cost: Decimal,
}

/// The United Nations operational rates of exchange of one month that converted an expense:
/// the expense's currency per US dollar and, when the agreement's currency is not the dollar,
/// that currency per dollar too. The line's cost is the amount ÷ the first × the second.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExchangeUsed {
    pub month: synergies_domain::Month,
    pub rates: Vec<(Currency, Decimal)>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Statement {
    pub agreement: String,
    pub title: String,
    pub provider: String,
    /// The providing organisation's name: the statement's issuer.
    pub provider_name: String,
    pub provider_fund: String,
    pub period: String,
    pub currency: Currency,
    pub psc_rate: Decimal,
    pub lines: Vec<StatementLine>,
    pub charges: Vec<ChargeRecord>,
    pub direct: i64,
    pub psc: i64,
    pub total: i64,
    pub date: NaiveDate,
}

/// An exact figure to `places` decimals (half to even), for display.
fn decimal_text(x: &BigRational, places: u32) -> String {
    let scale = BigInt::from(10).pow(places);
    let n = round_half_even(&(x * BigRational::from_integer(scale)));
    let neg = n < BigInt::from(0);
    let digits = format!(
        "{:0>width$}",
        n.magnitude().to_string(),
        width = places as usize + 1
    );
    let (w, f) = digits.split_at(digits.len() - places as usize);
    format!("{}{w}.{f}", if neg { "-" } else { "" })
}

/// `x` rounded half to even to `places` decimals, as an exact decimal with that scale.
fn decimal_of(x: &BigRational, places: u32) -> Decimal {
    decimal_text(x, places)
        .parse()
        .expect("a rounded rational is a decimal")
}

pub fn statement(
    store: &dyn Store,
    agreement: &str,
    period: &str,
    date: NaiveDate,
) -> AppResult<Statement> {
    let p: Period = period
        .parse()
        .map_err(|e: synergies_domain::DomainError| AppError::Invalid(e.to_string()))?;
    let ctx = PricingContext::load(store)?;
    let a = ctx.agreement(agreement)?.clone();
    let charges = store.charges(&ChargeFilter {
        agreement: Some(agreement.to_string()),
        period: Some(p.to_string()),
        include_reversed: false,
    })?;
    let closings: std::collections::BTreeSet<i64> = charges.iter().map(|c| c.closing).collect();
    let pricer = ctx.pricer();
    let mut lines = vec![];
    let mut failure = None;
    store.for_each_delivery(
        &DeliveryFilter {
            agreement: Some(agreement.to_string()),
            from: Some(p.first_day()),
            to: Some(p.last_day()),
            ..Default::default()
        },
        &mut |d| {
            if !d.closing.is_some_and(|c| closings.contains(&c)) {
                return Ok(());
            }
            let priced = match ctx.price(&pricer, &d.delivery) {
                Ok(x) => x,
                Err(e) => {
                    failure = Some(format!("{}: {}", d.delivery.external_id, e.reason));
                    return Ok(());
                }
            };
            let mut exact = decimal_to_rational(Decimal::ZERO);
            let mut fx = None;
            for part in [priced.service, priced.expense].into_iter().flatten() {
                match pricer.fx().factor(part.currency, a.currency, part.month) {
                    Ok(f) => {
                        if part.currency != a.currency {
                            let rates = [part.currency, a.currency]
                                .into_iter()
                                .filter(|c| *c != Currency::USD)
                                .map(|c| pricer.fx().per_usd(c, part.month).map(|r| (c, r)))
                                .collect::<Result<Vec<_>, _>>();
                            match rates {
                                Ok(rates) => {
                                    fx = Some(ExchangeUsed {
                                        month: part.month,
                                        rates,
                                    })
                                }
                                Err(e) => failure = Some(e.to_string()),
                            }
                        }
                        exact += decimal_to_rational(part.amount) * f;
                    }
                    Err(e) => failure = Some(e.to_string()),
                }
            }
            let dl = d.delivery;
            lines.push(StatementLine {
                date: dl.date,
                service: dl.service,
                description: dl.description,
                external_id: dl.external_id,
                quantity: dl.quantity,
                grade: dl.grade,
                rate: priced.rate,
                expense: dl.expense.map(|m| (m.minor, m.currency)),
                fx,
                cost: decimal_of(&exact, 4),
            });
            Ok(())
        },
    )?;
    if let Some(f) = failure {
        return Err(AppError::Invalid(f));
    }
    let v = a.active_version().unwrap_or_else(|| a.latest());
    Ok(Statement {
        direct: charges.iter().map(|c| c.direct_minor).sum(),
        psc: charges.iter().map(|c| c.psc_minor).sum(),
        total: charges.iter().map(|c| c.total_minor).sum(),
        agreement: a.code.clone(),
        title: a.title.clone(),
        provider: a.provider.clone(),
        provider_name: ctx
            .framework
            .organisation(&a.provider)
            .map_or_else(|| a.provider.clone(), |o| o.name.clone()),
        provider_fund: a.provider_fund.clone(),
        period: p.to_string(),
        currency: a.currency,
        psc_rate: v.psc_rate,
        lines,
        charges,
        date,
    })
}

/// The heading of a statement, issued by `issuer` (the secretariat whose fund it concerns).
fn cover(
    w: &Writer,
    issuer: &str,
    symbol: &str,
    title: &str,
    summary: String,
    date: NaiveDate,
) -> Cover {
    // A statement goes from one secretariat to another: it is not a document for general
    // distribution, and carries none of a meeting document's distribution marks.
    Cover {
        summary,
        ..Cover::plain(
            issuer.to_string(),
            symbol.to_string(),
            w.date(date),
            title.to_string(),
        )
    }
}

pub fn statement_document(s: &Statement, lang: Lang) -> Document {
    let w = Writer {
        lang,
        currency: s.currency,
    };
    let args = [
        ("agreement", s.agreement.clone()),
        ("period", s.period.clone()),
        ("currency", s.currency.code().to_string()),
        ("total", w.amount_text(s.total)),
    ];
    let title = w.tw("report-statement-title", &args);
    let charges = table("charges", w.tw("report-statement-charges-caption", &args))
        .columns(w.columns(&[
            "report-col-recipient",
            "report-col-provider-fund",
            "report-col-deliveries",
            "report-col-direct",
            "report-col-psc",
            "report-col-total",
        ]))
        .rows(&s.charges, |c| {
            vec![
                text(format!("{} ({})", c.payer_organisation, c.payer_fund)),
                text(&c.provider_fund),
                Cell::Count(c.deliveries as i64),
                w.money(c.direct_minor),
                w.money(c.psc_minor),
                w.money(c.total_minor),
            ]
        })
        .total(w.total(
            1,
            [
                Cell::Count(s.lines.len() as i64),
                w.money(s.direct),
                w.money(s.psc),
                w.money(s.total),
            ],
        ));
    let deliveries = table(
        "deliveries",
        w.counted(
            "report-statement-deliveries-caption",
            &args,
            &[("deliveries", s.lines.len())],
        ),
    )
    .columns(w.columns(&[
        "report-col-date",
        "report-col-service",
        "report-col-description",
        "report-col-quantity",
        "report-col-grade",
        "report-col-rate",
        "report-col-expense",
        "report-col-fx",
        "report-col-cost",
    ]))
    .rows(&s.lines, |l| {
        vec![
            text(w.date(l.date)),
            text(&l.service),
            text(&l.description),
            w.number(l.quantity.normalize()),
            text(l.grade.clone().unwrap_or_default()),
            l.rate.map_or(Cell::Empty, |r| w.number(r)),
            match l.expense {
                Some((m, c)) => text(format!("{} {}", lang.amount(m, c.exponent()), c.code())),
                None => Cell::Empty,
            },
            l.fx.as_ref().map_or(Cell::Empty, |f| {
                let month = format!(
                    "{} {}",
                    w.t(&format!("report-month-{}", f.month.month)),
                    f.month.year
                );
                let rates: Vec<String> = f
                    .rates
                    .iter()
                    .map(|(c, r)| {
                        w.tw(
                            "report-fx-rate",
                            &[("rate", w.decimal(*r)), ("currency", c.code().to_string())],
                        )
                    })
                    .collect();
                text(w.tw(
                    "report-fx-used",
                    &[("rates", rates.join("; ")), ("month", month)],
                ))
            }),
            w.number(l.cost),
        ]
    })
    .total(w.total(7, [w.money(s.direct)]));
    typeset(
        Document {
            lang: lang.code(),
            dir: lang.direction().to_string(),
            title: title.clone(),
            cover: cover(
                &w,
                &s.provider_name,
                &format!("{}/{}", s.agreement, s.period),
                &title,
                w.tw(
                    "report-statement-summary",
                    &[
                        ("provider", format!("{} ({})", s.provider, s.provider_fund)),
                        ("agreement", s.agreement.clone()),
                        ("title", s.title.clone()),
                        ("psc", w.percent_text(s.psc_rate)),
                    ],
                ),
                s.date,
            ),
            sections: vec![
                Section {
                    number: Some("I".into()),
                    annex: None,
                    heading: w.t("report-statement-charges"),
                    blocks: vec![charges.block()],
                },
                Section {
                    number: Some("II".into()),
                    annex: None,
                    heading: w.t("report-statement-deliveries"),
                    blocks: vec![
                        Block::Para(w.t("report-statement-rounding")),
                        Block::Para(w.t("report-statement-fx")),
                        deliveries.block(),
                    ],
                },
            ],
            page_label: w.t("report-page"),
            author: s.provider_name.clone(),
            issued: s.date,
        },
        lang,
    )
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct BudgetLineRow {
    pub activity: String,
    pub title: String,
    pub amount: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Counterpart {
    pub fund: String,
    pub currency: Currency,
    /// Charged to the counterpart in the biennium (this fund provided).
    pub charged_to: i64,
    /// Charged by the counterpart in the biennium (this fund received).
    pub charged_by: i64,
    /// Balances in the ledger: receivable from and payable to the counterpart.
    pub receivable: i64,
    pub payable: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct FundStatement {
    pub fund: String,
    pub name: String,
    pub organisation: String,
    /// The organisation's name: the statement's issuer.
    pub organisation_name: String,
    pub biennium: String,
    pub currency: Currency,
    pub budget_lines: Vec<BudgetLineRow>,
    pub budget: i64,
    pub income_direct: i64,
    pub income_psc: i64,
    pub services_received: i64,
    /// Budget less services received (what is left of the budget after buying services).
    pub budget_left: i64,
    pub counterparts: Vec<Counterpart>,
    pub date: NaiveDate,
}

pub fn fund_statement(
    store: &dyn Store,
    fund: &str,
    biennium: &str,
    date: NaiveDate,
) -> AppResult<FundStatement> {
    let framework = store.framework()?;
    let f = framework
        .fund(fund)
        .ok_or_else(|| AppError::Invalid(format!("unknown fund {fund}")))?
        .clone();
    if framework.biennium(biennium).is_none() {
        return Err(AppError::Invalid(format!("unknown biennium {biennium}")));
    }
    let lines: Vec<_> = framework
        .budget_lines
        .iter()
        .filter(|l| l.fund == fund && l.biennium == biennium)
        .collect();
    let currency = lines.first().map(|l| l.currency).unwrap_or(Currency::USD);
    let charges = charges_of_biennium(store, biennium)?;
    let mut cps: std::collections::BTreeMap<(String, Currency), Counterpart> = Default::default();
    let (mut income_direct, mut income_psc, mut received) = (0, 0, 0);
    for c in &charges {
        if c.provider_fund == fund {
            income_direct += c.direct_minor;
            income_psc += c.psc_minor;
            let e = cps
                .entry((c.payer_fund.clone(), c.currency))
                .or_insert_with(|| counterpart(&c.payer_fund, c.currency));
            e.charged_to += c.total_minor;
        }
        if c.payer_fund == fund {
            received += c.total_minor;
            let e = cps
                .entry((c.provider_fund.clone(), c.currency))
                .or_insert_with(|| counterpart(&c.provider_fund, c.currency));
            e.charged_by += c.total_minor;
        }
    }
    for (other, cur, rec, pay) in balances_with_other_funds(store, fund)? {
        let e = cps
            .entry((other.clone(), cur))
            .or_insert_with(|| counterpart(&other, cur));
        e.receivable = rec;
        e.payable = pay;
    }
    let budget: i64 = lines.iter().map(|l| l.amount_minor).sum();
    Ok(FundStatement {
        fund: f.code,
        name: f.name,
        organisation_name: framework
            .organisation(&f.organisation)
            .map_or_else(|| f.organisation.clone(), |o| o.name.clone()),
        organisation: f.organisation,
        biennium: biennium.to_string(),
        currency,
        budget_lines: lines
            .iter()
            .map(|l| BudgetLineRow {
                activity: l.activity.clone(),
                title: l.title.clone(),
                amount: l.amount_minor,
            })
            .collect(),
        budget,
        income_direct,
        income_psc,
        services_received: received,
        budget_left: budget - received,
        counterparts: cps.into_values().collect(),
        date,
    })
}

fn counterpart(fund: &str, currency: Currency) -> Counterpart {
    Counterpart {
        fund: fund.to_string(),
        currency,
        charged_to: 0,
        charged_by: 0,
        receivable: 0,
        payable: 0,
    }
}

pub fn fund_document(s: &FundStatement, lang: Lang) -> Document {
    let w = Writer {
        lang,
        currency: s.currency,
    };
    let args = [
        ("fund", s.fund.clone()),
        ("name", s.name.clone()),
        ("biennium", s.biennium.clone()),
        ("currency", s.currency.code().to_string()),
    ];
    let title = w.tw("report-fund-title", &args);
    let summary = table("summary", w.tw("report-fund-summary-caption", &args))
        .columns(w.columns(&["report-col-item", "report-col-amount"]))
        .row(vec![text(w.t("report-col-budget")), w.money(s.budget)])
        .row(vec![
            text(w.t("report-col-services-received")),
            w.money(s.services_received),
        ])
        .total(vec![
            text(w.t("report-fund-budget-left")),
            w.money(s.budget_left),
        ])
        .row(vec![
            text(w.t("report-col-income-direct")),
            w.money(s.income_direct),
        ])
        .row(vec![
            text(w.t("report-col-income-psc")),
            w.money(s.income_psc),
        ]);
    let lines = table("budget-lines", w.tw("report-fund-lines-caption", &args))
        .columns(w.columns(&["report-col-code", "report-col-title", "report-col-budget"]))
        .rows(&s.budget_lines, |l| {
            vec![text(&l.activity), text(&l.title), w.money(l.amount)]
        })
        .total(w.total(1, [w.money(s.budget)]));
    let other_funds = table("other-funds", w.tw("report-fund-other-caption", &args))
        .columns(w.columns(&[
            "report-col-fund",
            "report-col-currency",
            "report-col-charged-to",
            "report-col-charged-by",
            "report-col-receivable",
            "report-col-payable",
        ]))
        .rows(&s.counterparts, |c| {
            vec![
                text(&c.fund),
                text(c.currency.code()),
                w.money_in(c.charged_to, c.currency),
                w.money_in(c.charged_by, c.currency),
                w.money_in(c.receivable, c.currency),
                w.money_in(c.payable, c.currency),
            ]
        });
    typeset(
        Document {
            lang: lang.code(),
            dir: lang.direction().to_string(),
            title: title.clone(),
            cover: cover(
                &w,
                &s.organisation_name,
                &format!("{}/{}", s.fund, s.biennium),
                &title,
                w.tw(
                    "report-fund-summary",
                    &[
                        ("organisation", s.organisation.clone()),
                        ("fund", s.fund.clone()),
                        ("biennium", s.biennium.clone()),
                    ],
                ),
                s.date,
            ),
            sections: vec![
                Section {
                    number: Some("I".into()),
                    annex: None,
                    heading: w.t("report-fund-budget-actual"),
                    blocks: vec![summary.block(), lines.block()],
                },
                Section {
                    number: Some("II".into()),
                    annex: None,
                    heading: w.t("report-fund-other-funds"),
                    blocks: vec![
                        Block::Para(w.t("report-fund-other-funds-intro")),
                        other_funds.block(),
                    ],
                },
            ],
            page_label: w.t("report-page"),
            author: s.organisation_name.clone(),
            issued: s.date,
        },
        lang,
    )
}
