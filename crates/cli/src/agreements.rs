//! `synergies agreements`: agreements between providers and recipients, and their approval by
//! both heads.

use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;
use clap::Subcommand;
use serde_json::json;
use synergies_app::agreements;
use synergies_domain::agreement::Agreement;

use crate::context::{actor, known_agreement, open, operator, today};
use crate::output::{outln, print_json, read_json};

#[derive(Subcommand)]
pub enum AgreementsCmd {
    /// List agreements with the status of their latest version.
    List {
        /// Print the agreements as JSON, with every version and approval.
        #[arg(long)]
        json: bool,
    },
    /// Show one agreement with its versions, approvals and the mandates it serves.
    Show {
        /// The agreement's code, such as MC-BRS-2026-01.
        code: String,
    },
    /// Link an agreement to a mandate it serves.
    Link {
        /// The agreement's code.
        code: String,
        /// The mandate: decision and paragraph, such as "MC-6/20 4(a)".
        #[arg(long)]
        mandate: String,
        /// Who makes the change (recorded in the audit trail).
        #[arg(long, default_value_t = operator())]
        by: String,
    },
    /// Remove the link from an agreement to a mandate.
    Unlink {
        /// The agreement's code.
        code: String,
        /// The mandate: decision and paragraph, such as "MC-6/20 4(a)".
        #[arg(long)]
        mandate: String,
        /// Who makes the change (recorded in the audit trail).
        #[arg(long, default_value_t = operator())]
        by: String,
    },
    /// Load agreements from a JSON array (as `export agreements --format json` writes).
    Import {
        /// The JSON array of agreements.
        file: PathBuf,
    },
    /// Propose the draft version for approval by the heads.
    Propose {
        /// The agreement's code; its draft version is proposed.
        code: String,
        /// Who proposes (recorded in the audit trail).
        #[arg(long, default_value_t = operator())]
        by: String,
    },
    /// Approve the proposed version as the head of an organisation.
    Approve {
        /// The agreement's code; its proposed version is approved.
        code: String,
        /// The organisation whose head approves.
        #[arg(long)]
        org: String,
        /// Who approves, recorded in the approval trail (with `--as`, the user acting).
        #[arg(long, default_value_t = operator())]
        by: String,
        /// Date of the approval (default: today).
        #[arg(long)]
        on: Option<NaiveDate>,
    },
}

pub fn run(db: &str, cmd: AgreementsCmd) -> Result<()> {
    let store = open(db)?;
    let store = store.as_ref();
    match cmd {
        AgreementsCmd::List { json } => {
            let list = store.agreements()?;
            if json {
                print_json(&list)?;
            } else {
                outln!(
                    "{:<18} {:<9} {:<5} {:<7} {:<4} {:<11} {:>14}  title",
                    "code",
                    "kind",
                    "from",
                    "fund",
                    "v.",
                    "status",
                    "ceiling"
                )?;
                for a in &list {
                    let v = a.active_version().unwrap_or_else(|| a.latest());
                    outln!(
                        "{:<18} {:<9} {:<5} {:<7} {:<4} {:<11} {:>14}  {}",
                        a.code,
                        a.kind.as_str(),
                        a.provider,
                        a.provider_fund,
                        a.latest().number,
                        a.latest().status.as_str(),
                        a.currency.format_minor(v.ceiling_minor),
                        a.title
                    )?;
                }
            }
        }
        AgreementsCmd::Show { code } => {
            let a = known_agreement(store, &code)?;
            let mandates: Vec<String> = store
                .mandate_links(Some(&code))?
                .into_iter()
                .map(|l| format!("{} {}", l.decision, l.paragraph))
                .collect();
            let mut shown = serde_json::to_value(&a)?;
            if let Some(object) = shown.as_object_mut() {
                object.insert("mandates".into(), json!(mandates));
            }
            print_json(&shown)?
        }
        AgreementsCmd::Link { code, mandate, by } => {
            let new =
                synergies_app::decisions::link_agreement(store, &code, &mandate, &actor(&by))?;
            if new {
                outln!("{code} now serves {}.", mandate.trim())?;
            } else {
                outln!("{code} already serves {}; nothing changed.", mandate.trim())?;
            }
        }
        AgreementsCmd::Unlink { code, mandate, by } => {
            synergies_app::decisions::unlink_agreement(store, &code, &mandate, &actor(&by))?;
            outln!("{code} no longer serves {}.", mandate.trim())?;
        }
        AgreementsCmd::Import { file } => {
            let list: Vec<Agreement> = read_json(&file)?;
            let n = agreements::import_agreements(store, &list, &actor(&operator()))?;
            outln!("Loaded {n} agreements from {}", file.display())?;
        }
        AgreementsCmd::Propose { code, by } => {
            agreements::propose(store, &actor(&by), &code)?;
            outln!("{code}: proposed for approval by the heads of every party.")?;
        }
        AgreementsCmd::Approve { code, org, by, on } => {
            let (a, active) = agreements::approve(
                store,
                &actor(&by),
                &code,
                Some(&org),
                on.unwrap_or_else(today),
            )?;
            if active {
                outln!(
                    "{code}: approved by the head of {org}; version {} is now in force.",
                    a.latest().number
                )?;
            } else {
                let v = a.latest();
                let waiting: Vec<String> = a
                    .required_approvers(v)
                    .into_iter()
                    .filter(|o| !v.approvals.iter().any(|x| &x.organisation == o))
                    .collect();
                outln!(
                    "{code}: approved by the head of {org}; awaiting {}.",
                    waiting.join(" and ")
                )?;
            }
        }
    }
    Ok(())
}
