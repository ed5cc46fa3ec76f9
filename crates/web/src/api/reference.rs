//! The reference data: the framework (organisations, conventions, funds, bienniums, budget
//! lines, services), rate cards and their dated rates, the operational exchange rates.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use synergies_domain::model::{
    Biennium, BudgetLine, Convention, Fund, FxRate, Organisation, Rate, RateCard, Service,
};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{csrf, list, Answer, Body};
use crate::auth::ApiCaller;
use crate::error::{ApiResult, ProblemDocument};
use crate::state::AppState;

/// This resource's routes and their descriptions.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(framework))
        .routes(routes!(exchange_rates, add_exchange_rate))
        .routes(routes!(rate_cards))
        .routes(routes!(add_rate))
}

list!(
    /// The operational exchange rates.
    ExchangeRateList of FxRate
);

list!(
    /// Each provider's rate cards.
    RateCardList of RateCard
);

/// The reference data.
#[derive(Serialize, ToSchema)]
pub struct FrameworkAnswer {
    pub organisations: Vec<Organisation>,
    pub conventions: Vec<Convention>,
    pub funds: Vec<Fund>,
    pub bienniums: Vec<Biennium>,
    pub budget_lines: Vec<BudgetLine>,
    pub services: Vec<Service>,
}

/// Organisations, conventions, funds, bienniums, budget lines and the service catalogue.
#[utoipa::path(get, path = "/api/v1/framework", tag = "framework", security(("token" = [])),
    responses((status = 200, body = FrameworkAnswer)))]
async fn framework(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Answer<FrameworkAnswer>> {
    c.must_read_business_data()?;
    let f = state.run(|s| Ok(s.framework()?)).await?;
    Ok(Answer(FrameworkAnswer {
        organisations: f.organisations,
        conventions: f.conventions,
        funds: f.funds,
        bienniums: f.bienniums,
        budget_lines: f.budget_lines,
        services: f.services,
    }))
}

/// The operational exchange rates, dated.
#[utoipa::path(get, path = "/api/v1/exchange-rates", tag = "framework", security(("token" = [])),
    responses((status = 200, body = ExchangeRateList)))]
async fn exchange_rates(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Answer<ExchangeRateList>> {
    c.must_read_business_data()?;
    let f = state.run(|s| Ok(s.framework()?)).await?;
    Ok(Answer(ExchangeRateList { items: f.fx_rates }))
}

/// Adds a month's operational exchange rate (finance officers). A month already rated keeps
/// its rate.
#[utoipa::path(post, path = "/api/v1/exchange-rates", tag = "framework", security(("token" = [])),
    request_body = synergies_app::reference::NewExchangeRate,
    responses((status = 201, body = FxRate),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn add_exchange_rate(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(r): Body<synergies_app::reference::NewExchangeRate>,
) -> ApiResult<(StatusCode, Answer<FxRate>)> {
    csrf(&c, &headers)?;
    let rate = state
        .act(move |s| synergies_app::reference::add_exchange_rate(s, &c.actor(), &r))
        .await?;
    Ok((StatusCode::CREATED, Answer(rate)))
}

/// Adds a dated rate to a provider's rate card (the provider's finance officer).
#[utoipa::path(post, path = "/api/v1/rates", tag = "framework", security(("token" = [])),
    request_body = synergies_app::reference::NewRate,
    responses((status = 201, body = Rate),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn add_rate(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(r): Body<synergies_app::reference::NewRate>,
) -> ApiResult<(StatusCode, Answer<Rate>)> {
    csrf(&c, &headers)?;
    let rate = state
        .act(move |s| synergies_app::reference::add_rate(s, &c.actor(), &r))
        .await?;
    Ok((StatusCode::CREATED, Answer(rate)))
}

/// Each provider's dated rate cards.
#[utoipa::path(get, path = "/api/v1/rate-cards", tag = "framework", security(("token" = [])),
    responses((status = 200, body = RateCardList)))]
async fn rate_cards(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
) -> ApiResult<Answer<RateCardList>> {
    c.must_read_business_data()?;
    let f = state.run(|s| Ok(s.framework()?)).await?;
    Ok(Answer(RateCardList {
        items: f.rate_cards,
    }))
}
