//! The ledger: closings that post charges, the charges posted, fund statements and the
//! dashboard, the trial balance, journal entries and the check of the ledger's invariants,
//! settlements between funds.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use synergies_app::close::CloseReport;
use synergies_app::ledger::{LedgerCheck, SettlementReport};
use synergies_domain::ledger::{JournalEntry, TrialBalance};
use synergies_store::{ChargeFilter, ChargeRecord};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{csrf, list, today, Answer, Body, Params};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, ProblemDocument};
use crate::state::AppState;
use crate::views::{self, Dashboard, FundStatement};

/// This resource's routes and their descriptions.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(close_period))
        .routes(routes!(list_charges))
        .routes(routes!(fund_statement))
        .routes(routes!(dashboard))
        .routes(routes!(trial_balance))
        .routes(routes!(ledger_entries))
        .routes(routes!(ledger_check))
        .routes(routes!(settle))
}

list!(
    /// A page of posted charges.
    ChargeList of ChargeRecord,
    /// How many charges match the filters.
    total: usize,
    offset: u32,
    limit: u64,
);

list!(
    /// A page of journal entries in posting order.
    EntryList of JournalEntry,
    offset: u64,
    limit: u64,
);

/// The ledger's invariants checked.
#[derive(Serialize, ToSchema)]
pub struct CheckAnswer {
    /// Whether no invariant is violated.
    pub passed: bool,
    pub check: LedgerCheck,
}

#[derive(Deserialize, ToSchema)]
pub struct Closing {
    pub agreement: String,
    /// A month `2026-03`, a quarter `2026-Q1`, …
    pub period: String,
}

/// Closes an agreement's period: prices its accepted deliveries and posts the charges.
#[utoipa::path(post, path = "/api/v1/closings", tag = "ledger", security(("token" = [])),
    request_body = Closing,
    responses((status = 200, body = CloseReport),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn close_period(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(cl): Body<Closing>,
) -> ApiResult<Answer<CloseReport>> {
    csrf(&c, &headers)?;
    let report = state
        .act(move |s| {
            let period = synergies_app::form::period("period", &cl.period)?;
            synergies_app::close::close_period(s, period, Some(&cl.agreement), today(), &c.actor())
        })
        .await?;
    Ok(Answer(report))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChargeQuery {
    pub agreement: Option<String>,
    /// The closing's period, e.g. `2026-03`.
    pub period: Option<String>,
    /// Rows to skip.
    #[serde(default)]
    #[param(value_type = i64, minimum = 0, maximum = 4294967295_i64)]
    pub offset: u32,
    pub limit: Option<u64>,
}

/// Posted charges, filtered and paged.
#[utoipa::path(get, path = "/api/v1/charges", tag = "ledger", security(("token" = [])),
    params(ChargeQuery), responses((status = 200, body = ChargeList)))]
async fn list_charges(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Params(q): Params<ChargeQuery>,
) -> ApiResult<Answer<ChargeList>> {
    c.must_read_business_data()?;
    let limit = views::limit(q.limit)?;
    let filter = ChargeFilter {
        agreement: q.agreement,
        period: q.period,
        include_reversed: false,
    };
    let all = state.run(move |s| Ok(s.charges(&filter)?)).await?;
    let total = all.len();
    let items: Vec<_> = all
        .into_iter()
        .skip(q.offset as usize)
        .take(limit as usize)
        .collect();
    Ok(Answer(ChargeList {
        items,
        total,
        offset: q.offset,
        limit,
    }))
}

/// A fund's statement: its balances, and what it charged and was charged.
#[utoipa::path(get, path = "/api/v1/funds/{code}/statement", tag = "ledger",
    security(("token" = [])), params(("code" = String, Path)),
    responses((status = 200, body = FundStatement),
              (status = 404, body = ProblemDocument, content_type = "application/problem+json")))]
async fn fund_statement(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Answer<std::sync::Arc<FundStatement>>> {
    c.must_read_business_data()?;
    let statement = state
        .cached(&format!("fund:{code}"), move |s| {
            views::FundStatement::load(s, &code)
        })
        .await?;
    Ok(Answer(statement))
}

/// The dashboard's figures: costs recovered by direction, service and fund, ceilings used and
/// open approvals.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "ledger", security(("token" = [])),
    responses((status = 200, body = Dashboard)))]
async fn dashboard(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Answer<std::sync::Arc<Dashboard>>> {
    c.must_read_business_data()?;
    let d = state.cached("dashboard", Dashboard::load).await?;
    Ok(Answer(d))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FundQuery {
    /// One fund's balances only.
    pub fund: Option<String>,
}

/// The trial balance per fund, account and currency.
#[utoipa::path(get, path = "/api/v1/ledger/trial-balance", tag = "ledger",
    security(("token" = [])), params(FundQuery), responses((status = 200, body = TrialBalance)))]
async fn trial_balance(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Params(q): Params<FundQuery>,
) -> ApiResult<Answer<TrialBalance>> {
    c.must_read_business_data()?;
    let tb = state
        .run(move |s| Ok(synergies_app::ledger::trial_balance(s, q.fund.as_deref())?))
        .await?;
    Ok(Answer(tb))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntryQuery {
    /// Rows to skip.
    #[serde(default)]
    #[param(value_type = i64, minimum = 0, maximum = 4294967295_i64)]
    pub offset: u32,
    pub limit: Option<u64>,
}

/// Journal entries in posting order, paged.
#[utoipa::path(get, path = "/api/v1/ledger/entries", tag = "ledger", security(("token" = [])),
    params(EntryQuery), responses((status = 200, body = EntryList)))]
async fn ledger_entries(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Params(q): Params<EntryQuery>,
) -> ApiResult<Answer<EntryList>> {
    c.must_read_business_data()?;
    let limit = views::limit(q.limit)?;
    let offset = u64::from(q.offset);
    let items = state
        .run(move |s| views::entries_page(s, offset, limit))
        .await?;
    Ok(Answer(EntryList {
        items,
        offset,
        limit,
    }))
}

/// Checks the ledger's invariants: every entry balances, the trial balance equals the sum of
/// postings, every charge has its entry.
#[utoipa::path(get, path = "/api/v1/ledger/check", tag = "ledger", security(("token" = [])),
    responses((status = 200, body = CheckAnswer)))]
async fn ledger_check(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Answer<CheckAnswer>> {
    c.must_read_business_data()?;
    let check = state.run(|s| Ok(synergies_app::ledger::check(s)?)).await?;
    Ok(Answer(CheckAnswer {
        passed: check.passed(),
        check,
    }))
}

/// Records a payment from a payer fund to a provider fund.
#[utoipa::path(post, path = "/api/v1/settlements", tag = "ledger", security(("token" = [])),
    request_body = synergies_app::ledger::NewSettlement,
    responses((status = 201, body = SettlementReport),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn settle(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(new): Body<synergies_app::ledger::NewSettlement>,
) -> ApiResult<(StatusCode, Answer<SettlementReport>)> {
    csrf(&c, &headers)?;
    let report = state
        .act(move |s| synergies_app::ledger::settle(s, &new.settlement()?, &c.actor()))
        .await?;
    Ok((StatusCode::CREATED, Answer(report)))
}
