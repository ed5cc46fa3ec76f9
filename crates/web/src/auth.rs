//! Who is asking. A browser holds a session cookie (HttpOnly, SameSite=Lax, Secure over TLS)
//! and its forms carry the session's CSRF token; a script sends a personal API token as
//! `Authorization: Bearer …`. Both secrets are random 256-bit values that the database keeps
//! only as SHA-256 hashes; passwords are kept as argon2id hashes.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use synergies_domain::access::{Principal, Role};
use synergies_i18n::Lang;
use synergies_store::{Store, UserRecord};

use synergies_app::identity::{self, TokenPolicy};
pub use synergies_app::identity::{now_rfc3339, secret_hash, utc_stamp, IssuedToken};
use synergies_app::Actor;

use crate::error::Problem;
use crate::state::{AppState, Throttled};

pub const SESSION_COOKIE: &str = "synergies_session";
pub const LANG_COOKIE: &str = "synergies_lang";
/// The confirmation of the last action, shown once on the page its redirect leads to.
pub const DONE_COOKIE: &str = "synergies_done";

/// A signed-in person, from a session or an API token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserRecord,
    pub principal: Principal,
    /// The session's CSRF token; `None` for an API token (scripts send no cookies, so a
    /// forged cross-site request cannot carry their credentials).
    pub csrf: Option<String>,
}

impl Caller {
    fn of(user: UserRecord, csrf: Option<String>) -> Caller {
        let principal = Principal {
            username: user.username.clone(),
            grants: user.grants.clone(),
        };
        Caller {
            user,
            principal,
            csrf,
        }
    }

    pub fn username(&self) -> &str {
        &self.user.username
    }

    /// The caller as the application services see them.
    pub fn actor(&self) -> Actor {
        Actor::Person(self.principal.clone())
    }

    /// Business data is for everyone but a pure administrator, who manages users only.
    pub fn reads_business_data(&self) -> bool {
        self.user.grants.iter().any(|g| g.role != Role::Admin)
    }

    pub fn is_admin(&self) -> bool {
        self.principal.has_anywhere(Role::Admin)
    }

    /// Refuses a pure administrator: they manage users, not business data.
    pub fn must_read_business_data(&self) -> Result<(), Problem> {
        if self.reads_business_data() {
            Ok(())
        } else {
            Err(Problem::forbidden(format!(
                "{} manages users and roles only, not business data",
                self.username()
            )))
        }
    }
}

/// The value of one cookie of the request (percent-decoded).
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse_encoded)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// A cookie of this site's kind (whole site, SameSite=Lax, Secure when the settings say the
/// site is served over TLS), kept `max_age` seconds; 0 removes it. `http_only` keeps it from
/// scripts.
pub fn site_cookie(
    state: &AppState,
    name: &'static str,
    value: String,
    max_age: i64,
    http_only: bool,
) -> String {
    cookie::Cookie::build((name, value))
        .path("/")
        .http_only(http_only)
        .same_site(cookie::SameSite::Lax)
        .secure(state.settings().secure_cookies)
        .max_age(cookie::time::Duration::seconds(max_age))
        .build()
        .encoded()
        .to_string()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The caller of a request, if signed in with a live session or token of an active user.
pub async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Option<Caller>, Problem> {
    if let Some(token) = bearer(headers) {
        let token = token.to_string();
        return state
            .act(move |store| Ok(identity::token_user(store, &token)?.map(|u| Caller::of(u, None))))
            .await;
    }
    let Some(secret) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    state
        .act(move |store| {
            Ok(identity::session_user(store, &secret)?.map(|(u, csrf)| Caller::of(u, Some(csrf))))
        })
        .await
}

/// How a sign-in went.
pub enum SignIn {
    Accepted(UserRecord),
    /// The username or password is wrong (which of the two is not told).
    Refused,
    /// Too many failures: wait.
    Throttled(Throttled),
}

/// Signs `username` in from `client` through the throttle (see [`AppState::sign_in_allowed`]),
/// and records what happened: a failed sign-in, and the start of a wait, are audit events
/// (the username tried, the client, the face; never the password); every refusal is also in
/// the request log.
pub async fn sign_in(
    state: &AppState,
    client: std::net::IpAddr,
    username: &str,
    password: &str,
    face: &'static str,
) -> Result<SignIn, Problem> {
    if let Err(t) = state.sign_in_allowed(client, username) {
        tracing::warn!(%client, username, face, retry_after = t.retry_after_secs(), "sign-in throttled");
        return Ok(SignIn::Throttled(t));
    }
    let (name, pass) = (username.to_string(), password.to_string());
    let user = state
        .act(move |s| identity::authenticate(s, &name, &pass))
        .await?;
    if let Some(user) = user {
        state.sign_in_succeeded(client, username);
        return Ok(SignIn::Accepted(user));
    }
    let started = state.sign_in_failed(client, username);
    tracing::warn!(%client, username, face, "sign-in failed");
    let name = username.to_string();
    let throttled = started.map(|t| {
        serde_json::json!({
            "throttled": t.what(),
            "retry_after_seconds": t.retry_after_secs(),
        })
    });
    state
        .act(move |s| {
            identity::record_failed_sign_in(s, &name, &client.to_string(), face, throttled)
        })
        .await?;
    Ok(SignIn::Refused)
}

/// Opens a session for `username` and returns the secret for its cookie.
pub fn open_session(
    store: &dyn Store,
    username: &str,
    lifetime: std::time::Duration,
) -> Result<String, Problem> {
    Ok(identity::open_session(store, username, lifetime)?)
}

/// The `Set-Cookie` value for a session secret (or its removal when `secret` is empty).
pub fn session_cookie(secret: &str, state: &AppState) -> String {
    let max_age = if secret.is_empty() {
        0
    } else {
        state.settings().session_lifetime.as_secs() as i64
    };
    site_cookie(state, SESSION_COOKIE, secret.to_string(), max_age, true)
}

/// The language of a request: the language cookie, else `Accept-Language`, else English.
pub fn language(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .as_deref()
        .and_then(Lang::parse)
        .or_else(|| {
            headers
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::negotiate)
        })
        .unwrap_or_else(Lang::english)
}

/// An API caller: a request without valid credentials is refused with 401.
pub struct ApiCaller(pub Caller);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        match caller(state, &parts.headers).await? {
            Some(c) => Ok(ApiCaller(c)),
            None => Err(Problem::unauthorized()),
        }
    }
}

/// Checks the CSRF token a form or request carries against the caller's session. Requests
/// authenticated by an API token need none.
pub fn check_csrf(caller: &Caller, sent: Option<&str>) -> Result<(), Problem> {
    match &caller.csrf {
        None => Ok(()),
        Some(expected) if sent == Some(expected.as_str()) => Ok(()),
        Some(_) => Err(Problem::forbidden(
            "the form's security token is missing or out of date; reload the page and try again",
        )),
    }
}

/// Makes a personal API token for `username` under the server's settings (see
/// `synergies_app::identity::issue_token`).
pub fn issue_token(
    store: &dyn Store,
    settings: &crate::state::Settings,
    username: &str,
    name: &str,
    days: Option<u32>,
) -> Result<IssuedToken, Problem> {
    let policy = TokenPolicy {
        lifetime: settings.token_lifetime,
        max_lifetime: settings.max_token_lifetime,
        max_per_user: settings.max_tokens_per_user,
    };
    Ok(identity::issue_token(store, &policy, username, name, days)?)
}

/// The address of the client: the peer of the connection (never a header it sends, which it
/// could choose freely). A router served without connection information (`Router::oneshot`)
/// puts every client at the unspecified address, which is throttled as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_addr(parts)))
    }
}

pub fn client_addr(parts: &Parts) -> std::net::IpAddr {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

/// Where a redirect that takes its target from the request (`next=…`) may go: a path of this
/// site only. Anything else is `/`. A browser reads `//host`, `/\host` and `/<TAB>/host` as
/// another site, so the target must start with one `/` followed by something other than `/`
/// or `\`, and hold no backslash nor control character, neither as given nor once
/// percent-decoded (again and again, as a chain of redirects might); as given, it is
/// printable ASCII.
pub fn local_redirect(next: &str) -> String {
    /// Starts with one `/`, then neither `/` nor `\`; no backslash or control character.
    fn local(p: &str) -> bool {
        let b = p.as_bytes();
        b.first() == Some(&b'/')
            && !matches!(b.get(1), Some(b'/' | b'\\'))
            && !p.chars().any(|c| c == '\\' || c.is_control())
    }
    // As sent in `Location`: printable ASCII only (pages' own links are percent-encoded).
    if !next.bytes().all(|c| c.is_ascii_graphic()) {
        return "/".into();
    }
    let mut current = next.to_string();
    for _ in 0..4 {
        if !local(&current) {
            return "/".into();
        }
        let decoded = percent_decode(&current);
        if decoded == current {
            return next.to_string();
        }
        current = decoded;
    }
    // Encoded more deeply than any page of this site would be.
    "/".into()
}

/// `%XX` sequences decoded to their bytes (invalid UTF-8 becomes U+FFFD).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::local_redirect;

    #[test]
    fn only_local_paths_are_redirect_targets() {
        for ok in [
            "/",
            "/agreements",
            "/funds/BC?x=1",
            "/deliveries?agreement=A%20B",
        ] {
            assert_eq!(local_redirect(ok), ok);
        }
        for bad in [
            "",
            "x",
            "//host",
            "/\\host/",
            "/\t/host",
            "\t/host",
            "/%5Chost",
            "/%2F/host",
            "/%252F/host",
            "/%09/host",
            "https://host/",
            "/é",
            "/ /host",
            "/a\\b",
        ] {
            assert_eq!(local_redirect(bad), "/", "{bad:?}");
        }
    }
}
