//! The checked-in OpenAPI document matches the code. Regenerate with
//! `UPDATE_OPENAPI=1 cargo test -p ordinavo-server --test api openapi`.

use crate::support::TestApp;

const CHECKED_IN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/api-v1.json");

#[tokio::test]
async fn checked_in_spec_is_current_and_served() {
    let generated = serde_json::to_string_pretty(&ordinavo_server::api_openapi()).unwrap() + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::create_dir_all(std::path::Path::new(CHECKED_IN).parent().unwrap()).unwrap();
        std::fs::write(CHECKED_IN, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(CHECKED_IN).unwrap_or_default();
    assert!(
        checked_in == generated,
        "server/openapi/api-v1.json is stale; regenerate it with UPDATE_OPENAPI=1"
    );

    let app = TestApp::all().await.remove(0);
    let (status, served) = app.get("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(served, serde_json::from_str::<serde_json::Value>(&generated).unwrap());
    for path in [
        "/api/v1/customers",
        "/api/v1/attachments/{id}/content",
        "/api/v1/visit-reports/{id}/publish",
    ] {
        assert!(served["paths"].get(path).is_some(), "{path} is documented");
    }
}
