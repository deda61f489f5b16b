//! Keeping blob stores tidy, on each backend: `blobs migrate` copies every attachment's
//! blob to another store, checking its SHA-256, and can run again; orphan collection
//! removes unreferenced blobs and staged uploads, once, however many instances sweep,
//! and never content that a re-upload reuses while the sweep runs.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use axum::http::StatusCode;
use ordinavo_server::records::attachments::{self, OwnerKind, Upload, Uploader};
use ordinavo_server::records::audit::Actor;
use ordinavo_server::state::AppState;
use ordinavo_server::storage::blobs::{self, migrate, orphans, BlobKey, BlobStore, BlobStoreSpec, StagedFile};
use ordinavo_server::storage::{now_ms, Backend};

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

/// An upload of `bytes` to `target`, streamed into a staged blob but not yet committed.
async fn staged_upload(app: &TestApp, target: &str, bytes: &[u8]) -> Upload {
    Upload {
        owner_kind: OwnerKind::Target,
        owner_id: target.to_string(),
        file_name: "again.pdf".to_string(),
        content_type: "application/pdf".to_string(),
        file: StagedFile::from_bytes(&app.state.blobs, bytes.to_vec()).await.unwrap(),
    }
}

/// Polls `future` once, with the task's own waker.
async fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *future).poll(cx))).await
}

/// Waits until some transaction of the app's database waits for an advisory lock. On
/// SQLite there is nothing to wait for: a waiting writer is parked at the writer slot
/// by its first poll.
async fn until_a_lock_is_awaited(app: &TestApp) {
    if app.state.db.backend != Backend::Postgres {
        return;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (waiting,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
             WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()",
        )
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        if waiting > 0 {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "the sweep never waited for the upload's lock");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_reupload_of_identical_content_racing_the_sweep_keeps_its_blob() {
    for (store, app) in apps_on_every_store(64 * 1024).await {
        let (db, blobs) = (&app.state.db, app.state.blobs.as_ref());
        let (_, _, target) = work(&app).await;
        let file = pdf_of(5_000);
        let (_, first) = app.upload("target", &target, "a.pdf", "application/pdf", &file).await;
        let (status, _) = app
            .call(axum::http::Method::DELETE, &format!("/api/v1/attachments/{}", first["id"].as_str().unwrap()), None)
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "[{store}]");
        let key = BlobKey::stored(first["sha256"].as_str().unwrap()).unwrap();

        // 1. The sweep lists the content as an orphan older than its grace period.
        let cutoff = now_ms() + 1_000;
        assert!(blobs.list_older_than(cutoff).await.unwrap().contains(&key), "[{store}]");
        // 2. The same content is uploaded again: its commit reuses the stored blob, and
        //    its record is written but not committed yet.
        let upload = staged_upload(&app, &target, &file).await;
        let mut tx = db.begin_write().await.unwrap();
        let (again, _) = attachments::create(&mut tx, &Actor::System, upload, Uploader::Staff).await.unwrap();
        // 3. The sweep checks and deletes the listed blob now. It cannot finish while the
        //    upload's transaction is open: it waits, then sees the new record.
        let sweep = orphans::collect_blob(db, blobs, &key);
        tokio::pin!(sweep);
        assert!(poll_once(&mut sweep).await.is_pending(), "[{store}] the sweep waits for the upload");
        let upload_commits = async {
            until_a_lock_is_awaited(&app).await;
            tx.commit().await.unwrap();
        };
        let (deleted, ()) = tokio::join!(sweep, upload_commits);
        assert!(!deleted.unwrap(), "[{store}] a referenced blob is not an orphan");
        let (status, _, bytes) = download(&app, &again.id, None).await;
        assert_eq!(status, StatusCode::OK, "[{store}]");
        assert!(bytes == file, "[{store}] the re-uploaded file is whole");
        assert_eq!(orphans::collect(db, blobs, cutoff).await.unwrap(), Some(0), "[{store}]");

        // The other order: the sweep deletes the orphan first, then an upload of the same
        // content commits, and its own staged copy takes the blob's place.
        let (status, _) =
            app.call(axum::http::Method::DELETE, &format!("/api/v1/attachments/{}", again.id), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "[{store}]");
        let upload = staged_upload(&app, &target, &file).await;
        assert!(orphans::collect_blob(db, blobs, &key).await.unwrap(), "[{store}] an orphan is deleted");
        assert!(!blobs.contains(&key).await.unwrap(), "[{store}]");
        let mut tx = db.begin_write().await.unwrap();
        let (last, _) = attachments::create(&mut tx, &Actor::System, upload, Uploader::Staff).await.unwrap();
        tx.commit().await.unwrap();
        let (status, _, bytes) = download(&app, &last.id, None).await;
        assert_eq!(status, StatusCode::OK, "[{store}]");
        assert!(bytes == file, "[{store}] the file is whole again");
        assert_eq!(
            everything_stored(&app).await,
            std::slice::from_ref(&key),
            "[{store}] one blob, no staged upload left"
        );
    }
}
