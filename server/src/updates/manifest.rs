//! `GET /updates/{target}/{arch}/{current_version}?installation=…&channel=…&bundle=…`:
//! the Tauri updater's manifest of the newest release for the caller, or 204.
//! The beta channel is honoured only for a signed-in portal user (the session token
//! as an optional bearer) whose customer staff allowed it; anyone else gets stable.

use axum::extract::State;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::{Version, ARCHES, BUNDLES, TARGETS};
use crate::domain::rollout::{self, Candidate};
use crate::error::{AppError, AppResult};
use crate::extract::{ApiQuery, Path};
use crate::records::{releases, sessions};
use crate::state::AppState;

/// Longest installation id accepted.
const MAX_INSTALLATION: usize = 128;

#[derive(Debug, Default, Deserialize)]
pub struct Check {
    /// The installation's stable random id, which fixes its rollout bucket.
    installation: Option<String>,
    /// `stable` (the default) or `beta`.
    channel: Option<String>,
    /// `deb` or `rpm`: the package kind the app was installed from.
    bundle: Option<String>,
}

/// The answer when an update exists, as Tauri's updater reads it.
#[derive(Debug, Serialize)]
pub struct Manifest {
    pub version: String,
    pub notes: String,
    pub pub_date: String,
    pub url: String,
    pub signature: String,
}

pub async fn latest(
    State(state): State<AppState>,
    Path((target, arch, current)): Path<(String, String, String)>,
    ApiQuery(check): ApiQuery<Check>,
    parts: Parts,
) -> AppResult<Response> {
    if !TARGETS.contains(&target.as_str()) {
        return Err(AppError::field("target", format!("must be one of {}", TARGETS.join(", "))));
    }
    if !ARCHES.contains(&arch.as_str()) {
        return Err(AppError::field("arch", format!("must be one of {}", ARCHES.join(", "))));
    }
    let current = Version::parse(&current)
        .ok_or_else(|| AppError::field("current_version", "must be a version such as 1.2.3"))?;
    let installation = check.installation.as_deref().map(str::trim).filter(|id| !id.is_empty());
    if installation.is_some_and(|id| id.len() > MAX_INSTALLATION || id.chars().any(char::is_control)) {
        return Err(AppError::field(
            "installation",
            format!("must be at most {MAX_INSTALLATION} printable characters"),
        ));
    }
    let bundle = check.bundle.as_deref().filter(|b| !b.is_empty());
    if bundle.is_some_and(|b| !BUNDLES.contains(&b)) {
        return Err(AppError::field("bundle", format!("must be one of {}", BUNDLES.join(", "))));
    }
    let wants_beta = match check.channel.as_deref().unwrap_or("stable") {
        "stable" | "" => false,
        "beta" => true,
        _ => return Err(AppError::field("channel", "must be stable or beta")),
    };
    let channels: &[&str] =
        if wants_beta && beta_allowed(&state, &parts).await? { &["stable", "beta"] } else { &["stable"] };
    let candidates = releases::candidates(&state.db, &target, &arch, bundle, channels).await?;
    Ok(match rollout::pick(&current, candidates, rollout::bucket(installation)) {
        Some(release) => Json(manifest(&state.config.public_url, release)).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// Whether the caller is a signed-in portal user whose customer may use the beta channel.
pub(super) async fn beta_allowed(state: &AppState, parts: &Parts) -> AppResult<bool> {
    let Some(token) = crate::api::bearer(parts) else { return Ok(false) };
    let Some((_, _, grants)) = sessions::authenticate(&state.db, token).await? else { return Ok(false) };
    let customers: Vec<String> = grants.into_iter().map(|grant| grant.customer_id).collect();
    Ok(releases::beta_allowed(&state.db, &customers).await?)
}

fn manifest(public_url: &str, release: Candidate) -> Manifest {
    Manifest {
        url: format!("{}/updates/files/{}", public_url.trim_end_matches('/'), release.file_id),
        version: release.version,
        notes: release.notes,
        pub_date: release.pub_date,
        signature: release.signature,
    }
}
