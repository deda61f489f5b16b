//! Ordinavo Customer Portal server: the integration API, the portal API and the
//! staff admin web, on one axum router over SQLite or PostgreSQL.

pub mod admin;
pub mod api;
pub mod config;
pub mod demo;
pub mod domain;
pub mod download;
pub mod error;
pub mod extract;
#[cfg(test)]
mod layers;
pub mod mail;
pub mod ops;
pub mod portal;
pub mod projection;
pub mod records;
pub mod state;
pub mod storage;
pub mod updates;

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};

use crate::config::Config;
use crate::error::AppError;
use crate::state::AppState;

/// Largest body accepted anywhere but the upload routes, which have their own limit:
/// room for every text field at its longest, and no more.
const JSON_BODY_LIMIT: usize = 256 * 1024;

/// Connects to the configured database, applies migrations and builds the state.
pub async fn open(config: Config) -> anyhow::Result<AppState> {
    let db = storage::connect(&config.database_url).await?;
    storage::migrate(&db).await?;
    let blobs = storage::blobs::open(config.blob_store.as_ref(), &config.data_dir, &db)?;
    let metrics = Arc::<ops::metrics::Metrics>::default();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let changes = storage::watch::spawn(db.clone());
    let hub = portal::event_hub::EventHub::start(db.clone(), changes, metrics.clone(), shutdown.clone()).await?;
    portal::warm_up().await;
    Ok(AppState { db, config: Arc::new(config), blobs, hub, metrics, shutdown })
}

/// The whole public HTTP application. Tests build exactly this router. `/metrics`
/// is not part of it: `ops::metrics::router` serves it on its own listener.
pub fn app(state: AppState) -> Router {
    let (api, _) = api::router().split_for_parts();
    let (portal, _) = portal::router().split_for_parts();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(ops::ready::readyz))
        .route("/api/v1/openapi.json", get(|| async { Json(api_openapi()) }))
        .route("/portal/v1/openapi.json", get(|| async { Json(portal_openapi()) }))
        .merge(api)
        .merge(portal)
        .merge(admin::router())
        .merge(updates::router())
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(axum::middleware::from_fn(admin::error_pages))
        .layer(axum::extract::DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn_with_state(state.metrics.clone(), ops::metrics::track))
        .with_state(state)
}

/// The integration API's OpenAPI document, generated from the handlers.
pub fn api_openapi() -> utoipa::openapi::OpenApi {
    api::router().split_for_parts().1
}

/// The portal API's OpenAPI document, generated from the handlers.
pub fn portal_openapi() -> utoipa::openapi::OpenApi {
    portal::router().split_for_parts().1
}

/// `GET /healthz`: liveness only. It answers 200 whenever the process serves HTTP and
/// touches neither the database nor the blob store, so a supervisor does not restart an
/// instance because a dependency is down; whether the instance can serve is `/readyz`.
async fn healthz() -> &'static str {
    "ok"
}
