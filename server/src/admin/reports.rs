//! Visit reports: write the internal report, approve it, then publish it with the
//! texts the customer reads — three states that never blur. Attachments are
//! uploaded here and released to the portal one by one.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::auth::Staff;
use super::csrf;
use super::files::{self, AttachmentLine};
use super::form::{begin_edit, field_errors, FormData, FormState, Posted};
use super::format;
use super::lists::{self, Item, Listing};
use super::page::{done, render, render_status, AdminError, Chrome, Notice};
use crate::domain::lifecycle::ReportStatus;
use crate::download;
use crate::error::AppError;
use crate::extract::Path;
use crate::extract::{read_upload, ApiQuery, PageQuery};
use crate::records::attachments::{self, OwnerKind, Uploader};
use crate::records::places::{self, Place};
use crate::records::reports::{self, Publication, ReportPatch, VisitReport};
use crate::state::AppState;

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(filter): ApiQuery<PageQuery>,
) -> Result<Response, AdminError> {
    let filter = lists::clean(filter);
    let page = reports::list(&state.db, &filter).await?;
    let items = page
        .items
        .iter()
        .map(|r| Item {
            href: format!("/admin/reports/{}", r.id),
            title: r.internal_title.clone(),
            location_id: &r.location_id,
            at: None,
            date: Some(r.visit_date.clone()),
            status: r.status.as_str(),
            flag: None,
        })
        .collect();
    let listing =
        Listing { title_key: "nav.reports", action: "/admin/reports", create: None, statuses: ReportStatus::NAMES };
    lists::render_list(&state, staff.chrome("reports"), listing, filter, items, page.next_after).await
}

#[derive(Template)]
#[template(path = "admin/report.html")]
struct ReportPage {
    c: Chrome,
    report: VisitReport,
    place: Place,
    f: FormState,
    attachments: Vec<AttachmentLine>,
    approved_at: String,
    published_at: String,
}

impl ReportPage {
    /// A field: the re-shown input of its form, else the stored value.
    fn rv(&self, which: &str, name: &str) -> String {
        if self.f.on(which) {
            return self.f.v(name).to_string();
        }
        let r = &self.report;
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        match name {
            "visit_date" => r.visit_date.clone(),
            "internal_title" => r.internal_title.clone(),
            "internal_body" => r.internal_body.clone(),
            "internal_notes" => r.internal_notes.clone(),
            "portal_title" => text(&r.portal_title),
            "portal_summary" => text(&r.portal_summary),
            "portal_message" => text(&r.portal_message),
            _ => String::new(),
        }
    }

    fn is(&self, status: &str) -> bool {
        self.report.status.as_str() == status
    }
}

async fn page(state: &AppState, c: Chrome, id: &str, f: FormState) -> Result<ReportPage, AdminError> {
    let report = reports::get(&state.db.pool, id).await?;
    let place = places::of(&state.db, [report.location_id.as_str()])
        .await?
        .remove(&report.location_id)
        .ok_or(AppError::NotFound)?;
    let attachments = files::lines(attachments::of_owner(&state.db, OwnerKind::Report, id).await?);
    let at = |t: Option<crate::records::time::Timestamp>| {
        t.map(|t| format::local(t.0, &place.time_zone)).unwrap_or_default()
    };
    Ok(ReportPage {
        approved_at: at(report.approved_at),
        published_at: at(report.published_at),
        c,
        report,
        place,
        f,
        attachments,
    })
}

pub async fn show(State(state): State<AppState>, Path(id): Path<String>, staff: Staff) -> Result<Response, AdminError> {
    render(&page(&state, staff.chrome("reports"), &id, FormState::default()).await?)
}

async fn rejected(
    state: &AppState,
    staff: &Staff,
    id: &str,
    form: &FormData,
    err: AppError,
) -> Result<Response, AdminError> {
    let f = FormState::rejected(form, field_errors(err)?);
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(state, staff.chrome("reports"), id, f).await?)
}

/// One step of a report's life: edit, approve, reopen, publish or unpublish.
pub async fn act(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let actor = staff.actor();
    let mut tx = begin_edit(&state, &form, "visit_reports", &id).await?;
    let (result, notice) = match form.get("action") {
        "save" => {
            let patch = ReportPatch {
                visit_date: Some(form.get("visit_date").to_string()),
                internal_title: Some(form.get("internal_title").to_string()),
                internal_body: Some(form.get("internal_body").to_string()),
                internal_notes: Some(form.get("internal_notes").to_string()),
            };
            (reports::update(&mut tx, &actor, &id, patch).await, Notice::Saved)
        }
        "approve" => (reports::approve(&mut tx, &actor, &id).await, Notice::ReportApproved),
        "reopen" => (reports::reopen(&mut tx, &actor, &id).await, Notice::ReportReopened),
        "publish" => {
            let publication = Publication {
                portal_title: form.get("portal_title").to_string(),
                portal_summary: form.get("portal_summary").to_string(),
                portal_message: form.get("portal_message").to_string(),
            };
            (reports::publish(&mut tx, &actor, &id, publication).await, Notice::ReportPublished)
        }
        "unpublish" => (reports::unpublish(&mut tx, &actor, &id).await, Notice::ReportUnpublished),
        _ => return Err(AppError::field("action", "must be save, approve, reopen, publish or unpublish").into()),
    };
    match result {
        Ok(_) => {
            tx.commit().await?;
            Ok(done(&format!("/admin/reports/{id}"), notice))
        }
        Err(err) => {
            drop(tx);
            rejected(&state, &staff, &id, &form, err).await
        }
    }
}

/// Uploads a file to a report; it starts internal until released.
pub async fn upload(
    State(state): State<AppState>,
    Path(id): Path<String>,
    staff: Staff,
    request: Request,
) -> Result<Response, AdminError> {
    let owner = Some((OwnerKind::Report, id.as_str()));
    let result = read_upload(request, state.config.max_upload_bytes, true, owner, &state.blobs).await;
    let (upload, token) = match result {
        Ok(read) => read,
        Err(err) => {
            let mut form = FormData::default();
            form.0.push(("form".into(), "upload".into()));
            return rejected(&state, &staff, &id, &form, err).await;
        }
    };
    if !csrf::token_matches(&staff.session.csrf_token, token.as_deref().unwrap_or_default()) {
        return Err(AdminError::Forbidden);
    }
    let mut tx = state.db.begin_write().await?;
    match attachments::create(&mut tx, &staff.actor(), upload, Uploader::Staff).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(done(&format!("/admin/reports/{id}"), Notice::Uploaded))
        }
        Err(err) => {
            drop(tx);
            let mut form = FormData::default();
            form.0.push(("form".into(), "upload".into()));
            rejected(&state, &staff, &id, &form, err).await
        }
    }
}

/// Releases an attachment to the portal, or takes it back.
pub async fn release(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let released = posted.form.get("released") == "true";
    let mut tx = state.db.begin_write().await?;
    let attachment = attachments::set_released(&mut tx, &posted.staff.actor(), &id, released).await?;
    tx.commit().await?;
    Ok(done(&files::page_of(&attachment), if released { Notice::Released } else { Notice::Unreleased }))
}

/// Staff preview and download, with the same safe headers as the portal's.
pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _staff: Staff,
    headers: HeaderMap,
) -> Result<Response, AdminError> {
    let attachment = attachments::get(&state.db.pool, &id).await?;
    Ok(download::respond(state.blobs.as_ref(), &attachment, &headers).await?)
}
