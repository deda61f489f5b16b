//! Cross-site request forgery defence, in two independent layers: every state change
//! must come from our own origin (`Origin` / `Sec-Fetch-Site`), and must carry the
//! session's CSRF token from a form we rendered.

use axum::extract::Request;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::page::AdminError;

/// Whether a request's browser-supplied provenance headers allow a state change.
/// Browsers always send them on cross-site form posts; clients that send neither
/// (scripts, tests) still need the CSRF token.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|v: &header::HeaderValue| v.to_str().ok());
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        if !matches!(site, "same-origin" | "none") {
            return false;
        }
    }
    match text(header::ORIGIN) {
        None => true,
        Some(origin) => {
            let authority = origin.split_once("://").map(|(_, rest)| rest);
            authority.is_some() && authority == text(header::HOST)
        }
    }
}

/// Refuses any unsafe request from another origin before a handler sees it.
pub async fn origin_guard(request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !same_origin(request.headers()) {
        return AdminError::Forbidden.into_response();
    }
    next.run(request).await
}

/// Compares a presented token with the expected one in constant time.
pub fn token_matches(expected: &str, presented: &str) -> bool {
    let (a, b) = (expected.as_bytes(), presented.as_bytes());
    !a.is_empty() && a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn only_our_own_origin_may_change_state() {
        assert!(same_origin(&headers(&[("host", "admin.example:8080")])));
        assert!(same_origin(&headers(&[
            ("host", "admin.example:8080"),
            ("origin", "https://admin.example:8080"),
            ("sec-fetch-site", "same-origin"),
        ])));
        assert!(!same_origin(&headers(&[("host", "admin.example:8080"), ("origin", "https://evil.example")])));
        assert!(!same_origin(&headers(&[("host", "admin.example"), ("origin", "null")])));
        assert!(!same_origin(&headers(&[("host", "admin.example"), ("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[("host", "admin.example"), ("sec-fetch-site", "same-site")])));
    }

    #[test]
    fn tokens_must_match_exactly() {
        assert!(token_matches("abc", "abc"));
        assert!(!token_matches("abc", "abd"));
        assert!(!token_matches("abc", "ab"));
        assert!(!token_matches("", ""));
    }
}
