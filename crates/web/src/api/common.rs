//! What every API module shares: the JSON body and query extractors whose rejections are
//! problem documents, the answer types and the list macro, the CSRF check of a change made with
//! a session.

use axum::extract::{FromRequest, Query, Request};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::auth::{check_csrf, Caller};
use crate::error::{ApiResult, Problem};

/// A JSON body whose rejections are problem documents.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let Json(v) = Json::<T>::from_request(req, state).await?;
        Ok(Body(v))
    }
}

/// Query parameters whose rejections are problem documents.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for Params<T> {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Problem> {
        let Query(v) = Query::<T>::from_request_parts(parts, state).await?;
        Ok(Params(v))
    }
}

/// A state-changing request made with a session cookie must carry the session's CSRF token in
/// `X-CSRF-Token`; one made with an API token needs none.
pub(crate) fn csrf(caller: &Caller, headers: &HeaderMap) -> ApiResult<()> {
    check_csrf(
        caller,
        headers.get("x-csrf-token").and_then(|v| v.to_str().ok()),
    )
}

pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// An answer's JSON, whose schema is `T`'s. It is written through a JSON value, so that its
/// keys come in alphabetical order whatever `T`'s field order.
pub struct Answer<T>(pub T);

impl<T: Serialize> IntoResponse for Answer<T> {
    fn into_response(self) -> Response {
        match serde_json::to_value(&self.0) {
            Ok(v) => Json(v).into_response(),
            Err(e) => Problem::internal(e).into_response(),
        }
    }
}

/// A list type: `{"items": [...]}` and the paging fields given.
macro_rules! list {
    ($(#[$meta:meta])* $name:ident of $item:ty $(, $(#[$fmeta:meta])* $field:ident: $ty:ty)* $(,)?) => {
        $(#[$meta])*
        #[derive(serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            $($(#[$fmeta])* pub $field: $ty,)*
        }
    };
}

pub(crate) use list;
