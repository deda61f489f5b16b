//! Attachment metadata and controlled downloads: released, in scope, where the grant
//! allows downloads — and only with a session token. Each download is audited.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use portal_types::AttachmentView;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Portal;
use crate::download;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{ClientIp, Path};
use crate::projection;
use crate::records::access_log::{self, Entry};
use crate::records::audit;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(attachment)).routes(routes!(content))
}

#[utoipa::path(get, path = "/portal/v1/attachments/{id}", tag = "portal",
    responses((status = 200, body = AttachmentView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn attachment(
    State(state): State<AppState>,
    portal: Portal,
    Path(id): Path<String>,
) -> AppResult<Json<AttachmentView>> {
    Ok(Json(projection::attachments::get(&state.db, &portal.viewer, &id).await?))
}

/// Download the file (supports `Range`).
#[utoipa::path(get, path = "/portal/v1/attachments/{id}/content", tag = "portal",
    responses((status = 200, description = "the file"), (status = 206, description = "a byte range"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn content(
    State(state): State<AppState>,
    portal: Portal,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let attachment = projection::attachments::for_download(&state.db, &portal.viewer, &id).await?;
    let mut tx = state.db.begin_write().await?;
    access_log::record(&mut tx, &portal.user.id, Entry::download(&ip, &attachment.id, &attachment.file_name)).await?;
    audit::record(
        &mut tx,
        &portal.actor(),
        "portal.download",
        "attachment",
        Some(&id),
        json!({ "range": headers.contains_key("range") }),
    )
    .await?;
    tx.commit().await?;
    download::respond(state.blobs.as_ref(), &attachment, &headers).await
}
