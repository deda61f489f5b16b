//! `/api/v1/visit-reports`

use crate::records::reports::{NewReport, Publication, ReportPatch, VisitReport};

super::crud::crud! {
    records: reports,
    record: VisitReport,
    new: NewReport,
    patch: ReportPatch,
    tag: "visit-reports",
    collection: "/api/v1/visit-reports",
    item: "/api/v1/visit-reports/{id}",
    list_doc: "List visit reports. Filters: customer_id, location_id, status, updated_since.",
}

pub fn router() -> OpenApiRouter<AppState> {
    crud_router().routes(routes!(approve)).routes(routes!(reopen)).routes(routes!(publish)).routes(routes!(unpublish))
}

/// Approve a draft report. Customers still see nothing: publishing is a separate step.
#[utoipa::path(post, path = "/api/v1/visit-reports/{id}/approve", tag = "visit-reports",
    responses((status = 200, body = VisitReport), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn approve(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<VisitReport>> {
    let mut tx = state.db.begin_write().await?;
    let report = reports::approve(&mut tx, &actor, &id).await?;
    tx.commit().await?;
    Ok(Json(report))
}

/// Take an approved report back to draft for editing.
#[utoipa::path(post, path = "/api/v1/visit-reports/{id}/reopen", tag = "visit-reports",
    responses((status = 200, body = VisitReport), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn reopen(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<VisitReport>> {
    let mut tx = state.db.begin_write().await?;
    let report = reports::reopen(&mut tx, &actor, &id).await?;
    tx.commit().await?;
    Ok(Json(report))
}

/// Publish an approved report to the portal with texts written for the customer.
#[utoipa::path(post, path = "/api/v1/visit-reports/{id}/publish", tag = "visit-reports", request_body = Publication,
    responses((status = 200, body = VisitReport), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn publish(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    ApiJson(publication): ApiJson<Publication>,
) -> AppResult<Json<VisitReport>> {
    let mut tx = state.db.begin_write().await?;
    let report = reports::publish(&mut tx, &actor, &id, publication).await?;
    tx.commit().await?;
    Ok(Json(report))
}

/// Remove a published report from the portal; it stays approved.
#[utoipa::path(post, path = "/api/v1/visit-reports/{id}/unpublish", tag = "visit-reports",
    responses((status = 200, body = VisitReport), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn unpublish(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<VisitReport>> {
    let mut tx = state.db.begin_write().await?;
    let report = reports::unpublish(&mut tx, &actor, &id).await?;
    tx.commit().await?;
    Ok(Json(report))
}
