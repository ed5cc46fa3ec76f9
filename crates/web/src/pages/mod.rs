//! The server-rendered pages, in the language of the request (a cookie set by the language
//! switch, else the browser's `Accept-Language`). Every form carries the session's CSRF token;
//! a refused form is shown again with the message beside its field and what was typed kept.
//! Changes go through [`crate::ops`], reads through [`crate::views`] and the store.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use synergies_domain::agreement::{Agreement, VersionStatus};
use synergies_domain::delivery::{DeliveryStatus, StoredDelivery};
use synergies_domain::ledger::{JournalEntry, TrialBalance};
use synergies_domain::model::Framework;
use synergies_i18n::{FluentValue, Lang};
use synergies_store::{ApiTokenRecord, AuditEvent, AuditFilter, DeliveryFilter, Page, UserRecord};

use crate::auth::{
    issue_token, language, open_session, session_cookie, sign_in, Caller, ClientAddr, SignIn,
    LANG_COOKIE, SESSION_COOKIE,
};
use crate::error::Problem;
use crate::state::AppState;
use crate::views::{self, Dashboard, FundStatement};

use synergies_app::agreements::{NewAgreement, NewLine, NewParticipant};
use synergies_app::deliveries::NewDelivery;

pub mod common;

use common::{
    field, render, run, see_other, today, typed_number, urlencode, Chrome, CsrfForm, Fields,
    FormState, PageCaller, PageError, PageResult, Tr,
};

const HTMX: &str = include_str!("../../static/htmx.min.js");

const CSS: &str = include_str!("../../static/app.css");

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/static/htmx.min.js",
            get(|| async { static_file("text/javascript", HTMX) }),
        )
        .route(
            "/static/app.css",
            get(|| async { static_file("text/css", CSS) }),
        )
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(switch_language))
        .route("/", get(dashboard))
        .route("/framework", get(framework))
        .route("/services", get(services))
        .route(
            "/exchange-rates",
            get(exchange_rates).post(add_exchange_rate),
        )
        .route("/rates", post(add_rate))
        .route("/agreements", get(agreements).post(create_agreement))
        .route("/agreements/new", get(new_agreement))
        .route("/agreements/{code}", get(agreement))
        .route("/agreements/{code}/propose", post(propose))
        .route("/agreements/{code}/approve", post(approve))
        .route("/agreements/{code}/amend", get(amend_page).post(amend))
        .route("/deliveries", get(deliveries).post(record_delivery))
        .route("/deliveries/import", post(import_deliveries))
        .route("/deliveries/accept", post(accept))
        .route("/deliveries/dispute", post(dispute))
        .route("/closings", post(close))
        .route("/charges", get(charges))
        .route("/funds/{code}", get(fund))
        .route("/funds/{code}/settle", post(settle))
        .route("/ledger", get(ledger))
        .route("/audit", get(audit))
        .route("/account", get(account))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/users", get(users).post(save_user))
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

// ---------------------------------------------------------------- sign-in and language

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
        let secret = secret.to_string();
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
async fn switch_language(Path(code): Path<String>, Query(q): Query<NextQuery>) -> Response {
    let next = crate::auth::local_redirect(&q.next);
    match Lang::parse(&code) {
        Some(lang) => (
            StatusCode::SEE_OTHER,
            [
                (LOCATION, next),
                (
                    SET_COOKIE,
                    format!(
                        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
                        lang.code()
                    ),
                ),
            ],
        )
            .into_response(),
        None => Problem::not_found(format!("no translations for {code:?}")).into_response(),
    }
}

// ---------------------------------------------------------------- dashboard and reference data

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: Chrome,
    d: Dashboard,
    chart: String,
}

async fn dashboard(State(state): State<AppState>, pc: PageCaller) -> PageResult {
    if pc.caller.is_admin() && !pc.caller.reads_business_data() {
        return Ok(see_other("/users"));
    }
    pc.business()?;
    let d = Dashboard::clone(
        &*state
            .cached("dashboard", Dashboard::load)
            .await
            .map_err(|p| pc.problem(p))?,
    );
    let chart = d.chart_svg(&pc.lang.text("dashboard-chart"));
    Ok(render(&DashboardPage {
        c: pc.chrome(),
        d,
        chart,
    }))
}

/// The pages of reference data: each shows the framework through its own template, with the
/// form a finance officer adds to it.
#[derive(Template)]
#[template(path = "framework.html")]
struct FrameworkPage {
    c: Chrome,
    f: Framework,
}

#[derive(Template)]
#[template(path = "services.html")]
struct ServicesPage {
    c: Chrome,
    f: Framework,
    form: FormState,
    can_edit: bool,
}

#[derive(Template)]
#[template(path = "exchange_rates.html")]
struct ExchangeRatesPage {
    c: Chrome,
    f: Framework,
    form: FormState,
    can_edit: bool,
}

async fn reference_page<T: Template>(
    state: &AppState,
    pc: &PageCaller,
    status: StatusCode,
    page: impl FnOnce(Chrome, Framework) -> T,
) -> PageResult {
    pc.business()?;
    let f = run(state, pc, |s| Ok(s.framework()?)).await?;
    Ok((status, render(&page(pc.chrome(), f))).into_response())
}

fn has_role(pc: &PageCaller, role: synergies_domain::access::Role) -> bool {
    pc.caller.principal.has_anywhere(role)
}

async fn framework(State(state): State<AppState>, pc: PageCaller) -> PageResult {
    reference_page(&state, &pc, StatusCode::OK, |c, f| FrameworkPage { c, f }).await
}

async fn services(State(state): State<AppState>, pc: PageCaller) -> PageResult {
    let can_edit = has_role(&pc, synergies_domain::access::Role::Finance);
    reference_page(&state, &pc, StatusCode::OK, |c, f| ServicesPage {
        c,
        f,
        form: FormState::default(),
        can_edit,
    })
    .await
}

async fn exchange_rates(State(state): State<AppState>, pc: PageCaller) -> PageResult {
    let can_edit = has_role(&pc, synergies_domain::access::Role::Finance);
    reference_page(&state, &pc, StatusCode::OK, |c, f| ExchangeRatesPage {
        c,
        f,
        form: FormState::default(),
        can_edit,
    })
    .await
}

/// Submits a reference-data form: back to `done` when `op` succeeds; the page again, with the
/// refusal beside its field and what was typed, when the input is refused.
async fn submit_reference<T: Template, R: Send + 'static>(
    state: &AppState,
    pc: &PageCaller,
    v: Fields,
    done: &str,
    op: impl FnOnce(&dyn synergies_store::Store, &Caller) -> Result<R, Problem> + Send + 'static,
    page: impl FnOnce(Chrome, Framework, FormState) -> T,
) -> PageResult {
    pc.csrf(&field(&v, "csrf"))?;
    let caller = pc.caller.clone();
    match state
        .run(move |s| Ok(op(s, &caller)))
        .await
        .map_err(|p| pc.problem(p))?
    {
        Ok(_) => Ok(see_other(done)),
        Err(p) if p.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let status = p.status;
            let form = FormState::refused(v, p);
            reference_page(state, pc, status, |c, f| page(c, f, form)).await
        }
        Err(p) => Err(pc.problem(p)),
    }
}

async fn add_exchange_rate(
    State(state): State<AppState>,
    pc: PageCaller,
    Form(v): Form<Fields>,
) -> PageResult {
    let r = synergies_app::reference::NewExchangeRate {
        currency: field(&v, "currency"),
        month: field(&v, "month"),
        per_usd: typed_number(pc.lang, &field(&v, "per_usd")),
    };
    submit_reference(
        &state,
        &pc,
        v,
        "/exchange-rates",
        move |s, caller| {
            synergies_app::reference::add_exchange_rate(s, &caller.actor(), &r)
                .map_err(Problem::from)
        },
        |c, f, form| ExchangeRatesPage {
            c,
            f,
            form,
            can_edit: true,
        },
    )
    .await
}

async fn add_rate(
    State(state): State<AppState>,
    pc: PageCaller,
    Form(v): Form<Fields>,
) -> PageResult {
    let r = synergies_app::reference::NewRate {
        provider: field(&v, "provider"),
        biennium: field(&v, "biennium"),
        grade: field(&v, "grade"),
        service: field(&v, "service"),
        unit: field(&v, "unit"),
        effective_from: field(&v, "effective_from"),
        amount: typed_number(pc.lang, &field(&v, "amount")),
    };
    submit_reference(
        &state,
        &pc,
        v,
        "/services",
        move |s, caller| {
            synergies_app::reference::add_rate(s, &caller.actor(), &r).map_err(Problem::from)
        },
        |c, f, form| ServicesPage {
            c,
            f,
            form,
            can_edit: true,
        },
    )
    .await
}

// ---------------------------------------------------------------- agreements

/// One agreement as a list shows it.
pub struct AgreementRow {
    pub code: String,
    pub title: String,
    pub provider: String,
    pub payers: String,
    pub status: String,
    pub ceiling: views::Amount,
}

fn agreement_row(a: &Agreement) -> AgreementRow {
    let latest = a.latest();
    AgreementRow {
        code: a.code.clone(),
        title: a.title.clone(),
        provider: a.provider.clone(),
        payers: latest
            .participants
            .iter()
            .map(|p| format!("{} ({})", p.organisation, p.fund))
            .collect::<Vec<_>>()
            .join(", "),
        status: if a.is_active() {
            "active".into()
        } else {
            latest.status.as_str().to_string()
        },
        ceiling: views::Amount::new(a.currency, latest.ceiling_minor),
    }
}

#[derive(Template)]
#[template(path = "agreements.html")]
struct AgreementsPage {
    c: Chrome,
    rows: Vec<AgreementRow>,
}

async fn agreements(State(state): State<AppState>, pc: PageCaller) -> PageResult {
    pc.business()?;
    let list = run(&state, &pc, |s| Ok(s.agreements()?)).await?;
    Ok(render(&AgreementsPage {
        c: pc.chrome(),
        rows: list.iter().map(agreement_row).collect(),
    }))
}

/// The agreement form: a purchase of one service by one recipient, as most are.
#[derive(Deserialize, Default, Clone)]
pub struct AgreementForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    provider_fund: String,
    #[serde(default)]
    recipient: String,
    #[serde(default)]
    recipient_fund: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    estimated_quantity: String,
    #[serde(default)]
    biennium: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    ceiling: String,
    #[serde(default)]
    psc_rate: String,
    #[serde(default)]
    note: String,
}

impl AgreementForm {
    fn to_new(&self, lang: Lang) -> NewAgreement {
        NewAgreement {
            code: self.code.clone(),
            title: self.title.clone(),
            kind: "purchase".into(),
            provider: self.provider.clone(),
            provider_fund: self.provider_fund.clone(),
            biennium: self.biennium.clone(),
            currency: self.currency.clone(),
            ceiling: typed_number(lang, &self.ceiling),
            psc_rate: if self.psc_rate.trim().is_empty() {
                "0".into()
            } else {
                typed_number(lang, &self.psc_rate)
            },
            lines: vec![NewLine {
                service: self.service.clone(),
                estimated_quantity: if self.estimated_quantity.trim().is_empty() {
                    "0".into()
                } else {
                    typed_number(lang, &self.estimated_quantity)
                },
            }],
            participants: vec![NewParticipant {
                organisation: self.recipient.clone(),
                fund: self.recipient_fund.clone(),
                weight: "1".into(),
            }],
            driver: None,
            note: self.note.clone(),
        }
    }

    fn of(a: &Agreement) -> AgreementForm {
        let v = a.latest();
        AgreementForm {
            csrf: String::new(),
            code: a.code.clone(),
            title: a.title.clone(),
            provider: a.provider.clone(),
            provider_fund: a.provider_fund.clone(),
            recipient: v
                .participants
                .first()
                .map(|p| p.organisation.clone())
                .unwrap_or_default(),
            recipient_fund: v
                .participants
                .first()
                .map(|p| p.fund.clone())
                .unwrap_or_default(),
            service: v
                .lines
                .first()
                .map(|l| l.service.clone())
                .unwrap_or_default(),
            estimated_quantity: v
                .lines
                .first()
                .map(|l| l.estimated_quantity.to_string())
                .unwrap_or_default(),
            biennium: a.biennium.clone(),
            currency: a.currency.code().to_string(),
            ceiling: a.currency.to_major(v.ceiling_minor).to_string(),
            psc_rate: v.psc_rate.to_string(),
            note: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "agreement_form.html")]
struct AgreementFormPage {
    c: Chrome,
    f: AgreementForm,
    /// `None` for a new agreement, the code when amending.
    amending: Option<String>,
    error: Option<Problem>,
    framework: Framework,
}

impl AgreementFormPage {
    /// The message for one field, if the form was refused because of it.
    fn error_for(&self, field: &str) -> String {
        match &self.error {
            Some(p) if p.field.as_deref() == Some(field) => p.detail.clone(),
            _ => String::new(),
        }
    }

    fn general_error(&self) -> String {
        match &self.error {
            Some(p) if p.field.is_none() => p.detail.clone(),
            Some(p) if !FORM_FIELDS.contains(&p.field.as_deref().unwrap_or_default()) => {
                p.detail.clone()
            }
            _ => String::new(),
        }
    }
}

const FORM_FIELDS: &[&str] = &[
    "code",
    "title",
    "provider",
    "provider_fund",
    "recipient",
    "recipient_fund",
    "service",
    "estimated_quantity",
    "biennium",
    "currency",
    "ceiling",
    "psc_rate",
];

fn my_orgs(c: &Caller) -> Vec<String> {
    let mut orgs: Vec<String> = c
        .user
        .grants
        .iter()
        .filter_map(|g| g.organisation.clone())
        .collect();
    orgs.sort();
    orgs.dedup();
    orgs
}

async fn new_agreement(State(state): State<AppState>, pc: PageCaller) -> PageResult {
    pc.business()?;
    let framework = run(&state, &pc, |s| Ok(s.framework()?)).await?;
    let mine = my_orgs(&pc.caller);
    let biennium = framework
        .bienniums
        .iter()
        .find(|b| b.status == synergies_domain::model::BienniumStatus::Open)
        .map(|b| b.code.clone())
        .unwrap_or_default();
    let f = AgreementForm {
        provider: mine.first().cloned().unwrap_or_default(),
        biennium,
        currency: "USD".into(),
        psc_rate: "0".into(),
        ..AgreementForm::default()
    };
    Ok(render(&AgreementFormPage {
        c: pc.chrome(),
        f,
        amending: None,
        error: None,
        framework,
    }))
}

async fn create_agreement(
    State(state): State<AppState>,
    pc: PageCaller,
    Form(f): Form<AgreementForm>,
) -> PageResult {
    pc.csrf(&f.csrf)?;
    let caller = pc.caller.clone();
    let new = f.to_new(pc.lang);
    let outcome = state
        .run(move |s| {
            let framework = s.framework()?;
            Ok((
                synergies_app::agreements::draft(s, &caller.actor(), &new).map_err(Problem::from),
                framework,
            ))
        })
        .await
        .map_err(|p| pc.problem(p))?;
    match outcome {
        (Ok(a), _) => Ok(see_other(&format!("/agreements/{}", urlencode(&a.code)))),
        (Err(p), framework) if p.status == StatusCode::UNPROCESSABLE_ENTITY => Ok((
            p.status,
            render(&AgreementFormPage {
                c: pc.chrome(),
                f,
                amending: None,
                error: Some(p),
                framework,
            }),
        )
            .into_response()),
        (Err(p), _) => Err(pc.problem(p)),
    }
}

#[derive(Template)]
#[template(path = "agreement.html")]
struct AgreementPage {
    c: Chrome,
    a: Agreement,
    row: AgreementRow,
    awaiting: Vec<String>,
    can_propose: bool,
    can_approve: bool,
    can_amend: bool,
    can_close: bool,
}

impl AgreementPage {
    fn ceiling_of(&self, minor: &i64) -> String {
        self.c.t.minor(minor, self.a.currency.code())
    }
}

async fn agreement(
    State(state): State<AppState>,
    pc: PageCaller,
    Path(code): Path<String>,
) -> PageResult {
    pc.business()?;
    let a = run(&state, &pc, move |s| {
        s.agreement(&code)?
            .ok_or_else(|| Problem::not_found(format!("unknown agreement {code}")))
    })
    .await?;
    use synergies_domain::access::Action;
    let who = &pc.caller.actor();
    let latest = a.latest();
    let awaiting: Vec<String> = a
        .required_approvers(latest)
        .into_iter()
        .filter(|o| !latest.approvals.iter().any(|ap| &ap.organisation == o))
        .collect();
    let parties: Vec<String> = a.parties().into_iter().collect();
    let can_propose = latest.status == VersionStatus::Draft
        && who.may(&Action::DraftAgreement {
            provider: a.provider.clone(),
        });
    let can_approve = latest.status == VersionStatus::Proposed
        && awaiting.iter().any(|o| {
            who.may(&Action::ApproveAgreement {
                organisation: o.clone(),
            })
        });
    let can_amend = a.is_active()
        && parties.iter().any(|o| {
            who.may(&Action::ApproveAgreement {
                organisation: o.clone(),
            })
        });
    let can_close = a.is_active() && who.may(&Action::close_period_of(&a));
    Ok(render(&AgreementPage {
        c: pc.chrome(),
        row: agreement_row(&a),
        awaiting: if latest.status == VersionStatus::Proposed {
            awaiting
        } else {
            vec![]
        },
        a,
        can_propose,
        can_approve,
        can_amend,
        can_close,
    }))
}

async fn propose(
    State(state): State<AppState>,
    pc: PageCaller,
    Path(code): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    pc.csrf(&f.csrf)?;
    let caller = pc.caller.clone();
    let c2 = code.clone();
    run(&state, &pc, move |s| {
        Ok(synergies_app::agreements::propose(s, &caller.actor(), &c2)?)
    })
    .await?;
    Ok(see_other(&format!("/agreements/{}", urlencode(&code))))
}

async fn approve(
    State(state): State<AppState>,
    pc: PageCaller,
    Path(code): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    pc.csrf(&f.csrf)?;
    let caller = pc.caller.clone();
    let c2 = code.clone();
    run(&state, &pc, move |s| {
        Ok(synergies_app::agreements::approve(
            s,
            &caller.actor(),
            &c2,
            None,
            today(),
        )?)
    })
    .await?;
    Ok(see_other(&format!("/agreements/{}", urlencode(&code))))
}

async fn amend_page(
    State(state): State<AppState>,
    pc: PageCaller,
    Path(code): Path<String>,
) -> PageResult {
    pc.business()?;
    let (a, framework) = run(&state, &pc, move |s| {
        let a = s
            .agreement(&code)?
            .ok_or_else(|| Problem::not_found(format!("unknown agreement {code}")))?;
        Ok((a, s.framework()?))
    })
    .await?;
    Ok(render(&AgreementFormPage {
        c: pc.chrome(),
        f: AgreementForm::of(&a),
        amending: Some(a.code.clone()),
        error: None,
        framework,
    }))
}

async fn amend(
    State(state): State<AppState>,
    pc: PageCaller,
    Path(code): Path<String>,
    Form(f): Form<AgreementForm>,
) -> PageResult {
    pc.csrf(&f.csrf)?;
    let caller = pc.caller.clone();
    let terms = f.to_new(pc.lang);
    let c2 = code.clone();
    let outcome = run(&state, &pc, move |s| {
        Ok((
            terms
                .terms()
                .and_then(|t| synergies_app::agreements::amend(s, &caller.actor(), &c2, t))
                .map_err(Problem::from),
            s.framework()?,
        ))
    })
    .await?;
    match outcome {
        (Ok(_), _) => Ok(see_other(&format!("/agreements/{}", urlencode(&code)))),
        (Err(p), framework) if p.status == StatusCode::UNPROCESSABLE_ENTITY => Ok((
            p.status,
            render(&AgreementFormPage {
                c: pc.chrome(),
                f,
                amending: Some(code),
                error: Some(p),
                framework,
            }),
        )
            .into_response()),
        (Err(p), _) => Err(pc.problem(p)),
    }
}

// ---------------------------------------------------------------- deliveries

#[derive(Deserialize, Default)]
pub struct DeliveryQuery {
    #[serde(default)]
    agreement: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    offset: u64,
}

#[derive(Deserialize, Default, Clone)]
pub struct DeliveryForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agreement: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    external_id: String,
}

#[derive(Template)]
#[template(path = "deliveries.html")]
struct DeliveriesPage {
    c: Chrome,
    agreements: Vec<AgreementRow>,
    /// The active agreements whose deliveries the reader may record (as the provider's
    /// officer): the record and import forms show only when there is one.
    recordable: Vec<AgreementRow>,
    /// The codes of the agreements whose deliveries the reader may accept and dispute.
    reviewable: std::collections::BTreeSet<String>,
    items: Vec<StoredDelivery>,
    agreement: String,
    status: String,
    next: Option<u64>,
    previous: Option<u64>,
    form: DeliveryForm,
    error: Option<Problem>,
    import_errors: Vec<String>,
    notice: String,
}

impl DeliveriesPage {
    fn error_for(&self, field: &str) -> String {
        match &self.error {
            Some(p) if p.field.as_deref() == Some(field) => p.detail.clone(),
            _ => String::new(),
        }
    }

    fn general_error(&self) -> String {
        const FIELDS: &[&str] = &[
            "agreement",
            "service",
            "date",
            "quantity",
            "grade",
            "description",
            "external_id",
        ];
        match &self.error {
            Some(p) if !FIELDS.contains(&p.field.as_deref().unwrap_or_default()) => {
                p.detail.clone()
            }
            _ => String::new(),
        }
    }

    fn status_text(&self, d: &StoredDelivery) -> String {
        let key = if d.closing.is_some() {
            "status-charged"
        } else {
            match d.status {
                DeliveryStatus::Recorded => "status-recorded",
                DeliveryStatus::Accepted => "status-accepted",
                DeliveryStatus::Disputed => "status-disputed",
            }
        };
        self.c.t.get(key)
    }

    fn is_recorded(&self, d: &StoredDelivery) -> bool {
        d.status == DeliveryStatus::Recorded
    }

    fn may_review(&self, agreement: &str) -> bool {
        self.reviewable.contains(agreement)
    }

    fn link(&self, offset: &u64) -> String {
        format!(
            "/deliveries?agreement={}&status={}&offset={offset}",
            urlencode(&self.agreement),
            urlencode(&self.status)
        )
    }
}

struct DeliveriesInput {
    query: DeliveryQuery,
    form: DeliveryForm,
    error: Option<Problem>,
    import_errors: Vec<String>,
    notice: String,
}

async fn deliveries_page(
    state: &AppState,
    pc: &PageCaller,
    input: DeliveriesInput,
) -> Result<DeliveriesPage, PageError> {
    pc.business()?;
    let status = match input.query.status.as_str() {
        "" => None,
        s => Some(DeliveryStatus::parse(s).ok_or_else(|| {
            pc.problem(Problem::bad_request(format!(
                "{s:?} is not a delivery status"
            )))
        })?),
    };
    let filter = DeliveryFilter {
        agreement: (!input.query.agreement.is_empty()).then(|| input.query.agreement.clone()),
        status,
        ..DeliveryFilter::default()
    };
    let offset = input.query.offset;
    let limit = views::DEFAULT_PAGE;
    let agreements = state
        .cached("agreements", |s| Ok(s.agreements()?))
        .await
        .map_err(|p| pc.problem(p))?;
    let mut items = run(state, pc, move |s| {
        let items = s.deliveries_page(
            &filter,
            Page {
                offset,
                limit: limit + 1,
            },
        )?;
        Ok(items)
    })
    .await?;
    let more = items.len() as u64 > limit;
    items.truncate(limit as usize);
    use synergies_domain::access::Action;
    let who = &pc.caller.actor();
    let active: Vec<&Agreement> = agreements.iter().filter(|a| a.is_active()).collect();
    let recordable = active
        .iter()
        .filter(|a| {
            let record = Action::RecordDeliveries {
                provider: a.provider.clone(),
            };
            who.may(&record)
        })
        .map(|a| agreement_row(a))
        .collect();
    let reviewable = active
        .iter()
        .filter(|a| who.may(&Action::accept_deliveries_of(a)))
        .map(|a| a.code.clone())
        .collect();
    Ok(DeliveriesPage {
        c: pc.chrome(),
        agreements: active.iter().map(|a| agreement_row(a)).collect(),
        recordable,
        reviewable,
        items,
        agreement: input.query.agreement,
        status: input.query.status,
        next: more.then_some(offset + limit),
        previous: (offset > 0).then(|| offset.saturating_sub(limit)),
        form: input.form,
        error: input.error,
        import_errors: input.import_errors,
        notice: input.notice,
    })
}

async fn deliveries(
    State(state): State<AppState>,
    pc: PageCaller,
    Query(q): Query<DeliveryQuery>,
) -> PageResult {
    let form = DeliveryForm {
        agreement: q.agreement.clone(),
        date: today().to_string(),
        ..DeliveryForm::default()
    };
    let page = deliveries_page(
        &state,
        &pc,
        DeliveriesInput {
            query: q,
            form,
            error: None,
            import_errors: vec![],
            notice: String::new(),
        },
    )
    .await?;
    Ok(render(&page))
}

async fn record_delivery(
    State(state): State<AppState>,
    pc: PageCaller,
    Form(f): Form<DeliveryForm>,
) -> PageResult {
    pc.csrf(&f.csrf)?;
    let caller = pc.caller.clone();
    let d = NewDelivery {
        agreement: f.agreement.clone(),
        service: f.service.clone(),
        date: f.date.clone(),
        quantity: typed_number(pc.lang, &f.quantity),
        grade: f.grade.clone(),
        expense_amount: String::new(),
        expense_currency: String::new(),
        description: f.description.clone(),
        external_id: f.external_id.clone(),
    };
    let outcome = state
        .run(move |s| {
            Ok(synergies_app::deliveries::record(s, &caller.actor(), &d).map_err(Problem::from))
        })
        .await
        .map_err(|p| pc.problem(p))?;
    let query = DeliveryQuery {
        agreement: f.agreement.clone(),
        ..DeliveryQuery::default()
    };
    match outcome {
        Ok(_) => Ok(see_other(&format!(
            "/deliveries?agreement={}",
            urlencode(&f.agreement)
        ))),
        Err(p)
            if p.status == StatusCode::UNPROCESSABLE_ENTITY
                || p.status == StatusCode::NOT_FOUND =>
        {
            let status = p.status;
            let page = deliveries_page(
                &state,
                &pc,
                DeliveriesInput {
                    query,
                    form: f,
                    error: Some(p),
                    import_errors: vec![],
                    notice: String::new(),
                },
            )
            .await?;
            Ok((status, render(&page)).into_response())
        }
        Err(p) => Err(pc.problem(p)),
    }
}

/// A CSV file of deliveries from the import form (multipart: `csrf` then `file`).
async fn import_deliveries(
    State(state): State<AppState>,
    pc: PageCaller,
    mut multipart: Multipart,
) -> PageResult {
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| pc.problem(Problem::bad_request(e.body_text())))?
    {
        match field.name() {
            Some("csrf") => {
                csrf = field
                    .text()
                    .await
                    .map_err(|e| pc.problem(Problem::bad_request(e.body_text())))?
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("upload.csv").to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| pc.problem(Problem::bad_request(e.body_text())))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    pc.csrf(&csrf)?;
    let Some((name, bytes)) = file else {
        return Err(pc.problem(Problem::bad_request("choose a CSV file to import")));
    };
    let caller = pc.caller.clone();
    let outcome = state
        .run(move |s| {
            Ok(synergies_app::import::import_deliveries(
                s,
                &synergies_app::import::BytesSource {
                    name: &name,
                    bytes: &bytes,
                },
                &mut |_| {},
                &caller.actor(),
            )
            .map_err(Problem::from))
        })
        .await
        .map_err(|p| pc.problem(p))?;
    let (notice, import_errors, status) = match outcome {
        Ok(r) => (
            pc.lang.text_with(
                "deliveries-imported",
                &[
                    ("inserted", FluentValue::from(r.inserted as i64)),
                    ("identical", FluentValue::from(r.identical as i64)),
                ],
            ),
            vec![],
            StatusCode::OK,
        ),
        Err(p)
            if p.status == StatusCode::UNPROCESSABLE_ENTITY
                || p.status == StatusCode::NOT_FOUND =>
        {
            (
                String::new(),
                p.detail.lines().map(str::to_string).collect(),
                p.status,
            )
        }
        Err(p) => return Err(pc.problem(p)),
    };
    let page = deliveries_page(
        &state,
        &pc,
        DeliveriesInput {
            query: DeliveryQuery::default(),
            form: DeliveryForm {
                date: today().to_string(),
                ..DeliveryForm::default()
            },
            error: None,
            import_errors,
            notice,
        },
    )
    .await?;
    Ok((status, render(&page)).into_response())
}

#[derive(Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agreement: String,
}

async fn accept(
    State(state): State<AppState>,
    pc: PageCaller,
    Form(f): Form<AcceptForm>,
) -> PageResult {
    pc.csrf(&f.csrf)?;
    let caller = pc.caller.clone();
    let code = f.agreement.clone();
    run(&state, &pc, move |s| {
        Ok(synergies_app::deliveries::accept(
            s,
            Some(&code),
            None,
            today(),
            &caller.actor(),
        )?)
    })
    .await?;
    Ok(see_other(&format!(
        "/deliveries?agreement={}",
        urlencode(&f.agreement)
    )))
}

#[derive(Deserialize)]
pub struct DisputeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agreement: String,
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    reason: String,
}

async fn dispute(
    State(state): State<AppState>,
    pc: PageCaller,
    Form(f): Form<DisputeForm>,
) -> PageResult {
    pc.csrf(&f.csrf)?;
    let caller = pc.caller.clone();
    let (code, id, reason) = (f.agreement.clone(), f.external_id.clone(), f.reason.clone());
    run(&state, &pc, move |s| {
        Ok(synergies_app::deliveries::dispute(
            s,
            &code,
            &id,
            &reason,
            &caller.actor(),
        )?)
    })
    .await?;
    Ok(see_other(&format!(
        "/deliveries?agreement={}",
        urlencode(&f.agreement)
    )))
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agreement: String,
    #[serde(default)]
    period: String,
}

async fn close(
    State(state): State<AppState>,
    pc: PageCaller,
    Form(f): Form<CloseForm>,
) -> PageResult {
    pc.csrf(&f.csrf)?;
    let caller = pc.caller.clone();
    let (code, period) = (f.agreement.clone(), f.period.clone());
    run(&state, &pc, move |s| {
        let period = synergies_app::form::period("period", &period)?;
        Ok(synergies_app::close::close_period(
            s,
            period,
            Some(&code),
            today(),
            &caller.actor(),
        )?)
    })
    .await?;
    Ok(see_other(&format!(
        "/charges?agreement={}",
        urlencode(&f.agreement)
    )))
}

// ---------------------------------------------------------------- charges, funds, ledger, audit

#[derive(Deserialize, Default)]
pub struct ChargeQuery {
    #[serde(default)]
    agreement: String,
}

#[derive(Template)]
#[template(path = "charges.html")]
struct ChargesPage {
    c: Chrome,
    agreement: String,
    items: Vec<synergies_store::ChargeRecord>,
}

impl ChargesPage {
    fn money(&self, minor: &i64, currency: &synergies_domain::Currency) -> String {
        self.c.t.minor(minor, currency.code())
    }
}

async fn charges(
    State(state): State<AppState>,
    pc: PageCaller,
    Query(q): Query<ChargeQuery>,
) -> PageResult {
    pc.business()?;
    let filter = synergies_store::ChargeFilter {
        agreement: (!q.agreement.is_empty()).then(|| q.agreement.clone()),
        ..Default::default()
    };
    let items = run(&state, &pc, move |s| Ok(s.charges(&filter)?)).await?;
    Ok(render(&ChargesPage {
        c: pc.chrome(),
        agreement: q.agreement,
        items,
    }))
}

#[derive(Template)]
#[template(path = "fund.html")]
struct FundPage {
    c: Chrome,
    s: FundStatement,
    form: FormState,
    /// The caller settles for the fund's organisation.
    can_settle: bool,
}

impl FundPage {
    fn money(&self, minor: &i64, currency: &synergies_domain::Currency) -> String {
        self.c.t.minor(minor, currency.code())
    }

    /// The funds this fund owes (its payables), to settle.
    fn creditors(&self) -> Vec<String> {
        let mut funds: Vec<String> = self
            .s
            .charged_by_others
            .iter()
            .map(|l| l.counterpart.clone())
            .collect();
        funds.sort();
        funds.dedup();
        funds
    }
}

async fn fund_page(
    state: &AppState,
    pc: &PageCaller,
    code: String,
    form: FormState,
    status: StatusCode,
) -> PageResult {
    pc.business()?;
    let key = format!("fund:{code}");
    let s = FundStatement::clone(
        &*state
            .cached(&key, move |st| FundStatement::load(st, &code))
            .await
            .map_err(|p| pc.problem(p))?,
    );
    let can_settle = pc
        .caller
        .actor()
        .may(&synergies_domain::access::Action::Settle {
            payer: s.organisation.clone(),
        });
    Ok((
        status,
        render(&FundPage {
            c: pc.chrome(),
            s,
            form,
            can_settle,
        }),
    )
        .into_response())
}

async fn fund(
    State(state): State<AppState>,
    pc: PageCaller,
    Path(code): Path<String>,
) -> PageResult {
    fund_page(&state, &pc, code, FormState::default(), StatusCode::OK).await
}

/// The fund pays what it owes another fund (its organisation's finance officer).
async fn settle(
    State(state): State<AppState>,
    pc: PageCaller,
    Path(code): Path<String>,
    Form(v): Form<Fields>,
) -> PageResult {
    pc.csrf(&field(&v, "csrf"))?;
    let new = synergies_app::ledger::NewSettlement {
        payer_fund: code.clone(),
        provider_fund: field(&v, "provider_fund"),
        currency: field(&v, "currency"),
        amount: typed_number(pc.lang, &field(&v, "amount")),
        date: field(&v, "date"),
        reference: field(&v, "reference"),
    };
    let caller = pc.caller.clone();
    match state
        .run(move |s| {
            Ok(new
                .settlement()
                .and_then(|st| synergies_app::ledger::settle(s, &st, &caller.actor()))
                .map_err(Problem::from))
        })
        .await
        .map_err(|p| pc.problem(p))?
    {
        Ok(_) => Ok(see_other(&format!("/funds/{}", urlencode(&code)))),
        Err(p) if p.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let status = p.status;
            fund_page(&state, &pc, code, FormState::refused(v, p), status).await
        }
        Err(p) => Err(pc.problem(p)),
    }
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    c: Chrome,
    balances: TrialBalance,
    passed: bool,
    problems: Vec<String>,
    entries: Vec<JournalEntry>,
}

impl LedgerPage {
    fn money(&self, minor: &i64, currency: &synergies_domain::Currency) -> String {
        self.c.t.minor(minor, currency.code())
    }
}

async fn ledger(State(state): State<AppState>, pc: PageCaller) -> PageResult {
    pc.business()?;
    let (balances, check, entries) = run(&state, &pc, |s| {
        let balances = synergies_app::ledger::trial_balance(s, None)?;
        let check = synergies_app::ledger::check(s)?;
        let entries = views::entries_page(s, 0, 20)?;
        Ok((balances, check, entries))
    })
    .await?;
    Ok(render(&LedgerPage {
        c: pc.chrome(),
        balances,
        passed: check.passed(),
        problems: check.violations.clone(),
        entries,
    }))
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

impl AuditPage {
    fn detail(&self, e: &AuditEvent) -> String {
        serde_json::to_string(&e.detail).unwrap_or_default()
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

// ---------------------------------------------------------------- account and users

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
            users_page(&state, &pc, p.detail, p.status).await
        }
        Err(p) => Err(pc.problem(p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

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
        ];
        let missing: Vec<&String> = keys
            .iter()
            .filter(|k| english.text(k) == **k && english.text_with(k, &args) == **k)
            .collect();
        assert!(missing.is_empty(), "keys without a text: {missing:?}");
    }
}
