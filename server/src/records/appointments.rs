//! Appointments: scheduled visits for a target. Only appointments shared with the
//! portal ever reach customers, and only their milestones reach the timeline.

use portal_types::{SyncKind, TimelineKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};
use utoipa::ToSchema;

use super::audit::{self, Actor};
use super::dependents;
use super::query::{self, flag, wire, HasId, ListSpec};
use super::query::{Page, PageQuery};
use super::time::Timestamp;
use super::timeline::{self, Place};
use super::{requests, targets};
use crate::domain::lifecycle::{AppointmentStatus, Lifecycle, TargetStatus};
use crate::domain::validate::Fields;
use crate::error::{AppError, AppResult};
use crate::storage::{new_id, now_ms, Db, WriteTx};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Appointment {
    pub id: String,
    pub target_id: String,
    pub customer_id: String,
    pub location_id: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// When the technician is expected to arrive, if narrower than the visit.
    pub arrival_window_start: Option<Timestamp>,
    pub arrival_window_end: Option<Timestamp>,
    pub status: AppointmentStatus,
    /// Only shared appointments are visible to portal users.
    pub shared_with_portal: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl FromRow<'_, AnyRow> for Appointment {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            target_id: row.try_get("target_id")?,
            customer_id: row.try_get("customer_id")?,
            location_id: row.try_get("location_id")?,
            starts_at: row.try_get("starts_at")?,
            ends_at: row.try_get("ends_at")?,
            arrival_window_start: row.try_get("arrival_window_start")?,
            arrival_window_end: row.try_get("arrival_window_end")?,
            status: wire(row, "status")?,
            shared_with_portal: flag(row, "shared_with_portal")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

impl HasId for Appointment {
    fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAppointment {
    pub target_id: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub arrival_window_start: Option<Timestamp>,
    pub arrival_window_end: Option<Timestamp>,
    /// Nothing reaches customers unless staff decide so; defaults to false.
    #[serde(default)]
    pub shared_with_portal: bool,
}

/// Changing the times reschedules; `status` moves the visit along its lifecycle.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentPatch {
    pub starts_at: Option<Timestamp>,
    pub ends_at: Option<Timestamp>,
    pub arrival_window_start: Option<Timestamp>,
    pub arrival_window_end: Option<Timestamp>,
    pub status: Option<AppointmentStatus>,
    pub shared_with_portal: Option<bool>,
}

const SELECT: &str = "SELECT a.id, a.target_id, a.customer_id, a.location_id, a.starts_at, a.ends_at, \
     a.arrival_window_start, a.arrival_window_end, a.status, a.shared_with_portal, a.created_at, a.updated_at \
     FROM appointments a";

pub async fn list(db: &Db, query: &PageQuery) -> AppResult<Page<Appointment>> {
    let spec = ListSpec {
        alias: "a",
        customer_column: Some("a.customer_id"),
        location_column: Some("a.location_id"),
        status_column: Some("a.status"),
        statuses: AppointmentStatus::NAMES,
    };
    query::list(db, SELECT, spec, query).await
}

/// Scheduled or running appointments starting in `[from, to)`, soonest first.
pub async fn starting_between(db: &Db, from: i64, to: i64) -> AppResult<Vec<Appointment>> {
    let mut select = query::Select::new(SELECT);
    select.filter("a.starts_at >= {}", query::Arg::Int(from));
    select.filter("a.starts_at < {}", query::Arg::Int(to));
    select.filter_raw("a.status IN ('scheduled', 'in_progress')");
    Ok(select.fetch_all(db, "ORDER BY a.starts_at LIMIT 200").await?)
}

/// The appointments of a target, in time order.
pub async fn of_target(db: &Db, target_id: &str) -> AppResult<Vec<Appointment>> {
    query::children(db, SELECT, "a.target_id", target_id, "a.starts_at").await
}

pub async fn get<'c>(executor: impl sqlx::Executor<'c, Database = sqlx::Any>, id: &str) -> AppResult<Appointment> {
    query::one(executor, &format!("{SELECT} WHERE a.id = $1"), id).await
}

pub async fn create(tx: &mut WriteTx, actor: &Actor, input: NewAppointment) -> AppResult<Appointment> {
    let mut target =
        targets::get(&mut ***tx, &input.target_id).await.map_err(|err| err.for_field("target_id", "target"))?;
    if matches!(target.status, TargetStatus::Completed | TargetStatus::Cancelled) {
        return Err(AppError::Conflict(format!(
            "the target is {} and takes no new appointments",
            target.status.as_str()
        )));
    }
    let now = Timestamp(now_ms());
    let appointment = Appointment {
        id: new_id(),
        target_id: target.id.clone(),
        customer_id: target.customer_id.clone(),
        location_id: target.location_id.clone(),
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        arrival_window_start: input.arrival_window_start,
        arrival_window_end: input.arrival_window_end,
        status: AppointmentStatus::Scheduled,
        shared_with_portal: input.shared_with_portal,
        created_at: now,
        updated_at: now,
    };
    check_times(&appointment)?;
    let version = tx.version().await?;
    sqlx::query(
        "INSERT INTO appointments (id, target_id, customer_id, location_id, starts_at, ends_at, arrival_window_start,
             arrival_window_end, status, shared_with_portal, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&appointment.id)
    .bind(&appointment.target_id)
    .bind(&appointment.customer_id)
    .bind(&appointment.location_id)
    .bind(appointment.starts_at.0)
    .bind(appointment.ends_at.0)
    .bind(appointment.arrival_window_start.map(|t| t.0))
    .bind(appointment.arrival_window_end.map(|t| t.0))
    .bind(appointment.status.as_str())
    .bind(i64::from(appointment.shared_with_portal))
    .bind(now.0)
    .bind(now.0)
    .bind(version)
    .execute(&mut ***tx)
    .await?;
    dependents::touch(tx, SyncKind::Appointment, &appointment.id).await?;
    targets::advance(tx, &mut target, TargetStatus::Scheduled).await?;
    if let Some(request_id) = &target.request_id {
        requests::mark_planned(tx, request_id).await?;
    }
    if appointment.shared_with_portal {
        timeline::record(tx, TimelineKind::AppointmentScheduled, place(&appointment), &appointment.id).await?;
    }
    audit::record(
        tx,
        actor,
        "appointment.create",
        "appointment",
        Some(&appointment.id),
        json!({ "target_id": target.id }),
    )
    .await?;
    Ok(appointment)
}

pub async fn update(tx: &mut WriteTx, actor: &Actor, id: &str, patch: AppointmentPatch) -> AppResult<Appointment> {
    let before = get(&mut ***tx, id).await?;
    let mut appointment = before.clone();
    let times_changed = patch.starts_at.is_some()
        || patch.ends_at.is_some()
        || patch.arrival_window_start.is_some()
        || patch.arrival_window_end.is_some();
    if times_changed && before.status != AppointmentStatus::Scheduled {
        return Err(AppError::Conflict(format!(
            "only a scheduled appointment can be rescheduled; this one is {}",
            before.status.as_str()
        )));
    }
    appointment.starts_at = patch.starts_at.unwrap_or(before.starts_at);
    appointment.ends_at = patch.ends_at.unwrap_or(before.ends_at);
    appointment.arrival_window_start = patch.arrival_window_start.or(before.arrival_window_start);
    appointment.arrival_window_end = patch.arrival_window_end.or(before.arrival_window_end);
    check_times(&appointment)?;
    if let Some(next) = patch.status.filter(|next| *next != before.status) {
        appointment.status = before.status.transition_to(next)?;
    }
    if let Some(shared) = patch.shared_with_portal {
        appointment.shared_with_portal = shared;
    }
    appointment.updated_at = Timestamp::now();
    let version = tx.version().await?;
    sqlx::query(
        "UPDATE appointments SET starts_at = $1, ends_at = $2, arrival_window_start = $3, arrival_window_end = $4,
             status = $5, shared_with_portal = $6, updated_at = $7, version = $8 WHERE id = $9",
    )
    .bind(appointment.starts_at.0)
    .bind(appointment.ends_at.0)
    .bind(appointment.arrival_window_start.map(|t| t.0))
    .bind(appointment.arrival_window_end.map(|t| t.0))
    .bind(appointment.status.as_str())
    .bind(i64::from(appointment.shared_with_portal))
    .bind(appointment.updated_at.0)
    .bind(version)
    .bind(id)
    .execute(&mut ***tx)
    .await?;
    dependents::touch(tx, SyncKind::Appointment, id).await?;
    if appointment.status == AppointmentStatus::InProgress && before.status != AppointmentStatus::InProgress {
        let mut target = targets::get(&mut ***tx, &appointment.target_id).await?;
        targets::advance(tx, &mut target, TargetStatus::InProgress).await?;
    }
    if let Some(kind) = milestone(&before, &appointment) {
        timeline::record(tx, kind, place(&appointment), id).await?;
    }
    audit::record(
        tx,
        actor,
        "appointment.update",
        "appointment",
        Some(id),
        json!({ "status": appointment.status.as_str(), "shared_with_portal": appointment.shared_with_portal }),
    )
    .await?;
    Ok(appointment)
}

/// The customer-visible milestone of a change, if any. Changes to unshared
/// appointments are invisible to customers and leave no timeline trace.
pub fn milestone(before: &Appointment, after: &Appointment) -> Option<TimelineKind> {
    if !after.shared_with_portal {
        return None;
    }
    if !before.shared_with_portal {
        return (after.status == AppointmentStatus::Scheduled).then_some(TimelineKind::AppointmentScheduled);
    }
    match (before.status, after.status) {
        (from, AppointmentStatus::Cancelled) if from != AppointmentStatus::Cancelled => {
            Some(TimelineKind::AppointmentCancelled)
        }
        (from, AppointmentStatus::Completed) if from != AppointmentStatus::Completed => {
            Some(TimelineKind::VisitCompleted)
        }
        _ if before.starts_at != after.starts_at
            || before.ends_at != after.ends_at
            || before.arrival_window_start != after.arrival_window_start
            || before.arrival_window_end != after.arrival_window_end =>
        {
            Some(TimelineKind::AppointmentRescheduled)
        }
        _ => None,
    }
}

fn check_times(appointment: &Appointment) -> AppResult<()> {
    let mut fields = Fields::new();
    fields.ordered("ends_at", appointment.starts_at.to_utc(), appointment.ends_at.to_utc());
    match (appointment.arrival_window_start, appointment.arrival_window_end) {
        (Some(start), Some(end)) => fields.ordered("arrival_window_end", start.to_utc(), end.to_utc()),
        (None, None) => {}
        (Some(_), None) => fields.error("arrival_window_end", "required with arrival_window_start"),
        (None, Some(_)) => fields.error("arrival_window_start", "required with arrival_window_end"),
    }
    fields.finish()
}

fn place(appointment: &Appointment) -> Place<'_> {
    Place { customer_id: &appointment.customer_id, location_id: &appointment.location_id }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn appointment(shared: bool, status: AppointmentStatus, starts_at: i64) -> Appointment {
        Appointment {
            id: "a".into(),
            target_id: "t".into(),
            customer_id: "c".into(),
            location_id: "l".into(),
            starts_at: Timestamp(starts_at),
            ends_at: Timestamp(starts_at + 3_600_000),
            arrival_window_start: None,
            arrival_window_end: None,
            status,
            shared_with_portal: shared,
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
        }
    }

    #[test]
    fn milestones_only_for_shared_appointments() {
        use AppointmentStatus::*;
        let hidden = appointment(false, Scheduled, 0);
        assert_eq!(milestone(&hidden, &appointment(false, Cancelled, 0)), None);
        assert_eq!(milestone(&hidden, &appointment(true, Scheduled, 0)), Some(TimelineKind::AppointmentScheduled));
        let shared = appointment(true, Scheduled, 0);
        assert_eq!(
            milestone(&shared, &appointment(true, Scheduled, 60_000)),
            Some(TimelineKind::AppointmentRescheduled)
        );
        assert_eq!(milestone(&shared, &appointment(true, Cancelled, 0)), Some(TimelineKind::AppointmentCancelled));
        assert_eq!(milestone(&shared, &appointment(true, Completed, 0)), Some(TimelineKind::VisitCompleted));
        assert_eq!(milestone(&shared, &appointment(true, InProgress, 0)), None);
        assert_eq!(milestone(&shared, &appointment(false, Scheduled, 60_000)), None);
    }
}
