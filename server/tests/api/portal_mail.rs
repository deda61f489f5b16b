//! With SMTP configured, invitations are e-mailed (link and code in the message)
//! and the code is not shown to staff. The SMTP peer is a minimal in-test server:
//! no mail server package runs in the test environment.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::support::TestApp;

/// Accepts one SMTP session and returns the message data.
async fn smtp_sink() -> (u16, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
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
    });
    (port, handle)
}

#[tokio::test]
async fn invitations_are_emailed_when_smtp_is_configured() {
    let (port, sink) = smtp_sink().await;
    let app = TestApp::sqlite_with(&[
        ("ORDINAVO_SMTP_HOST", "127.0.0.1".into()),
        ("ORDINAVO_SMTP_PORT", port.to_string()),
        ("ORDINAVO_SMTP_TLS", "none".into()),
        ("ORDINAVO_SMTP_FROM", "Ordinavo <portal@ordinavo.example>".into()),
    ])
    .await;
    assert!(ordinavo_server::demo::seed(&app.state).await.unwrap());
    let contact = app.id_of("SELECT id FROM contacts WHERE email = 'j.weber@northwind.example'").await;
    let (status, delivery) = app.post("/api/v1/invitations", json!({ "contact_id": contact })).await;
    assert_eq!(status, StatusCode::CREATED, "{delivery}");
    assert_eq!(delivery["emailed"], true);
    assert!(delivery["code"].is_null() && delivery["link"].is_null(), "the code goes only to the contact");

    let message = sink.await.unwrap().replace("=\n", "");
    assert!(message.contains("<j.weber@northwind.example>"), "{message}");
    let code = message
        .lines()
        .find_map(|line| line.strip_prefix("or paste this code into the app: "))
        .expect("the code is in the message")
        .trim()
        .to_string();
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
