//! API-key authentication: missing, wrong and revoked keys all get 401.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use ordinavo_server::records::api_keys;

use crate::support::TestApp;

async fn status_with(app: &TestApp, authorization: Option<&str>) -> (StatusCode, serde_json::Value) {
    let mut builder = Request::builder().uri("/api/v1/customers");
    if let Some(value) = authorization {
        builder = builder.header(header::AUTHORIZATION, value);
    }
    app.send(builder.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn missing_wrong_and_revoked_keys_are_refused() {
    for app in TestApp::all().await {
        let (status, body) = status_with(&app, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{}] missing", app.backend);
        assert_eq!(body["error"]["code"], "unauthorized");

        let (status, _) = status_with(&app, Some("Bearer ordk_not-a-real-key")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{}] wrong", app.backend);
        let (status, _) = status_with(&app, Some(&format!("Basic {}", app.key))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{}] wrong scheme", app.backend);

        let (status, _) = status_with(&app, Some(&format!("Bearer {}", app.key))).await;
        assert_eq!(status, StatusCode::OK, "[{}] valid", app.backend);

        assert!(api_keys::revoke(&app.state.db, "tests").await.unwrap());
        let (status, _) = status_with(&app, Some(&format!("Bearer {}", app.key))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{}] revoked", app.backend);
        assert!(!api_keys::revoke(&app.state.db, "tests").await.unwrap(), "a revoked key cannot be revoked twice");
    }
}

#[tokio::test]
async fn keys_are_stored_hashed() {
    for app in TestApp::all().await {
        let (stored,): (String,) = sqlx::query_as("SELECT key_hash FROM api_keys WHERE name = 'tests'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_ne!(stored, app.key);
        assert!(!stored.contains(&app.key[5..]));
        assert_eq!(stored.len(), 64);
    }
}
