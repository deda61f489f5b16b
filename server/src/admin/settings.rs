//! Settings: the customer-facing labels of public statuses in both languages, the
//! SMTP status, and — for admins only — API keys and staff users.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::auth::Staff;
use super::form::{field_errors, FormState, Posted};
use super::format;
use super::page::{done, render, render_status, AdminError, Chrome, Notice};
use crate::config::SmtpTls;
use crate::domain::public_status::ALL;
use crate::error::AppError;
use crate::extract::Path;
use crate::records::api_keys::{self, KeySummary};
use crate::records::staff::{self, NewStaff, Role, StaffUser};
use crate::records::status_labels::{self, LANGUAGES};
use crate::state::AppState;

/// Where invitations go: the configured relay, without its password.
pub struct SmtpStatus {
    pub configured: bool,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    c: Chrome,
    f: FormState,
    statuses: Vec<&'static str>,
    labels: BTreeMap<String, BTreeMap<String, String>>,
    smtp: SmtpStatus,
    keys: Vec<(KeySummary, String)>,
    staff: Vec<StaffUser>,
    /// A key just created, shown once.
    new_key: Option<String>,
}

impl SettingsPage {
    fn role_key(&self, role: &str) -> String {
        format!("settings.role_{role}")
    }

    fn label(&self, language: &str, status: &str) -> String {
        let key = format!("{language}.{status}");
        if self.f.on("labels") {
            return self.f.v(&key).to_string();
        }
        self.labels.get(language).and_then(|l| l.get(status)).cloned().unwrap_or_default()
    }
}

async fn page(
    state: &AppState,
    staff: &Staff,
    f: FormState,
    new_key: Option<String>,
) -> Result<SettingsPage, AdminError> {
    let smtp = match &state.config.smtp {
        Some(smtp) => {
            let tls = match smtp.tls {
                SmtpTls::StartTls => "STARTTLS",
                SmtpTls::Implicit => "TLS",
                SmtpTls::None => "none",
            };
            SmtpStatus { configured: true, summary: format!("{}:{} · {} · {}", smtp.host, smtp.port, tls, smtp.from) }
        }
        None => SmtpStatus { configured: false, summary: String::new() },
    };
    let (keys, users) = if staff.is_admin() {
        let keys = api_keys::list(&state.db)
            .await?
            .into_iter()
            .map(|k| {
                let when = format::utc(k.created_at);
                (k, when)
            })
            .collect();
        (keys, staff::list(&state.db).await?)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(SettingsPage {
        c: staff.chrome("settings"),
        f,
        statuses: ALL.iter().map(|s| s.as_str()).collect(),
        labels: status_labels::all(&state.db).await?,
        smtp,
        keys,
        staff: users,
        new_key,
    })
}

pub async fn show(State(state): State<AppState>, staff: Staff) -> Result<Response, AdminError> {
    render(&page(&state, &staff, FormState::default(), None).await?)
}

pub async fn save_labels(State(state): State<AppState>, posted: Posted) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let mut tx = state.db.begin_write().await?;
    let mut result = Ok(());
    for language in LANGUAGES {
        for status in ALL {
            let label = form.get(&format!("{language}.{}", status.as_str()));
            result = result.and(status_labels::set(&mut tx, &staff.actor(), status.as_str(), language, label).await);
        }
    }
    match result {
        Ok(()) => {
            tx.commit().await?;
            Ok(done("/admin/settings", Notice::Saved))
        }
        Err(err) => {
            drop(tx);
            let f = FormState::rejected(&form, field_errors(err)?);
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(&state, &staff, f, None).await?)
        }
    }
}

pub async fn create_key(State(state): State<AppState>, posted: Posted) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    staff.require_admin()?;
    let mut tx = state.db.begin_write().await?;
    match api_keys::issue(&mut tx, &staff.actor(), form.get("name")).await {
        Ok(key) => {
            tx.commit().await?;
            render(&page(&state, &staff, FormState::default(), Some(key.secret)).await?)
        }
        Err(err) => {
            drop(tx);
            let f = FormState::rejected(&form, field_errors(err)?);
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(&state, &staff, f, None).await?)
        }
    }
}

pub async fn revoke_key(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    posted.staff.require_admin()?;
    let mut tx = state.db.begin_write().await?;
    api_keys::retire(&mut tx, &posted.staff.actor(), &id).await?;
    tx.commit().await?;
    Ok(done("/admin/settings", Notice::KeyRevoked))
}

pub async fn add_staff(State(state): State<AppState>, posted: Posted) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    staff.require_admin()?;
    let role = Role::parse(form.get("role")).ok_or_else(|| AppError::field("role", "must be admin or dispatcher"));
    let result = match role {
        Ok(role) => {
            let input =
                NewStaff { email: form.get("email"), name: form.get("name"), role, password: form.get("password") };
            staff::create(&state.db, input).await
        }
        Err(err) => Err(err),
    };
    match result {
        Ok(id) => {
            let mut tx = state.db.begin_write().await?;
            let details = serde_json::json!({ "email": form.get("email").trim().to_lowercase() });
            crate::records::audit::record(&mut tx, &staff.actor(), "staff.create", "staff_user", Some(&id), details)
                .await?;
            tx.commit().await?;
            Ok(done("/admin/settings", Notice::StaffAdded))
        }
        Err(err) => {
            let mut form = form;
            form.0.retain(|(k, _)| k != "password");
            let f = FormState::rejected(&form, field_errors(err)?);
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(&state, &staff, f, None).await?)
        }
    }
}

pub async fn set_staff_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    staff.require_admin()?;
    if id == staff.session.staff_user_id {
        return Err(AppError::Conflict("you cannot disable your own account".into()).into());
    }
    let disabled = form.get("disabled") == "true";
    let mut tx = state.db.begin_write().await?;
    staff::set_disabled(&mut tx, &staff.actor(), &id, disabled).await?;
    tx.commit().await?;
    Ok(done("/admin/settings", Notice::Saved))
}
