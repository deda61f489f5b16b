//! `/api/v1/requests`: read portal requests out, record staff decisions and talk with
//! the customer on them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::ApiCaller;
use crate::error::{AppResult, ErrorBody};
use crate::extract::Path;
use crate::extract::{ApiJson, Page, PageQuery};
use crate::records::messages::{self, Author, Message, StaffMessage};
use crate::records::requests::{self, Request, RequestDecision};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get))
        .routes(routes!(decide))
        .routes(routes!(thread, write))
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

/// Every message on a request, oldest first: the customer's, staff replies and internal notes.
#[utoipa::path(get, path = "/api/v1/requests/{id}/messages", tag = "requests",
    responses((status = 200, body = Vec<Message>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn thread(
    State(state): State<AppState>,
    _caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<Message>>> {
    let mut conn = state.db.pool.acquire().await?;
    requests::get(&mut conn, &id).await?;
    drop(conn);
    Ok(Json(messages::thread(&state.db, &id).await?))
}

/// Write on a request: `customer` reaches the contact (live, and as a notification in
/// the desktop app); `internal` stays with staff.
#[utoipa::path(post, path = "/api/v1/requests/{id}/messages", tag = "requests", request_body = StaffMessage,
    responses((status = 201, body = Message), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn write(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<StaffMessage>,
) -> AppResult<(StatusCode, Json<Message>)> {
    let mut tx = state.db.begin_write().await?;
    let author = Author::Staff { visibility: input.visibility };
    let (message, _) = messages::post(&mut tx, &actor, &id, author, &input.body).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(message)))
}
