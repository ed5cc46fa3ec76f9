//! Properties of closing, checked on random deliveries against a real (in-memory) SQLite store:
//! closing is idempotent, every posted entry balances per fund and currency, the ledger check
//! passes, and reopening (reversal) restores every balance.

mod common;

use chrono::Duration;
use common::*;
use proptest::prelude::*;
use synergies_app::close::{close_period, reopen_period};
use synergies_app::ledger;
use synergies_domain::Period;
use synergies_store::Store;

#[derive(Debug, Clone)]
struct Row {
    sharing: bool,
    day: i64,
    quarter_days: u32,
    grade: usize,
    chf_cents: Option<u32>,
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        (
            any::<bool>(),
            0i64..90,
            1u32..16,
            0usize..2,
            prop::option::weighted(0.2, 1u32..500_000),
        )
            .prop_map(|(sharing, day, quarter_days, grade, chf_cents)| Row {
                sharing,
                day,
                quarter_days,
                grade,
                chf_cents,
            }),
        1..25,
    )
}

fn setup(rows: &[Row], weights: (u32, u32, u32)) -> Box<dyn Store> {
    let store = store_with(&[
        purchase("A", i64::MAX / 4, "0.13"),
        sharing(
            "S",
            vec![
                payer("MC", "MCGTF", &weights.0.to_string()),
                payer("BRS", "BC", &weights.1.to_string()),
                payer("BRS", "RC", &weights.2.to_string()),
            ],
        ),
    ]);
    let mut csv = String::new();
    for (i, r) in rows.iter().enumerate() {
        let date = day("2026-01-01") + Duration::days(r.day);
        // CHF has an operational rate in March 2026 only.
        let expense = match r.chf_cents {
            Some(c) if date.format("%m").to_string() == "03" => {
                format!("{}.{:02},CHF", c / 100, c % 100)
            }
            _ => ",".to_string(),
        };
        csv.push_str(&format!(
            "{},LEGAL,{date},{},{},{expense},row {i},E{i}\n",
            if r.sharing { "S" } else { "A" },
            f64::from(r.quarter_days) / 4.0,
            ["P-4", "P-3"][r.grade],
        ));
    }
    import(store.as_ref(), &csv).unwrap();
    store
        .accept_deliveries(
            Some("A"),
            None,
            day("2026-04-01"),
            &synergies_store::Audit::new("test", "deliveries.accept", "", serde_json::Value::Null),
        )
        .unwrap();
    store
        .accept_deliveries(
            Some("S"),
            None,
            day("2026-04-01"),
            &synergies_store::Audit::new("test", "deliveries.accept", "", serde_json::Value::Null),
        )
        .unwrap();
    store
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn closing_is_idempotent_and_every_entry_balances(
        rows in rows(),
        weights in (0u32..50, 1u32..50, 0u32..50),
    ) {
        let store = setup(&rows, weights);
        let q1: Period = "2026-Q1".parse().unwrap();
        let first = close_period(store.as_ref(), q1, None, day("2026-04-05"), &synergies_app::Actor::operator("test")).unwrap();
        prop_assert!(!first.posted.is_empty());
        store.for_each_entry(&mut |e| {
            assert!(e.check_balanced().is_ok(), "entry {} does not balance", e.key);
            Ok(())
        }).unwrap();
        let check = ledger::check(store.as_ref()).unwrap();
        prop_assert!(check.passed(), "{:?}", check.violations);
        let after_first = snapshot(store.as_ref());
        let second = close_period(store.as_ref(), q1, None, day("2026-04-06"), &synergies_app::Actor::operator("test")).unwrap();
        prop_assert!(second.posted.is_empty());
        prop_assert_eq!(snapshot(store.as_ref()), after_first);
        // Every delivery is charged exactly once.
        let charged: u64 = store.closings(None).unwrap().iter().map(|c| c.deliveries).sum();
        prop_assert_eq!(charged, rows.len() as u64);
    }

    #[test]
    fn a_reversal_restores_every_balance(
        rows in rows(),
        weights in (0u32..50, 1u32..50, 0u32..50),
    ) {
        let store = setup(&rows, weights);
        let q1: Period = "2026-Q1".parse().unwrap();
        let first = close_period(store.as_ref(), q1, None, day("2026-04-05"), &synergies_app::Actor::operator("test")).unwrap();
        reopen_period(store.as_ref(), q1, None, &synergies_app::Actor::operator("test")).unwrap();
        prop_assert!(store.trial_balance().unwrap().rows.is_empty());
        prop_assert!(ledger::check(store.as_ref()).unwrap().passed());
        let again = close_period(store.as_ref(), q1, None, day("2026-04-07"), &synergies_app::Actor::operator("test")).unwrap();
        let totals = |r: &synergies_app::close::CloseReport| -> Vec<(String, i64)> {
            r.posted.iter().map(|c| (c.agreement.clone(), c.charged_minor)).collect()
        };
        prop_assert_eq!(totals(&again), totals(&first));
        prop_assert!(ledger::check(store.as_ref()).unwrap().passed());
    }
}
