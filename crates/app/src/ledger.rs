//! Ledger services: the invariant check, the trial balance and the journal export.

use std::collections::HashMap;

use synergies_domain::ledger::{write_journal, Account, JournalEntry, TrialBalance};
use synergies_store::{ChargeFilter, ClosingStatus, Store};

use crate::AppResult;
use crate::{Actor, AuditAction};

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerCheck {
    pub entries: u64,
    pub postings: u64,
    pub charges: u64,
    pub violations: Vec<String>,
}

impl LedgerCheck {
    pub fn passed(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Checks every invariant of the ledger:
/// - each entry balances per fund and currency;
/// - the trial balance the database computes equals the one recomputed here from the entries;
/// - each fund sums to zero per currency; receivables equal the matching payables;
/// - each charge's entry carries exactly the charge's amounts, and each reversed charge is
///   cancelled by a reversal entry.
pub fn check(store: &dyn Store) -> AppResult<LedgerCheck> {
    let mut report = LedgerCheck::default();
    let mut entries: HashMap<i64, JournalEntry> = HashMap::new();
    let mut postings = vec![];
    let mut reversed_by: HashMap<i64, i64> = HashMap::new();
    store.for_each_entry(&mut |e| {
        report.entries += 1;
        report.postings += e.postings.len() as u64;
        if let Err(v) = e.check_balanced() {
            report.violations.push(v.to_string());
        }
        if let Some(r) = e.reverses {
            if reversed_by.insert(r, e.id).is_some() {
                report
                    .violations
                    .push(format!("entry {r} is reversed more than once"));
            }
        }
        postings.extend(e.postings.iter().cloned());
        entries.insert(e.id, e);
        Ok(())
    })?;
    let recomputed = TrialBalance::from_postings(&postings);
    let stored = store.trial_balance()?;
    if recomputed != stored {
        report.violations.push(
            "the trial balance computed by the database differs from the sum of the entries"
                .to_string(),
        );
    }
    report.violations.extend(stored.violations());

    for ch in store.charges(&ChargeFilter {
        include_reversed: true,
        ..Default::default()
    })? {
        report.charges += 1;
        let Some(e) = entries.get(&ch.entry) else {
            report
                .violations
                .push(format!("charge {} has no entry {}", ch.id, ch.entry));
            continue;
        };
        let tb = TrialBalance::from_postings(&e.postings);
        let expect = [
            (&ch.payer_fund, Account::ServicesReceived, ch.total_minor),
            (
                &ch.payer_fund,
                Account::PayableTo(ch.provider_fund.clone()),
                -ch.total_minor,
            ),
            (
                &ch.provider_fund,
                Account::ReceivableFrom(ch.payer_fund.clone()),
                ch.total_minor,
            ),
            (
                &ch.provider_fund,
                Account::CostRecoveryIncome,
                -ch.direct_minor,
            ),
            (&ch.provider_fund, Account::PscIncome, -ch.psc_minor),
        ];
        for (fund, account, amount) in expect {
            let got = tb.balance(fund, &account, ch.currency);
            if got != amount {
                report.violations.push(format!(
                    "charge {} ({} {}): {fund}:{} is {} in its entry, {} in the charge",
                    ch.id,
                    ch.agreement,
                    ch.period,
                    account.name(),
                    ch.currency.format_minor(got),
                    ch.currency.format_minor(amount)
                ));
            }
        }
        if ch.direct_minor + ch.psc_minor != ch.total_minor {
            report
                .violations
                .push(format!("charge {}: direct + PSC is not the total", ch.id));
        }
        let reversed = reversed_by.contains_key(&ch.entry);
        if reversed != (ch.status == ClosingStatus::Reversed) {
            report.violations.push(format!(
                "charge {} is {:?} but its entry {} reversed",
                ch.id,
                ch.status,
                if reversed { "is" } else { "is not" }
            ));
        }
    }
    Ok(report)
}

/// The trial balance, for every fund or one.
pub fn trial_balance(store: &dyn Store, fund: Option<&str>) -> AppResult<TrialBalance> {
    if let Some(f) = fund {
        if store.framework()?.fund(f).is_none() {
            return Err(crate::AppError::Invalid(format!("unknown fund {f}")));
        }
    }
    let tb = store.trial_balance()?;
    Ok(match fund {
        Some(f) => tb.for_fund(f),
        None => tb,
    })
}

/// The whole journal in the plain-text format of hledger and ledger-cli, with `commodity` and
/// `account` declarations so that both tools' strict modes accept it.
pub fn journal_text(store: &dyn Store) -> AppResult<String> {
    let mut body = String::new();
    let mut accounts = std::collections::BTreeSet::new();
    let mut currencies = std::collections::BTreeSet::new();
    let mut batch = vec![];
    store.for_each_entry(&mut |e| {
        for p in &e.postings {
            accounts.insert(format!("{}:{}", p.fund, p.account.name()));
            currencies.insert(p.currency);
        }
        batch.push(e);
        if batch.len() >= 1024 {
            write_journal(&batch, &mut body);
            batch.clear();
        }
        Ok(())
    })?;
    write_journal(&batch, &mut body);
    let mut out = String::from(
        "; Synergies inter-fund ledger journal.\n\
         ; Accounts are FUND:account; amounts are exact to the currency's minor unit.\n\n",
    );
    for c in &currencies {
        out.push_str(&format!("commodity {} {c}\n", c.format_minor(100_000)));
    }
    out.push('\n');
    for a in &accounts {
        out.push_str(&format!("account {a}\n"));
    }
    out.push('\n');
    out.push_str(&body);
    Ok(out)
}

/// A settlement to post: the payer fund pays the provider fund part or all of what it owes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub payer_fund: String,
    pub provider_fund: String,
    pub currency: synergies_domain::Currency,
    pub amount_minor: i64,
    pub on: chrono::NaiveDate,
    /// The transfer's reference (voucher, bank or Umoja document): one settlement per reference.
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettlementReport {
    /// The entry posted, or `None` when another writer posted the same reference meanwhile.
    pub entry: Option<i64>,
    /// What the payer still owes the provider afterwards, in minor units.
    pub outstanding_minor: i64,
}

/// Settles what `payer_fund` owes `provider_fund`: refuses a settlement larger than the
/// outstanding payable; the same reference twice posts once.
/// `actor` is who settles: the entry and its audit event (`settlement.record`) are one
/// transaction.
/// The payer fund's organisation's finance officer settles.
pub fn settle(store: &dyn Store, s: &Settlement, actor: &Actor) -> AppResult<SettlementReport> {
    use crate::AppError;
    let framework = store.framework()?;
    for (field, f) in [
        ("payer_fund", &s.payer_fund),
        ("provider_fund", &s.provider_fund),
    ] {
        if framework.fund(f).is_none() {
            return Err(AppError::field(field, format!("unknown fund {f}")));
        }
    }
    let payer = framework
        .fund(&s.payer_fund)
        .map(|f| f.organisation.clone())
        .unwrap_or_default();
    actor.authorize(&synergies_domain::access::Action::Settle { payer })?;
    if s.reference.trim().is_empty() {
        return Err(AppError::Invalid(
            "a settlement needs its transfer reference".into(),
        ));
    }
    if s.amount_minor <= 0 {
        return Err(AppError::Invalid(
            "a settlement moves a positive amount".into(),
        ));
    }
    let key = format!(
        "settlement:{}:{}:{}",
        s.payer_fund, s.provider_fund, s.reference
    );
    let owed = |tb: &TrialBalance| {
        -tb.balance(
            &s.payer_fund,
            &Account::PayableTo(s.provider_fund.clone()),
            s.currency,
        )
    };
    if let Some(id) = store.entry_id_by_key(&key)? {
        return Err(AppError::Invalid(format!(
            "the transfer {} is already settled (entry {id})",
            s.reference
        )));
    }
    let outstanding = owed(&store.trial_balance()?);
    let c = s.currency;
    if s.amount_minor > outstanding {
        return Err(AppError::Invalid(format!(
            "{} owes {} {} {c}; a settlement of {} {c} would overpay it",
            s.payer_fund,
            s.provider_fund,
            c.format_minor(outstanding),
            c.format_minor(s.amount_minor)
        )));
    }
    let entry = JournalEntry::for_settlement(
        key,
        s.on,
        format!(
            "Settlement {}: {} pays {} {} {c}",
            s.reference,
            s.payer_fund,
            s.provider_fund,
            c.format_minor(s.amount_minor)
        ),
        &s.payer_fund,
        &s.provider_fund,
        c,
        s.amount_minor,
    );
    // The entry and its audit event in one transaction (neither when another request posted
    // the same transfer meanwhile).
    let audit = actor.audit(
        AuditAction::SettlementRecord,
        &s.reference,
        serde_json::json!({
            "before": {"outstanding_minor": outstanding},
            "after": {
                "outstanding_minor": outstanding - s.amount_minor,
                "payer_fund": s.payer_fund, "provider_fund": s.provider_fund,
                "currency": c, "amount_minor": s.amount_minor, "on": s.on,
            },
        }),
    );
    let posted = store.post_entry(&entry, &audit)?;
    Ok(SettlementReport {
        entry: posted,
        outstanding_minor: owed(&store.trial_balance()?),
    })
}

/// A settlement as a finance officer types it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSettlement {
    pub payer_fund: String,
    pub provider_fund: String,
    pub currency: String,
    /// In major units, e.g. `1250.00`.
    pub amount: String,
    /// YYYY-MM-DD
    pub date: String,
    /// The transfer's reference; one settlement per reference.
    pub reference: String,
}

impl NewSettlement {
    /// The settlement, or the first field in error.
    pub fn settlement(&self) -> AppResult<Settlement> {
        use crate::form::{currency, date, decimal, required};
        let currency = currency("currency", &self.currency)?;
        let amount_minor = currency
            .to_minor(decimal("amount", &self.amount)?)
            .map_err(|e| crate::AppError::field("amount", e.to_string()))?;
        if amount_minor <= 0 {
            return Err(crate::AppError::field(
                "amount",
                "a settlement is more than zero",
            ));
        }
        Ok(Settlement {
            payer_fund: required("payer_fund", &self.payer_fund)?.to_string(),
            provider_fund: required("provider_fund", &self.provider_fund)?.to_string(),
            currency,
            amount_minor,
            on: date("date", &self.date)?,
            reference: required("reference", &self.reference)?.to_string(),
        })
    }
}
