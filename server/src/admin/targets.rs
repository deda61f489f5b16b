//! Work (targets) with their internal fields, and what hangs off them: appointments
//! (schedule, reschedule, cancel, share with the portal), follow-ups (require, plan,
//! done) and new visit reports.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::auth::Staff;
use super::files::{self, AttachmentLine};
use super::form::{begin_edit, field_errors, FormData, FormState, Posted};
use super::format;
use super::lists::{self, Item, Listing};
use super::page::{done, render, render_status, AdminError, Chrome, Notice};
use crate::domain::lifecycle::{AppointmentStatus, FollowUpStatus, TargetStatus};
use crate::error::{AppError, FieldErrors};
use crate::extract::Path;
use crate::extract::{ApiQuery, PageQuery};
use crate::records::appointments::{self, AppointmentPatch, NewAppointment};
use crate::records::attachments::{self, OwnerKind};
use crate::records::follow_ups::{self, FollowUpPatch, NewFollowUp};
use crate::records::places::{self, Place};
use crate::records::reports::{self, NewReport};
use crate::records::targets::{self, Target, TargetPatch};
use crate::records::time::Timestamp;
use crate::state::AppState;
use crate::storage::WriteTx;

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(filter): ApiQuery<PageQuery>,
) -> Result<Response, AdminError> {
    let filter = lists::clean(filter);
    let page = targets::list(&state.db, &filter).await?;
    let items = page
        .items
        .iter()
        .map(|t| Item {
            href: format!("/admin/targets/{}", t.id),
            title: t.title.clone(),
            location_id: &t.location_id,
            at: Some(t.created_at),
            date: None,
            status: t.status.as_str(),
            flag: None,
        })
        .collect();
    let listing =
        Listing { title_key: "nav.targets", action: "/admin/targets", create: None, statuses: TargetStatus::NAMES };
    lists::render_list(&state, staff.chrome("targets"), listing, filter, items, page.next_after).await
}

pub async fn follow_ups(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(filter): ApiQuery<PageQuery>,
) -> Result<Response, AdminError> {
    let filter = lists::clean(filter);
    let page = follow_ups::list(&state.db, &filter).await?;
    let items = page
        .items
        .iter()
        .map(|f| Item {
            href: format!("/admin/targets/{}", f.target_id),
            title: f.description.clone(),
            location_id: &f.location_id,
            at: Some(f.updated_at),
            date: None,
            status: f.status.as_str(),
            flag: None,
        })
        .collect();
    let listing = Listing {
        title_key: "nav.follow_ups",
        action: "/admin/follow-ups",
        create: None,
        statuses: FollowUpStatus::NAMES,
    };
    lists::render_list(&state, staff.chrome("follow_ups"), listing, filter, items, page.next_after).await
}

pub struct AppointmentLine {
    pub id: String,
    /// Names this appointment's form, to show its errors next to it.
    pub form_key: String,
    pub when: String,
    pub arrival: String,
    pub starts_input: String,
    pub ends_input: String,
    pub status: &'static str,
    pub shared: bool,
    pub open: bool,
    pub updated_at: i64,
}

pub struct FollowUpLine {
    pub id: String,
    pub form_key: String,
    pub description: String,
    pub status: &'static str,
    pub planned: String,
    pub updated_at: i64,
}

pub struct ReportLine {
    pub id: String,
    pub title: String,
    pub visit_date: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "admin/target.html")]
struct TargetPage {
    c: Chrome,
    target: Target,
    place: Place,
    f: FormState,
    appointments: Vec<AppointmentLine>,
    follow_ups: Vec<FollowUpLine>,
    reports: Vec<ReportLine>,
    /// The work's files, with the photos sent with the request it was made from.
    files: Vec<AttachmentLine>,
    statuses: &'static [&'static str],
}

async fn page(state: &AppState, c: Chrome, id: &str, f: Option<FormState>) -> Result<TargetPage, AdminError> {
    let target = targets::get(&state.db.pool, id).await?;
    let place = places::of(&state.db, [target.location_id.as_str()])
        .await?
        .remove(&target.location_id)
        .ok_or(AppError::NotFound)?;
    let tz = place.time_zone.clone();
    let all = appointments::of_target(&state.db, id).await?;
    let when = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| all.iter().find(|a| &a.id == id))
            .map(|a| format::local(a.starts_at.0, &tz))
            .unwrap_or_default()
    };
    let follow_ups = follow_ups::of_target(&state.db, id)
        .await?
        .into_iter()
        .map(|f| FollowUpLine {
            planned: when(&f.planned_appointment_id),
            form_key: format!("plan-{}", f.id),
            id: f.id,
            description: f.description,
            status: f.status.as_str(),
            updated_at: f.updated_at.0,
        })
        .collect();
    let reports = reports::of_target(&state.db, id)
        .await?
        .into_iter()
        .map(|r| ReportLine { id: r.id, title: r.internal_title, visit_date: r.visit_date, status: r.status.as_str() })
        .collect();
    let appointments = all
        .iter()
        .map(|a| AppointmentLine {
            id: a.id.clone(),
            form_key: format!("appointment-{}", a.id),
            when: format!("{} – {}", format::local(a.starts_at.0, &tz), format::local(a.ends_at.0, &tz)),
            arrival: match (a.arrival_window_start, a.arrival_window_end) {
                (Some(from), Some(to)) => format!("{} – {}", format::local(from.0, &tz), format::local(to.0, &tz)),
                _ => String::new(),
            },
            starts_input: format::input_value(a.starts_at.0, &tz),
            ends_input: format::input_value(a.ends_at.0, &tz),
            status: a.status.as_str(),
            shared: a.shared_with_portal,
            open: matches!(a.status, AppointmentStatus::Scheduled | AppointmentStatus::InProgress),
            updated_at: a.updated_at.0,
        })
        .collect();
    let files = files::lines(attachments::of_owner(&state.db, OwnerKind::Target, id).await?);
    let f = f.unwrap_or_default();
    Ok(TargetPage { c, target, place, f, appointments, follow_ups, reports, files, statuses: TargetStatus::NAMES })
}

impl TargetPage {
    /// A field of the internal-fields form: the user's input when that form is being
    /// re-shown, the stored value otherwise.
    fn tv(&self, name: &str) -> String {
        if self.f.on("target") {
            return self.f.v(name).to_string();
        }
        let t = &self.target;
        match name {
            "title" => t.title.clone(),
            "status" => t.status.as_str().to_string(),
            "internal_notes" => t.internal_notes.clone(),
            "routing_score" => t.routing_score.map(|s| s.to_string()).unwrap_or_default(),
            "billing_trigger" => t.billing_trigger.clone().unwrap_or_default(),
            "assigned_employee" => t.assigned_employee.clone().unwrap_or_default(),
            _ => String::new(),
        }
    }
}

pub async fn show(State(state): State<AppState>, Path(id): Path<String>, staff: Staff) -> Result<Response, AdminError> {
    render(&page(&state, staff.chrome("targets"), &id, None).await?)
}

/// Re-shows the work page with the failed form's input and messages.
async fn rejected(
    state: &AppState,
    staff: &Staff,
    id: &str,
    form: &FormData,
    err: AppError,
) -> Result<Response, AdminError> {
    let f = FormState::rejected(form, field_errors(err)?);
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(state, staff.chrome("targets"), id, Some(f)).await?)
}

/// Commits and redirects, or re-shows the page with the form's errors.
async fn finish<T>(
    state: &AppState,
    staff: &Staff,
    id: &str,
    form: &FormData,
    tx: WriteTx,
    result: Result<T, AppError>,
    notice: Notice,
) -> Result<Response, AdminError> {
    match result {
        Ok(_) => {
            tx.commit().await?;
            Ok(done(&format!("/admin/targets/{id}"), notice))
        }
        Err(err) => {
            drop(tx);
            rejected(state, staff, id, form, err).await
        }
    }
}

fn number(form: &FormData, name: &str, errors: &mut FieldErrors, message: &str) -> Option<f64> {
    let value = form.opt(name)?;
    value.parse().map_err(|_| errors.insert(name.into(), message.into())).ok()
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let mut tx = begin_edit(&state, &form, "targets", &id).await?;
    let mut errors = FieldErrors::new();
    let routing_score = number(&form, "routing_score", &mut errors, staff.lang().t("form.number"));
    let status = match TargetStatus::parse(form.get("status")) {
        Some(status) => Some(status),
        None => {
            errors.insert("status".into(), staff.lang().t("form.choose").into());
            None
        }
    };
    let result = if errors.is_empty() {
        let patch = TargetPatch {
            title: Some(form.get("title").to_string()),
            status,
            internal_notes: Some(form.get("internal_notes").to_string()),
            routing_score,
            billing_trigger: Some(form.get("billing_trigger").to_string()),
            assigned_employee: Some(form.get("assigned_employee").to_string()),
        };
        targets::update(&mut tx, &staff.actor(), &id, patch).await
    } else {
        Err(AppError::invalid(errors))
    };
    finish(&state, &staff, &id, &form, tx, result, Notice::Saved).await
}

/// Reads the start and end of an appointment entered in the location's time.
fn times(form: &FormData, tz: &str, errors: &mut FieldErrors) -> (Option<Timestamp>, Option<Timestamp>) {
    let mut read = |name: &str| match format::parse_local(form.get(name), tz) {
        Ok(ms) => Some(Timestamp(ms)),
        Err(message) => {
            errors.insert(name.into(), message.into());
            None
        }
    };
    (read("starts_at"), read("ends_at"))
}

/// Creates an appointment for a target from the schedule form's fields.
async fn schedule_from(
    tx: &mut WriteTx,
    staff: &Staff,
    target: &Target,
    tz: &str,
    form: &FormData,
) -> Result<String, AppError> {
    let mut errors = FieldErrors::new();
    let (starts_at, ends_at) = times(form, tz, &mut errors);
    let (Some(starts_at), Some(ends_at)) = (starts_at, ends_at) else {
        return Err(AppError::invalid(errors));
    };
    let input = NewAppointment {
        target_id: target.id.clone(),
        starts_at,
        ends_at,
        arrival_window_start: None,
        arrival_window_end: None,
        shared_with_portal: form.checked("shared_with_portal"),
    };
    Ok(appointments::create(tx, &staff.actor(), input).await?.id)
}

async fn target_and_zone(state: &AppState, id: &str) -> Result<(Target, String), AdminError> {
    let target = targets::get(&state.db.pool, id).await?;
    let places = places::of(&state.db, [target.location_id.as_str()]).await?;
    let tz = places.get(&target.location_id).map(|p| p.time_zone.clone()).unwrap_or_else(|| "UTC".into());
    Ok((target, tz))
}

pub async fn schedule(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let (target, tz) = target_and_zone(&state, &id).await?;
    let mut tx = state.db.begin_write().await?;
    let result = schedule_from(&mut tx, &staff, &target, &tz, &form).await;
    finish(&state, &staff, &id, &form, tx, result, Notice::Scheduled).await
}

/// Reschedule, cancel, share or unshare one appointment.
pub async fn change_appointment(
    State(state): State<AppState>,
    Path(appointment_id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let appointment = appointments::get(&state.db.pool, &appointment_id).await?;
    let (_, tz) = target_and_zone(&state, &appointment.target_id).await?;
    let mut patch = AppointmentPatch::default();
    let mut errors = FieldErrors::new();
    match form.get("action") {
        "reschedule" => (patch.starts_at, patch.ends_at) = times(&form, &tz, &mut errors),
        "cancel" => patch.status = Some(AppointmentStatus::Cancelled),
        "share" => patch.shared_with_portal = Some(true),
        "unshare" => patch.shared_with_portal = Some(false),
        _ => return Err(AppError::field("action", "must be reschedule, cancel, share or unshare").into()),
    }
    let mut tx = begin_edit(&state, &form, "appointments", &appointment_id).await?;
    let result = if errors.is_empty() {
        appointments::update(&mut tx, &staff.actor(), &appointment_id, patch).await
    } else {
        Err(AppError::invalid(errors))
    };
    finish(&state, &staff, &appointment.target_id, &form, tx, result, Notice::AppointmentSaved).await
}

pub async fn require_follow_up(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let input = NewFollowUp {
        target_id: id.clone(),
        origin_report_id: form.opt("origin_report_id"),
        description: form.get("description").to_string(),
    };
    let mut tx = state.db.begin_write().await?;
    let result = follow_ups::create(&mut tx, &staff.actor(), input).await;
    finish(&state, &staff, &id, &form, tx, result, Notice::FollowUpRequired).await
}

/// Plans a follow-up with an existing appointment, or with a new one from the form.
pub async fn plan_follow_up(
    State(state): State<AppState>,
    Path(follow_up_id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let follow_up = follow_ups::get(&state.db.pool, &follow_up_id).await?;
    let (target, tz) = target_and_zone(&state, &follow_up.target_id).await?;
    let mut tx = begin_edit(&state, &form, "follow_ups", &follow_up_id).await?;
    let appointment_id = match form.opt("appointment_id") {
        Some(existing) => Ok(existing),
        None => schedule_from(&mut tx, &staff, &target, &tz, &form).await,
    };
    let result = match appointment_id {
        Ok(appointment_id) => {
            let patch = FollowUpPatch {
                description: None,
                status: Some(FollowUpStatus::Planned),
                planned_appointment_id: Some(appointment_id),
            };
            follow_ups::update(&mut tx, &staff.actor(), &follow_up_id, patch).await
        }
        Err(err) => Err(err),
    };
    finish(&state, &staff, &target.id, &form, tx, result, Notice::FollowUpPlanned).await
}

pub async fn finish_follow_up(
    State(state): State<AppState>,
    Path(follow_up_id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let follow_up = follow_ups::get(&state.db.pool, &follow_up_id).await?;
    let mut tx = begin_edit(&state, &form, "follow_ups", &follow_up_id).await?;
    let status = if form.get("status") == "cancelled" { FollowUpStatus::Cancelled } else { FollowUpStatus::Done };
    let patch = FollowUpPatch { description: None, status: Some(status), planned_appointment_id: None };
    let result = follow_ups::update(&mut tx, &staff.actor(), &follow_up_id, patch).await;
    finish(&state, &staff, &follow_up.target_id, &form, tx, result, Notice::FollowUpSaved).await
}

/// Starts a visit report (internal; nothing reaches the customer until published).
pub async fn new_report(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let input = NewReport {
        target_id: id.clone(),
        appointment_id: form.opt("appointment_id"),
        visit_date: form.get("visit_date").to_string(),
        internal_title: form.get("internal_title").to_string(),
        internal_body: form.get("internal_body").to_string(),
        internal_notes: form.get("internal_notes").to_string(),
    };
    let mut tx = state.db.begin_write().await?;
    match reports::create(&mut tx, &staff.actor(), input).await {
        Ok(report) => {
            tx.commit().await?;
            Ok(done(&format!("/admin/reports/{}", report.id), Notice::ReportCreated))
        }
        Err(err) => {
            drop(tx);
            rejected(&state, &staff, &id, &form, err).await
        }
    }
}
