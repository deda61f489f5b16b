//! Every class of bad input gets the documented error shape, the right status and a
//! specific message — and leaves nothing half-written.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::{work, TestApp, PDF};

#[tokio::test]
async fn malformed_json_is_400() {
    for app in TestApp::all().await {
        let (status, body) = app.raw(Method::POST, "/api/v1/customers", "application/json", "{\"name\": ").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{}]", app.backend);
        assert_eq!(body["error"]["code"], "bad_request");
        assert!(body["error"]["message"].as_str().unwrap().contains("malformed JSON"));

        let (status, body) = app.raw(Method::POST, "/api/v1/customers", "text/plain", "name=x").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body["error"]["message"].as_str().unwrap().contains("application/json"));
        assert_eq!(app.count("customers").await, 0);
    }
}

#[tokio::test]
async fn unknown_missing_and_mistyped_fields_are_422_naming_the_field() {
    for app in TestApp::all().await {
        let (status, body) = app.post("/api/v1/customers", json!({ "name": "A", "colour": "red" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.backend);
        assert!(body["error"]["fields"]["colour"].as_str().unwrap().contains("unknown field"));

        let (status, body) = app.post("/api/v1/customers", json!({ "segment": "Retail" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["fields"]["name"], "missing field `name`");

        let (status, body) = app.post("/api/v1/customers", json!({ "name": 42 })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"]["fields"]["name"].as_str().unwrap().starts_with("invalid type"));

        let (status, body) = app.get("/api/v1/customers?limit=many").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"]["fields"]["limit"].is_string(), "{body}");
        assert_eq!(app.count("customers").await, 0);
    }
}

#[tokio::test]
async fn invalid_values_are_422_with_every_field() {
    for app in TestApp::all().await {
        let (customer, _, _) = work(&app).await;
        let before = app.count("locations").await;
        let (status, body) = app
            .post(
                "/api/v1/locations",
                json!({ "customer_id": customer, "name": " ", "address_line": "x", "city": "Dubai",
                        "country_code": "United Arab Emirates", "time_zone": "Asia/Atlantis" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.backend);
        let fields = &body["error"]["fields"];
        assert_eq!(fields["name"], "must not be empty");
        assert!(fields["country_code"].as_str().unwrap().contains("two-letter"));
        assert!(fields["time_zone"].as_str().unwrap().contains("IANA"));
        assert_eq!(app.count("locations").await, before);

        let (status, body) = app.get("/api/v1/targets?status=secret").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"]["fields"]["status"].as_str().unwrap().contains("one of"));
        let (status, _) = app.get("/api/v1/customers?status=new").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "customers have no status filter");
        let (status, _) = app.get("/api/v1/customers?limit=0").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn unknown_ids_are_404_and_unknown_references_are_422() {
    for app in TestApp::all().await {
        let (status, body) = app.get("/api/v1/targets/0190f7a0-0000-7000-8000-000000000000").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{}]", app.backend);
        assert_eq!(body["error"]["code"], "not_found");
        let (status, _) = app.patch("/api/v1/customers/nope", json!({ "name": "x" })).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app.get("/api/v1/no-such-thing").await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let (status, body) = app.post("/api/v1/targets", json!({ "location_id": "nope", "title": "x" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["fields"]["location_id"], "no location with this id");
        assert_eq!(app.count("targets").await, 0);
    }
}

#[tokio::test]
async fn oversized_and_mistyped_uploads_are_refused() {
    for app in TestApp::all().await {
        let (_, _, target) = work(&app).await;
        let big = [b"%PDF-".as_slice(), &vec![b'x'; 70_000]].concat();
        let (status, body) = app.upload("target", &target, "big.pdf", "application/pdf", &big).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "[{}] {body}", app.backend);
        assert!(body["error"]["message"].as_str().unwrap().contains("upload limit"));
        assert!(body["error"]["fields"]["file"].as_str().unwrap().contains("upload limit"), "{body}");

        let (status, body) = app.upload("target", &target, "page.pdf", "application/pdf", b"<html>").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"]["fields"]["file"].as_str().unwrap().contains("not application/pdf"));

        let (status, _) = app.upload("target", &target, "run.exe", "application/x-msdownload", b"MZ").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, body) = app.upload("invoice", &target, "a.pdf", "application/pdf", PDF).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"]["fields"]["owner_kind"].is_string());
        let (status, body) = app.upload("target", "nope", "a.pdf", "application/pdf", PDF).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"]["fields"]["owner_id"].is_string());
        let (status, _) = app.raw(Method::POST, "/api/v1/attachments", "application/json", "{}").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(app.count("attachments").await, 0);
    }
}

#[tokio::test]
async fn illegal_transitions_are_409_and_change_nothing() {
    for app in TestApp::all().await {
        let (_, _, target) = work(&app).await;
        let report = app
            .create(
                "/api/v1/visit-reports",
                json!({ "target_id": target, "visit_date": "2026-11-20", "internal_title": "Q4", "internal_body": "ok" }),
            )
            .await;
        let publication = json!({ "portal_title": "Inspection", "portal_summary": "All fine" });
        let (status, body) = app.post(&format!("/api/v1/visit-reports/{report}/publish"), publication.clone()).await;
        assert_eq!(status, StatusCode::CONFLICT, "[{}] a draft cannot be published", app.backend);
        assert_eq!(body["error"]["message"], "a visit report cannot move from draft to published");
        let (_, stored) = app.get(&format!("/api/v1/visit-reports/{report}")).await;
        assert_eq!(stored["status"], "draft");
        assert_eq!(stored["portal_title"], serde_json::Value::Null);

        let (status, _) = app.patch(&format!("/api/v1/targets/{target}"), json!({ "status": "completed" })).await;
        assert_eq!(status, StatusCode::CONFLICT, "new -> completed skips the work");
        let (_, stored) = app.get(&format!("/api/v1/targets/{target}")).await;
        assert_eq!(stored["status"], "new");
    }
}

#[tokio::test]
async fn a_failing_request_rolls_back_every_write() {
    for app in TestApp::all().await {
        let (_, _, target) = work(&app).await;
        let report = app
            .create(
                "/api/v1/visit-reports",
                json!({ "target_id": target, "visit_date": "2026-11-20", "internal_title": "Q4", "internal_body": "ok" }),
            )
            .await;
        app.post(&format!("/api/v1/visit-reports/{report}/approve"), json!({})).await;
        let audit_before = app.count("audit_log").await;
        let timeline_before = app.count("timeline_events").await;
        // Valid title, invalid (empty) summary: the whole publish must not happen.
        let (status, body) = app
            .post(
                &format!("/api/v1/visit-reports/{report}/publish"),
                json!({ "portal_title": "Inspection", "portal_summary": "" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.backend);
        assert_eq!(body["error"]["fields"]["portal_summary"], "must not be empty");
        let (_, stored) = app.get(&format!("/api/v1/visit-reports/{report}")).await;
        assert_eq!(stored["status"], "approved");
        assert_eq!(app.count("audit_log").await, audit_before);
        assert_eq!(app.count("timeline_events").await, timeline_before);
    }
}
