//! The server-rendered pages, in the language of the request (a cookie set by the language
//! switch, else the browser's `Accept-Language`). Every form carries the session's CSRF token;
//! a refused form is shown again with the message beside its field and what was typed kept.
//! Changes go through the application services, reads through [`crate::views`] and the store.
//! One module per resource, each with its router; what they share (the chrome, the caller,
//! rendering, form state) is [`common`]'s, and no resource module uses another.

use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub mod common;

mod activities;
mod agreements;
mod audit;
mod decisions;
mod deliveries;
mod identity;
mod ledger;
mod reference;
mod reports;
mod taskforce;
mod training;

const HTMX: &str = include_str!("../../static/htmx.min.js");

const CSS: &str = include_str!("../../static/app.css");

const SCRIPT: &str = include_str!("../../static/app.js");

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/static/htmx.min.js",
            get(|| async { static_file("text/javascript", HTMX) }),
        )
        .route(
            "/static/app.js",
            get(|| async { static_file("text/javascript", SCRIPT) }),
        )
        .route(
            "/static/app.css",
            get(|| async { static_file("text/css", CSS) }),
        )
        .merge(identity::router())
        .merge(ledger::router())
        .merge(reference::router())
        .merge(agreements::router())
        .merge(deliveries::router())
        .merge(audit::router())
        .merge(decisions::router())
        .merge(activities::router())
        .merge(training::router())
        .merge(taskforce::router())
        .merge(reports::router())
}

/// The pages' router with what every page shares around it: a confirmation is shown once.
pub fn with_confirmations(router: Router<AppState>, state: AppState) -> Router<AppState> {
    router.layer(axum::middleware::from_fn_with_state(
        state,
        common::forget_confirmation,
    ))
}

fn static_file(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use synergies_i18n::{FluentValue, Lang};

    /// Every key that a template or handler looks up, or composes from a domain value, has a
    /// text in English (and so, by the translations crate's own test, in every language).
    #[test]
    fn every_key_used_is_translated() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources = vec![];
        fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
            for f in std::fs::read_dir(dir).unwrap() {
                let path = f.unwrap().path();
                if path.is_dir() {
                    files(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let mut paths = vec![];
        for dir in ["templates", "src"] {
            files(&root.join(dir), &mut paths);
        }
        for path in paths {
            let text = std::fs::read_to_string(path).unwrap();
            // Not this test's own patterns.
            let text = text
                .split("#[cfg(test)]")
                .next()
                .unwrap_or_default()
                .to_string();
            sources.push(text);
        }
        let mut keys = std::collections::BTreeSet::new();
        for text in &sources {
            for call in [
                "t.get(\"",
                "t.count(\"",
                ".text(\"",
                "text_with(\n                \"",
                "text_with(\"",
            ] {
                for piece in text.split(call).skip(1) {
                    let key: String = piece
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect();
                    if !key.is_empty() {
                        keys.insert(key);
                    }
                }
            }
        }
        // Confirmations: the keys handed to `confirmed`.
        for text in &sources {
            for piece in text.split("\"done-").skip(1) {
                let rest: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                if !rest.is_empty() {
                    keys.insert(format!("done-{rest}"));
                }
            }
        }
        use synergies_domain::access::Role;
        use synergies_domain::agreement::VersionStatus;
        use synergies_domain::model::{ServiceCategory, Unit};
        for r in Role::ALL {
            keys.insert(format!("role-{}", r.as_str()));
        }
        for u in Unit::ALL {
            keys.insert(format!("unit-{}", u.as_str()));
        }
        for c in ServiceCategory::ALL {
            keys.insert(format!("category-{}", c.as_str()));
        }
        for s in [
            VersionStatus::Draft,
            VersionStatus::Proposed,
            VersionStatus::Active,
            VersionStatus::Superseded,
            VersionStatus::Withdrawn,
        ] {
            keys.insert(format!("status-{}", s.as_str()));
        }
        for s in ["recorded", "accepted", "disputed", "charged"] {
            keys.insert(format!("status-{s}"));
        }
        fn keyed<T: serde::Serialize>(
            keys: &mut std::collections::BTreeSet<String>,
            prefix: &str,
            all: &[T],
        ) {
            for v in all {
                let key = serde_json::to_value(v).unwrap();
                keys.insert(format!("{prefix}-{}", key.as_str().unwrap()));
            }
        }
        use synergies_domain::activity::{ActivityCategory, ActivityStatus, FundingStatus};
        use synergies_domain::cooperation::{ActionStatus, Gender, RegionalGroup};
        use synergies_domain::decision::DecisionStatus;
        use synergies_domain::mandate::{MandateStatus, Tracking};
        keyed(&mut keys, "activity-category", &ActivityCategory::ALL);
        keyed(&mut keys, "funding", &FundingStatus::ALL);
        keyed(&mut keys, "activity-status", &ActivityStatus::ALL);
        keyed(&mut keys, "region", &RegionalGroup::ALL);
        keyed(&mut keys, "gender", &Gender::ALL);
        keyed(&mut keys, "action-status", &ActionStatus::ALL);
        keyed(&mut keys, "mandate-status", &MandateStatus::ALL);
        keyed(
            &mut keys,
            "tracking",
            &[Tracking::Operational, Tracking::Informational],
        );
        keyed(&mut keys, "decision-status", DecisionStatus::ALL);
        // Labels the templates pass through a variable.
        for key in [
            "field-reference",
            "col-amount",
            "col-unit",
            "col-effective-from",
        ] {
            keys.insert(key.to_string());
        }
        for code in [400, 401, 403, 404, 409, 413, 415, 422, 429, 500] {
            keys.insert(format!("error-{code}"));
        }
        assert!(keys.len() > 150, "the scan found the keys ({})", keys.len());
        let english = Lang::english();
        // A message with placeables formats only with its arguments.
        let args = [
            ("inserted", FluentValue::from(1)),
            ("identical", FluentValue::from(0)),
            ("seconds", FluentValue::from(1)),
            ("count", FluentValue::from(1)),
            ("subject", FluentValue::from("X")),
        ];
        let missing: Vec<&String> = keys
            .iter()
            .filter(|k| english.text(k) == **k && english.text_with(k, &args) == **k)
            .collect();
        assert!(missing.is_empty(), "keys without a text: {missing:?}");
    }
}
