//! Every route limits the body it reads: JSON and forms are small, an upload may be
//! as large as the configured maximum and its text fields a few KiB. Too much is a
//! 413 in the error shape, refused while streaming.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;

use crate::admin_support::{Browser, ADMIN};
use crate::support::{work, TestApp, CONTOSO, PDF, PORTAL_PASSWORD};

/// A JSON body of about `bytes` bytes.
fn json_of(bytes: usize) -> String {
    json!({ "released": true, "padding": "x".repeat(bytes) }).to_string()
}

#[tokio::test]
async fn oversized_json_is_413_next_to_the_upload_route_too() {
    for app in TestApp::all().await {
        let (_, _, target) = work(&app).await;
        let (_, attachment) = app.upload("target", &target, "a.pdf", "application/pdf", PDF).await;
        let id = attachment["id"].as_str().unwrap();
        let big = json_of(8 * 1024 * 1024);
        for path in [format!("/api/v1/attachments/{id}"), format!("/api/v1/targets/{target}")] {
            let (status, body) = app.raw(Method::PATCH, &path, "application/json", big.clone()).await;
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "[{}] PATCH {path}: {body}", app.backend);
            assert_eq!(body["error"]["code"], "too_large");
        }
        let (status, body) = app.raw(Method::POST, "/api/v1/attachments", "application/json", big).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "the upload route wants multipart: {body}");
    }
}

#[tokio::test]
async fn oversized_portal_json_is_413_in_the_error_shape() {
    for app in TestApp::all_with_demo().await {
        let token = app.sign_in(CONTOSO, PORTAL_PASSWORD).await;
        let request = Request::post("/portal/v1/requests")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json_of(2 * 1024 * 1024)))
            .unwrap();
        let (status, body) = app.send(request).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "[{}] {body}", app.backend);
        assert_eq!(body["error"]["code"], "too_large");
    }
}

#[tokio::test]
async fn oversized_admin_form_is_a_413_page() {
    for app in TestApp::all_with_demo().await {
        let admin = Browser::sign_in(&app, ADMIN).await;
        let name = "x".repeat(1024 * 1024);
        let page = admin.post("/admin/customers", &[("name", &name)]).await;
        assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE, "[{}]", app.backend);
        assert!(page.body.contains("Too large"), "{}", page.body);

        let login = Request::post("/admin/login")
            .header(header::HOST, "admin.test")
            .header(header::ORIGIN, "http://admin.test")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("email={name}")))
            .unwrap();
        let page = crate::admin_support::send(&app, login).await;
        assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE, "the sign-in form too");
        assert!(page.body.contains("Too large"), "{}", page.body);
    }
}

/// A multipart upload form with hand-written parts.
fn form(parts: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "limit-test-boundary";
    let mut body = Vec::new();
    for (name, value) in parts {
        let disposition = match *name {
            "file" => "form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf".to_string(),
            name => format!("form-data; name=\"{name}\""),
        };
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n").as_bytes());
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn upload_text_fields_are_limited_and_fields_may_not_repeat() {
    for app in TestApp::all().await {
        let (_, _, target) = work(&app).await;
        let long_id = "x".repeat(64 * 1024);
        let (content_type, body) = form(&[("owner_kind", b"target"), ("owner_id", long_id.as_bytes()), ("file", PDF)]);
        let (status, answer) = app.raw(Method::POST, "/api/v1/attachments", &content_type, body).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "[{}] {answer}", app.backend);
        assert!(answer["error"]["message"].as_str().unwrap().contains("owner_id"), "{answer}");
        assert!(answer["error"]["fields"]["owner_id"].as_str().unwrap().contains("longer than 4 KiB"), "{answer}");

        let (content_type, body) =
            form(&[("owner_kind", b"target"), ("owner_id", target.as_bytes()), ("file", PDF), ("file", PDF)]);
        let (status, answer) = app.raw(Method::POST, "/api/v1/attachments", &content_type, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["error"]["fields"]["file"], "appears more than once");
        assert_eq!(app.count("attachments").await, 0);

        // The configured maximum (64 KiB in tests) is allowed, beyond the JSON limit's reach.
        let mut full = PDF.to_vec();
        full.resize(64 * 1024, b' ');
        let (status, answer) = app.upload("target", &target, "full.pdf", "application/pdf", &full).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
}
