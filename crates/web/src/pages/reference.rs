//! The pages of reference data (framework, services and their rates, exchange rates), each
//! with the form a finance officer adds to it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use synergies_domain::model::Framework;

use super::common::{
    field, render, run, see_other, typed_number, Chrome, Fields, FormState, PageCaller, PageResult,
};
use crate::auth::Caller;
use crate::error::Problem;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/framework", get(framework))
        .route("/services", get(services))
        .route(
            "/exchange-rates",
            get(exchange_rates).post(add_exchange_rate),
        )
        .route("/rates", post(add_rate))
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
            let form = FormState::refused(v, pc.shown(p));
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
