//! Path parameters whose rejections use the project's error shape.

use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// Like `axum::extract::Path`, but a segment that cannot be read (not UTF-8 once
/// percent-decoded, or of the wrong type) is a 422 naming the parameter, not a
/// plain-text 400.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;

    #[expect(clippy::disallowed_types, reason = "the one place that wraps axum's Path")]
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let extracted = axum::extract::Path::<T>::from_request_parts(parts, state).await;
        extracted.map(|axum::extract::Path(value)| Path(value)).map_err(rejection)
    }
}

fn rejection(rejection: PathRejection) -> AppError {
    let PathRejection::FailedToDeserializePathParams(err) = rejection else {
        return AppError::internal(anyhow::anyhow!("path parameters missing: {rejection}"));
    };
    match err.into_kind() {
        ErrorKind::InvalidUtf8InPathParam { key } => AppError::field(&key, "is not valid UTF-8"),
        ErrorKind::ParseErrorAtKey { key, expected_type, .. } => {
            AppError::field(&key, format!("is not a valid {expected_type}"))
        }
        ErrorKind::DeserializeError { key, message, .. } => AppError::field(&key, message),
        ErrorKind::ParseError { expected_type, .. } | ErrorKind::ParseErrorAtIndex { expected_type, .. } => {
            AppError::field("path", format!("is not a valid {expected_type}"))
        }
        other => AppError::internal(anyhow::anyhow!("path parameters do not fit the handler: {other}")),
    }
}
