//! What every page shares: the chrome around its content (user, navigation, language switch)
//! and its translations, the signed-in caller and the error page, rendering and the redirect
//! after a form, the state of a refused form, numbers as the reader types them.

use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::header::LOCATION;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use synergies_domain::agreement::Agreement;
use synergies_i18n::{FluentValue, Lang};
use synergies_store::UserRecord;

use crate::auth::{caller, check_csrf, language, Caller};
use crate::error::Problem;
use crate::state::AppState;
use crate::views;

/// Translations for a template: `t.get(KEY)` in a template gives the text of KEY.
#[derive(Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn get(&self, key: &str) -> String {
        self.0.text(key)
    }

    /// The text of `prefix-value`, e.g. `status-active`.
    pub fn of(&self, prefix: &str, value: impl AsRef<str>) -> String {
        self.0.text(&format!("{prefix}-{}", value.as_ref()))
    }

    pub fn with(&self, key: &str, name: &str, value: &str) -> String {
        self.0
            .text_with(key, &[(name, FluentValue::from(value.to_string()))])
    }

    /// An amount written with this language's separators.
    pub fn amount(&self, a: &views::Amount) -> String {
        let decimals = synergies_domain::Currency::from_code(&a.currency)
            .map(|c| c.exponent())
            .unwrap_or(2);
        format!("{} {}", self.0.amount(a.minor, decimals), a.currency)
    }

    /// The text of `key` for the count `n` (which picks the plural form), `n` written with
    /// this language's separators.
    pub fn count(&self, key: &str, n: &i64) -> String {
        self.0.text_with(key, &[("count", FluentValue::from(*n))])
    }

    /// A date as a sentence writes it in this language (`5 October 2026`).
    pub fn date(&self, d: &chrono::NaiveDate) -> String {
        use chrono::Datelike;
        self.0.date(d.year(), d.month(), d.day())
    }

    /// An amendment under way, with its status and the ceiling it would set.
    pub fn amendment(&self, a: &Amendment) -> String {
        self.0.text_with(
            "agreement-amendment-pending",
            &[
                ("status", FluentValue::from(self.of("status", &a.status))),
                ("ceiling", FluentValue::from(self.amount(&a.ceiling))),
            ],
        )
    }

    /// A fraction (`0.13`) as the reader writes a percentage (`13%`, `13 %`).
    pub fn percent(&self, fraction: &rust_decimal::Decimal) -> String {
        self.0.percent(&fraction.to_string())
    }

    pub fn minor(&self, minor: &i64, currency: &str) -> String {
        self.amount(&views::Amount {
            currency: currency.to_string(),
            minor: *minor,
            text: String::new(),
        })
    }
}

/// What every page shows around its content: the user, the navigation, the language switch.
pub struct Chrome {
    pub t: Tr,
    pub lang: String,
    pub dir: &'static str,
    pub user: Option<UserRecord>,
    pub csrf: String,
    pub path: String,
    pub languages: Vec<(String, String)>,
    pub is_admin: bool,
    pub reads_business: bool,
    pub flash: Option<String>,
    /// How many things wait for the user (shown beside the dashboard in the navigation).
    pub waiting: usize,
}

impl Chrome {
    pub(crate) fn new(lang: Lang, caller: Option<&Caller>, path: &str) -> Chrome {
        Chrome {
            t: Tr(lang),
            lang: lang.code(),
            dir: lang.direction(),
            user: caller.map(|c| c.user.clone()),
            csrf: caller.and_then(|c| c.csrf.clone()).unwrap_or_default(),
            path: path.to_string(),
            languages: Lang::all().iter().map(|l| (l.code(), l.name())).collect(),
            is_admin: caller.is_some_and(Caller::is_admin),
            reads_business: caller.is_some_and(Caller::reads_business_data),
            flash: None,
            waiting: 0,
        }
    }

    pub fn roles(&self) -> String {
        self.user
            .as_ref()
            .map(|u| {
                u.grants
                    .iter()
                    .map(|g| {
                        let role = self.t.get(&format!("role-{}", g.role.as_str()));
                        match &g.organisation {
                            Some(o) => format!("{role} ({o})"),
                            None => role,
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    }
}

/// A signed-in person on a page; anyone else is sent to the sign-in page.
pub struct PageCaller {
    pub caller: Caller,
    pub lang: Lang,
    pub path: String,
    /// The confirmation of the action that led here, in the reader's language.
    pub confirmation: Option<String>,
    /// How many things wait for this person (the inbox on the dashboard).
    pub waiting: usize,
}

impl PageCaller {
    pub(crate) fn chrome(&self) -> Chrome {
        Chrome {
            flash: self.confirmation.clone(),
            waiting: self.waiting,
            ..Chrome::new(self.lang, Some(&self.caller), &self.path)
        }
    }

    /// The problem with its text in the reader's language, to show beside a form.
    pub(crate) fn shown(&self, p: Problem) -> Problem {
        Problem {
            detail: p.detail.in_lang(self.lang).into(),
            ..p
        }
    }

    pub(crate) fn problem(&self, p: Problem) -> PageError {
        PageError::Problem(p, self.lang, Some(Box::new(self.caller.clone())))
    }

    pub(crate) fn business(&self) -> Result<(), PageError> {
        self.caller
            .must_read_business_data()
            .map_err(|p| self.problem(p))
    }

    pub(crate) fn csrf(&self, sent: &str) -> Result<(), PageError> {
        check_csrf(&self.caller, Some(sent)).map_err(|p| self.problem(p))
    }
}

impl FromRequestParts<AppState> for PageCaller {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let lang = language(&parts.headers);
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        match caller(state, &parts.headers)
            .await
            .map_err(|p| PageError::Problem(p, lang, None))?
        {
            Some(caller) if caller.csrf.is_some() => {
                let waiting = if caller.reads_business_data() {
                    let pending = state
                        .cached("inbox", |s| Ok(synergies_app::inbox::Pending::load(s)?))
                        .await
                        .map_err(|p| PageError::Problem(p, lang, None))?;
                    pending.inbox(&caller.actor(), today()).len()
                } else {
                    0
                };
                Ok(PageCaller {
                    confirmation: confirmation(&parts.headers, lang),
                    caller,
                    lang,
                    path,
                    waiting,
                })
            }
            _ => Err(PageError::SignIn(path)),
        }
    }
}

/// A page that cannot be shown: sign in first, or an error page in the user's language.
pub enum PageError {
    SignIn(String),
    Problem(Problem, Lang, Option<Box<Caller>>),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    title: String,
    detail: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::SignIn(next) => {
                let next = crate::auth::local_redirect(&next);
                Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response()
            }
            PageError::Problem(p, lang, caller) => {
                let page = ErrorPage {
                    c: Chrome::new(lang, caller.as_deref(), "/"),
                    title: Tr(lang).get(&format!("error-{}", p.status.as_u16())),
                    detail: p.detail.in_lang(lang),
                };
                (p.status, render(&page)).into_response()
            }
        }
    }
}

pub(crate) fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => Problem::internal(e).into_response(),
    }
}

pub(crate) type PageResult = Result<Response, PageError>;

/// Runs store work for a page, turning problems into the page's error.
pub(crate) async fn run<T, F>(state: &AppState, pc: &PageCaller, f: F) -> Result<T, PageError>
where
    T: Send + 'static,
    F: FnOnce(&dyn synergies_store::Store) -> Result<T, Problem> + Send + 'static,
{
    state.run(f).await.map_err(|p| pc.problem(p))
}

/// A redirect after a form; the target goes through [`crate::auth::local_redirect`] like every
/// other, so a value from the form can never make it leave the site (or break the header).
pub(crate) fn see_other(to: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, crate::auth::local_redirect(to))],
    )
        .into_response()
}

pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A redirect after a form that did what it was asked, with its confirmation: the message
/// `key` of the translation files (a `done-…` key) about `subject` (a code, a count), shown
/// once on the page the redirect leads to.
pub(crate) fn confirmed(state: &AppState, to: &str, key: &'static str, subject: &str) -> Response {
    debug_assert!(key.starts_with("done-"), "{key} is a confirmation's key");
    let mut response = see_other(to);
    let cookie = crate::auth::site_cookie(
        state,
        crate::auth::DONE_COOKIE,
        format!("{key}|{subject}"),
        60,
        true,
    );
    if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, value);
    }
    response
}

/// The confirmation a request carries, in `lang`: only a `done-…` key of the translation files
/// is shown (a cookie is the browser's to change), with its subject as a plain argument.
fn confirmation(headers: &axum::http::HeaderMap, lang: Lang) -> Option<String> {
    let value = crate::auth::cookie(headers, crate::auth::DONE_COOKIE)?;
    let (key, subject) = value.split_once('|')?;
    if !key.starts_with("done-") {
        return None;
    }
    let text = lang.text_with(key, &[("subject", FluentValue::from(subject.to_string()))]);
    // A key missing from the files comes back as itself.
    (text != key).then_some(text)
}

/// Removes the confirmation cookie once a page (not a redirect) has been answered, so that it
/// is shown once.
pub(crate) async fn forget_confirmation(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let had = crate::auth::cookie(request.headers(), crate::auth::DONE_COOKIE).is_some();
    let mut response = next.run(request).await;
    if had && !response.status().is_redirection() {
        let cookie =
            crate::auth::site_cookie(&state, crate::auth::DONE_COOKIE, String::new(), 0, true);
        if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
            response
                .headers_mut()
                .append(axum::http::header::SET_COOKIE, value);
        }
    }
    response
}

/// A number as the reader typed it, in the machine form the services read (`80 000,50` in
/// French is `80000.50`); a text that is no number in the reader's language goes on as typed,
/// for the service to name the field it refuses.
pub(crate) fn typed_number(lang: Lang, text: &str) -> String {
    lang.read_number(text).unwrap_or_else(|| text.to_string())
}

/// What a form typed and why it was refused, to show it again: one problem, or every field's
/// problem at once.
#[derive(Default)]
pub struct FormState {
    pub error: Option<Problem>,
    pub values: std::collections::HashMap<String, String>,
    /// Each refused field with its message in the reader's language.
    pub fields: Vec<(String, String)>,
}

impl FormState {
    pub(crate) fn refused(
        values: std::collections::HashMap<String, String>,
        error: Problem,
    ) -> FormState {
        FormState {
            error: Some(error),
            values,
            fields: vec![],
        }
    }

    /// A form refused for what its fields hold, each message in `lang`; `None` for a refusal
    /// of another kind (not allowed, not found), which the error page shows.
    pub(crate) fn of_fields(
        values: std::collections::HashMap<String, String>,
        error: &synergies_app::AppError,
        lang: Lang,
    ) -> Option<FormState> {
        let fields = error
            .field_errors()?
            .into_iter()
            .map(|(f, m)| (f, m.in_lang(lang)))
            .collect();
        Some(FormState {
            error: None,
            values,
            fields,
        })
    }

    /// Whether the form was refused for `field`.
    pub fn is_refused(&self, field: &str) -> bool {
        !self.error_for(field).is_empty()
    }

    /// What was typed in `field`.
    pub fn value(&self, field: &str) -> String {
        self.values.get(field).cloned().unwrap_or_default()
    }

    /// The message for `field`, if the form was refused because of it.
    pub fn error_for(&self, field: &str) -> String {
        if let Some((_, m)) = self.fields.iter().find(|(f, _)| f == field) {
            return m.clone();
        }
        match &self.error {
            Some(p) if p.field.as_deref() == Some(field) => p.detail.to_string(),
            _ => String::new(),
        }
    }

    /// The messages of refused fields that the form does not show (`shown` are those it does),
    /// to list above it.
    pub fn elsewhere(&self, shown: &[&str]) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(f, _)| !shown.contains(&f.as_str()))
            .map(|(f, m)| format!("{f}: {m}"))
            .collect()
    }

    /// The message of a refusal that names no field.
    pub fn general_error(&self) -> String {
        match &self.error {
            Some(p) if p.field.is_none() => p.detail.to_string(),
            _ => String::new(),
        }
    }
}

pub(crate) type Fields = std::collections::HashMap<String, String>;

pub(crate) fn field(values: &Fields, name: &str) -> String {
    values.get(name).cloned().unwrap_or_default()
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// One agreement as a list shows it.
pub struct AgreementRow {
    pub code: String,
    pub title: String,
    pub provider: String,
    pub payers: String,
    /// The agreement's status: `active` while a version is in force, else its latest
    /// version's.
    pub status: String,
    /// The ceiling in force (the latest version's while none is).
    pub ceiling: views::Amount,
    /// An amendment under way beside the version in force: its status and its ceiling, which
    /// applies only once every party approves it.
    pub amendment: Option<Amendment>,
}

/// An amendment that waits beside the version in force.
pub struct Amendment {
    pub status: String,
    pub ceiling: views::Amount,
}

pub(crate) fn agreement_row(a: &Agreement) -> AgreementRow {
    let latest = a.latest();
    let in_force = a.active_version();
    let shown = in_force.unwrap_or(latest);
    AgreementRow {
        code: a.code.clone(),
        title: a.title.clone(),
        provider: a.provider.clone(),
        payers: shown
            .participants
            .iter()
            .map(|p| format!("{} ({})", p.organisation, p.fund))
            .collect::<Vec<_>>()
            .join(", "),
        status: if in_force.is_some() {
            "active".into()
        } else {
            latest.status.as_str().to_string()
        },
        ceiling: views::Amount::new(a.currency, shown.ceiling_minor),
        amendment: in_force
            .filter(|v| v.number != latest.number)
            .map(|_| Amendment {
                status: latest.status.as_str().to_string(),
                ceiling: views::Amount::new(a.currency, latest.ceiling_minor),
            }),
    }
}

/// The options of a list that htmx swaps in when the choice it depends on changes (the funds
/// of an organisation, the services of an agreement): value and label.
#[derive(Template)]
#[template(path = "options.html")]
pub(crate) struct Options {
    pub options: Vec<(String, String)>,
}

/// The JSON key of a keyed enum (`ongoing`, `done`, …), as the translations name it.
pub(crate) fn key_of(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
