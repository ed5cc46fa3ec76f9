//! `synergies close`, `synergies reopen` and `synergies charges`: closing a period posts the
//! charges of its accepted deliveries; reopening reverses them.

use anyhow::Result;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde_json::json;
use synergies_app::close;
use synergies_domain::Period;
use synergies_store::ChargeFilter;

use crate::context::{actor, known_agreement, open, operator, today};
use crate::output::{money, outln, print_json};

#[derive(Args)]
pub struct CloseArgs {
    /// A month (2026-03) or a quarter (2026-Q1).
    #[arg(long)]
    period: Period,
    /// Only this agreement.
    #[arg(long)]
    agreement: Option<String>,
    /// Date of the closing records (default: today).
    #[arg(long)]
    on: Option<NaiveDate>,
    /// Print the closings posted as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ReopenArgs {
    /// A month (2026-03) or a quarter (2026-Q1).
    #[arg(long)]
    period: Period,
    /// Only this agreement.
    #[arg(long)]
    agreement: Option<String>,
    /// Print the closings reversed as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub enum ChargesCmd {
    /// List posted charges.
    List {
        /// Only the charges of this agreement.
        #[arg(long)]
        agreement: Option<String>,
        /// Only the charges of this month (2026-03) or quarter (2026-Q1).
        #[arg(long)]
        period: Option<Period>,
        /// Include reversed charges.
        #[arg(long)]
        all: bool,
        /// Print the charges as JSON, amounts in minor units.
        #[arg(long)]
        json: bool,
    },
}

pub fn close(db: &str, args: CloseArgs) -> Result<()> {
    let CloseArgs {
        period,
        agreement,
        on,
        json,
    } = args;
    let store = open(db)?;
    // The closings and their audit event are written in one transaction.
    let report = close::close_period(
        store.as_ref(),
        period,
        agreement.as_deref(),
        on.unwrap_or_else(today),
        &actor(&operator()),
    )?;
    if json {
        print_json(&report)?;
    } else if report.posted.is_empty() {
        outln!("{period}: nothing new to charge; nothing posted.")?;
    } else {
        for c in &report.posted {
            outln!(
                "{period} {}: {} deliveries, direct {} {cur}, charged {} {cur} (closing {}, #{})",
                c.agreement,
                c.deliveries,
                money(&c.currency, c.direct_minor),
                money(&c.currency, c.charged_minor),
                c.closing,
                c.sequence,
                cur = c.currency
            )?;
        }
    }
    Ok(())
}

pub fn reopen(db: &str, args: ReopenArgs) -> Result<()> {
    let ReopenArgs {
        period,
        agreement,
        json,
    } = args;
    let store = open(db)?;
    // Each reversal and its audit event are written in one transaction.
    let report = close::reopen_period(
        store.as_ref(),
        period,
        agreement.as_deref(),
        &actor(&operator()),
    )?;
    if json {
        print_json(&report)?;
    } else {
        outln!(
            "{period}: reversed {} closings with {} reversal entries.",
            report.reversed_closings.len(),
            report.reversal_entries
        )?;
    }
    Ok(())
}

pub fn charges(db: &str, cmd: ChargesCmd) -> Result<()> {
    let ChargesCmd::List {
        agreement,
        period,
        all,
        json,
    } = cmd;
    let store = open(db)?;
    if let Some(code) = &agreement {
        known_agreement(store.as_ref(), code)?;
    }
    let charges = store.charges(&ChargeFilter {
        agreement,
        period: period.map(|p| p.to_string()),
        include_reversed: all,
    })?;
    if json {
        let rows: Vec<_> = charges
            .iter()
            .map(|c| {
                json!({
                    "id": c.id, "agreement": c.agreement, "version": c.version,
                    "period": c.period, "sequence": c.sequence,
                    "provider_fund": c.provider_fund,
                    "payer_organisation": c.payer_organisation,
                    "payer_fund": c.payer_fund, "currency": c.currency,
                    "direct_minor": c.direct_minor, "psc_minor": c.psc_minor,
                    "total_minor": c.total_minor, "deliveries": c.deliveries,
                    "entry": c.entry, "status": c.status, "posted_on": c.posted_on,
                })
            })
            .collect();
        print_json(&rows)?;
    } else {
        outln!(
            "{:<9} {:<18} {:>4} {:<6} {:>14} {:>12} {:>14} {:>6}",
            "period",
            "agreement",
            "seq",
            "payer",
            "direct",
            "psc",
            "total",
            "deliv."
        )?;
        for c in &charges {
            outln!(
                "{:<9} {:<18} {:>4} {:<6} {:>14} {:>12} {:>14} {:>6}",
                c.period,
                c.agreement,
                c.sequence,
                c.payer_fund,
                c.currency.format_minor(c.direct_minor),
                c.currency.format_minor(c.psc_minor),
                c.currency.format_minor(c.total_minor),
                c.deliveries
            )?;
        }
    }
    Ok(())
}
