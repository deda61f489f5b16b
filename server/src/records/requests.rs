//! Requests: what customer contacts ask for. Submitted through the portal, reviewed by staff.

use portal_types::{LiveEventKind, RequestKind, RequestStatus, TimelineKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::FromRow;
use utoipa::ToSchema;

use super::audit::{self, Actor};
use super::events;
use super::locations;
use super::query::{self, HasId, ListSpec};
use super::query::{Page, PageQuery};
use super::time::Timestamp;
use super::timeline::{self, Place};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::scope::Scope;
use crate::domain::validate::{Fields, MAX_LINE, MAX_TEXT};
use crate::error::AppResult;
use crate::storage::{new_id, now_ms, Db, WriteTx};

/// Most preferred time windows one request may carry.
pub const MAX_WINDOWS: usize = 5;

#[derive(Debug, Clone, Serialize, FromRow, ToSchema)]
pub struct Request {
    pub id: String,
    pub customer_id: String,
    pub location_id: String,
    /// The portal user who submitted it.
    pub submitted_by: Option<String>,
    #[sqlx(try_from = "String")]
    pub kind: RequestKind,
    pub title: String,
    pub description: String,
    #[sqlx(try_from = "String")]
    pub status: RequestStatus,
    /// Written for the customer; required when rejecting.
    pub decision_reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[sqlx(skip)]
    pub preferred_windows: Vec<TimeWindow>,
}

impl HasId for Request {
    fn id(&self) -> &str {
        &self.id
    }
}

/// A window in which the customer would like the visit, as UTC instants.
#[derive(Debug, Clone, Serialize, Deserialize, FromRow, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeWindow {
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// A request as submitted; the customer is the location's.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    pub location_id: String,
    pub kind: RequestKind,
    pub title: String,
    pub description: String,
    #[serde(default)]
    pub preferred_windows: Vec<TimeWindow>,
    /// Makes retries safe: the same key from the same user returns the first request.
    pub idempotency_key: Option<String>,
}

/// A staff decision on a request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestDecision {
    pub status: RequestStatus,
    pub decision_reason: Option<String>,
}

const SELECT: &str = "SELECT r.id, r.customer_id, r.location_id, r.submitted_by, r.kind, r.title, r.description, \
     r.status, r.decision_reason, r.created_at, r.updated_at FROM requests r";

pub async fn list(db: &Db, query: &PageQuery) -> AppResult<Page<Request>> {
    let spec = ListSpec {
        alias: "r",
        customer_column: Some("r.customer_id"),
        location_column: Some("r.location_id"),
        status_column: Some("r.status"),
        statuses: RequestStatus::NAMES,
    };
    let mut page: Page<Request> = query::list(db, SELECT, spec, query).await?;
    for request in &mut page.items {
        request.preferred_windows = windows(&db.pool, &request.id).await?;
    }
    Ok(page)
}

/// A request with its preferred windows.
pub async fn get(conn: &mut sqlx::AnyConnection, id: &str) -> AppResult<Request> {
    let mut request: Request = query::one(&mut *conn, &format!("{SELECT} WHERE r.id = $1"), id).await?;
    request.preferred_windows = windows(&mut *conn, id).await?;
    Ok(request)
}

async fn windows<'c>(executor: impl sqlx::Executor<'c, Database = sqlx::Any>, id: &str) -> AppResult<Vec<TimeWindow>> {
    Ok(sqlx::query_as("SELECT starts_at, ends_at FROM request_time_windows WHERE request_id = $1 ORDER BY position")
        .bind(id)
        .fetch_all(executor)
        .await?)
}

/// Submits a request. With an idempotency key already used by the same submitter,
/// returns the earlier request unchanged (and `false`), so a retried send never duplicates.
pub async fn submit(
    tx: &mut WriteTx,
    actor: &Actor,
    submitted_by: Option<&str>,
    scope: Option<&Scope>,
    input: NewRequest,
) -> AppResult<(Request, bool)> {
    let mut fields = Fields::new();
    let idempotency_key = fields.optional_text("idempotency_key", input.idempotency_key.as_deref(), 100);
    if let (Some(user), Some(key)) = (submitted_by, &idempotency_key) {
        let existing: Option<(String,)> =
            sqlx::query_as("SELECT id FROM requests WHERE submitted_by = $1 AND idempotency_key = $2")
                .bind(user)
                .bind(key)
                .fetch_optional(&mut ***tx)
                .await?;
        if let Some((id,)) = existing {
            return Ok((get(tx, &id).await?, false));
        }
    }
    let title = fields.text("title", &input.title, MAX_LINE);
    let description = fields.text("description", &input.description, MAX_TEXT);
    if input.preferred_windows.len() > MAX_WINDOWS {
        fields.error("preferred_windows", format!("at most {MAX_WINDOWS} windows"));
    }
    let now = now_ms();
    for (i, window) in input.preferred_windows.iter().enumerate() {
        if window.starts_at.0 <= now {
            fields.error(&format!("preferred_windows[{i}].starts_at"), "must be in the future");
        }
        let end = format!("preferred_windows[{i}].ends_at");
        fields.ordered(&end, window.starts_at.to_utc(), window.ends_at.to_utc());
    }
    // A location outside the submitter's scope is answered exactly like an unknown one.
    let location = locations::get(&mut ***tx, &input.location_id)
        .await
        .ok()
        .filter(|l| scope.is_none_or(|scope| scope.covers(&l.customer_id, &l.id)));
    let Some(location) = location else {
        fields.error("location_id", "no location with this id");
        return Err(fields.finish().unwrap_err());
    };
    fields.finish()?;
    let now = Timestamp(now);
    let request = Request {
        id: new_id(),
        customer_id: location.customer_id,
        location_id: location.id,
        submitted_by: submitted_by.map(str::to_string),
        kind: input.kind,
        title,
        description,
        status: RequestStatus::Submitted,
        decision_reason: None,
        created_at: now,
        updated_at: now,
        preferred_windows: input.preferred_windows,
    };
    let version = tx.version().await?;
    sqlx::query(
        "INSERT INTO requests (id, customer_id, location_id, submitted_by, kind, title, description, status,
             idempotency_key, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&request.id)
    .bind(&request.customer_id)
    .bind(&request.location_id)
    .bind(&request.submitted_by)
    .bind(request.kind.as_str())
    .bind(&request.title)
    .bind(&request.description)
    .bind(request.status.as_str())
    .bind(&idempotency_key)
    .bind(now.0)
    .bind(now.0)
    .bind(version)
    .execute(&mut ***tx)
    .await?;
    for (position, window) in request.preferred_windows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO request_time_windows (request_id, position, starts_at, ends_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&request.id)
        .bind(position as i64)
        .bind(window.starts_at.0)
        .bind(window.ends_at.0)
        .execute(&mut ***tx)
        .await?;
    }
    timeline::record(tx, TimelineKind::RequestSubmitted, place(&request), &request.id).await?;
    audit::record(tx, actor, "request.submit", "request", Some(&request.id), json!({ "kind": request.kind.as_str() }))
        .await?;
    Ok((request, true))
}

/// The request a user submitted with an idempotency key, if any.
pub async fn by_idempotency_key(db: &Db, user_id: &str, key: &str) -> AppResult<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id FROM requests WHERE submitted_by = $1 AND idempotency_key = $2")
            .bind(user_id)
            .bind(key.trim())
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(|(id,)| id))
}

/// Applies a staff decision (review, accept, reject with a reason, cancel).
pub async fn decide(tx: &mut WriteTx, actor: &Actor, id: &str, decision: RequestDecision) -> AppResult<Request> {
    let mut request = get(tx, id).await?;
    let mut fields = Fields::new();
    let reason = fields.optional_text("decision_reason", decision.decision_reason.as_deref(), MAX_TEXT);
    if decision.status == RequestStatus::Rejected && reason.is_none() {
        fields.error("decision_reason", "a reason for the customer is required when rejecting");
    }
    fields.finish()?;
    request.status = request.status.transition_to(decision.status)?;
    if reason.is_some() {
        request.decision_reason = reason;
    }
    set_status(tx, &mut request).await?;
    let kind = match request.status {
        RequestStatus::Accepted => Some(TimelineKind::RequestAccepted),
        RequestStatus::Rejected => Some(TimelineKind::RequestRejected),
        _ => None,
    };
    if let Some(kind) = kind {
        timeline::record(tx, kind, place(&request), &request.id).await?;
    }
    audit::record(tx, actor, "request.decide", "request", Some(id), json!({ "status": request.status.as_str() }))
        .await?;
    Ok(request)
}

/// Marks an accepted request as planned once its work has an appointment.
pub async fn mark_planned(tx: &mut WriteTx, id: &str) -> AppResult<()> {
    let mut request = get(tx, id).await?;
    if request.status == RequestStatus::Accepted {
        request.status = RequestStatus::Planned;
        set_status(tx, &mut request).await?;
    }
    Ok(())
}

async fn set_status(tx: &mut WriteTx, request: &mut Request) -> AppResult<()> {
    request.updated_at = Timestamp::now();
    let version = tx.version().await?;
    sqlx::query("UPDATE requests SET status = $1, decision_reason = $2, updated_at = $3, version = $4 WHERE id = $5")
        .bind(request.status.as_str())
        .bind(&request.decision_reason)
        .bind(request.updated_at.0)
        .bind(version)
        .bind(&request.id)
        .execute(&mut ***tx)
        .await?;
    if let Some(submitter) = request.submitted_by.clone() {
        events::record(tx, LiveEventKind::RequestStatusChanged, &place(request), &request.id, Some(&submitter)).await?;
    }
    Ok(())
}

fn place(request: &Request) -> Place<'_> {
    Place { customer_id: &request.customer_id, location_id: &request.location_id }
}
