//! Every blob store through the real HTTP API, on each database backend: uploads stream
//! in and come back whole and in ranges; an upload over the limit or refused by the
//! checks leaves neither blob nor record.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use ordinavo_server::storage::blobs::BlobKey;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use crate::dangerous_files::zip_of;
use crate::support::{fresh_databases, work, TestApp};

/// The stores under test: files and the database always, S3 when `ORDINAVO_TEST_S3_URL`
/// names a server (`scripts/s3.sh`, started by `make test`).
pub fn stores() -> Vec<&'static str> {
    let s3 = std::env::var("ORDINAVO_TEST_S3_URL").is_ok();
    ["fs", "database", "s3"].into_iter().filter(|store| *store != "s3" || s3).collect()
}

/// The variables that choose `store`; an S3 store gets a bucket of its own.
pub async fn store_vars(store: &str) -> Vec<(&'static str, String)> {
    match store {
        "s3" => s3_store(&std::env::var("ORDINAVO_TEST_S3_URL").unwrap()).await,
        other => vec![("ORDINAVO_BLOB_STORE", other.to_string())],
    }
}

/// A new bucket on the test S3 server and the variables that use it.
pub async fn s3_store(url: &str) -> Vec<(&'static str, String)> {
    let bucket = format!("ordinavo-test-{}", uuid::Uuid::now_v7().simple());
    let created = reqwest::Client::new().put(format!("{url}/{bucket}")).send().await.expect("reach the S3 server");
    assert!(created.status().is_success(), "creating bucket {bucket}: {}", created.status());
    vec![
        ("ORDINAVO_BLOB_STORE", format!("s3://{bucket}?endpoint={url}&region=us-east-1")),
        ("AWS_ACCESS_KEY_ID", "ordinavo-test".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "ordinavo-test-secret".to_string()),
    ]
}

/// One app per store and backend, each with a store of its own and an upload limit of `limit` bytes.
pub async fn apps_on_every_store(limit: usize) -> Vec<(String, TestApp)> {
    let mut apps = Vec::new();
    for store in stores() {
        for (backend, url, dir) in fresh_databases().await {
            let mut vars = store_vars(store).await;
            vars.push(("ORDINAVO_MAX_UPLOAD_BYTES", limit.to_string()));
            apps.push((format!("{store} on {backend}"), TestApp::configured(backend, url, dir, &vars).await));
        }
    }
    apps
}

/// `len` bytes of a PDF-looking file that does not compress, the same on every call.
pub fn pdf_of(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    let mut state = 0x2545_4446_u64;
    while bytes.len() < len {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

/// A download through the integration API, with an optional `Range`.
pub async fn download(app: &TestApp, id: &str, range: Option<&str>) -> (StatusCode, HeaderMap, Vec<u8>) {
    download_from(&app.router, &app.key, id, range).await
}

/// A download through `router`, signed with the API key `key`.
pub async fn download_from(
    router: &axum::Router,
    key: &str,
    id: &str,
    range: Option<&str>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::get(format!("/api/v1/attachments/{id}/content"))
        .header(header::AUTHORIZATION, format!("Bearer {key}"));
    if let Some(range) = range {
        request = request.header(header::RANGE, range);
    }
    let response = router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.into_body().collect().await.unwrap().to_bytes().to_vec())
}

/// Everything in the app's store, staged uploads included.
pub async fn everything_stored(app: &TestApp) -> Vec<BlobKey> {
    app.state.blobs.list_older_than(i64::MAX).await.unwrap()
}

/// Waits until the store holds exactly `expected` (a refused upload's blob is deleted in the background).
async fn wait_for_store(app: &TestApp, expected: &[BlobKey], what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let mut stored = everything_stored(app).await;
        stored.sort_by_key(BlobKey::name);
        if stored == expected {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: the store still holds {stored:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn every_store_round_trips_uploads_whole_and_in_ranges() {
    // Over 5 MiB: S3 takes it in parts, the database in many chunks.
    let file = pdf_of(11 * 1024 * 1024 + 12_345);
    let sha = hex::encode(Sha256::digest(&file));
    for (store, app) in apps_on_every_store(12 * 1024 * 1024).await {
        let (_, _, target) = work(&app).await;
        let (status, body) = app.upload("target", &target, "survey.pdf", "application/pdf", &file).await;
        assert_eq!(status, StatusCode::CREATED, "[{store}] {body}");
        assert_eq!(body["sha256"], sha, "[{store}]");
        assert_eq!(body["size_bytes"], file.len(), "[{store}]");
        let id = body["id"].as_str().unwrap();

        let (status, headers, bytes) = download(&app, id, None).await;
        assert_eq!(status, StatusCode::OK, "[{store}]");
        assert_eq!(headers[header::CONTENT_LENGTH], file.len().to_string());
        assert!(bytes == file, "[{store}] the whole file comes back");

        let part = 5 * 1024 * 1024;
        let around_a_boundary = format!("bytes={}-{}", part - 10, part + 9);
        let (status, headers, bytes) = download(&app, id, Some(&around_a_boundary)).await;
        assert_eq!(status, StatusCode::PARTIAL_CONTENT, "[{store}]");
        assert_eq!(headers[header::CONTENT_RANGE], format!("bytes {}-{}/{}", part - 10, part + 9, file.len()));
        assert_eq!(bytes, file[part - 10..part + 10], "[{store}]");
        let (_, _, tail) = download(&app, id, Some("bytes=-100")).await;
        assert_eq!(tail, file[file.len() - 100..], "[{store}]");
        let (status, _, _) = download(&app, id, Some(&format!("bytes={}-", file.len()))).await;
        assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE, "[{store}]");

        let (status, again) = app.upload("target", &target, "copy.pdf", "application/pdf", &file).await;
        assert_eq!(status, StatusCode::CREATED, "[{store}] {again}");
        assert_eq!(
            everything_stored(&app).await,
            [BlobKey::stored(&sha).unwrap()],
            "[{store}] one copy of the content"
        );
        let (_, _, bytes) = download(&app, again["id"].as_str().unwrap(), None).await;
        assert!(bytes == file, "[{store}]");
    }
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_while_streaming_and_leaves_nothing() {
    // The limit lies past S3's first 5 MiB part, which is uploaded and then thrown away.
    let limit = 6 * 1024 * 1024;
    for (store, app) in apps_on_every_store(limit).await {
        let (_, _, target) = work(&app).await;
        let (status, body) = app.upload("target", &target, "huge.pdf", "application/pdf", &pdf_of(limit + 1)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "[{store}] {body}");
        assert_eq!(body["error"]["code"], "too_large", "[{store}]");
        assert_eq!(body["error"]["message"], "the file is larger than the upload limit of 6 MiB", "[{store}]");
        assert_eq!(
            body["error"]["fields"],
            serde_json::json!({ "file": "the file is larger than the upload limit of 6 MiB" }),
            "[{store}] the file field is named, as for any invalid field"
        );
        assert_eq!(app.count("attachments").await, 0, "[{store}]");
        assert!(everything_stored(&app).await.is_empty(), "[{store}] no blob and no staged upload");

        let (status, body) = app.upload("target", &target, "fits.pdf", "application/pdf", &pdf_of(limit)).await;
        assert_eq!(status, StatusCode::CREATED, "[{store}] exactly the limit is accepted: {body}");
    }
}

#[tokio::test]
async fn refused_uploads_leave_nothing_in_any_store() {
    const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    for (store, app) in apps_on_every_store(64 * 1024).await {
        let (_, _, target) = work(&app).await;
        let cases: [(&str, &str, &str, Vec<u8>, &str); 4] = [
            ("target", &target, "text/plain", "notes ok \u{e9}".as_bytes().to_vec(), ""),
            (
                "target",
                &target,
                "text/plain",
                b"notes \xff\xfe".to_vec(),
                "the file content is not text/plain (UTF-8 text)",
            ),
            ("target", &target, DOCX, zip_of(&["photo.jpg"]), "(an Office document package)"),
            ("target", "no-such-target", "application/pdf", pdf_of(1000), "no record of this owner_kind with this id"),
        ];
        let mut kept = Vec::new();
        for (kind, owner, content_type, bytes, refusal) in cases {
            let (status, body) = app.upload(kind, owner, "file", content_type, &bytes).await;
            if refusal.is_empty() {
                assert_eq!(status, StatusCode::CREATED, "[{store}] {body}");
                kept.push(BlobKey::stored(body["sha256"].as_str().unwrap()).unwrap());
                continue;
            }
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{store}] {body}");
            let message = body["error"]["fields"].as_object().unwrap().values().next().unwrap().as_str().unwrap();
            assert!(message.contains(refusal), "[{store}] {message}");
        }
        let docx = zip_of(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"]);
        let (status, body) = app.upload("target", &target, "visit.docx", DOCX, &docx).await;
        assert_eq!(status, StatusCode::CREATED, "[{store}] the directory is read back from the store: {body}");
        kept.push(BlobKey::stored(body["sha256"].as_str().unwrap()).unwrap());
        kept.sort_by_key(BlobKey::name);
        wait_for_store(&app, &kept, &store).await;
        assert_eq!(app.count("attachments").await, 2, "[{store}]");
    }
}

#[tokio::test]
async fn readyz_names_a_blob_store_that_does_not_answer() {
    // A port nothing listens on: the S3 store cannot be reached.
    let vars = [
        ("ORDINAVO_BLOB_STORE", "s3://files?endpoint=http://127.0.0.1:9&region=us-east-1".to_string()),
        ("AWS_ACCESS_KEY_ID", "ordinavo-test".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "ordinavo-test-secret".to_string()),
    ];
    let app = TestApp::sqlite_with(&vars).await;
    let (status, body) = app.get("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    // Refused at once or given up on after the check's deadline, as the S3 client retries.
    let fields = body["error"]["fields"].as_object().unwrap();
    assert_eq!(fields.keys().collect::<Vec<_>>(), ["blob_store"], "{body}");
    for store in stores() {
        for (backend, url, dir) in fresh_databases().await {
            let app = TestApp::configured(backend, url, dir, &store_vars(store).await).await;
            let (status, body) = app.get("/readyz").await;
            assert_eq!(status, StatusCode::OK, "[{store} on {backend}] {body}");
        }
    }
}
