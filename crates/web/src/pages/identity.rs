//! Signing in and out, the language switch, the account page with the caller's personal API
//! tokens, and the users page (administrators).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use synergies_i18n::{FluentValue, Lang};
use synergies_store::{ApiTokenRecord, UserRecord};

use super::common::{render, run, see_other, Chrome, CsrfForm, PageCaller, PageResult, Tr};
use crate::auth::{
    issue_token, language, open_session, session_cookie, sign_in, ClientAddr, SignIn, LANG_COOKIE,
    SESSION_COOKIE,
};
use crate::error::Problem;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(switch_language))
        .route("/account", get(account))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/users", get(users).post(save_user))
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    next: String,
    username: String,
    error: String,
}

async fn login_page(headers: HeaderMap, Query(q): Query<NextQuery>) -> Response {
    render(&LoginPage {
        c: Chrome::new(language(&headers), None, "/login"),
        next: crate::auth::local_redirect(&q.next),
        username: String::new(),
        error: String::new(),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Signs in. The sign-in form needs no CSRF token (there is no session yet); SameSite
/// cookies and the throttle guard it.
async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let lang = language(&headers);
    let again = |error: String, status: StatusCode| {
        (
            status,
            render(&LoginPage {
                c: Chrome::new(lang, None, "/login"),
                next: crate::auth::local_redirect(&f.next),
                username: f.username.clone(),
                error,
            }),
        )
            .into_response()
    };
    let user = match sign_in(&state, client, &f.username, &f.password, "page").await {
        Ok(SignIn::Accepted(user)) => user,
        Ok(SignIn::Refused) => {
            return again(Tr(lang).get("login-failed"), StatusCode::UNAUTHORIZED)
        }
        Ok(SignIn::Throttled(t)) => {
            let seconds = t.retry_after_secs();
            let text = lang.text_with(
                "login-throttled",
                &[("seconds", FluentValue::from(seconds.to_string()))],
            );
            let mut r = again(text, StatusCode::TOO_MANY_REQUESTS);
            r.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, t.retry_after_secs().into());
            return r;
        }
        Err(p) => return p.into_response(),
    };
    let lifetime = state.settings().session_lifetime;
    let opened = state
        .run(move |s| open_session(s, &user.username, lifetime))
        .await;
    match opened {
        Ok(secret) => (
            StatusCode::SEE_OTHER,
            [
                (LOCATION, crate::auth::local_redirect(&f.next)),
                (SET_COOKIE, session_cookie(&secret, &state)),
            ],
        )
            .into_response(),
        Err(p) => p.into_response(),
    }
}

async fn logout(
    State(state): State<AppState>,
    pc: PageCaller,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    pc.csrf(&f.csrf)?;
    if let Some(secret) = crate::auth::cookie(&headers, SESSION_COOKIE) {
        run(&state, &pc, move |s| {
            Ok(synergies_app::identity::end_session(s, &secret)?)
        })
        .await?;
    }
    Ok((
        StatusCode::SEE_OTHER,
        [
            (LOCATION, "/login".to_string()),
            (SET_COOKIE, session_cookie("", &state)),
        ],
    )
        .into_response())
}

/// Remembers the chosen language in a cookie and goes back to the page.
async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let next = crate::auth::local_redirect(&q.next);
    match Lang::parse(&code) {
        Some(lang) => (
            StatusCode::SEE_OTHER,
            [
                (LOCATION, next),
                (
                    SET_COOKIE,
                    crate::auth::site_cookie(&state, LANG_COOKIE, lang.code(), 31_536_000, false),
                ),
            ],
        )
            .into_response(),
        None => Problem::not_found(format!("no translations for {code:?}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    c: Chrome,
    tokens: Vec<ApiTokenRecord>,
    new_token: String,
    /// Now, as tokens' expiries are written: an expiry at or before it has passed.
    now: String,
}

impl AccountPage {
    fn expired(&self, tk: &ApiTokenRecord) -> bool {
        tk.expires_at
            .as_deref()
            .is_none_or(|e| e <= self.now.as_str())
    }
}

async fn account_page(state: &AppState, pc: &PageCaller, new_token: String) -> PageResult {
    let username = pc.caller.user.username.clone();
    let tokens = run(state, pc, move |s| Ok(s.api_tokens(&username)?)).await?;
    Ok(render(&AccountPage {
        c: pc.chrome(),
        tokens,
        new_token,
        now: crate::auth::utc_stamp(chrono::Utc::now()),
    }))
}

async fn account(State(state): State<AppState>, pc: PageCaller) -> PageResult {
    account_page(&state, &pc, String::new()).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    expires_in_days: String,
}

async fn create_token(
    State(state): State<AppState>,
    pc: PageCaller,
    Form(f): Form<TokenForm>,
) -> PageResult {
    pc.csrf(&f.csrf)?;
    let name = f.name.trim().to_string();
    if name.is_empty() || name.len() > 200 {
        return Err(pc.problem(Problem::field(
            "name",
            "name the token (1 to 200 characters)",
        )));
    }
    let days = match f.expires_in_days.trim() {
        "" => None,
        d => Some(d.parse::<u32>().map_err(|_| {
            pc.problem(Problem::field(
                "expires_in_days",
                "the days a token lives are a whole number",
            ))
        })?),
    };
    let username = pc.caller.user.username.clone();
    let settings = state.settings().clone();
    let issued = run(&state, &pc, move |s| {
        issue_token(s, &settings, &username, &name, days)
    })
    .await?;
    account_page(&state, &pc, issued.secret).await
}

async fn revoke_token(
    State(state): State<AppState>,
    pc: PageCaller,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    pc.csrf(&f.csrf)?;
    let username = pc.caller.user.username.clone();
    run(&state, &pc, move |s| {
        Ok(synergies_app::identity::revoke_token(s, &username, id)?)
    })
    .await?;
    Ok(see_other("/account"))
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    c: Chrome,
    users: Vec<UserRecord>,
    error: String,
    roles: Vec<&'static str>,
    organisations: Vec<String>,
}

impl UsersPage {
    fn grants(&self, u: &UserRecord) -> String {
        u.grants
            .iter()
            .map(|g| match &g.organisation {
                Some(o) => format!(
                    "{} ({o})",
                    self.c.t.get(&format!("role-{}", g.role.as_str()))
                ),
                None => self.c.t.get(&format!("role-{}", g.role.as_str())),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

async fn users_page(
    state: &AppState,
    pc: &PageCaller,
    error: String,
    status: StatusCode,
) -> PageResult {
    if !pc.caller.is_admin() {
        return Err(pc.problem(Problem::forbidden(format!(
            "{} may not manage users: that needs the admin role",
            pc.caller.username()
        ))));
    }
    let (users, framework) = run(state, pc, |s| Ok((s.users()?, s.framework()?))).await?;
    Ok((
        status,
        render(&UsersPage {
            c: pc.chrome(),
            users,
            error,
            roles: synergies_domain::access::Role::ALL
                .iter()
                .map(|r| r.as_str())
                .collect(),
            organisations: framework
                .organisations
                .iter()
                .map(|o| o.code.clone())
                .collect(),
        }),
    )
        .into_response())
}

async fn users(State(state): State<AppState>, pc: PageCaller) -> PageResult {
    users_page(&state, &pc, String::new(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    organisation: String,
}

async fn save_user(
    State(state): State<AppState>,
    pc: PageCaller,
    Form(f): Form<UserForm>,
) -> PageResult {
    pc.csrf(&f.csrf)?;
    let Some(role) = synergies_domain::access::Role::parse(&f.role) else {
        return users_page(
            &state,
            &pc,
            format!("{:?} is not a role", f.role),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let new = synergies_app::identity::NewUser {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        password: (!f.password.is_empty()).then(|| f.password.clone()),
        grants: vec![synergies_domain::access::Grant {
            role,
            organisation: (!f.organisation.is_empty()).then(|| f.organisation.clone()),
        }],
        active: true,
    };
    let caller = pc.caller.clone();
    let outcome = state
        .run(move |s| {
            Ok(synergies_app::identity::save_user(s, &caller.actor(), &new).map_err(Problem::from))
        })
        .await
        .map_err(|p| pc.problem(p))?;
    match outcome {
        Ok(_) => Ok(see_other("/users")),
        Err(p) if p.status == StatusCode::UNPROCESSABLE_ENTITY => {
            users_page(&state, &pc, p.detail.in_lang(pc.lang), p.status).await
        }
        Err(p) => Err(pc.problem(p)),
    }
}
