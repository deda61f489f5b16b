//! Listing parameters shared by every list endpoint: keyset pagination plus the
//! common filters, read from the query string with field-specific errors.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::validate::Fields;
use crate::error::AppError;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// Query parameters of a list. A list answers 422 for a filter it does not support.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// Return items after this id (the previous page's `next_after`).
    pub after: Option<String>,
    pub customer_id: Option<String>,
    pub location_id: Option<String>,
    pub status: Option<String>,
    /// Only items changed at or after this instant (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
}

impl PageQuery {
    /// The page size, validated.
    pub fn limit(&self, fields: &mut Fields) -> u32 {
        match self.limit {
            None => DEFAULT_LIMIT,
            Some(n) if (1..=MAX_LIMIT).contains(&n) => n,
            Some(_) => {
                fields.error("limit", format!("must be between 1 and {MAX_LIMIT}"));
                DEFAULT_LIMIT
            }
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageQuery {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer).map_err(|err| {
            let field = match err.path().to_string().as_str() {
                "." | "" => "query".to_string(),
                path => path.to_string(),
            };
            AppError::field(&field, err.into_inner().to_string())
        })
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_after: Option<String>,
}
