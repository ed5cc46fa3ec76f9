//! The audit trail page, filtered by actor and subject, newest first.

use askama::Template;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::Value;
use synergies_i18n::FluentValue;
use synergies_store::{AuditEvent, AuditFilter};

use super::common::{render, run, Chrome, PageCaller, PageResult};
use crate::state::AppState;
use crate::views;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/audit", get(audit))
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    subject: String,
    before: Option<i64>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    actor: String,
    subject: String,
    events: Vec<AuditEvent>,
    older: Option<i64>,
}

/// One field that an action changed: its path in the record (`versions[1].ceiling_minor`),
/// what it held before and after (empty when it did not exist).
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// The fields an event's detail changed. A detail `{"before": …, "after": …}` gives each leaf
/// whose value differs; any other detail (an import's counts, a refusal's request) gives its
/// leaves as what the action recorded.
pub fn changes(detail: &Value) -> Vec<Change> {
    let mut before = std::collections::BTreeMap::new();
    let mut after = std::collections::BTreeMap::new();
    match detail.as_object() {
        Some(o) if o.contains_key("before") || o.contains_key("after") => {
            leaves("", o.get("before").unwrap_or(&Value::Null), &mut before);
            leaves("", o.get("after").unwrap_or(&Value::Null), &mut after);
        }
        _ => leaves("", detail, &mut after),
    }
    let mut fields: Vec<&String> = before.keys().chain(after.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter_map(|f| {
            let (b, a) = (before.get(f), after.get(f));
            (b != a).then(|| Change {
                field: f.clone(),
                before: b.cloned().unwrap_or_default(),
                after: a.cloned().unwrap_or_default(),
            })
        })
        .collect()
}

fn leaves(path: &str, v: &Value, out: &mut std::collections::BTreeMap<String, String>) {
    match v {
        Value::Null => {}
        Value::Object(o) => {
            for (k, v) in o {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                leaves(&p, v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                leaves(&format!("{path}[{i}]"), v, out);
            }
        }
        Value::String(text) => {
            out.insert(path.to_string(), text.clone());
        }
        other => {
            out.insert(path.to_string(), other.to_string());
        }
    }
}

impl AuditPage {
    /// The action's name in the reader's language (its stored code when the translations do
    /// not know it).
    fn action(&self, e: &AuditEvent) -> String {
        let key = format!("audit-action-{}", e.action.replace(['.', '_'], "-"));
        let text = self.c.t.get(&key);
        if text == key {
            e.action.clone()
        } else {
            text
        }
    }

    /// When, in UTC and the reader's words (the page's script shows it in the reader's own
    /// time zone).
    fn when(&self, e: &AuditEvent) -> String {
        self.time_text(&e.at)
    }

    /// A stored timestamp in UTC and the reader's words; any other text as it is.
    fn time_text(&self, at: &str) -> String {
        use chrono::Datelike;
        match chrono::DateTime::parse_from_rfc3339(at) {
            Ok(t) => {
                let t = t.with_timezone(&chrono::Utc);
                let date = self.c.t.0.date(t.year(), t.month(), t.day());
                self.c.t.0.text_with(
                    "audit-time-utc",
                    &[
                        ("date", FluentValue::from(date)),
                        ("time", FluentValue::from(t.format("%H:%M").to_string())),
                    ],
                )
            }
            Err(_) => at.to_string(),
        }
    }

    /// What the event changed, its times written for the reader.
    fn changes(&self, e: &AuditEvent) -> Vec<Change> {
        changes(&e.detail)
            .into_iter()
            .map(|c| Change {
                before: self.time_text(&c.before),
                after: self.time_text(&c.after),
                field: c.field,
            })
            .collect()
    }
}

async fn audit(
    State(state): State<AppState>,
    pc: PageCaller,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    pc.business()?;
    let filter = AuditFilter {
        actor: (!q.actor.is_empty()).then(|| q.actor.clone()),
        subject: (!q.subject.is_empty()).then(|| q.subject.clone()),
        before_id: q.before,
    };
    let events = run(&state, &pc, move |s| {
        Ok(s.audit_events(&filter, views::DEFAULT_PAGE)?)
    })
    .await?;
    let older = (events.len() as u64 == views::DEFAULT_PAGE)
        .then(|| events.last().map(|e| e.id))
        .flatten();
    Ok(render(&AuditPage {
        c: pc.chrome(),
        actor: q.actor,
        subject: q.subject,
        events,
        older,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(detail: Value) -> Vec<(String, String, String)> {
        changes(&detail)
            .into_iter()
            .map(|c| (c.field, c.before, c.after))
            .collect()
    }

    #[test]
    fn an_event_shows_only_the_fields_that_changed() {
        let amended = json!({
            "before": {"code": "A", "versions": [{"ceiling_minor": 100, "status": "active"}]},
            "after": {"code": "A", "versions": [
                {"ceiling_minor": 100, "status": "active"},
                {"ceiling_minor": 200, "status": "draft"}
            ]},
        });
        assert_eq!(
            fields(amended),
            [
                ("versions[1].ceiling_minor".into(), "".into(), "200".into()),
                ("versions[1].status".into(), "".into(), "draft".into()),
            ]
        );
        let status = json!({"before": {"status": "recorded"}, "after": {"status": "accepted"}});
        assert_eq!(
            fields(status),
            [("status".into(), "recorded".into(), "accepted".into())]
        );
        let counts = json!({"inserted": 12, "identical": 0});
        assert_eq!(
            fields(counts),
            [
                ("identical".into(), "".into(), "0".into()),
                ("inserted".into(), "".into(), "12".into()),
            ]
        );
        assert!(fields(json!({"before": {"a": 1}, "after": {"a": 1}})).is_empty());
    }
}
