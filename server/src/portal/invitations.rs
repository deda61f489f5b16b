//! Accepting an invitation from the portal side: no session needed, the code is the credential.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use portal_types::{AcceptInvitation, SessionToken};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{AppResult, ErrorBody};
use crate::extract::{ApiJson, ClientIp};
use crate::records::access_log::{self, Entry};
use crate::records::time::Timestamp;
use crate::records::{invitations, sessions};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(accept))
}

/// Accept an invitation: set a name and password, get a signed-in session.
/// Unknown codes are 404; used, withdrawn or expired ones 410.
#[utoipa::path(post, path = "/portal/v1/invitations/accept", tag = "session", request_body = AcceptInvitation, security(()),
    responses((status = 201, body = SessionToken), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn accept(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(input): ApiJson<AcceptInvitation>,
) -> AppResult<(StatusCode, Json<SessionToken>)> {
    let code = input.code.trim().trim_start_matches("ordinavo://invite/").to_string();
    let mut tx = state.db.begin_write().await?;
    let user_id = invitations::accept(&mut tx, &code, &input.display_name, &input.password).await?;
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let created = sessions::create(&mut tx, &user_id, &ip, user_agent).await?;
    access_log::record(&mut tx, &user_id, Entry::sign_in(true, &ip, user_agent)).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(SessionToken { token: created.token, expires_at: Timestamp(created.expires_at).rfc3339() }),
    ))
}
