//! The canary leak test: every internal field and internal-only table carries a
//! marker; no portal answer, for any demo user, may contain one.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::support::{TestApp, CONTOSO, NORTHWIND_ALL, NORTHWIND_MARINA, PORTAL_PASSWORD};

const MARKER: &str = "CANARY";
/// A routing score no real answer would contain.
const SCORE: &str = "13.371337";

async fn plant_canaries(app: &TestApp) {
    let statements = [
        "UPDATE targets SET internal_notes = 'CANARY-notes-' || id, billing_trigger = 'CANARY-billing-' || id,
             assigned_employee = 'CANARY-employee-' || id, routing_score = 13.371337, external_ref = 'CANARY-ref-' || id",
        "UPDATE visit_reports SET internal_title = 'CANARY-title-' || id, internal_body = 'CANARY-body-' || id,
             internal_notes = 'CANARY-rnotes-' || id, approved_by = 'CANARY-approver', published_by = CASE WHEN published_by IS NULL THEN NULL ELSE 'CANARY-publisher' END",
        "UPDATE customers SET external_ref = 'CANARY-cref-' || id, segment = 'CANARY-segment'",
        "UPDATE locations SET external_ref = 'CANARY-lref-' || id",
        "UPDATE contacts SET phone = 'CANARY-phone', job_title = 'CANARY-job'",
        "UPDATE attachments SET uploaded_by = 'CANARY-uploader', file_name = 'CANARY-hidden.pdf' WHERE released = 0",
        "UPDATE attachments SET uploaded_by = 'CANARY-uploader'",
        "UPDATE webhook_deliveries SET payload = 'CANARY-payload', endpoint_url = 'https://CANARY.example', last_error = 'CANARY-error'",
        "UPDATE connect_mapping_warnings SET message = 'CANARY-warning', external_ref = 'CANARY-mapping'",
        "UPDATE employee_performance SET employee_name = 'CANARY-performer', employee_ref = 'CANARY-emp'",
        "UPDATE api_keys SET name = 'CANARY-key-name'",
        "UPDATE audit_log SET details = '{\"x\":\"CANARY-audit\"}', actor_label = 'CANARY-actor'",
        "UPDATE staff_users SET name = 'CANARY-staff'",
    ];
    for statement in statements {
        sqlx::query(statement).execute(&app.state.db.pool).await.unwrap_or_else(|err| panic!("{statement}: {err}"));
    }
    // On every request, through the real write path: an internal note, and a reply for
    // the customer whose staff author (a name staff see) must not reach the portal.
    use ordinavo_server::records::audit::Actor;
    use ordinavo_server::records::messages::{self, Author, Visibility};
    let requests: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM requests").fetch_all(&app.state.db.pool).await.unwrap();
    let staff = Actor::Staff { id: "canary".into(), label: "CANARY-replier".into() };
    for (id,) in requests {
        let mut tx = app.state.db.begin_write().await.unwrap();
        let note = Author::Staff { visibility: Visibility::Internal };
        messages::post(&mut tx, &staff, &id, note, "CANARY-internal-message").await.unwrap();
        let reply = Author::Staff { visibility: Visibility::Customer };
        messages::post(&mut tx, &staff, &id, reply, "A reply for the customer").await.unwrap();
        tx.commit().await.unwrap();
    }
}

/// A portal GET: its status, its headers as `name: value` lines, and its body.
async fn fetch(app: &TestApp, path: &str, token: &str) -> (StatusCode, String, Vec<u8>) {
    let request = Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty());
    let response = app.router.clone().oneshot(request.unwrap()).await.unwrap();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| format!("{name}: {}", String::from_utf8_lossy(value.as_bytes())))
        .collect::<Vec<_>>()
        .join("\n");
    (response.status(), headers, response.into_body().collect().await.unwrap().to_bytes().to_vec())
}

/// Every portal GET the user can make, following ids from lists into details and downloads.
async fn crawl(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let mut answers = Vec::new();
    let mut paths: Vec<String> = [
        "/portal/v1/me",
        "/portal/v1/requests",
        "/portal/v1/appointments",
        "/portal/v1/appointments?when=past",
        "/portal/v1/work",
        "/portal/v1/reports",
        "/portal/v1/timeline",
        "/portal/v1/follow-ups",
        "/portal/v1/sessions",
        "/portal/v1/sync",
        "/portal/v1/sync?limit=7",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    let mut seen = std::collections::HashSet::new();
    while let Some(path) = paths.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let (status, headers, bytes) = fetch(app, &path, token).await;
        assert_eq!(status, StatusCode::OK, "[{}] {path}", app.backend);
        // Headers count as part of the answer: a `Location` or `Content-Disposition`
        // (a file name) must not carry anything internal either.
        let text = format!("{headers}\n{}", String::from_utf8_lossy(&bytes));
        if let Ok(json) = serde_json::from_slice::<Value>(&bytes) {
            let base = path.split('?').next().unwrap().to_string();
            if let Some(cursor) = json["cursor"].as_str() {
                // A sync cursor is an opaque token: it names no record and no change counter.
                let opaque = cursor.strip_prefix("sc_").is_some_and(|t| t.len() == 22 && !t.contains('.'));
                assert!(opaque, "[{}] {path} cursor {cursor}", app.backend);
                if json["more"] == true {
                    paths.push(format!("/portal/v1/sync?limit=7&cursor={cursor}"));
                }
            }
            for item in json["items"].as_array().into_iter().flatten() {
                if let Some(id) = item["id"].as_str() {
                    if !base.ends_with("/timeline")
                        && !base.ends_with("/work")
                        && !base.ends_with("/follow-ups")
                        && !base.ends_with("/sessions")
                        && !base.ends_with("/sync")
                    {
                        paths.push(format!("{base}/{id}"));
                    }
                    if base.ends_with("/requests") {
                        paths.push(format!("{base}/{id}/messages"));
                    }
                }
                for attachment in item["attachments"].as_array().into_iter().flatten() {
                    paths.push(attachment["download_path"].as_str().unwrap().to_string());
                    paths.push(format!("/portal/v1/attachments/{}", attachment["id"].as_str().unwrap()));
                }
            }
        }
        answers.push((path, text));
    }
    answers
}

#[tokio::test]
async fn no_internal_marker_reaches_any_portal_user() {
    for app in TestApp::all_with_demo().await {
        plant_canaries(&app).await;
        let mut responses = 0;
        for user in [NORTHWIND_ALL, NORTHWIND_MARINA, CONTOSO] {
            let token = app.sign_in(user, PORTAL_PASSWORD).await;
            let answers = crawl(&app, &token).await;
            assert!(answers.len() > 10, "[{}] {user} crawled {} answers", app.backend, answers.len());
            if user != CONTOSO {
                let files = answers.iter().filter(|(_, text)| text.contains("content-disposition: attachment")).count();
                assert!(files > 0, "[{}] {user}: downloads and their file names were checked", app.backend);
            }
            for (path, text) in &answers {
                assert!(!text.contains(MARKER), "[{}] {user} {path} leaks: {text}", app.backend);
                assert!(!text.contains(SCORE), "[{}] {user} {path} leaks a routing score", app.backend);
            }
            responses += answers.len();
        }
        eprintln!("[{}] canary checked {responses} portal answers", app.backend);
        for user in [NORTHWIND_ALL, NORTHWIND_MARINA, CONTOSO] {
            let token = app.sign_in(user, PORTAL_PASSWORD).await;
            let text = replay_events(&app, &token).await;
            assert!(!text.contains(MARKER), "[{}] {user} event stream leaks: {text}", app.backend);
        }
    }
}

/// The whole stored event stream of a user, replayed from the start, as raw SSE text.
async fn replay_events(app: &TestApp, token: &str) -> String {
    use axum::body::Body;
    use axum::http::{header, Request};
    use http_body_util::BodyExt;
    use ordinavo_server::domain::scope::Scope;
    use ordinavo_server::projection::events::{self, EventCursor};
    use ordinavo_server::projection::Viewer;
    use tower::ServiceExt;

    let user_id = app.portal_get("/portal/v1/me", token).await.1["id"].as_str().unwrap().to_string();
    let grants = ordinavo_server::records::portal_access::grants(&app.state.db, &user_id).await.unwrap();
    let viewer = Viewer { user_id, scope: Scope::from_grants(&grants) };
    let expected = events::after(&app.state.db, &viewer, &EventCursor::default()).await.unwrap().len();
    assert!(expected > 0, "[{}] the demo has events for every user", app.backend);
    let request = Request::get("/portal/v1/events")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header("Last-Event-ID", "0.0")
        .body(Body::empty())
        .unwrap();
    let mut body = app.router.clone().oneshot(request).await.unwrap().into_body();
    let mut text = String::new();
    while text.lines().filter(|line| line.starts_with("data:")).count() < expected {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(20), body.frame())
            .await
            .expect("the replay arrives")
            .expect("stream open")
            .unwrap();
        if let Ok(data) = frame.into_data() {
            text.push_str(&String::from_utf8_lossy(&data));
        }
    }
    text
}
