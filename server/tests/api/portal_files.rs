//! Photos and documents from the site: a contact sends files with their request,
//! checked by content, size and count; a retried send is one file; staff find them on
//! the request and on the work it became; out of scope answers like nonexistent.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

use crate::admin_support::{Browser, ADMIN};
use crate::support::{TestApp, NORTHWIND_ALL, NORTHWIND_MARINA, PDF, PORTAL_PASSWORD};

/// Hannah's (Northwind, every site) loading dock request in the demo.
const DOCK: &str = "SELECT id FROM requests WHERE title LIKE 'Loading dock%'";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR photo of door 3";
const HEIC: &[u8] = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic rest of the image";

/// A multipart form with `parts` as (field, file name, content type, bytes); no file
/// name makes a text field.
fn form(parts: &[(&str, Option<&str>, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "site-file-boundary";
    let mut body = Vec::new();
    for (field, file_name, content_type, bytes) in parts {
        let disposition = match file_name {
            Some(name) => format!("form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: {content_type}"),
            None => format!("form-data; name=\"{field}\""),
        };
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn send_form(
    app: &TestApp,
    token: &str,
    request_id: &str,
    key: Option<&str>,
    parts: &[(&str, Option<&str>, &str, &[u8])],
) -> (StatusCode, Value) {
    let (content_type, body) = form(parts);
    let mut builder = Request::post(format!("/portal/v1/requests/{request_id}/attachments"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type);
    if let Some(key) = key {
        builder = builder.header("Idempotency-Key", key);
    }
    app.send(builder.body(Body::from(body)).unwrap()).await
}

async fn send_file(
    app: &TestApp,
    token: &str,
    request_id: &str,
    key: Option<&str>,
    (name, content_type, bytes): (&str, &str, &[u8]),
) -> (StatusCode, Value) {
    send_form(app, token, request_id, key, &[("file", Some(name), content_type, bytes)]).await
}

fn names(files: &Value) -> Vec<String> {
    files.as_array().unwrap().iter().map(|f| f["file_name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_contact_sends_photos_that_staff_find_on_the_request_and_its_work() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let token = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let dock = app.id_of(DOCK).await;

        let (status, photo) = send_file(&app, &token, &dock, Some("file-1"), ("door 3.png", "image/png", PNG)).await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {photo}");
        assert_eq!(photo["file_name"], "door 3.png");
        assert_eq!(photo["content_type"], "image/png");
        assert_eq!(photo["size_bytes"], PNG.len());
        let (status, again) = send_file(&app, &token, &dock, Some("file-1"), ("door 3.png", "image/png", PNG)).await;
        assert_eq!(status, StatusCode::OK, "[{b}] a retried send answers with the first file: {again}");
        assert_eq!(again["id"], photo["id"]);
        let (status, heic) =
            send_file(&app, &token, &dock, Some("file-2"), ("../IMG_0042.HEIC", "image/heif", HEIC)).await;
        assert_eq!(status, StatusCode::CREATED, "[{b}] {heic}");
        assert_eq!(
            (heic["file_name"].as_str(), heic["content_type"].as_str()),
            (Some("IMG_0042.HEIC"), Some("image/heic"))
        );

        // The request's portal view lists them, and the contact can fetch them back.
        let (_, request) = app.portal_get(&format!("/portal/v1/requests/{dock}"), &token).await;
        assert_eq!(names(&request["attachments"]), ["door 3.png", "IMG_0042.HEIC"], "[{b}] {request}");
        let download = photo["download_path"].as_str().unwrap();
        let (status, bytes) = app.portal(axum::http::Method::GET, download, Some(&token), None).await;
        assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PNG), "[{b}]");

        // Staff find them by the request, and on the work made from it.
        let (status, listed) = app.get(&format!("/api/v1/attachments?owner_kind=request&owner_id={dock}")).await;
        assert_eq!(status, StatusCode::OK, "[{b}] {listed}");
        assert_eq!(names(&listed["items"]), ["door 3.png", "IMG_0042.HEIC"], "[{b}]");
        assert_eq!(listed["items"][0]["uploaded_by"], "portal_user:facilities@northwind.example", "[{b}] {listed}");
        let location = app.id_of(&format!("SELECT location_id FROM requests WHERE id = '{dock}'")).await;
        for status in ["in_review", "accepted"] {
            let (code, body) =
                app.post(&format!("/api/v1/requests/{dock}/decision"), json!({ "status": status })).await;
            assert_eq!(code, StatusCode::OK, "[{b}] {body}");
        }
        let work = app
            .create(
                "/api/v1/targets",
                json!({ "location_id": location, "title": "Repair dock door 3", "request_id": dock }),
            )
            .await;
        let (status, on_work) = app.get(&format!("/api/v1/attachments?owner_kind=target&owner_id={work}")).await;
        assert_eq!(status, StatusCode::OK, "[{b}] {on_work}");
        assert_eq!(
            names(&on_work["items"]),
            ["door 3.png", "IMG_0042.HEIC"],
            "[{b}] the work shows the request's photos"
        );
        // And on the admin web's request and work pages, marked as the customer's.
        let staff = Browser::sign_in(&app, ADMIN).await;
        for page in [format!("/admin/requests/{dock}"), format!("/admin/targets/{work}")] {
            let shown = staff.get(&page).await;
            assert_eq!(shown.status, StatusCode::OK, "[{b}] {page}");
            let id = photo["id"].as_str().unwrap();
            assert!(shown.body.contains(&format!("/admin/attachments/{id}/content")), "[{b}] {page}");
            assert!(shown.body.contains("Sent by the customer"), "[{b}] {page}");
        }
        let (status, other) = app.get("/api/v1/attachments?owner_kind=request&owner_id=nope").await;
        assert_eq!((status, other["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "[{b}]");
        let (status, body) = app.get("/api/v1/attachments?owner_kind=request").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] {body}");
        assert!(body["error"]["fields"]["owner_id"].is_string(), "{body}");
        let (status, body) = app.get("/api/v1/attachments?owner_kind=invoice&owner_id=x").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] {body}");
        assert!(body["error"]["fields"]["owner_kind"].is_string(), "{body}");
        let (status, body) = app.get("/api/v1/attachments?limit=1&owner_kind=request&owner_id=x&colour=red").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] an unknown parameter is still refused: {body}");

        // Delta sync sends the files, and the request again with them.
        let mut changes = Vec::new();
        let mut path = "/portal/v1/sync".to_string();
        loop {
            let (status, page) = app.portal_get(&path, &token).await;
            assert_eq!(status, StatusCode::OK, "[{b}] {page}");
            changes.extend(page["changes"].as_array().unwrap().iter().cloned());
            if page["more"] != true {
                break;
            }
            path = format!("/portal/v1/sync?cursor={}", page["cursor"].as_str().unwrap());
        }
        let synced = |kind: &str, id: &Value| changes.iter().any(|c| c["kind"] == kind && c["item"]["id"] == *id);
        assert!(synced("attachment", &photo["id"]), "[{b}] the photo syncs");
        let synced_request = changes.iter().find(|c| c["kind"] == "request" && c["item"]["id"] == dock.as_str());
        assert_eq!(
            names(&synced_request.unwrap()["item"]["attachments"]).len(),
            2,
            "[{b}] the request syncs with its files"
        );
    }
}

#[tokio::test]
async fn files_of_the_wrong_type_size_or_number_are_refused_and_nothing_is_stored() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let token = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let dock = app.id_of(DOCK).await;
        let before = app.count("attachments").await;

        let refused: [(&str, &str, &[u8], StatusCode, &str); 7] = [
            ("setup.exe", "application/x-msdownload", b"MZ\x90\x00", StatusCode::UNPROCESSABLE_ENTITY, "programs"),
            ("photo.png", "image/png", b"MZ\x90\x00 not a png", StatusCode::UNPROCESSABLE_ENTITY, "not image/png"),
            ("notes.txt", "text/plain", b"door is stuck", StatusCode::UNSUPPORTED_MEDIA_TYPE, "a photo"),
            ("page.html", "text/html", b"<script>", StatusCode::UNSUPPORTED_MEDIA_TYPE, "not accepted"),
            (
                "plan.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                b"PK\x03\x04",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "a photo",
            ),
            (
                "clip.heic",
                "image/heic",
                b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isomavc1",
                StatusCode::UNPROCESSABLE_ENTITY,
                "HEIF",
            ),
            ("empty.pdf", "application/pdf", b"", StatusCode::UNPROCESSABLE_ENTITY, "not application/pdf"),
        ];
        for (name, content_type, bytes, expected, says) in refused {
            let (status, body) = send_file(&app, &token, &dock, None, (name, content_type, bytes)).await;
            assert_eq!(status, expected, "[{b}] {name}: {body}");
            let message = body["error"]["fields"]["file"].as_str().unwrap_or_default();
            assert!(message.contains(says), "[{b}] {name}: {body}");
        }
        let too_big = [PDF, &vec![b' '; 70_000]].concat();
        let (status, body) = send_file(&app, &token, &dock, None, ("big.pdf", "application/pdf", &too_big)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "[{b}] the server's own limit is lower here: {body}");

        // The form holds the file alone: the address names its owner.
        let owner = [("owner_kind", None, "", b"target".as_slice()), ("file", Some("a.pdf"), "application/pdf", PDF)];
        let (status, body) = send_form(&app, &token, &dock, None, &owner).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] {body}");
        assert!(body["error"]["fields"]["owner_kind"].is_string(), "{body}");
        let (status, body) = send_form(&app, &token, &dock, None, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] {body}");
        assert_eq!(body["error"]["fields"]["file"], "is required", "{body}");
        let long_key = "k".repeat(101);
        let (status, body) = send_file(&app, &token, &dock, Some(&long_key), ("a.pdf", "application/pdf", PDF)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] {body}");
        assert!(body["error"]["fields"]["Idempotency-Key"].is_string(), "{body}");
        assert_eq!(app.count("attachments").await, before, "[{b}] nothing refused was stored");

        for i in 0..5 {
            let (status, body) =
                send_file(&app, &token, &dock, None, (&format!("{i}.pdf"), "application/pdf", PDF)).await;
            assert_eq!(status, StatusCode::CREATED, "[{b}] file {i}: {body}");
        }
        let (status, body) = send_file(&app, &token, &dock, None, ("6.pdf", "application/pdf", PDF)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{b}] {body}");
        assert!(body["error"]["fields"]["file"].as_str().unwrap().contains("at most 5"), "{body}");
        assert_eq!(app.count("attachments").await, before + 5, "[{b}]");
        let (_, request) = app.portal_get(&format!("/portal/v1/requests/{dock}"), &token).await;
        assert_eq!(request["attachments"].as_array().unwrap().len(), 5, "[{b}]");
    }
}

#[tokio::test]
async fn a_site_file_may_be_up_to_10_mib() {
    let app = TestApp::sqlite_with(&[("ORDINAVO_MAX_UPLOAD_BYTES", (64 * 1024 * 1024).to_string())]).await;
    assert!(ordinavo_server::demo::seed(&app.state).await.unwrap());
    let token = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
    let dock = app.id_of(DOCK).await;
    let limit = 10 * 1024 * 1024;
    let mut largest = PDF.to_vec();
    largest.resize(limit, b' ');
    let (status, body) = send_file(&app, &token, &dock, None, ("scan.pdf", "application/pdf", &largest)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    largest.push(b' ');
    let (status, body) = send_file(&app, &token, &dock, None, ("scan.pdf", "application/pdf", &largest)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["error"]["fields"]["file"].as_str().unwrap().contains("10 MiB"), "{body}");
}

#[tokio::test]
async fn a_request_out_of_view_answers_like_one_that_does_not_exist() {
    for app in TestApp::all_with_demo().await {
        let b = app.backend;
        let dock = app.id_of(DOCK).await;
        let marina = app.sign_in(NORTHWIND_MARINA, PORTAL_PASSWORD).await;
        let photo = ("door.png", "image/png", PNG);
        let (status, hidden) = send_file(&app, &marina, &dock, None, photo).await;
        let (unknown_status, unknown) =
            send_file(&app, &marina, "0190f5a0-0000-7000-8000-000000000000", None, photo).await;
        assert_eq!((status, unknown_status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND), "[{b}] {hidden}");
        assert_eq!(hidden, unknown, "[{b}] out of scope answers byte for byte like unknown");
        let (status, _) = send_file(&app, "not-a-token", &dock, None, photo).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{b}]");
        let (status, body) = app.get(&format!("/api/v1/attachments?owner_kind=request&owner_id={dock}")).await;
        assert_eq!((status, body["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "[{b}] nothing stored");
    }
}
