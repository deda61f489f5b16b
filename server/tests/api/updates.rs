//! Update manifests for the desktop app: the newest signed release for the caller's
//! platform when it is newer, 204 when current, and bad input never reaches a 500.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::TestApp;

fn publish(app: &TestApp, version: &str, body: &str) {
    let folder = app.state.config.data_dir.join("releases").join(version);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("release.json"), body).unwrap();
}

fn release(version: &str) -> String {
    json!({
        "notes": format!("Ordinavo {version}"),
        "pub_date": "2026-11-27T10:00:00Z",
        "platforms": { "linux-x86_64": {
            "url": format!("https://downloads.example/ordinavo_{version}_amd64.AppImage.tar.gz"),
            "signature": format!("signature of {version}") } }
    })
    .to_string()
}

#[tokio::test]
async fn the_newest_release_for_the_platform_is_offered_and_current_clients_get_204() {
    let app = TestApp::sqlite_with(&[]).await;
    let (status, _) = app.get("/updates/linux/x86_64/0.1.0").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "no releases yet");

    publish(&app, "0.2.0", &release("0.2.0"));
    publish(&app, "0.3.0", &release("0.3.0"));
    publish(&app, "0.9.0", "{ broken");
    let (status, manifest) = app.get("/updates/linux/x86_64/0.1.0").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(manifest["version"], "0.3.0", "the broken release is skipped: {manifest}");
    assert_eq!(manifest["signature"], "signature of 0.3.0");
    assert_eq!(manifest["url"], "https://downloads.example/ordinavo_0.3.0_amd64.AppImage.tar.gz");
    assert_eq!(manifest["notes"], "Ordinavo 0.3.0");

    let (status, _) = app.get("/updates/linux/x86_64/0.3.0").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "up to date");
    let (status, _) = app.get("/updates/darwin/aarch64/0.1.0").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "nothing for that platform");
}

#[tokio::test]
async fn bad_update_requests_are_refused_with_the_field_named() {
    let app = TestApp::sqlite_with(&[]).await;
    for (path, field) in [
        ("/updates/solaris/x86_64/0.1.0", "target"),
        ("/updates/linux/sparc/0.1.0", "arch"),
        ("/updates/linux/x86_64/latest", "current_version"),
        ("/updates/linux/x86_64/..%2F..%2Fetc", "current_version"),
    ] {
        let (status, body) = app.get(path).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert!(body["error"]["fields"].get(field).is_some(), "{path}: {body}");
    }
    let (status, _) = app.get("/updates/linux/x86_64").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
