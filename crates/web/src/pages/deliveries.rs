//! The deliveries page: the list, the form that records one, the CSV import, accepting and
//! disputing.

use askama::Template;
use axum::extract::Multipart;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use synergies_app::deliveries::NewDelivery;
use synergies_domain::agreement::Agreement;
use synergies_domain::delivery::{DeliveryStatus, StoredDelivery};
use synergies_domain::model::Framework;
use synergies_i18n::FluentValue;
use synergies_store::{DeliveryFilter, Page};

use super::common::{
    agreement_row, confirmed, render, run, today, typed_number, urlencode, AgreementRow, Chrome,
    Options, PageCaller, PageError, PageResult,
};
use crate::error::Problem;
use crate::state::AppState;
use crate::views;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/deliveries", get(deliveries).post(record_delivery))
        .route("/deliveries/services", get(services_of_agreement))
        .route("/deliveries/import", post(import_deliveries))
        .route("/deliveries/accept", post(accept))
        .route("/deliveries/dispute", post(dispute))
}

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
    expense_amount: String,
    #[serde(default)]
    expense_currency: String,
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
    /// The services of the agreement chosen in the record form (its lines), code and name.
    services: Vec<(String, String)>,
    /// The currencies an expense may be in: those with exchange rates.
    currencies: Vec<String>,
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
            Some(p) if p.field.as_deref() == Some(field) => p.detail.to_string(),
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
            "expense_amount",
            "expense_currency",
            "description",
            "external_id",
        ];
        match &self.error {
            Some(p) if !FIELDS.contains(&p.field.as_deref().unwrap_or_default()) => {
                p.detail.to_string()
            }
            _ => String::new(),
        }
    }

    fn import_refused(&self) -> String {
        self.c.t.count(
            "delivery-import-refused",
            &(self.import_errors.len() as i64),
        )
    }

    fn quantity(&self, d: &StoredDelivery) -> String {
        let q = d.delivery.quantity.normalize();
        i64::try_from(q.mantissa())
            .map(|m| self.c.t.0.amount(m, q.scale()))
            .unwrap_or_else(|_| q.to_string())
    }

    fn expense(&self, d: &StoredDelivery) -> String {
        d.delivery
            .expense
            .map(|m| self.c.t.minor(&m.minor, m.currency.code()))
            .unwrap_or_default()
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
    // The statuses as the rows show them: an accepted delivery that a closing charged is
    // "charged", so "accepted" lists only the accepted ones not yet charged.
    let (status, charged, uncharged) = match input.query.status.as_str() {
        "" => (None, false, false),
        "charged" => (None, true, false),
        s => {
            let status = DeliveryStatus::parse(s).ok_or_else(|| {
                pc.problem(Problem::bad_request(format!(
                    "{s:?} is not a delivery status"
                )))
            })?;
            (Some(status), false, status == DeliveryStatus::Accepted)
        }
    };
    let filter = DeliveryFilter {
        agreement: (!input.query.agreement.is_empty()).then(|| input.query.agreement.clone()),
        status,
        charged,
        uncharged,
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
    let recordable: Vec<AgreementRow> = active
        .iter()
        .filter(|a| {
            let record = Action::RecordDeliveries {
                provider: a.provider.clone(),
            };
            who.may(&record)
        })
        .map(|a| agreement_row(a))
        .collect();
    let framework = state
        .cached("framework", |s| Ok(s.framework()?))
        .await
        .map_err(|p| pc.problem(p))?;
    let chosen = recordable
        .iter()
        .find(|a| a.code == input.form.agreement)
        .or(recordable.first())
        .and_then(|row| active.iter().find(|a| a.code == row.code));
    let services = chosen
        .map(|a| services_of(a, &framework))
        .unwrap_or_default();
    let mut currencies: Vec<String> = framework
        .fx_rates
        .iter()
        .map(|r| r.currency.code().to_string())
        // Exchange rates are per US dollar, which has none of its own.
        .chain(std::iter::once("USD".to_string()))
        .collect();
    currencies.sort();
    currencies.dedup();
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
        services,
        currencies,
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
        expense_amount: typed_number(pc.lang, &f.expense_amount),
        expense_currency: f.expense_currency.clone(),
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
        Ok(_) => Ok(confirmed(
            &state,
            &format!("/deliveries?agreement={}", urlencode(&f.agreement)),
            "done-delivery-recorded",
            &f.external_id,
        )),
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
                    error: Some(pc.shown(p)),
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
        return Err(pc.problem(Problem::bad_request(
            "choose a CSV or XLSX file of deliveries to import",
        )));
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
                p.detail
                    .in_lang(pc.lang)
                    .lines()
                    .map(str::to_string)
                    .collect(),
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
    /// The last day whose recorded deliveries are accepted; every day when empty.
    #[serde(default)]
    through: String,
}

async fn accept(
    State(state): State<AppState>,
    pc: PageCaller,
    Form(f): Form<AcceptForm>,
) -> PageResult {
    pc.csrf(&f.csrf)?;
    let caller = pc.caller.clone();
    let code = f.agreement.clone();
    let through = f.through.clone();
    let accepted = run(&state, &pc, move |s| {
        let through = match through.trim() {
            "" => None,
            day => Some(synergies_app::form::date("through", day)?),
        };
        Ok(synergies_app::deliveries::accept(
            s,
            Some(&code),
            through,
            today(),
            &caller.actor(),
        )?)
    })
    .await?;
    Ok(confirmed(
        &state,
        &format!("/deliveries?agreement={}", urlencode(&f.agreement)),
        "done-deliveries-accepted",
        &accepted.to_string(),
    ))
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
    Ok(confirmed(
        &state,
        &format!("/deliveries?agreement={}", urlencode(&f.agreement)),
        "done-delivery-disputed",
        &f.external_id,
    ))
}

/// The services an agreement's lines cover, with their names in the framework.
fn services_of(a: &Agreement, framework: &Framework) -> Vec<(String, String)> {
    let lines = a.active_version().unwrap_or(a.latest()).lines.iter();
    lines
        .map(|l| {
            let name = framework
                .services
                .iter()
                .find(|s| s.code == l.service)
                .map(|s| s.name.clone())
                .unwrap_or_default();
            (l.service.clone(), name)
        })
        .collect()
}

#[derive(Deserialize)]
pub struct ServicesQuery {
    #[serde(default)]
    agreement: String,
}

/// The options of the record form's service list for the agreement chosen (htmx swaps them in
/// when the agreement changes).
async fn services_of_agreement(
    State(state): State<AppState>,
    pc: PageCaller,
    Query(q): Query<ServicesQuery>,
) -> PageResult {
    pc.business()?;
    let code = q.agreement.clone();
    let agreement = run(&state, &pc, move |s| {
        s.agreement(&code)?
            .ok_or_else(|| Problem::not_found(format!("unknown agreement {code}")))
    })
    .await?;
    let framework = state
        .cached("framework", |s| Ok(s.framework()?))
        .await
        .map_err(|p| pc.problem(p))?;
    Ok(render(&Options {
        options: services_of(&agreement, &framework),
    }))
}
