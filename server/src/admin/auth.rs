//! Staff sign-in with a cookie session: HttpOnly, SameSite=Strict, Secure behind
//! https, a fresh session id at every sign-in, throttled like the portal's sign-in.

use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::csrf;
use super::form::{FormData, Posted};
use super::i18n::Lang;
use super::page::{render_status, AdminError, Chrome, Notice};
use crate::domain::password;
use crate::domain::throttle::{self, Verdict};
use crate::extract::ClientIp;
use crate::ops::metrics::{LoginFailure, Surface};
use crate::portal::dummy_hash;
use crate::records::audit::{self, Actor};
use crate::records::staff::{self, Role};
use crate::records::staff_sessions::{self, StaffSession};
use crate::records::throttle as counters;
use crate::state::AppState;
use crate::storage::now_ms;

const SESSION_COOKIE: &str = "ordinavo_staff";
/// Double-submit token of the sign-in form, which has no session yet to hold one.
const LOGIN_COOKIE: &str = "ordinavo_staff_login";

/// A signed-in staff member, with the confirmation to show if this page follows a post.
pub struct Staff {
    pub session: StaffSession,
    notice: Option<Notice>,
    /// This page's path and query, to come back to after switching language.
    here: String,
}

impl Staff {
    pub fn actor(&self) -> Actor {
        Actor::Staff { id: self.session.staff_user_id.clone(), label: self.session.email.clone() }
    }

    pub fn lang(&self) -> Lang {
        Lang::parse(&self.session.language).unwrap_or(Lang::En)
    }

    pub fn is_admin(&self) -> bool {
        Role::parse(&self.session.role) == Some(Role::Admin)
    }

    /// Staff users and API keys are for admins only.
    pub fn require_admin(&self) -> Result<(), AdminError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AdminError::Forbidden)
        }
    }

    /// The page frame, with `section` highlighted in the navigation.
    pub fn chrome(&self, section: &'static str) -> Chrome {
        let lang = self.lang();
        let notice = self.notice.map(|notice| lang.t(&format!("done.{}", notice.key()))).unwrap_or_default();
        Chrome {
            lang,
            csrf: self.session.csrf_token.clone(),
            staff_name: self.session.name.clone(),
            is_admin: self.is_admin(),
            section,
            notice,
            here: self.here.clone(),
        }
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(AdminError::SignIn)?;
        let session = staff_sessions::authenticate(&state.db, token).await?.ok_or(AdminError::SignIn)?;
        let notice = form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .find(|(k, _)| k == "done")
            .and_then(|(_, v)| Notice::parse(&v));
        // After a post the address is the action's, which has no page to return to.
        let here = match parts.method {
            axum::http::Method::GET => parts.uri.path_and_query().map(|p| p.as_str().to_string()),
            _ => None,
        };
        let here = here.unwrap_or_else(|| "/admin/".into());
        Ok(Staff { session, notice, here })
    }
}

fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.public_url.starts_with("https://") { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&text).expect("cookie values are URL-safe")
}

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage {
    lang: Lang,
    token: String,
    email: String,
    message: &'static str,
}

impl LoginPage {
    fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }
}

fn login_page(state: &AppState, status: StatusCode, lang: Lang, email: String, message: &'static str) -> Response {
    let token = crate::domain::tokens::generate("", 24);
    let page = LoginPage { lang, token: token.clone(), email, message };
    match render_status(status, &page) {
        Ok(mut response) => {
            response.headers_mut().append(header::SET_COOKIE, set_cookie(state, LOGIN_COOKIE, &token, 3600));
            response
        }
        Err(err) => err.into_response(),
    }
}

pub async fn login_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    login_page(&state, StatusCode::OK, Lang::from_headers(&headers), String::new(), "")
}

pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, AdminError> {
    let form = FormData::read(body).await?;
    let lang = Lang::from_headers(&headers);
    let email = form.get("email").trim().to_lowercase();
    if !csrf::token_matches(cookie(&headers, LOGIN_COOKIE).unwrap_or_default(), form.get("csrf")) {
        return Ok(login_page(&state, StatusCode::FORBIDDEN, lang, email, lang.t("login.expired")));
    }
    for (key, limit) in
        [(format!("staff-account:{email}"), throttle::ACCOUNT_LIMIT), (format!("staff-ip:{ip}"), throttle::IP_LIMIT)]
    {
        let (attempts, window_start) = counters::count_attempt(&state.db, &key).await?;
        if let Verdict::Limited { .. } = throttle::judge(attempts, limit, window_start, now_ms()) {
            state.metrics.login_failed(Surface::Staff, LoginFailure::Throttled);
            return Ok(login_page(&state, StatusCode::TOO_MANY_REQUESTS, lang, email, lang.t("login.throttled")));
        }
    }
    let user = staff::by_email(&state.db, &email).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| dummy_hash().to_string());
    let candidate = form.get("password").to_string();
    let matches = tokio::task::spawn_blocking(move || password::verify(&candidate, &stored))
        .await
        .map_err(|err| AdminError::App(crate::error::AppError::internal(err)))?;
    let mut tx = state.db.begin_write().await?;
    let user = match user {
        Some(user) if matches && user.disabled == 0 => user,
        _ => {
            let details = json!({ "email": email, "ip": ip });
            audit::record(&mut tx, &Actor::System, "staff.sign_in_failed", "staff_user", None, details).await?;
            tx.commit().await?;
            state.metrics.login_failed(Surface::Staff, LoginFailure::Credentials);
            return Ok(login_page(&state, StatusCode::UNAUTHORIZED, lang, email, lang.t("login.failed")));
        }
    };
    let token = staff_sessions::create(&mut tx, &user.id, &ip).await?;
    let actor = Actor::Staff { id: user.id.clone(), label: user.email.clone() };
    audit::record(&mut tx, &actor, "staff.sign_in", "staff_user", Some(&user.id), json!({ "ip": ip })).await?;
    tx.commit().await?;
    counters::clear(&state.db, &format!("staff-account:{email}")).await?;
    counters::uncount_attempt(&state.db, &format!("staff-ip:{ip}")).await?;
    let mut response = Redirect::to("/admin/").into_response();
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, set_cookie(&state, SESSION_COOKIE, &token, staff_sessions::ABSOLUTE_MS / 1000));
    headers.append(header::SET_COOKIE, set_cookie(&state, LOGIN_COOKIE, "", 0));
    Ok(response)
}

pub async fn logout(State(state): State<AppState>, posted: Posted) -> Result<Response, AdminError> {
    let mut tx = state.db.begin_write().await?;
    staff_sessions::revoke(&mut tx, &posted.staff.session.id).await?;
    let user_id = posted.staff.session.staff_user_id.clone();
    audit::record(&mut tx, &posted.staff.actor(), "staff.sign_out", "staff_user", Some(&user_id), json!({})).await?;
    tx.commit().await?;
    let mut response = Redirect::to("/admin/login").into_response();
    response.headers_mut().append(header::SET_COOKIE, set_cookie(&state, SESSION_COOKIE, "", 0));
    Ok(response)
}

/// Switches this staff member's language; it is stored, so it follows them.
pub async fn set_language(State(state): State<AppState>, posted: Posted) -> Result<Response, AdminError> {
    let mut tx = state.db.begin_write().await?;
    let id = posted.staff.session.staff_user_id.clone();
    staff::set_language(&mut tx, &posted.staff.actor(), &id, posted.form.get("language")).await?;
    tx.commit().await?;
    let back = posted.form.get("back");
    let back = if back.starts_with("/admin/") && !back.starts_with("//") { back } else { "/admin/" };
    Ok(Redirect::to(back).into_response())
}
