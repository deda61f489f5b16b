//! `GET /readyz`: whether this instance can serve, for the load balancer. Each
//! dependency is checked with a deadline, so a hung database answers 503 quickly
//! instead of holding the probe; the failing ones are named in `fields`.

use std::time::Duration;

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::error::{AppError, FieldErrors};
use crate::state::AppState;

/// How long one check may take before it counts as unreachable.
const DEADLINE: Duration = Duration::from_secs(2);

pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let mut failed = FieldErrors::new();
    check(&mut failed, "database", async { sqlx::query("SELECT 1").execute(&state.db.pool).await.map(drop) }).await;
    check(&mut failed, "blob_store", state.blobs.ready()).await;
    if failed.is_empty() {
        return Ok(Json(json!({ "status": "ready" })));
    }
    let names: Vec<&str> = failed.keys().map(String::as_str).collect();
    Err(AppError::Unavailable { message: format!("not ready: {} unreachable", names.join(", ")), fields: failed })
}

/// Runs one check; a failure or a timeout is recorded under `name`, the cause is logged.
async fn check<E: std::fmt::Display>(
    failed: &mut FieldErrors,
    name: &str,
    probe: impl std::future::Future<Output = Result<(), E>>,
) {
    let problem = match tokio::time::timeout(DEADLINE, probe).await {
        Ok(Ok(())) => return,
        Ok(Err(err)) => {
            tracing::warn!(dependency = name, error = %err, "readiness check failed");
            "not reachable".to_string()
        }
        Err(_) => {
            tracing::warn!(dependency = name, "readiness check timed out");
            format!("no answer within {} s", DEADLINE.as_secs())
        }
    };
    failed.insert(name.to_string(), problem);
}
