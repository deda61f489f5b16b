//! "View as contact": exactly what one portal user sees, read-only. Every list
//! comes from the same projection functions the portal API answers with, so this
//! page cannot show anything the user's app would not.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use portal_types::{AppointmentView, FollowUpView, Me, OpenWorkView, ReportView, RequestView, TimelineEntryView};
use serde_json::json;

use super::auth::Staff;
use super::format;
use super::page::{render, AdminError, Chrome};
use crate::error::AppError;
use crate::extract::Path;
use crate::projection::appointments::AppointmentQuery;
use crate::projection::{self, PortalPage, Viewer};
use crate::records::access_log::{self, Entry};
use crate::records::{audit, portal_access, status_labels};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/view_as.html")]
struct ViewAs {
    c: Chrome,
    user_id: String,
    me: Me,
    requests: Vec<RequestView>,
    upcoming: Vec<AppointmentView>,
    past: Vec<AppointmentView>,
    work: Vec<OpenWorkView>,
    reports: Vec<ReportView>,
    timeline: Vec<TimelineEntryView>,
    follow_ups: Vec<FollowUpView>,
    /// The customer-facing status labels in the staff member's language.
    labels: std::collections::HashMap<String, String>,
}

impl ViewAs {
    fn label(&self, status: &str) -> String {
        self.labels.get(status).cloned().unwrap_or_default()
    }

    fn milestone(&self, kind: &str) -> String {
        format!("timeline.{kind}")
    }

    /// The name of a location the user can see.
    fn location(&self, id: &str) -> String {
        self.me
            .customers
            .iter()
            .flat_map(|c| &c.locations)
            .find(|l| l.id == id)
            .map(|l| l.name.clone())
            .unwrap_or_default()
    }

    /// An instant in the location's time zone.
    fn at(&self, instant: &str, location_id: &str) -> String {
        let zone = self.me.customers.iter().flat_map(|c| &c.locations).find(|l| l.id == location_id);
        format::local_instant(instant, zone.map(|l| l.time_zone.as_str()).unwrap_or("UTC"))
    }
}

pub async fn show(State(state): State<AppState>, Path(id): Path<String>, staff: Staff) -> Result<Response, AdminError> {
    let user = portal_access::user_by_id(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    let viewer = Viewer::of(&state.db, &user.id).await?;
    let db = &state.db;
    let page = PortalPage { limit: Some(50), ..PortalPage::default() };
    let appointments =
        |when: &str| AppointmentQuery { when: Some(when.into()), limit: Some(50), after: None, location_id: None };
    let view = ViewAs {
        c: staff.chrome("access"),
        user_id: user.id.clone(),
        me: projection::me::me(db, &viewer, &user).await?,
        requests: projection::requests::list(db, &viewer, &page).await?.items,
        upcoming: projection::appointments::list(db, &viewer, &appointments("upcoming")).await?.items,
        past: projection::appointments::list(db, &viewer, &appointments("past")).await?.items,
        work: projection::work::list(db, &viewer, &page).await?.items,
        reports: projection::reports::list(db, &viewer, &page).await?.items,
        timeline: projection::timeline::list(db, &viewer, &page).await?.items,
        follow_ups: projection::follow_ups::list(db, &viewer, &page).await?.items,
        labels: status_labels::for_language(db, staff.lang().code()).await?,
    };
    // Seeing a contact's portal is seeing their data: the audit log says who looked.
    let mut tx = state.db.begin_write().await?;
    let details = json!({ "email": user.email });
    audit::record(&mut tx, &staff.actor(), "portal_user.view_as", "portal_user", Some(&user.id), details).await?;
    // The contact's own access log says so too, naming the staff member's role only.
    access_log::record(&mut tx, &user.id, Entry::staff_view(&staff.session.role)).await?;
    tx.commit().await?;
    render(&view)
}
