//! Property tests of the ledger: every entry of a charge balances per fund and currency, its
//! reversal restores every balance, and trial balances built from any set of charges keep the
//! inter-fund invariants.

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use synergies_domain::cost::ChargeAmounts;
use synergies_domain::ledger::{JournalEntry, TrialBalance};
use synergies_domain::Currency;

const FUNDS: [&str; 4] = ["MCGTF", "MCSTF", "BC", "SC"];

type ChargeSpec = (usize, usize, i64, u32, usize);

fn charge() -> impl Strategy<Value = ChargeSpec> {
    (
        0..4usize,
        0..4usize,
        0i64..1_000_000_000_000,
        0u32..3000,
        0..3usize,
    )
}

fn entry(i: usize, (p, r, direct, psc_bp, cur): ChargeSpec) -> Option<JournalEntry> {
    if p == r {
        return None;
    }
    let currency = Currency::from_code(["USD", "EUR", "JPY"][cur]).unwrap();
    let amounts = ChargeAmounts::from_direct(direct, Decimal::new(i64::from(psc_bp), 4)).unwrap();
    Some(JournalEntry::for_charge(
        format!("k{i}"),
        NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
        "charge".into(),
        FUNDS[p],
        FUNDS[r],
        currency,
        &amounts,
    ))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn every_charge_entry_balances_and_its_reversal_restores(
        charges in prop::collection::vec(charge(), 1..30)
    ) {
        let mut entries: Vec<JournalEntry> = charges
            .into_iter()
            .enumerate()
            .filter_map(|(i, c)| entry(i, c))
            .collect();
        for (i, e) in entries.iter_mut().enumerate() {
            e.id = i as i64 + 1;
            prop_assert!(e.check_balanced().is_ok());
        }
        let tb = TrialBalance::from_postings(entries.iter().flat_map(|e| &e.postings));
        prop_assert!(tb.violations().is_empty(), "{:?}", tb.violations());
        let reversals: Vec<JournalEntry> = entries
            .iter()
            .map(|e| e.reversal(format!("r{}", e.id), e.date, "reversal".into()))
            .collect();
        for r in &reversals {
            prop_assert!(r.check_balanced().is_ok());
        }
        let all = TrialBalance::from_postings(
            entries.iter().chain(&reversals).flat_map(|e| &e.postings),
        );
        prop_assert!(all.rows.is_empty());
    }

    #[test]
    fn a_changed_posting_is_caught(c in charge(), delta in 1i64..1000, which in 0usize..4) {
        prop_assume!(c.0 != c.1);
        let mut e = entry(0, c).unwrap();
        e.postings[which].amount_minor += delta;
        prop_assert!(e.check_balanced().is_err());
        prop_assert!(!TrialBalance::from_postings(&e.postings).violations().is_empty());
    }
}
