//! The access log the customer reads: sign-ins, failed sign-ins, downloads, ended
//! sessions and staff "view as contact" views; a contact sees their own entries, a
//! customer admin their colleagues' too, and staff appear by role only.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use crate::admin_support::{Browser, ADMIN};
use crate::support::{TestApp, CONTOSO, NORTHWIND_ALL, NORTHWIND_MARINA, PORTAL_PASSWORD};

const PEER: &str = "203.0.113.7";

/// A request from the desktop app at `PEER`, with a bearer token or none.
fn from_desktop(method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::USER_AGENT, "Ordinavo desktop/1.2.3")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = body.map(|json| Body::from(json.to_string())).unwrap_or_else(Body::empty);
    let mut request = builder.body(body).unwrap();
    request.extensions_mut().insert(ConnectInfo(SocketAddr::new(PEER.parse().unwrap(), 44_000)));
    request
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> (StatusCode, Value) {
    let body = json!({ "email": email, "password": password });
    app.send(from_desktop(Method::POST, "/portal/v1/session", None, Some(body))).await
}

/// Every entry a token may read, newest first, walked page by page.
async fn log(app: &TestApp, token: &str, limit: u32) -> Vec<Value> {
    let mut entries = Vec::new();
    let mut path = format!("/portal/v1/access-log?limit={limit}");
    loop {
        let (status, page) = app.portal_get(&path, token).await;
        assert_eq!(status, StatusCode::OK, "[{}] {page}", app.backend);
        entries.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_after"].as_str() {
            Some(after) => path = format!("/portal/v1/access-log?limit={limit}&after={after}"),
            None => return entries,
        }
    }
}

fn kinds(entries: &[Value]) -> Vec<&str> {
    entries.iter().map(|e| e["kind"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn the_access_log_shows_sign_ins_downloads_ended_sessions_and_staff_views() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let (status, _) = sign_in(&app, NORTHWIND_MARINA, "not-the-password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{b}]");
        let (status, session) = sign_in(&app, NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {session}");
        let token = session["token"].as_str().unwrap().to_string();

        let (_, reports) = app.portal_get("/portal/v1/reports", &token).await;
        let file = &reports["items"][0]["attachments"][0];
        let path = file["download_path"].as_str().unwrap();
        let request = from_desktop(Method::GET, path, Some(&token), None);
        let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "[{b}]");

        let admin = Browser::sign_in(&app, ADMIN).await;
        let omar_id = app.id_of(&format!("SELECT id FROM portal_users WHERE email = '{NORTHWIND_MARINA}'")).await;
        assert_eq!(admin.get(&format!("/admin/portal-users/{omar_id}/view")).await.status, StatusCode::OK, "[{b}]");

        let other = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let (status, _) = app.portal(Method::DELETE, "/portal/v1/session", Some(&other), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "[{b}]");

        let entries = log(&app, &token, 2).await;
        assert_eq!(
            kinds(&entries),
            vec!["session_ended", "sign_in", "staff_view", "download", "sign_in", "sign_in_failed"],
            "[{b}] newest first, each once across pages"
        );
        let [ended, _, viewed, download, signed_in, failed] = &entries[..] else { unreachable!() };
        assert_eq!(ended["session_end"], "signed_out", "[{b}]");
        assert_eq!((signed_in["ip"].as_str(), signed_in["app_version"].as_str()), (Some(PEER), Some("1.2.3")), "[{b}]");
        assert_eq!(failed["ip"], PEER, "[{b}]");
        assert_eq!(download["attachment_id"], file["id"], "[{b}]");
        assert_eq!(download["file_name"], file["file_name"], "[{b}]");
        assert_eq!(viewed["staff_role"], "admin", "[{b}] staff by role");
        let text = serde_json::to_string(&entries).unwrap();
        assert!(!text.contains(ADMIN) && !text.contains("Ordinavo Admin"), "[{b}] never by person: {text}");
        assert!(entries.iter().all(|e| e["user_id"] == omar_id.as_str()), "[{b}]");

        // A customer admin reads her colleagues' entries; nobody else does.
        let hannah = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let seen_by_hannah = log(&app, &hannah, 50).await;
        let about_omar = seen_by_hannah.iter().filter(|e| e["user_id"] == omar_id.as_str()).count();
        assert_eq!(about_omar, entries.len(), "[{b}] every entry about Omar");
        assert!(seen_by_hannah.iter().any(|e| e["user_name"] == "Hannah Becker"), "[{b}] and her own");
        let lena = app.sign_in(CONTOSO, PORTAL_PASSWORD).await;
        let seen_by_lena = log(&app, &lena, 50).await;
        assert!(
            seen_by_lena.iter().all(|e| e["user_name"] == "Lena Vogel"),
            "[{b}] another customer's: {seen_by_lena:?}"
        );
        let seen_by_omar = log(&app, &other_session(&app).await, 50).await;
        assert!(seen_by_omar.iter().all(|e| e["user_id"] == omar_id.as_str()), "[{b}] not Hannah's");

        let (status, _) = app.portal_get("/portal/v1/access-log?limit=500", &hannah).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}]");
    }
}

async fn other_session(app: &TestApp) -> String {
    app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await
}

#[tokio::test]
async fn sessions_ended_by_others_or_by_running_out_are_logged_once() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let omar_id = app.id_of(&format!("SELECT id FROM portal_users WHERE email = '{NORTHWIND_MARINA}'")).await;
        let stale = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let token = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        // One session runs out unused; then the user signs out everywhere.
        sqlx::query("UPDATE portal_sessions SET last_seen_at = 1000 WHERE token_hash = $1")
            .bind(ordinavo_server::domain::tokens::hash(&stale))
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        let (status, _) = app.portal(Method::DELETE, "/portal/v1/sessions", Some(&token), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "[{b}]");
        ordinavo_server::records::expiry::purge(&app.state.db, ordinavo_server::storage::now_ms()).await.unwrap();
        ordinavo_server::records::expiry::purge(&app.state.db, ordinavo_server::storage::now_ms()).await.unwrap();

        let fresh = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let entries = log(&app, &fresh, 50).await;
        let ended: Vec<&str> = entries
            .iter()
            .filter(|e| e["kind"] == "session_ended")
            .map(|e| e["session_end"].as_str().unwrap())
            .collect();
        let mut sorted = ended.clone();
        sorted.sort();
        assert_eq!(sorted, vec!["expired", "signed_out_everywhere"], "[{b}] each session's end once: {entries:?}");
        let expired = entries.iter().find(|e| e["session_end"] == "expired").unwrap();
        assert!(
            expired["occurred_at"].as_str().unwrap().starts_with("1970-01-15"),
            "[{b}] as of when it ran out: {expired}"
        );
        assert!(entries.iter().all(|e| e["user_id"] == omar_id.as_str()), "[{b}]");
    }
}
