//! Operations: `/healthz` says the process is alive whatever its dependencies do, `/readyz`
//! tells the load balancer whether this instance can serve, and `/metrics` counts requests by
//! route template — on its own listener, never the public one.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

use crate::support::{TestApp, NORTHWIND_ALL, PORTAL_PASSWORD};

/// What the metrics listener answers, as text.
async fn scrape(app: &TestApp) -> String {
    let metrics = ordinavo_server::ops::metrics::router(app.state.metrics.clone());
    let response = metrics.oneshot(Request::get("/metrics").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "text/plain; version=0.0.4; charset=utf-8");
    String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
}

#[tokio::test]
async fn readyz_answers_200_while_the_database_answers_and_503_naming_it_when_not_while_healthz_stays_200() {
    for app in TestApp::all().await {
        assert_eq!(app.get("/healthz").await, (StatusCode::OK, json!("ok")), "[{}]", app.backend);
        let (status, body) = app.get("/readyz").await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", app.backend);
        assert_eq!(body, json!({ "status": "ready" }));

        app.state.db.pool.close().await;
        // Liveness touches neither the database nor the blob store: a closed pool does not
        // make the supervisor restart the instance, only the load balancer stop sending to it.
        assert_eq!(app.get("/healthz").await, (StatusCode::OK, json!("ok")), "[{}]", app.backend);
        let (status, body) = app.get("/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "[{}] {body}", app.backend);
        assert_eq!(body["error"]["code"], "unavailable");
        // On PostgreSQL the default blob store is the database itself, so it is unreachable too.
        let expected = match app.backend {
            "postgres" => json!({ "database": "not reachable", "blob_store": "not reachable" }),
            _ => json!({ "database": "not reachable" }),
        };
        assert_eq!(body["error"]["fields"], expected, "[{}] {body}", app.backend);
        assert!(body["error"]["message"].as_str().unwrap().contains("database"));
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status_and_are_not_on_the_public_port() {
    for app in TestApp::all().await {
        let customer = app.create("/api/v1/customers", json!({ "name": "Northwind Properties" })).await;
        assert_eq!(app.get(&format!("/api/v1/customers/{customer}")).await.0, StatusCode::OK);
        assert_eq!(app.get(&format!("/api/v1/customers/{customer}")).await.0, StatusCode::OK);
        assert_eq!(app.get("/api/v1/customers/no-such-customer").await.0, StatusCode::NOT_FOUND);
        let (status, _) = app.get("/metrics").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{}] the public port has no /metrics", app.backend);

        let text = scrape(&app).await;
        for line in [
            r#"ordinavo_http_requests_total{method="POST",route="/api/v1/customers",status="201"} 1"#,
            r#"ordinavo_http_requests_total{method="GET",route="/api/v1/customers/{id}",status="200"} 2"#,
            r#"ordinavo_http_requests_total{method="GET",route="/api/v1/customers/{id}",status="404"} 1"#,
            r#"ordinavo_http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
            r#"ordinavo_http_request_duration_seconds_count{method="GET",route="/api/v1/customers/{id}"} 3"#,
            r#"ordinavo_http_request_duration_seconds_bucket{method="GET",route="/api/v1/customers/{id}",le="+Inf"} 3"#,
        ] {
            assert!(text.contains(line), "[{}] missing {line} in:\n{text}", app.backend);
        }
        assert!(!text.contains(&customer) && !text.contains("no-such-customer"), "ids never become labels:\n{text}");
        assert!(!text.contains("/metrics"), "the unmatched path is not a label either:\n{text}");
    }
}

#[tokio::test]
async fn metrics_count_failed_sign_ins_sync_pages_and_open_event_streams() {
    for app in TestApp::all_with_demo().await {
        let wrong = json!({ "email": NORTHWIND_ALL, "password": "not the password" });
        let (status, _) = app
            .send(
                Request::post("/portal/v1/session")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(wrong.to_string()))
                    .unwrap(),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let token = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        assert_eq!(app.portal_get("/portal/v1/sync?limit=5", &token).await.0, StatusCode::OK);

        let stream = app
            .router
            .clone()
            .oneshot(
                Request::get("/portal/v1/events")
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(stream.status(), StatusCode::OK);
        let text = scrape(&app).await;
        for line in [
            r#"ordinavo_login_failures_total{surface="portal",reason="credentials"} 1"#,
            "ordinavo_sync_pages_total 1\n",
            "ordinavo_event_streams_open 1\n",
        ] {
            assert!(text.contains(line), "[{}] missing {line} in:\n{text}", app.backend);
        }
        drop(stream);
        assert!(scrape(&app).await.contains("ordinavo_event_streams_open 0\n"), "a closed stream is no longer counted");
    }
}
