//! `GET /updates/files/{id}`: a release package, streamed from the blob store with
//! `Range` support so the updater can resume. Packages are signed and not secret.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use crate::download::{self, Served};
use crate::error::{AppError, AppResult};
use crate::extract::Path;
use crate::records::releases;
use crate::state::AppState;

pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let file = releases::file(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    let name = format!("ordinavo-portal_{}_{}.{}", file.version, file.arch, file.bundle);
    let content_type = match file.bundle.as_str() {
        "deb" => "application/vnd.debian.binary-package",
        "rpm" => "application/x-rpm",
        _ => "application/octet-stream",
    };
    let served =
        Served { storage_key: &file.storage_key, size: file.size_bytes as u64, content_type, file_name: &name };
    download::stream(state.blobs.as_ref(), served, &headers).await
}
