//! Staff web sessions: an opaque cookie token (256 bits, stored hashed) with a
//! 30-minute idle and a 12-hour absolute limit, and a CSRF token per session.

use crate::domain::tokens;
use crate::storage::{new_id, now_ms, Db, WriteTx};

pub const IDLE_MS: i64 = 30 * 60 * 1000;
pub const ABSOLUTE_MS: i64 = 12 * 3600 * 1000;
/// `last_seen_at` is refreshed at most this often, so page views do not all write.
const TOUCH_EVERY_MS: i64 = 30 * 1000;
const TOKEN_PREFIX: &str = "oss_";

/// A live staff session with what every page needs about its user.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffSession {
    pub id: String,
    pub staff_user_id: String,
    pub csrf_token: String,
    pub last_seen_at: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub language: String,
}

/// Opens a session; the token exists only in the return value. A new session (and
/// so a new id) is made at every sign-in, never reused from before it.
pub async fn create(tx: &mut WriteTx, staff_user_id: &str, ip: &str) -> Result<String, sqlx::Error> {
    let token = tokens::generate(TOKEN_PREFIX, 32);
    let now = now_ms();
    sqlx::query(
        "INSERT INTO staff_sessions (id, staff_user_id, token_hash, csrf_token, created_at, last_seen_at, expires_at, ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(staff_user_id)
    .bind(tokens::hash(&token))
    .bind(tokens::generate("", 32))
    .bind(now)
    .bind(now)
    .bind(now + ABSOLUTE_MS)
    .bind(ip)
    .execute(&mut ***tx)
    .await?;
    Ok(token)
}

/// The live session for a cookie token: not revoked, not idle, not past its end,
/// and its user not disabled. Refreshes the idle clock.
pub async fn authenticate(db: &Db, token: &str) -> Result<Option<StaffSession>, sqlx::Error> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let now = now_ms();
    let session: Option<StaffSession> = sqlx::query_as(
        "SELECT s.id, s.staff_user_id, s.csrf_token, s.last_seen_at, u.email, u.name, u.role, u.language
         FROM staff_sessions s JOIN staff_users u ON u.id = s.staff_user_id
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3
           AND u.disabled = 0",
    )
    .bind(tokens::hash(token))
    .bind(now)
    .bind(now - IDLE_MS)
    .fetch_optional(&db.pool)
    .await?;
    if let Some(session) = &session {
        super::sessions::touch(db, "staff_sessions", &session.id, session.last_seen_at, now, TOUCH_EVERY_MS).await?;
    }
    Ok(session)
}

/// Ends one session.
pub async fn revoke(tx: &mut WriteTx, session_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE staff_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(session_id)
        .execute(&mut ***tx)
        .await?;
    Ok(())
}

/// Ends every session of a staff user, e.g. when the user is disabled.
pub async fn revoke_all(tx: &mut WriteTx, staff_user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE staff_sessions SET revoked_at = $1 WHERE staff_user_id = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(staff_user_id)
        .execute(&mut ***tx)
        .await?;
    Ok(())
}
