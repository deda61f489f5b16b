//! Keeping blob stores tidy, on each backend: `blobs migrate` copies every attachment's
//! blob to another store, checking its SHA-256, and can run again; orphan collection
//! removes unreferenced blobs and staged uploads, once, however many instances sweep.

use std::sync::Arc;

use axum::http::StatusCode;
use ordinavo_server::state::AppState;
use ordinavo_server::storage::blobs::{self, migrate, orphans, BlobKey, BlobStore, BlobStoreSpec};
use ordinavo_server::storage::now_ms;

use crate::blob_stores::{apps_on_every_store, download, download_from, everything_stored, pdf_of, s3_store};
use crate::support::{work, TestApp};

/// A store of the kind the variables name, over the app's database.
async fn store_of(app: &TestApp, vars: &[(&str, String)], data_dir: &std::path::Path) -> Arc<dyn BlobStore> {
    let lookup = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone());
    let spec = BlobStoreSpec::parse(&lookup("ORDINAVO_BLOB_STORE").unwrap(), lookup).unwrap();
    blobs::open(Some(&spec), data_dir, &app.state.db).unwrap()
}

/// The app's router reading from another store, as after switching `ORDINAVO_BLOB_STORE`.
fn switched(app: &TestApp, blobs: Arc<dyn BlobStore>) -> axum::Router {
    ordinavo_server::app(AppState { blobs, ..app.state.clone() })
}

#[tokio::test]
async fn blobs_migrate_copies_every_blob_between_stores_and_runs_again_safely() {
    let vars = [("ORDINAVO_BLOB_STORE", "fs".to_string()), ("ORDINAVO_MAX_UPLOAD_BYTES", "1048576".to_string())];
    for app in TestApp::all_with(&vars).await {
        let b = app.backend;
        let (_, _, target) = work(&app).await;
        let files = [pdf_of(300_000), pdf_of(1_000)];
        let mut ids = Vec::new();
        for file in &files {
            let (status, body) = app.upload("target", &target, "a.pdf", "application/pdf", file).await;
            assert_eq!(status, StatusCode::CREATED, "[{b}] {body}");
            ids.push(body["id"].as_str().unwrap().to_string());
        }
        let dir = tempfile::tempdir().unwrap();
        let mut chain = vec![vec![("ORDINAVO_BLOB_STORE", "database".to_string())]];
        if let Ok(url) = std::env::var("ORDINAVO_TEST_S3_URL") {
            chain.push(s3_store(&url).await);
        }
        chain.push(vec![("ORDINAVO_BLOB_STORE", "fs".to_string())]);
        let mut from = app.state.blobs.clone();
        for vars in chain {
            let to = store_of(&app, &vars, dir.path()).await;
            let report = migrate::run(&app.state.db, from.as_ref(), &to).await.unwrap();
            assert_eq!((report.copied, report.already_there, report.broken.len()), (2, 0, 0), "[{b}] {vars:?}");
            let again = migrate::run(&app.state.db, from.as_ref(), &to).await.unwrap();
            assert_eq!((again.copied, again.already_there), (0, 2), "[{b}] a second run copies nothing");
            let moved = switched(&app, to.clone());
            for (id, file) in ids.iter().zip(&files) {
                let (status, _, bytes) = download_from(&moved, &app.key, id, Some("bytes=0-")).await;
                assert_eq!(status, StatusCode::PARTIAL_CONTENT, "[{b}] {vars:?}");
                assert!(bytes == *file, "[{b}] {vars:?}: the file arrived whole");
            }
            from = to;
        }
    }
}

#[tokio::test]
async fn blobs_migrate_names_blobs_that_do_not_match_their_hash() {
    for app in TestApp::all_with(&[("ORDINAVO_BLOB_STORE", "fs".to_string())]).await {
        let (_, _, target) = work(&app).await;
        let (_, body) = app.upload("target", &target, "a.pdf", "application/pdf", &pdf_of(2_000)).await;
        let sha = body["sha256"].as_str().unwrap().to_string();
        let path = app.state.config.data_dir.join("attachments").join(&sha[..2]).join(&sha);
        let mut damaged = pdf_of(2_000);
        damaged[1_999] ^= 1;
        std::fs::write(&path, damaged).unwrap();
        let to = store_of(&app, &[("ORDINAVO_BLOB_STORE", "database".to_string())], std::path::Path::new(".")).await;
        let report = migrate::run(&app.state.db, app.state.blobs.as_ref(), &to).await.unwrap();
        assert_eq!(report.broken, std::slice::from_ref(&sha), "[{}]", app.backend);
        assert_eq!(report.copied, 0);
        assert!(!to.contains(&BlobKey::stored(&sha).unwrap()).await.unwrap(), "nothing of it was kept");
    }
}

#[tokio::test]
async fn orphans_are_collected_after_their_grace_and_referenced_blobs_kept() {
    for (store, app) in apps_on_every_store(64 * 1024).await {
        let (_, _, target) = work(&app).await;
        let (_, kept) = app.upload("target", &target, "kept.pdf", "application/pdf", &pdf_of(3_000)).await;
        let (_, deleted) = app.upload("target", &target, "gone.pdf", "application/pdf", &pdf_of(4_000)).await;
        let gone = deleted["id"].as_str().unwrap();
        let (status, _) = app.call(axum::http::Method::DELETE, &format!("/api/v1/attachments/{gone}"), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "[{store}]");
        // An upload cut off mid-way, as a crashed instance leaves it.
        let mut writer = app.state.blobs.create().await.unwrap();
        writer.write(b"%PDF-1.7 cut off").await.unwrap();
        writer.finish().await.unwrap();

        let young = orphans::collect(&app.state.db, app.state.blobs.as_ref(), 0).await.unwrap();
        assert_eq!(young, Some(0), "[{store}] nothing is older than the grace period");
        assert_eq!(everything_stored(&app).await.len(), 3, "[{store}]");

        // Two instances sweeping at once: each orphan goes once, and no sweep fails.
        let cutoff = now_ms() + 1_000;
        let (a, b) = tokio::join!(
            orphans::collect(&app.state.db, app.state.blobs.as_ref(), cutoff),
            orphans::collect(&app.state.db, app.state.blobs.as_ref(), cutoff),
        );
        let swept = a.unwrap().unwrap_or(0) + b.unwrap().unwrap_or(0);
        assert!((2..=4).contains(&swept), "[{store}] {swept}");
        let kept_key = BlobKey::stored(kept["sha256"].as_str().unwrap()).unwrap();
        assert_eq!(everything_stored(&app).await, [kept_key], "[{store}]");
        let (status, _, bytes) = download(&app, kept["id"].as_str().unwrap(), None).await;
        assert_eq!((status, bytes), (StatusCode::OK, pdf_of(3_000)), "[{store}]");
    }
}
