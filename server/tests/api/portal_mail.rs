//! With SMTP configured, invitations are e-mailed (link and code in the message)
//! and the code is not shown to staff. The SMTP peer is a minimal in-test server:
//! no mail server package runs in the test environment.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::support::TestApp;

/// An SMTP outbox: accepts sessions until the test ends and hands over each
/// message's data in order.
async fn smtp_outbox() -> (u16, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sent, outbox) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let data = smtp_session(stream).await;
            if sent.send(data.replace("=\n", "")).is_err() {
                break;
            }
        }
    });
    (port, outbox)
}

/// Serves one SMTP session and returns the message data.
async fn smtp_session(stream: tokio::net::TcpStream) -> String {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
    let mut data = String::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" | "HELO" => write.write_all(b"250-sink\r\n250 8BITMIME\r\n").await.unwrap(),
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await.unwrap();
                while let Some(line) = lines.next_line().await.unwrap() {
                    if line == "." {
                        break;
                    }
                    data.push_str(&line);
                    data.push('\n');
                }
                write.write_all(b"250 queued\r\n").await.unwrap();
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await.unwrap();
                break;
            }
            _ => write.write_all(b"250 ok\r\n").await.unwrap(),
        }
    }
    data
}

fn smtp_config(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("ORDINAVO_SMTP_HOST", "127.0.0.1".into()),
        ("ORDINAVO_SMTP_PORT", port.to_string()),
        ("ORDINAVO_SMTP_TLS", "none".into()),
        ("ORDINAVO_SMTP_FROM", "Ordinavo <portal@ordinavo.example>".into()),
    ]
}

/// The invitation code in a mailed message.
fn code_in(message: &str) -> String {
    message
        .lines()
        .find_map(|line| line.strip_prefix("or paste this code into the app: "))
        .expect("the code is in the message")
        .trim()
        .to_string()
}

#[tokio::test]
async fn invitations_are_emailed_when_smtp_is_configured() {
    let (port, mut outbox) = smtp_outbox().await;
    let app = TestApp::sqlite_with(&smtp_config(port)).await;
    assert!(ordinavo_server::demo::seed(&app.state).await.unwrap());
    let contact = app.id_of("SELECT id FROM contacts WHERE email = 'j.weber@northwind.example'").await;
    let (status, delivery) = app.post("/api/v1/invitations", json!({ "contact_id": contact })).await;
    assert_eq!(status, StatusCode::CREATED, "{delivery}");
    assert_eq!(delivery["emailed"], true);
    assert!(delivery["code"].is_null() && delivery["link"].is_null(), "the code goes only to the contact");

    let message = outbox.recv().await.unwrap();
    assert!(message.contains("<j.weber@northwind.example>"), "{message}");
    let code = code_in(&message);
    assert!(message.contains(&format!("ordinavo://invite/{code}")));

    let (status, bytes) = app
        .portal(
            Method::POST,
            "/portal/v1/invitations/accept",
            None,
            Some(json!({ "code": code, "display_name": "Jonas Weber", "password": "hamburg dock doors 2026" })),
        )
        .await;
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn resend_follows_the_contacts_current_email() {
    let (port, mut outbox) = smtp_outbox().await;
    for app in TestApp::all_with(&smtp_config(port)).await {
        let b = app.backend;
        assert!(ordinavo_server::demo::seed(&app.state).await.unwrap());
        let contact = app.id_of("SELECT id FROM contacts WHERE email = 'j.weber@northwind.example'").await;
        let (status, _) =
            app.patch(&format!("/api/v1/contacts/{contact}"), json!({ "email": "j.wbeer@northwind.example" })).await;
        assert_eq!(status, StatusCode::OK, "[{b}] a mistyped address");
        let (status, delivery) = app.post("/api/v1/invitations", json!({ "contact_id": contact })).await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {delivery}");
        let first = outbox.recv().await.unwrap();
        assert!(first.contains("<j.wbeer@northwind.example>"), "[{b}] {first}");

        let (status, _) =
            app.patch(&format!("/api/v1/contacts/{contact}"), json!({ "email": "j.weber@northwind.example" })).await;
        assert_eq!(status, StatusCode::OK, "[{b}] the address is fixed");
        let id = delivery["invitation"]["id"].as_str().unwrap();
        let (status, resent) = app.post(&format!("/api/v1/invitations/{id}/resend"), json!({})).await;
        assert_eq!(status, StatusCode::OK, "[{b}] {resent}");
        assert_eq!(resent["invitation"]["email"], "j.weber@northwind.example");
        let second = outbox.recv().await.unwrap();
        assert!(second.contains("<j.weber@northwind.example>"), "[{b}] the new code goes to the fixed address");
        assert!(!second.contains("j.wbeer"), "[{b}] {second}");

        let password = "hamburg dock doors 2026";
        let accept = |code: String| {
            app.portal(
                Method::POST,
                "/portal/v1/invitations/accept",
                None,
                Some(json!({ "code": code, "display_name": "Jonas Weber", "password": password })),
            )
        };
        let (status, _) = accept(code_in(&first)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{b}] resending replaced the first code");
        let (status, bytes) = accept(code_in(&second)).await;
        let session: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(status, StatusCode::CREATED, "[{b}] {session}");
        let (_, me) = app.portal_get("/portal/v1/me", session["token"].as_str().unwrap()).await;
        assert_eq!(me["email"], "j.weber@northwind.example", "[{b}] the login is the fixed address");
    }
}
