//! A customer admin's colleagues: list them, invite one with a grant within the
//! admin's own, disable and re-enable them, resend and revoke pending invitations.
//! Anyone who is not a customer admin gets 404 on every one of these, and so does
//! any id outside the admin's grants.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use portal_types::{ColleagueInvitationDelivery, ColleagueInvitationView, ColleagueView, NewColleagueInvitation, Page};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Portal;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Path};
use crate::mail;
use crate::projection::page;
use crate::records::colleagues::{self, Admin};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(invitations, invite))
        .routes(routes!(resend))
        .routes(routes!(revoke))
        .routes(routes!(disable))
        .routes(routes!(enable))
}

/// A signed-in customer admin; anyone else is answered "not found".
pub struct CustomerAdmin {
    pub portal: Portal,
    pub admin: Admin,
}

impl FromRequestParts<AppState> for CustomerAdmin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let portal = Portal::from_request_parts(parts, state).await?;
        if !portal.user.is_customer_admin() {
            return Err(AppError::NotFound);
        }
        let admin = Admin::of(&state.db, &portal.user.id, &portal.viewer.scope).await?;
        Ok(CustomerAdmin { portal, admin })
    }
}

/// Paging of the colleague list: `limit` (1–200, default 50) and an opaque `after` cursor.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ColleaguePage {
    pub limit: Option<u32>,
    pub after: Option<String>,
}

/// The portal users of your customer within your grants (you among them), with their
/// grants, status and last sign-in. Customer admins only.
#[utoipa::path(get, path = "/portal/v1/colleagues", tag = "colleagues", params(ColleaguePage),
    responses((status = 200, body = Page<ColleagueView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    who: CustomerAdmin,
    ApiQuery(query): ApiQuery<ColleaguePage>,
) -> AppResult<Json<Page<ColleagueView>>> {
    let limit = colleagues::page_limit(query.limit)?;
    let found = colleagues::list(&state.db, &who.admin, query.after.as_deref(), limit).await?;
    Ok(Json(page(found, limit, |c| c.id.clone())))
}

/// Pending invitations for colleagues within your grants, oldest first. Customer admins only.
#[utoipa::path(get, path = "/portal/v1/colleagues/invitations", tag = "colleagues",
    responses((status = 200, body = Vec<ColleagueInvitationView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn invitations(
    State(state): State<AppState>,
    who: CustomerAdmin,
) -> AppResult<Json<Vec<ColleagueInvitationView>>> {
    Ok(Json(colleagues::pending(&state.db, &who.admin).await?))
}

/// Invite a colleague with a grant within yours: `location_ids` (empty: the whole
/// customer, only if you hold it) and `can_download` (only where you may download). A
/// location outside your grants is 404, any other widening 422. The code and link are
/// returned when the invitation was not e-mailed. Customer admins only.
#[utoipa::path(post, path = "/portal/v1/colleagues/invitations", tag = "colleagues", request_body = NewColleagueInvitation,
    responses((status = 201, body = ColleagueInvitationDelivery), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn invite(
    State(state): State<AppState>,
    who: CustomerAdmin,
    ApiJson(input): ApiJson<NewColleagueInvitation>,
) -> AppResult<(StatusCode, Json<ColleagueInvitationDelivery>)> {
    let mut tx = state.db.begin_write().await?;
    let issued = colleagues::invite(&mut tx, &who.admin, &who.portal.actor(), input).await?;
    tx.commit().await?;
    let delivery = mail::deliver(&state, issued).await?;
    Ok((StatusCode::CREATED, Json(colleagues::delivery_view(&state.db, delivery).await?)))
}

/// Issue a new code for a pending invitation; the previous code stops working. Customer admins only.
#[utoipa::path(post, path = "/portal/v1/colleagues/invitations/{id}/resend", tag = "colleagues",
    responses((status = 200, body = ColleagueInvitationDelivery), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
async fn resend(
    State(state): State<AppState>,
    who: CustomerAdmin,
    Path(id): Path<String>,
) -> AppResult<Json<ColleagueInvitationDelivery>> {
    let mut tx = state.db.begin_write().await?;
    let issued = colleagues::resend(&mut tx, &who.admin, &who.portal.actor(), &id).await?;
    tx.commit().await?;
    let delivery = mail::deliver(&state, issued).await?;
    Ok(Json(colleagues::delivery_view(&state.db, delivery).await?))
}

/// Withdraw a pending invitation; its code stops working. Customer admins only.
#[utoipa::path(post, path = "/portal/v1/colleagues/invitations/{id}/revoke", tag = "colleagues",
    responses((status = 200, body = ColleagueInvitationView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
async fn revoke(
    State(state): State<AppState>,
    who: CustomerAdmin,
    Path(id): Path<String>,
) -> AppResult<Json<ColleagueInvitationView>> {
    let mut tx = state.db.begin_write().await?;
    let view = colleagues::revoke(&mut tx, &who.admin, &who.portal.actor(), &id).await?;
    tx.commit().await?;
    Ok(Json(view))
}

/// Disable a colleague: their sessions end at once. Customer admins only.
#[utoipa::path(post, path = "/portal/v1/colleagues/{id}/disable", tag = "colleagues",
    responses((status = 200, body = ColleagueView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
async fn disable(
    State(state): State<AppState>,
    who: CustomerAdmin,
    Path(id): Path<String>,
) -> AppResult<Json<ColleagueView>> {
    set_active(&state, &who, &id, false).await
}

/// Re-enable a disabled colleague. Customer admins only.
#[utoipa::path(post, path = "/portal/v1/colleagues/{id}/enable", tag = "colleagues",
    responses((status = 200, body = ColleagueView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
async fn enable(
    State(state): State<AppState>,
    who: CustomerAdmin,
    Path(id): Path<String>,
) -> AppResult<Json<ColleagueView>> {
    set_active(&state, &who, &id, true).await
}

async fn set_active(state: &AppState, who: &CustomerAdmin, id: &str, active: bool) -> AppResult<Json<ColleagueView>> {
    let mut tx = state.db.begin_write().await?;
    colleagues::set_active(&mut tx, &state.db, &who.admin, &who.portal.actor(), id, active).await?;
    tx.commit().await?;
    Ok(Json(colleagues::get(&state.db, &who.admin, id).await?))
}
