//! One error type for every request. The API answers with an RFC 9457 problem document
//! (`application/problem+json`); pages show the same `detail` next to the form or on an
//! error page. Bad input is always a 4xx with a clear `detail`; a 500 means a fault of the
//! server, and its detail never carries internals.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use synergies_app::AppError;
use synergies_domain::access::Denied;
use synergies_domain::{DomainError, Message};
use synergies_store::StoreError;

/// A request that could not be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: StatusCode,
    /// What went wrong, for the person: pages show it in their reader's language, the API
    /// answers in English with the message's key beside it.
    pub detail: Message,
    /// The input field the problem is about, when there is one (forms show it there).
    pub field: Option<String>,
    /// Seconds to wait before trying again (`Retry-After`), for a 429.
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<Message>) -> Problem {
        Problem {
            status,
            detail: detail.into(),
            field: None,
            retry_after: None,
        }
    }

    /// Too many attempts: try again in `seconds`.
    pub fn too_many(detail: impl Into<Message>, seconds: u64) -> Problem {
        Problem {
            retry_after: Some(seconds),
            ..Problem::new(StatusCode::TOO_MANY_REQUESTS, detail)
        }
    }

    pub fn bad_request(detail: impl Into<Message>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, detail)
    }

    pub fn unprocessable(detail: impl Into<Message>) -> Problem {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
    }

    /// A problem with one input field.
    pub fn field(field: &str, detail: impl Into<Message>) -> Problem {
        Problem {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: detail.into(),
            field: Some(field.to_string()),
            retry_after: None,
        }
    }

    pub fn not_found(detail: impl Into<Message>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, detail)
    }

    pub fn forbidden(detail: impl Into<Message>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, detail)
    }

    pub fn unauthorized() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "sign in first, or send a personal API token as `Authorization: Bearer …`",
        )
    }

    /// A fault of the server: logged with its cause, answered without it.
    pub fn internal(cause: impl std::fmt::Display) -> Problem {
        tracing::error!(%cause, "internal error");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server failed to complete the request; it has been logged",
        )
    }

    pub fn title(&self) -> &'static str {
        self.status.canonical_reason().unwrap_or("Error")
    }
}

/// The problem document of RFC 9457.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemDocument {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The input field concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The key of `detail` in the translation files, for a client that shows it in another
    /// language; absent for a text that has no translation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let doc = ProblemDocument {
            kind: "about:blank".into(),
            title: self.title().into(),
            status: self.status.as_u16(),
            detail: self.detail.to_string(),
            field: self.field.clone(),
            key: self.detail.key().map(str::to_string),
        };
        let body = serde_json::to_vec(&doc).unwrap_or_default();
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        }
        response
    }
}

impl From<Denied> for Problem {
    fn from(d: Denied) -> Problem {
        Problem::forbidden(d.0)
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Problem {
        match e {
            StoreError::NotFound(m) => Problem::not_found(m),
            StoreError::Conflict(m) => Problem::new(StatusCode::CONFLICT, m),
            StoreError::Domain(d) => Problem::from(d),
            // Data the store refuses (a value it cannot keep) is the request's problem.
            StoreError::Invalid(m) => Problem::unprocessable(m),
            other => Problem::internal(other),
        }
    }
}

impl From<DomainError> for Problem {
    fn from(e: DomainError) -> Problem {
        Problem::unprocessable(e.message())
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Problem {
        match e {
            AppError::Store(s) => Problem::from(s),
            AppError::Domain(d) => Problem::from(d),
            AppError::Invalid(m) => Problem::unprocessable(m),
            AppError::Denied(d) => Problem::from(d),
            AppError::Field { field, message } => Problem::field(&field, message),
            AppError::Fields(mut list) if !list.is_empty() => {
                let (field, message) = list.remove(0);
                Problem::field(&field, message)
            }
            fields @ AppError::Fields(_) => Problem::unprocessable(fields.to_string()),
            AppError::NotFound(m) => Problem::not_found(m),
            rejected @ AppError::Rejected { .. } => Problem::unprocessable(rejected.to_string()),
            AppError::Io(m) => Problem::internal(m),
        }
    }
}

impl From<JsonRejection> for Problem {
    fn from(r: JsonRejection) -> Problem {
        // axum's own statuses: 400 syntax, 415 content type, 422 wrong types, 413 too large.
        Problem::new(r.status(), r.body_text())
    }
}

impl From<QueryRejection> for Problem {
    fn from(r: QueryRejection) -> Problem {
        Problem::bad_request(r.body_text())
    }
}

pub type ApiResult<T> = Result<T, Problem>;
