//! A small framework with hand-checkable rates, shared by the application tests.
#![allow(dead_code)]

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use synergies_app::agreements;
use synergies_app::import::{import_deliveries, BytesSource, ImportReport};
use synergies_app::AppResult;
use synergies_domain::agreement::{
    Agreement, AgreementKind, AgreementLine, Participant, ShareKey, Terms,
};
use synergies_domain::model::*;
use synergies_domain::{Currency, Month};
use synergies_store::{SqliteStore, Store};

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).unwrap()
}

/// MC (fund MCGTF) and BRS (funds BC, RC, SC). MC rates: P-4 900.00 per staff-day from
/// 2026-01-01 and 931.50 from 2026-03-16; P-3 760.00; G-6 101.35 per staff-hour; a page costs
/// 2.50 and a "half-page" service 12.25. CHF: 0.8 per USD in March 2026 (none in April).
pub fn framework() -> Framework {
    let usd = Currency::USD;
    let org = |c: &str| Organisation {
        code: c.into(),
        name: format!("{c} secretariat"),
    };
    let conv = |c: &str, o: &str| Convention {
        code: c.into(),
        name: c.into(),
        organisation: o.into(),
    };
    let fund = |c: &str, conv: &str, o: &str| Fund {
        code: c.into(),
        name: format!("{c} trust fund"),
        convention: conv.into(),
        organisation: o.into(),
        kind: FundKind::General,
    };
    let service = |c: &str, unit: Unit| Service {
        code: c.into(),
        name: c.into(),
        provider: "MC".into(),
        category: ServiceCategory::Legal,
        unit,
    };
    let rate = |key: RateKey, unit: Unit, from: &str, amount: &str| Rate {
        provider: "MC".into(),
        biennium: "2026-2027".into(),
        key,
        unit,
        effective_from: day(from),
        amount: d(amount),
        currency: usd,
    };
    let g = |s: &str| RateKey::Grade(s.into());
    Framework {
        organisations: vec![org("MC"), org("BRS")],
        conventions: vec![
            conv("MINAMATA", "MC"),
            conv("BASEL", "BRS"),
            conv("ROTTERDAM", "BRS"),
            conv("STOCKHOLM", "BRS"),
        ],
        funds: vec![
            fund("MCGTF", "MINAMATA", "MC"),
            fund("BC", "BASEL", "BRS"),
            fund("RC", "ROTTERDAM", "BRS"),
            fund("SC", "STOCKHOLM", "BRS"),
        ],
        bienniums: vec![Biennium {
            code: "2026-2027".into(),
            start: day("2026-01-01"),
            end: day("2027-12-31"),
            status: BienniumStatus::Open,
        }],
        budget_lines: vec![],
        services: vec![
            service("LEGAL", Unit::StaffDay),
            service("IT", Unit::StaffHour),
            service("PAGES", Unit::Page),
            service("HALFPAGE", Unit::Page),
        ],
        rate_cards: vec![RateCard {
            provider: "MC".into(),
            biennium: "2026-2027".into(),
            currency: usd,
            psc_rate: d("0.13"),
        }],
        rates: vec![
            rate(g("P-4"), Unit::StaffDay, "2026-01-01", "900.00"),
            rate(g("P-4"), Unit::StaffDay, "2026-03-16", "931.50"),
            rate(g("P-3"), Unit::StaffDay, "2026-01-01", "760.00"),
            rate(g("G-6"), Unit::StaffHour, "2026-01-01", "101.35"),
            rate(
                RateKey::Service("PAGES".into()),
                Unit::Page,
                "2026-01-01",
                "2.50",
            ),
            rate(
                RateKey::Service("HALFPAGE".into()),
                Unit::Page,
                "2026-01-01",
                "12.25",
            ),
        ],
        fx_rates: vec![FxRate {
            currency: Currency::from_code("CHF").unwrap(),
            month: Month::new(2026, 3).unwrap(),
            per_usd: d("0.8"),
        }],
    }
}

pub fn payer(org: &str, fund: &str, weight: &str) -> Participant {
    Participant {
        organisation: org.into(),
        fund: fund.into(),
        weight: d(weight),
    }
}

/// A purchase MC → BRS (fund BC) covering every service, with the given ceiling and PSC rate.
pub fn purchase(code: &str, ceiling_minor: i64, psc: &str) -> Agreement {
    Agreement::draft(
        code,
        "Services of MC to BRS",
        AgreementKind::Purchase,
        "MC",
        "MCGTF",
        "2026-2027",
        Currency::USD,
        Terms {
            ceiling_minor,
            psc_rate: d(psc),
            lines: ["LEGAL", "IT", "PAGES", "HALFPAGE"]
                .iter()
                .map(|s| AgreementLine {
                    service: s.to_string(),
                    estimated_quantity: d("10"),
                })
                .collect(),
            participants: vec![payer("BRS", "BC", "1")],
            share_key: ShareKey::Fixed,
            note: String::new(),
        },
    )
}

/// A sharing agreement: MC's joint cost split among `participants` with no PSC.
pub fn sharing(code: &str, participants: Vec<Participant>) -> Agreement {
    Agreement::draft(
        code,
        "Joint cost",
        AgreementKind::Sharing,
        "MC",
        "MCGTF",
        "2026-2027",
        Currency::USD,
        Terms {
            ceiling_minor: 100_000_000,
            psc_rate: Decimal::ZERO,
            lines: vec![AgreementLine {
                service: "LEGAL".into(),
                estimated_quantity: d("10"),
            }],
            participants,
            share_key: ShareKey::Fixed,
            note: String::new(),
        },
    )
}

/// A migrated in-memory store with the framework and the agreements, approved by both heads.
pub fn store_with(agreements: &[Agreement]) -> Box<dyn Store> {
    let store: Box<dyn Store> = Box::new(SqliteStore::open_in_memory().unwrap());
    store.migrate().unwrap();
    store
        .save_framework(
            &framework(),
            &synergies_store::Audit::new("test", "framework.load", "", serde_json::Value::Null),
        )
        .unwrap();
    for a in agreements {
        agreements::create(store.as_ref(), &synergies_app::Actor::operator("test"), a).unwrap();
        agreements::propose(
            store.as_ref(),
            &synergies_app::Actor::operator("test"),
            &a.code,
        )
        .unwrap();
        for org in a.required_approvers(a.latest()) {
            agreements::approve(
                store.as_ref(),
                &synergies_app::Actor::operator("head"),
                &a.code,
                Some(&org),
                day("2026-01-02"),
            )
            .unwrap();
        }
    }
    store
}

pub const HEADER: &str =
    "agreement,service,date,quantity,grade,expense_amount,expense_currency,description,external_id\n";

/// Imports CSV rows (without the header).
pub fn import(store: &dyn Store, rows: &str) -> AppResult<ImportReport> {
    let text = format!("{HEADER}{rows}");
    import_deliveries(
        store,
        &BytesSource {
            name: "test.csv",
            bytes: text.as_bytes(),
        },
        &mut |_| {},
        &synergies_app::Actor::operator("test"),
    )
}

/// Everything a user can see of the database, to compare before and after a refused change.
pub fn snapshot(store: &dyn Store) -> String {
    use synergies_app::export::{export, Dataset, Format};
    let mut out = vec![];
    for ds in [Dataset::Deliveries, Dataset::Agreements, Dataset::Charges] {
        export(store, ds, Format::Csv, &mut out).unwrap();
    }
    format!(
        "{}\n{:?}\n{:?}",
        String::from_utf8(out).unwrap(),
        store.table_counts().unwrap(),
        store.trial_balance().unwrap()
    )
}
