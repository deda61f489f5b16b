//! Live events: delivered to connected clients in scope, resumable with
//! `Last-Event-ID`, request events only to the submitter.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::support::{TestApp, NORTHWIND_ALL, NORTHWIND_MARINA, PDF, PORTAL_PASSWORD};

/// Reads server-sent events from a streaming response body.
pub struct SseReader {
    body: Body,
    buffer: String,
}

impl SseReader {
    pub async fn open(app: &TestApp, token: &str, last_event_id: Option<&str>) -> SseReader {
        let mut request = Request::get("/portal/v1/events").header(header::AUTHORIZATION, format!("Bearer {token}"));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        let response = app.router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "text/event-stream");
        SseReader { body: response.into_body(), buffer: String::new() }
    }

    /// The next event's data, waiting for it (the timeout only guards against a hang).
    pub async fn next(&mut self) -> Value {
        self.next_or_end().await.expect("stream open")
    }

    /// The next event's data, or `None` once the server ended the stream.
    pub async fn next_or_end(&mut self) -> Option<Value> {
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let block: String = self.buffer.drain(..end + 2).collect();
                    if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data:")) {
                        return Some(serde_json::from_str(data.trim()).unwrap());
                    }
                    continue;
                }
                let frame = self.body.frame().await?.unwrap();
                if let Ok(data) = frame.into_data() {
                    self.buffer.push_str(&String::from_utf8_lossy(&data));
                }
            }
        })
        .await
        .expect("an event or the end within 20 s")
    }
}

pub async fn new_follow_up(app: &TestApp, city_like: &str, text: &str) -> String {
    let target = app
        .id_of(&format!(
            "SELECT t.id FROM targets t JOIN locations l ON l.id = t.location_id WHERE l.{city_like} ORDER BY t.id"
        ))
        .await;
    app.create("/api/v1/follow-ups", json!({ "target_id": target, "description": text })).await
}

#[tokio::test]
async fn events_reach_only_clients_in_scope_and_resume_after_the_last_id() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let token = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let mut stream = SseReader::open(&app, &token, None).await;

        let berlin = new_follow_up(&app, "city = 'Berlin'", "Replace filter mats").await;
        let first = new_follow_up(&app, "name LIKE '%مارينا%'", "Check chiller 2 bearing").await;
        let event = stream.next().await;
        assert_eq!(event["kind"], "follow_up_required", "[{b}] {event}");
        assert_eq!(event["subject_id"], first, "[{b}] the Berlin follow-up {berlin} is out of scope");

        let second = new_follow_up(&app, "name LIKE '%مارينا%'", "Replace chiller 2 bearing").await;
        assert_eq!(stream.next().await["subject_id"], second, "[{b}]");

        // A client that was away resumes after the last event it saw.
        let mut resumed = SseReader::open(&app, &token, Some(event["id"].as_str().unwrap())).await;
        assert_eq!(resumed.next().await["subject_id"], second, "[{b}] missed events are replayed");
    }
}

#[tokio::test]
async fn releasing_a_file_is_a_live_event_for_those_who_may_download_it() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let token = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let mut stream = SseReader::open(&app, &token, None).await;
        let work = app
            .id_of("SELECT t.id FROM targets t JOIN locations l ON l.id = t.location_id WHERE l.name LIKE '%مارينا%'")
            .await;
        let (status, uploaded) = app.upload("target", &work, "checklist.pdf", "application/pdf", PDF).await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {uploaded}");
        let file = uploaded["id"].as_str().unwrap();
        app.patch(&format!("/api/v1/attachments/{file}"), json!({ "released": true })).await;
        let event = stream.next().await;
        assert_eq!(event["kind"], "attachment_released", "[{b}] {event}");
        assert_eq!(event["subject_id"], file, "[{b}] the app syncs the file at once");
    }
}

#[tokio::test]
async fn a_file_release_is_not_announced_where_downloads_are_not_granted() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        sqlx::query(
            "UPDATE portal_grants SET can_download = 0 WHERE portal_user_id = (SELECT id FROM portal_users WHERE email = $1)",
        )
        .bind(NORTHWIND_MARINA)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
        let token = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let mut stream = SseReader::open(&app, &token, None).await;
        let work = app
            .id_of("SELECT t.id FROM targets t JOIN locations l ON l.id = t.location_id WHERE l.name LIKE '%مارينا%'")
            .await;
        let (_, uploaded) = app.upload("target", &work, "checklist.pdf", "application/pdf", PDF).await;
        let file = uploaded["id"].as_str().unwrap().to_string();
        app.patch(&format!("/api/v1/attachments/{file}"), json!({ "released": true })).await;
        let follow_up = new_follow_up(&app, "name LIKE '%مارينا%'", "Check chiller 2 bearing").await;
        let event = stream.next().await;
        assert_eq!(event["subject_id"], follow_up, "[{b}] the file {file} may not be downloaded here: {event}");
    }
}

#[tokio::test]
async fn events_never_go_out_under_a_narrowed_scope() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let token = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let mut stream = SseReader::open(&app, &token, None).await;
        // At once, within a second of the stream's last check: narrow the whole-customer
        // grant to the Marina location, then raise an event in Berlin and one at Marina.
        let grant = app
            .id_of(&format!(
                "SELECT g.id FROM portal_grants g JOIN portal_users u ON u.id = g.portal_user_id \
                 WHERE u.email = '{NORTHWIND_ALL}'"
            ))
            .await;
        let marina = app.id_of("SELECT id FROM locations WHERE name LIKE '%مارينا%'").await;
        sqlx::query("UPDATE portal_grants SET whole_customer = 0 WHERE id = $1")
            .bind(&grant)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO portal_grant_locations (grant_id, location_id) VALUES ($1, $2)")
            .bind(&grant)
            .bind(&marina)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        let berlin = new_follow_up(&app, "city = 'Berlin'", "Replace filter mats").await;
        let at_marina = new_follow_up(&app, "name LIKE '%مارينا%'", "Check chiller 2 bearing").await;
        let event = stream.next().await;
        assert_eq!(event["subject_id"], at_marina, "[{b}] Berlin ({berlin}) left the scope before its event: {event}");
    }
}

#[tokio::test]
async fn request_status_events_go_to_the_submitter_only() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let omar = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let hannah = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let mut omar_stream = SseReader::open(&app, &omar, None).await;
        let mut hannah_stream = SseReader::open(&app, &hannah, None).await;
        let request = app
            .id_of("SELECT r.id FROM requests r JOIN portal_users u ON u.id = r.submitted_by WHERE u.email = 'site.manager@northwind.example' AND r.status = 'in_review'")
            .await;
        let (status, _) =
            app.post(&format!("/api/v1/requests/{request}/decision"), json!({ "status": "accepted" })).await;
        assert_eq!(status, StatusCode::OK);
        let marker = new_follow_up(&app, "name LIKE '%مارينا%'", "Marker after the decision").await;

        let event = omar_stream.next().await;
        assert_eq!(event["kind"], "request_status_changed", "[{b}] {event}");
        assert_eq!(event["subject_id"], request);
        let event = hannah_stream.next().await;
        assert_eq!(event["subject_id"], marker, "[{b}] Hannah skips Omar's request event: {event}");
    }
}
