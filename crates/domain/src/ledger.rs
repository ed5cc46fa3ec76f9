//! The inter-fund ledger: immutable journal entries of postings to accounts of funds.
//!
//! Amounts are signed minor units: a debit is positive, a credit negative. Each charge posts
//! one entry (the brief's ledger rules):
//! - in the payer's fund: debit `expenses:services-received`, credit `liabilities:payable:<provider fund>`;
//! - in the provider's fund: debit `assets:receivable:<payer fund>`, credit `income:cost-recovery`
//!   (direct) and `income:psc` (PSC).
//!
//! Invariants: every entry balances per fund and currency; every fund's trial balance sums to
//! zero per currency; what fund P holds as receivable from R equals what R holds as payable to P.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::cost::ChargeAmounts;
use crate::money::Currency;
use crate::{DomainError, Message};

/// An account of a fund.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Account {
    ServicesReceived,
    PayableTo(String),
    ReceivableFrom(String),
    CostRecoveryIncome,
    PscIncome,
    Cash,
}

impl Account {
    /// The account's name within its fund, as it appears in exports.
    pub fn name(&self) -> String {
        match self {
            Account::ServicesReceived => "expenses:services-received".into(),
            Account::PayableTo(f) => format!("liabilities:payable:{f}"),
            Account::ReceivableFrom(f) => format!("assets:receivable:{f}"),
            Account::CostRecoveryIncome => "income:cost-recovery".into(),
            Account::PscIncome => "income:psc".into(),
            Account::Cash => "assets:cash".into(),
        }
    }

    pub fn parse(s: &str) -> Option<Account> {
        match s {
            "expenses:services-received" => Some(Account::ServicesReceived),
            "income:cost-recovery" => Some(Account::CostRecoveryIncome),
            "income:psc" => Some(Account::PscIncome),
            "assets:cash" => Some(Account::Cash),
            _ => {
                if let Some(f) = s.strip_prefix("liabilities:payable:") {
                    Some(Account::PayableTo(f.to_string()))
                } else {
                    s.strip_prefix("assets:receivable:")
                        .map(|f| Account::ReceivableFrom(f.to_string()))
                }
            }
        }
    }
}

impl Serialize for Account {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for Account {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Account::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown account {s}")))
    }
}

/// One line of an entry: a signed amount (debit positive) on an account of a fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Posting {
    pub fund: String,
    pub account: Account,
    pub currency: Currency,
    pub amount_minor: i64,
}

/// A journal entry. Once posted it never changes; a correction is a reversal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JournalEntry {
    /// Assigned by the store when posted; 0 before.
    pub id: i64,
    /// Idempotency key: posting the same key twice posts once.
    pub key: String,
    pub date: NaiveDate,
    pub description: String,
    /// The entry this one reverses, if it is a reversal.
    pub reverses: Option<i64>,
    pub postings: Vec<Posting>,
}

impl JournalEntry {
    /// The entry of one charge, from the payer's fund to the provider's fund.
    pub fn for_charge(
        key: String,
        date: NaiveDate,
        description: String,
        provider_fund: &str,
        payer_fund: &str,
        currency: Currency,
        amounts: &ChargeAmounts,
    ) -> JournalEntry {
        assert_eq!(
            amounts.direct_minor + amounts.psc_minor,
            amounts.total_minor,
            "a charge's total is its direct cost plus PSC"
        );
        let p = |fund: &str, account: Account, amount_minor: i64| Posting {
            fund: fund.to_string(),
            account,
            currency,
            amount_minor,
        };
        let mut postings = vec![
            p(payer_fund, Account::ServicesReceived, amounts.total_minor),
            p(
                payer_fund,
                Account::PayableTo(provider_fund.to_string()),
                -amounts.total_minor,
            ),
            p(
                provider_fund,
                Account::ReceivableFrom(payer_fund.to_string()),
                amounts.total_minor,
            ),
            p(
                provider_fund,
                Account::CostRecoveryIncome,
                -amounts.direct_minor,
            ),
        ];
        if amounts.psc_minor != 0 {
            postings.push(p(provider_fund, Account::PscIncome, -amounts.psc_minor));
        }
        let entry = JournalEntry {
            id: 0,
            key,
            date,
            description,
            reverses: None,
            postings,
        };
        debug_assert!(entry.check_balanced().is_ok());
        entry
    }

    /// A settlement: the payer fund pays what it owes the provider fund. In the payer's fund,
    /// debit `liabilities:payable:<provider>` and credit `assets:cash`; in the provider's fund,
    /// debit `assets:cash` and credit `assets:receivable:<payer>`.
    pub fn for_settlement(
        key: String,
        date: NaiveDate,
        description: String,
        payer_fund: &str,
        provider_fund: &str,
        currency: Currency,
        amount_minor: i64,
    ) -> JournalEntry {
        assert!(amount_minor > 0, "a settlement moves a positive amount");
        let p = |fund: &str, account: Account, amount_minor: i64| Posting {
            fund: fund.to_string(),
            account,
            currency,
            amount_minor,
        };
        JournalEntry {
            id: 0,
            key,
            date,
            description,
            reverses: None,
            postings: vec![
                p(
                    payer_fund,
                    Account::PayableTo(provider_fund.to_string()),
                    amount_minor,
                ),
                p(payer_fund, Account::Cash, -amount_minor),
                p(provider_fund, Account::Cash, amount_minor),
                p(
                    provider_fund,
                    Account::ReceivableFrom(payer_fund.to_string()),
                    -amount_minor,
                ),
            ],
        }
    }

    /// The entry that cancels this one: every posting negated.
    pub fn reversal(&self, key: String, date: NaiveDate, description: String) -> JournalEntry {
        JournalEntry {
            id: 0,
            key,
            date,
            description,
            reverses: Some(self.id),
            postings: self
                .postings
                .iter()
                .map(|p| Posting {
                    amount_minor: -p.amount_minor,
                    ..p.clone()
                })
                .collect(),
        }
    }

    /// Whether this entry cancels `original` posting by posting (same funds, accounts and
    /// currencies, amounts negated): what a reversal must do.
    pub fn cancels(&self, original: &JournalEntry) -> bool {
        self.postings.len() == original.postings.len()
            && self.postings.iter().zip(&original.postings).all(|(r, p)| {
                r.fund == p.fund
                    && r.account == p.account
                    && r.currency == p.currency
                    && r.amount_minor == -p.amount_minor
            })
    }

    /// Invariant: the entry balances per fund and per currency, and has postings.
    pub fn check_balanced(&self) -> Result<(), DomainError> {
        if self.postings.is_empty() {
            return Err(DomainError::Ledger(
                Message::new("ledger-entry-no-postings").with("entry", &self.key),
            ));
        }
        let mut sums: BTreeMap<(&str, Currency), i128> = BTreeMap::new();
        for p in &self.postings {
            *sums.entry((p.fund.as_str(), p.currency)).or_default() += i128::from(p.amount_minor);
        }
        for ((fund, currency), sum) in sums {
            if sum != 0 {
                return Err(DomainError::Ledger(
                    Message::new("ledger-entry-unbalanced")
                        .with("entry", &self.key)
                        .with("fund", fund)
                        .with("currency", currency.code())
                        .with("amount", currency.format_minor(sum as i64)),
                ));
            }
        }
        Ok(())
    }
}

/// One row of a trial balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BalanceRow {
    pub fund: String,
    pub account: Account,
    pub currency: Currency,
    pub balance_minor: i64,
}

/// Balances per fund, account and currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrialBalance {
    pub rows: Vec<BalanceRow>,
}

impl TrialBalance {
    /// Builds a trial balance from postings (used by tests and by the independent check of
    /// the store's own aggregate).
    pub fn from_postings<'a>(postings: impl IntoIterator<Item = &'a Posting>) -> TrialBalance {
        let mut sums: BTreeMap<(String, Account, Currency), i64> = BTreeMap::new();
        for p in postings {
            *sums
                .entry((p.fund.clone(), p.account.clone(), p.currency))
                .or_default() += p.amount_minor;
        }
        TrialBalance::from_sums(sums)
    }

    pub fn from_sums(sums: BTreeMap<(String, Account, Currency), i64>) -> TrialBalance {
        TrialBalance {
            rows: sums
                .into_iter()
                .filter(|(_, b)| *b != 0)
                .map(|((fund, account, currency), balance_minor)| BalanceRow {
                    fund,
                    account,
                    currency,
                    balance_minor,
                })
                .collect(),
        }
    }

    pub fn for_fund(&self, fund: &str) -> TrialBalance {
        TrialBalance {
            rows: self
                .rows
                .iter()
                .filter(|r| r.fund == fund)
                .cloned()
                .collect(),
        }
    }

    pub fn balance(&self, fund: &str, account: &Account, currency: Currency) -> i64 {
        self.rows
            .iter()
            .filter(|r| r.fund == fund && &r.account == account && r.currency == currency)
            .map(|r| r.balance_minor)
            .sum()
    }

    /// The ledger invariants that a trial balance shows: each fund sums to zero per currency,
    /// and each receivable of P from R equals the payable of R to P. Returns every violation.
    pub fn violations(&self) -> Vec<String> {
        let mut out = vec![];
        let mut per_fund: BTreeMap<(&str, Currency), i128> = BTreeMap::new();
        for r in &self.rows {
            *per_fund.entry((&r.fund, r.currency)).or_default() += i128::from(r.balance_minor);
        }
        for ((fund, currency), sum) in per_fund {
            if sum != 0 {
                out.push(format!(
                    "fund {fund} does not sum to zero in {currency}: {}",
                    currency.format_minor(sum as i64)
                ));
            }
        }
        for r in &self.rows {
            match &r.account {
                Account::ReceivableFrom(payer) => {
                    let payable =
                        self.balance(payer, &Account::PayableTo(r.fund.clone()), r.currency);
                    if payable != -r.balance_minor {
                        out.push(format!(
                            "{} holds {} {} receivable from {payer}, but {payer} holds {} payable to {}",
                            r.fund,
                            r.currency.format_minor(r.balance_minor),
                            r.currency,
                            r.currency.format_minor(-payable),
                            r.fund
                        ));
                    }
                }
                Account::PayableTo(provider) => {
                    let receivable = self.balance(
                        provider,
                        &Account::ReceivableFrom(r.fund.clone()),
                        r.currency,
                    );
                    if receivable == 0 && r.balance_minor != 0 {
                        out.push(format!(
                            "{} holds {} {} payable to {provider}, but {provider} holds no receivable from it",
                            r.fund,
                            r.currency.format_minor(-r.balance_minor),
                            r.currency
                        ));
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// Writes entries in the plain-text journal format that hledger and ledger-cli read.
/// Accounts are `<fund>:<account>`; amounts carry the currency's digits and code.
pub fn write_journal<'a>(entries: impl IntoIterator<Item = &'a JournalEntry>, out: &mut String) {
    for e in entries {
        let desc = e.description.replace(['\n', ';'], " ");
        let _ = writeln!(out, "{} * {}", e.date.format("%Y-%m-%d"), desc);
        let _ = writeln!(out, "    ; key: {}", e.key);
        for p in &e.postings {
            let _ = writeln!(
                out,
                "    {}:{}  {} {}",
                p.fund,
                p.account.name(),
                p.currency.format_minor(p.amount_minor),
                p.currency
            );
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge(direct: i64, psc: i64) -> JournalEntry {
        JournalEntry::for_charge(
            "k".into(),
            NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
            "charge".into(),
            "MCGTF",
            "BC",
            Currency::USD,
            &ChargeAmounts {
                direct_minor: direct,
                psc_minor: psc,
                total_minor: direct + psc,
            },
        )
    }

    #[test]
    fn a_charge_posts_to_both_funds_and_balances_each() {
        let e = charge(10000, 1300);
        e.check_balanced().unwrap();
        let tb = TrialBalance::from_postings(&e.postings);
        assert_eq!(
            tb.balance("BC", &Account::ServicesReceived, Currency::USD),
            11300
        );
        assert_eq!(
            tb.balance("BC", &Account::PayableTo("MCGTF".into()), Currency::USD),
            -11300
        );
        assert_eq!(
            tb.balance(
                "MCGTF",
                &Account::ReceivableFrom("BC".into()),
                Currency::USD
            ),
            11300
        );
        assert_eq!(
            tb.balance("MCGTF", &Account::PscIncome, Currency::USD),
            -1300
        );
        assert!(tb.violations().is_empty());
    }

    #[test]
    fn a_reversal_restores_every_balance() {
        let mut e = charge(10000, 1300);
        e.id = 7;
        let r = e.reversal("r".into(), e.date, "reversal".into());
        r.check_balanced().unwrap();
        assert!(r.cancels(&e));
        assert!(!e.cancels(&e));
        assert_eq!(r.reverses, Some(7));
        let tb = TrialBalance::from_postings(e.postings.iter().chain(&r.postings));
        assert!(tb.rows.is_empty());
    }

    #[test]
    fn violations_are_found() {
        let mut e = charge(10000, 1300);
        e.postings[0].amount_minor += 1;
        assert!(e.check_balanced().is_err());
        let tb = TrialBalance::from_postings(&e.postings);
        assert!(tb
            .violations()
            .iter()
            .any(|v| v.contains("does not sum to zero")));
        let mut e = charge(10000, 1300);
        e.postings[1].amount_minor -= 5;
        e.postings[0].amount_minor += 5;
        let tb = TrialBalance::from_postings(&e.postings);
        assert!(tb.violations().iter().any(|v| v.contains("receivable")));
    }

    #[test]
    fn a_settlement_clears_payable_and_receivable_against_cash() {
        let e = charge(10000, 1300);
        let s = JournalEntry::for_settlement(
            "s".into(),
            e.date,
            "transfer".into(),
            "BC",
            "MCGTF",
            Currency::USD,
            11300,
        );
        s.check_balanced().unwrap();
        let tb = TrialBalance::from_postings(e.postings.iter().chain(&s.postings));
        assert_eq!(
            tb.balance(
                "MCGTF",
                &Account::ReceivableFrom("BC".into()),
                Currency::USD
            ),
            0
        );
        assert_eq!(
            tb.balance("BC", &Account::PayableTo("MCGTF".into()), Currency::USD),
            0
        );
        assert_eq!(tb.balance("MCGTF", &Account::Cash, Currency::USD), 11300);
        assert_eq!(tb.balance("BC", &Account::Cash, Currency::USD), -11300);
        assert!(tb.violations().is_empty());
    }

    #[test]
    fn account_names_round_trip() {
        for a in [
            Account::ServicesReceived,
            Account::PayableTo("BC".into()),
            Account::ReceivableFrom("MCGTF".into()),
            Account::CostRecoveryIncome,
            Account::PscIncome,
            Account::Cash,
        ] {
            assert_eq!(Account::parse(&a.name()), Some(a));
        }
    }
}
