//! Staff sign-in, session cookie, CSRF and origin checks, security headers.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

use crate::admin_support::{login, send, Browser, ADMIN, DISPATCHER, STAFF_PASSWORD};
use crate::support::TestApp;

#[tokio::test]
async fn sign_in_sets_a_strict_cookie_and_opens_the_dashboard() {
    for app in TestApp::all_with_demo().await {
        let answer = login(&app, ADMIN, STAFF_PASSWORD).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER);
        let cookies: Vec<&str> =
            answer.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
        let session = cookies.iter().find(|c| c.starts_with("ordinavo_staff=")).unwrap();
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/admin"] {
            assert!(session.contains(attribute), "{session}");
        }
        assert!(!session.contains("Secure"), "plain http in tests: {session}");

        let browser = Browser::sign_in(&app, ADMIN).await;
        let home = browser.get("/admin/").await;
        assert!(home.body.contains("New requests waiting for review"), "{}", home.body);
        for (name, expected) in [
            ("content-security-policy", "frame-ancestors 'none'"),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "same-origin"),
        ] {
            let value = home.headers.get(name).unwrap().to_str().unwrap();
            assert!(value.contains(expected), "{name}: {value}");
        }
        let csp = home.headers.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(!csp.contains("unsafe-inline"));

        // A second sign-in opens a different session: ids are never reused.
        let again = Browser::sign_in(&app, ADMIN).await;
        assert_ne!(again.cookie, browser.cookie);
    }
}

#[tokio::test]
async fn wrong_passwords_fail_alike_and_are_throttled() {
    for app in TestApp::all_with_demo().await {
        let wrong = login(&app, ADMIN, "not the password at all").await;
        let unknown = login(&app, "nobody@ordinavo.example", "not the password at all").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.body.contains("The e-mail or password is not correct."));
        assert!(unknown.body.contains("The e-mail or password is not correct."));
        for _ in 0..5 {
            login(&app, DISPATCHER, "wrong wrong wrong").await;
        }
        let limited = login(&app, DISPATCHER, STAFF_PASSWORD).await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{}", limited.body);
    }
}

#[tokio::test]
async fn pages_need_a_session_and_sign_out_ends_it() {
    for app in TestApp::all_with_demo().await {
        let anonymous =
            send(&app, Request::get("/admin/").header(header::HOST, "admin.test").body(Body::empty()).unwrap()).await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
        assert_eq!(anonymous.location(), "/admin/login");

        let browser = Browser::sign_in(&app, DISPATCHER).await;
        assert_eq!(browser.act("/admin/logout", &[]).await, "/admin/login");
        assert_eq!(browser.get("/admin/").await.status, StatusCode::SEE_OTHER);

        // An API key is not a staff credential.
        let with_key = send(
            &app,
            Request::get("/admin/")
                .header(header::AUTHORIZATION, format!("Bearer {}", app.key))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(with_key.status, StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn state_changes_need_the_token_and_our_origin() {
    for app in TestApp::all_with_demo().await {
        let browser = Browser::sign_in(&app, ADMIN).await;
        let no_token = browser.post_raw("/admin/language", "language=ar", Some("http://admin.test")).await;
        assert_eq!(no_token.status, StatusCode::FORBIDDEN);
        let wrong_token = browser.post_raw("/admin/language", "csrf=nope&language=ar", None).await;
        assert_eq!(wrong_token.status, StatusCode::FORBIDDEN);
        let body = format!("csrf={}&language=ar", browser.csrf);
        let foreign = browser.post_raw("/admin/language", &body, Some("https://evil.example")).await;
        assert_eq!(foreign.status, StatusCode::FORBIDDEN);
        // Nothing changed: the page is still in English.
        assert!(browser.get("/admin/").await.body.contains("lang=\"en\""));

        let ok = browser.post_raw("/admin/language", &body, Some("http://admin.test")).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let arabic = browser.get("/admin/").await;
        assert!(arabic.body.contains("lang=\"ar\" dir=\"rtl\""), "{}", arabic.body);
        assert!(arabic.body.contains("لوحة التحكم"));
    }
}

#[tokio::test]
async fn idle_and_absolute_limits_and_disabling_end_a_staff_session() {
    for app in TestApp::all_with_demo().await {
        let now = ordinavo_server::storage::now_ms();
        for (column, value) in [("last_seen_at", now - 31 * 60 * 1000), ("expires_at", now - 1)] {
            let browser = Browser::sign_in(&app, DISPATCHER).await;
            sqlx::query(&format!("UPDATE staff_sessions SET {column} = $1 WHERE token_hash = $2"))
                .bind(value)
                .bind(ordinavo_server::domain::tokens::hash(&browser.cookie))
                .execute(&app.state.db.pool)
                .await
                .unwrap();
            assert_eq!(browser.get("/admin/").await.location(), "/admin/login", "[{}] {column}", app.backend);
        }
        // 29 idle minutes are fine.
        let browser = Browser::sign_in(&app, DISPATCHER).await;
        sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now - 29 * 60 * 1000)
            .bind(ordinavo_server::domain::tokens::hash(&browser.cookie))
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(browser.get("/admin/").await.status, StatusCode::OK);

        let admin = Browser::sign_in(&app, ADMIN).await;
        let id = app.id_of("SELECT id FROM staff_users WHERE email = 'dispatch@ordinavo.example'").await;
        admin.act(&format!("/admin/settings/staff/{id}/status"), &[("disabled", "true")]).await;
        assert_eq!(browser.get("/admin/").await.location(), "/admin/login", "disabling ends sessions at once");
        assert_eq!(login(&app, DISPATCHER, STAFF_PASSWORD).await.status, StatusCode::UNAUTHORIZED);
        let own = app.id_of("SELECT id FROM staff_users WHERE email = 'admin@ordinavo.example'").await;
        let refused = admin.post(&format!("/admin/settings/staff/{own}/status"), &[("disabled", "true")]).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "admins cannot lock themselves out");
    }
}
