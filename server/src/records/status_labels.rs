//! The customer-facing labels of public statuses. Staff may reword them per
//! language; a label left blank falls back to the default.

use std::collections::{BTreeMap, HashMap};

use serde_json::json;

use super::audit::{self, Actor};
use crate::domain::public_status::{default_label, ALL};
use crate::domain::validate::{Fields, MAX_LINE};
use crate::error::{AppError, AppResult};
use crate::storage::{now_ms, Db, WriteTx};

pub const LANGUAGES: [&str; 2] = ["en", "ar"];

/// Status wire name to label, for one language, defaults filled in.
pub async fn for_language(db: &Db, language: &str) -> Result<HashMap<String, String>, sqlx::Error> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT status, label FROM public_status_labels WHERE language = $1")
            .bind(language)
            .fetch_all(&db.pool)
            .await?;
    let mut labels: HashMap<String, String> =
        ALL.iter().map(|s| (s.as_str().to_string(), default_label(*s, language).to_string())).collect();
    labels.extend(rows);
    Ok(labels)
}

/// Both languages, for the portal and the settings page.
pub async fn all(db: &Db) -> Result<BTreeMap<String, BTreeMap<String, String>>, sqlx::Error> {
    let mut all = BTreeMap::new();
    for language in LANGUAGES {
        all.insert(language.to_string(), for_language(db, language).await?.into_iter().collect());
    }
    Ok(all)
}

/// Rewords one label; blank restores the default. An unchanged label writes nothing.
pub async fn set(tx: &mut WriteTx, actor: &Actor, status: &str, language: &str, label: &str) -> AppResult<()> {
    if !ALL.iter().any(|s| s.as_str() == status) || !LANGUAGES.contains(&language) {
        return Err(AppError::field(&format!("{language}.{status}"), "unknown status or language"));
    }
    let mut fields = Fields::new();
    let label = fields.optional_text(&format!("{language}.{status}"), Some(label), MAX_LINE);
    fields.finish()?;
    let current: Option<(String,)> =
        sqlx::query_as("SELECT label FROM public_status_labels WHERE status = $1 AND language = $2")
            .bind(status)
            .bind(language)
            .fetch_optional(&mut ***tx)
            .await?;
    if current.map(|(label,)| label) == label {
        return Ok(());
    }
    sqlx::query("DELETE FROM public_status_labels WHERE status = $1 AND language = $2")
        .bind(status)
        .bind(language)
        .execute(&mut ***tx)
        .await?;
    if let Some(label) = &label {
        sqlx::query("INSERT INTO public_status_labels (status, language, label, updated_at) VALUES ($1, $2, $3, $4)")
            .bind(status)
            .bind(language)
            .bind(label)
            .bind(now_ms())
            .execute(&mut ***tx)
            .await?;
    }
    let details = json!({ "status": status, "language": language, "label": label });
    audit::record(tx, actor, "status_label.set", "status_label", None, details).await?;
    Ok(())
}
