//! The request inbox: filter, read a request with its preferred windows in the
//! location's time and its conversation with the customer, reply (or note
//! internally), and decide — in review, accept, reject with a reason for the
//! customer — or convert an accepted request into work.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use portal_types::RequestStatus;

use super::auth::Staff;
use super::files::{self, AttachmentLine};
use super::form::{begin_edit, field_errors, FormData, FormState, Posted};
use super::format;
use super::lists::{self, Item, Listing};
use super::page::{done, render, render_status, AdminError, Chrome, Notice};
use crate::error::AppError;
use crate::extract::Path;
use crate::extract::{ApiQuery, PageQuery};
use crate::records::attachments::{self, OwnerKind};
use crate::records::messages::{self, Author, Message, Visibility};
use crate::records::places::{self, Place};
use crate::records::portal_access;
use crate::records::requests::{self, Request, RequestDecision};
use crate::records::targets::{self, NewTarget};
use crate::state::AppState;

pub async fn inbox(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(filter): ApiQuery<PageQuery>,
) -> Result<Response, AdminError> {
    let filter = lists::clean(filter);
    let page = requests::list(&state.db, &filter).await?;
    let ids: Vec<String> = page.items.iter().map(|r| r.id.clone()).collect();
    let unread = messages::unread_among(&state.db, &ids).await?;
    let items = page
        .items
        .iter()
        .map(|r| Item {
            href: format!("/admin/requests/{}", r.id),
            title: r.title.clone(),
            location_id: &r.location_id,
            at: Some(r.created_at),
            date: None,
            status: r.status.as_str(),
            flag: unread.contains(&r.id).then_some("request.unread"),
        })
        .collect();
    let listing =
        Listing { title_key: "nav.requests", action: "/admin/requests", create: None, statuses: RequestStatus::NAMES };
    lists::render_list(&state, staff.chrome("requests"), listing, filter, items, page.next_after).await
}

#[derive(Template)]
#[template(path = "admin/request.html")]
struct Detail {
    c: Chrome,
    request: Request,
    place: Place,
    submitted: String,
    submitter: String,
    windows: Vec<String>,
    f: FormState,
    /// The contact of the submitting portal user, preselected on conversion.
    contact_id: String,
    work: Vec<(String, String)>,
    /// The conversation, oldest first, each message with its time on site.
    thread: Vec<(Message, String)>,
    /// The request's files, among them the photos the customer sent from the site.
    files: Vec<AttachmentLine>,
}

async fn detail(state: &AppState, c: Chrome, id: &str, f: FormState) -> Result<Detail, AdminError> {
    let mut conn = state.db.pool.acquire().await?;
    let request = requests::get(&mut conn, id).await?;
    drop(conn);
    let place = places::of(&state.db, [request.location_id.as_str()])
        .await?
        .remove(&request.location_id)
        .ok_or(AppError::NotFound)?;
    let tz = place.time_zone.clone();
    let windows = request
        .preferred_windows
        .iter()
        .map(|w| format!("{} – {}", format::local(w.starts_at.0, &tz), format::local(w.ends_at.0, &tz)))
        .collect();
    let (submitter, contact_id) = match &request.submitted_by {
        Some(user_id) => {
            let user = portal_access::user_summary(&state.db, user_id).await?;
            (format!("{} <{}>", user.display_name, user.email), user.contact_id)
        }
        None => (c.t("request.by_staff").to_string(), String::new()),
    };
    let work = targets::for_request(&state.db, id).await?.into_iter().map(|t| (t.id, t.title)).collect();
    let thread = messages::thread(&state.db, id)
        .await?
        .into_iter()
        .map(|m| {
            let at = format::local(m.created_at.0, &tz);
            (m, at)
        })
        .collect();
    let files = files::lines(attachments::of_owner(&state.db, OwnerKind::Request, id).await?);
    Ok(Detail {
        files,
        submitted: format::local(request.created_at.0, &tz),
        c,
        request,
        place,
        submitter,
        windows,
        f,
        contact_id,
        work,
        thread,
    })
}

pub async fn show(State(state): State<AppState>, Path(id): Path<String>, staff: Staff) -> Result<Response, AdminError> {
    let mut page = detail(&state, staff.chrome("requests"), &id, FormState::default()).await?;
    page.f = FormState::from_pairs([
        ("title", page.request.title.clone()),
        ("contact_id", page.contact_id.clone()),
        ("updated_at", page.request.updated_at.0.to_string()),
    ]);
    // Staff have read the customer's messages once the page is open.
    messages::mark_read(&state.db, &id).await?;
    render(&page)
}

/// A reply for the customer, or an internal note.
pub async fn reply(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let visibility = match form.get("visibility") {
        "internal" => Visibility::Internal,
        _ => Visibility::Customer,
    };
    let mut tx = state.db.begin_write().await?;
    let author = Author::Staff { visibility };
    match messages::post(&mut tx, &staff.actor(), &id, author, form.get("body")).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(done(&format!("/admin/requests/{id}"), Notice::MessageSent))
        }
        Err(err) => {
            drop(tx);
            let f = FormState::rejected(&form, field_errors(err)?);
            let page = detail(&state, staff.chrome("requests"), &id, f).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

fn status_of(form: &FormData) -> Result<RequestStatus, AdminError> {
    match form.get("status") {
        "in_review" => Ok(RequestStatus::InReview),
        "accepted" => Ok(RequestStatus::Accepted),
        "rejected" => Ok(RequestStatus::Rejected),
        "cancelled" => Ok(RequestStatus::Cancelled),
        _ => Err(AppError::field("status", "must be in_review, accepted, rejected or cancelled").into()),
    }
}

pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let decision = RequestDecision { status: status_of(&form)?, decision_reason: form.opt("decision_reason") };
    let mut tx = begin_edit(&state, &form, "requests", &id).await?;
    match requests::decide(&mut tx, &staff.actor(), &id, decision).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(done(&format!("/admin/requests/{id}"), Notice::RequestDecided))
        }
        Err(err) => {
            drop(tx);
            let f = FormState::rejected(&form, field_errors(err)?);
            let page = detail(&state, staff.chrome("requests"), &id, f).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// Creates the work (a target) for an accepted request, prefilled from it.
pub async fn convert(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let mut tx = state.db.begin_write().await?;
    let request = requests::get(&mut tx, &id).await?;
    let routing_score = match form.opt("routing_score").map(|s| s.parse::<f64>()) {
        None => None,
        Some(Ok(score)) => Some(score),
        Some(Err(_)) => {
            drop(tx);
            let mut errors = crate::error::FieldErrors::new();
            errors.insert("routing_score".into(), staff.lang().t("form.number").into());
            let page = detail(&state, staff.chrome("requests"), &id, FormState::rejected(&form, errors)).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let input = NewTarget {
        location_id: request.location_id.clone(),
        contact_id: form.opt("contact_id"),
        request_id: Some(request.id.clone()),
        title: form.get("title").to_string(),
        internal_notes: form.get("internal_notes").to_string(),
        routing_score,
        billing_trigger: form.opt("billing_trigger"),
        assigned_employee: form.opt("assigned_employee"),
        external_ref: None,
    };
    match targets::create(&mut tx, &staff.actor(), input).await {
        Ok(target) => {
            tx.commit().await?;
            Ok(done(&format!("/admin/targets/{}", target.id), Notice::Converted))
        }
        Err(err) => {
            drop(tx);
            let f = FormState::rejected(&form, field_errors(err)?);
            let page = detail(&state, staff.chrome("requests"), &id, f).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}
