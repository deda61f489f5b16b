//! Signing in and out, the session list, "sign out everywhere" and password change.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use portal_types::{PasswordChange, SessionEnd, SessionToken, SessionView, SignIn};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Portal;
use crate::domain::password;
use crate::domain::throttle::{self, Verdict};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::Path;
use crate::extract::{ApiJson, ClientIp};
use crate::ops::metrics::{LoginFailure, Surface};
use crate::records::access_log::{self, Entry};
use crate::records::audit::{self, Actor};
use crate::records::time::Timestamp;
use crate::records::{portal_access, sessions, throttle as counters};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in, sign_out))
        .routes(routes!(list_sessions, sign_out_everywhere))
        .routes(routes!(end_session))
        .routes(routes!(change_password))
}

/// A hash of a password nobody has, checked for unknown e-mails so that the answer
/// takes as long as for a known account.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| password::hash("no account has this password"))
}

/// Sign in. Wrong e-mail and wrong password get the same answer.
#[utoipa::path(post, path = "/portal/v1/session", tag = "session", request_body = SignIn, security(()),
    responses((status = 201, body = SessionToken), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(input): ApiJson<SignIn>,
) -> AppResult<(StatusCode, Json<SessionToken>)> {
    let email = input.email.trim().to_lowercase();
    for (key, limit) in
        [(format!("account:{email}"), throttle::ACCOUNT_LIMIT), (format!("ip:{ip}"), throttle::IP_LIMIT)]
    {
        let (attempts, window_start) = counters::count_attempt(&state.db, &key).await?;
        if let Verdict::Limited { retry_after_secs } =
            throttle::judge(attempts, limit, window_start, crate::storage::now_ms())
        {
            state.metrics.login_failed(Surface::Portal, LoginFailure::Throttled);
            return Err(AppError::RateLimited { retry_after_secs });
        }
    }
    let user = portal_access::user_by_email(&state.db, &email).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| dummy_hash().to_string());
    let candidate = input.password.clone();
    let matches =
        tokio::task::spawn_blocking(move || password::verify(&candidate, &stored)).await.map_err(AppError::internal)?;
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let mut tx = state.db.begin_write().await?;
    let user = match user {
        Some(user) if matches && user.status == "active" => user,
        known => {
            // A failed sign-in to an existing account is the account's business: its access log says so.
            if let Some(user) = &known {
                access_log::record(&mut tx, &user.id, Entry::sign_in(false, &ip, user_agent)).await?;
            }
            let actor = Actor::System;
            audit::record(
                &mut tx,
                &actor,
                "portal.sign_in_failed",
                "portal_user",
                None,
                json!({ "email": email, "ip": ip }),
            )
            .await?;
            tx.commit().await?;
            state.metrics.login_failed(Surface::Portal, LoginFailure::Credentials);
            return Err(AppError::Unauthorized);
        }
    };
    let created = sessions::create(&mut tx, &user.id, &ip, user_agent).await?;
    access_log::record(&mut tx, &user.id, Entry::sign_in(true, &ip, user_agent)).await?;
    let actor = Actor::PortalUser { id: user.id.clone(), label: user.email.clone() };
    audit::record(&mut tx, &actor, "portal.sign_in", "portal_session", Some(&created.id), json!({ "ip": ip })).await?;
    tx.commit().await?;
    counters::clear(&state.db, &format!("account:{email}")).await?;
    counters::uncount_attempt(&state.db, &format!("ip:{ip}")).await?;
    Ok((
        StatusCode::CREATED,
        Json(SessionToken { token: created.token, expires_at: Timestamp(created.expires_at).rfc3339() }),
    ))
}

/// Sign out this session.
#[utoipa::path(delete, path = "/portal/v1/session", tag = "session",
    responses((status = 204), (status = 401, body = ErrorBody)))]
async fn sign_out(State(state): State<AppState>, portal: Portal) -> AppResult<StatusCode> {
    let mut tx = state.db.begin_write().await?;
    sessions::revoke(&mut tx, &portal.user.id, &portal.session_id, SessionEnd::SignedOut).await?;
    audit::record(&mut tx, &portal.actor(), "portal.sign_out", "portal_session", Some(&portal.session_id), json!({}))
        .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The user's live sessions.
#[utoipa::path(get, path = "/portal/v1/sessions", tag = "session",
    responses((status = 200, body = Vec<SessionView>), (status = 401, body = ErrorBody)))]
async fn list_sessions(State(state): State<AppState>, portal: Portal) -> AppResult<Json<Vec<SessionView>>> {
    let sessions = sessions::list(&state.db, &portal.user.id).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|(session, user_agent)| SessionView {
                current: session.id == portal.session_id,
                id: session.id,
                created_at: Timestamp(session.created_at).rfc3339(),
                last_seen_at: Timestamp(session.last_seen_at).rfc3339(),
                user_agent,
            })
            .collect(),
    ))
}

/// Sign out everywhere, this session included.
#[utoipa::path(delete, path = "/portal/v1/sessions", tag = "session",
    responses((status = 204), (status = 401, body = ErrorBody)))]
async fn sign_out_everywhere(State(state): State<AppState>, portal: Portal) -> AppResult<StatusCode> {
    let mut tx = state.db.begin_write().await?;
    let ended = sessions::revoke_all(&mut tx, &portal.user.id, None, SessionEnd::SignedOutEverywhere).await?;
    audit::record(
        &mut tx,
        &portal.actor(),
        "portal.sign_out_everywhere",
        "portal_user",
        Some(&portal.user.id),
        json!({ "sessions": ended }),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// End one of the user's other sessions.
#[utoipa::path(delete, path = "/portal/v1/sessions/{id}", tag = "session",
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn end_session(State(state): State<AppState>, portal: Portal, Path(id): Path<String>) -> AppResult<StatusCode> {
    let mut tx = state.db.begin_write().await?;
    if !sessions::revoke(&mut tx, &portal.user.id, &id, SessionEnd::EndedElsewhere).await? {
        return Err(AppError::NotFound);
    }
    audit::record(&mut tx, &portal.actor(), "portal.session_revoke", "portal_session", Some(&id), json!({})).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Change the password; every other session ends.
#[utoipa::path(post, path = "/portal/v1/password", tag = "session", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn change_password(
    State(state): State<AppState>,
    portal: Portal,
    ApiJson(input): ApiJson<PasswordChange>,
) -> AppResult<StatusCode> {
    // Guessing the current password with a stolen session is throttled like sign-in.
    let key = format!("account:{}", portal.user.email);
    let (attempts, window_start) = counters::count_attempt(&state.db, &key).await?;
    if let Verdict::Limited { retry_after_secs } =
        throttle::judge(attempts, throttle::ACCOUNT_LIMIT, window_start, crate::storage::now_ms())
    {
        return Err(AppError::RateLimited { retry_after_secs });
    }
    let stored = portal.user.password_hash.clone();
    let current = input.current_password.clone();
    let matches =
        tokio::task::spawn_blocking(move || password::verify(&current, &stored)).await.map_err(AppError::internal)?;
    if !matches {
        return Err(AppError::field("current_password", "is not your current password"));
    }
    let new_password = input.new_password.clone();
    let mut tx = state.db.begin_write().await?;
    portal_access::change_password(&mut tx, &portal.user, &portal.session_id, &new_password).await?;
    tx.commit().await?;
    counters::clear(&state.db, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}
