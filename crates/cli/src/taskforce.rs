//! `synergies taskforce`: the joint task force, its members, meetings and action items.

use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};

use crate::context::{actor, open, operator};
use crate::output::{outln, print_json, read_json};

#[derive(Subcommand)]
pub enum TaskforceCmd {
    /// Record members, meetings and action items from a JSON document.
    Import {
        /// The JSON document of the task force (members, meetings, action items).
        file: PathBuf,
    },
    /// Print the task force's members, meetings and action items.
    Show {
        /// Print the task force as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Set an action item's status.
    Action {
        /// The action item's code, such as AI-4.
        code: String,
        /// The action item's new status.
        #[arg(long, value_enum)]
        status: ActionArg,
        /// Who makes the change (recorded in the audit trail).
        #[arg(long, default_value_t = operator())]
        by: String,
    },
    /// Record a new task-force meeting.
    AddMeeting {
        /// The meeting's code, such as TF-2027-1.
        code: String,
        /// The day of the meeting.
        #[arg(long)]
        date: NaiveDate,
        /// An organisation that attended (repeatable), such as MC.
        #[arg(long = "attendee")]
        attendees: Vec<String>,
        /// The minutes of the meeting.
        #[arg(long, default_value = "")]
        minutes: String,
        /// Who records the meeting (recorded in the audit trail).
        #[arg(long, default_value_t = operator())]
        by: String,
    },
    /// Record a new action item, agreed at a meeting and serving an activity.
    AddAction {
        /// The item's code, such as AI-4.
        code: String,
        /// What is to be done.
        #[arg(long)]
        title: String,
        /// Who carries it out.
        #[arg(long)]
        owner: String,
        /// The day it is due.
        #[arg(long)]
        due: NaiveDate,
        /// The meeting that agreed it.
        #[arg(long)]
        meeting: Option<String>,
        /// The activity it serves (its code).
        #[arg(long)]
        activity: Option<String>,
        /// Who records the item (recorded in the audit trail).
        #[arg(long, default_value_t = operator())]
        by: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ActionArg {
    Open,
    Done,
    Cancelled,
}

pub fn run(db: &str, cmd: TaskforceCmd) -> Result<()> {
    use synergies_app::cooperation;
    use synergies_domain::cooperation::ActionStatus;
    let store = open(db)?;
    let store = store.as_ref();
    match cmd {
        TaskforceCmd::Import { file } => {
            let tf: cooperation::TaskForce = read_json(&file)?;
            cooperation::save_task_force(store, &tf, &actor(&operator()))?;
            outln!(
                "Recorded {} members, {} meetings and {} action items.",
                tf.members.len(),
                tf.meetings.len(),
                tf.action_items.len()
            )?;
        }
        TaskforceCmd::Show { json } => {
            let tf = cooperation::task_force(store)?;
            if json {
                print_json(&tf)?;
            } else {
                for m in &tf.meetings {
                    outln!("{} {}: {}", m.code, m.date, m.minutes)?;
                }
                for a in &tf.action_items {
                    outln!(
                        "  {} [{:?}] {} (owner {}, due {})",
                        a.code,
                        a.status,
                        a.title,
                        a.owner,
                        a.due
                    )?;
                }
            }
        }
        TaskforceCmd::Action { code, status, by } => {
            let status = match status {
                ActionArg::Open => ActionStatus::Open,
                ActionArg::Done => ActionStatus::Done,
                ActionArg::Cancelled => ActionStatus::Cancelled,
            };
            let item = cooperation::set_action_status(store, &code, status, &actor(&by))?;
            outln!("{}: {:?}.", item.code, item.status)?;
        }
        TaskforceCmd::AddMeeting {
            code,
            date,
            attendees,
            minutes,
            by,
        } => {
            use synergies_domain::cooperation::TaskForceMeeting;
            cooperation::add_meeting(
                store,
                TaskForceMeeting {
                    code: code.clone(),
                    date,
                    attendees,
                    minutes,
                },
                &actor(&by),
            )?;
            outln!("Recorded the task-force meeting {code} of {date}.")?;
        }
        TaskforceCmd::AddAction {
            code,
            title,
            owner,
            due,
            meeting,
            activity,
            by,
        } => {
            use synergies_domain::cooperation::ActionItem;
            cooperation::add_action(
                store,
                ActionItem {
                    code: code.clone(),
                    title,
                    owner,
                    due,
                    status: ActionStatus::Open,
                    meeting,
                    activity,
                },
                &actor(&by),
            )?;
            outln!("Recorded the action item {code}, due {due}.")?;
        }
    }
    Ok(())
}
