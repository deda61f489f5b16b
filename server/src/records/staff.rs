//! Staff users: the service company's own people, a separate identity from portal users.

use crate::domain::password;
use crate::domain::validate::{Fields, MAX_LINE};
use crate::error::{AppError, AppResult};
use crate::storage::{new_id, now_ms, Db};

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
