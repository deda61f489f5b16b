//! Attachment uploads as multipart forms, shared by the integration API and the admin web.

use axum::extract::Multipart;
use axum::http::StatusCode;

use crate::error::{AppError, AppResult};
use crate::records::attachments::{OwnerKind, Upload};

/// Reads an upload form, stopping as soon as the file exceeds `limit` bytes. The
/// admin web's form also carries its CSRF token (`with_csrf`).
pub async fn read_upload(mut multipart: Multipart, limit: u64, with_csrf: bool) -> AppResult<(Upload, Option<String>)> {
    let mut csrf = None;
    let mut owner_kind = None;
    let mut owner_id = None;
    let mut file = None;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "owner_kind" => {
                let text = field.text().await.map_err(multipart_error)?;
                owner_kind = Some(
                    OwnerKind::parse(text.trim())
                        .ok_or_else(|| AppError::field("owner_kind", "must be one of: report, target, request"))?,
                );
            }
            "owner_id" => owner_id = Some(field.text().await.map_err(multipart_error)?.trim().to_string()),
            "file" => {
                let file_name = field.file_name().unwrap_or("attachment").to_string();
                let content_type = field.content_type().unwrap_or("application/octet-stream").to_string();
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    bytes.extend_from_slice(&chunk);
                    if bytes.len() as u64 > limit {
                        return Err(AppError::TooLarge(format!(
                            "the file is larger than the upload limit of {} MiB",
                            limit / (1024 * 1024)
                        )));
                    }
                }
                file = Some((file_name, content_type, bytes));
            }
            "csrf" if with_csrf => csrf = Some(field.text().await.map_err(multipart_error)?),
            other => return Err(AppError::field(other, "unknown form field")),
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
        (Some(owner_kind), Some(owner_id), Some((file_name, content_type, bytes))) => {
            Ok((Upload { owner_kind, owner_id, file_name, content_type, bytes }, csrf))
        }
        _ => Err(AppError::invalid(missing)),
    }
}

fn multipart_error(err: axum::extract::multipart::MultipartError) -> AppError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge("the upload is too large".into())
    } else {
        AppError::BadRequest(format!("malformed multipart form: {}", err.body_text()))
    }
}
