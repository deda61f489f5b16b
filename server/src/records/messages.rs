//! Messages on requests: the contact and the service team talk on the request. A
//! message for the customer re-versions its request (sync sends the thread again);
//! an internal one stays on the staff side and changes nothing the portal sees.

use portal_types::{LiveEventKind, TimelineKind};
use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::FromRow;
use utoipa::ToSchema;

use super::audit::{self, Actor};
use super::events;
use super::requests::{self, Request};
use super::time::Timestamp;
use super::timeline::{self, Place};
use crate::domain::validate::Fields;
use crate::error::{AppError, AppResult};
use crate::storage::{new_id, now_ms, Db, WriteTx};

/// Longest message accepted, in characters.
pub const MAX_BODY: usize = 5_000;

/// Who may read a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// The customer reads it in the portal.
    Customer,
    /// Staff only: never in a portal answer, sync, event or cache.
    Internal,
}

portal_types::wire_names!(Visibility {
    Customer => "customer",
    Internal => "internal",
});

/// A message as staff see it (every visibility, and who wrote it).
#[derive(Debug, Clone, Serialize, FromRow, ToSchema)]
pub struct Message {
    pub id: String,
    pub request_id: String,
    #[sqlx(try_from = "String")]
    pub visibility: Visibility,
    pub body: String,
    /// The contact who wrote it; absent when staff did.
    pub author_portal_user_id: Option<String>,
    /// The staff member, API key or contact who wrote it.
    pub author_label: String,
    pub created_at: Timestamp,
}

/// A message written by staff (admin web or `/api/v1`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffMessage {
    pub body: String,
    pub visibility: Visibility,
}

/// The author of a new message.
pub enum Author<'a> {
    /// A contact, with the idempotency key of their send (the desktop outbox's).
    Contact {
        user_id: &'a str,
        idempotency_key: Option<&'a str>,
    },
    Staff {
        visibility: Visibility,
    },
}

const SELECT: &str = "SELECT m.id, m.request_id, m.visibility, m.body, m.author_portal_user_id, m.author_label, \
     m.created_at FROM request_messages m";

/// Every message of a request, oldest first: the staff view of the thread.
pub async fn thread(db: &Db, request_id: &str) -> AppResult<Vec<Message>> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE m.request_id = $1 ORDER BY m.id"))
        .bind(request_id)
        .fetch_all(&db.pool)
        .await?)
}

/// Adds a message to request `request_id`. A contact's retry with the same
/// idempotency key returns the first message (and `false`) instead of a second one.
pub async fn post(
    tx: &mut WriteTx,
    actor: &Actor,
    request_id: &str,
    author: Author<'_>,
    body: &str,
) -> AppResult<(Message, bool)> {
    let mut fields = Fields::new();
    let body = fields.text("body", body, MAX_BODY);
    let key = match &author {
        Author::Contact { idempotency_key: Some(key), .. } => fields.optional_text("Idempotency-Key", Some(key), 100),
        _ => None,
    };
    fields.finish()?;
    let request = requests::get(tx, request_id).await?;
    if let (Author::Contact { user_id, .. }, Some(key)) = (&author, &key) {
        let earlier: Option<Message> =
            sqlx::query_as(&format!("{SELECT} WHERE m.author_portal_user_id = $1 AND m.idempotency_key = $2"))
                .bind(*user_id)
                .bind(key)
                .fetch_optional(&mut ***tx)
                .await?;
        if let Some(earlier) = earlier {
            if earlier.request_id != request_id {
                return Err(AppError::field("Idempotency-Key", "already used for a message on another request"));
            }
            return Ok((earlier, false));
        }
    }
    let (visibility, author_id) = match author {
        Author::Contact { user_id, .. } => (Visibility::Customer, Some(user_id.to_string())),
        Author::Staff { visibility } => (visibility, None),
    };
    let message = Message {
        id: new_id(),
        request_id: request.id.clone(),
        visibility,
        body,
        author_portal_user_id: author_id,
        author_label: actor.label(),
        created_at: Timestamp(now_ms()),
    };
    sqlx::query(
        "INSERT INTO request_messages (id, request_id, visibility, body, author_portal_user_id, author_label,
             idempotency_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&message.id)
    .bind(&message.request_id)
    .bind(message.visibility.as_str())
    .bind(&message.body)
    .bind(&message.author_portal_user_id)
    .bind(&message.author_label)
    .bind(&key)
    .bind(message.created_at.0)
    .execute(&mut ***tx)
    .await?;
    if message.visibility == Visibility::Customer {
        announce(tx, &request, &message).await?;
    }
    let details = json!({ "message_id": message.id, "visibility": message.visibility.as_str() });
    audit::record(tx, actor, "request.message", "request", Some(&request.id), details).await?;
    Ok((message, true))
}

/// A message the customer reads: the request's portal view changes (sync sends the
/// thread again). A contact's message waits for staff in the inbox; a staff reply is
/// a milestone and reaches the submitter live.
async fn announce(tx: &mut WriteTx, request: &Request, message: &Message) -> Result<(), sqlx::Error> {
    let version = tx.version().await?;
    let unread = i64::from(message.author_portal_user_id.is_some());
    sqlx::query("UPDATE requests SET version = $1, staff_unread = $2 WHERE id = $3")
        .bind(version)
        .bind(unread)
        .bind(&request.id)
        .execute(&mut ***tx)
        .await?;
    if message.author_portal_user_id.is_none() {
        let place = || Place { customer_id: &request.customer_id, location_id: &request.location_id };
        timeline::record(tx, TimelineKind::RequestReplied, place(), &request.id).await?;
        if let Some(submitter) = &request.submitted_by {
            events::record(tx, LiveEventKind::RequestReplied, &place(), &request.id, Some(submitter)).await?;
        }
    }
    Ok(())
}

/// Staff opened the request: its contact's messages are read.
pub async fn mark_read(db: &Db, request_id: &str) -> AppResult<()> {
    sqlx::query("UPDATE requests SET staff_unread = 0 WHERE id = $1 AND staff_unread = 1")
        .bind(request_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Which of requests `ids` hold a contact's message staff have not read.
pub async fn unread_among(db: &Db, ids: &[String]) -> AppResult<HashSet<String>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!("SELECT id FROM requests WHERE staff_unread = 1 AND id IN ({})", placeholders.join(", "));
    let mut query = sqlx::query_as::<_, (String,)>(&sql);
    for id in ids {
        query = query.bind(id);
    }
    Ok(query.fetch_all(&db.pool).await?.into_iter().map(|(id,)| id).collect())
}
