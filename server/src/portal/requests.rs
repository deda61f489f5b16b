//! The user's requests: list, detail, submit (idempotent with `Idempotency-Key`), cancel,
//! the conversation with the service team on each, and files sent from the site.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use portal_types::{AttachmentView, MessageView, NewMessageInput, NewRequestInput, Page, RequestStatus, RequestView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Portal;
use crate::domain::lifecycle::contact_may_cancel;
use crate::domain::upload::SITE_FILE_LIMIT;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{read_upload, without_json_limit, ApiJson, ApiQuery, Path};
use crate::projection::{self, PortalPage};
use crate::records::attachments::{self, OwnerKind, Uploader};
use crate::records::messages::{self, Author};
use crate::records::requests::{self, NewRequest, RequestDecision, TimeWindow};
use crate::records::time::Timestamp;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, submit))
        .routes(routes!(get))
        .routes(routes!(cancel))
        .routes(routes!(thread, write))
        .routes(without_json_limit(routes!(attach)))
}

/// The user's own requests, newest first.
#[utoipa::path(get, path = "/portal/v1/requests", tag = "requests", params(PortalPage),
    responses((status = 200, body = Page<RequestView>), (status = 401, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    portal: Portal,
    ApiQuery(query): ApiQuery<PortalPage>,
) -> AppResult<Json<Page<RequestView>>> {
    Ok(Json(projection::requests::list(&state.db, &portal.viewer, &query).await?))
}

#[utoipa::path(get, path = "/portal/v1/requests/{id}", tag = "requests",
    responses((status = 200, body = RequestView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get(State(state): State<AppState>, portal: Portal, Path(id): Path<String>) -> AppResult<Json<RequestView>> {
    Ok(Json(projection::requests::get(&state.db, &portal.viewer, &id).await?))
}

/// Submit a request for an accessible location. Send an `Idempotency-Key` header to
/// make retries safe: the same key returns the original request (200) instead of a new one.
#[utoipa::path(post, path = "/portal/v1/requests", tag = "requests", request_body = NewRequestInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique string per request, at most 100 characters")),
    responses((status = 201, body = RequestView), (status = 200, body = RequestView, description = "a retried submit"),
              (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn submit(
    State(state): State<AppState>,
    portal: Portal,
    headers: HeaderMap,
    ApiJson(input): ApiJson<NewRequestInput>,
) -> AppResult<(StatusCode, Json<RequestView>)> {
    let idempotency_key = idempotency_key(&headers)?;
    let mut windows = Vec::new();
    for (i, window) in input.preferred_windows.iter().enumerate() {
        let parse = |field: &str, text: &str| {
            chrono::DateTime::parse_from_rfc3339(text)
                .map(|t| Timestamp::from(t.to_utc()))
                .map_err(|_| AppError::field(&format!("preferred_windows[{i}].{field}"), "must be an RFC 3339 instant"))
        };
        windows.push(TimeWindow {
            starts_at: parse("starts_at", &window.starts_at)?,
            ends_at: parse("ends_at", &window.ends_at)?,
        });
    }
    let mut tx = state.db.begin_write().await?;
    let new = NewRequest {
        location_id: input.location_id,
        kind: input.kind,
        title: input.title,
        description: input.description,
        preferred_windows: windows,
        idempotency_key,
    };
    let scope = Some(&portal.viewer.scope);
    let key = new.idempotency_key.clone();
    let (request_id, created) = match requests::submit(&mut tx, &portal.actor(), Some(&portal.user.id), scope, new)
        .await
    {
        Ok((request, created)) => {
            tx.commit().await?;
            (request.id, created)
        }
        // A concurrent retry with the same key committed first: answer with its request.
        Err(AppError::Conflict(_)) if key.is_some() => {
            drop(tx);
            let existing = requests::by_idempotency_key(&state.db, &portal.user.id, key.as_deref().unwrap_or_default())
                .await?
                .ok_or_else(|| AppError::Conflict("the request could not be stored; please try again".into()))?;
            (existing, false)
        }
        Err(err) => return Err(err),
    };
    let view = projection::requests::get(&state.db, &portal.viewer, &request_id).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(view)))
}

/// Cancel an own request while it is submitted or in review.
#[utoipa::path(post, path = "/portal/v1/requests/{id}/cancel", tag = "requests",
    responses((status = 200, body = RequestView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn cancel(State(state): State<AppState>, portal: Portal, Path(id): Path<String>) -> AppResult<Json<RequestView>> {
    projection::requests::get(&state.db, &portal.viewer, &id).await?;
    let mut tx = state.db.begin_write().await?;
    let current = requests::get(&mut tx, &id).await?;
    if !contact_may_cancel(current.status) {
        return Err(AppError::Conflict(format!("a {} request can no longer be cancelled", current.status.as_str())));
    }
    let decision = RequestDecision { status: RequestStatus::Cancelled, decision_reason: None };
    requests::decide(&mut tx, &portal.actor(), &id, decision).await?;
    tx.commit().await?;
    Ok(Json(projection::requests::get(&state.db, &portal.viewer, &id).await?))
}

/// The `Idempotency-Key` header, when sent.
fn idempotency_key(headers: &HeaderMap) -> AppResult<Option<String>> {
    match headers.get("idempotency-key").map(|v| v.to_str()) {
        Some(Ok(key)) => Ok(Some(key.to_string())),
        Some(Err(_)) => Err(AppError::field("Idempotency-Key", "must be printable text")),
        None => Ok(None),
    }
}

/// The multipart form of a file from the site.
#[derive(utoipa::ToSchema)]
#[expect(dead_code, reason = "documents the multipart form for OpenAPI only")]
struct SiteFileForm {
    /// A photo (PNG, JPEG, WebP, HEIC) or a PDF, at most 10 MiB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Send a photo or document from the site with a request in view: PNG, JPEG, WebP,
/// HEIC or PDF, checked by content, at most 10 MiB, at most 5 per request. Staff see
/// it on the request and on the work it becomes. Send an `Idempotency-Key` header to
/// make retries safe: the same key returns the first file (200) instead of a second.
#[utoipa::path(post, path = "/portal/v1/requests/{id}/attachments", tag = "requests",
    request_body(content = SiteFileForm, content_type = "multipart/form-data"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique string per file, at most 100 characters")),
    responses((status = 201, body = AttachmentView), (status = 200, body = AttachmentView, description = "a retried send"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn attach(
    State(state): State<AppState>,
    portal: Portal,
    Path(id): Path<String>,
    request: Request,
) -> AppResult<(StatusCode, Json<AttachmentView>)> {
    let key = idempotency_key(request.headers())?;
    projection::requests::get(&state.db, &portal.viewer, &id).await?;
    let limit = state.config.max_upload_bytes.min(SITE_FILE_LIMIT);
    let owner = Some((OwnerKind::Request, id.as_str()));
    let (upload, _) = read_upload(request, limit, false, owner, &state.blobs).await?;
    let mut tx = state.db.begin_write().await?;
    let uploader = Uploader::Contact { user_id: &portal.user.id, idempotency_key: key.as_deref() };
    let (attachment, created) = attachments::create(&mut tx, &portal.actor(), upload, uploader).await?;
    tx.commit().await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(projection::attachments::sent(attachment))))
}

/// The conversation with the service team on a request in view, oldest first.
#[utoipa::path(get, path = "/portal/v1/requests/{id}/messages", tag = "requests",
    responses((status = 200, body = Vec<MessageView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn thread(
    State(state): State<AppState>,
    portal: Portal,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<MessageView>>> {
    Ok(Json(projection::requests::get(&state.db, &portal.viewer, &id).await?.messages))
}

/// Write to the service team on a request in view (the submitter's own, or any in
/// scope for a customer admin). Send an `Idempotency-Key` header to make retries safe:
/// the same key returns the first message (200) instead of a second one.
#[utoipa::path(post, path = "/portal/v1/requests/{id}/messages", tag = "requests", request_body = NewMessageInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique string per message, at most 100 characters")),
    responses((status = 201, body = MessageView), (status = 200, body = MessageView, description = "a retried send"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn write(
    State(state): State<AppState>,
    portal: Portal,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<NewMessageInput>,
) -> AppResult<(StatusCode, Json<MessageView>)> {
    let key = idempotency_key(&headers)?;
    projection::requests::get(&state.db, &portal.viewer, &id).await?;
    let mut tx = state.db.begin_write().await?;
    let author = Author::Contact { user_id: &portal.user.id, idempotency_key: key.as_deref() };
    let (message, created) = messages::post(&mut tx, &portal.actor(), &id, author, &input.body).await?;
    tx.commit().await?;
    let view = projection::requests::get(&state.db, &portal.viewer, &id).await?;
    let message = view.messages.into_iter().find(|m| m.id == message.id).ok_or(AppError::NotFound)?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(message)))
}
