//! One error type for request handling and its one mapping to the JSON error shape
//! `{"error": {"code", "message", "fields"}}`. Internal causes go to the log only.

use std::collections::BTreeMap;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::upload::Refusal;

pub type AppResult<T> = Result<T, AppError>;

/// Field name to a message about that field.
pub type FieldErrors = BTreeMap<String, String>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request could not be read at all (malformed JSON, wrong content type).
    #[error("{0}")]
    BadRequest(String),
    /// The request was read but some fields are invalid.
    #[error("{message}")]
    Invalid { message: String, fields: FieldErrors },
    #[error("missing or invalid credential")]
    Unauthorized,
    #[error("not found")]
    NotFound,
    /// The address exists but does not accept this method.
    #[error("this address does not accept this method")]
    MethodNotAllowed,
    /// A state change that is not allowed, or a clash with existing data.
    #[error("{0}")]
    Conflict(String),
    #[error("gone: {0}")]
    Gone(String),
    /// Too large (413); `fields` names the field at fault when there is one, such as an
    /// upload's file, the way an invalid field is named.
    #[error("{message}")]
    TooLarge { message: String, fields: FieldErrors },
    /// A file of a type this address does not take (415), named in `fields` like an invalid field.
    #[error("{message}")]
    UnsupportedType { message: String, fields: FieldErrors },
    /// A dependency this instance needs is down; each failing one is named in `fields`.
    #[error("{message}")]
    Unavailable { message: String, fields: FieldErrors },
    #[error("too many attempts")]
    RateLimited { retry_after_secs: u64 },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// The JSON error body, as documented in the OpenAPI specs.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// Attached to every error response as an extension, so the admin web can answer an
/// error raised by a shared extractor with its own HTML page instead of JSON.
#[derive(Debug, Clone)]
pub struct ErrorShown {
    pub code: &'static str,
    pub message: String,
    pub retry_after_secs: Option<u64>,
}

impl ErrorShown {
    /// The error again, for a surface that renders it its own way. The cause of an
    /// internal error was logged when it was first answered.
    pub fn to_error(&self) -> AppError {
        let message = self.message.clone();
        match self.code {
            "bad_request" => AppError::BadRequest(message),
            "invalid_input" => AppError::Invalid { message, fields: FieldErrors::new() },
            "unauthorized" => AppError::Unauthorized,
            "not_found" => AppError::NotFound,
            "method_not_allowed" => AppError::MethodNotAllowed,
            "conflict" => AppError::Conflict(message),
            "gone" => AppError::Gone(message),
            "too_large" => AppError::too_large(message),
            "unsupported_type" => AppError::UnsupportedType { message, fields: FieldErrors::new() },
            "unavailable" => AppError::Unavailable { message, fields: FieldErrors::new() },
            "rate_limited" => AppError::RateLimited { retry_after_secs: self.retry_after_secs.unwrap_or(60) },
            _ => AppError::Internal(anyhow::anyhow!("answered before: {message}")),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid_input`.
    pub code: &'static str,
    pub message: String,
    /// Per-field messages: the invalid fields (422), the field that is too large (413) or the
    /// unreachable dependencies (503).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: FieldErrors,
}

impl AppError {
    /// One invalid field.
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(name.to_string(), message.into());
        Self::invalid(fields)
    }

    /// Several invalid fields; the message names them.
    pub fn invalid(fields: FieldErrors) -> Self {
        let names: Vec<&str> = fields.keys().map(String::as_str).collect();
        Self::Invalid { message: format!("invalid input: {}", names.join(", ")), fields }
    }

    /// A request too large as a whole, with no one field to blame.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::TooLarge { message: message.into(), fields: FieldErrors::new() }
    }

    /// One field too large (413), named in `fields` with the message, like an invalid field.
    pub fn field_too_large(name: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut fields = FieldErrors::new();
        fields.insert(name.to_string(), message.clone());
        Self::TooLarge { message, fields }
    }

    /// A refused upload: its type is not taken (415) or the file is wrong (422), on `field`.
    pub fn refused_file(field: &str, refusal: Refusal) -> Self {
        match refusal {
            Refusal::Unsupported(message) => {
                let mut fields = FieldErrors::new();
                fields.insert(field.to_string(), message.clone());
                Self::UnsupportedType { message, fields }
            }
            Refusal::Invalid(message) => Self::field(field, message),
        }
    }

    /// A "not found" for an id named in the request body is that field's fault (422).
    pub fn for_field(self, field: &str, what: &str) -> Self {
        match self {
            Self::NotFound => Self::field(field, format!("no {what} with this id")),
            other => other,
        }
    }

    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self::Internal(cause.into())
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Self::Gone(_) => (StatusCode::GONE, "gone"),
            Self::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            Self::UnsupportedType { .. } => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_type"),
            Self::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Self::Unavailable { .. } => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl From<sqlx::Error> for AppError {
    /// Constraint violations are the client's doing and get a 409/422; everything
    /// else is ours and stays in the log.
    fn from(err: sqlx::Error) -> Self {
        if let Some(db) = err.as_database_error() {
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    return Self::Conflict("a record with the same unique value already exists".into())
                }
                sqlx::error::ErrorKind::ForeignKeyViolation => {
                    return Self::Invalid {
                        message: "refers to a record that does not exist or is still in use".into(),
                        fields: FieldErrors::new(),
                    }
                }
                sqlx::error::ErrorKind::CheckViolation | sqlx::error::ErrorKind::NotNullViolation => {
                    return Self::Invalid {
                        message: "a value is outside its allowed range".into(),
                        fields: FieldErrors::new(),
                    }
                }
                _ => {}
            }
        }
        Self::Internal(err.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let retry_after = match &self {
            Self::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let (message, fields) = match self {
            Self::Invalid { message, fields }
            | Self::TooLarge { message, fields }
            | Self::UnsupportedType { message, fields }
            | Self::Unavailable { message, fields } => (message, fields),
            Self::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                ("something went wrong on our side; please try again".to_string(), FieldErrors::new())
            }
            other => (other.to_string(), FieldErrors::new()),
        };
        let shown = ErrorShown { code, message: message.clone(), retry_after_secs: retry_after };
        let body = ErrorBody { error: ErrorDetail { code, message, fields } };
        let mut response = (status, axum::Json(body)).into_response();
        response.extensions_mut().insert(shown);
        if let Some(secs) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
