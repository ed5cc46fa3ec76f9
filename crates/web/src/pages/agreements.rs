//! The agreements: the list, one agreement with its versions and approvals, the form that
//! drafts or amends one, proposing and approving.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use synergies_app::agreements::{NewAgreement, NewLine, NewParticipant};
use synergies_domain::agreement::{Agreement, VersionStatus};
use synergies_domain::model::Framework;
use synergies_i18n::Lang;

use super::common::{
    agreement_row, confirmed, render, run, today, typed_number, urlencode, AgreementRow, Chrome,
    CsrfForm, PageCaller, PageResult,
};
use crate::auth::Caller;
use crate::error::Problem;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/agreements", get(agreements).post(create_agreement))
        .route("/agreements/new", get(new_agreement))
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
            Some(p) if p.field.as_deref() == Some(field) => p.detail.to_string(),
            _ => String::new(),
        }
    }

    fn general_error(&self) -> String {
        match &self.error {
            Some(p) if p.field.is_none() => p.detail.to_string(),
            Some(p) if !FORM_FIELDS.contains(&p.field.as_deref().unwrap_or_default()) => {
                p.detail.to_string()
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
        (Ok(a), _) => Ok(confirmed(
            &state,
            &format!("/agreements/{}", urlencode(&a.code)),
            "done-agreement-saved",
            &a.code,
        )),
        (Err(p), framework) if p.status == StatusCode::UNPROCESSABLE_ENTITY => Ok((
            p.status,
            render(&AgreementFormPage {
                c: pc.chrome(),
                f,
                amending: None,
                error: Some(pc.shown(p)),
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
        (Ok(_), _) => Ok(confirmed(
            &state,
            &format!("/agreements/{}", urlencode(&code)),
            "done-agreement-amended",
            &code,
        )),
        (Err(p), framework) if p.status == StatusCode::UNPROCESSABLE_ENTITY => Ok((
            p.status,
            render(&AgreementFormPage {
                c: pc.chrome(),
                f,
                amending: Some(code),
                error: Some(pc.shown(p)),
                framework,
            }),
        )
            .into_response()),
        (Err(p), _) => Err(pc.problem(p)),
    }
}
