//! Training events for chairs and potential negotiators, and the joint task force.

use synergies_domain::cooperation::{
    ActionItem, ActionStatus, TaskForceMeeting, TaskForceMember, Trainee, TrainingEvent,
};
use synergies_store::Store;

use crate::{AppError, AppResult};

const EVENT: &str = "training_event";
const MEMBER: &str = "task_force_member";
const MEETING: &str = "task_force_meeting";
const ACTION: &str = "action_item";

fn to_json<T: serde::Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Invalid(e.to_string()))
}

fn load<T: serde::de::DeserializeOwned>(store: &dyn Store, kind: &str) -> AppResult<Vec<T>> {
    store
        .records(kind)?
        .into_iter()
        .map(|(code, doc)| {
            serde_json::from_str(&doc)
                .map_err(|e| AppError::Invalid(format!("stored {kind} {code}: {e}")))
        })
        .collect()
}

/// Records training events, all or none, after checking them and what they name.
pub fn save_events(store: &dyn Store, events: &[TrainingEvent]) -> AppResult<usize> {
    let framework = store.framework()?;
    for e in events {
        e.validate()?;
        for c in &e.contributions {
            if framework.organisation(&c.organisation).is_none() {
                return Err(AppError::Invalid(format!(
                    "event {}: unknown organisation {}",
                    e.code, c.organisation
                )));
            }
        }
        if let Some(a) = &e.agreement {
            if store.agreement(a)?.is_none() {
                return Err(AppError::Invalid(format!(
                    "event {}: unknown agreement {a}",
                    e.code
                )));
            }
        }
    }
    let records = events
        .iter()
        .map(|e| Ok((e.code.clone(), to_json(e)?)))
        .collect::<AppResult<Vec<_>>>()?;
    store.save_records(EVENT, &records)?;
    Ok(events.len())
}

pub fn events(store: &dyn Store) -> AppResult<Vec<TrainingEvent>> {
    load(store, EVENT)
}

/// The joint task force: its members, meetings and action items.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TaskForce {
    #[serde(default)]
    pub members: Vec<TaskForceMember>,
    #[serde(default)]
    pub meetings: Vec<TaskForceMeeting>,
    #[serde(default)]
    pub action_items: Vec<ActionItem>,
}

/// Records task-force members, meetings and action items, all or none; an action item's
/// meeting and activity must exist.
pub fn save_task_force(store: &dyn Store, tf: &TaskForce) -> AppResult<()> {
    let framework = store.framework()?;
    for m in &tf.members {
        if framework.organisation(&m.organisation).is_none() {
            return Err(AppError::Invalid(format!(
                "member {}: unknown organisation {}",
                m.name, m.organisation
            )));
        }
    }
    let known = task_force(store)?;
    let activities = store.activities(None)?;
    for a in &tf.action_items {
        if let Some(m) = &a.meeting {
            let exists = tf
                .meetings
                .iter()
                .chain(&known.meetings)
                .any(|x| &x.code == m);
            if !exists {
                return Err(AppError::Invalid(format!(
                    "action item {}: unknown meeting {m}",
                    a.code
                )));
            }
        }
        if let Some(act) = &a.activity {
            if !activities.iter().any(|x| &x.code == act) {
                return Err(AppError::Invalid(format!(
                    "action item {}: unknown activity {act}",
                    a.code
                )));
            }
        }
    }
    let members = tf
        .members
        .iter()
        .map(|m| Ok((m.name.clone(), to_json(m)?)))
        .collect::<AppResult<Vec<_>>>()?;
    let meetings = tf
        .meetings
        .iter()
        .map(|m| Ok((m.code.clone(), to_json(m)?)))
        .collect::<AppResult<Vec<_>>>()?;
    let actions = tf
        .action_items
        .iter()
        .map(|a| Ok((a.code.clone(), to_json(a)?)))
        .collect::<AppResult<Vec<_>>>()?;
    store.save_records(MEMBER, &members)?;
    store.save_records(MEETING, &meetings)?;
    store.save_records(ACTION, &actions)?;
    Ok(())
}

pub fn task_force(store: &dyn Store) -> AppResult<TaskForce> {
    Ok(TaskForce {
        members: load(store, MEMBER)?,
        meetings: load(store, MEETING)?,
        action_items: load(store, ACTION)?,
    })
}

/// Sets an action item's status (recorded in the audit trail with who did it).
pub fn set_action_status(
    store: &dyn Store,
    code: &str,
    status: ActionStatus,
    by: &str,
) -> AppResult<ActionItem> {
    let mut item = load::<ActionItem>(store, ACTION)?
        .into_iter()
        .find(|a| a.code == code)
        .ok_or_else(|| AppError::Invalid(format!("no action item {code}")))?;
    let before = item.status;
    item.status = status;
    store.save_records(ACTION, &[(item.code.clone(), to_json(&item)?)])?;
    store.audit(
        by,
        "action_item.status",
        code,
        &serde_json::json!({ "before": before, "after": status }),
    )?;
    Ok(item)
}

/// Adds a participant to a recorded training event (checked as an import checks it).
pub fn add_participant(
    store: &dyn Store,
    event: &str,
    trainee: Trainee,
    by: &str,
) -> AppResult<TrainingEvent> {
    let mut e = events(store)?
        .into_iter()
        .find(|e| e.code == event)
        .ok_or_else(|| AppError::Invalid(format!("no training event {event}")))?;
    e.participants.push(trainee.clone());
    save_events(store, std::slice::from_ref(&e))?;
    store.audit(
        by,
        "training.add_participant",
        event,
        &serde_json::to_value(&trainee).unwrap_or_default(),
    )?;
    Ok(e)
}

/// Records a new task-force meeting; a code already recorded is refused.
pub fn add_meeting(store: &dyn Store, meeting: TaskForceMeeting, by: &str) -> AppResult<()> {
    let known = task_force(store)?;
    if known.meetings.iter().any(|m| m.code == meeting.code) {
        return Err(AppError::Invalid(format!(
            "meeting {} is already recorded",
            meeting.code
        )));
    }
    if meeting.code.trim().is_empty() {
        return Err(AppError::Invalid("a meeting needs a code".into()));
    }
    let framework = store.framework()?;
    if let Some(a) = meeting
        .attendees
        .iter()
        .find(|a| framework.organisation(a).is_none())
    {
        return Err(AppError::Invalid(format!(
            "meeting {}: unknown organisation {a}",
            meeting.code
        )));
    }
    save_task_force(
        store,
        &TaskForce {
            meetings: vec![meeting.clone()],
            ..TaskForce::default()
        },
    )?;
    store.audit(
        by,
        "task_force.add_meeting",
        &meeting.code,
        &serde_json::to_value(&meeting).unwrap_or_default(),
    )?;
    Ok(())
}

/// Records a new action item; a code already recorded is refused, and its meeting and
/// activity must exist.
pub fn add_action(store: &dyn Store, item: ActionItem, by: &str) -> AppResult<()> {
    let known = task_force(store)?;
    if known.action_items.iter().any(|a| a.code == item.code) {
        return Err(AppError::Invalid(format!(
            "action item {} is already recorded",
            item.code
        )));
    }
    if item.code.trim().is_empty() || item.title.trim().is_empty() {
        return Err(AppError::Invalid(
            "an action item needs a code and a title".into(),
        ));
    }
    save_task_force(
        store,
        &TaskForce {
            action_items: vec![item.clone()],
            ..TaskForce::default()
        },
    )?;
    store.audit(
        by,
        "task_force.add_action",
        &item.code,
        &serde_json::to_value(&item).unwrap_or_default(),
    )?;
    Ok(())
}
