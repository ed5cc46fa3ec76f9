//! `synergies ledger` and `synergies settle`: the inter-fund ledger, its checks and journal,
//! and the settlement of what one fund owes another.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use synergies_app::ledger;

use crate::context::{actor, open, operator, today};
use crate::output::{outln, print_json, write_out};

#[derive(Args)]
pub struct SettleArgs {
    /// The fund that pays.
    #[arg(long)]
    payer_fund: String,
    /// The fund that is paid.
    #[arg(long)]
    provider_fund: String,
    /// Amount in major units, such as 25144.82.
    #[arg(long)]
    amount: String,
    /// The currency of the amount (ISO 4217 code).
    #[arg(long, default_value = "USD")]
    currency: String,
    /// The transfer's reference; a reference is settled once.
    #[arg(long)]
    reference: String,
    /// Date of the transfer (default: today).
    #[arg(long)]
    on: Option<NaiveDate>,
    /// Print the settlement and what is still owed as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub enum LedgerCmd {
    /// Balances per fund, account and currency.
    TrialBalance {
        /// Only the balances of this fund, such as MCGTF.
        #[arg(long)]
        fund: Option<String>,
        /// Print the balances as JSON, in minor units.
        #[arg(long)]
        json: bool,
    },
    /// Check every ledger invariant; exits non-zero on any violation.
    Check {
        /// Print what was checked and every violation as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export the journal for hledger and ledger-cli.
    Export {
        /// The journal format.
        #[arg(long, value_enum, default_value = "ledger")]
        format: JournalFormat,
        /// Write the journal to FILE (whole or not at all) instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum JournalFormat {
    /// The plain-text journal that hledger and ledger-cli read.
    Ledger,
}

pub fn run(db: &str, cmd: LedgerCmd) -> Result<ExitCode> {
    let store = open(db)?;
    let store = store.as_ref();
    match cmd {
        LedgerCmd::TrialBalance { fund, json } => {
            let tb = ledger::trial_balance(store, fund.as_deref())?;
            if json {
                let rows: Vec<_> = tb
                    .rows
                    .iter()
                    .map(|r| {
                        json!({
                            "fund": r.fund, "account": r.account.name(),
                            "currency": r.currency, "balance_minor": r.balance_minor,
                        })
                    })
                    .collect();
                print_json(&rows)?;
            } else {
                outln!("{:<8} {:<40} {:>16}", "fund", "account", "balance")?;
                for r in &tb.rows {
                    outln!(
                        "{:<8} {:<40} {:>12} {}",
                        r.fund,
                        r.account.name(),
                        r.currency.format_minor(r.balance_minor),
                        r.currency
                    )?;
                }
            }
        }
        LedgerCmd::Check { json } => {
            let check = ledger::check(store)?;
            if json {
                print_json(&check)?;
            } else {
                outln!(
                    "{} entries, {} postings, {} charges checked.",
                    check.entries,
                    check.postings,
                    check.charges
                )?;
                for v in &check.violations {
                    outln!("VIOLATION: {v}")?;
                }
                outln!(
                    "{}",
                    if check.passed() {
                        "Every invariant holds."
                    } else {
                        "The ledger check FAILED."
                    }
                )?;
            }
            if !check.passed() {
                return Ok(ExitCode::FAILURE);
            }
        }
        LedgerCmd::Export { format, out } => {
            let JournalFormat::Ledger = format;
            let text = ledger::journal_text(store)?;
            write_out(out.as_deref(), |w| {
                w.write_all(text.as_bytes())?;
                Ok(())
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn settle(db: &str, args: SettleArgs) -> Result<()> {
    let SettleArgs {
        payer_fund,
        provider_fund,
        amount,
        currency,
        reference,
        on,
        json,
    } = args;
    let store = open(db)?;
    let currency = synergies_domain::Currency::from_code(&currency)?;
    let major: rust_decimal::Decimal = amount
        .parse()
        .with_context(|| format!("--amount {amount:?} is not a decimal number"))?;
    let report = ledger::settle(
        store.as_ref(),
        &ledger::Settlement {
            payer_fund: payer_fund.clone(),
            provider_fund: provider_fund.clone(),
            currency,
            amount_minor: currency.to_minor(major)?,
            on: on.unwrap_or_else(today),
            reference,
        },
        &actor(&operator()),
    )?;
    if json {
        print_json(&report)?;
    } else {
        outln!(
            "Settled {} {currency} from {payer_fund} to {provider_fund}; {} {currency} still owed.",
            currency.format_minor(currency.to_minor(major)?),
            currency.format_minor(report.outstanding_minor)
        )?;
    }
    Ok(())
}
