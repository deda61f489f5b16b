//! `/api/v1/attachments`: multipart upload with a size limit, release, download.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::ApiCaller;
use crate::download;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::Path;
use crate::extract::{read_upload, without_json_limit};
use crate::extract::{ApiJson, FilteredPage, ListFilter, Page, PageQuery};
use crate::records::attachments::{self, Attachment, AttachmentPatch, OwnerKind, Uploader};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(without_json_limit(routes!(upload)))
        .routes(routes!(get, update, delete))
        .routes(routes!(content))
}

/// The multipart form of an upload.
#[derive(ToSchema)]
#[expect(dead_code, reason = "documents the multipart form for OpenAPI only")]
struct UploadForm {
    owner_kind: OwnerKind,
    owner_id: String,
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The files of one owner; both parameters come together.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct OwnerFilter {
    /// What the files belong to. A target's include those of the request it was made from.
    owner_kind: Option<OwnerKind>,
    owner_id: Option<String>,
}

impl ListFilter for OwnerFilter {
    const NAMES: &'static [&'static str] = &["owner_kind", "owner_id"];
}

/// List attachments. Filters: customer_id, location_id, updated_since, and one owner
/// (`owner_kind` with `owner_id`), e.g. the photos a customer sent with a request.
#[utoipa::path(get, path = "/api/v1/attachments", tag = "attachments", params(PageQuery, OwnerFilter),
    responses((status = 200, body = Page<Attachment>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    _caller: ApiCaller,
    query: FilteredPage<OwnerFilter>,
) -> AppResult<Json<Page<Attachment>>> {
    let owner = match (query.filter.owner_kind, query.filter.owner_id.as_deref()) {
        (Some(kind), Some(id)) => Some((kind, id)),
        (None, None) => None,
        (Some(_), None) => return Err(AppError::field("owner_id", "is required with owner_kind")),
        (None, Some(_)) => return Err(AppError::field("owner_kind", "is required with owner_id")),
    };
    Ok(Json(attachments::list(&state.db, &query.page, owner).await?))
}

/// Upload a file for a report, target or request. It starts unreleased.
#[utoipa::path(post, path = "/api/v1/attachments", tag = "attachments",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Attachment), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upload(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    request: Request,
) -> AppResult<(StatusCode, Json<Attachment>)> {
    let (upload, _) = read_upload(request, state.config.max_upload_bytes, false, None, &state.blobs).await?;
    let mut tx = state.db.begin_write().await?;
    let (attachment, _) = attachments::create(&mut tx, &actor, upload, Uploader::Staff).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(attachment)))
}

#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "attachments",
    responses((status = 200, body = Attachment), (status = 404, body = ErrorBody)))]
async fn get(State(state): State<AppState>, _caller: ApiCaller, Path(id): Path<String>) -> AppResult<Json<Attachment>> {
    Ok(Json(attachments::get(&state.db.pool, &id).await?))
}

/// Release an attachment to the portal, or withdraw it.
#[utoipa::path(patch, path = "/api/v1/attachments/{id}", tag = "attachments", request_body = AttachmentPatch,
    responses((status = 200, body = Attachment), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<AttachmentPatch>,
) -> AppResult<Json<Attachment>> {
    let mut tx = state.db.begin_write().await?;
    let attachment = attachments::set_released(&mut tx, &actor, &id, patch.released).await?;
    tx.commit().await?;
    Ok(Json(attachment))
}

#[utoipa::path(delete, path = "/api/v1/attachments/{id}", tag = "attachments",
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.begin_write().await?;
    attachments::delete(&mut tx, &actor, &id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Download the file (supports `Range`).
#[utoipa::path(get, path = "/api/v1/attachments/{id}/content", tag = "attachments",
    responses((status = 200, description = "the file"), (status = 206, description = "a byte range"), (status = 404, body = ErrorBody)))]
async fn content(
    State(state): State<AppState>,
    _caller: ApiCaller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let attachment = attachments::get(&state.db.pool, &id).await?;
    download::respond(state.blobs.as_ref(), &attachment, &headers).await
}
