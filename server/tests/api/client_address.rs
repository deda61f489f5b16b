//! Sign-in limits key on the client's address: behind a trusted reverse proxy that
//! is the `X-Forwarded-For` hop the proxy saw, from anyone else the socket peer.
//! Only failed sign-ins use up a limit.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use serde_json::json;

use crate::support::{TestApp, CONTOSO, PORTAL_PASSWORD};

/// A portal sign-in arriving over a socket from `peer`, optionally through a proxy.
fn sign_in_from(peer: &str, forwarded_for: Option<&str>, email: &str, password: &str) -> Request<Body> {
    let mut request = Request::post("/portal/v1/session").header(header::CONTENT_TYPE, "application/json");
    if let Some(hops) = forwarded_for {
        request = request.header("x-forwarded-for", hops);
    }
    let mut request = request.body(Body::from(json!({ "email": email, "password": password }).to_string())).unwrap();
    request.extensions_mut().insert(ConnectInfo(SocketAddr::new(peer.parse().unwrap(), 44_000)));
    request
}

/// Fails `n` sign-ins with made-up accounts (so no account limit applies); returns the last status.
async fn fail_sign_ins(app: &TestApp, n: usize, peer: &str, forwarded_for: impl Fn(usize) -> String) -> StatusCode {
    let mut last = StatusCode::OK;
    for i in 0..n {
        let request = sign_in_from(peer, Some(&forwarded_for(i)), &format!("guess{i}@example.test"), "wrong guess");
        last = app.send(request).await.0;
        assert!(matches!(last, StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS), "[{}] {last}", app.backend);
    }
    last
}

#[tokio::test]
async fn failed_sign_ins_from_one_forwarded_client_do_not_lock_out_another() {
    for app in TestApp::all_with(&[("ORDINAVO_TRUSTED_PROXIES", "10.0.0.0/8".into())]).await {
        assert!(ordinavo_server::demo::seed(&app.state).await.unwrap());
        let last = fail_sign_ins(&app, 35, "10.0.0.2", |_| "6.6.6.6, 203.0.113.7".into()).await;
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "[{}] the guessing client is limited", app.backend);

        let other = sign_in_from("10.0.0.2", Some("198.51.100.9"), CONTOSO, PORTAL_PASSWORD);
        let (status, body) = app.send(other).await;
        assert_eq!(status, StatusCode::CREATED, "[{}] another client behind the proxy: {body}", app.backend);
        let (ip,): (String,) = sqlx::query_as("SELECT ip FROM portal_sessions ORDER BY created_at DESC LIMIT 1")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(ip, "198.51.100.9", "the session records the client, not the proxy");
    }
}

#[tokio::test]
async fn forwarded_for_from_an_untrusted_peer_is_ignored() {
    for app in TestApp::all_with_demo().await {
        let last = fail_sign_ins(&app, 31, "192.0.2.50", |i| format!("203.0.113.{i}")).await;
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "[{}] a spoofed header buys no new bucket", app.backend);
        let (ip,): (String,) = sqlx::query_as(
            "SELECT details FROM audit_log WHERE action = 'portal.sign_in_failed' ORDER BY occurred_at DESC LIMIT 1",
        )
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        assert!(ip.contains("\"192.0.2.50\""), "the audit log names the peer: {ip}");
    }
}

#[tokio::test]
async fn successful_sign_ins_do_not_count_toward_the_address_limit() {
    for app in TestApp::all_with_demo().await {
        for _ in 0..32 {
            let (status, _) = app.send(sign_in_from("192.0.2.60", None, CONTOSO, PORTAL_PASSWORD)).await;
            assert_eq!(status, StatusCode::CREATED, "[{}] an office signing in all morning", app.backend);
        }
        let (status, _) = app.send(sign_in_from("192.0.2.60", None, "nobody@example.test", "wrong guess")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{}] the address still has its failures left", app.backend);
    }
}
