//! The JSON API under `/api/v1`. Each handler is declared once, with its OpenAPI description
//! beside it (`#[utoipa::path]`), and registered through `OpenApiRouter`, so the document at
//! `/api/v1/openapi.json` lists exactly the routes the server has.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use synergies_app::close::CloseReport;
use synergies_app::import::ImportReport;
use synergies_app::ledger::{LedgerCheck, SettlementReport};
use synergies_domain::agreement::VersionStatus;
use synergies_domain::delivery::DeliveryStatus;
use synergies_domain::delivery::StoredDelivery;
use synergies_domain::ledger::{JournalEntry, TrialBalance};
use synergies_domain::model::{
    Biennium, BudgetLine, Convention, Fund, FxRate, Organisation, Rate, RateCard, Service,
};
use synergies_store::{ApiTokenRecord, AuditEvent, ChargeRecord, UserRecord};
use synergies_store::{AuditFilter, ChargeFilter, DeliveryFilter, Page};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{issue_token, sign_in, ApiCaller, ClientAddr, SignIn};
use crate::cooperation;
use crate::error::{ApiResult, Problem, ProblemDocument};
use crate::state::AppState;
use crate::views::{self, AgreementView, Dashboard, FundStatement};

pub mod common;

use common::{csrf, list, today, Answer, Body, Params};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Synergies API",
        description = "Cost recovery and cooperation between treaty secretariats. Scripts \
                       authenticate with a personal API token (`Authorization: Bearer …`), which \
                       `POST /api/v1/auth/token` gives for a username and password. Errors are \
                       RFC 9457 problem documents.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    components(schemas(ProblemDocument))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "token",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

/// The API's routes and their OpenAPI document.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(token))
        .routes(routes!(me))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(framework))
        .routes(routes!(exchange_rates, add_exchange_rate))
        .routes(routes!(rate_cards))
        .routes(routes!(add_rate))
        .routes(routes!(list_agreements, create_agreement))
        .routes(routes!(get_agreement))
        .routes(routes!(propose_agreement))
        .routes(routes!(approve_agreement))
        .routes(routes!(amend_agreement))
        .routes(routes!(list_deliveries, record_delivery))
        .routes(routes!(import_deliveries))
        .routes(routes!(accept_deliveries))
        .routes(routes!(dispute_delivery))
        .routes(routes!(close_period))
        .routes(routes!(list_charges))
        .routes(routes!(fund_statement))
        .routes(routes!(dashboard))
        .routes(routes!(trial_balance))
        .routes(routes!(ledger_entries))
        .routes(routes!(ledger_check))
        .routes(routes!(settle))
        .routes(routes!(audit_trail))
        .routes(routes!(list_users, save_user))
        .routes(routes!(cooperation::list_decisions))
        .routes(routes!(cooperation::list_mandates))
        .routes(routes!(cooperation::add_mandate_note))
        .routes(routes!(
            cooperation::list_activities,
            cooperation::add_activity
        ))
        .routes(routes!(cooperation::change_activity_status))
        .routes(routes!(cooperation::record_contribution))
        .routes(routes!(
            cooperation::list_training,
            cooperation::add_training_event
        ))
        .routes(routes!(cooperation::add_meeting))
        .routes(routes!(cooperation::add_action))
        .routes(routes!(cooperation::task_force))
        .routes(routes!(cooperation::change_action_status))
        .routes(routes!(crate::reports::api_report))
        .route("/api/v1/{*rest}", axum::routing::any(unknown_route))
        .layer(axum::middleware::map_response(problem_documents))
        .split_for_parts();
    let mut openapi = openapi;
    document_common_problems(&mut openapi);
    describe_every_response(&mut openapi);
    (router, openapi)
}

/// OpenAPI requires a description of every response: one that its operation does not describe
/// is described by its status's reason phrase (`OK`, `Created`, `Not Found`, …).
fn describe_every_response(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.head,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for op in operations.into_iter().flatten() {
            for (status, response) in op.responses.responses.iter_mut() {
                if let RefOr::T(r) = response {
                    if r.description.is_empty() {
                        r.description = status
                            .parse::<u16>()
                            .ok()
                            .and_then(|n| StatusCode::from_u16(n).ok())
                            .and_then(|s| s.canonical_reason())
                            .unwrap_or("the answer")
                            .to_string();
                    }
                }
            }
        }
    }
}

/// Documents on every operation the problems that its shape alone can give, whatever its
/// handler does: 401 where a token is needed, 403 where a signed-in caller changes data (the
/// rules of who may do what, the CSRF token of a session), 400 where a path or query parameter
/// or a body may not parse, 404 where a path names a resource, 413/415/422 where a body is
/// read (too large, another content type, wrong types). Statuses an operation documents itself
/// keep their description.
fn document_common_problems(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    fn add(op: &mut Operation, status: u16, description: &str) {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content(
                            "application/problem+json",
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("ProblemDocument")))
                                .build(),
                        )
                        .build(),
                )
            });
    }
    fn has(op: &Operation, place: ParameterIn) -> bool {
        op.parameters.iter().flatten().any(|p| match p {
            RefOr::T(Parameter { parameter_in, .. }) => *parameter_in == place,
            RefOr::Ref(_) => false,
        })
    }
    for item in openapi.paths.paths.values_mut() {
        let reads = [&mut item.get, &mut item.head]
            .into_iter()
            .flatten()
            .map(|op| (op, false));
        let writes = [
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        .map(|op| (op, true));
        for (op, changes) in reads.chain(writes) {
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            if secured {
                add(
                    op,
                    401,
                    "no valid credentials: sign in or send a personal API token",
                );
                if changes {
                    add(op, 403, "the caller may not do this");
                }
            }
            if has(op, ParameterIn::Path) {
                add(op, 400, "a path parameter that does not parse");
                add(op, 404, "no such resource");
            }
            if has(op, ParameterIn::Query) {
                add(op, 400, "a query parameter that does not parse");
                add(op, 422, "a query parameter out of its range");
            }
            if op.request_body.is_some() {
                add(op, 400, "a body that does not parse");
                add(op, 413, "a body over the size limit");
                add(op, 415, "a body of another content type");
                add(
                    op,
                    422,
                    "a body that does not hold what the operation takes",
                );
            }
        }
    }
}

async fn unknown_route() -> Problem {
    Problem::not_found("there is no such resource in the API; its document is /api/v1/openapi.json")
}

/// Makes every error of the API a problem document, including those that axum answers by
/// itself (a path segment that is not UTF-8, a body over the limit, a method the route has
/// not), whose detail is axum's text or else the status.
async fn problem_documents(response: Response) -> Response {
    use axum::http::header::{ALLOW, CONTENT_TYPE};
    let status = response.status();
    let is_problem = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v == "application/problem+json");
    if is_problem || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let detail = match (text.is_empty(), status) {
        (false, _) => text,
        (true, StatusCode::METHOD_NOT_ALLOWED) => "this resource does not take that method".into(),
        (true, _) => status.canonical_reason().unwrap_or("error").to_string(),
    };
    let mut problem = Problem::new(status, detail).into_response();
    if let Some(allow) = parts.headers.get(ALLOW) {
        problem.headers_mut().insert(ALLOW, allow.clone());
    }
    problem
}

list!(
    /// The caller's personal API tokens, without their secrets.
    TokenList of ApiTokenRecord
);

list!(
    /// The operational exchange rates.
    ExchangeRateList of FxRate
);

list!(
    /// Each provider's rate cards.
    RateCardList of RateCard
);

list!(
    /// A page of agreements.
    AgreementList of AgreementView,
    /// How many agreements match the filters.
    total: usize,
    offset: u32,
    limit: u64,
);

list!(
    /// A page of deliveries.
    DeliveryList of StoredDelivery,
    offset: u64,
    limit: u64,
);

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

list!(
    /// A page of the audit trail, newest first.
    AuditList of AuditEvent,
    limit: u64,
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

/// An agreement just approved, and whether the approval put it in force.
#[derive(Serialize, ToSchema)]
pub struct Approved {
    #[serde(flatten)]
    pub agreement: AgreementView,
    /// Whether this approval was the last one needed, so that the version is now in force.
    pub activated: bool,
}

/// How many deliveries were accepted.
#[derive(Serialize, ToSchema)]
pub struct Accepted {
    pub accepted: u64,
}

/// The delivery is disputed.
#[derive(Serialize, ToSchema)]
pub struct Disputed {
    /// Always `true`.
    pub disputed: bool,
}

/// The ledger's invariants checked.
#[derive(Serialize, ToSchema)]
pub struct CheckAnswer {
    /// Whether no invariant is violated.
    pub passed: bool,
    pub check: LedgerCheck,
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgreementQuery {
    /// Only agreements where this organisation is provider or payer.
    pub organisation: Option<String>,
    /// `draft`, `proposed`, `active`, … (the latest version's status).
    pub status: Option<String>,
    /// Rows to skip.
    #[serde(default)]
    #[param(value_type = i64, minimum = 0, maximum = 4294967295_i64)]
    pub offset: u32,
    /// At most 500; 50 by default.
    pub limit: Option<u64>,
}

/// Agreements, filtered and paged.
#[utoipa::path(get, path = "/api/v1/agreements", tag = "agreements", security(("token" = [])),
    params(AgreementQuery), responses((status = 200, body = AgreementList),
        (status = 400, body = ProblemDocument, content_type = "application/problem+json")))]
async fn list_agreements(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Params(q): Params<AgreementQuery>,
) -> ApiResult<Answer<AgreementList>> {
    c.must_read_business_data()?;
    let limit = views::limit(q.limit)?;
    if let Some(s) = q
        .status
        .as_deref()
        .filter(|s| VersionStatus::parse(s).is_none())
    {
        return Err(Problem::bad_request(format!(
            "{s:?} is not an agreement status (draft, proposed, active, superseded, withdrawn)"
        )));
    }
    let list = state.run(|s| Ok(s.agreements()?)).await?;
    let filtered: Vec<_> = list
        .into_iter()
        .filter(|a| {
            q.organisation
                .as_ref()
                .is_none_or(|o| a.parties().contains(o))
        })
        .filter(|a| {
            q.status
                .as_ref()
                .is_none_or(|s| a.latest().status.as_str() == s)
        })
        .collect();
    let total = filtered.len();
    let items = filtered
        .iter()
        .skip(q.offset as usize)
        .take(limit as usize)
        .map(AgreementView::of)
        .collect();
    Ok(Answer(AgreementList {
        items,
        total,
        offset: q.offset,
        limit,
    }))
}

/// One agreement with every version and its approval trail.
#[utoipa::path(get, path = "/api/v1/agreements/{code}", tag = "agreements", security(("token" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = AgreementView),
              (status = 404, body = ProblemDocument, content_type = "application/problem+json")))]
async fn get_agreement(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Answer<AgreementView>> {
    c.must_read_business_data()?;
    let a = state
        .run(move |s| {
            s.agreement(&code)?
                .ok_or_else(|| Problem::not_found(format!("unknown agreement {code}")))
        })
        .await?;
    Ok(Answer(AgreementView::of(&a)))
}

/// Drafts an agreement with the caller's organisation as provider.
#[utoipa::path(post, path = "/api/v1/agreements", tag = "agreements", security(("token" = [])),
    request_body = synergies_app::agreements::NewAgreement,
    responses((status = 201, body = AgreementView),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn create_agreement(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(new): Body<synergies_app::agreements::NewAgreement>,
) -> ApiResult<(StatusCode, Answer<AgreementView>)> {
    csrf(&c, &headers)?;
    let a = state
        .act(move |s| synergies_app::agreements::draft(s, &c.actor(), &new))
        .await?;
    Ok((StatusCode::CREATED, Answer(AgreementView::of(&a))))
}

/// Proposes a draft to the heads of its parties.
#[utoipa::path(post, path = "/api/v1/agreements/{code}/propose", tag = "agreements",
    security(("token" = [])), params(("code" = String, Path)),
    responses((status = 200, body = AgreementView),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn propose_agreement(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> ApiResult<Answer<AgreementView>> {
    csrf(&c, &headers)?;
    let a = state
        .act(move |s| synergies_app::agreements::propose(s, &c.actor(), &code))
        .await?;
    Ok(Answer(AgreementView::of(&a)))
}

/// The caller approves as head of a party; the agreement becomes active when the heads of
/// every party have approved.
#[utoipa::path(post, path = "/api/v1/agreements/{code}/approve", tag = "agreements",
    security(("token" = [])), params(("code" = String, Path)),
    responses((status = 200, body = Approved),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn approve_agreement(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> ApiResult<Answer<Approved>> {
    csrf(&c, &headers)?;
    let (a, activated) = state
        .act(move |s| synergies_app::agreements::approve(s, &c.actor(), &code, None, today()))
        .await?;
    Ok(Answer(Approved {
        agreement: AgreementView::of(&a),
        activated,
    }))
}

/// A head of a party proposes new terms: a new version that every head must approve.
#[utoipa::path(post, path = "/api/v1/agreements/{code}/amend", tag = "agreements",
    security(("token" = [])), params(("code" = String, Path)), request_body = synergies_app::agreements::NewAgreement,
    responses((status = 200, body = AgreementView),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn amend_agreement(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Path(code): Path<String>,
    Body(terms): Body<synergies_app::agreements::NewAgreement>,
) -> ApiResult<Answer<AgreementView>> {
    csrf(&c, &headers)?;
    let a = state
        .act(move |s| synergies_app::agreements::amend(s, &c.actor(), &code, terms.terms()?))
        .await?;
    Ok(Answer(AgreementView::of(&a)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// One agreement's deliveries, in the order of their external ids.
    pub agreement: Option<String>,
    /// `recorded`, `accepted` or `disputed`.
    pub status: Option<String>,
    /// Rows to skip.
    #[serde(default)]
    #[param(value_type = i64, minimum = 0, maximum = 4294967295_i64)]
    pub offset: u32,
    /// At most 500; 50 by default.
    pub limit: Option<u64>,
}

/// Deliveries, newest first or by agreement, filtered and paged.
#[utoipa::path(get, path = "/api/v1/deliveries", tag = "deliveries", security(("token" = [])),
    params(DeliveryQuery), responses((status = 200, body = DeliveryList),
        (status = 400, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json")))]
async fn list_deliveries(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Params(q): Params<DeliveryQuery>,
) -> ApiResult<Answer<DeliveryList>> {
    c.must_read_business_data()?;
    let limit = views::limit(q.limit)?;
    let status = q
        .status
        .as_deref()
        .map(|s| {
            DeliveryStatus::parse(s).ok_or_else(|| {
                Problem::bad_request(format!(
                    "{s:?} is not a delivery status (recorded, accepted, disputed)"
                ))
            })
        })
        .transpose()?;
    let filter = DeliveryFilter {
        agreement: q.agreement.clone(),
        status,
        ..DeliveryFilter::default()
    };
    let offset = u64::from(q.offset);
    let items = state
        .run(move |s| Ok(s.deliveries_page(&filter, Page { offset, limit })?))
        .await?;
    Ok(Answer(DeliveryList {
        items,
        offset,
        limit,
    }))
}

/// Records one delivery as the provider.
#[utoipa::path(post, path = "/api/v1/deliveries", tag = "deliveries", security(("token" = [])),
    request_body = synergies_app::deliveries::NewDelivery,
    responses((status = 201, body = ImportReport),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn record_delivery(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(d): Body<synergies_app::deliveries::NewDelivery>,
) -> ApiResult<(StatusCode, Answer<ImportReport>)> {
    csrf(&c, &headers)?;
    let report = state
        .act(move |s| synergies_app::deliveries::record(s, &c.actor(), &d))
        .await?;
    Ok((StatusCode::CREATED, Answer(report)))
}

/// Records deliveries from a CSV file (body `text/csv`, header
/// `agreement,service,date,quantity,grade,expense_amount,expense_currency,description,external_id`).
/// All or nothing: a bad row refuses the file, with every bad line listed.
#[utoipa::path(post, path = "/api/v1/deliveries/import", tag = "deliveries",
    security(("token" = [])), request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportReport),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = ProblemDocument, content_type = "application/problem+json")))]
async fn import_deliveries(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Answer<ImportReport>)> {
    csrf(&c, &headers)?;
    let report = state
        .act(move |s| {
            synergies_app::import::import_deliveries(
                s,
                &synergies_app::import::BytesSource {
                    name: "upload",
                    bytes: &body,
                },
                &mut |_| {},
                &c.actor(),
            )
        })
        .await?;
    Ok((StatusCode::CREATED, Answer(report)))
}

#[derive(Deserialize, ToSchema)]
pub struct Acceptance {
    pub agreement: String,
    /// Accept deliveries dated up to this day (YYYY-MM-DD); all when left out.
    pub through: Option<chrono::NaiveDate>,
}

/// The recipient accepts an agreement's recorded deliveries.
#[utoipa::path(post, path = "/api/v1/deliveries/accept", tag = "deliveries",
    security(("token" = [])), request_body = Acceptance,
    responses((status = 200, body = Accepted),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 404, body = ProblemDocument, content_type = "application/problem+json")))]
async fn accept_deliveries(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(a): Body<Acceptance>,
) -> ApiResult<Answer<Accepted>> {
    csrf(&c, &headers)?;
    let n = state
        .act(move |s| {
            synergies_app::deliveries::accept(s, Some(&a.agreement), a.through, today(), &c.actor())
        })
        .await?;
    Ok(Answer(Accepted { accepted: n }))
}

#[derive(Deserialize, ToSchema)]
pub struct Dispute {
    pub agreement: String,
    pub external_id: String,
    pub reason: String,
}

/// The recipient disputes one recorded delivery.
#[utoipa::path(post, path = "/api/v1/deliveries/dispute", tag = "deliveries",
    security(("token" = [])), request_body = Dispute,
    responses((status = 200, body = Disputed),
              (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
              (status = 404, body = ProblemDocument, content_type = "application/problem+json")))]
async fn dispute_delivery(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    headers: HeaderMap,
    Body(d): Body<Dispute>,
) -> ApiResult<Answer<Disputed>> {
    csrf(&c, &headers)?;
    state
        .act(move |s| {
            synergies_app::deliveries::dispute(
                s,
                &d.agreement,
                &d.external_id,
                &d.reason,
                &c.actor(),
            )
        })
        .await?;
    Ok(Answer(Disputed { disputed: true }))
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub subject: Option<String>,
    /// Events older than this id (the next page).
    pub before: Option<i64>,
    pub limit: Option<u64>,
}

/// The audit trail, newest first: who did what, when, with the record before and after.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("token" = [])),
    params(AuditQuery), responses((status = 200, body = AuditList)))]
async fn audit_trail(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Params(q): Params<AuditQuery>,
) -> ApiResult<Answer<AuditList>> {
    c.must_read_business_data()?;
    let limit = views::limit(q.limit)?;
    let filter = AuditFilter {
        actor: q.actor,
        subject: q.subject,
        before_id: q.before,
    };
    let items = state
        .run(move |s| Ok(s.audit_events(&filter, limit)?))
        .await?;
    Ok(Answer(AuditList { items, limit }))
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
