//! Reports from the web: each report (the implementation report to the Conference of the
//! Parties, an agreement's cost-recovery statement, a fund's statement) as a file in any
//! language and format, which the Reports page ([`crate::pages`]) and `/api/v1/reports`
//! ([`crate::api`]) both serve. Both build the one report model of `synergies-reports` and
//! render it there; nothing is computed here.

use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use synergies_i18n::Lang;
use synergies_reports::{layout, model, statements, Format};
use synergies_store::Store;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::Problem;
use crate::state::AppState;

/// What a report is asked for with: the kind's parameters, its language and format.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `en`, `fr`, … (any language with translations); English by default.
    pub lang: Option<String>,
    /// `pdf`, `docx`, `html` or `xlsx`.
    pub format: Option<String>,
    /// Implementation report: the decision, e.g. `MC-6/20`.
    pub decision: Option<String>,
    /// Implementation report and fund statement: the biennium, e.g. `2026-2027`.
    pub biennium: Option<String>,
    /// Implementation report: the next biennium, e.g. `2028-2029`.
    pub next: Option<String>,
    /// Cost-recovery statement: the agreement's code.
    pub agreement: Option<String>,
    /// Cost-recovery statement: the period, e.g. `2026-Q1`.
    pub period: Option<String>,
    /// Fund statement: the fund's code.
    pub fund: Option<String>,
}

fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, Problem> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Problem::field(name, format!("give the {name}")))
}

/// The report's file: its bytes, content type and name.
pub struct ReportFile {
    pub bytes: Vec<u8>,
    pub format: Format,
    pub name: String,
}

impl IntoResponse for ReportFile {
    fn into_response(self) -> Response {
        let content_type = match self.format {
            Format::Pdf => "application/pdf",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Html => "text/html; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        };
        (
            [
                (CONTENT_TYPE, content_type.to_string()),
                (
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", self.name),
                ),
            ],
            self.bytes,
        )
            .into_response()
    }
}

/// Builds and renders one report. `kind` is `implementation`, `statement` or `fund`.
pub fn generate(store: &dyn Store, kind: &str, q: &ReportQuery) -> Result<ReportFile, Problem> {
    let lang = match q.lang.as_deref() {
        None | Some("") => Lang::english(),
        Some(code) => Lang::parse(code)
            .ok_or_else(|| Problem::field("lang", format!("no translations for {code:?}")))?,
    };
    let format = Format::parse(q.format.as_deref().unwrap_or("pdf"))
        .ok_or_else(|| Problem::field("format", "the format is pdf, docx, html or xlsx"))?;
    let date = chrono::Utc::now().date_naive();
    let fail = |e: synergies_app::AppError| Problem::from(e);
    let (doc, stem) = match kind {
        "implementation" => {
            let decision = required(&q.decision, "decision")?;
            let report = model::implementation(
                store,
                &model::ImplementationOptions {
                    decision: decision.to_string(),
                    biennium: required(&q.biennium, "biennium")?.to_string(),
                    next: required(&q.next, "next")?.to_string(),
                    symbol: None,
                    date,
                },
            )
            .map_err(fail)?;
            (
                layout::implementation(&report, lang),
                format!("implementation-{}", decision.replace('/', "-")),
            )
        }
        "statement" => {
            let agreement = required(&q.agreement, "agreement")?;
            let period = required(&q.period, "period")?;
            let s = statements::statement(store, agreement, period, date).map_err(fail)?;
            if s.charges.is_empty() {
                return Err(Problem::unprocessable(format!(
                    "agreement {agreement} has no posted charge for {period}: close the period first"
                )));
            }
            (
                statements::statement_document(&s, lang),
                format!("statement-{agreement}-{period}"),
            )
        }
        "fund" => {
            let fund = required(&q.fund, "fund")?;
            let s =
                statements::fund_statement(store, fund, required(&q.biennium, "biennium")?, date)
                    .map_err(fail)?;
            (statements::fund_document(&s, lang), format!("fund-{fund}"))
        }
        other => {
            return Err(Problem::not_found(format!(
                "no report {other:?}: the reports are implementation, statement and fund"
            )))
        }
    };
    let bytes = synergies_reports::render(&doc, format).map_err(Problem::internal)?;
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(ReportFile {
        bytes,
        format,
        name: format!("{safe}.{}.{}", lang.code(), format.as_str()),
    })
}

pub(crate) async fn generated(
    state: &AppState,
    caller: &Caller,
    kind: String,
    q: ReportQuery,
) -> Result<ReportFile, Problem> {
    caller.must_read_business_data()?;
    state.run(move |s| generate(s, &kind, &q)).await
}
