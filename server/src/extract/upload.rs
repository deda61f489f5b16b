//! Attachment uploads as multipart forms, shared by the integration API and the admin web.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::multipart::Field;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request};
use axum::http::StatusCode;

use crate::error::{AppError, AppResult};
use crate::records::attachments::{OwnerKind, Upload};
use crate::storage::blobs::{BlobStore, ReceiveError, StagedFile};

/// Exempts an upload route from the JSON body limit: `read_upload` enforces the
/// upload limit while streaming, with a clear message.
pub fn without_json_limit<S: Clone + Send + Sync + 'static>(
    (schemas, paths, method_router): utoipa_axum::router::UtoipaMethodRouter<S>,
) -> utoipa_axum::router::UtoipaMethodRouter<S> {
    (schemas, paths, method_router.layer(DefaultBodyLimit::disable()))
}

/// Room for the form's text fields and the multipart framing around the file.
const FORM_OVERHEAD: u64 = 64 * 1024;
/// Largest text field of an upload form (the owner, the CSRF token).
const TEXT_FIELD_LIMIT: usize = 4 * 1024;

/// Reads an upload form from the raw request, streaming the file into a staged blob
/// of `blobs` and stopping as soon as it exceeds `limit` bytes, a text field exceeds a
/// few KiB or the whole body exceeds the two together. The route must disable the
/// default body limit, which is sized for JSON. The admin web's form also carries its
/// CSRF token (`with_csrf`). Where the address names the owner (`owner`, the portal's
/// `/requests/{id}/attachments`), the form holds the file alone.
pub async fn read_upload(
    request: Request,
    limit: u64,
    with_csrf: bool,
    owner: Option<(OwnerKind, &str)>,
    blobs: &Arc<dyn BlobStore>,
) -> AppResult<(Upload, Option<String>)> {
    let body_limit = usize::try_from(limit.saturating_add(FORM_OVERHEAD)).unwrap_or(usize::MAX);
    let request = request.map(|body| Body::new(http_body_util::Limited::new(body, body_limit)));
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|err| AppError::BadRequest(format!("expected a multipart/form-data upload: {}", err.body_text())))?;
    let mut csrf = None;
    let mut owner_kind = owner.map(|(kind, _)| kind);
    let mut owner_id = owner.map(|(_, id)| id.to_string());
    let mut file = None;
    while let Some(mut field) = multipart.next_field().await.map_err(|err| multipart_error(err, None))? {
        let name = field.name().unwrap_or_default().to_string();
        let seen = match name.as_str() {
            "owner_kind" if owner.is_none() => owner_kind.is_some(),
            "owner_id" if owner.is_none() => owner_id.is_some(),
            "file" => file.is_some(),
            "csrf" if with_csrf => csrf.is_some(),
            other => return Err(AppError::field(other, "unknown form field")),
        };
        if seen {
            return Err(AppError::field(&name, "appears more than once"));
        }
        match name.as_str() {
            "owner_kind" => {
                let text = text(&mut field, &name).await?;
                owner_kind = Some(
                    OwnerKind::parse(text.trim())
                        .ok_or_else(|| AppError::field("owner_kind", "must be one of: report, target, request"))?,
                );
            }
            "owner_id" => owner_id = Some(text(&mut field, &name).await?.trim().to_string()),
            "file" => {
                let file_name = field.file_name().unwrap_or("attachment").to_string();
                let content_type = field.content_type().unwrap_or("application/octet-stream").to_string();
                let staged = StagedFile::receive(blobs, limit, &mut field).await.map_err(|err| match err {
                    ReceiveError::TooLarge => AppError::field_too_large(
                        "file",
                        format!("the file is larger than the upload limit of {} MiB", limit / (1024 * 1024)),
                    ),
                    ReceiveError::Source(err) => multipart_error(err, Some("file")),
                    ReceiveError::Store(err) => AppError::internal(err),
                })?;
                file = Some((file_name, content_type, staged));
            }
            _ => csrf = Some(text(&mut field, &name).await?),
        }
    }
    let mut missing = crate::error::FieldErrors::new();
    for (name, present) in
        [("owner_kind", owner_kind.is_some()), ("owner_id", owner_id.is_some()), ("file", file.is_some())]
    {
        if !present {
            missing.insert(name.to_string(), "is required".to_string());
        }
    }
    match (owner_kind, owner_id, file) {
        (Some(owner_kind), Some(owner_id), Some((file_name, content_type, file))) => {
            Ok((Upload { owner_kind, owner_id, file_name, content_type, file }, csrf))
        }
        _ => Err(AppError::invalid(missing)),
    }
}

/// A text field, read chunk by chunk so that an endless one stops early.
async fn text(field: &mut Field<'_>, name: &str) -> AppResult<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|err| multipart_error(err, Some(name)))? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > TEXT_FIELD_LIMIT {
            return Err(AppError::field_too_large(
                name,
                format!("the form field {name} is longer than {} KiB", TEXT_FIELD_LIMIT / 1024),
            ));
        }
    }
    String::from_utf8(bytes).map_err(|_| AppError::field(name, "is not valid UTF-8 text"))
}

/// A form that could not be read. Too large while `field` was being read (the whole
/// body's limit), the answer names that field.
fn multipart_error(err: axum::extract::multipart::MultipartError, field: Option<&str>) -> AppError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        match field {
            Some(name) => AppError::field_too_large(name, "the upload is too large"),
            None => AppError::too_large("the upload is too large"),
        }
    } else {
        AppError::BadRequest(format!("malformed multipart form: {}", err.body_text()))
    }
}
