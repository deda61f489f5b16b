//! Portal sessions: opaque bearer tokens (256 bits, stored hashed) with a 14-day
//! idle and a 90-day absolute limit.

use std::collections::HashSet;
use std::sync::OnceLock;

use portal_types::SessionEnd;

use super::access_log::{self, Entry};
use super::portal_access::{grants_json, PortalUser, StoredGrant};
use super::query::{fetch_wrapped, stored, wrapped, Arg, Packed};
use super::IDS_PER_QUERY;
use crate::domain::scope::Grant;
use crate::domain::tokens;
use crate::storage::{new_id, now_ms, Backend, Db, WriteTx};

pub const IDLE_MS: i64 = 14 * 24 * 3600 * 1000;
pub const ABSOLUTE_MS: i64 = 90 * 24 * 3600 * 1000;
/// `last_seen_at` is refreshed at most this often, so reads do not turn into writes.
const TOUCH_EVERY_MS: i64 = 60 * 1000;
pub const TOKEN_PREFIX: &str = "ops_";

/// A live session and its user.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub id: String,
    pub portal_user_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// A session row with its user's columns and grants, read together as one packed row.
#[derive(serde::Deserialize)]
struct WithUser {
    id: String,
    portal_user_id: String,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
    email: String,
    display_name: String,
    password_hash: String,
    status: String,
    language: String,
    customer_admin: i64,
    #[serde(deserialize_with = "stored::nested")]
    grants: Vec<StoredGrant>,
}

impl Packed for WithUser {}

pub struct Created {
    pub id: String,
    pub token: String,
    pub expires_at: i64,
}

/// Opens a session for `user_id`; the token exists only in the return value. The
/// desktop app's version, from its User-Agent, is kept for the "versions in use" table.
pub async fn create(tx: &mut WriteTx, user_id: &str, ip: &str, user_agent: &str) -> Result<Created, sqlx::Error> {
    let token = tokens::generate(TOKEN_PREFIX, 32);
    let id = new_id();
    let now = now_ms();
    let expires_at = now + ABSOLUTE_MS;
    sqlx::query(
        "INSERT INTO portal_sessions (id, portal_user_id, token_hash, created_at, last_seen_at, expires_at, ip, user_agent,
                                      client_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(tokens::hash(&token))
    .bind(now)
    .bind(now)
    .bind(expires_at)
    .bind(ip)
    .bind(user_agent.chars().take(200).collect::<String>())
    .bind(crate::domain::version::from_user_agent(user_agent))
    .execute(&mut ***tx)
    .await?;
    sqlx::query("UPDATE portal_users SET last_sign_in_at = $1 WHERE id = $2")
        .bind(now)
        .bind(user_id)
        .execute(&mut ***tx)
        .await?;
    Ok(Created { id, token, expires_at })
}

/// The live session for a presented token, with its user and their grants (one
/// query: every portal request starts here): not revoked, not idle too long, not past
/// its absolute end, and its user active. Refreshes the idle clock.
pub async fn authenticate(db: &Db, token: &str) -> Result<Option<(Session, PortalUser, Vec<Grant>)>, sqlx::Error> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let now = now_ms();
    let args = [Arg::Text(tokens::hash(token)), Arg::Int(now), Arg::Int(now - IDLE_MS)];
    let found: Vec<WithUser> = fetch_wrapped(db, authenticate_sql(db.backend), &args).await?;
    let Some(found) = found.into_iter().next() else {
        return Ok(None);
    };
    let session = Session {
        id: found.id,
        portal_user_id: found.portal_user_id,
        created_at: found.created_at,
        last_seen_at: found.last_seen_at,
        expires_at: found.expires_at,
    };
    touch(db, "portal_sessions", &session.id, session.last_seen_at, now, TOUCH_EVERY_MS).await?;
    let user = PortalUser {
        id: session.portal_user_id.clone(),
        email: found.email,
        display_name: found.display_name,
        password_hash: found.password_hash,
        status: found.status,
        language: found.language,
        customer_admin: found.customer_admin,
    };
    Ok(Some((session, user, found.grants.into_iter().map(Grant::from).collect())))
}

/// The statement of `authenticate`, built once per backend: it runs on every portal request.
fn authenticate_sql(backend: Backend) -> &'static str {
    static SQLITE: OnceLock<String> = OnceLock::new();
    static POSTGRES: OnceLock<String> = OnceLock::new();
    let cell = match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    };
    cell.get_or_init(|| {
        let select = format!(
            "SELECT s.id, s.portal_user_id, s.created_at, s.last_seen_at, s.expires_at,
                    u.email, u.display_name, u.password_hash, u.status, u.language, u.customer_admin, {} AS grants
             FROM portal_sessions s JOIN portal_users u ON u.id = s.portal_user_id
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3
               AND u.status = 'active'",
            grants_json(backend, "s.portal_user_id")
        );
        wrapped::<WithUser>(backend, &select, "")
    })
}

/// Refreshes a session's idle clock (in `table`, a literal of the caller's), at most
/// once every `every_ms`, so reads do not all turn into writes.
pub(super) async fn touch(
    db: &Db,
    table: &'static str,
    id: &str,
    last_seen_at: i64,
    now: i64,
    every_ms: i64,
) -> Result<(), sqlx::Error> {
    if now - last_seen_at > every_ms {
        sqlx::query(&format!("UPDATE {table} SET last_seen_at = $1 WHERE id = $2"))
            .bind(now)
            .bind(id)
            .execute(&db.pool)
            .await?;
    }
    Ok(())
}

/// Ends one session of a user; returns whether it was live. The user's access log
/// says so, in the same transaction.
pub async fn revoke(tx: &mut WriteTx, user_id: &str, session_id: &str, why: SessionEnd) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE portal_sessions SET revoked_at = $1 WHERE id = $2 AND portal_user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(session_id)
    .bind(user_id)
    .execute(&mut ***tx)
    .await?;
    let ended = result.rows_affected() > 0;
    if ended {
        access_log::record(tx, user_id, Entry::session_ended(why)).await?;
    }
    Ok(ended)
}

/// Ends every session of a user except `keep`; returns how many ended. Each one
/// ended leaves an entry in the user's access log, in the same transaction.
pub async fn revoke_all(
    tx: &mut WriteTx,
    user_id: &str,
    keep: Option<&str>,
    why: SessionEnd,
) -> Result<u64, sqlx::Error> {
    let now = now_ms();
    let live: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM portal_sessions
         WHERE portal_user_id = $1 AND revoked_at IS NULL AND id <> $2 AND expires_at > $3 AND last_seen_at > $4",
    )
    .bind(user_id)
    .bind(keep.unwrap_or(""))
    .bind(now)
    .bind(now - IDLE_MS)
    .fetch_all(&mut ***tx)
    .await?;
    // Sessions that had already run out stay as they are: the clean-up logs them as expired.
    for (id,) in &live {
        sqlx::query("UPDATE portal_sessions SET revoked_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut ***tx)
            .await?;
        access_log::record(tx, user_id, Entry::session_ended(why)).await?;
    }
    Ok(live.len() as u64)
}

/// A user's live sessions, newest first.
pub async fn list(db: &Db, user_id: &str) -> Result<Vec<(Session, String)>, sqlx::Error> {
    let now = now_ms();
    let rows: Vec<(String, String, i64, i64, i64, String)> = sqlx::query_as(
        "SELECT id, portal_user_id, created_at, last_seen_at, expires_at, user_agent FROM portal_sessions
         WHERE portal_user_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND last_seen_at > $3
         ORDER BY created_at DESC",
    )
    .bind(user_id)
    .bind(now)
    .bind(now - IDLE_MS)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, portal_user_id, created_at, last_seen_at, expires_at, user_agent)| {
            (Session { id, portal_user_id, created_at, last_seen_at, expires_at }, user_agent)
        })
        .collect())
}

/// Whether a session is still live (not revoked, not expired, its user active).
pub async fn is_live(db: &Db, session_id: &str) -> Result<bool, sqlx::Error> {
    Ok(!live_among(db, &[session_id.to_string()]).await?.is_empty())
}

/// Which of `session_ids` are still live, in one query per `IDS_PER_QUERY` ids: the
/// event hub re-checks the sessions of every open stream at once.
pub async fn live_among(db: &Db, session_ids: &[String]) -> Result<HashSet<String>, sqlx::Error> {
    let now = now_ms();
    let mut live = HashSet::new();
    for chunk in session_ids.chunks(IDS_PER_QUERY) {
        let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT s.id FROM portal_sessions s JOIN portal_users u ON u.id = s.portal_user_id
             WHERE s.id IN ({}) AND s.revoked_at IS NULL AND s.expires_at > $1 AND s.last_seen_at > $2
             AND u.status = 'active'",
            list.join(", ")
        );
        let mut query = sqlx::query_as::<_, (String,)>(&sql).bind(now).bind(now - IDLE_MS);
        for id in chunk {
            query = query.bind(id.clone());
        }
        live.extend(query.fetch_all(&db.pool).await?.into_iter().map(|(id,)| id));
    }
    Ok(live)
}
