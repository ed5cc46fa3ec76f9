//! Reports for scripts: each report of `synergies-reports` as a file, in any language and
//! format (the Reports page serves the same files).

use axum::extract::{Path, State};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::Params;
use crate::auth::ApiCaller;
use crate::error::ApiResult;
use crate::reports::{generated, ReportFile, ReportQuery};
use crate::state::AppState;

/// This resource's routes and their descriptions.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api_report))
}

/// One report as a file: `implementation` (`decision`, `biennium`, `next`), `statement`
/// (`agreement`, `period`) or `fund` (`fund`, `biennium`), in `lang` and `format`.
#[utoipa::path(get, path = "/api/v1/reports/{kind}", tag = "reports", security(("token" = [])),
    params(("kind" = String, Path, description = "implementation, statement or fund"), ReportQuery),
    responses((status = 200, description = "the report's file", content_type = "application/octet-stream"),
              (status = 404, body = crate::error::ProblemDocument, content_type = "application/problem+json"),
              (status = 422, body = crate::error::ProblemDocument, content_type = "application/problem+json")))]
pub async fn api_report(
    State(state): State<AppState>,
    ApiCaller(c): ApiCaller,
    Path(kind): Path<String>,
    Params(q): Params<ReportQuery>,
) -> ApiResult<ReportFile> {
    generated(&state, &c, kind, q).await
}
