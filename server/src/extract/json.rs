//! A JSON body extractor whose rejections name the offending field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldErrors};

/// Like `axum::Json`, but malformed JSON is a 400, a wrong or missing or unknown
/// field is a 422 naming the field, and an oversized body is a 413.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(AppError::BadRequest("expected a JSON body with Content-Type: application/json".into()));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::too_large("the request body is too large")
            } else {
                AppError::BadRequest(format!("could not read the request body: {rejection}"))
            }
        })?;
        parse(&bytes).map(ApiJson)
    }
}

/// Parses a JSON body, classifying the failure.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = strip_position(&inner.to_string());
                let field = field_name(&path, &message);
                let mut fields = FieldErrors::new();
                fields.insert(field, message);
                AppError::invalid(fields)
            }
            _ => AppError::BadRequest(format!("malformed JSON: {inner}")),
        }
    })?;
    deserializer.end().map_err(|err| AppError::BadRequest(format!("malformed JSON: {err}")))?;
    Ok(value)
}

/// serde reports a missing field at the parent's path; an unknown field's path
/// already ends with its name.
fn field_name(path: &str, message: &str) -> String {
    let missing = message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next());
    match (missing, path) {
        (Some(name), "." | "") => name.to_string(),
        (Some(name), parent) => format!("{parent}.{name}"),
        (None, "." | "") => "body".to_string(),
        (None, path) => path.to_string(),
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be deserialized")]
    struct Input {
        name: String,
        count: u32,
    }

    fn fields_of(err: AppError) -> FieldErrors {
        match err {
            AppError::Invalid { fields, .. } => fields,
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert!(matches!(parse::<Input>(b"{\"name\": "), Err(AppError::BadRequest(_))));
        assert!(matches!(parse::<Input>(br#"{"name": "x", "count": 1} trailing"#), Err(AppError::BadRequest(_))));
    }

    #[test]
    fn missing_unknown_and_wrong_type_name_the_field() {
        let fields = fields_of(parse::<Input>(br#"{"name": "x"}"#).unwrap_err());
        assert_eq!(fields["count"], "missing field `count`", "{fields:?}");
        let fields = fields_of(parse::<Input>(br#"{"name": "x", "count": 1, "color": 2}"#).unwrap_err());
        assert!(fields["color"].starts_with("unknown field `color`"));
        let fields = fields_of(parse::<Input>(br#"{"name": "x", "count": "many"}"#).unwrap_err());
        assert!(fields["count"].starts_with("invalid type"), "{fields:?}");
    }
}
