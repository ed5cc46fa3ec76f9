//! `synergies mandates`: what each decision asks, tracked until done.

use anyhow::{bail, Result};
use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use serde_json::json;

use crate::context::{actor, open, operator, today};
use crate::output::{outln, print_json};

#[derive(Subcommand)]
pub enum MandatesCmd {
    /// List the mandates, of one decision or all, with the agreements and activities that
    /// serve them.
    List {
        /// Only the mandates of this decision, such as MC-6/20.
        #[arg(long)]
        decision: Option<String>,
        /// Print the mandates as JSON, with the agreements and activities that serve them.
        #[arg(long)]
        json: bool,
    },
    /// Show one mandate: its text, status, dated notes, agreements and activities.
    Show {
        /// The decision, such as MC-6/20.
        decision: String,
        /// The paragraph, such as 3 or 4(c).
        paragraph: String,
        /// Print the mandate and its notes as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Set a mandate's status with a dated note.
    Update {
        /// The decision, such as MC-6/20.
        decision: String,
        /// The paragraph, such as 3 or 4(c).
        paragraph: String,
        /// The mandate's new status.
        #[arg(long, value_enum)]
        status: StatusArg,
        /// What was done.
        #[arg(long)]
        note: String,
        /// Date of the note (default: today).
        #[arg(long)]
        on: Option<NaiveDate>,
        /// Who writes the note.
        #[arg(long, default_value_t = operator())]
        by: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum StatusArg {
    Active,
    Implemented,
    Superseded,
}

pub fn run(db: &str, cmd: MandatesCmd) -> Result<()> {
    use synergies_domain::mandate::MandateStatus;
    let store = open(db)?;
    let store = store.as_ref();
    let due = |m: &synergies_domain::mandate::Mandate| match (&m.deliverable, m.due_meeting) {
        (Some(d), Some(n)) => format!("{d} due at meeting {n}"),
        (Some(d), None) => d.clone(),
        _ => String::new(),
    };
    match cmd {
        MandatesCmd::List { decision, json } => {
            let list = synergies_app::decisions::mandates(store, decision.as_deref())?;
            if json {
                print_json(&list)?;
            } else {
                for v in &list {
                    let m = &v.mandate;
                    outln!(
                        "{:<9} {:<6} {:<13} {:<11} {:<20} {:<28} {}",
                        m.decision,
                        m.paragraph,
                        m.tracking.as_str(),
                        m.status.as_str(),
                        m.actor.as_deref().unwrap_or("-"),
                        due(m),
                        if v.agreements.is_empty() {
                            String::new()
                        } else {
                            format!("agreements: {}", v.agreements.join(", "))
                        }
                    )?;
                }
            }
        }
        MandatesCmd::Show {
            decision,
            paragraph,
            json,
        } => {
            let Some(v) = synergies_app::decisions::mandates(store, Some(&decision))?
                .into_iter()
                .find(|v| v.mandate.paragraph == paragraph)
            else {
                bail!("no mandate {paragraph} of {decision} (see `mandates list`)");
            };
            let notes = store.mandate_notes(&decision, &paragraph)?;
            if json {
                print_json(&json!({ "mandate": v, "notes": notes }))?;
            } else {
                let m = &v.mandate;
                outln!(
                    "{} {} ({}, {}): {}",
                    m.decision,
                    m.paragraph,
                    m.tracking.as_str(),
                    m.status.as_str(),
                    m.text
                )?;
                if let Some(actor) = &m.actor {
                    outln!("Addressed to: {actor}")?;
                }
                if !due(m).is_empty() {
                    outln!("Deliverable: {}", due(m))?;
                }
                let or_none = |l: &[String]| {
                    if l.is_empty() {
                        "none".to_string()
                    } else {
                        l.join(", ")
                    }
                };
                outln!("Agreements: {}", or_none(&v.agreements))?;
                outln!("Activities: {}", or_none(&v.activities))?;
                for n in &notes {
                    outln!(
                        "{} {} ({}): {}",
                        n.noted_on,
                        n.status.as_str(),
                        n.author,
                        n.note
                    )?;
                }
            }
        }
        MandatesCmd::Update {
            decision,
            paragraph,
            status,
            note,
            on,
            by,
        } => {
            let status = match status {
                StatusArg::Active => MandateStatus::Active,
                StatusArg::Implemented => MandateStatus::Implemented,
                StatusArg::Superseded => MandateStatus::Superseded,
            };
            synergies_app::decisions::update_mandate(
                store,
                &decision,
                &paragraph,
                status,
                &note,
                on.unwrap_or_else(today),
                &actor(&by),
            )?;
            outln!("{decision} {paragraph}: {}.", status.as_str())?;
        }
    }
    Ok(())
}
