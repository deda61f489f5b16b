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
use super::query::{self, flag, Arg, HasId, ListSpec, Select};
use super::query::{Page, PageQuery};
use super::time::Timestamp;
use super::timeline::Place;
use super::tombstones;
use super::{reports, requests, targets};
use crate::domain::upload::{self, Accept};
use crate::domain::validate::Fields;
use crate::error::{AppError, AppResult};
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
    /// The contact who sent it from the site; absent for a staff upload.
    pub uploaded_by_portal_user_id: Option<String>,
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
            uploaded_by_portal_user_id: row.try_get("uploaded_by_portal_user_id")?,
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
     x.content_type, x.size_bytes, x.sha256, x.storage_key, x.released, x.released_at, x.uploaded_by, \
     x.uploaded_by_portal_user_id, x.created_at, x.updated_at FROM attachments x";

/// Attachments, optionally of one owner. A target's include the files of the request
/// it was made from, so staff planning the work see the customer's photos.
pub async fn list(db: &Db, query: &PageQuery, owner: Option<(OwnerKind, &str)>) -> AppResult<Page<Attachment>> {
    let spec = ListSpec {
        alias: "x",
        customer_column: Some("x.customer_id"),
        location_column: Some("x.location_id"),
        ..ListSpec::default()
    };
    let mut select = Select::new(SELECT);
    if let Some((kind, id)) = owner {
        select.filter(owned_by(kind), Arg::Text(id.to_string()));
    }
    query::list_of(db, select, spec, query).await
}

/// The files of one owner, oldest first, as `list` finds them.
pub async fn of_owner(db: &Db, kind: OwnerKind, id: &str) -> AppResult<Vec<Attachment>> {
    let mut select = Select::new(SELECT);
    select.filter(owned_by(kind), Arg::Text(id.to_string()));
    Ok(select.fetch_all(db, "ORDER BY x.id").await?)
}

/// The condition for the files of an owner (`{}`), a target's including its request's.
fn owned_by(kind: OwnerKind) -> &'static str {
    match kind {
        OwnerKind::Report => "x.report_id = {}",
        OwnerKind::Request => "x.request_id = {}",
        OwnerKind::Target => {
            "(x.target_id = {} OR x.request_id IN (SELECT t.request_id FROM targets t WHERE t.id = {}))"
        }
    }
}

pub async fn get<'c>(executor: impl sqlx::Executor<'c, Database = sqlx::Any>, id: &str) -> AppResult<Attachment> {
    query::one(executor, &format!("{SELECT} WHERE x.id = $1"), id).await
}

/// Who uploads: staff (the integration API, the admin web), or a contact sending a
/// file from the site to their request, whose retries carry one idempotency key.
pub enum Uploader<'a> {
    Staff,
    Contact { user_id: &'a str, idempotency_key: Option<&'a str> },
}

/// Checks an upload and commits its blob with the record. A staff upload starts
/// unreleased; a contact's file is the customer's own and is released at once. A
/// contact's retry with the same idempotency key returns the first file (and `false`).
pub async fn create(
    tx: &mut WriteTx,
    actor: &Actor,
    upload: Upload,
    uploader: Uploader<'_>,
) -> AppResult<(Attachment, bool)> {
    let (customer_id, location_id) = owner_place(tx, upload.owner_kind, &upload.owner_id).await?;
    let (accept, contact, key) = match uploader {
        Uploader::Staff => (Accept::Any, None, None),
        Uploader::Contact { user_id, idempotency_key } => {
            let mut fields = Fields::new();
            let key = fields.optional_text("Idempotency-Key", idempotency_key, 100);
            fields.finish()?;
            (Accept::FromSite, Some(user_id), key)
        }
    };
    if let Some(user_id) = contact {
        // Taking the version first queues concurrent uploads, so the count below holds.
        tx.version().await?;
        if let Some(earlier) = by_upload_key(tx, user_id, key.as_deref()).await? {
            if earlier.request_id.as_deref() != Some(upload.owner_id.as_str()) {
                return Err(AppError::field("Idempotency-Key", "already used for a file on another request"));
            }
            return Ok((earlier, false));
        }
        let (sent,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM attachments WHERE request_id = $1 AND uploaded_by_portal_user_id IS NOT NULL",
        )
        .bind(&upload.owner_id)
        .fetch_one(&mut ***tx)
        .await?;
        if sent >= upload::SITE_FILES_PER_REQUEST {
            let limit = upload::SITE_FILES_PER_REQUEST;
            return Err(AppError::field("file", format!("a request holds at most {limit} files from the site")));
        }
    }
    let checked = upload
        .file
        .check(|content| upload::check_file(&upload.file_name, &upload.content_type, content, accept))
        .await
        .map_err(AppError::internal)?
        .map_err(|refusal| AppError::refused_file("file", refusal))?;
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
        released: contact.is_some(),
        released_at: contact.map(|_| now),
        uploaded_by: actor.label(),
        uploaded_by_portal_user_id: contact.map(str::to_string),
        created_at: now,
        updated_at: now,
    };
    let version = tx.version().await?;
    sqlx::query(
        "INSERT INTO attachments (id, report_id, target_id, request_id, customer_id, location_id, file_name,
             content_type, size_bytes, sha256, storage_key, released, released_at, uploaded_by, created_at, updated_at,
             version, uploaded_by_portal_user_id, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
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
    .bind(attachment.released_at.map(|t| t.0))
    .bind(&attachment.uploaded_by)
    .bind(now.0)
    .bind(now.0)
    .bind(version)
    .bind(&attachment.uploaded_by_portal_user_id)
    .bind(&key)
    .execute(&mut ***tx)
    .await?;
    if attachment.released {
        // The request's portal view lists its files.
        dependents::touch(tx, SyncKind::Attachment, &attachment.id).await?;
    }
    audit::record(
        tx,
        actor,
        "attachment.upload",
        "attachment",
        Some(&attachment.id),
        json!({ "file_name": attachment.file_name, "size_bytes": attachment.size_bytes }),
    )
    .await?;
    Ok((attachment, true))
}

/// A contact's earlier upload under `key`, if any.
async fn by_upload_key(tx: &mut WriteTx, user_id: &str, key: Option<&str>) -> AppResult<Option<Attachment>> {
    let Some(key) = key else { return Ok(None) };
    let query = format!("{SELECT} WHERE x.uploaded_by_portal_user_id = $1 AND x.idempotency_key = $2");
    Ok(sqlx::query_as(&query).bind(user_id).bind(key).fetch_optional(&mut ***tx).await?)
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
    tombstones::record(tx, SyncKind::Attachment, id, &attachment.customer_id, &attachment.location_id).await?;
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
