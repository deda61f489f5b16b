//! The portal authorization matrix: every portal endpoint against every kind of
//! caller and object. Out-of-scope objects answer byte-for-byte like unknown ids.

use axum::http::{Method, StatusCode};
use ordinavo_server::records::audit::Actor;
use ordinavo_server::records::portal_access;
use serde_json::json;

use crate::support::{TestApp, NORTHWIND_MARINA, PORTAL_PASSWORD};

const UNKNOWN: &str = "0190f7a0-0000-7000-8000-000000000000";

/// Object endpoints, by the kind of object they take.
const OBJECT_ENDPOINTS: &[(&str, Method, &str)] = &[
    ("request", Method::GET, "/portal/v1/requests/{}"),
    ("request", Method::GET, "/portal/v1/requests/{}/messages"),
    ("request", Method::POST, "/portal/v1/requests/{}/cancel"),
    ("appointment", Method::GET, "/portal/v1/appointments/{}"),
    ("report", Method::GET, "/portal/v1/reports/{}"),
    ("attachment", Method::GET, "/portal/v1/attachments/{}"),
    ("attachment", Method::GET, "/portal/v1/attachments/{}/content"),
];

/// Every portal endpoint that needs a session, with a harmless request.
fn every_endpoint(ids: &Ids) -> Vec<(Method, String, Option<serde_json::Value>)> {
    let mut list = vec![
        (Method::GET, "/portal/v1/me".to_string(), None),
        (Method::GET, "/portal/v1/status-labels".to_string(), None),
        (Method::GET, "/portal/v1/requests".to_string(), None),
        (
            Method::POST,
            "/portal/v1/requests".to_string(),
            Some(json!({ "location_id": ids.own["location"], "kind": "support", "title": "t", "description": "d" })),
        ),
        (Method::POST, format!("/portal/v1/requests/{UNKNOWN}/messages"), Some(json!({ "body": "hello" }))),
        (Method::POST, format!("/portal/v1/requests/{UNKNOWN}/attachments"), None),
        (Method::GET, "/portal/v1/appointments".to_string(), None),
        (Method::GET, "/portal/v1/appointments?when=past".to_string(), None),
        (Method::GET, "/portal/v1/work".to_string(), None),
        (Method::GET, "/portal/v1/reports".to_string(), None),
        (Method::GET, "/portal/v1/timeline".to_string(), None),
        (Method::GET, "/portal/v1/follow-ups".to_string(), None),
        (Method::GET, "/portal/v1/sessions".to_string(), None),
        (Method::GET, "/portal/v1/access-log".to_string(), None),
        (Method::GET, "/portal/v1/colleagues".to_string(), None),
        (Method::GET, "/portal/v1/colleagues/invitations".to_string(), None),
        (
            Method::POST,
            "/portal/v1/colleagues/invitations".to_string(),
            Some(json!({ "name": "N", "email": "n@northwind.example", "location_ids": [ids.own["location"]] })),
        ),
        (Method::POST, format!("/portal/v1/colleagues/{UNKNOWN}/disable"), None),
        (Method::POST, format!("/portal/v1/colleagues/{UNKNOWN}/enable"), None),
        (Method::POST, format!("/portal/v1/colleagues/invitations/{UNKNOWN}/resend"), None),
        (Method::POST, format!("/portal/v1/colleagues/invitations/{UNKNOWN}/revoke"), None),
        (Method::GET, "/portal/v1/sync".to_string(), None),
        (Method::GET, "/portal/v1/events".to_string(), None),
        (
            Method::POST,
            "/portal/v1/password".to_string(),
            Some(json!({ "current_password": "x", "new_password": "y" })),
        ),
        (Method::DELETE, "/portal/v1/sessions/some-session".to_string(), None),
        (Method::DELETE, "/portal/v1/sessions".to_string(), None),
        (Method::DELETE, "/portal/v1/session".to_string(), None),
    ];
    for (kind, method, path) in OBJECT_ENDPOINTS {
        list.push((method.clone(), path.replace("{}", &ids.own[*kind]), None));
    }
    list
}

struct Ids {
    own: std::collections::HashMap<&'static str, String>,
    other_location: std::collections::HashMap<&'static str, String>,
    other_customer: std::collections::HashMap<&'static str, String>,
}

/// Objects seen from the Dubai Marina site manager: their own location, another
/// Northwind location, and Contoso.
async fn ids(app: &TestApp) -> Ids {
    let marina = app.id_of("SELECT id FROM locations WHERE time_zone = 'Asia/Dubai' AND name LIKE '%مارينا%'").await;
    let berlin = app.id_of("SELECT id FROM locations WHERE city = 'Berlin'").await;
    let contoso = app.id_of("SELECT id FROM customers WHERE name = 'Contoso Retail'").await;
    let at = |location: &str| {
        let location = location.to_string();
        async move {
            let mut map = std::collections::HashMap::new();
            map.insert("location", location.clone());
            map.insert(
                "request",
                app.id_of(&format!(
                    "SELECT r.id FROM requests r JOIN portal_users u ON u.id = r.submitted_by
                     WHERE r.location_id = '{location}'
                     ORDER BY CASE WHEN r.status IN ('submitted', 'in_review') THEN 0 ELSE 1 END, r.id"
                ))
                .await,
            );
            map.insert(
                "appointment",
                app.id_of(&format!("SELECT id FROM appointments WHERE location_id = '{location}' AND shared_with_portal = 1 ORDER BY id")).await,
            );
            map
        }
    };
    let mut own = at(&marina).await;
    own.insert(
        "report",
        app.id_of(&format!("SELECT id FROM visit_reports WHERE location_id = '{marina}' AND status = 'published'"))
            .await,
    );
    own.insert(
        "attachment",
        app.id_of(&format!("SELECT id FROM attachments WHERE location_id = '{marina}' AND released = 1")).await,
    );
    let mut other_location = at(&berlin).await;
    other_location.insert(
        "report",
        app.id_of(&format!("SELECT id FROM visit_reports WHERE location_id = '{berlin}' AND status = 'published'"))
            .await,
    );
    other_location.insert(
        "attachment",
        app.id_of(&format!("SELECT id FROM attachments WHERE location_id = '{berlin}' AND released = 1")).await,
    );
    let munich =
        app.id_of(&format!("SELECT id FROM locations WHERE customer_id = '{contoso}' AND city = 'München'")).await;
    let mut other_customer = at(&munich).await;
    other_customer.insert(
        "report",
        app.id_of(&format!("SELECT id FROM visit_reports WHERE customer_id = '{contoso}' AND status = 'published'"))
            .await,
    );
    other_customer.insert(
        "attachment",
        app.id_of(&format!("SELECT id FROM attachments WHERE customer_id = '{contoso}' AND released = 1")).await,
    );
    Ids { own, other_location, other_customer }
}

#[tokio::test]
async fn out_of_scope_objects_answer_exactly_like_unknown_ones() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let ids = ids(&app).await;
        let token = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let mut cases = 0;
        for (kind, method, path) in OBJECT_ENDPOINTS {
            // Cancelling the own request changes it; check it last and only once.
            let (unknown_status, unknown_body) =
                app.portal(method.clone(), &path.replace("{}", UNKNOWN), Some(&token), None).await;
            assert_eq!(unknown_status, StatusCode::NOT_FOUND, "[{b}] {method} {path} unknown");
            cases += 1;
            for (case, map) in [("other location", &ids.other_location), ("other customer", &ids.other_customer)] {
                let (status, body) =
                    app.portal(method.clone(), &path.replace("{}", &map[*kind]), Some(&token), None).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "[{b}] {method} {path} {case}");
                assert_eq!(body, unknown_body, "[{b}] {method} {path} {case}: byte-identical to unknown");
                cases += 1;
            }
            let (status, body) =
                app.portal(method.clone(), &path.replace("{}", &ids.own[*kind]), Some(&token), None).await;
            assert!(status.is_success(), "[{b}] {method} {path} own: {status} {}", String::from_utf8_lossy(&body));
            cases += 1;
        }
        // The customer-admin column: made an admin of his one site, Omar still sees no
        // more than his grant (colleagues' requests there, nothing elsewhere).
        let omar = app.id_of("SELECT id FROM portal_users WHERE email = 'site.manager@northwind.example'").await;
        let mut tx = app.state.db.begin_write().await.unwrap();
        portal_access::set_customer_admin(&mut tx, &Actor::System, &omar, true).await.unwrap();
        tx.commit().await.unwrap();
        for (kind, method, path) in OBJECT_ENDPOINTS {
            let (_, unknown_body) = app.portal(method.clone(), &path.replace("{}", UNKNOWN), Some(&token), None).await;
            for (case, map) in [("other location", &ids.other_location), ("other customer", &ids.other_customer)] {
                let (status, body) =
                    app.portal(method.clone(), &path.replace("{}", &map[*kind]), Some(&token), None).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "[{b}] customer admin: {method} {path} {case}");
                assert_eq!(body, unknown_body, "[{b}] customer admin: {method} {path} {case}");
                cases += 1;
            }
        }
        eprintln!("[{b}] object scope cases: {cases}");
        assert_eq!(cases, OBJECT_ENDPOINTS.len() * 6);
    }
}

#[tokio::test]
async fn every_endpoint_refuses_every_bad_credential_identically() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let ids = ids(&app).await;
        let valid = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let expired = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        sqlx::query("UPDATE portal_sessions SET last_seen_at = 0 WHERE token_hash = $1")
            .bind(ordinavo_server::domain::tokens::hash(&expired))
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        let forged = ordinavo_server::domain::tokens::generate("ops_", 32);
        let staff = crate::admin_support::Browser::sign_in(&app, crate::admin_support::ADMIN).await.cookie;
        let credentials: Vec<(&str, Option<String>)> = vec![
            ("no token", None),
            ("forged token", Some(forged)),
            ("expired session", Some(expired)),
            ("API key", Some(app.key.clone())),
            ("staff session token", Some(staff.clone())),
        ];
        let mut cases = 0;
        let mut reference: Option<Vec<u8>> = None;
        for (method, path, body) in every_endpoint(&ids) {
            for (name, token) in &credentials {
                let (status, bytes) = app.portal(method.clone(), &path, token.as_deref(), body.clone()).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "[{b}] {method} {path} with {name}");
                let reference = reference.get_or_insert_with(|| bytes.clone());
                assert_eq!(&bytes, reference, "[{b}] {method} {path} with {name}");
                cases += 1;
            }
        }
        // The staff web's session cookie is never a portal credential.
        for (method, path, body) in every_endpoint(&ids) {
            let mut request = axum::http::Request::builder()
                .method(method.clone())
                .uri(&path)
                .header(axum::http::header::COOKIE, format!("ordinavo_staff={staff}; session={valid}"));
            let body = match body {
                Some(json) => {
                    request = request.header(axum::http::header::CONTENT_TYPE, "application/json");
                    axum::body::Body::from(json.to_string())
                }
                None => axum::body::Body::empty(),
            };
            let (status, _) = app.send(request.body(body).unwrap()).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "[{b}] {method} {path} with a cookie");
            cases += 1;
        }
        // Portal tokens and staff sessions work nowhere else.
        for path in ["/api/v1/customers", "/api/v1/targets"] {
            for token in [&valid, &staff] {
                let (status, _) = app.portal(Method::GET, path, Some(token), None).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "[{b}] {token:.4}… on {path}");
                cases += 1;
            }
        }
        for cookie in [format!("ordinavo_staff={valid}"), String::new()] {
            let request = axum::http::Request::get("/admin/")
                .header(axum::http::header::AUTHORIZATION, format!("Bearer {valid}"))
                .header(axum::http::header::COOKIE, cookie)
                .body(axum::body::Body::empty())
                .unwrap();
            let page = crate::admin_support::send(&app, request).await;
            assert_eq!(page.location(), "/admin/login", "[{b}] a portal token is no staff session");
            cases += 1;
        }

        // Losing the last grant, or being disabled, ends the session on the next request.
        let user = app.id_of("SELECT id FROM portal_users WHERE email = 'site.manager@northwind.example'").await;
        let grant = app.id_of(&format!("SELECT id FROM portal_grants WHERE portal_user_id = '{user}'")).await;
        let (status, _) = app.portal(Method::GET, "/portal/v1/me", Some(&valid), None).await;
        assert_eq!(status, StatusCode::OK);
        let mut tx = app.state.db.begin_write().await.unwrap();
        portal_access::remove_grant(&mut tx, &Actor::System, &grant).await.unwrap();
        tx.commit().await.unwrap();
        for (method, path, body) in every_endpoint(&ids) {
            let (status, _) = app.portal(method.clone(), &path, Some(&valid), body).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "[{b}] {method} {path} after the grant was revoked");
            cases += 1;
        }
        let other = app.sign_in(crate::support::NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let hannah = app.id_of("SELECT id FROM portal_users WHERE email = 'facilities@northwind.example'").await;
        let mut tx = app.state.db.begin_write().await.unwrap();
        portal_access::set_status(&mut tx, &Actor::System, &hannah, false).await.unwrap();
        tx.commit().await.unwrap();
        for (method, path, body) in every_endpoint(&ids) {
            let (status, _) = app.portal(method.clone(), &path, Some(&other), body).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "[{b}] {method} {path} after the user was disabled");
            cases += 1;
        }
        eprintln!("[{b}] credential cases: {cases}");
    }
}
