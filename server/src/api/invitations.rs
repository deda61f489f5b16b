//! `/api/v1/invitations`: invite contacts to the portal, resend and revoke.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::ApiCaller;
use crate::error::{AppResult, ErrorBody};
use crate::extract::Path;
use crate::extract::{ApiJson, Page, PageQuery};
use crate::mail;
use crate::records::invitations::{self, Invitation, InvitationDelivery, NewInvitation};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(resend)).routes(routes!(revoke))
}

/// List invitations. Filters: customer_id, status, updated_since.
#[utoipa::path(get, path = "/api/v1/invitations", tag = "invitations", params(PageQuery),
    responses((status = 200, body = Page<Invitation>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    _caller: ApiCaller,
    query: PageQuery,
) -> AppResult<Json<Page<Invitation>>> {
    Ok(Json(invitations::list(&state.db, &query).await?))
}

/// Invite a contact with a grant (whole customer, or the listed locations). The code
/// and `ordinavo://invite/…` link are returned only in this answer.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "invitations", request_body = NewInvitation,
    responses((status = 201, body = InvitationDelivery), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<NewInvitation>,
) -> AppResult<(StatusCode, Json<InvitationDelivery>)> {
    let mut tx = state.db.begin_write().await?;
    let issued = invitations::create(&mut tx, &actor, input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(mail::deliver(&state, issued).await?)))
}

/// Issue a new code for a pending invitation; the previous code stops working.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/resend", tag = "invitations",
    responses((status = 200, body = InvitationDelivery), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn resend(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<InvitationDelivery>> {
    let mut tx = state.db.begin_write().await?;
    let issued = invitations::resend(&mut tx, &actor, &id).await?;
    tx.commit().await?;
    Ok(Json(mail::deliver(&state, issued).await?))
}

#[utoipa::path(post, path = "/api/v1/invitations/{id}/revoke", tag = "invitations",
    responses((status = 200, body = Invitation), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn revoke(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<Invitation>> {
    let mut tx = state.db.begin_write().await?;
    let invitation = invitations::revoke(&mut tx, &actor, &id).await?;
    tx.commit().await?;
    Ok(Json(invitation))
}
