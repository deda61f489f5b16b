//! Submitting requests from the portal: validation, scope, idempotent retries, cancelling.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use crate::support::{TestApp, NORTHWIND_MARINA, PORTAL_PASSWORD};

async fn submit(app: &TestApp, token: &str, key: Option<&str>, body: Value) -> (StatusCode, Value) {
    let mut builder = Request::post("/portal/v1/requests")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(key) = key {
        builder = builder.header("Idempotency-Key", key);
    }
    app.send(builder.body(Body::from(body.to_string())).unwrap()).await
}

#[tokio::test]
async fn a_retried_submit_returns_the_original_request() {
    for app in TestApp::all_with_demo().await {
        let token = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let marina = app.id_of("SELECT id FROM locations WHERE name LIKE '%مارينا%'").await;
        let body = json!({
            "location_id": marina, "kind": "maintenance", "title": "صيانة المصعد رقم 3",
            "description": "Lift 3 stops between floors 12 and 13.",
            "preferred_windows": [{ "starts_at": "2099-01-05T05:00:00Z", "ends_at": "2099-01-05T09:00:00Z" }]
        });
        let before = app.count("requests").await;
        let (first_status, first) = submit(&app, &token, Some("outbox-7f3a"), body.clone()).await;
        assert_eq!(first_status, StatusCode::CREATED, "[{}] {first}", app.backend);
        assert_eq!(first["status"], "submitted");
        assert_eq!(first["can_cancel"], true);
        let (again_status, again) = submit(&app, &token, Some("outbox-7f3a"), body.clone()).await;
        assert_eq!(again_status, StatusCode::OK);
        assert_eq!(again["id"], first["id"]);
        assert_eq!(app.count("requests").await, before + 1, "[{}] exactly one request", app.backend);

        let (status, cancelled) = app
            .portal(
                Method::POST,
                &format!("/portal/v1/requests/{}/cancel", first["id"].as_str().unwrap()),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let cancelled: Value = serde_json::from_slice(&cancelled).unwrap();
        assert_eq!(cancelled["status"], "cancelled");
        let (status, _) = app
            .portal(
                Method::POST,
                &format!("/portal/v1/requests/{}/cancel", first["id"].as_str().unwrap()),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "[{}] a cancelled request cannot be cancelled again", app.backend);
    }
}

#[tokio::test]
async fn invalid_submissions_name_each_field() {
    for app in TestApp::all_with_demo().await {
        let token = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let berlin = app.id_of("SELECT id FROM locations WHERE city = 'Berlin'").await;
        let windows: Vec<Value> =
            (0..6).map(|_| json!({ "starts_at": "2099-01-05T05:00:00Z", "ends_at": "2099-01-05T09:00:00Z" })).collect();
        let (status, body) = submit(
            &app,
            &token,
            None,
            json!({ "location_id": berlin, "kind": "support", "title": " ", "description": "x", "preferred_windows": windows }),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}] {body}", app.backend);
        assert_eq!(
            body["error"]["fields"]["location_id"], "no location with this id",
            "an ungranted location looks unknown"
        );

        let marina = app.id_of("SELECT id FROM locations WHERE name LIKE '%مارينا%'").await;
        let (status, body) = submit(
            &app,
            &token,
            None,
            json!({ "location_id": marina, "kind": "support", "title": " ", "description": "x",
                    "preferred_windows": [
                        { "starts_at": "2001-01-05T05:00:00Z", "ends_at": "2001-01-05T09:00:00Z" },
                        { "starts_at": "2099-01-05T09:00:00Z", "ends_at": "2099-01-05T05:00:00Z" }
                    ] }),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields = &body["error"]["fields"];
        assert_eq!(fields["title"], "must not be empty", "{body}");
        assert_eq!(fields["preferred_windows[0].starts_at"], "must be in the future");
        assert_eq!(fields["preferred_windows[1].ends_at"], "must be after the start");
        let (status, body) = submit(
            &app,
            &token,
            None,
            json!({ "location_id": marina, "kind": "party", "title": "t", "description": "d" }),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"]["fields"]["kind"].as_str().unwrap().contains("unknown variant"));
    }
}
