//! Visit reports. The internal report is written and approved by staff; publishing
//! is a separate act with texts written for the customer. Approved is not published.

use portal_types::{SyncKind, TimelineKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::FromRow;
use utoipa::ToSchema;

use super::audit::{self, Actor};
use super::dependents;
use super::query::{self, HasId, ListSpec};
use super::query::{Page, PageQuery};
use super::time::Timestamp;
use super::timeline::{self, Place};
use super::{appointments, targets};
use crate::domain::lifecycle::{Lifecycle, ReportStatus};
use crate::domain::validate::{Fields, MAX_LINE, MAX_TEXT};
use crate::error::{AppError, AppResult};
use crate::storage::{new_id, now_ms, Db, WriteTx};

#[derive(Debug, Clone, Serialize, FromRow, ToSchema)]
pub struct VisitReport {
    pub id: String,
    pub target_id: String,
    pub appointment_id: Option<String>,
    pub customer_id: String,
    pub location_id: String,
    /// `YYYY-MM-DD` in the location's time zone.
    pub visit_date: String,
    pub internal_title: String,
    pub internal_body: String,
    pub internal_notes: String,
    #[sqlx(try_from = "String")]
    pub status: ReportStatus,
    pub approved_at: Option<Timestamp>,
    pub approved_by: Option<String>,
    pub portal_title: Option<String>,
    pub portal_summary: Option<String>,
    pub portal_message: Option<String>,
    pub published_at: Option<Timestamp>,
    pub published_by: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl HasId for VisitReport {
    fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    pub target_id: String,
    pub appointment_id: Option<String>,
    pub visit_date: String,
    pub internal_title: String,
    pub internal_body: String,
    #[serde(default)]
    pub internal_notes: String,
}

/// Internal fields; editable while the report is a draft.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportPatch {
    pub visit_date: Option<String>,
    pub internal_title: Option<String>,
    pub internal_body: Option<String>,
    pub internal_notes: Option<String>,
}

/// What the customer will read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    pub portal_title: String,
    pub portal_summary: String,
    #[serde(default)]
    pub portal_message: String,
}

const SELECT: &str = "SELECT v.id, v.target_id, v.appointment_id, v.customer_id, v.location_id, v.visit_date, \
     v.internal_title, v.internal_body, v.internal_notes, v.status, v.approved_at, v.approved_by, v.portal_title, \
     v.portal_summary, v.portal_message, v.published_at, v.published_by, v.created_at, v.updated_at \
     FROM visit_reports v";

pub async fn list(db: &Db, query: &PageQuery) -> AppResult<Page<VisitReport>> {
    let spec = ListSpec {
        alias: "v",
        customer_column: Some("v.customer_id"),
        location_column: Some("v.location_id"),
        status_column: Some("v.status"),
        statuses: ReportStatus::NAMES,
    };
    query::list(db, SELECT, spec, query).await
}

/// The visit reports of a target, oldest first.
pub async fn of_target(db: &Db, target_id: &str) -> AppResult<Vec<VisitReport>> {
    query::children(db, SELECT, "v.target_id", target_id, "v.id").await
}

pub async fn get<'c>(executor: impl sqlx::Executor<'c, Database = sqlx::Any>, id: &str) -> AppResult<VisitReport> {
    query::one(executor, &format!("{SELECT} WHERE v.id = $1"), id).await
}

pub async fn create(tx: &mut WriteTx, actor: &Actor, input: NewReport) -> AppResult<VisitReport> {
    let target =
        targets::get(&mut ***tx, &input.target_id).await.map_err(|err| err.for_field("target_id", "target"))?;
    if let Some(appointment_id) = &input.appointment_id {
        let appointment = appointments::get(&mut ***tx, appointment_id)
            .await
            .map_err(|err| err.for_field("appointment_id", "appointment"))?;
        if appointment.target_id != target.id {
            return Err(AppError::field("appointment_id", "the appointment belongs to another target"));
        }
    }
    let now = Timestamp(now_ms());
    let mut report = VisitReport {
        id: new_id(),
        target_id: target.id,
        appointment_id: input.appointment_id,
        customer_id: target.customer_id,
        location_id: target.location_id,
        visit_date: String::new(),
        internal_title: String::new(),
        internal_body: String::new(),
        internal_notes: String::new(),
        status: ReportStatus::Draft,
        approved_at: None,
        approved_by: None,
        portal_title: None,
        portal_summary: None,
        portal_message: None,
        published_at: None,
        published_by: None,
        created_at: now,
        updated_at: now,
    };
    let patch = ReportPatch {
        visit_date: Some(input.visit_date),
        internal_title: Some(input.internal_title),
        internal_body: Some(input.internal_body),
        internal_notes: Some(input.internal_notes),
    };
    apply(&mut report, &patch)?;
    let version = tx.version().await?;
    sqlx::query(
        "INSERT INTO visit_reports (id, target_id, appointment_id, customer_id, location_id, visit_date, internal_title,
             internal_body, internal_notes, status, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&report.id)
    .bind(&report.target_id)
    .bind(&report.appointment_id)
    .bind(&report.customer_id)
    .bind(&report.location_id)
    .bind(&report.visit_date)
    .bind(&report.internal_title)
    .bind(&report.internal_body)
    .bind(&report.internal_notes)
    .bind(report.status.as_str())
    .bind(now.0)
    .bind(now.0)
    .bind(version)
    .execute(&mut ***tx)
    .await?;
    audit::record(tx, actor, "report.create", "visit_report", Some(&report.id), json!({})).await?;
    Ok(report)
}

pub async fn update(tx: &mut WriteTx, actor: &Actor, id: &str, patch: ReportPatch) -> AppResult<VisitReport> {
    let mut report = get(&mut ***tx, id).await?;
    if report.status != ReportStatus::Draft {
        return Err(AppError::Conflict(format!(
            "the report is {}; reopen it as a draft before editing",
            report.status.as_str()
        )));
    }
    apply(&mut report, &patch)?;
    save(tx, &report).await?;
    audit::record(tx, actor, "report.update", "visit_report", Some(id), json!({})).await?;
    Ok(report)
}

/// Approves a draft. The customer still sees nothing.
pub async fn approve(tx: &mut WriteTx, actor: &Actor, id: &str) -> AppResult<VisitReport> {
    let mut report = get(&mut ***tx, id).await?;
    report.status = report.status.transition_to(ReportStatus::Approved)?;
    report.approved_at = Some(Timestamp::now());
    report.approved_by = Some(actor.label());
    save(tx, &report).await?;
    audit::record(tx, actor, "report.approve", "visit_report", Some(id), json!({})).await?;
    Ok(report)
}

/// Takes an approved report back to draft for editing.
pub async fn reopen(tx: &mut WriteTx, actor: &Actor, id: &str) -> AppResult<VisitReport> {
    let mut report = get(&mut ***tx, id).await?;
    report.status = report.status.transition_to(ReportStatus::Draft)?;
    report.approved_at = None;
    report.approved_by = None;
    save(tx, &report).await?;
    audit::record(tx, actor, "report.reopen", "visit_report", Some(id), json!({})).await?;
    Ok(report)
}

/// Publishes an approved report with the texts written for the customer.
pub async fn publish(tx: &mut WriteTx, actor: &Actor, id: &str, publication: Publication) -> AppResult<VisitReport> {
    let mut report = get(&mut ***tx, id).await?;
    let mut fields = Fields::new();
    let title = fields.text("portal_title", &publication.portal_title, MAX_LINE);
    let summary = fields.text("portal_summary", &publication.portal_summary, MAX_TEXT);
    let message = fields.optional_text("portal_message", Some(&publication.portal_message), MAX_TEXT);
    fields.finish()?;
    report.status = report.status.transition_to(ReportStatus::Published)?;
    report.portal_title = Some(title);
    report.portal_summary = Some(summary);
    report.portal_message = message;
    report.published_at = Some(Timestamp::now());
    report.published_by = Some(actor.label());
    save(tx, &report).await?;
    timeline::record(
        tx,
        TimelineKind::ReportShared,
        Place { customer_id: &report.customer_id, location_id: &report.location_id },
        id,
    )
    .await?;
    audit::record(tx, actor, "report.publish", "visit_report", Some(id), json!({})).await?;
    Ok(report)
}

/// Removes a published report from the portal; it stays approved.
pub async fn unpublish(tx: &mut WriteTx, actor: &Actor, id: &str) -> AppResult<VisitReport> {
    let mut report = get(&mut ***tx, id).await?;
    report.status = report.status.transition_to(ReportStatus::Approved)?;
    report.published_at = None;
    report.published_by = None;
    save(tx, &report).await?;
    audit::record(tx, actor, "report.unpublish", "visit_report", Some(id), json!({})).await?;
    Ok(report)
}

async fn save(tx: &mut WriteTx, report: &VisitReport) -> AppResult<()> {
    let version = tx.version().await?;
    sqlx::query(
        "UPDATE visit_reports SET visit_date = $1, internal_title = $2, internal_body = $3, internal_notes = $4,
             status = $5, approved_at = $6, approved_by = $7, portal_title = $8, portal_summary = $9,
             portal_message = $10, published_at = $11, published_by = $12, updated_at = $13, version = $14
         WHERE id = $15",
    )
    .bind(&report.visit_date)
    .bind(&report.internal_title)
    .bind(&report.internal_body)
    .bind(&report.internal_notes)
    .bind(report.status.as_str())
    .bind(report.approved_at.map(|t| t.0))
    .bind(&report.approved_by)
    .bind(&report.portal_title)
    .bind(&report.portal_summary)
    .bind(&report.portal_message)
    .bind(report.published_at.map(|t| t.0))
    .bind(&report.published_by)
    .bind(now_ms())
    .bind(version)
    .bind(&report.id)
    .execute(&mut ***tx)
    .await?;
    dependents::touch(tx, SyncKind::Report, &report.id).await?;
    Ok(())
}

fn apply(report: &mut VisitReport, patch: &ReportPatch) -> AppResult<()> {
    let mut fields = Fields::new();
    if let Some(v) = &patch.visit_date {
        report.visit_date = fields.date("visit_date", v);
    }
    if let Some(v) = &patch.internal_title {
        report.internal_title = fields.text("internal_title", v, MAX_LINE);
    }
    if let Some(v) = &patch.internal_body {
        report.internal_body = fields.text("internal_body", v, MAX_TEXT);
    }
    if let Some(v) = &patch.internal_notes {
        report.internal_notes = fields.optional_text("internal_notes", Some(v), MAX_TEXT).unwrap_or_default();
    }
    report.updated_at = Timestamp::now();
    fields.finish()
}
