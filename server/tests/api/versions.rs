//! Change versions only grow, and concurrent writers never leave a gap that a sync
//! cursor could skip.

use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn every_change_gets_a_higher_version() {
    for app in TestApp::all().await {
        let id = app.create("/api/v1/customers", json!({ "name": "A" })).await;
        let version = |app: &TestApp, id: String| {
            let pool = app.state.db.pool.clone();
            async move {
                let (v,): (i64,) = sqlx::query_as("SELECT version FROM customers WHERE id = $1")
                    .bind(id)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                v
            }
        };
        let first = version(&app, id.clone()).await;
        app.patch(&format!("/api/v1/customers/{id}"), json!({ "name": "B" })).await;
        let second = version(&app, id.clone()).await;
        assert!(second > first, "[{}] {second} > {first}", app.backend);
    }
}

#[tokio::test]
async fn concurrent_writers_commit_in_version_order() {
    for app in TestApp::all().await {
        let writers = (0..16).map(|i| {
            let app_router = app.router.clone();
            let key = app.key.clone();
            tokio::spawn(async move {
                use tower::ServiceExt;
                let request = axum::http::Request::post("/api/v1/customers")
                    .header("authorization", format!("Bearer {key}"))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(json!({ "name": format!("C{i}") }).to_string()))
                    .unwrap();
                app_router.oneshot(request).await.unwrap().status()
            })
        });
        for writer in writers {
            assert!(writer.await.unwrap().is_success(), "[{}]", app.backend);
        }
        let versions: Vec<(i64,)> = sqlx::query_as("SELECT version FROM customers ORDER BY version")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
        let versions: Vec<i64> = versions.into_iter().map(|(v,)| v).collect();
        let mut unique = versions.clone();
        unique.dedup();
        assert_eq!(unique.len(), 16, "[{}] one version per transaction: {versions:?}", app.backend);
        let (clock,): (i64,) =
            sqlx::query_as("SELECT version FROM sync_clock").fetch_one(&app.state.db.pool).await.unwrap();
        assert_eq!(clock, *versions.last().unwrap(), "no version was handed out and lost");
        assert!(versions.windows(2).all(|w| w[1] == w[0] + 1), "[{}] no gaps: {versions:?}", app.backend);
    }
}
