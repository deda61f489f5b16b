//! Update manifests for the desktop app from the releases in the database: the newest
//! unpaused release for the caller's platform, channel and rollout bucket, 204 when
//! there is none, packages streamed byte for byte, and the same answer from every
//! instance on one database.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use base64::Engine;
use http_body_util::BodyExt;
use ordinavo_server::domain::rollout;
use ordinavo_server::records::audit::Actor;
use ordinavo_server::records::releases;
use ordinavo_server::updates::publish::{self, PublishInput, Published};
use serde_json::Value;
use tower::ServiceExt;

use crate::support::{TestApp, CONTOSO, NORTHWIND_ALL, PORTAL_PASSWORD};

/// A signature as the Tauri CLI writes it: base64 of a minisign signature.
pub fn signature(version: &str) -> String {
    let text = format!(
        "untrusted comment: signature from tauri secret key\nRUQ{version}\ntrusted comment: timestamp:1\tfile:x\nsig\n"
    );
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// The bytes of a test package of `version`: a few KiB, different for each version.
pub fn package(version: &str) -> Vec<u8> {
    (0..4000u32).flat_map(|i| format!("{version}:{i};").into_bytes()).collect()
}

/// Arguments for `release publish` of a deb package for linux-x86_64, written to a file.
pub fn input(dir: &std::path::Path, version: &str, channel: &str, rollout: i64) -> PublishInput {
    let file = dir.join(format!("ordinavo-portal_{version}_amd64.deb"));
    std::fs::write(&file, package(version)).unwrap();
    PublishInput {
        version: version.into(),
        file,
        signature: signature(version),
        notes: format!("What is new in {version}"),
        channel: channel.into(),
        rollout,
        target: "linux".into(),
        arch: "x86_64".into(),
        bundle: "deb".into(),
    }
}

pub async fn publish(app: &TestApp, version: &str, channel: &str, rollout: i64) -> Published {
    let dir = tempfile::tempdir().unwrap();
    let published = publish::publish(&app.state, input(dir.path(), version, channel, rollout)).await;
    published.unwrap_or_else(|err| panic!("[{}] publish {version}: {err:?}", app.backend))
}

async fn set_rollout(app: &TestApp, release_id: &str, percent: i64) {
    let mut tx = app.state.db.begin_write().await.unwrap();
    releases::set_rollout(&mut tx, &Actor::System, release_id, percent).await.unwrap();
    tx.commit().await.unwrap();
}

async fn set_paused(app: &TestApp, release_id: &str, paused: bool) {
    let mut tx = app.state.db.begin_write().await.unwrap();
    releases::set_paused(&mut tx, &Actor::System, release_id, paused).await.unwrap();
    tx.commit().await.unwrap();
}

/// The version offered (None for 204) to a caller, with an optional portal token.
async fn offered(app: &TestApp, path: &str, token: Option<&str>) -> Option<String> {
    let (status, body) = app.portal(Method::GET, path, token, None).await;
    match status {
        StatusCode::NO_CONTENT => None,
        StatusCode::OK => {
            let manifest: Value = serde_json::from_slice(&body).unwrap();
            Some(manifest["version"].as_str().unwrap().to_string())
        }
        other => panic!("[{}] {path}: {other} {}", app.backend, String::from_utf8_lossy(&body)),
    }
}

fn check(installation: &str) -> String {
    format!("/updates/linux/x86_64/1.3.0?installation={installation}&bundle=deb")
}

/// An installation id whose bucket lies in `range`.
fn installation_in(range: std::ops::Range<u8>) -> String {
    (0..).map(|i| format!("installation-{i}")).find(|id| range.contains(&rollout::bucket(Some(id)))).unwrap()
}

#[tokio::test]
async fn rollout_at_zero_offers_nothing_and_at_full_offers_the_release() {
    for app in TestApp::all().await {
        assert_eq!(offered(&app, &check("a"), None).await, None, "[{}] no releases yet", app.backend);
        let published = publish(&app, "1.4.0", "stable", 0).await;
        for i in 0..50 {
            assert_eq!(offered(&app, &check(&format!("i-{i}")), None).await, None, "[{}] 0 %", app.backend);
        }
        set_rollout(&app, &published.release_id, 100).await;
        let (status, manifest) = app.get(&check("a")).await;
        assert_eq!(status, StatusCode::OK, "[{}] {manifest}", app.backend);
        assert_eq!(manifest["version"], "1.4.0");
        assert_eq!(manifest["notes"], "What is new in 1.4.0");
        assert_eq!(manifest["signature"], signature("1.4.0"));
        let public_url = app.state.config.public_url.trim_end_matches('/');
        assert_eq!(manifest["url"], format!("{public_url}/updates/files/{}", published.file_id));
        assert!(chrono::DateTime::parse_from_rfc3339(manifest["pub_date"].as_str().unwrap()).is_ok(), "{manifest}");
        assert_eq!(
            offered(&app, "/updates/linux/x86_64/1.3.0", None).await.as_deref(),
            Some("1.4.0"),
            "no id, no bundle"
        );
    }
}

#[tokio::test]
async fn a_staged_rollout_reaches_the_buckets_below_it_and_raising_it_only_adds() {
    for app in TestApp::all().await {
        let published = publish(&app, "1.4.0", "stable", 50).await;
        let (inside, between, outside) = (installation_in(0..50), installation_in(50..60), installation_in(60..100));
        assert_eq!(offered(&app, &check(&inside), None).await.as_deref(), Some("1.4.0"), "[{}]", app.backend);
        assert_eq!(offered(&app, &check(&between), None).await, None);
        assert_eq!(offered(&app, &check(&outside), None).await, None);
        let ids: Vec<String> = (0..100).map(|i| format!("site-pc-{i}")).collect();
        let mut at_50 = Vec::new();
        for id in &ids {
            at_50.push(offered(&app, &check(id), None).await.is_some());
        }

        set_rollout(&app, &published.release_id, 60).await;
        assert_eq!(offered(&app, &check(&inside), None).await.as_deref(), Some("1.4.0"));
        assert_eq!(offered(&app, &check(&between), None).await.as_deref(), Some("1.4.0"), "raising adds");
        assert_eq!(offered(&app, &check(&outside), None).await, None);
        for (id, was) in ids.iter().zip(at_50) {
            let now = offered(&app, &check(id), None).await.is_some();
            assert!(!was || now, "[{}] {id} lost its update when the rollout grew", app.backend);
        }
    }
}

#[tokio::test]
async fn a_paused_release_is_offered_to_nobody_until_resumed() {
    for app in TestApp::all().await {
        let older = publish(&app, "1.4.0", "stable", 100).await;
        let newer = publish(&app, "1.5.0", "stable", 100).await;
        assert_eq!(offered(&app, &check("a"), None).await.as_deref(), Some("1.5.0"), "[{}]", app.backend);
        set_paused(&app, &newer.release_id, true).await;
        assert_eq!(offered(&app, &check("a"), None).await.as_deref(), Some("1.4.0"), "the paused one is skipped");
        set_paused(&app, &older.release_id, true).await;
        assert_eq!(offered(&app, &check("a"), None).await, None);
        set_paused(&app, &newer.release_id, false).await;
        assert_eq!(offered(&app, &check("a"), None).await.as_deref(), Some("1.5.0"));
    }
}

#[tokio::test]
async fn a_beta_release_reaches_only_beta_callers_whose_customer_staff_allowed() {
    for app in TestApp::all_with_demo().await {
        publish(&app, "1.4.0", "stable", 100).await;
        publish(&app, "1.5.0-beta.1", "beta", 100).await;
        let beta = "/updates/linux/x86_64/1.3.0?installation=a&channel=beta";
        let northwind = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let contoso = app.sign_in(CONTOSO, PORTAL_PASSWORD).await;
        assert_eq!(offered(&app, &check("a"), Some(&northwind)).await.as_deref(), Some("1.4.0"), "[{}]", app.backend);
        assert_eq!(offered(&app, beta, None).await.as_deref(), Some("1.4.0"), "beta needs a signed-in user");
        assert_eq!(offered(&app, beta, Some(&northwind)).await.as_deref(), Some("1.4.0"), "not allowed yet");

        let customer = app.id_of("SELECT id FROM customers WHERE name = 'Northwind Properties'").await;
        let mut tx = app.state.db.begin_write().await.unwrap();
        releases::set_beta(&mut tx, &Actor::System, &customer, true).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(offered(&app, beta, Some(&northwind)).await.as_deref(), Some("1.5.0-beta.1"));
        assert_eq!(offered(&app, &check("a"), Some(&northwind)).await.as_deref(), Some("1.4.0"), "stable asked");
        assert_eq!(offered(&app, beta, Some(&contoso)).await.as_deref(), Some("1.4.0"), "another customer");
        assert_eq!(offered(&app, beta, Some("ops_not-a-session")).await.as_deref(), Some("1.4.0"));

        publish(&app, "1.5.0", "stable", 100).await;
        assert_eq!(
            offered(&app, beta, Some(&northwind)).await.as_deref(),
            Some("1.5.0"),
            "beta callers see stable too"
        );
    }
}

/// The channels `/updates/channels` names for a caller.
async fn channels(app: &TestApp, token: Option<&str>) -> Value {
    let (status, body) = app.portal(Method::GET, "/updates/channels", token, None).await;
    assert_eq!(status, StatusCode::OK, "[{}] {}", app.backend, String::from_utf8_lossy(&body));
    serde_json::from_slice::<Value>(&body).unwrap()["channels"].clone()
}

#[tokio::test]
async fn the_beta_channel_is_named_only_to_users_whose_customer_staff_allowed() {
    for app in TestApp::all_with_demo().await {
        let northwind = app.sign_in(NORTHWIND_ALL, PORTAL_PASSWORD).await;
        let contoso = app.sign_in(CONTOSO, PORTAL_PASSWORD).await;
        assert_eq!(channels(&app, None).await, serde_json::json!(["stable"]), "[{}]", app.backend);
        assert_eq!(channels(&app, Some(&northwind)).await, serde_json::json!(["stable"]), "not allowed yet");

        let customer = app.id_of("SELECT id FROM customers WHERE name = 'Northwind Properties'").await;
        let mut tx = app.state.db.begin_write().await.unwrap();
        releases::set_beta(&mut tx, &Actor::System, &customer, true).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(channels(&app, Some(&northwind)).await, serde_json::json!(["stable", "beta"]));
        assert_eq!(channels(&app, Some(&contoso)).await, serde_json::json!(["stable"]), "another customer");
        assert_eq!(channels(&app, Some("ops_not-a-session")).await, serde_json::json!(["stable"]));
    }
}

#[tokio::test]
async fn clients_on_the_newest_version_or_another_platform_get_204() {
    for app in TestApp::all().await {
        publish(&app, "1.4.0", "stable", 100).await;
        for path in [
            "/updates/linux/x86_64/1.4.0",
            "/updates/linux/x86_64/1.4.1",
            "/updates/linux/x86_64/2.0.0-rc.1",
            "/updates/linux/aarch64/1.3.0",
            "/updates/darwin/x86_64/1.3.0",
            "/updates/linux/x86_64/1.3.0?bundle=rpm",
        ] {
            assert_eq!(offered(&app, path, None).await, None, "[{}] {path}", app.backend);
        }
        assert_eq!(offered(&app, "/updates/linux/x86_64/1.4.0-rc.1", None).await.as_deref(), Some("1.4.0"));
    }
}

#[tokio::test]
async fn the_package_downloads_byte_for_byte_and_honours_ranges() {
    for app in TestApp::all().await {
        let published = publish(&app, "1.4.0", "stable", 100).await;
        let bytes = package("1.4.0");
        let path = format!("/updates/files/{}", published.file_id);
        let response = app.router.clone().oneshot(Request::get(&path).body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "[{}]", app.backend);
        let headers = response.headers().clone();
        assert_eq!(headers[header::CONTENT_LENGTH], bytes.len().to_string());
        assert_eq!(headers[header::CONTENT_TYPE], "application/vnd.debian.binary-package");
        assert_eq!(headers[header::ACCEPT_RANGES], "bytes");
        assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("ordinavo-portal_1.4.0_x86_64.deb"));
        assert_eq!(response.into_body().collect().await.unwrap().to_bytes(), bytes);

        let ranged = Request::get(&path).header(header::RANGE, "bytes=100-199").body(Body::empty()).unwrap();
        let response = app.router.clone().oneshot(ranged).await.unwrap();
        assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(response.headers()[header::CONTENT_RANGE], format!("bytes 100-199/{}", bytes.len()));
        assert_eq!(response.into_body().collect().await.unwrap().to_bytes(), bytes[100..200]);

        let (status, _) = app.get("/updates/files/no-such-file").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn two_instances_on_one_database_serve_the_same_manifest() {
    for app in TestApp::all().await {
        let published = publish(&app, "1.4.0", "stable", 30).await;
        let (second, _dir) = app.second_instance().await;
        let second_router = ordinavo_server::app(second);
        for id in (0..40).map(|i| format!("site-pc-{i}")) {
            let request = || Request::get(check(&id)).body(Body::empty()).unwrap();
            let first = app.router.clone().oneshot(request()).await.unwrap();
            let other = second_router.clone().oneshot(request()).await.unwrap();
            assert_eq!(first.status(), other.status(), "[{}] {id}", app.backend);
            let first = first.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(first, other.into_body().collect().await.unwrap().to_bytes(), "[{}] {id}", app.backend);
        }
        if app.backend == "postgres" {
            // Packages are in the database store too, so any instance serves them.
            let path = format!("/updates/files/{}", published.file_id);
            let response = second_router.oneshot(Request::get(&path).body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(response.into_body().collect().await.unwrap().to_bytes(), package("1.4.0"));
        }
    }
}

#[tokio::test]
async fn bad_update_requests_are_refused_with_the_field_named() {
    let app = TestApp::sqlite_with(&[]).await;
    let long = "x".repeat(200);
    for (path, field) in [
        ("/updates/solaris/x86_64/0.1.0", "target"),
        ("/updates/linux/sparc/0.1.0", "arch"),
        ("/updates/linux/x86_64/latest", "current_version"),
        ("/updates/linux/x86_64/..%2F..%2Fetc", "current_version"),
        ("/updates/linux/x86_64/0.1.0?channel=nightly", "channel"),
        ("/updates/linux/x86_64/0.1.0?bundle=appimage", "bundle"),
        (&format!("/updates/linux/x86_64/0.1.0?installation={long}"), "installation"),
    ] {
        let (status, body) = app.get(path).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert!(body["error"]["fields"].get(field).is_some(), "{path}: {body}");
    }
    let (status, _) = app.get("/updates/linux/x86_64").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
