//! API-key authentication for the integration API.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};

use crate::error::AppError;
use crate::records::api_keys;
use crate::records::audit::Actor;
use crate::state::AppState;

/// The integration client behind a valid `Authorization: Bearer ordk_…` key.
pub struct ApiCaller(pub Actor);

/// The bearer token of a request, if it has one.
pub fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let secret = bearer(parts).ok_or(AppError::Unauthorized)?;
        let key = api_keys::authenticate(&state.db, secret).await?.ok_or(AppError::Unauthorized)?;
        Ok(Self(Actor::ApiKey { id: key.id, label: key.name }))
    }
}
