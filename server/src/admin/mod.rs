//! The staff admin web under `/admin`: server-rendered pages that work without
//! JavaScript, a cookie session, a CSRF token plus an origin check on every state
//! change, strict security headers, and every page in English and Arabic.

mod access;
mod audit_log;
mod auth;
mod csrf;
mod customers;
mod dashboard;
mod files;
mod form;
pub(crate) mod format;
mod i18n;
mod lists;
mod page;
mod releases;
mod reports;
mod requests;
mod settings;
mod targets;
mod view_as;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::middleware;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;

pub use page::error_pages;

/// No inline script or style anywhere; nothing may frame these pages.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(|| async { Redirect::permanent("/admin/") }))
        .route("/admin/", get(dashboard::show))
        .route("/admin/login", get(auth::login_form).post(auth::login))
        .route("/admin/requests", get(requests::inbox))
        .route("/admin/requests/{id}", get(requests::show))
        .route("/admin/requests/{id}/decide", post(requests::decide))
        .route("/admin/requests/{id}/convert", post(requests::convert))
        .route("/admin/requests/{id}/messages", post(requests::reply))
        .route("/admin/targets", get(targets::list))
        .route("/admin/targets/{id}", get(targets::show).post(targets::update))
        .route("/admin/targets/{id}/appointments", post(targets::schedule))
        .route("/admin/targets/{id}/follow-ups", post(targets::require_follow_up))
        .route("/admin/targets/{id}/reports", post(targets::new_report))
        .route("/admin/appointments/{id}", post(targets::change_appointment))
        .route("/admin/follow-ups/{id}/plan", post(targets::plan_follow_up))
        .route("/admin/follow-ups/{id}/finish", post(targets::finish_follow_up))
        .route("/admin/reports", get(reports::list))
        .route("/admin/reports/{id}", get(reports::show).post(reports::act))
        // `read_upload` enforces the configured upload limit while streaming.
        .route("/admin/reports/{id}/attachments", post(reports::upload).layer(DefaultBodyLimit::disable()))
        .route("/admin/attachments/{id}/content", get(reports::download))
        .route("/admin/attachments/{id}/release", post(reports::release))
        .route("/admin/customers", get(customers::list).post(customers::create))
        .route("/admin/customers/{id}", get(customers::show).post(customers::update))
        .route("/admin/customers/{id}/locations", post(customers::add_location))
        .route("/admin/customers/{id}/contacts", post(customers::add_contact))
        .route("/admin/locations/{id}", get(customers::location).post(customers::update_location))
        .route("/admin/contacts/{id}", get(customers::contact).post(customers::update_contact))
        .route("/admin/follow-ups", get(targets::follow_ups))
        .route("/admin/audit", get(audit_log::show))
        .route("/admin/settings", get(settings::show))
        .route("/admin/settings/labels", post(settings::save_labels))
        .route("/admin/settings/api-keys", post(settings::create_key))
        .route("/admin/settings/api-keys/{id}/revoke", post(settings::revoke_key))
        .route("/admin/settings/staff", post(settings::add_staff))
        .route("/admin/settings/staff/{id}/status", post(settings::set_staff_status))
        .route("/admin/releases", get(releases::show))
        .route("/admin/releases/{id}/rollout", post(releases::set_rollout))
        .route("/admin/releases/{id}/pause", post(releases::set_paused))
        .route("/admin/customers/{id}/desktop-beta", post(releases::set_beta))
        .route("/admin/portal-users/{id}/view", get(view_as::show))
        .route("/admin/access", get(access::index))
        .route("/admin/access/invite", get(access::invite_form).post(access::invite))
        .route("/admin/invitations/{id}/resend", post(access::resend))
        .route("/admin/invitations/{id}/revoke", post(access::revoke))
        .route("/admin/portal-users/{id}", get(access::user))
        .route("/admin/portal-users/{id}/grant", post(access::update_grant))
        .route("/admin/portal-users/{id}/status", post(access::set_status))
        .route("/admin/portal-users/{id}/sign-out", post(access::sign_out_everywhere))
        .route("/admin/portal-users/{id}/customer-admin", post(access::set_customer_admin))
        .route("/admin/logout", post(auth::logout))
        .route("/admin/language", post(auth::set_language))
        .route(
            "/admin/static/admin.css",
            get(|| asset("text/css; charset=utf-8", include_str!("../../static/admin.css"))),
        )
        .route(
            "/admin/static/admin.js",
            get(|| asset("text/javascript; charset=utf-8", include_str!("../../static/admin.js"))),
        )
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
