//! The audit log: who did what to which record. Written in the same transaction
//! as the change it describes, so the log never claims a change that rolled back.

use serde::Serialize;
use serde_json::Value;
use sqlx::FromRow;
use utoipa::ToSchema;

use super::time::Timestamp;
use crate::storage::{new_id, now_ms, WriteTx};

/// Who acted.
#[derive(Debug, Clone)]
pub enum Actor {
    Staff { id: String, label: String },
    ApiKey { id: String, label: String },
    PortalUser { id: String, label: String },
    System,
}

impl Actor {
    fn parts(&self) -> (&'static str, Option<&str>, &str) {
        match self {
            Actor::Staff { id, label } => ("staff", Some(id), label),
            Actor::ApiKey { id, label } => ("api_key", Some(id), label),
            Actor::PortalUser { id, label } => ("portal_user", Some(id), label),
            Actor::System => ("system", None, "system"),
        }
    }

    /// A short label for "published by" style fields.
    pub fn label(&self) -> String {
        let (kind, _, label) = self.parts();
        format!("{kind}:{label}")
    }
}

/// One audit entry, as staff see it.
#[derive(Debug, Serialize, FromRow, ToSchema)]
pub struct AuditEntry {
    pub id: String,
    pub occurred_at: Timestamp,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_label: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: Option<String>,
    pub details: String,
}

/// Records `action` on a subject. `details` must never hold secrets or file contents.
pub async fn record(
    tx: &mut WriteTx,
    actor: &Actor,
    action: &str,
    subject_kind: &str,
    subject_id: Option<&str>,
    details: Value,
) -> Result<(), sqlx::Error> {
    let (kind, actor_id, label) = actor.parts();
    sqlx::query(
        "INSERT INTO audit_log (id, occurred_at, actor_kind, actor_id, actor_label, action, subject_kind, subject_id, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(now_ms())
    .bind(kind)
    .bind(actor_id.map(str::to_string))
    .bind(label.to_string())
    .bind(action)
    .bind(subject_kind)
    .bind(subject_id.map(str::to_string))
    .bind(details.to_string())
    .execute(&mut ***tx)
    .await?;
    Ok(())
}
