//! Customer admins: they list, invite, disable and re-enable colleagues within their
//! own grants and see every request made there; nobody else reaches these endpoints,
//! and no admin can hand out more than they hold.

use axum::http::{Method, StatusCode};
use ordinavo_server::records::audit::Actor;
use ordinavo_server::records::portal_access;
use serde_json::{json, Value};

use crate::support::{TestApp, CONTOSO, NORTHWIND_ALL, NORTHWIND_MARINA, PORTAL_PASSWORD};

const UNKNOWN: &str = "0190f7a0-0000-7000-8000-000000000000";

async fn user_id(app: &TestApp, email: &str) -> String {
    app.id_of(&format!("SELECT id FROM portal_users WHERE email = '{email}'")).await
}

async fn location(app: &TestApp, filter: &str) -> String {
    app.id_of(&format!("SELECT id FROM locations WHERE {filter}")).await
}

/// Makes (or unmakes) a portal user a customer admin, as staff would.
async fn set_admin(app: &TestApp, email: &str, admin: bool) {
    let id = user_id(app, email).await;
    let mut tx = app.state.db.begin_write().await.unwrap();
    portal_access::set_customer_admin(&mut tx, &Actor::System, &id, admin).await.unwrap();
    tx.commit().await.unwrap();
}

async fn call(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let (status, bytes) = app.portal(method, path, Some(token), body).await;
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn invite(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    call(app, Method::POST, "/portal/v1/colleagues/invitations", token, Some(body)).await
}

/// What a refused change must leave untouched.
async fn written(app: &TestApp) -> (i64, i64, i64) {
    (app.count("portal_invitations").await, app.count("contacts").await, app.count("portal_users").await)
}

/// The Dubai Marina site manager made a customer admin of his one location, with or
/// without downloads there.
async fn site_admin(app: &TestApp, can_download: bool) -> String {
    set_admin(app, NORTHWIND_MARINA, true).await;
    let omar = user_id(app, NORTHWIND_MARINA).await;
    let marina = location(app, "time_zone = 'Asia/Dubai' AND name LIKE '%مارينا%'").await;
    let mut tx = app.state.db.begin_write().await.unwrap();
    portal_access::replace_grant(&mut tx, &Actor::System, &omar, &[marina], can_download).await.unwrap();
    tx.commit().await.unwrap();
    app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await
}

#[tokio::test]
async fn only_customer_admins_reach_the_colleague_endpoints() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let hannah = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let omar_id = user_id(&app, NORTHWIND_MARINA).await;
        let (_, unknown) =
            app.portal(Method::POST, &format!("/portal/v1/colleagues/{UNKNOWN}/disable"), Some(&hannah), None).await;
        let before = written(&app).await;
        for email in [NORTHWIND_MARINA, CONTOSO] {
            let token = app.sign_in(email, PORTAL_PASSWORD).await;
            let (_, me) = app.portal_get("/portal/v1/me", &token).await;
            assert_eq!(me["customer_admin"], false, "[{b}] {email}");
            let invitation = json!({ "name": "N", "email": "n@northwind.example", "location_ids": [] });
            let endpoints = [
                (Method::GET, "/portal/v1/colleagues".to_string(), None),
                (Method::GET, "/portal/v1/colleagues/invitations".to_string(), None),
                (Method::POST, "/portal/v1/colleagues/invitations".to_string(), Some(invitation)),
                (Method::POST, format!("/portal/v1/colleagues/{omar_id}/disable"), None),
                (Method::POST, format!("/portal/v1/colleagues/{omar_id}/enable"), None),
                (Method::POST, format!("/portal/v1/colleagues/invitations/{UNKNOWN}/resend"), None),
                (Method::POST, format!("/portal/v1/colleagues/invitations/{UNKNOWN}/revoke"), None),
            ];
            for (method, path, body) in endpoints {
                let (status, bytes) = app.portal(method.clone(), &path, Some(&token), body).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "[{b}] {email} {method} {path}");
                assert_eq!(bytes, unknown, "[{b}] {email} {method} {path}: like an unknown id");
            }
        }
        assert_eq!(written(&app).await, before, "[{b}] nothing written");
        let (status, _) = app.portal_get("/portal/v1/me", &app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await).await;
        assert_eq!(status, StatusCode::OK, "[{b}] Omar is still enabled");
    }
}

#[tokio::test]
async fn a_customer_admin_lists_the_colleagues_within_their_grants() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let hannah = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let (_, me) = app.portal_get("/portal/v1/me", &hannah).await;
        assert_eq!(me["customer_admin"], true, "[{b}] demo data: Hannah is a customer admin");
        app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;

        let (status, page) = app.portal_get("/portal/v1/colleagues", &hannah).await;
        assert_eq!(status, StatusCode::OK, "[{b}] {page}");
        let emails: Vec<&str> =
            page["items"].as_array().unwrap().iter().map(|c| c["email"].as_str().unwrap()).collect();
        assert_eq!(emails.len(), 2, "[{b}] Hannah and Omar, never Contoso: {emails:?}");
        assert!(emails.contains(&NORTHWIND_ALL) && emails.contains(&NORTHWIND_MARINA), "[{b}] {emails:?}");
        let omar = page["items"].as_array().unwrap().iter().find(|c| c["email"] == NORTHWIND_MARINA).unwrap();
        let marina = location(&app, "time_zone = 'Asia/Dubai' AND name LIKE '%مارينا%'").await;
        assert_eq!(
            omar["grants"],
            json!([{ "whole_customer": false, "location_ids": [marina], "can_download": true }])
        );
        assert_eq!((omar["status"].as_str(), omar["is_you"].as_bool()), (Some("active"), Some(false)), "[{b}]");
        assert!(omar["last_sign_in_at"].is_string(), "[{b}] {omar}");
        assert!(!page.to_string().contains("password"), "[{b}] no credentials in the view");

        // Walking the list one by one returns each colleague once, in id order.
        let mut seen = Vec::new();
        let mut path = "/portal/v1/colleagues?limit=1".to_string();
        loop {
            let (_, page) = app.portal_get(&path, &hannah).await;
            seen.extend(page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()));
            match page["next_after"].as_str() {
                Some(cursor) => path = format!("/portal/v1/colleagues?limit=1&after={cursor}"),
                None => break,
            }
        }
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!((seen.len(), &seen), (2, &sorted), "[{b}]");

        // A site-scoped admin sees only themselves: Hannah holds the whole customer.
        let omar = site_admin(&app, true).await;
        let (_, page) = app.portal_get("/portal/v1/colleagues", &omar).await;
        let emails: Vec<&str> =
            page["items"].as_array().unwrap().iter().map(|c| c["email"].as_str().unwrap()).collect();
        assert_eq!(emails, vec![NORTHWIND_MARINA], "[{b}]");
        let (status, _) = app.portal_get("/portal/v1/colleagues?limit=0", &omar).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}]");
    }
}

#[tokio::test]
async fn a_customer_admin_can_never_widen_a_grant() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let marina = location(&app, "time_zone = 'Asia/Dubai' AND name LIKE '%مارينا%'").await;
        let berlin = location(&app, "city = 'Berlin'").await;
        let munich = location(&app, "city = 'München'").await;
        let hannah = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let omar = site_admin(&app, false).await;
        let refused = [
            (&omar, json!([berlin]), false, StatusCode::NOT_FOUND, None, "a location of theirs they were not granted"),
            (&omar, json!([munich]), false, StatusCode::NOT_FOUND, None, "another customer's location"),
            (&omar, json!([UNKNOWN]), false, StatusCode::NOT_FOUND, None, "a location that does not exist"),
            (&omar, json!([marina, berlin]), false, StatusCode::NOT_FOUND, None, "one location too many"),
            (&omar, json!([]), false, StatusCode::UNPROCESSABLE_ENTITY, Some("location_ids"), "the whole customer"),
            (
                &omar,
                json!([marina]),
                true,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("can_download"),
                "downloads they lack",
            ),
            (
                &hannah,
                json!([munich]),
                false,
                StatusCode::NOT_FOUND,
                None,
                "another customer's, for a whole-customer admin",
            ),
        ];
        for (n, (token, location_ids, can_download, want, field, case)) in refused.into_iter().enumerate() {
            let before = written(&app).await;
            let body = json!({ "name": "New colleague", "email": format!("new{n}@northwind.example"),
                               "location_ids": location_ids, "can_download": can_download });
            let (status, answer) = invite(&app, token, body).await;
            assert_eq!(status, want, "[{b}] {case}: {answer}");
            if let Some(field) = field {
                assert!(answer["error"]["fields"][field].is_string(), "[{b}] {case}: a message on {field}: {answer}");
            }
            assert_eq!(written(&app).await, before, "[{b}] {case}: nothing written");
        }
        // Field by field: every wrong field named at once, nothing written.
        let before = written(&app).await;
        let (status, answer) = invite(&app, &omar, json!({ "name": " ", "email": "nope", "location_ids": [] })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] {answer}");
        for field in ["name", "email", "location_ids"] {
            assert!(answer["error"]["fields"][field].is_string(), "[{b}] {field}: {answer}");
        }
        let (status, answer) =
            invite(&app, &omar, json!({ "name": "H", "email": NORTHWIND_ALL, "location_ids": [marina] })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] an address that has access: {answer}");
        assert!(answer["error"]["fields"]["email"].is_string(), "[{b}] {answer}");
        assert_eq!(written(&app).await, before, "[{b}] nothing written");

        // Within their grants it works, and the new grant is exactly what was asked.
        for (token, location_ids, can_download, email) in [
            (&omar, json!([marina]), false, "marina.colleague@northwind.example"),
            (&hannah, json!([berlin]), true, "berlin.colleague@northwind.example"),
            (&hannah, json!([]), true, "whole.colleague@northwind.example"),
        ] {
            let body = json!({ "name": "Colleague", "email": email, "location_ids": location_ids, "can_download": can_download });
            let (status, answer) = invite(&app, token, body).await;
            assert_eq!(status, StatusCode::CREATED, "[{b}] {email}: {answer}");
            let invitation = &answer["invitation"];
            assert_eq!(invitation["location_ids"], location_ids, "[{b}] {email}");
            assert_eq!(invitation["whole_customer"], location_ids == json!([]), "[{b}] {email}");
            assert_eq!(invitation["can_download"], can_download, "[{b}] {email}");
            assert!(answer["code"].is_string() && answer["link"].is_string(), "[{b}] no SMTP here: {answer}");
        }
    }
}

#[tokio::test]
async fn an_invited_colleague_joins_and_staff_see_who_invited_whom() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let hannah = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let hannah_id = user_id(&app, NORTHWIND_ALL).await;
        let berlin = location(&app, "city = 'Berlin'").await;
        let body = json!({ "name": "Jana Kraus", "email": "Jana.Kraus@northwind.example", "location_ids": [berlin] });
        let (status, issued) = invite(&app, &hannah, body).await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {issued}");
        let id = issued["invitation"]["id"].as_str().unwrap().to_string();
        assert_eq!(issued["invitation"]["name"], "Jana Kraus", "[{b}]");

        let (_, pending) = app.portal_get("/portal/v1/colleagues/invitations", &hannah).await;
        assert_eq!(pending.as_array().unwrap().len(), 1, "[{b}] {pending}");
        assert_eq!(pending[0]["status"], "pending", "[{b}]");

        // Resending replaces the code; the old one no longer works.
        let (status, resent) =
            call(&app, Method::POST, &format!("/portal/v1/colleagues/invitations/{id}/resend"), &hannah, None).await;
        assert_eq!(status, StatusCode::OK, "[{b}] {resent}");
        let old = issued["code"].as_str().unwrap();
        let accept =
            |code: &str| json!({ "code": code, "display_name": "Jana Kraus", "password": "a-long-enough-pass-2026" });
        let (status, _) = app.portal(Method::POST, "/portal/v1/invitations/accept", None, Some(accept(old))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{b}] the old code");
        let code = resent["code"].as_str().unwrap();
        let (status, body) = app.portal(Method::POST, "/portal/v1/invitations/accept", None, Some(accept(code))).await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {}", String::from_utf8_lossy(&body));

        let (_, page) = app.portal_get("/portal/v1/colleagues", &hannah).await;
        let jana = page["items"].as_array().unwrap().iter().find(|c| c["email"] == "jana.kraus@northwind.example");
        let jana = jana.unwrap_or_else(|| panic!("[{b}] Jana is a colleague now: {page}"));
        assert_eq!(
            jana["grants"],
            json!([{ "whole_customer": false, "location_ids": [berlin], "can_download": false }])
        );
        assert_eq!(jana["customer_admin"], false, "[{b}] an admin's invitee is no admin");

        let (by_portal_user,): (Option<String>,) =
            sqlx::query_as("SELECT invited_by_portal_user FROM portal_invitations WHERE id = $1")
                .bind(&id)
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        assert_eq!(by_portal_user.as_deref(), Some(hannah_id.as_str()), "[{b}]");
        let (actor, details): (String, String) = sqlx::query_as(
            "SELECT actor_label, details FROM audit_log WHERE action = 'invitation.create' AND subject_id = $1",
        )
        .bind(&id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        assert_eq!(actor, NORTHWIND_ALL, "[{b}] the audit log names who invited");
        assert!(details.contains("jana.kraus@northwind.example"), "[{b}] and whom: {details}");

        // A second invitation, revoked: its code stops working.
        let body = json!({ "name": "Tim", "email": "tim@northwind.example", "location_ids": [berlin] });
        let (_, issued) = invite(&app, &hannah, body).await;
        let id = issued["invitation"]["id"].as_str().unwrap();
        let (status, revoked) =
            call(&app, Method::POST, &format!("/portal/v1/colleagues/invitations/{id}/revoke"), &hannah, None).await;
        assert_eq!((status, revoked["status"].as_str()), (StatusCode::OK, Some("revoked")), "[{b}] {revoked}");
        let (status, _) = app
            .portal(Method::POST, "/portal/v1/invitations/accept", None, Some(accept(issued["code"].as_str().unwrap())))
            .await;
        assert_eq!(status, StatusCode::GONE, "[{b}] a revoked code");

        // A site admin cannot touch an invitation wider than their grant.
        let body = json!({ "name": "Wide", "email": "wide@northwind.example", "location_ids": [] });
        let (_, wide) = invite(&app, &hannah, body).await;
        let omar = site_admin(&app, true).await;
        let wide = wide["invitation"]["id"].as_str().unwrap();
        let (_, unknown) = app
            .portal(Method::POST, &format!("/portal/v1/colleagues/invitations/{UNKNOWN}/revoke"), Some(&omar), None)
            .await;
        for action in ["resend", "revoke"] {
            let path = format!("/portal/v1/colleagues/invitations/{wide}/{action}");
            let (status, bytes) = app.portal(Method::POST, &path, Some(&omar), None).await;
            assert_eq!((status, bytes), (StatusCode::NOT_FOUND, unknown.clone()), "[{b}] {action}");
        }
        let (_, pending) = app.portal_get("/portal/v1/colleagues/invitations", &omar).await;
        assert_eq!(pending, json!([]), "[{b}] the whole-customer invitation is outside Omar's grant");
    }
}

#[tokio::test]
async fn a_customer_admin_disables_and_enables_colleagues() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let hannah = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let hannah_id = user_id(&app, NORTHWIND_ALL).await;
        let omar_id = user_id(&app, NORTHWIND_MARINA).await;
        let lena_id = user_id(&app, CONTOSO).await;
        let omar = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;

        let (status, view) =
            call(&app, Method::POST, &format!("/portal/v1/colleagues/{omar_id}/disable"), &hannah, None).await;
        assert_eq!((status, view["status"].as_str()), (StatusCode::OK, Some("disabled")), "[{b}] {view}");
        let (status, _) = app.portal_get("/portal/v1/me", &omar).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{b}] his session ended at once");
        let (status, _) = app
            .portal(
                Method::POST,
                "/portal/v1/session",
                None,
                Some(json!({ "email": NORTHWIND_MARINA, "password": PORTAL_PASSWORD })),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{b}] nor can he sign in");

        let (status, view) =
            call(&app, Method::POST, &format!("/portal/v1/colleagues/{omar_id}/enable"), &hannah, None).await;
        assert_eq!((status, view["status"].as_str()), (StatusCode::OK, Some("active")), "[{b}] {view}");
        let omar = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;

        let (status, _) =
            call(&app, Method::POST, &format!("/portal/v1/colleagues/{hannah_id}/disable"), &hannah, None).await;
        assert_eq!(status, StatusCode::CONFLICT, "[{b}] not herself");
        let (_, unknown) =
            app.portal(Method::POST, &format!("/portal/v1/colleagues/{UNKNOWN}/disable"), Some(&hannah), None).await;
        let (status, bytes) =
            app.portal(Method::POST, &format!("/portal/v1/colleagues/{lena_id}/disable"), Some(&hannah), None).await;
        assert_eq!((status, bytes), (StatusCode::NOT_FOUND, unknown.clone()), "[{b}] another customer's user");

        // A site admin cannot disable the whole-customer admin: she lies outside his grant.
        drop(omar);
        let omar = site_admin(&app, true).await;
        let (status, bytes) =
            app.portal(Method::POST, &format!("/portal/v1/colleagues/{hannah_id}/disable"), Some(&omar), None).await;
        assert_eq!((status, bytes), (StatusCode::NOT_FOUND, unknown), "[{b}] like an unknown id");
        let (status, _) = app.portal_get("/portal/v1/me", &hannah).await;
        assert_eq!(status, StatusCode::OK, "[{b}] Hannah still works");
    }
}

#[tokio::test]
async fn a_customer_admin_sees_every_request_within_their_grants() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let hannah_id = user_id(&app, NORTHWIND_ALL).await;
        let omar_id = user_id(&app, NORTHWIND_MARINA).await;
        let marina = location(&app, "time_zone = 'Asia/Dubai' AND name LIKE '%مارينا%'").await;
        let hannah = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        // Hannah asks for something at Omar's site too.
        let body = json!({ "location_id": marina, "kind": "support", "title": "Lobby access cards", "description": "Six new cards" });
        let (status, created) = call(&app, Method::POST, "/portal/v1/requests", &hannah, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {created}");

        let submitters = |page: &Value| -> Vec<(String, String)> {
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| (r["id"].as_str().unwrap().to_string(), r["location_id"].as_str().unwrap().to_string()))
                .collect()
        };
        let by = |ids: &[(String, String)]| {
            let app = &app;
            let ids = ids.to_vec();
            async move {
                let mut who = Vec::new();
                for (id, _) in ids {
                    who.push(app.id_of(&format!("SELECT submitted_by FROM requests WHERE id = '{id}'")).await);
                }
                who
            }
        };

        let (_, page) = app.portal_get("/portal/v1/requests?limit=200", &hannah).await;
        let all = submitters(&page);
        let who = by(&all).await;
        assert!(
            who.contains(&omar_id) && who.contains(&hannah_id),
            "[{b}] the admin sees colleagues' requests: {who:?}"
        );
        let in_customer = app
            .id_of("SELECT CAST(COUNT(*) AS TEXT) FROM requests r JOIN customers c ON c.id = r.customer_id WHERE c.name = 'Northwind Properties'")
            .await;
        assert_eq!(all.len().to_string(), in_customer, "[{b}] every request of the customer, no more");

        // Omar, no admin, sees only his own; made a site admin, every one at his site.
        let omar = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let (_, page) = app.portal_get("/portal/v1/requests?limit=200", &omar).await;
        assert!(by(&submitters(&page)).await.iter().all(|id| *id == omar_id), "[{b}] own requests only");
        let (status, _) =
            app.portal_get(&format!("/portal/v1/requests/{}", created["id"].as_str().unwrap()), &omar).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{b}] Hannah's request is not his business yet");

        let omar = site_admin(&app, true).await;
        let (_, page) = app.portal_get("/portal/v1/requests?limit=200", &omar).await;
        let seen = submitters(&page);
        assert!(seen.iter().all(|(_, location)| *location == marina), "[{b}] only his site: {seen:?}");
        assert!(by(&seen).await.contains(&hannah_id), "[{b}] Hannah's request at his site");
        let (status, _) =
            app.portal_get(&format!("/portal/v1/requests/{}", created["id"].as_str().unwrap()), &omar).await;
        assert_eq!(status, StatusCode::OK, "[{b}]");
        // Sync carries the same set.
        let mut synced = 0;
        let mut path = "/portal/v1/sync".to_string();
        loop {
            let (status, sync) = app.portal_get(&path, &omar).await;
            assert_eq!(status, StatusCode::OK, "[{b}] {sync}");
            synced += sync["changes"].as_array().unwrap().iter().filter(|c| c["kind"] == "request").count();
            if sync["more"] != true {
                break;
            }
            path = format!("/portal/v1/sync?cursor={}", sync["cursor"].as_str().unwrap());
        }
        assert_eq!(synced, seen.len(), "[{b}] sync and list agree");
    }
}

#[tokio::test]
async fn staff_make_customer_admins_in_the_admin_web() {
    use crate::admin_support::{Browser, ADMIN};
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let admin = Browser::sign_in(&app, ADMIN).await;
        let omar_id = user_id(&app, NORTHWIND_MARINA).await;
        let page = admin.get(&format!("/admin/portal-users/{omar_id}")).await;
        assert!(page.body.contains("Make customer admin"), "[{b}] {}", page.body);
        let to = admin.act(&format!("/admin/portal-users/{omar_id}/customer-admin"), &[("customer_admin", "on")]).await;
        assert!(to.ends_with("done=customer_admin_granted"), "[{b}] {to}");
        let omar = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let (status, _) = app.portal_get("/portal/v1/colleagues", &omar).await;
        assert_eq!(status, StatusCode::OK, "[{b}] he manages colleagues now");
        let page = admin.get(&format!("/admin/portal-users/{omar_id}")).await;
        assert!(page.body.contains("Remove customer admin"), "[{b}]");
        let refused =
            admin.post(&format!("/admin/portal-users/{omar_id}/customer-admin"), &[("customer_admin", "maybe")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] {}", refused.body);
        admin.act(&format!("/admin/portal-users/{omar_id}/customer-admin"), &[("customer_admin", "off")]).await;
        let (status, _) = app.portal_get("/portal/v1/colleagues", &omar).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{b}] taken back on his next request");
        let (action, details): (String, String) =
            sqlx::query_as("SELECT actor_label, details FROM audit_log WHERE action = 'portal_user.customer_admin' ORDER BY occurred_at DESC")
                .fetch_one(&app.state.db.pool)
                .await
                .unwrap();
        assert_eq!(action, ADMIN, "[{b}] {details}");

        // An invitation from the admin web can make the new user a customer admin.
        let contact = app.id_of("SELECT id FROM contacts WHERE email = 'j.weber@northwind.example'").await;
        let page = admin
            .post(
                "/admin/access/invite",
                &[("contact_id", &contact), ("coverage", "whole"), ("valid_days", "7"), ("customer_admin", "on")],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "[{b}] {}", page.body);
        let flagged = app
            .id_of(
                "SELECT CAST(customer_admin AS TEXT) FROM portal_invitations WHERE email = 'j.weber@northwind.example'",
            )
            .await;
        assert_eq!(flagged, "1", "[{b}]");
    }
}

#[tokio::test]
async fn the_integration_api_invites_a_customer_admin() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let contact = app.id_of("SELECT id FROM contacts WHERE email = 'j.weber@northwind.example'").await;
        let (status, issued) =
            app.post("/api/v1/invitations", json!({ "contact_id": contact, "customer_admin": true })).await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {issued}");
        assert_eq!(issued["invitation"]["customer_admin"], true, "[{b}] {issued}");
        let accept =
            json!({ "code": issued["code"], "display_name": "Jonas Weber", "password": "a-long-enough-pass-2026" });
        let (status, bytes) = app.portal(Method::POST, "/portal/v1/invitations/accept", None, Some(accept)).await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {}", String::from_utf8_lossy(&bytes));
        let token = serde_json::from_slice::<Value>(&bytes).unwrap()["token"].as_str().unwrap().to_string();
        let (_, me) = app.portal_get("/portal/v1/me", &token).await;
        assert_eq!(me["customer_admin"], true, "[{b}] {me}");
        let (status, _) =
            app.post("/api/v1/invitations", json!({ "contact_id": contact, "customer_admin": "yes" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] a flag, not a word");
    }
}
