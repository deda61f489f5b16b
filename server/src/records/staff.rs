//! Staff users: the service company's own people, a separate identity from portal users.

use serde_json::json;

use super::audit::{self, Actor};
use crate::domain::password;
use crate::domain::validate::{Fields, MAX_LINE};
use crate::error::{AppError, AppResult};
use crate::storage::{new_id, now_ms, Db, WriteTx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything, including staff users and API keys.
    Admin,
    /// Everything operational.
    Dispatcher,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Dispatcher => "dispatcher",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "admin" => Some(Role::Admin),
            "dispatcher" => Some(Role::Dispatcher),
            _ => None,
        }
    }
}

pub struct NewStaff<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password: &'a str,
}

/// Creates a staff user after checking the password rules; returns its id.
pub async fn create(db: &Db, input: NewStaff<'_>) -> AppResult<String> {
    let mut fields = Fields::new();
    let email = fields.email("email", input.email);
    let name = fields.text("name", input.name, MAX_LINE);
    if let Some(problem) = password::problem(input.password, &[&email, &name]) {
        fields.error("password", problem);
    }
    fields.finish()?;
    let id = new_id();
    let now = now_ms();
    let result = sqlx::query(
        "INSERT INTO staff_users (id, email, name, role, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&email)
    .bind(&name)
    .bind(input.role.as_str())
    .bind(password::hash(input.password))
    .bind(now)
    .bind(now)
    .execute(&db.pool)
    .await;
    match result.map_err(AppError::from) {
        Err(AppError::Conflict(_)) => Err(AppError::field("email", "a staff user with this e-mail already exists")),
        other => other.map(|_| id),
    }
}

/// A staff user as the admin web lists and signs them in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub language: String,
    pub disabled: i64,
}

const SELECT: &str = "SELECT id, email, name, role, password_hash, language, disabled FROM staff_users";

pub async fn by_email(db: &Db, email: &str) -> Result<Option<StaffUser>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE email = $1")).bind(email).fetch_optional(&db.pool).await
}

pub async fn list(db: &Db) -> Result<Vec<StaffUser>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} ORDER BY name, email")).fetch_all(&db.pool).await
}

/// The language the admin web speaks to this user.
pub async fn set_language(tx: &mut WriteTx, actor: &Actor, id: &str, language: &str) -> AppResult<()> {
    if !matches!(language, "en" | "ar") {
        return Err(AppError::field("language", "must be en or ar"));
    }
    sqlx::query("UPDATE staff_users SET language = $1, updated_at = $2 WHERE id = $3")
        .bind(language)
        .bind(now_ms())
        .bind(id)
        .execute(&mut ***tx)
        .await?;
    audit::record(tx, actor, "staff.language", "staff_user", Some(id), json!({ "language": language })).await?;
    Ok(())
}

/// Disables or re-enables a staff user; disabling ends their sessions at once.
pub async fn set_disabled(tx: &mut WriteTx, actor: &Actor, id: &str, disabled: bool) -> AppResult<()> {
    let result = sqlx::query("UPDATE staff_users SET disabled = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(disabled))
        .bind(now_ms())
        .bind(id)
        .execute(&mut ***tx)
        .await?;
    if result.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    if disabled {
        super::staff_sessions::revoke_all(tx, id).await?;
    }
    let action = if disabled { "staff.disable" } else { "staff.enable" };
    audit::record(tx, actor, action, "staff_user", Some(id), json!({})).await?;
    Ok(())
}
