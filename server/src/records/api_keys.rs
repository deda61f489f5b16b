//! API keys for the integration API: random secrets shown once, stored hashed.

use serde_json::json;

use super::audit::{self, Actor};
use crate::domain::tokens::{self, hash};
use crate::domain::validate::{Fields, MAX_LINE};
use crate::error::{AppError, AppResult};
use crate::storage::{new_id, now_ms, Db, WriteTx};

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
    insert(&db.pool, name).await
}

async fn insert<'c>(
    executor: impl sqlx::Executor<'c, Database = sqlx::Any>,
    name: &str,
) -> Result<CreatedKey, sqlx::Error> {
    let secret = tokens::generate(PREFIX, 32);
    let id = new_id();
    sqlx::query("INSERT INTO api_keys (id, name, key_prefix, key_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(name)
        .bind(secret[..PREFIX.len() + 6].to_string())
        .bind(hash(&secret))
        .bind(now_ms())
        .execute(executor)
        .await?;
    Ok(CreatedKey { id, secret })
}

/// Revokes the key with this id or name; returns whether one was active.
pub async fn revoke(db: &Db, id_or_name: &str) -> Result<bool, sqlx::Error> {
    withdraw(&db.pool, id_or_name).await
}

async fn withdraw<'c>(
    executor: impl sqlx::Executor<'c, Database = sqlx::Any>,
    id_or_name: &str,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE (id = $2 OR name = $2) AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(id_or_name)
        .execute(executor)
        .await?;
    Ok(result.rows_affected() > 0)
}

/// Creates a key from the admin web, audited in the same transaction.
pub async fn issue(tx: &mut WriteTx, actor: &Actor, name: &str) -> AppResult<CreatedKey> {
    let mut fields = Fields::new();
    let name = fields.text("name", name, MAX_LINE);
    fields.finish()?;
    let key = insert(&mut ***tx, &name).await?;
    audit::record(tx, actor, "api_key.create", "api_key", Some(&key.id), json!({ "name": name })).await?;
    Ok(key)
}

/// Revokes a key from the admin web, audited.
pub async fn retire(tx: &mut WriteTx, actor: &Actor, id: &str) -> AppResult<()> {
    if !withdraw(&mut ***tx, id).await? {
        return Err(AppError::Conflict("this key is unknown or already revoked".into()));
    }
    audit::record(tx, actor, "api_key.revoke", "api_key", Some(id), json!({})).await?;
    Ok(())
}

/// A key as the settings page lists it: never the secret, only its first characters.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeySummary {
    pub id: String,
    pub name: String,
    pub key_prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub async fn list(db: &Db) -> Result<Vec<KeySummary>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, key_prefix, created_at, last_used_at, revoked_at FROM api_keys ORDER BY created_at DESC",
    )
    .fetch_all(&db.pool)
    .await
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
