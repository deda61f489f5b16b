//! Streaming a stored file (an attachment, a desktop release package) from the blob
//! store to a client: the server alone sets the headers, with a cleaned file name,
//! `nosniff`, the exact length and single-range support.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::domain::upload::served_name;
use crate::error::{AppError, AppResult};
use crate::records::attachments::Attachment;
use crate::storage::blobs::{BlobKey, BlobStore};

/// The byte range a client asked for, resolved against the file size.
#[derive(Debug, PartialEq, Eq)]
pub enum RangeAnswer {
    Full,
    Partial { start: u64, end: u64 },
    Unsatisfiable,
}

/// Resolves a `Range` header. Only a single `bytes=` range is honoured; anything
/// else gets the whole file, as RFC 9110 allows.
pub fn resolve_range(header: Option<&str>, size: u64) -> RangeAnswer {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return RangeAnswer::Full;
    };
    if spec.contains(',') {
        return RangeAnswer::Full;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return RangeAnswer::Full;
    };
    let (first, last) = (first.trim(), last.trim());
    let range = match (first.parse::<u64>(), last.parse::<u64>()) {
        (Ok(start), Ok(end)) if start <= end => Some((start, end.min(size.saturating_sub(1)))),
        (Ok(start), Err(_)) if last.is_empty() => Some((start, size.saturating_sub(1))),
        (Err(_), Ok(suffix)) if first.is_empty() && suffix > 0 => {
            Some((size.saturating_sub(suffix), size.saturating_sub(1)))
        }
        _ => return RangeAnswer::Full,
    };
    match range {
        Some((start, end)) if size > 0 && start < size && start <= end => RangeAnswer::Partial { start, end },
        _ => RangeAnswer::Unsatisfiable,
    }
}

/// `attachment; filename="…"; filename*=UTF-8''…` with the stored (already cleaned) name.
/// The served name's extension follows the checked type (see `served_name`).
pub fn content_disposition(file_name: &str) -> String {
    let ascii: String =
        file_name.chars().map(|c| if c.is_ascii() && !c.is_ascii_control() { c } else { '_' }).collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Streams `attachment`, honouring a `Range` request header.
pub async fn respond(blobs: &dyn BlobStore, attachment: &Attachment, request: &HeaderMap) -> AppResult<Response> {
    let name = served_name(&attachment.file_name, &attachment.content_type);
    let served = Served {
        storage_key: &attachment.storage_key,
        size: attachment.size_bytes as u64,
        content_type: &attachment.content_type,
        file_name: &name,
    };
    stream(blobs, served, request).await
}

/// A stored file as it is served.
pub struct Served<'a> {
    /// Its key in the blob store.
    pub storage_key: &'a str,
    pub size: u64,
    pub content_type: &'a str,
    /// Already cleaned.
    pub file_name: &'a str,
}

/// Streams a stored file, honouring a `Range` request header.
pub async fn stream(blobs: &dyn BlobStore, file: Served<'_>, request: &HeaderMap) -> AppResult<Response> {
    let size = file.size;
    let range = resolve_range(request.get(header::RANGE).and_then(|v| v.to_str().ok()), size);
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, header_value(file.content_type)?);
    headers.insert(header::CONTENT_DISPOSITION, header_value(&content_disposition(file.file_name))?);
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    let (status, start, len) = match range {
        RangeAnswer::Full => (StatusCode::OK, 0, size),
        RangeAnswer::Partial { start, end } => {
            headers.insert(header::CONTENT_RANGE, header_value(&format!("bytes {start}-{end}/{size}"))?);
            (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
        }
        RangeAnswer::Unsatisfiable => {
            headers.insert(header::CONTENT_RANGE, header_value(&format!("bytes */{size}"))?);
            return Ok((StatusCode::RANGE_NOT_SATISFIABLE, headers).into_response());
        }
    };
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    let key = BlobKey::stored(file.storage_key).map_err(AppError::internal)?;
    let body = Body::from_stream(blobs.read(&key, start..start + len).await.map_err(AppError::internal)?);
    Ok((status, headers, body).into_response())
}

fn header_value(text: &str) -> AppResult<HeaderValue> {
    HeaderValue::from_str(text).map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(resolve_range(None, 100), RangeAnswer::Full);
        assert_eq!(resolve_range(Some("bytes=0-9"), 100), RangeAnswer::Partial { start: 0, end: 9 });
        assert_eq!(resolve_range(Some("bytes=90-"), 100), RangeAnswer::Partial { start: 90, end: 99 });
        assert_eq!(resolve_range(Some("bytes=-10"), 100), RangeAnswer::Partial { start: 90, end: 99 });
        assert_eq!(resolve_range(Some("bytes=50-500"), 100), RangeAnswer::Partial { start: 50, end: 99 });
        assert_eq!(resolve_range(Some("bytes=100-"), 100), RangeAnswer::Unsatisfiable);
        assert_eq!(resolve_range(Some("bytes=0-1,5-6"), 100), RangeAnswer::Full);
        assert_eq!(resolve_range(Some("items=0-1"), 100), RangeAnswer::Full);
        assert_eq!(resolve_range(Some("bytes=9-2"), 100), RangeAnswer::Full);
    }

    #[test]
    fn disposition_quotes_safely() {
        assert_eq!(
            content_disposition("تقرير.pdf"),
            "attachment; filename=\"_____.pdf\"; filename*=UTF-8''%D8%AA%D9%82%D8%B1%D9%8A%D8%B1.pdf"
        );
        assert_eq!(
            content_disposition("visit report.pdf"),
            "attachment; filename=\"visit report.pdf\"; filename*=UTF-8''visit%20report.pdf"
        );
    }
}
