//! Targets: units of internal work, with the internal fields customers never see.

use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::FromRow;
use utoipa::ToSchema;

use super::audit::{self, Actor};
use super::dependents;
use super::query::{self, HasId, ListSpec};
use super::query::{Page, PageQuery};
use super::time::Timestamp;
use super::{contacts, locations, requests};
use crate::domain::lifecycle::{Lifecycle, TargetStatus};
use crate::domain::validate::{Fields, MAX_LINE, MAX_TEXT};
use crate::error::{AppError, AppResult};
use crate::storage::{new_id, now_ms, Db, WriteTx};
use portal_types::{RequestStatus, SyncKind};

#[derive(Debug, Clone, Serialize, FromRow, ToSchema)]
pub struct Target {
    pub id: String,
    pub customer_id: String,
    pub location_id: String,
    pub contact_id: Option<String>,
    /// The portal request this work was converted from.
    pub request_id: Option<String>,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub status: TargetStatus,
    pub internal_notes: String,
    /// Smart-routing score from dispatch; internal only.
    pub routing_score: Option<f64>,
    /// Billing trigger, e.g. "on completion"; internal only.
    pub billing_trigger: Option<String>,
    pub assigned_employee: Option<String>,
    pub external_ref: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl HasId for Target {
    fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTarget {
    /// The customer is the location's customer.
    pub location_id: String,
    pub contact_id: Option<String>,
    /// An accepted request to convert into this target.
    pub request_id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub internal_notes: String,
    pub routing_score: Option<f64>,
    pub billing_trigger: Option<String>,
    pub assigned_employee: Option<String>,
    pub external_ref: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetPatch {
    pub title: Option<String>,
    pub status: Option<TargetStatus>,
    pub internal_notes: Option<String>,
    pub routing_score: Option<f64>,
    pub billing_trigger: Option<String>,
    pub assigned_employee: Option<String>,
}

const SELECT: &str = "SELECT t.id, t.customer_id, t.location_id, t.contact_id, t.request_id, t.title, t.status, \
     t.internal_notes, t.routing_score, t.billing_trigger, t.assigned_employee, t.external_ref, t.created_at, \
     t.updated_at FROM targets t";

pub async fn list(db: &Db, query: &PageQuery) -> AppResult<Page<Target>> {
    let spec = ListSpec {
        alias: "t",
        customer_column: Some("t.customer_id"),
        location_column: Some("t.location_id"),
        status_column: Some("t.status"),
        statuses: TargetStatus::NAMES,
    };
    query::list(db, SELECT, spec, query).await
}

pub async fn get<'c>(executor: impl sqlx::Executor<'c, Database = sqlx::Any>, id: &str) -> AppResult<Target> {
    query::one(executor, &format!("{SELECT} WHERE t.id = $1"), id).await
}

/// The targets among `ids`, by id.
pub async fn by_ids(db: &Db, ids: &[String]) -> AppResult<std::collections::HashMap<String, Target>> {
    let mut select = query::Select::new(SELECT);
    select.filter_in("t.id", ids);
    let targets: Vec<Target> = select.fetch_all(db, "").await?;
    Ok(targets.into_iter().map(|t| (t.id.clone(), t)).collect())
}

/// The work created for a request.
pub async fn for_request(db: &Db, request_id: &str) -> AppResult<Vec<Target>> {
    query::children(db, SELECT, "t.request_id", request_id, "t.id").await
}

pub async fn create(tx: &mut WriteTx, actor: &Actor, input: NewTarget) -> AppResult<Target> {
    let location =
        locations::get(&mut ***tx, &input.location_id).await.map_err(|err| err.for_field("location_id", "location"))?;
    if let Some(contact_id) = &input.contact_id {
        let contact =
            contacts::get(&mut ***tx, contact_id).await.map_err(|err| err.for_field("contact_id", "contact"))?;
        if contact.customer_id != location.customer_id {
            return Err(AppError::field("contact_id", "the contact belongs to another customer"));
        }
    }
    if let Some(request_id) = &input.request_id {
        let request = requests::get(tx, request_id).await.map_err(|err| err.for_field("request_id", "request"))?;
        if request.location_id != location.id {
            return Err(AppError::field("request_id", "the request is for another location"));
        }
        if request.status != RequestStatus::Accepted {
            return Err(AppError::Conflict(format!(
                "only an accepted request can become a target; this one is {}",
                request.status.as_str()
            )));
        }
    }
    let now = Timestamp(now_ms());
    let mut target = Target {
        id: new_id(),
        customer_id: location.customer_id,
        location_id: location.id,
        contact_id: input.contact_id,
        request_id: input.request_id,
        title: String::new(),
        status: TargetStatus::New,
        internal_notes: String::new(),
        routing_score: None,
        billing_trigger: None,
        assigned_employee: None,
        external_ref: None,
        created_at: now,
        updated_at: now,
    };
    let mut fields = Fields::new();
    target.external_ref = fields.optional_text("external_ref", input.external_ref.as_deref(), MAX_LINE);
    let patch = TargetPatch {
        title: Some(input.title),
        status: None,
        internal_notes: Some(input.internal_notes),
        routing_score: input.routing_score,
        billing_trigger: input.billing_trigger,
        assigned_employee: input.assigned_employee,
    };
    apply(&mut target, &patch, fields)?;
    let version = tx.version().await?;
    sqlx::query(
        "INSERT INTO targets (id, customer_id, location_id, contact_id, request_id, title, status, internal_notes,
             routing_score, billing_trigger, assigned_employee, external_ref, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&target.id)
    .bind(&target.customer_id)
    .bind(&target.location_id)
    .bind(&target.contact_id)
    .bind(&target.request_id)
    .bind(&target.title)
    .bind(target.status.as_str())
    .bind(&target.internal_notes)
    .bind(target.routing_score)
    .bind(&target.billing_trigger)
    .bind(&target.assigned_employee)
    .bind(&target.external_ref)
    .bind(now.0)
    .bind(now.0)
    .bind(version)
    .execute(&mut ***tx)
    .await?;
    audit::record(tx, actor, "target.create", "target", Some(&target.id), json!({ "request_id": target.request_id }))
        .await?;
    Ok(target)
}

pub async fn update(tx: &mut WriteTx, actor: &Actor, id: &str, patch: TargetPatch) -> AppResult<Target> {
    let mut target = get(&mut ***tx, id).await?;
    let before = target.status;
    apply(&mut target, &patch, Fields::new())?;
    save(tx, &target).await?;
    audit::record(
        tx,
        actor,
        "target.update",
        "target",
        Some(id),
        json!({ "status_from": before.as_str(), "status_to": target.status.as_str() }),
    )
    .await?;
    Ok(target)
}

/// Moves a target to `next` if its lifecycle allows it; used when appointments change.
pub async fn advance(tx: &mut WriteTx, target: &mut Target, next: TargetStatus) -> AppResult<()> {
    if target.status != next && target.status.allows(next) {
        target.status = next;
        save(tx, target).await?;
    }
    Ok(())
}

async fn save(tx: &mut WriteTx, target: &Target) -> AppResult<()> {
    let version = tx.version().await?;
    sqlx::query(
        "UPDATE targets SET title = $1, status = $2, internal_notes = $3, routing_score = $4, billing_trigger = $5,
             assigned_employee = $6, updated_at = $7, version = $8 WHERE id = $9",
    )
    .bind(&target.title)
    .bind(target.status.as_str())
    .bind(&target.internal_notes)
    .bind(target.routing_score)
    .bind(&target.billing_trigger)
    .bind(&target.assigned_employee)
    .bind(now_ms())
    .bind(version)
    .bind(&target.id)
    .execute(&mut ***tx)
    .await?;
    // Files on work follow whether it is open.
    dependents::touch(tx, SyncKind::Work, &target.id).await?;
    Ok(())
}

fn apply(target: &mut Target, patch: &TargetPatch, mut fields: Fields) -> AppResult<()> {
    if let Some(v) = &patch.title {
        target.title = fields.text("title", v, MAX_LINE);
    }
    if let Some(v) = &patch.internal_notes {
        target.internal_notes = fields.optional_text("internal_notes", Some(v), MAX_TEXT).unwrap_or_default();
    }
    if let Some(score) = patch.routing_score {
        if !(0.0..=100.0).contains(&score) {
            fields.error("routing_score", "must be between 0 and 100");
        }
        target.routing_score = Some(score);
    }
    if let Some(v) = &patch.billing_trigger {
        target.billing_trigger = fields.optional_text("billing_trigger", Some(v), MAX_LINE);
    }
    if let Some(v) = &patch.assigned_employee {
        target.assigned_employee = fields.optional_text("assigned_employee", Some(v), MAX_LINE);
    }
    fields.finish()?;
    if let Some(next) = patch.status {
        if next != target.status {
            target.status = target.status.transition_to(next)?;
        }
    }
    target.updated_at = Timestamp::now();
    Ok(())
}
