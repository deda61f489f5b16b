//! `/api/v1/requests`: read portal requests out and record staff decisions.

use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::ApiCaller;
use crate::error::{AppResult, ErrorBody};
use crate::extract::Path;
use crate::extract::{ApiJson, Page, PageQuery};
use crate::records::requests::{self, Request, RequestDecision};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(get)).routes(routes!(decide))
}

/// List requests. Filters: customer_id, location_id, status, updated_since.
#[utoipa::path(get, path = "/api/v1/requests", tag = "requests", params(PageQuery),
    responses((status = 200, body = Page<Request>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(State(state): State<AppState>, _caller: ApiCaller, query: PageQuery) -> AppResult<Json<Page<Request>>> {
    Ok(Json(requests::list(&state.db, &query).await?))
}

#[utoipa::path(get, path = "/api/v1/requests/{id}", tag = "requests",
    responses((status = 200, body = Request), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get(State(state): State<AppState>, _caller: ApiCaller, Path(id): Path<String>) -> AppResult<Json<Request>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(requests::get(&mut conn, &id).await?))
}

/// Move a request along its lifecycle; rejecting needs a reason written for the customer.
#[utoipa::path(post, path = "/api/v1/requests/{id}/decision", tag = "requests", request_body = RequestDecision,
    responses((status = 200, body = Request), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    ApiJson(decision): ApiJson<RequestDecision>,
) -> AppResult<Json<Request>> {
    let mut tx = state.db.begin_write().await?;
    let request = requests::decide(&mut tx, &actor, &id, decision).await?;
    tx.commit().await?;
    Ok(Json(request))
}
