//! The cost-recovery rules of the brief, each with figures computed by hand.

mod common;

use common::*;
use synergies_app::close::close_period;
use synergies_app::{ledger, AppError};
use synergies_domain::ledger::Account;
use synergies_domain::{Currency, Period};
use synergies_store::{ChargeFilter, Store};

fn close_q1(store: &dyn Store) -> Vec<synergies_store::ChargeRecord> {
    store
        .accept_deliveries(
            Some("A"),
            None,
            day("2026-04-02"),
            &synergies_store::Audit::new("test", "deliveries.accept", "", serde_json::Value::Null),
        )
        .ok();
    close_period(
        store,
        "2026-Q1".parse().unwrap(),
        None,
        day("2026-04-05"),
        &synergies_app::Actor::operator("test"),
    )
    .unwrap();
    assert!(ledger::check(store).unwrap().passed());
    store.charges(&ChargeFilter::default()).unwrap()
}

#[test]
fn a_rate_change_in_the_middle_of_the_period_applies_from_its_date() {
    let store = store_with(&[purchase("A", 100_000_000, "0.13")]);
    import(
        store.as_ref(),
        "A,LEGAL,2026-03-10,2,P-4,,,before the change,1\n\
         A,LEGAL,2026-03-20,1.5,P-4,,,after the change,2\n",
    )
    .unwrap();
    let charges = close_q1(store.as_ref());
    // 2 × 900.00 + 1.5 × 931.50 = 1800.00 + 1397.25 = 3197.25
    // PSC 13 % = 415.6425 → 415.64 (half to even); total 3612.89
    assert_eq!(charges.len(), 1);
    assert_eq!(charges[0].direct_minor, 319_725);
    assert_eq!(charges[0].psc_minor, 41_564);
    assert_eq!(charges[0].total_minor, 361_289);
    assert_eq!(charges[0].deliveries, 2);
}

#[test]
fn a_chf_expense_in_a_usd_agreement_converts_through_usd_at_the_month_rate() {
    let store = store_with(&[purchase("A", 100_000_000, "0.13")]);
    import(
        store.as_ref(),
        "A,LEGAL,2026-03-12,1,P-4,123.45,CHF,mission to Geneva,1\n",
    )
    .unwrap();
    let charges = close_q1(store.as_ref());
    // 900.00 + 123.45 CHF / 0.8 CHF per USD = 900.00 + 154.3125 = 1054.3125 → 1054.31
    // PSC 13 % of 1054.31 = 137.0603 → 137.06; total 1191.37
    assert_eq!(charges[0].direct_minor, 105_431);
    assert_eq!(charges[0].psc_minor, 13_706);
    assert_eq!(charges[0].total_minor, 119_137);
}

#[test]
fn one_rounding_per_charge_half_to_even() {
    let store = store_with(&[purchase("A", 100_000_000, "0")]);
    // 0.5 page × 12.25 = 6.125 → 612.5 cents → 612 (to even; half-up would give 613).
    import(
        store.as_ref(),
        "A,HALFPAGE,2026-02-02,0.5,,,,half a page,1\n",
    )
    .unwrap();
    let charges = close_q1(store.as_ref());
    assert_eq!(charges[0].direct_minor, 612);

    // Three deliveries of 0.5 hour × 101.35 = 50.675 each: rounded one by one they would give
    // 3 × 50.68 = 152.04; the charge rounds their exact sum once: 152.025 → 152.02.
    let store = store_with(&[purchase("A", 100_000_000, "0")]);
    import(
        store.as_ref(),
        "A,IT,2026-02-02,0.5,G-6,,,,1\nA,IT,2026-02-03,0.5,G-6,,,,2\nA,IT,2026-02-04,0.5,G-6,,,,3\n",
    )
    .unwrap();
    let charges = close_q1(store.as_ref());
    assert_eq!(charges[0].direct_minor, 15_202);
}

#[test]
fn psc_is_rounded_half_to_even_on_the_rounded_direct_cost() {
    let store = store_with(&[purchase("A", 100_000_000, "0.13")]);
    // 5 pages × 2.50 = 12.50; PSC 13 % = 1.625 → 1.62 (half to even); total 14.12.
    import(store.as_ref(), "A,PAGES,2026-01-15,5,,,,five pages,1\n").unwrap();
    let charges = close_q1(store.as_ref());
    assert_eq!(
        (
            charges[0].direct_minor,
            charges[0].psc_minor,
            charges[0].total_minor
        ),
        (1250, 162, 1412)
    );
    let tb = store.trial_balance().unwrap();
    let usd = Currency::USD;
    assert_eq!(tb.balance("MCGTF", &Account::PscIncome, usd), -162);
    assert_eq!(
        tb.balance("MCGTF", &Account::CostRecoveryIncome, usd),
        -1250
    );
    assert_eq!(
        tb.balance("MCGTF", &Account::ReceivableFrom("BC".into()), usd),
        1412
    );
    assert_eq!(
        tb.balance("BC", &Account::PayableTo("MCGTF".into()), usd),
        -1412
    );
    assert_eq!(tb.balance("BC", &Account::ServicesReceived, usd), 1412);
}

#[test]
fn a_delivery_past_the_ceiling_is_refused_until_an_amendment_raises_it() {
    // Ceiling 1000.00: one P-4 day costs 900.00 + 117.00 PSC = 1017.00.
    let store = store_with(&[purchase("A", 100_000, "0.13")]);
    import(
        store.as_ref(),
        "A,LEGAL,2026-01-12,0.5,P-4,,,half a day,1\n",
    )
    .unwrap(); // 508.50
    let before = snapshot(store.as_ref());
    let err = import(
        store.as_ref(),
        "A,LEGAL,2026-01-13,0.5,P-4,,,half a day,2\n",
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("test.csv:2: quantity:"), "{text}");
    assert!(
        text.contains("1017.00 USD, past its ceiling of 1000.00 USD"),
        "{text}"
    );
    assert_eq!(snapshot(store.as_ref()), before, "nothing written");

    // The ceiling counts what is charged already: close Q1, then try again.
    close_q1(store.as_ref());
    assert!(import(
        store.as_ref(),
        "A,LEGAL,2026-01-13,0.5,P-4,,,half a day,2\n"
    )
    .is_err());

    // An amendment raising the ceiling to 2000.00, approved by both heads, lets it through.
    let a = store.agreement("A").unwrap().unwrap();
    let v = a.active_version().unwrap();
    let terms = synergies_domain::agreement::Terms {
        ceiling_minor: 200_000,
        psc_rate: v.psc_rate,
        lines: v.lines.clone(),
        participants: v.participants.clone(),
        share_key: v.share_key.clone(),
        note: "raise the ceiling".into(),
    };
    synergies_app::agreements::amend(
        store.as_ref(),
        &synergies_app::Actor::operator("mc.officer"),
        "A",
        terms,
    )
    .unwrap();
    synergies_app::agreements::propose(
        store.as_ref(),
        &synergies_app::Actor::operator("mc.officer"),
        "A",
    )
    .unwrap();
    synergies_app::agreements::approve(
        store.as_ref(),
        &synergies_app::Actor::operator("mc.head"),
        "A",
        Some("MC"),
        day("2026-04-10"),
    )
    .unwrap();
    assert!(import(
        store.as_ref(),
        "A,LEGAL,2026-01-13,0.5,P-4,,,half a day,2\n"
    )
    .is_err());
    synergies_app::agreements::approve(
        store.as_ref(),
        &synergies_app::Actor::operator("brs.head"),
        "A",
        Some("BRS"),
        day("2026-04-11"),
    )
    .unwrap();
    import(
        store.as_ref(),
        "A,LEGAL,2026-01-13,0.5,P-4,,,half a day,2\n",
    )
    .unwrap();
}

#[test]
fn the_rows_past_the_ceiling_are_named() {
    let store = store_with(&[purchase("A", 100_000, "0.13")]);
    let err = import(
        store.as_ref(),
        "A,LEGAL,2026-01-12,0.25,P-4,,,,1\n\
         A,LEGAL,2026-01-13,0.25,P-4,,,,2\n\
         A,LEGAL,2026-01-14,0.25,P-4,,,,3\n\
         A,LEGAL,2026-01-15,0.25,P-4,,,,4\n\
         A,LEGAL,2026-01-16,0.25,P-4,,,,5\n",
    )
    .unwrap_err();
    let AppError::Rejected { issues, .. } = err else {
        panic!("{err}")
    };
    // Each quarter day is 225.00 + 29.25 = 254.25; four make 1017.00: line 5 (the 4th row)
    // passes the ceiling and line 6 comes after it.
    let lines: Vec<u64> = issues.iter().map(|i| i.line).collect();
    assert_eq!(lines, vec![5, 6]);
}

#[test]
fn a_three_way_split_uses_the_largest_remainder() {
    // A joint cost of 40 pages × 2.50 = 100.00, shared equally by three funds.
    let store = store_with(&[{
        let mut a = sharing(
            "A",
            vec![
                payer("BRS", "BC", "1"),
                payer("BRS", "RC", "1"),
                payer("BRS", "SC", "1"),
            ],
        );
        a.versions[0].lines[0].service = "PAGES".into();
        a
    }]);
    import(
        store.as_ref(),
        "A,PAGES,2026-02-10,40,,,,joint publication,1\n",
    )
    .unwrap();
    let charges = close_q1(store.as_ref());
    // 100.00 / 3 = 33.333…: the first part (lowest index among equal remainders) gets the cent.
    let parts: Vec<(&str, i64)> = charges
        .iter()
        .map(|c| (c.payer_fund.as_str(), c.total_minor))
        .collect();
    assert_eq!(parts, vec![("BC", 3334), ("RC", 3333), ("SC", 3333)]);
    assert_eq!(parts.iter().map(|p| p.1).sum::<i64>(), 10_000);
}

#[test]
fn the_provider_keeps_its_own_share_of_a_joint_cost() {
    let mut a = sharing(
        "A",
        vec![payer("MC", "MCGTF", "30"), payer("BRS", "BC", "18")],
    );
    a.versions[0].lines[0].service = "PAGES".into();
    let store = store_with(&[a]);
    // 1000 pages × 2.50 = 2500.00 split 30:18 → MC 1562.50, BRS 937.50: only BRS is charged.
    import(
        store.as_ref(),
        "A,PAGES,2026-03-02,1000,,,,joint training material,1\n",
    )
    .unwrap();
    let charges = close_q1(store.as_ref());
    assert_eq!(charges.len(), 1);
    assert_eq!(
        (charges[0].payer_fund.as_str(), charges[0].total_minor),
        ("BC", 93_750)
    );
}

#[test]
fn closing_is_idempotent_and_reopening_reverses() {
    let store = store_with(&[purchase("A", 100_000_000, "0.13")]);
    import(store.as_ref(), "A,LEGAL,2026-03-10,2,P-4,,,,1\n").unwrap();
    store
        .accept_deliveries(
            Some("A"),
            None,
            day("2026-04-01"),
            &synergies_store::Audit::new("test", "deliveries.accept", "", serde_json::Value::Null),
        )
        .unwrap();
    let q1: Period = "2026-Q1".parse().unwrap();
    let first = close_period(
        store.as_ref(),
        q1,
        None,
        day("2026-04-05"),
        &synergies_app::Actor::operator("test"),
    )
    .unwrap();
    assert_eq!(first.posted.len(), 1);
    let after_first = snapshot(store.as_ref());
    let second = close_period(
        store.as_ref(),
        q1,
        None,
        day("2026-04-06"),
        &synergies_app::Actor::operator("test"),
    )
    .unwrap();
    assert!(second.posted.is_empty());
    assert_eq!(snapshot(store.as_ref()), after_first);

    let reopened = synergies_app::close::reopen_period(
        store.as_ref(),
        q1,
        None,
        &synergies_app::Actor::operator("test"),
    )
    .unwrap();
    assert_eq!(reopened.reversed_closings.len(), 1);
    assert!(
        store.trial_balance().unwrap().rows.is_empty(),
        "every balance restored"
    );
    assert!(ledger::check(store.as_ref()).unwrap().passed());
    let again = close_period(
        store.as_ref(),
        q1,
        None,
        day("2026-04-07"),
        &synergies_app::Actor::operator("test"),
    )
    .unwrap();
    assert_eq!(again.posted[0].charged_minor, first.posted[0].charged_minor);
    assert_eq!(again.posted[0].sequence, 2);
    assert!(ledger::check(store.as_ref()).unwrap().passed());
}

#[test]
fn a_month_closes_only_its_own_deliveries() {
    let store = store_with(&[purchase("A", 100_000_000, "0")]);
    import(
        store.as_ref(),
        "A,PAGES,2026-01-31,1,,,,,1\nA,PAGES,2026-02-01,2,,,,,2\n",
    )
    .unwrap();
    store
        .accept_deliveries(
            Some("A"),
            None,
            day("2026-02-02"),
            &synergies_store::Audit::new("test", "deliveries.accept", "", serde_json::Value::Null),
        )
        .unwrap();
    let jan = close_period(
        store.as_ref(),
        "2026-01".parse().unwrap(),
        None,
        day("2026-02-03"),
        &synergies_app::Actor::operator("test"),
    )
    .unwrap();
    assert_eq!(jan.posted[0].direct_minor, 250);
    // The quarter then charges only what January did not.
    let q1 = close_period(
        store.as_ref(),
        "2026-Q1".parse().unwrap(),
        None,
        day("2026-04-03"),
        &synergies_app::Actor::operator("test"),
    )
    .unwrap();
    assert_eq!(q1.posted[0].direct_minor, 500);
    assert_eq!(q1.posted[0].deliveries, 1);
}

#[test]
fn only_accepted_deliveries_are_charged_and_disputed_ones_never() {
    let store = store_with(&[purchase("A", 100_000_000, "0")]);
    import(
        store.as_ref(),
        "A,PAGES,2026-01-10,1,,,,,1\nA,PAGES,2026-01-11,2,,,,,2\nA,PAGES,2026-03-30,4,,,,,3\n",
    )
    .unwrap();
    store
        .dispute_delivery(
            "A",
            "2",
            "not received",
            &synergies_store::Audit::new("test", "delivery.dispute", "", serde_json::Value::Null),
        )
        .unwrap();
    store
        .accept_deliveries(
            Some("A"),
            Some(day("2026-02-28")),
            day("2026-03-01"),
            &synergies_store::Audit::new("test", "deliveries.accept", "", serde_json::Value::Null),
        )
        .unwrap();
    let q1 = close_period(
        store.as_ref(),
        "2026-Q1".parse().unwrap(),
        None,
        day("2026-04-03"),
        &synergies_app::Actor::operator("test"),
    )
    .unwrap();
    assert_eq!(
        q1.posted[0].direct_minor, 250,
        "only delivery 1 is accepted"
    );
}

#[test]
fn rows_already_recorded_do_not_count_twice_against_the_ceiling() {
    // Ceiling 1000.00; half a P-4 day is 450.00 + 58.50 PSC = 508.50.
    let store = store_with(&[purchase("A", 100_000, "0.13")]);
    import(
        store.as_ref(),
        "A,LEGAL,2026-01-12,0.5,P-4,,,half a day,1\n",
    )
    .unwrap();
    // The same row again (identical) and five pages (12.50 + 1.62): 522.62 committed in all.
    let report = import(
        store.as_ref(),
        "A,LEGAL,2026-01-12,0.5,P-4,,,half a day,1\nA,PAGES,2026-01-13,5,,,,five pages,2\n",
    )
    .unwrap();
    assert_eq!((report.inserted, report.identical), (1, 1));
}
