//! `synergies deliveries`: services delivered under agreements (import, acceptance, disputes,
//! listing).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;
use clap::Subcommand;
use serde_json::json;
use synergies_app::import;
use synergies_domain::Period;
use synergies_store::DeliveryFilter;

use crate::context::{actor, known_agreement, open, operator, today};
use crate::output::{buffered_stdout, outln, print_json, Progress};

#[derive(Subcommand)]
pub enum DeliveriesCmd {
    /// Import deliveries from a CSV file or an XLSX workbook, all or nothing.
    Import {
        /// The file of deliveries, CSV (LF or CRLF line ends) or XLSX (its first sheet), with
        /// the columns agreement, service, date, quantity, grade, expense_amount,
        /// expense_currency, description, external_id.
        file: PathBuf,
        /// Print the import report (rows read, deliveries recorded, already recorded) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Accept recorded deliveries (the recipient's acceptance).
    Accept {
        /// The agreement whose deliveries are accepted.
        #[arg(long, required_unless_present = "all")]
        agreement: Option<String>,
        /// Every agreement.
        #[arg(long, conflicts_with = "agreement")]
        all: bool,
        /// Accept deliveries dated up to this day (default: all).
        #[arg(long)]
        through: Option<NaiveDate>,
        /// Print the agreement, the day and the number of deliveries accepted as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Dispute one recorded delivery.
    Dispute {
        /// The agreement the delivery was recorded under.
        #[arg(long)]
        agreement: String,
        /// The delivery's identifier in the provider's records (the CSV's external_id).
        #[arg(long)]
        external_id: String,
        /// Why the recipient disputes it (recorded with the delivery).
        #[arg(long)]
        reason: String,
    },
    /// List deliveries.
    List {
        /// Only the deliveries of this agreement.
        #[arg(long)]
        agreement: Option<String>,
        /// Only the deliveries dated in this month (2026-03) or quarter (2026-Q1).
        #[arg(long)]
        period: Option<Period>,
        /// Print the deliveries as JSON, with their status and closing.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(db: &str, cmd: DeliveriesCmd) -> Result<()> {
    let store = open(db)?;
    let store = store.as_ref();
    match cmd {
        DeliveriesCmd::Import { file, json } => {
            let progress = Progress::new();
            let report = import::import_deliveries(
                store,
                &import::FileSource(file.clone()),
                &mut |rows| progress.rows(rows),
                &actor(&operator()),
            )?;
            progress.finish();
            if json {
                print_json(&report)?;
            } else {
                outln!(
                    "{}: {} rows, {} deliveries recorded, {} already recorded with the same content (nothing added for them).",
                    file.display(),
                    report.rows,
                    report.inserted,
                    report.identical
                )?;
            }
        }
        DeliveriesCmd::Accept {
            agreement,
            all,
            through,
            json,
        } => {
            let code = if all {
                None
            } else {
                let code = agreement.expect("clap requires it");
                known_agreement(store, &code)?;
                Some(code)
            };
            let total = synergies_app::deliveries::accept(
                store,
                code.as_deref(),
                through,
                today(),
                &actor(&operator()),
            )?;
            let accepted = json!({ "agreement": code, "through": through, "accepted": total });
            if json {
                print_json(&accepted)?;
            } else {
                outln!("Accepted {total} deliveries.")?;
            }
        }
        DeliveriesCmd::Dispute {
            agreement,
            external_id,
            reason,
        } => {
            synergies_app::deliveries::dispute(
                store,
                &agreement,
                &external_id,
                &reason,
                &actor(&operator()),
            )?;
            outln!("{agreement} {external_id}: disputed.")?;
        }
        DeliveriesCmd::List {
            agreement,
            period,
            json,
        } => {
            if let Some(code) = &agreement {
                known_agreement(store, code)?;
            }
            let filter = DeliveryFilter {
                agreement,
                from: period.map(|p| p.first_day()),
                to: period.map(|p| p.last_day()),
                ..Default::default()
            };
            if json {
                let mut rows = vec![];
                store.for_each_delivery(&filter, &mut |d| {
                    rows.push(d);
                    Ok(())
                })?;
                print_json(&rows)?;
            } else {
                let mut out = buffered_stdout();
                store.for_each_delivery(&filter, &mut |d| {
                    let x = &d.delivery;
                    writeln!(
                        out,
                        "{:>7} {:<18} {} {:<10} {:>6} {:<5} {:<9} {}",
                        d.id,
                        x.agreement,
                        x.date,
                        x.service,
                        x.quantity.to_string(),
                        x.grade.as_deref().unwrap_or("-"),
                        d.status.as_str(),
                        x.external_id
                    )
                    .map_err(|e| synergies_store::StoreError::Invalid(e.to_string()))
                })?;
                out.flush()?;
            }
        }
    }
    Ok(())
}
