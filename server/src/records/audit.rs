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

/// Filters of the audit log view; blank means any.
#[derive(Debug, Default, serde::Deserialize)]
pub struct AuditFilter {
    /// Part of the actor's label (e.g. an e-mail).
    #[serde(default)]
    pub who: String,
    /// The start of an action name, e.g. `report.` or `portal.sign_in_failed`.
    #[serde(default)]
    pub what: String,
    /// `YYYY-MM-DD`, UTC, inclusive.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// Entries older than this id (the previous page's last).
    #[serde(default)]
    pub before: String,
}

const PAGE: usize = 100;

/// Newest first, at most 100 entries, plus whether there are more.
pub async fn search(db: &crate::storage::Db, filter: &AuditFilter) -> crate::error::AppResult<(Vec<AuditEntry>, bool)> {
    use super::query::{Arg, Select};
    let mut fields = crate::domain::validate::Fields::new();
    let mut select = Select::new(
        "SELECT id, occurred_at, actor_kind, actor_id, actor_label, action, subject_kind, subject_id, details FROM audit_log",
    );
    let like = |text: &str| text.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    if !filter.who.trim().is_empty() {
        select.filter("LOWER(actor_label) LIKE {} ESCAPE '\\'", Arg::Text(format!("%{}%", like(&filter.who))));
    }
    if !filter.what.trim().is_empty() {
        select.filter("action LIKE {} ESCAPE '\\'", Arg::Text(format!("{}%", like(&filter.what))));
    }
    for (name, value, end_of_day) in [("from", &filter.from, false), ("to", &filter.to, true)] {
        if value.trim().is_empty() {
            continue;
        }
        match chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d") {
            Ok(day) => {
                let day = if end_of_day { day.succ_opt().unwrap_or(day) } else { day };
                let ms = day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp_millis();
                let clause = if end_of_day { "occurred_at < {}" } else { "occurred_at >= {}" };
                select.filter(clause, Arg::Int(ms));
            }
            Err(_) => fields.error(name, "use the form YYYY-MM-DD"),
        }
    }
    if !filter.before.trim().is_empty() {
        select.filter("id < {}", Arg::Text(filter.before.trim().to_string()));
    }
    fields.finish()?;
    let mut entries: Vec<AuditEntry> = select.fetch_all(db, &format!("ORDER BY id DESC LIMIT {}", PAGE + 1)).await?;
    let more = entries.len() > PAGE;
    entries.truncate(PAGE);
    Ok((entries, more))
}
