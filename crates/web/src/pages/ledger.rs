//! The dashboard, closing a period, the charges posted, a fund's statement with its
//! settlement form, and the ledger (trial balance, check, latest entries).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use synergies_domain::ledger::{JournalEntry, TrialBalance};

use super::common::{
    confirmed, field, render, run, see_other, today, typed_number, urlencode, Chrome, Fields,
    FormState, PageCaller, PageResult,
};
use crate::error::Problem;
use crate::state::AppState;
use crate::views::{self, Dashboard, FundStatement};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/closings", post(close))
        .route("/charges", get(charges))
        .route("/funds/{code}", get(fund))
        .route("/funds/{code}/settle", post(settle))
        .route("/ledger", get(ledger))
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: Chrome,
    d: Dashboard,
    chart: String,
    inbox: synergies_app::inbox::Inbox,
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
    let pending = state
        .cached("inbox", |s| Ok(synergies_app::inbox::Pending::load(s)?))
        .await
        .map_err(|p| pc.problem(p))?;
    Ok(render(&DashboardPage {
        c: pc.chrome(),
        d,
        chart,
        inbox: pending.inbox(&pc.caller.actor(), today()),
    }))
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
    Ok(confirmed(
        &state,
        &format!("/charges?agreement={}", urlencode(&f.agreement)),
        "done-period-closed",
        &f.period,
    ))
}

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
        Ok(_) => Ok(confirmed(
            &state,
            &format!("/funds/{}", urlencode(&code)),
            "done-payment-recorded",
            &code,
        )),
        Err(p) if p.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let status = p.status;
            fund_page(
                &state,
                &pc,
                code,
                FormState::refused(v, pc.shown(p)),
                status,
            )
            .await
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
