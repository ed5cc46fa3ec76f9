//! The agreements: the list, one agreement with its versions and approvals, the form that
//! drafts or amends one, proposing and approving.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use synergies_app::agreements::{NewAgreement, NewLine, NewParticipant};
use synergies_app::AppError;
use synergies_domain::agreement::{Agreement, VersionStatus};
use synergies_domain::model::Framework;
use synergies_i18n::Lang;

use super::common::{
    agreement_row, confirmed, field, key_of, render, run, today, typed_number, urlencode,
    AgreementRow, Chrome, CsrfForm, Fields, FormState, Options, PageCaller, PageResult,
};
use crate::auth::Caller;
use crate::error::Problem;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/agreements", get(agreements).post(create_agreement))
        .route("/agreements/new", get(new_agreement))
        .route("/agreements/funds", get(funds_of_organisation))
        .route("/agreements/{code}", get(agreement))
        .route("/agreements/{code}/propose", post(propose))
        .route("/agreements/{code}/approve", post(approve))
        .route("/agreements/{code}/amend", get(amend_page).post(amend))
}

#[derive(Template)]
#[template(path = "agreements.html")]
struct AgreementsPage {
    c: Chrome,
    rows: Vec<AgreementRow>,
    query: ListQuery,
    /// The ceilings in force of the rows shown, summed per currency.
    totals: Vec<crate::views::Amount>,
}

/// What a list shows: the rows whose texts hold `q`, sorted by `sort` (`desc` reverses),
/// as a page or exported (`format` = `csv` or `xlsx`).
#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    #[serde(default)]
    format: String,
}

impl AgreementsPage {
    /// The link that sorts by `column` (the other way when it already does).
    fn sort_link(&self, column: &str) -> String {
        let dir = if self.query.sort == column && self.query.dir != "desc" {
            "desc"
        } else {
            "asc"
        };
        format!(
            "/agreements?q={}&sort={column}&dir={dir}",
            urlencode(&self.query.q)
        )
    }

    /// `aria-sort` of a column's header.
    fn aria_sort(&self, column: &str) -> &'static str {
        match (self.query.sort == column, self.query.dir == "desc") {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        }
    }

    fn count(&self) -> String {
        self.c.t.count("list-count", &(self.rows.len() as i64))
    }

    fn export_link(&self, format: &str) -> String {
        format!(
            "/agreements?q={}&sort={}&dir={}&format={format}",
            urlencode(&self.query.q),
            urlencode(&self.query.sort),
            urlencode(&self.query.dir)
        )
    }
}

/// The rows that `q` finds (in code, title, provider, payers or status, in any case), sorted.
fn listed(mut rows: Vec<AgreementRow>, q: &ListQuery, lang: Lang) -> Vec<AgreementRow> {
    let needle = q.q.trim().to_lowercase();
    if !needle.is_empty() {
        rows.retain(|r| {
            [
                r.code.as_str(),
                r.title.as_str(),
                r.provider.as_str(),
                r.payers.as_str(),
                &lang.text(&format!("status-{}", r.status)),
            ]
            .iter()
            .any(|t| t.to_lowercase().contains(&needle))
        });
    }
    match q.sort.as_str() {
        "title" => rows.sort_by(|a, b| a.title.cmp(&b.title)),
        "provider" => rows.sort_by(|a, b| a.provider.cmp(&b.provider)),
        "status" => rows.sort_by(|a, b| a.status.cmp(&b.status)),
        "ceiling" => rows.sort_by(|a, b| {
            (&a.ceiling.currency, a.ceiling.minor).cmp(&(&b.ceiling.currency, b.ceiling.minor))
        }),
        _ => rows.sort_by(|a, b| a.code.cmp(&b.code)),
    }
    if q.dir == "desc" {
        rows.reverse();
    }
    rows
}

/// The list as a table of the reports' model, for its CSV or XLSX export.
fn agreements_table(rows: &[AgreementRow], lang: Lang) -> synergies_reports::doc::Table {
    use synergies_reports::doc::{Cell, Row, Table};
    let t = |k: &str| lang.text(k);
    let money = |a: &crate::views::Amount| {
        let decimals = synergies_domain::Currency::from_code(&a.currency)
            .map(|c| c.exponent())
            .unwrap_or(2);
        Cell::Money {
            minor: a.minor,
            decimals,
            text: format!("{} {}", lang.amount(a.minor, decimals), a.currency),
        }
    };
    Table {
        id: "agreements".into(),
        caption: t("agreements-title"),
        columns: vec![
            t("col-code"),
            t("col-title"),
            t("col-provider"),
            t("col-payers"),
            t("col-status"),
            t("col-currency"),
            t("col-ceiling"),
        ],
        rows: rows
            .iter()
            .map(|r| Row {
                cells: vec![
                    Cell::Text(r.code.clone()),
                    Cell::Text(r.title.clone()),
                    Cell::Text(r.provider.clone()),
                    Cell::Text(r.payers.clone()),
                    Cell::Text(t(&format!("status-{}", r.status))),
                    Cell::Text(r.ceiling.currency.clone()),
                    money(&r.ceiling),
                ],
                total: false,
            })
            .collect(),
    }
}

/// The ceilings of `rows` summed per currency, in currency order.
fn ceiling_totals(rows: &[AgreementRow]) -> Vec<crate::views::Amount> {
    let mut sums: std::collections::BTreeMap<String, i64> = Default::default();
    for r in rows {
        *sums.entry(r.ceiling.currency.clone()).or_default() += r.ceiling.minor;
    }
    sums.into_iter()
        .filter_map(|(code, minor)| {
            synergies_domain::Currency::from_code(&code)
                .ok()
                .map(|c| crate::views::Amount::new(c, minor))
        })
        .collect()
}

async fn agreements(
    State(state): State<AppState>,
    pc: PageCaller,
    Query(query): Query<ListQuery>,
) -> PageResult {
    pc.business()?;
    let list = run(&state, &pc, |s| Ok(s.agreements()?)).await?;
    let rows = listed(list.iter().map(agreement_row).collect(), &query, pc.lang);
    let file = |bytes: Vec<u8>, content_type: &str, ext: &str| {
        (
            [
                (axum::http::header::CONTENT_TYPE, content_type.to_string()),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"agreements.{ext}\""),
                ),
            ],
            bytes,
        )
            .into_response()
    };
    match query.format.as_str() {
        "" => {}
        "csv" => {
            let bytes =
                synergies_reports::render::csv::render_table(&agreements_table(&rows, pc.lang))
                    .map_err(|e| pc.problem(Problem::internal(e)))?;
            return Ok(file(bytes, "text/csv; charset=utf-8", "csv"));
        }
        "xlsx" => {
            let bytes =
                synergies_reports::render::xlsx::render_table(&agreements_table(&rows, pc.lang))
                    .map_err(|e| pc.problem(Problem::internal(e.to_string())))?;
            return Ok(file(
                bytes,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ));
        }
        other => {
            return Err(pc.problem(Problem::field(
                "format",
                format!("{other:?} is not an export format: csv or xlsx"),
            )))
        }
    }
    Ok(render(&AgreementsPage {
        c: pc.chrome(),
        totals: ceiling_totals(&rows),
        rows,
        query,
    }))
}

/// The agreement form as typed: its single fields, then its lines (service, estimated
/// quantity) and the participants who pay (organisation, fund, share), each repeated in the
/// order of the page's rows. Rows left empty are dropped, so that the N-th row shown is the
/// N-th line (`lines[N]`) the service reads and names in its errors.
#[derive(Default, Clone)]
pub struct AgreementForm {
    csrf: String,
    single: Fields,
    lines: Vec<(String, String)>,
    payers: Vec<(String, String, String)>,
    /// Which list the reader asked to give one more row (`line` or `payer`), without saving.
    more: String,
}

const SINGLE_FIELDS: &[&str] = &[
    "code",
    "title",
    "kind",
    "provider",
    "provider_fund",
    "biennium",
    "currency",
    "ceiling",
    "psc_rate",
    "note",
];

impl AgreementForm {
    fn read(pairs: Vec<(String, String)>) -> AgreementForm {
        let mut f = AgreementForm::default();
        let (mut services, mut quantities) = (vec![], vec![]);
        let (mut orgs, mut funds, mut shares) = (vec![], vec![], vec![]);
        for (name, value) in pairs {
            match name.as_str() {
                "csrf" => f.csrf = value,
                "more" => f.more = value,
                "line-service" => services.push(value),
                "line-quantity" => quantities.push(value),
                "payer-organisation" => orgs.push(value),
                "payer-fund" => funds.push(value),
                "payer-share" => shares.push(value),
                other if SINGLE_FIELDS.contains(&other) => {
                    f.single.insert(name, value);
                }
                _ => {}
            }
        }
        let at = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
        let rows = services.len().max(quantities.len());
        f.lines = (0..rows)
            .map(|i| (at(&services, i), at(&quantities, i)))
            .filter(|(s, q)| !s.trim().is_empty() || !q.trim().is_empty())
            .collect();
        let rows = orgs.len().max(funds.len()).max(shares.len());
        f.payers = (0..rows)
            .map(|i| (at(&orgs, i), at(&funds, i), at(&shares, i)))
            .filter(|(o, fd, share)| [o, fd, share].iter().any(|t| !t.trim().is_empty()))
            .collect();
        f
    }

    fn get(&self, name: &str) -> String {
        field(&self.single, name)
    }

    fn to_new(&self, lang: Lang) -> NewAgreement {
        let number = |text: &str, empty: &str| {
            if text.trim().is_empty() {
                empty.to_string()
            } else {
                typed_number(lang, text)
            }
        };
        NewAgreement {
            code: self.get("code"),
            title: self.get("title"),
            kind: match self.get("kind").trim() {
                "" => "purchase".into(),
                kind => kind.to_string(),
            },
            provider: self.get("provider"),
            provider_fund: self.get("provider_fund"),
            biennium: self.get("biennium"),
            currency: self.get("currency"),
            ceiling: typed_number(lang, &self.get("ceiling")),
            psc_rate: number(&self.get("psc_rate"), "0"),
            lines: self
                .lines
                .iter()
                .map(|(service, quantity)| NewLine {
                    service: service.clone(),
                    estimated_quantity: number(quantity, "0"),
                })
                .collect(),
            participants: self
                .payers
                .iter()
                .map(|(organisation, fund, share)| NewParticipant {
                    organisation: organisation.clone(),
                    fund: fund.clone(),
                    weight: number(share, "1"),
                })
                .collect(),
            driver: None,
            note: self.get("note"),
        }
    }

    fn of(a: &Agreement, lang: Lang) -> AgreementForm {
        let v = a.latest();
        let mut single = Fields::new();
        for (name, value) in [
            ("code", a.code.clone()),
            ("title", a.title.clone()),
            ("kind", key_of(&a.kind)),
            ("provider", a.provider.clone()),
            ("provider_fund", a.provider_fund.clone()),
            ("biennium", a.biennium.clone()),
            ("currency", a.currency.code().to_string()),
            ("ceiling", a.currency.to_major(v.ceiling_minor).to_string()),
            ("psc_rate", lang.percent(&v.psc_rate.to_string())),
        ] {
            single.insert(name.to_string(), value);
        }
        AgreementForm {
            single,
            lines: v
                .lines
                .iter()
                .map(|l| {
                    (
                        l.service.clone(),
                        l.estimated_quantity.normalize().to_string(),
                    )
                })
                .collect(),
            payers: v
                .participants
                .iter()
                .map(|p| {
                    (
                        p.organisation.clone(),
                        p.fund.clone(),
                        p.weight.normalize().to_string(),
                    )
                })
                .collect(),
            ..AgreementForm::default()
        }
    }
}

/// One line of the form: its service and estimated quantity, with their messages.
struct LineRow {
    i: usize,
    service: String,
    quantity: String,
    service_error: String,
    quantity_error: String,
}

/// One participant that pays: organisation, fund (among the organisation's) and share.
struct PayerRow {
    i: usize,
    organisation: String,
    fund: String,
    share: String,
    funds: Vec<(String, String)>,
    organisation_error: String,
    fund_error: String,
    share_error: String,
}

#[derive(Template)]
#[template(path = "agreement_form.html")]
struct AgreementFormPage {
    c: Chrome,
    f: AgreementForm,
    /// `None` for a new agreement, the code when amending.
    amending: Option<String>,
    state: FormState,
    framework: Framework,
    lines: Vec<LineRow>,
    payers: Vec<PayerRow>,
    /// The provider's funds and services (all, while no provider is chosen).
    provider_funds: Vec<(String, String)>,
    services: Vec<(String, String)>,
}

/// The funds of `organisation` (all when it is empty), code and label.
fn funds_of(framework: &Framework, organisation: &str) -> Vec<(String, String)> {
    framework
        .funds
        .iter()
        .filter(|fd| organisation.trim().is_empty() || fd.organisation == organisation.trim())
        .map(|fd| {
            (
                fd.code.clone(),
                format!("{} — {} ({})", fd.code, fd.name, fd.organisation),
            )
        })
        .collect()
}

impl AgreementFormPage {
    fn new(
        c: Chrome,
        f: AgreementForm,
        amending: Option<String>,
        state: FormState,
        framework: Framework,
    ) -> AgreementFormPage {
        let error = |name: String| state.error_for(&name);
        let mut lines: Vec<LineRow> = f
            .lines
            .iter()
            .enumerate()
            .map(|(i, (service, quantity))| LineRow {
                i,
                service: service.clone(),
                quantity: quantity.clone(),
                service_error: error(format!("lines[{i}].service")),
                quantity_error: error(format!("lines[{i}].estimated_quantity")),
            })
            .collect();
        // Room for one more line, and another when the reader asks for it.
        let blank_lines = if f.more == "line" { 2 } else { 1 };
        for _ in 0..blank_lines {
            let i = lines.len();
            lines.push(LineRow {
                i,
                service: String::new(),
                quantity: String::new(),
                service_error: error(format!("lines[{i}].service")),
                quantity_error: String::new(),
            });
        }
        let mut payers: Vec<PayerRow> = f
            .payers
            .iter()
            .enumerate()
            .map(|(i, (organisation, fund, share))| PayerRow {
                i,
                organisation: organisation.clone(),
                fund: fund.clone(),
                share: share.clone(),
                funds: funds_of(&framework, organisation),
                organisation_error: error(format!("participants[{i}].organisation")),
                fund_error: error(format!("participants[{i}].fund")),
                share_error: error(format!("participants[{i}].weight")),
            })
            .collect();
        // A first party to fill in, or one more when the reader asks for it.
        let blank_payers = usize::from(payers.is_empty() || f.more == "payer");
        for _ in 0..blank_payers {
            let i = payers.len();
            payers.push(PayerRow {
                i,
                organisation: String::new(),
                fund: String::new(),
                share: String::new(),
                funds: funds_of(&framework, ""),
                organisation_error: error(format!("participants[{i}].organisation")),
                fund_error: String::new(),
                share_error: String::new(),
            });
        }
        let provider = f.get("provider");
        let provider_funds = funds_of(&framework, &provider);
        let services = framework
            .services
            .iter()
            .filter(|s| provider.trim().is_empty() || s.provider == provider.trim())
            .map(|s| (s.code.clone(), format!("{} — {}", s.code, s.name)))
            .collect();
        AgreementFormPage {
            c,
            f,
            amending,
            state,
            framework,
            lines,
            payers,
            provider_funds,
            services,
        }
    }

    /// The message for one field, if the form was refused because of it.
    fn error_for(&self, field: &str) -> String {
        self.state.error_for(field)
    }

    /// The messages of the refusal that no field of the form shows.
    fn general_errors(&self) -> Vec<String> {
        let mut shown: Vec<String> = SINGLE_FIELDS.iter().map(|s| s.to_string()).collect();
        for l in &self.lines {
            shown.push(format!("lines[{}].service", l.i));
            shown.push(format!("lines[{}].estimated_quantity", l.i));
        }
        for p in &self.payers {
            for part in ["organisation", "fund", "weight"] {
                shown.push(format!("participants[{}].{part}", p.i));
            }
        }
        let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
        let mut out = self.state.elsewhere(&shown);
        let general = self.state.general_error();
        if !general.is_empty() {
            out.push(general);
        }
        if let Some(p) = &self.state.error {
            if p.field.as_deref().is_some_and(|f| !shown.contains(&f)) {
                out.push(p.detail.in_lang(self.c.t.0));
            }
        }
        out
    }
}

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
    let provider = mine.first().cloned().unwrap_or_default();
    let mut f = AgreementForm::default();
    for (name, value) in [
        ("kind", "purchase".to_string()),
        (
            "provider_fund",
            funds_of(&framework, &provider)
                .first()
                .map(|f| f.0.clone())
                .unwrap_or_default(),
        ),
        ("provider", provider),
        ("biennium", biennium),
        ("currency", "USD".to_string()),
        ("psc_rate", pc.lang.percent("0")),
    ] {
        f.single.insert(name.to_string(), value);
    }
    Ok(render(&AgreementFormPage::new(
        pc.chrome(),
        f,
        None,
        FormState::default(),
        framework,
    )))
}

/// The form shown again: with one more row when the reader asked for it, or with every
/// problem of its fields when the service refused it (`Err` for a refusal of another kind:
/// not allowed, not found, which the error page shows).
fn form_again(
    pc: &PageCaller,
    f: AgreementForm,
    amending: Option<String>,
    error: Option<AppError>,
    framework: Framework,
) -> PageResult {
    let (status, state) = match error {
        None => (StatusCode::OK, FormState::default()),
        Some(e) => match FormState::of_fields(Fields::new(), &e, pc.lang) {
            Some(state) => (StatusCode::UNPROCESSABLE_ENTITY, state),
            None => {
                let p = Problem::from(e);
                if p.status != StatusCode::UNPROCESSABLE_ENTITY {
                    return Err(pc.problem(p));
                }
                (
                    p.status,
                    FormState {
                        error: Some(pc.shown(p)),
                        ..FormState::default()
                    },
                )
            }
        },
    };
    Ok((
        status,
        render(&AgreementFormPage::new(
            pc.chrome(),
            f,
            amending,
            state,
            framework,
        )),
    )
        .into_response())
}

async fn create_agreement(
    State(state): State<AppState>,
    pc: PageCaller,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let f = AgreementForm::read(pairs);
    pc.csrf(&f.csrf)?;
    if !f.more.is_empty() {
        let framework = run(&state, &pc, |s| Ok(s.framework()?)).await?;
        return form_again(&pc, f, None, None, framework);
    }
    let caller = pc.caller.clone();
    let new = f.to_new(pc.lang);
    let (outcome, framework) = run(&state, &pc, move |s| {
        Ok((
            synergies_app::agreements::draft(s, &caller.actor(), &new),
            s.framework()?,
        ))
    })
    .await?;
    match outcome {
        Ok(a) => Ok(confirmed(
            &state,
            &format!("/agreements/{}", urlencode(&a.code)),
            "done-agreement-saved",
            &a.code,
        )),
        Err(e) => form_again(&pc, f, None, Some(e), framework),
    }
}

/// The options of a fund list for the organisation chosen beside it (htmx swaps them in when
/// the organisation changes). The organisation comes as `organisation` or as the value of the
/// list that changed (`provider`, `payer-organisation`).
async fn funds_of_organisation(
    State(state): State<AppState>,
    pc: PageCaller,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    pc.business()?;
    let organisation = pairs
        .iter()
        .find(|(k, _)| k == "organisation")
        .or_else(|| pairs.first())
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let framework = state
        .cached("framework", |s| Ok(s.framework()?))
        .await
        .map_err(|p| pc.problem(p))?;
    Ok(render(&Options {
        options: funds_of(&framework, &organisation),
    }))
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
    Ok(confirmed(
        &state,
        &format!("/agreements/{}", urlencode(&code)),
        "done-agreement-proposed",
        &code,
    ))
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
    Ok(confirmed(
        &state,
        &format!("/agreements/{}", urlencode(&code)),
        "done-agreement-approved",
        &code,
    ))
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
    Ok(render(&AgreementFormPage::new(
        pc.chrome(),
        AgreementForm::of(&a, pc.lang),
        Some(a.code.clone()),
        FormState::default(),
        framework,
    )))
}

async fn amend(
    State(state): State<AppState>,
    pc: PageCaller,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let f = AgreementForm::read(pairs);
    pc.csrf(&f.csrf)?;
    if !f.more.is_empty() {
        let framework = run(&state, &pc, |s| Ok(s.framework()?)).await?;
        return form_again(&pc, f, Some(code), None, framework);
    }
    let caller = pc.caller.clone();
    let typed = f.to_new(pc.lang);
    let c2 = code.clone();
    let (outcome, framework) = run(&state, &pc, move |s| {
        Ok((
            synergies_app::agreements::amend_typed(s, &caller.actor(), &c2, &typed),
            s.framework()?,
        ))
    })
    .await?;
    match outcome {
        Ok(_) => Ok(confirmed(
            &state,
            &format!("/agreements/{}", urlencode(&code)),
            "done-agreement-amended",
            &code,
        )),
        Err(e) => form_again(&pc, f, Some(code), Some(e), framework),
    }
}
