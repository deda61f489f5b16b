//! Listing parameters shared by every list: keyset pagination plus the common
//! filters. Surfaces read them from the query string (`extract::page`).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::domain::validate::Fields;

/// One page of a list: the same shape on every surface.
pub use portal_types::Page;

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
