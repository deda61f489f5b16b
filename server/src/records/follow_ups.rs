//! Follow-ups: further work a visit found necessary, described for the customer.

use portal_types::TimelineKind;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::FromRow;
use utoipa::ToSchema;

use super::audit::{self, Actor};
use super::query::{self, HasId, ListSpec};
use super::query::{Page, PageQuery};
use super::time::Timestamp;
use super::timeline::{self, Place};
use super::{appointments, reports, targets};
use crate::domain::lifecycle::{FollowUpStatus, Lifecycle};
use crate::domain::validate::{Fields, MAX_TEXT};
use crate::error::{AppError, AppResult};
use crate::storage::{new_id, now_ms, Db, WriteTx};

#[derive(Debug, Clone, Serialize, FromRow, ToSchema)]
pub struct FollowUp {
    pub id: String,
    pub target_id: String,
    /// The visit report that found the follow-up necessary.
    pub origin_report_id: Option<String>,
    pub customer_id: String,
    pub location_id: String,
    /// Written for the customer.
    pub description: String,
    #[sqlx(try_from = "String")]
    pub status: FollowUpStatus,
    pub planned_appointment_id: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl HasId for FollowUp {
    fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFollowUp {
    pub target_id: String,
    pub origin_report_id: Option<String>,
    pub description: String,
}

/// Planning links an appointment: set `planned_appointment_id` with status `planned`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpPatch {
    pub description: Option<String>,
    pub status: Option<FollowUpStatus>,
    pub planned_appointment_id: Option<String>,
}

const SELECT: &str = "SELECT f.id, f.target_id, f.origin_report_id, f.customer_id, f.location_id, f.description, \
     f.status, f.planned_appointment_id, f.created_at, f.updated_at FROM follow_ups f";

pub async fn list(db: &Db, query: &PageQuery) -> AppResult<Page<FollowUp>> {
    let spec = ListSpec {
        alias: "f",
        customer_column: Some("f.customer_id"),
        location_column: Some("f.location_id"),
        status_column: Some("f.status"),
        statuses: FollowUpStatus::NAMES,
    };
    query::list(db, SELECT, spec, query).await
}

/// The follow-ups of a target, oldest first.
pub async fn of_target(db: &Db, target_id: &str) -> AppResult<Vec<FollowUp>> {
    query::children(db, SELECT, "f.target_id", target_id, "f.id").await
}

pub async fn get<'c>(executor: impl sqlx::Executor<'c, Database = sqlx::Any>, id: &str) -> AppResult<FollowUp> {
    query::one(executor, &format!("{SELECT} WHERE f.id = $1"), id).await
}

pub async fn create(tx: &mut WriteTx, actor: &Actor, input: NewFollowUp) -> AppResult<FollowUp> {
    let target =
        targets::get(&mut ***tx, &input.target_id).await.map_err(|err| err.for_field("target_id", "target"))?;
    if let Some(report_id) = &input.origin_report_id {
        let report = reports::get(&mut ***tx, report_id)
            .await
            .map_err(|err| err.for_field("origin_report_id", "visit report"))?;
        if report.target_id != target.id {
            return Err(AppError::field("origin_report_id", "the report belongs to another target"));
        }
    }
    let mut fields = Fields::new();
    let description = fields.text("description", &input.description, MAX_TEXT);
    fields.finish()?;
    let now = Timestamp(now_ms());
    let follow_up = FollowUp {
        id: new_id(),
        target_id: target.id,
        origin_report_id: input.origin_report_id,
        customer_id: target.customer_id,
        location_id: target.location_id,
        description,
        status: FollowUpStatus::Required,
        planned_appointment_id: None,
        created_at: now,
        updated_at: now,
    };
    let version = tx.version().await?;
    sqlx::query(
        "INSERT INTO follow_ups (id, target_id, origin_report_id, customer_id, location_id, description, status,
             created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&follow_up.id)
    .bind(&follow_up.target_id)
    .bind(&follow_up.origin_report_id)
    .bind(&follow_up.customer_id)
    .bind(&follow_up.location_id)
    .bind(&follow_up.description)
    .bind(follow_up.status.as_str())
    .bind(now.0)
    .bind(now.0)
    .bind(version)
    .execute(&mut ***tx)
    .await?;
    timeline::record(tx, TimelineKind::FollowUpRequired, place(&follow_up), &follow_up.id).await?;
    audit::record(tx, actor, "follow_up.create", "follow_up", Some(&follow_up.id), json!({})).await?;
    Ok(follow_up)
}

pub async fn update(tx: &mut WriteTx, actor: &Actor, id: &str, patch: FollowUpPatch) -> AppResult<FollowUp> {
    let mut follow_up = get(&mut ***tx, id).await?;
    let before = follow_up.status;
    let mut fields = Fields::new();
    if let Some(v) = &patch.description {
        follow_up.description = fields.text("description", v, MAX_TEXT);
    }
    fields.finish()?;
    if let Some(appointment_id) = &patch.planned_appointment_id {
        let appointment = appointments::get(&mut ***tx, appointment_id)
            .await
            .map_err(|err| err.for_field("planned_appointment_id", "appointment"))?;
        if appointment.location_id != follow_up.location_id {
            return Err(AppError::field("planned_appointment_id", "the appointment is at another location"));
        }
        follow_up.planned_appointment_id = Some(appointment.id);
    }
    if let Some(next) = patch.status.filter(|next| *next != before) {
        follow_up.status = before.transition_to(next)?;
    }
    match follow_up.status {
        FollowUpStatus::Planned if follow_up.planned_appointment_id.is_none() => {
            return Err(AppError::field("planned_appointment_id", "a planned follow-up needs its appointment"));
        }
        FollowUpStatus::Required => follow_up.planned_appointment_id = None,
        _ => {}
    }
    follow_up.updated_at = Timestamp::now();
    let version = tx.version().await?;
    sqlx::query(
        "UPDATE follow_ups SET description = $1, status = $2, planned_appointment_id = $3, updated_at = $4, version = $5
         WHERE id = $6",
    )
    .bind(&follow_up.description)
    .bind(follow_up.status.as_str())
    .bind(&follow_up.planned_appointment_id)
    .bind(follow_up.updated_at.0)
    .bind(version)
    .bind(id)
    .execute(&mut ***tx)
    .await?;
    if follow_up.status == FollowUpStatus::Planned && before != FollowUpStatus::Planned {
        timeline::record(tx, TimelineKind::FollowUpPlanned, place(&follow_up), id).await?;
    }
    audit::record(tx, actor, "follow_up.update", "follow_up", Some(id), json!({ "status": follow_up.status.as_str() }))
        .await?;
    Ok(follow_up)
}

fn place(follow_up: &FollowUp) -> Place<'_> {
    Place { customer_id: &follow_up.customer_id, location_id: &follow_up.location_id }
}
