//! "Desktop releases" (admins only): the releases `release publish` added, with their
//! notes, channel and rollout; changing the rollout percentage or pausing a release;
//! which customers may use the beta channel; and which app versions are in use.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::auth::Staff;
use super::form::{FormData, FormState, Posted};
use super::format;
use super::page::{done, render, render_status, AdminError, Chrome, Notice};
use crate::error::FieldErrors;
use crate::extract::Path;
use crate::records::releases;
use crate::state::AppState;

/// One release as the page lists it.
pub struct ReleaseRow {
    pub id: String,
    pub version: String,
    pub channel: String,
    pub rollout_percent: i64,
    pub paused: bool,
    pub notes: String,
    pub published: String,
    /// `linux-x86_64 deb, linux-x86_64 rpm`
    pub platforms: String,
    /// The name of its rollout form, so an error shows next to the right one.
    pub form_name: String,
}

/// A customer and whether its users may pick the beta channel.
pub struct BetaRow {
    pub id: String,
    pub name: String,
    pub allowed: bool,
}

#[derive(Template)]
#[template(path = "admin/releases.html")]
struct ReleasesPage {
    c: Chrome,
    f: FormState,
    releases: Vec<ReleaseRow>,
    versions: Vec<(String, i64)>,
    customers: Vec<BetaRow>,
}

impl ReleasesPage {
    /// The rollout shown in a release's form: what was typed when it was refused.
    fn rollout_value(&self, row: &ReleaseRow) -> String {
        if self.f.on(&row.form_name) {
            self.f.v("rollout_percent").to_string()
        } else {
            row.rollout_percent.to_string()
        }
    }

    fn channel_name(&self, channel: &str) -> &'static str {
        self.c.t(if channel == "beta" { "releases.channel_beta" } else { "releases.channel_stable" })
    }
}

async fn page(state: &AppState, staff: &Staff, f: FormState) -> Result<ReleasesPage, AdminError> {
    staff.require_admin()?;
    let rows = releases::list(&state.db)
        .await?
        .into_iter()
        .map(|(release, files)| ReleaseRow {
            platforms: files
                .iter()
                .map(|f| format!("{}-{} {}", f.target, f.arch, f.bundle))
                .collect::<Vec<_>>()
                .join(", "),
            published: format::utc(release.created_at),
            paused: release.is_paused(),
            form_name: format!("rollout-{}", release.id),
            id: release.id,
            version: release.version,
            channel: release.channel,
            rollout_percent: release.rollout_percent,
            notes: release.notes,
        })
        .collect();
    let customers = releases::beta_by_customer(&state.db)
        .await?
        .into_iter()
        .map(|(id, name, allowed)| BetaRow { id, name, allowed })
        .collect();
    Ok(ReleasesPage {
        c: staff.chrome("releases"),
        f,
        releases: rows,
        versions: releases::versions_in_use(&state.db).await?,
        customers,
    })
}

pub async fn show(State(state): State<AppState>, staff: Staff) -> Result<Response, AdminError> {
    render(&page(&state, &staff, FormState::default()).await?)
}

pub async fn set_rollout(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    staff.require_admin()?;
    let percent = form.get("rollout_percent").trim().parse::<i64>().ok().filter(|p| (0..=100).contains(p));
    let Some(percent) = percent else {
        return refused(&state, &staff, form, &id, staff.lang().t("releases.rollout_range")).await;
    };
    let mut tx = state.db.begin_write().await?;
    releases::set_rollout(&mut tx, &staff.actor(), &id, percent).await?;
    tx.commit().await?;
    Ok(done("/admin/releases", Notice::Saved))
}

/// The page again with the rollout form of release `id` marked, answered 422.
async fn refused(
    state: &AppState,
    staff: &Staff,
    mut form: FormData,
    id: &str,
    message: &str,
) -> Result<Response, AdminError> {
    form.0.retain(|(name, _)| name != "form");
    form.0.push(("form".into(), format!("rollout-{id}")));
    let errors = FieldErrors::from([("rollout_percent".to_string(), message.to_string())]);
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(state, staff, FormState::rejected(&form, errors)).await?)
}

pub async fn set_paused(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    staff.require_admin()?;
    let paused = form.boolean("paused")?;
    let mut tx = state.db.begin_write().await?;
    releases::set_paused(&mut tx, &staff.actor(), &id, paused).await?;
    tx.commit().await?;
    Ok(done("/admin/releases", if paused { Notice::ReleasePaused } else { Notice::ReleaseResumed }))
}

pub async fn set_beta(
    State(state): State<AppState>,
    Path(customer_id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    staff.require_admin()?;
    let allowed = form.boolean("allowed")?;
    let mut tx = state.db.begin_write().await?;
    releases::set_beta(&mut tx, &staff.actor(), &customer_id, allowed).await?;
    tx.commit().await?;
    Ok(done("/admin/releases", Notice::Saved))
}
