//! The dashboard: what needs a decision or is about to happen.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{Days, Utc};

use super::auth::Staff;
use super::format;
use super::page::{render, AdminError, Chrome, Row};
use crate::extract::PageQuery;
use crate::records::{appointments, follow_ups, invitations, places, reports, requests, targets};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    c: Chrome,
    new_requests: Vec<Row>,
    appointments: Vec<Row>,
    follow_ups: Vec<Row>,
    unpublished: Vec<Row>,
    invitations: Vec<Row>,
}

fn with_status(status: &str) -> PageQuery {
    PageQuery { status: Some(status.into()), limit: Some(50), ..PageQuery::default() }
}

pub async fn show(State(state): State<AppState>, staff: Staff) -> Result<Response, AdminError> {
    let c = staff.chrome("dashboard");
    let lang = c.lang;
    let db = &state.db;
    let today = Utc::now().date_naive().and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
    let day_after_tomorrow = today + Days::new(2);

    let new = requests::list(db, &with_status("submitted")).await?.items;
    let upcoming =
        appointments::starting_between(db, today.timestamp_millis(), day_after_tomorrow.timestamp_millis()).await?;
    let required = follow_ups::list(db, &with_status("required")).await?.items;
    let approved = reports::list(db, &with_status("approved")).await?.items;
    let pending = invitations::list(db, &with_status("pending")).await?.items;

    let locations = new
        .iter()
        .map(|r| r.location_id.as_str())
        .chain(upcoming.iter().map(|a| a.location_id.as_str()))
        .chain(required.iter().map(|f| f.location_id.as_str()))
        .chain(approved.iter().map(|r| r.location_id.as_str()));
    let places = places::of(db, locations).await?;
    let work: Vec<String> = upcoming.iter().map(|a| a.target_id.clone()).collect();
    let work = targets::by_ids(db, &work).await?;
    let place = |id: &str| places.get(id).map(|p| p.label()).unwrap_or_default();
    let zone = |id: &str| places.get(id).map(|p| p.time_zone.clone()).unwrap_or_default();

    let page = Dashboard {
        new_requests: new
            .iter()
            .map(|r| {
                let when = format::local(r.created_at.0, &zone(&r.location_id));
                Row::new(
                    lang,
                    format!("/admin/requests/{}", r.id),
                    r.title.clone(),
                    place(&r.location_id),
                    when,
                    "submitted",
                )
            })
            .collect(),
        appointments: upcoming
            .iter()
            .map(|a| {
                let when = format::local(a.starts_at.0, &zone(&a.location_id));
                let title = work.get(&a.target_id).map(|t| t.title.clone()).unwrap_or_default();
                Row::new(
                    lang,
                    format!("/admin/targets/{}", a.target_id),
                    title,
                    place(&a.location_id),
                    when,
                    a.status.as_str(),
                )
            })
            .collect(),
        follow_ups: required
            .iter()
            .map(|f| {
                let when = format::local(f.created_at.0, &zone(&f.location_id));
                Row::new(
                    lang,
                    format!("/admin/targets/{}", f.target_id),
                    f.description.clone(),
                    place(&f.location_id),
                    when,
                    "required",
                )
            })
            .collect(),
        unpublished: approved
            .iter()
            .map(|r| {
                Row::new(
                    lang,
                    format!("/admin/reports/{}", r.id),
                    r.internal_title.clone(),
                    place(&r.location_id),
                    r.visit_date.clone(),
                    "approved",
                )
            })
            .collect(),
        invitations: pending
            .iter()
            .map(|i| {
                let when = format::utc(i.expires_at.0);
                Row::new(lang, "/admin/access".to_string(), i.email.clone(), String::new(), when, "pending")
            })
            .collect(),
        c,
    };
    render(&page)
}
