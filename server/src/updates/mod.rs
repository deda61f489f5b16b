//! Desktop app updates: releases published with `ordinavo-server release publish` live
//! in the database (their packages in the blob store), so every instance answers the
//! same. `GET /updates/{target}/{arch}/{current_version}` answers Tauri's updater with
//! the newest release the caller's channel and rollout bucket may have, and
//! `GET /updates/files/{id}` streams its package; `GET /updates/channels` names the
//! channels the caller may pick.

mod channels;
mod files;
mod manifest;
pub mod publish;

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub use crate::domain::version::Version;

/// The platforms Tauri's updater names in its requests.
pub const TARGETS: [&str; 3] = ["linux", "windows", "darwin"];
pub const ARCHES: [&str; 4] = ["x86_64", "aarch64", "i686", "armv7"];
/// The package kinds served, as the updater's `bundle_type` names them.
pub const BUNDLES: [&str; 2] = ["deb", "rpm"];
pub const CHANNELS: [&str; 2] = ["stable", "beta"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/updates/{target}/{arch}/{current_version}", get(manifest::latest))
        .route("/updates/files/{id}", get(files::download))
        .route("/updates/channels", get(channels::list))
}
