//! Messages on requests: the contact and staff talk on the request; internal notes
//! stay with staff; a contact's retried send is one message; staff replies reach the
//! submitter's sync, timeline and live events; the inbox marks unread messages.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use crate::support::{TestApp, NORTHWIND_ALL, NORTHWIND_MARINA, PORTAL_PASSWORD};

/// Hannah's (Northwind, every site) loading dock request in the demo.
const DOCK: &str = "SELECT id FROM requests WHERE title LIKE 'Loading dock%'";

async fn write(app: &TestApp, token: &str, request_id: &str, key: Option<&str>, body: Value) -> (StatusCode, Value) {
    let mut builder = Request::post(format!("/portal/v1/requests/{request_id}/messages"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(key) = key {
        builder = builder.header("Idempotency-Key", key);
    }
    app.send(builder.body(Body::from(body.to_string())).unwrap()).await
}

fn bodies(thread: &Value) -> Vec<String> {
    thread.as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn contact_and_staff_talk_on_a_request_and_internal_notes_stay_internal() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let token = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let dock = app.id_of(DOCK).await;
        let path = format!("/portal/v1/requests/{dock}/messages");

        let (status, first) =
            write(&app, &token, &dock, Some("msg-1"), json!({ "body": "  Door 3 now stuck fully.  " })).await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {first}");
        assert_eq!(first["body"], "Door 3 now stuck fully.", "[{b}] trimmed");
        assert_eq!(first["from"], "customer");
        assert_eq!(first["author_name"], "Hannah Becker", "[{b}] {first}");
        let (status, again) =
            write(&app, &token, &dock, Some("msg-1"), json!({ "body": "Door 3 now stuck fully." })).await;
        assert_eq!(status, StatusCode::OK, "[{b}] a retried send answers with the first message");
        assert_eq!(again["id"], first["id"]);

        let staff_path = format!("/api/v1/requests/{dock}/messages");
        let (status, note) = app
            .post(
                &staff_path,
                json!({ "body": "Spring tension? Check before sending anyone.", "visibility": "internal" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {note}");
        let (status, reply) = app
            .post(&staff_path, json!({ "body": "A technician comes tomorrow at 8:00.", "visibility": "customer" }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {reply}");

        let (status, thread) = app.portal_get(&path, &token).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(bodies(&thread), ["Door 3 now stuck fully.", "A technician comes tomorrow at 8:00."], "[{b}]");
        assert_eq!(thread[1]["from"], "staff");
        assert_eq!(thread[1]["author_name"], Value::Null, "[{b}] staff are the service team, not a person");
        let (_, request) = app.portal_get(&format!("/portal/v1/requests/{dock}"), &token).await;
        assert_eq!(request["messages"], thread, "[{b}] the request view carries the same thread");

        let (status, staff_thread) = app.get(&staff_path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(bodies(&staff_thread).len(), 3, "[{b}] staff see the internal note too");
        assert_eq!(staff_thread[1]["visibility"], "internal");

        // The reply is a milestone on the submitter's timeline; the note is nothing there.
        let (_, timeline) = app.portal_get("/portal/v1/timeline", &token).await;
        let replied = timeline["items"].as_array().unwrap().iter();
        let replied = replied.filter(|e| e["kind"] == "request_replied" && e["subject_id"] == dock.as_str()).count();
        assert_eq!(replied, 1, "[{b}] {timeline}");
    }
}

#[tokio::test]
async fn bad_messages_are_refused_field_by_field_and_nothing_is_stored() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let token = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let dock = app.id_of(DOCK).await;
        let before = app.count("request_messages").await;
        let long = "x".repeat(5001);
        for (body, field) in [
            (json!({ "body": "   " }), "body"),
            (json!({ "body": long }), "body"),
            (json!({ "body": "bell \u{7}" }), "body"),
        ] {
            let (status, answer) = write(&app, &token, &dock, None, body).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] {answer}");
            assert!(answer["error"]["fields"][field].is_string(), "[{b}] {answer}");
        }
        let (status, answer) =
            write(&app, &token, &dock, None, json!({ "body": "hi", "visibility": "internal" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] a contact cannot choose visibility: {answer}");
        let path = format!("/api/v1/requests/{dock}/messages");
        let (status, answer) = app.post(&path, json!({ "body": "hi", "visibility": "everyone" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] {answer}");
        let (status, answer) = app.post(&path, json!({ "body": "", "visibility": "customer" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] {answer}");
        assert!(answer["error"]["fields"]["body"].is_string(), "[{b}] {answer}");
        let (status, _) =
            app.post("/api/v1/requests/nope/messages", json!({ "body": "hi", "visibility": "customer" })).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{b}]");
        assert_eq!(app.count("request_messages").await, before, "[{b}] nothing half-written");
    }
}

#[tokio::test]
async fn only_those_who_see_the_request_may_read_or_write_its_messages() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let dock = app.id_of(DOCK).await;
        // The Marina site manager sees neither Hamburg nor Hannah's requests.
        let marina = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let path = format!("/portal/v1/requests/{dock}/messages");
        assert_eq!(app.portal_get(&path, &marina).await.0, StatusCode::NOT_FOUND, "[{b}]");
        let (status, _) = write(&app, &marina, &dock, None, json!({ "body": "hello?" })).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{b}]");
        let (status, _) = app.portal(Method::GET, &path, None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{b}]");
        let (status, unknown) = write(&app, &marina, "no-such-request", None, json!({ "body": "hello?" })).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{b}]");
        let (_, out_of_scope) = write(&app, &marina, &dock, None, json!({ "body": "hello?" })).await;
        assert_eq!(out_of_scope, unknown, "[{b}] a request out of scope answers as a nonexistent one");
    }
}

#[tokio::test]
async fn a_staff_reply_re_sends_the_request_and_announces_it_to_the_submitter_only() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let token = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let dock = app.id_of(DOCK).await;
        let cursor = full_sync(&app, &token, None).await.1;
        let events_before = app.count("portal_events").await;

        let path = format!("/api/v1/requests/{dock}/messages");
        app.post(&path, json!({ "body": "CANARY-internal: warranty?", "visibility": "internal" })).await;
        let (changes, cursor) = full_sync(&app, &token, Some(&cursor)).await;
        assert!(changes.is_empty(), "[{b}] an internal note changes nothing the portal syncs: {changes:?}");
        assert_eq!(app.count("portal_events").await, events_before, "[{b}] and announces nothing");

        app.post(&path, json!({ "body": "We come on Monday.", "visibility": "customer" })).await;
        let (changes, _) = full_sync(&app, &token, Some(&cursor)).await;
        let request = changes.iter().find(|c| c["kind"] == "request").expect("the request is sent again");
        let messages = request["item"]["messages"].as_array().unwrap();
        assert_eq!(messages.last().unwrap()["body"], "We come on Monday.", "[{b}]");
        assert!(changes.iter().any(|c| c["kind"] == "timeline" && c["item"]["kind"] == "request_replied"), "[{b}]");
        let (kind, audience): (String, Option<String>) =
            sqlx::query_as("SELECT kind, audience FROM portal_events ORDER BY version DESC, id DESC LIMIT 1")
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        assert_eq!(kind, "request_replied");
        let hannah = app.id_of("SELECT id FROM portal_users WHERE email = 'facilities@northwind.example'").await;
        assert_eq!(audience.as_deref(), Some(hannah.as_str()), "[{b}] the live event goes to the submitter");
    }
}

#[tokio::test]
async fn the_inbox_marks_a_request_with_a_new_message_until_staff_open_it() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let token = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let dock = app.id_of(DOCK).await;
        write(&app, &token, &dock, None, json!({ "body": "Any news?" })).await;
        let unread = || async {
            let (flag,): (i64,) = sqlx::query_as("SELECT staff_unread FROM requests WHERE id = $1")
                .bind(&dock)
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
            flag
        };
        assert_eq!(unread().await, 1, "[{b}]");
        app.post(
            &format!("/api/v1/requests/{dock}/messages"),
            json!({ "body": "Tomorrow.", "visibility": "customer" }),
        )
        .await;
        assert_eq!(unread().await, 0, "[{b}] a reply answers it");
    }
}

/// Follows sync from `cursor` to the end: every change, and the final cursor.
async fn full_sync(app: &TestApp, token: &str, cursor: Option<&str>) -> (Vec<Value>, String) {
    let mut changes = Vec::new();
    let mut cursor = cursor.map(str::to_string);
    loop {
        let path = match &cursor {
            Some(c) => format!("/portal/v1/sync?cursor={c}"),
            None => "/portal/v1/sync".to_string(),
        };
        let (status, page) = app.portal_get(&path, token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        changes.extend(page["changes"].as_array().unwrap().iter().cloned());
        cursor = page["cursor"].as_str().map(str::to_string);
        if page["more"] != true {
            return (changes, cursor.unwrap());
        }
    }
}
