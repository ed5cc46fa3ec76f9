//! Signing in and the caller (`/api/v1/auth/token`, `/api/v1/me`), the caller's personal API
//! tokens, and users with their roles.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use synergies_store::{ApiTokenRecord, UserRecord};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{csrf, list, Answer, Body};
use crate::auth::{issue_token, sign_in, ApiCaller, ClientAddr, SignIn};
use crate::error::{ApiResult, Problem, ProblemDocument};
use crate::state::AppState;

/// This resource's routes and their descriptions.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(token))
        .routes(routes!(me))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(list_users, save_user))
}

list!(
    /// The caller's personal API tokens, without their secrets.
    TokenList of ApiTokenRecord
);

list!(
    /// Users and their roles.
    UserList of UserRecord
);

/// The caller.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user: UserRecord,
    /// The session's CSRF token, to send as `X-CSRF-Token` with changes; `null` for an API
    /// token, which needs none.
    pub csrf_token: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenIssued {
    /// Send as `Authorization: Bearer <token>`. Shown once: the server keeps only its hash.
    pub token: String,
    pub id: i64,
    /// When the token stops working (`YYYY-MM-DDTHH:MM:SSZ`, UTC).
    pub expires_at: String,
}

impl From<crate::auth::IssuedToken> for TokenIssued {
    fn from(t: crate::auth::IssuedToken) -> TokenIssued {
        TokenIssued {
            token: t.secret,
            id: t.id,
            expires_at: t.expires_at,
        }
    }
}

/// Exchanges a username and password for a personal API token.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = Credentials,
    responses((status = 201, body = TokenIssued),
              (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 409, description = "the user already holds the most live tokens one may hold",
               body = ProblemDocument, content_type = "application/problem+json"),
              (status = 429, description = "too many failed sign-ins from this client or on this account",
               body = ProblemDocument, content_type = "application/problem+json",
               headers(("Retry-After" = u64, description = "seconds to wait")))))]
async fn token(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Body(c): Body<Credentials>,
) -> ApiResult<(StatusCode, Json<TokenIssued>)> {
    let user = match sign_in(&state, client, &c.username, &c.password, "api").await? {
        SignIn::Accepted(user) => user,
        SignIn::Refused => {
            return Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "the username or password is wrong",
            ))
        }
        SignIn::Throttled(t) => {
            let seconds = t.retry_after_secs();
            return Err(Problem::too_many(
                format!("too many failed sign-ins; try again in {seconds} s"),
                seconds,
            ));
        }
    };
    let settings = state.settings().clone();
    let issued = state
        .run(move |s| issue_token(s, &settings, &user.username, "sign-in", None))
        .await?;
    Ok((StatusCode::CREATED, Json(TokenIssued::from(issued))))
}

/// The caller: username, roles, and the organisations they act for.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("token" = [])),
    responses((status = 200, body = Me),
              (status = 401, body = ProblemDocument, content_type = "application/problem+json")))]
async fn me(ApiCaller(c): ApiCaller) -> Answer<Me> {
    Answer(Me {
        user: c.user,
        csrf_token: c.csrf,
    })
}

/// The caller's personal API tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "auth", security(("token" = [])),
    responses((status = 200, body = TokenList)))]
async fn list_tokens(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Answer<TokenList>> {
    let username = c.user.username.clone();
    let items = state.run(move |s| Ok(s.api_tokens(&username)?)).await?;
    Ok(Answer(TokenList { items }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewToken {
    /// What the token is for, e.g. `monthly import script`.
    pub name: String,
    /// How many days it lives (default 90; at most 366).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 366)]
    pub expires_in_days: Option<u32>,
}

/// Creates a personal API token; its secret is in the answer, once.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "auth", security(("token" = [])),
    request_body = NewToken,
    responses((status = 201, body = TokenIssued),
              (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 409, description = "the caller already holds the most live tokens one may hold",
               body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn create_token(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(t): Body<NewToken>,
) -> ApiResult<(StatusCode, Json<TokenIssued>)> {
    csrf(&c, &headers)?;
    let name = t.name.trim().to_string();
    if name.is_empty() || name.len() > 200 {
        return Err(Problem::field(
            "name",
            "name the token (1 to 200 characters)",
        ));
    }
    let settings = state.settings().clone();
    let days = t.expires_in_days;
    let issued = state
        .run(move |s| issue_token(s, &settings, c.username(), &name, days))
        .await?;
    Ok((StatusCode::CREATED, Json(TokenIssued::from(issued))))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "auth", security(("token" = [])),
    params(("id" = i64, Path, description = "the token's id")),
    responses((status = 204),
              (status = 404, body = ProblemDocument, content_type = "application/problem+json")))]
async fn revoke_token(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    csrf(&c, &headers)?;
    let id: i64 = id
        .parse()
        .map_err(|_| Problem::bad_request(format!("{id:?} is not a token id")))?;
    state
        .act(move |s| synergies_app::identity::revoke_token(s, c.username(), id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Users and their roles (administrators only).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("token" = [])),
    responses((status = 200, body = UserList),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json")))]
async fn list_users(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Answer<UserList>> {
    if !c.is_admin() {
        return Err(Problem::forbidden(format!(
            "{} may not list users: that needs the admin role",
            c.username()
        )));
    }
    let items = state.run(|s| Ok(s.users()?)).await?;
    Ok(Answer(UserList { items }))
}

/// Creates a user or changes one's roles, display name, password or activity (administrators
/// only).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("token" = [])),
    request_body = synergies_app::identity::NewUser,
    responses((status = 200, body = UserRecord),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn save_user(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(new): Body<synergies_app::identity::NewUser>,
) -> ApiResult<Answer<UserRecord>> {
    csrf(&c, &headers)?;
    let user = state
        .act(move |s| synergies_app::identity::save_user(s, &c.actor(), &new))
        .await?;
    Ok(Answer(user))
}
