//! `GET /updates/channels`: the update channels the caller may pick, so the desktop
//! app offers the beta channel in its settings only to users whose customer staff
//! allowed it. The same rule as the manifest's: beta needs the portal session token.

use axum::extract::State;
use axum::http::request::Parts;
use axum::Json;
use serde::Serialize;

use super::manifest::beta_allowed;
use crate::error::AppResult;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct Channels {
    /// `["stable"]`, or `["stable", "beta"]` for a user whose customer may use beta.
    pub channels: Vec<&'static str>,
}

pub async fn list(State(state): State<AppState>, parts: Parts) -> AppResult<Json<Channels>> {
    let channels = if beta_allowed(&state, &parts).await? { vec!["stable", "beta"] } else { vec!["stable"] };
    Ok(Json(Channels { channels }))
}
