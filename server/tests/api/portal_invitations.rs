//! The invitation lifecycle: invite, accept once, reuse, expiry, revoke, resend.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::TestApp;

async fn invite(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.post("/api/v1/invitations", body).await
}

async fn accept(app: &TestApp, code: &str, password: &str) -> (StatusCode, Value) {
    let (status, bytes) = app
        .portal(
            Method::POST,
            "/portal/v1/invitations/accept",
            None,
            Some(json!({ "code": code, "display_name": "Jonas Weber", "password": password })),
        )
        .await;
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_invited_contact_accepts_once_and_sees_only_the_granted_location() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let contact = app.id_of("SELECT id FROM contacts WHERE email = 'j.weber@northwind.example'").await;
        let hamburg = app.id_of("SELECT id FROM locations WHERE city = 'Hamburg'").await;
        let contoso_location = app.id_of("SELECT l.id FROM locations l JOIN customers c ON c.id = l.customer_id WHERE c.name = 'Contoso Retail' ORDER BY l.id").await;

        let (status, body) = invite(&app, json!({ "contact_id": contact, "location_ids": [contoso_location] })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] another customer's location: {body}");

        let (status, issued) =
            invite(&app, json!({ "contact_id": contact, "location_ids": [hamburg], "can_download": true })).await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {issued}");
        let code = issued["code"].as_str().unwrap().to_string();
        assert!(code.len() >= 4 + 22, "at least 128 bits");
        assert_eq!(issued["link"], format!("ordinavo://invite/{code}"));
        let (stored,): (String,) =
            sqlx::query_as("SELECT token_hash FROM portal_invitations").fetch_one(&app.state.db.pool).await.unwrap();
        assert_ne!(stored, code, "the code is stored hashed");

        let (status, body) = accept(&app, &code, "short").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] {body}");
        assert!(body["error"]["fields"]["password"].is_string());
        let (status, session) = accept(&app, &format!("ordinavo://invite/{code}"), "hamburg dock doors 2026").await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] the deep link works as a code: {session}");
        let token = session["token"].as_str().unwrap();
        let (_, me) = app.portal_get("/portal/v1/me", token).await;
        let locations: Vec<&str> =
            me["customers"][0]["locations"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
        assert_eq!(locations, [hamburg.as_str()], "[{b}]");
        assert_eq!(me["customers"][0]["whole_customer"], false);

        let (status, body) = accept(&app, &code, "hamburg dock doors 2026").await;
        assert_eq!(status, StatusCode::GONE, "[{b}] a used code: {body}");
        let (status, _) = accept(&app, "inv_unknown-code", "hamburg dock doors 2026").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = invite(&app, json!({ "contact_id": contact })).await;
        assert_eq!(status, StatusCode::CONFLICT, "[{b}] the contact already has access");
    }
}

#[tokio::test]
async fn revoked_expired_and_resent_invitations() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let contact = app.id_of("SELECT id FROM contacts WHERE email = 'abudhabi.store@contoso.example'").await;
        let (_, issued) = invite(&app, json!({ "contact_id": contact })).await;
        let id = issued["invitation"]["id"].as_str().unwrap().to_string();
        let first_code = issued["code"].as_str().unwrap().to_string();

        let (status, resent) = app.post(&format!("/api/v1/invitations/{id}/resend"), json!({})).await;
        assert_eq!(status, StatusCode::OK, "[{b}]");
        let second_code = resent["code"].as_str().unwrap().to_string();
        assert_eq!(
            accept(&app, &first_code, "store opening hours 2026").await.0,
            StatusCode::NOT_FOUND,
            "the old code stops working"
        );

        sqlx::query("UPDATE portal_invitations SET expires_at = 1 WHERE id = $1")
            .bind(&id)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        let (status, body) = accept(&app, &second_code, "store opening hours 2026").await;
        assert_eq!(status, StatusCode::GONE, "[{b}] expired: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("expired"));

        let (status, revoked) = app.post(&format!("/api/v1/invitations/{id}/revoke"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(revoked["status"], "revoked");
        let (status, body) = accept(&app, &second_code, "store opening hours 2026").await;
        assert_eq!(status, StatusCode::GONE, "[{b}] revoked");
        assert!(body["error"]["message"].as_str().unwrap().contains("withdrawn"));
        assert_eq!(app.count("portal_users").await, 3, "no user was created");
    }
}

#[tokio::test]
async fn changing_a_contacts_email_invalidates_the_pending_code() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let contact = app.id_of("SELECT id FROM contacts WHERE email = 'j.weber@northwind.example'").await;
        let (status, issued) = invite(&app, json!({ "contact_id": contact })).await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {issued}");
        let old_code = issued["code"].as_str().unwrap().to_string();
        let (status, body) = app
            .patch(&format!("/api/v1/contacts/{contact}"), json!({ "email": "jonas.weber@northwind.example" }))
            .await;
        assert_eq!(status, StatusCode::OK, "[{b}] {body}");
        let users = app.count("portal_users").await;

        let (status, body) = accept(&app, &old_code, "hamburg dock doors 2026").await;
        assert_eq!(status, StatusCode::GONE, "[{b}] the code went to the old address: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("has since changed"), "{body}");
        assert_eq!(app.count("portal_users").await, users, "no login was made from the old address");

        let id = issued["invitation"]["id"].as_str().unwrap();
        let (_, resent) = app.post(&format!("/api/v1/invitations/{id}/resend"), json!({})).await;
        let (status, session) = accept(&app, resent["code"].as_str().unwrap(), "hamburg dock doors 2026").await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {session}");
        let (_, me) = app.portal_get("/portal/v1/me", session["token"].as_str().unwrap()).await;
        assert_eq!(me["email"], "jonas.weber@northwind.example", "[{b}] the login is the corrected address");
    }
}
