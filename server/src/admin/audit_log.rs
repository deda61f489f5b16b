//! The audit log: who did what, when — staff actions, API writes and portal
//! security events — filtered by actor, action and day.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::auth::Staff;
use super::form::{field_errors, FormState};
use super::format;
use super::page::{render_status, AdminError, Chrome};
use crate::extract::ApiQuery;
use crate::records::audit::{self, AuditEntry, AuditFilter};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    c: Chrome,
    filter: AuditFilter,
    f: FormState,
    entries: Vec<(String, AuditEntry)>,
    next: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(filter): ApiQuery<AuditFilter>,
) -> Result<Response, AdminError> {
    let (entries, more, f, status) = match audit::search(&state.db, &filter).await {
        Ok((entries, more)) => (entries, more, FormState::default(), StatusCode::OK),
        Err(err) => {
            let f = FormState { errors: field_errors(err)?, ..FormState::default() };
            (Vec::new(), false, f, StatusCode::UNPROCESSABLE_ENTITY)
        }
    };
    let next = entries.last().filter(|_| more).map(|last| {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs([("who", &filter.who), ("what", &filter.what), ("from", &filter.from), ("to", &filter.to)])
            .append_pair("before", &last.id)
            .finish()
    });
    let entries = entries.into_iter().map(|e| (format::utc(e.occurred_at.0), e)).collect();
    render_status(status, &AuditPage { c: staff.chrome("audit"), filter, f, entries, next })
}
