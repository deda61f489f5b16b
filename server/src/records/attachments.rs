//! Attachments: files on a report, target or request. Released to the portal
//! separately from their owner; bytes live in the blob store.

use portal_types::{LiveEventKind, SyncKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};
use utoipa::ToSchema;

use super::audit::{self, Actor};
use super::dependents;
use super::events;
use super::query::{self, flag, HasId, ListSpec};
use super::time::Timestamp;
use super::timeline::Place;
use super::{reports, requests, targets};
use crate::domain::upload;
use crate::error::{AppError, AppResult};
use crate::extract::{Page, PageQuery};
use crate::storage::blobs::StagedFile;
use crate::storage::{new_id, now_ms, Db, WriteTx};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attachment {
    pub id: String,
    pub report_id: Option<String>,
    pub target_id: Option<String>,
    pub request_id: Option<String>,
    pub customer_id: String,
    pub location_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    #[serde(skip)]
    pub storage_key: String,
    /// Released attachments are visible to portal users whose grant allows downloads.
    pub released: bool,
    pub released_at: Option<Timestamp>,
    pub uploaded_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl FromRow<'_, AnyRow> for Attachment {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            report_id: row.try_get("report_id")?,
            target_id: row.try_get("target_id")?,
            request_id: row.try_get("request_id")?,
            customer_id: row.try_get("customer_id")?,
            location_id: row.try_get("location_id")?,
            file_name: row.try_get("file_name")?,
            content_type: row.try_get("content_type")?,
            size_bytes: row.try_get("size_bytes")?,
            sha256: row.try_get("sha256")?,
            storage_key: row.try_get("storage_key")?,
            released: flag(row, "released")?,
            released_at: row.try_get("released_at")?,
            uploaded_by: row.try_get("uploaded_by")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

impl HasId for Attachment {
    fn id(&self) -> &str {
        &self.id
    }
}

/// What an attachment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OwnerKind {
    Report,
    Target,
    Request,
}

impl OwnerKind {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "report" => Some(Self::Report),
            "target" => Some(Self::Target),
            "request" => Some(Self::Request),
            _ => None,
        }
    }
}

/// An uploaded file, streamed into a staged blob within the size limit.
pub struct Upload {
    pub owner_kind: OwnerKind,
    pub owner_id: String,
    pub file_name: String,
    pub content_type: String,
    pub file: StagedFile,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentPatch {
    pub released: bool,
}

const SELECT: &str = "SELECT x.id, x.report_id, x.target_id, x.request_id, x.customer_id, x.location_id, x.file_name, \
     x.content_type, x.size_bytes, x.sha256, x.storage_key, x.released, x.released_at, x.uploaded_by, x.created_at, \
     x.updated_at FROM attachments x";

pub async fn list(db: &Db, query: &PageQuery) -> AppResult<Page<Attachment>> {
    let spec = ListSpec {
        alias: "x",
        customer_column: Some("x.customer_id"),
        location_column: Some("x.location_id"),
        ..ListSpec::default()
    };
    query::list(db, SELECT, spec, query).await
}

/// The attachments of a visit report, oldest first.
pub async fn of_report(db: &Db, report_id: &str) -> AppResult<Vec<Attachment>> {
    query::children(db, SELECT, "x.report_id", report_id, "x.id").await
}

pub async fn get<'c>(executor: impl sqlx::Executor<'c, Database = sqlx::Any>, id: &str) -> AppResult<Attachment> {
    query::one(executor, &format!("{SELECT} WHERE x.id = $1"), id).await
}

/// Checks an upload and commits its blob with the record. Attachments start unreleased.
pub async fn create(tx: &mut WriteTx, actor: &Actor, upload: Upload) -> AppResult<Attachment> {
    let (customer_id, location_id) = owner_place(tx, upload.owner_kind, &upload.owner_id).await?;
    let checked = upload
        .file
        .check(|content| upload::check_file(&upload.file_name, &upload.content_type, content))
        .await
        .map_err(AppError::internal)?
        .map_err(|message| AppError::field("file", message))?;
    if upload.file.size == 0 {
        return Err(AppError::field("file", "the file is empty"));
    }
    let (sha256, size_bytes) = (upload.file.sha256.clone(), upload.file.size as i64);
    let owner = |kind: OwnerKind| (upload.owner_kind == kind).then(|| upload.owner_id.clone());
    let (report_id, target_id, request_id) =
        (owner(OwnerKind::Report), owner(OwnerKind::Target), owner(OwnerKind::Request));
    let storage_key = upload.file.commit(tx).await.map_err(AppError::internal)?.name();
    let now = Timestamp(now_ms());
    let attachment = Attachment {
        id: new_id(),
        report_id,
        target_id,
        request_id,
        customer_id,
        location_id,
        file_name: checked.file_name,
        content_type: checked.content_type,
        size_bytes,
        sha256,
        storage_key,
        released: false,
        released_at: None,
        uploaded_by: actor.label(),
        created_at: now,
        updated_at: now,
    };
    let version = tx.version().await?;
    sqlx::query(
        "INSERT INTO attachments (id, report_id, target_id, request_id, customer_id, location_id, file_name,
             content_type, size_bytes, sha256, storage_key, released, uploaded_by, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(&attachment.id)
    .bind(&attachment.report_id)
    .bind(&attachment.target_id)
    .bind(&attachment.request_id)
    .bind(&attachment.customer_id)
    .bind(&attachment.location_id)
    .bind(&attachment.file_name)
    .bind(&attachment.content_type)
    .bind(attachment.size_bytes)
    .bind(&attachment.sha256)
    .bind(&attachment.storage_key)
    .bind(i64::from(attachment.released))
    .bind(&attachment.uploaded_by)
    .bind(now.0)
    .bind(now.0)
    .bind(version)
    .execute(&mut ***tx)
    .await?;
    audit::record(
        tx,
        actor,
        "attachment.upload",
        "attachment",
        Some(&attachment.id),
        json!({ "file_name": attachment.file_name, "size_bytes": attachment.size_bytes }),
    )
    .await?;
    Ok(attachment)
}

/// Releases an attachment to the portal, or withdraws it.
pub async fn set_released(tx: &mut WriteTx, actor: &Actor, id: &str, released: bool) -> AppResult<Attachment> {
    let mut attachment = get(&mut ***tx, id).await?;
    if attachment.released == released {
        return Ok(attachment);
    }
    attachment.released = released;
    attachment.released_at = released.then(Timestamp::now);
    attachment.updated_at = Timestamp::now();
    let version = tx.version().await?;
    sqlx::query("UPDATE attachments SET released = $1, released_at = $2, updated_at = $3, version = $4 WHERE id = $5")
        .bind(i64::from(released))
        .bind(attachment.released_at.map(|t| t.0))
        .bind(attachment.updated_at.0)
        .bind(version)
        .bind(id)
        .execute(&mut ***tx)
        .await?;
    dependents::touch(tx, SyncKind::Attachment, id).await?;
    if released {
        let place = Place { customer_id: &attachment.customer_id, location_id: &attachment.location_id };
        events::record(tx, LiveEventKind::AttachmentReleased, &place, id, None).await?;
    }
    let action = if released { "attachment.release" } else { "attachment.unrelease" };
    audit::record(tx, actor, action, "attachment", Some(id), json!({})).await?;
    Ok(attachment)
}

/// Deletes an attachment record. The blob stays, as identical content may back other
/// records; orphan collection removes it once none does.
pub async fn delete(tx: &mut WriteTx, actor: &Actor, id: &str) -> AppResult<()> {
    let attachment = get(&mut ***tx, id).await?;
    dependents::touch(tx, SyncKind::Attachment, id).await?;
    sqlx::query("DELETE FROM attachments WHERE id = $1").bind(id).execute(&mut ***tx).await?;
    crate::projection::sync::tombstone(
        tx,
        portal_types::SyncKind::Attachment,
        id,
        &attachment.customer_id,
        &attachment.location_id,
    )
    .await?;
    audit::record(tx, actor, "attachment.delete", "attachment", Some(id), json!({ "file_name": attachment.file_name }))
        .await?;
    Ok(())
}

/// The customer and location of the owner, answering 422 on `owner_id` when it does not exist.
async fn owner_place(tx: &mut WriteTx, kind: OwnerKind, id: &str) -> AppResult<(String, String)> {
    let conn = &mut ***tx;
    let place = match kind {
        OwnerKind::Report => reports::get(conn, id).await.map(|r| (r.customer_id, r.location_id)),
        OwnerKind::Target => targets::get(conn, id).await.map(|t| (t.customer_id, t.location_id)),
        OwnerKind::Request => requests::get(conn, id).await.map(|r| (r.customer_id, r.location_id)),
    };
    place.map_err(|err| err.for_field("owner_id", "record of this owner_kind"))
}
