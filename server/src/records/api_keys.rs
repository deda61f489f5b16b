//! API keys for the integration API: random secrets shown once, stored hashed.

use crate::domain::tokens::{self, hash};
use crate::storage::{new_id, now_ms, Db};

/// Every key starts with this, so leaked keys are easy to recognise in logs and scanners.
pub const PREFIX: &str = "ordk_";

/// A newly created key; `secret` exists only in this value.
pub struct CreatedKey {
    pub id: String,
    pub secret: String,
}

/// The caller identified by a valid key.
#[derive(Debug, Clone)]
pub struct KeyIdentity {
    pub id: String,
    pub name: String,
}

pub async fn create(db: &Db, name: &str) -> Result<CreatedKey, sqlx::Error> {
    let secret = tokens::generate(PREFIX, 32);
    let id = new_id();
    sqlx::query("INSERT INTO api_keys (id, name, key_prefix, key_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(name)
        .bind(secret[..PREFIX.len() + 6].to_string())
        .bind(hash(&secret))
        .bind(now_ms())
        .execute(&db.pool)
        .await?;
    Ok(CreatedKey { id, secret })
}

/// Revokes the key with this id or name; returns whether one was active.
pub async fn revoke(db: &Db, id_or_name: &str) -> Result<bool, sqlx::Error> {
    let result = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE (id = $2 OR name = $2) AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(id_or_name)
        .execute(&db.pool)
        .await?;
    Ok(result.rows_affected() > 0)
}

/// Finds the active key for a presented secret.
pub async fn authenticate(db: &Db, secret: &str) -> Result<Option<KeyIdentity>, sqlx::Error> {
    if !secret.starts_with(PREFIX) {
        return Ok(None);
    }
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT id, name FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
            .bind(hash(secret))
            .fetch_optional(&db.pool)
            .await?;
    let Some((id, name)) = row else { return Ok(None) };
    sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(&id)
        .execute(&db.pool)
        .await?;
    Ok(Some(KeyIdentity { id, name }))
}
