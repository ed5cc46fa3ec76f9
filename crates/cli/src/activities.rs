//! `synergies activities`: cooperation activities per biennium, their costs, and planning the
//! next biennium.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Subcommand, ValueEnum};

use crate::context::{actor, open, operator};
use crate::output::{outln, print_json, read_json};

#[derive(Subcommand)]
pub enum ActivitiesCmd {
    /// Record activities from a JSON array (all or none).
    Import {
        /// The JSON array of activities.
        file: PathBuf,
    },
    /// List a biennium's activities: estimated cost per organisation against the actual cost
    /// charged in the ledger under the agreements that carry them.
    List {
        /// The biennium, such as 2026-2027.
        #[arg(long)]
        biennium: String,
        /// Print the priced activities as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Set an activity's status.
    SetStatus {
        /// The activity's code.
        code: String,
        /// The activity's new status.
        #[arg(long, value_enum)]
        status: ActivityStatusArg,
        /// The activity's biennium (needed when its code is recorded in several).
        #[arg(long)]
        biennium: Option<String>,
        /// Who makes the change (recorded in the audit trail).
        #[arg(long, default_value_t = operator())]
        by: String,
    },
    /// Change an activity's common fields: status, funding, outputs, agreements, mandates.
    Update {
        /// The activity's code.
        code: String,
        /// The activity's biennium (needed when its code is recorded in several).
        #[arg(long)]
        biennium: Option<String>,
        /// The activity's new status.
        #[arg(long, value_enum)]
        status: Option<ActivityStatusArg>,
        /// How the activity is funded.
        #[arg(long, value_enum)]
        funding: Option<FundingArg>,
        /// Whether it continues into the next biennium.
        #[arg(long)]
        continues: Option<bool>,
        /// The new title in English.
        #[arg(long)]
        title_en: Option<String>,
        /// The new title in French.
        #[arg(long)]
        title_fr: Option<String>,
        /// An output to add (repeatable).
        #[arg(long = "add-output")]
        add_outputs: Vec<String>,
        /// An output to remove (repeatable).
        #[arg(long = "remove-output")]
        remove_outputs: Vec<String>,
        /// An agreement that carries its cost, of the same biennium (repeatable).
        #[arg(long = "add-agreement")]
        add_agreements: Vec<String>,
        /// An agreement that no longer carries its cost (repeatable).
        #[arg(long = "remove-agreement")]
        remove_agreements: Vec<String>,
        /// A mandate it serves, such as "MC-6/20 4(a)" (repeatable).
        #[arg(long = "add-mandate")]
        add_mandates: Vec<String>,
        /// A mandate it no longer serves (repeatable).
        #[arg(long = "remove-mandate")]
        remove_mandates: Vec<String>,
        /// Who makes the change (recorded in the audit trail).
        #[arg(long, default_value_t = operator())]
        by: String,
        /// Print the updated activity as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Carry the continuing activities into the next biennium, re-priced at its rate cards,
    /// and compare the two funding scenarios.
    Plan {
        /// The current biennium, such as 2026-2027.
        #[arg(long)]
        from: String,
        /// The next biennium, such as 2028-2029.
        #[arg(long)]
        to: String,
        /// Print the plan (activities carried, funding scenarios per fund) as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ActivityStatusArg {
    Planned,
    Ongoing,
    Completed,
    Postponed,
    Cancelled,
}

impl ActivityStatusArg {
    fn status(self) -> synergies_domain::activity::ActivityStatus {
        use synergies_domain::activity::ActivityStatus;
        match self {
            ActivityStatusArg::Planned => ActivityStatus::Planned,
            ActivityStatusArg::Ongoing => ActivityStatus::Ongoing,
            ActivityStatusArg::Completed => ActivityStatus::Completed,
            ActivityStatusArg::Postponed => ActivityStatus::Postponed,
            ActivityStatusArg::Cancelled => ActivityStatus::Cancelled,
        }
    }
}

impl FundingArg {
    fn funding(self) -> synergies_domain::activity::FundingStatus {
        use synergies_domain::activity::FundingStatus;
        match self {
            FundingArg::CoreBudget => FundingStatus::CoreBudget,
            FundingArg::SubjectToResources => FundingStatus::SubjectToResources,
            FundingArg::VoluntaryFunding => FundingStatus::VoluntaryFunding,
            FundingArg::Unfunded => FundingStatus::Unfunded,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FundingArg {
    #[value(name = "core_budget")]
    CoreBudget,
    #[value(name = "subject_to_resources")]
    SubjectToResources,
    #[value(name = "voluntary_funding")]
    VoluntaryFunding,
    Unfunded,
}

pub fn run(db: &str, cmd: ActivitiesCmd) -> Result<()> {
    use synergies_app::activities;
    let store = open(db)?;
    let store = store.as_ref();
    match cmd {
        ActivitiesCmd::Import { file } => {
            let list: Vec<synergies_domain::activity::Activity> = read_json(&file)?;
            let n = activities::import_activities(store, &list, &actor(&operator()))?;
            outln!("Recorded {n} activities from {}.", file.display())?;
        }
        ActivitiesCmd::List { biennium, json } => {
            let list = activities::priced(store, &biennium)?;
            if json {
                print_json(&list)?;
            } else {
                outln!(
                    "{:<12} {:<4} {:<10} {:>14} {:>14}  title",
                    "code",
                    "lead",
                    "status",
                    "estimated",
                    "actual"
                )?;
                for p in &list {
                    let a = &p.activity;
                    let c = p.currency;
                    let status = serde_json::to_value(a.status)?;
                    outln!(
                        "{:<12} {:<4} {:<10} {:>14} {:>14}  {} ({c})",
                        a.code,
                        a.lead,
                        status.as_str().unwrap_or("-"),
                        c.format_minor(p.estimated_minor),
                        p.actual_minor.map_or("-".into(), |x| c.format_minor(x)),
                        a.title_en
                    )?;
                    if p.actual_minor.is_some() {
                        for l in &p.by_organisation {
                            outln!(
                                "  {:<26} {:>14} {:>14}",
                                l.organisation,
                                c.format_minor(l.estimated_minor),
                                c.format_minor(l.actual_minor)
                            )?;
                        }
                    }
                }
            }
        }
        ActivitiesCmd::SetStatus {
            code,
            status,
            biennium,
            by,
        } => {
            let change = activities::ActivityChange {
                status: Some(status.status()),
                ..Default::default()
            };
            let a = activities::update(store, &code, biennium.as_deref(), &change, &actor(&by))?;
            outln!(
                "{} ({}): {}.",
                a.code,
                a.biennium,
                serde_json::to_value(a.status)?.as_str().unwrap_or("-")
            )?;
        }
        ActivitiesCmd::Update {
            code,
            biennium,
            status,
            funding,
            continues,
            title_en,
            title_fr,
            add_outputs,
            remove_outputs,
            add_agreements,
            remove_agreements,
            add_mandates,
            remove_mandates,
            by,
            json,
        } => {
            let change = activities::ActivityChange {
                status: status.map(ActivityStatusArg::status),
                funding: funding.map(FundingArg::funding),
                continues,
                title_en,
                title_fr,
                add_outputs,
                remove_outputs,
                add_agreements,
                remove_agreements,
                add_mandates,
                remove_mandates,
            };
            let a = activities::update(store, &code, biennium.as_deref(), &change, &actor(&by))?;
            if json {
                print_json(&a)?;
            } else {
                outln!("{} ({}): updated.", a.code, a.biennium)?;
            }
        }
        ActivitiesCmd::Plan { from, to, json } => {
            let plan = activities::plan(store, &from, &to, &actor(&operator()))?;
            if json {
                print_json(&plan)?;
            } else {
                let c = plan.currency;
                outln!(
                    "Carried {} activities from {from} into {to}: {}",
                    plan.carried.len(),
                    plan.carried.join(", ")
                )?;
                outln!(
                    "{:<14} {:>18} {:>18}",
                    "",
                    "current level",
                    "projected needs"
                )?;
                for (fund, (now, next)) in &plan.scenarios.by_fund {
                    outln!(
                        "{fund:<14} {:>14} {c} {:>14} {c}",
                        c.format_minor(*now),
                        c.format_minor(*next)
                    )?;
                }
                let (now, next) = plan.scenarios.total;
                outln!(
                    "{:<14} {:>14} {c} {:>14} {c}",
                    "total",
                    c.format_minor(now),
                    c.format_minor(next)
                )?;
                for (org, actual) in &plan.current_actual {
                    outln!(
                        "Charged to {org} so far in {from} under their agreements: {} {c}",
                        c.format_minor(*actual)
                    )?;
                }
            }
        }
    }
    Ok(())
}
