//! Training events for chairs and potential negotiators, and the joint task force.

use std::collections::BTreeSet;
use synergies_domain::cooperation::{
    ActionItem, ActionStatus, TaskForceMeeting, TaskForceMember, Trainee, TrainingEvent,
};

use synergies_domain::text::Issues;
use synergies_store::{Audit, Store};

use crate::{Actor, AuditAction};
use crate::{AppError, AppResult};
use synergies_domain::access::{Action, Denied};
use synergies_domain::Message;

/// Records training events, all or none, after checking them and what they name: every
/// problem of every event is reported (its fields, participants' countries and regional
/// groups, contributors, agreement, a code given twice) and nothing is written when there is one.
/// `actor` is who records them: the events and their audit event (`training.import`, or
/// `training.create` for one) are one transaction.
pub fn save_events(store: &dyn Store, events: &[TrainingEvent], actor: &Actor) -> AppResult<usize> {
    for e in events {
        authorize_event(actor, e)?;
    }
    record_events(store, events, actor)
}

/// Records training events that the actor may record, with their audit event.
fn record_events(store: &dyn Store, events: &[TrainingEvent], actor: &Actor) -> AppResult<usize> {
    let audit = match events {
        [e] => actor.audit(
            AuditAction::TrainingCreate,
            &e.code,
            serde_json::json!({ "before": null, "after": e }),
        ),
        _ => actor.audit(
            AuditAction::TrainingImport,
            &format!("{} events", events.len()),
            serde_json::json!({
                "before": null,
                "after": events.iter().map(|e| e.code.as_str()).collect::<Vec<_>>(),
            }),
        ),
    };
    write_events(store, events, &audit)
}

/// An officer of an organisation that contributes to an event records it; every organisation
/// whose resources it commits records its own contribution.
fn authorize_event(actor: &Actor, e: &TrainingEvent) -> AppResult<()> {
    let organisations: Vec<String> = e
        .contributions
        .iter()
        .map(|c| c.organisation.clone())
        .collect();
    actor
        .first_allowed(&organisations, |o| Action::PlanActivity {
            organisation: o.to_string(),
        })
        .map_err(|_| {
            AppError::Denied(Denied(
                Message::new("denied-record-training-event").with("user", actor.name()),
            ))
        })?;
    for c in e
        .contributions
        .iter()
        .filter(|c| c.amount_minor != 0 || !c.staff_days.is_zero())
    {
        actor.authorize(&Action::CommitResources {
            organisation: c.organisation.clone(),
        })?;
    }
    Ok(())
}

/// Records one new training event; a code already recorded is refused.
pub fn create_event(store: &dyn Store, actor: &Actor, e: &TrainingEvent) -> AppResult<()> {
    authorize_event(actor, e)?;
    if events(store)?.iter().any(|x| x.code == e.code) {
        return Err(AppError::field(
            "code",
            format!("event {} is already recorded", e.code),
        ));
    }
    record_events(store, std::slice::from_ref(e), actor)?;
    Ok(())
}

/// [`save_events`] with the audit event given.
fn write_events(store: &dyn Store, events: &[TrainingEvent], audit: &Audit) -> AppResult<usize> {
    let framework = store.framework()?;
    let mut issues = Issues::new();
    let mut seen = BTreeSet::new();
    for e in events {
        let r = format!("event {}", e.code);
        if !seen.insert(e.code.as_str()) {
            issues.push(&r, "code", "is given more than once");
        }
        let own = e.issues();
        if !own.is_empty() {
            issues.extend(own);
            continue;
        }
        for c in &e.contributions {
            if framework.organisation(&c.organisation).is_none() {
                issues.push(
                    &r,
                    "contributions",
                    format!("unknown organisation {}", c.organisation),
                );
            }
        }
        if let Some(a) = &e.agreement {
            if store.agreement(a)?.is_none() {
                issues.push(&r, "agreement", format!("unknown agreement {a}"));
            }
        }
    }
    issues.into_result()?;
    store.save_training_events(events, audit)?;
    Ok(events.len())
}

pub fn events(store: &dyn Store) -> AppResult<Vec<TrainingEvent>> {
    Ok(store.training_events()?)
}

/// The joint task force: its members, meetings and action items.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskForce {
    #[serde(default)]
    pub members: Vec<TaskForceMember>,
    #[serde(default)]
    pub meetings: Vec<TaskForceMeeting>,
    #[serde(default)]
    pub action_items: Vec<ActionItem>,
}

/// Records task-force members, meetings and action items, all or none, in one transaction.
/// Every problem is reported: the text of every field, members of unknown organisations,
/// attendees and owners that are neither an organisation nor a member of the task force, a
/// meeting, member or action item given twice, an action item's unknown meeting or activity.
/// `actor` is who records it: the records and their audit event (`task_force.import`) are one
/// transaction.
pub fn save_task_force(store: &dyn Store, tf: &TaskForce, actor: &Actor) -> AppResult<()> {
    actor.must_be_operator("load the task force's records from a file")?;
    let audit = actor.audit(
        AuditAction::TaskForceImport,
        "task force",
        serde_json::json!({ "before": null, "after": {
            "members": tf.members.len(),
            "meetings": tf.meetings.iter().map(|m| m.code.as_str()).collect::<Vec<_>>(),
            "action_items": tf.action_items.iter().map(|a| a.code.as_str()).collect::<Vec<_>>(),
        }}),
    );
    write_task_force(store, tf, &audit)
}

/// [`save_task_force`] with the audit event given.
fn write_task_force(store: &dyn Store, tf: &TaskForce, audit: &Audit) -> AppResult<()> {
    let framework = store.framework()?;
    let known = task_force(store)?;
    let activities = store.activities(None)?;
    let mut issues = Issues::new();
    let mut members = BTreeSet::new();
    for m in &tf.members {
        issues.extend(m.issues());
        if framework.organisation(&m.organisation).is_none() {
            issues.push(
                format!("member {}", m.name),
                "organisation",
                format!("unknown organisation {}", m.organisation),
            );
        }
        if !members.insert(m.name.as_str()) {
            issues.push(
                format!("member {}", m.name),
                "name",
                "is given more than once",
            );
        }
    }
    // Who may attend a meeting or own an action item: an organisation, or a member.
    let is_known = |who: &str| {
        framework.organisation(who).is_some()
            || tf
                .members
                .iter()
                .chain(&known.members)
                .any(|m| m.name == who)
    };
    let mut meetings = BTreeSet::new();
    for m in &tf.meetings {
        let r = format!("meeting {}", m.code);
        issues.extend(m.issues());
        if !meetings.insert(m.code.as_str()) {
            issues.push(&r, "code", "is given more than once");
        }
        for a in m.attendees.iter().filter(|a| !is_known(a)) {
            issues.push(
                &r,
                "attendees",
                format!("{a:?} is neither an organisation nor a member of the task force"),
            );
        }
    }
    let mut actions = BTreeSet::new();
    for a in &tf.action_items {
        let r = format!("action item {}", a.code);
        issues.extend(a.issues());
        if !actions.insert(a.code.as_str()) {
            issues.push(&r, "code", "is given more than once");
        }
        if !is_known(&a.owner) {
            issues.push(
                &r,
                "owner",
                format!(
                    "{:?} is neither an organisation nor a member of the task force",
                    a.owner
                ),
            );
        }
        if let Some(m) = &a.meeting {
            let exists = tf
                .meetings
                .iter()
                .chain(&known.meetings)
                .any(|x| &x.code == m);
            if !exists {
                issues.push(&r, "meeting", format!("unknown meeting {m}"));
            }
        }
        if let Some(act) = &a.activity {
            if !activities.iter().any(|x| &x.code == act) {
                issues.push(&r, "activity", format!("unknown activity {act}"));
            }
        }
    }
    issues.into_result()?;
    store.save_task_force(&tf.members, &tf.meetings, &tf.action_items, audit)?;
    Ok(())
}

pub fn task_force(store: &dyn Store) -> AppResult<TaskForce> {
    Ok(TaskForce {
        members: store.task_force_members()?,
        meetings: store.task_force_meetings()?,
        action_items: store.action_items()?,
    })
}

/// Sets an action item's status (recorded in the audit trail with who did it).
pub fn set_action_status(
    store: &dyn Store,
    code: &str,
    status: ActionStatus,
    by: &Actor,
) -> AppResult<ActionItem> {
    by.authorize(&Action::ManageActionItems)?;
    let mut item = store
        .action_items()?
        .into_iter()
        .find(|a| a.code == code)
        .ok_or_else(|| AppError::NotFound(format!("no action item {code}")))?;
    let before = item.status;
    item.status = status;
    let audit = by.audit(
        AuditAction::ActionItemStatus,
        code,
        serde_json::json!({ "before": before, "after": status }),
    );
    store.save_task_force(&[], &[], std::slice::from_ref(&item), &audit)?;
    Ok(item)
}

/// Adds a participant to a recorded training event (checked as an import checks it).
pub fn add_participant(
    store: &dyn Store,
    event: &str,
    trainee: Trainee,
    by: &Actor,
) -> AppResult<TrainingEvent> {
    let mut e = events(store)?
        .into_iter()
        .find(|e| e.code == event)
        .ok_or_else(|| AppError::Invalid(format!("no training event {event}")))?;
    authorize_event(by, &e)?;
    e.participants.push(trainee.clone());
    let audit = by.audit(
        AuditAction::TrainingAddParticipant,
        event,
        serde_json::json!({ "before": null, "after": trainee }),
    );
    write_events(store, std::slice::from_ref(&e), &audit)?;
    Ok(e)
}

/// Records a new task-force meeting; a code already recorded is refused.
pub fn add_meeting(store: &dyn Store, meeting: TaskForceMeeting, by: &Actor) -> AppResult<()> {
    by.authorize(&Action::ManageActionItems)?;
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
    let audit = by.audit(
        AuditAction::TaskForceAddMeeting,
        &meeting.code,
        serde_json::json!({ "before": null, "after": meeting }),
    );
    write_task_force(
        store,
        &TaskForce {
            meetings: vec![meeting.clone()],
            ..TaskForce::default()
        },
        &audit,
    )?;
    Ok(())
}

/// Records a new action item; a code already recorded is refused, and its meeting and
/// activity must exist.
pub fn add_action(store: &dyn Store, item: ActionItem, by: &Actor) -> AppResult<()> {
    by.authorize(&Action::ManageActionItems)?;
    let known = task_force(store)?;
    if known.action_items.iter().any(|a| a.code == item.code) {
        return Err(AppError::field(
            "code",
            format!("action item {} is already recorded", item.code),
        ));
    }
    if item.code.trim().is_empty() || item.title.trim().is_empty() {
        return Err(AppError::Invalid(
            "an action item needs a code and a title".into(),
        ));
    }
    let audit = by.audit(
        AuditAction::TaskForceAddAction,
        &item.code,
        serde_json::json!({ "before": null, "after": item }),
    );
    write_task_force(
        store,
        &TaskForce {
            action_items: vec![item.clone()],
            ..TaskForce::default()
        },
        &audit,
    )?;
    Ok(())
}

/// A new action item as a person types it: its due day as `YYYY-MM-DD`, its meeting and
/// activity by code or empty.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct NewActionItem {
    pub code: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub meeting: String,
    pub activity: String,
}

impl NewActionItem {
    /// The open action item, or every problem of its fields at once.
    pub fn item(&self) -> AppResult<ActionItem> {
        let mut errors: Vec<(String, Message)> = vec![];
        let due = match crate::form::date("due", &self.due) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.extend(e.field_errors().unwrap_or_default());
                None
            }
        };
        let optional = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        let item = ActionItem {
            code: self.code.trim().to_string(),
            title: self.title.trim().to_string(),
            owner: self.owner.trim().to_string(),
            due: due.unwrap_or_default(),
            status: ActionStatus::Open,
            meeting: optional(&self.meeting),
            activity: optional(&self.activity),
        };
        if item.code.is_empty() {
            errors.push(("code".into(), Message::new("error-required")));
        }
        let mut issues = AppError::Domain(synergies_domain::DomainError::Invalid(item.issues()))
            .field_errors()
            .unwrap_or_default();
        issues.retain(|(f, _)| !errors.iter().any(|(e, _)| e == f));
        errors.extend(issues);
        if errors.is_empty() {
            Ok(item)
        } else {
            Err(AppError::Fields(errors))
        }
    }
}
