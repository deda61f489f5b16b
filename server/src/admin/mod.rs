//! The staff admin web under `/admin`: server-rendered pages that work without
//! JavaScript, a cookie session, a CSRF token plus an origin check on every state
//! change, strict security headers, and every page in English and Arabic.

mod auth;
mod csrf;
mod dashboard;
mod form;
mod format;
mod i18n;
mod page;

use axum::http::{header, HeaderValue};
use axum::middleware;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;

/// No inline script or style anywhere; nothing may frame these pages.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(|| async { Redirect::permanent("/admin/") }))
        .route("/admin/", get(dashboard::show))
        .route("/admin/login", get(auth::login_form).post(auth::login))
        .route("/admin/logout", post(auth::logout))
        .route("/admin/language", post(auth::set_language))
        .route("/admin/static/admin.css", get(|| asset("text/css; charset=utf-8", include_str!("../../static/admin.css"))))
        .route("/admin/static/admin.js", get(|| asset("text/javascript; charset=utf-8", include_str!("../../static/admin.js"))))
        .layer(middleware::from_fn(csrf::origin_guard))
        .layer(header_layer(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::REFERRER_POLICY, "same-origin"))
        .layer(header_layer(header::CACHE_CONTROL, "no-store"))
}

fn header_layer(name: header::HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

async fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "private, max-age=3600")], body)
}
