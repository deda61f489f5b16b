//! Listing parameters (`records::query::PageQuery`) and a list's own filters, read
//! from the query string with field-specific errors.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

pub use crate::records::query::{Page, PageQuery};

impl<S: Send + Sync> FromRequestParts<S> for PageQuery {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or_default())
    }
}

/// A query-string extractor whose rejections name the offending parameter (422).
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or_default()).map(ApiQuery)
    }
}

/// A list's own filters beyond `PageQuery`'s, read from the same query string.
pub trait ListFilter: DeserializeOwned {
    /// The parameter names the filter reads.
    const NAMES: &'static [&'static str];
}

/// The common page parameters and a list's own filters, each read with
/// field-specific errors (an unknown parameter is still refused).
pub struct FilteredPage<F> {
    pub page: PageQuery,
    pub filter: F,
}

impl<S: Send + Sync, F: ListFilter> FromRequestParts<S> for FilteredPage<F> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let (mut own, mut rest) =
            (form_urlencoded::Serializer::new(String::new()), form_urlencoded::Serializer::new(String::new()));
        for (name, value) in form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes()) {
            let to = if F::NAMES.contains(&name.as_ref()) { &mut own } else { &mut rest };
            to.append_pair(&name, &value);
        }
        Ok(Self { page: parse_query(&rest.finish())?, filter: parse_query(&own.finish())? })
    }
}

fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let field = match err.path().to_string().as_str() {
            "." | "" => "query".to_string(),
            path => path.to_string(),
        };
        AppError::field(&field, err.into_inner().to_string())
    })
}
