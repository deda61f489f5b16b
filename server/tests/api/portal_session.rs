//! Portal sign-in: identical answers for unknown e-mails and wrong passwords,
//! throttling that holds under concurrency, sessions and password change.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;

use crate::support::{TestApp, NORTHWIND_MARINA, PORTAL_PASSWORD};

fn sign_in_request(email: &str, password: &str) -> Request<Body> {
    Request::post("/portal/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({ "email": email, "password": password }).to_string()))
        .unwrap()
}

#[tokio::test]
async fn unknown_email_and_wrong_password_answer_identically() {
    for app in TestApp::all_with_demo().await {
        let unknown = app.send(sign_in_request("nobody@northwind.example", PORTAL_PASSWORD)).await;
        let wrong = app.send(sign_in_request(NORTHWIND_MARINA, "not the password at all")).await;
        assert_eq!(unknown.0, StatusCode::UNAUTHORIZED, "[{}]", app.backend);
        assert_eq!(unknown, wrong, "[{}] the answer must not reveal whether the account exists", app.backend);
        let (failed,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'portal.sign_in_failed'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(failed, 2, "failed sign-ins are audited");
    }
}

#[tokio::test]
async fn fifty_concurrent_wrong_passwords_are_all_counted() {
    for app in TestApp::all_with_demo().await {
        let attempts = (0..50).map(|_| {
            let router = app.router.clone();
            tokio::spawn(async move {
                use tower::ServiceExt;
                router.oneshot(sign_in_request(NORTHWIND_MARINA, "wrong password, again")).await.unwrap()
            })
        });
        let mut limited = 0;
        for attempt in attempts {
            let response = attempt.await.unwrap();
            match response.status() {
                StatusCode::UNAUTHORIZED => {}
                StatusCode::TOO_MANY_REQUESTS => {
                    assert!(response.headers().contains_key(header::RETRY_AFTER));
                    limited += 1;
                }
                other => panic!("[{}] unexpected {other}", app.backend),
            }
        }
        let (counted,): (i64,) = sqlx::query_as("SELECT failures FROM login_throttle WHERE throttle_key = $1")
            .bind(format!("account:{NORTHWIND_MARINA}"))
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(counted, 50, "[{}] every attempt is counted", app.backend);
        assert_eq!(limited, 45, "[{}] only the first five are checked", app.backend);
        let (status, _) = app.send(sign_in_request(NORTHWIND_MARINA, PORTAL_PASSWORD)).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the right password does not bypass the lock");
    }
}

#[tokio::test]
async fn sessions_sign_out_everywhere_and_password_change() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let first = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let second = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let (status, sessions) = app.portal_get("/portal/v1/sessions", &first).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(sessions.as_array().unwrap().len(), 2, "[{b}]");
        assert_eq!(sessions.as_array().unwrap().iter().filter(|s| s["current"] == true).count(), 1);

        let (status, body) = app
            .portal(
                Method::POST,
                "/portal/v1/password",
                Some(&first),
                Some(json!({ "current_password": "wrong one here", "new_password": "a brand new passphrase" })),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] {}", String::from_utf8_lossy(&body));
        let (status, _) = app
            .portal(
                Method::POST,
                "/portal/v1/password",
                Some(&first),
                Some(json!({ "current_password": PORTAL_PASSWORD, "new_password": "password1234" })),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] common passwords are refused");
        let (status, _) = app
            .portal(
                Method::POST,
                "/portal/v1/password",
                Some(&first),
                Some(json!({ "current_password": PORTAL_PASSWORD, "new_password": "a brand new passphrase" })),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "[{b}]");
        assert_eq!(app.portal_get("/portal/v1/me", &second).await.0, StatusCode::UNAUTHORIZED, "other sessions end");
        assert_eq!(app.portal_get("/portal/v1/me", &first).await.0, StatusCode::OK, "this session stays");
        let fresh = app.sign_in(NORTHWIND_MARINA, "a brand new passphrase").await;

        let (status, _) = app.portal(Method::DELETE, "/portal/v1/sessions", Some(&fresh), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(
            app.portal_get("/portal/v1/me", &first).await.0,
            StatusCode::UNAUTHORIZED,
            "[{b}] signed out everywhere"
        );
        assert_eq!(app.portal_get("/portal/v1/me", &fresh).await.0, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn tokens_are_long_and_stored_hashed() {
    for app in TestApp::all_with_demo().await {
        let token = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        assert!(token.len() >= 4 + 43, "at least 256 bits");
        let (stored,): (String,) =
            sqlx::query_as("SELECT token_hash FROM portal_sessions").fetch_one(&app.state.db.pool).await.unwrap();
        assert_ne!(stored, token);
        let (status, _) = app.portal(Method::DELETE, "/portal/v1/session", Some(&token), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(app.portal_get("/portal/v1/me", &token).await.0, StatusCode::UNAUTHORIZED, "[{}]", app.backend);
    }
}
